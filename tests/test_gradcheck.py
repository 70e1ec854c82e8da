"""Tests of check_gradients: backprop's gradient beside a central difference.

The finite difference is the independent reference; the checks below assert
that it agrees with backprop on every configuration skbp supports, that it
disagrees when a derivative is planted wrong, that the estimator is left as
it was, and that on Mazur's example both columns give the gradients his
text prints.
"""

import itertools
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from mazur_reference import MAZUR_INITIAL, MAZUR_NEW_WEIGHTS, MAZUR_WEIGHTS
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor, _activations, _network
from skbp._gradcheck import GradientCheck, check_gradients
from skbp.worked_examples import mazur_network

TOL = 1e-6
HIDDEN = ["logistic", "tanh", "relu", "leaky_relu", "softplus", "identity"]
COLUMNS = [
    "layer",
    "kind",
    "from_unit",
    "to_unit",
    "value",
    "backprop",
    "numeric",
    "abs_error",
    "rel_error",
    "fd_error",
    "passed",
]
# Hidden net inputs of the samples kept for a (leaky) ReLU network are at
# least this far from the kink; the default step, 1e-5 * max(1, |w|), moves
# them far less.
RELU_MARGIN = 1e-3
# Slope below the kink of the units that have one.
KINKED = {"relu": 0.0, "leaky_relu": 0.01}


def make_X(n=24, n_features=3, seed=0):
    return np.random.default_rng(seed).normal(size=(n, n_features))


def initial_weights(layer_units, seed=1):
    rng = np.random.default_rng(seed)
    coefs = [
        rng.normal(scale=0.8, size=(a, b)) for a, b in itertools.pairwise(layer_units)
    ]
    intercepts = [rng.normal(scale=0.5, size=b) for b in layer_units[1:]]
    return coefs, intercepts


def away_from_relu_kink(X, coefs, intercepts, slope=0.0):
    """Mask of the samples whose hidden net inputs are all off the kink.

    ``slope`` is the units' slope below it (0 for ReLU).

    The net inputs are computed here, independently of skbp.
    """
    mask = np.ones(X.shape[0], dtype=bool)
    a = X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        z = a @ W + b
        mask &= (np.abs(z) > RELU_MARGIN).all(axis=1)
        a = np.where(z > 0, z, slope * z)
    assert mask.sum() >= 10
    return mask


def network(cls, hidden, n_features, n_outputs, activation="tanh", **params):
    """An unfitted estimator with seeded initial weights, and those weights."""
    coefs, intercepts = initial_weights([n_features, *hidden, n_outputs])
    est = cls(
        hidden_layer_sizes=hidden,
        activation=activation,
        coefs_init=coefs,
        intercepts_init=intercepts,
        **params,
    )
    return est, coefs, intercepts


def assert_passes(check, n_params):
    assert isinstance(check, GradientCheck)
    assert list(check.table.columns) == COLUMNS
    assert len(check.table) == n_params
    assert np.isfinite(check.table[["backprop", "numeric"]].to_numpy()).all()
    # The check must be able to fail: the gradients are not all ~0.
    assert check.table["backprop"].abs().max() > 1e-3
    assert check.max_rel_error < TOL, check
    assert check.passed and check.table["passed"].all(), check


def n_params(layer_units, fit_intercept=True):
    n = sum(a * b for a, b in itertools.pairwise(layer_units))
    return n + (sum(layer_units[1:]) if fit_intercept else 0)


# ----------------------------------------------------------------------------
# Agreement on every supported configuration.


@pytest.mark.parametrize(
    ("activation", "alpha", "fit_intercept", "weighted"),
    list(itertools.product(HIDDEN, [0.0, 0.3], [True, False], [False, True])),
)
def test_hidden_activations_penalty_weights_and_intercepts(
    activation, alpha, fit_intercept, weighted
):
    # Two hidden layers, two outputs, squared error on identity outputs.
    X = make_X()
    y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
    est, coefs, intercepts = network(
        BackpropRegressor,
        (4, 3),
        3,
        2,
        activation,
        alpha=alpha,
        fit_intercept=fit_intercept,
    )
    if activation in KINKED:
        keep = away_from_relu_kink(X, coefs, intercepts, KINKED[activation])
        X, y = X[keep], y[keep]
    sw = np.random.default_rng(2).uniform(0.2, 3.0, len(X)) if weighted else None
    check = check_gradients(est, X, y, sample_weight=sw)
    assert_passes(check, n_params([3, 4, 3, 2], fit_intercept))
    assert set(check.table["kind"]) == (
        {"coef", "intercept"} if fit_intercept else {"coef"}
    )


