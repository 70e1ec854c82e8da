"""The run report's "train on": steps computed in the page, held to skbp's.

Each test records a run, opens its page in headless Chromium with every
network request blocked, goes to step k, sets η and clicks "step" m times,
then reads the weights the page holds. An independent estimator (plain SGD
at that η, started from the recorded weights after step k with
``coefs_init`` and ``intercepts_init``) takes ``trace_step`` on the batches
the run's scheme gives steps k + 1, ..., k + m; the page's weights and
gradients must equal its numbers to 1e-12, and its shown loss and unit
values equal the traced ones at the printed digits.
"""

import base64

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_regression
from sklearn.utils import _safe_indexing
from test_run_report import (  # noqa: F401 (browser: a fixture)
    browser,
    embedded,
    iris_network,
    open_offline,
    printed,
    shown,
    step_of,
)

from skbp import BackpropClassifier, BackpropRegressor
from skbp.report import trace_run
from skbp.report._record import MAX_TRAIN_NUMBERS
from skbp.worked_examples import mazur_network


def weights_after(run, k):
    """coefs and intercepts after the run's step k, from its trace's table."""
    net = run.estimator
    coefs = [np.zeros_like(c) for c in net.coefs_]
    # Fixed intercepts (fit_intercept=False) are the estimator's own.
    intercepts = [np.array(b, dtype=float) for b in net.intercepts_]
    updates = run.traces[k].updates
    for layer, j, to, kind, value in updates[
        ["layer", "from_unit", "to_unit", "kind", "new_weight"]
    ].itertuples(index=False):
        if kind == "coef":
            coefs[layer - 1][int(j), int(to)] = value
        else:
            intercepts[layer - 1][int(to)] = value
    return coefs, intercepts


def independent_steps(run, k, eta, m):
    """m plain-SGD traces of a fresh estimator from the weights after step k."""
    coefs, intercepts = weights_after(run, k)
    net = clone(run.estimator).set_params(
        solver="sgd",
        momentum=0.0,
        learning_rate="constant",
        learning_rate_init=eta,
        weight_decay=0.0,
        dropout=0.0,
        clip_grad_norm=None,
        coefs_init=[c.tolist() for c in coefs],
        intercepts_init=[b.tolist() for b in intercepts],
    )
    n, rows = run.X.shape[0], len(run.batches[0])
    extra = {"classes": run.estimator.classes_} if is_classifier(net) else {}
    traces = []
    for step in range(k + 1, k + 1 + m):
        index = (step * rows + np.arange(rows)) % n
        X, y = _safe_indexing(run.X, index), _safe_indexing(run.y, index)
        if run.sample_weight is not None:
            extra["sample_weight"] = run.sample_weight[index]
        traces.append(net.trace_step(X, y, **extra))
        extra = {}
    return traces


def train_in_page(browser, run, path, k, eta, m):  # noqa: F811
    """Open the page, go to step k, set η, click "step" m times."""
    run.write_html(path)
    page, problems = open_offline(browser, path)
    assert page.is_visible("#train-step")
    page.fill("#slider", str(k))
    assert step_of(page) == k
    if eta is not None:
        page.fill("#train-eta", repr(eta))
    for _ in range(m):
        page.click("#train-step")
    assert step_of(page) == k + m
    return page, problems


def assert_page_equals(page, traces, k):
    """The page's steps k + 1, ... hold the traces' numbers to 1e-12."""
    for t, trace in enumerate(traces):
        s = k + 1 + t
        got = np.array(page.evaluate(f"skbpRun.weights({s})"))
        np.testing.assert_allclose(got, trace.updates["old_weight"], rtol=0, atol=1e-12)
        got = np.array(page.evaluate(f"skbpRun.gradients({s})"))
        np.testing.assert_allclose(got, trace.updates["gradient"], rtol=0, atol=1e-12)
        got = np.array(page.evaluate(f"skbpRun.weights({s + 1})"))
        np.testing.assert_allclose(got, trace.updates["new_weight"], rtol=0, atol=1e-12)
        assert page.evaluate(f"skbpRun.loss({s})") == pytest.approx(
            trace.loss, rel=0, abs=1e-12
        )


