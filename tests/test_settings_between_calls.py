"""partial_fit and trace_step train with the parameters set since the last call.

scikit-learn keeps the optimizer its first ``partial_fit`` made, and a
``learning_rate_init``, ``momentum`` or ``solver`` set later is ignored (asked
about in scikit-learn issue 8149). skbp follows them. The references are
scikit-learn's own optimizers with the same constants changed on them by
hand, a fresh estimator started from the weights reached, and the schedules'
formulas.
"""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier

X, y = load_iris(return_X_y=True)
X = StandardScaler().fit_transform(X)
CLASSES = np.unique(y)
BASE = dict(
    hidden_layer_sizes=(5,),
    activation="logistic",
    batch_size=30,
    shuffle=False,
    random_state=0,
)


def _pair(**params):
    return (
        BackpropClassifier(**{**BASE, **params}),
        MLPClassifier(**{**BASE, **params}),
    )


def _weights(est):
    return est.coefs_ + est.intercepts_


def _calls(est, n):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(n):
            est.partial_fit(X, y, classes=CLASSES)


def _assert_same_weights(ours, theirs):
    for p, q in zip(_weights(ours), _weights(theirs), strict=True):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("solver", "change", "poke"),
    [
        # scikit-learn's SGD steps by its `learning_rate`; Adam recomputes
        # its step from `learning_rate_init` at every update.
        ("sgd", {"learning_rate_init": 0.02}, {"learning_rate": 0.02}),
        ("sgd", {"momentum": 0.5}, {"momentum": 0.5}),
        ("sgd", {"nesterovs_momentum": False}, {"nesterov": False}),
        ("adam", {"learning_rate_init": 0.05}, {"learning_rate_init": 0.05}),
        ("adam", {"beta_1": 0.5, "epsilon": 1e-4}, {"beta_1": 0.5, "epsilon": 1e-4}),
    ],
)
def test_a_setting_changed_between_calls_is_trained_with_and_the_state_kept(
    solver, change, poke
):
    ours, theirs = _pair(solver=solver, learning_rate_init=0.1)
    _calls(ours, 2)
    _calls(theirs, 2)
    _assert_same_weights(ours, theirs)
    ours.set_params(**change)
    for name, value in poke.items():
        setattr(theirs._optimizer, name, value)
    _calls(ours, 2)
    _calls(theirs, 2)
    _assert_same_weights(ours, theirs)


def test_scikit_learns_mlp_ignores_the_same_set_params():
    # What the documentation says of scikit-learn's MLP, checked on it.
    changed, unchanged = _pair(solver="sgd")[1], _pair(solver="sgd")[1]
    _calls(changed, 1)
    _calls(unchanged, 1)
    changed.set_params(learning_rate_init=0.5, momentum=0.0)
    _calls(changed, 1)
    _calls(unchanged, 1)
    _assert_same_weights(changed, unchanged)


def test_another_solver_starts_its_own_optimizer_from_the_weights_reached():
    ours = BackpropClassifier(**BASE, solver="sgd", learning_rate_init=0.1)
    _calls(ours, 2)
    start = [w.copy() for w in _weights(ours)]
    n_coefs = len(ours.coefs_)
    fresh = BackpropClassifier(
        **BASE,
        solver="adam",
        learning_rate_init=0.01,
        coefs_init=start[:n_coefs],
        intercepts_init=start[n_coefs:],
    )
    ours.set_params(solver="adam", learning_rate_init=0.01)
    _calls(ours, 2)
    _calls(fresh, 2)
    _assert_same_weights(ours, fresh)


def test_trace_step_takes_its_step_with_the_rate_set_since_the_last_call():
    net = BackpropClassifier(**BASE, solver="sgd", momentum=0, learning_rate_init=0.1)
    _calls(net, 1)
    net.set_params(learning_rate_init=0.03)
    updates = net.trace_step(X[:30], y[:30]).updates
    expected = updates["old_weight"] - 0.03 * updates["gradient"]
    np.testing.assert_allclose(updates["new_weight"], expected, rtol=0, atol=1e-15)


def test_a_cosine_schedule_goes_on_from_its_epoch_with_the_new_rate():
    T, new = 10, 0.04
    net = BackpropClassifier(
        **BASE, solver="sgd", learning_rate="cosine", max_iter=T, learning_rate_init=0.1
    )
    _calls(net, 3)
    net.set_params(learning_rate_init=new)
    _calls(net, 2)
    # The rate of the 4th and 5th epochs (e = 3, 4): 0.5 η (1 + cos(π e / T)).
    expected = [0.5 * new * (1 + math.cos(math.pi * e / T)) for e in (3, 4)]
    got = net.history_["learning_rate"].to_numpy()[-2:]
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_nothing_changed_keeps_the_same_optimizer_object():
    net = BackpropClassifier(**BASE, solver="adam")
    _calls(net, 1)
    optimizer = net._optimizer
    net.set_params(verbose=False, tol=1e-3)  # not an optimizer setting
    _calls(net, 1)
    assert net._optimizer is optimizer
