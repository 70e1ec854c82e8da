"""scikit-learn's estimator checks, at the defaults and at a few other settings."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbp import BackpropClassifier, BackpropRegressor

ESTIMATORS = [
    BackpropClassifier(),
    BackpropRegressor(),
    BackpropClassifier(solver="sgd", learning_rate_init=0.1),
    BackpropRegressor(solver="sgd", learning_rate_init=0.01),
    # check_class_weight_classifiers fits noisy, unscaled blobs; at the default
    # step size a tanh network stops (by tol) before it extrapolates class 0
    # to regions without class-0 samples: 0.86 < 0.87 of predictions, exactly
    # what MLPClassifier(activation="tanh") gives with the same sample weights.
    BackpropClassifier(activation="tanh", learning_rate_init=0.01),
    BackpropRegressor(activation="tanh"),
    BackpropClassifier(activation="relu"),
    BackpropRegressor(activation="relu"),
    BackpropClassifier(loss="squared_error"),
    BackpropClassifier(solver="lbfgs"),
    BackpropRegressor(solver="lbfgs"),
]


# The checks fit on small random data for a fixed number of epochs and test
# the API, not convergence: a ConvergenceWarning there says nothing (the
# convergence warnings themselves are asserted in test_reliability.py and
# test_estimators.py).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
