"""How training runs: batches, checkpoints and rollback, the epoch loop, L-BFGS.

The estimator (``_base``) owns parameters, validation, fitted state and
prediction; this module runs the training loops over it. Each loop gets its
batch step from one place, ``estimator._training_step``, which binds the
workspace, the parameter vector, the optimizer and every per-fit constant
once: ``fit``, ``partial_fit`` and ``trace_step`` all step through it.
"""

import functools
import math
import time
import warnings
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from . import _messages
from ._lbfgs import minimize_lbfgs
from ._network import quiet_overflow
from .exceptions import TargetScaleWarning, TrainingInterruptedWarning

# The estimators (by id) inside a restore_on_error block: a nested block
# leaves the restoring to the outermost, which saw the state first.
_GUARDED = set()


@contextmanager
def restore_on_error(estimator):
    """Put the estimator's attributes back as they were if the block raises.

    Every fit-like method runs inside this, so a rejected call leaves a
    fitted model exactly as it was (arrays are only mutated in place once
    validation has passed). A RandomState given as ``random_state`` is the
    caller's too, and is drawn from before some checks can run (the initial
    weights before ``coefs_init``'s, the split before ``X_val``'s), so its
    position is put back as well. The stream a fit seeds from an int is the
    model's own and is drawn from only once validation has passed, and
    numpy's global one (``random_state=None``) is left alone: neither is
    saved, since saving a position costs about 40 µs, a few percent of a
    small ``partial_fit``.
    """
    key = id(estimator)
    if key in _GUARDED:
        yield
        return
    state = dict(estimator.__dict__)
    # The records (loss_curve_, history_'s rows, the validation scores) grow
    # in place, epoch by epoch: cut back to their lengths. Lengths, not
    # copies, so that a long stream of partial_fit calls pays nothing more.
    records = {name: len(v) for name, v in state.items() if type(v) is list}
    given = state.get("random_state")
    stream = (
        (given, given.get_state())
        if isinstance(given, np.random.RandomState)
        and given is not np.random.mtrand._rand
        else None
    )
    _GUARDED.add(key)
    try:
        yield
    except BaseException:
        for name, length in records.items():
            del state[name][length:]
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        if stream is not None:
            stream[0].set_state(stream[1])
        raise
    finally:
        _GUARDED.discard(key)


class TrainingStep:
    """One batch's forward and backward pass, and the optimizer's update.

    Parameters
    ----------
    workspace : skbp._network.Workspace
        Buffers for the largest batch.
    params, grads : ndarray
        The trained part of the flat parameter vector, and the matching part
        of the workspace's gradient vector.
    backprop : callable
        ``backprop(X, y, sample_weight=None, nets=None) -> loss``, with the
        network's fixed arguments bound.
    optimizer : skbp._optimizers.BaseOptimizer or None
        Updates ``params`` from ``grads`` (None for L-BFGS).
    dropout : skbp._network.Dropout or None
        The dropout masks ``backprop`` draws and applies (None: no dropout).
    """

    def __init__(
        self, workspace, params, grads, backprop, optimizer=None, dropout=None
    ):
        self.workspace = workspace
        self.params, self.grads = params, grads
        self.backprop = backprop
        self.optimizer = optimizer
        self.dropout = dropout
        self._param_list, self._grad_list = [params], [grads]

    def __call__(self, X, y, sample_weight=None, nets=None):
        """Forward and backward pass; returns the batch loss."""
        return self.backprop(X, y, sample_weight=sample_weight, nets=nets)

    def update(self):
        """Apply the optimizer's update for the gradients just computed."""
        self.optimizer.update_params(self._param_list, self._grad_list)


class Batches:
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
        """Yield ``(X_batch, y_batch, sample_weight_batch)`` for one epoch."""
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


class Diverged(Exception):
    """The loss or a weight became infinite or NaN during an epoch.

    ``in_previous_epoch``: found on an epoch's first batch, before any update
    of its own, so the previous epoch's last update is what broke the weights.
    """

    def __init__(self, in_previous_epoch=False):
        super().__init__()
        self.in_previous_epoch = bool(in_previous_epoch)


