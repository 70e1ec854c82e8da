"""The estimator layer shared by BackpropClassifier and BackpropRegressor.

Everything numeric lives in the pure-numpy core (``_activations``,
``_losses``, ``_network``, ``_optimizers``) and the training loops in
``_training``. :class:`BaseBackprop` gathers the estimator's jobs, one
module each: its parameters and the rules between them (``_params``), its
initial weights and fitted state (``_fitted_state``), its epoch records and
stopping rules (``_stopping``); the solver it runs is looked up in
``_solvers``. This module holds what ties them together: the one path
``fit``, ``partial_fit`` and a warm start share (validate, initialise when
needed, run the solver's training loop), prediction and ``trace_step``.
"""

import inspect
import warnings
from abc import ABCMeta, abstractmethod

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    validate_data,
)

try:  # scikit-learn >= 1.9: the (experimental) callback API
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # older scikit-learn: no set_callbacks, nothing to call

    class CallbackSupportMixin:
        """Placeholder: this scikit-learn has no callback API."""


from . import _messages, _network, _trace, _traced_step, _training
from ._activations import HIDDEN_ACTIVATION_NAMES  # noqa: F401 -- re-exported
from ._callbacks import FitTasks
from ._docstrings import TRACE_STEP, fill
from ._fitted_state import FittedStateMixin, check_fitted
from ._network import quiet_overflow
from ._params import (  # noqa: F401 -- HIDDEN_ACTIVATIONS re-exported
    HIDDEN_ACTIVATIONS,
    ParametersMixin,
)
from ._solvers import SOLVERS, either, stochastic_solvers
from ._stopping import NonFiniteOutputError, StoppingMixin
from ._training import restore_on_error
from ._versioning import VersionStampMixin

# scikit-learn 1.9's _check_sample_weight refuses all-zero weights itself,
# in words of its own; skbp refuses them below, in the same words on every
# release.
_SAMPLE_WEIGHT_CHECK = (
    {"allow_all_zero_weights": True}
    if "allow_all_zero_weights" in inspect.signature(_check_sample_weight).parameters
    else {}
)

# Where skbp's documentation is to be published (Read the Docs' "latest" build
# of the Sphinx site in docs/); the estimators' HTML repr links each class to
# its page under it. The one place to change when the address changes.
DOCS_URL = "https://skbp.readthedocs.io/en/latest/"


def _in_dtype(values, dtype, name, advice):
    """``values`` (validated, finite) converted to ``dtype``, or a ValueError.

    A float64 value past float32's range becomes infinite there; refused in
    scikit-learn's words for a non-finite input, with ``advice`` appended,
    rather than with numpy's overflow warning and training on infinities.
    A conversion that cannot narrow (y already in X's dtype, float32 data
    into a float64 network) neither copies nor checks.
    """
    if np.can_cast(values.dtype, dtype):
        return values.astype(dtype, copy=False)
    with np.errstate(over="ignore"):
        converted = values.astype(dtype)
    data = converted.data if sp.issparse(converted) else converted
    if not np.isfinite(data).all():
        raise ValueError(
            f"Input {name} contains infinity or a value too large for "
            f"{np.dtype(dtype)!r}. {advice}"
        )
    return converted


def _underflow_note(given, dtype):
    """Why weights that are not all zero became so in ``dtype``, or ""."""
    try:
        nonzero = np.any(np.asarray(given, dtype=np.float64))
    except (TypeError, ValueError):  # advice must never hide the error
        return ""
    if not nonzero:
        return ""
    tiny = np.finfo(dtype).smallest_subnormal
    return (
        f" The values given are not, but they all round to 0 in {dtype} (whose "
        f"smallest number above 0 is {tiny:.2g}), the dtype of X, in which the "
        "network computes: scale sample_weight up."
    )


