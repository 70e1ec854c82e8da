"""Conversion between skbp's estimators and scikit-learn's MLPs.

A fitted ``MLPClassifier`` or ``MLPRegressor`` is a network skbp can hold as
it is: the same parameters, weights, label state and training records, and
the state of its SGD or Adam optimizer (skbp's optimizers follow
scikit-learn's arithmetic step for step and keep the same state, in one flat
vector in scikit-learn's packing order instead of one array per layer).
The other way round, only the models scikit-learn can express convert; the
rest are refused with the parameter that stands in the way. skbp's settings
that act in training only (dropout, gradient clipping, class weights, label
smoothing) leave a plain MLP's weights: such a model converts, with a
warning that scikit-learn's would train on without them.
"""

import copy
import math
import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._activations import canonical_name, hidden_layer_names
from ._optimizers import SGD, Adam

# Fitted state both libraries keep under the same names and meanings.
# Copied in one deep copy, so that arrays shared between attributes (a
# classifier's classes_ and its label binarizer's) stay shared.
_FITTED_STATE = (
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "n_features_in_",
    "feature_names_in_",
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "classes_",
    "_label_binarizer",
    "_no_improvement_count",
    "_best_coefs",
    "_best_intercepts",
)


def _is_classifier(estimator_or_class):
    cls = (
        estimator_or_class
        if isinstance(estimator_or_class, type)
        else type(estimator_or_class)
    )
    return issubclass(cls, ClassifierMixin)


def sklearn_class(estimator_or_class):
    """scikit-learn's MLP class matching an skbp estimator or class."""
    return MLPClassifier if _is_classifier(estimator_or_class) else MLPRegressor


def _str_options(cls, name):
    """The strings scikit-learn's parameter validation accepts for ``name``."""
    for constraint in cls._parameter_constraints.get(name, ()):
        if isinstance(constraint, StrOptions):
            return set(constraint.options)
    return set()


def _sklearn_losses(cls):
    # MLPRegressor has a `loss` parameter since scikit-learn 1.7; before,
    # and in MLPClassifier, the loss is fixed.
    if "loss" in cls._get_param_names():
        return _str_options(cls, "loss")
    return {"log_loss"} if issubclass(cls, ClassifierMixin) else {"squared_error"}


def _sklearn_out_activation(estimator):
    """The output units scikit-learn would give this fitted model."""
    if _is_classifier(estimator):
        if estimator._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"
    return "exp" if estimator.loss == "poisson" else "identity"


def _copy_layers(arrays):
    """Separate, C-contiguous copies (skbp's may be views of one vector)."""
    return [np.array(a, order="C", copy=True) for a in arrays]


def _copy_state(source, target):
    state = {
        name: getattr(source, name) for name in _FITTED_STATE if hasattr(source, name)
    }
    target.__dict__.update(copy.deepcopy(state))
    target.coefs_ = _copy_layers(source.coefs_)
    target.intercepts_ = _copy_layers(source.intercepts_)


def _history_from_records(estimator):
    """skbp's per-epoch records rebuilt from scikit-learn's loss curve.

    scikit-learn keeps no learning rates, timings or gradient norms: those
    columns are NaN for the epochs it ran.
    """
    scores = estimator.validation_scores_ or []
    n_layers = len(estimator.coefs_)
    history = []
    for epoch, loss in enumerate(estimator.loss_curve_):
        history.append(
            {
                "epoch": epoch + 1,
                "loss": loss,
                "validation_score": scores[epoch] if epoch < len(scores) else math.nan,
                "validation_loss": math.nan,
                "learning_rate": math.nan,
                "seconds": math.nan,
                **{f"grad_norm_{i}": math.nan for i in range(1, n_layers + 1)},
            }
        )
    return history


def _flat(arrays, dtype):
    """Per-layer optimizer state as one vector in the packing order."""
    return np.concatenate([np.ravel(a) for a in arrays]).astype(dtype, copy=False)


def _per_layer(flat, like):
    """One flat state vector split into arrays shaped as ``like``."""
    arrays, start = [], 0
    for a in like:
        arrays.append(flat[start : start + a.size].reshape(a.shape).copy())
        start += a.size
    return arrays


def _optimizer_from_sklearn(optimizer, params):
    """skbp's SGD or Adam in the state of scikit-learn's optimizer.

    Its own constants (step size, momentum, betas) are kept, as scikit-learn
    keeps them when ``set_params`` changes the estimator's afterwards.
    """
    dtype = params[0].dtype
    template = [np.empty(sum(p.size for p in params), dtype=dtype)]
    if isinstance(optimizer, SGDOptimizer):
        ours = SGD(
            template,
            optimizer.learning_rate_init,
            optimizer.lr_schedule,
            optimizer.momentum,
            optimizer.nesterov,
            optimizer.power_t,
        )
        ours.velocities = [_flat(optimizer.velocities, dtype)]
    elif isinstance(optimizer, AdamOptimizer):
        ours = Adam(
            template,
            optimizer.learning_rate_init,
            optimizer.beta_1,
            optimizer.beta_2,
            optimizer.epsilon,
        )
        ours.t = optimizer.t
        ours.ms = [_flat(optimizer.ms, dtype)]
        ours.vs = [_flat(optimizer.vs, dtype)]
    else:
        return None
    ours.learning_rate = optimizer.learning_rate
    return ours


