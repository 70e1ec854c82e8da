"""skbp: scikit-learn compatible multilayer perceptrons with hand-written backprop."""

from ._classifier import BackpropClassifier
from ._gradcheck import check_gradients
from ._kernels import kernel_choices
from ._regressor import BackpropRegressor
from ._show_versions import show_versions
from ._trace import StepTrace

__version__ = "0.2.0.dev0"

__all__ = [
    "BackpropClassifier",
    "BackpropRegressor",
    "StepTrace",
    "__version__",
    "check_gradients",
    "kernel_choices",
    "show_versions",
]
