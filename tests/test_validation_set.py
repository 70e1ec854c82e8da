"""fit(X, y, *, X_val, y_val, sample_weight_val) and validation_loss_curve_.

The validation numbers are checked against a forward pass written out in
numpy and scikit-learn's metrics, on the weights each epoch ends with, which
partial_fit reproduces one epoch at a time (with shuffle=False the epochs of
fit and of partial_fit see the same batches).
"""

import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_regression
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = (X_IRIS - X_IRIS.mean(axis=0)) / X_IRIS.std(axis=0)
_ORDER = np.random.RandomState(0).permutation(len(Y_IRIS))
X_TR, Y_TR = X_IRIS[_ORDER[:100]], Y_IRIS[_ORDER[:100]]
X_VAL, Y_VAL = X_IRIS[_ORDER[100:]], Y_IRIS[_ORDER[100:]]
W_VAL = np.random.RandomState(1).uniform(0.5, 2.0, size=len(Y_VAL))

PARAMS = dict(
    hidden_layer_sizes=(6,),
    learning_rate_init=0.05,
    shuffle=False,
    n_iter_no_change=1000,
    random_state=0,
)


def numpy_forward(X, coefs, intercepts, out="softmax"):
    """Logistic hidden units, then softmax or identity outputs."""
    a = X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        a = 1 / (1 + np.exp(-(a @ W + b)))
    z = a @ coefs[-1] + intercepts[-1]
    if out == "identity":
        return z
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def held_out_split(X, y):
    """The part of (X, y) early stopping holds out with PARAMS.

    The split scikit-learn's MLP draws: after the initial weights (one
    uniform draw per weight matrix and per bias vector), train_test_split
    with the same RandomState, stratified by class, of validation_fraction
    0.1.
    """
    hidden = PARAMS["hidden_layer_sizes"]
    rng = np.random.RandomState(PARAMS["random_state"])
    for fan_in, fan_out in zip((X.shape[1], *hidden), (*hidden, 3)):
        rng.uniform(size=(fan_in, fan_out))
        rng.uniform(size=fan_out)
    _, X_held, _, y_held = train_test_split(
        X, y, random_state=rng, test_size=0.1, stratify=y
    )
    return X_held, y_held


