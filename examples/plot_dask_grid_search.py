"""
Grid search on a Dask cluster
=============================

A grid search fits one model per candidate and fold, each independent of
the others: work that spreads over many cores, or many machines. scikit-learn
hands it to :mod:`joblib`, and joblib's ``"dask"`` backend sends it to a
`dask.distributed <https://distributed.dask.org>`_ cluster. The search code
does not change; only the place where the fits run does.

Here the cluster is a :class:`~distributed.LocalCluster` started by the
example itself. Set the environment variable ``SKBP_DASK_SCHEDULER`` to the
address of a running scheduler (``tcp://scheduler-address:8786``) and the
same script runs its fits there instead. Every fit is deterministic given
its ``random_state``, so the results are those of the sequential search,
number for number.

This needs the ``dask`` extra: ``pip install -e ".[dask]"`` from a clone.
"""

import os
import warnings
from contextlib import contextmanager

import joblib
import matplotlib.pyplot as plt
import pandas as pd
from distributed import Client, LocalCluster
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier

# 30 epochs keep the example quick; the networks have not fully converged.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_breast_cancer(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    BackpropClassifier(max_iter=30, learning_rate_init=0.01, random_state=0),
)
grid = {
    "backpropclassifier__hidden_layer_sizes": [(5,), (20,)],
    "backpropclassifier__alpha": [1e-4, 1.0],
}

# %%
# The reference: the same search, one fit after the other, in this process.
sequential = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
print(f"{len(sequential.cv_results_['params'])} candidates x 3 folds, sequentially")

# %%
# Connecting to a cluster
# -----------------------
# ``Client(address)`` connects to a scheduler that is already running, for
# example one started with ``dask scheduler`` on one machine and
# ``dask worker tcp://scheduler-address:8786`` on others. The workers need
# skbp, scikit-learn and numpy installed, in the versions the client has:
# they unpickle the pipeline and run its ``fit``.
#
# Without an address, a :class:`~distributed.LocalCluster` of two workers is
# started here. Its workers are threads of this process
# (``processes=False``), which keeps the example self-contained. With
# ``processes=True`` each worker is a process of its own; a script that
# starts such a cluster must do so under ``if __name__ == "__main__":``, as
# any script using :mod:`multiprocessing` does, because every worker imports
# the script again.


@contextmanager
def dask_client():
    """A client of $SKBP_DASK_SCHEDULER, else of a local cluster; closed after."""
    address = os.environ.get("SKBP_DASK_SCHEDULER")
    if address:
        with Client(address) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


# %%
# The search on the cluster
# -------------------------
# Inside ``joblib.parallel_config(backend="dask")``, every joblib call --
# here GridSearchCV's ``n_jobs=-1`` loop over candidates and folds -- submits
# its tasks to the client's scheduler. The refit of the best candidate on
# all the data runs in this process, as always.
with dask_client() as client, joblib.parallel_config(backend="dask"):
    n_workers = len(client.scheduler_info()["workers"])
    distributed_search = GridSearchCV(pipe, grid, cv=3, n_jobs=-1).fit(X, y)
print(f"ran on {n_workers} Dask workers")
print("best parameters:", distributed_search.best_params_)
print(f"best cross-validated accuracy: {distributed_search.best_score_:.4f}")

# %%
# The same results
# ----------------
# Apart from the fit and score times, ``cv_results_`` is identical to the
# sequential search's: same folds, same initial weights, same shuffles, the
# same arithmetic.
timing = ["mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"]


def without_times(search):
    return pd.DataFrame(search.cv_results_).drop(columns=timing)


identical = without_times(distributed_search).equals(without_times(sequential))
print("cv_results_ identical to the n_jobs=1 search:", identical)

results = pd.DataFrame(distributed_search.cv_results_)
results["candidate"] = [
    f"{hidden}, alpha={alpha:g}"
    for hidden, alpha in zip(
        results["param_backpropclassifier__hidden_layer_sizes"],
        results["param_backpropclassifier__alpha"],
    )
]
columns = ["candidate", "mean_test_score", "std_test_score", "rank_test_score"]
print(results[columns].round(4).to_string(index=False))

# %%
# Mean accuracy of each candidate over the three folds, with one standard
# deviation.
fig, ax = plt.subplots(figsize=(6.5, 3))
ax.barh(
    results["candidate"],
    results["mean_test_score"],
    xerr=results["std_test_score"],
    color="tab:blue",
)
low = (results["mean_test_score"] - results["std_test_score"]).min()
ax.set(
    xlim=(max(0.0, low - 0.02), 1.0),
    xlabel="mean cross-validated accuracy",
    title="GridSearchCV on a Dask cluster",
)
fig.tight_layout()
plt.show()
