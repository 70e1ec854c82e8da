"""BackpropClassifier's label_smoothing: the smoothed targets, their loss and gradient.

The loss is checked against cross-entropy written out here in numpy on a
forward pass of our own, and for multiclass also against the form of
Szegedy et al. (2016) as torch documents ``CrossEntropyLoss(label_smoothing=)``:
(1 − ε)·(−log p_y) + ε·mean_k(−log p_k). The gradient is checked with
skbp.check_gradients and with a central difference of that numpy loss.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skbp import BackpropClassifier, check_gradients

EPS = 0.2
SGD = dict(solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=0.1)


def _data(kind):
    if kind == "multiclass":
        X, y = load_iris(return_X_y=True)
        X, y = X[::15], y[::15]
    elif kind == "binary":
        X, y = make_classification(n_samples=10, n_features=4, random_state=0)
    else:
        X, y = make_multilabel_classification(
            n_samples=10, n_features=4, n_classes=3, random_state=0
        )
    return StandardScaler().fit_transform(X), y


def _one_hot(kind, y):
    """The 0/1 targets, one column per output unit, as the network has them."""
    if kind == "multiclass":
        return (y[:, None] == np.unique(y)).astype(float)
    if kind == "binary":
        return y.reshape(-1, 1).astype(float)
    return y.astype(float)


def _weights(n_in, n_hidden, n_out, seed=0):
    rng = np.random.RandomState(seed)
    return (
        [rng.normal(size=(n_in, n_hidden)), rng.normal(size=(n_hidden, n_out))],
        [rng.normal(size=n_hidden), rng.normal(size=n_out)],
    )


def _forward(X, coefs, intercepts, softmax):
    """Logistic hidden units, then softmax or logistic outputs, in plain numpy."""
    hidden = 1 / (1 + np.exp(-(X @ coefs[0] + intercepts[0])))
    net = hidden @ coefs[1] + intercepts[1]
    if softmax:
        e = np.exp(net - net.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return 1 / (1 + np.exp(-net))


def _numpy_loss(X, Y, coefs, intercepts, softmax, eps):
    """Mean cross-entropy against smoothed targets, written out independently."""
    p = _forward(X, coefs, intercepts, softmax)
    if softmax:
        t = Y * (1 - eps) + eps / Y.shape[1]
        return -(t * np.log(p)).sum(axis=1).mean()
    t = Y * (1 - eps) + eps / 2
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).sum(axis=1).mean()


def _net(kind, eps=EPS, **params):
    X, y = _data(kind)
    n_out = {"multiclass": 3, "binary": 1, "multilabel": 3}[kind]
    coefs, intercepts = _weights(X.shape[1], 3, n_out)
    net = BackpropClassifier(
        hidden_layer_sizes=(3,),
        label_smoothing=eps,
        coefs_init=coefs,
        intercepts_init=intercepts,
        **{**SGD, **params},
    )
    return net, X, y, coefs, intercepts


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_loss_is_cross_entropy_against_the_smoothed_targets(kind):
    net, X, y, coefs, intercepts = _net(kind)
    trace = net.trace_step(X, y)
    Y = _one_hot(kind, y)
    softmax = kind == "multiclass"
    expected = _numpy_loss(X, Y, coefs, intercepts, softmax, EPS)
    np.testing.assert_allclose(trace.loss, expected, rtol=1e-12)
    # The targets it trained on, and δ = out − t at the output layer.
    K = 3 if softmax else 2
    np.testing.assert_allclose(trace.y, Y * (1 - EPS) + EPS / K, rtol=1e-15)
    out = _forward(X, coefs, intercepts, softmax)
    delta = trace.backward.query("layer == 2").sort_values(["sample", "unit"])
    np.testing.assert_allclose(
        delta["delta"].to_numpy(), (out - trace.y).ravel(), rtol=1e-10, atol=1e-14
    )
    # Smoothing does change the loss: the labels' own loss differs.
    assert abs(_numpy_loss(X, Y, coefs, intercepts, softmax, 0.0) - expected) > 1e-3


def test_multiclass_loss_is_szegedys_mixture_as_torch_documents_it():
    net, X, y, coefs, intercepts = _net("multiclass")
    trace = net.trace_step(X, y)
    p = _forward(X, coefs, intercepts, softmax=True)
    nll = -np.log(p[np.arange(len(y)), y])
    uniform = -np.log(p).mean(axis=1)
    expected = ((1 - EPS) * nll + EPS * uniform).mean()
    np.testing.assert_allclose(trace.loss, expected, rtol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_fit_loss_curve_is_the_smoothed_loss_of_each_epochs_start(kind):
    # Full-batch SGD (10 samples): the first epoch's loss is that of the
    # initial weights.
    net, X, y, coefs, intercepts = _net(kind, max_iter=1, batch_size=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(X, y)
    softmax = kind == "multiclass"
    expected = _numpy_loss(X, _one_hot(kind, y), coefs, intercepts, softmax, EPS)
    np.testing.assert_allclose(net.loss_curve_[0], expected, rtol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_partial_fit_trains_on_the_smoothed_targets(kind):
    net, X, y, coefs, intercepts = _net(kind, batch_size=10)
    classes = np.arange(3) if kind == "multilabel" else np.unique(y)
    net.partial_fit(X, y, classes=classes)
    softmax = kind == "multiclass"
    expected = _numpy_loss(X, _one_hot(kind, y), coefs, intercepts, softmax, EPS)
    np.testing.assert_allclose(net.loss_curve_[0], expected, rtol=1e-12)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_lbfgs_minimises_the_smoothed_loss(kind):
    net, X, y, _, _ = _net(kind, solver="lbfgs", max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(X, y)
    softmax = kind == "multiclass"
    at_fit = _numpy_loss(
        X, _one_hot(kind, y), net.coefs_, net.intercepts_, softmax, EPS
    )
    np.testing.assert_allclose(net.loss_, at_fit, rtol=1e-10)
    # Smoothed targets are never reached: a floor well above 0.
    assert net.loss_ > 0.1


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_gradient_passes_check_gradients_and_an_independent_difference(kind):
    net, X, y, coefs, intercepts = _net(kind)
    check = check_gradients(net, X, y)
    assert check.passed, check.table
    trace = net.trace_step(X, y)
    Y, softmax = _one_hot(kind, y), kind == "multiclass"
    params = [*coefs, *intercepts]
    numeric = []
    h = 1e-6
    for array in params:
        for index in np.ndindex(array.shape):
            value = array[index]
            array[index] = value + h
            up = _numpy_loss(X, Y, params[:2], params[2:], softmax, EPS)
            array[index] = value - h
            down = _numpy_loss(X, Y, params[:2], params[2:], softmax, EPS)
            array[index] = value
            numeric.append((up - down) / (2 * h))
    # updates lists every coef (layer by layer, row-major) then every bias,
    # scikit-learn's packing order.
    np.testing.assert_allclose(trace.updates["gradient"], numeric, rtol=0, atol=1e-8)
    # check_gradients differentiates the smoothed loss, not the labels' one.
    np.testing.assert_allclose(check.table["backprop"], numeric, rtol=0, atol=1e-8)


@pytest.mark.parametrize("loss_out", [("multiclass", 3), ("binary", 2)])
def test_squared_error_takes_the_smoothed_targets_too(loss_out):
    kind, K = loss_out
    net, X, y, coefs, intercepts = _net(kind, loss="squared_error")
    trace = net.trace_step(X, y)
    t = _one_hot(kind, y) * (1 - EPS) + EPS / K
    out = _forward(X, coefs, intercepts, softmax=kind == "multiclass")
    expected = (0.5 * (t - out) ** 2).sum(axis=1).mean()
    np.testing.assert_allclose(trace.loss, expected, rtol=1e-12)


def test_logistic_outputs_of_a_multiclass_problem_smooth_as_binary_ones():
    # Each logistic output unit is a two-class problem of its own: ε/2.
    net, X, y, coefs, intercepts = _net("multiclass", out_activation="logistic")
    trace = net.trace_step(X, y)
    Y = _one_hot("multiclass", y)
    np.testing.assert_allclose(trace.y, Y * (1 - EPS) + EPS / 2, rtol=1e-15)
    p = _forward(X, coefs, intercepts, softmax=False)
    t = trace.y
    expected = -(t * np.log(p) + (1 - t) * np.log(1 - p)).sum(axis=1).mean()
    np.testing.assert_allclose(trace.loss, expected, rtol=1e-12)


def test_class_weight_weighs_the_smoothed_loss_of_each_sample():
    # class_weight reads the labels, the loss the smoothed targets.
    net, X, y, coefs, intercepts = _net("binary", class_weight={0: 1.0, 1: 3.0})
    trace = net.trace_step(X, y)
    p = _forward(X, coefs, intercepts, softmax=False)[:, 0]
    t = y * (1 - EPS) + EPS / 2
    per_sample = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    w = np.where(y == 1, 3.0, 1.0)
    np.testing.assert_allclose(trace.loss, per_sample @ w / w.sum(), rtol=1e-12)


def test_zero_trains_as_mlpclassifier_and_as_the_default():
    X, y = _data("multiclass")
    params = dict(
        hidden_layer_sizes=(4,), activation="logistic", random_state=0, max_iter=5
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        default = BackpropClassifier(**params).fit(X, y)
        zero = BackpropClassifier(label_smoothing=0.0, **params).fit(X, y)
        theirs = MLPClassifier(**params).fit(X, y)
        smoothed = BackpropClassifier(label_smoothing=1e-3, **params).fit(X, y)
    pairs = zip(zero.coefs_ + zero.intercepts_, default.coefs_ + default.intercepts_)
    for ours, base in pairs:
        np.testing.assert_array_equal(ours, base)
    assert zero.loss_curve_ == default.loss_curve_
    np.testing.assert_allclose(zero.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    assert smoothed.loss_curve_ != zero.loss_curve_


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_predictions_keep_their_shape_and_classes(kind):
    X, y = _data(kind)
    if kind != "multilabel":
        y = np.array(["cat", "dog", "emu"])[y]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = BackpropClassifier(hidden_layer_sizes=(3,), random_state=0).fit(X, y)
        net = BackpropClassifier(
            hidden_layer_sizes=(3,), random_state=0, label_smoothing=0.3
        ).fit(X, y)
    np.testing.assert_array_equal(net.classes_, plain.classes_)
    assert net.predict(X).shape == plain.predict(X).shape
    assert set(np.unique(net.predict(X))) <= set(np.unique(y))
    proba = net.predict_proba(X)
    assert proba.shape == plain.predict_proba(X).shape
    if kind != "multilabel":
        np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_float32_stays_float32():
    net, X, y, _, _ = _net("multiclass")
    trace = net.trace_step(X.astype(np.float32), y)
    assert trace.y.dtype == np.float32
    assert net.coefs_[0].dtype == np.float32


def test_early_stopping_splits_and_scores_on_the_labels():
    # The split is stratified by class and scored by accuracy on the labels,
    # as without smoothing: the same held-out samples, so a model that
    # predicts as the unsmoothed one scores as it does.
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    params = dict(
        hidden_layer_sizes=(3,), random_state=0, early_stopping=True, max_iter=3
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = BackpropClassifier(**params).fit(X, y)
        net = BackpropClassifier(label_smoothing=1e-9, **params).fit(X, y)
    np.testing.assert_allclose(net.validation_scores_, plain.validation_scores_)
    assert net.loss_curve_ != plain.loss_curve_


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_validation_loss_is_the_smoothed_loss_and_the_score_the_labels(kind):
    net, X, y, _, _ = _net(kind, max_iter=2, batch_size=5)
    X_val, y_val = X[::-1], y[::-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(X, y, X_val=X_val, y_val=y_val)
    softmax = kind == "multiclass"
    Y_val = _one_hot(kind, y_val)
    expected = _numpy_loss(X_val, Y_val, net.coefs_, net.intercepts_, softmax, EPS)
    np.testing.assert_allclose(net.validation_loss_curve_[-1], expected, rtol=1e-12)
    p = _forward(X_val, net.coefs_, net.intercepts_, softmax)
    predicted = (p == p.max(axis=1, keepdims=True)) if softmax else p > 0.5
    accuracy = np.all(predicted == Y_val.astype(bool), axis=1).mean()
    assert net.validation_scores_[-1] == pytest.approx(accuracy, abs=1e-15)


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, "0.1", None])
def test_invalid_values_are_refused_before_anything_changes(value):
    X, y = _data("multiclass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)
    before = [c.copy() for c in net.coefs_]
    net.set_params(label_smoothing=value)
    with pytest.raises(InvalidParameterError, match="'label_smoothing' parameter"):
        net.fit(X, y)
    with pytest.raises(InvalidParameterError, match="'label_smoothing' parameter"):
        net.partial_fit(X, y)
    for a, b in zip(net.coefs_, before):
        np.testing.assert_array_equal(a, b)
