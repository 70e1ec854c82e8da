"""One training step as tables of every number the worked examples compute by hand.

Turns the arrays of a traced step (``_training.traced_step``) into pandas
DataFrames; it runs nothing and imports nothing of skbp's.
"""

import numpy as np
import pandas as pd


class StepTrace:
    """Every number of one backpropagation step, as pandas DataFrames.

    Layers are numbered as in the worked examples' pictures: 0 is the input, 1 the
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


def step_trace(record, new_coefs, new_intercepts, fit_intercept):
    """The tables of one traced step.

    Parameters
    ----------
    record : skbp._training.StepRecord
        The step's arrays.
    new_coefs, new_intercepts : list of ndarray
        The weights after the update.
    fit_intercept : bool
        Whether the intercepts were trained (else they get no rows).

    Returns
    -------
    trace : StepTrace
    """
    forward = _unit_table(record.nets, "net_input")
    forward["output"] = _unit_table(record.outs, "output")["output"]
    b = fit_intercept
    updates = _update_table(
        record.old_coefs,
        record.coef_grads,
        new_coefs,
        record.old_intercepts if b else [],
        record.intercept_grads if b else [],
        new_intercepts if b else [],
    )
    return StepTrace(
        forward,
        _unit_table(record.deltas, "delta"),
        updates,
        record.loss,
        record.learning_rate,
    )
