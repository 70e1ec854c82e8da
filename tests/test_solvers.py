"""The solver table: every name ``solver`` accepts, and only those, does what
its entry in ``skbp._solvers.SOLVERS`` says."""

import re

import numpy as np
import pytest
from mazur_reference import MAZUR_NEW_WEIGHTS, MAZUR_WEIGHTS
from sklearn.utils._param_validation import InvalidParameterError

from skbp import BackpropClassifier, BackpropRegressor, _training
from skbp._optimizers import SGD, Adam, BaseOptimizer
from skbp._solvers import SOLVERS, Solver, either, is_stochastic, stochastic_solvers
from skbp.cli.command import build_parser
from skbp.worked_examples import mazur_network


def test_the_table_holds_scikit_learns_three_solvers():
    # scikit-learn's MLP accepts these three; skbp's adam and sgd follow its
    # optimizers step for step (tests/test_optimizers.py).
    assert {name: s.optimizer for name, s in SOLVERS.items()} == {
        "adam": Adam,
        "sgd": SGD,
        "lbfgs": None,
    }
    assert stochastic_solvers() == ("adam", "sgd")


@pytest.mark.parametrize("solver", list(SOLVERS))
def test_every_solver_of_the_table_is_accepted_and_fits(solver):
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    y = X @ [1.0, -2.0, 0.5]
    net = BackpropRegressor(
        hidden_layer_sizes=(8,),
        activation="tanh",
        solver=solver,
        learning_rate_init=0.01,
        max_iter=500,
        random_state=0,
    ).fit(X, y)
    # A linear target is learnt whatever the solver.
    assert net.score(X, y) > 0.95
    assert hasattr(net, "partial_fit") == SOLVERS[solver].stochastic
    assert hasattr(net, "loss_curve_") == SOLVERS[solver].stochastic


@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_the_parameter_documentation_names_the_solvers_of_the_table(Estimator):
    documented = re.search(r"solver : \{([^}]*)\}", Estimator.__doc__)
    assert documented, "the solver parameter's documentation moved"
    assert re.findall(r'"(\w+)"', documented.group(1)) == list(SOLVERS)


def test_the_command_line_offers_the_solvers_of_the_table():
    parser = build_parser()
    (compare,) = [
        a for a in parser._subparsers._group_actions if "compare" in a.choices
    ]
    (option,) = [
        a for a in compare.choices["compare"]._actions if "--solver" in a.option_strings
    ]
    assert list(option.choices) == list(SOLVERS)


def test_a_solver_missing_from_the_table_is_refused(monkeypatch):
    # Validation reads the table: a name it lacks is refused, listing the
    # names it has, instead of running another solver.
    monkeypatch.delitem(SOLVERS, "lbfgs")
    X, y = np.eye(4), np.arange(4.0)
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("must be a str among {'adam', 'sgd'}. Got 'lbfgs' instead."),
    ):
        BackpropRegressor(solver="lbfgs").fit(X, y)


class _PlainGradientDescent(BaseOptimizer):
    """w <- w - η ∂E/∂w: Mazur's update, without SGD's momentum code path."""

    @classmethod
    def from_estimator(cls, params, estimator):
        return cls(params, estimator.learning_rate_init)

    def update_params(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.learning_rate * g


def test_a_stochastic_solver_added_to_the_table_trains_with_its_optimizer(
    monkeypatch,
):
    # Before the table, a name validation accepted but that was neither
    # 'sgd' nor 'adam' ran L-BFGS. An entry added to the table is accepted
    # and steps with its own optimizer: one step of Matt Mazur's example
    # gives the weights he prints.
    monkeypatch.setitem(
        SOLVERS,
        "plain",
        Solver(
            "plain gradient descent", _training.fit_stochastic, _PlainGradientDescent
        ),
    )
    net, X, y = mazur_network(solver="plain", max_iter=1)
    net.partial_fit(X, y)
    assert isinstance(net._optimizer, _PlainGradientDescent)
    for name, (layer, i, j) in MAZUR_WEIGHTS.items():
        printed = MAZUR_NEW_WEIGHTS[name]
        decimals = len(printed.split(".")[1])
        assert net.coefs_[layer - 1][i, j] == pytest.approx(
            float(printed), abs=0.5 * 10.0**-decimals
        )
    assert len(net.history_) == 1


def test_a_full_batch_solver_added_to_the_table_runs_its_own_loop(monkeypatch):
    calls = []

    def fit(estimator, X, y, sample_weight, layer_units, incremental, tasks):
        calls.append((estimator, X.shape, layer_units, incremental))

    monkeypatch.setitem(SOLVERS, "newton", Solver("Newton's method", fit))
    X, y = np.random.RandomState(0).randn(10, 3), np.arange(10) % 2
    net = BackpropClassifier(hidden_layer_sizes=(4,), solver="newton").fit(X, y)
    assert calls == [(net, (10, 3), [3, 4, 1], False)]
    # Not stochastic: no partial_fit, and the per-batch settings are refused
    # in the words of the table's entry.
    assert not hasattr(net, "partial_fit")
    with pytest.raises(
        ValueError,
        match=re.escape(
            "dropout needs a stochastic solver ('adam' or 'sgd'): it draws new "
            "masks for every batch, and Newton's method needs the same loss"
        ),
    ):
        net.set_params(dropout=0.5).fit(X, y)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("adam", True), ("sgd", True), ("lbfgs", False), ("Adam", False), ([], False)],
)
def test_is_stochastic_answers_for_any_value(name, expected):
    # partial_fit's availability asks before the parameters are validated.
    assert is_stochastic(name) is expected


@pytest.mark.parametrize(
    ("names", "text"),
    [([], ""), (["adam"], "'adam'"), (["a", "b", "c"], "'a', 'b' or 'c'")],
)
def test_either_lists_the_alternatives(names, text):
    assert either(names) == text


def test_a_solver_scikit_learn_lacks_is_refused_by_to_sklearn(monkeypatch):
    # scikit-learn's MLP would take the weights but refuse its own solver
    # parameter at its next fit; the conversion names the parameter instead.
    monkeypatch.setitem(
        SOLVERS,
        "plain",
        Solver(
            "plain gradient descent", _training.fit_stochastic, _PlainGradientDescent
        ),
    )
    X = np.random.RandomState(0).randn(20, 3)
    net = BackpropRegressor(hidden_layer_sizes=(3,), solver="plain").partial_fit(
        X, X.sum(axis=1)
    )
    with pytest.raises(
        ValueError,
        match=re.escape(
            "solver='plain' cannot be converted: scikit-learn's MLPRegressor has "
            "no such solver."
        ),
    ):
        net.to_sklearn()


def test_an_unknown_solver_is_refused_with_the_names_in_documented_order():
    # scikit-learn's StrOptions lists a set, in an order that changes from
    # one Python process to the next.
    with pytest.raises(
        InvalidParameterError,
        match=re.escape("must be a str among {'adam', 'sgd', 'lbfgs'}. Got 'newton'"),
    ):
        BackpropRegressor(solver="newton").fit(np.eye(3), np.arange(3.0))
