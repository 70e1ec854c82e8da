"""The HTML repr of StepTrace, checked on Mazur's worked example.

The HTML is parsed with the standard library's parser, so the tests need no
HTML parsing package.
"""

import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from _hang_guard import HANG_GUARD_SECONDS
from mazur_reference import (
    MAZUR_INITIAL,
    MAZUR_PRINTED,
    MAZUR_PRINTED_LOSS,
    MAZUR_WEIGHTS,
    mazur_step,
)

from skbp._trace import COLUMN_FORMULAS, StepTrace
from skbp.worked_examples import mazur_network

# The text repr's layout: a heading line, then each table's name and column
# headings. Its numbers are checked against mazur_step and Mazur's text.
TEXT_REPR_HEADINGS = {
    "forward": "sample  layer  unit   net_input      output",
    "backward": "sample  layer  unit        delta",
    "updates": "layer kind  from_unit  to_unit  old_weight     gradient  new_weight",
}


class Page(HTMLParser):
    """Tables (header labels and tooltips, body cells with ids) and CSS rules."""

    def __init__(self):
        super().__init__()
        self.tables = []
        self.css = ""
        self.abbr_titles = []
        self._in_style = False
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style":
            self._in_style = True
        elif tag == "table":
            self.tables.append({"headers": [], "tooltips": [], "rows": []})
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("th", "td"):
            self._cell = {"tag": tag, "text": "", "id": attrs.get("id")}
        elif tag == "abbr":
            self.abbr_titles.append(attrs.get("title"))
            if self._cell is not None:
                self.tables[-1]["tooltips"].append(attrs.get("title"))

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        elif tag in ("th", "td") and self._cell is not None:
            cell, self._cell = self._cell, None
            if cell["tag"] == "th":
                self.tables[-1]["headers"].append(cell["text"])
            else:
                self._row.append(cell)
        elif tag == "tr" and self.tables and self._row:
            self.tables[-1]["rows"].append(self._row)

    def handle_data(self, data):
        if self._in_style:
            self.css += data
        elif self._cell is not None:
            self._cell["text"] += data.strip()

    def style_of(self, cell_id):
        """The declarations of the CSS rules whose selectors name the cell."""
        found = {}
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", self.css):
            names = [s.strip() for s in selectors.split(",")]
            if f"#{cell_id}" in names:
                for declaration in body.split(";"):
                    if ":" in declaration:
                        key, value = declaration.split(":", 1)
                        found[key.strip()] = value.strip()
        return found


def parse(html):
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture
def trace():
    net, X, y = mazur_network()
    return net.trace_step(X, y)


def shown(value, column):
    """The HTML's text of one table value (Mazur's numbers need no exponent)."""
    if pd.isna(value):
        return "bias" if column == "from_unit" else "NaN"
    if isinstance(value, (float, np.floating)):
        return f"{value:.9f}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def expected(frame):
    """The HTML's text of every row of a table."""
    # Row by row would upcast a row's integers to floats.
    columns = {c: [shown(v, c) for v in frame[c]] for c in frame.columns}
    return [list(row) for row in zip(*columns.values())]


def rgb(colour):
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def cell(table, frame, row, column):
    return table["rows"][row][list(frame.columns).index(column)]


def test_every_number_of_the_three_tables_appears(trace):
    page = parse(trace._repr_html_())
    frames = [trace.forward, trace.backward, trace.updates]
    assert len(page.tables) == 3
    for table, frame in zip(page.tables, frames):
        assert table["headers"] == list(frame.columns)
        assert [[c["text"] for c in row] for row in table["rows"]] == expected(frame)


