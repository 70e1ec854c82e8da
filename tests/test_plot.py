"""The displays of skbp.plot, checked through the artists they draw (Agg)."""

import importlib
import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor
from skbp.plot import GradientNormDisplay, LossCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = make_classification(n_samples=60, n_features=4, random_state=0)
X_reg, y_reg = make_regression(n_samples=60, n_features=4, random_state=0)
FAST = {"max_iter": 6, "learning_rate_init": 0.05, "random_state": 0}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


@pytest.fixture(scope="module")
def net():
    return BackpropClassifier(hidden_layer_sizes=(5, 4), **FAST).fit(X, y)


@pytest.fixture(scope="module")
def early_net():
    return BackpropClassifier(hidden_layer_sizes=(5,), early_stopping=True, **FAST).fit(
        X, y
    )


def test_loss_curve_is_drawn_against_epochs_from_one(net):
    disp = LossCurveDisplay.from_estimator(net)

    assert_array_equal(disp.line_.get_xdata(), np.arange(1, net.n_iter_ + 1))
    assert_array_equal(disp.line_.get_ydata(), net.loss_curve_)
    assert disp.validation_line_ is None
    assert disp.ax_validation_ is None
    assert disp.ax_.get_xlabel() == "epoch"
    assert disp.ax_.get_ylabel() == "training loss"
    # One estimator: its name is the legend's title, not in every entry.
    assert legend_texts(disp.ax_) == ["training loss"]
    assert disp.ax_.get_legend().get_title().get_text() == "BackpropClassifier"
    assert disp.line_.get_label() == "BackpropClassifier: training loss"
    assert disp.figure_ is disp.ax_.figure
    assert len(disp.figure_.axes) == 1


def test_validation_scores_are_drawn_on_a_twin_axis(early_net):
    disp = LossCurveDisplay.from_estimator(early_net)

    twin = disp.ax_validation_
    assert twin is not disp.ax_
    assert disp.ax_.get_shared_x_axes().joined(disp.ax_, twin)
    assert twin.get_ylabel() == "validation score"
    assert disp.validation_line_.axes is twin
    n = len(early_net.validation_scores_)
    assert_array_equal(disp.validation_line_.get_xdata(), np.arange(1, n + 1))
    assert_array_equal(disp.validation_line_.get_ydata(), early_net.validation_scores_)
    assert_array_equal(disp.line_.get_ydata(), early_net.loss_curve_)
    # The validation loss beside the training loss, on its axes, dotted.
    assert disp.validation_loss_line_.axes is disp.ax_
    assert_array_equal(
        disp.validation_loss_line_.get_ydata(), early_net.validation_loss_curve_
    )
    assert disp.validation_loss_line_.get_linestyle() == ":"
    assert disp.ax_.get_ylabel() == "loss"
    # All curves in one legend, the validation score dashed in the same colour.
    assert legend_texts(disp.ax_) == [
        "training loss",
        "validation loss",
        "validation score",
    ]
    assert disp.ax_.get_legend().get_title().get_text() == "BackpropClassifier"
    assert disp.validation_line_.get_linestyle() == "--"
    assert disp.validation_line_.get_color() == disp.line_.get_color()


def test_plot_draws_on_the_given_axes(net):
    fig, ax = plt.subplots()
    disp = LossCurveDisplay.from_estimator(net, ax=ax)

    assert disp.ax_ is ax
    assert disp.figure_ is fig
    assert ax.get_lines() == [disp.line_]
    assert len(fig.axes) == 1


def test_name_and_line_keywords_are_used(early_net):
    disp = LossCurveDisplay.from_estimator(
        early_net,
        name="tiny net",
        color="red",
        validation_kwargs={"color": "blue", "linestyle": ":"},
    )

    assert disp.line_.get_label() == "tiny net: training loss"
    assert disp.line_.get_color() == "red"
    assert disp.validation_line_.get_label() == "tiny net: validation score"
    assert disp.validation_line_.get_color() == "blue"
    assert disp.validation_line_.get_linestyle() == ":"


def test_loss_curve_display_from_data_has_unnamed_labels():
    disp = LossCurveDisplay([3.0, 2.0, 1.5], validation_scores=[0.5, 0.7, 0.8])
    assert disp.plot() is disp

    assert_array_equal(disp.line_.get_ydata(), [3.0, 2.0, 1.5])
    assert legend_texts(disp.ax_) == ["training loss", "validation score"]
    assert disp.ax_.get_legend().get_title().get_text() == ""


@pytest.mark.parametrize(
    ("mlp", "data"),
    [(MLPClassifier, (X, y)), (MLPRegressor, (X_reg, y_reg))],
    ids=["MLPClassifier", "MLPRegressor"],
)
def test_loss_curve_display_accepts_sklearn_mlps(mlp, data):
    mlp = mlp(hidden_layer_sizes=(5,), early_stopping=True, **FAST).fit(*data)
    disp = LossCurveDisplay.from_estimator(mlp)

    assert_array_equal(disp.line_.get_ydata(), mlp.loss_curve_)
    assert_array_equal(disp.validation_line_.get_ydata(), mlp.validation_scores_)
    assert disp.line_.get_label() == f"{type(mlp).__name__}: training loss"


