"""The run report (skbp.report): a recorded run as one offline HTML page.

The numbers a page embeds and shows at step k are checked against an
independent replay of the run with ``trace_step`` (a fresh clone stepped k
times by the test) and, for Matt Mazur's network, against the numbers he
printed; the page itself is loaded in headless Chromium with every network
request blocked.
"""

import base64
import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _hang_guard import HANG_GUARD_SECONDS
from mazur_reference import MAZUR_NEW_WEIGHTS, MAZUR_PRINTED, MAZUR_PRINTED_LOSS
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier
from skbp.cli import main
from skbp.report import trace_run
from skbp.worked_examples import mazur_network

CHROMIUM = "/usr/bin/chromium"
IRIS_STEPS = 200
# Steps checked: the first (from the initial weights), a middle one, the last.
STEPS = (0, 100, IRIS_STEPS - 1)


def iris_network():
    iris = load_iris(as_frame=True)
    X = StandardScaler().set_output(transform="pandas").fit_transform(iris.data)
    y = iris.target_names[iris.target]
    net = BackpropClassifier(
        hidden_layer_sizes=(8,),
        solver="sgd",
        learning_rate_init=0.1,
        momentum=0.0,
        random_state=0,
    )
    return net, X, y


def replay(net, X, y, n_steps, classes=None):
    """``n_steps`` traces of a fresh clone, stepped by hand on the whole data."""
    net = clone(net)
    traces = []
    for step in range(n_steps):
        extra = {"classes": classes} if step == 0 and classes is not None else {}
        traces.append(net.trace_step(X, y, **extra))
    return traces


def embedded(html):
    """The page's numbers: its JSON, with the base64 float64 arrays decoded."""
    found = re.search(
        r'<script type="application/json" id="run-data">(.*?)</script>', html, re.S
    )
    data = json.loads(found.group(1).replace("<\\/", "</"))
    for key in ("W", "G", "U", "x"):
        data[key] = np.frombuffer(base64.b64decode(data[key]), dtype="<f8")
    n_steps, n_params = data["n_steps"], len(data["params"])
    data["W"] = data["W"].reshape(n_steps + 1, n_params)
    data["G"] = data["G"].reshape(n_steps, n_params)
    data["U"] = data["U"].reshape(n_steps, -1, 3)
    return data


def printed(value):
    """A number as StepTrace's text repr prints it (9 decimals)."""
    assert 1e-9 <= abs(value) <= 1e6 or value == 0
    return f"{value:.9f}"


@pytest.fixture(scope="module")
def iris_page(tmp_path_factory):
    net, X, y = iris_network()
    run = trace_run(net, X, y, n_steps=IRIS_STEPS)
    path = tmp_path_factory.mktemp("report") / "iris.html"
    n_bytes = run.write_html(path)
    return path, n_bytes


@pytest.fixture(scope="module")
def iris_replay():
    net, X, y = iris_network()
    return replay(net, X, y, IRIS_STEPS, classes=np.unique(y))


@pytest.fixture(scope="module")
def mazur_page(tmp_path_factory):
    net, X, y = mazur_network()
    path = tmp_path_factory.mktemp("report") / "mazur.html"
    trace_run(net, X, y, n_steps=20).write_html(path)
    return path


def test_page_fetches_nothing_from_the_network(iris_page, mazur_page):
    for path in (iris_page[0], mazur_page):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|ftp://|//cdn", html, re.I)
        # Nothing is loaded from a file either: script and style are inline.
        assert not re.search(r"<script[^>]*\bsrc=|<link\b|@import|url\(", html, re.I)
        assert "<style>" in html and "<script>" in html


def test_iris_page_of_200_steps_is_well_under_2_mb(iris_page):
    path, n_bytes = iris_page
    assert n_bytes == path.stat().st_size
    assert n_bytes < 1_000_000


@pytest.mark.parametrize("k", STEPS)
def test_embedded_numbers_at_step_k_equal_an_independent_replay(
    iris_page, iris_replay, k
):
    data = embedded(iris_page[0].read_text(encoding="utf-8"))
    trace = iris_replay[k]
    np.testing.assert_array_equal(data["W"][k], trace.updates["old_weight"])
    np.testing.assert_array_equal(data["G"][k], trace.updates["gradient"])
    np.testing.assert_array_equal(data["W"][k + 1], trace.updates["new_weight"])
    forward = trace.forward[trace.forward["sample"] == 0]
    backward = trace.backward[trace.backward["sample"] == 0]
    np.testing.assert_array_equal(data["U"][k][:, 0], forward["net_input"])
    np.testing.assert_array_equal(data["U"][k][:, 1], forward["output"])
    np.testing.assert_array_equal(data["U"][k][:, 2], backward["delta"])
    assert data["loss_values"][k] == trace.loss