def test_mazur_printed_numbers(trace):
    html = trace._repr_html_()
    forward, backward, updates = parse(html).tables
    # out_o1 and out_o2.
    assert [c["text"] for c in forward["rows"][2]][-1] == "0.751365070"
    assert [c["text"] for c in forward["rows"][3]][-1] == "0.772928465"
    # δ_o1, the output error term Mazur multiplies into ∂E/∂w5.
    assert backward["rows"][2][-1]["text"] == "0.138498562"
    # w5 (h1 -> o1): old weight, ∂E/∂w5, w5+.
    w5 = [c["text"] for c in updates["rows"][4]]
    assert w5 == ["2", "coef", "0", "0", "0.400000000", "0.082167041", "0.358916480"]
    # w1+ as Mazur prints it.
    assert updates["rows"][0][-1]["text"] == "0.149780716"
    assert "0.298371109" in html
    assert "learning rate η = 0.5" in html


def test_sign_of_delta_and_gradient_is_coloured(trace):
    page = parse(trace._repr_html_())
    _, backward, updates = page.tables

    def background(table, frame, row, column):
        style = page.style_of(cell(table, frame, row, column)["id"])
        return rgb(style["background-color"]), style.get("color")

    positive, ink = background(backward, trace.backward, 2, "delta")  # δ_o1 > 0
    negative, _ = background(backward, trace.backward, 3, "delta")  # δ_o2 < 0
    assert positive != negative
    assert positive[0] > positive[2] and negative[2] > negative[0]
    assert ink == "#000000"

    positive, _ = background(updates, trace.updates, 4, "gradient")  # ∂E/∂w5 > 0
    negative, _ = background(updates, trace.updates, 5, "gradient")  # ∂E/∂w7 < 0
    assert positive[0] > positive[2] and negative[2] > negative[0]
    # ∂E/∂w1 is 0.0004 against the column's 0.083: all but white.
    tiny, _ = background(updates, trace.updates, 0, "gradient")
    assert min(tiny) >= 250
    # The largest |value| of a column gets the fullest shade.
    assert background(backward, trace.backward, 2, "delta")[0] == (214, 96, 77)


def test_zero_is_white_and_missing_numbers_are_shown(trace):
    updates = trace.updates.copy()
    updates.loc[0, "gradient"] = 0.0
    updates.loc[1, "gradient"] = np.nan
    odd = StepTrace(trace.forward, trace.backward, updates, trace.loss, 0.5)
    page = parse(odd._repr_html_())
    table = page.tables[2]
    zero = cell(table, updates, 0, "gradient")
    assert zero["text"] == "0.000000000"
    assert rgb(page.style_of(zero["id"])["background-color"]) == (255, 255, 255)
    assert cell(table, updates, 1, "gradient")["text"] == "NaN"


def test_bias_rows_and_tiny_numbers_follow_the_text_repr():
    net, X, y = mazur_network(fit_intercept=True)
    trace = net.trace_step(X, y)
    updates = trace.updates
    bias = updates["kind"].eq("intercept").to_numpy()
    assert bias.any()
    table = parse(trace._repr_html_()).tables[2]
    for row, is_bias in zip(table["rows"], bias):
        assert (row[2]["text"] == "bias") == is_bias

    # A value that would round to 0 turns the column scientific, as in pandas.
    updates = updates.copy()
    updates.loc[0, "gradient"] = 1.5e-12
    tiny = StepTrace(trace.forward, trace.backward, updates, trace.loss, 0.5)
    text = cell(parse(tiny._repr_html_()).tables[2], updates, 0, "gradient")["text"]
    assert text == "1.500000000e-12"
    assert text in repr(tiny)


def test_every_header_has_its_formula_as_tooltip(trace):
    page = parse(trace._repr_html_())
    for table in page.tables:
        assert table["tooltips"] == [COLUMN_FORMULAS[h] for h in table["headers"]]
    formulas = {
        h: t
        for table in page.tables
        for h, t in zip(table["headers"], table["tooltips"])
    }
    assert "Σ_j w_jk · out_j + b_k" in formulas["net_input"]
    assert formulas["output"].startswith("out_k = f(net_k)")
    assert "(out_k − y_k) · f′(net_k)" in formulas["delta"]
    assert "(Σ_k w_jk · δ_k) · f′(net_j)" in formulas["delta"]
    assert "out_j · δ_k + α · w_jk / N" in formulas["gradient"]
    assert formulas["new_weight"].startswith("w⁺ = w − η · ∂E/∂w")
    # The loss in the heading has its own.
    assert any(t.startswith("E = (1/N) Σ_n E_n") for t in page.abbr_titles)


