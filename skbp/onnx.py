"""Export fitted skbp estimators to ONNX, through skl2onnx.

Importing this module registers a parser, shape calculator and converter
for :class:`~skbp.BackpropClassifier` and :class:`~skbp.BackpropRegressor`
with skl2onnx, exactly as skl2onnx registers scikit-learn's own MLPs. From
then on ``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn`` convert an
skbp estimator wherever it sits in a pipeline; :func:`to_onnx` is a
shortcut that makes sure of the registration first.

The graph is the network's forward pass, layer by layer: ``MatMul`` with
``coefs_[i]``, ``Add`` of ``intercepts_[i]`` (also with
``fit_intercept=False``: the intercepts are then the fixed
``intercepts_init``, or zeros), and the layer's own unit function (each
hidden layer may have its own: ``hidden_activations_``, the units the
model was fitted with) -- ``Sigmoid``, ``Tanh``, ``Relu``, ``LeakyRelu``
(alpha=0.01), ``Softplus``, nothing for identity, ``Softmax`` or ``Exp``
(the Poisson loss's log link, with net inputs clipped as skbp clips
them). onnxruntime runs ``LeakyRelu`` and ``Softplus`` in float32 only, so
a float64 graph spells them out in elementary operators with skbp's own
formulas. Dropout needs no node:
it acts in training only, and the fitted network predicts with every unit.
The classifier adds what its ``predict`` and ``predict_proba`` do:
``[1 - p, p]`` for a single logistic output, logistic outputs of a
multiclass target over their sum, ``ArgMax`` and a look-up into
``classes_`` for labels, and the 0.5 threshold for multilabel targets.

Requires onnx, skl2onnx and onnxruntime: the ``onnx`` extra
(``pip install -e ".[onnx]"`` in a clone of skbp).
"""

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

try:
    from onnx import TensorProto
    from skl2onnx import to_onnx as _skl2onnx_to_onnx
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
    )
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
    )
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "skbp.onnx needs onnx and skl2onnx (and onnxruntime to run the "
        "models): pip install onnx skl2onnx onnxruntime"
    ) from error

from ._activations import LEAKY_SLOPE, REGISTRY
from ._base import check_fitted
from ._classifier import BackpropClassifier
from ._regressor import BackpropRegressor

__all__ = ["to_onnx"]

# The units a hidden layer may have; an output layer may have any unit.
# Each unit's ONNX operator is its record's (``REGISTRY``).
_HIDDEN_UNITS = tuple(name for name, record in REGISTRY.items() if record.hidden)

# Min broadcasting a scalar, Greater on doubles and Cast to int64 all exist
# from opset 9 on; earlier opsets are older than anything onnxruntime runs.
_MIN_OPSET = 9

_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
}


def to_onnx(model, X, *, target_opset=None, options=None):
    """Convert a fitted skbp estimator, or a pipeline holding one, to ONNX.

    A thin wrapper around :func:`skl2onnx.to_onnx`: importing
    :mod:`skbp.onnx` (which this function lives in) has registered skbp's
    converters, so skl2onnx's own functions convert skbp estimators just
    as well.

    Parameters
    ----------
    model : estimator
        A fitted :class:`~skbp.BackpropClassifier` or
        :class:`~skbp.BackpropRegressor`, or any pipeline or meta-estimator
        skl2onnx can convert that holds one.
    X : array-like of shape (n_samples, n_features)
        Sample input; only its dtype and number of columns are used. The
        graph computes in X's dtype: float32 (skl2onnx's usual choice) or
        float64. Integer or boolean inputs are cast to float32.
    target_opset : int or dict, default=None
        ONNX opset to target (at least 9); None: the latest skl2onnx
        supports.
    options : dict, default=None
        skl2onnx's conversion options, keyed by estimator or by its class.
        The classifier takes ``zipmap`` (True, the default: probabilities
        as a list of ``{class: probability}`` dicts; False: a tensor;
        ``"columns"``: one output per class), ``nocl`` (True: labels are
        class indices rather than ``classes_``) and ``output_class_labels``.

    Returns
    -------
    onx : onnx.ModelProto
        The model. A regressor's output ``variable`` has shape
        (n_samples, n_outputs); a classifier's outputs are ``label``
        (shape (n_samples,), or (n_samples, n_labels) of 0/1 for multilabel
        targets) and ``probabilities`` (shape (n_samples, n_classes), as
        ``predict_proba``).

    Raises
    ------
    ValueError
        If the estimator cannot be written as an ONNX graph; the message
        names the parameter or attribute (``hidden_activations_``,
        ``out_activation``, ``classes_``, ``n_features_in_``) or the dtype
        of X.
    sklearn.exceptions.NotFittedError
        If the estimator is not fitted.

    See Also
    --------
    skl2onnx.to_onnx : The function this wraps.

    Notes
    -----
    Outputs agree with ``predict`` and ``predict_proba`` to rounding: a few
    units in the last place of float32 or float64. ZipMap's dictionaries
    hold float32 values whatever the graph's dtype, as onnxruntime's ZipMap
    has no float64 kernel; switch ``zipmap`` off for float64
    probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn.datasets import load_iris
    >>> from skbp import BackpropClassifier
    >>> from skbp.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = BackpropClassifier(hidden_layer_sizes=(5,), solver="lbfgs",
    ...                          max_iter=500, random_state=0).fit(X, y)
    >>> onx = to_onnx(clf, X, options={"zipmap": False})
    >>> session = ort.InferenceSession(onx.SerializeToString(),
    ...                                providers=["CPUExecutionProvider"])
    >>> [o.name for o in session.get_outputs()]
    ['label', 'probabilities']
    >>> label, proba = session.run(None, {"X": X})
    >>> bool((label == clf.predict(X)).all())
    True
    >>> bool(np.allclose(proba, clf.predict_proba(X), atol=1e-5))
    True
    """
    check_is_fitted(model)
    return _skl2onnx_to_onnx(model, X, target_opset=target_opset, options=options)