class Checkpoint:
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
        "_best_validation_loss",
        "_no_improvement_count",
        "_best_coefs",
        "_best_intercepts",
    )

    _records = (
        "loss_curve_",
        "_history",
        "validation_scores_",
        "validation_loss_curve_",
    )

    def __init__(self, estimator, params):
        self.estimator, self.params = estimator, params
        self.saved_params = np.empty_like(params)

    def save(self):
        """Remember the estimator's training state as it is now."""
        est = self.estimator
        np.copyto(self.saved_params, self.params)
        self.optimizer = est._optimizer.get_state()
        self.scalars = {k: getattr(est, k) for k in self._scalars if hasattr(est, k)}
        # The position of the shuffling stream (a caller's RandomState too).
        self.random_state = est._random_state.get_state()
        self.lengths = {
            name: len(getattr(est, name))
            for name in self._records
            if getattr(est, name, None) is not None
        }

    def restore(self):
        """Put the remembered state back."""
        est = self.estimator
        np.copyto(self.params, self.saved_params)
        est._optimizer.set_state(self.optimizer)
        for name, value in self.scalars.items():
            setattr(est, name, value)
        est._random_state.set_state(self.random_state)
        for name, length in self.lengths.items():
            del getattr(est, name)[length:]


def outputs_finite(estimator, params, X, computed=False):
    """Whether the weights and the network's outputs for X are finite.

    With ``computed``, ``X`` is already the output of the network.
    """
    out = X if computed else estimator._forward_unchecked(X)
    return bool(np.isfinite(params).all() and np.isfinite(out).all())


def clip_gradient(grads, max_norm):
    """Scale ``grads`` in place to L2 norm ``max_norm`` if it is longer.

    Parameters
    ----------
    grads : ndarray of shape (n_params,)
        The trained part of the gradient vector (contiguous).
    max_norm : float
        The largest global norm let through.

    Returns
    -------
    clipped : bool
        Whether ``grads`` was scaled.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.array([3.0, 4.0])
    >>> clip_gradient(g, 1.0), g.tolist()
    (True, [0.6000000000000001, 0.8])
    >>> clip_gradient(g, 2.0), g.tolist()
    (False, [0.6000000000000001, 0.8])
    """
    norm = gradient_norm(grads)
    if norm > max_norm:
        grads *= max_norm / norm
        return True
    return False


def _exact_squares_floor(dtype):
    """The smallest sum of squares in ``dtype`` that underflow cannot spoil.

    Above tiny / eps, squares lost to underflow (each below tiny) are too
    small to change the sum.
    """
    info = np.finfo(dtype)
    return float(info.tiny / info.eps)


def _plain_squares(v, floor):
    """Σv² by one dot product, or None where overflow or underflow spoils it.

    ``floor`` is :func:`_exact_squares_floor` of ``v``'s dtype.
    """
    squares = float(np.dot(v, v))
    return squares if floor <= squares < math.inf else None


def gradient_norm(grads):
    """The L2 norm of a flat vector, without overflow or underflow.

    ``sqrt(dot(g, g))`` overflows once the norm passes the square root of
    the dtype's largest value (about 1.8e19 in float32) and underflows below
    the square root of its smallest normal one (about 1.1e-19). Then the
    vector is divided by its largest magnitude first, in its own dtype, and
    the norm taken of that.

    Parameters
    ----------
    grads : ndarray of shape (n,)

    Returns
    -------
    norm : float
        Infinite or NaN when ``grads`` holds an infinity or NaN.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.array([3e19, 4e19], dtype=np.float32)
    >>> print(f"{gradient_norm(g):.6g}")
    5e+19
    """
    with np.errstate(over="ignore", under="ignore"):
        squares = _plain_squares(grads, _exact_squares_floor(grads.dtype))
    if squares is not None:
        return math.sqrt(squares)
    largest = float(np.max(np.abs(grads))) if grads.size else 0.0
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    scaled = grads / grads.dtype.type(largest)
    return largest * math.sqrt(float(np.dot(scaled, scaled)))


