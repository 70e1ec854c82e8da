"""Parity with scikit-learn's MLPClassifier and MLPRegressor, number for number.

With the same parameters and random_state, skbp draws scikit-learn's initial
weights, shuffles and splits as it does and applies the same update
arithmetic, so in float64 fitted weights, loss curves, iteration counts and
validation scores agree to rounding. Where scikit-learn lacks a feature, or
differs on purpose (its multi-output squared-error loss is divided by the
number of outputs; its MLPRegressor exposes ``partial_fit`` for lbfgs; it
does not reject negative Poisson targets), the test checks an independent
computation instead and names the difference.
"""

import pickle
import re
import warnings
from functools import cache

import numpy as np
import pytest
import scipy.sparse as sp
from _sklearn_features import MLP_REGRESSOR_LOSS, MLP_SAMPLE_WEIGHT, needs_sklearn
from sklearn.base import clone
from sklearn.datasets import (
    load_diabetes,
    load_digits,
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor

# Runs of a fixed number of epochs end at max_iter on purpose.
fixed_length = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)

ESTIMATORS = {
    "classifier": (BackpropClassifier, MLPClassifier),
    "regressor": (BackpropRegressor, MLPRegressor),
}

# Shared by both libraries. activation is explicit: skbp defaults to
# "logistic", scikit-learn to "relu".
BASE = dict(
    hidden_layer_sizes=(6,),
    activation="logistic",
    random_state=0,
    max_iter=12,
    batch_size=32,
    learning_rate_init=0.05,
)

SOLVERS = {
    "sgd": dict(solver="sgd", momentum=0.0),
    "sgd-momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False),
    "sgd-nesterov": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True),
    "adam": dict(solver="adam"),
    "lbfgs": dict(solver="lbfgs"),
}
STOCHASTIC = ["sgd", "sgd-momentum", "sgd-nesterov", "adam"]


# ----------------------------------------------------------------------------
# Data (small, standardised) and helpers


@cache
def dataset(name):
    """(X, y) of a named small dataset; the arrays are shared, never modify."""
    if name == "multiclass":
        X, y = load_iris(return_X_y=True)
    elif name == "binary":
        X, y = make_classification(
            n_samples=120, n_features=5, n_informative=3, random_state=0
        )
    elif name == "multilabel":
        X, y = make_multilabel_classification(
            n_samples=100, n_features=6, n_classes=3, random_state=0
        )
    elif name in ("single", "multi"):
        X, y = load_diabetes(return_X_y=True)
        X, y = X[:200], y[:200]
        y = (y - y.mean()) / y.std()
        if name == "multi":
            second = X[:, 2] * 10 + np.sin(X[:, 3] * 20)
            y = np.column_stack([y, (second - second.mean()) / second.std(), -y])
    elif name == "poisson":
        X, _ = load_diabetes(return_X_y=True)
        X = StandardScaler().fit_transform(X[:200])
        rate = np.exp(0.5 + 0.4 * X[:, 2] + 0.3 * X[:, 8])
        return X, np.random.RandomState(0).poisson(rate).astype(float)
    elif name == "digits":
        X, y = load_digits(return_X_y=True)
        return X[:300] / 16.0, y[:300]
    else:
        raise KeyError(name)
    return StandardScaler().fit_transform(X), y


def kind_of(data):
    return "regressor" if data in ("single", "multi", "poisson") else "classifier"


def make_pair(kind, **params):
    """(skbp estimator, scikit-learn estimator) with the same parameters."""
    ours, theirs = ESTIMATORS[kind]
    params = {**BASE, **params}
    return ours(**params), theirs(**params)


def fit_pair(data, sample_weight=None, **params):
    X, y = dataset(data)
    ours, theirs = make_pair(kind_of(data), **params)
    # scikit-learn's MLPs take sample_weight from 1.7 (MLP_SAMPLE_WEIGHT).
    weighted = {} if sample_weight is None else {"sample_weight": sample_weight}
    theirs.fit(X, y, **weighted)
    ours.fit(X, y, **weighted)
    return ours, theirs


def weights(est):
    return est.coefs_ + est.intercepts_


def assert_same_weights(ours, theirs, atol=1e-6):
    assert len(ours.coefs_) == len(theirs.coefs_)
    assert len(ours.intercepts_) == len(theirs.intercepts_)
    for p, q in zip(weights(ours), weights(theirs)):
        assert p.shape == q.shape
        np.testing.assert_allclose(p, q, rtol=0, atol=atol)


def assert_same_fit(ours, theirs, atol=1e-6):
    """Same weights, epochs/iterations, loss curve and final loss."""
    assert_same_weights(ours, theirs, atol)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=0, atol=1e-6)
    assert hasattr(ours, "loss_curve_") == hasattr(theirs, "loss_curve_")
    if hasattr(theirs, "loss_curve_"):
        assert len(ours.loss_curve_) == len(theirs.loss_curve_)
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)


def raised(callable_, *args, **kwargs):
    """The ValueError a call raises, as a string."""
    with pytest.raises(ValueError) as excinfo:
        callable_(*args, **kwargs)
    return str(excinfo.value)


