"""An activation per hidden layer: ``activation=("relu", "tanh")``.

The references are independent of skbp: the forward pass and the loss are
written here in numpy from the documented formulas, the gradients are
central finite differences, and the initial weights are drawn here from
scikit-learn's Glorot bounds with the stream scikit-learn uses.
"""

import itertools
import warnings

import numpy as np
import pytest
from network_reference import EPS, HIDDEN, TOL, forward, off_the_kinks, problem
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropClassifier, BackpropRegressor, check_gradients

# ----------------------------------------------------------------------------
# Gradients of every combination.


@pytest.mark.parametrize(("first", "second"), list(itertools.product(HIDDEN, HIDDEN)))
def test_every_pair_of_hidden_activations_has_the_finite_difference_gradient(
    first, second
):
    X, y, coefs, intercepts = problem()
    names = (first, second)
    nets, _ = forward(X, coefs, intercepts, names)
    keep = off_the_kinks(nets, names)
    assert keep.sum() >= 20
    X, y = X[keep], y[keep]
    net = BackpropRegressor(
        hidden_layer_sizes=(5, 4),
        activation=list(names),
        alpha=0.1,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    check = check_gradients(net, X, y, eps=EPS)
    assert check.table["backprop"].abs().max() > 1e-3
    assert check.max_rel_error < TOL, check
    # The loss the gradients are of: the documented one, on the network with
    # each layer's own units.
    _, outs = forward(X, coefs, intercepts, names)
    out = outs[-1]
    penalty = 0.1 * sum((W**2).sum() for W in coefs) / (2 * len(X))
    expected = 0.5 * ((y - out) ** 2).sum(axis=1).mean() + penalty
    assert check.loss == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "names",
    [("softplus", "leaky_relu", "tanh"), ("relu", "identity", "sigmoid")],
)
def test_three_layers_classifier_gradients(names):
    X, _, coefs, intercepts = problem(seed=3, hidden=(4, 3, 3), n_outputs=2)
    nets, _ = forward(X, coefs, intercepts, names)
    X = X[off_the_kinks(nets, names)]
    y = np.array(["a", "b", "c"])[np.argmax(X, axis=1)]
    coefs[-1] = np.random.default_rng(4).normal(scale=0.8, size=(3, 3))
    intercepts[-1] = np.zeros(3)
    net = BackpropClassifier(
        hidden_layer_sizes=(4, 3, 3),
        activation=names,
        coefs_init=coefs,
        intercepts_init=intercepts,
    )
    check = check_gradients(net, X, y, eps=EPS)
    assert check.table["backprop"].abs().max() > 1e-3
    assert check.max_rel_error < TOL, check


# ----------------------------------------------------------------------------
# Prediction, initialisation, and one name meaning every layer.


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("names", [("relu", "tanh"), ("softplus", "sigmoid")])
def test_predict_applies_each_layers_own_units(names):
    X, y, _, _ = problem(seed=1)
    net = BackpropRegressor(
        hidden_layer_sizes=(5, 4), activation=names, max_iter=20, random_state=0
    ).fit(X, y)
    _, outs = forward(X, net.coefs_, net.intercepts_, names)
    expected = outs[-1]
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", ["logistic", "tanh", "relu"])
@pytest.mark.parametrize("container", [tuple, list])
def test_one_name_per_layer_repeated_is_the_single_name(name, container):
    X, y, _, _ = problem(seed=2)
    params = dict(hidden_layer_sizes=(5, 4), max_iter=15, random_state=0)
    single = BackpropRegressor(activation=name, **params).fit(X, y)
    per_layer = BackpropRegressor(activation=container([name, name]), **params)
    per_layer.fit(X, y)
    for a, b in zip(
        single.coefs_ + single.intercepts_, per_layer.coefs_ + per_layer.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    assert single.loss_curve_ == per_layer.loss_curve_


def test_glorot_bounds_follow_the_units_each_layer_feeds():
    # scikit-learn's rule: bound sqrt(factor / (fan_in + fan_out)), factor 2
    # for logistic units and 6 otherwise, weights then intercepts per layer
    # from one RandomState. Per layer, the factor is that of the units the
    # weights feed; the output layer's follows the last hidden layer.
    X, y, _, _ = problem()
    net = BackpropRegressor(
        hidden_layer_sizes=(5, 4), activation=("tanh", "logistic"), max_iter=1
    )
    net.set_params(random_state=7, solver="sgd", learning_rate_init=1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, y)
    rs = np.random.RandomState(7)
    for (fan_in, fan_out), factor, W, b in zip(
        [(3, 5), (5, 4), (4, 2)], [6, 2, 2], net.coefs_, net.intercepts_
    ):
        bound = np.sqrt(factor / (fan_in + fan_out))
        np.testing.assert_allclose(W, rs.uniform(-bound, bound, (fan_in, fan_out)))
        np.testing.assert_allclose(b, rs.uniform(-bound, bound, fan_out))


# ----------------------------------------------------------------------------
# Validation.


@pytest.mark.parametrize(
    ("activation", "message"),
    [
        (("tanh",), r"names 1 layer\(s\) but the network has 2 hidden layer\(s\)"),
        (["tanh", "relu", "relu"], r"names 3 layer\(s\) but the network has 2"),
        (("tanh", "swish"), r"Got 'swish' in \('tanh', 'swish'\)"),
        (("tanh", "softmax"), r"Got 'softmax'"),
        (("tanh", 3), r"Got 3"),
        ("swish", "The 'activation' parameter of BackpropClassifier must be"),
    ],
)
def test_bad_per_layer_activation_is_rejected_before_anything_changes(
    activation, message
):
    X, _, _, _ = problem()
    y = X[:, 0] > 0
    net = BackpropClassifier(hidden_layer_sizes=(5, 4), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X, y)
    before = {
        k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(net).items()
    }
    coefs = [c.copy() for c in net.coefs_]
    net.set_params(activation=activation)
    for call in (
        lambda: net.fit(X, y),
        lambda: net.partial_fit(X, y),
        lambda: clone(net).fit(X, y),
    ):
        with pytest.raises(ValueError, match=message):
            call()
    for a, b in zip(coefs, net.coefs_):
        np.testing.assert_array_equal(a, b)
    assert net.n_iter_ == before["n_iter_"]
