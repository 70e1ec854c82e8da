"""
skbp and scikit-learn's MLPClassifier, side by side
===================================================

``BackpropClassifier`` takes the parameters of
:class:`sklearn.neural_network.MLPClassifier` and draws its initial weights
the way scikit-learn does. With the same settings and the same
``random_state`` the two start from the same weights, see the same shuffled
minibatches and take the same Adam steps, so they end with the same model.
Here both train on the handwritten digits that ship with scikit-learn; we
compare test accuracy, fit time and the loss curves.

The only setting to spell out is ``activation="logistic"``: it is skbp's
default hidden unit (the worked examples' sigmoid), while scikit-learn's
default is ``"relu"``.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier
from skbp.plot import LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# One set of parameters for both. Both run exactly ``max_iter`` epochs and
# warn that they have not converged; the warning is silenced here.
params = dict(
    hidden_layer_sizes=(64,),
    activation="logistic",
    solver="adam",
    learning_rate_init=0.01,
    max_iter=60,
    random_state=0,
)


def fit_quietly(model):
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return time.perf_counter() - started


models = {
    "skbp BackpropClassifier": BackpropClassifier(**params),
    "sklearn MLPClassifier": MLPClassifier(**params),
}
# A single timing says little: on a busy machine one fit can take ten times
# as long as the next. So each model is fitted several times, the two in
# turn, so that a slow spell of the machine hits both, and the median is
# kept with the fastest and slowest fit. Every fit starts from the same
# random_state and ends with the same model. Three rounds at least; more
# while the whole takes under five seconds.
fit_seconds = {name: [] for name in models}
n_fits = 0
while n_fits < 3 or (n_fits < 7 and sum(map(sum, fit_seconds.values())) < 5):
    for name, model in models.items():
        fit_seconds[name].append(fit_quietly(model))
    n_fits += 1

print(f"{'model':<24} {'test accuracy':>13} {'fit time':>9} {'final loss':>11}")
for name, model in models.items():
    print(
        f"{name:<24} {model.score(X_test, y_test):>13.4f} "
        f"{np.median(fit_seconds[name]):>8.3f}s {model.loss_:>11.6f}"
    )
print(f"(fit time: median of {n_fits} fits)")

# %%
# Same initial weights, same steps: the fitted weights agree to rounding
# error, and so do the predictions.
ours, theirs = models.values()
weight_gap = max(
    np.abs(a - b).max()
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_)
)
print(f"largest difference between the fitted weights: {weight_gap:.1e}")
print(
    "identical test predictions:",
    bool((ours.predict(X_test) == theirs.predict(X_test)).all()),
)

# %%
# The two loss curves lie on top of each other (left). Fit times (right) are
# the median of the fits above, with a line from the fastest to the slowest:
# they vary from machine to machine and from run to run, so only a large gap
# means much. skbp computes the same numbers into buffers it allocates once
# per fit, instead of new arrays for every minibatch.
fig, (ax_loss, ax_time) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
LossCurveDisplay.from_estimator(ours, ax=ax_loss, name="skbp", lw=4, alpha=0.5)
LossCurveDisplay.from_estimator(
    theirs, ax=ax_loss, name="scikit-learn", color="k", ls="--", lw=1
)
ax_loss.set(ylabel="log-loss", yscale="log", title="Training loss")

seconds = np.array(list(fit_seconds.values()))
median = np.median(seconds, axis=1)
spread = [median - seconds.min(axis=1), seconds.max(axis=1) - median]
ax_time.bar(["skbp", "scikit-learn"], median, color=["C0", "C7"])
ax_time.errorbar(
    [0, 1], median, yerr=spread, fmt="none", ecolor="k", capsize=6, linewidth=1.5
)
ax_time.set(
    ylabel=f"seconds: median of {n_fits} fits\n(line: fastest to slowest)",
    title="Fit time on this machine",
)
plt.show()