def test_mazur_network_trains_on_as_skbp_does(browser, tmp_path):  # noqa: F811
    # Logistic units, squared error, the biases held fixed: ten more steps
    # at Mazur's η = 0.5 from the last recorded one, with "10 steps".
    net, X, y = mazur_network()
    run = trace_run(net, X, y, n_steps=5)
    run.write_html(tmp_path / "mazur.html")
    page, problems = open_offline(browser, tmp_path / "mazur.html")
    assert page.input_value("#train-eta") == "0.5"
    page.fill("#slider", "4")
    page.click("#train-10")
    assert step_of(page) == 14
    traces = independent_steps(run, 4, 0.5, 10)
    assert_page_equals(page, traces, 4)
    label = page.inner_text("#step-label")
    assert f"loss E = {printed(traces[-1].loss)}" in label
    assert "computed in this page" in label
    # The fixed biases stay as they are: the page trains the weights only.
    assert page.evaluate("skbpRun.weights(15).length") == 8
    assert "plain gradient descent" not in page.inner_text("#train-note")
    assert problems == []
    page.context.close()


def test_iris_softmax_with_l2_and_wrapping_batches_trains_on(
    browser,  # noqa: F811
    tmp_path,
):
    # Softmax + log-loss, alpha > 0, batches of 30 of the 150 rows: from
    # recorded step 2 seven steps take batches 3, ..., 9, wrapping after
    # the fifth; the recorded steps 3 to 5 are dropped, then brought back.
    net, X, y = iris_network()
    net.set_params(alpha=0.05)
    run = trace_run(net, X, y, n_steps=6, batch_size=30)
    page, problems = train_in_page(browser, run, tmp_path / "iris.html", 2, 0.3, 7)
    traces = independent_steps(run, 2, 0.3, 7)
    assert_page_equals(page, traces, 2)
    assert page.evaluate("skbpRun.nSteps()") == 10
    # The details panel at a computed step: the page's arithmetic, shown as
    # a recorded step's numbers are.
    assert f"loss E = {printed(traces[-1].loss)}" in page.inner_text("#step-label")
    page.dispatch_event('.unit[data-layer="2"][data-unit="1"]', "click")
    forward = traces[-1].forward.query("sample == 0 and layer == 2 and unit == 1")
    backward = traces[-1].backward.query("sample == 0 and layer == 2 and unit == 1")
    assert shown(page, "net") == printed(forward["net_input"].item())
    assert shown(page, "out") == printed(forward["output"].item())
    assert shown(page, "delta") == printed(backward["delta"].item())
    assert "computed in this page" in page.inner_text("#details")
    # "recorded steps" brings the run back as it was recorded.
    page.click("#train-reset")
    assert page.evaluate("skbpRun.nSteps()") == 6
    data = embedded((tmp_path / "iris.html").read_text(encoding="utf-8"))
    np.testing.assert_array_equal(page.evaluate("skbpRun.weights(4)"), data["W"][4])
    assert problems == []
    page.context.close()


@pytest.mark.parametrize("class_weight", [None, {"setosa": 3.0, "virginica": 0.5}])
def test_a_weighted_run_trains_on_with_its_weights(
    browser,  # noqa: F811
    tmp_path,
    class_weight,
):
    # sample_weight (some rows weigh 0), class_weight folded in as
    # trace_step folds it: the loss and gradients are the weighted means,
    # δ the sample's times its weight, and the L2 term over Σw.
    net, X, y = iris_network()
    net.set_params(alpha=0.05, class_weight=class_weight)
    weights = np.random.RandomState(3).uniform(0, 2, len(y))
    weights[::7] = 0.0
    run = trace_run(net, X, y, n_steps=4, batch_size=30, sample_weight=weights)
    # The recorded steps are partial_fit's on the same batches and weights.
    fitted = clone(net).set_params(batch_size=30, shuffle=False)
    for step in range(4):
        index = step * 30 + np.arange(30)
        fitted.partial_fit(
            _safe_indexing(X, index),
            y[index],
            sample_weight=weights[index],
            classes=np.unique(y),
        )
    for a, b in zip(
        fitted.coefs_ + fitted.intercepts_,
        run.estimator.coefs_ + run.estimator.intercepts_,
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-13)
    page, problems = train_in_page(browser, run, tmp_path / "w.html", 1, 0.3, 6)
    traces = independent_steps(run, 1, 0.3, 6)
    assert_page_equals(page, traces, 1)
    page.dispatch_event('.unit[data-layer="1"][data-unit="3"]', "click")
    backward = traces[-1].backward.query("sample == 0 and layer == 1 and unit == 3")
    assert shown(page, "delta") == printed(backward["delta"].item())
    assert "weighted mean" in page.inner_text("#summary")
    assert problems == []
    page.context.close()


