"""Watching training: history_, scikit-learn callbacks and Ctrl-C."""

import signal
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor, _optimizers
from skbp.exceptions import TrainingInterruptedWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _weights(est):
    return est.coefs_ + est.intercepts_


# ----------------------------------------------------------------------------
# history_


def test_history_has_one_row_per_epoch_matching_loss_curve(iris):
    X, y = iris
    est = BackpropClassifier(hidden_layer_sizes=(6, 4), max_iter=12, random_state=0)
    history = est.fit(X, y).history_
    assert list(history.columns) == [
        "epoch",
        "loss",
        "validation_score",
        "validation_loss",
        "learning_rate",
        "seconds",
        "grad_norm_1",
        "grad_norm_2",
        "grad_norm_3",
    ]
    assert history["epoch"].tolist() == list(range(1, 13))
    np.testing.assert_array_equal(history["loss"], est.loss_curve_)
    assert history["validation_score"].isna().all()
    assert history["validation_loss"].isna().all()
    assert (history["seconds"] > 0).all()


def test_history_learning_rate_follows_the_invscaling_schedule(iris):
    X, y = iris
    est = BackpropClassifier(
        solver="sgd",
        learning_rate="invscaling",
        learning_rate_init=0.5,
        power_t=0.5,
        max_iter=5,
        random_state=0,
    ).fit(X, y)
    # Epoch k runs at eta / (t + 1)**power_t with t the samples seen before it.
    seen = np.arange(5) * len(y)
    expected = np.where(seen == 0, 0.5, 0.5 / (seen + 1.0) ** 0.5)
    np.testing.assert_allclose(est.history_["learning_rate"], expected)


def test_history_validation_scores_with_early_stopping(iris):
    X, y = iris
    est = BackpropClassifier(
        early_stopping=True, learning_rate_init=0.05, max_iter=30, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(
        est.history_["validation_score"], est.validation_scores_
    )


def test_history_gradient_norms_are_the_norms_of_the_full_batch_gradient(iris):
    # With one batch per epoch, the epoch's gradient is the one trace_step
    # reports from the same starting weights.
    X, y = iris
    params = dict(hidden_layer_sizes=(5, 3), solver="sgd", batch_size=len(y))
    est = BackpropClassifier(max_iter=1, random_state=0, **params).fit(X, y)
    traced = BackpropClassifier(random_state=0, shuffle=False, **params)
    updates = traced.trace_step(X, y).updates.query("kind == 'coef'")
    expected = updates.groupby("layer")["gradient"].apply(np.linalg.norm)
    got = est.history_.loc[0, ["grad_norm_1", "grad_norm_2", "grad_norm_3"]]
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(), rtol=1e-10)


def test_gradient_norms_shrink_toward_the_input_with_logistic_units(iris):
    # Seed 000: sigma' <= 0.25, so each logistic layer scales delta down.
    X, y = iris
    deep = dict(hidden_layer_sizes=(8,) * 5, max_iter=3, random_state=0)
    logistic = BackpropClassifier(activation="logistic", **deep).fit(X, y)
    norms = logistic.history_.filter(like="grad_norm").iloc[0].to_numpy()
    assert np.all(np.diff(norms[:-1]) > 0)
    assert norms[0] < norms[-2] / 10


def test_history_accumulates_over_partial_fit_and_trace_step(iris):
    X, y = iris
    est = BackpropClassifier(solver="sgd", random_state=0)
    est.partial_fit(X, y, classes=[0, 1, 2])
    est.partial_fit(X, y)
    est.trace_step(X[:10], y[:10])
    assert est.history_["epoch"].tolist() == [1, 2, 3]


def test_history_is_absent_for_lbfgs(iris):
    X, y = iris
    est = BackpropRegressor(solver="lbfgs", max_iter=5).fit(X, y)
    assert not hasattr(est, "history_")
    with pytest.raises(AttributeError, match="stochastic solvers"):
        est.history_  # noqa: B018


# ----------------------------------------------------------------------------
# scikit-learn callbacks

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")


