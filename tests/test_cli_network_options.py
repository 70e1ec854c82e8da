"""``skbp compare``'s options for skbp's own network settings: every hidden
activation, one per layer, ``--dropout`` and ``--clip-grad-norm``; their
usage errors, and how the comparison with scikit-learn's MLP treats them."""

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPClassifier

from skbp import BackpropClassifier
from skbp._base import HIDDEN_ACTIVATION_NAMES, HIDDEN_ACTIVATIONS
from skbp.cli import compare, main
from skbp.cli.command import ACTIVATIONS, build_parser
from skbp.cli.engine import SKLEARN_ACTIVATIONS

# Small and short: the point is the options, not the scores.
FAST = ["--cv", "2", "--max-iter", "5"]


@pytest.fixture
def classes_csv(tmp_path):
    """Two classes of 24 rows, two numeric features."""
    rng = np.random.default_rng(0)
    label = np.repeat(["yes", "no"], 12)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=24) + (label == "yes"),
            "b": rng.normal(size=24),
            "label": label,
        }
    )
    path = tmp_path / "labels.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def recorded(monkeypatch):
    """What ``skbp compare`` cross-validates: the models it built, and the
    fitted networks of every fold by model name."""
    record = {"models": {}, "networks": {}}
    cross_validate_models = compare.cross_validate_models

    def recording(models, *args, **kwargs):
        record["models"].update(models)
        folds, networks = cross_validate_models(models, *args, **kwargs)
        record["networks"].update(networks)
        return folds, networks

    monkeypatch.setattr(compare, "cross_validate_models", recording)
    return record


def parse(*options):
    return build_parser().parse_args(["compare", "d.csv", "--target", "y", *options])


def compare_out(path, *options, capsys):
    """Run ``skbp compare`` on ``path``; its stdout, whitespace made single
    spaces, since the settings are wrapped at 79 characters."""
    argv = ["compare", str(path), "--target", "label", *FAST, *options]
    assert main(argv) == 0
    return " ".join(capsys.readouterr().out.split())


def model_rows(out):
    """The model names of the results table, in order."""
    names = ("BackpropClassifier", "MLPClassifier")
    _, _, table = out.partition("fit time epochs ")
    return [word for word in table.split() if word in names]


# Parsing


def test_the_activations_offered_are_those_the_estimators_take():
    # In the same order, which the messages of both list them in.
    assert ACTIVATIONS == HIDDEN_ACTIVATION_NAMES


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_takes_every_hidden_unit_name_as_given(name):
    assert parse("--activation", name).activation == name


@pytest.mark.parametrize(
    "hidden, text, activation",
    [
        ("64,32", "relu,tanh", ("relu", "tanh")),
        (
            "8,4,2",
            "leaky_relu, softplus, sigmoid",
            ("leaky_relu", "softplus", "sigmoid"),
        ),
    ],
)
def test_activation_takes_one_name_per_hidden_layer(hidden, text, activation):
    args = parse("--hidden", hidden, "--activation", text)
    assert args.activation == activation


@pytest.mark.parametrize(
    "options, dropout",
    [
        ([], 0.0),
        (["--dropout", "0.25"], 0.25),
        (["--dropout", "0"], 0.0),
        (["--hidden", "8,4", "--dropout", "0.5,0"], (0.5, 0.0)),
    ],
)
def test_dropout_is_a_rate_or_one_per_hidden_layer(options, dropout):
    assert parse(*options).dropout == dropout


def test_clip_grad_norm_is_a_float_and_none_by_default():
    assert parse().clip_grad_norm is None
    assert parse("--clip-grad-norm", "2.5").clip_grad_norm == 2.5


def test_per_layer_checks_follow_hidden_whatever_the_order():
    args = parse("--activation", "relu,tanh", "--dropout", "0.1,0.2", "--hidden", "6,3")
    assert (args.hidden, args.activation, args.dropout) == (
        (6, 3),
        ("relu", "tanh"),
        (0.1, 0.2),
    )


