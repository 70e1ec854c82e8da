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


# Independent numpy versions of every hidden unit skbp has.
UNITS = {
    "identity": lambda z: z,
    "logistic": logistic,
    "sigmoid": logistic,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.logaddexp(0, z),
}


def layer_outputs(net, grid, activation):
    """Each hidden layer's outputs, every layer through its own unit."""
    a, outputs = grid, []
    for W, b, name in zip(net.coefs_[:-1], net.intercepts_[:-1], activation):
        a = UNITS[name](a @ W + b)
        outputs.append(a)
    return outputs


@pytest.mark.parametrize(
    "Net, activation",
    [
        (BackpropClassifier, ("tanh", "relu")),
        (BackpropClassifier, ("relu", "sigmoid", "softplus")),
        (BackpropRegressor, ("leaky_relu", "tanh")),
        (BackpropRegressor, ["identity", "logistic", "relu"]),
    ],
)
def test_per_layer_activation_images_are_each_layers_units(Net, activation):
    target = y if Net is BackpropClassifier else X[:, 0] * X[:, 1]
    sizes = (4, 3, 3)[: len(activation)]
    net = Net(hidden_layer_sizes=sizes, activation=activation, **FAST)
    net.fit(X, target)
    disp = HiddenUnitsDisplay.from_estimator(net, X, target, grid_resolution=15)
    grid, shape = grid_of(disp)

    expected = layer_outputs(net, grid, activation)
    for layer, (outputs, name) in enumerate(zip(expected, activation), start=1):
        for k in range(outputs.shape[1]):
            image = disp.images_[layer, k]
            assert_allclose(image.get_array(), outputs[:, k].reshape(shape))
            # A bounded layer is drawn on its units' range, an unbounded one
            # on the range of its outputs over the grid.
            bounds = {
                "tanh": (-1.0, 1.0),
                "logistic": (0.0, 1.0),
                "sigmoid": (0.0, 1.0),
            }.get(name, (outputs.min(), outputs.max()))
            assert_allclose(image.get_clim(), bounds)
    response = (
        net.predict_proba(grid)[:, 1]
        if Net is BackpropClassifier
        else net.predict(grid)
    )
    assert_allclose(disp.surface_.get_array(), response.reshape(shape))


def test_per_layer_colour_limits_tanh_bounded_relu_from_data():
    net = BackpropClassifier(hidden_layer_sizes=(4, 3), activation=("tanh", "relu"))
    net.set_params(**FAST).fit(X, y)
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=20)
    assert disp.activation == ("tanh", "relu")
    grid, _ = grid_of(disp)
    h1, h2 = layer_outputs(net, grid, ("tanh", "relu"))
    # The tanh layer does not span [-1, 1] on the grid: the limits are the
    # units' range, not the outputs'.
    assert h1.min() > -1 or h1.max() < 1
    for k in range(4):
        assert disp.images_[1, k].get_clim() == (-1.0, 1.0)
    for k in range(3):
        assert_allclose(disp.images_[2, k].get_clim(), (h2.min(), h2.max()))
    # Not tanh's bounds: relu outputs are never negative, and they exceed 1
    # here, so the scale could not be [-1, 1] by accident.
    assert h2.min() >= 0 and h2.max() > 1
    # Each column is captioned with its units, under its lowest image.
    labels = {key: ax.get_xlabel() for key, ax in disp.axes_.items()}
    assert labels == {
        **{(1, k): "" for k in range(3)},
        (1, 3): "tanh",
        **{(2, k): "" for k in range(2)},
        (2, 2): "relu",
    }

    # update() keeps each layer's own scale with the new weights.
    net.set_params(max_iter=5, warm_start=True).fit(X, y)
    disp.update(net)
    grid, shape = grid_of(disp)
    h1, h2 = layer_outputs(net, grid, ("tanh", "relu"))
    assert_allclose(disp.images_[1, 2].get_array(), h1[:, 2].reshape(shape))
    assert_allclose(disp.images_[2, 2].get_array(), h2[:, 2].reshape(shape))
    assert disp.images_[1, 2].get_clim() == (-1.0, 1.0)
    assert_allclose(disp.images_[2, 2].get_clim(), (h2.min(), h2.max()))


def test_dropout_does_not_change_the_drawn_units():
    # Dropout acts in training only: the images are the whole network's.
    net = BackpropRegressor(
        hidden_layer_sizes=(4, 3),
        activation=("softplus", "tanh"),
        dropout=(0.5, 0.2),
        **FAST,
    ).fit(X, X[:, 0])
    disp = HiddenUnitsDisplay.from_estimator(net, X, grid_resolution=10)
    grid, shape = grid_of(disp)
    h1, h2 = layer_outputs(net, grid, ("softplus", "tanh"))
    assert_allclose(disp.images_[1, 3].get_array(), h1[:, 3].reshape(shape))
    assert_allclose(disp.images_[2, 0].get_array(), h2[:, 0].reshape(shape))
    assert_allclose(disp.surface_.get_array(), net.predict(grid).reshape(shape))


def test_display_takes_one_activation_per_layer():
    xx = np.linspace(-2, 2, 6)
    ramp = np.tile(xx, (6, 1))
    hidden = [np.stack([ramp, -ramp]), np.stack([3 * ramp])]
    disp = HiddenUnitsDisplay(xx, xx, hidden, ramp, activation=["relu", "sigmoid"])
    disp.plot()
    # relu: its outputs' range; sigmoid, an alias of logistic: [0, 1].
    assert disp.images_[1, 0].get_clim() == (-2.0, 2.0)
    assert disp.images_[2, 0].get_clim() == (0.0, 1.0)

    wrong = HiddenUnitsDisplay(xx, xx, hidden, ramp, activation=("tanh",))
    with pytest.raises(ValueError, match=r"activation=\('tanh',\) names 1 layer"):
        wrong.plot()
