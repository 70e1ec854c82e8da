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
    # One logistic unit per class: predict_proba scales them to sum to 1.
    BackpropClassifier(out_activation="logistic"),
    BackpropClassifier(solver="lbfgs"),
    BackpropRegressor(solver="lbfgs"),
    # What scikit-learn's MLP lacks: dropout, an activation per hidden layer
    # (here the one hidden layer's), gradient clipping.
    BackpropClassifier(dropout=0.2, activation=("softplus",), clip_grad_norm=5.0),
    BackpropRegressor(dropout=(0.1,), activation=["leaky_relu"]),
    # Issue 23's schedules and decoupled weight decay, with sgd and adam.
    BackpropRegressor(
        solver="sgd",
        learning_rate="cosine",
        warmup_epochs=2,
        weight_decay=0.01,
        learning_rate_init=0.01,
    ),
    BackpropClassifier(learning_rate="cosine", weight_decay=0.1),
    # Issue 23's label smoothing, on the log-loss and on squared error.
    BackpropClassifier(label_smoothing=0.1),
    BackpropClassifier(label_smoothing=0.2, loss="squared_error", solver="lbfgs"),
    # Issue 23's restore_best: early stopping cannot run the checks (they
    # fit ten samples and call partial_fit), so it is set where it rests.
    BackpropRegressor(restore_best="loss"),
]


# The checks fit on small random data for a fixed number of epochs and test
# the API, not convergence: a ConvergenceWarning there says nothing (the
# convergence warnings themselves are asserted in test_reliability.py and
# test_estimators.py).
def expected_failed_checks(estimator):
    """The checks a configuration fails by design, with the reason."""
    if estimator.dropout == 0:
        return {}
    reason = (
        "dropout draws a mask per row: a row repeated k times is masked k "
        "independent ways, a row of weight k once, so the two fits differ"
    )
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


# Older scikit-learn (1.6 among them) hands pytest the cases as a generator,
# which pytest 9 deprecates and pytest 10 refuses: the same cases as a list.
_checks = parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks
)
each_check = pytest.mark.parametrize(
    _checks.args[0], list(_checks.args[1]), **_checks.kwargs
)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@each_check
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
