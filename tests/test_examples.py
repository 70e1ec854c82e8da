"""Every gallery example runs to the end and shows what its text says.

Each example runs once, as a script; the check of its claims reads the
variables it leaves (``runpy.run_path`` returns them), what it printed and
the figures it drew. A claim is checked against the example's prose, and,
where the prose states no number, against an independent computation
(numpy, scikit-learn) or the published worked example.
"""

import gc
import math
import re
import runpy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from mazur_reference import (
    MAZUR_BIASES,
    MAZUR_INITIAL,
    MAZUR_LEARNING_RATE,
    MAZUR_NEW_WEIGHTS,
    MAZUR_PRINTED,
    MAZUR_PRINTED_LOSS,
    MAZUR_WEIGHTS,
    MAZUR_X,
    MAZUR_Y,
    mazur_step,
)

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))

# Optional extras an example needs besides matplotlib, which all need.
EXTRAS = {
    "plot_dask_grid_search": ["distributed"],
    "plot_onnx_export": ["onnx", "onnxruntime", "skl2onnx"],
}

# Examples that write files run in a temporary folder, not examples/.
WRITES_FILES = {"plot_run_report"}

CLAIMS = {}


def claim(function):
    """Register ``function(ns, out)`` as the check of the example it names."""
    CLAIMS[function.__name__.removeprefix("check_")] = function
    return function


def figure_texts(figure):
    """Every text drawn on a figure (titles, labels, annotations, legends)."""
    import matplotlib.text

    return [t.get_text() for t in figure.findobj(matplotlib.text.Text)]


@pytest.fixture(autouse=True)
def _restore_pandas_options():
    # Examples may set display options; don't let them leak into other tests.
    with pd.option_context("display.precision", 6):
        yield


def test_every_example_has_its_claims_checked():
    assert set(CLAIMS) == {path.stem for path in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# The hidden-units example builds an animation for the docs build to render;
# run as a script it is dropped unrendered, and matplotlib says so when the
# animation is collected.
@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_example_shows_what_it_says(path, monkeypatch, capsys, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    for module in EXTRAS.get(path.stem, []):
        pytest.importorskip(module)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path if path.stem in WRITES_FILES else path.parent)
    try:
        ns = runpy.run_path(str(path), run_name="__main__")
        CLAIMS[path.stem](ns, capsys.readouterr().out)
    finally:
        # Collected here, under this test's filters, not in a later test.
        plt.close("all")
        gc.collect()


@claim
def check_plot_quickstart(ns, out):
    # "test accuracy" as printed is the pipeline's accuracy on the held-out
    # quarter, counted here; the curve drawn is the network's loss_curve_.
    model, X_test, y_test = ns["model"], ns["X_test"], ns["y_test"]
    accuracy = np.mean(model.predict(X_test) == y_test)
    assert f"test accuracy: {accuracy:.3f}" in out
    assert accuracy > 0.95
    line = ns["display"].line_
    np.testing.assert_array_equal(line.get_ydata(), model[-1].loss_curve_)


@claim
def check_plot_compare_mlp(ns, out):
    # "they end with the same model": the same weights to rounding error,
    # the same predictions and accuracy, loss curves on top of each other.
    ours, theirs = ns["ours"], ns["theirs"]
    X_test, y_test = ns["X_test"], ns["y_test"]
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X_test), theirs.predict(X_test))
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    assert ours.n_iter_ == theirs.n_iter_ == 60
    accuracy = f"{theirs.score(X_test, y_test):>13.4f}"
    rows = [line for line in out.splitlines() if line.startswith(("skbp", "sklearn"))]
    assert len(rows) == 2 and all(accuracy in row for row in rows)
    assert "identical test predictions: True" in out


@claim
def check_plot_dask_grid_search(ns, out):
    # "the results are those of the sequential search, number for number".
    sequential, distributed = ns["sequential"], ns["distributed_search"]
    assert ns["identical"]
    assert "cv_results_ identical to the n_jobs=1 search: True" in out
    assert distributed.best_params_ == sequential.best_params_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(
            distributed.cv_results_[key], sequential.cv_results_[key]
        )
    assert ns["n_workers"] == 2