# ----------------------------------------------------------------------------
# 1. Solvers and targets


@fixed_length
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("data", ["binary", "multiclass", "multilabel"])
def test_classifier_fit_equals_mlpclassifier(data, solver):
    ours, theirs = fit_pair(data, **SOLVERS[solver])
    assert_same_fit(ours, theirs)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    X = dataset(data)[0]
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-6
    )


@fixed_length
@pytest.mark.parametrize("solver", SOLVERS)
def test_single_output_regressor_fit_equals_mlpregressor(solver):
    ours, theirs = fit_pair("single", **SOLVERS[solver])
    assert_same_fit(ours, theirs)
    X = dataset("single")[0]
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("activation", ["identity", "tanh", "relu"])
@fixed_length
def test_other_hidden_activations_fit_equals_sklearn(activation):
    ours, theirs = fit_pair("multiclass", activation=activation, **SOLVERS["sgd"])
    assert_same_fit(ours, theirs)


@fixed_length
@pytest.mark.parametrize("solver", STOCHASTIC)
@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_schedules_and_weight_decay_switched_off_are_sklearns_fit_bit_for_bit(
    data, solver
):
    # Issue 23's parameters in their 'off' state: scikit-learn's schedule,
    # no warm-up, no decay -- the same numbers as without them.
    off = dict(warmup_epochs=0, weight_decay=0.0)
    ours, theirs = fit_pair(data, **SOLVERS[solver])
    switched_off = clone(ours).set_params(**off).fit(*dataset(data))
    assert_same_fit(switched_off, theirs)
    for p, q in zip(weights(switched_off), weights(ours)):
        np.testing.assert_array_equal(p, q)


@fixed_length
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("data", ["binary", "multiclass", "multilabel"])
def test_label_smoothing_switched_off_is_sklearns_fit_bit_for_bit(data, solver):
    # label_smoothing=0 trains on the 0/1 labels themselves: the same numbers
    # as without it, for every solver and kind of target.
    ours, theirs = fit_pair(data, **SOLVERS[solver])
    switched_off = clone(ours).set_params(label_smoothing=0.0).fit(*dataset(data))
    assert_same_fit(switched_off, theirs)
    for p, q in zip(weights(switched_off), weights(ours)):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("data", ["binary", "multiclass", "single"])
def test_lbfgs_reaches_sklearns_loss_from_the_same_initial_weights(data):
    # Run to convergence. Over hundreds of L-BFGS iterations rounding
    # differences grow until the iterates (and n_iter_) part, but both reach
    # the same minimum (alpha makes it well conditioned).
    ours, theirs = fit_pair(data, solver="lbfgs", alpha=0.1, max_iter=1000, tol=1e-6)
    assert ours.n_iter_ < 1000 and theirs.n_iter_ < 1000
    assert abs(ours.loss_ - theirs.loss_) <= 1e-6


@fixed_length
@pytest.mark.parametrize("solver", STOCHASTIC)
def test_multi_output_squared_error_same_weights_and_loss_is_sklearns_times_n_outputs(
    solver,
):
    # scikit-learn's gradient is that of Σ_k ½(y_k - ŷ_k)², as skbp's, but it
    # reports the loss divided by n_outputs (with alpha=0 exactly that factor).
    ours, theirs = fit_pair(
        "multi", alpha=0.0, n_iter_no_change=np.inf, **SOLVERS[solver]
    )
    n_outputs = dataset("multi")[1].shape[1]
    assert ours.n_outputs_ == theirs.n_outputs_ == n_outputs
    assert_same_weights(ours, theirs)
    assert ours.n_iter_ == theirs.n_iter_ == BASE["max_iter"]
    np.testing.assert_allclose(
        ours.loss_curve_, n_outputs * np.asarray(theirs.loss_curve_), rtol=1e-10
    )


@pytest.mark.parametrize(
    "solver",
    [
        dict(solver="sgd", momentum=0.0),
        dict(solver="sgd", momentum=0.0, learning_rate="adaptive"),
        dict(solver="adam"),
    ],
    ids=["sgd", "sgd-adaptive", "adam"],
)
def test_multi_output_tol_reads_skbps_loss_so_n_outputs_times_tol_stops_as_sklearn(
    solver,
):
    # tol and n_iter_no_change (and the adaptive schedule) compare the
    # epochs' losses: skbp's improve n_outputs times as fast as
    # scikit-learn's, so the same tol stops later. With alpha=0, tol times
    # n_outputs stops at scikit-learn's epoch, with its weights.
    X, y = dataset("multi")
    n_outputs = y.shape[1]
    params = dict(alpha=0.0, tol=0.01, n_iter_no_change=2, max_iter=300, **solver)
    ours, theirs = fit_pair("multi", **params)
    assert theirs.n_iter_ < ours.n_iter_ < params["max_iter"]
    scaled = clone(ours).set_params(tol=n_outputs * params["tol"]).fit(X, y)
    assert scaled.n_iter_ == theirs.n_iter_
    assert_same_weights(scaled, theirs)


