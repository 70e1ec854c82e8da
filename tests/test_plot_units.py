"""HiddenUnitsDisplay, checked through the images it draws (Agg)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_moons
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor
from skbp.plot import HiddenUnitsDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = make_moons(n_samples=60, noise=0.2, random_state=0)
FAST = {"max_iter": 20, "learning_rate_init": 0.05, "random_state": 0}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def clf():
    return BackpropClassifier(
        hidden_layer_sizes=(4, 3), activation="logistic", **FAST
    ).fit(X, y)


def grid_of(disp):
    g0, g1 = np.meshgrid(disp.xx0, disp.xx1)
    return np.column_stack([g0.ravel(), g1.ravel()]), g0.shape


def logistic(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_unit_images_are_the_units_outputs(clf):
    disp = HiddenUnitsDisplay.from_estimator(clf, X, y, grid_resolution=30)
    grid, shape = grid_of(disp)
    assert shape == (30, 30)

    h1 = logistic(grid @ clf.coefs_[0] + clf.intercepts_[0])
    h2 = logistic(h1 @ clf.coefs_[1] + clf.intercepts_[1])
    assert set(disp.images_) == {(1, k) for k in range(4)} | {(2, k) for k in range(3)}
    for k in range(4):
        assert_allclose(disp.images_[1, k].get_array(), h1[:, k].reshape(shape))
    for k in range(3):
        assert_allclose(disp.images_[2, k].get_array(), h2[:, k].reshape(shape))
    # Pixel (row j, column i) is the point (xx0[i], xx1[j]), origin lower.
    assert disp.images_[1, 0].origin == "lower"
    assert disp.images_[1, 0].get_extent() == [
        disp.xx0[0],
        disp.xx0[-1],
        disp.xx1[0],
        disp.xx1[-1],
    ]
    assert disp.images_[1, 0].get_clim() == (0.0, 1.0)
    assert disp.axes_[2, 1].get_title() == "h2.2"


def test_surface_is_predict_proba(clf):
    disp = HiddenUnitsDisplay.from_estimator(clf, X, y, grid_resolution=25)
    grid, shape = grid_of(disp)
    assert_allclose(
        disp.surface_.get_array(), clf.predict_proba(grid)[:, 1].reshape(shape)
    )
    assert disp.surface_.get_clim() == (0.0, 1.0)
    assert disp.ax_.get_title() == "P(y = 1)"
    assert_allclose(disp.scatter_.get_offsets(), X)
    # The points of the drawn class at the top of the colour scale.
    assert_allclose(disp.scatter_.get_array(), y == 1)
    assert disp.figure_ is disp.ax_.figure


def test_grid_covers_the_data_with_a_margin(clf):
    disp = HiddenUnitsDisplay.from_estimator(clf, X, grid_resolution=11, margin=0.5)
    span = X.max(axis=0) - X.min(axis=0)
    assert_allclose([disp.xx0[0], disp.xx1[0]], X.min(axis=0) - 0.5 * span)
    assert_allclose([disp.xx0[-1], disp.xx1[-1]], X.max(axis=0) + 0.5 * span)
    assert len(disp.xx0) == len(disp.xx1) == 11


def test_update_redraws_with_new_weights():
    net = BackpropClassifier(hidden_layer_sizes=(3,), random_state=0)
    net.partial_fit(X, y, classes=[0, 1])
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=10)
    before = disp.images_[1, 0].get_array().copy()
    for _ in range(5):
        net.partial_fit(X, y)
    artists = disp.update(net)
    assert len(artists) == 4
    grid, shape = grid_of(disp)
    # skbp's default activation is the logistic one.
    hidden = logistic(grid @ net.coefs_[0] + net.intercepts_[0])
    assert_allclose(disp.images_[1, 0].get_array(), hidden[:, 0].reshape(shape))
    assert not np.allclose(before, disp.images_[1, 0].get_array())
    assert_allclose(
        disp.surface_.get_array(), net.predict_proba(grid)[:, 1].reshape(shape)
    )


@pytest.mark.parametrize("activation", ["leaky_relu", "softplus"])
def test_skbp_activations_scikit_learn_lacks(activation):
    net = BackpropClassifier(hidden_layer_sizes=(3,), activation=activation, **FAST)
    net.fit(X, y)
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=12)
    grid, shape = grid_of(disp)
    z = grid @ net.coefs_[0] + net.intercepts_[0]
    expected = {
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
        "softplus": np.logaddexp(0, z),
    }[activation]
    for k in range(3):
        image = disp.images_[1, k]
        assert_allclose(image.get_array(), expected[:, k].reshape(shape))
        # Unbounded units: the colour scale is the outputs' own range.
        assert_allclose(image.get_clim(), (expected.min(), expected.max()))


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity", "logistic"])
def test_sklearn_mlp_activations(activation):
    mlp = MLPClassifier(hidden_layer_sizes=(3,), activation=activation, **FAST).fit(
        X, y
    )
    disp = HiddenUnitsDisplay.from_estimator(mlp, X, y, grid_resolution=12)
    grid, shape = grid_of(disp)
    z = grid @ mlp.coefs_[0] + mlp.intercepts_[0]
    expected = {
        "tanh": np.tanh(z),
        "relu": np.maximum(z, 0),
        "identity": z,
        "logistic": logistic(z),
    }[activation]
    for k in range(3):
        assert_allclose(disp.images_[1, k].get_array(), expected[:, k].reshape(shape))
    assert_allclose(
        disp.surface_.get_array(), mlp.predict_proba(grid)[:, 1].reshape(shape)
    )


@pytest.mark.parametrize("Regressor", [BackpropRegressor, MLPRegressor])
def test_regressor_surface_is_predict(Regressor):
    target = X[:, 0] - X[:, 1]
    reg = Regressor(hidden_layer_sizes=(3,), **FAST).fit(X, target)
    disp = HiddenUnitsDisplay.from_estimator(reg, X, target, grid_resolution=12)
    grid, shape = grid_of(disp)
    assert_allclose(disp.surface_.get_array(), reg.predict(grid).reshape(shape))
    assert disp.ax_.get_title() == "output"


def test_pipeline_transforms_the_grid():
    pipe = make_pipeline(
        StandardScaler(), BackpropClassifier(hidden_layer_sizes=(2,), **FAST)
    ).fit(X, y)
    disp = HiddenUnitsDisplay.from_estimator(pipe, X, grid_resolution=9)
    grid, shape = grid_of(disp)
    net = pipe[-1]
    z = pipe[0].transform(grid) @ net.coefs_[0] + net.intercepts_[0]
    hidden = logistic(z)
    assert_allclose(disp.images_[1, 1].get_array(), hidden[:, 1].reshape(shape))
    assert_allclose(
        disp.surface_.get_array(), pipe.predict_proba(grid)[:, 1].reshape(shape)
    )


def test_three_features_are_refused():
    X3 = np.column_stack([X, X[:, 0]])
    net = BackpropClassifier(hidden_layer_sizes=(2,), **FAST).fit(X3, y)
    with pytest.raises(ValueError, match="two input features; X has 3 features"):
        HiddenUnitsDisplay.from_estimator(net, X3, y)


def test_unfitted_estimator():
    with pytest.raises(NotFittedError):
        HiddenUnitsDisplay.from_estimator(BackpropClassifier(), X, y)


def test_multiclass_needs_output():
    y3 = np.arange(len(X)) % 3
    net = BackpropClassifier(hidden_layer_sizes=(2,), **FAST).fit(X, y3)
    with pytest.raises(ValueError, match="pass output=k"):
        HiddenUnitsDisplay.from_estimator(net, X, y3)
    disp = HiddenUnitsDisplay.from_estimator(net, X, y3, output=2, grid_resolution=8)
    grid, shape = grid_of(disp)
    assert_allclose(
        disp.surface_.get_array(), net.predict_proba(grid)[:, 2].reshape(shape)
    )
    assert disp.ax_.get_title() == "P(y = 2)"
    assert_allclose(disp.scatter_.get_array(), y3 == 2)