@claim
def check_plot_dropout_overfitting(ns, out):
    final, curves = ns["final"], ns["curves"]
    plain, dropout, tanh = "no dropout", "dropout 0.5", "dropout 0.5, relu/tanh"
    # Without dropout the training loss falls toward 0 while the held-out
    # loss turns after a few epochs and climbs.
    curve = curves[plain]
    assert curve["train loss"].iloc[-1] < 0.2
    assert curve["test loss"].idxmin() <= 20
    assert curve["test loss"].iloc[-1] > 2 * curve["test loss"].min()
    # Dropout keeps the training loss higher and the held-out loss lower;
    # the tanh layer lowers it further.
    assert final.loc[dropout, "train loss"] > final.loc[plain, "train loss"]
    assert final.loc[tanh, "test loss"] < final.loc[dropout, "test loss"]
    assert final.loc[dropout, "test loss"] < final.loc[plain, "test loss"]
    # The held-out accuracy gains a few points.
    assert 0 < final.loc[dropout, "test acc"] - final.loc[plain, "test acc"] < 0.1
    # The lowest held-out losses are about the same; the best early network
    # is not made better.
    lowest = [curves[name]["test loss"].min() for name in (plain, dropout, tanh)]
    assert max(lowest) - min(lowest) < 0.05
    # Masks: 0 for a dropped unit, 1 / (1 - p) = 2 for a kept one.
    masks = ns["trace"].forward.query("layer < 3")["mask"]
    assert set(masks) == {0.0, 2.0}
    # The tanh layer caps a held-out point's cost at log(1 + e^bound).
    net = ns["nets"][tanh]
    bound = np.abs(net.coefs_[-1]).sum() + np.abs(net.intercepts_[-1]).sum()
    proba = net.predict_proba(ns["X_test"])[:, 1]
    y_test = ns["y_test"]
    p_true = np.where(y_test == 1, proba, 1 - proba)
    assert -np.log(p_true).max() <= np.log1p(np.exp(bound))
    # Dropout cuts down the points the network is sure of and wrong about.
    costs = ns["costs"]
    assert costs[plain]["p < 1%"] > costs[dropout]["p < 1%"] > costs[tanh]["p < 1%"]


@claim
def check_plot_gradient_clipping(ns, out):
    glitch = ns["glitch"]
    assert glitch.sum() == 9
    # Without clipping the loss overflows within the first epoch: fit keeps
    # the initial weights and says so.
    assert ns["diverged"].n_iter_ == 0
    assert "Training diverged in epoch 1" in out
    X_test, y_test = ns["X_test"], ns["y_test"]
    # The usual advice leaves R² far below 0; clipping gets close to the
    # same network on the data without glitches.
    assert ns["slow"].score(X_test, y_test) < -1
    assert ns["scaled"].score(X_test, y_test) < -1
    clipped = ns["clipped"].score(X_test, y_test)
    assert clipped > 0.9
    assert ns["reference"].score(X_test, y_test) - clipped < 0.05
    # Step by step: the first glitch batches are steps 4 and 6; the run
    # without clipping overflows at step 11, the clipped one takes all 24.
    assert ns["glitch_steps"][:2] == [4, 6]
    norms, losses = ns["steps"]["no clipping"]
    assert len(norms) == 10 and "step 11 overflowed" in out
    assert len(ns["steps"]["clip_grad_norm=1.0"][0]) == ns["N_STEPS"]
    # Step 4 throws the error on the clean samples from 0.37 to 72, step 6
    # to about 10⁴. The glitch batches' gradients are 100 to 300 times
    # longer than a normal batch's (the clipped run's, which stays sane).
    assert f"{losses[2]:.2f}" == "0.37" and round(losses[3]) == 72
    assert 5e3 < losses[5] < 2e4
    clipped_norms = np.array(ns["steps"]["clip_grad_norm=1.0"][0])
    at_glitch = np.isin(np.arange(1, ns["N_STEPS"] + 1), ns["glitch_steps"])
    ratios = clipped_norms[at_glitch] / np.median(clipped_norms[~at_glitch])
    assert all(100 < r < 300 for r in ratios), ratios
    # Epoch by epoch: 20 of 32 batches clipped in the first epoch, then 6 to
    # 12; the loss is almost all what the glitches cost.
    history = ns["clipped"].history_
    assert ns["n_batches"] == 32 and history["clipped"].iloc[0] == 20
    later = history["clipped"].iloc[1:]
    assert (later.min(), later.max()) == (6, 12)
    y, y_clean = ns["y"], ns["y_clean"]
    glitch_cost = np.sum((y[glitch] - y_clean[glitch]) ** 2) / (2 * len(y))
    np.testing.assert_allclose(history["loss"], glitch_cost, rtol=0.01)