@fixed_length
def test_multi_output_lbfgs_loss_is_mean_over_samples_of_summed_half_squared_errors():
    # scikit-learn's multi-output lbfgs minimises an objective inconsistent
    # with its gradient, so skbp is checked against the loss it defines.
    X, y = dataset("multi")
    alpha = 0.01
    est = BackpropRegressor(**{**BASE, "solver": "lbfgs", "alpha": alpha}).fit(X, y)
    residual = y - est.predict(X)
    l2 = sum(float((W**2).sum()) for W in est.coefs_)
    expected = 0.5 * (residual**2).sum(axis=1).mean() + 0.5 * alpha * l2 / len(X)
    assert est.loss_ == pytest.approx(expected, rel=1e-10)


# ----------------------------------------------------------------------------
# 2. Learning-rate schedules


@fixed_length
@pytest.mark.parametrize(
    "schedule",
    [
        dict(learning_rate="constant"),
        dict(learning_rate="invscaling", power_t=0.25),
        dict(learning_rate="invscaling", power_t=0.5),
        dict(learning_rate="adaptive", tol=1e-2, n_iter_no_change=2, max_iter=60),
    ],
    ids=["constant", "invscaling-0.25", "invscaling-0.5", "adaptive"],
)
@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_sgd_learning_rate_schedule_fit_equals_sklearn(data, schedule, capsys):
    # verbose shows when the adaptive schedule divides the rate and stops.
    params = {**SOLVERS["sgd-nesterov"], **schedule, "verbose": True}
    X, y = dataset(data)
    ours, theirs = make_pair(kind_of(data), **params)
    theirs.fit(X, y)
    printed_by_sklearn = capsys.readouterr().out
    ours.fit(X, y)
    assert capsys.readouterr().out == printed_by_sklearn
    assert_same_fit(ours, theirs)
    if schedule["learning_rate"] == "adaptive":
        assert "Setting learning rate to" in printed_by_sklearn
        assert "Learning rate too small. Stopping." in printed_by_sklearn
        assert ours.n_iter_ < schedule["max_iter"]


@pytest.mark.parametrize("data", ["binary", "single"])
def test_adaptive_learning_rate_divides_by_five_and_stops_like_sklearn(data, capsys):
    # A tol larger than any loss makes every epoch "no improvement": the rate
    # is divided by 5 every n_iter_no_change + 1 epochs until it is <= 1e-6.
    params = dict(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.1,
        tol=100.0,
        n_iter_no_change=2,
        max_iter=100,
        verbose=True,
    )
    X, y = dataset(data)
    ours, theirs = make_pair(kind_of(data), **params)
    theirs.fit(X, y)
    printed_by_sklearn = capsys.readouterr().out
    ours.fit(X, y)
    printed = capsys.readouterr().out
    assert printed == printed_by_sklearn
    rates = re.findall(r"Setting learning rate to ([0-9.]+)", printed)
    assert rates == [f"{0.1 / 5**k:f}" for k in range(1, 9)]
    assert printed.rstrip().endswith("Learning rate too small. Stopping.")
    # First epoch improves on best_loss_=inf, then 9 triggers 3 epochs apart.
    assert ours.n_iter_ == theirs.n_iter_ == 1 + 3 * 9
    assert_same_fit(ours, theirs)


# ----------------------------------------------------------------------------
# 3. Early stopping

EARLY = dict(
    solver="adam",
    learning_rate_init=0.02,
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=3,
    max_iter=300,
)


@pytest.mark.parametrize("data", ["binary", "multilabel", "single"])
def test_early_stopping_scores_epochs_and_restored_weights_equal_sklearns(data):
    ours, theirs = fit_pair(data, **EARLY)
    assert ours.n_iter_ < EARLY["max_iter"]  # it did stop early
    assert ours.n_iter_ == theirs.n_iter_
    assert len(ours.validation_scores_) == ours.n_iter_
    np.testing.assert_allclose(
        ours.validation_scores_, theirs.validation_scores_, rtol=0, atol=1e-12
    )
    assert ours.best_validation_score_ == pytest.approx(
        theirs.best_validation_score_, abs=1e-12
    )
    assert ours.best_loss_ is None and theirs.best_loss_ is None
    assert_same_fit(ours, theirs)


def test_early_stopping_multi_output_regressor_equals_sklearn():
    # The validation score is R², not the loss, so the n_outputs factor in
    # scikit-learn's reported loss does not affect when training stops.
    ours, theirs = fit_pair("multi", **EARLY)
    assert ours.n_iter_ == theirs.n_iter_ < EARLY["max_iter"]
    np.testing.assert_allclose(
        ours.validation_scores_, theirs.validation_scores_, rtol=0, atol=1e-12
    )
    assert_same_weights(ours, theirs)


def _validation_split(data, est):
    """The split early stopping makes, re-derived from random_state.

    The RandomState first draws the Glorot weights (one double per weight),
    then train_test_split uses it, stratified by the class labels for any
    single-label classifier. (scikit-learn's MLP stratifies the binary case
    only: its multiclass target has n_classes columns and is not stratified.)
    """
    X, y = dataset(data)
    rng = np.random.RandomState(BASE["random_state"])
    rng.uniform(size=sum(p.size for p in weights(est)))
    stratify = None
    if kind_of(data) == "classifier" and np.ndim(y) == 1:
        stratify = y
    _, X_val, _, y_val = train_test_split(
        X,
        y,
        random_state=rng,
        test_size=EARLY["validation_fraction"],
        stratify=stratify,
    )
    return X_val, y_val


