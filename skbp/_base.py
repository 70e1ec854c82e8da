"""The estimator layer shared by BackpropClassifier and BackpropRegressor.

Everything numeric lives in the pure-numpy core (``_activations``,
``_losses``, ``_network``, ``_optimizers``); this module validates, sets up
the network as scikit-learn's MLP does (same Glorot draws, same shuffles,
same stopping rules) and runs the training loops.
"""

import functools
import itertools
import math
import time
import warnings
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

try:  # scikit-learn >= 1.9: the (experimental) callback API
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # older scikit-learn: no set_callbacks, nothing to call

    class CallbackSupportMixin:
        """Placeholder: this scikit-learn has no callback API."""


from . import _network
from ._activations import canonical_name
from ._callbacks import FitTasks
from ._losses import get_loss
from ._optimizers import OPTIMIZERS, minimize_lbfgs

_STOCHASTIC_SOLVERS = ("sgd", "adam")


@contextmanager
def _restore_on_error(estimator):
    """Put the estimator's attributes back as they were if the block raises.

    Every fit-like method runs inside this, so a rejected call leaves a
    fitted model exactly as it was (arrays are only mutated in place once
    validation has passed).
    """
    state = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


def _as_layer_arrays(arrays, name, shapes, dtype):
    """Validate user-given initial weights against the layer shapes.

    Returns fresh, C-contiguous copies in ``dtype`` so that training never
    writes into the caller's arrays (or the estimator's parameters).
    """
    if len(arrays) != len(shapes):
        raise ValueError(
            f"{name} must have one array per layer: expected {len(shapes)} "
            f"arrays for layer_units, got {len(arrays)}."
        )
    result = []
    for i, (a, shape) in enumerate(zip(arrays, shapes)):
        a = np.asarray(a)
        if a.shape != shape:
            raise ValueError(
                f"{name}[{i}] (layer {i} -> {i + 1}) has shape {a.shape}; "
                f"expected shape {shape}."
            )
        if not np.issubdtype(a.dtype, np.number):
            raise ValueError(f"{name}[{i}] must be numeric, got dtype {a.dtype}.")
        if not np.isfinite(a).all():
            raise ValueError(f"{name}[{i}] contains NaN or infinity.")
        result.append(np.array(a, dtype=dtype, order="C", copy=True))
    return result