@claim
def check_plot_hidden_units(ns, out):
    X, y = ns["X"], ns["y"]
    first, clf = ns["snapshots"][0], ns["clf"]
    # After one epoch the output hardly depends on the input.
    proba = first.predict_proba(X)[:, 1]
    assert proba.max() - proba.min() < 0.1
    # 600 more epochs learn the moons; the units become sharper steps
    # (larger weights into them).
    assert clf.t_ // len(X) == 601
    assert np.mean(clf.predict(X) == y) > 0.95
    assert np.linalg.norm(clf.coefs_[0]) > 3 * np.linalg.norm(first.coefs_[0])
    # One image per hidden unit, a frame for every 30 epochs and the first.
    assert sorted(ns["disp"].images_) == [(1, unit) for unit in range(6)]
    assert len(ns["snapshots"]) == 21


@claim
def check_plot_multioutput_regression(ns, out):
    model = ns["model"]
    assert model.n_outputs_ == 3
    # Every target is learnt far better than by a linear model.
    assert (ns["r2"] > ns["r2_linear"] + 0.4).all()
    # skbp's loss curve is exactly three times scikit-learn's, from the
    # same weights.
    ours, theirs = ns["ours"], ns["theirs"]
    np.testing.assert_allclose(
        np.array(ours.loss_curve_) / theirs.loss_curve_, 3, rtol=1e-12
    )
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@claim
def check_plot_network_display(ns, out):
    import matplotlib.pyplot as plt

    figures = [plt.figure(n) for n in plt.get_fignums()]
    assert len(figures) == 5
    published, traced, after, iris, digits = map(figure_texts, figures)
    # Mazur's figure: his units, starting weights w1 ... w8 and fixed biases.
    for text in ["i1", "i2", "h1", "h2", "o1", "o2", "b1 = 0.35", "b2 = 0.6"]:
        assert text in published, text
    for name, weight in MAZUR_INITIAL.items():
        assert f"{name} = {weight:g}" in published, name
    # One step with fmt=".8g" writes the digits Mazur prints: ∂E/∂w5 =
    # 0.082167041, w5⁺ = 0.35891648 and δ_o1 = 0.13849856 (his 0.138498562
    # to eight digits).
    for key, shown in [
        (("updates", "w5", "gradient"), "0.082167041"),
        (("updates", "w5", "new_weight"), "0.35891648"),
        (("backward", 2, 0, "delta"), "0.13849856"),
    ]:
        assert f"{float(MAZUR_PRINTED[key]):.8g}" == shown
    assert "w5: 0.4 → 0.35891648\n∂E/∂w5 = 0.082167041" in traced
    assert "net = 1.105906\nout = 0.75136507\nδ = 0.13849856" in traced
    # Every edge and unit card of the step, as his formulas give them.
    step = mazur_step()
    for name, (layer, j, k) in MAZUR_WEIGHTS.items():
        before, after_step, gradient = (
            step[key][layer - 1][j, k] for key in ("coefs", "new_coefs", "gradients")
        )
        label = f"{name}: {before:.8g} → {after_step:.8g}\n∂E/∂{name} = {gradient:.8g}"
        assert label in traced, label
    for layer in (0, 1):
        for unit in (0, 1):
            net, out_, delta = (
                step[key][layer][unit] for key in ("net", "out", "delta")
            )
            assert f"net = {net:.8g}\nout = {out_:.8g}\nδ = {delta:.8g}" in traced
    assert f"{step['loss']:.9f}" == MAZUR_PRINTED_LOSS
    assert f"E_total before the step = {MAZUR_PRINTED_LOSS}" in out
    # The title: Mazur's η = 0.5 is learning_rate_init.
    assert any(
        text.endswith(f"SGD: learning_rate_init={MAZUR_LEARNING_RATE}")
        for text in traced
    )
    # After the step: Mazur's w1⁺ ... w8⁺, to four digits, and no gradient;
    # the outputs move toward the targets 0.01 and 0.99.
    for name, printed in MAZUR_NEW_WEIGHTS.items():
        assert f"{name} = {float(printed):.4g}" in after, name
    assert not any("∂E" in text for text in after)
    hidden = 1 / (
        1 + np.exp(-(np.array(MAZUR_X) @ step["new_coefs"][0] + MAZUR_BIASES[0]))
    )
    outputs = 1 / (1 + np.exp(-(hidden @ step["new_coefs"][1] + MAZUR_BIASES[1])))
    assert np.all(np.abs(outputs - MAZUR_Y) < np.abs(step["out"][1] - MAZUR_Y))
    # Iris: the inputs carry the DataFrame's columns, the outputs the
    # classes; a trained intercept is labelled as an edge from a +1 unit
    # (3 hidden and 3 output intercepts, 4 x 3 + 3 x 3 weights).
    y_iris = ns["y_iris"]
    for name in [*ns["iris"].feature_names, *ns["iris"].target_names, "+1"]:
        assert name in iris, name
    edge_labels = [text for text in iris if re.match(r"(b: )?-?\d\S* → ", text)]
    assert sum(text.startswith("b: ") for text in edge_labels) == 6
    assert len(edge_labels) == 4 * 3 + 3 * 3 + 6
    # The cards are sample 0's: a setosa, whose softmax outputs sum to 1 and
    # whose output δ under the log-loss is out − y.
    assert y_iris[0] == "setosa"
    cards = {
        name: dict(re.findall(r"(net|out|δ) = (\S+)", iris[iris.index(name) + 1]))
        for name in ("setosa", "versicolor", "virginica")
    }
    outs = {name: float(card["out"]) for name, card in cards.items()}
    assert math.isclose(sum(outs.values()), 1, abs_tol=2e-4)
    for name, card in cards.items():
        expected = outs[name] - (name == "setosa")
        assert math.isclose(float(card["δ"]), expected, abs_tol=1e-4), name
    # The title names Adam's settings as set, here scikit-learn's defaults.
    adam = "Adam: learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-08"
    assert any(adam in text and "sample 0 of 10" in text for text in iris)
    # The digits: nothing labelled, only the ten outputs named after their
    # digits; each of the 110 units of layers 1 and 2 keeps its 3 strongest
    # incoming edges of the 64 x 100 + 100 + 100 x 10 + 10 parameters, each
    # as wide as |w| is large.
    model, disp = ns["digits"], ns["disp"]
    assert not any(re.fullmatch(r"h\d+", text) for text in digits)
    assert sorted(disp.unit_names_) == [(2, k) for k in range(10)]
    assert [disp.unit_names_[2, k].get_text() for k in range(10)] == list("0123456789")
    assert not disp.edge_labels_ and not disp.unit_labels_
    assert len(disp.edges_) == (100 + 10) * 3
    widths = []
    for (layer, j, k), line in disp.edges_.items():
        coefs, intercepts = model.coefs_[layer - 1], model.intercepts_[layer - 1]
        incoming = np.abs(np.append(coefs[:, k], intercepts[k]))
        weight = abs(intercepts[k] if j is None else coefs[j, k])
        assert weight >= np.sort(incoming)[-3]
        widths.append(line.get_linewidth() / weight)
    np.testing.assert_allclose(widths, widths[0], rtol=1e-9)
    assert any("330 of 7,510 weights and intercepts" in text for text in digits)
    assert "330 of 7510 weights and intercepts drawn" in out


