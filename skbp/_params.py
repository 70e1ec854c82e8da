"""The estimators' parameters: their declaration and the rules between them.

scikit-learn's ``_fit_context`` checks each parameter alone against
``_parameter_constraints``; :class:`ParametersMixin` adds what one
parameter's constraint cannot say: hidden layer sizes and units given as
lists, the dropout rate of each hidden layer, the output units a loss
allows, the settings only a solver that steps per batch has, and fitted
weights trained on with other units than theirs.
"""

import warnings
import weakref
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
)

from ._activations import HIDDEN_ACTIVATION_NAMES, canonical_name, hidden_layer_names
from ._losses import get_loss
from ._solvers import SOLVERS, either, is_stochastic, stochastic_solvers

HIDDEN_ACTIVATIONS = frozenset(HIDDEN_ACTIVATION_NAMES)


class _ListedStrOptions(StrOptions):
    """``StrOptions`` over a table's names, listed in the table's order.

    The names are read from ``names`` (a tuple or a table keyed by name) at
    each check, so that the table alone says what is accepted. The error
    message lists them in its order; scikit-learn's lists them in the order
    of a set of strings, which changes from one Python process to the next.
    """

    def __init__(self, names):
        self.names = names
        super().__init__(set(names))

    @property
    def options(self):
        return set(self.names)

    @options.setter
    def options(self, value):
        # scikit-learn's __init__ stores the set it was given; the table
        # stays the one source.
        pass

    @property
    def listed(self):
        return tuple(self.names)

    def __str__(self):
        return f"a str among {{{', '.join(map(repr, self.listed))}}}"


ACTIVATION_OPTIONS = _ListedStrOptions(HIDDEN_ACTIVATION_NAMES)
SOLVER_OPTIONS = _ListedStrOptions(SOLVERS)


_PARAM_NAMES = {}
# Per estimator, the parameters as scikit-learn's checks last passed them
# (kept out of the estimator, so that nothing of it is saved with a model).
_PASSED = weakref.WeakKeyDictionary()


def _as_checked(value):
    # The constraints read a container's type only (its items are skbp's own
    # rules, run on every call); anything else by type and value.
    if isinstance(value, list | tuple | dict | np.ndarray):
        return type(value).__qualname__
    return (type(value).__qualname__, value)


def _same_as_passed(estimator, params):
    passed = _PASSED.get(estimator)
    if passed is None or passed.keys() != params.keys():
        return False
    try:
        return all(passed[name] == params[name] for name in params)
    except Exception:  # a value that cannot be compared: check again
        return False