@pytest.mark.parametrize(
    "options, message",
    [
        (
            ["--activation", "softmax"],
            "argument --activation: 'softmax' is not a hidden activation: use one "
            "of logistic, sigmoid, tanh, relu, leaky_relu, softplus, identity, or "
            "one per hidden layer separated by commas, e.g. relu,tanh",
        ),
        (
            ["--hidden", "8,4", "--activation", "relu,,tanh"],
            "argument --activation: '' is not a hidden activation",
        ),
        (
            ["--activation", "relu,tanh"],
            "--activation relu,tanh names 2 hidden layers, but --hidden 100 has 1; "
            "give one name for all hidden layers or one per hidden layer",
        ),
        (
            ["--hidden", "8,4", "--activation", "relu,tanh,relu"],
            "--activation relu,tanh,relu names 3 hidden layers, but --hidden 8,4 has 2",
        ),
        (
            ["--dropout", "1"],
            "argument --dropout: 1 is not in [0, 1): a rate is the probability of "
            "dropping a unit",
        ),
        (["--dropout", "-0.1"], "argument --dropout: -0.1 is not in [0, 1)"),
        (["--dropout", "nan"], "argument --dropout: nan is not in [0, 1)"),
        (
            ["--dropout", "half"],
            "argument --dropout: 'half' is not a number: give a drop probability "
            "in [0, 1), or one per hidden layer separated by commas, e.g. 0.5,0.2",
        ),
        (
            ["--hidden", "8", "--dropout", "0.5,0.2"],
            "--dropout 0.5,0.2 gives rates for 2 hidden layers, but --hidden 8 "
            "has 1; give one rate for all hidden layers or one per hidden layer",
        ),
        (
            ["--solver", "lbfgs", "--dropout", "0.2"],
            "--dropout needs --solver adam or sgd, not lbfgs: dropout draws new "
            "masks for every batch, and L-BFGS needs the same loss at every "
            "evaluation",
        ),
        (["--clip-grad-norm", "0"], "argument --clip-grad-norm: must be more than 0"),
        (
            ["--clip-grad-norm", "inf"],
            "argument --clip-grad-norm: must be a finite number",
        ),
        (
            ["--solver", "lbfgs", "--clip-grad-norm", "1"],
            "--clip-grad-norm needs --solver adam or sgd, not lbfgs: clipping "
            "scales down each batch's gradient before the step, and L-BFGS needs "
            "the loss's own gradient at every evaluation",
        ),
    ],
    ids=[
        "unknown-activation",
        "empty-activation",
        "more-activations-than-layers",
        "activations-for-3-of-2-layers",
        "dropout-1",
        "dropout-negative",
        "dropout-nan",
        "dropout-text",
        "dropout-rates-for-2-of-1-layer",
        "dropout-with-lbfgs",
        "clip-0",
        "clip-infinite",
        "clip-with-lbfgs",
    ],
)
def test_bad_network_options_are_usage_errors_before_reading_the_file(
    options, message, capsys
):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "absent.csv", "--target", "y", *options])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: skbp compare")
    assert err.splitlines()[-1].startswith(f"skbp compare: error: {message}")
    assert "no such file" not in err


def test_lbfgs_takes_a_dropout_of_zero():
    args = parse("--solver", "lbfgs", "--dropout", "0,0", "--hidden", "4,4")
    assert args.dropout == (0.0, 0.0)


# The comparison


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dropout_and_clipping_reach_skbp_and_the_mlp_trains_without(
    classes_csv, recorded, capsys
):
    out = compare_out(
        classes_csv,
        *("--hidden", "6,3", "--activation", "relu", "--dropout", "0.5,0.2"),
        *("--clip-grad-norm", "1e-3"),
        capsys=capsys,
    )

    assert list(recorded["models"]) == ["BackpropClassifier", "MLPClassifier"]
    skbp_nets = recorded["networks"]["BackpropClassifier"]
    mlps = recorded["networks"]["MLPClassifier"]
    assert len(skbp_nets) == len(mlps) == 2
    for net, mlp in zip(skbp_nets, mlps):
        assert (net.dropout, net.clip_grad_norm) == ((0.5, 0.2), 1e-3)
        assert net.activation == mlp.activation == "relu"
        # Every batch's gradient is longer than 1e-3: all were clipped.
        assert (net.history_["clipped"] > 0).all()
        # Same initial weights, but dropout changes skbp's training loss.
        assert not np.allclose(net.loss_curve_, mlp.loss_curve_)
    assert "skbp's network only: dropout=(0.5, 0.2), clip_grad_norm=0.001." in out
    assert "scikit-learn's MLP has no such settings and trains without them." in out
    assert model_rows(out) == ["BackpropClassifier", "MLPClassifier"]