@claim
def check_plot_onnx_export(ns, out):
    # onnxruntime gives predict's labels exactly and predict_proba's
    # probabilities to float32 rounding.
    model, X_test = ns["model"], ns["X_test"]
    np.testing.assert_array_equal(ns["labels"], model.predict(X_test))
    np.testing.assert_allclose(
        ns["proba"], model.predict_proba(X_test), rtol=0, atol=1e-5
    )
    assert "labels equal to predict: True" in out
    assert ns["difference"] < 1e-5
    assert "Tanh" in [node.op_type for node in ns["onx"].graph.node]


@claim
def check_plot_out_of_core(ns, out):
    # The first pass, chunk by chunk, finds the classes and the scaling
    # statistics of the whole file.
    X_train, y_train = ns["X_train"], ns["y_train"]
    np.testing.assert_array_equal(ns["classes"], np.unique(y_train))
    scaler = ns["scaler"]
    np.testing.assert_allclose(scaler.mean_, X_train.mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(scaler.var_, X_train.var(axis=0), rtol=1e-8)
    # Five passes over ten chunks; training on the chunks improves the
    # held-out accuracy, which the model itself scores.
    history = ns["history"]
    assert len(history) == 50
    # The rate halves after each pass, and the optimizer trained with it.
    rates = history.groupby("pass")["learning rate"].unique()
    assert [list(r) for r in rates] == [[0.01 / 2**k] for k in range(5)]
    assert ns["model"]._optimizer.learning_rate_init == 0.01 / 2**4
    last_of_pass = history.groupby("pass")["test accuracy"].last()
    assert last_of_pass.iloc[-1] > last_of_pass.iloc[0]
    X_test = ns["X_test_scaled"]
    accuracy = np.mean(ns["model"].predict(X_test) == ns["y_test"])
    assert f"held-out accuracy after 50 chunks: {accuracy:.3f}" in out


@claim
def check_plot_pipeline_grid_search(ns, out):
    search, results = ns["search"], ns["results"]
    assert search.n_splits_ == 5 and len(results) == 6
    # The candidates differ by a few hundredths.
    means = results["mean_test_score"]
    assert 0 < means.max() - means.min() < 0.05
    # The large dots are the means of the five fold scores.
    folds = results[ns["fold_columns"]].to_numpy()
    np.testing.assert_allclose(folds.mean(axis=1), means, rtol=1e-12)
    assert search.best_score_ == means.max()
    accuracy = np.mean(search.predict(ns["X_test"]) == ns["y_test"])
    assert f"held-out test accuracy: {accuracy:.3f}" in out


@claim
def check_plot_target_scaling(ns, out):
    scores, predictions, y = ns["scores"], ns["predictions"], ns["y"]
    # Unscaled, R² is negative; the standardised target does much better.
    assert scores["y as is"].mean() < 0
    assert scores["y standardised"].mean() > scores["y as is"].mean() + 0.5
    # skbp and MLPRegressor agree to the printed digits.
    for skbp_name, sklearn_name in [
        ("y as is", "MLPRegressor, y as is"),
        ("y standardised", "MLPRegressor, y standardised"),
    ]:
        ours, theirs = scores[skbp_name], scores[sklearn_name]
        assert f"{ours.mean():+.2f} ± {ours.std():.2f}" == (
            f"{theirs.mean():+.2f} ± {theirs.std():.2f}"
        )
    # The target runs from 25 to 346; unscaled, every prediction is below 100.
    assert (y.min(), y.max()) == (25, 346)
    assert predictions["y as is"].max() < 100
    # The advice printed is a TargetScaleWarning naming the transformer.
    assert "skbp, fitting y as is:" in out
    assert "TransformedTargetRegressor" in str(ns["advice"])


@claim
def check_plot_training_controls(ns, out):
    models, X_test, y_test = ns["models"], ns["X_test"], ns["y_test"]
    X_val, y_val = ns["X_val"], ns["y_val"]
    assert "training 319, validation 107, test 143" in out
    # The printed table against log loss and accuracy computed here with
    # numpy from each fitted model's predict_proba.
    loss, accuracy, p_true = {}, {}, {}
    for name, model in models.items():
        proba = model.predict_proba(X_test)[:, 1]
        p_true[name] = np.where(y_test == 1, proba, 1 - proba)
        loss[name] = -np.mean(np.log(p_true[name]))
        accuracy[name] = np.mean(p_true[name] > 0.5)
        row = next(line for line in out.splitlines() if line.startswith(name + " "))
        printed = [float(v) for v in row[len(name) :].split()]
        assert printed[:2] == [round(loss[name], 4), round(accuracy[name], 4)]
        assert printed[2] == model.n_iter_
    base = "baseline"
    smooth, decay = "label_smoothing=0.1", "weight_decay=1"
    cosine, warmup = "cosine", "cosine, 10 warm-up epochs"
    stop = 'early stopping, restore_best="loss"'
    assert len(models) == 6
    # Each variant differs from the baseline in the parameters its row names.
    for name, params in ns["VARIANTS"].items():
        changed = {
            k
            for k, v in models[name].get_params().items()
            if v != models[base].get_params()[k]
        }
        assert changed == set(params)
    # The baseline's validation loss is lowest within the first few epochs
    # and climbs to more than three times that; its validation accuracy
    # peaks early and loses three of 107.
    val_loss = np.array(models[base].validation_loss_curve_)
    assert np.argmin(val_loss) < 5 and val_loss[-1] > 3 * val_loss.min()
    scores = np.array(models[base].validation_scores_)
    assert np.argmax(scores) < 5
    assert round((scores.max() - scores[-1]) * len(y_val)) == 3
    # Every setting lowers the held-out log loss; none moves the accuracy by
    # more than three of 143; early stopping is lowest, smoothing above weight
    # decay and early stopping with the lowest accuracy; the warm-up below
    # the cosine schedule alone, both stopping before max_iter.
    assert all(loss[name] < loss[base] for name in models if name != base)
    assert all(
        abs(accuracy[name] - accuracy[base]) * len(y_test) <= 3 + 1e-9
        for name in models
    )
    assert min(loss, key=loss.get) == stop
    assert loss[smooth] > max(loss[decay], loss[stop])
    assert min(accuracy, key=accuracy.get) == smooth
    assert loss[warmup] < loss[cosine]
    assert models[cosine].n_iter_ < 100 and models[warmup].n_iter_ < 100
    # The parts from right and wrong answers add up to the log loss; almost
    # all of the baseline's is from its 7 wrong answers; weight decay's wrong
    # answers cost about a third of the baseline's, with one more of them;
    # smoothing's right answers about ten times the baseline's, and about a
    # third of the tumours get p > 0.95 from it, though some go past 0.95.
    parts = ns["parts"]
    wrong = {
        name: -np.log(p[p <= 0.5]).sum() / len(y_test) for name, p in p_true.items()
    }
    right = {name: loss[name] - wrong[name] for name in models}
    for name in models:
        assert parts.loc[name, "from right"] + parts.loc[name, "from wrong"] == (
            pytest.approx(loss[name], rel=1e-12)
        )
        assert parts.loc[name, "from wrong"] == pytest.approx(wrong[name], rel=1e-12)
    assert wrong[base] > 0.9 * loss[base] and np.sum(p_true[base] <= 0.5) == 7
    assert 0.25 < wrong[decay] / wrong[base] < 0.4
    assert np.sum(p_true[decay] <= 0.5) == 8
    assert 8 < right[smooth] / right[base] < 15 and wrong[smooth] < wrong[base]
    assert 0.3 < np.mean(p_true[smooth] > 0.95) < 0.4
    assert p_true[smooth].max() > 0.95
    # Weight decay's validation loss stays near its lowest to the end.
    decay_val = np.array(models[decay].validation_loss_curve_)
    assert decay_val[-1] < 1.1 * decay_val.min()
    # Early stopping keeps the baseline's best epoch: its curve is the
    # baseline's first epochs, and its weights are those of a baseline fit
    # stopped at the epoch of the lowest validation loss.
    stopped = models[stop]
    np.testing.assert_allclose(
        stopped.validation_loss_curve_, val_loss[: stopped.n_iter_], rtol=1e-12
    )
    best = int(np.argmin(val_loss)) + 1
    short = type(stopped)(**{**ns["BASELINE"], "max_iter": best})
    short.fit(ns["X_train"], ns["y_train"])
    np.testing.assert_allclose(
        stopped.predict_proba(X_test), short.predict_proba(X_test), rtol=1e-12
    )
    # Smoothing's validation loss is against the smoothed targets, not the
    # labels: cross-entropy on y·(1 − ε) + ε/2 with the final weights.
    proba = models[smooth].predict_proba(X_val)[:, 1]
    target = y_val * 0.9 + 0.05
    smoothed_loss = -np.mean(target * np.log(proba) + (1 - target) * np.log1p(-proba))
    assert models[smooth].validation_loss_curve_[-1] == pytest.approx(
        smoothed_loss, rel=1e-9
    )
    # The figures: both losses of the baseline; each variant's validation
    # loss but smoothing's; three step-size curves; at most 9 in wide.
    display = ns["display"]
    np.testing.assert_array_equal(display.line_.get_ydata(), models[base].loss_curve_)
    np.testing.assert_array_equal(display.validation_loss_line_.get_ydata(), val_loss)
    labels = [line.get_label() for line in ns["ax_loss"].get_lines()]
    assert labels == [name for name in models if name != smooth]
    assert len(ns["ax_rate"].get_lines()) == 3
    for figure in (display.figure_, ns["ax_loss"].figure):
        assert figure.get_figwidth() <= 9


@claim
def check_plot_vanishing_gradients(ns, out):
    first_epoch = ns["first_epoch"]
    logistic = first_epoch["logistic"].to_numpy()
    # Logistic units: the norm falls by a factor of 6 to 7 per hidden layer
    # toward the input, less between layers 2 and 1, and faster than the
    # 1/4 per layer of σ' alone; the first layer's gradient is thousands of
    # times smaller than the last one's.
    factors = logistic[1:] / logistic[:-1]
    assert all(5.5 < f < 7.5 for f in factors[1:])
    assert 1 < factors[0] < factors[1:].min()
    assert logistic[-1] / logistic[0] > 1000
    # tanh and relu: all layers about the same size.
    for name in ("tanh", "relu"):
        norms = first_epoch[name].to_numpy()
        assert norms.max() / norms.min() < 2
    # What that costs: the logistic network has barely started to learn and
    # stopped improving before its 20 epochs; tanh and relu have learnt.
    X, y, nets = ns["X"], ns["y"], ns["nets"]
    assert nets["logistic"].n_iter_ < 20
    assert np.mean(nets["logistic"].predict(X) == y) < 0.2
    for name in ("tanh", "relu"):
        assert np.mean(nets[name].predict(X) == y) > 0.9
    # Averaged over the epochs the picture is the same.
    assert ns["per_layer"]["logistic"] > 4
    assert 0.5 < ns["per_layer"]["tanh"] < 2 and 0.5 < ns["per_layer"]["relu"] < 2


@claim
def check_plot_worked_example(ns, out):
    # Mazur's numbers, as his text prints them.
    for number in ("0.298371109", "0.138498562", "0.082167041", "0.358916480"):
        assert number in out
    # After 10000 online steps: his outputs [0.015912196, 0.984065734] and
    # error 0.000035085, to the ~2e-6 by which his run and the algorithm he
    # describes differ (tests/test_worked_examples.py).
    net, X = ns["net"], ns["X"]
    np.testing.assert_allclose(
        net.predict(X)[0], [0.015912196, 0.984065734], rtol=0, atol=2e-5
    )
    error = float(re.search(r"E_total after 10000 steps: ([\d.]+)", out)[1])
    assert math.isclose(error, 0.000035085, abs_tol=2e-8)
    # loss_curve_ holds E before each of the 10000 steps, the traced first.
    assert len(net.loss_curve_) == 10000
    assert f"{net.loss_curve_[0]:.9f}" == "0.298371109"


@claim
def check_plot_run_report(ns, out):
    # The pages are written where the text says, with the sizes printed;
    # Mazur's step 0 is his first step, and the iris run of 200 steps of a
    # 4-8-3 network stays well under 2 MB.
    folder = Path.cwd() / "run_reports"
    mazur = (folder / "mazur_run.html").stat().st_size
    iris = (folder / "iris_run.html").stat().st_size
    assert f"mazur_run.html: {mazur / 1e3:.0f} kB, 200 steps" in out
    assert f"iris_run.html: {iris / 1e6:.2f} MB, 200 steps" in out
    assert iris < 1_000_000
    traces = ns["mazur"].traces
    assert f"{traces[0].loss:.9f}" == "0.298371109"
    assert f"{traces[0].forward['output'][0]:.9f}" == "0.593269992"
    w5 = traces[0].updates.query("layer == 2 and from_unit == 0 and to_unit == 0")
    assert f"{w5['new_weight'].item():.8f}" == "0.35891648"
    # The iris run is the one described: 4-8-3, all 150 rows per step.
    run = ns["iris_run"]
    assert [len(b) for b in run.batches] == [150] * 200
    assert [c.shape for c in run.estimator.coefs_] == [(4, 8), (8, 3)]
    # The figure's loss is each step's batch loss before its update.
    line = ns["ax"].lines[0]
    np.testing.assert_array_equal(line.get_ydata(), [t.loss for t in run.traces])
