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
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropClassifier, BackpropRegressor, check_gradients

UNITS = {
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "identity": lambda z: z,
}
HIDDEN = ["logistic", "tanh", "relu", "leaky_relu", "softplus", "identity"]
# Units whose derivative jumps at 0, and how close a net input may come:
# a step of EPS * max(1, |w|) moves a net input by far less.
KINKED = {"relu", "leaky_relu"}
KINK_MARGIN = 3e-3
TOL = 1e-6
# The central difference's step. Some weights here have gradients near 1e-5,
# against a loss near 3: at check_gradients' default step (1e-5) the
# difference's rounding error, about 1e-16 * E / h, is then 1e-6 of the
# gradient; at 1e-4 it is ten times smaller, and the truncation error,
# O(h**2), stays below 1e-8.
EPS = 1e-4


def reference_hidden(X, coefs, intercepts, names):
    """Net input of each hidden layer, computed layer by layer in numpy."""
    nets, a = [], X
    for W, b, name in zip(coefs[:-1], intercepts[:-1], names, strict=True):
        z = a @ W + b
        nets.append(z)
        a = UNITS[name](z)
    return nets, a


def reference_output(X, coefs, intercepts, names, output):
    _, a = reference_hidden(X, coefs, intercepts, names)
    z = a @ coefs[-1] + intercepts[-1]
    return UNITS[output](z)


def problem(seed=0, n=40, n_features=3, hidden=(5, 4), n_outputs=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])[:, :n_outputs]
    units = [n_features, *hidden, n_outputs]
    coefs = [rng.normal(scale=0.5, size=(a, b)) for a, b in itertools.pairwise(units)]
    intercepts = [rng.normal(scale=0.5, size=b) for b in units[1:]]
    return X, y, coefs, intercepts


# ----------------------------------------------------------------------------
# Gradients of every combination.


@pytest.mark.parametrize(("first", "second"), list(itertools.product(HIDDEN, HIDDEN)))
def test_every_pair_of_hidden_activations_has_the_finite_difference_gradient(
    first, second
):
    X, y, coefs, intercepts = problem()
    names = (first, second)
    nets, _ = reference_hidden(X, coefs, intercepts, names)
    keep = np.ones(len(X), dtype=bool)
    for z, name in zip(nets, names):
        if name in KINKED:
            keep &= (np.abs(z) > KINK_MARGIN).all(axis=1)
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
    out = reference_output(X, coefs, intercepts, names, "identity")
    penalty = 0.1 * sum((W**2).sum() for W in coefs) / (2 * len(X))
    expected = 0.5 * ((y - out) ** 2).sum(axis=1).mean() + penalty
    assert check.loss == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "names",
    [("softplus", "leaky_relu", "tanh"), ("relu", "identity", "sigmoid")],
)
def test_three_layers_classifier_gradients(names):
    X, _, coefs, intercepts = problem(seed=3, hidden=(4, 3, 3), n_outputs=2)
    nets, _ = reference_hidden(X, coefs, intercepts, names)
    keep = np.ones(len(X), dtype=bool)
    for z, name in zip(nets, names):
        if name in KINKED:
            keep &= (np.abs(z) > KINK_MARGIN).all(axis=1)
    X = X[keep]
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
    expected = reference_output(X, net.coefs_, net.intercepts_, names, "identity")
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
