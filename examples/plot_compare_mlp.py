"""
skbp and scikit-learn's MLPClassifier, side by side
===================================================

``BackpropClassifier`` takes the parameters of
:class:`sklearn.neural_network.MLPClassifier` and draws its initial weights
the way scikit-learn does. With the same settings and the same
``random_state`` the two start from the same weights, see the same shuffled
minibatches and take the same Adam steps, so they end with the same model.
Here both train on the handwritten digits that ship with scikit-learn; we
compare test accuracy, the loss curves and fit time.

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
from threadpoolctl import threadpool_limits

from skbp import BackpropClassifier, kernel_choices
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
    """Fit ``model``; return the CPU seconds the fit took."""
    started = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    return time.process_time() - started


def machine():
    """The CPU the timings ran on: model, number of CPUs and CPU class."""
    choices = kernel_choices()
    return f"{choices['machine']}, class {choices['cpu_class']}"


models = {
    "skbp BackpropClassifier": BackpropClassifier(**params),
    "sklearn MLPClassifier": MLPClassifier(**params),
}
# Each model is fitted N_FITS times, the two in turn, so that a slow spell
# of the machine hits both; every fit starts from the same random_state and
# ends with the same model. The matrix products run on one thread: with as
# many BLAS threads as cores, fits of this size measure how busy the machine
# is (on a busy 2-core machine, two threads made them 8 to 30 times as slow
# as one). Each fit is timed by the CPU time it takes, which other programs
# on the machine change far less than the time on the clock.
N_FITS = 5
fit_seconds = {name: [] for name in models}
with threadpool_limits(limits=1):
    for _ in range(N_FITS):
        for name, model in models.items():
            fit_seconds[name].append(fit_quietly(model))

print(f"{'model':<24} {'test accuracy':>13} {'final loss':>11}")
for name, model in models.items():
    print(f"{name:<24} {model.score(X_test, y_test):>13.4f} {model.loss_:>11.6f}")

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
# Fit time
# --------
# The fastest, median and slowest of the fits above, in CPU seconds on one
# thread, and the machine they ran on. skbp computes the same numbers into buffers it
# allocates once per fit, instead of new arrays for every minibatch, and
# with less Python per minibatch. Times vary from machine to machine and
# from run to run, more so on a shared machine: :ref:`benchmarks` compares
# the two properly, on larger jobs, on two CPU classes, with the pairs of
# fits disturbed by other programs discarded (skbp fits 1.1 to 1.7 times as
# fast there).
print(f"{N_FITS} fits each, 1 BLAS thread, on {machine()}")
print(f"{'CPU seconds per fit':<20} {'fastest':>8} {'median':>8} {'slowest':>8}")
for name, seconds in fit_seconds.items():
    low, middle, high = np.percentile(seconds, [0, 50, 100])
    # The class name alone: "BackpropClassifier", "MLPClassifier".
    print(f"{name.split()[1]:<20} {low:>8.3f} {middle:>8.3f} {high:>8.3f}")

# %%
# The two loss curves lie on top of each other (left); fit times (right),
# the median with a line from the fastest to the slowest fit.
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
    ylabel=f"CPU seconds: median of {N_FITS} fits\n(line: fastest to slowest)",
    title="Fit time, 1 thread",
    xlabel=machine(),
)
plt.show()