@pytest.mark.parametrize("data", ["binary", "multiclass", "single"])
def test_early_stopping_restores_the_weights_of_the_best_validation_score(data):
    est = ESTIMATORS[kind_of(data)][0](**{**BASE, **EARLY})
    est.fit(*dataset(data))
    scores = est.validation_scores_
    # The best epoch is not the last one, so restoring changes the weights.
    assert int(np.argmax(scores)) < len(scores) - 1
    X_val, y_val = _validation_split(data, est)
    n = len(dataset(data)[1])
    assert len(X_val) == int(np.ceil(EARLY["validation_fraction"] * n))
    assert est.score(X_val, y_val) == pytest.approx(
        est.best_validation_score_, abs=1e-12
    )
    assert est.best_validation_score_ == max(scores)


# Not multiclass: skbp stratifies its split, scikit-learn's MLP does not.
@pytest.mark.parametrize("data", ["binary", "single"])
def test_restore_best_score_is_sklearns_early_stopping_and_its_loss_sklearns(data):
    # Issue 23's restore_best in its 'off' state, set explicitly: the same
    # epochs, scores and restored weights as scikit-learn's MLP; and the
    # validation loss of the restored epoch is the loss of scikit-learn's
    # restored model on the split, as sklearn.metrics computes it.
    X, y = dataset(data)
    ours, theirs = make_pair(kind_of(data), **EARLY)
    theirs.fit(X, y)
    ours.set_params(restore_best="score").fit(X, y)
    assert_same_fit(ours, theirs)
    np.testing.assert_allclose(
        ours.validation_scores_, theirs.validation_scores_, rtol=0, atol=1e-12
    )
    assert len(ours.validation_loss_curve_) == ours.n_iter_
    X_val, y_val = _validation_split(data, ours)
    if kind_of(data) == "classifier":
        expected = log_loss(y_val, theirs.predict_proba(X_val))
    else:
        expected = 0.5 * mean_squared_error(y_val, theirs.predict(X_val))
    best = int(np.argmax(theirs.validation_scores_))
    assert ours.validation_loss_curve_[best] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("data", ["multilabel", "single"])
def test_too_small_validation_set_is_refused(data):
    X, y = dataset(data)
    X, y = X[:10], y[:10]  # validation_fraction=0.1 of 10 samples: 1
    ours, _ = make_pair(kind_of(data), early_stopping=True)
    message = raised(ours.fit, X, y)
    assert message == (
        "The validation set is too small: early_stopping=True holds out "
        "validation_fraction=0.1 of the 10 samples, 1 sample, and it needs at "
        "least 2 to be scored. Increase validation_fraction to 0.2 or more, "
        "train on more data, or set early_stopping=False."
    )
    assert not hasattr(ours, "coefs_")


@needs_sklearn("1.7", "scikit-learn's MLPs refuse a one-sample validation set")
@pytest.mark.parametrize("data", ["multilabel", "single"])
def test_too_small_validation_set_is_refused_as_by_sklearn(data):
    # The same refusal and first sentence; skbp's goes on with the sizes and
    # the parameters to change.
    X, y = dataset(data)
    X, y = X[:10], y[:10]
    ours, theirs = make_pair(kind_of(data), early_stopping=True)
    first = raised(theirs.fit, X, y).split(".")[0]
    assert first == "The validation set is too small"
    assert raised(ours.fit, X, y).startswith(first + ": ")


def ten_iris_rows():
    """Every 15th iris row: 4, 3 and 3 of the three classes."""
    X, y = dataset("multiclass")
    return X[::15], y[::15]


def test_a_validation_set_too_small_to_hold_every_class_is_refused():
    # Stratified by class, one validation sample cannot hold three classes:
    # scikit-learn's train_test_split said so in its own terms ("The
    # test_size = 1 should be greater or equal to the number of classes =
    # 3"), naming neither early stopping nor validation_fraction.
    X, y = ten_iris_rows()
    assert np.bincount(y).tolist() == [4, 3, 3]
    est = BackpropClassifier(early_stopping=True)
    message = raised(est.fit, X, y)
    assert message == (
        "The validation set is too small: early_stopping=True holds out "
        "validation_fraction=0.1 of the 10 samples, 1 sample, and it needs at "
        "least 3, one of each of the 3 classes (the split is stratified by "
        "class). Increase validation_fraction to 0.3 or more, train on more "
        "data, or set early_stopping=False."
    )
    # The fraction it names is enough.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.set_params(validation_fraction=0.3, max_iter=3).fit(X, y)
    assert len(est.validation_scores_) == 3