def test_mazur_page_holds_his_first_step(mazur_page):
    data = embedded(mazur_page.read_text(encoding="utf-8"))
    assert f"{data['loss_values'][0]:.9f}" == MAZUR_PRINTED_LOSS
    names = [p[3] for p in data["params"]]
    for name, value in MAZUR_NEW_WEIGHTS.items():
        new = data["W"][1][names.index(name)]
        assert f"{new:.{len(value) - 2}f}" == value
    # Units in layer order: h1, h2, o1, o2.
    for key, value in MAZUR_PRINTED.items():
        if key[0] == "updates":
            continue
        _, layer, unit, column = key
        which = {"net_input": 0, "output": 1, "delta": 2}[column]
        got = data["U"][0][(layer - 1) * 2 + unit, which]
        assert float(value) == pytest.approx(got, abs=10 ** -(len(value) - 2) / 2)


@pytest.mark.parametrize(
    "settings",
    [{}, {"momentum": 0.9}, {"solver": "adam"}, {"weight_decay": 0.1}],
    ids=["sgd", "momentum", "adam", "weight_decay"],
)
def test_update_formula_is_written_only_where_it_holds(settings):
    # The page writes w⁺ = w − η·∂E/∂w only where the recorded numbers obey
    # it; elsewhere it gives the optimizer's Δw.
    net, X, y = iris_network()
    run = trace_run(net.set_params(**settings), X, y, n_steps=3)
    data = run.payload()
    trace = run.traces[2]
    rule = trace.updates["old_weight"] - trace.learning_rate * trace.updates["gradient"]
    holds = np.allclose(rule, trace.updates["new_weight"], rtol=0, atol=1e-12)
    assert data["plain_sgd"] == holds == (settings == {})


def test_trace_run_leaves_the_estimator_as_it_was():
    net, X, y = mazur_network()
    run = trace_run(net, X, y, n_steps=2)
    assert not hasattr(net, "coefs_")
    assert run.estimator is not net and run.estimator.coefs_[0].shape == (2, 2)


def test_sample_outside_the_batch_is_refused():
    net, X, y = iris_network()
    with pytest.raises(ValueError, match="below 10; got sample=10"):
        trace_run(net, X, y, n_steps=1, batch_size=10, sample=10)


def test_batches_are_consecutive_rows_wrapping_around():
    net, X, y = iris_network()
    run = trace_run(net, X, y, n_steps=4, batch_size=60)
    assert [b[0] for b in run.batches] == [0, 60, 120, 30]
    np.testing.assert_array_equal(run.batches[2], np.arange(120, 180) % 150)


def test_large_network_draws_each_units_strongest_edges(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 30))
    y = rng.randint(3, size=40)
    net = BackpropClassifier(hidden_layer_sizes=(20,), solver="sgd", random_state=0)
    run = trace_run(net, X, y, n_steps=2, top_edges=3)
    data = run.payload()
    assert data["n_params"] == 30 * 20 + 20 + 20 * 3 + 3
    assert data["top_edges"] == 3
    drawn = {(p[0], p[1], p[2]) for p in data["params"] if p[4]}
    expected = set()
    coefs, intercepts = run.estimator.coefs_, run.estimator.intercepts_
    for layer, (W, b) in enumerate(zip(coefs, intercepts), start=1):
        for k in range(W.shape[1]):
            weights = np.append(W[:, k], b[k])
            for j in np.argsort(-np.abs(weights), kind="stable")[:3]:
                expected.add((layer, -1 if j == W.shape[0] else int(j), k))
    assert drawn == expected
    assert data["n_drawn"] == 3 * (20 + 3)


def test_skbp_trace_html_writes_mazurs_run(tmp_path, capsys):
    path = tmp_path / "mazur.html"
    assert main(["trace", "--html", str(path), "--steps", "3"]) == 0
    data = embedded(path.read_text(encoding="utf-8"))
    assert data["n_steps"] == 3
    assert f"{data['loss_values'][0]:.9f}" == MAZUR_PRINTED_LOSS
    assert "wrote" in capsys.readouterr().err