@pytest.mark.parametrize(
    "options, message",
    [
        (
            ["--solver", "lbfgs", "--cosine"],
            "--cosine needs --solver adam or sgd, not lbfgs",
        ),
        (
            ["--solver", "lbfgs", "--weight-decay", "0.1"],
            "--weight-decay needs --solver adam or sgd, not lbfgs",
        ),
        (["--weight-decay", "-1"], "argument --weight-decay: must be 0 or more"),
        (["--warmup-epochs", "2"], "--warmup-epochs is the warm-up of --cosine"),
        (
            ["--cosine", "--warmup-epochs", "5", "--max-iter", "5"],
            "--warmup-epochs 5 leaves no epoch of --max-iter 5",
        ),
    ],
    ids=[
        "cosine-lbfgs",
        "decay-lbfgs",
        "decay-negative",
        "warmup-alone",
        "warmup-5-of-5",
    ],
)
def test_bad_schedule_options_are_usage_errors(options, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "absent.csv", "--target", "y", *options])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith(f"skbp compare: error: {message}")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cosine_schedule_and_weight_decay_reach_skbp_and_the_mlp_trains_without(
    classes_csv, recorded, capsys
):
    out = compare_out(
        classes_csv,
        *("--hidden", "6", "--solver", "sgd", "--learning-rate", "0.1"),
        *("--cosine", "--warmup-epochs", "2", "--weight-decay", "0.01"),
        capsys=capsys,
    )
    for net, mlp in zip(*recorded["networks"].values()):
        assert (net.learning_rate, net.warmup_epochs, net.weight_decay) == (
            "cosine",
            2,
            0.01,
        )
        assert mlp.learning_rate == "constant"
        # Warm-up: the first epoch runs at a third of the rate.
        assert net.history_["learning_rate"].iloc[0] == pytest.approx(0.1 / 3)
    assert (
        "skbp's network only: learning_rate='cosine', warmup_epochs=2, "
        "weight_decay=0.01." in " ".join(out.split())
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_without_skbp_only_settings_both_networks_train_alike(
    classes_csv, recorded, capsys
):
    # The baseline the output promises: scikit-learn's MLP is skbp's network
    # without dropout and clipping, and a rate of 0 is no dropout.
    out = compare_out(classes_csv, "--hidden", "6", "--dropout", "0", capsys=capsys)

    for net, mlp in zip(*recorded["networks"].values()):
        np.testing.assert_allclose(net.loss_curve_, mlp.loss_curve_, rtol=1e-10)
    assert "skbp's network only" not in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "options, activation, reason",
    [
        (["--activation", "softplus"], "softplus", "it has no softplus hidden units."),
        (
            ["--activation", "leaky_relu"],
            "leaky_relu",
            "it has no leaky_relu hidden units.",
        ),
        (
            ["--hidden", "4,3", "--activation", "relu,sigmoid"],
            ("relu", "logistic"),
            "it has one activation for all hidden layers, not one per layer.",
        ),
    ],
    ids=["softplus", "leaky_relu", "one-per-layer"],
)
def test_units_scikit_learn_lacks_leave_its_mlp_out_and_say_so(
    options, activation, reason, classes_csv, recorded, capsys
):
    out = compare_out(classes_csv, *options, capsys=capsys)

    assert list(recorded["networks"]) == ["BackpropClassifier"]
    for net in recorded["networks"]["BackpropClassifier"]:
        assert net.activation == activation
    assert f"skbp's network: activation={activation!r}," in out
    assert f"scikit-learn's MLP left out: {reason}" in out
    assert "Both networks" not in out
    assert model_rows(out) == ["BackpropClassifier"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_one_unit_for_every_layer_given_per_layer_keeps_the_mlp(
    classes_csv, recorded, capsys
):
    out = compare_out(
        classes_csv, "--hidden", "4,3", "--activation", "tanh,tanh", capsys=capsys
    )

    assert list(recorded["networks"]) == ["BackpropClassifier", "MLPClassifier"]
    for nets in recorded["networks"].values():
        assert all(net.activation == "tanh" for net in nets)
    assert "Both networks: activation='tanh'," in out
    assert model_rows(out) == ["BackpropClassifier", "MLPClassifier"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_skbp_only_settings_with_the_mlp_left_out_are_among_skbp_settings(
    classes_csv, recorded, capsys
):
    out = compare_out(
        classes_csv,
        *("--activation", "softplus", "--dropout", "0.3", "--clip-grad-norm", "5"),
        capsys=capsys,
    )

    (net, _) = recorded["networks"]["BackpropClassifier"]
    assert (net.activation, net.dropout, net.clip_grad_norm) == ("softplus", 0.3, 5.0)
    assert "random_state=0, dropout=0.3, clip_grad_norm=5.0." in out
    assert "skbp's network only" not in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_mlp_has_the_units_it_is_given_and_refuses_the_others():
    # What leaving scikit-learn's MLP out rests on, checked against it.
    X, y = [[0.0], [1.0], [0.0], [1.0]], [0, 1, 0, 1]
    for name in SKLEARN_ACTIVATIONS:
        MLPClassifier((2,), activation=name, max_iter=1).fit(X, y)
    skbp_only = HIDDEN_ACTIVATIONS - {"sigmoid", *SKLEARN_ACTIVATIONS}
    assert skbp_only == {"leaky_relu", "softplus"}
    for name in skbp_only:
        with pytest.raises(ValueError, match="'activation' parameter"):
            MLPClassifier((2,), activation=name).fit(X, y)
        BackpropClassifier((2,), activation=name, max_iter=1).fit(X, y)


# Label smoothing


@pytest.mark.parametrize("text, value", [(None, 0.0), ("0.1", 0.1), ("0", 0.0)])
def test_label_smoothing_is_a_share_in_0_1_and_0_by_default(text, value):
    options = [] if text is None else ["--label-smoothing", text]
    assert parse(*options).label_smoothing == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("1", "argument --label-smoothing: 1 is not in [0, 1)"),
        ("-0.1", "argument --label-smoothing: -0.1 is not in [0, 1)"),
        ("nan", "argument --label-smoothing: nan is not in [0, 1)"),
        ("x", "argument --label-smoothing: 'x' is not a number"),
    ],
)
def test_bad_label_smoothing_is_a_usage_error(text, message, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "absent.csv", "--target", "y", "--label-smoothing", text])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith(f"skbp compare: error: {message}")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_label_smoothing_reaches_skbp_and_the_mlp_trains_without(
    solver, classes_csv, recorded, capsys
):
    out = compare_out(
        classes_csv,
        *("--hidden", "6", "--solver", solver, "--label-smoothing", "0.2"),
        capsys=capsys,
    )
    assert model_rows(out) == ["BackpropClassifier", "MLPClassifier"]
    for net, mlp in zip(*recorded["networks"].values()):
        assert net.label_smoothing == 0.2
        assert "label_smoothing" not in mlp.get_params()
        # Same initial weights; the smoothed targets change skbp's steps,
        # which otherwise agree with scikit-learn's to rounding (1e-12).
        assert np.abs(net.coefs_[-1] - mlp.coefs_[-1]).max() > 1e-8
    assert "skbp's network only: label_smoothing=0.2." in out


