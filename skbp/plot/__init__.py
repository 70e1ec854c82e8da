"""Plots of a network and its training, in scikit-learn's Display style.

``LossCurveDisplay`` draws the training loss of each epoch (and the
validation score and loss, with early stopping or a validation set given to
``fit``); ``GradientNormDisplay`` draws the
gradient norm of each layer of weights per epoch, where the vanishing
gradient of logistic units shows. ``NetworkDisplay`` draws the network
itself: its units, and its weights as edges, with every number of one
traced step on small networks. ``HiddenUnitsDisplay`` draws what each unit
of a network with two inputs computes, as an image over the input plane.
Each is built with ``from_estimator`` and has ``plot(ax=...)``, ``ax_`` and
``figure_``, like :class:`sklearn.metrics.RocCurveDisplay`.

matplotlib is needed only to draw and is imported when a plot is made, so
``import skbp.plot`` works without it; install it with ``pip install
matplotlib``, or with the ``plot`` extra (``pip install -e ".[plot]"`` in a
clone of skbp).
"""

from ._curves import GradientNormDisplay, LossCurveDisplay
from ._network import NetworkDisplay
from ._units import HiddenUnitsDisplay

__all__ = [
    "GradientNormDisplay",
    "HiddenUnitsDisplay",
    "LossCurveDisplay",
    "NetworkDisplay",
]
