r"""
A validation set, the validation loss, schedules, weight decay and smoothing
============================================================================

``fit`` takes a validation set of its own, ``fit(X, y, X_val=..., y_val=...)``,
as scikit-learn's ``HistGradientBoostingClassifier`` does: after every epoch
the network is scored on it, and ``validation_loss_curve_`` records its
loss beside ``loss_curve_``, the training loss. Without early stopping the
validation set changes nothing about training; it only measures it.

Here a network overfits the breast cancer data that ships with
scikit-learn, and we fit it again with one setting changed at a time:

* ``learning_rate="cosine"``, a step size that falls along a half cosine
  from ``learning_rate_init`` to near 0 at ``max_iter``, and the same with
  ``warmup_epochs``, a linear rise to ``learning_rate_init`` first;
* ``weight_decay``, which shrinks every weight by a fraction η·λ in every
  update (decoupled weight decay, AdamW's form);
* ``label_smoothing=ε``, which trains on the targets y·(1 − ε) + ε/2
  instead of 0 and 1;
* ``early_stopping=True`` with the validation set given to ``fit`` and
  ``restore_best="loss"``, which keeps the weights of the epoch with the
  lowest validation loss (``"score"``, the default, keeps the first epoch
  with the best accuracy, as scikit-learn's MLP does).

Each is judged on a test set that no fit sees, by its log loss and accuracy.
"""

# %%
# Three sets and a baseline
# -------------------------
# Of the 569 tumours, a quarter is held out as the test set, and a quarter
# of the rest as the validation set; both splits keep the share of benign
# tumours (``stratify``). The scaler learns the features' means and
# standard deviations from the training set alone.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier
from skbp.plot import LossCurveDisplay

# The baseline runs to max_iter on purpose, without converging.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_breast_cancer(return_X_y=True)
X_rest, X_test, y_rest, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val, X_test = (scaler.transform(a) for a in (X_train, X_val, X_test))
print(f"training {len(y_train)}, validation {len(y_val)}, test {len(y_test)}")

# %%
# The baseline is a network of 64 relu units trained by Adam at a step size
# of 0.01 for up to 100 epochs, without an L2 penalty (``alpha=0``), so
# that nothing but the settings compared below holds it back.
BASELINE = dict(
    hidden_layer_sizes=(64,),
    solver="adam",
    learning_rate_init=0.01,
    batch_size=32,
    alpha=0,
    max_iter=100,
    random_state=0,
)
baseline = BackpropClassifier(**BASELINE).fit(
    X_train, y_train, X_val=X_val, y_val=y_val
)

# %%
# The training and the validation loss
# ------------------------------------
# :class:`skbp.plot.LossCurveDisplay` draws both losses (solid and dotted)
# and, on the right axis, the validation accuracy (dashed). The training
# loss falls all the way; the validation loss reaches its lowest within the
# first few epochs and then climbs to more than three times that. The
# validation accuracy peaks early too and loses three tumours of 107 by the
# end: the network grows ever surer of its answers, also of the wrong ones,
# which costs far more log loss than accuracy.
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
display = LossCurveDisplay.from_estimator(baseline, ax=ax, name="baseline")
display.ax_.set(yscale="log", title="Baseline: training and validation loss")
plt.show()

best_epoch = int(np.argmin(baseline.validation_loss_curve_)) + 1
print(
    f"lowest validation loss {min(baseline.validation_loss_curve_):.3f} "
    f"in epoch {best_epoch}, {baseline.validation_loss_curve_[-1]:.3f} "
    f"after epoch {baseline.n_iter_}"
)
scores = baseline.validation_scores_
print(
    f"highest validation accuracy {max(scores):.3f} in epoch "
    f"{int(np.argmax(scores)) + 1}, {scores[-1]:.3f} after epoch {baseline.n_iter_}"
)

# %%
# One setting changed at a time
# -----------------------------
# Each variant differs from the baseline in one parameter, except the
# warm-up, which needs the cosine schedule and differs from the cosine row in
# ``warmup_epochs`` alone. Every fit is given the same validation set.
VARIANTS = {
    "baseline": {},
    "cosine": dict(learning_rate="cosine"),
    "cosine, 10 warm-up epochs": dict(learning_rate="cosine", warmup_epochs=10),
    "weight_decay=1": dict(weight_decay=1.0),
    "label_smoothing=0.1": dict(label_smoothing=0.1),
    'early stopping, restore_best="loss"': dict(
        early_stopping=True, restore_best="loss"
    ),
}
models = {"baseline": baseline}
for name, params in VARIANTS.items():
    if name not in models:
        models[name] = BackpropClassifier(**BASELINE, **params).fit(
            X_train, y_train, X_val=X_val, y_val=y_val
        )