def test_skbp_trace_csv_html_writes_a_run_on_the_users_data(tmp_path):
    iris = load_iris(as_frame=True)
    frame = iris.data.assign(species=iris.target_names[iris.target])
    csv = tmp_path / "iris.csv"
    frame.to_csv(csv, index=False)
    path = tmp_path / "iris.html"
    argv = ["trace", str(csv), "--target", "species", "--html", str(path)]
    assert main([*argv, "--steps", "2", "--hidden", "3"]) == 0
    data = embedded(path.read_text(encoding="utf-8"))
    assert data["layers"] == [4, 3, 3]
    assert data["names"][0] == list(iris.data.columns)
    assert data["classes"] == list(iris.target_names)


def test_skbp_trace_csv_needs_html_and_target(tmp_path, capsys):
    for argv in (["trace", "d.csv", "--target", "y"], ["trace", "d.csv"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    assert "--target COL" in capsys.readouterr().err


# --- in headless Chromium, offline ------------------------------------------


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no browser at {CHROMIUM}")
    with sync_api.sync_playwright() as pw:
        # As docs/check_pages.py: a dead proxy behind the blocked routes.
        # The hang guard, not playwright's 30 s: a busy machine may start
        # the browser slowly, and a test must not fail for that.
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--proxy-server=127.0.0.1:9", "--disable-background-networking"],
            timeout=HANG_GUARD_SECONDS * 1000,
        )
        yield browser
        browser.close()


def open_offline(browser, path):
    """The page loaded with every network request blocked, and what went wrong."""
    problems = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(HANG_GUARD_SECONDS * 1000)

    def block(route):
        problems.append(f"network request: {route.request.url}")
        route.abort()

    context.route(re.compile(r"^(https?|wss?|ftp)://"), block)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "console",
        lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"),
    )
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def shown(page, quantity):
    return page.inner_text(f'#details [data-q="{quantity}"]')


def step_of(page):
    return int(page.get_attribute("body", "data-step"))


def test_iris_page_in_chromium_shows_the_replayed_numbers(
    browser, iris_page, iris_replay
):
    page, problems = open_offline(browser, iris_page[0])
    data = embedded(iris_page[0].read_text(encoding="utf-8"))
    assert step_of(page) == 0
    marker = page.get_attribute("#loss-marker", "cx")
    page.click("#next")
    page.click("#next")
    assert step_of(page) == 2
    assert page.get_attribute("#loss-marker", "cx") != marker
    page.click("#prev")
    assert step_of(page) == 1
    page.click("#first")
    assert step_of(page) == 0
    assert "initial weights" in page.inner_text("#step-label")
    # h3: layer 1, unit 2; its units' rows come after nothing (layer 1 first).
    edge = [p[:3] for p in data["params"]].index([1, 0, 2])
    for k in STEPS:
        page.fill("#slider", str(k))
        assert step_of(page) == k
        trace = iris_replay[k]
        page.click('.unit[data-layer="1"][data-unit="2"]')
        forward = trace.forward.query("sample == 0 and layer == 1 and unit == 2")
        backward = trace.backward.query("sample == 0 and layer == 1 and unit == 2")
        assert shown(page, "net") == printed(forward["net_input"].item())
        assert shown(page, "out") == printed(forward["output"].item())
        assert shown(page, "delta") == printed(backward["delta"].item())
        # Edges cross in the middle: the click goes to the edge itself.
        page.dispatch_event(f'.edge-hit[data-param="{edge}"]', "click")
        row = trace.updates.iloc[edge]
        assert (row["layer"], row["from_unit"], row["to_unit"]) == (1, 0, 2)
        assert shown(page, "w") == printed(row["old_weight"])
        assert shown(page, "grad") == printed(row["gradient"])
        assert shown(page, "new") == printed(row["new_weight"])
        assert f"loss E = {printed(trace.loss)}" in page.inner_text("#step-label")
        # StepTrace.explain's own text of h3's path, kept for these steps.
        page.click('.unit[data-layer="1"][data-unit="2"]')
        page.click("#explained summary")
        text = trace.explain("text", unit=(1, 2), sample=0)
        written = page.inner_text("pre.explained").rstrip()
        # All of it but the heading and the network's description.
        assert written.startswith("N is the number of samples")
        assert text.rstrip().endswith(written)
        assert "net_h3[0] = w9·i1[0]" in written
    page.fill("#slider", "1")
    page.click('.unit[data-layer="1"][data-unit="2"]')
    assert "kept for steps 0, 100, 199" in page.inner_text("#details")
    assert problems == []
    page.context.close()


