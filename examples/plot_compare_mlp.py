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


def timed_fit(model, repeats=2):
    """Fit ``repeats`` times; return the fitted model and the best time."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        seconds.append(time.perf_counter() - started)
    return model, min(seconds)


models = {
    "skbp BackpropClassifier": BackpropClassifier(**params),
    "sklearn MLPClassifier": MLPClassifier(**params),
}
fit_seconds = {}
for name, model in models.items():
    models[name], fit_seconds[name] = timed_fit(model)

print(f"{'model':<24} {'test accuracy':>13} {'fit time':>9} {'final loss':>11}")
for name, model in models.items():
    print(
        f"{name:<24} {model.score(X_test, y_test):>13.4f} "
        f"{fit_seconds[name]:>8.3f}s {model.loss_:>11.6f}"
    )

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
# The two loss curves lie on top of each other (left); fit times vary from
# machine to machine (right). skbp computes the same numbers into buffers
# it allocates once per fit, instead of new arrays for every minibatch.
fig, (ax_loss, ax_time) = plt.subplots(1, 2, figsize=(9, 3.5))
LossCurveDisplay.from_estimator(ours, ax=ax_loss, name="skbp", lw=4, alpha=0.5)
LossCurveDisplay.from_estimator(
    theirs, ax=ax_loss, name="scikit-learn", color="k", ls="--", lw=1
)
ax_loss.set(ylabel="log-loss", yscale="log", title="Training loss")

ax_time.bar(["skbp", "scikit-learn"], list(fit_seconds.values()), color=["C0", "C7"])
ax_time.set(ylabel="seconds (best of 2)", title="Fit time")
fig.tight_layout()
plt.show()
