"""Grid searches in parallel give the results of the sequential search.

Every fit is deterministic given its random_state, so running the candidates
in other processes -- loky's workers, or the workers of a dask.distributed
cluster -- must reproduce ``cv_results_`` number for number.
"""

import logging

import joblib
import numpy as np
import pytest
from _hang_guard import HANG_GUARD_SECONDS
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

TIMING_KEYS = {"mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"}
GRID = {
    "backpropclassifier__hidden_layer_sizes": [(5,), (10,)],
    "backpropclassifier__alpha": [1e-4, 1e-1],
}


@pytest.fixture(scope="module")
def data():
    return make_classification(150, 8, n_informative=4, random_state=0)


def _search(**params):
    pipe = make_pipeline(
        StandardScaler(),
        BackpropClassifier(random_state=0, max_iter=15, learning_rate_init=0.01),
    )
    return GridSearchCV(pipe, GRID, cv=3, **params)


@pytest.fixture(scope="module")
def sequential(data):
    return _search(n_jobs=1).fit(*data)


def _assert_same_search(search, reference):
    assert search.cv_results_.keys() == reference.cv_results_.keys()
    assert search.cv_results_["params"] == reference.cv_results_["params"]
    assert len(reference.cv_results_["params"]) == 4
    for key in reference.cv_results_.keys() - TIMING_KEYS:
        np.testing.assert_array_equal(
            search.cv_results_[key], reference.cv_results_[key], err_msg=key
        )
    assert search.best_params_ == reference.best_params_
    assert search.best_score_ == reference.best_score_
    best, ref = search.best_estimator_[-1], reference.best_estimator_[-1]
    for a, b in zip(best.coefs_ + best.intercepts_, ref.coefs_ + ref.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_grid_search_with_loky_workers_matches_sequential(data, sequential):
    search = _search(n_jobs=2)
    with joblib.parallel_config(backend="loky"):
        search.fit(*data)
    _assert_same_search(search, sequential)


def test_grid_search_on_dask_local_cluster_matches_sequential(data, sequential):
    distributed = pytest.importorskip("distributed")
    import dask

    # dask gives up connecting, or calls a connection dead, after 30 s by
    # default: a loaded machine starting two worker processes can take that
    # long. Only a hang may fail the test.
    guard = f"{HANG_GUARD_SECONDS}s"
    timeouts = {
        "distributed.comm.timeouts.connect": guard,
        "distributed.comm.timeouts.tcp": guard,
    }
    # Two worker processes, each importing skbp on its own (it is installed
    # in the environment, so nothing has to be shipped but the pickled
    # pipeline and data).
    with (
        dask.config.set(timeouts),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            # Any free port, on this machine only: 8787 may be taken.
            dashboard_address="127.0.0.1:0",
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
        joblib.parallel_config(backend="dask"),
    ):
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        with distributed.get_task_stream(client) as task_stream:
            search = _search(n_jobs=-1).fit(*data)
    # The cross-validation fits ran as tasks on the cluster's workers.
    assert task_stream.data
    assert {task["worker"] for task in task_stream.data} <= set(workers)
    _assert_same_search(search, sequential)