def test_mazur_page_in_chromium_shows_his_printed_numbers(browser, mazur_page):
    page, problems = open_offline(browser, mazur_page)
    page.click('.unit[data-layer="1"][data-unit="0"]')
    assert shown(page, "out") == MAZUR_PRINTED[("forward", 1, 0, "output")]
    page.click('.unit[data-layer="2"][data-unit="0"]')
    assert shown(page, "delta") == MAZUR_PRINTED[("backward", 2, 0, "delta")]
    data = embedded(mazur_page.read_text(encoding="utf-8"))
    w5 = [p[3] for p in data["params"]].index("w5")
    page.dispatch_event(f'.edge-hit[data-param="{w5}"]', "click")
    assert shown(page, "new").startswith(MAZUR_NEW_WEIGHTS["w5"])
    assert shown(page, "grad") == MAZUR_PRINTED[("updates", "w5", "gradient")]
    # The stepper goes on from there: step 1 starts from w5⁺.
    page.click("#next")
    page.dispatch_event(f'.edge-hit[data-param="{w5}"]', "click")
    assert shown(page, "w").startswith(MAZUR_NEW_WEIGHTS["w5"])
    # Play runs to the last step and stops; a click on the loss curve goes
    # to the step under it (its right end: the last).
    page.click("#play")
    page.wait_for_function("document.body.dataset.step === '19'")
    page.wait_for_function("document.getElementById('play').textContent === 'play'")
    page.click("#first")
    box = page.locator("#loss").bounding_box()
    page.mouse.click(box["x"] + box["width"] * (646 / 660), box["y"] + 50)
    assert step_of(page) == 19
    assert problems == []
    page.context.close()


def test_two_feature_page_draws_the_plane_in_chromium(browser, tmp_path):
    net, X, y = iris_network()
    X2 = X.iloc[:, 2:4]
    path = tmp_path / "plane.html"
    run = trace_run(net, X2, y, n_steps=5, batch_size=50)
    run.write_html(path)
    page, problems = open_offline(browser, path)
    assert page.is_visible("#plane-out")
    assert page.locator("canvas.plane-unit").count() == 8
    page.fill("#slider", "3")
    page.hover("#plane-out", position={"x": 150, "y": 70})
    lines = dict(line.split(" = ") for line in page.inner_text("#readout").splitlines())
    # The surface at step 3 is the network with the weights before step 3:
    # the model's own predict_proba with those weights, at the point read.
    model = copy.deepcopy(run.estimator)
    trace = run.traces[3]
    for layer, (W, b) in enumerate(zip(model.coefs_, model.intercepts_), start=1):
        rows = trace.updates[trace.updates["layer"] == layer]
        coefs = rows[rows["kind"] == "coef"]
        W[coefs["from_unit"].astype(int), coefs["to_unit"]] = coefs["old_weight"]
        b[:] = rows[rows["kind"] == "intercept"]["old_weight"]
    x = [[float(lines["x₁"]), float(lines["x₂"])]]
    proba = model.predict_proba(pd.DataFrame(x, columns=X2.columns))[0]
    for label, p in zip(model.classes_, proba):
        assert float(lines[label]) == pytest.approx(p, abs=1e-8)
    assert problems == []
    page.context.close()


def test_large_network_page_says_which_edges_it_draws(browser, tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 30)), rng.randint(3, size=40)
    net = BackpropClassifier(hidden_layer_sizes=(20,), solver="sgd", random_state=0)
    path = tmp_path / "large.html"
    trace_run(net, X, y, n_steps=2).write_html(path)
    page, problems = open_offline(browser, path)
    assert page.locator(".edge-hit").count() == 3 * (20 + 3)
    note = page.inner_text("#network-note")
    assert "69 of its 683 weights and biases are drawn" in note
    assert "3 strongest incoming edges by |w|" in note
    # A small circle: the click goes to the unit itself, not its name's box.
    page.dispatch_event('.unit[data-layer="1"][data-unit="0"]', "click")
    # The net input lists the drawn terms, says how many it leaves out, and
    # gives the traced number.
    assert "more terms" in page.inner_text("#details")
    assert problems == []
    page.context.close()


def test_writing_a_page_does_not_import_matplotlib(tmp_path):
    # The page draws in the browser; matplotlib is an optional extra.
    code = (
        "import sys\n"
        "from skbp.report import trace_run\n"
        "from skbp.worked_examples import mazur_network\n"
        "net, X, y = mazur_network()\n"
        "trace_run(net, X, y, n_steps=2).write_html(sys.argv[1])\n"
        "print('matplotlib' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "m.html")],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
