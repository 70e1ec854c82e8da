"""The solvers: what each name the ``solver`` parameter accepts stands for.

:data:`SOLVERS` is the one place a solver is defined. Everything that
depends on the solver looks it up there: parameter validation (the names it
accepts), the optimizer a fit builds, the training loop that runs, and the
rules that hold only for solvers that step through batches (``partial_fit``,
``trace_step``, batches and their size, early stopping, learning-rate
schedules, dropout, gradient clipping). A name that is not in the table is
refused by parameter validation; nothing falls back on a default solver.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import _training
from ._optimizers import SGD, Adam, BaseOptimizer


@dataclass(frozen=True)
class Solver:
    """What a ``solver`` name stands for.

    Parameters
    ----------
    title : str
        Its name in messages ("L-BFGS").
    fit : callable
        The training loop, called as ``fit(estimator, X, y, sample_weight,
        layer_units, incremental, tasks)`` (``skbp._training``).
    optimizer : type or None, default=None
        The :class:`~skbp._optimizers.BaseOptimizer` subclass that turns
        each batch's gradient into a step, built from the estimator's
        parameters by its ``from_estimator``. None for a solver that
        minimises the full-batch loss itself.

    Examples
    --------
    >>> SOLVERS["adam"].stochastic, SOLVERS["lbfgs"].stochastic
    (True, False)
    """

    title: str
    fit: Callable
    optimizer: type[BaseOptimizer] | None = None

    @property
    def stochastic(self):
        """Whether it steps an optimizer once per batch.

        Only such a solver has ``partial_fit``, ``trace_step``, batches,
        early stopping, a learning-rate schedule, dropout and gradient
        clipping.
        """
        return self.optimizer is not None


# In the order the documentation and messages list the names.
SOLVERS = {
    "adam": Solver("Adam", _training.fit_stochastic, Adam),
    "sgd": Solver("SGD", _training.fit_stochastic, SGD),
    "lbfgs": Solver("L-BFGS", _training.fit_lbfgs),
}


def stochastic_solvers():
    """The names of the solvers that step per batch, in the table's order.

    Returns
    -------
    names : tuple of str

    Examples
    --------
    >>> stochastic_solvers()
    ('adam', 'sgd')
    """
    return tuple(name for name, solver in SOLVERS.items() if solver.stochastic)


def is_stochastic(name):
    """Whether ``name`` is a solver of the table that steps per batch.

    Anything else, a name the table does not have or no string at all, is
    not: ``partial_fit`` asks this before any parameter is validated.

    Parameters
    ----------
    name : object
        A value of the ``solver`` parameter.

    Returns
    -------
    stochastic : bool
    """
    return isinstance(name, str) and name in SOLVERS and SOLVERS[name].stochastic


def either(names, quote=repr):
    """``names`` as the alternatives a message offers: "'adam' or 'sgd'".

    Parameters
    ----------
    names : sequence of str
    quote : callable, default=repr
        How each name is written (``str`` for the command line's words).

    Returns
    -------
    text : str

    Examples
    --------
    >>> either(stochastic_solvers())
    "'adam' or 'sgd'"
    >>> either(["adam", "sgd", "lbfgs"], quote=str)
    'adam, sgd or lbfgs'
    """
    words = [quote(name) for name in names]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"
