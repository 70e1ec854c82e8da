"""One traced training step: the step ``trace_step`` takes, keeping every array.

:func:`traced_step` runs the same batch step as ``fit`` and ``partial_fit``
(``estimator._training_step``) and keeps each layer's net input, output and
δ, the gradients, the clipping and the optimizer's state before and after,
as a :class:`StepRecord` that ``_trace`` turns into tables.
"""

import time

import numpy as np

from . import _network
from ._network import quiet_overflow
from ._training import clip_gradient, gradient_norm


class StepRecord:
    """Every array of one traced training step, before they become tables.

    Attributes
    ----------
    nets, outs : list of ndarray
        Net input and output of each non-input layer.
    deltas : list of ndarray
        Each sample's own error term δ (not divided by the batch's Σw).
    old_coefs, old_intercepts : list of ndarray
        Weights before the update.
    coef_grads, intercept_grads : list of ndarray
        Their gradients.
    loss : float
        Batch loss before the update.
    learning_rate : float
        The optimizer's step size for this update.
    grad_norms : list of float
        Frobenius norm of each layer's weight gradient, before clipping.
    clipped : int or None
        1 if the gradient was clipped, else 0; None without ``clip_grad_norm``.
    masks : list of ndarray or None
        The dropout mask of each hidden layer (None for a layer without
        dropout); None without dropout.
    seconds : float
        Time the step took.
    X, y, sample_weight, activations, loss_function, alpha, fit_intercept,
    dropout, clip, optimizer
        The step's context, as the attributes of ``skbp.StepTrace`` of the
        same names (``explain`` writes the step out from them).
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)


def traced_step(step, X, y, sample_weight, coefs, intercepts, clip_grad_norm=None):
    """Run one training step on the whole batch and keep every number of it.

    Parameters
    ----------
    step : TrainingStep
        Built for at least ``len(X)`` rows.
    X, y, sample_weight
        The validated batch.
    coefs, intercepts : list of ndarray
        The estimator's parameter views (copied before the update).
    clip_grad_norm : float or None
        Clips the gradient as ``fit_stochastic`` does; the recorded
        gradients are then the clipped ones the optimizer applied, the
        recorded norms and δ those before clipping.

    Returns
    -------
    record : StepRecord
    """
    workspace, optimizer = step.workspace, step.optimizer
    nets = [np.empty_like(o) for o in workspace.outs]
    old_coefs = [c.copy() for c in coefs]
    old_intercepts = [b.copy() for b in intercepts]
    state = _optimizer_state(optimizer)
    started = time.perf_counter()
    # A trace shows every number as it is, overflowed ones included.
    with quiet_overflow():
        loss = step(X, y, sample_weight=sample_weight, nets=nets)
        sw_sum = _network.weight_total(X.shape[0], sample_weight)
        grad_norms = [gradient_norm(g.ravel()) for g in workspace.coef_grads]
        # The workspace holds δ of the batch *mean*; the trace shows each
        # sample's own error term, as the worked examples compute it.
        deltas = [d * sw_sum for d in workspace.deltas]
        clipped = clip = None
        if clip_grad_norm is not None:
            raw, norm = step.grads.copy(), gradient_norm(step.grads)
            clipped = int(clip_gradient(step.grads, clip_grad_norm))
            scale = clip_grad_norm / norm if clipped else 1.0
            clip = dict(max_norm=clip_grad_norm, norm=norm, scale=scale, gradient=raw)
        step.update()
    seconds = time.perf_counter() - started
    formulas, constants = optimizer.update_formulas()
    # What backprop was bound with: the units, the loss, alpha.
    bound = step.backprop.keywords
    hidden = bound["hidden"]
    if isinstance(hidden, str):
        hidden = [hidden] * (len(coefs) - 1)
    return StepRecord(
        nets=nets,
        outs=[o.copy() for o in workspace.outs],
        deltas=deltas,
        old_coefs=old_coefs,
        old_intercepts=old_intercepts,
        coef_grads=[g.copy() for g in workspace.coef_grads],
        intercept_grads=[g.copy() for g in workspace.intercept_grads],
        loss=loss,
        # Read after the update: Adam sets its bias-corrected step size there.
        learning_rate=step.optimizer.learning_rate,
        grad_norms=grad_norms,
        clipped=clipped,
        masks=None if step.dropout is None else step.dropout.current(X.shape[0]),
        seconds=seconds,
        X=X.copy(),
        y=np.array(y, copy=True),
        sample_weight=None if sample_weight is None else sample_weight.copy(),
        activations=[*hidden, bound["output"]],
        loss_function=bound["loss"].name,
        alpha=bound["alpha"],
        fit_intercept=bound["fit_intercept"],
        dropout=None if step.dropout is None else step.dropout.rates,
        clip=clip,
        optimizer=dict(
            title=type(optimizer).__name__,
            formulas=formulas,
            constants=constants,
            state=state,
            new_state=_optimizer_state(optimizer),
        ),
    )


def _optimizer_state(optimizer):
    """Copies of the optimizer's state arrays, by the symbols of its formulas."""
    return {
        symbol: getattr(optimizer, attr)[0].copy()
        for symbol, attr in optimizer.state_symbols.items()
    }
