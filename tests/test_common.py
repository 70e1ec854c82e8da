"""scikit-learn's estimator checks, at the defaults and at a few other settings."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skbp import BackpropClassifier, BackpropRegressor

ESTIMATORS = [
    BackpropClassifier(),
    BackpropRegressor(),
    BackpropClassifier(solver="sgd", learning_rate_init=0.1),
    BackpropRegressor(solver="sgd", learning_rate_init=0.01),
    BackpropClassifier(activation="tanh"),
    BackpropRegressor(activation="tanh"),
    BackpropClassifier(activation="relu"),
    BackpropRegressor(activation="relu"),
    BackpropClassifier(loss="squared_error"),
    BackpropClassifier(solver="lbfgs"),
    BackpropRegressor(solver="lbfgs"),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
