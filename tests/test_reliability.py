"""Bad input, divergence, interruption and concurrency lose nothing.

Every rejected call is checked against a snapshot of the fitted model taken
before it: the model must come back bit for bit. The project's pytest
configuration turns RuntimeWarning into an error, so every test here also
checks that no numpy overflow warning escapes.
"""

import copy
import pickle
import signal
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _sigint import sigint_at_update
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropClassifier, BackpropRegressor, _optimizers, check_gradients
from skbp.exceptions import TargetScaleWarning, TrainingInterruptedWarning

rng = np.random.default_rng(0)
X = rng.standard_normal((60, 4))
y_clf = np.arange(60) % 3
y_reg = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.standard_normal(60)


def _quiet(fit, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", TargetScaleWarning)
        return fit(*args, **kwargs)


def _state(est, ignore=()):
    """Everything a fit may change (not the constructor parameters)."""
    skip = set(est.get_params(deep=False)) | set(ignore)
    return pickle.dumps({k: v for k, v in vars(est).items() if k not in skip})


def _fitted(Est, solver="adam", **params):
    y = y_clf if Est is BackpropClassifier else y_reg
    est = Est(hidden_layer_sizes=(5,), solver=solver, max_iter=5, random_state=0)
    return _quiet(est.set_params(**params).fit, X, y)


def _with(a, index, value):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


# One row per case: (name, estimator class, call(est), error type, message).
BAD_INPUT = [
    (
        "NaN in X",
        BackpropClassifier,
        lambda e: e.fit(_with(X, (0, 0), np.nan), y_clf),
        ValueError,
        "Input X contains NaN",
    ),
    (
        "inf in X",
        BackpropClassifier,
        lambda e: e.fit(_with(X, (3, 1), np.inf), y_clf),
        ValueError,
        "Input X contains infinity",
    ),
    (
        "NaN in y",
        BackpropRegressor,
        lambda e: e.fit(X, _with(y_reg, 2, np.nan)),
        ValueError,
        "Input y contains NaN",
    ),
    (
        "inf in y",
        BackpropRegressor,
        lambda e: e.fit(X, _with(y_reg, 2, -np.inf)),
        ValueError,
        "Input y contains infinity",
    ),
    (
        "empty X",
        BackpropClassifier,
        lambda e: e.fit(np.empty((0, 4)), []),
        ValueError,
        "0 sample",
    ),
    (
        "1-D X",
        BackpropClassifier,
        lambda e: e.fit(X[:, 0], y_clf),
        ValueError,
        "Expected 2D array, got 1D array",
    ),
    (
        "3-D X",
        BackpropClassifier,
        lambda e: e.fit(X[:, :, None], y_clf),
        ValueError,
        "Found array with dim 3",
    ),
    (
        "X and y of different lengths",
        BackpropClassifier,
        lambda e: e.fit(X, y_clf[:-1]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "strings in X",
        BackpropClassifier,
        lambda e: e.fit(np.full((60, 4), "a"), y_clf),
        ValueError,
        "could not convert string to float",
    ),
    (
        "objects in X",
        BackpropRegressor,
        lambda e: e.fit(np.array([[1.0, None, 2.0, 3.0]] * 60, dtype=object), y_reg),
        ValueError,
        "Input X contains NaN",
    ),
    (
        "wrong number of features at predict",
        BackpropClassifier,
        lambda e: e.predict(X[:, :3]),
        ValueError,
        "X has 3 features, but",
    ),
    (
        "wrong number of features at partial_fit",
        BackpropRegressor,
        lambda e: e.partial_fit(X[:, :3], y_reg),
        ValueError,
        "X has 3 features, but",
    ),
    (
        "unseen classes in partial_fit",
        BackpropClassifier,
        lambda e: e.partial_fit(X, y_clf + 7),
        ValueError,
        "classes not in",
    ),
    (
        "sample_weight of wrong length",
        BackpropClassifier,
        lambda e: e.fit(X, y_clf, sample_weight=np.ones(59)),
        ValueError,
        r"sample_weight.shape == \(59,\), expected \(60,\)",
    ),
    (
        "negative sample_weight",
        BackpropClassifier,
        lambda e: e.fit(X, y_clf, sample_weight=_with(np.ones(60), 5, -1.0)),
        ValueError,
        "sample_weight must be non-negative",
    ),
    (
        "NaN in sample_weight",
        BackpropRegressor,
        lambda e: e.partial_fit(X, y_reg, sample_weight=_with(np.ones(60), 5, np.nan)),
        ValueError,
        "Input sample_weight contains NaN",
    ),
    (
        "all-zero sample_weight",
        BackpropClassifier,
        lambda e: e.fit(X, y_clf, sample_weight=np.zeros(60)),
        ValueError,
        "sample_weight must not be all zero",
    ),
    (
        "negative y with poisson",
        BackpropRegressor,
        lambda e: e.set_params(loss="poisson").fit(X, y_reg),
        ValueError,
        "negative which is not allowed for loss='poisson'",
    ),
]


@pytest.mark.parametrize(
    "Est, call, error, match",
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
def test_bad_input_is_rejected_clearly_and_leaves_the_model_unchanged(
    Est, call, error, match
):
    est = _fitted(Est)
    before = _state(est)
    with pytest.raises(error, match=match):
        call(est)
    assert _state(est) == before


def test_feature_names_that_differ_from_fit_are_rejected():
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = _quiet(BackpropClassifier(max_iter=5, random_state=0).fit, df, y_clf)
    before = _state(est)
    renamed = df.rename(columns={"d": "e"})
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(renamed)
    with pytest.raises(ValueError, match="feature names should match"):
        est.partial_fit(renamed, y_clf)
    assert _state(est) == before


INVALID_PARAMETERS = [
    ("hidden_layer_sizes", 0),
    ("hidden_layer_sizes", (3, -1)),
    ("hidden_layer_sizes", "ten"),
    ("activation", "softsign"),
    ("solver", "newton"),
    ("alpha", -1.0),
    ("batch_size", 0),
    ("learning_rate", "fast"),
    ("learning_rate_init", 0.0),
    ("power_t", -0.5),
    ("max_iter", 0),
    ("loss", "hinge"),
    ("shuffle", "yes"),
    ("tol", -1.0),
    ("momentum", 1.5),
    ("nesterovs_momentum", "no"),
    ("early_stopping", 2),
    ("validation_fraction", 1.0),
    ("beta_1", 1.0),
    ("beta_2", -0.1),
    ("epsilon", 0.0),
    ("n_iter_no_change", 0),
    ("max_fun", 0),
    ("out_activation", "softplus"),
    ("fit_intercept", "no"),
    ("warm_start", "no"),
    ("coefs_init", np.ones((4, 5))),
    ("clip_grad_norm", 0.0),
]


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize(
    "name, value", INVALID_PARAMETERS, ids=[f"{n}={v!r}" for n, v in INVALID_PARAMETERS]
)
def test_every_invalid_parameter_value_is_rejected_before_any_change(Est, name, value):
    est = _fitted(Est)
    before = _state(est)
    y = y_clf if Est is BackpropClassifier else y_reg
    est.set_params(**{name: value})
    # InvalidParameterError subclasses both ValueError and TypeError.
    with pytest.raises((ValueError, TypeError), match=name):
        est.fit(X, y)
    if name == "solver":
        # partial_fit exists only for the stochastic solvers (as in sklearn).
        assert not hasattr(est, "partial_fit")
    else:
        with pytest.raises((ValueError, TypeError), match=name):
            est.partial_fit(X, y)
    assert _state(est) == before


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
@pytest.mark.parametrize(
    "name, value",
    # An equal value of another type, and values set by assignment.
    [("max_iter", 5.0), ("learning_rate_init", -1), ("shuffle", 1)],
)
def test_partial_fit_checks_a_parameter_changed_after_a_call_that_passed(
    Est, name, value
):
    y = y_clf if Est is BackpropClassifier else y_reg
    est = Est(hidden_layer_sizes=(3,), max_iter=5, solver="sgd", random_state=0)
    kwargs = {"classes": np.unique(y)} if Est is BackpropClassifier else {}
    est.partial_fit(X, y, **kwargs)
    est.partial_fit(X, y)
    before = _state(est)
    setattr(est, name, value)
    with pytest.raises((ValueError, TypeError), match=name):
        est.partial_fit(X, y)
    assert _state(est) == before


BAD_INIT = [
    ("coefs_init", [np.ones((4, 5))], "one array per layer: expected 2"),
    (
        "coefs_init",
        [np.ones((4, 5)), np.ones((4, 1))],
        r"coefs_init\[1\] \(layer 1 -> 2\) has shape \(4, 1\); expected shape \(5, 1\)",
    ),
    (
        "coefs_init",
        [_with(np.ones((4, 5)), (1, 1), np.nan), np.ones((5, 1))],
        r"coefs_init\[0\] contains NaN or infinity",
    ),
    (
        "intercepts_init",
        [np.zeros(5), np.zeros(2)],
        r"intercepts_init\[1\] \(layer 1 -> 2\) has shape \(2,\); "
        r"expected shape \(1,\)",
    ),
    (
        "intercepts_init",
        [np.zeros(5), np.array([np.inf])],
        r"intercepts_init\[1\] contains NaN or infinity",
    ),
    ("intercepts_init", [np.zeros(5)], "one array per layer: expected 2"),
]


@pytest.mark.parametrize("name, value, match", BAD_INIT)
def test_bad_initial_weights_name_the_layer_and_leave_the_model_unchanged(
    name, value, match
):
    est = _fitted(BackpropRegressor)
    before = _state(est)
    est.set_params(**{name: value})
    with pytest.raises(ValueError, match=match):
        est.fit(X, y_reg)
    assert _state(est) == before


TRAINING_ON = {
    "partial_fit": lambda e, *a, **k: e.partial_fit(*a, **k),
    "trace_step": lambda e, *a, **k: e.trace_step(*a, **k),
    "warm start": lambda e, *a, **k: e.set_params(warm_start=True).fit(*a, **k),
}


@pytest.mark.parametrize("call", TRAINING_ON.values(), ids=TRAINING_ON)
@pytest.mark.parametrize("name", ["X", "y", "sample_weight"])
def test_float64_data_past_a_float32_models_range_is_refused(call, name):
    # A float32 model trains on in float32: 1e300 became inf in the cast,
    # with numpy's overflow warning, and training went on with it.
    est = _quiet(
        BackpropRegressor(hidden_layer_sizes=(5,), solver="sgd", max_iter=3).fit,
        X.astype(np.float32),
        y_reg,
    )
    before = _state(est, ignore=["_random_state"])
    data = {"X": X, "y": y_reg, "sample_weight": np.ones(60)}
    data[name] = data[name] * 1e300
    with np.errstate(over="ignore"):
        assert np.isinf(data[name].astype(np.float32)).all()
    with pytest.raises(
        ValueError, match=rf"Input {name} contains infinity or a value "
    ):
        call(est, data["X"], data["y"], sample_weight=data["sample_weight"])
    assert _state(est, ignore=["_random_state"]) == before


def test_weights_that_round_to_zero_in_float32_are_named_so():
    # 1e-300 is not 0, but it is in float32: "must not be all zero" alone
    # contradicted the weights the user passed.
    assert np.float32(1e-300) == 0
    est = BackpropRegressor(hidden_layer_sizes=(5,), max_iter=3)
    with pytest.raises(ValueError) as excinfo:
        est.fit(X.astype(np.float32), y_reg, sample_weight=np.full(60, 1e-300))
    message = str(excinfo.value)
    assert message.startswith("sample_weight must not be all zero. The values given")
    assert "round to 0 in float32 (whose smallest number above 0 is 1.4e-45)" in message
    with pytest.raises(ValueError, match=r"^sample_weight must not be all zero\.$"):
        est.fit(X.astype(np.float32), y_reg, sample_weight=np.zeros(60))


@pytest.mark.parametrize("name", ["y", "y_val", "sample_weight_val"])
def test_targets_and_weights_past_float32s_range_are_refused_for_float32_x(name):
    # Converted to X's dtype, they overflowed with numpy's warning before
    # (y) or before their own finiteness check refused them.
    est = BackpropRegressor(hidden_layer_sizes=(5,), solver="sgd", max_iter=3)
    X32 = X.astype(np.float32)
    data = {"y": y_reg, "y_val": y_reg, "sample_weight_val": np.ones(60)}
    data[name] = data[name] * 1e300
    # scikit-learn's check of the weights names them sample_weight.
    named = name.replace("sample_weight_val", "sample_weight")
    with pytest.raises(ValueError, match=f"Input {named} contains infinity or a v"):
        est.fit(X32, data["y"], X_val=X32, **{k: data[k] for k in data if k != "y"})
    assert not hasattr(est, "coefs_")


@pytest.mark.parametrize(
    "train",
    [
        lambda e, y: e.partial_fit(X, y),
        lambda e, y: e.trace_step(X, y),
        lambda e, y: e.set_params(warm_start=True).fit(X, y),
        lambda e, y: check_gradients(e, X, y),
    ],
    ids=["partial_fit", "trace_step", "warm start", "check_gradients"],
)
def test_a_loss_the_fitted_output_units_cannot_take_is_refused(train):
    # loss='poisson' has a gradient through exp units only: set after a fit
    # with identity outputs, the backward pass called a missing function
    # ("'NoneType' object is not callable").
    y = np.abs(y_reg)
    est = _fitted(BackpropRegressor, solver="sgd")
    before = _state(est, ignore=["_random_state"])
    est.set_params(loss="poisson")
    with pytest.raises(ValueError, match="loss='poisson' cannot train the network's "):
        train(est, y)
    assert _state(est, ignore=["_random_state"]) == before


def _failing_schedule(epoch, step):
    raise ZeroDivisionError("the schedule's own error")


# Calls refused after they drew from the random state: the initial weights
# are drawn before coefs_init is checked, early stopping's split before
# X_val, and a schedule runs in the first epoch.
REJECTED_AFTER_A_DRAW = [
    (
        "coefs_init of wrong length",
        lambda e: e.set_params(coefs_init=[np.ones((4, 5))]).fit(X, y_clf),
        ValueError,
    ),
    (
        "X_val of 3 features",
        lambda e: e.fit(X, y_clf, X_val=X[:, :3], y_val=y_clf),
        ValueError,
    ),
    (
        "schedule raising in fit",
        lambda e: e.set_params(learning_rate=_failing_schedule).fit(X, y_clf),
        ZeroDivisionError,
    ),
    (
        "schedule raising in partial_fit",
        lambda e: e.set_params(learning_rate=_failing_schedule).partial_fit(X, y_clf),
        ZeroDivisionError,
    ),
]


@pytest.mark.parametrize(
    "call, error",
    [case[1:] for case in REJECTED_AFTER_A_DRAW],
    ids=[case[0] for case in REJECTED_AFTER_A_DRAW],
)
def test_a_rejected_call_puts_the_callers_random_state_back(call, error):
    # A RandomState given as random_state is the model's: a refused call
    # must not move it on, or the next fit would draw other weights.
    rs = np.random.RandomState(0)
    est = _fitted(BackpropClassifier, solver="sgd", random_state=rs)
    before, position = _state(est), rs.get_state()
    with pytest.raises(error):
        call(est)
    assert _state(est) == before
    after = rs.get_state()
    np.testing.assert_array_equal(after[1], position[1])
    assert after[2:] == position[2:]


def test_a_refused_first_partial_fit_leaves_no_classes_behind():
    # The classes were learnt before X was checked: the next call, with the
    # right classes, was refused as "not the same as on last call".
    est = BackpropClassifier(hidden_layer_sizes=(5,), random_state=0)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.partial_fit(_with(X, (0, 0), np.nan), y_clf, classes=[0, 1, 2, 3])
    assert vars(est) == vars(
        BackpropClassifier(hidden_layer_sizes=(5,), random_state=0)
    )
    est.partial_fit(X, y_clf, classes=[0, 1, 2])
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])


def _failing_after_the_first_epoch(epoch, step):
    if epoch >= 1:
        raise ZeroDivisionError("the schedule's own error")
    return 0.01


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_warm_start_fit_raising_in_its_second_epoch_keeps_the_records(
    early_stopping,
):
    # The first epoch's loss and history row (and validation score) were
    # appended to the fitted model's own lists, which outlived the rollback.
    est = _fitted(
        BackpropClassifier, solver="sgd", warm_start=True, early_stopping=early_stopping
    )
    n_epochs = len(est.loss_curve_)
    before = _state(est)
    est.set_params(learning_rate=_failing_after_the_first_epoch)
    with pytest.raises(ZeroDivisionError):
        est.fit(X, y_clf)
    assert len(est.loss_curve_) == len(est.history_) == n_epochs
    assert _state(est) == before


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_never_writes_to_the_callers_arrays(solver, sparse, dtype):
    Xc = X.astype(dtype)
    Xc = sp.csr_matrix(Xc) if sparse else Xc
    y = y_clf.copy()
    w = np.linspace(0.5, 2.0, 60)
    copies = (Xc.copy(), y.copy(), w.copy())
    for a in (Xc.data if sparse else Xc, y, w):
        a.setflags(write=False)  # a write would raise
    est = BackpropClassifier(solver=solver, max_iter=3, random_state=0)
    _quiet(est.fit, Xc, y, sample_weight=w)
    if solver != "lbfgs":
        _quiet(est.partial_fit, Xc, y, sample_weight=w)
    est.predict_proba(Xc)
    for a, b in zip((Xc, y, w), copies):
        np.testing.assert_array_equal(
            a.toarray() if sparse and a is Xc else a,
            b.toarray() if sparse and a is Xc else b,
        )


# ----------------------------------------------------------------------
# Divergence


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_divergence_stops_restores_the_last_finite_weights_and_says_why(solver):
    params = dict(
        hidden_layer_sizes=(8,),
        activation="relu",
        solver=solver,
        # Adam's step is about learning_rate_init whatever the gradient.
        learning_rate_init=1e4 if solver == "sgd" else 1e150,
        max_iter=50,
        random_state=0,
    )
    y = y_reg * 1e3
    with pytest.warns(ConvergenceWarning, match="diverged.*Lower learning_rate_init"):
        est = BackpropRegressor(**params).fit(X, y)
    assert 1 <= est.n_iter_ < 50
    assert len(est.loss_curve_) == est.n_iter_
    assert np.isfinite(est.loss_curve_).all() and est.loss_ == est.loss_curve_[-1]
    assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.predict(X)).all()
    # The kept weights are those of a fit stopped after the last good epoch.
    reference = _quiet(
        BackpropRegressor(**{**params, "max_iter": est.n_iter_}).fit, X, y
    )
    for a, b in zip(
        est.coefs_ + est.intercepts_, reference.coefs_ + reference.intercepts_
    ):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("max_iter", [1, 3])
