"""Optimizers: how a gradient becomes a weight update.

Stochastic optimizers share scikit-learn's interface (``update_params``,
``iteration_ends``, ``trigger_stopping``) and its arithmetic, so that with
the same initial weights skbp follows ``MLPClassifier`` step for step; the
updates here are written in place into per-parameter scratch buffers.
The cosine and callable schedules and decoupled weight decay, which
scikit-learn lacks, come from ``skbp._schedules.Schedule`` (off unless
``set_schedule`` turns them on). L-BFGS, which is no stochastic optimizer,
is ``skbp._lbfgs``.
"""

import copy

import numpy as np

from ._schedules import Schedule, schedule_settings


class BaseOptimizer(Schedule):
    """Common state of the stochastic optimizers.

    Parameters
    ----------
    params : list of ndarray
        The arrays updated in place (coefs, then intercepts when fitted).
    learning_rate_init : float
        Initial step size η.

    Attributes
    ----------
    learning_rate : float
        Current step size.
    eta : float
        The scheduled step size η of the current step: ``learning_rate_init``
        unless a schedule (:meth:`set_schedule`) sets it.
    epoch, step : int
        Epochs completed and updates made, which a schedule reads.
    """

    def __init__(self, params, learning_rate_init):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.eta = learning_rate_init
        self._scratch = [np.empty_like(p) for p in params]

    def __getstate__(self):
        # Scratch buffers carry no state; a saved model need not hold them.
        state = self.__dict__.copy()
        del state["_scratch"]
        return state

    def __setstate__(self, state):
        state.setdefault("eta", state["learning_rate_init"])
        self.__dict__.update(state)
        moments = []
        for name in self._state_attrs:
            value = getattr(self, name)
            if isinstance(value, list):
                # Updated in place: a model loaded read-only (joblib's
                # mmap_mode="r") gets its own copy so that it can train on.
                value = [a if a.flags.writeable else a.copy() for a in value]
                setattr(self, name, value)
                moments = value
        self._scratch = [np.empty_like(m) for m in moments]

    def update_params(self, params, grads):
        """Apply one update to ``params`` in place.

        Parameters
        ----------
        params : list of ndarray
            Parameters, in the order given at construction.
        grads : list of ndarray
            ∂E/∂param for each of them.
        """
        raise NotImplementedError

    def iteration_ends(self, time_step):
        """Hook called at the end of each epoch: the cosine schedule steps.

        Parameters
        ----------
        time_step : int
            Number of samples seen so far.
        """
        self._next_epoch()

    # Names of the attributes that make up the optimizer's state: lists of
    # arrays (momentum buffers, moments) and scalars (step size, step count).
    _state_attrs = ("learning_rate", "eta", "epoch", "step")
    # The constants from_estimator reads from the estimator's parameters.
    _setting_attrs = (
        "learning_rate_init",
        "schedule",
        "max_iter",
        "warmup_epochs",
        "weight_decay",
        "n_weights",
    )
    # The state arrays as update_formulas names them: symbol -> attribute.
    _state_symbols = {}

    @property
    def state_symbols(self):
        """The state arrays as update_formulas names them: symbol -> attribute."""
        if self.weight_decay:
            # Per parameter, as the intercepts are not decayed.
            return {**self._state_symbols, "wd": "decays"}
        return self._state_symbols

    def update_formulas(self):
        """The update just made, as formulas :meth:`skbp.StepTrace.explain` writes.

        Called after :meth:`update_params`, so that the constants are those
        of that update (Adam's step count t).

        Returns
        -------
        formulas : tuple of (str, str)
            ``(name, expression)`` in the order they are computed, as Python
            expressions (``skbp._expressions.parse``) in ``w`` (a
            parameter), ``g`` (its gradient), the symbols of
            ``state_symbols`` (the state before the update), the constants,
            and the names computed before. The new parameter is ``w_new``, a
            state symbol's new value ``<symbol>_new``; a formula without
            ``w`` or ``g`` is one number for every parameter.
        constants : dict of str to float
        """
        raise NotImplementedError

    def get_state(self):
        """A copy of the optimizer's state, for :meth:`set_state`.

        Returns
        -------
        state : dict
        """
        return {
            name: [a.copy() for a in value] if isinstance(value, list) else value
            for name in self._state_attrs
            for value in [getattr(self, name)]
        }

    def set_state(self, state):
        """Restore a state taken by :meth:`get_state`, in place.

        Parameters
        ----------
        state : dict
        """
        for name, value in state.items():
            if isinstance(value, list):
                for current, saved in zip(getattr(self, name), value):
                    current[...] = saved
            else:
                setattr(self, name, value)

    @classmethod
    def from_estimator(cls, params, estimator):
        """The optimizer an estimator's parameters ask for, over ``params``.

        Each optimizer reads its own constants from the estimator (it alone
        knows which), so that the estimator builds whichever optimizer its
        solver's entry in ``skbp._solvers.SOLVERS`` names without knowing
        its update rule.

        Parameters
        ----------
        params : list of ndarray
            The arrays the optimizer updates in place.
        estimator : skbp._base.BaseBackprop
            Read for ``learning_rate_init`` and the optimizer's own
            parameters.

        Returns
        -------
        optimizer : BaseOptimizer
        """
        raise NotImplementedError

    def for_params(self, params):
        """This optimizer, or a copy of it whose state fits resized parameters.

        The trained vector grows or shrinks when ``fit_intercept`` is switched
        between ``fit`` and ``partial_fit`` or ``trace_step``: every weight
        comes first, the intercepts after them, so the head is the same
        parameters as before. Its state carries over (the weights' momentum or
        moments), as do the step size and step count; a tail that is added
        starts at zero, the state of parameters whose gradient was zero so
        far -- which is what intercepts held fixed had -- and a tail that is
        dropped is forgotten.

        Parameters
        ----------
        params : list of ndarray
            The flat parameter vectors the optimizer updates from now on.

        Returns
        -------
        optimizer : BaseOptimizer
            ``self`` when its state already has their shapes, else a new
            optimizer; ``self`` is left as it was, so that a call that fails
            later can put it back.

        Examples
        --------
        >>> import numpy as np
        >>> sgd = SGD([np.zeros(3)], momentum=0.5, nesterov=False)
        >>> sgd.update_params([np.zeros(3)], [np.ones(3)])
        >>> longer = sgd.for_params([np.zeros(5)])
        >>> longer.velocities[0].tolist(), sgd.velocities[0].tolist()
        ([-0.1, -0.1, -0.1, 0.0, 0.0], [-0.1, -0.1, -0.1])
        >>> sgd.for_params([np.zeros(3)]) is sgd
        True
        """
        lists = [
            name for name in self._state_attrs if isinstance(getattr(self, name), list)
        ]
        if all(
            a.shape == p.shape
            for name in lists
            for a, p in zip(getattr(self, name), params, strict=True)
        ):
            return self
        resized = copy.copy(self)
        for name in lists:
            arrays = []
            for old, p in zip(getattr(self, name), params, strict=True):
                new = np.zeros_like(p)
                n = min(old.size, new.size)
                new[:n] = old[:n]
                arrays.append(new)
            setattr(resized, name, arrays)
        resized._scratch = [np.empty_like(p) for p in params]
        return resized

    def settings(self):
        """The constants this optimizer was made with, by name.

        Returns
        -------
        settings : dict
        """
        return {name: getattr(self, name) for name in self._setting_attrs}

    def carried_into(self, fresh):
        """``fresh`` (made from the parameters as they are) with this one's progress.

        ``partial_fit`` and ``trace_step`` train with the parameters as they
        are at the call (scikit-learn keeps the optimizer of the first call
        and ignores ``set_params`` after it). The same kind of optimizer
        keeps its state: momentum or moments, step count, epoch, and the step
        size -- rescaled by the ratio of the new ``learning_rate_init`` to
        the old one, so that a schedule goes on from where it was (a
        constant rate becomes the new one), or restarted as ``fresh``'s when
        the schedule itself changed. Another solver's optimizer starts with
        its own state at zero, at the epoch and step reached.

        Parameters
        ----------
        fresh : BaseOptimizer
            A new optimizer over the same parameters.

        Returns
        -------
        fresh : BaseOptimizer
            Updated in place.

        Examples
        --------
        >>> import numpy as np
        >>> sgd = SGD([np.zeros(2)], learning_rate_init=0.1, momentum=0.5)
        >>> sgd.update_params([np.zeros(2)], [np.ones(2)])
        >>> faster = sgd.carried_into(SGD([np.zeros(2)], 0.2, momentum=0.5))
        >>> faster.learning_rate, faster.velocities[0].tolist()
        (0.2, [-0.1, -0.1])
        """
        if type(fresh) is type(self):
            state = self.get_state()
            rule = (getattr(self, "lr_schedule", None), self.schedule)
            if rule != (getattr(fresh, "lr_schedule", None), fresh.schedule):
                del state["learning_rate"], state["eta"]
            elif fresh.learning_rate_init != self.learning_rate_init:
                for name in ("learning_rate", "eta"):
                    ratio = state[name] / self.learning_rate_init
                    state[name] = fresh.learning_rate_init * ratio
            fresh.set_state(state)
        else:
            fresh.epoch, fresh.step = self.epoch, self.step
        fresh._resume_schedule()
        return fresh

    def trigger_stopping(self, msg, verbose):
        """Decide whether training stops after no improvement.

        Parameters
        ----------
        msg : str
            Reason, printed when ``verbose``.
        verbose : bool
            Whether to print.

        Returns
        -------
        stop : bool
        """
        if verbose:
            print(msg + " Stopping.")
        return True


