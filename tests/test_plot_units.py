"""HiddenUnitsDisplay, checked through the images it draws (Agg)."""

import warnings

import numpy as np
import pandas as pd
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
    # Three units, the response and the title.
    assert len(artists) == 5
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
    # Each layer is headed by its units; no image carries a label of its
    # own (issue 21: a lone "logistic" under the last unit read as stray).
    assert {key: ax.get_xlabel() for key, ax in disp.axes_.items()} == {
        key: "" for key in disp.axes_
    }
    assert {layer: t.get_text() for layer, t in disp.layer_labels_.items()} == {
        1: "layer 1\ntanh",
        2: "layer 2\nrelu",
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


# Issue 21: what the docs showed at 1280 px.


def thumbnail_cells(disp, layer):
    """The (row, column) cells of a layer's images in the figure's grid."""
    cells = set()
    for (k, _), ax in disp.axes_.items():
        if k == layer:
            spec = ax.get_subplotspec()
            cells.add((spec.rowspan.start, spec.colspan.start))
    return cells


@pytest.mark.parametrize(
    "n_units, n_rows, n_columns", [(6, 3, 2), (12, 4, 3), (30, 8, 4)]
)
def test_many_units_wrap_into_rows_within_the_docs_column(n_units, n_rows, n_columns):
    net = BackpropClassifier(hidden_layer_sizes=(n_units,), **FAST).fit(X, y)
    with warnings.catch_warnings():
        # constrained layout warns when it cannot fit the axes.
        warnings.simplefilter("error")
        disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=10)
        disp.figure_.canvas.draw()
    width, height = disp.figure_.get_size_inches()
    # One column of 12 units was 17.6 x 15.5 in, of 30 units 40 x 38 in.
    assert 5 <= width <= 9 and 3 <= height <= 9
    cells = thumbnail_cells(disp, 1)
    assert len(cells) == n_units
    assert len({row for row, _ in cells}) == n_rows
    assert len({column for _, column in cells}) == n_columns
    # Drawn, the images are squares that neither overlap nor shrink to dots.
    boxes = [ax.get_window_extent() for ax in disp.axes_.values()]
    dpi = disp.figure_.dpi
    for i, box in enumerate(boxes):
        assert box.width >= 0.4 * dpi and box.height >= 0.4 * dpi
        assert box.width == pytest.approx(box.height, rel=0.1)
        assert not any(box.overlaps(other) for other in boxes[i + 1 :])
    # The response is larger than any unit.
    assert disp.ax_.get_window_extent().height > 2 * boxes[0].height


def test_unit_size_bounded_by_the_docs_column():
    net = BackpropClassifier(hidden_layer_sizes=(4, 3), **FAST).fit(X, y)
    small = HiddenUnitsDisplay.from_estimator(
        net, X, y, grid_resolution=8, unit_size=0.8
    )
    large = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=8, unit_size=5)
    assert small.figure_.get_size_inches()[0] < 9
    assert large.figure_.get_size_inches()[0] == pytest.approx(9)


def dataframe_pipeline():
    frame = pd.DataFrame(X, columns=["length", "width"])
    pipe = make_pipeline(
        StandardScaler(), BackpropClassifier(hidden_layer_sizes=(3,), **FAST)
    )
    return pipe.fit(frame, y), frame


def test_pipeline_fitted_on_a_dataframe_draws_without_warnings():
    pipe, frame = dataframe_pipeline()
    # Without a DataFrame, scikit-learn warns that X has no feature names.
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        pipe.predict_proba(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        disp = HiddenUnitsDisplay.from_estimator(pipe, frame, y, grid_resolution=9)
    pipe[-1].set_params(max_iter=3, warm_start=True)
    pipe.fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        disp.update(pipe)
    grid, shape = grid_of(disp)
    grid = pd.DataFrame(grid, columns=frame.columns)
    assert_allclose(
        disp.surface_.get_array(), pipe.predict_proba(grid)[:, 1].reshape(shape)
    )
    assert (disp.ax_.get_xlabel(), disp.ax_.get_ylabel()) == ("length", "width")


def test_network_fitted_on_a_dataframe_draws_without_warnings():
    frame = pd.DataFrame(X, columns=["a", "b"])
    net = BackpropClassifier(hidden_layer_sizes=(3,), **FAST).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        HiddenUnitsDisplay.from_estimator(net, frame, y, grid_resolution=9)
        # A plain array for X is fine too: the grid carries the names.
        HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=9)


def test_title_counts_the_epochs_trained():
    net = BackpropClassifier(hidden_layer_sizes=(3,), random_state=0)
    net.partial_fit(X, y, classes=[0, 1])
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=8)
    assert disp.title_.get_text() == "after 1 epoch"
    net.partial_fit(X, y)
    artists = disp.update(net)
    assert disp.title_.get_text() == "after 2 epochs"
    # An animation redraws the title with the images.
    assert disp.title_ in artists
    net.set_params(max_iter=7).fit(X, y)
    disp.update(net)
    assert disp.title_.get_text() == "after 7 epochs"


def test_title_counts_lbfgs_iterations():
    net = BackpropClassifier(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=1)
    net.fit(X, y)
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=8)
    assert disp.title_.get_text() == "after 1 L-BFGS iteration"
    net.set_params(max_iter=5).fit(X, y)
    disp.update(net)
    assert disp.title_.get_text() == "after 5 L-BFGS iterations"


def distance(a, b):
    """Euclidean distance between RGB colours (alpha ignored)."""
    return np.linalg.norm(np.asarray(a)[..., :3] - np.asarray(b)[..., :3], axis=-1)


@pytest.mark.parametrize("cmap", ["RdBu_r", "PuOr"])
def test_points_stand_out_from_the_map_of_their_own_class(cmap):
    # Trained until almost every point lies where its class is likely.
    net = BackpropClassifier(
        hidden_layer_sizes=(8,), solver="lbfgs", max_iter=500, random_state=0
    ).fit(X, y)
    assert net.score(X, y) > 0.95
    disp = HiddenUnitsDisplay.from_estimator(net, X, y, grid_resolution=40, cmap=cmap)
    disp.figure_.canvas.draw()
    faces = disp.scatter_.get_facecolors()
    assert len(faces) == len(X)
    # The two classes in two clearly different colours.
    assert distance(faces[y == 0][0], faces[y == 1][0]) > 0.4
    # Each point against the map beneath it: the map's colour at the point
    # is its colour for the network's probability there.
    beneath = disp.surface_.to_rgba(net.predict_proba(X)[:, 1])
    # The white rings: a correct point matched the map's colour.
    assert distance(faces, beneath).min() > 0.25
    # Dark rims, which a light map and a light point both show.
    edges = disp.scatter_.get_edgecolors()
    assert np.all(edges[:, :3].max(axis=1) < 0.35)


def test_regression_targets_stand_out_from_the_map():
    target = X[:, 0] - X[:, 1]
    reg = BackpropRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", max_iter=500, random_state=0
    ).fit(X, target)
    disp = HiddenUnitsDisplay.from_estimator(reg, X, target, grid_resolution=20)
    disp.figure_.canvas.draw()
    faces = disp.scatter_.get_facecolors()
    beneath = disp.surface_.to_rgba(reg.predict(X))
    # Points near the middle of the scale are pale in any diverging map;
    # those a quarter of the range or more from it stand out.
    low, high = disp.surface_.get_clim()
    far = np.abs(target - (low + high) / 2) > 0.25 * (high - low)
    assert far.sum() > len(X) / 4
    assert distance(faces[far], beneath[far]).min() > 0.2