# ----------------------------------------------------------------------
# Checks shared by the shape calculators and converters
def _check_convertible(model):
    """Each hidden layer's unit name and the output's; raise if not expressible.

    The hidden names are the fitted units, ``hidden_activations_``, one per
    hidden layer, as predict computes with them (``activation`` may have
    been changed since the fit).
    """
    check_fitted(model)
    hidden = model.hidden_activations_
    for layer, unit in enumerate(hidden, start=1):
        if unit not in _HIDDEN_UNITS:
            raise ValueError(
                f"hidden_activations_={hidden!r} cannot be converted to ONNX "
                f"(hidden layer {layer} has {unit!r}); the hidden units can be "
                f"{sorted(_HIDDEN_UNITS)}."
            )
    out = model.out_activation_
    if out not in REGISTRY:
        raise ValueError(
            f"out_activation={out!r} cannot be converted to ONNX; the output "
            f"units can be {sorted(REGISTRY)}."
        )
    return hidden, out


def _check_input(operator):
    """Check the input's type and width against the fitted model."""
    model = operator.raw_operator
    inputs = operator.inputs
    if len(inputs) != 1:
        raise ValueError(
            f"{type(model).__name__} takes one input tensor, got {len(inputs)}."
        )
    kind = inputs[0].type
    allowed = (FloatTensorType, DoubleTensorType, Int64TensorType, BooleanTensorType)
    if not isinstance(kind, allowed):
        raise ValueError(
            f"{type(model).__name__} converts inputs of dtype float32 or float64 "
            f"(int64 and bool are cast to float32); got {kind}. Cast X first."
        )
    shape = kind.shape
    expected = getattr(model, "n_features_in_", None)
    if (
        expected is not None
        and len(shape) == 2
        and isinstance(shape[1], numbers.Integral)
        and shape[1] != expected
    ):
        raise ValueError(
            f"X has {shape[1]} features, but {type(model).__name__} was fitted "
            f"with n_features_in_={expected}."
        )


def _proto_dtype(operator):
    # The same rule as skl2onnx's MLP converters (and guess_tensor_type):
    # float64 stays float64, anything else computes in float32.
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        return TensorProto.DOUBLE, np.float64
    return TensorProto.FLOAT, np.float32


def _zipmap_needs_float(operator):
    """Whether the probabilities feed a ZipMap from a float64 graph.

    onnxruntime's ZipMap has a float32 kernel only, so such probabilities
    are cast to float32 as the graph's last step (after the labels are
    taken from the float64 values). ``zipmap="columns"`` slices the tensor
    instead of zipping it and keeps float64.
    """
    zipmap = operator.scope_inst.get_options(operator.raw_operator, {"zipmap": True})[
        "zipmap"
    ]
    return zipmap is True and _proto_dtype(operator)[0] == TensorProto.DOUBLE


def _is_multilabel(model):
    return model._label_binarizer.y_type_.startswith("multilabel")


def _class_labels(model):
    """``classes_`` as int64 or str labels for the graph.

    Returns the array and its ONNX element type.
    """
    classes = np.asarray(model.classes_)
    if len(classes) < 2:
        raise ValueError(
            f"classes_={classes.tolist()!r}: a classifier fitted on a single "
            "class cannot be converted to ONNX (its probabilities have two "
            "columns but there is one label)."
        )
    if classes.dtype == np.bool_ or np.issubdtype(classes.dtype, np.integer):
        return classes.astype(np.int64), TensorProto.INT64
    if np.issubdtype(classes.dtype, np.floating):
        # Whole numbers: float targets with a fraction are "continuous",
        # which the classifier refuses to fit.
        return classes.astype(np.int64), TensorProto.INT64
    if all(isinstance(c, str) for c in classes):
        return classes.astype(str), TensorProto.STRING
    raise ValueError(
        f"classes_={classes.tolist()!r}: ONNX labels must all be integers or "
        "all strings."
    )