def test_html_is_self_contained(trace):
    html = trace._repr_html_().lower()
    for external in ("<script", "<link", "@import", "src=", "url(", "http"):
        assert external not in html


def text_tables(text):
    """{name: (heading line, rows of cells)} of the text repr's three tables."""
    blocks = text.split("\n\n")
    tables = {}
    for block in blocks[1:]:
        name, heading, *rows = block.splitlines()
        tables[name] = (heading.strip(), [row.split() for row in rows])
    return blocks[0], tables


def assert_shows(shown, printed):
    """``shown`` (9 decimals) is Mazur's ``printed`` figure to its digits."""
    decimals = len(printed.split(".")[1])
    if decimals <= 9:
        assert f"{float(shown):.{decimals}f}" == printed
    else:
        assert shown == f"{float(printed):.9f}"


def test_text_repr_shows_mazur_step_to_nine_decimals(trace):
    reference = mazur_step()
    first_line, tables = text_tables(repr(trace))
    assert first_line == f"StepTrace(loss={MAZUR_PRINTED_LOSS}, learning_rate=0.5)"
    assert {name: heading for name, (heading, _) in tables.items()} == (
        TEXT_REPR_HEADINGS
    )
    names = {place: name for name, place in MAZUR_WEIGHTS.items()}
    checked = {}

    def check(key, shown, value):
        # Every number to the nine decimals shown; those Mazur printed also
        # as he printed them.
        assert abs(float(shown) - value) <= 0.5e-9 + 1e-15, (key, shown, value)
        if key in MAZUR_PRINTED:
            assert_shows(shown, MAZUR_PRINTED[key])
        checked[key] = shown

    for row in tables["forward"][1]:
        assert row[0] == "0"  # the only sample
        layer, unit = int(row[1]), int(row[2])
        for column, shown in zip(["net", "out"], row[3:], strict=True):
            key = ("forward", layer, unit, "net_input" if column == "net" else "output")
            check(key, shown, reference[column][layer - 1][unit])
    for row in tables["backward"][1]:
        layer, unit = int(row[1]), int(row[2])
        check(
            ("backward", layer, unit, "delta"),
            row[3],
            reference["delta"][layer - 1][unit],
        )
    for row in tables["updates"][1]:
        assert row[1] == "coef"
        layer, j, k = int(row[0]), int(row[2]), int(row[3])
        name = names[layer, j, k]
        assert float(row[4]) == MAZUR_INITIAL[name]
        gradient = reference["gradients"][layer - 1][j, k]
        check(("updates", name, "gradient"), row[5], gradient)
        new_weight = reference["new_coefs"][layer - 1][j, k]
        check(("updates", name, "new_weight"), row[6], new_weight)
    # Every unit and weight once, and every figure Mazur printed among them.
    assert len(checked) == 4 * 2 + 4 + 8 * 2
    assert set(MAZUR_PRINTED) <= set(checked)


def run_without(module):
    """Run the repr in a fresh interpreter where ``module`` cannot be imported."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules[{module!r}] = None
        from skbp.worked_examples import mazur_network
        net, X, y = mazur_network()
        html = net.trace_step(X, y)._repr_html_()
        assert isinstance(html, str)
        assert sys.modules[{module!r}] is None
        print(html)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=HANG_GUARD_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_works_without_matplotlib():
    html = run_without("matplotlib")
    assert "background-color: #d6604d" in html
    assert "0.358916480" in html


def test_falls_back_to_plain_tables_without_jinja2(trace):
    html = run_without("jinja2")
    page = parse(html)
    assert "background-color" not in html
    frames = [trace.forward, trace.backward, trace.updates]
    for table, frame in zip(page.tables, frames):
        assert table["headers"] == list(frame.columns)
        assert table["tooltips"] == [COLUMN_FORMULAS[c] for c in frame.columns]
        assert [[c["text"] for c in row] for row in table["rows"]] == expected(frame)