def test_scoring_monitor_scores_every_epoch_like_a_fit_of_that_length(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(4,), learning_rate_init=0.05, random_state=0)
    monitor = callback.ScoringMonitor(scoring="accuracy")
    BackpropClassifier(max_iter=6, **params).set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["task_name"] == "epoch"]
    assert len(epochs) == 6
    for k, score in enumerate(epochs["accuracy"], start=1):
        shorter = BackpropClassifier(max_iter=k, **params).fit(X, y)
        assert score == pytest.approx(shorter.score(X, y))


def test_scoring_monitor_follows_lbfgs_iterations(iris):
    X, y = iris
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est = BackpropClassifier(solver="lbfgs", max_iter=8, random_state=0)
    est.set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    iterations = log[log["task_name"] == "lbfgs-iter"]
    assert len(iterations) == est.n_iter_
    assert iterations["accuracy"].iloc[-1] == pytest.approx(est.score(X, y))


class _StopAfter:
    """A callback asking the fit to stop after ``n`` epochs."""

    def __init__(self, n):
        self.n, self.seen = n, 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name == "epoch":
            self.seen += 1
            return self.seen >= self.n
        return False


def test_callback_can_stop_training(iris):
    X, y = iris
    est = BackpropClassifier(max_iter=50, random_state=0)
    est.set_callbacks(_StopAfter(4)).fit(X, y)
    assert est.n_iter_ == 4


def test_progress_bar_inside_pipeline_and_grid_search(iris, capsys):
    pytest.importorskip("rich")
    X, y = iris
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(max_iter=3))
    pipe.set_callbacks(callback.ProgressBar()).fit(X, y)
    search = GridSearchCV(BackpropClassifier(max_iter=3), {"alpha": [1e-4, 1e-2]}, cv=2)
    search.set_callbacks(callback.ProgressBar()).fit(X, y)
    out = capsys.readouterr().out
    assert "BackpropClassifier - fit" in out
    assert "GridSearchCV" in out


# ----------------------------------------------------------------------------
# Ctrl-C


@pytest.fixture
def interrupt_at(monkeypatch):
    """Make the k-th Adam update be interrupted, by an exception or a SIGINT."""
    # Test runners may install their own SIGINT handler; use Python's default,
    # which raises KeyboardInterrupt, as an interactive session would.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)

    def install(k, how="raise"):
        original = _optimizers.Adam.update_params
        calls = [0]

        def update_params(self, params, grads):
            calls[0] += 1
            if calls[0] == k:
                if how == "signal":
                    signal.raise_signal(signal.SIGINT)
                else:
                    raise KeyboardInterrupt
            return original(self, params, grads)

        monkeypatch.setattr(_optimizers.Adam, "update_params", update_params)

    yield install
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("how", ["raise", "signal"])
def test_ctrl_c_keeps_the_last_completed_epoch_and_a_usable_model(
    iris, interrupt_at, how
):
    X, y = iris
    params = dict(hidden_layer_sizes=(5,), batch_size=32, random_state=0)
    # 150 samples in batches of 32: 5 updates per epoch; interrupt in epoch 4.
    reference = BackpropClassifier(max_iter=3, **params).fit(X, y)
    interrupt_at(17, how)
    est = BackpropClassifier(max_iter=100, **params)
    with pytest.warns(TrainingInterruptedWarning, match="interrupted"):
        est.fit(X, y)
    assert est.n_iter_ == 3
    assert len(est.loss_curve_) == 3 and len(est.history_) == 3
    for p, q in zip(_weights(est), _weights(reference)):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(est.predict(X), reference.predict(X))


def test_ctrl_c_during_partial_fit_leaves_the_model_as_before_the_call(
    iris, interrupt_at
):
    X, y = iris
    est = BackpropClassifier(batch_size=32, random_state=0)
    est.partial_fit(X, y, classes=[0, 1, 2])
    before = [p.copy() for p in _weights(est)]
    interrupt_at(3)
    with pytest.warns(TrainingInterruptedWarning, match="interrupted"):
        est.partial_fit(X, y)
    for p, q in zip(_weights(est), before):
        np.testing.assert_array_equal(p, q)
    # The optimizer state was rolled back too: the next call is the same
    # as if the interrupted one never happened.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.partial_fit(X, y)
    clean = BackpropClassifier(batch_size=32, random_state=0)
    clean.partial_fit(X, y, classes=[0, 1, 2]).partial_fit(X, y)
    for p, q in zip(_weights(est), _weights(clean)):
        np.testing.assert_array_equal(p, q)
