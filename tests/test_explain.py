"""StepTrace.explain: a training step written out with its numbers.

Checked against Mazur's post (every number it prints for the first step, at
the digits it prints) and, for every unit, loss and optimizer, by evaluating
each written expression: the plain text at 17 decimals is parsed back into
Python arithmetic here, and each side of every line must equal the line's
value, which must equal the traced number, to 1e-12.
"""

import itertools
import math
import pickle
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from mazur_reference import MAZUR_NEW_WEIGHTS, MAZUR_WEIGHTS
from sklearn.utils._param_validation import InvalidParameterError

from skbp import BackpropClassifier, BackpropRegressor, StepTrace
from skbp._activations import REGISTRY
from skbp.plot._network_layout import default_unit_names
from skbp.worked_examples import mazur_network

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Every number Mazur's post prints for the first step, by the line of the
# explanation that computes it (the retelling in ../shared/seeds/003 types
# them from the post). Some are printed with 8 decimals (0.19956143).
MAZUR_LINES = {
    "net_h1": "0.3775",
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "net_o1": "1.105905967",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "E_o1": "0.274811083",
    "E_o2": "0.023560026",
    "E": "0.298371109",
    "∂E/∂out_o1": "0.74136507",
    "∂out_o1/∂net_o1": "0.186815602",
    "δ_o1": "0.138498562",
    "∂E/∂w5": "0.082167041",
    "∂E/∂out_h1": "0.036350306",
    "∂out_h1/∂net_h1": "0.241300709",
    "∂E/∂w1": "0.000438568",
    **{f"{name}⁺": printed for name, printed in MAZUR_NEW_WEIGHTS.items()},
}
# ∂E_o1/∂out_h1 = δ_o1·w5, the first term of the hidden unit's sum.
MAZUR_FIRST_TERM = "0.055399425"
# ∂E_o2/∂out_h1 = δ_o2·w7: the post multiplies its rounded δ_o2 = −0.038098237
# by w7 = 0.5 and rounds the −0.0190491185 half away from zero.
MAZUR_SECOND_TERM = "-0.019049119"

SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
FUNCTIONS = {
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sqrt": math.sqrt,
    "max": max,
    "min": min,
    "abs": abs,
}


def as_python(side):
    """A side of a written equation as Python arithmetic."""
    side = side.replace("−", "-").replace("·", "*").replace("½", "(1/2)")
    side = side.replace("√(", "sqrt(").replace("^", "**")
    side = re.sub(r"\|([^|]*)\|", r"abs(\1)", side)
    return re.sub(
        "[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "**" + m[0].translate(SUPERSCRIPT_DIGITS), side
    )


def evaluate(side):
    """The number a side written with numbers only stands for, else None."""
    if "…" in side:
        return None
    try:
        return float(eval(as_python(side), {"__builtins__": {}}, dict(FUNCTIONS)))
    except (NameError, SyntaxError):
        return None


def equation_lines(text):
    """The equations of a plain-text explanation, continued rows joined."""
    lines = []
    for line in text.splitlines():
        if line.startswith("  ") and line.lstrip().startswith("= "):
            lines[-1] += " " + line.strip()
        elif line.startswith("  ") and " = " in line:
            lines.append(line.strip())
    return lines


def equations(text):
    """``{lhs: (sides, value)}`` of every equation of a plain-text explanation."""
    lines = {}
    for line in equation_lines(text):
        sides = line.split(" = ")
        value = evaluate(sides[-1])
        if value is None:
            continue  # an optimizer's rule, in names only
        assert sides[0] not in lines, f"{sides[0]} is written twice"
        lines[sides[0]] = (sides[1:-1], value)
    return lines


