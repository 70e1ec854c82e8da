"""The hidden units a model was fitted with are part of the model.

``activation`` is a hyper-parameter: ``set_params`` may change it on a fitted
model, and only the next fit from scratch takes it up. Everything that
computes with the fitted network -- predict, predict_proba, the ONNX export,
``to_sklearn``, the displays -- uses the fitted units,
``hidden_activations_``; a call that would train the fitted weights on
(``partial_fit``, a warm-started ``fit``, ``trace_step``,
``check_gradients``) refuses other units, as it refuses other layer sizes.

Every expected number comes from a numpy forward pass written out in
``network_reference``, with the units the model was fitted with.
"""

import pickle
import warnings

import numpy as np
import pytest
from network_reference import UNITS
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

import skbp
from skbp import BackpropClassifier, BackpropRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Two features, so that HiddenUnitsDisplay can draw the units.
X, y = make_classification(
    n_samples=60,
    n_features=2,
    n_informative=2,
    n_redundant=0,
    n_classes=3,
    n_clusters_per_class=1,
    random_state=0,
)
y_reg = np.sin(X[:, 0]) + X[:, 1] ** 2
ATOL = 1e-12

# Every kind of change: another unit, another unit per layer, a list of
# another length (shorter and longer than the network).
CHANGES = ["relu", ("identity", "tanh"), ("tanh",), ("relu", "tanh", "identity")]


def _fit(est, X_, y_):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X_, y_)


def classifier():
    # "sigmoid": the fitted units are recorded as their canonical name.
    est = BackpropClassifier(
        hidden_layer_sizes=(5, 4),
        activation="sigmoid",
        solver="sgd",
        learning_rate_init=0.1,
        max_iter=30,
        random_state=0,
    )
    return _fit(est, X, y)


def regressor(activation=("tanh", "relu")):
    est = BackpropRegressor(
        hidden_layer_sizes=(5, 4),
        activation=activation,
        solver="sgd",
        learning_rate_init=0.05,
        max_iter=30,
        random_state=0,
    )
    return _fit(est, X, y_reg)


def hidden_outputs(est, X_, names):
    """Each hidden layer's output for X_, through the units ``names``."""
    a, outs = X_, []
    for W, b, name in zip(est.coefs_[:-1], est.intercepts_[:-1], names, strict=True):
        a = UNITS[name](a @ W + b)
        outs.append(a)
    return outs


def reference_output(est, X_, names, output):
    """The network's output for X_, written out in numpy."""
    hidden = hidden_outputs(est, X_, names)
    z = (hidden[-1] if hidden else X_) @ est.coefs_[-1] + est.intercepts_[-1]
    if output == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return UNITS[output](z)


