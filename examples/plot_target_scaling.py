"""
Scaling the target of a regression
==================================

A network's output starts small: with Glorot-uniform starting weights and
logistic hidden units, :class:`~skbp.BackpropRegressor` first predicts values
close to zero. The diabetes data's target, a measure of disease progression
one year on, runs from 25 to 346. Adam moves each weight by at most about
``learning_rate_init`` (0.001) per step, and 500 epochs of two minibatches
are 1000 steps: not enough for the output weights to grow to the target's
size. The network stops while it still predicts far too little for most
samples.

Scaling ``X`` (a :class:`~sklearn.preprocessing.StandardScaler` in the
pipeline) is not enough here; scaling ``y`` is what helps.
:class:`~sklearn.compose.TransformedTargetRegressor` standardises the
target before ``fit`` and maps predictions back, so the scores below are on
the original scale. scikit-learn's ``MLPRegressor`` with logistic units
behaves the same way: it takes the same steps from the same weights.
"""

# %%
# Two models, five folds
# ----------------------
#
# Both models are the same pipeline; the second one sees the target
# standardised. ``cross_val_score`` of a regressor uses five unshuffled
# folds and R², the score ``BackpropRegressor.score`` reports.
import textwrap
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_predict, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropRegressor
from skbp.exceptions import TargetScaleWarning

X, y = load_diabetes(return_X_y=True)
print(f"target: {y.min():.0f} to {y.max():.0f}, mean {y.mean():.0f}")


def network(estimator=BackpropRegressor):
    # logistic is skbp's default; MLPRegressor has to be told.
    return make_pipeline(
        StandardScaler(),
        estimator(activation="logistic", max_iter=500, random_state=0),
    )


def scaled_target(model):
    return TransformedTargetRegressor(regressor=model, transformer=StandardScaler())


models = {
    "y as is": network(),
    "y standardised": scaled_target(network()),
    "MLPRegressor, y as is": network(MLPRegressor),
    "MLPRegressor, y standardised": scaled_target(network(MLPRegressor)),
}

scores, predictions = {}, {}
with warnings.catch_warnings(record=True) as caught:
    # The unscaled fits stop at max_iter with a ConvergenceWarning, silenced
    # here. skbp's also say what to do, in a TargetScaleWarning that
    # silencing ConvergenceWarning does not hide; kept to be printed below.
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("always", TargetScaleWarning)
    for name, model in models.items():
        scores[name] = cross_val_score(model, X, y, cv=5)
        if not name.startswith("MLP"):
            predictions[name] = cross_val_predict(model, X, y, cv=5)

for name, r2 in scores.items():
    print(f"{name:29s} R² = {r2.mean():+.2f} ± {r2.std():.2f}")
advice = next(w.message for w in caught if w.category is TargetScaleWarning)
print("\nskbp, fitting y as is:")
print(textwrap.fill(str(advice), width=88))

# %%
# A negative R² means the model predicts worse than the mean of ``y``
# would. skbp and ``MLPRegressor`` agree to the printed digits, because
# they start from the same weights and take the same steps.
#
# What the unscaled network predicts
# ----------------------------------
#
# Each point is a sample, predicted by the fold's model that did not see
# it. Without scaling, every prediction is below 100 while the target
# reaches 346: the points lie in a flat band under the diagonal. With the
# target standardised they follow it.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), sharex=True, sharey=True)
limits = (0, 360)
for ax, name in zip(axes, predictions):
    ax.scatter(y, predictions[name], s=10, alpha=0.6)
    ax.plot(limits, limits, color="0.4", linewidth=1, label="perfect prediction")
    ax.set(
        xlim=limits,
        ylim=limits,
        aspect="equal",
        title=f"{name}: R² = {scores[name].mean():.2f}",
        xlabel="true target",
    )
axes[0].set_ylabel("cross-validated prediction")
axes[0].legend(loc="upper left")
fig.suptitle("BackpropRegressor on the diabetes data, 5-fold cross-validation")
fig.tight_layout()
plt.show()

# %%
# What to take from it
# --------------------
#
# * Wrap a regressor in ``TransformedTargetRegressor(regressor=...,
#   transformer=StandardScaler())`` whenever the target is far from ±1.
#   ``predict`` and ``score`` still work in the target's own units.
# * The spread of the predictions, not only the score, shows the problem:
#   a narrow band far from the diagonal means the output has not grown to
#   the target's size yet.
# * A larger ``learning_rate_init`` or ``max_iter`` would close the gap more
#   slowly and less reliably than scaling; :doc:`/tips` has more.
print(f"mean prediction without scaling: {np.mean(predictions['y as is']):.0f}")
