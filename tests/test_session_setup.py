"""The test session's set-up (conftest.py)."""

import numpy  # noqa: F401
import scipy.linalg  # noqa: F401  (loads scipy's own OpenBLAS, where it has one)
from threadpoolctl import threadpool_info


def test_blas_runs_one_thread_per_worker():
    # conftest.py limits the BLAS libraries to one thread each: two pytest
    # workers with a multi-threaded OpenBLAS each oversubscribe the cores, and
    # the tiny matrix products of the estimators' tests run many times slower.
    # threadpoolctl limits only libraries already loaded, so conftest.py must
    # load numpy's and scipy's before it limits them.
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    assert blas
    assert {(i["filepath"], i["num_threads"]) for i in blas} == {
        (i["filepath"], 1) for i in blas
    }
