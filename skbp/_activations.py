"""Activation functions and their derivatives, each written in place.

Every activation overwrites its argument (the layer's net input) with the
layer's output. Every derivative multiplies a backpropagated error ``delta``
in place by f'(net), written -- as the worked examples write it -- from the unit's
*output*, so the forward pass never has to keep the net input:

    logistic   out = 1 / (1 + exp(-net))   f' = out (1 - out)
    tanh       out = tanh(net)              f' = 1 - out**2
    relu       out = max(net, 0)            f' = [out > 0]
    leaky_relu out = max(net, 0.01 net)     f' = 1 if out > 0 else 0.01
    softplus   out = log(1 + exp(net))      f' = 1 - exp(-out)
    identity   out = net                    f' = 1
    softmax    out_k = exp(net_k) / sum_j exp(net_j)
               (J^T g)_k = out_k (g_k - sum_j g_j out_j)
    exp        out = exp(net)               f' = out

Each activation is one record, an :class:`~skbp._activation_record.Activation`
in ``REGISTRY`` (at the end): its functions, initialisation factor, output
range, ONNX operator and scikit-learn's name. The ``ACTIVATIONS`` and
``DERIVATIVES`` tables and every list of names in skbp are read from it;
nothing else in skbp branches on an activation's name.

The logistic and tanh units can each be computed several exact ways
(``FORMULATIONS``); which one runs depends on the CPU and dtype and is
chosen once per process by ``_kernels`` (:func:`skbp.kernel_choices`).
"""

import numpy as np

from ._activation_forms import (
    logistic_exp_form,
    logistic_expit_form,
    logistic_tanh_form,
    tanh_exp_form,
    tanh_tanh_form,
)
from ._activation_record import Activation
from ._kernels import CHOICES


def logistic(z):
    """Logistic sigmoid, in place: ``z <- 1 / (1 + exp(-z))``.

    Runs the formulation that is fastest on this CPU for ``z``'s dtype
    (:func:`skbp.kernel_choices` tells which); every one is exact to a few
    ulp and none overflows for any finite ``z``.

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp._activations import logistic
    >>> logistic(np.array([0.3775, 0.0, 40.0])).round(8)
    array([0.59326999, 0.5       , 1.        ])
    """
    forms = IN_USE["logistic"]
    return forms.get(z.dtype, logistic_exp_form)(z)


def logistic_derivative(out, delta, scratch=None):
    """Multiply ``delta`` in place by σ'(net) = out (1 - out).

    Parameters
    ----------
    out : ndarray
        The unit's output σ(net).
    delta : ndarray
        Error signal ∂E/∂out, overwritten with ∂E/∂net.
    scratch : ndarray, default=None
        Buffer shaped like ``delta`` for the temporary; allocated if None.
    """
    delta *= out
    # δ·out·(1 - out) = δ·out - (δ·out)·out
    delta -= np.multiply(delta, out, out=scratch)


def tanh(z):
    """Hyperbolic tangent, in place.

    Runs the formulation that is fastest on this CPU for ``z``'s dtype
    (:func:`skbp.kernel_choices`).

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    forms = IN_USE["tanh"]
    return forms.get(z.dtype, tanh_tanh_form)(z)


def tanh_derivative(out, delta, scratch=None):
    """Multiply ``delta`` in place by 1 - out**2.

    Parameters
    ----------
    out : ndarray
        The unit's output tanh(net).
    delta : ndarray
        Error signal ∂E/∂out, overwritten with ∂E/∂net.
    scratch : ndarray, default=None
        Buffer shaped like ``delta`` for the temporary; allocated if None.
    """
    t = np.multiply(delta, out, out=scratch)
    t *= out
    delta -= t


def relu(z):
    """Rectified linear unit, in place: ``z <- max(z, 0)``.

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    return np.maximum(z, 0, out=z)


def relu_derivative(out, delta, scratch=None):
    """Zero ``delta`` where the unit was inactive (out == 0).

    Parameters
    ----------
    out : ndarray
        The unit's output max(net, 0).
    delta : ndarray
        Error signal ∂E/∂out, overwritten with ∂E/∂net.
    scratch : ndarray, default=None
        Buffer shaped like ``delta`` for the 0/1 mask; allocated if None.
    """
    delta *= np.greater(out, 0, out=scratch)


