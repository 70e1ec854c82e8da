"""Gradient checking: backprop's gradient beside a finite difference of the loss.

The check every backpropagation course teaches, run on an skbp estimator
through the machinery ``fit`` itself uses (``_prepare`` and
``_training_step``), so that it checks the gradient of exactly the loss
``fit`` minimises -- L2 term, sample weights and class weights included.
"""

import copy
import math
from numbers import Real

import numpy as np

from ._base import BaseBackprop
from ._network import quiet_overflow
from ._trace import parameter_table

# Step of the central difference, relative to max(1, |w|). In float64 the
# difference's truncation error is O(h**2) and its rounding error
# O(macheps * |E| / h): they balance near h = macheps**(1/3) ~ 6e-6. 1e-5,
# the step gradient-check tutorials use, measured best on the tests'
# networks; at 1e-6 the rounding error of losses of order one dominated the
# small gradients.
DEFAULT_EPS = 1e-5

# Floor of the relative error's denominator: gradients that are both below it
# (an unused unit, a dead ReLU) are compared in absolute terms instead of
# being reported as huge relative errors of rounding noise.
REL_ERROR_FLOOR = 1e-8

# Relative error the check allows a parameter beyond the difference's own
# error, which it estimates. A wrong derivative is off by 1e-2 or more.
DEFAULT_RTOL = 1e-5

# Roundings of each loss the difference's error allows for. The loss is a
# sum of many rounded terms, so its rounding error is a few float64 epsilons
# of its value; the difference's rounding error measured on fitted networks
# (log-loss, squared error, Poisson deviance) was at most about one epsilon
# of each loss over 2h, so ten leave a margin.
ROUNDINGS = 10


# The rule a parameter passes by, as the result's repr states it.
RULE = "|backprop - numeric| <= rtol * max(|backprop|, |numeric|) + fd_error"


class GradientCheck:
    """The result of :func:`check_gradients`.

    A parameter passes when ``abs_error <= rtol * max(|backprop|,
    |numeric|) + fd_error``: its two gradients agree to the relative
    tolerance ``rtol``, or differ by no more than the finite difference can
    be off by itself. The check passes when every parameter does.

    Attributes
    ----------
    passed : bool
        Whether every parameter passed.
    n_failed : int
        The number of parameters that did not.
    table : pandas.DataFrame
        One row per trained parameter, in the packing order of
        ``StepTrace.updates`` (every weight, then every intercept). Columns:
        ``layer`` (1-based: layer ``l`` is ``coefs_[l - 1]``), ``kind``
        (``"coef"`` or ``"intercept"``), ``from_unit`` (missing for
        intercepts), ``to_unit``, ``value`` (the parameter), ``backprop``
        (:math:`\\partial E / \\partial w` from the backward pass),
        ``numeric`` (the central difference), ``abs_error``, ``rel_error``,
        ``fd_error`` (how far the difference can be off by itself, from
        rounding and truncation) and ``passed``.
    rtol : float
        The relative tolerance of the rule above.
    max_rel_error : float
        The largest ``rel_error`` (NaN if a loss was not finite). Gradients
        near ``fd_error`` have large relative errors however right backprop
        is: read ``passed``, not this.
    norm_rel_error : float
        ‖backprop - numeric‖ / (‖backprop‖ + ‖numeric‖) over all
        parameters, the norm-wise relative error deep-learning courses
        teach; the large gradients dominate it, so one wrong small gradient
        can hide in it.
    loss : float
        The loss E at the checked weights, L2 term included.
    eps : float
        The relative step used.
    masks : list of ndarray or None
        With ``dropout``, the masks held fixed for every evaluation, one
        (n_samples, units) array per hidden layer (None for a layer with
        rate 0); None without dropout.
    """

    def __init__(self, table, loss, eps, masks=None, rtol=DEFAULT_RTOL):
        self.table = table
        self.loss = loss
        self.eps = eps
        self.masks = masks
        self.rtol = rtol
        errors = table["rel_error"].to_numpy()
        # NaN must win: a non-finite comparison is a failed check.
        self.max_rel_error = float(np.max(errors)) if errors.size else 0.0
        passed = table["passed"].to_numpy()
        self.n_failed = int(passed.size - np.count_nonzero(passed))
        self.passed = self.n_failed == 0
        backprop = table["backprop"].to_numpy()
        numeric = table["numeric"].to_numpy()
        with quiet_overflow():
            size = np.linalg.norm(backprop) + np.linalg.norm(numeric)
            difference = np.linalg.norm(backprop - numeric)
            self.norm_rel_error = float(difference / size) if size else 0.0

    def __repr__(self):
        table = self.table
        with quiet_overflow():
            allowed = self.rtol * np.maximum(
                table["backprop"].abs(), table["numeric"].abs()
            )
            nearest = table["abs_error"] / (allowed + table["fd_error"])
        # The rows nearest to failing, or failed the worst, first.
        order = nearest.sort_values(ascending=False, na_position="first").index
        worst = table.loc[order[:5]]
        formats = dict.fromkeys(["value", "backprop", "numeric"], "{:.9g}".format)
        formats.update(
            dict.fromkeys(["abs_error", "rel_error", "fd_error"], "{:.2e}".format)
        )
        n = len(table)
        if self.passed:
            verdict = f"passed, every one of {n} parameters within"
        else:
            verdict = f"FAILED, {self.n_failed} of {n} parameters outside"
        return (
            f"GradientCheck: {verdict} {RULE}, rtol={self.rtol:g}\n"
            f"max_rel_error={self.max_rel_error:.3g}, "
            f"norm_rel_error={self.norm_rel_error:.3g}, n_params={n}, "
            f"loss={self.loss:.9f}, eps={self.eps:g}"
            f"\n\nrows nearest to failing\n{worst.to_string(formatters=formats)}"
        )