def _optimizer_to_sklearn(optimizer, params):
    """scikit-learn's SGDOptimizer or AdamOptimizer in skbp's optimizer's state."""
    if isinstance(optimizer, SGD):
        theirs = SGDOptimizer(
            params,
            optimizer.learning_rate_init,
            optimizer.lr_schedule
            if _sklearn_schedule(optimizer.lr_schedule)
            else "constant",
            optimizer.momentum,
            optimizer.nesterov,
            optimizer.power_t,
        )
        theirs.velocities = _per_layer(optimizer.velocities[0], params)
    elif isinstance(optimizer, Adam):
        theirs = AdamOptimizer(
            params,
            optimizer.learning_rate_init,
            optimizer.beta_1,
            optimizer.beta_2,
            optimizer.epsilon,
        )
        theirs.t = optimizer.t
        theirs.ms = _per_layer(optimizer.ms[0], params)
        theirs.vs = _per_layer(optimizer.vs[0], params)
    else:
        return None
    theirs.learning_rate = optimizer.learning_rate
    return theirs


def from_sklearn(cls, mlp):
    """A ``cls`` estimator holding the fitted scikit-learn MLP ``mlp``.

    See ``BackpropClassifier.from_sklearn``.
    """
    expected = sklearn_class(cls)
    if not isinstance(mlp, expected):
        raise TypeError(
            f"{cls.__name__}.from_sklearn converts a fitted "
            f"sklearn.neural_network.{expected.__name__}; got "
            f"{type(mlp).__name__}."
        )
    check_is_fitted(mlp, "coefs_")

    own = cls._get_param_names()
    params = {
        name: value for name, value in mlp.get_params(deep=False).items() if name in own
    }
    est = cls(**copy.deepcopy(params))
    est._validate_params()
    _copy_state(mlp, est)
    est.hidden_activations_ = hidden_layer_names(mlp.activation, mlp.n_layers_ - 2)
    if est._resolve_out_activation(est.n_outputs_) != mlp.out_activation_:
        # Only reachable for an MLP whose out_activation_ was overwritten.
        raise ValueError(
            f"The MLP's output units are {mlp.out_activation_!r}, not those "
            f"scikit-learn picks for it; {cls.__name__} cannot hold it."
        )
    if getattr(est, "loss_curve_", None) is not None:
        # scikit-learn records no validation loss: NaN for its epochs.
        scores = getattr(est, "validation_scores_", None)
        est.validation_loss_curve_ = (
            None if scores is None else [math.nan] * len(scores)
        )
        est._history = _history_from_records(est)
    optimizer = getattr(mlp, "_optimizer", None)
    if optimizer is not None:
        ours = _optimizer_from_sklearn(optimizer, mlp.coefs_ + mlp.intercepts_)
        if ours is not None:
            est._optimizer = ours
    return est


def _single_activation(estimator):
    """The one hidden unit of every fitted hidden layer, or None if they differ.

    The units are those the model was fitted with (``hidden_activations_``),
    whatever ``activation`` says now. A network without hidden layers has
    none; ``activation`` then only chooses the initial weights' bounds of
    a fit from scratch, so one name is kept as it is, and a list becomes
    ``"identity"``, whose bounds skbp sets as for any unit but the
    logistic, as scikit-learn does.
    """
    names = set(estimator.hidden_activations_)
    if len(names) > 1:
        return None
    if names:
        return names.pop()
    if isinstance(estimator.activation, str):
        return canonical_name(estimator.activation)
    return "identity"


def _units_named(estimator):
    """How a message names the fitted hidden units.

    By the parameter when it still gives them, else by the fitted attribute.
    """
    fitted = estimator.hidden_activations_
    try:
        given = hidden_layer_names(estimator.activation, len(fitted))
    except (TypeError, ValueError):
        given = None
    if given == fitted:
        return f"activation={estimator.activation!r}"
    return f"hidden_activations_={fitted!r}"