def test_estimators_compared_on_one_axes_share_the_validation_axis(early_net):
    mlp = MLPClassifier(hidden_layer_sizes=(5,), early_stopping=True, **FAST)
    mlp.fit(X, y)
    skbp_disp = LossCurveDisplay.from_estimator(early_net)
    mlp_disp = LossCurveDisplay.from_estimator(mlp, ax=skbp_disp.ax_)

    ax = skbp_disp.ax_
    assert mlp_disp.ax_validation_ is skbp_disp.ax_validation_
    assert len(ax.figure.axes) == 2
    # scikit-learn's MLP records no validation loss.
    assert mlp_disp.validation_loss_line_ is None
    assert ax.get_lines() == [
        skbp_disp.line_,
        skbp_disp.validation_loss_line_,
        mlp_disp.line_,
    ]
    assert skbp_disp.line_.get_color() != mlp_disp.line_.get_color()
    assert legend_texts(ax) == [
        "BackpropClassifier: training loss",
        "BackpropClassifier: validation loss",
        "MLPClassifier: training loss",
        "BackpropClassifier: validation score",
        "MLPClassifier: validation score",
    ]


# Shaped like a fit with early stopping: the loss falls fast from the top
# left, the validation score rises fast from the bottom left.
EPOCHS = np.arange(1, 101)
FALLING_LOSS = 0.1 + 2.2 * np.exp(-EPOCHS / 8)
RISING_SCORE = 0.98 - 0.48 * np.exp(-EPOCHS / 6)


def share_of_points_under(legend, line):
    box = legend.get_window_extent()
    points = line.get_transform().transform(line.get_xydata())
    return box.count_contains(points) / len(points)


def overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("layout", ["constrained", "tight"])
def test_validation_axis_leaves_room_for_its_neighbour(layout):
    constrained = layout == "constrained"
    fig, (ax, neighbour) = plt.subplots(
        1, 2, figsize=(8, 3.5), layout="constrained" if constrained else None
    )
    disp = LossCurveDisplay(FALLING_LOSS, RISING_SCORE, estimator_name="net").plot(
        ax=ax
    )
    neighbour.plot([1, 2, 3], [3000.0, 1000.0, 2000.0])
    neighbour.set_ylabel("another quantity")
    if not constrained:
        fig.tight_layout()
    fig.canvas.draw()

    twin = disp.ax_validation_
    renderer = fig.canvas.get_renderer()
    twin_labels = [
        label.get_window_extent(renderer)
        for label in [*twin.get_yticklabels(), twin.yaxis.label]
        if label.get_visible() and label.get_text()
    ]
    assert twin_labels
    neighbour_box = neighbour.get_tightbbox(renderer)
    assert not any(overlaps(box, neighbour_box) for box in twin_labels)
    assert twin.get_tightbbox(renderer).x1 < neighbour_box.x0


@pytest.mark.parametrize(
    ("ncols", "figsize"), [(2, (8, 3.5)), (1, (6.4, 4.8))], ids=["1x2", "1x1"]
)
def test_legend_keeps_clear_of_the_curves_of_both_axes(ncols, figsize):
    fig, axes = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
    ax = np.atleast_1d(axes)[0]
    disp = LossCurveDisplay(FALLING_LOSS, RISING_SCORE, estimator_name="net").plot(
        ax=ax
    )
    fig.canvas.draw()

    legend = ax.get_legend()
    # matplotlib's own "best" only sees the training loss, and puts the
    # legend on the validation curve in the empty-looking upper right.
    assert share_of_points_under(legend, disp.line_) <= 0.02
    assert share_of_points_under(legend, disp.validation_line_) <= 0.02


def test_legend_placed_by_hand_stays_where_it_was_put():
    disp = LossCurveDisplay(FALLING_LOSS, RISING_SCORE).plot()
    legend = disp.ax_.get_legend()
    disp.figure_.canvas.draw()
    legend.set_loc("upper right")
    disp.figure_.canvas.draw()

    box, axes_box = legend.get_window_extent(), disp.ax_.get_window_extent()
    assert axes_box.x1 - box.x1 < 20
    assert axes_box.y1 - box.y1 < 20


def test_figure_with_validation_axis_survives_pickling():
    import pickle

    disp = LossCurveDisplay(FALLING_LOSS, RISING_SCORE, estimator_name="net").plot()
    figure = pickle.loads(pickle.dumps(disp.figure_))
    figure.canvas.draw()
    assert legend_texts(figure.axes[0]) == ["training loss", "validation score"]


def test_from_estimator_takes_the_network_of_a_pipeline(net):
    pipe = make_pipeline(StandardScaler(), BackpropRegressor(**FAST))
    pipe.fit(X_reg, y_reg)

    loss = LossCurveDisplay.from_estimator(pipe)
    norms = GradientNormDisplay.from_estimator(pipe)

    assert_array_equal(loss.line_.get_ydata(), pipe[-1].loss_curve_)
    assert loss.line_.get_label() == "BackpropRegressor: training loss"
    assert len(norms.lines_) == 2