class SGD(BaseOptimizer):
    """Stochastic gradient descent with momentum and learning-rate schedules.

    With ``momentum=0`` this is the worked examples' update ``w <- w - η ∂E/∂w``.

    Parameters
    ----------
    params : list of ndarray
        Parameters updated in place.
    learning_rate_init : float, default=0.1
        Initial step size η.
    lr_schedule : {"constant", "invscaling", "adaptive"}, default="constant"
        ``invscaling``: η_t = η / (t + 1)**power_t with t the samples seen;
        ``adaptive``: η is divided by 5 when the loss stops improving
        (``set_schedule`` adds ``"cosine"`` and a callable).
    momentum : float, default=0.9
        Momentum μ: v <- μ v - η g.
    nesterov : bool, default=True
        Use Nesterov's momentum (step w += μ v - η g) instead of w += v.
    power_t : float, default=0.5
        Exponent of ``invscaling``.

    Attributes
    ----------
    velocities : list of ndarray
        Momentum buffers.
    """

    _state_attrs = (*BaseOptimizer._state_attrs, "velocities")
    _setting_attrs = (
        *BaseOptimizer._setting_attrs,
        "lr_schedule",
        "momentum",
        "nesterov",
        "power_t",
    )
    _state_symbols = {"v": "velocities"}

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
    ):
        super().__init__(params, learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocities = [np.zeros_like(p) for p in params]

    @classmethod
    def from_estimator(cls, params, estimator):
        """SGD with an estimator's step size, schedule and momentum.

        Parameters
        ----------
        params : list of ndarray
            The arrays updated in place.
        estimator : skbp._base.BaseBackprop
            Read for ``learning_rate_init``, ``learning_rate`` (the
            schedule), ``momentum``, ``nesterovs_momentum`` and ``power_t``.

        Returns
        -------
        optimizer : SGD

        Examples
        --------
        >>> import numpy as np
        >>> from skbp import BackpropRegressor
        >>> net = BackpropRegressor(solver="sgd", momentum=0.5)
        >>> SGD.from_estimator([np.zeros(3)], net).momentum
        0.5
        """
        schedule = estimator.learning_rate
        return cls(
            params,
            estimator.learning_rate_init,
            schedule if isinstance(schedule, str) else "constant",
            estimator.momentum,
            estimator.nesterovs_momentum,
            estimator.power_t,
        ).set_schedule(**schedule_settings(estimator))

    def _set_eta(self, eta):
        self.eta = eta
        self.learning_rate = float(eta)

    def _decay_rate(self):
        # invscaling and adaptive change the rate itself.
        return self.learning_rate

    def update_params(self, params, grads):
        """Apply one momentum step in place.

        Parameters
        ----------
        params : list of ndarray
            Parameters.
        grads : list of ndarray
            Their gradients.
        """
        self._before_update(params)
        lr, mu = self.learning_rate, self.momentum
        for p, g, v, s in zip(params, grads, self.velocities, self._scratch):
            np.multiply(g, -lr, out=s)
            if mu == 0:
                p += s
                continue
            v *= mu
            v += s
            if self.nesterov:
                p += s
                np.multiply(v, mu, out=s)
                p += s
            else:
                p += v

    def update_formulas(self):
        """Plain, momentum or Nesterov's step as formulas.

        Returns
        -------
        formulas : tuple of (str, str)
        constants : dict of str to float
            The step size ``lr`` (η) and, with momentum, ``mu`` (μ).

        Examples
        --------
        >>> import numpy as np
        >>> SGD([np.zeros(2)], momentum=0.9, nesterov=True).update_formulas()[0]
        (('v_new', 'mu * v - lr * g'), ('w_new', 'w + mu * v_new - lr * g'))
        """
        constants = self._constants()
        rate = self._schedule_formulas(constants, self.learning_rate)
        decay = self._decay_term()
        if self.momentum == 0:
            return (*rate, ("w_new", "w - lr * g" + decay)), constants
        constants["mu"] = self.momentum
        # update_params: v <- mu v - lr g, then w += v, or with Nesterov's
        # look-ahead w += -lr g + mu v; the decay reads w before the step.
        new = "w + mu * v_new - lr * g" if self.nesterov else "w + v_new"
        return (*rate, ("v_new", "mu * v - lr * g"), ("w_new", new + decay)), constants

    def iteration_ends(self, time_step):
        """Decay the learning rate for ``invscaling`` or ``cosine``.

        Parameters
        ----------
        time_step : int
            Number of samples seen so far.
        """
        super().iteration_ends(time_step)
        if self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        """Stop, or with ``adaptive`` divide the learning rate by 5 and go on.

        Parameters
        ----------
        msg : str
            Reason, printed when ``verbose``.
        verbose : bool
            Whether to print.

        Returns
        -------
        stop : bool
        """
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(msg, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + f" Setting learning rate to {self.learning_rate:f}")
        return False


class Adam(BaseOptimizer):
    """Adam (Kingma & Ba, 2014), with scikit-learn's bias correction.

    Parameters
    ----------
    params : list of ndarray
        Parameters updated in place.
    learning_rate_init : float, default=0.001
        Step size.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first and second moment estimates.
    epsilon : float, default=1e-8
        Added to the root of the second moment.

    Attributes
    ----------
    t : int
        Number of updates made.
    ms, vs : list of ndarray
        First and second moment estimates.
    """

    _state_attrs = (*BaseOptimizer._state_attrs, "t", "ms", "vs")
    _setting_attrs = (*BaseOptimizer._setting_attrs, "beta_1", "beta_2", "epsilon")
    _state_symbols = {"m": "ms", "v": "vs"}

    def __init__(
        self, params, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        super().__init__(params, learning_rate_init)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.ms = [np.zeros_like(p) for p in params]
        self.vs = [np.zeros_like(p) for p in params]

    @classmethod
    def from_estimator(cls, params, estimator):
        """Adam with an estimator's step size, decay rates and epsilon.

        Parameters
        ----------
        params : list of ndarray
            The arrays updated in place.
        estimator : skbp._base.BaseBackprop
            Read for ``learning_rate_init``, ``beta_1``, ``beta_2`` and
            ``epsilon``.

        Returns
        -------
        optimizer : Adam

        Examples
        --------
        >>> import numpy as np
        >>> from skbp import BackpropRegressor
        >>> net = BackpropRegressor(solver="adam", beta_2=0.99)
        >>> Adam.from_estimator([np.zeros(3)], net).beta_2
        0.99
        """
        return cls(
            params,
            estimator.learning_rate_init,
            estimator.beta_1,
            estimator.beta_2,
            estimator.epsilon,
        ).set_schedule(**schedule_settings(estimator))

    def update_formulas(self):
        """Adam's step as formulas, with scikit-learn's bias-corrected step size.

        Returns
        -------
        formulas : tuple of (str, str)
        constants : dict of str to float
            ``lr`` (learning_rate_init), ``beta_1``, ``beta_2``, ``eps`` and
            ``t``, the number of this update.

        Examples
        --------
        >>> import numpy as np
        >>> Adam([np.zeros(2)]).update_formulas()[0][0]
        ('lr_t', 'lr * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)')
        """
        constants = self._constants()
        rate = self._schedule_formulas(constants, self.eta)
        constants.update(
            beta_1=self.beta_1, beta_2=self.beta_2, eps=self.epsilon, t=self.t
        )
        return (
            *rate,
            ("lr_t", "lr * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)"),
            ("m_new", "beta_1 * m + (1 - beta_1) * g"),
            ("v_new", "beta_2 * v + (1 - beta_2) * g ** 2"),
            ("w_new", "w - lr_t * m_new / (sqrt(v_new) + eps)" + self._decay_term()),
        ), constants

    def update_params(self, params, grads):
        """Apply one Adam step in place.

        Parameters
        ----------
        params : list of ndarray
            Parameters.
        grads : list of ndarray
            Their gradients.
        """
        self._before_update(params)
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        self.learning_rate = self.eta * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for p, g, m, v, s in zip(params, grads, self.ms, self.vs, self._scratch):
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s += self.epsilon
            np.divide(m, s, out=s)
            s *= -self.learning_rate
            p += s