# Slope of the leaky ReLU for negative net inputs (scikit-learn has no leaky
# unit to agree with; 0.01 is the value of Maas et al. and most frameworks).
LEAKY_SLOPE = 0.01


def leaky_relu(z):
    """Leaky rectified linear unit, in place: ``z <- max(z, 0.01 z)``.

    The slope for negative net inputs is fixed at 0.01 (``LEAKY_SLOPE``).

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp._activations import leaky_relu
    >>> leaky_relu(np.array([-2.0, 0.0, 3.0]))
    array([-0.02,  0.  ,  3.  ])
    """
    return np.maximum(z, z * LEAKY_SLOPE, out=z)


def leaky_relu_derivative(out, delta, scratch=None):
    """Multiply ``delta`` in place by 1 where out > 0, else by 0.01.

    The output has the sign of the net input, so it tells the two pieces
    apart; at net = 0 the slope 0.01 is taken, as relu takes 0 there.

    Parameters
    ----------
    out : ndarray
        The unit's output max(net, 0.01 net).
    delta : ndarray
        Error signal ∂E/∂out, overwritten with ∂E/∂net.
    scratch : ndarray, default=None
        Unused.
    """
    # Multiplying only the inactive entries keeps the active ones exact and
    # uses the same rounded slope as the forward pass in every dtype.
    np.multiply(delta, LEAKY_SLOPE, out=delta, where=out <= 0)


def softplus(z):
    """Softplus, in place: ``z <- log(1 + exp(z))``.

    Computed as ``log1p(exp(-|z|)) + max(z, 0)``: ``exp`` only ever sees
    non-positive arguments, so no finite ``z`` overflows or warns, and the
    result keeps ``z``'s dtype.

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp._activations import softplus
    >>> softplus(np.array([-1000.0, 0.0, 2.0])).round(8)
    array([0.        , 0.69314718, 2.12692801])
    """
    t = np.abs(z)
    np.negative(t, out=t)
    np.exp(t, out=t)
    np.log1p(t, out=t)
    np.maximum(z, 0, out=z)
    z += t
    return z


def softplus_derivative(out, delta, scratch=None):
    """Multiply ``delta`` in place by σ(net) = 1 - exp(-out).

    Since out = log(1 + exp(net)), exp(-out) = 1 - σ(net). ``-expm1(-out)``
    keeps full relative accuracy for small outputs (very negative net
    inputs), where ``1 - exp(-out)`` would cancel.

    Parameters
    ----------
    out : ndarray
        The unit's output log(1 + exp(net)), never negative.
    delta : ndarray
        Error signal ∂E/∂out, overwritten with ∂E/∂net.
    scratch : ndarray, default=None
        Buffer shaped like ``delta`` for the temporary; allocated if None.
    """
    t = np.negative(out, out=scratch)
    np.expm1(t, out=t)
    delta *= t
    np.negative(delta, out=delta)


def identity(z):
    """Identity: the output is the net input.

    Parameters
    ----------
    z : ndarray
        Net input, left as it is.

    Returns
    -------
    z : ndarray
        The same array.
    """
    return z


def identity_derivative(out, delta, scratch=None):
    """Leave ``delta`` unchanged: f'(net) = 1.

    Parameters
    ----------
    out : ndarray
        The unit's output (unused).
    delta : ndarray
        Error signal, already equal to ∂E/∂net.
    scratch : ndarray, default=None
        Unused.
    """


# Net inputs within ±log(max)/4 of the dtype need no shift before exp: neither
# exp nor a row sum of them can overflow, and no output of a row can fall
# out of the normal range because of the missing shift.
_SOFTMAX_FREE = {
    np.dtype(t): float(np.log(np.finfo(t).max)) / 4 for t in (np.float32, np.float64)
}


def softmax(z):
    """Softmax over each row, in place.

    When any net input lies outside ±log(max)/4 of the dtype (88 in float32)
    each row's maximum is subtracted first so that ``exp`` never overflows.
    Within that range the shift is skipped: it changes the result by
    rounding only, and a row-wise maximum over a few columns costs more than
    the rest of the function.

    Parameters
    ----------
    z : ndarray of shape (n_samples, n_units)
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array, each row summing to 1.
    """
    if not z.size:
        return z
    bound = _SOFTMAX_FREE.get(z.dtype, 0.0)
    # The negated comparisons send NaN to the shifting path too.
    if not (z.min() >= -bound and z.max() <= bound):
        # A shift that itself overflows to -inf is harmless (exp(-inf) = 0).
        with np.errstate(over="ignore"):
            z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    # Row sums as a matrix-vector product: a BLAS call is several times
    # faster than a reduction along short rows.
    z /= (z @ np.ones(z.shape[1], dtype=z.dtype))[:, np.newaxis]
    return z