def _prediction_input_dtype(X):
    """The float dtype prediction validates X to.

    scikit-learn's MLP predicts from X as given, so that numpy promotes it
    with the weights: bool, float16 and the integers of up to 16 bits widen
    exactly to float32 and leave a float32 model's outputs float32; X of
    any other type is validated to float64 (float32 and float64 kept).
    """
    dtype = getattr(X, "dtype", None)
    if dtype is None and hasattr(X, "dtypes"):  # a DataFrame's columns
        try:
            dtype = np.result_type(*X.dtypes)
        except TypeError:  # pandas' own dtypes (nullable, categorical)
            dtype = None
    if (
        isinstance(dtype, np.dtype)
        and dtype.kind in "biuf"
        and np.promote_types(dtype, np.float32) == np.float32
    ):
        return np.float32
    return (np.float64, np.float32)


class BaseBackprop(
    ParametersMixin,
    FittedStateMixin,
    StoppingMixin,
    VersionStampMixin,
    CallbackSupportMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Base class of the skbp estimators; use the subclasses."""

    # scikit-learn's HTML repr links an estimator to its API page when the
    # estimator's top-level module is _doc_link_module; without these it
    # would not link skbp's classes at all (scikit-learn's template would
    # point at pages scikit-learn does not have).
    _doc_link_module = "skbp"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes,
        activation,
        solver,
        alpha,
        batch_size,
        learning_rate,
        learning_rate_init,
        power_t,
        max_iter,
        loss,
        shuffle,
        random_state,
        tol,
        verbose,
        warm_start,
        momentum,
        nesterovs_momentum,
        early_stopping,
        validation_fraction,
        beta_1,
        beta_2,
        epsilon,
        n_iter_no_change,
        max_fun,
        out_activation,
        fit_intercept,
        coefs_init,
        intercepts_init,
        clip_grad_norm,
        dropout,
        warmup_epochs=0,
        weight_decay=0.0,
        restore_best="score",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.out_activation = out_activation
        self.fit_intercept = fit_intercept
        self.coefs_init = coefs_init
        self.intercepts_init = intercepts_init
        self.clip_grad_norm = clip_grad_norm
        self.dropout = dropout
        self.warmup_epochs = warmup_epochs
        self.weight_decay = weight_decay
        self.restore_best = restore_best

    # ------------------------------------------------------------------
    # Hooks for the subclasses
    @abstractmethod
    def _validate_input(self, X, y, incremental, reset):
        """Validate X and y; return X, the 2-D float target and label state."""

    @abstractmethod
    def _default_out_activation(self, n_outputs):
        """Output activation when ``out_activation=None``."""

    @abstractmethod
    def _score_outputs(self, out, y, sample_weight=None):
        """Validation score of the network's outputs ``out`` for targets ``y``."""

    @abstractmethod
    def _validation_targets(self, y_val, dtype):
        """Validate ``y_val`` against the fit's targets; return it 2-D in dtype."""

    def _score(self, X, y, sample_weight=None):
        """Validation score used by early stopping (no input validation)."""
        return self._score_outputs(self._forward(X), y, sample_weight)

    # ------------------------------------------------------------------
    # Training
    def _sample_weight_hook(self, y, sample_weight, incremental):
        """Subclasses fold further per-sample weights (class_weight) in here."""
        return sample_weight

    def _stratify_by(self, y):
        """Labels to stratify the early-stopping split by (None: no stratifying)."""
        return None

    def _label_smoothing(self, n_outputs):
        """(ε, K) of smoothed targets y·(1 − ε) + ε/K; None: y as given."""
        return None

    def _training_targets(self, y):
        """The targets the training loss is computed against."""
        smoothing = self._label_smoothing(y.shape[1])
        if smoothing is None:
            return y
        eps, n_classes = smoothing
        # Python floats keep y's dtype (float32 stays float32).
        return y * (1 - eps) + eps / n_classes

    def _prepare(self, X, y, sample_weight, incremental, given_validation=False):
        """Validate everything and initialise when needed; returns X, y, w.

        ``given_validation``: the caller passed a validation set of its own,
        so early stopping draws no split from X.
        """
        hidden = self._hidden_units()
        units = self._hidden_activations(len(hidden))
        self._check_per_batch_settings(len(hidden))
        solver = SOLVERS[self.solver]
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        if not first_pass:
            # Weights assigned by hand (scikit-learn's test_fit builds its
            # worked example so) take the units activation names, as a model
            # saved before skbp recorded them does.
            self._upgrade_fitted_state()
            self._check_fitted_units(units)
            self._check_fitted_loss()
        # scikit-learn's finiteness check sums X first: finite values near
        # the float limit overflow there (a RuntimeWarning) before the
        # element-wise check it falls back on rules on them.
        with quiet_overflow():
            try:
                X, y = self._validate_input(X, y, incremental, reset=first_pass)
            except ValueError as error:
                self._raise_explained(error, X, y)
            if sample_weight is not None:
                given = sample_weight
                sample_weight = _check_sample_weight(
                    sample_weight, X, dtype=X.dtype, **_SAMPLE_WEIGHT_CHECK
                )
        if sample_weight is not None:
            if np.any(sample_weight < 0):
                raise ValueError("sample_weight must be non-negative.")
            if not sample_weight.any():
                raise ValueError(
                    "sample_weight must not be all zero."
                    + _underflow_note(given, sample_weight.dtype)
                )
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        y = _in_dtype(
            np.asarray(y),
            X.dtype,
            "y",
            "y is converted to the dtype of X, in which the network computes: "
            "scale y, or pass X as float64.",
        )
        if (
            self.early_stopping
            and not incremental
            and solver.stochastic
            and not given_validation
        ):
            self._check_validation_split(y)
        sample_weight = self._sample_weight_hook(y, sample_weight, incremental)
        layer_units = [X.shape[1], *hidden, y.shape[1]]

        if not first_pass:
            expected = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
            if expected != layer_units:
                raise ValueError(
                    f"The network has layer units {expected} but the data and "
                    f"hidden_layer_sizes give {layer_units}; refit with "
                    "warm_start=False to change the architecture."
                )
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)
        elif self.coefs_[0].dtype != X.dtype:
            dtype = self.coefs_[0].dtype
            advice = (
                f"The network was fitted in {dtype} and trains on in it: scale "
                "the data, or fit anew (warm_start=False) on float64 data."
            )
            X = _in_dtype(X, dtype, "X", advice)
            y = _in_dtype(y, dtype, "y", advice)
            if sample_weight is not None:
                sample_weight = _in_dtype(sample_weight, dtype, "sample_weight", advice)
        self._ensure_stopping_records(
            self.early_stopping and not incremental, scored=given_validation
        )
        return X, y, sample_weight, layer_units

    def _check_validation_set(self, X, X_val, y_val, sample_weight_val):
        """Validate fit's ``X_val``, ``y_val``, ``sample_weight_val`` like X, y.

        Run after the training data's validation (the classes, the number of
        features and outputs are known then); returns the set in X's dtype,
        targets 2-D, as the epoch loop scores it.
        """
        with quiet_overflow():  # see _prepare
            X_val = validate_data(
                self,
                X_val,
                accept_sparse=["csr", "csc"],
                dtype=X.dtype,
                reset=False,
            )
            # Their casts to X's dtype may overflow before the finiteness
            # checks refuse them.
            y_val = self._validation_targets(y_val, X.dtype)
            check_consistent_length(X_val, y_val)
            if sample_weight_val is not None:
                sample_weight_val = _check_sample_weight(
                    sample_weight_val, X_val, dtype=X.dtype, **_SAMPLE_WEIGHT_CHECK
                )
        if sample_weight_val is not None:
            if np.any(sample_weight_val < 0):
                raise ValueError("sample_weight_val must be non-negative.")
            if not sample_weight_val.any():
                raise ValueError("sample_weight_val must not be all zero.")
        return X_val, y_val, sample_weight_val

    def _check_validation_request(self, X_val, y_val, sample_weight_val):
        """Refuse an incomplete validation set, or one the solver cannot use."""
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError(
                    "sample_weight_val is provided, but X_val and y_val were "
                    "not provided."
                )
            return False
        if y_val is None:
            raise ValueError("X_val is provided, but y_val was not provided.")
        if X_val is None:
            raise ValueError("y_val is provided, but X_val was not provided.")
        if not SOLVERS[self.solver].stochastic:
            raise ValueError(
                "X_val and y_val are scored after every epoch, and "
                f"solver={self.solver!r} has no epochs; use a stochastic solver "
                f"({either(stochastic_solvers())}) or fit without X_val and y_val."
            )
        return True

    def _fit(
        self,
        X,
        y,
        sample_weight=None,
        incremental=False,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        solver = SOLVERS[self.solver]
        given = self._check_validation_request(X_val, y_val, sample_weight_val)
        n_tasks = (1 if incremental else self.max_iter) if solver.stochastic else None
        # Set up before the snapshot, so that a rejected call still tears
        # the callbacks down (scikit-learn's _fit_context does that).
        tasks = FitTasks(self, n_tasks)
        if incremental and hasattr(self, "coefs_"):
            # scikit-learn's _fit_context skips validation in partial_fit once
            # fitted; a parameter set in between must be checked all the same.
            self._validate_params_again()
        with restore_on_error(self):
            X, y, sample_weight, layer_units = self._prepare(
                X, y, sample_weight, incremental, given_validation=given
            )
            extra = {}
            if given:
                extra["validation"] = self._check_validation_set(
                    X, X_val, y_val, sample_weight_val
                )
            tasks.set_data(X, y, sample_weight)
            tasks.begin()
            solver.fit(
                self, X, y, sample_weight, layer_units, incremental, tasks, **extra
            )
            tasks.end()
        return self

    # ------------------------------------------------------------------
    # Prediction
    def _output(self, X):
        """Validate X against the fit and return the network's output."""
        check_fitted(self)
        with quiet_overflow():  # see _prepare
            try:
                X = validate_data(
                    self,
                    X,
                    accept_sparse=["csr", "csc"],
                    dtype=_prediction_input_dtype(X),
                    reset=False,
                )
            except ValueError as error:
                self._raise_explained(error, X)
        return self._forward(X)

    def _raise_explained(self, error, X, y=None):
        """Re-raise a validation error of X (and y), with what to do appended.

        scikit-learn's text stays the start of the message, and the type
        stays ValueError, so that code matching either keeps working; an
        error there is nothing to add to is re-raised as it is.
        """
        message = _messages.explain_input_error(
            error,
            X,
            y,
            estimator_name=type(self).__name__,
            regressor=is_regressor(self),
        )
        if message is None:
            raise error
        raise ValueError(message) from error

    def _forward_unchecked(self, X):
        """Network output for validated X; may be non-finite if X is huge.

        In the dtype scikit-learn's MLP predicts in, float32 only when both
        X and the weights are: a float32 model predicts float64 input in
        float64, with its weights converted for the call (the model keeps
        its own). In training X always has the weights' dtype.
        """
        coefs, intercepts = self.coefs_, self.intercepts_
        dtype = np.promote_types(X.dtype, coefs[0].dtype)
        if coefs[0].dtype != dtype:
            coefs = [c.astype(dtype) for c in coefs]
            intercepts = [b.astype(dtype) for b in intercepts]
        with quiet_overflow():
            return _network.predict(
                X, coefs, intercepts, self._core_hidden(), self.out_activation_
            )

    def _forward(self, X):
        """Network output for validated X, shape (n_samples, n_outputs)."""
        out = self._forward_unchecked(X)
        if not np.isfinite(out).all():
            # Only reachable for inputs near the float range's limit: the
            # weights are always finite (training rolls back otherwise).
            raise NonFiniteOutputError(
                "The network's output is infinite or NaN for some rows of X: "
                "their values are too large (a layer's net input overflowed "
                f"{out.dtype}). Scale X, e.g. with StandardScaler."
            )
        return out

    # ------------------------------------------------------------------
    # Transparency
    def trace_step(self, X, y, sample_weight=None):
        """Perform one training step on (X, y) and return every number of it.

        {trace_step}

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The batch.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        trace : skbp.StepTrace
            Tables ``forward``, ``backward`` and ``updates`` (pandas
            DataFrames) and the batch ``loss`` before the step.

        Examples
        --------
        >>> import numpy as np
        >>> from skbp import BackpropRegressor
        >>> net = BackpropRegressor(
        ...     hidden_layer_sizes=(2,), solver="sgd", learning_rate_init=0.5,
        ...     momentum=0, alpha=0, out_activation="logistic",
        ...     fit_intercept=False,
        ...     coefs_init=[[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]],
        ...     intercepts_init=[[0.35, 0.35], [0.6, 0.6]])
        >>> trace = net.trace_step([[0.05, 0.1]], [[0.01, 0.99]])
        >>> round(trace.loss, 9)
        0.298371109
        >>> trace.forward.round(9)
           sample  layer  unit  net_input    output
        0       0      1     0   0.377500  0.593270
        1       0      1     1   0.392500  0.596884
        2       0      2     0   1.105906  0.751365
        3       0      2     1   1.224921  0.772928
        """
        self._validate_params()
        if not SOLVERS[self.solver].stochastic:
            raise ValueError(
                "trace_step performs one gradient step and needs a stochastic "
                f"solver ({either(stochastic_solvers())}); got "
                f"solver={self.solver!r}."
            )
        with restore_on_error(self):
            X, y, sample_weight, layer_units = self._prepare(
                X, y, sample_weight, incremental=True
            )
            n = X.shape[0]
            step = self._training_step(layer_units, n, X.dtype)
            if step.dropout is not None:
                step.dropout.start(self.t_)
            before = _training.Checkpoint(self, step.params)
            before.save()
            record = _traced_step.traced_step(
                step,
                X,
                self._training_targets(y),
                sample_weight,
                self.coefs_,
                self.intercepts_,
                clip_grad_norm=self.clip_grad_norm,
            )
            smoothing = self._label_smoothing(y.shape[1])
            if smoothing is not None:
                eps, n_classes = smoothing
                record.label_smoothing = dict(
                    epsilon=eps, n_classes=n_classes, labels=y.copy()
                )
            # As partial_fit (and scikit-learn's): n_iter_ counts the epochs
            # of the last call.
            self.n_iter_ = 0
            self._end_epoch(
                record.loss,
                n,
                None,
                record.grad_norms,
                record.seconds,
                clipped=record.clipped,
            )
            trace = _trace.step_trace(
                record, self.coefs_, self.intercepts_, self.fit_intercept
            )
            if not _training.outputs_finite(self, step.params, X):
                # As fit does: the model never keeps weights that are not
                # finite or overflow the outputs for the data they were
                # trained on. The trace still shows every number of the step.
                before.restore()
                warnings.warn(
                    "The traced step made weights, or the outputs for this X, "
                    "infinite or NaN (its trace shows them); the model keeps "
                    "its weights from before the step. "
                    + _training.divergence_advice(self),
                    ConvergenceWarning,
                    stacklevel=2,
                )
        return trace

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


# The description both estimators' trace_step share (the classifier's adds
# what it needs to know of the classes).
BaseBackprop.trace_step.__doc__ = fill(
    BaseBackprop.trace_step.__doc__, trace_step=TRACE_STEP
)
