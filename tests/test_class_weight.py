"""class_weight: MLPClassifier has none, so compare with sample_weight."""

import numpy as np
import pytest
from _sklearn_features import MLP_SAMPLE_WEIGHT
from sklearn.datasets import load_iris, make_multilabel_classification
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from skbp import BackpropClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PARAMS = dict(hidden_layer_sizes=(6,), max_iter=15, random_state=0)


@pytest.fixture(scope="module")
def unbalanced():
    X, y = load_iris(return_X_y=True)
    keep = np.r_[0:50, 50:70, 100:110]
    return StandardScaler().fit_transform(X[keep]), y[keep]


def _params(est):
    return est.coefs_ + est.intercepts_


SOLVERS = ["sgd", "adam", "lbfgs"]
CLASS_WEIGHTS = ["balanced", {0: 0.2, 1: 3.0, 2: 1.5}]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("class_weight", CLASS_WEIGHTS)
def test_class_weight_equals_the_matching_sample_weight(
    solver, class_weight, unbalanced
):
    X, y = unbalanced
    a = BackpropClassifier(solver=solver, class_weight=class_weight, **PARAMS).fit(X, y)
    sw = compute_sample_weight(class_weight, y)
    b = BackpropClassifier(solver=solver, **PARAMS).fit(X, y, sample_weight=sw)
    for p, q in zip(_params(a), _params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


@MLP_SAMPLE_WEIGHT
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("class_weight", CLASS_WEIGHTS)
def test_class_weight_equals_mlpclassifiers_matching_sample_weight(
    solver, class_weight, unbalanced
):
    X, y = unbalanced
    a = BackpropClassifier(solver=solver, class_weight=class_weight, **PARAMS).fit(X, y)
    c = MLPClassifier(solver=solver, activation="logistic", **PARAMS)
    c.fit(X, y, sample_weight=compute_sample_weight(class_weight, y))
    for p, r in zip(_params(a), _params(c)):
        np.testing.assert_allclose(p, r, atol=1e-6)


def test_balanced_weights_are_n_samples_over_n_classes_times_count(unbalanced):
    X, y = unbalanced
    counts = np.bincount(y)
    expected = len(y) / (3 * counts[y])
    a = BackpropClassifier(class_weight="balanced", **PARAMS).fit(X, y)
    b = BackpropClassifier(**PARAMS).fit(X, y, sample_weight=expected)
    for p, q in zip(_params(a), _params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_class_weight_multiplies_sample_weight(unbalanced):
    X, y = unbalanced
    sw = np.random.RandomState(0).uniform(0.5, 2, len(y))
    cw = {0: 2.0, 1: 1.0, 2: 0.5}
    a = BackpropClassifier(class_weight=cw, **PARAMS).fit(X, y, sample_weight=sw)
    b = BackpropClassifier(**PARAMS).fit(
        X, y, sample_weight=sw * np.array([2.0, 1.0, 0.5])[y]
    )
    for p, q in zip(_params(a), _params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_string_labels_and_dict_weights(unbalanced):
    X, y = unbalanced
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    cw = {"setosa": 1.0, "versicolor": 4.0, "virginica": 0.25}
    a = BackpropClassifier(class_weight=cw, **PARAMS).fit(X, names)
    b = BackpropClassifier(**PARAMS).fit(
        X, names, sample_weight=np.array([1.0, 4.0, 0.25])[y]
    )
    for p, q in zip(_params(a), _params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_balanced_class_weight_is_rejected_in_partial_fit(unbalanced):
    X, y = unbalanced
    est = BackpropClassifier(class_weight="balanced", solver="sgd")
    with pytest.raises(ValueError, match="not supported for partial_fit"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    # trace_step takes the same one-batch step, and its error says so.
    with pytest.raises(ValueError, match="partial_fit or trace_step"):
        est.trace_step(X, y, classes=[0, 1, 2])
    est = BackpropClassifier(class_weight={0: 1.0, 1: 2.0, 2: 3.0}, solver="sgd")
    est.partial_fit(X, y, classes=[0, 1, 2])
    assert est.n_iter_ == 1


def test_balanced_class_weight_is_rejected_in_partial_fit_for_multilabel_too():
    # One batch's counts of each label column are not the data's either; the
    # multilabel path weighed each batch by its own.
    X, Y = make_multilabel_classification(60, n_classes=3, random_state=0)
    est = BackpropClassifier(class_weight="balanced", **PARAMS).fit(X, Y)
    with pytest.raises(ValueError, match="not supported for partial_fit"):
        est.partial_fit(X, Y)
    with pytest.raises(ValueError, match="not supported for partial_fit"):
        BackpropClassifier(class_weight="balanced").partial_fit(X, Y, classes=[0, 1, 2])


def test_multilabel_balanced_class_weight_weights_each_label_column():
    X, Y = make_multilabel_classification(60, n_classes=3, random_state=0)
    a = BackpropClassifier(class_weight="balanced", **PARAMS).fit(X, Y)
    sw = compute_sample_weight("balanced", Y)
    b = BackpropClassifier(**PARAMS).fit(X, Y, sample_weight=sw)
    for p, q in zip(_params(a), _params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_unknown_class_in_class_weight_is_an_error(unbalanced):
    X, y = unbalanced
    with pytest.raises(ValueError, match="class_weight"):
        BackpropClassifier(class_weight={0: 1.0, 7: 2.0}, **PARAMS).fit(X, y)


def _repeated(X, y, weights):
    return np.repeat(X, weights, axis=0), np.repeat(y, weights, axis=0)


@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_balanced_weights_count_classes_by_sample_weight_as_repeated_rows(
    task, unbalanced
):
    # "balanced" counted each row once whatever its weight, so a row of
    # weight 3 and the same row three times gave the classes other weights
    # (by up to 1e-3 in probability here). scikit-learn counts them by weight
    # from 1.7 on, as its LogisticRegression's sample weights require.
    if task == "multiclass":
        X, y = unbalanced
    else:
        X, y = make_multilabel_classification(60, n_classes=3, random_state=0)
    weights = np.random.RandomState(1).randint(0, 4, len(y))
    weights[:5] = 3
    params = dict(PARAMS, solver="lbfgs", max_iter=8, class_weight="balanced")
    weighted = BackpropClassifier(**params).fit(X, y, sample_weight=weights)
    repeated = BackpropClassifier(**params).fit(*_repeated(X, y, weights))
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=0, atol=1e-12
    )
    # Unweighted counts differ: the comparison can fail.
    counted_once = BackpropClassifier(**params).fit(
        X, y, sample_weight=weights * compute_sample_weight("balanced", y)
    )
    assert not np.allclose(
        counted_once.predict_proba(X), repeated.predict_proba(X), rtol=0, atol=1e-6
    )


def test_balanced_weights_leave_out_a_class_of_zero_weight(unbalanced):
    # A class whose rows all weigh 0 is as good as absent: n_classes counts
    # the others, and no 0/0 weight (nor its RuntimeWarning) comes about.
    X, y = unbalanced
    weights = np.where(y == 2, 0.0, 1.0)
    params = dict(PARAMS, solver="lbfgs", class_weight="balanced")
    a = BackpropClassifier(**params).fit(X, y, sample_weight=weights)
    n_0, n_1 = np.bincount(y)[:2]
    expected = np.select(
        [y == 0, y == 1], [(n_0 + n_1) / (2 * n_0), (n_0 + n_1) / (2 * n_1)], 0.0
    )
    b = BackpropClassifier(**{**params, "class_weight": None}).fit(
        X, y, sample_weight=expected
    )
    for p, q in zip(_params(a), _params(b)):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "class_weight, sample_weight_error, class_weight_error",
    [
        ({0: -1.0, 1: 1.0, 2: 1.0}, "must be non-negative", "must be non-negative"),
        (
            {0: 0.0, 1: 0.0, 2: 0.0},
            "must not be all zero",
            "gives every sample weight 0",
        ),
        (
            {0: np.nan, 1: 1.0, 2: 1.0},
            "Input sample_weight contains NaN",
            "must be finite",
        ),
        (
            {0: np.inf, 1: 1.0, 2: 1.0},
            "Input sample_weight contains infinity",
            "must be finite",
        ),
    ],
    ids=["negative", "all-zero", "nan", "infinite"],
)
def test_class_weights_refused_as_sample_weights_are_refused(
    method, class_weight, sample_weight_error, class_weight_error, unbalanced
):
    # class_weight is multiplied into sample_weight, and the sample weights
    # it gives are refused as the same sample_weight is. They trained: the
    # all-zero ones to a loss of 0.0 from the initial weights, unchanged, a
    # NaN one to NaN weights, an infinite one to a NaN loss.
    X, y = unbalanced
    kwargs = {"classes": [0, 1, 2]} if method == "partial_fit" else {}
    as_sample_weight = np.array([class_weight[c] for c in range(3)])[y]
    with pytest.raises(ValueError, match=sample_weight_error):
        getattr(BackpropClassifier(**PARAMS), method)(
            X, y, sample_weight=as_sample_weight, **kwargs
        )
    net = BackpropClassifier(class_weight=class_weight, **PARAMS)
    with pytest.raises(ValueError, match=f"class_weight.*{class_weight_error}"):
        getattr(net, method)(X, y, **kwargs)
    assert not hasattr(net, "coefs_")


@pytest.mark.parametrize("sample_weight", [None, 1e30], ids=["alone", "times 1e30"])
def test_class_weights_past_float32s_range_are_refused_for_float32_x(
    sample_weight, unbalanced
):
    # Converted to X's dtype they overflowed, with numpy's RuntimeWarning.
    X, y = unbalanced
    X = X.astype(np.float32)
    class_weight = {0: 1e300 if sample_weight is None else 1e30, 1: 1.0, 2: 1.0}
    kwargs = {} if sample_weight is None else {"sample_weight": np.full(len(y), 1e30)}
    with np.errstate(over="ignore"):
        assert np.isinf(np.float32(class_weight[0]) * np.float32(sample_weight or 1))
    net = BackpropClassifier(class_weight=class_weight, **PARAMS)
    with pytest.raises(ValueError, match="gives sample weights too large for float32"):
        net.fit(X, y, **kwargs)
    assert not hasattr(net, "coefs_")