# ----------------------------------------------------------------------
# Shape calculators
def _classifier_shapes(operator):
    model = operator.raw_operator
    _check_convertible(model)
    _check_input(operator)
    _class_labels(model)
    calculate_linear_classifier_output_shapes(operator)
    if _zipmap_needs_float(operator):
        n = operator.inputs[0].get_first_dimension()
        operator.outputs[1].set_type(FloatTensorType([n, len(model.classes_)]))
    if _is_multilabel(model):
        # skl2onnx would declare one label per row; multilabel predict gives
        # one 0/1 column per label (ZipMap passes the type on).
        n = operator.inputs[0].get_first_dimension()
        operator.outputs[0].set_type(Int64TensorType([n, model.n_outputs_]))


def _regressor_shapes(operator):
    model = operator.raw_operator
    _check_convertible(model)
    _check_input(operator)
    if len(operator.outputs) != 1:
        raise ValueError(
            f"BackpropRegressor has one output, got {len(operator.outputs)}."
        )
    double = _proto_dtype(operator)[0] == TensorProto.DOUBLE
    kind = DoubleTensorType if double else FloatTensorType
    n = operator.inputs[0].get_first_dimension()
    operator.outputs[0].set_type(kind([n, model.n_outputs_]))


# ----------------------------------------------------------------------
# Converters
def _check_opset(container):
    if container.target_opset < _MIN_OPSET:
        raise ValueError(
            f"target_opset={container.target_opset}: skbp's ONNX converters "
            f"need opset {_MIN_OPSET} or later."
        )


def _constant(scope, container, name, proto, array):
    array = np.asarray(array)
    result = scope.get_unique_variable_name(name)
    container.add_initializer(result, proto, list(array.shape), array.ravel())
    return result


def _node(scope, container, op_type, inputs, output=None, **attrs):
    """Add a node; return its output name (a fresh one unless given)."""
    if output is None:
        output = scope.get_unique_variable_name(op_type.lower())
    container.add_node(
        op_type,
        inputs,
        output,
        name=scope.get_unique_operator_name(op_type),
        **attrs,
    )
    return output


def _forward(scope, operator, container, output=None):
    """The network's output, as skbp's ``_forward`` computes it.

    Written to ``output`` when given, else to a fresh name; returns the
    name.
    """
    model = operator.raw_operator
    hidden, out = _check_convertible(model)
    proto, dtype = _proto_dtype(operator)
    a = operator.inputs[0].full_name
    if not isinstance(operator.inputs[0].type, (FloatTensorType, DoubleTensorType)):
        a = _node(scope, container, "Cast", [a], to=proto)
    last = len(model.coefs_) - 1
    for i, (coef, intercept) in enumerate(zip(model.coefs_, model.intercepts_)):
        unit = REGISTRY[out if i == last else hidden[i]]
        op = unit.onnx_op
        target = output if i == last and op is None else None
        W = _constant(scope, container, f"coef{i}", proto, coef.astype(dtype))
        b = _constant(scope, container, f"intercept{i}", proto, intercept.astype(dtype))
        z = _node(scope, container, "MatMul", [a, W])
        z = _node(scope, container, "Add", [z, b], target)
        if op is None:
            a = z
            continue
        if unit.net_ceiling is not None:
            # skbp clips the net input where the output would overflow (exp:
            # one below log(max)); ONNX's Exp would return inf.
            limit = dtype(unit.net_ceiling(np.dtype(dtype)))
            bound = _constant(scope, container, f"{unit.name}_limit", proto, limit)
            z = _node(scope, container, "Min", [z, bound])
        result = output if i == last else None
        if unit.onnx_float32_only and proto == TensorProto.DOUBLE:
            a = _SPELLED_OUT[unit.name](scope, container, z, proto, dtype, result)
            continue
        a = _node(scope, container, op, [z], result, **unit.onnx_attrs)
    return a


def _leaky_relu_nodes(scope, container, z, proto, dtype, output=None):
    """``Max(z, z * 0.01)``: skbp's leaky_relu, node for node."""
    slope = _constant(scope, container, "leaky_slope", proto, dtype(LEAKY_SLOPE))
    scaled = _node(scope, container, "Mul", [z, slope])
    return _node(scope, container, "Max", [z, scaled], output)