def fit_stochastic(
    estimator, X, y, sample_weight, layer_units, incremental, tasks, validation=None
):
    """Run the epochs of ``solver="sgd"`` or ``"adam"`` (one for partial_fit).

    Parameters
    ----------
    estimator : skbp._base.BaseBackprop
        Set up by its ``_prepare``; trained in place.
    X, y, sample_weight
        The validated training data (``y`` 2-D, in X's dtype).
    layer_units : list of int
        Units per layer, input first.
    incremental : bool
        One epoch from the current state (``partial_fit``).
    tasks : skbp._callbacks.FitTasks
        The callbacks' hooks.
    validation : tuple or None
        fit's own (X_val, y_val, sample_weight_val), validated: scored each
        epoch, and early stopping's set instead of a split of X.
    """
    est = estimator
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if est.early_stopping and validation is None:
        X, y, sample_weight, validation = est._split_validation(X, y, sample_weight)
        tasks.set_data(X, y, sample_weight)
    # After the split: the validation set is scored on its labels.
    y = est._training_targets(y)

    n_samples = X.shape[0]
    batch_size = est._batch_size(n_samples)
    step = est._training_step(
        layer_units, batch_size, X.dtype, new_optimizer=not incremental
    )
    params, workspace, grads = step.params, step.workspace, step.grads
    clip = est.clip_grad_norm
    batches = Batches(X, y, sample_weight, batch_size, est.shuffle)
    layer_grads = workspace.coef_grads
    exact_squares = _exact_squares_floor(layer_grads[0].dtype)
    # Two checkpoints, the starts of this epoch and of the one before. An
    # epoch's last update is checked by the next epoch's first forward pass
    # (its loss is that of the weights the epoch starts from) rather than by
    # a forward pass of its own; if that check fails, the update that broke
    # the weights belongs to the epoch before.
    current, previous = Checkpoint(est, params), Checkpoint(est, params)
    # Saved before n_iter_ restarts: a first epoch that does not complete
    # leaves everything as before the call.
    current.save()
    est.n_iter_ = 0
    X_b, stopped, stop, saving = None, None, False, False
    for epoch_index in range(est.max_iter):
        try:
            if epoch_index:
                current, previous = previous, current
                saving = True
                current.save()
                saving = False
            epoch = tasks.subtask("epoch")
            started = time.perf_counter()
            if step.dropout is not None:
                # Masks as a function of the samples seen so far: a resumed
                # or repeated epoch draws the same ones.
                step.dropout.start(est.t_)
            accumulated_loss = 0.0
            grad_sq = np.zeros(len(layer_grads))
            n_clipped = 0
            first = True
            with quiet_overflow():
                for X_b, y_b, sw_b in batches.epoch(est._random_state):
                    loss = step(X_b, y_b, sample_weight=sw_b)
                    if not math.isfinite(loss):
                        # Before this epoch's first update, outputs that
                        # overflow indict the previous epoch's last one.
                        out = workspace.outs[-1][: X_b.shape[0]]
                        raise Diverged(
                            first
                            and epoch_index > 0
                            and not outputs_finite(est, params, out, computed=True)
                        )
                    first = False
                    accumulated_loss += loss * X_b.shape[0]
                    for i, g in enumerate(layer_grads):
                        squares = _plain_squares(g.ravel(), exact_squares)
                        if squares is None:
                            # A float32 dot overflows past a norm of ~1.8e19
                            # (norm * norm: a float's ** raises past 1e154).
                            norm = gradient_norm(g.ravel())
                            squares = norm * norm
                        grad_sq[i] += squares
                    if clip is not None:
                        n_clipped += clip_gradient(grads, clip)
                    step.update()
                # Weights that are not finite stay so, and a saturating
                # output (exp's capped net input, logistic) can give them a
                # finite loss, which the checks above pass: checked once an
                # epoch, the model never keeps them.
                if not np.isfinite(params).all():
                    raise Diverged()
                grad_norms = np.sqrt(grad_sq / batches.n_batches)
            # An epoch of one batch records that batch's loss as it is, as
            # trace_step does: loss * n / n can differ from it in the last bit.
            one_batch = batches.n_batches == 1
            stop = est._end_epoch(
                loss if one_batch else accumulated_loss / n_samples,
                n_samples,
                validation,
                grad_norms,
                time.perf_counter() - started,
                clipped=None if clip is None else n_clipped,
            )
            stop |= tasks.end_subtask(epoch)
        except (KeyboardInterrupt, Diverged) as exc:
            stopped = exc
            if saving:
                # Ctrl-C between two epochs, halfway through saving: the
                # estimator is whole, at the end of the last completed epoch;
                # the checkpoint is not, so the one before it is used.
                current, previous = previous, current
            break
        if stop or incremental:
            break
    rolled_back = _roll_back(
        est,
        stopped,
        epoch_index,
        (current, previous),
        params,
        X_b,
        incremental,
        between_epochs=saving,
    )
    if not (rolled_back or stop or incremental) and est.n_iter_ == est.max_iter:
        warnings.warn(
            f"Stochastic Optimizer: Maximum iterations ({est.max_iter}) "
            "reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
            stacklevel=5,
        )
        _warn_target_scale(est, y)
    elif stop and not (rolled_back or incremental):
        # Stopping because the loss stopped improving is silent, as in
        # scikit-learn -- unless y is far from what the outputs reach: then
        # "no improvement" usually means stuck, and scaling y is the fix.
        _warn_target_scale(
            est,
            y,
            f"Training stopped after {est.n_iter_} epochs without converging: "
            "the loss stopped improving.",
        )

    if est.early_stopping:
        for current, best in zip(est.coefs_, est._best_coefs):
            current[...] = best
        for current, best in zip(est.intercepts_, est._best_intercepts):
            current[...] = best


