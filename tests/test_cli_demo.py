"""``skbp demo``: the comparison on scikit-learn's data sets and Mazur's
worked example reproduced."""

import numpy as np
import pytest
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import skbp
from skbp import BackpropClassifier
from skbp._kernels import FORMULAS
from skbp.cli.demo import DATASETS, mazur_after, run_demo
from skbp.worked_examples import MAZUR_ERROR_AFTER_10000, MAZUR_OUTPUTS_AFTER_10000


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_demo_table_has_an_accuracy_row_per_model_and_data_set(capsys):
    datasets = ("iris", "wine")
    table = run_demo(
        datasets=datasets, cv=2, max_iter=5, hidden_layer_sizes=(5,), n_steps=10
    )
    out = capsys.readouterr().out

    assert len(table) == 4
    assert set(zip(table["dataset"], table["model"])) == {
        (name, model)
        for name in datasets
        for model in ("BackpropClassifier", "MLPClassifier")
    }
    assert table["accuracy_mean"].between(0, 1).all()
    assert (table["fit_time_mean"] > 0).all()
    # Mean and std over the folds are those of sklearn's own cross_validate
    # with the same settings, folds (cv=2: unshuffled, stratified) and BLAS
    # threads.
    networks = {
        "BackpropClassifier": BackpropClassifier,
        "MLPClassifier": MLPClassifier,
    }
    settings = dict(
        hidden_layer_sizes=(5,),
        activation="logistic",
        solver="adam",
        max_iter=5,
        random_state=0,
    )
    for row in table.itertuples():
        X, y = DATASETS[row.dataset](return_X_y=True)
        model = make_pipeline(StandardScaler(), networks[row.model](**settings))
        with threadpool_limits(limits=1, user_api="blas"):
            scores = cross_validate(model, X, y, cv=2)["test_score"]
        assert row.accuracy_mean == pytest.approx(np.mean(scores), abs=1e-12)
        assert row.accuracy_std == pytest.approx(np.std(scores), abs=1e-12)
    lines = [line.split() for line in out.splitlines()]
    for row in table.itertuples():
        assert [row.dataset, row.model] in [line[:2] for line in lines]
    assert "0.358916480" in out
    assert "After 10 steps" in out
    # Which CPU class ran and how the logistic units were computed there.
    report = skbp.kernel_choices()
    formula = FORMULAS["logistic"][report["logistic"]["float64"]]
    assert f"CPU class {report['cpu_class']} (" in out
    assert f"logistic as {formula}" in out


def test_mazur_outputs_after_10000_steps_are_within_2e_6_of_his_figures():
    outputs, error = mazur_after(10000)
    np.testing.assert_allclose(outputs, MAZUR_OUTPUTS_AFTER_10000, atol=2e-6)
    assert error == pytest.approx(MAZUR_ERROR_AFTER_10000, abs=1e-7)
