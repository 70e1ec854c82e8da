"""Warnings skbp raises besides scikit-learn's own."""

from ._versioning import InconsistentVersionWarning

__all__ = [
    "InconsistentVersionWarning",
    "TargetScaleWarning",
    "TrainingInterruptedWarning",
]


class TrainingInterruptedWarning(UserWarning):
    """Training was stopped by Ctrl-C (KeyboardInterrupt) and rolled back.

    ``fit`` keeps the weights of the last completed epoch and ``partial_fit``
    leaves the model as it was before the call; the warning says which. A
    caller that must tell an interrupted fit from a finished one (a command
    line tool that should exit, say) can catch this category.

    Examples
    --------
    >>> import warnings
    >>> from skbp.exceptions import TrainingInterruptedWarning
    >>> issubclass(TrainingInterruptedWarning, UserWarning)
    True
    """


class TargetScaleWarning(UserWarning):
    """The target is out of the output units' reach: scale it.

    Issued by a regressor's fit that stopped without converging (at
    ``max_iter``, L-BFGS short of its tolerance, or an early stop because
    the loss no longer improved) on a target its output units cannot reach
    from their starting weights: values in the thousands for an identity
    output, or outside the range of a logistic, softmax or tanh output.
    Training longer rarely helps then; a scaled target does, and the
    message names the transformer to wrap the regressor in
    (``sklearn.compose.TransformedTargetRegressor``).

    A category of its own, not a ``ConvergenceWarning``: code that silences
    ``ConvergenceWarning`` (as many scripts and scikit-learn's own examples
    do) still sees it. The ``ConvergenceWarning`` of the same fit says only
    that it did not converge.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sklearn.exceptions import ConvergenceWarning
    >>> from skbp import BackpropRegressor
    >>> from skbp.exceptions import TargetScaleWarning
    >>> X = np.linspace(-1, 1, 40).reshape(-1, 1)
    >>> y = 4000 + 800 * X.ravel()  # grams, say
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.simplefilter("ignore", ConvergenceWarning)
    ...     _ = BackpropRegressor(max_iter=5, random_state=0).fit(X, y)
    >>> [w.category.__name__ for w in caught]
    ['TargetScaleWarning']
    >>> print(str(caught[0].message)[:43])
    y has values around 4.0e+03 (std 4.7e+02),
    """
