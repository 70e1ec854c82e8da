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


def training_progress(net):
    """How long a network has trained: ``"after 600 epochs"``.

    Parameters
    ----------
    net : estimator instance
        A fitted network.

    Returns
    -------
    text : str
        The epochs of a stochastic solver (every entry of ``loss_curve_``,
        over ``partial_fit`` calls and warm starts) or the L-BFGS
        iterations of the last fit.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp import BackpropClassifier
    >>> from skbp.plot._common import training_progress
    >>> X, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1])
    >>> clf = BackpropClassifier(hidden_layer_sizes=(2,), random_state=0)
    >>> training_progress(clf.partial_fit(X, y, classes=[0, 1]))
    'after 1 epoch'
    >>> training_progress(clf.partial_fit(X, y))
    'after 2 epochs'
    """
    curve = getattr(net, "loss_curve_", None)
    if net.solver == "lbfgs" or curve is None:
        n = net.n_iter_
        what = "L-BFGS iteration" if net.solver == "lbfgs" else "epoch"
    else:
        n, what = len(curve), "epoch"
    return f"after {n} {what}{'' if n == 1 else 's'}"