@pytest.mark.parametrize(
    ("params", "rows", "message"),
    [
        (
            dict(validation_fraction=0.8),
            slice(None, None, 15),
            "The training set is too small: early_stopping=True holds out "
            "validation_fraction=0.8 of the 10 samples for validation, which "
            "leaves 2 to train on, and training needs at least 3, one of each of "
            "the 3 classes (the split is stratified by class). Decrease "
            "validation_fraction to 0.7 or less, train on more data, or set "
            "early_stopping=False.",
        ),
        (
            dict(validation_fraction=0.5),
            [0, 1, 2, 50, 51, 52, 100],
            "The validation set cannot be drawn: early_stopping=True splits "
            "the samples stratified by class, and class 2 has only 1 sample, "
            "too few to be in both the training and the validation set. "
            "Train on more samples of it, or set early_stopping=False.",
        ),
        (
            dict(validation_fraction=0.0),
            slice(None),
            "The validation set is too small: early_stopping=True holds out "
            "validation_fraction=0 of the 150 samples, 0 samples, and it "
            "needs at least 3, one of each of the 3 classes (the split is "
            "stratified by class). Increase validation_fraction to 0.02 or "
            "more, train on more data, or set early_stopping=False.",
        ),
    ],
    ids=["training-set", "one-sample-class", "fraction-0"],
)
def test_every_split_early_stopping_cannot_make_gets_skbps_sentence(
    params, rows, message
):
    X, y = dataset("multiclass")
    est = BackpropClassifier(early_stopping=True, **params)
    assert raised(est.fit, X[rows], y[rows]) == message
    assert not hasattr(est, "coefs_")


@pytest.mark.parametrize("warm_start", [False, True])
def test_a_refused_split_leaves_a_fitted_model_as_it_was(warm_start):
    X, y = dataset("multiclass")
    est = BackpropClassifier(max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    est.set_params(early_stopping=True, warm_start=warm_start)
    before = pickle.dumps(est)
    small_X, small_y = ten_iris_rows()
    assert raised(est.fit, small_X, small_y).startswith(
        "The validation set is too small: "
    )
    assert pickle.dumps(est) == before
    # partial_fit never splits: it refuses early stopping as scikit-learn's.
    assert raised(est.partial_fit, small_X, small_y) == (
        "partial_fit does not support early_stopping=True"
    )
    assert pickle.dumps(est) == before


@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_partial_fit_with_early_stopping_raises_like_sklearn(data):
    X, y = dataset(data)
    kwargs = {"classes": np.unique(y)} if kind_of(data) == "classifier" else {}
    ours, theirs = make_pair(kind_of(data), early_stopping=True)
    message = raised(ours.partial_fit, X, y, **kwargs)
    assert message == raised(theirs.partial_fit, X, y, **kwargs)
    assert message == "partial_fit does not support early_stopping=True"


# ----------------------------------------------------------------------------
# 4. Warm start


@fixed_length
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam", "lbfgs"])
@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_warm_start_second_fit_continues_like_sklearn(data, solver):
    X, y = dataset(data)
    ours, theirs = make_pair(
        kind_of(data), warm_start=True, max_iter=5, **SOLVERS[solver]
    )
    for est in (ours, theirs):
        est.fit(X, y)
    assert_same_fit(ours, theirs)
    for est in (ours, theirs):
        est.set_params(max_iter=4).fit(X[::2], y[::2])
    assert_same_fit(ours, theirs)
    if solver != "lbfgs":
        assert len(ours.loss_curve_) == 9
        assert ours.t_ == len(X) * 5 + len(X[::2]) * 4


@fixed_length
@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_warm_start_fit_starts_from_the_previous_fits_weights(data):
    # Independent of scikit-learn: a warm second fit equals a fresh fit whose
    # initial weights are the first fit's result.
    X, y = dataset(data)
    Est = ESTIMATORS[kind_of(data)][0]
    params = {**BASE, **SOLVERS["sgd-nesterov"], "shuffle": False}
    params["n_iter_no_change"] = np.inf
    warm = Est(**params, warm_start=True).fit(X, y)
    first_loss_curve = list(warm.loss_curve_)
    fresh = Est(
        **params,
        coefs_init=[W.copy() for W in warm.coefs_],
        intercepts_init=[b.copy() for b in warm.intercepts_],
    )
    warm.fit(X, y)
    fresh.fit(X, y)
    for p, q in zip(weights(warm), weights(fresh)):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    assert warm.loss_curve_ == first_loss_curve + fresh.loss_curve_


@fixed_length
@pytest.mark.parametrize("data", ["binary", "single"])
def test_warm_start_with_early_stopping_keeps_the_best_epoch_of_an_earlier_fit(data):
    # tol=0.5: no epoch after the first counts as an improvement, so the
    # first fit stops after n_iter_no_change + 2 epochs, the second (its
    # count carried over) after one that does not beat the best score. The
    # best epoch is then in the first fit, and skbp keeps its weights, those
    # of scikit-learn's first fit. (scikit-learn's second fit returns its
    # last epoch's: after the first fit its saved best weights are coefs_
    # itself, and the second fit trains them in place.)
    X, y = dataset(data)
    params = dict(
        solver="sgd", early_stopping=True, warm_start=True, tol=0.5, max_iter=20
    )
    params["n_iter_no_change"] = 2
    ours, theirs = fit_pair(data, **params)
    best_of_first_fit = [p.copy() for p in weights(theirs)]
    assert ours.n_iter_ == theirs.n_iter_ == 4
    ours.fit(X, y)
    theirs.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 1
    np.testing.assert_allclose(
        ours.validation_scores_, theirs.validation_scores_, rtol=0, atol=1e-12
    )
    assert ours.validation_scores_[-1] <= ours.best_validation_score_
    assert ours.best_validation_score_ == pytest.approx(
        theirs.best_validation_score_, abs=1e-12
    )
    for p, q in zip(weights(ours), best_of_first_fit):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-6)