def _float64_copy(estimator, X, y, sample_weight):
    """A float64 copy of the estimator, set up as for a full-batch step on X.

    Returns the copy, the validated float64 data and the layer units.
    """
    est = copy.deepcopy(estimator)
    est._validate_params()
    # One full batch is checked: no validation split, whose size fit would
    # check, is made.
    est.early_stopping = False
    fitted = hasattr(est, "coefs_")
    if fitted:
        # Cast first, so that _prepare brings X to float64 and not the
        # model's float32.
        est.coefs_ = [c.astype(np.float64) for c in est.coefs_]
        est.intercepts_ = [b.astype(np.float64) for b in est.intercepts_]
    incremental = fitted
    if fitted and getattr(est, "class_weight", None) == "balanced":
        # partial_fit refuses 'balanced' (one batch's class frequencies);
        # a warm start keeps the weights and computes them from all of y,
        # as fit does.
        est.warm_start, incremental = True, False
    # An unfitted copy is initialised in X's dtype, as fit would: a float32
    # fit starts from the float32-rounded Glorot draw.
    X, y, sample_weight, layer_units = est._prepare(X, y, sample_weight, incremental)
    est.coefs_ = [c.astype(np.float64) for c in est.coefs_]
    est.intercepts_ = [b.astype(np.float64) for b in est.intercepts_]
    X = X.astype(np.float64)
    # The targets fit trains on (smoothed with label_smoothing).
    y = est._training_targets(y.astype(np.float64))
    if sample_weight is not None:
        sample_weight = sample_weight.astype(np.float64)
    return est, X, y, sample_weight, layer_units


def _hold_masks(dropout, masks, n_samples, t):
    """Fix the dropout masks of every evaluation: ``masks``, or one draw."""
    if masks is None:
        # The masks a training step from this state would draw.
        dropout.start(t)
        dropout.draw(n_samples)
        dropout.fixed = True
        return dropout.current(n_samples)
    masks = list(masks)
    if len(masks) != len(dropout.masks):
        raise ValueError(
            f"masks must have one entry per hidden layer ({len(dropout.masks)}); "
            f"got {len(masks)}."
        )
    held = []
    for layer, (given, buffer, p) in enumerate(
        zip(masks, dropout.masks, dropout.rates), start=1
    ):
        if buffer is None:
            if given is not None:
                raise ValueError(
                    f"masks[{layer - 1}] must be None: hidden layer {layer} has "
                    "dropout rate 0."
                )
            held.append(None)
            continue
        shape = (n_samples, buffer.shape[1])
        given = np.asarray(given, dtype=np.float64) if given is not None else None
        if given is None or given.shape != shape:
            raise ValueError(
                f"masks[{layer - 1}] (hidden layer {layer}, dropout rate {p:g}) "
                f"must have shape {shape}; got "
                f"{None if given is None else given.shape}."
            )
        if not np.isfinite(given).all():
            raise ValueError(f"masks[{layer - 1}] contains NaN or infinity.")
        held.append(given.copy())
    dropout.hold(held)
    return held