@pytest.mark.parametrize(
    "estimator",
    [BackpropClassifier(solver="lbfgs", **FAST), MLPClassifier(solver="lbfgs", **FAST)],
    ids=["BackpropClassifier", "MLPClassifier"],
)
def test_loss_curve_of_lbfgs_fit_is_a_clear_error(estimator):
    estimator.fit(X, y)
    with pytest.raises(ValueError, match=r"stochastic solver.*solver='lbfgs'"):
        LossCurveDisplay.from_estimator(estimator)


@pytest.mark.parametrize("display", [LossCurveDisplay, GradientNormDisplay])
@pytest.mark.parametrize("estimator", [BackpropClassifier(), MLPRegressor()])
def test_unfitted_estimator_is_refused(display, estimator):
    with pytest.raises(NotFittedError):
        display.from_estimator(estimator)


def test_gradient_norms_are_drawn_one_line_per_layer(net):
    disp = GradientNormDisplay.from_estimator(net)
    history = net.history_

    assert len(disp.lines_) == net.n_layers_ - 1 == 3
    for layer, line in enumerate(disp.lines_, start=1):
        assert line.axes is disp.ax_
        assert_array_equal(line.get_xdata(), history["epoch"])
        assert_array_equal(line.get_ydata(), history[f"grad_norm_{layer}"])
    labels = [
        "layer 1 (input -> hidden 1)",
        "layer 2 (hidden 1 -> hidden 2)",
        "layer 3 (hidden 2 -> output)",
    ]
    assert [line.get_label() for line in disp.lines_] == labels
    assert legend_texts(disp.ax_) == labels
    assert disp.ax_.get_legend().get_title().get_text() == "BackpropClassifier"
    assert disp.ax_.get_yscale() == "log"
    assert disp.ax_.get_xlabel() == "epoch"
    assert "gradient norm" in disp.ax_.get_ylabel()
    assert disp.figure_ is disp.ax_.figure


def test_gradient_norm_display_on_given_axes_with_keywords(net):
    fig, ax = plt.subplots()
    disp = GradientNormDisplay.from_estimator(net, ax=ax, name="mine", linewidth=4)

    assert disp.ax_ is ax
    assert disp.figure_ is fig
    assert ax.get_lines() == disp.lines_
    assert all(line.get_linewidth() == 4 for line in disp.lines_)
    assert ax.get_legend().get_title().get_text() == "mine"


def test_network_without_hidden_layer_has_one_input_to_output_line():
    disp = GradientNormDisplay({"grad_norm_1": [0.3, 0.2]}, estimator_name=None).plot()

    assert [line.get_label() for line in disp.lines_] == ["layer 1 (input -> output)"]
    assert_array_equal(disp.lines_[0].get_xdata(), [1, 2])


def test_layers_are_ordered_by_number_not_by_name():
    history = {f"grad_norm_{layer}": [float(layer)] for layer in (10, 2, 1)}
    history.update({f"grad_norm_{layer}": [float(layer)] for layer in range(3, 10)})
    disp = GradientNormDisplay(history).plot()

    assert [line.get_ydata()[0] for line in disp.lines_] == list(range(1, 11))


def test_history_without_gradient_norms_is_refused():
    with pytest.raises(ValueError, match="grad_norm_1"):
        GradientNormDisplay({"epoch": [1], "loss": [0.5]}).plot()


@pytest.mark.parametrize(
    "estimator",
    [BackpropClassifier(solver="lbfgs", **FAST), MLPClassifier(**FAST)],
    ids=["lbfgs", "MLPClassifier"],
)
def test_gradient_norms_need_an_skbp_stochastic_fit(estimator):
    estimator.fit(X, y)
    with pytest.raises(ValueError, match="records history_"):
        GradientNormDisplay.from_estimator(estimator)


@pytest.fixture
def without_matplotlib(monkeypatch):
    # A None entry in sys.modules makes `import matplotlib` raise ImportError.
    for module in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize(
    "draw",
    [
        lambda net: LossCurveDisplay.from_estimator(net),
        lambda net: LossCurveDisplay(net.loss_curve_).plot(),
        lambda net: GradientNormDisplay.from_estimator(net),
        lambda net: GradientNormDisplay(net.history_).plot(),
    ],
    ids=[
        "LossCurve.from_estimator",
        "LossCurve.plot",
        "GradNorm.from_estimator",
        "GradNorm.plot",
    ],
)
def test_missing_matplotlib_says_how_to_install_it(net, without_matplotlib, draw):
    message = r"requires matplotlib, which is not installed: pip install matplotlib"
    with pytest.raises(ImportError, match=message):
        draw(net)


def test_skbp_plot_imports_without_matplotlib(without_matplotlib, monkeypatch):
    import skbp

    # Re-import from scratch; the original module is put back afterwards.
    monkeypatch.setattr(skbp, "plot", sys.modules["skbp.plot"])
    monkeypatch.delitem(sys.modules, "skbp.plot")
    module = importlib.import_module("skbp.plot")
    assert module.LossCurveDisplay([1.0]).loss_curve == [1.0]