def test_trace_run_refuses_weights_that_are_not_one_per_row():
    net, X, y = iris_network()
    with pytest.raises(ValueError, match=r"one weight per row of X, shape \(150,\)"):
        trace_run(net, X, y, n_steps=1, sample_weight=np.ones(149))


@pytest.mark.parametrize(
    "activation", ["tanh", "relu", "leaky_relu", "softplus", "logistic", "identity"]
)
def test_regressor_trains_on_with_its_hidden_units(
    browser,  # noqa: F811
    tmp_path,
    activation,
):
    # Identity output, squared error, alpha > 0, batches of 16 of 40 rows.
    X, y = make_regression(n_samples=40, n_features=3, noise=5.0, random_state=0)
    net = BackpropRegressor(
        hidden_layer_sizes=(5,),
        activation=activation,
        solver="sgd",
        momentum=0.0,
        alpha=0.1,
        learning_rate_init=0.01,
        random_state=0,
    )
    run = trace_run(net, X, y / y.std(), n_steps=3, batch_size=16)
    page, problems = train_in_page(browser, run, tmp_path / "r.html", 2, 0.05, 4)
    traces = independent_steps(run, 2, 0.05, 4)
    assert_page_equals(page, traces, 2)
    assert problems == []
    page.context.close()


def test_fixed_intercepts_of_a_binary_classifier_stay_fixed(
    browser,  # noqa: F811
    tmp_path,
):
    # fit_intercept=False with intercepts of its own, logistic output and
    # the binary log-loss on 0/1 targets, two hidden layers.
    rng = np.random.RandomState(1)
    X = rng.normal(size=(25, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, "same", "other")
    net = BackpropClassifier(
        hidden_layer_sizes=(3, 2),
        solver="sgd",
        momentum=0.0,
        fit_intercept=False,
        intercepts_init=[[0.1, -0.2, 0.3], [0.5, -0.5], [0.25]],
        learning_rate_init=0.2,
        alpha=0.01,
        random_state=0,
    )
    run = trace_run(net, X, y, n_steps=4)
    page, problems = train_in_page(browser, run, tmp_path / "b.html", 3, None, 5)
    traces = independent_steps(run, 3, 0.2, 5)
    assert_page_equals(page, traces, 3)
    assert problems == []
    page.context.close()


def test_the_page_embeds_the_targets_the_network_trains_on():
    # The page's targets are the ones trace_step trained on, batch by batch:
    # one-hot for iris's three classes (smoothed here), X as scaled.
    net, X, y = iris_network()
    net.set_params(label_smoothing=0.1)
    run = trace_run(net, X, y, n_steps=5, batch_size=30)
    train = run.payload()["train"]

    def decoded(key, columns):
        raw = np.frombuffer(base64.b64decode(train[key]), dtype="<f8")
        return raw.reshape(-1, columns)

    Y, Xp = decoded("Y", train["n_outputs"]), decoded("X", 4)
    for trace, batch in zip(run.traces, run.batches):
        np.testing.assert_array_equal(Y[batch], trace.y)
        np.testing.assert_array_equal(Xp[batch], trace.X)
    one_hot = (y[:, None] == np.unique(y)[None, :]).astype(float)
    np.testing.assert_allclose(Y, one_hot * 0.9 + 0.1 / 3, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(Xp, X.to_numpy())
    assert train["batch_size"] == 30 and train["eta"] == 0.1


def test_an_adam_run_says_the_pages_steps_are_plain_gradient_descent(
    browser,  # noqa: F811
    tmp_path,
):
    net, X, y = iris_network()
    net.set_params(solver="adam", learning_rate_init=0.01)
    run = trace_run(net, X, y, n_steps=3)
    page, problems = train_in_page(browser, run, tmp_path / "adam.html", 2, None, 1)
    note = page.inner_text("#train-note")
    assert "The run used Adam;" in note
    assert "the page's own steps are plain gradient descent" in note
    traces = independent_steps(run, 2, 0.01, 1)
    assert_page_equals(page, traces, 2)
    assert problems == []
    page.context.close()


def test_a_page_whose_data_is_too_large_says_why_it_cannot_train_on(
    browser,  # noqa: F811
    tmp_path,
):
    rng = np.random.RandomState(0)
    n = MAX_TRAIN_NUMBERS // 5 + 1
    X, y = rng.normal(size=(n, 5)), rng.normal(size=n)
    net = BackpropRegressor(hidden_layer_sizes=(2,), solver="sgd", random_state=0)
    path = tmp_path / "large.html"
    run = trace_run(net, X, y, n_steps=1, batch_size=10)
    assert "X" not in run.payload()["train"]
    run.write_html(path)
    page, problems = open_offline(browser, path)
    assert page.is_hidden("#train-controls")
    note = page.inner_text("#train-note")
    assert f"the data ({n} × 5 numbers) is larger than the 20,000" in note
    assert problems == []
    page.context.close()


@pytest.mark.parametrize(
    "settings",
    [
        {"loss": "poisson"},
        {"out_activation": "logistic"},
        {"out_activation": "softmax"},
        {"out_activation": "tanh"},
    ],
    ids=["poisson_exp", "squared_logistic", "squared_softmax", "squared_tanh"],
)
def test_a_regressors_output_units_and_losses_train_on(
    browser,  # noqa: F811
    tmp_path,
    settings,
):
    # The other output units and losses a regressor takes: Poisson deviance
    # on exp, squared error through a logistic, softmax or tanh output's
    # derivative; two outputs in [0, 1].
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    y = np.column_stack([1 / (1 + np.exp(-X[:, 0])), np.abs(X[:, 1]) / 3])
    net = BackpropRegressor(
        hidden_layer_sizes=(4,),
        activation="tanh",
        solver="sgd",
        momentum=0.0,
        alpha=0.01,
        learning_rate_init=0.05,
        random_state=0,
        **settings,
    )
    run = trace_run(net, X, y, n_steps=2, batch_size=20)
    page, problems = train_in_page(browser, run, tmp_path / "o.html", 1, 0.1, 3)
    traces = independent_steps(run, 1, 0.1, 3)
    assert_page_equals(page, traces, 1)
    assert problems == []
    page.context.close()


def test_a_multilabel_classifier_trains_on_its_0_1_outputs(
    browser,  # noqa: F811
    tmp_path,
):
    # Logistic outputs, one per label, each with the binary log-loss.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
    net = BackpropClassifier(
        hidden_layer_sizes=(4,), solver="sgd", momentum=0.0, random_state=0
    )
    run = trace_run(net, X, y, n_steps=2)
    page, problems = train_in_page(browser, run, tmp_path / "m.html", 1, 0.5, 3)
    traces = independent_steps(run, 1, 0.5, 3)
    assert_page_equals(page, traces, 1)
    assert problems == []
    page.context.close()


def test_a_run_on_sparse_data_trains_on(browser, tmp_path):  # noqa: F811
    # X as the estimator sees it, made dense for the page.
    X, y = make_regression(n_samples=30, n_features=4, random_state=0)
    X[np.abs(X) < 0.8] = 0
    net = BackpropRegressor(
        hidden_layer_sizes=(3,), solver="sgd", momentum=0.0, random_state=0
    )
    run = trace_run(net, sparse.csr_matrix(X), y / y.std(), n_steps=2, batch_size=8)
    page, problems = train_in_page(browser, run, tmp_path / "s.html", 1, 0.05, 4)
    traces = independent_steps(run, 1, 0.05, 4)
    assert_page_equals(page, traces, 1)
    assert problems == []
    page.context.close()


@pytest.mark.parametrize(
    "settings, differs",
    [
        ({}, []),
        ({"momentum": 0.9}, ["momentum"]),
        ({"learning_rate": "invscaling"}, ["a learning-rate schedule"]),
        ({"weight_decay": 0.01, "dropout": 0.2}, ["weight decay", "dropout"]),
        ({"clip_grad_norm": 1.0}, ["gradient clipping"]),
    ],
)
def test_the_page_names_what_the_run_does_that_its_own_steps_do_not(settings, differs):
    net, X, y = iris_network()
    run = trace_run(net.set_params(**settings), X, y, n_steps=2)
    assert run.payload()["train"]["differs"] == differs