def softmax_derivative(out, delta, scratch=None):
    """Replace ``delta`` in place by the softmax Jacobian-vector product.

    Parameters
    ----------
    out : ndarray of shape (n_samples, n_units)
        The softmax output.
    delta : ndarray of shape (n_samples, n_units)
        Error signal ∂E/∂out, overwritten with ∂E/∂net.
    scratch : ndarray, default=None
        Unused.
    """
    delta -= np.einsum("ij,ij->i", delta, out)[:, np.newaxis]
    delta *= out


def _exp_ceiling(dtype):
    # One below log(max) so that exp's rounding cannot step over into inf.
    return np.log(np.finfo(dtype).max) - 1


def exp(z):
    """Exponential, in place (the log link of the Poisson loss).

    Net inputs are clipped so that the output stays finite in the dtype.

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    np.minimum(z, _exp_ceiling(z.dtype), out=z)
    return np.exp(z, out=z)


def exp_derivative(out, delta, scratch=None):
    """Multiply ``delta`` in place by exp'(net) = out.

    Parameters
    ----------
    out : ndarray
        The unit's output exp(net).
    delta : ndarray
        Error signal ∂E/∂out, overwritten with ∂E/∂net.
    scratch : ndarray, default=None
        Unused.
    """
    delta *= out


# In the order the documentation, ``skbp compare`` and every message list
# them; aliases follow their unit.
REGISTRY = {
    record.name: record
    for record in (
        Activation(
            "logistic",
            logistic,
            logistic_derivative,
            "σ(x) = 1 / (1 + exp(-x))",
            "1 / (1 + exp(-net))",
            "out * (1 - out)",
            aliases=("sigmoid",),
            forms={
                "tanh": logistic_tanh_form,
                "exp": logistic_exp_form,
                "expit": logistic_expit_form,
            },
            output_form="exp",
            hidden=True,
            output_of=("classifier", "regressor"),
            init_factor=2.0,
            output_range=(0.0, 1.0),
            target_scaler="MinMaxScaler()",
            onnx_op="Sigmoid",
            sklearn_name="logistic",
        ),
        Activation(
            "tanh",
            tanh,
            tanh_derivative,
            "tanh(x)",
            "tanh(net)",
            "1 - out ** 2",
            forms={"tanh": tanh_tanh_form, "exp": tanh_exp_form},
            hidden=True,
            output_of=("regressor",),
            output_range=(-1.0, 1.0),
            target_scaler="MinMaxScaler(feature_range=(-1, 1))",
            onnx_op="Tanh",
            sklearn_name="tanh",
        ),
        Activation(
            "relu",
            relu,
            relu_derivative,
            "max(x, 0)",
            "max(net, 0)",
            "1 if out > 0 else 0",
            hidden=True,
            output_of=("regressor",),
            output_range=(0.0, None),
            target_scaler="MinMaxScaler()",
            onnx_op="Relu",
            sklearn_name="relu",
        ),
        Activation(
            "leaky_relu",
            leaky_relu,
            leaky_relu_derivative,
            f"max(x, {LEAKY_SLOPE} x) (the slope {LEAKY_SLOPE} is fixed)",
            f"max(net, {LEAKY_SLOPE} * net)",
            f"1 if out > 0 else {LEAKY_SLOPE}",
            hidden=True,
            onnx_op="LeakyRelu",
            onnx_attrs={"alpha": LEAKY_SLOPE},
            onnx_float32_only=True,
        ),
        Activation(
            "softplus",
            softplus,
            softplus_derivative,
            "log(1 + exp(x))",
            "log(1 + exp(net))",
            "1 - exp(-out)",
            hidden=True,
            output_range=(0.0, None),
            onnx_op="Softplus",
            onnx_float32_only=True,
        ),
        Activation(
            "identity",
            identity,
            identity_derivative,
            "x",
            "net",
            "1",
            hidden=True,
            output_of=("regressor",),
            target_scaler="StandardScaler()",
            sklearn_name="identity",
        ),
        Activation(
            "softmax",
            softmax,
            softmax_derivative,
            "exp(x_k) / Σ_j exp(x_j)",
            "exp(net) / sum(exp(nets))",
            "out * (g - sum(gs * outs))",
            output_of=("classifier", "regressor"),
            output_range=(0.0, 1.0),
            target_scaler="MinMaxScaler()",
            onnx_op="Softmax",
            onnx_attrs={"axis": 1},
            sklearn_name="softmax",
        ),
        Activation(
            "exp",
            exp,
            exp_derivative,
            "exp(x)",
            "exp(net)",
            "out",
            output_range=(0.0, None),
            onnx_op="Exp",
            net_ceiling=_exp_ceiling,
            sklearn_name="exp",
        ),
    )
}


def _names(records):
    return tuple(name for r in records for name in (r.name, *r.aliases))


# The tables the network looks names up in, once per call (tests and the
# profiler patch entries of these dicts, not the records).
ACTIVATIONS = {name: r.forward for name, r in REGISTRY.items()}
OUTPUT_ACTIVATIONS = {name: r.output_forward for name, r in REGISTRY.items()}
DERIVATIVES = {name: r.derivative for name, r in REGISTRY.items()}
ALIASES = {alias: r.name for r in REGISTRY.values() for alias in r.aliases}

# The names ``activation`` takes, for every hidden layer or for each.
HIDDEN_ACTIVATION_NAMES = _names(r for r in REGISTRY.values() if r.hidden)

# The names each estimator's ``out_activation`` takes.
OUT_ACTIVATION_NAMES = {
    kind: _names(r for r in REGISTRY.values() if kind in r.output_of)
    for kind in ("classifier", "regressor")
}

# Every formulation of the activations that have several (see _kernels),
# and the one in force for each float dtype, chosen once by _kernels.
FORMULATIONS = {name: dict(r.forms) for name, r in REGISTRY.items() if r.forms}
IN_USE = {
    name: {np.dtype(d): forms[CHOICES[name][d]] for d in CHOICES[name]}
    for name, forms in FORMULATIONS.items()
}


def init_bound(name, fan_in, fan_out):
    """The bound of a layer's uniform initial weights, as scikit-learn sets it.

    Glorot & Bengio (2010): sqrt(factor / (fan_in + fan_out)), with the
    record's ``init_factor`` (2 for logistic units, 6 for any other).

    Parameters
    ----------
    name : str or None
        The units whose record gives the factor, aliases resolved; None
        (no one unit, as for a network without hidden layers given a list
        of units) takes scikit-learn's factor for every unit but the
        logistic, 6.
    fan_in, fan_out : int
        The layer's numbers of inputs and outputs.

    Returns
    -------
    bound : float

    Examples
    --------
    >>> float(init_bound("sigmoid", 2, 2)), float(init_bound("relu", 1, 2))
    (0.7071067811865476, 1.4142135623730951)
    """
    factor = 6.0 if name is None else REGISTRY[canonical_name(name)].init_factor
    return np.sqrt(factor / (fan_in + fan_out))


def canonical_name(name):
    """Return the table key for an activation name, resolving aliases.

    Parameters
    ----------
    name : str
        An activation name such as ``"sigmoid"`` or ``"tanh"``.

    Returns
    -------
    name : str
        The key used in ``ACTIVATIONS`` and ``DERIVATIVES``.
    """
    return ALIASES.get(name, name)


def hidden_layer_names(activation, n_hidden):
    """The table name of each hidden layer's units.

    Parameters
    ----------
    activation : str or sequence of str
        An estimator's ``activation``: one name for every hidden layer, or
        one per hidden layer.
    n_hidden : int
        Number of hidden layers.

    Returns
    -------
    names : tuple of str
        ``n_hidden`` table names, aliases resolved.

    Raises
    ------
    ValueError
        If a sequence names another number of layers.

    Examples
    --------
    >>> hidden_layer_names("sigmoid", 2), hidden_layer_names(["relu", "tanh"], 2)
    (('logistic', 'logistic'), ('relu', 'tanh'))
    """
    if isinstance(activation, str):
        return (canonical_name(activation),) * n_hidden
    names = tuple(canonical_name(name) for name in activation)
    if len(names) != n_hidden:
        raise ValueError(
            f"activation={activation!r} names {len(names)} layer(s) but the "
            f"network has {n_hidden} hidden layer(s); give one name for all "
            "hidden layers or one per hidden layer."
        )
    return names