def check_gradients(
    estimator, X, y, sample_weight=None, *, eps=None, masks=None, rtol=None
):
    """Compare every backprop gradient with a central finite difference.

    The gradient check every backpropagation course teaches: for each
    trained parameter w, the derivative :math:`\\partial E / \\partial w`
    computed by the backward pass is set beside the central difference::

        (E(w + h) - E(w - h)) / (2 h),     h = eps * max(1, |w|)

    of the loss E that ``fit`` minimises on (X, y) as one full batch: the
    mean loss over the samples, weighted by ``sample_weight`` and
    ``class_weight``, plus the L2 term α‖W‖²/(2Σw). Everything is computed in
    float64, also for a float32 estimator or float32 data (whose weights are
    then the float32 values, exactly widened).

    A parameter passes when the two agree to a relative ``rtol`` or within
    what the difference can be off by itself, ``fd_error``::

        |backprop - numeric| <= rtol * max(|backprop|, |numeric|) + fd_error

    The check passes (``check.passed``) when every parameter does; the
    Notes say how ``fd_error`` is estimated.

    The estimator is not changed: the check runs on a copy. A fitted
    estimator is checked at its current weights; an unfitted one at the
    weights ``fit`` would start from (``coefs_init``/``intercepts_init`` or
    the Glorot draw of its ``random_state``).

    Parameters
    ----------
    estimator : BackpropClassifier or BackpropRegressor
        The network, fitted or not.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Input data, used as one batch.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets (labels for a classifier).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    eps : float, default=None
        Step of the central difference relative to max(1, \\|w\\|); None
        means 1e-5, which balances the difference's truncation error (O(h²))
        against float64 rounding (O(1e-16 · E / h)).
    masks : list of array-like, default=None
        With ``dropout``: the masks to hold fixed, one (n_samples, units)
        array per hidden layer (None for a layer with rate 0), each entry
        the factor the unit's output is multiplied by -- e.g. the ``masks``
        of a :meth:`~BackpropClassifier.trace_step` on the same X. None
        draws the masks a training step would draw next. Dropout makes the
        loss random; with its masks held fixed it is a smooth function of
        the weights, whose gradient backprop must give.
    rtol : float, default=None
        The relative tolerance of a passing parameter, in (0, 1); None means
        1e-5. A wrong derivative is typically off by 1e-2 or more, a right
        one by the difference's truncation error, O(eps²), well below 1e-5.

    Returns
    -------
    check : GradientCheck
        ``check.table`` is a pandas DataFrame with one row per trained
        parameter -- ``layer`` (1-based, as in ``StepTrace``), ``kind``
        (``"coef"``/``"intercept"``), ``from_unit``, ``to_unit``, ``value``,
        ``backprop``, ``numeric``, ``abs_error`` = \\|backprop - numeric\\|,
        ``rel_error`` = abs_error / max(\\|backprop\\|, \\|numeric\\|,
        1e-8), ``fd_error`` (below) and ``passed`` (the rule above). Its repr
        says passed or FAILED, with the rule and ``rtol``, and shows the
        rows nearest to failing. ``check.passed`` and ``check.n_failed``
        sum the table up; ``check.max_rel_error`` is its largest relative
        error and ``check.norm_rel_error`` the norm-wise
        \\|backprop - numeric\\| / (\\|backprop\\| + \\|numeric\\|) over
        all parameters; ``check.loss`` is E at the checked weights. With
        ``fit_intercept=False`` the intercepts are held fixed, are not
        parameters and get no rows (as in ``StepTrace.updates``).

    Raises
    ------
    TypeError
        If ``estimator`` is not an skbp estimator.
    ValueError
        If ``eps`` or ``rtol`` is not a number in (0, 1), the data do not
        suit the estimator, or the loss is not finite at the checked
        weights.

    Notes
    -----
    A wrong derivative typically gives relative errors of 1e-2 or more, a
    right one 1e-7 or less -- except where the finite difference's own
    error is large next to the gradient. It has two parts. Rounding: each
    loss is computed with an error of a few float64 epsilons (2.2e-16)
    times E, which the difference divides by 2h, about 1e-11 · E at the
    default step. A gradient of 1e-8 -- such as a weight from an input that
    is 0 in every row, whose gradient is the L2 term α·w/n alone -- then
    shows a relative error near 1e-3 although backprop computes it exactly.
    Truncation: the central difference D(h) is off by about h² E'''/6,
    which near a minimum, where the gradients are small, reached 5e-4 of
    them on fitted networks. ``fd_error`` bounds both::

        fd_error = 10 * 2.2e-16 * (|E(w + h)| + |E(w - h)|) / (2 h)
                   + |D(2 h) - D(h)|

    whose second term is three times the truncation error of D(h) as
    Richardson extrapolation estimates it (D(2h) is off by four times as
    much as D(h)). A gradient below ``fd_error`` cannot be checked by a
    finite difference at all: its row passes, which says only that the
    difference sees nothing wrong. A wrong derivative of a larger gradient
    fails, even if it is the only one. Where E is not smooth at the scale
    of h -- a ReLU unit whose net input lies within 2h · \\|x\\| of its kink
    at 0, a log-loss whose probabilities are clipped (saturated outputs)
    -- the two differences usually disagree, and ``fd_error`` grows with
    them.

    The check costs four forward and backward passes over X per
    parameter: it is meant for small networks and a few dozen samples.

    Examples
    --------
    Mazur's "A Step by Step Backpropagation Example", whose
    :math:`\\partial E / \\partial w_5` is 0.082167041:

    >>> from skbp import check_gradients
    >>> from skbp.worked_examples import mazur_network
    >>> net, X, y = mazur_network()
    >>> check = check_gradients(net, X, y)
    >>> check.table[["layer", "from_unit", "to_unit", "value", "backprop"]]
       layer  from_unit  to_unit  value  backprop
    0      1          0        0   0.15  0.000439
    1      1          0        1   0.25  0.000498
    2      1          1        0   0.20  0.000877
    3      1          1        1   0.30  0.000995
    4      2          0        0   0.40  0.082167
    5      2          0        1   0.50 -0.022603
    6      2          1        0   0.45  0.082668
    7      2          1        1   0.55 -0.022740
    >>> round(float(check.table.loc[4, "numeric"]), 9)
    0.082167041
    >>> check.max_rel_error < 1e-7
    True
    >>> check.passed
    True
    """
    if not isinstance(estimator, BaseBackprop):
        raise TypeError(
            "check_gradients accepts a BackpropClassifier or BackpropRegressor "
            f"(fitted or not); got {type(estimator).__name__}."
        )
    if eps is None:
        eps = DEFAULT_EPS
    if isinstance(eps, bool) or not isinstance(eps, Real) or not 0 < eps < 1:
        raise ValueError(
            f"eps must be a number in (0, 1), the step relative to max(1, |w|); "
            f"got {eps!r}."
        )
    eps = float(eps)
    if rtol is None:
        rtol = DEFAULT_RTOL
    if isinstance(rtol, bool) or not isinstance(rtol, Real) or not 0 < rtol < 1:
        raise ValueError(
            "rtol must be a number in (0, 1), the relative tolerance of a "
            f"passing parameter; got {rtol!r}."
        )
    rtol = float(rtol)

    est, X, y, sample_weight, layer_units = _float64_copy(
        estimator, X, y, sample_weight
    )
    step = est._training_step(layer_units, X.shape[0], np.float64, optimizer=False)
    params = step.params
    held = None
    if step.dropout is not None:
        held = _hold_masks(step.dropout, masks, X.shape[0], est.t_)
    elif masks is not None:
        raise ValueError("masks are only used with dropout; this network has none.")

    # The loss of a forward-backward pass, not of a forward pass alone: the
    # very function fit minimises, at twice the cost.
    def loss_at():
        with quiet_overflow():
            return step(X, y, sample_weight=sample_weight)

    loss = loss_at()
    if not math.isfinite(loss):
        raise ValueError(
            "The loss is not finite at these weights, so it has no gradient "
            "to check. Scale X, e.g. with StandardScaler."
        )
    backprop = step.grads.copy()

    rounding = ROUNDINGS * np.finfo(np.float64).eps

    def difference(i, w, h):
        """The central difference of E in parameter i, and its rounding error."""
        up, down = w + h, w - h
        params[i] = up
        loss_up = loss_at()
        params[i] = down
        loss_down = loss_at()
        params[i] = w
        # The distance between the rounded points, not 2h: one rounding
        # error less.
        with quiet_overflow():
            slope = (loss_up - loss_down) / (up - down)
            return slope, rounding * (abs(loss_up) + abs(loss_down)) / (up - down)

    numeric = np.empty_like(backprop)
    fd_error = np.empty_like(backprop)
    for i, w in enumerate(params):
        h = eps * max(1.0, abs(w))
        numeric[i], fd_error[i] = difference(i, w, h)
        # D(h) = E' + c h**2 + O(h**4): D(2h) - D(h) is three times the
        # truncation error of D(h), taken whole as its bound.
        double, _ = difference(i, w, 2 * h)
        if math.isfinite(double):
            fd_error[i] += abs(double - numeric[i])

    table = parameter_table(layer_units, est.fit_intercept)
    table["value"] = params.copy()
    table["backprop"] = backprop
    table["numeric"] = numeric
    with quiet_overflow():
        abs_error = np.abs(backprop - numeric)
        largest = np.maximum(np.abs(backprop), np.abs(numeric))
        scale = np.maximum(largest, REL_ERROR_FLOOR)
        table["abs_error"] = abs_error
        table["rel_error"] = abs_error / scale
        table["fd_error"] = fd_error
        # Written so that NaN fails.
        table["passed"] = abs_error <= rtol * largest + fd_error
    return GradientCheck(table, loss, eps, held, rtol)