table = pd.DataFrame(
    {
        name: {
            "test log loss": log_loss(y_test, model.predict_proba(X_test)),
            "test accuracy": accuracy_score(y_test, model.predict(X_test)),
            "epochs": model.n_iter_,
        }
        for name, model in models.items()
    }
).T
table["epochs"] = table["epochs"].astype(int)
print(table.round(4).to_string())

# %%
# Where the log loss comes from
# -----------------------------
# A test tumour costs −log p, p being the probability the network gives its
# true class; the log loss is the mean cost. Split into the part from the
# tumours classified right and the part from those classified wrong (the
# two add up to the test log loss), with the largest single cost and the
# share of tumours whose true class gets p > 0.95:
parts = {}
for name, model in models.items():
    proba = model.predict_proba(X_test)[:, 1]
    p_true = np.where(y_test == 1, proba, 1 - proba)
    cost, right = -np.log(p_true), p_true > 0.5
    parts[name] = {
        "from right": cost[right].sum() / len(y_test),
        "from wrong": cost[~right].sum() / len(y_test),
        "wrong": int(np.sum(~right)),
        "largest cost": cost.max(),
        "p > 0.95": np.mean(p_true > 0.95),
    }
parts = pd.DataFrame(parts).T
parts["wrong"] = parts["wrong"].astype(int)
print(parts.round(3).to_string())

# %%
# What the numbers show
# ---------------------
# On this split every setting lowers the baseline's held-out log loss, and
# none changes its accuracy by more than three test tumours of 143. Almost
# all of the baseline's log loss comes from its 7 wrong answers, of which
# it is very sure; the settings differ in how they cut that part:
#
# * The cosine schedule takes ever smaller steps, so the weights drift less
#   in the late epochs where the baseline's validation loss climbs; with
#   the warm-up's small first steps the held-out loss is lower still. Both
#   end the fit before ``max_iter`` here: with steps near 0 the training
#   loss stops improving by ``tol`` for ``n_iter_no_change`` epochs. The
#   wrong answers still cost most of the loss.
# * Weight decay keeps the weights, and with them the outputs' certainty,
#   smaller: the wrong answers cost a third of the baseline's, for one more
#   wrong answer, and its validation loss stays near its lowest to the end
#   (figure below).
# * Early stopping on the validation set, keeping the epoch of the lowest
#   validation loss, gives the lowest held-out log loss of all: the
#   baseline's own best epoch, after a handful of epochs, with the
#   baseline's accuracy.
# * Label smoothing lowers the held-out log loss less than weight decay or
#   early stopping and costs the most accuracy. Smoothed targets cap the
#   confidence the network is trained towards at 1 − ε/2 = 0.95: the wrong
#   answers cost less than the baseline's, but the right ones cost ten
#   times more, as only about a third of the tumours get p > 0.95 (the
#   network may still go past 0.95 on a test tumour; it is trained towards
#   0.95, not held below it). Its validation loss is measured against the
#   smoothed targets, as its training loss is, so it does not compare with
#   the others' and is left out of the figure below.
#
# The figure shows each variant's validation loss per epoch (early
# stopping's is the baseline's first epochs: the two fits are the same until
# it stops) and, on the right, the step each epoch ran at,
# ``history_["learning_rate"]``. For Adam that is its bias-corrected step
# η·√(1 − β₂ᵗ)/(1 − β₁ᵗ), t the updates so far, which rises towards η as t
# grows; the cosine schedule bends it down towards 0 by ``max_iter``, and
# the warm-up scales η down to η/11 in the first epoch, rising to η by
# the eleventh.
fig, (ax_loss, ax_rate) = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
for name, model in models.items():
    if name == "label_smoothing=0.1":
        continue
    ax_loss.plot(
        np.arange(1, model.n_iter_ + 1), model.validation_loss_curve_, label=name
    )
    if name == "baseline" or name.startswith("cosine"):
        rate = model.history_["learning_rate"]
        ax_rate.plot(np.arange(1, len(rate) + 1), rate, label=name)
ax_loss.set(
    xlabel="epoch", ylabel="validation log loss", yscale="log", title="Validation loss"
)
ax_loss.legend(fontsize="small")
ax_rate.set(xlabel="epoch", ylabel="Adam's step", title="Step size")
ax_rate.legend(fontsize="small")
plt.show()
