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
# Every candidate, as ``cv_results_`` records it.
results = pd.DataFrame(search.cv_results_)
results["candidate"] = [
    f"{hidden}, alpha={alpha:g}"
    for hidden, alpha in zip(
        results["param_backpropclassifier__hidden_layer_sizes"],
        results["param_backpropclassifier__alpha"],
    )
]
table = results[["candidate", "mean_test_score", "std_test_score", "mean_fit_time"]]
print(table.round(4).to_string(index=False))

# %%
# Mean accuracy over the five folds, with one standard deviation.
order = np.argsort(results["mean_test_score"].to_numpy())
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.barh(
    results["candidate"].to_numpy()[order],
    results["mean_test_score"].to_numpy()[order],
    xerr=results["std_test_score"].to_numpy()[order],
    color="tab:blue",
)
low = (results["mean_test_score"] - results["std_test_score"]).min()
ax.set(
    xlim=(max(0.0, low - 0.02), 1.0),
    xlabel="mean cross-validated accuracy",
    title="GridSearchCV over hidden_layer_sizes and alpha",
)
fig.tight_layout()
plt.show()
