"""Helpers shared by the displays of skbp.plot."""

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


def _check_matplotlib(caller):
    """Raise an ImportError naming the ``plot`` extra if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed: "
            "pip install matplotlib"
        ) from e


def _new_axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _fitted_network(estimator):
    """The fitted network itself: the final step of a pipeline."""
    if isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    check_is_fitted(estimator)
    return estimator
