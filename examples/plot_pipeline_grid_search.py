"""
Pipeline and grid search
========================

``BackpropClassifier`` is a scikit-learn estimator, so it goes into a
:class:`~sklearn.pipeline.Pipeline` and a
:class:`~sklearn.model_selection.GridSearchCV` like any other. Here the
breast cancer data that ships with scikit-learn is standardised, then a
small grid over the hidden layer size and the L2 strength ``alpha`` is
searched by 5-fold cross-validation.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# The scaler sits inside the pipeline, so each fold of the search is scaled
# with statistics of its own training part only. Parameters of a pipeline
# step are named ``<step>__<parameter>``.
pipe = make_pipeline(
    StandardScaler(),
    BackpropClassifier(max_iter=300, learning_rate_init=0.01, random_state=0),
)
grid = {
    "backpropclassifier__hidden_layer_sizes": [(5,), (20,)],
    "backpropclassifier__alpha": [1e-4, 1e-2, 1.0],
}
search = GridSearchCV(pipe, grid, cv=5).fit(X_train, y_train)

print("best parameters:", search.best_params_)
print(f"best cross-validated accuracy: {search.best_score_:.3f}")
print(f"held-out test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Every candidate, as ``cv_results_`` records it. Its fit and score times
# are left out: taken on as many threads as the machine gives, they say more
# about how busy the machine was than about the candidates.
results = pd.DataFrame(search.cv_results_)
results["candidate"] = [
    f"{hidden}, alpha={alpha:g}"
    for hidden, alpha in zip(
        results["param_backpropclassifier__hidden_layer_sizes"],
        results["param_backpropclassifier__alpha"],
    )
]
table = results[["candidate", "mean_test_score", "std_test_score"]]
print(table.round(4).to_string(index=False))

# %%
# The accuracy of every candidate on each of the five folds (small dots) and
# their mean (large dot). The candidates differ by a few hundredths, which
# bars drawn from zero would flatten into equal lengths; as dots, a zoomed
# axis shows the differences without making any bar look longer than it is.
# The five fold scores show the spread itself, which the standard deviation
# in the table sums up.
fold_columns = [f"split{k}_test_score" for k in range(search.n_splits_)]
order = np.argsort(results["mean_test_score"].to_numpy())
fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
for row, i in enumerate(order):
    folds = results.loc[i, fold_columns].to_numpy(dtype=float)
    # Folds of equal accuracy are nudged apart vertically, so all five show.
    ax.scatter(
        folds,
        row + np.linspace(-0.15, 0.15, folds.size),
        s=14,
        color="tab:gray",
        label="one fold" if row == 0 else None,
    )
    ax.scatter(
        folds.mean(),
        row,
        s=60,
        color="tab:blue",
        zorder=3,
        label="mean of the folds" if row == 0 else None,
    )
ax.set_yticks(range(len(order)), results["candidate"].to_numpy()[order])
ax.grid(axis="x", alpha=0.4)
lowest = results[fold_columns].to_numpy().min()
start = np.floor((lowest - 0.005) * 20) / 20
ax.set(
    # A little room past 1, so that perfect folds are not cut in half.
    xlim=(start, 1.005),
    xlabel=f"cross-validated accuracy (axis starts at {start:.2f}, not at 0)",
    title="GridSearchCV over hidden_layer_sizes and alpha",
)
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
plt.show()
