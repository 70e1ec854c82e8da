"""Warnings skbp raises besides scikit-learn's own."""

from ._versioning import InconsistentVersionWarning

__all__ = ["InconsistentVersionWarning", "TrainingInterruptedWarning"]


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
