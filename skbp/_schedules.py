"""Step-size schedules and decoupled weight decay, shared by the optimizers.

``learning_rate="cosine"`` (with a linear warm-up) and a callable
``learning_rate`` set the step size η of SGD and Adam; ``weight_decay``
shrinks the weights by η·λ at every update, outside the gradient
(Loshchilov & Hutter's decoupled decay, AdamW's). :class:`Schedule` holds
the counters they read and writes them as formulas for
:meth:`skbp.StepTrace.explain`.
"""

import math
from numbers import Real

import numpy as np


def cosine_rate(learning_rate_init, epoch, max_iter, warmup_epochs=0):
    """The step size of ``learning_rate="cosine"`` for one epoch.

    Linear warm-up over the first ``warmup_epochs`` epochs, then cosine
    annealing to η_min = 0 over the rest of the ``max_iter`` epochs; an epoch
    past ``max_iter`` (``partial_fit`` goes on) keeps the last epoch's rate.

    Parameters
    ----------
    learning_rate_init : float
        η₀.
    epoch : int
        The epoch's index e, from 0 (the epochs completed before it).
    max_iter : int
        T, the epochs the schedule spans.
    warmup_epochs : int, default=0
        W < T.

    Returns
    -------
    rate : float
        η₀ (e + 1) / (W + 1) for e < W, else
        ½ η₀ (1 + cos(π (min(e, T − 1) − W) / (T − W))).

    Examples
    --------
    >>> cosine_rate(0.1, 0, 10), cosine_rate(0.1, 5, 10)
    (0.1, 0.05)
    >>> cosine_rate(0.1, 0, 10, warmup_epochs=1)
    0.05
    """
    e, T, W = epoch, max_iter, warmup_epochs
    if e < W:
        return float(learning_rate_init) * (e + 1) / (W + 1)
    return (
        0.5
        * float(learning_rate_init)
        * (1.0 + math.cos(math.pi * (min(e, T - 1) - W) / (T - W)))
    )


def _rate_of(schedule, epoch, step):
    """A callable schedule's rate, refused unless a positive finite number."""
    rate = schedule(epoch, step)
    if not isinstance(rate, Real) or not np.isfinite(rate) or rate < 0:
        raise ValueError(
            "The learning_rate callable must return a finite number >= 0 "
            f"(the step size); f(epoch={epoch}, step={step}) returned {rate!r}."
        )
    return float(rate)


def schedule_settings(estimator):
    """set_schedule's arguments from an estimator's parameters."""
    schedule = estimator.learning_rate
    coefs = getattr(estimator, "coefs_", None) or []
    return dict(
        schedule=schedule if schedule == "cosine" or callable(schedule) else None,
        max_iter=estimator.max_iter,
        warmup_epochs=getattr(estimator, "warmup_epochs", 0),
        weight_decay=getattr(estimator, "weight_decay", 0.0),
        n_weights=sum(c.size for c in coefs),
    )


class Schedule:
    """The schedule and decay part of an optimizer (mixed into BaseOptimizer).

    Attributes
    ----------
    eta : float
        The scheduled step size η of the current update.
    epoch, step : int
        Epochs completed and updates made, which a schedule reads.
    """

    # Defaults of what set_schedule sets, also for optimizers saved before it.
    schedule = None
    max_iter = 1
    warmup_epochs = 0
    weight_decay = 0.0
    n_weights = 0
    epoch = 0
    step = 0

    def set_schedule(
        self, schedule=None, max_iter=1, warmup_epochs=0, weight_decay=0.0, n_weights=0
    ):
        """Set the step-size schedule and decoupled weight decay.

        Parameters
        ----------
        schedule : "cosine", callable or None, default=None
            ``"cosine"``: :func:`cosine_rate` of the epoch; a callable:
            ``schedule(epoch, step)`` before each update; None: the
            optimizer's own rule.
        max_iter : int, default=1
            The epochs ``"cosine"`` spans.
        warmup_epochs : int, default=0
            ``"cosine"``'s linear warm-up.
        weight_decay : float, default=0.0
            λ: each update also subtracts η·λ·w from the weights.
        n_weights : int, default=0
            How many parameters, at the head of the vector, are weights (the
            intercepts after them are not decayed).

        Returns
        -------
        self : BaseOptimizer
        """
        self.schedule = schedule
        self.max_iter = max_iter
        self.warmup_epochs = warmup_epochs
        self.weight_decay = weight_decay
        self.n_weights = n_weights
        if schedule == "cosine":
            self._set_eta(
                cosine_rate(self.learning_rate_init, 0, max_iter, warmup_epochs)
            )
        return self

    def _next_epoch(self):
        self.epoch += 1
        self._resume_schedule()

    def _resume_schedule(self):
        # η of the epoch reached, which only "cosine" derives from it.
        if self.schedule == "cosine":
            self._set_eta(
                cosine_rate(
                    self.learning_rate_init,
                    self.epoch,
                    self.max_iter,
                    self.warmup_epochs,
                )
            )

    def _set_eta(self, eta):
        self.eta = eta

    def _decay_rate(self):
        # The scheduled η that multiplies λ (not Adam's bias correction).
        return self.eta

    def _before_update(self, params):
        """The callable schedule's η, then the decoupled decay; counts the step."""
        if callable(self.schedule):
            self._set_eta(_rate_of(self.schedule, self.epoch, self.step))
        if self.weight_decay:
            # Decoupled from the gradient (Loshchilov & Hutter's AdamW): the
            # weights shrink by η·λ before the step, which reads no weight.
            params[0][: self.n_weights] *= 1.0 - self._decay_rate() * self.weight_decay
        self.step += 1

    @property
    def decays(self):
        """λ for each parameter: the weights', 0 for the intercepts."""
        return [
            np.where(
                np.arange(self._scratch[0].size) < self.n_weights,
                self.weight_decay,
                0.0,
            )
        ]

    def _schedule_formulas(self, constants, lr):
        # The scheduled η as explain writes it; constants get its inputs.
        if self.schedule != "cosine":
            constants["lr"] = lr
            return ()
        e, T, W = self.epoch, self.max_iter, self.warmup_epochs
        constants.update(lr_0=self.learning_rate_init, e=min(e, T - 1), T=T)
        if e < W:
            constants["W"] = W
            return (("lr", "lr_0 * (e + 1) / (W + 1)"),)
        if W:
            constants["W"] = W
            return (("lr", "0.5 * lr_0 * (1 + cos(pi * (e - W) / (T - W)))"),)
        return (("lr", "0.5 * lr_0 * (1 + cos(pi * e / T))"),)

    def _decay_term(self):
        return " - lr * wd * w" if self.weight_decay else ""

    def _constants(self):
        constants = {}
        if self.schedule == "cosine":
            constants["pi"] = math.pi
        return constants