def test_warm_start_with_different_classes_raises_like_sklearn():
    X, y = dataset("multiclass")
    ours, theirs = make_pair("classifier", warm_start=True, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
        theirs.fit(X, y)
    before = [p.copy() for p in weights(ours)]
    subset = y < 2
    message = raised(ours.fit, X[subset], y[subset])
    assert message == raised(theirs.fit, X[subset], y[subset])
    assert message.startswith("warm_start can only be used where `y` has the same")
    for p, q in zip(weights(ours), before):
        np.testing.assert_array_equal(p, q)


# ----------------------------------------------------------------------------
# 5. partial_fit


def test_classifier_partial_fit_first_call_needs_classes_like_sklearn():
    X, y = dataset("multiclass")
    ours, theirs = make_pair("classifier", solver="sgd")
    message = raised(ours.partial_fit, X, y)
    assert message == raised(theirs.partial_fit, X, y)
    assert message == "classes must be passed on the first call to partial_fit."


@fixed_length
@pytest.mark.parametrize("solver", ["sgd", "sgd-nesterov", "adam"])
@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_partial_fit_loop_equals_fit_for_as_many_epochs_and_sklearns_loop(data, solver):
    X, y = dataset(data)
    kind = kind_of(data)
    kwargs = {"classes": np.unique(y)} if kind == "classifier" else {}
    n_calls = 4
    params = dict(shuffle=False, max_iter=n_calls, **SOLVERS[solver])
    fitted = ESTIMATORS[kind][0](**{**BASE, **params}).fit(X, y)
    ours, theirs = make_pair(kind, **params)
    for _ in range(n_calls):
        ours.partial_fit(X, y, **kwargs)
        theirs.partial_fit(X, y, **kwargs)
    for p, q in zip(weights(ours), weights(fitted)):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    assert ours.loss_curve_ == fitted.loss_curve_
    assert ours.t_ == fitted.t_ == n_calls * len(X)
    assert fitted.n_iter_ == n_calls
    assert ours.n_iter_ == 1  # n_iter_ counts the epochs of the last call
    assert_same_fit(ours, theirs)


def test_lbfgs_estimators_have_no_partial_fit_unlike_sklearns_regressor():
    assert not hasattr(BackpropClassifier(solver="lbfgs"), "partial_fit")
    assert not hasattr(BackpropRegressor(solver="lbfgs"), "partial_fit")
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    # Deliberate difference: MLPRegressor guards partial_fit with
    # `available_if(lambda est: est._check_solver)` -- the bound method,
    # always truthy, never called -- so it exposes partial_fit for lbfgs.
    assert hasattr(MLPRegressor(solver="lbfgs"), "partial_fit")
    for solver in ("sgd", "adam"):
        for Est in (BackpropClassifier, BackpropRegressor, MLPClassifier):
            assert hasattr(Est(solver=solver), "partial_fit")


# ----------------------------------------------------------------------------
# 6. Sample weights


@MLP_SAMPLE_WEIGHT
@fixed_length
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam", "lbfgs"])
@pytest.mark.parametrize("data", ["binary", "multiclass", "single"])
def test_sample_weight_fit_equals_sklearns(data, solver):
    n = len(dataset(data)[1])
    w = np.random.RandomState(1).uniform(0.1, 3.0, n)
    ours, theirs = fit_pair(data, sample_weight=w, **SOLVERS[solver])
    assert_same_fit(ours, theirs)


@MLP_SAMPLE_WEIGHT
@pytest.mark.parametrize("data", ["binary", "single"])
def test_early_stopping_with_sample_weight_equals_sklearns(data):
    # The weights are split with the data; validation scores are weighted.
    n = len(dataset(data)[1])
    w = np.random.RandomState(2).uniform(0.1, 3.0, n)
    ours, theirs = fit_pair(data, sample_weight=w, **EARLY)
    assert ours.n_iter_ == theirs.n_iter_ < EARLY["max_iter"]
    np.testing.assert_allclose(
        ours.validation_scores_, theirs.validation_scores_, rtol=0, atol=1e-12
    )
    assert_same_fit(ours, theirs)


@fixed_length
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_integer_sample_weight_equals_repeated_rows(data, solver):
    # Full-batch: the weighted mean over n rows is the plain mean over the
    # Σw repeated rows, so the two objectives (and gradients) are the same.
    X, y = dataset(data)
    w = np.random.RandomState(0).randint(0, 4, len(y))
    X_rep, y_rep = np.repeat(X, w, axis=0), np.repeat(y, w, axis=0)
    Est = ESTIMATORS[kind_of(data)][0]
    params = {**BASE, **SOLVERS[solver], "shuffle": False, "max_iter": 30}
    weighted = Est(**{**params, "batch_size": len(y)})
    weighted.fit(X, y, sample_weight=w)
    repeated = Est(**{**params, "batch_size": len(y_rep)}).fit(X_rep, y_rep)
    assert weighted.n_iter_ == repeated.n_iter_
    atol = 1e-10 if solver == "sgd" else 1e-6
    for p, q in zip(weights(weighted), weights(repeated)):
        np.testing.assert_allclose(p, q, rtol=0, atol=atol)
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-9, abs=1e-12)
    if solver == "sgd":
        np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, 1e-10)


