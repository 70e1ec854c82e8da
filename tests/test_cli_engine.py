"""The comparison engine shared by ``skbp compare`` and ``skbp demo``."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from skbp.cli.engine import cross_validate_models, make_models, summarize

X, y = load_iris(return_X_y=True)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_summary_std_is_the_population_std_of_the_fold_scores():
    models = make_models("classification", StandardScaler(), (4,), max_iter=5)
    folds, _ = cross_validate_models(models, X, y, "classification", cv=3)
    table = summarize(folds, "classification").set_index("model")

    for name, scores in folds.groupby("model"):
        for column in ("accuracy", "balanced_accuracy"):
            expected = np.std(scores[column].to_numpy())
            assert table.loc[name, f"{column}_std"] == pytest.approx(expected)
            assert table.loc[name, f"{column}_mean"] == pytest.approx(
                scores[column].mean()
            )
    assert (table["n_folds"] == 3).all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_int_cv_shuffles_with_random_state_and_a_splitter_is_used_as_is():
    models = make_models("classification", StandardScaler(), (4,), max_iter=5)
    # iris is sorted by class: unshuffled 3-fold stratified folds differ from
    # shuffled ones, and so do their scores.
    shuffled, _ = cross_validate_models(models, X, y, "classification", cv=3)
    again, _ = cross_validate_models(models, X, y, "classification", cv=3)
    unshuffled, _ = cross_validate_models(
        models, X, y, "classification", cv=StratifiedKFold(3)
    )
    columns = ["accuracy", "balanced_accuracy", "n_iter"]
    assert shuffled[columns].equals(again[columns])
    assert not shuffled["accuracy"].equals(unshuffled["accuracy"])
