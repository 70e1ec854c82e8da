"""Ctrl-C stops ``skbp demo`` and ``skbp compare``, even in the middle of a
fit that skbp ends early and returns from."""

import signal
import threading
import warnings

import numpy as np
import pytest
from _sigint import sigint_at_update
from sklearn.datasets import load_iris
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor, _optimizers
from skbp.cli import demo
from skbp.cli.engine import cross_validate_models
from skbp.cli.interrupt import CtrlC
from skbp.worked_examples import mazur_network

X, y = load_iris(return_X_y=True)


@pytest.fixture
def python_sigint_handler():
    # Test runners may install their own SIGINT handler; use Python's.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class SwallowsCtrlC:
    """Answers Ctrl-C during fit as skbp's training loop does: warns, returns."""

    def fit(self, X, y):
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            warnings.warn("stopped early; keeping the weights", stacklevel=2)
        return super().fit(X, y)


class SwallowingClassifier(SwallowsCtrlC, BackpropClassifier):
    pass


class SwallowingRegressor(SwallowsCtrlC, BackpropRegressor):
    pass


def one_model(network):
    return {"net": Pipeline([("preprocess", StandardScaler()), ("net", network)])}


def test_ctrl_c_that_a_fit_swallows_still_stops_the_comparison(
    python_sigint_handler,
):
    fitted = []
    models = one_model(SwallowingClassifier(hidden_layer_sizes=(3,), max_iter=2))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(KeyboardInterrupt):
            cross_validate_models(
                models, X, y, "classification", cv=2, progress=fitted.append
            )

    assert fitted == []  # stopped after the first fit, before scoring it
    # The fit's word that it kept its weights is moot: nothing is kept.
    assert [str(w.message) for w in caught] == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigint_during_an_skbp_fit_stops_the_comparison(
    python_sigint_handler, monkeypatch
):
    # The fit answers the signal by ending early and returning; the
    # comparison must stop there all the same, before any other fit.
    network = BackpropClassifier(
        hidden_layer_sizes=(64,), max_iter=200, tol=0.0, n_iter_no_change=200
    )
    models = one_model(network)
    X_big, y_big = np.tile(X, (10, 1)), np.tile(y, 10)
    # 750 training rows, 4 updates an epoch: the first fit's 20th update, in
    # its fifth epoch, on every machine (no timer: see _sigint.py).
    sigint = sigint_at_update(monkeypatch, _optimizers.Adam, 20)
    fitted = []
    with pytest.raises(KeyboardInterrupt):
        cross_validate_models(
            models, X_big, y_big, "classification", cv=2, progress=fitted.append
        )
    # Nothing ran on after the signal: neither the fit nor the next fold.
    assert sigint.updates == 20
    assert fitted == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_during_mazur_steps_gives_no_outputs(python_sigint_handler, monkeypatch):
    def swallowing_mazur_network(**params):
        net, X, y = mazur_network(**params)
        return SwallowingRegressor(**net.get_params()), X, y

    monkeypatch.setattr(demo, "mazur_network", swallowing_mazur_network)
    with pytest.raises(KeyboardInterrupt):
        demo.mazur_after(10)


def test_without_ctrl_c_check_returns_and_the_handler_is_restored(
    python_sigint_handler,
):
    with CtrlC() as ctrl_c:
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        ctrl_c.check()
    assert not ctrl_c.pressed
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_the_handler_is_left_alone():
    seen = []

    def enter():
        with CtrlC() as ctrl_c:
            seen.append(signal.getsignal(signal.SIGINT))
            ctrl_c.check()

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=enter)
    thread.start()
    thread.join()
    assert seen == [before]