def _fit_without_warnings(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_zero_weight_minibatch_is_skipped_like_dropping_its_rows(data):
    # Plain SGD (no momentum, alpha=0), no shuffling: a minibatch whose
    # weights are all zero has zero gradient, so no update is made, and the
    # remaining batches are those of the data without its rows. (scikit-learn
    # divides by the batch's zero weight sum and produces NaN.)
    X, y = dataset(data)
    bs = 25
    w = np.ones(len(y))
    w[:bs] = 0.0
    Est = ESTIMATORS[kind_of(data)][0]
    params = {**BASE, **SOLVERS["sgd"], "alpha": 0.0, "batch_size": bs}
    params.update(shuffle=False, n_iter_no_change=np.inf)
    zeroed = _fit_without_warnings(Est(**params), X, y, sample_weight=w)
    dropped = _fit_without_warnings(Est(**params), X[bs:], y[bs:])
    for p, q in zip(weights(zeroed), weights(dropped)):
        assert np.isfinite(p).all()
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    # The epoch loss is the batch losses weighted by batch size over all n
    # rows; the zero-weight batch contributes a loss of 0.
    np.testing.assert_allclose(
        np.asarray(zeroed.loss_curve_) * len(y),
        np.asarray(dropped.loss_curve_) * (len(y) - bs),
        rtol=1e-10,
    )


@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam"])
@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_zero_weight_minibatch_with_momentum_and_l2_trains_finitely_without_warning(
    data, solver
):
    X, y = dataset(data)
    w = np.ones(len(y))
    w[:32] = 0.0
    Est = ESTIMATORS[kind_of(data)][0]
    est = Est(**{**BASE, **SOLVERS[solver], "alpha": 1e-2, "shuffle": False})
    _fit_without_warnings(est, X, y, sample_weight=w)
    assert all(np.isfinite(p).all() for p in weights(est))
    assert np.isfinite(est.loss_curve_).all()


@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_zero_weight_batch_leaves_weights_unchanged_with_alpha_zero(data):
    # partial_fit over [zero-weight batch, batch B] from some weights equals
    # partial_fit over B alone from the same weights: the zero-weight batch
    # changed nothing. (partial_fit on the zero-weight batch alone is
    # rejected: skbp refuses an all-zero sample_weight, see the next test.)
    X, y = dataset(data)
    bs = 20
    kind = kind_of(data)
    kwargs = {"classes": np.unique(y)} if kind == "classifier" else {}
    params = {**BASE, **SOLVERS["sgd"], "alpha": 0.0, "batch_size": bs}
    params["shuffle"] = False
    a, b = (ESTIMATORS[kind][0](**params) for _ in range(2))
    for est in (a, b):
        est.partial_fit(X[bs:], y[bs:], **kwargs)  # move off the initial draw
    before = [p.copy() for p in weights(a)]
    rows = slice(2 * bs, 4 * bs)
    w = np.r_[np.zeros(bs), np.ones(bs)]
    a.partial_fit(X[rows], y[rows], sample_weight=w)
    b.partial_fit(X[3 * bs : 4 * bs], y[3 * bs : 4 * bs])
    for p, q, r in zip(weights(a), weights(b), before):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-14)
        assert not np.array_equal(p, r)


@pytest.mark.parametrize("data", ["multiclass", "single"])
def test_all_zero_sample_weight_is_rejected_and_leaves_model_unchanged(data):
    X, y = dataset(data)
    kind = kind_of(data)
    kwargs = {"classes": np.unique(y)} if kind == "classifier" else {}
    est = ESTIMATORS[kind][0](**{**BASE, **SOLVERS["sgd"], "alpha": 0.0})
    est.partial_fit(X, y, **kwargs)
    before = [p.copy() for p in weights(est)]
    message = raised(est.partial_fit, X[:20], y[:20], sample_weight=np.zeros(20))
    # skbp's own words on every scikit-learn (1.9's check_sample_weight has
    # a sentence of its own, which skbp turns off).
    assert message == "sample_weight must not be all zero."
    for p, q in zip(weights(est), before):
        np.testing.assert_array_equal(p, q)
    assert est.n_iter_ == 1 and len(est.loss_curve_) == 1


# ----------------------------------------------------------------------------
# 7. Poisson loss