def close(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def check_arithmetic(lines):
    """Every side written with numbers equals the line's value to 1e-12."""
    for lhs, (sides, value) in lines.items():
        for side in sides:
            number = evaluate(side)
            assert number is None or close(number, value), (lhs, side, value)


def unit_name(layer, k, layer_units):
    """Mazur's i1 / h1 / o1, and h{l}.{k} for several hidden layers."""
    last = len(layer_units) - 1
    if layer in (0, last):
        return f"{'io'[layer == last]}{k + 1}"
    return f"h{k + 1}" if last == 2 else f"h{layer}.{k + 1}"


def parameter_names(trace, layer_units):
    """Each row of ``updates``: w by Mazur's count into each unit, or b_<unit>."""
    names = []
    first = np.cumsum([0] + [a * b for a, b in itertools.pairwise(layer_units)])
    for row in trace.updates.itertuples():
        if row.kind == "coef":
            n_in = layer_units[row.layer - 1]
            number = first[row.layer - 1] + row.to_unit * n_in + row.from_unit + 1
            names.append(f"w{number}")
        else:
            names.append(f"b_{unit_name(row.layer, row.to_unit, layer_units)}")
    return names


def traced_values(trace):
    """What each named line must equal: the trace's own numbers."""
    layer_units = [trace.X.shape[1], *(len(b) for b in trace.intercepts)]
    n = trace.X.shape[0]
    suffix = (lambda s: f"[{s}]") if n > 1 else (lambda s: "")
    expected = {"E": trace.loss}
    for table, columns in (
        (trace.forward, {"net_input": "net", "output": "out", "mask": "m"}),
        (trace.backward, {"delta": "δ"}),
    ):
        for row in table.to_dict("records"):
            unit = unit_name(row["layer"], row["unit"], layer_units)
            for column, prefix in columns.items():
                if column in row and not (prefix == "m" and row["mask"] == 1):
                    expected[f"{prefix}_{unit}{suffix(row['sample'])}"] = row[column]
    names = parameter_names(trace, layer_units)
    raw = trace.updates["gradient"] if trace.clip is None else trace.clip["gradient"]
    optimizer = trace.optimizer
    for i, name in enumerate(names):
        expected[f"∂E/∂{name}"] = raw[i]
        expected[f"{name}⁺"] = trace.updates["new_weight"][i]
        if trace.clip is not None and trace.clip["scale"] != 1:
            expected[f"g_{name}"] = trace.updates["gradient"][i]
        for symbol, after in optimizer["new_state"].items():
            if any(f"{symbol}_new" == target for target, _ in optimizer["formulas"]):
                expected[f"{symbol}_{name}⁺"] = after[i]
    if optimizer["title"] == "Adam":
        expected["η_t"] = trace.learning_rate
    if trace.clip is not None:
        expected["‖g‖"] = trace.clip["norm"]
    return expected


def check_step(trace):
    """The explanation of ``trace`` computes every traced number, correctly."""
    lines = equations(trace.explain("text", precision=17))
    check_arithmetic(lines)
    expected = traced_values(trace)
    missing = set(expected) - set(lines)
    assert not missing, f"not written out: {sorted(missing)}"
    for name, value in expected.items():
        assert close(lines[name][1], value), (name, lines[name][1], value)
    return lines


# ----------------------------------------------------------------------------
# Mazur's step


@pytest.fixture(scope="module")
def mazur_trace():
    net, X, y = mazur_network()
    return net.trace_step(X, y)


def written_at(printed, written):
    """Whether ``written`` is ``printed`` at the decimals ``printed`` has."""
    decimals = Decimal(printed).as_tuple().exponent
    rounded = Decimal(written).quantize(Decimal(1).scaleb(decimals), ROUND_HALF_UP)
    return rounded == Decimal(printed)


def test_explanation_reproduces_every_number_mazur_prints(mazur_trace):
    text = mazur_trace.explain("text")
    lines = {line.split(" = ")[0]: line.split(" = ") for line in equation_lines(text)}
    for lhs, printed in MAZUR_LINES.items():
        written = lines[lhs][-1].replace("−", "-")
        assert written_at(printed, written), (lhs, printed, written)
        if len(printed) - printed.index(".") - 1 == 9:
            # Printed with the explanation's 9 decimals: the same digits.
            assert written == printed.rstrip("0"), (lhs, printed, written)
    # The hidden unit's sum term by term, as the post prints it.
    terms = lines["∂E/∂out_h1"][-2].replace("−", "-")
    first, second = terms.split(" + ")
    assert first == MAZUR_FIRST_TERM
    assert second == "(-0.019049118)"
    # The post's −0.019049119 is its rounded δ_o2 (written here) times w7.
    assert "−0.038098237·0.5" in lines["∂E/∂out_h1"][-3]
    product = Decimal("-0.038098237") * Decimal("0.5")
    assert written_at(MAZUR_SECOND_TERM, str(product))


def test_mazur_step_reads_as_his_post(mazur_trace):
    text = mazur_trace.explain("text")
    lines = equation_lines(text)
    assert (
        "net_h1 = w1·i1 + w2·i2 + b1·1 = 0.15·0.05 + 0.2·0.1 + 0.35·1 = 0.3775" in lines
    )
    assert (
        "out_h1 = 1 / (1 + exp(−net_h1)) = 1 / (1 + exp(−0.3775)) = 0.593269992"
        in lines
    )
    assert "w5⁺ = w5 − η·∂E/∂w5 = 0.4 − 0.5·0.082167041 = 0.35891648" in lines
    assert (
        "∂E/∂out_h1 = δ_o1·w5 + δ_o2·w7 = 0.138498562·0.4 + (−0.038098237·0.5) "
        "= 0.055399425 + (−0.019049118) = 0.036350306"
    ) in lines
    # No row is wider than a terminal.
    assert max(len(row) for row in text.splitlines()) <= 80
    # Mazur's order: forward, error, output layer, its weights, hidden layer.
    order = ["net_h1 =", "out_o2 =", "E =", "δ_o1 =", "w5⁺ =", "δ_h1 =", "w1⁺ ="]
    places = [text.index("  " + key) for key in order]
    assert places == sorted(places)


def test_mazur_names_are_his_and_the_network_displays(mazur_trace):
    lines = check_step(mazur_trace)
    for name, (layer, j, k) in MAZUR_WEIGHTS.items():
        row = mazur_trace.updates.query(
            f"kind == 'coef' and layer == {layer} and from_unit == {j} "
            f"and to_unit == {k}"
        )
        assert close(lines[f"{name}⁺"][1], row["new_weight"].item())
    assert "b1·1" in mazur_trace.explain("text") and "b2·1" in mazur_trace.explain(
        "text"
    )
    for layer_units in ([2, 2, 2], [3, 4, 1], [2, 3, 3, 2]):
        names = default_unit_names(layer_units)
        ours = [
            [unit_name(layer, k, layer_units) for k in range(n)]
            for layer, n in enumerate(layer_units)
        ]
        assert names == ours


# ----------------------------------------------------------------------------
# Every unit, loss and optimizer, to 1e-12

rng = np.random.default_rng(7)
X3 = rng.normal(size=(3, 2))
Y3 = rng.normal(size=(3, 2))
SGD = dict(solver="sgd", momentum=0, alpha=0, random_state=0)


@pytest.mark.parametrize("unit", [n for n, r in REGISTRY.items() if r.hidden])
def test_every_hidden_unit_is_written_as_it_computes(unit):
    net = BackpropRegressor(hidden_layer_sizes=(3,), activation=unit, **SGD)
    check_step(net.trace_step(X3, Y3))


OUTPUTS = {
    "identity + squared error": lambda: (BackpropRegressor(**SGD), X3, Y3),
    "logistic + squared error": lambda: (
        BackpropRegressor(out_activation="logistic", **SGD),
        X3,
        np.abs(Y3) / 3,
    ),
    "softmax + log-loss": lambda: (BackpropClassifier(**SGD), X3, [0, 1, 2]),
    "logistic + log-loss": lambda: (BackpropClassifier(**SGD), X3, [0, 1, 1]),
    "softmax + squared error": lambda: (
        BackpropRegressor(out_activation="softmax", **SGD),
        X3,
        np.eye(3)[:, :2],
    ),
    "tanh + squared error": lambda: (
        BackpropRegressor(out_activation="tanh", **SGD),
        X3,
        np.tanh(Y3),
    ),
    "exp + Poisson": lambda: (BackpropRegressor(loss="poisson", **SGD), X3, np.abs(Y3)),
}


# An output that saturates to exactly 0 or 1, and what its loss is: the
# loss clips it to eps = 2**-52 (log-loss) or tiny = 2**-1022 (Poisson).
SATURATED = {
    "logistic at 1, label 0": (
        BackpropClassifier,
        dict(coefs_init=[[[1.0]], [[60.0]]], intercepts_init=[[0.0], [0.0]]),
        [0],
        [0, 1],
        52 * math.log(2),  # -log(1 - (1 - eps))
    ),
    "softmax at 0 for the label": (
        BackpropClassifier,
        dict(
            coefs_init=[[[1.0]], [[-800.0, 0.0, 0.1]]], intercepts_init=[[0.0], [0] * 3]
        ),
        [0],
        [0, 1, 2],
        52 * math.log(2),  # -log(eps)
    ),
    "exp at 0, Poisson": (
        BackpropRegressor,
        dict(
            loss="poisson",
            coefs_init=[[[1.0]], [[-800.0]]],
            intercepts_init=[[0.0], [0.0]],
        ),
        [2.0],
        None,
        2 * math.log(2) + 2 * 1022 * math.log(2) - 2,  # y·log y − y·log tiny − y
    ),
}


@pytest.mark.parametrize("case", SATURATED)
def test_a_saturated_output_is_written_clipped_as_the_loss_clips_it(case):
    # The error of a saturated output was written as log(0) = ∞, and the
    # batch's E from ∞ shown equal to the finite loss.
    Estimator, params, y, classes, expected = SATURATED[case]
    net = Estimator(hidden_layer_sizes=(1,), activation="identity", **params, **SGD)
    extra = {} if classes is None else {"classes": classes}
    trace = net.trace_step(np.array([[1.0]]), y, **extra)
    assert trace.loss == pytest.approx(expected, rel=1e-15)
    lines = check_step(trace)
    sides, value = lines["E_o1"]
    assert value == pytest.approx(expected, rel=1e-15)
    # Its numbers, written out, evaluate to it (check_step: to 1e-12).
    assert evaluate(sides[-1]) == pytest.approx(expected, rel=1e-12)
    assert "is clipped as the loss clips it" in trace.explain("text")


@pytest.mark.parametrize("y", [[0.0, 2.0], [1.0, 2.0]], ids=["a zero", "no zero"])
def test_a_zero_poisson_target_says_that_zero_log_zero_is_taken_as_zero(y):
    # y·log(y) is written 0·log(0) at y = 0; the text must say what it is.
    net = BackpropRegressor(hidden_layer_sizes=(2,), loss="poisson", **SGD)
    trace = net.trace_step(np.array([[0.5, 0.2], [0.1, 0.3]]), y)
    out = trace.forward.query("layer == 2")["output"].to_numpy()
    y = np.asarray(y)
    # The half deviance by hand, with the limit 0·log(0) = 0.
    ylogy = np.array([t * math.log(t) if t > 0 else 0.0 for t in y])
    expected = np.mean(ylogy - y * np.log(out) - y + out)
    assert trace.loss == pytest.approx(expected, rel=1e-12)
    text = trace.explain("text")
    assert ("0·log(0)" in text) == bool(y[0] == 0)
    assert ("0 · log(0), taken as 0" in text) == bool(y[0] == 0)


@pytest.mark.parametrize("pair", OUTPUTS)
def test_every_output_unit_and_loss_is_written_as_it_computes(pair):
    net, X, y = OUTPUTS[pair]()
    net.set_params(hidden_layer_sizes=(2,))
    lines = check_step(net.trace_step(X, y))
    canonical = pair in (
        "identity + squared error",
        "softmax + log-loss",
        "logistic + log-loss",
        "exp + Poisson",
    )
    # The chain ∂E/∂out · ∂out/∂net is written unless the pair simplifies.
    assert ("∂E/∂out_o1[0]" in lines) is not canonical


# Label smoothing's targets, from the labels: y·(1 − ε) + ε/K with K the
# softmax's classes, or 2 for each logistic output.
SMOOTHED = {
    "softmax + log-loss": ([0, 1, 2], 3, {}),
    "logistic + log-loss": ([0, 1, 1], 2, {}),
    "multilabel": ([[1, 0], [0, 1], [1, 1]], 2, {}),
    "softmax + squared error": ([0, 1, 2], 3, dict(loss="squared_error")),
}


@pytest.mark.parametrize("case", SMOOTHED)
def test_label_smoothing_targets_are_written_from_the_labels(case):
    labels, n_classes, params = SMOOTHED[case]
    eps = 0.3
    net = BackpropClassifier(label_smoothing=eps, hidden_layer_sizes=(2,), **SGD)
    lines = check_step(net.set_params(**params).trace_step(X3, labels))
    labels = np.asarray(labels)
    indicator = labels[:, None] == np.arange(n_classes) if labels.ndim == 1 else labels
    if indicator.shape[1] == 2 and labels.ndim == 1:
        indicator = indicator[:, 1:]  # one logistic output for two classes
    for (n, k), label in np.ndenumerate(indicator):
        target = float(label) * (1 - eps) + eps / n_classes
        sides, value = lines[f"target_o{k + 1}[{n}]"]
        assert close(value, target)
        assert sides[0] == f"y_o{k + 1}[{n}]·(1 − ε) + ε / K"
        # The label itself is written (each side's arithmetic is checked above).
        assert sides[1].startswith(f"{int(label)}·(1 − 0.")
        assert sides[1].endswith(f" / {n_classes}")


SETTINGS = {
    "L2": dict(alpha=0.3),
    "sample weights": dict(alpha=0.1, sample_weight=[1.0, 2.5, 0.5]),
    "momentum": dict(momentum=0.9, nesterovs_momentum=False),
    "Nesterov": dict(momentum=0.9, nesterovs_momentum=True),
    "Adam": dict(solver="adam", learning_rate_init=0.01),
    "dropout": dict(dropout=0.5, hidden_layer_sizes=(4,), random_state=3),
    "clipped": dict(clip_grad_norm=0.05),
    "not clipped": dict(clip_grad_norm=100.0),
    "Adam, weights and clipping": dict(
        solver="adam", clip_grad_norm=0.1, sample_weight=[2.0, 1.0, 0.0], alpha=0.2
    ),
    "two hidden layers": dict(hidden_layer_sizes=(2, 2), activation="tanh"),
    "cosine": dict(learning_rate="cosine", max_iter=5),
    "cosine warm-up, weight decay": dict(
        learning_rate="cosine", warmup_epochs=2, max_iter=5, weight_decay=0.3
    ),
    "AdamW, cosine": dict(
        solver="adam", learning_rate="cosine", max_iter=3, weight_decay=0.2
    ),
    "weight decay, momentum": dict(weight_decay=0.5, momentum=0.9),
    "one sample, weighted, L2": dict(alpha=0.5, sample_weight=[3.0], n=1),
}


@pytest.mark.parametrize("setting", SETTINGS)
def test_every_optimizer_and_setting_is_written_as_it_computes(setting):
    params = dict(SETTINGS[setting])
    sample_weight = params.pop("sample_weight", None)
    n = params.pop("n", 3)
    net = BackpropRegressor(**{**SGD, "hidden_layer_sizes": (2,), **params})
    if setting in ("momentum", "Nesterov", "Adam") or "cosine" in setting:
        # A second step, so that the velocity or the moments are not zero
        # (and the cosine schedule is past its first epoch).
        net.partial_fit(X3[::-1], Y3[::-1])
    lines = check_step(net.trace_step(X3[:n], Y3[:n], sample_weight=sample_weight))
    if setting == "dropout":
        assert any(name.startswith("m_h") for name in lines)
    if setting == "clipped":
        assert "g_w1" in lines
    if setting == "not clipped":
        assert "g_w1" not in lines and "‖g‖" in lines
    if "cosine" in setting:
        # The scheduled rate is written from its formula, epoch e = 1.
        assert "η" in lines and "e" in lines
    if "decay" in setting:
        # Each weight's λ, and 0 for the intercepts, which are not decayed.
        assert "wd_w1" in str(lines["w1⁺"]) and "wd_b_h1" in str(lines["b_h1⁺"])


def test_a_several_sample_batch_defaults_to_the_first_four_samples():
    X = rng.normal(size=(6, 2))
    net = BackpropRegressor(hidden_layer_sizes=(2,), **SGD)
    trace = net.trace_step(X, X[:, 0])
    text = trace.explain("text", precision=17)
    lines = equations(text)
    check_arithmetic(lines)
    assert "net_h1[3]" in lines and "net_h1[4]" not in lines
    # The gradient sums over all six.
    assert "δ_h1[5]" in lines["∂E/∂w1"][0][0]
    chosen = equations(trace.explain("text", sample=[5]))
    assert "net_h1[5]" in chosen and "net_h1[0]" not in chosen


# ----------------------------------------------------------------------------
# Large networks: a summary, or the path of a unit or weight


@pytest.fixture(scope="module")
def wide_trace():
    X = rng.normal(size=(2, 3))
    net = BackpropRegressor(hidden_layer_sizes=(12,), **SGD)
    return net.trace_step(X, X[:, :2])


def test_a_large_network_is_summarised_with_how_to_name_a_path(wide_trace):
    text = wide_trace.explain("text", precision=17)
    assert "trace.explain(unit=(layer, k))" in text
    assert "trace.explain(weight=(layer, j, k))" in text
    assert "net_h1" not in text
    lines = equations(text)
    assert close(lines["E"][1], wide_trace.loss)
    # The largest gradient named is the table's largest.
    gradients = wide_trace.updates["gradient"].abs()
    largest = next(k for k in lines if k.startswith("∂E/∂"))
    assert close(abs(lines[largest][1]), gradients.max())


@pytest.mark.parametrize(
    "path, shown, hidden",
    [
        (dict(weight=(1, 2, 5)), {"w18⁺", "net_h6[1]", "δ_h6[0]"}, "w17⁺"),
        (dict(weight=(2, 3, 1)), {"w52⁺", "out_h4[0]", "δ_o2[1]", "E_o2[0]"}, "w51⁺"),
        (dict(unit=(1, 5)), {"w16⁺", "w17⁺", "w18⁺", "b_h6⁺", "δ_h6[1]"}, "w19⁺"),
        (dict(unit=(2, 0)), {"w37⁺", "w48⁺", "b_o1⁺", "δ_o1[1]"}, "b_o2⁺"),
    ],
)
def test_a_named_weight_or_unit_is_written_out_alone(wide_trace, path, shown, hidden):
    text = wide_trace.explain("text", precision=17, **path)
    lines = equations(text)
    check_arithmetic(lines)
    expected = traced_values(wide_trace)
    assert shown <= set(lines) and hidden not in lines
    for name in set(lines) & set(expected):
        assert close(lines[name][1], expected[name]), name


# ----------------------------------------------------------------------------
# Formats, options, and traces without the step's context


def test_markdown_writes_latex_math_and_html_writes_no_markup_math(mazur_trace):
    markdown = mazur_trace.explain()
    assert markdown.startswith("# One training step")
    assert r"\mathrm{net}_{h1} &= w_{1} \cdot i_{1}" in markdown
    assert r"\frac{1}{1 + e^{-0.3775}} = 0.593269992" in markdown
    assert markdown.count("$$") % 2 == 0
    assert markdown._repr_markdown_() == markdown and markdown._repr_html_() is None
    page = mazur_trace.explain("html")
    assert "net<sub>h1</sub>" in page and "$" not in page and "\\" not in page
    assert page._repr_html_() == page and page._repr_markdown_() is None
    assert "0.35891648" in page and "0.35891648" in markdown


def test_precision_sets_the_decimals(mazur_trace):
    text = mazur_trace.explain("text", precision=4)
    assert "= 0.5933\n" in text and "0.593269992" not in text


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(format="latex"), InvalidParameterError, "'format' parameter"),
        (dict(precision=0), InvalidParameterError, "'precision' parameter"),
        (
            dict(unit=(3, 0)),
            ValueError,
            r"unit must be \(layer, k\) with layer from 1 to 2",
        ),
        (dict(weight=(1, 2, 0)), ValueError, r"weight must be \(layer, j, k\)"),
        (dict(sample=1), ValueError, "sample must be rows of the traced batch, 0 to 0"),
        (dict(unit=(1, 0), weight=(1, 0, 0)), ValueError, "not both"),
    ],
)
def test_bad_options_are_refused_with_what_is_valid(mazur_trace, kwargs, error, match):
    with pytest.raises(error, match=match):
        mazur_trace.explain(**kwargs)