def _warn_target_scale(est, y, situation=""):
    """Warn with TargetScaleWarning when y is out of the outputs' reach.

    Called when a fit stopped without converging: training more rarely
    helps then, while a scaled target does (see
    ``_messages.target_scale_advice`` for the criterion). A category of its
    own, so that silencing ConvergenceWarning does not hide the fix.
    ``situation`` opens the message when no ConvergenceWarning says why
    training stopped.
    """
    advice = _messages.target_scale_advice(y, est.out_activation_)
    if advice:
        # _warn_target_scale, fit_stochastic or fit_lbfgs, _fit, fit,
        # _fit_context, caller.
        warnings.warn(
            f"{situation} {advice}".lstrip(), TargetScaleWarning, stacklevel=6
        )


def _roll_back(
    est,
    stopped,
    epoch_index,
    checkpoints,
    params,
    X_b,
    incremental,
    between_epochs=False,
):
    """Return to a checkpoint if training was stopped or broke the weights.

    ``checkpoints`` are the starts of the last epoch run and of the one
    before it; ``stopped`` is the exception that ended the epochs, if any,
    and ``between_epochs`` says that it came before epoch ``epoch_index``
    began, with nothing of it to undo. Returns whether it went back.
    """
    current, previous = checkpoints
    if isinstance(stopped, Diverged) and stopped.in_previous_epoch:
        previous.restore()
        epoch_index -= 1
    elif stopped is not None and not between_epochs:
        current.restore()
    # Weights that no forward pass has checked yet: the last epoch's final
    # update, or an interrupted epoch's start if the interrupt came before
    # its first loss. One forward pass on a batch checks them.
    if not isinstance(stopped, Diverged) and X_b is not None:
        if not outputs_finite(est, params, X_b):
            if stopped is None or between_epochs:
                current.restore()
                epoch_index -= between_epochs
            elif epoch_index:
                previous.restore()
                epoch_index -= 1
            stopped = Diverged()
    if stopped is not None:
        _warn_rolled_back(est, stopped, epoch_index, incremental)
    return stopped is not None