@MLP_REGRESSOR_LOSS
@fixed_length
@pytest.mark.parametrize("solver", ["sgd-nesterov", "adam", "lbfgs"])
def test_poisson_regressor_fit_equals_sklearns(solver):
    params = dict(loss="poisson", learning_rate_init=0.01, **SOLVERS[solver])
    ours, theirs = fit_pair("poisson", **params)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    assert_same_fit(ours, theirs)
    X = dataset("poisson")[0]
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-6)


def test_poisson_rejects_negative_targets_with_a_clear_error():
    # Deliberate difference: scikit-learn accepts them and trains on a NaN loss.
    X, y = dataset("poisson")
    y = y.copy()
    y[3] = -1.0
    est = BackpropRegressor(loss="poisson", solver="sgd", max_iter=2)
    message = raised(est.fit, X, y)
    assert "negative" in message and "poisson" in message
    assert not hasattr(est, "coefs_")


# ----------------------------------------------------------------------------
# 8. Sparse input

SPARSE_CONTAINERS = [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array]


@fixed_length
@pytest.mark.parametrize(
    "solver",
    [dict(solver="sgd", shuffle=True), dict(solver="adam"), dict(solver="lbfgs")],
    ids=["sgd-shuffle", "adam", "lbfgs"],
)
@pytest.mark.parametrize("container", SPARSE_CONTAINERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_sparse_input_gives_same_weights_and_predictions_as_dense(
    kind, container, solver
):
    X, y = dataset("digits")
    if kind == "regressor":
        y = (y - y.mean()) / y.std()
    X_sparse = container(X)
    assert sp.issparse(X_sparse) and X_sparse.nnz < X.size
    Est = ESTIMATORS[kind][0]
    params = {**BASE, **solver, "hidden_layer_sizes": (8,), "max_iter": 10}
    dense = Est(**params).fit(X, y)
    sparse = Est(**params).fit(X_sparse, y)
    assert sparse.n_iter_ == dense.n_iter_
    for p, q in zip(weights(sparse), weights(dense)):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-10)
    out = "predict_proba" if kind == "classifier" else "predict"
    expected = getattr(dense, out)(X)
    np.testing.assert_allclose(getattr(sparse, out)(X_sparse), expected, atol=1e-10)
    np.testing.assert_allclose(getattr(dense, out)(X_sparse), expected, atol=1e-10)


# ----------------------------------------------------------------------------
# 9. verbose output

ITERATION_LINE = re.compile(r"Iteration \d+, loss = \d+\.\d{8}")


@fixed_length
@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd", tol=0.05, n_iter_no_change=2, max_iter=50),
        dict(solver="adam", max_iter=8),
        dict(solver="adam", early_stopping=True, n_iter_no_change=2, max_iter=50),
    ],
    ids=["sgd-stops", "adam", "early-stopping"],
)
def test_verbose_prints_the_lines_sklearn_prints(params, capsys):
    X, y = dataset("binary")
    ours, theirs = make_pair("classifier", verbose=True, **params)
    theirs.fit(X, y)
    expected = capsys.readouterr().out.splitlines()
    ours.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines == expected
    iterations = [line for line in lines if line.startswith("Iteration")]
    assert len(iterations) == ours.n_iter_
    assert all(ITERATION_LINE.fullmatch(line) for line in iterations)
    assert iterations[-1] == f"Iteration {ours.n_iter_}, loss = {ours.loss_:.8f}"
    if ours.n_iter_ < params["max_iter"]:
        assert lines[-1].endswith("consecutive epochs. Stopping.")
    if params.get("early_stopping"):
        assert sum(line.startswith("Validation score: ") for line in lines) == len(
            iterations
        )


# ----------------------------------------------------------------------------
# 10. Fitted attributes

ATTRIBUTES = [
    "coefs_",
    "intercepts_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "t_",
    "n_iter_",
    "n_layers_",
    "n_outputs_",
    "out_activation_",
    "n_features_in_",
    "classes_",
]


@fixed_length
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("data", ["binary", "multiclass", "multilabel", "single"])
def test_fitted_attributes_are_sklearns(data, solver, early_stopping):
    params = dict(solver=solver, early_stopping=early_stopping, max_iter=5)
    ours, theirs = fit_pair(data, hidden_layer_sizes=(4, 3), **params)
    for name in ATTRIBUTES:
        assert hasattr(ours, name) == hasattr(theirs, name), name
    if solver == "lbfgs":
        for est in (ours, theirs):
            assert not hasattr(est, "loss_curve_")
            assert not hasattr(est, "best_loss_")
    elif early_stopping:
        assert ours.best_loss_ is None and theirs.best_loss_ is None
        assert len(ours.validation_scores_) == ours.n_iter_
    else:
        for est in (ours, theirs):
            assert est.validation_scores_ is None
            assert est.best_validation_score_ is None
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-10)
    for name in ["t_", "n_iter_", "n_layers_", "n_outputs_", "out_activation_"]:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.n_layers_ == 4
    assert ours.n_features_in_ == theirs.n_features_in_
    if hasattr(theirs, "classes_"):
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert [W.shape for W in ours.coefs_] == [W.shape for W in theirs.coefs_]