def test_a_trace_without_the_steps_context_says_how_to_get_one(mazur_trace):
    t = mazur_trace
    bare = StepTrace(t.forward, t.backward, t.updates, t.loss, t.learning_rate)
    with pytest.raises(ValueError, match="trace the step again with trace_step"):
        bare.explain()
    # A StepTrace pickled before the context existed loads without it.
    old = pickle.loads(pickle.dumps(bare))
    assert old.optimizer is None


def test_a_pickled_trace_explains_the_same(mazur_trace):
    copy = pickle.loads(pickle.dumps(mazur_trace))
    assert copy.explain("text") == mazur_trace.explain("text")
    explained = pickle.loads(pickle.dumps(mazur_trace.explain()))
    assert explained.format == "markdown"


def test_a_float32_model_is_explained_without_warnings():
    net, X, y = mazur_network()
    trace = net.trace_step(X.astype(np.float32), y.astype(np.float32))
    # At 9 decimals float32's rounding shows (0.377499998); at 6 it does not.
    lines = equation_lines(trace.explain("text", precision=6))
    assert "out_h1 = 1 / (1 + exp(−net_h1)) = 1 / (1 + exp(−0.3775)) = 0.59327" in lines


@pytest.mark.parametrize("name", REGISTRY)
def test_each_units_formulas_compute_what_its_functions_do(name):
    from skbp._expressions import Var, parse, symbol

    record = REGISTRY[name]
    net = np.array([[-1.7, -0.2, 0.0, 0.4, 2.3]])
    out = record.forward(net.copy())
    g = np.array([[0.3, -1.1, 0.7, 0.2, -0.4]])
    delta = g.copy()
    record.derivative(out, delta)
    x = symbol("x")
    nets = [Var(x, v) for v in net[0]]
    outs = [Var(x, v) for v in out[0]]
    gs = [Var(x, v) for v in g[0]]
    for k in range(net.shape[1]):
        names = {"net": nets[k], "nets": nets}
        assert close(parse(record.output_formula, names).value(), out[0, k])
        names = {"out": outs[k], "outs": outs, "g": gs[k], "gs": gs}
        slope = parse(record.derivative_formula, names).value()
        uses_g = "g" in re.findall(r"\w+", record.derivative_formula)
        assert close(slope if uses_g else g[0, k] * slope, delta[0, k]), k