def test_the_fitted_units_are_a_fitted_attribute():
    clf = classifier()
    assert clf.hidden_activations_ == ("logistic", "logistic")
    reg = regressor()
    assert reg.hidden_activations_ == ("tanh", "relu")
    # One name per hidden layer, none for a network without hidden layers.
    linear = _fit(BackpropRegressor(hidden_layer_sizes=(), max_iter=5), X, y_reg)
    assert linear.hidden_activations_ == ()
    # A refit from scratch takes the parameter up.
    reg.set_params(activation="softplus")
    _fit(reg, X, y_reg)
    assert reg.hidden_activations_ == ("softplus", "softplus")


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_predictions_use_the_fitted_units(change):
    clf = classifier()
    proba = reference_output(clf, X, ("logistic", "logistic"), "softmax")
    clf.set_params(activation=change)
    np.testing.assert_allclose(clf.predict_proba(X), proba, rtol=0, atol=ATOL)
    np.testing.assert_allclose(
        clf.predict_log_proba(X), np.log(proba), rtol=0, atol=1e-10
    )
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) == np.mean(clf.classes_[proba.argmax(axis=1)] == y)
    assert clf.hidden_activations_ == ("logistic", "logistic")

    reg = regressor()
    expected = reference_output(reg, X, ("tanh", "relu"), "identity").ravel()
    reg.set_params(activation=change)
    np.testing.assert_allclose(reg.predict(X), expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_to_sklearn_converts_the_fitted_units(change):
    clf = classifier()
    proba = reference_output(clf, X, ("logistic", "logistic"), "softmax")
    mlp = clf.set_params(activation=change).to_sklearn()
    assert mlp.activation == "logistic"
    np.testing.assert_allclose(mlp.predict_proba(X), proba, rtol=0, atol=ATOL)

    reg = regressor("tanh")
    expected = reference_output(reg, X, ("tanh", "tanh"), "identity").ravel()
    mlp = reg.set_params(activation=change).to_sklearn()
    assert mlp.activation == "tanh"
    np.testing.assert_allclose(mlp.predict(X), expected, rtol=0, atol=ATOL)


def test_to_sklearn_judges_the_fitted_units():
    # Units scikit-learn lacks, or one per layer, are refused even when the
    # parameter now names a single unit it has -- and named as fitted.
    reg = regressor().set_params(activation="tanh")
    with pytest.raises(ValueError, match=r"\('tanh', 'relu'\)") as excinfo:
        reg.to_sklearn()
    assert "one activation for all hidden layers" in str(excinfo.value)
    reg = regressor("softplus").set_params(activation="relu")
    with pytest.raises(ValueError, match="softplus"):
        reg.to_sklearn()


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_onnx_export_uses_the_fitted_units(change):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    import skbp.onnx

    def run(onx, X_):
        session = ort.InferenceSession(
            onx.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        return session.run(None, {"X": X_})

    clf = classifier()
    proba = reference_output(clf, X, ("logistic", "logistic"), "softmax")
    clf.set_params(activation=change)
    onx = skbp.onnx.to_onnx(clf, X, options={"zipmap": False})
    label, onnx_proba = run(onx, X)
    np.testing.assert_allclose(onnx_proba, proba, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(label, clf.classes_[proba.argmax(axis=1)])

    reg = regressor()
    expected = reference_output(reg, X, ("tanh", "relu"), "identity")
    reg.set_params(activation=change)
    (out,) = run(skbp.onnx.to_onnx(reg, X), X)
    np.testing.assert_allclose(out.reshape(expected.shape), expected, atol=1e-10)


@pytest.mark.parametrize("change", CHANGES, ids=str)
def test_hidden_units_display_draws_the_fitted_units(change):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skbp.plot import HiddenUnitsDisplay

    reg = regressor()
    reg.set_params(activation=change)
    try:
        disp = HiddenUnitsDisplay.from_estimator(reg, X, y_reg, grid_resolution=12)
        g0, g1 = np.meshgrid(disp.xx0, disp.xx1)
        grid = np.column_stack([g0.ravel(), g1.ravel()])
        hidden = hidden_outputs(reg, grid, ("tanh", "relu"))
        for (layer, unit), image in disp.images_.items():
            np.testing.assert_allclose(
                image.get_array(),
                hidden[layer - 1][:, unit].reshape(g0.shape),
                rtol=0,
                atol=ATOL,
            )
        response = reference_output(reg, grid, ("tanh", "relu"), "identity")
        np.testing.assert_allclose(
            disp.surface_.get_array(), response.reshape(g0.shape), rtol=0, atol=ATOL
        )
        # Each layer's label names its fitted units, and a tanh layer keeps
        # the colour scale of tanh's range.
        assert disp.activation == ("tanh", "relu")
        assert disp.layer_labels_[1].get_text() == "layer 1\ntanh"
        assert disp.layer_labels_[2].get_text() == "layer 2\nrelu"
        assert disp.images_[1, 0].get_clim() == (-1.0, 1.0)
        # update() redraws with the fitted units too.
        disp.update(reg)
        assert disp.activation == ("tanh", "relu")
        np.testing.assert_allclose(
            disp.images_[2, 0].get_array(),
            hidden[1][:, 0].reshape(g0.shape),
            rtol=0,
            atol=ATOL,
        )
    finally:
        plt.close("all")


def _state(est):
    return {
        "coefs": [c.copy() for c in est.coefs_],
        "intercepts": [b.copy() for b in est.intercepts_],
        "t_": est.t_,
        "loss_curve_": list(est.loss_curve_),
    }


def _assert_unchanged(est, before):
    fitted = est.coefs_ + est.intercepts_
    for a, b in zip(fitted, before["coefs"] + before["intercepts"], strict=True):
        np.testing.assert_array_equal(a, b)
    assert est.t_ == before["t_"]
    assert est.loss_curve_ == before["loss_curve_"]


@pytest.mark.parametrize(
    "train",
    [
        lambda est: est.partial_fit(X, y),
        lambda est: est.set_params(warm_start=True).fit(X, y),
        lambda est: est.trace_step(X[:5], y[:5]),
        lambda est: skbp.check_gradients(est, X[:5], y[:5]),
    ],
    ids=["partial_fit", "warm_start", "trace_step", "check_gradients"],
)
@pytest.mark.parametrize("change", ["relu", ("identity", "tanh")], ids=str)
def test_training_on_refuses_other_units_and_leaves_the_model(train, change):
    clf = classifier()
    before = _state(clf)
    clf.set_params(activation=change)
    with pytest.raises(ValueError) as excinfo:
        train(clf)
    message = str(excinfo.value)
    assert f"activation={change!r}" in message
    assert "('logistic', 'logistic')" in message
    assert "warm_start=False" in message
    _assert_unchanged(clf, before)
    assert clf.hidden_activations_ == ("logistic", "logistic")


@pytest.mark.parametrize(
    "same", ["logistic", "sigmoid", ("sigmoid", "logistic"), ["logistic"] * 2], ids=str
)
def test_the_fitted_units_by_any_name_train_on(same):
    clf = classifier()
    reference = classifier()
    clf.set_params(activation=same)
    clf.partial_fit(X, y)
    reference.partial_fit(X, y)
    for a, b in zip(clf.coefs_, reference.coefs_):
        np.testing.assert_array_equal(a, b)


def test_a_list_of_another_length_is_refused_by_training_on():
    clf = classifier()
    before = _state(clf)
    clf.set_params(activation=("tanh",))
    with pytest.raises(ValueError, match=r"names 1 layer\(s\) but the network has 2"):
        clf.partial_fit(X, y)
    _assert_unchanged(clf, before)


@pytest.mark.parametrize("activation", ["relu", "tanh", "identity", "logistic"])
def test_from_sklearn_records_the_mlps_units(activation):
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(
        hidden_layer_sizes=(5, 4), activation=activation, max_iter=5, random_state=0
    )
    mlp = _fit(mlp, X, y)
    net = BackpropClassifier.from_sklearn(mlp)
    assert net.hidden_activations_ == (activation, activation)
    net.set_params(activation="softplus")
    np.testing.assert_allclose(
        net.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=1e-14
    )


@pytest.mark.parametrize("Est", [BackpropClassifier, BackpropRegressor])
def test_a_model_saved_before_the_fitted_units_were_recorded_loads(Est):
    # The state of a model pickled before hidden_activations_ existed: its
    # predict read activation, so that is what it was fitted with.
    est = classifier() if Est is BackpropClassifier else regressor()
    state = pickle.loads(pickle.dumps(est.__getstate__()))
    del state["hidden_activations_"]
    loaded = Est.__new__(Est)
    loaded.__setstate__(state)
    assert loaded.hidden_activations_ == est.hidden_activations_
    method = "predict_proba" if Est is BackpropClassifier else "predict"
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(est, method)(X))
    # and it trains on exactly as the original does
    target = y if Est is BackpropClassifier else y_reg
    loaded.partial_fit(X, target)
    est.partial_fit(X, target)
    np.testing.assert_array_equal(loaded.coefs_[0], est.coefs_[0])
