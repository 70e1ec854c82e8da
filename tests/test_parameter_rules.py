"""Rules between parameters: one rule for each combination, the same for the
estimators and for ``skbp compare``, each refusal a sentence that names the
parameter and what to change, and choices listed in one order everywhere."""

import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skbp import BackpropClassifier, BackpropRegressor
from skbp.cli.command import build_parser

X = np.random.default_rng(0).normal(size=(30, 3))
Y = {BackpropClassifier: X[:, 0] > 0, BackpropRegressor: X[:, 0] - X[:, 1]}
ESTIMATORS = [BackpropClassifier, BackpropRegressor]


def quiet_fit(est, method="fit"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return getattr(est, method)(X, Y[type(est)])


def refused_by_python(Est, **params):
    """The message of the ValueError ``fit`` raises, or None if it fits."""
    try:
        quiet_fit(Est(max_iter=2, random_state=0, **params))
    except ValueError as error:
        return str(error)
    return None


def refused_by_the_cli(capsys, *options):
    """The usage error of ``skbp compare`` with these options, or None."""
    try:
        build_parser().parse_args(["compare", "d.csv", "--target", "y", *options])
    except SystemExit as stop:
        assert stop.code == 2
        return capsys.readouterr().err.strip().splitlines()[-1]
    return None


def assert_unchanged_by(est, *calls):
    before = pickle.dumps(est)
    for call in calls:
        with pytest.raises(ValueError):
            call()
        assert pickle.dumps(est) == before


# ----------------------------------------------------------------------------
# dropout without a hidden layer


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("dropout", [0.2, np.float32(0.5)])
def test_dropout_without_a_hidden_layer_is_refused(Est, dropout):
    message = refused_by_python(Est, hidden_layer_sizes=(), dropout=dropout)
    assert message == (
        f"dropout={dropout!r} has no unit to drop: hidden_layer_sizes=() gives "
        "a network without hidden layers, and dropout drops hidden units. Set "
        "dropout=0 or add a hidden layer."
    )


@pytest.mark.parametrize("dropout", [0, 0.0, (), []])
def test_no_dropout_without_a_hidden_layer_is_accepted(dropout):
    est = quiet_fit(BackpropRegressor(hidden_layer_sizes=(), dropout=dropout))
    assert [c.shape for c in est.coefs_] == [(3, 1)]


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_refused_dropout_leaves_a_fitted_model_as_it_was(Est):
    est = quiet_fit(Est(hidden_layer_sizes=(), max_iter=3, random_state=0))
    est.set_params(dropout=0.3)
    y = Y[Est]
    assert_unchanged_by(
        est,
        lambda: est.fit(X, y),
        lambda: est.partial_fit(X, y),
        lambda: est.trace_step(X, y),
    )


# ----------------------------------------------------------------------------
# L-BFGS with clip_grad_norm, as with dropout


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_lbfgs_refuses_clip_grad_norm_as_it_refuses_dropout(Est):
    clip = refused_by_python(Est, solver="lbfgs", clip_grad_norm=1.0)
    assert clip == (
        "clip_grad_norm needs a stochastic solver ('adam' or 'sgd'): it scales "
        "down each batch's gradient before the step, and L-BFGS needs the "
        "loss's own gradient at every evaluation. Set clip_grad_norm=None or "
        "choose another solver."
    )
    dropout = refused_by_python(Est, solver="lbfgs", dropout=0.2)
    assert dropout.startswith("dropout needs a stochastic solver ('adam' or 'sgd'): ")
    assert dropout.endswith(". Set dropout=0 or choose another solver.")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_refused_clip_grad_norm_leaves_a_fitted_model_as_it_was(Est):
    est = quiet_fit(Est(solver="lbfgs", max_iter=3, random_state=0))
    est.set_params(clip_grad_norm=1.0)
    assert_unchanged_by(est, lambda: est.fit(X, Y[Est]))


# ----------------------------------------------------------------------------
# The estimators and skbp compare follow the same rules


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize(
    ("dropout", "option"), [(0.0, "0"), (0.2, "0.2"), ((0.0, 0.3), "0,0.3")]
)
@pytest.mark.parametrize("clip", [None, 1.0])
def test_the_estimators_and_the_cli_refuse_the_same_combinations(
    solver, dropout, option, clip, capsys
):
    options = ["--hidden", "4,3", "--solver", solver, "--dropout", option]
    if clip is not None:
        options += ["--clip-grad-norm", str(clip)]
    cli = refused_by_the_cli(capsys, *options)
    python = refused_by_python(
        BackpropClassifier,
        hidden_layer_sizes=(4, 3),
        solver=solver,
        dropout=dropout,
        clip_grad_norm=clip,
    )
    assert (cli is None) == (python is None), (cli, python)
    if python is not None:
        # Both name the same parameter first, and the solvers to choose.
        parameter = python.split(" ")[0]
        assert cli.startswith(f"skbp compare: error: --{parameter.replace('_', '-')} ")
        assert "adam or sgd" in cli and "('adam' or 'sgd')" in python


# ----------------------------------------------------------------------------
# The hidden activations, in one order everywhere


def documented_activations():
    """The order the parameter's documentation lists the names in."""
    doc = BackpropClassifier.__doc__
    names = re.search(r"activation : \{(.*?)\}", doc, re.DOTALL).group(1)
    return [name.strip(' "\\\n') for name in names.split(",")]


@pytest.mark.parametrize("Est", ESTIMATORS)
@pytest.mark.parametrize("activation", ["swish", ("relu", "swish"), ["swish"] * 2])
def test_an_unknown_activation_lists_the_names_in_the_documented_order(Est, activation):
    names = documented_activations()
    assert names[0] == "logistic" and len(names) == 7
    listed = "a str among {" + ", ".join(map(repr, names)) + "}"
    est = Est(hidden_layer_sizes=(3, 2), activation=activation)
    # One kind of error for a bad name alone or in a list, as scikit-learn's.
    with pytest.raises(InvalidParameterError) as error:
        quiet_fit(est)
    message = str(error.value)
    assert message.startswith(
        f"The 'activation' parameter of {Est.__name__} must be {listed}"
    )
    assert "'swish'" in message


def test_the_cli_lists_the_activations_in_the_documented_order(capsys):
    message = refused_by_the_cli(capsys, "--activation", "swish")
    assert f"use one of {', '.join(documented_activations())}, or one per" in message


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_an_unknown_out_activation_lists_the_names_in_the_documented_order(Est):
    doc = re.search(r"out_activation : \{(.*?)\}", Est.__doc__, re.DOTALL).group(1)
    names = [name.strip(' "\\\n') for name in doc.split(",")]
    assert "logistic" in names and "sigmoid" in names
    listed = "None or a str among {" + ", ".join(map(repr, names)) + "}"
    est = Est(hidden_layer_sizes=(3,), out_activation="swish")
    with pytest.raises(InvalidParameterError) as error:
        quiet_fit(est)
    assert str(error.value).startswith(
        f"The 'out_activation' parameter of {Est.__name__} must be {listed}"
    )


# ----------------------------------------------------------------------------
# hidden_layer_sizes


@pytest.mark.parametrize(
    ("Est", "MLP"),
    [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)],
)
@pytest.mark.parametrize(
    "sizes",
    [True, (True, 2), (4, False), (5.0,), np.array([3.0]), np.array(3), (0,), (3, -1)],
    ids=repr,
)
def test_hidden_layer_sizes_scikit_learns_mlp_cannot_build_are_refused(Est, MLP, sizes):
    # A bool is an Integral to Python, so hidden_layer_sizes=True once
    # trained a network of one hidden unit; scikit-learn's MLP fails on it
    # (a TypeError as it builds the layers) as on the other sizes here.
    with pytest.raises((TypeError, ValueError)):
        MLP(hidden_layer_sizes=sizes, max_iter=2).fit(X, Y[Est])
    est = Est(hidden_layer_sizes=sizes, max_iter=2)
    with pytest.raises(ValueError, match="hidden_layer_sizes must be positive"):
        quiet_fit(est)
    assert not hasattr(est, "coefs_")