def regression_targets(X, kind):
    if kind == "poisson":
        return np.random.default_rng(3).poisson(np.exp(0.5 * X[:, 0]))
    # In (0, 1): reachable by logistic, tanh and softmax outputs.
    t = 1 / (1 + np.exp(-X[:, :2]))
    return t / t.sum(axis=1, keepdims=True) if kind == "softmax" else t


@pytest.mark.parametrize(
    ("loss", "out_activation"),
    [
        ("squared_error", None),
        ("squared_error", "logistic"),  # Mazur's pairing, not canonical
        ("squared_error", "sigmoid"),
        ("squared_error", "tanh"),
        ("squared_error", "softmax"),
        ("poisson", None),  # exp output, the log link
    ],
)
@pytest.mark.parametrize("activation", ["logistic", "relu"])
def test_regressor_outputs_and_losses(loss, out_activation, activation):
    X = make_X(30)
    kind = "poisson" if loss == "poisson" else out_activation
    y = regression_targets(X, kind)
    n_out = 1 if y.ndim == 1 else y.shape[1]
    est, coefs, intercepts = network(
        BackpropRegressor,
        (5,),
        3,
        n_out,
        activation,
        loss=loss,
        out_activation=out_activation,
        alpha=0.1,
    )
    if activation in KINKED:
        keep = away_from_relu_kink(X, coefs, intercepts, KINKED[activation])
        X, y = X[keep], y[keep]
    sw = np.random.default_rng(4).uniform(0.5, 2.0, len(X))
    check = check_gradients(est, X, y, sample_weight=sw)
    assert_passes(check, n_params([3, 5, n_out]))


def classification_targets(X, kind):
    if kind == "binary":
        return np.where(X[:, 0] + 0.3 * X[:, 1] > 0, "yes", "no")
    if kind == "multiclass":
        return np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])
    return np.column_stack([X[:, 0] > 0, X[:, 1] > 0.3, X[:, 2] < 0]).astype(int)


