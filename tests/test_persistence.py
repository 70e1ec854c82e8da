"""Saving and loading fitted models: pickle, joblib and skops.

A loaded model predicts exactly as the saved one and, given the same data,
trains on exactly as the saved one would have (the optimizer's moments,
the random stream and the stopping records are all part of the state).
skops loads it with only skbp's own types to trust.
"""

import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import (
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor

sio = pytest.importorskip("skops.io")
from skops.io.exceptions import UntrustedTypesFoundException  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(task):
    if task == "binary":
        return make_classification(80, 6, random_state=0)
    if task == "multiclass":
        return make_classification(90, 6, n_informative=4, n_classes=3, random_state=0)
    if task == "multilabel":
        return make_multilabel_classification(80, 6, n_classes=3, random_state=0)
    X, y = make_regression(80, 6, n_targets=2, random_state=0)
    return X, y / y.std()


def _estimator(task, **params):
    Est = BackpropRegressor if task == "regression" else BackpropClassifier
    defaults = dict(
        hidden_layer_sizes=(5,),
        random_state=0,
        max_iter=8,
        batch_size=16,
        learning_rate_init=0.05,
        n_iter_no_change=2,
        validation_fraction=0.2,
    )
    return Est(**{**defaults, **params})


# --- the three ways to save and load --------------------------------------
def _trusted_skbp_types(path):
    """The types skops asks about, checked to be skbp's own and nothing else."""
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted, "skops should ask to trust the skbp estimator type"
    assert all(name.startswith("skbp.") for name in untrusted), untrusted
    return untrusted


def _via_pickle(est, tmp_path):
    return pickle.loads(pickle.dumps(est))


def _via_joblib(est, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    return joblib.load(path)


def _via_skops(est, tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    return sio.load(path, trusted=_trusted_skbp_types(path))


ROUND_TRIPS = {"pickle": _via_pickle, "joblib": _via_joblib, "skops": _via_skops}


# Not part of a model's state: history_'s wall-clock times, and the
# optimizer's scratch buffers (overwritten before every read).
NOT_STATE = {"seconds", "_scratch"}


def _assert_same_state(a, b):
    """Every array, list and scalar of two estimators' states is identical."""

    def same(x, y, where):
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), where
            assert x.dtype == y.dtype, where
            np.testing.assert_array_equal(x, y, err_msg=where)
        elif isinstance(x, list | tuple):
            assert len(x) == len(y), where
            for i, (xi, yi) in enumerate(zip(x, y)):
                same(xi, yi, f"{where}[{i}]")
        elif isinstance(x, dict):
            assert x.keys() == y.keys(), where
            for key in x.keys() - NOT_STATE:
                same(x[key], y[key], f"{where}[{key!r}]")
        elif isinstance(x, float | np.floating) and np.isnan(x):
            assert np.isnan(y), where
        elif isinstance(x, np.random.RandomState):
            same(x.get_state(legacy=False), y.get_state(legacy=False), where)
        elif hasattr(x, "__dict__") and not isinstance(x, type):
            assert type(x) is type(y), where
            same(vars(x), vars(y), where)
        else:
            assert x == y, where

    assert type(a) is type(b)
    same(vars(a), vars(b), type(a).__name__)


def _assert_same_predictions(a, b, X):
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    if hasattr(a, "predict_proba"):
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


FITS = [
    pytest.param(dict(solver="sgd"), id="sgd"),
    pytest.param(dict(solver="adam"), id="adam"),
    pytest.param(dict(solver="lbfgs"), id="lbfgs"),
    pytest.param(dict(solver="sgd", early_stopping=True), id="sgd-early_stopping"),
    pytest.param(dict(solver="adam", early_stopping=True), id="adam-early_stopping"),
]
TASKS = ["binary", "multiclass", "multilabel", "regression"]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("params", FITS)
@pytest.mark.parametrize("task", TASKS)
def test_loaded_model_predicts_identically_and_keeps_every_attribute(
    task, params, round_trip, tmp_path
):
    X, y = _data(task)
    est = _estimator(task, **params).fit(X, y)
    loaded = ROUND_TRIPS[round_trip](est, tmp_path)

    assert loaded is not est
    assert loaded.get_params() == est.get_params()
    _assert_same_state(est, loaded)
    for layer in range(len(est.coefs_)):
        np.testing.assert_array_equal(loaded.coefs_[layer], est.coefs_[layer])
        np.testing.assert_array_equal(loaded.intercepts_[layer], est.intercepts_[layer])
    _assert_same_predictions(est, loaded, X)
    if est.solver != "lbfgs":
        pd.testing.assert_frame_equal(loaded.history_, est.history_)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("params", FITS)
@pytest.mark.parametrize("task", TASKS)
def test_loaded_model_continues_training_bit_identically(
    task, params, round_trip, tmp_path
):
    # The copy and the original take the same further steps: partial_fit
    # (which keeps the optimizer: momentum buffers, Adam's moments and step
    # count) and a warm-started fit.
    X, y = _data(task)
    est = _estimator(task, **params).fit(X, y)
    loaded = ROUND_TRIPS[round_trip](est, tmp_path)

    stochastic = est.solver != "lbfgs"
    if stochastic and not est.early_stopping:
        est.partial_fit(X, y)
        loaded.partial_fit(X, y)
        _assert_same_state(est, loaded)

    est.set_params(warm_start=True, max_iter=3).fit(X, y)
    loaded.set_params(warm_start=True, max_iter=3).fit(X, y)
    _assert_same_state(est, loaded)
    _assert_same_predictions(est, loaded, X)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_partial_fit_after_loading_uses_the_saved_optimizer_state(round_trip, tmp_path):
    # Guard against a vacuous comparison: the step a loaded Adam model takes
    # is not the step a fresh optimizer would take from the same weights.
    X, y = _data("binary")
    est = _estimator("binary", solver="adam").fit(X, y)
    loaded = ROUND_TRIPS[round_trip](est, tmp_path)
    fresh = ROUND_TRIPS[round_trip](est, tmp_path)
    del fresh._optimizer

    for model in (est, loaded, fresh):
        model.partial_fit(X, y)
    np.testing.assert_array_equal(loaded.coefs_[0], est.coefs_[0])
    assert not np.array_equal(fresh.coefs_[0], est.coefs_[0])


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_random_state_instance_is_saved_with_its_stream(round_trip, tmp_path):
    # With a RandomState as random_state, the shuffles of later epochs come
    # from that object's stream, which must be saved where it stands.
    X, y = _data("multiclass")
    est = _estimator("multiclass", solver="sgd", random_state=np.random.RandomState(3))
    est.fit(X, y)
    loaded = ROUND_TRIPS[round_trip](est, tmp_path)

    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    _assert_same_state(est, loaded)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_unfitted_estimator_round_trips(task, round_trip, tmp_path):
    est = _estimator(task, solver="adam", alpha=0.01)
    loaded = ROUND_TRIPS[round_trip](est, tmp_path)

    assert loaded.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        loaded.predict(_data(task)[0])
    X, y = _data(task)
    _assert_same_state(est.fit(X, y), loaded.fit(X, y))


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_float32_model_stays_float32(round_trip, tmp_path):
    X, y = _data("multiclass")
    est = _estimator("multiclass", solver="adam").fit(X.astype(np.float32), y)
    loaded = ROUND_TRIPS[round_trip](est, tmp_path)

    assert all(c.dtype == np.float32 for c in loaded.coefs_)
    _assert_same_state(est, loaded)
    _assert_same_predictions(est, loaded, X.astype(np.float32))


@pytest.mark.parametrize("round_trip", ROUND_TRIPS)
def test_pipeline_fitted_on_a_dataframe_round_trips(round_trip, tmp_path):
    X, y = _data("multiclass")
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y = pd.Series(np.array(["cat", "dog", "eel"])[y], name="animal")
    pipe = make_pipeline(StandardScaler(), _estimator("multiclass", solver="sgd"))
    pipe.fit(X, y)
    loaded = ROUND_TRIPS[round_trip](pipe, tmp_path)

    np.testing.assert_array_equal(loaded.feature_names_in_, pipe.feature_names_in_)
    np.testing.assert_array_equal(loaded[-1].classes_, ["cat", "dog", "eel"])
    _assert_same_state(pipe[-1], loaded[-1])
    _assert_same_predictions(pipe, loaded, X)


# --- skops: secure loading --------------------------------------------------
@pytest.mark.parametrize("trusted", [None, []], ids=["no-trusted", "empty-trusted"])
@pytest.mark.parametrize("task", ["binary", "regression"])
def test_skops_refuses_to_load_without_trusting_skbp_types(task, trusted, tmp_path):
    X, y = _data(task)
    est = _estimator(task, solver="adam").fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(est, path)

    with pytest.raises(UntrustedTypesFoundException):
        sio.load(path, trusted=trusted)


@pytest.mark.parametrize(
    "task, solver, expected",
    [
        ("binary", "adam", {"_classifier.BackpropClassifier", "_optimizers.Adam"}),
        ("binary", "sgd", {"_classifier.BackpropClassifier", "_optimizers.SGD"}),
        ("binary", "lbfgs", {"_classifier.BackpropClassifier"}),
        ("regression", "adam", {"_regressor.BackpropRegressor", "_optimizers.Adam"}),
    ],
)
def test_skops_asks_to_trust_only_the_estimator_and_its_optimizer(
    task, solver, expected, tmp_path
):
    # Everything else in a fitted model -- arrays, lists of floats, the
    # LabelBinarizer, the RandomState -- is a type skops trusts by default.
    X, y = _data(task)
    path = tmp_path / "model.skops"
    sio.dump(_estimator(task, solver=solver).fit(X, y), path)

    assert set(sio.get_untrusted_types(file=path)) == {f"skbp.{n}" for n in expected}


def _halving(epoch, step):
    # A schedule at the top level of a module: saved by reference.
    return 0.05 / 2**epoch


def test_skops_asks_to_trust_a_callable_learning_rate_by_name(tmp_path):
    X, y = _data("binary")
    est = _estimator("binary", solver="sgd", learning_rate=_halving).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    name = f"{_halving.__module__}.{_halving.__qualname__}"
    assert set(untrusted) == {
        name,
        "skbp._classifier.BackpropClassifier",
        "skbp._optimizers.SGD",
    }

    loaded = sio.load(path, trusted=untrusted)
    assert loaded.learning_rate is _halving
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    _assert_same_state(est, loaded)


def test_skops_bytes_round_trip_with_dumps_and_loads():
    X, y = _data("multilabel")
    est = _estimator("multilabel", solver="sgd").fit(X, y)
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert all(name.startswith("skbp.") for name in untrusted)

    loaded = sio.loads(data, trusted=untrusted)
    _assert_same_state(est, loaded)
    _assert_same_predictions(est, loaded, X)


def test_skops_after_trace_step_and_partial_fit(tmp_path):
    X, y = _data("regression")
    est = _estimator("regression", solver="sgd")
    est.trace_step(X[:4], y[:4])
    est.partial_fit(X, y)
    loaded = _via_skops(est, tmp_path)

    _assert_same_state(est, loaded)
    est.partial_fit(X, y)
    loaded.partial_fit(X, y)
    _assert_same_state(est, loaded)


def test_callbacks_are_saved_unless_removed_before_saving(tmp_path):
    callback = pytest.importorskip("sklearn.callback")
    X, y = _data("binary")
    est = _estimator("binary", solver="sgd")
    est.set_callbacks(callback.ScoringMonitor(scoring="accuracy"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        est.fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    assert any(
        not name.startswith("skbp.") for name in sio.get_untrusted_types(file=path)
    )

    # set_callbacks() with no argument removes them (docs/persistence.rst).
    est.set_callbacks()
    sio.dump(est, path)
    loaded = sio.load(path, trusted=_trusted_skbp_types(path))
    _assert_same_predictions(est, loaded, X)


def test_joblib_memory_mapped_model_predicts_and_trains_on(tmp_path):
    # mmap_mode="r" shares the weights read-only between processes; training
    # on works on copies and leaves the file as it was.
    X, y = _data("multiclass")
    est = _estimator("multiclass", solver="adam", hidden_layer_sizes=(40,)).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    saved = path.read_bytes()
    loaded = joblib.load(path, mmap_mode="r")

    _assert_same_predictions(est, loaded, X)
    loaded.partial_fit(X, y)
    est.partial_fit(X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, loaded.coefs_ + loaded.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert path.read_bytes() == saved
