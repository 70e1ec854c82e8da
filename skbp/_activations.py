"""Activation functions and their derivatives, each written in place.

Every activation overwrites its argument (the layer's net input) with the
layer's output. Every derivative multiplies a backpropagated error ``delta``
in place by f'(net), written -- as the seeds write it -- from the unit's
*output*, so the forward pass never has to keep the net input:

    logistic   out = 1 / (1 + exp(-net))   f' = out (1 - out)
    tanh       out = tanh(net)              f' = 1 - out**2
    relu       out = max(net, 0)            f' = [out > 0]
    identity   out = net                    f' = 1
    softmax    out_k = exp(net_k) / sum_j exp(net_j)
               (J^T g)_k = out_k (g_k - sum_j g_j out_j)
    exp        out = exp(net)               f' = out

The names map to functions through the ``ACTIVATIONS`` and ``DERIVATIVES``
tables; nothing else in skbp branches on an activation's name.
"""

import numpy as np


def logistic(z):
    """Logistic sigmoid, in place: ``z <- 1 / (1 + exp(-z))``.

    Computed as ``0.5 * tanh(z / 2) + 0.5``, which is exact algebra, cannot
    overflow for any finite ``z`` and uses numpy's vectorised tanh (several
    times faster than ``scipy.special.expit``).

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
    >>> logistic(np.array([0.3775, 0.0, -1000.0]))
    array([0.59326999, 0.5       , 0.        ])
    """
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


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

    Parameters
    ----------
    z : ndarray
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array.
    """
    return np.tanh(z, out=z)


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


def softmax(z):
    """Softmax over each row, in place.

    The row maximum is subtracted first so that ``exp`` never overflows.

    Parameters
    ----------
    z : ndarray of shape (n_samples, n_units)
        Net input; overwritten with the output.

    Returns
    -------
    z : ndarray
        The same array, each row summing to 1.
    """
    # A shift that itself overflows to -inf is harmless (exp(-inf) = 0).
    with np.errstate(over="ignore"):
        z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
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
    # One below log(max) so that exp's rounding cannot step over into inf.
    np.minimum(z, np.log(np.finfo(z.dtype).max) - 1, out=z)
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


ACTIVATIONS = {
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
    "identity": identity,
    "softmax": softmax,
    "exp": exp,
}

DERIVATIVES = {
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "identity": identity_derivative,
    "softmax": softmax_derivative,
    "exp": exp_derivative,
}

# The seeds call the logistic unit "sigmoid"; both names mean one function.
ALIASES = {"sigmoid": "logistic"}


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