def weights_per_epoch(est, X, y, n_epochs, **fit_params):
    """The weights after each epoch, from partial_fit one epoch at a time."""
    est = est.set_params(early_stopping=False)
    weights = []
    for _ in range(n_epochs):
        est.partial_fit(X, y, **fit_params)
        weights.append(
            ([c.copy() for c in est.coefs_], [b.copy() for b in est.intercepts_])
        )
    return weights


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_validation_loss_and_score_per_epoch_equal_numpy_and_sklearn_metrics():
    n = 8
    net = BackpropClassifier(max_iter=n, **PARAMS).fit(
        X_TR, Y_TR, X_val=X_VAL, y_val=Y_VAL, sample_weight_val=W_VAL
    )
    epochs = weights_per_epoch(
        BackpropClassifier(**PARAMS), X_TR, Y_TR, n, classes=[0, 1, 2]
    )
    assert_array_equal(epochs[-1][0][0], net.coefs_[0])  # the same training
    proba = [numpy_forward(X_VAL, *w) for w in epochs]
    expected_loss = [log_loss(Y_VAL, p, sample_weight=W_VAL) for p in proba]
    expected_score = [
        accuracy_score(Y_VAL, p.argmax(axis=1), sample_weight=W_VAL) for p in proba
    ]
    assert_allclose(net.validation_loss_curve_, expected_loss, rtol=1e-12)
    assert net.validation_scores_ == pytest.approx(expected_score, abs=1e-15)
    history = net.history_
    assert_array_equal(history["validation_loss"], net.validation_loss_curve_)
    assert_array_equal(history["validation_score"], net.validation_scores_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_validation_loss_is_half_the_mean_squared_error_and_r2():
    X, y = make_regression(n_samples=120, n_features=4, noise=5, random_state=0)
    y = y / y.std()
    n = 6
    params = {**PARAMS, "learning_rate_init": 0.01}
    net = BackpropRegressor(max_iter=n, **params).fit(
        X[:80], y[:80], X_val=X[80:], y_val=y[80:]
    )
    epochs = weights_per_epoch(BackpropRegressor(**params), X[:80], y[:80], n)
    out = [numpy_forward(X[80:], *w, out="identity").ravel() for w in epochs]
    assert_allclose(
        net.validation_loss_curve_,
        [0.5 * np.mean((y[80:] - o) ** 2) for o in out],
        rtol=1e-12,
    )
    assert_allclose(net.validation_scores_, [r2_score(y[80:], o) for o in out])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_given_set_replaces_the_split_and_the_best_epoch_is_restored():
    n = 10
    net = BackpropClassifier(
        max_iter=n, early_stopping=True, validation_fraction=0.5, **PARAMS
    ).fit(X_TR, Y_TR, X_val=X_VAL, y_val=Y_VAL)
    # Training saw all of X: no half of it was held out.
    assert net.n_iter_ == n
    assert net.t_ == n * len(Y_TR)
    epochs = weights_per_epoch(
        BackpropClassifier(**PARAMS), X_TR, Y_TR, n, classes=[0, 1, 2]
    )
    proba = [numpy_forward(X_VAL, *w) for w in epochs]
    scores = [accuracy_score(Y_VAL, p.argmax(axis=1)) for p in proba]
    assert net.validation_scores_ == pytest.approx(scores, abs=1e-15)
    assert_allclose(
        net.validation_loss_curve_, [log_loss(Y_VAL, p) for p in proba], rtol=1e-12
    )
    best = int(np.argmax(scores))  # the first of the best, as scikit-learn's
    for restored, kept in zip(net.coefs_, epochs[best][0]):
        assert_array_equal(restored, kept)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_internal_split_records_its_validation_loss():
    X_held, y_held = held_out_split(X_IRIS, Y_IRIS)
    net = BackpropClassifier(max_iter=12, early_stopping=True, **PARAMS)
    net.fit(X_IRIS, Y_IRIS)
    assert net.t_ == net.n_iter_ * (len(Y_IRIS) - len(y_held))
    best = int(np.argmax(net.validation_scores_))
    proba = numpy_forward(X_held, net.coefs_, net.intercepts_)
    assert net.validation_scores_[best] == accuracy_score(y_held, proba.argmax(1))
    assert net.validation_loss_curve_[best] == pytest.approx(
        log_loss(y_held, proba), rel=1e-12
    )
    assert len(net.validation_loss_curve_) == net.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_without_early_stopping_the_set_changes_nothing_of_the_fit(solver):
    params = {**PARAMS, "shuffle": True, "n_iter_no_change": 3, "solver": solver}
    plain = BackpropClassifier(max_iter=40, **params).fit(X_TR, Y_TR)
    scored = BackpropClassifier(max_iter=40, **params).fit(
        X_TR, Y_TR, X_val=X_VAL, y_val=Y_VAL
    )
    for a, b in zip(
        plain.coefs_ + plain.intercepts_, scored.coefs_ + scored.intercepts_
    ):
        assert_array_equal(a, b)
    assert plain.loss_curve_ == scored.loss_curve_
    assert plain.best_loss_ == scored.best_loss_
    assert plain.validation_scores_ is None and plain.validation_loss_curve_ is None
    assert len(scored.validation_scores_) == scored.n_iter_
    assert scored.best_validation_score_ == max(scored.validation_scores_)
    assert len(scored.validation_loss_curve_) == scored.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_without_early_stopping_an_overflowing_set_is_recorded_as_nan():
    huge = X_VAL * 1e307
    params = {**PARAMS, "activation": "identity"}
    plain = BackpropRegressor(max_iter=3, **params).fit(X_TR, Y_TR)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        scored = BackpropRegressor(max_iter=3, **params).fit(
            X_TR, Y_TR, X_val=huge, y_val=Y_VAL
        )
    assert_array_equal(plain.coefs_[0], scored.coefs_[0])
    assert np.isnan(scored.validation_loss_curve_).all()


def test_float32_training_scores_the_set_in_float32():
    net = BackpropClassifier(max_iter=3, **PARAMS)
    with pytest.warns(sklearn.exceptions.ConvergenceWarning):
        net.fit(X_TR.astype(np.float32), Y_TR, X_val=X_VAL, y_val=Y_VAL)
    assert net.coefs_[0].dtype == np.float32
    proba = numpy_forward(X_VAL.astype(np.float32), net.coefs_, net.intercepts_)
    assert proba.dtype == np.float32
    assert net.validation_loss_curve_[-1] == pytest.approx(
        log_loss(Y_VAL, proba), rel=1e-5
    )


@pytest.mark.parametrize(
    ("fit_params", "message"),
    [
        ({"X_val": X_VAL}, "X_val is provided, but y_val was not provided."),
        ({"y_val": Y_VAL}, "y_val is provided, but X_val was not provided."),
        (
            {"sample_weight_val": W_VAL},
            "sample_weight_val is provided, but X_val and y_val were not",
        ),
        (
            {"X_val": X_VAL[:, :3], "y_val": Y_VAL},
            "X has 3 features, but BackpropClassifier is expecting 4",
        ),
        ({"X_val": X_VAL, "y_val": Y_VAL + 5}, r"y_val has classes not in"),
        ({"X_val": X_VAL, "y_val": Y_VAL[:10]}, "inconsistent numbers of samples"),
        (
            {"X_val": X_VAL, "y_val": Y_VAL, "sample_weight_val": -W_VAL},
            "sample_weight_val must be non-negative",
        ),
    ],
)
def test_a_bad_validation_set_is_refused_before_any_state_changes(fit_params, message):
    net = BackpropClassifier(max_iter=2, **PARAMS)
    with pytest.warns(sklearn.exceptions.ConvergenceWarning):
        net.fit(X_TR, Y_TR)
    before = {k: v for k, v in vars(net).items()}
    coefs = [c.copy() for c in net.coefs_]
    with pytest.raises(ValueError, match=message):
        net.fit(X_TR, Y_TR, **fit_params)
    assert vars(net).keys() == before.keys()
    for a, b in zip(coefs, net.coefs_):
        assert_array_equal(a, b)


def test_regressor_refuses_a_target_of_other_outputs():
    y2 = np.c_[Y_TR, Y_TR]
    with pytest.raises(ValueError, match="y_val has"):
        BackpropRegressor(max_iter=2).fit(X_TR, y2, X_val=X_VAL, y_val=Y_VAL)


def test_lbfgs_refuses_a_validation_set():
    with pytest.raises(ValueError, match="solver='lbfgs' has no epochs"):
        BackpropClassifier(solver="lbfgs").fit(X_TR, Y_TR, X_val=X_VAL, y_val=Y_VAL)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_passes_the_set_through_to_every_fit():
    # X_val has fewer rows than X: scikit-learn indexes a fit parameter of
    # X's length by the folds (see the user guide).
    search = GridSearchCV(
        BackpropClassifier(max_iter=4, **PARAMS),
        {"alpha": [1e-4, 1e-2]},
        cv=2,
    ).fit(X_TR, Y_TR, X_val=X_VAL, y_val=Y_VAL)
    direct = BackpropClassifier(
        max_iter=4, **{**PARAMS, "alpha": search.best_params_["alpha"]}
    ).fit(X_TR, Y_TR, X_val=X_VAL, y_val=Y_VAL)
    assert search.best_estimator_.validation_loss_curve_ == pytest.approx(
        direct.validation_loss_curve_, rel=0, abs=0
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pipeline_transforms_the_set_with_transform_input():
    raw_tr, raw_val = X_TR * 10 + 3, X_VAL * 10 + 3
    scaler = StandardScaler().fit(raw_tr)
    direct = BackpropClassifier(max_iter=4, **PARAMS).fit(
        scaler.transform(raw_tr), Y_TR, X_val=scaler.transform(raw_val), y_val=Y_VAL
    )
    with sklearn.config_context(enable_metadata_routing=True):
        net = BackpropClassifier(max_iter=4, **PARAMS).set_fit_request(
            X_val=True, y_val=True
        )
        pipe = Pipeline(
            [("scale", StandardScaler()), ("net", net)], transform_input=["X_val"]
        ).fit(raw_tr, Y_TR, X_val=raw_val, y_val=Y_VAL)
    assert pipe["net"].validation_loss_curve_ == pytest.approx(
        direct.validation_loss_curve_, rel=1e-12
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("given", [False, True], ids=["split", "given"])
def test_restore_best_loss_restores_the_epoch_of_lowest_validation_loss(given):
    n = 40
    # A learning rate at which the validation loss is lowest neither at the
    # best score's epoch nor at the last.
    params = {**PARAMS, "learning_rate_init": 0.2, "max_iter": n}
    fit_params = {"X_val": X_VAL, "y_val": Y_VAL} if given else {}
    X, y = (X_TR, Y_TR) if given else (X_IRIS, Y_IRIS)
    by_loss = BackpropClassifier(
        early_stopping=True, restore_best="loss", **params
    ).fit(X, y, **fit_params)
    by_score = BackpropClassifier(early_stopping=True, **params).fit(X, y, **fit_params)
    # The same training and records; only the weights kept differ.
    assert by_loss.validation_loss_curve_ == by_score.validation_loss_curve_
    curve = by_loss.validation_loss_curve_
    best_loss = int(np.argmin(curve))
    best_score = int(np.argmax(by_score.validation_scores_))
    assert len({best_loss, best_score, by_loss.n_iter_ - 1}) == 3
    # Independently: the restored weights' loss on the validation data is
    # the lowest of the curve.
    X_held, y_held = (X_VAL, Y_VAL) if given else held_out_split(X, y)
    proba = numpy_forward(X_held, by_loss.coefs_, by_loss.intercepts_)
    assert log_loss(y_held, proba) == pytest.approx(min(curve), rel=1e-12)
    if given:
        epochs = weights_per_epoch(
            BackpropClassifier(**params), X, y, n, classes=[0, 1, 2]
        )
        for restored, kept in zip(by_loss.coefs_, epochs[best_loss][0]):
            assert_array_equal(restored, kept)
        for restored, kept in zip(by_score.coefs_, epochs[best_score][0]):
            assert_array_equal(restored, kept)


def test_restore_best_is_validated():
    with pytest.raises(ValueError, match="restore_best"):
        BackpropClassifier(restore_best="accuracy").fit(X_TR, Y_TR)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_multilabel_and_sparse_validation_sets():
    # Multilabel: one logistic output per label, the loss the sum of the
    # labels' binary cross-entropies; X_val sparse, as X may be.
    from scipy import sparse

    Y = np.c_[Y_TR == 0, Y_TR == 2].astype(int)
    Y_v = np.c_[Y_VAL == 0, Y_VAL == 2].astype(int)
    net = BackpropClassifier(max_iter=3, **PARAMS).fit(
        X_TR, Y, X_val=sparse.csr_matrix(X_VAL), y_val=Y_v
    )
    a = 1 / (1 + np.exp(-(X_VAL @ net.coefs_[0] + net.intercepts_[0])))
    p = 1 / (1 + np.exp(-(a @ net.coefs_[1] + net.intercepts_[1])))
    expected = -np.mean(np.sum(Y_v * np.log(p) + (1 - Y_v) * np.log(1 - p), axis=1))
    assert net.validation_loss_curve_[-1] == pytest.approx(expected, rel=1e-12)
    assert net.validation_scores_[-1] == accuracy_score(Y_v, (p > 0.5).astype(int))
    with pytest.raises(ValueError, match="y_val has 3 labels, y has 2"):
        BackpropClassifier(max_iter=1).fit(
            X_TR, Y, X_val=X_VAL, y_val=np.c_[Y_v, Y_v[:, 0]]
        )