def divergence_advice(est):
    """What to change when a step broke the weights."""
    clip = (
        "set clip_grad_norm (e.g. 1.0)"
        if est.clip_grad_norm is None
        else f"lower clip_grad_norm (it is {est.clip_grad_norm})"
    )
    return (
        f"Lower learning_rate_init (it is {est.learning_rate_init}), {clip} "
        "or scale the input data."
    )


def _warn_rolled_back(est, stopped, epoch_index, incremental):
    """Say why an epoch was abandoned and what the model holds now."""
    kept = (
        "the model is left as it was before this partial_fit call."
        if incremental
        else f"keeping the weights of the last completed epoch ({est.n_iter_})."
    )
    if isinstance(stopped, KeyboardInterrupt):
        message = f"Training interrupted by user; {kept}"
        category = TrainingInterruptedWarning
    else:
        message = (
            f"Training diverged in epoch {epoch_index + 1}: the loss or the "
            f"weights became infinite or NaN; {kept} " + divergence_advice(est)
        )
        category = ConvergenceWarning
    # _warn_rolled_back, _roll_back, fit_stochastic, _fit, fit, _fit_context,
    # caller.
    warnings.warn(message, category, stacklevel=7)


def fit_lbfgs(estimator, X, y, sample_weight, layer_units, incremental, tasks):
    """Minimise the full-batch loss with scipy's L-BFGS-B.

    Parameters
    ----------
    estimator : skbp._base.BaseBackprop
        Set up by its ``_prepare``; trained in place.
    X, y, sample_weight
        The validated training data.
    layer_units : list of int
        Units per layer, input first.
    incremental : bool
        Always False: L-BFGS has no ``partial_fit``. Taken so that every
        training loop of ``skbp._solvers.SOLVERS`` is called alike.
    tasks : skbp._callbacks.FitTasks
        The callbacks' hooks (one subtask per iteration).
    """
    est = estimator
    step = est._training_step(layer_units, X.shape[0], X.dtype, optimizer=False)
    params = step.params
    # One callback task per L-BFGS iteration; scipy only reports the end of
    # an iteration, so each end begins the next task.
    iteration = [tasks.subtask("lbfgs-iter")]
    # The last iterate with a finite loss and weights, to fall back on if
    # L-BFGS diverges (starting from the initial weights).
    last_finite = {"x": params.copy(), "loss": math.nan}

    def callback(x, loss):
        if math.isfinite(loss) and np.isfinite(x).all():
            last_finite["x"][...] = x
            last_finite["loss"] = loss
        if tasks.root is not None:
            params[...] = x
            tasks.end_subtask(iteration[0])
            iteration[0] = tasks.subtask("lbfgs-iter")

    with quiet_overflow():
        result = minimize_lbfgs(
            functools.partial(
                step, X, est._training_targets(y), sample_weight=sample_weight
            ),
            [params],
            [step.grads],
            est.max_iter,
            est.max_fun,
            est.tol,
            callback=callback,
        )
    if iteration[0] is not None:
        # The task begun after the last iteration never ran.
        iteration[0].call_on_fit_task_end(estimator=est)
    est.n_iter_ = min(int(result.nit), est.max_iter)
    est.loss_ = float(result.fun)
    if not (math.isfinite(est.loss_) and np.isfinite(params).all()):
        params[...] = last_finite["x"]
        est.loss_ = last_finite["loss"]
        warnings.warn(
            "L-BFGS diverged: the loss or the weights became infinite or "
            "NaN. Keeping the weights of the last iteration where both "
            "were finite (the initial weights if there was none). Scale "
            "the input data, e.g. with StandardScaler.",
            ConvergenceWarning,
            stacklevel=5,
        )
        return
    if est.verbose:
        print(f"L-BFGS-B: {est.n_iter_} iterations, loss = {est.loss_:.8f}")
    if result.status != 0:
        warnings.warn(
            "lbfgs failed to converge after "
            f"{est.n_iter_} iteration(s) (status={result.status}): "
            f"{result.message}. Increase max_iter or max_fun, or scale "
            "the data.",
            ConvergenceWarning,
            stacklevel=5,
        )
        _warn_target_scale(est, y)