def test_an_update_that_makes_the_outputs_overflow_is_undone_with_its_epoch(max_iter):
    # One batch per epoch, so epoch 1's only update is its last: checked by
    # epoch 2's first forward pass, or, when no epoch follows, by a forward
    # pass after the loop. Either way the model is the one before epoch 1.
    params = dict(
        hidden_layer_sizes=(8,),
        activation="relu",
        solver="adam",
        learning_rate_init=1e160,
        batch_size=60,
        shuffle=False,
        random_state=0,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = BackpropRegressor(**params, max_iter=max_iter).fit(X, y_reg)
    assert [str(w.message)[:31] for w in caught] == ["Training diverged in epoch 1: t"]
    assert est.n_iter_ == 0 and est.loss_curve_ == []
    # The initial weights: those a learning rate too small to move them keeps.
    start = _quiet(
        BackpropRegressor(**{**params, "learning_rate_init": 1e-300}, max_iter=1).fit,
        X,
        y_reg,
    )
    for a, b in zip(est.coefs_ + est.intercepts_, start.coefs_ + start.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(est.predict(X)).all()


def test_infinite_weights_behind_a_finite_poisson_loss_are_not_kept():
    # Unscaled counts under loss='poisson': an epoch's last update made the
    # weights infinite, yet the exp output's capped net input kept the next
    # loss finite, so the rollback went back to an epoch that held them.
    rng = np.random.default_rng(3)
    X_c, y_c = rng.standard_normal((3, 3)), np.abs(rng.standard_normal(3)) * 1e10
    params = dict(
        hidden_layer_sizes=(),
        solver="sgd",
        learning_rate_init=1.0,
        alpha=0.0,
        loss="poisson",
        shuffle=False,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="Training diverged in epoch"):
        est = BackpropRegressor(**params, max_iter=5).fit(X_c, y_c)
    assert all(np.isfinite(a).all() for a in est.coefs_ + est.intercepts_)
    assert 0 < est.n_iter_ < 5 and len(est.loss_curve_) == est.n_iter_
    # What is kept is a fit of the epochs that completed.
    shorter = _quiet(BackpropRegressor(**params, max_iter=est.n_iter_).fit, X_c, y_c)
    for a, b in zip(est.coefs_ + est.intercepts_, shorter.coefs_ + shorter.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_divergence_in_the_first_epoch_keeps_the_initial_weights():
    est = BackpropRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 1"):
        est.fit(X, y_reg * 1e300)
    initial = _quiet(
        BackpropRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0).fit,
        X,
        y_reg,
    )
    assert est.n_iter_ == 0 and est.loss_curve_ == [] and np.isnan(est.loss_)
    # Same draw of initial weights as any fit with this random_state: the
    # first-layer weights of a 1-epoch fit moved from it by one epoch only.
    assert est.coefs_[0].shape == initial.coefs_[0].shape
    assert np.isfinite(est.predict(X)).all()


def test_diverging_partial_fit_leaves_the_model_as_before_the_call():
    est = _quiet(
        BackpropRegressor(
            hidden_layer_sizes=(8,), solver="sgd", random_state=0
        ).partial_fit,
        X,
        y_reg,
    )
    # Each call shuffles with a fresh RandomState(random_state).
    before = _state(est, ignore=["_random_state"])
    with pytest.warns(ConvergenceWarning, match="diverged in epoch 1"):
        est.partial_fit(X, y_reg * 1e300)
    assert _state(est, ignore=["_random_state"]) == before


def test_diverging_lbfgs_keeps_finite_weights_and_warns():
    est = BackpropRegressor(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0)
    with pytest.warns(ConvergenceWarning, match="L-BFGS diverged"):
        est.fit(X * 1e200, y_reg * 1e200)
    assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.predict(X)).all()


def _fit_recording(est, X, y):
    """Fit; return the warnings as (category, message), RuntimeWarnings too."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    return [(w.category, str(w.message)) for w in caught]


def _assert_rolled_back_to_a_shorter_fit(est, X, y):
    """The kept model is the one a fit stopped after its last good epoch gives."""
    assert len(est.loss_curve_) == len(est.validation_scores_) == est.n_iter_
    assert np.isfinite(est.loss_curve_).all()
    assert np.isfinite(est.validation_scores_).all()
    assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.predict(X)).all()
    shorter = _quiet(clone(est).set_params(max_iter=max(est.n_iter_, 1)).fit, X, y)
    if est.n_iter_:
        assert est.validation_scores_ == shorter.validation_scores_
    for a, b in zip(est.coefs_ + est.intercepts_, shorter.coefs_ + shorter.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_sklearn_diverging_loss_under_early_stopping_rolls_back():
    # scikit-learn's test_mlp_diverging_loss (its issue 29504) with skbp's
    # class: MLPRegressor fits, keeping a NaN validation score; skbp rolls
    # back to the last epoch whose validation outputs were finite.
    X_iris, y_iris = load_iris(return_X_y=True)
    mlp = BackpropRegressor(
        hidden_layer_sizes=100,
        activation="identity",
        solver="sgd",
        alpha=0.0001,
        learning_rate="constant",
        learning_rate_init=1,
        shuffle=True,
        max_iter=20,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=0,
    )
    caught = _fit_recording(mlp, X_iris, y_iris)
    assert [c for c, _ in caught] == [ConvergenceWarning]
    assert caught[0][1].startswith("Training diverged in epoch")
    assert 0 < mlp.n_iter_ < 20
    assert all(isinstance(s, float) for s in mlp.validation_scores_)
    _assert_rolled_back_to_a_shorter_fit(mlp, X_iris, y_iris)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_early_stopping_relu_sweep_rolls_back_diverging_fits(dtype):
    # Relu networks with learning rates 0.1-2 under early stopping: some
    # diverge at the end of an epoch, where only the validation pass sees
    # it (before the fix: "output is infinite or NaN", or r2_score's
    # overflow RuntimeWarning). n_iter_no_change=max_iter rules out the
    # early stop, so a fit that ends before max_iter must have rolled back.
    X_r, y_r = make_regression(200, 5, noise=1.0, random_state=0)
    X_r, y_r = X_r.astype(dtype), ((y_r - y_r.mean()) / y_r.std()).astype(dtype)
    max_iter, rolled_back = 20, 0
    for lr in (0.1, 0.2, 0.5, 1.0, 1.5, 2.0):
        for seed in range(6):
            est = BackpropRegressor(
                hidden_layer_sizes=(20,),
                activation="relu",
                solver="sgd",
                learning_rate_init=lr,
                early_stopping=True,
                max_iter=max_iter,
                n_iter_no_change=max_iter,
                random_state=seed,
            )
            caught = _fit_recording(est, X_r, y_r)
            assert not [m for c, m in caught if issubclass(c, RuntimeWarning)]
            assert {c for c, _ in caught} == {ConvergenceWarning}
            diverged = [m for _, m in caught if m.startswith("Training diverged")]
            assert bool(diverged) == (est.n_iter_ < max_iter), (lr, seed)
            assert est.coefs_[0].dtype == dtype
            assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)
            if diverged:
                rolled_back += 1
                _assert_rolled_back_to_a_shorter_fit(est, X_r, y_r)
    # The sweep reaches the case it is about.
    assert rolled_back >= 5


def test_early_stopping_classifier_whose_validation_outputs_overflow_rolls_back():
    X_c, y_c = make_classification(200, 5, n_informative=3, random_state=0)
    est = BackpropClassifier(
        hidden_layer_sizes=(20,),
        activation="relu",
        learning_rate_init=1e200,
        early_stopping=True,
        max_iter=20,
        random_state=0,
    )
    caught = _fit_recording(est, X_c, y_c)
    assert [c for c, _ in caught] == [ConvergenceWarning]
    assert caught[0][1].startswith("Training diverged in epoch 1")
    assert est.n_iter_ == 0 and est.validation_scores_ == []
    assert np.isfinite(est.predict_proba(X_c)).all()


@pytest.mark.parametrize("scale", [1e10, 1e100, 1e300])
@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_huge_finite_inputs_give_finite_outputs_or_a_clear_error(Est, scale):
    y = y_clf if Est is BackpropClassifier else y_reg
    est = _quiet(Est(max_iter=5, random_state=0).fit, X * scale, y)
    for X_new in (X, X * scale):
        try:
            out = est.predict(X_new)
        except ValueError as e:
            assert "too large" in str(e)
        else:
            assert np.isfinite(out.astype(float)).all()


def test_regressor_score_of_residuals_whose_squares_overflow_is_minus_infinity():
    # Finite predictions near 1e200: r2_score squares the residuals, which
    # overflowed with numpy's RuntimeWarning. R² computed in long double
    # (range to ~1e4932) is below -1.8e308, so -inf in float64.
    est = _quiet(
        BackpropRegressor(
            hidden_layer_sizes=(), activation="identity", max_iter=5, random_state=0
        ).fit,
        X,
        y_reg,
    )
    X_far = X * 1e200
    y_pred = est.predict(X_far).astype(np.longdouble)
    assert np.isfinite(y_pred).all()
    y = y_reg.astype(np.longdouble)
    r2 = 1 - ((y - y_pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert float(r2) == -np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert est.score(X_far, y_reg) == -np.inf


@pytest.mark.parametrize("learning_rate_init", [1e-12, 1.0, 1e3, 1e8, 1e30, 1e300])
def test_no_learning_rate_lets_a_runtime_warning_escape(learning_rate_init):
    est = BackpropClassifier(
        solver="sgd",
        learning_rate_init=learning_rate_init,
        max_iter=10,
        random_state=0,
    )
    _quiet(est.fit, X, y_clf)
    proba = est.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


# ----------------------------------------------------------------------
# Interruption


@pytest.fixture
def python_sigint_handler():
    # Test runners may install their own SIGINT handler; use Python's.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_sigint_from_another_thread_during_a_fit_keeps_a_usable_model(
    python_sigint_handler, monkeypatch
):
    X_big = np.tile(X, (50, 1))
    y_big = np.tile(y_clf, 50)
    params = dict(hidden_layer_sizes=(64,), max_iter=100, tol=0.0, random_state=0)
    params["n_iter_no_change"] = 100
    # 3000 rows in batches of 200: 15 updates an epoch; the signal lands in
    # the 40th, in epoch 3, on every machine (no timer: see _sigint.py).
    sigint = sigint_at_update(monkeypatch, _optimizers.Adam, 40)
    with pytest.warns(TrainingInterruptedWarning, match="interrupted by user"):
        est = BackpropClassifier(**params).fit(X_big, y_big)
    monkeypatch.undo()
    assert sigint.updates == 40  # nothing ran on after the signal
    assert est.n_iter_ == len(est.loss_curve_) == 2
    assert est.predict(X).shape == (60,)
    # What is kept is exactly a fit of the completed epochs.
    reference = _quiet(
        BackpropClassifier(**{**params, "max_iter": est.n_iter_}).fit, X_big, y_big
    )
    for a, b in zip(
        est.coefs_ + est.intercepts_, reference.coefs_ + reference.intercepts_
    ):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("saves_before", [2, 4])
def test_ctrl_c_while_saving_a_checkpoint_keeps_the_completed_epochs(
    monkeypatch, saves_before
):
    # The checkpoint at an epoch's start is half written when Ctrl-C lands
    # there; the model itself is whole, at the end of the last epoch.
    from skbp import _training

    save = _training.Checkpoint.save
    calls = []

    def interrupted_save(self):
        calls.append(1)
        if len(calls) > saves_before:
            self.saved_params[...] = np.nan  # what a half-written save leaves
            raise KeyboardInterrupt
        save(self)

    monkeypatch.setattr(_training.Checkpoint, "save", interrupted_save)
    params = dict(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    with pytest.warns(TrainingInterruptedWarning, match="interrupted by user"):
        est = BackpropClassifier(**params).fit(X, y_clf)
    monkeypatch.undo()
    # The first save precedes the loop; each later one starts an epoch.
    assert est.n_iter_ == saves_before == len(est.loss_curve_)
    reference = _quiet(
        BackpropClassifier(**{**params, "max_iter": est.n_iter_}).fit, X, y_clf
    )
    for a, b in zip(
        est.coefs_ + est.intercepts_, reference.coefs_ + reference.intercepts_
    ):
        np.testing.assert_array_equal(a, b)


def test_sigint_from_another_thread_during_partial_fit_leaves_the_model_as_before(
    python_sigint_handler, monkeypatch
):
    X_big = np.tile(X, (200, 1))
    y_big = np.tile(y_clf, 200)
    est = BackpropClassifier(hidden_layer_sizes=(64,), batch_size=10, random_state=0)
    est.partial_fit(X_big[:10], y_big[:10], classes=[0, 1, 2])
    # With an int random_state every call draws its shuffles from a fresh
    # RandomState(random_state); the previous call's one is not carried over.
    ignore = ["_random_state"]
    before = _state(est, ignore)
    # 1200 updates in the call; the signal lands in the 300th.
    sigint = sigint_at_update(monkeypatch, _optimizers.Adam, 300)
    with pytest.warns(TrainingInterruptedWarning, match="interrupted by user"):
        est.partial_fit(X_big, y_big)
    monkeypatch.undo()
    assert sigint.updates == 300
    assert _state(est, ignore) == before
    assert est.predict(X).shape == (60,)


# ----------------------------------------------------------------------
# Determinism and concurrency


def _fit_weights(solver, seed):
    est = BackpropClassifier(
        hidden_layer_sizes=(16, 8),
        solver=solver,
        max_iter=20,
        random_state=seed,
        early_stopping=solver != "lbfgs",
    )
    _quiet(est.fit, X, y_clf)
    return est.coefs_ + est.intercepts_


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_same_random_state_gives_bit_identical_weights(solver):
    for a, b in zip(_fit_weights(solver, 3), _fit_weights(solver, 3)):
        np.testing.assert_array_equal(a, b)


def test_fits_in_joblib_workers_equal_fits_in_this_process():
    jobs = [(solver, seed) for solver in ("sgd", "adam", "lbfgs") for seed in (0, 1)]
    serial = [_fit_weights(*job) for job in jobs]
    parallel = Parallel(n_jobs=2)(delayed(_fit_weights)(*job) for job in jobs)
    for a_list, b_list in zip(serial, parallel):
        for a, b in zip(a_list, b_list):
            np.testing.assert_array_equal(a, b)


def test_predict_from_8_threads_at_once_equals_serial_predict():
    X_big = np.random.default_rng(1).standard_normal((5000, 4))
    est = _quiet(
        BackpropClassifier(hidden_layer_sizes=(32,), max_iter=5, random_state=0).fit,
        X,
        y_clf,
    )
    parts = np.array_split(np.arange(5000), 16)
    serial = [est.predict_proba(X_big[p]) for p in parts]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(lambda p: est.predict_proba(X_big[p]), parts * 4))
    for i, out in enumerate(threaded):
        np.testing.assert_array_equal(out, serial[i % 16])


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_traced_step_that_breaks_the_weights_is_shown_and_not_kept(solver):
    X_b = np.random.default_rng(0).normal(size=(16, 2))
    y_b = np.full(16, 1e3)
    est = BackpropRegressor(
        hidden_layer_sizes=(64, 64),
        activation="relu",
        solver=solver,
        learning_rate_init=0.5 if solver == "sgd" else 1e300,
        random_state=0,
    )
    # Steps until the next one overflows (the weights grow each step).
    for _ in range(10):
        saved = copy.deepcopy(est.__dict__) if hasattr(est, "coefs_") else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            trace = est.trace_step(X_b, y_b)
        if caught:
            break
    else:
        pytest.fail("no step overflowed")
    (warning,) = caught
    assert warning.category is ConvergenceWarning
    assert str(warning.message).startswith(
        "The traced step made weights, or the outputs for this X, infinite or "
        "NaN (its trace shows them); the model keeps its weights from before "
        "the step. Lower learning_rate_init"
    )
    assert "set clip_grad_norm (e.g. 1.0)" in str(warning.message)
    new_weights = trace.updates["new_weight"].to_numpy()
    assert not np.isfinite(new_weights).all() or np.abs(new_weights).max() > 1e100
    # The model holds the step's old weights, and its records are as before.
    flat = np.concatenate([c.ravel() for c in est.coefs_ + est.intercepts_])
    np.testing.assert_array_equal(flat, trace.updates["old_weight"].to_numpy())
    if saved is None:  # the first step broke: the initial weights, no epoch
        assert est.n_iter_ == 0 and est.t_ == 0 and est.loss_curve_ == []
    else:
        assert est.loss_curve_ == saved["loss_curve_"]
        assert est.n_iter_ == saved["n_iter_"] and est.t_ == saved["t_"]
        assert len(est.history_) == len(saved["_history"])
    assert np.isfinite(est.predict(X_b)).all()