class _Batches:
    """The minibatches of one epoch, gathered into reused buffers.

    With ``shuffle`` the sample order is redrawn each epoch exactly as
    scikit-learn's MLP draws it (same random stream); dense batches are then
    gathered with ``np.take(..., out=)`` into one buffer instead of being
    copied anew, and X itself is never copied.
    """

    def __init__(self, X, y, sample_weight, batch_size, shuffle):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.batch_size, self.shuffle = batch_size, shuffle
        n = X.shape[0]
        self.n_batches = -(-n // batch_size)
        self.order = np.arange(n)
        self.dense = not sp.issparse(X)
        if shuffle and self.dense:
            self.X_buf = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
            self.y_buf = np.empty((batch_size, y.shape[1]), dtype=y.dtype)

    def epoch(self, random_state):
        X, y, sw = self.X, self.y, self.sample_weight
        n = X.shape[0]
        if self.shuffle:
            # In place, the same permutation as scikit-learn's
            # shuffle(order, random_state=...): Fisher-Yates draws depend on
            # the length alone. Without its input validation (~0.1 ms).
            random_state.shuffle(self.order)
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            if not self.shuffle:
                yield (
                    X[start:stop],
                    y[start:stop],
                    None if sw is None else sw[start:stop],
                )
                continue
            idx = self.order[start:stop]
            if self.dense:
                m = stop - start
                X_b = np.take(X, idx, axis=0, out=self.X_buf[:m])
                y_b = np.take(y, idx, axis=0, out=self.y_buf[:m])
            else:
                X_b, y_b = X[idx], y[idx]
            yield X_b, y_b, None if sw is None else sw[idx]


class _Diverged(Exception):
    """The loss or a weight became infinite or NaN during an epoch.

    ``in_previous_epoch``: found on an epoch's first batch, before any update
    of its own, so the previous epoch's last update is what broke the weights.
    """

    def __init__(self, in_previous_epoch=False):
        super().__init__()
        self.in_previous_epoch = bool(in_previous_epoch)


# Overflow while training is detected (non-finite loss or weights) and
# handled by rolling back; numpy's own warnings about it would only be noise.
_quiet_overflow = functools.partial(
    np.errstate, over="ignore", invalid="ignore", divide="ignore"
)


class _Checkpoint:
    """The state at the start of an epoch, to return to on KeyboardInterrupt.

    An interrupted epoch may have stopped anywhere, even halfway through an
    update; going back to the last completed epoch leaves weights, optimizer
    and records consistent with each other.
    """

    _scalars = (
        "n_iter_",
        "t_",
        "loss_",
        "best_loss_",
        "best_validation_score_",
        "_no_improvement_count",
        "_best_coefs",
        "_best_intercepts",
    )

    def __init__(self, estimator, params):
        self.estimator, self.params = estimator, params
        self.saved_params = np.empty_like(params)

    def save(self):
        est = self.estimator
        np.copyto(self.saved_params, self.params)
        self.optimizer = est._optimizer.get_state()
        self.scalars = {k: getattr(est, k) for k in self._scalars if hasattr(est, k)}
        # The position of the shuffling stream (a caller's RandomState too).
        self.random_state = est._random_state.get_state()
        self.lengths = {
            name: len(getattr(est, name))
            for name in ("loss_curve_", "_history", "validation_scores_")
            if getattr(est, name) is not None
        }

    def restore(self):
        est = self.estimator
        np.copyto(self.params, self.saved_params)
        est._optimizer.set_state(self.optimizer)
        for name, value in self.scalars.items():
            setattr(est, name, value)
        est._random_state.set_state(self.random_state)
        for name, length in self.lengths.items():
            del getattr(est, name)[length:]


class BaseBackprop(CallbackSupportMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the skbp estimators; use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"identity", "logistic", "sigmoid", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "fit_intercept": ["boolean"],
        "coefs_init": [list, tuple, None],
        "intercepts_init": [list, tuple, None],
    }

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

    # ------------------------------------------------------------------
    # Hooks for the subclasses
    @abstractmethod
    def _validate_input(self, X, y, incremental, reset):
        """Validate X and y; return X, the 2-D float target and label state."""

    @abstractmethod
    def _default_out_activation(self, n_outputs):
        """Output activation when ``out_activation=None``."""

    @abstractmethod
    def _score(self, X, y, sample_weight=None):
        """Validation score used by early stopping (no input validation)."""

    # ------------------------------------------------------------------
    # Set-up
    def _hidden_units(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if not all(isinstance(s, Integral) and s > 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {sizes}."
            )
        return [int(s) for s in sizes]

    def _resolve_out_activation(self, n_outputs):
        if self.loss == "poisson":
            if self.out_activation is not None:
                raise ValueError(
                    "loss='poisson' uses the exp output (log link); leave "
                    f"out_activation=None, got {self.out_activation!r}."
                )
            return "exp"
        if self.out_activation is None:
            name = self._default_out_activation(n_outputs)
        else:
            name = canonical_name(self.out_activation)
        if name == "softmax" and n_outputs < 2:
            raise ValueError(
                "out_activation='softmax' needs at least 2 outputs; a single "
                "softmax unit always outputs 1."
            )
        if not get_loss(self.loss, name).supports(name):
            raise ValueError(
                f"loss={self.loss!r} cannot be used with out_activation="
                f"{name!r}; log_loss needs a 'logistic' or 'softmax' output."
            )
        return name

    def _init_coef(self, fan_in, fan_out, dtype):
        # Glorot & Bengio (2010), with scikit-learn's bounds (factor 2 for
        # logistic units, 6 otherwise) and draw order, so that the same
        # random_state gives MLPClassifier's initial weights.
        factor = 2.0 if canonical_name(self.activation) == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef = self._random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = self._random_state.uniform(-bound, bound, fan_out)
        return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._resolve_out_activation(self.n_outputs_)

        coefs, intercepts = [], []
        for fan_in, fan_out in itertools.pairwise(layer_units):
            coef, intercept = self._init_coef(fan_in, fan_out, dtype)
            coefs.append(coef)
            intercepts.append(intercept)
        shapes = list(itertools.pairwise(layer_units))
        if self.coefs_init is not None:
            coefs = _as_layer_arrays(self.coefs_init, "coefs_init", shapes, dtype)
        if self.intercepts_init is not None:
            intercepts = _as_layer_arrays(
                self.intercepts_init,
                "intercepts_init",
                [(n,) for n in layer_units[1:]],
                dtype,
            )
        elif not self.fit_intercept:
            # A network without bias units: intercepts held at zero.
            intercepts = [np.zeros(n, dtype=dtype) for n in layer_units[1:]]
        self.coefs_ = coefs
        self.intercepts_ = intercepts

        # NaN until an epoch (or L-BFGS) completes with a finite loss.
        self.loss_ = math.nan
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._history = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]

    def _bind_parameters(self, layer_units):
        """Gather coefs_ and intercepts_ into one flat vector and return it.

        ``coefs_`` and ``intercepts_`` become views of the vector, so the
        optimizer updates every layer at once (see ``_network.layer_views``).
        """
        flat = np.concatenate(
            [c.ravel() for c in self.coefs_] + [b.ravel() for b in self.intercepts_]
        )
        self.coefs_, self.intercepts_ = _network.layer_views(flat, layer_units)
        return flat

    def _trainable(self, flat, workspace, layer_units):
        """The trained part of the parameter vector and of the gradient vector.

        With ``fit_intercept=False`` the intercepts (the tail of the vector)
        are held fixed, so only the weights are handed to the optimizer.
        """
        n = flat.size if self.fit_intercept else _network.n_coefs(layer_units)
        return flat[:n], workspace.grads[:n]

    def _batch_step(self, workspace):
        """``step(X, y, sample_weight=None, nets=None) -> loss``: one forward
        and backward pass into ``workspace``, with everything that is fixed
        during a fit looked up once rather than per batch."""
        return functools.partial(
            _network.backprop,
            coefs=self.coefs_,
            intercepts=self.intercepts_,
            workspace=workspace,
            hidden=canonical_name(self.activation),
            output=self.out_activation_,
            loss=get_loss(self.loss, self.out_activation_),
            alpha=self.alpha,
            fit_intercept=self.fit_intercept,
        )

    # ------------------------------------------------------------------
    # Training
    def _sample_weight_hook(self, y, sample_weight, incremental):
        """Subclasses fold further per-sample weights (class_weight) in here."""
        return sample_weight

    def _stratify_by(self, y):
        """Labels to stratify the early-stopping split by (None: no stratifying)."""
        return None

    def _prepare(self, X, y, sample_weight, incremental):
        """Validate everything and initialise when needed; returns X, y, w."""
        hidden = self._hidden_units()
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        # scikit-learn's finiteness check sums X first: finite values near
        # the float limit overflow there (a RuntimeWarning) before the
        # element-wise check it falls back on rules on them.
        with _quiet_overflow():
            X, y = self._validate_input(X, y, incremental, reset=first_pass)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        if sample_weight is not None:
            if np.any(sample_weight < 0):
                raise ValueError("sample_weight must be non-negative.")
            if not sample_weight.any():
                raise ValueError("sample_weight must not be all zero.")
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        y = np.asarray(y, dtype=X.dtype)
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
            X = X.astype(self.coefs_[0].dtype)
            y = y.astype(self.coefs_[0].dtype)
            if sample_weight is not None:
                sample_weight = sample_weight.astype(X.dtype)
        return X, y, sample_weight, layer_units

    def _reconstruction_attributes(self):
        # What a callback needs to predict with the weights as they are now.
        return {
            "coefs_": [c.copy() for c in self.coefs_],
            "intercepts_": [b.copy() for b in self.intercepts_],
        }

    def _fit(self, X, y, sample_weight=None, incremental=False):
        stochastic = self.solver in _STOCHASTIC_SOLVERS
        n_tasks = (1 if incremental else self.max_iter) if stochastic else None
        # Set up before the snapshot, so that a rejected call still tears
        # the callbacks down (scikit-learn's _fit_context does that).
        tasks = FitTasks(self, n_tasks)
        if incremental and hasattr(self, "coefs_"):
            # scikit-learn's _fit_context skips validation in partial_fit once
            # fitted; a parameter set in between must be checked all the same.
            self._validate_params()
        with _restore_on_error(self):
            X, y, sample_weight, layer_units = self._prepare(
                X, y, sample_weight, incremental
            )
            tasks.set_data(X, y, sample_weight)
            tasks.begin()
            if stochastic:
                self._fit_stochastic(
                    X, y, sample_weight, layer_units, incremental, tasks
                )
            else:
                self._fit_lbfgs(X, y, sample_weight, layer_units, tasks)
            tasks.end()
        return self

    def _make_optimizer(self, params):
        if self.solver == "sgd":
            return OPTIMIZERS["sgd"](
                params,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return OPTIMIZERS["adam"](
            params, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
        )

    def _fit_lbfgs(self, X, y, sample_weight, layer_units, tasks):
        workspace = _network.Workspace(layer_units, X.shape[0], X.dtype)
        flat = self._bind_parameters(layer_units)
        params, grads = self._trainable(flat, workspace, layer_units)
        # One callback task per L-BFGS iteration; scipy only reports the end
        # of an iteration, so each end begins the next task.
        iteration = [tasks.subtask("lbfgs-iter")]
        # The last iterate with a finite loss and weights, to fall back on
        # if L-BFGS diverges (starting from the initial weights).
        last_finite = {"x": params.copy(), "loss": math.nan}

        def callback(intermediate_result):
            x, loss = intermediate_result.x, float(intermediate_result.fun)
            if math.isfinite(loss) and np.isfinite(x).all():
                last_finite["x"][...] = x
                last_finite["loss"] = loss
            if tasks.root is not None:
                params[...] = x
                tasks.end_subtask(iteration[0])
                iteration[0] = tasks.subtask("lbfgs-iter")

        with _quiet_overflow():
            result = minimize_lbfgs(
                functools.partial(
                    self._batch_step(workspace), X, y, sample_weight=sample_weight
                ),
                [params],
                [grads],
                self.max_iter,
                self.max_fun,
                self.tol,
                callback=callback,
            )
        if iteration[0] is not None:
            # The task begun after the last iteration never ran.
            iteration[0].call_on_fit_task_end(estimator=self)
        self.n_iter_ = min(int(result.nit), self.max_iter)
        self.loss_ = float(result.fun)
        if not (math.isfinite(self.loss_) and np.isfinite(params).all()):
            params[...] = last_finite["x"]
            self.loss_ = last_finite["loss"]
            warnings.warn(
                "L-BFGS diverged: the loss or the weights became infinite or "
                "NaN. Keeping the weights of the last iteration where both "
                "were finite (the initial weights if there was none). Scale "
                "the input data, e.g. with StandardScaler.",
                ConvergenceWarning,
                stacklevel=5,
            )
            return
        if self.verbose:
            print(f"L-BFGS-B: {self.n_iter_} iterations, loss = {self.loss_:.8f}")
        if result.status != 0:
            warnings.warn(
                "lbfgs failed to converge after "
                f"{self.n_iter_} iteration(s) (status={result.status}): "
                f"{result.message}. Increase max_iter or max_fun, or scale "
                "the data.",
                ConvergenceWarning,
                stacklevel=5,
            )

    def _split_validation(self, X, y, sample_weight):
        stratify = self._stratify_by(y)
        arrays = [X, y] if sample_weight is None else [X, y, sample_weight]
        parts = train_test_split(
            *arrays,
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, y_train, y_val = parts[:4]
        sw_train, sw_val = parts[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return X_train, y_train, sw_train, (X_val, y_val, sw_val)

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than "
                "sample size. It is going to be clipped",
                stacklevel=6,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _fit_stochastic(self, X, y, sample_weight, layer_units, incremental, tasks):
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if self.early_stopping:
            X, y, sample_weight, validation = self._split_validation(
                X, y, sample_weight
            )
            tasks.set_data(X, y, sample_weight)
        else:
            validation = None

        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        workspace = _network.Workspace(layer_units, batch_size, X.dtype)
        flat = self._bind_parameters(layer_units)
        params, grads = self._trainable(flat, workspace, layer_units)
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer([params])
        batches = _Batches(X, y, sample_weight, batch_size, self.shuffle)
        step = self._batch_step(workspace)
        update, param_list, grad_list = self._optimizer.update_params, [params], [grads]
        layer_grads = workspace.coef_grads
        # Two checkpoints, the starts of this epoch and of the one before. An
        # epoch's last update is checked by the next epoch's first forward
        # pass (its loss is that of the weights the epoch starts from) rather
        # than by a forward pass of its own; if that check fails, the update
        # that broke the weights belongs to the epoch before.
        current, previous = _Checkpoint(self, params), _Checkpoint(self, params)
        # Saved before n_iter_ restarts: a first epoch that does not complete
        # leaves everything as before the call.
        current.save()
        self.n_iter_ = 0
        X_b, stopped, stop = None, None, False
        for epoch_index in range(self.max_iter):
            if epoch_index:
                current, previous = previous, current
                current.save()
            try:
                epoch = tasks.subtask("epoch")
                started = time.perf_counter()
                accumulated_loss = 0.0
                grad_sq = np.zeros(len(layer_grads))
                first = True
                with _quiet_overflow():
                    for X_b, y_b, sw_b in batches.epoch(self._random_state):
                        loss = step(X_b, y_b, sample_weight=sw_b)
                        if not math.isfinite(loss):
                            # Before this epoch's first update, outputs that
                            # overflow indict the previous epoch's last one.
                            raise _Diverged(
                                first
                                and epoch_index > 0
                                and not self._outputs_finite(
                                    params, workspace.outs[-1][: X_b.shape[0]], True
                                )
                            )
                        first = False
                        accumulated_loss += loss * X_b.shape[0]
                        for i, g in enumerate(layer_grads):
                            grad_sq[i] += np.dot(g.ravel(), g.ravel())
                        update(param_list, grad_list)
                    grad_norms = np.sqrt(grad_sq / batches.n_batches)
                stop = self._end_epoch(
                    accumulated_loss / n_samples,
                    n_samples,
                    validation,
                    grad_norms,
                    time.perf_counter() - started,
                )
                stop |= tasks.end_subtask(epoch)
            except (KeyboardInterrupt, _Diverged) as exc:
                stopped = exc
                break
            if stop or incremental:
                break
        rolled_back = self._roll_back(
            stopped, epoch_index, (current, previous), params, X_b, incremental
        )
        if not (rolled_back or stop or incremental) and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=5,
            )

        if self.early_stopping:
            for current, best in zip(self.coefs_, self._best_coefs):
                current[...] = best
            for current, best in zip(self.intercepts_, self._best_intercepts):
                current[...] = best

    def _roll_back(self, stopped, epoch_index, checkpoints, params, X_b, incremental):
        """Return to a checkpoint if training was stopped or broke the weights.

        ``checkpoints`` are the starts of the last epoch run and of the one
        before it; ``stopped`` is the exception that ended the epochs, if any.
        Returns whether it went back.
        """
        current, previous = checkpoints
        if isinstance(stopped, _Diverged) and stopped.in_previous_epoch:
            previous.restore()
            epoch_index -= 1
        elif stopped is not None:
            current.restore()
        # Weights that no forward pass has checked yet: the last epoch's
        # final update, or an interrupted epoch's start if the interrupt came
        # before its first loss. One forward pass on a batch checks them.
        if not isinstance(stopped, _Diverged) and X_b is not None:
            if not self._outputs_finite(params, X_b):
                if stopped is None:
                    current.restore()
                elif epoch_index:
                    previous.restore()
                    epoch_index -= 1
                stopped = _Diverged()
        if stopped is not None:
            self._warn_rolled_back(stopped, epoch_index, incremental)
        return stopped is not None

    def _warn_rolled_back(self, stopped, epoch_index, incremental):
        """Say why an epoch was abandoned and what the model holds now."""
        kept = (
            "the model is left as it was before this partial_fit call."
            if incremental
            else f"keeping the weights of the last completed epoch ({self.n_iter_})."
        )
        if isinstance(stopped, KeyboardInterrupt):
            message, category = f"Training interrupted by user; {kept}", UserWarning
        else:
            message = (
                f"Training diverged in epoch {epoch_index + 1}: the loss or the "
                f"weights became infinite or NaN; {kept} Lower learning_rate_init "
                f"(it is {self.learning_rate_init}) or scale the input data."
            )
            category = ConvergenceWarning
        # _warn_rolled_back, _roll_back, the fit loop, _fit, fit,
        # _fit_context, caller.
        warnings.warn(message, category, stacklevel=7)

    def _end_epoch(self, loss, n_samples, validation, grad_norms, seconds):
        """Book-keeping after an epoch; returns True when training should stop."""
        self.n_iter_ += 1
        self.loss_ = loss
        self.t_ += n_samples
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")

        learning_rate = self._optimizer.learning_rate
        self._update_no_improvement_count(validation)
        self._history.append(
            {
                "epoch": len(self._history) + 1,
                "loss": loss,
                "validation_score": (
                    self.validation_scores_[-1] if validation is not None else np.nan
                ),
                "learning_rate": learning_rate,
                "seconds": seconds,
                **{
                    f"grad_norm_{i}": norm for i, norm in enumerate(grad_norms, start=1)
                },
            }
        )
        self._optimizer.iteration_ends(self.t_)

        if self._no_improvement_count > self.n_iter_no_change:
            what = "Validation score" if validation is not None else "Training loss"
            msg = (
                f"{what} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change} consecutive epochs."
            )
            if self._optimizer.trigger_stopping(msg, self.verbose):
                return True
            self._no_improvement_count = 0
        return False

    def _update_no_improvement_count(self, validation):
        if validation is not None:
            score = self._score(*validation)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_coefs = [c.copy() for c in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    @property
    def history_(self):
        """Per-epoch training record as a pandas DataFrame (stochastic solvers).

        One row per epoch run so far (``fit`` epochs, ``partial_fit`` calls
        and ``trace_step`` steps accumulate), with columns ``epoch``,
        ``loss`` (as in ``loss_curve_``), ``validation_score`` (NaN without
        early stopping), ``learning_rate`` (the optimizer's step size during
        the epoch), ``seconds`` and ``grad_norm_1`` ... ``grad_norm_L``: for
        each layer of weights ``coefs_[l - 1]``, the root mean square over
        the epoch's batches of the Frobenius norm of ∂E/∂W. With logistic
        units σ' ≤ 0.25, so these norms shrink toward the input layer: the
        vanishing gradient, made visible.
        """
        check_fitted(self)
        if not hasattr(self, "_history"):
            raise AttributeError(
                "history_ is only recorded by the stochastic solvers ('sgd', "
                f"'adam'); this model was fitted with solver={self.solver!r}."
            )
        import pandas as pd

        return pd.DataFrame(self._history)

    def _check_solver(self):
        # partial_fit exists only for the stochastic solvers (for lbfgs it
        # would silently run a whole fit).
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    # ------------------------------------------------------------------
    # Prediction
    def _output(self, X):
        """Validate X against the fit and return the network's output."""
        check_fitted(self)
        with _quiet_overflow():  # see _prepare
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                dtype=(np.float64, np.float32),
                reset=False,
            )
        return self._forward(X)

    def _outputs_finite(self, params, X, computed=False):
        """Whether the weights and the network's outputs for X are finite.

        With ``computed``, ``X`` is already the output of the network.
        """
        out = X if computed else self._forward_unchecked(X)
        return bool(np.isfinite(params).all() and np.isfinite(out).all())

    def _forward_unchecked(self, X):
        """Network output for validated X; may be non-finite if X is huge."""
        with _quiet_overflow():
            return _network.predict(
                X,
                self.coefs_,
                self.intercepts_,
                canonical_name(self.activation),
                self.out_activation_,
            )

    def _forward(self, X):
        """Network output for validated X, shape (n_samples, n_outputs)."""
        out = self._forward_unchecked(X)
        if not np.isfinite(out).all():
            # Only reachable for inputs near the float range's limit: the
            # weights are always finite (training rolls back otherwise).
            raise ValueError(
                "The network's output is infinite or NaN for some rows of X: "
                "their values are too large (a layer's net input overflowed "
                f"{out.dtype}). Scale X, e.g. with StandardScaler."
            )
        return out

    # ------------------------------------------------------------------
    # Transparency
    def trace_step(self, X, y, sample_weight=None):
        """Perform one training step on (X, y) and return every number of it.

        The whole of ``X`` is one batch: one forward pass, one backward pass
        and one optimizer update from the current weights (the initial
        weights -- ``coefs_init``/``intercepts_init`` or the Glorot draw --
        when the estimator is not fitted yet). Afterwards the estimator is
        fitted, exactly as after ``partial_fit`` with ``batch_size=len(X)``.

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
        from ._trace import trace_step

        return trace_step(self, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def check_fitted(estimator):
    """Raise NotFittedError unless the estimator has weights."""
    check_is_fitted(estimator, "coefs_")


# Parameter documentation shared by both estimators (inserted into their
# docstrings where ``{common_parameters}`` stands).
COMMON_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.

    activation : {"logistic", "sigmoid", "tanh", "relu", "identity"}, \
default="logistic"
        Activation of the hidden units. ``"sigmoid"`` is another name for
        ``"logistic"``, σ(x) = 1 / (1 + exp(-x)), the unit of the worked
        examples. (scikit-learn's MLP defaults to ``"relu"``.)

    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        Weight optimisation. ``"sgd"`` with ``momentum=0``, ``batch_size=1``
        and ``shuffle=False`` is the online update of the worked examples;
        ``batch_size=n_samples`` is full-batch gradient descent.

    alpha : float, default=0.0001
        Strength of the L2 penalty α‖W‖²/(2n) added to the loss.

    batch_size : int or "auto", default="auto"
        Minibatch size for the stochastic solvers; ``"auto"`` is
        ``min(200, n_samples)``.

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Step-size schedule for ``solver="sgd"``.

    learning_rate_init : float, default=0.001
        Initial step size η (the seeds' ``learnrate``).

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

    shuffle : bool, default=True
        Whether to shuffle samples in each epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, shuffling and the early-stopping
        split; the same value gives scikit-learn's MLP's initial weights.

    tol : float, default=1e-4
        Improvement below which an epoch counts as no progress.

    verbose : bool, default=False
        Print the loss of each epoch.

    warm_start : bool, default=False
        Start ``fit`` from the current weights instead of re-initialising.

    momentum : float, default=0.9
        Momentum for ``solver="sgd"``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``solver="sgd"`` and ``momentum > 0``.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when its score
        stops improving; the best weights are restored.

    validation_fraction : float, default=0.1
        Share of the data held out for early stopping.

    beta_1 : float, default=0.9
        Decay rate of Adam's first moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Numerical-stability constant of Adam.

    n_iter_no_change : int or np.inf, default=10
        Epochs without ``tol`` improvement before stopping.

    max_fun : int, default=15000
        Maximum number of loss evaluations for ``solver="lbfgs"``."""

# The parameters skbp adds to scikit-learn's MLP.
EXTRA_PARAMETERS = """fit_intercept : bool, default=True
        Whether the intercepts (biases) are trained. With ``False`` they stay
        at ``intercepts_init`` (zeros when not given): the worked examples
        use networks without bias, or with a bias held fixed.

    coefs_init : list of array-like, default=None
        Initial weights, ``coefs_init[i]`` of shape (n_in, n_out) for layer
        i -> i+1 (as ``coefs_``). None draws them as scikit-learn does.

    intercepts_init : list of array-like, default=None
        Initial intercepts, ``intercepts_init[i]`` of shape (n_out,)."""

COMMON_ATTRIBUTES = """\
loss_ : float
        Loss after the last epoch (the final loss for lbfgs).

    best_loss_ : float or None
        Lowest training loss seen (stochastic solvers, without early
        stopping).

    loss_curve_ : list of float
        Loss of each epoch, computed batch by batch before each update
        (stochastic solvers). With one sample per epoch the first entry is
        the loss E of the initial weights.

    history_ : pandas.DataFrame
        One row per epoch (stochastic solvers): loss, validation score,
        learning rate, seconds and each layer's gradient norm.

    validation_scores_ : list of float or None
        Validation score of each epoch, with ``early_stopping=True``.

    best_validation_score_ : float or None
        Best validation score, with ``early_stopping=True``.

    t_ : int
        Number of training samples seen by the solver.

    coefs_ : list of ndarray
        ``coefs_[i]`` of shape (n_in, n_out): weights from layer i to i+1.

    intercepts_ : list of ndarray
        ``intercepts_[i]`` of shape (n_out,): biases of layer i+1.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    n_iter_ : int
        Number of epochs (iterations for lbfgs) run.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Name of the output activation."""