@pytest.mark.parametrize(
    ("kind", "class_weight"),
    [
        (kind, class_weight)
        for kind in ["binary", "multiclass", "multilabel"]
        for class_weight in [None, "balanced", "dict"]
        # A multilabel target takes 'balanced' only (scikit-learn would want a
        # list of dicts, one per label, which class_weight does not accept).
        if (kind, class_weight) != ("multilabel", "dict")
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_classifier_log_loss(kind, class_weight, weighted):
    X = make_X(30)
    y = classification_targets(X, kind)
    n_out = {"binary": 1, "multiclass": 3, "multilabel": 3}[kind]
    if class_weight == "dict":
        class_weight = (
            {"no": 0.5, "yes": 2.0} if kind == "binary" else {0: 0.5, 1: 2.0, 2: 1.5}
        )
    est, _, _ = network(
        BackpropClassifier,
        (4, 3),
        3,
        n_out,
        "tanh",
        alpha=0.2,
        class_weight=class_weight,
    )
    sw = np.random.default_rng(5).uniform(0.5, 2.0, len(X)) if weighted else None
    check = check_gradients(est, X, y, sample_weight=sw)
    assert_passes(check, n_params([3, 4, 3, n_out]))


def test_class_weight_enters_the_checked_loss():
    # The weighted and unweighted losses differ, so their gradients must too.
    X = make_X(30)
    y = classification_targets(X, "multiclass")
    est, _, _ = network(BackpropClassifier, (4,), 3, 3)
    plain = check_gradients(est, X, y)
    weighted = check_gradients(est.set_params(class_weight={0: 5.0}), X, y)
    assert plain.loss != pytest.approx(weighted.loss)
    assert not np.allclose(plain.table["backprop"], weighted.table["backprop"])
    assert weighted.max_rel_error < TOL


@pytest.mark.parametrize("cls", [BackpropRegressor, BackpropClassifier])
def test_float32_data_and_sparse_input_are_checked_in_float64(cls):
    X = make_X(30)
    y = X[:, 0] - X[:, 1] ** 2 if cls is BackpropRegressor else X[:, 0] > 0
    est, coefs, _ = network(cls, (4,), 3, 1, "logistic", alpha=0.1)
    check32 = check_gradients(est, X.astype(np.float32), y)
    assert_passes(check32, n_params([3, 4, 1]))
    assert check32.table["backprop"].dtype == np.float64
    # The float32 network starts from the float32-rounded weights, widened.
    assert check32.table["value"].iloc[0] == np.float32(coefs[0][0, 0])
    assert check32.table["value"].iloc[0] != coefs[0][0, 0]

    check_sparse = check_gradients(est, sp.csr_matrix(X), y)
    dense = check_gradients(est, X, y)
    np.testing.assert_allclose(
        check_sparse.table["backprop"], dense.table["backprop"], rtol=1e-12
    )
    assert check_sparse.max_rel_error < TOL


def test_fitted_models_are_checked_at_their_weights():
    X = make_X(40)
    y = classification_targets(X, "multiclass")
    est = BackpropClassifier(
        hidden_layer_sizes=(5,),
        activation="tanh",
        solver="lbfgs",
        max_iter=8,
        alpha=0.05,
        class_weight="balanced",
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    check = check_gradients(est, X, y)
    fitted = np.concatenate(
        [c.ravel() for c in est.coefs_] + [b.ravel() for b in est.intercepts_]
    )
    np.testing.assert_array_equal(check.table["value"], fitted)
    assert check.loss == pytest.approx(est.loss_, rel=1e-12)
    assert_passes(check, fitted.size)

    # A float32 fit is checked in float64 at its float32 weights.
    est32 = clone(est).set_params(class_weight=None, activation="logistic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est32.fit(X.astype(np.float32), y)
    check32 = check_gradients(est32, X, y)
    assert check32.table["value"].iloc[3] == est32.coefs_[0].ravel()[3]
    assert_passes(check32, fitted.size)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_backprop_column_is_the_gradient_trace_step_reports(fit_intercept):
    # Unfitted, default Glorot draw: the checked weights are the ones fit
    # starts from, and the backprop column is trace_step's gradient.
    X = make_X(20)
    y = X @ [0.5, -0.4, 0.3]
    est = BackpropRegressor(
        hidden_layer_sizes=(4, 3),
        solver="sgd",
        alpha=0.2,
        fit_intercept=fit_intercept,
        random_state=7,
    )
    sw = np.random.default_rng(6).uniform(0.5, 2.0, len(X))
    check = check_gradients(est, X, y, sample_weight=sw)
    trace = clone(est).trace_step(X, y, sample_weight=sw)
    key = ["layer", "kind", "from_unit", "to_unit"]
    pd.testing.assert_frame_equal(check.table[key], trace.updates[key])
    np.testing.assert_array_equal(check.table["value"], trace.updates["old_weight"])
    np.testing.assert_allclose(
        check.table["backprop"], trace.updates["gradient"], rtol=1e-13, atol=1e-16
    )
    assert check.loss == pytest.approx(trace.loss, rel=1e-13)
    assert check.max_rel_error < TOL


# ----------------------------------------------------------------------------
# A planted error is caught, and located.


def test_catches_a_wrong_activation_derivative(monkeypatch):
    def forgets_one_minus_out(out, delta, scratch=None):
        delta *= out  # σ' written as out instead of out (1 - out)

    monkeypatch.setitem(_activations.DERIVATIVES, "logistic", forgets_one_minus_out)
    X = make_X()
    y = np.sin(X[:, 0])
    est, _, _ = network(BackpropRegressor, (4, 3), 3, 1, "logistic")
    check = check_gradients(est, X, y)
    assert check.max_rel_error > 1e-2
    table = check.table
    # The wrong derivative enters the δ of both hidden layers, so every
    # parameter feeding them is wrong; the output layer's are not.
    hidden = table["layer"] < 3
    assert (table.loc[hidden, "rel_error"] > 1e-2).all()
    assert (table.loc[~hidden, "rel_error"] < TOL).all()


def test_catches_one_scaled_layer_gradient(monkeypatch):
    backward = _network.backward

    def scales_layer_2(*args, **kwargs):
        deltas = backward(*args, **kwargs)
        workspace = args[4]
        workspace.coef_grads[1] *= 1.05
        return deltas

    monkeypatch.setattr(_network, "backward", scales_layer_2)
    X = make_X()
    y = np.cos(X[:, 1])
    est, _, _ = network(BackpropRegressor, (4, 3), 3, 1, "tanh")
    check = check_gradients(est, X, y)
    wrong = (check.table["layer"] == 2) & (check.table["kind"] == "coef")
    np.testing.assert_allclose(
        check.table.loc[wrong, "rel_error"], 0.05 / 1.05, rtol=1e-5
    )
    assert (check.table.loc[~wrong, "rel_error"] < TOL).all()
    assert check.max_rel_error == pytest.approx(0.05 / 1.05, rel=1e-5)
    assert "max_rel_error=0.0476" in repr(check)
    assert not check.passed
    assert check.n_failed == wrong.sum() == 12
    assert (check.table["passed"] == ~wrong).all()
    assert repr(check).startswith("GradientCheck: FAILED, 12 of 35 parameters")
    # rtol is the threshold: a relative error of 0.0476 passes above it.
    assert check_gradients(est, X, y, rtol=0.05).passed
    assert not check_gradients(est, X, y, rtol=0.045).passed


# ----------------------------------------------------------------------------
# Rounding noise is not an error: the digits network of issue 20.


def digits_check(activation):
    """Digits, 8 hidden units, 5 epochs, checked on 30 rows."""
    X, y = load_digits(return_X_y=True)
    X = X / 16
    est = BackpropClassifier(
        hidden_layer_sizes=(8,), activation=activation, max_iter=5, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return est, X[:30], y[:30]


@pytest.mark.parametrize("activation", ["logistic", "softplus"])
def test_a_right_gradient_passes_where_tiny_gradients_meet_rounding_noise(
    activation,
):
    est, X, y = digits_check(activation)
    check = check_gradients(est, X, y)
    table = check.table
    # The pixels that are 0 in all 30 rows feed the hidden units nothing, so
    # the loss depends on their weights through the L2 term alone: its
    # gradient is exactly alpha * w / n, about 1e-8 here.
    blank = np.flatnonzero((X == 0).all(axis=0))
    penalty_only = (table["layer"] == 1) & table["from_unit"].isin(blank)
    assert penalty_only.sum() == 8 * len(blank) > 0
    exact = est.alpha * table["value"] / len(X)
    np.testing.assert_allclose(
        table.loc[penalty_only, "backprop"], exact[penalty_only], rtol=1e-12
    )
    # The central difference misses them by float64 rounding of the loss,
    # which fd_error bounds...
    difference_error = (table["numeric"] - exact).abs()
    assert (difference_error <= table["fd_error"])[penalty_only].all()
    # ...although relative to gradients that small it is large: the worst
    # relative errors, which once read as a wrong backprop, are these rows.
    assert check.max_rel_error > 1e-4
    worst = table["rel_error"].nlargest(5).index
    assert penalty_only[worst].all()
    assert check.passed and check.n_failed == 0
    assert table["passed"].all()
    assert check.norm_rel_error < 1e-8
    text = repr(check)
    assert text.startswith("GradientCheck: passed, every one of 610 parameters")
    assert "rtol=1e-05" in text


def test_a_right_gradient_passes_near_a_minimum_where_truncation_shows():
    # Fitted to convergence, the gradients are small, and the central
    # difference's truncation error, h**2 times the loss's third derivative
    # over 6, is large next to them: a rounding floor alone failed 7 of
    # these parameters.
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    est = BackpropClassifier(
        hidden_layer_sizes=(6, 4),
        activation="softplus",
        solver="lbfgs",
        alpha=0.01,
        max_iter=3000,
        max_fun=30000,
        tol=0,
        random_state=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    check = check_gradients(est, X, y)
    assert check.table["backprop"].abs().max() < 1e-3  # near a minimum
    assert check.max_rel_error > 1e-4
    assert check.passed, check


@pytest.mark.parametrize(
    ("factor", "what"), [(1.01, "1 % too large"), (-1.0, "sign flipped")]
)
def test_one_wrong_weight_derivative_fails_the_check(monkeypatch, factor, what):
    est, X, y = digits_check("logistic")
    right = check_gradients(est, X, y).table
    # A weight of the first layer with a middling gradient, neither the
    # largest nor one of the tiny penalty-only ones.
    layer_1 = right[right["layer"] == 1]
    middling = layer_1["backprop"].abs().sort_values().index[len(layer_1) * 3 // 4]
    j, k = int(right.loc[middling, "from_unit"]), int(right.loc[middling, "to_unit"])
    backward = _network.backward

    def one_wrong_derivative(*args, **kwargs):
        deltas = backward(*args, **kwargs)
        args[4].coef_grads[0][j, k] *= factor
        return deltas

    monkeypatch.setattr(_network, "backward", one_wrong_derivative)
    check = check_gradients(est, X, y)
    assert not check.passed, what
    assert check.n_failed == 1
    assert check.table.index[~check.table["passed"]].tolist() == [middling]
    assert check.table.loc[middling, "rel_error"] == pytest.approx(
        abs(factor - 1) / max(1, abs(factor)), rel=1e-3
    )
    assert repr(check).startswith("GradientCheck: FAILED, 1 of 610 parameters")


# ----------------------------------------------------------------------------
# The estimator is not changed.


def _fitted(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize(
    "make",
    [
        lambda X, y: BackpropRegressor(hidden_layer_sizes=(3,), random_state=0),
        lambda X, y: BackpropRegressor(
            hidden_layer_sizes=(3,), random_state=np.random.RandomState(0)
        ),
        lambda X, y: _fitted(
            BackpropRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0),
            X,
            y,
        ),
        lambda X, y: _fitted(
            BackpropClassifier(
                hidden_layer_sizes=(3,),
                solver="lbfgs",
                max_iter=3,
                class_weight="balanced",
                random_state=0,
            ),
            X,
            y > 0,
        ),
        lambda X, y: _fitted(
            BackpropRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0),
            X.astype(np.float32),
            y,
        ),
    ],
    ids=["unfitted", "unfitted-RandomState", "fitted", "fitted-balanced", "float32"],
)
def test_estimator_is_unchanged(make):
    X = make_X(20)
    y = X[:, 0] - X[:, 2]
    est = make(X, y)
    before = pickle.dumps(est)
    target = y > 0 if isinstance(est, BackpropClassifier) else y
    check_gradients(est, X, target, sample_weight=np.linspace(0.5, 1.5, 20))
    assert pickle.dumps(est) == before


# ----------------------------------------------------------------------------
# Mazur's example.


def test_mazur_gradients_as_printed():
    net, X, y = mazur_network()
    check = check_gradients(net, X, y)
    table = check.table
    # His biases are held fixed: eight weights, no intercept rows.
    assert len(table) == 8 and set(table["kind"]) == {"coef"}
    assert round(check.loss, 9) == 0.298371109

    def entry(name, column):
        layer, j, k = MAZUR_WEIGHTS[name]
        rows = table[
            (table["layer"] == layer)
            & (table["from_unit"] == j)
            & (table["to_unit"] == k)
        ]
        assert len(rows) == 1
        return rows[column].iloc[0]

    for column in ("backprop", "numeric"):
        # The two gradients his text prints, to its 9 digits.
        assert round(entry("w5", column), 9) == 0.082167041
        assert round(entry("w1", column), 9) == 0.000438568
        # The notebook retelling prints ∂E/∂w5 to 17 digits.
        assert entry("w5", column) == pytest.approx(0.08216704056423077, rel=1e-9)
        for name, printed in MAZUR_NEW_WEIGHTS.items():
            assert entry(name, "value") == MAZUR_INITIAL[name]
            decimals = len(printed.split(".")[1])
            # The printed w+ is rounded to its last digit; doubled by 1 / 0.5.
            tol = 10.0**-decimals + 1e-12
            gradient = (MAZUR_INITIAL[name] - float(printed)) / 0.5
            assert abs(entry(name, column) - gradient) <= tol, name
    assert entry("w5", "backprop") == pytest.approx(0.08216704056423077, rel=1e-15)
    assert check.max_rel_error < 1e-7


# ----------------------------------------------------------------------------
# Input errors.


@pytest.mark.parametrize(
    "estimator",
    [
        MLPRegressor(hidden_layer_sizes=(3,)),
        make_pipeline(StandardScaler(), BackpropRegressor()),
        BackpropRegressor,
    ],
    ids=["sklearn-mlp", "pipeline", "class"],
)
def test_rejects_what_is_not_an_skbp_estimator(estimator):
    with pytest.raises(TypeError, match="BackpropClassifier or BackpropRegressor"):
        check_gradients(estimator, make_X(), np.zeros(24))


@pytest.mark.parametrize("eps", [0, -1e-6, 1.0, np.nan, np.inf, "1e-6", True])
def test_rejects_a_bad_eps(eps):
    with pytest.raises(ValueError, match="eps must be a number in"):
        check_gradients(BackpropRegressor(), make_X(), np.zeros(24), eps=eps)


@pytest.mark.parametrize("rtol", [0, -1e-6, 1.0, np.nan, "1e-6", True])
def test_rejects_a_bad_rtol(rtol):
    with pytest.raises(ValueError, match="rtol must be a number in"):
        check_gradients(BackpropRegressor(), make_X(), np.zeros(24), rtol=rtol)


def test_the_repr_states_the_threshold_it_passed():
    net, X, y = mazur_network()
    check = check_gradients(net, X, y, rtol=1e-9)
    assert check.rtol == 1e-9
    assert repr(check).startswith(
        "GradientCheck: passed, every one of 8 parameters within "
        "|backprop - numeric| <= rtol * max(|backprop|, |numeric|) + fd_error, "
        "rtol=1e-09"
    )


def test_rejects_data_that_do_not_suit_the_estimator():
    X = make_X(20)
    est = _fitted(BackpropRegressor(hidden_layer_sizes=(3,), max_iter=2), X, X[:, 0])
    before = pickle.dumps(est)
    with pytest.raises(ValueError, match="features"):
        check_gradients(est, X[:, :2], X[:, 0])
    with pytest.raises(ValueError, match="sample_weight"):
        check_gradients(est, X, X[:, 0], sample_weight=-np.ones(20))
    with pytest.raises(ValueError):
        check_gradients(BackpropRegressor(alpha=-1.0), X, X[:, 0])
    assert pickle.dumps(est) == before


def test_an_explicit_eps_is_used():
    net, X, y = mazur_network()
    coarse = check_gradients(net, X, y, eps=1e-2)
    assert coarse.eps == 1e-2
    # Truncation error O(h**2) shows at a coarse step...
    assert 1e-7 < coarse.max_rel_error < 1e-2
    # ...and the backprop column does not depend on the step.
    fine = check_gradients(net, X, y)
    np.testing.assert_array_equal(coarse.table["backprop"], fine.table["backprop"])


def test_early_stopping_makes_no_split_to_refuse():
    # The check runs one full batch: a validation split that fit would find
    # too small (1 of 10 samples) is no reason to refuse it.
    X = make_X(10)
    est, _, _ = network(BackpropRegressor, (3,), 3, 1, early_stopping=True)
    assert_passes(check_gradients(est, X, np.sin(X[:, 0])), n_params([3, 3, 1]))


def test_rejects_weights_where_the_loss_is_not_finite():
    # Identity units pass 1e300 on until the squared error overflows.
    X = np.full((5, 2), 1e300)
    est = BackpropRegressor(activation="identity", hidden_layer_sizes=(3,))
    with pytest.raises(ValueError, match="loss is not finite"):
        check_gradients(est, X, np.zeros(5))
