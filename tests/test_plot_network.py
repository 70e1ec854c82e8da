"""NetworkDisplay, checked through the artists it draws (Agg)."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier, BackpropRegressor
from skbp.plot import NetworkDisplay
from skbp.worked_examples import mazur_network

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = make_classification(
    n_samples=40, n_features=3, n_informative=2, n_redundant=0, random_state=0
)
FAST = {"max_iter": 5, "learning_rate_init": 0.05, "random_state": 0}
MAZUR_W = [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def mazur():
    """Mazur's network after its first step, and that step's trace."""
    net, X_m, y_m = mazur_network()
    trace = net.trace_step(X_m, y_m)
    return net, trace


def label_number(text):
    """The number after the last "=" of a one-line label."""
    return float(text.rsplit("=", 1)[1])


def test_mazur_edges_are_the_published_weights():
    net, _, _ = mazur_network()
    disp = NetworkDisplay(net.coefs_init, net.intercepts_init, fit_intercept=False)
    disp.plot(weight_names=True)

    weights = {k: v for k, v in disp.edges_.items() if k[1] is not None}
    assert len(weights) == 8
    # Mazur numbers the weights per receiving unit: w1 i1->h1, w2 i2->h1, ...
    expected = {
        (1, 0, 0): "w1 = 0.15",
        (1, 1, 0): "w2 = 0.2",
        (1, 0, 1): "w3 = 0.25",
        (1, 1, 1): "w4 = 0.3",
        (2, 0, 0): "w5 = 0.4",
        (2, 1, 0): "w6 = 0.45",
        (2, 0, 1): "w7 = 0.5",
        (2, 1, 1): "w8 = 0.55",
    }
    assert {k: t.get_text() for k, t in disp.edge_labels_.items()} == expected
    assert [disp.bias_labels_[layer].get_text() for layer in (1, 2)] == [
        "b1 = 0.35",
        "b2 = 0.6",
    ]
    # The shared, fixed biases are one unit per layer with unlabelled edges.
    assert set(disp.bias_units_) == {1, 2}
    bias_edges = [k for k in disp.edges_ if k[1] is None]
    assert sorted(bias_edges) == [
        (1, None, 0),
        (1, None, 1),
        (2, None, 0),
        (2, None, 1),
    ]
    names = [
        disp.unit_names_[layer, unit].get_text()
        for layer in range(3)
        for unit in range(2)
    ]
    assert names == ["i1", "i2", "h1", "h2", "o1", "o2"]
    assert [len(units.get_offsets()) for units in disp.units_] == [2, 2, 2]


def test_line_widths_are_proportional_to_abs_weight():
    coefs = [np.array([[0.5, -2.0], [1.0, 0.0]]), np.array([[-4.0], [3.0]])]
    intercepts = [np.array([0.25, -1.0]), np.array([2.0])]
    disp = NetworkDisplay(coefs, intercepts).plot(max_linewidth=8.0)

    values = {
        (layer, j, k): coefs[layer - 1][j, k]
        for layer in (1, 2)
        for j in range(coefs[layer - 1].shape[0])
        for k in range(coefs[layer - 1].shape[1])
    }
    values.update(
        {
            (layer, None, k): b[k]
            for layer, b in enumerate(intercepts, 1)
            for k in range(b.size)
        }
    )
    assert set(disp.edges_) == set(values)
    widths = {key: line.get_linewidth() for key, line in disp.edges_.items()}
    for key, w in values.items():
        assert widths[key] == pytest.approx(8.0 * abs(w) / 4.0)
    assert widths[1, 0, 0] / widths[1, 1, 0] == pytest.approx(0.5)


def test_colours_are_centred_at_zero():
    coefs = [np.array([[0.5, -2.0], [1.0, 0.0]]), np.array([[-4.0], [3.0]])]
    disp = NetworkDisplay(coefs, [np.zeros(2), np.zeros(1)], fit_intercept=False).plot()
    cmap = plt.get_cmap("RdBu_r")
    norm = disp.colorbar_.mappable.norm
    assert (norm.vmin, norm.vmax) == (-4.0, 4.0)
    for (layer, j, k), line in disp.edges_.items():
        w = coefs[layer - 1][j, k]
        assert_allclose(
            matplotlib.colors.to_rgba(line.get_color()), cmap(0.5 + w / 8.0)
        )
    # Opposite signs at opposite ends of the colormap: red vs blue.
    red, _, blue, _ = matplotlib.colors.to_rgba(disp.edges_[2, 1, 0].get_color())
    assert red > blue
    red, _, blue, _ = matplotlib.colors.to_rgba(disp.edges_[2, 0, 0].get_color())
    assert red < blue
    # Zero intercepts held fixed are no bias at all.
    assert not disp.bias_units_
    assert all(key[1] is not None for key in disp.edges_)


def test_trace_labels_are_the_trace_numbers(mazur):
    net, trace = mazur
    disp = NetworkDisplay.from_estimator(net, trace, fmt=".9f")

    updates = trace.updates[trace.updates["kind"] == "coef"]
    assert len(updates) == 8
    for row in updates.itertuples(index=False):
        key = (row.layer, row.from_unit, row.to_unit)
        first, second = disp.edge_labels_[key].get_text().split("\n")
        old, new = first.split(" → ")
        assert float(old) == pytest.approx(row.old_weight, abs=1e-9)
        assert float(new) == pytest.approx(row.new_weight, abs=1e-9)
        assert second.startswith("∂E/∂w = ")
        assert label_number(second) == pytest.approx(row.gradient, abs=1e-9)
        # The edges are the weights of the traced forward pass: before the step.
        assert disp.edges_[key].get_linewidth() == pytest.approx(
            5.0 * row.old_weight / 0.6
        )
    # Mazur's published numbers.
    assert (
        disp.edge_labels_[2, 0, 0].get_text()
        == "0.400000000 → 0.358916480\n∂E/∂w = 0.082167041"
    )

    forward = trace.forward.set_index(["layer", "unit"])
    backward = trace.backward.set_index(["layer", "unit"])
    assert set(disp.unit_labels_) == {(1, 0), (1, 1), (2, 0), (2, 1)}
    for (layer, unit), text in disp.unit_labels_.items():
        net_line, out_line, delta_line = text.get_text().split("\n")
        assert net_line.startswith("net = ") and out_line.startswith("out = ")
        assert delta_line.startswith("δ = ")
        assert label_number(net_line) == pytest.approx(
            forward.loc[(layer, unit), "net_input"], abs=1e-9
        )
        assert label_number(out_line) == pytest.approx(
            forward.loc[(layer, unit), "output"], abs=1e-9
        )
        assert label_number(delta_line) == pytest.approx(
            backward.loc[(layer, unit), "delta"], abs=1e-9
        )
    assert disp.unit_labels_[2, 0].get_text().endswith("δ = 0.138498562")
    assert "the only sample" in disp.ax_.get_title()
    assert [label_number(t.get_text()) for t in disp.bias_labels_.values()] == [
        0.35,
        0.6,
    ]


@pytest.mark.parametrize("dropout", [(0.5, 0.3), (0.5, 0.0)], ids=["both", "first"])
def test_dropout_step_labels_each_hidden_unit_with_its_mask(dropout):
    # A network with one activation per hidden layer, too: each unit's
    # out is its own layer's f(net).
    net = BackpropClassifier(
        hidden_layer_sizes=(4, 3),
        activation=("tanh", "relu"),
        dropout=dropout,
        solver="sgd",
        **FAST,
    ).fit(X, y)
    trace = net.trace_step(X[:3], y[:3])
    disp = NetworkDisplay.from_estimator(net, trace, sample=1, fmt=".9g")

    units = {1: np.tanh, 2: lambda z: np.maximum(z, 0)}
    forward = trace.forward.query("sample == 1").set_index(["layer", "unit"])
    backward = trace.backward.query("sample == 1").set_index(["layer", "unit"])
    masks = [
        np.ones((3, 3)) if m is None else m for m in [trace.masks[0], trace.masks[1]]
    ]
    dropped = 0
    for (layer, unit), text in disp.unit_labels_.items():
        lines = text.get_text().split("\n")
        delta = backward.loc[(layer, unit), "delta"]
        assert label_number(lines[-1]) == pytest.approx(delta, rel=1e-8, abs=1e-12)
        if layer == 3:
            # The output layer has no dropout: no mask line.
            assert [line.split(" = ")[0] for line in lines] == ["net", "out", "δ"]
            continue
        assert [line.split(" = ")[0] for line in lines] == ["net", "out", "m", "δ"]
        z, out, m = (label_number(line) for line in lines[:3])
        assert out == pytest.approx(units[layer](z), rel=1e-8, abs=1e-12)
        # The mask of the trace's arrays, which are the step's own.
        assert m == pytest.approx(masks[layer - 1][1, unit], rel=1e-8)
        assert m == pytest.approx(forward.loc[(layer, unit), "mask"], rel=1e-8)
        rate = dropout[layer - 1]
        kept = 1 / (1 - rate)
        assert m == 0 or m == pytest.approx(kept, rel=1e-8)
        if m == 0:
            dropped += 1
            # A dropped unit passes nothing on, so no error comes back.
            assert delta == 0
    assert dropped > 0
    assert "dropout mask m" in disp.ax_.get_title()

    # Without dropout, the labels have no mask line.
    plain = BackpropClassifier(
        hidden_layer_sizes=(4, 3), activation=("tanh", "relu"), **FAST
    ).fit(X, y)
    disp = NetworkDisplay.from_estimator(plain, plain.trace_step(X[:3], y[:3]))
    assert all("m = " not in t.get_text() for t in disp.unit_labels_.values())
    assert "mask" not in disp.ax_.get_title()


def test_weight_names_with_a_trace(mazur):
    net, trace = mazur
    disp = NetworkDisplay.from_estimator(net, trace, weight_names=True)
    assert disp.edge_labels_[2, 0, 0].get_text() == "w5: 0.4 → 0.3589\n∂E/∂w5 = 0.08217"


def test_after_the_step_the_edges_are_the_new_weights(mazur):
    net, trace = mazur
    disp = NetworkDisplay.from_estimator(net)
    new = trace.updates.set_index(["layer", "from_unit", "to_unit"])["new_weight"]
    for (layer, j, k), text in disp.edge_labels_.items():
        assert float(text.get_text()) == pytest.approx(new[layer, j, k], rel=1e-3)
    assert not disp.unit_labels_


def test_from_trace_reads_the_layer_sizes(mazur):
    _, trace = mazur
    disp = NetworkDisplay.from_trace(trace, intercepts=[[0.35, 0.35], [0.6, 0.6]])
    assert [len(units.get_offsets()) for units in disp.units_] == [2, 2, 2]
    assert len(disp.edges_) == 12
    assert disp.bias_labels_[2].get_text() == "b2 = 0.6"

    without = NetworkDisplay.from_trace(trace)
    assert not without.bias_units_
    assert len(without.edges_) == 8


def test_trained_intercepts_of_a_trace_label_the_bias_edges():
    net = BackpropRegressor(hidden_layer_sizes=(3,), solver="sgd", random_state=0)
    rng = np.random.default_rng(0)
    X_r, y_r = rng.normal(size=(4, 2)), rng.normal(size=4)
    trace = net.trace_step(X_r, y_r)
    disp = NetworkDisplay.from_trace(trace, sample=2)

    rows = trace.updates[trace.updates["kind"] == "intercept"]
    assert len(rows) == 4
    for row in rows.itertuples(index=False):
        text = disp.edge_labels_[row.layer, None, row.to_unit].get_text()
        first, second = text.split("\n")
        assert first == f"b: {row.old_weight:.4g} → {row.new_weight:.4g}"
        assert second == f"∂E/∂b = {row.gradient:.4g}"
    assert "sample 2 of 4" in disp.ax_.get_title()
    out = trace.forward.query("sample == 2 and layer == 2")["output"].iloc[0]
    assert f"out = {out:.4g}" in disp.unit_labels_[2, 0].get_text()


def test_large_network_keeps_the_strongest_edges_unlabelled():
    clf = BackpropClassifier(hidden_layer_sizes=(60,), **FAST).fit(X, y)
    disp = NetworkDisplay.from_estimator(clf, top_edges=2)

    into = {}
    for layer, j, k in disp.edges_:
        into.setdefault((layer, k), []).append(j)
    assert set(into) == {(1, k) for k in range(60)} | {(2, 0)}
    assert all(len(sources) == 2 for sources in into.values())
    # The output's two edges are its two largest |w|, intercept included.
    candidates = np.append(np.abs(clf.coefs_[1][:, 0]), abs(clf.intercepts_[1][0]))
    kept = sorted(
        candidates[-1] if j is None else abs(clf.coefs_[1][j, 0]) for j in into[2, 0]
    )
    assert_allclose(kept, np.sort(candidates)[-2:])
    assert not disp.edge_labels_
    assert not disp.unit_labels_
    # The hidden layer is too large to name its units; the others are named.
    assert {layer for layer, _ in disp.unit_names_} == {0, 2}
    # The title says what is drawn: 2 edges into each of 61 units, of the
    # 3 * 60 + 60 weights and intercepts into the hidden layer and 60 + 1
    # into the output.
    assert "2 strongest incoming edges" in disp.ax_.get_title()
    assert "122 of 301 weights and intercepts" in disp.ax_.get_title()


def test_large_network_with_a_trace_warns_and_says_what_is_drawn():
    net = BackpropRegressor(hidden_layer_sizes=(20,), solver="sgd", random_state=0)
    trace = net.trace_step(X[:5], y[:5])
    with pytest.warns(UserWarning, match="this one's largest has 20") as record:
        disp = NetworkDisplay.from_estimator(net, trace)
    # The warning points at the line that asked for the drawing.
    assert record[0].filename == __file__
    assert not disp.edge_labels_ and not disp.unit_labels_
    title = disp.ax_.get_title()
    # 3 edges into each of the 20 hidden units and into the output, of the
    # 3 * 20 + 20 weights and intercepts into the hidden layer and 20 + 1
    # into the output.
    assert "3 strongest incoming edges" in title
    assert "63 of 101 weights and intercepts" in title
    assert len(disp.edges_) == 63
    assert "weights before the step" in title
    assert "max_labeled_units=8" in title


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_sklearn_mlp(Estimator):
    mlp = Estimator(hidden_layer_sizes=(4,), **FAST).fit(X, y)
    disp = NetworkDisplay.from_estimator(mlp)
    # scikit-learn trains its intercepts: a "+1" bias unit with labelled edges.
    assert len(disp.edges_) == 3 * 4 + 4 + 4 + 1
    assert (
        disp.edge_labels_[1, None, 2].get_text() == f"b = {mlp.intercepts_[0][2]:.4g}"
    )
    assert disp.edge_labels_[2, 3, 0].get_text() == f"{mlp.coefs_[1][3, 0]:.4g}"


def test_pipeline_and_given_axes():
    pipe = make_pipeline(
        StandardScaler(), BackpropClassifier(hidden_layer_sizes=(3,), **FAST)
    )
    pipe.fit(X, y)
    fig, ax = plt.subplots()
    disp = NetworkDisplay.from_estimator(pipe, ax=ax, colorbar=False)
    assert disp.ax_ is ax and disp.figure_ is fig
    assert disp.colorbar_ is None


@pytest.mark.parametrize("Estimator", [BackpropClassifier, MLPClassifier])
def test_unfitted_estimator(Estimator):
    with pytest.raises(NotFittedError):
        NetworkDisplay.from_estimator(Estimator())


def test_trace_of_another_network(mazur):
    _, trace = mazur
    other = BackpropClassifier(hidden_layer_sizes=(3,), **FAST).fit(X, y)
    with pytest.raises(ValueError, match="trace does not match the network"):
        NetworkDisplay.from_estimator(other, trace)


def test_incomplete_trace(mazur):
    _, trace = mazur
    trace.updates = trace.updates.iloc[1:]
    with pytest.raises(ValueError, match="3 weights in layer 1, not the 2 x 2"):
        NetworkDisplay.from_trace(trace)


def test_sample_out_of_range(mazur):
    net, trace = mazur
    with pytest.raises(ValueError, match="sample=1 is not in the trace's 1 samples"):
        NetworkDisplay.from_estimator(net, trace, sample=1)


def test_wrong_unit_names_and_intercepts():
    coefs = [np.ones((2, 2)), np.ones((2, 1))]
    with pytest.raises(ValueError, match="unit_names"):
        NetworkDisplay(
            coefs, [np.zeros(2), np.zeros(1)], unit_names=[["a", "b"]]
        ).plot()
    with pytest.raises(ValueError, match=r"intercepts\[1\] has 2 values"):
        NetworkDisplay(coefs, [np.zeros(2), np.zeros(2)]).plot()


def test_custom_unit_names_and_edge_labels_do_not_overlap():
    net, _, _ = mazur_network()
    # A hidden name too long for a circle makes its layer cards.
    names = [["x1", "x2"], ["first", "b"], ["y1", "y2"]]
    disp = NetworkDisplay(
        net.coefs_init, net.intercepts_init, fit_intercept=False, unit_names=names
    ).plot()
    assert disp.unit_names_[1, 1].get_text() == "b"
    assert disp.unit_names_[1, 0].get_text() == "first"
    assert_labels_readable(disp)
    renderer = disp.figure_.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in disp.edge_labels_.values()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    # Each label sits on its own edge, which runs horizontally through it.
    for key, text in disp.edge_labels_.items():
        x, y = text.get_position()
        xy = disp.edges_[key].get_xydata()
        assert any(
            y0 == y1 == pytest.approx(y) and x0 < x < x1
            for (x0, y0), (x1, y1) in itertools.pairwise(xy)
        )


# --- Readability: where the labels are drawn -------------------------------


def _pixel_box(text, renderer):
    """The drawn box of a text: its background box when it has one."""
    patch = text.get_bbox_patch()
    return (patch if patch is not None else text).get_window_extent(renderer)


def _marker_boxes(collection, renderer):
    """The pixel box of every marker (circle or card) of a scatter."""
    from matplotlib.transforms import Bbox

    scale = np.sqrt(collection.get_sizes()[0]) * collection.figure.dpi / 72
    vertices = collection.get_paths()[0].vertices * scale
    (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
    centres = collection.get_offset_transform().transform(collection.get_offsets())
    return [Bbox.from_extents(x + x0, y + y0, x + x1, y + y1) for x, y in centres]


def _shared_area(a, b):
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0.0) * max(height, 0.0)


def assert_labels_readable(disp):
    """No two texts overlap, no edge crosses another edge's label, all inside.

    Boxes are the renderer's, in pixels, after the figure is drawn.
    """
    from matplotlib.path import Path

    figure = disp.figure_
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    axes = disp.ax_.get_window_extent(renderer)
    labels = {key: _pixel_box(t, renderer) for key, t in disp.edge_labels_.items()}
    texts = [
        _pixel_box(t, renderer)
        for group in (disp.unit_names_, disp.unit_labels_, disp.bias_labels_)
        for t in group.values()
    ]
    markers = [
        box
        for collection in [*disp.units_, *disp.bias_units_.values()]
        for box in _marker_boxes(collection, renderer)
    ]
    edges = {}
    for key, line in disp.edges_.items():
        pixels = line.get_transform().transform(line.get_xydata())
        edges[key] = (Path(pixels), line.get_linewidth() * figure.dpi / 72 / 2)

    for box in [*labels.values(), *texts]:
        assert axes.x0 <= box.x0 and box.x1 <= axes.x1
        assert axes.y0 <= box.y0 and box.y1 <= axes.y1
    label_boxes = list(labels.values())
    for i, box in enumerate(label_boxes):
        for other in label_boxes[i + 1 :] + texts + markers:
            assert _shared_area(box, other) == 0
    for i, box in enumerate(texts):
        for other in texts[i + 1 :]:
            assert _shared_area(box, other) == 0
    for key, box in labels.items():
        for other, (path, half_width) in edges.items():
            if other != key:
                assert not path.intersects_bbox(box.padded(half_width), filled=False)


def _iris_frame():
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    X_i = StandardScaler().set_output(transform="pandas").fit_transform(iris.data)
    return X_i, iris.target_names[iris.target]


def test_mazur_labels_are_readable(mazur):
    net, trace = mazur
    assert_labels_readable(
        NetworkDisplay(net.coefs_init, net.intercepts_init, fit_intercept=False).plot(
            weight_names=True
        )
    )
    assert_labels_readable(NetworkDisplay.from_estimator(net, trace, weight_names=True))
    assert_labels_readable(NetworkDisplay.from_estimator(net, trace, fmt=".9f"))


def test_iris_step_labels_are_readable():
    X_i, y_i = _iris_frame()
    net = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=50, random_state=0)
    net.fit(X_i, y_i)
    disp = NetworkDisplay.from_estimator(net, net.trace_step(X_i[:10], y_i[:10]))
    # Every weight and intercept of the 4-3-3 network is labelled.
    assert len(disp.edge_labels_) == 4 * 3 + 3 + 3 * 3 + 3
    assert_labels_readable(disp)


def test_digits_names_are_readable():
    from sklearn.datasets import load_digits

    X_d, y_d = load_digits(return_X_y=True)
    net = BackpropClassifier(hidden_layer_sizes=(100,), max_iter=3, random_state=0)
    net.fit(X_d / 16, y_d)
    disp = NetworkDisplay.from_estimator(net, top_edges=3)
    # The ten outputs are named after the digits they stand for.
    assert [disp.unit_names_[2, k].get_text() for k in range(10)] == [
        str(d) for d in range(10)
    ]
    assert_labels_readable(disp)


def test_labels_are_readable_in_given_small_axes():
    net, _, _ = mazur_network()
    fig, ax = plt.subplots(figsize=(4, 2))
    disp = NetworkDisplay(net.coefs_init, net.intercepts_init, fit_intercept=False)
    disp.plot(ax=ax, weight_names=True)
    assert disp.figure_ is fig
    assert_labels_readable(disp)


@pytest.mark.parametrize("case", ["mazur", "iris"])
def test_labels_are_at_least_8_px_on_a_900_px_page(mazur, case):
    # A page 900 px wide shows a figure of at most 9 inches at 100 dpi
    # without scaling it down; its labels' digits must be 8 px tall.
    if case == "mazur":
        net, trace = mazur
    else:
        X_i, y_i = _iris_frame()
        net = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=50, random_state=0)
        net.fit(X_i, y_i)
        trace = net.trace_step(X_i[:10], y_i[:10])
    disp = NetworkDisplay.from_estimator(net, trace, weight_names=True)
    assert disp.figure_.get_size_inches()[0] <= 9.0
    renderer = disp.figure_.canvas.get_renderer()
    renderer.dpi = 100
    for text in [*disp.edge_labels_.values(), *disp.unit_labels_.values()]:
        _, height, descent = renderer.get_text_width_height_descent(
            "0", text.get_fontproperties(), ismath=False
        )
        assert height - descent >= 8


def test_names_come_from_the_estimator():
    X_i, y_i = _iris_frame()
    net = BackpropClassifier(hidden_layer_sizes=(3,), **FAST).fit(X_i, y_i)
    disp = NetworkDisplay.from_estimator(net)
    inputs = [disp.unit_names_[0, j].get_text() for j in range(4)]
    assert inputs == list(X_i.columns)
    outputs = [disp.unit_names_[2, k].get_text() for k in range(3)]
    assert outputs == ["setosa", "versicolor", "virginica"]
    # Names too long for a circle are written beside it.
    x_unit = disp.units_[0].get_offsets()[0][0]
    assert disp.unit_names_[0, 0].get_position()[0] < x_unit

    # In a pipeline the network's inputs are what the scaler outputs.
    pipe = make_pipeline(
        StandardScaler(), BackpropClassifier(hidden_layer_sizes=(3,), **FAST)
    ).fit(X_i, y_i)
    assert not hasattr(pipe[-1], "feature_names_in_")
    disp = NetworkDisplay.from_estimator(pipe)
    assert [disp.unit_names_[0, j].get_text() for j in range(4)] == inputs

    # A binary classifier's one output is the probability of classes_[1].
    binary = BackpropClassifier(hidden_layer_sizes=(2,), **FAST).fit(
        X, np.where(y == 1, "yes", "no")
    )
    disp = NetworkDisplay.from_estimator(binary)
    assert disp.unit_names_[2, 0].get_text() == "yes"
    # A regressor's outputs and unnamed columns keep Mazur's names.
    reg = BackpropRegressor(hidden_layer_sizes=(2,), **FAST).fit(X, y)
    disp = NetworkDisplay.from_estimator(reg)
    assert disp.unit_names_[0, 0].get_text() == "i1"
    assert disp.unit_names_[2, 0].get_text() == "o1"


def test_title_names_the_optimizer_settings_not_adams_step(mazur):
    net, trace = mazur
    # Mazur's step: plain gradient descent with η = 0.5.
    title = NetworkDisplay.from_estimator(net, trace).ax_.get_title()
    assert title.splitlines()[-1] == "SGD: learning_rate_init=0.5"

    adam = BackpropClassifier(hidden_layer_sizes=(3,), solver="adam", **FAST)
    adam.fit(X, y)
    trace = adam.trace_step(X[:4], y[:4])
    # Adam's step size is bias-corrected: not the learning_rate_init it set.
    assert trace.learning_rate != pytest.approx(0.05)
    title = NetworkDisplay.from_estimator(adam, trace).ax_.get_title()
    assert (
        "Adam: learning_rate_init=0.05, beta_1=0.9, beta_2=0.999, epsilon=1e-08"
        in title.replace(",\n", ", ")
    )
    assert f"{trace.learning_rate:g}" not in title
    # A trace alone does not know the settings; it says what it recorded.
    title = NetworkDisplay.from_trace(trace).ax_.get_title()
    assert f"the optimizer's step size: {trace.learning_rate:g}" in title
