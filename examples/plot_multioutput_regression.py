"""
Multi-output regression
=======================

``BackpropRegressor`` fits several targets at once: ``y`` of shape
(n_samples, n_outputs) gives the network one output unit per target, all
sharing the hidden layer. Here three nonlinear functions of four inputs are
learnt together, then the loss convention for several outputs is compared
with scikit-learn's :class:`~sklearn.neural_network.MLPRegressor`.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor

from skbp import BackpropRegressor

rng = np.random.RandomState(0)
X = rng.uniform(-2, 2, size=(2000, 4))
Y = np.column_stack(
    [
        np.sin(X[:, 0]) * X[:, 1],
        X[:, 2] ** 2 - X[:, 3],
        3 * np.exp(-(X[:, 0] ** 2 + X[:, 2] ** 2)),
    ]
)
Y += 0.1 * rng.standard_normal(Y.shape)
names = ["sin(x0)·x1", "x2² − x3", "3·exp(−x0² − x2²)"]
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)

# %%
# One network, three output units (identity outputs, the regressor's
# default), trained on the squared error summed over the outputs.
model = BackpropRegressor(
    hidden_layer_sizes=(50,), learning_rate_init=0.01, max_iter=300, random_state=0
)
model.fit(X_train, Y_train)
Y_pred = model.predict(X_test)
print(f"output units: {model.n_outputs_}, epochs: {model.n_iter_}")

r2 = r2_score(Y_test, Y_pred, multioutput="raw_values")
r2_linear = r2_score(
    Y_test,
    LinearRegression().fit(X_train, Y_train).predict(X_test),
    multioutput="raw_values",
)
print(f"{'target':<20} {'R² network':>10} {'R² linear':>10}")
for name, ours, linear in zip(names, r2, r2_linear):
    print(f"{name:<20} {ours:>10.3f} {linear:>10.3f}")
print(f"mean R² (model.score): {model.score(X_test, Y_test):.3f}")

# %%
# Predicted against true values on the test set, one panel per output.
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
for k, ax in enumerate(axes):
    ax.scatter(Y_test[:, k], Y_pred[:, k], s=6, alpha=0.5)
    lims = [Y_test[:, k].min(), Y_test[:, k].max()]
    ax.plot(lims, lims, "k--", lw=1)
    ax.set(title=f"{names[k]}\nR² = {r2[k]:.3f}", xlabel="true")
axes[0].set_ylabel("predicted")
fig.tight_layout()
plt.show()

# %%
# The loss with several outputs
# -----------------------------
# skbp's squared error keeps the sum over the outputs, where the loss
# scikit-learn's MLP reports divides it by their number, but not its
# gradient (:ref:`multi-output-loss` explains the difference). The training
# is therefore the same: with equal settings and ``random_state`` both reach
# the same weights, and skbp's loss curve is exactly three times
# scikit-learn's (``alpha=0``, so that no L2 term is added to either).
settings = dict(
    hidden_layer_sizes=(50,),
    learning_rate_init=0.01,
    alpha=0,
    activation="logistic",
    max_iter=20,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    ours = BackpropRegressor(**settings).fit(X_train, Y_train)
    theirs = MLPRegressor(**settings).fit(X_train, Y_train)
ratio = np.array(ours.loss_curve_) / np.array(theirs.loss_curve_)
gap = max(np.abs(a - b).max() for a, b in zip(ours.coefs_, theirs.coefs_))
print(f"skbp loss / sklearn loss per epoch: {ratio.min():.12f} to {ratio.max():.12f}")
print(f"largest difference between the weights: {gap:.1e}")