def _softplus_nodes(scope, container, z, proto, dtype, output=None):
    """``Log(1 + Exp(-|z|)) + Relu(z)``: skbp's overflow-safe softplus.

    ``Log(1 + u)`` stands for skbp's ``log1p(u)``; with u in (0, 1] the two
    differ by under one ulp of 1, far below the tolerance of any later
    layer.
    """
    u = _node(scope, container, "Abs", [z])
    u = _node(scope, container, "Neg", [u])
    u = _node(scope, container, "Exp", [u])
    one = _constant(scope, container, "one", proto, dtype(1))
    u = _node(scope, container, "Add", [u, one])
    u = _node(scope, container, "Log", [u])
    positive = _node(scope, container, "Relu", [z])
    return _node(scope, container, "Add", [u, positive], output)


# The units whose ONNX operator onnxruntime implements for float32 only
# (``onnx_float32_only`` in their records), as float64 graphs spell them.
_SPELLED_OUT = {"leaky_relu": _leaky_relu_nodes, "softplus": _softplus_nodes}


def _scaled_to_one(scope, container, out, proto, dtype, n_classes, output):
    """Each row of ``out`` over its sum (uniform where the sum is 0).

    predict_proba's scaling of the logistic outputs of a multiclass target.
    The sum is a MatMul with a column of ones, which every opset has
    (ReduceSum's ``axes`` moved from attribute to input in opset 13).
    """
    ones = _constant(scope, container, "ones", proto, np.ones((n_classes, 1), dtype))
    total = _node(scope, container, "MatMul", [out, ones])
    zero = _constant(scope, container, "zero", proto, dtype(0))
    positive = _node(scope, container, "Greater", [total, zero])
    ratio = _node(scope, container, "Div", [out, total])
    uniform = _constant(
        scope,
        container,
        "uniform",
        proto,
        np.full((1, n_classes), 1 / n_classes, dtype),
    )
    return _node(scope, container, "Where", [positive, ratio, uniform], output)


def _convert_classifier(scope, operator, container):
    _check_opset(container)
    model = operator.raw_operator
    proto, dtype = _proto_dtype(operator)
    label_name = operator.outputs[0].full_name
    cast_to_float = _zipmap_needs_float(operator)
    proba_name = (
        scope.get_unique_variable_name("probabilities")
        if cast_to_float
        else operator.outputs[1].full_name
    )
    if cast_to_float:
        _node(
            scope,
            container,
            "Cast",
            [proba_name],
            operator.outputs[1].full_name,
            to=TensorProto.FLOAT,
        )

    scores = proba_name
    if model.n_outputs_ == 1:
        # A single logistic unit is P(classes_[1]); predict_proba stacks
        # [1 - p, p].
        p = _forward(scope, operator, container)
        one = _constant(scope, container, "one", proto, dtype(1))
        q = _node(scope, container, "Sub", [one, p])
        _node(scope, container, "Concat", [q, p], proba_name, axis=1)
    elif model.out_activation_ != "softmax" and not _is_multilabel(model):
        # The labels come from the outputs themselves, as predict takes them
        # (a rounded quotient could tie two close ones).
        scores = _forward(scope, operator, container)
        n_classes = len(model.classes_)
        _scaled_to_one(scope, container, scores, proto, dtype, n_classes, proba_name)
    else:
        _forward(scope, operator, container, proba_name)

    if _is_multilabel(model):
        # LabelBinarizer's inverse transform: a label is on when its output
        # is strictly above 0.5.
        half = _constant(scope, container, "threshold", proto, dtype(0.5))
        on = _node(scope, container, "Greater", [proba_name, half])
        _node(scope, container, "Cast", [on], label_name, to=TensorProto.INT64)
        return

    # ArgMax keeps the first of tied maxima, as numpy's argmax (and so
    # predict) does; for [1 - p, p] it is p > 0.5, exactly, since 1 - p is
    # exact for p in [0.5, 1].
    nocl = scope.get_options(model, {"nocl": False})["nocl"]
    if nocl:
        _node(scope, container, "ArgMax", [scores], label_name, axis=1, keepdims=0)
        return
    index = _node(scope, container, "ArgMax", [scores], axis=1, keepdims=0)
    labels, label_proto = _class_labels(model)
    if label_proto == TensorProto.STRING:
        classes = scope.get_unique_variable_name("classes")
        container.add_initializer(
            classes,
            label_proto,
            [len(labels)],
            [s.encode("utf-8") for s in labels],
        )
    else:
        classes = _constant(scope, container, "classes", label_proto, labels)
    _node(scope, container, "Gather", [classes, index], label_name, axis=0)


def _convert_regressor(scope, operator, container):
    _check_opset(container)
    _forward(scope, operator, container, operator.outputs[0].full_name)


def _register():
    update_registered_converter(
        BackpropClassifier,
        "SkbpBackpropClassifier",
        _classifier_shapes,
        _convert_classifier,
        options=_CLASSIFIER_OPTIONS,
    )
    update_registered_converter(
        BackpropRegressor,
        "SkbpBackpropRegressor",
        _regressor_shapes,
        _convert_regressor,
    )


_register()