def test_label_smoothing_of_a_regression_is_refused_in_one_line(tmp_path, capsys):
    rng = np.random.default_rng(0)
    path = tmp_path / "numbers.csv"
    frame = pd.DataFrame({"a": rng.normal(size=30), "label": rng.normal(size=30)})
    frame.to_csv(path, index=False)
    argv = ["compare", str(path), "--target", "label", *FAST]
    assert main([*argv, "--label-smoothing", "0.1"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "skbp compare: error: --label-smoothing smooths class labels, and this "
        "is a regression; leave it out, or give --task classification if the "
        "target holds classes"
    ]


def test_restore_best_without_early_stopping_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "absent.csv", "--target", "y", "--restore-best", "loss"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith(
        "skbp compare: error: --restore-best picks the epoch --early-stopping "
        "restores: give --early-stopping too"
    )


def test_restore_best_is_score_by_default():
    assert parse().restore_best == "score"
    assert parse("--early-stopping", "--restore-best", "loss").restore_best == "loss"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_restore_best_reaches_skbp_and_the_mlp_restores_by_score(
    classes_csv, recorded, capsys
):
    out = compare_out(
        classes_csv, "--early-stopping", "--restore-best", "loss", capsys=capsys
    )
    for net, mlp in zip(*recorded["networks"].values()):
        assert (net.early_stopping, net.restore_best) == (True, "loss")
        assert mlp.early_stopping and "restore_best" not in mlp.get_params()
        assert len(net.validation_loss_curve_) == net.n_iter_
    assert "skbp's network only: restore_best='loss'." in out