def check_representable(estimator):
    """Raise ValueError naming the parameter scikit-learn's MLP cannot express."""
    target = sklearn_class(estimator)
    name = f"scikit-learn's {target.__name__}"
    if not estimator.fit_intercept:
        raise ValueError(
            f"fit_intercept=False cannot be converted: {name} always trains "
            "its intercepts."
        )
    hidden = _single_activation(estimator)
    if hidden is None:
        raise ValueError(
            f"{_units_named(estimator)} cannot be converted: {name} "
            "has one activation for all hidden layers."
        )
    if hidden not in _str_options(target, "activation"):
        raise ValueError(
            f"{_units_named(estimator)} cannot be converted: {name} "
            f"has no such hidden unit."
        )
    if estimator.solver not in _str_options(target, "solver"):
        # A solver skbp's table has and scikit-learn's MLP lacks: the MLP
        # would hold the weights but refuse its own parameters.
        raise ValueError(
            f"solver={estimator.solver!r} cannot be converted: {name} has no "
            "such solver."
        )
    losses = _sklearn_losses(target)
    if estimator.loss not in losses:
        raise ValueError(
            f"loss={estimator.loss!r} cannot be converted: {name} trains with "
            f"{', '.join(repr(loss) for loss in sorted(losses))} only."
        )
    wanted = _sklearn_out_activation(estimator)
    if estimator.out_activation_ != wanted:
        raise ValueError(
            f"out_activation={estimator.out_activation!r} cannot be converted: "
            f"this model's output units are {estimator.out_activation_!r}, and "
            f"{name} gives it {wanted!r} units."
        )


def _training_only_settings(estimator):
    """skbp's settings in use that act in training only, which the MLP lacks.

    Returns ``(setting, what the MLP trains without)`` pairs. They leave no
    trace in the fitted weights -- dropout's masks and clipping act on the
    steps, class weights and label smoothing on the loss -- so the MLP
    predicts as the model does, but would train on without them.
    """
    settings = []
    try:
        dropout = any(estimator._dropout_rates(len(estimator.coefs_) - 1))
    except ValueError:
        # Rates that no longer fit the network (set_params after fit):
        # still a setting this model would train with, or fail on.
        dropout = True
    if dropout:
        settings.append((f"dropout={estimator.dropout!r}", "dropout"))
    if estimator.clip_grad_norm is not None:
        settings.append(
            (f"clip_grad_norm={estimator.clip_grad_norm!r}", "gradient clipping")
        )
    if getattr(estimator, "class_weight", None) is not None:
        settings.append((f"class_weight={estimator.class_weight!r}", "class weights"))
    if getattr(estimator, "label_smoothing", 0):
        settings.append(
            (f"label_smoothing={estimator.label_smoothing!r}", "label smoothing")
        )
    if not _sklearn_schedule(estimator.learning_rate):
        settings.append((f"learning_rate={estimator.learning_rate!r}", "that schedule"))
    if estimator.weight_decay:
        settings.append((f"weight_decay={estimator.weight_decay!r}", "weight decay"))
    if estimator.early_stopping and estimator.restore_best != "score":
        settings.append(
            (
                f"restore_best={estimator.restore_best!r}",
                "restoring the epoch of the lowest validation loss",
            )
        )
    return settings


def _sklearn_schedule(learning_rate):
    """Whether scikit-learn's MLP has the schedule (cosine, callables: no)."""
    return isinstance(learning_rate, str) and learning_rate != "cosine"


def _join(words, last):
    """``a``, ``a or b``, ``a, b or c`` (with ``last`` for "or")."""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def to_sklearn(estimator):
    """scikit-learn's MLP holding the fitted skbp ``estimator``.

    See ``BackpropClassifier.to_sklearn``.
    """
    check_is_fitted(estimator, "coefs_")
    check_representable(estimator)
    lacking = _training_only_settings(estimator)
    target = sklearn_class(estimator)
    ours = estimator.get_params(deep=False)
    params = {name: ours[name] for name in target._get_param_names() if name in ours}
    params["activation"] = _single_activation(estimator)
    if not _sklearn_schedule(params["learning_rate"]):
        # Warned below: the MLP trains on at learning_rate_init.
        params["learning_rate"] = "constant"
    mlp = target(**copy.deepcopy(params))
    _copy_state(estimator, mlp)
    optimizer = getattr(estimator, "_optimizer", None)
    if optimizer is not None:
        theirs = _optimizer_to_sklearn(optimizer, mlp.coefs_ + mlp.intercepts_)
        if theirs is not None:
            mlp._optimizer = theirs
    if lacking:
        settings = _join([setting for setting, _ in lacking], "or")
        without = _join([f"without {what}" for _, what in lacking], "and")
        # stacklevel=3: the line that called the estimator's to_sklearn.
        warnings.warn(
            f"scikit-learn's {target.__name__} has no {settings}: the converted "
            "model predicts as this one, but trained further (partial_fit, or "
            f"fit with warm_start=True) it trains {without}.",
            UserWarning,
            stacklevel=3,
        )
    return mlp
