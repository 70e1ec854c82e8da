"""Property-based tests: any data skbp accepts gives finite, consistent outputs.

Hypothesis draws the shape, dtype (float16/32/64, int32/64), magnitude (up
to 1e300, within the dtype's range), sparsity and values. For every draw a
fit either raises a clear ``ValueError`` or yields a model whose
predictions are finite, whose probabilities are probabilities, and whose
predictions do not depend on the order of the rows.

A draw that ends in a clear error passes without reaching the checks on the
model, so each property counts the draws it checked and fails when too few
were (see ``assert_enough_checked``).
"""

import warnings
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skbp import BackpropClassifier, BackpropRegressor

DTYPES = [np.float16, np.float32, np.float64, np.int32, np.int64]
# Derandomized: CI explores the same 200 examples each run (a new random
# search per run could turn CI red on an unrelated change); widen the search
# locally with max_examples (3000 per property passed when written).
PROPERTY_SETTINGS = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
SOLVERS = ["sgd", "adam", "lbfgs"]
# Of the 200 draws, all 200 of each property reached its checks when this
# was written. Requiring three quarters leaves room for a change in what is
# rejected, but not for a property that has quietly stopped checking; and
# each solver must have its own share, so that one solver rejecting
# everything cannot hide behind the others.
MIN_CHECKED = 0.75
MIN_CHECKED_PER_SOLVER = 0.1

CHECKED = "checked"
REJECTED_BY_FIT = "fit raised a clear ValueError"
REJECTED_BY_PREDICT = "predict raised a clear ValueError"


@st.composite
def data(draw):
    n = draw(st.integers(2, 25))
    d = draw(st.integers(1, 4))
    dtype = draw(st.sampled_from(DTYPES))
    exponent = draw(st.integers(-3, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = np.finfo(dtype) if np.issubdtype(dtype, np.floating) else np.iinfo(dtype)
    limit = min(10.0**exponent, float(kind.max))
    X = rng.standard_normal((n, d)) * limit / 4
    X = np.clip(X, -float(kind.max), float(kind.max)).astype(dtype)
    if draw(st.booleans()):
        X[rng.random((n, d)) < 0.5] = 0
    if dtype != np.float16 and draw(st.booleans()):  # scipy has no float16
        X = sp.csr_matrix(X)
    return X, rng


def _fit(est, X, y):
    """Fit with warnings silenced except RuntimeWarning, which fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return est.fit(X, y)
        except ValueError as e:
            assert str(e)  # a rejection must say why
            return None


def _predict(method, X):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return method(X)
        except ValueError as e:
            assert "too large" in str(e)
            return None


def _permuted(X, perm):
    return X[perm] if not sp.issparse(X) else X.tocsr()[perm]


def assert_enough_checked(outcomes):
    """Fail unless enough draws, overall and per solver, reached the checks.

    ``outcomes`` counts the draws by (solver, outcome).
    """
    n_draws = PROPERTY_SETTINGS.max_examples
    checked = {solver: outcomes[solver, CHECKED] for solver in SOLVERS}
    summary = f"of {n_draws} draws: {dict(outcomes)}"
    assert sum(checked.values()) >= MIN_CHECKED * n_draws, summary
    for solver, n_checked in checked.items():
        assert n_checked >= MIN_CHECKED_PER_SOLVER * n_draws, (solver, summary)


def _check_classifier(drawn, n_classes, solver):
    """Check one draw; return its outcome."""
    X, rng = drawn
    y = rng.integers(0, n_classes, X.shape[0])
    est = BackpropClassifier(
        hidden_layer_sizes=(3,), solver=solver, max_iter=3, random_state=0
    )
    if _fit(est, X, y) is None:
        return REJECTED_BY_FIT
    proba = _predict(est.predict_proba, X)
    if proba is None:
        return REJECTED_BY_PREDICT
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    tolerance = 1e-5 if est.coefs_[0].dtype == np.float32 else 1e-12
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=tolerance)
    labels = est.predict(X)
    assert set(labels) <= set(est.classes_)

    perm = rng.permutation(X.shape[0])
    np.testing.assert_allclose(
        est.predict_proba(_permuted(X, perm)), proba[perm], rtol=1e-5, atol=1e-7
    )
    # Labels agree wherever the two most probable classes are not tied to
    # rounding (a permutation may change the last bit of a product).
    top2 = np.sort(proba, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-5
    np.testing.assert_array_equal(
        est.predict(_permuted(X, perm))[clear[perm]], labels[perm][clear[perm]]
    )
    return CHECKED


def test_classifier_gives_probabilities_or_a_clear_error():
    outcomes = Counter()

    @PROPERTY_SETTINGS
    @given(data(), st.integers(2, 4), st.sampled_from(SOLVERS))
    def classifier_property(drawn, n_classes, solver):
        outcomes[solver, _check_classifier(drawn, n_classes, solver)] += 1

    classifier_property()
    assert_enough_checked(outcomes)


def _check_regressor(drawn, solver, n_outputs):
    """Check one draw; return its outcome."""
    X, rng = drawn
    y = rng.standard_normal((X.shape[0], n_outputs)).squeeze()
    est = BackpropRegressor(
        hidden_layer_sizes=(3,), solver=solver, max_iter=3, random_state=0
    )
    if _fit(est, X, y) is None:
        return REJECTED_BY_FIT
    pred = _predict(est.predict, X)
    if pred is None:
        return REJECTED_BY_PREDICT
    assert np.isfinite(pred).all()
    assert pred.shape == y.shape
    perm = rng.permutation(X.shape[0])
    np.testing.assert_allclose(
        est.predict(_permuted(X, perm)), pred[perm], rtol=1e-5, atol=1e-7
    )
    return CHECKED


def test_regressor_gives_finite_predictions_or_a_clear_error():
    outcomes = Counter()

    @PROPERTY_SETTINGS
    @given(data(), st.sampled_from(SOLVERS), st.integers(1, 3))
    def regressor_property(drawn, solver, n_outputs):
        outcomes[solver, _check_regressor(drawn, solver, n_outputs)] += 1

    regressor_property()
    assert_enough_checked(outcomes)


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_float16_and_integer_input_is_trained_in_float64(Est):
    X = np.arange(40, dtype=np.int32).reshape(20, 2)
    y = np.arange(20) % 2
    for dtype in (np.float16, np.int32, np.int64):
        est = _fit(Est(max_iter=2, random_state=0), X.astype(dtype), y)
        assert est.coefs_[0].dtype == np.float64
