"""Predictions come in the dtype scikit-learn's MLPs give for the same pair.

scikit-learn computes a prediction in the dtype numpy promotes the input
and the fitted weights to: float32 only when the weights are float32 and
the input is float32 or narrower (bool, float16, integers of up to 16
bits); other input counts as float64. The tests fit scikit-learn's
MLP alike and compare dtypes with its own, for every pair of fit and
predict dtype, and check that a float32 model's float64 prediction is
computed in float64 (against a numpy forward pass), not rounded to float32.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from network_reference import UNITS
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skbp import BackpropClassifier, BackpropRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 3))
TARGETS = {
    "binary": (X[:, 0] > 0).astype(int),
    "multiclass": np.arange(40) % 3,
    "multilabel": (X[:, :2] > 0).astype(int),
    "single": np.sin(X[:, 0]),
    "multi": np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]]),
}
FIT_DTYPES = [np.float32, np.float64]
# As given to predict, sparse matrices alike. A narrow type widens to
# float32 with float32 weights (a float16 or bool X predicted in float64
# by a float32 model was a bug), int32 and int64 to float64.
PREDICT_INPUTS = {
    "float32": lambda X_: X_.astype(np.float32),
    "float64": lambda X_: X_.astype(np.float64),
    "int64": lambda X_: np.round(X_).astype(np.int64),
    "int32": lambda X_: np.round(X_).astype(np.int32),
    "int16": lambda X_: np.round(X_).astype(np.int16),
    "uint8": lambda X_: np.abs(np.round(X_)).astype(np.uint8),
    "float16": lambda X_: X_.astype(np.float16),
    "bool": lambda X_: X_ > 0,
    "csr-bool": lambda X_: sp.csr_matrix(X_ > 0),
    "DataFrame-float16": lambda X_: pd.DataFrame(X_.astype(np.float16)),
    "csr-float32": lambda X_: sp.csr_matrix(X_.astype(np.float32)),
    "csr-float64": lambda X_: sp.csr_matrix(X_.astype(np.float64)),
}


def _fit_both(task, fit_dtype):
    y = TARGETS[task]
    params = dict(
        hidden_layer_sizes=(4,), activation="logistic", max_iter=5, random_state=0
    )
    if task in ("single", "multi"):
        ours, theirs = BackpropRegressor(**params), MLPRegressor(**params)
    else:
        ours, theirs = BackpropClassifier(**params), MLPClassifier(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X.astype(fit_dtype), y)
        theirs.fit(X.astype(fit_dtype), y)
    assert ours.coefs_[0].dtype == theirs.coefs_[0].dtype == fit_dtype
    return ours, theirs


METHODS = ["predict", "predict_proba", "predict_log_proba", "score"]


@pytest.mark.parametrize("predict_input", PREDICT_INPUTS)
@pytest.mark.parametrize("fit_dtype", FIT_DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("task", TARGETS)
def test_prediction_dtypes_are_scikit_learns(task, fit_dtype, predict_input):
    ours, theirs = _fit_both(task, fit_dtype)
    X_pred = PREDICT_INPUTS[predict_input](X)
    checked = 0
    for method in METHODS:
        if not hasattr(theirs, method):
            continue
        if method == "score":
            expected = type(theirs.score(X_pred, TARGETS[task]))
            assert type(ours.score(X_pred, TARGETS[task])) is expected
            continue
        expected = getattr(theirs, method)(X_pred).dtype
        got = getattr(ours, method)(X_pred).dtype
        assert got == expected, (method, got, expected)
        checked += 1
    assert checked == (1 if task in ("single", "multi") else 3)


def _reference_proba(est, X_):
    """The classifier's output in float64 from its weights, written out."""
    a = X_.astype(np.float64)
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
        a = UNITS["logistic"](a @ W.astype(np.float64) + b.astype(np.float64))
    z = a @ est.coefs_[-1].astype(np.float64) + est.intercepts_[-1].astype(np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_a_float32_model_predicts_float64_input_in_float64():
    ours, theirs = _fit_both("multiclass", np.float32)
    expected = _reference_proba(ours, X)
    proba = ours.predict_proba(X)
    # float32 arithmetic would be off by ~1e-8; float64 by a few ulp.
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-14)
    # The fitted weights stay float32: predicting does not convert the model.
    assert ours.coefs_[0].dtype == np.float32
    assert ours.intercepts_[-1].dtype == np.float32
    # and float32 input still runs in float32, as scikit-learn's does.
    proba32 = ours.predict_proba(X.astype(np.float32))
    assert proba32.dtype == theirs.predict_proba(X.astype(np.float32)).dtype
    np.testing.assert_allclose(proba32, expected, rtol=0, atol=1e-6)
