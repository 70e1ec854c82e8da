"""One training step, traced as tables of every number the seeds compute by hand."""

import time

import numpy as np
import pandas as pd

from . import _network
from ._base import _STOCHASTIC_SOLVERS, _quiet_overflow, _restore_on_error


class StepTrace:
    """Every number of one backpropagation step, as pandas DataFrames.

    Layers are numbered as in the seeds' pictures: 0 is the input, 1 the
    first hidden layer, ``n_layers_ - 1`` the output. Units are numbered
    from 0 as the columns of ``coefs_``: the weight from unit ``j`` of layer
    ``l - 1`` to unit ``k`` of layer ``l`` is ``coefs_[l - 1][j, k]``.

    Attributes
    ----------
    forward : pandas.DataFrame
        Columns ``sample, layer, unit, net_input, output``: the net input
        Σ w·a + b of every unit and its activation.
    backward : pandas.DataFrame
        Columns ``sample, layer, unit, delta``: δ = ∂E_n/∂net of every unit
        for each sample (times its weight when weighted).
    updates : pandas.DataFrame
        Columns ``layer, kind, from_unit, to_unit, old_weight, gradient,
        new_weight``, one row per weight (``kind="coef"``) and, when
        intercepts are trained, per bias (``kind="intercept"``, ``from_unit``
        missing). ``gradient`` is ∂E/∂w of the batch loss, L2 term included.
    loss : float
        The batch loss E before the step.
    learning_rate : float
        The optimizer's step size used for this update.
    """

    def __init__(self, forward, backward, updates, loss, learning_rate):
        self.forward = forward
        self.backward = backward
        self.updates = updates
        self.loss = loss
        self.learning_rate = learning_rate

    def __repr__(self):
        with pd.option_context("display.precision", 9, "display.width", 120):
            return (
                f"StepTrace(loss={self.loss:.9f}, learning_rate={self.learning_rate})"
                f"\n\nforward\n{self.forward.to_string(index=False)}"
                f"\n\nbackward\n{self.backward.to_string(index=False)}"
                f"\n\nupdates\n{self.updates.to_string(index=False)}"
            )


def _unit_table(arrays, column):
    """Long table (sample, layer, unit, value) of per-layer (n, units) arrays."""
    frames = []
    for layer, a in enumerate(arrays, start=1):
        n, units = a.shape
        frames.append(
            pd.DataFrame(
                {
                    "sample": np.repeat(np.arange(n), units),
                    "layer": layer,
                    "unit": np.tile(np.arange(units), n),
                    column: a.ravel().astype(np.float64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _update_table(old_coefs, coef_grads, new_coefs, old_b, b_grads, new_b):
    frames = []
    for layer, (old, g, new) in enumerate(zip(old_coefs, coef_grads, new_coefs), 1):
        n_in, n_out = old.shape
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "kind": "coef",
                    "from_unit": pd.array(np.repeat(np.arange(n_in), n_out), "Int64"),
                    "to_unit": np.tile(np.arange(n_out), n_in),
                    "old_weight": old.ravel().astype(np.float64),
                    "gradient": g.ravel().astype(np.float64),
                    "new_weight": new.ravel().astype(np.float64),
                }
            )
        )
    for layer, (old, g, new) in enumerate(zip(old_b, b_grads, new_b), 1):
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "kind": "intercept",
                    "from_unit": pd.array([pd.NA] * old.size, "Int64"),
                    "to_unit": np.arange(old.size),
                    "old_weight": old.astype(np.float64),
                    "gradient": g.astype(np.float64),
                    "new_weight": new.astype(np.float64),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def trace_step(estimator, X, y, sample_weight=None):
    """Run one traced training step of ``estimator`` on the batch (X, y).

    See :meth:`skbp._base.BaseBackprop.trace_step`.
    """
    estimator._validate_params()
    if estimator.solver not in _STOCHASTIC_SOLVERS:
        raise ValueError(
            "trace_step performs one gradient step and needs a stochastic "
            f"solver ('sgd' or 'adam'); got solver={estimator.solver!r}."
        )
    if estimator.early_stopping:
        raise ValueError("trace_step does not support early_stopping=True")
    with _restore_on_error(estimator):
        X, y, sample_weight, layer_units = estimator._prepare(
            X, y, sample_weight, incremental=True
        )
        n = X.shape[0]
        workspace = _network.Workspace(layer_units, n, X.dtype)
        flat = estimator._bind_parameters(layer_units)
        params, grads = estimator._trainable(flat, workspace, layer_units)
        if not hasattr(estimator, "_optimizer"):
            estimator._optimizer = estimator._make_optimizer([params])
        nets = [np.empty_like(o) for o in workspace.outs]
        old_coefs = [c.copy() for c in estimator.coefs_]
        old_intercepts = [b.copy() for b in estimator.intercepts_]
        started = time.perf_counter()
        step = estimator._batch_step(workspace)
        # A trace shows every number as it is, overflowed ones included.
        with _quiet_overflow():
            loss = step(X, y, sample_weight=sample_weight, nets=nets)
            sw_sum = _network.weight_total(n, sample_weight)
            grad_norms = [np.linalg.norm(g) for g in workspace.coef_grads]
            estimator._optimizer.update_params([params], [grads])
        # Read after the update: Adam sets its bias-corrected step size there.
        learning_rate = estimator._optimizer.learning_rate
        estimator._end_epoch(loss, n, None, grad_norms, time.perf_counter() - started)

    forward = _unit_table(nets, "net_input")
    forward["output"] = _unit_table(workspace.outs, "output")["output"]
    trained_b = estimator.fit_intercept
    updates = _update_table(
        old_coefs,
        workspace.coef_grads,
        estimator.coefs_,
        old_intercepts if trained_b else [],
        workspace.intercept_grads if trained_b else [],
        estimator.intercepts_ if trained_b else [],
    )
    return StepTrace(
        forward,
        # The workspace holds δ of the batch *mean*; the table shows each
        # sample's own error term, as the seeds compute it.
        _unit_table([d * sw_sum for d in workspace.deltas], "delta"),
        updates,
        loss,
        learning_rate,
    )