class ParametersMixin:
    """The parameters of BaseBackprop: declared, read and checked together."""

    @classmethod
    def _get_param_names(cls):
        # scikit-learn reads __init__'s signature on every get_params, so on
        # every fit, partial_fit, clone and repr; a class's signature does not
        # change, and reading it was a fifth of a small partial_fit.
        names = _PARAM_NAMES.get(cls)
        if names is None:
            names = _PARAM_NAMES[cls] = tuple(super()._get_param_names())
        return list(names)

    def _validate_params_again(self):
        """scikit-learn's checks of each parameter, unless they passed as they are.

        ``partial_fit`` runs them on every call (scikit-learn's only on the
        first); a small call spent a fifth of its time in them.
        """
        params = {
            name: _as_checked(value)
            for name, value in self.get_params(deep=False).items()
        }
        if not _same_as_passed(self, params):
            self._validate_params()
            _PASSED[self] = params

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [ACTIVATION_OPTIONS, list, tuple],
        "solver": [SOLVER_OPTIONS],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [
            StrOptions({"constant", "invscaling", "adaptive", "cosine"}),
            callable,
        ],
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
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "warmup_epochs": [Interval(Integral, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "restore_best": [StrOptions({"score", "loss"})],
    }

    def _hidden_units(self):
        sizes = self.hidden_layer_sizes
        # A 0-d array has __iter__ but cannot be iterated: one size, refused
        # below as scikit-learn's MLP fails on it (a TypeError of numpy's).
        if not hasattr(sizes, "__iter__") or np.ndim(sizes) == 0:
            sizes = [sizes]
        sizes = list(sizes)
        # A bool is an Integral to Python, but True is no layer size:
        # scikit-learn's MLP fails on it too (a TypeError when it builds
        # the layers).
        if not all(
            isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes
        ):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {sizes}."
            )
        return [int(s) for s in sizes]

    def _hidden_activations(self, n_hidden=None):
        """The table name of each hidden layer's activation, as a tuple.

        What the ``activation`` parameter asks for, which the next fit from
        scratch will use; a fitted network computes with its own units,
        ``hidden_activations_``. ``n_hidden`` defaults to the layers of a
        fitted network, else to ``hidden_layer_sizes``; a single name is
        every layer's.
        """
        if n_hidden is None:
            fitted = hasattr(self, "coefs_")
            n_hidden = len(self.coefs_) - 1 if fitted else len(self._hidden_units())
        names = self.activation
        if not isinstance(names, str):
            unknown = [
                a for a in names if not (isinstance(a, str) and a in HIDDEN_ACTIVATIONS)
            ]
            if unknown:
                # The error and the listed names of scikit-learn's check of
                # a single name, which this one extends to a list.
                raise InvalidParameterError(
                    f"The 'activation' parameter of {type(self).__name__} must be "
                    f"{ACTIVATION_OPTIONS} or a list or tuple of them, one per "
                    f"hidden layer. Got {unknown[0]!r} in {names!r}."
                )
        return hidden_layer_names(names, n_hidden)

    def _check_fitted_units(self, units):
        """Refuse to train fitted weights on with other units than theirs.

        As for other layer sizes: weights trained for one unit are no
        starting point for another, and taking ``activation`` up silently
        would leave predict, until the next fit, computing with units the
        weights were not trained for. Another number of hidden layers
        (``hidden_layer_sizes`` changed too) is left to the layer check,
        which names the sizes.
        """
        fitted = self.hidden_activations_
        if len(units) == len(fitted) and units != fitted:
            raise ValueError(
                f"The network was fitted with the hidden units {fitted} but "
                f"activation={self.activation!r} gives {units}. Set activation "
                "back to train these weights on, or refit with "
                "warm_start=False to change the units."
            )

    def _check_fitted_loss(self):
        """Refuse a loss the fitted output units cannot be trained with.

        ``out_activation_`` is chosen by the fit from scratch (the exp units
        of ``loss="poisson"``); a loss set afterwards that has no gradient
        through them would fail inside the first backward pass.
        """
        out = self.out_activation_
        if not get_loss(self.loss, out).supports(out):
            raise ValueError(
                f"loss={self.loss!r} cannot train the network's "
                f"out_activation_={out!r} output units, which it was fitted "
                "with. Set loss back to train these weights on, or refit with "
                "warm_start=False to change the output units."
            )

    def _dropout_rates(self, n_hidden):
        """The drop probability of each hidden layer, as a tuple of floats."""
        rates = self.dropout

        def nothing_to_drop():
            # One rate for every hidden layer of a network that has none
            # would be silently ignored.
            return ValueError(
                f"dropout={self.dropout!r} has no unit to drop: hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r} gives a network without hidden "
                "layers, and dropout drops hidden units. Set dropout=0 or add a "
                "hidden layer."
            )

        if isinstance(rates, Real):
            if rates and not n_hidden:
                raise nothing_to_drop()
            return (float(rates),) * n_hidden
        rates = np.asarray(rates)
        if rates.ndim == 0 and np.issubdtype(rates.dtype, np.number):
            if rates and not n_hidden:
                raise nothing_to_drop()
            rates = np.full(n_hidden, rates, dtype=float)
        if rates.ndim != 1 or not np.issubdtype(rates.dtype, np.number):
            raise ValueError(
                "dropout must be a float or one float per hidden layer; got "
                f"{self.dropout!r}."
            )
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout={self.dropout!r} gives {len(rates)} rate(s) but the "
                f"network has {n_hidden} hidden layer(s) (hidden_layer_sizes="
                f"{self.hidden_layer_sizes!r}); give one rate for all hidden "
                "layers or one per hidden layer."
            )
        if not ((rates >= 0) & (rates < 1)).all():
            raise ValueError(
                "Each dropout rate must be in [0, 1): the probability of "
                f"dropping a unit; got {self.dropout!r}."
            )
        return tuple(float(r) for r in rates)

    def _check_per_batch_settings(self, n_hidden):
        """Refuse settings that act per batch under a solver without batches.

        Refused rather than ignored: a parameter that cannot act must not
        look as if it did. The dropout rates are checked whatever the
        solver.
        """
        rates = self._dropout_rates(n_hidden)
        self._check_schedule()
        solver = SOLVERS[self.solver]
        if solver.stochastic:
            return
        stochastic = either(stochastic_solvers())
        scheduled = self.learning_rate == "cosine" or callable(self.learning_rate)
        for name, on in (
            ("learning_rate", scheduled),
            ("weight_decay", self.weight_decay),
        ):
            if on:
                raise ValueError(
                    f"{name}={getattr(self, name)!r} needs a stochastic solver "
                    f"({stochastic}): it acts on each step's size or weights, and "
                    f"{solver.title} takes no steps of a given size. Choose "
                    "another solver, or a constant learning_rate and "
                    "weight_decay=0."
                )
        if any(rates):
            raise ValueError(
                f"dropout needs a stochastic solver ({stochastic}): it draws "
                f"new masks for every batch, and {solver.title} needs the same "
                "loss at every evaluation. Set dropout=0 or choose another "
                "solver."
            )
        if self.clip_grad_norm is not None:
            raise ValueError(
                f"clip_grad_norm needs a stochastic solver ({stochastic}): it "
                "scales down each batch's gradient before the step, and "
                f"{solver.title} needs the loss's own gradient at every "
                "evaluation. Set clip_grad_norm=None or choose another solver."
            )

    def _check_schedule(self):
        """Refuse a warm-up the schedule would not run."""
        if not self.warmup_epochs:
            return
        if self.learning_rate != "cosine":
            raise ValueError(
                f"warmup_epochs={self.warmup_epochs} is the warm-up of "
                f"learning_rate='cosine'; got learning_rate={self.learning_rate!r}. "
                "Set warmup_epochs=0, or write the warm-up into a callable "
                "learning_rate."
            )
        if self.warmup_epochs >= self.max_iter:
            raise ValueError(
                f"warmup_epochs={self.warmup_epochs} leaves no epoch of the "
                f"cosine schedule's max_iter={self.max_iter}; it must be less "
                "than max_iter."
            )

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

    def _check_solver(self):
        # partial_fit exists only for the stochastic solvers (for lbfgs it
        # would silently run a whole fit).
        if not is_stochastic(self.solver):
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True
