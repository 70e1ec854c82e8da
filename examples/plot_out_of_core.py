"""
Out-of-core learning with ``partial_fit``
=========================================

When the data do not fit in memory, read them in pieces and train on one
piece at a time. Each call of ``partial_fit`` runs one epoch over the
samples it is given and keeps the weights and the optimizer's state for the
next call.

Here a generated classification data set is written to a CSV file in a
temporary directory and read back with :func:`pandas.read_csv` in chunks of
1000 rows: a first pass finds the classes and the scaling statistics
(:meth:`~sklearn.preprocessing.StandardScaler.partial_fit`), the next passes
train the network chunk by chunk, with an accuracy check on held-out data
after every chunk, halving the learning rate after each pass over the file.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier

X, y = make_classification(
    n_samples=12_000,
    n_features=20,
    n_informative=12,
    n_classes=4,
    class_sep=1.5,
    random_state=0,
)
X = X * 10 + 5  # features far from zero mean and unit variance
X_train, y_train, X_test, y_test = X[:10_000], y[:10_000], X[10_000:], y[10_000:]

workdir = tempfile.TemporaryDirectory()
csv = Path(workdir.name) / "train.csv"
features = [f"x{i}" for i in range(X.shape[1])]
frame = pd.DataFrame(X_train, columns=features).assign(label=y_train)
frame.to_csv(csv, index=False)
print(f"wrote {len(frame)} rows to {csv.name} ({csv.stat().st_size / 1e6:.1f} MB)")
del frame  # from here on the training data live in the file only

CHUNK = 1000


def chunks():
    """The training file, ``CHUNK`` rows at a time."""
    return pd.read_csv(csv, chunksize=CHUNK)


# %%
# First pass: the labels that occur and the mean and variance of every
# feature, accumulated chunk by chunk.
scaler = StandardScaler()
classes = np.array([], dtype=int)
for chunk in chunks():
    scaler.partial_fit(chunk[features])
    classes = np.union1d(classes, chunk["label"])
print("classes:", classes)

# %%
# Training passes. ``classes`` must be given on the first call of
# ``partial_fit``, since the first chunk need not contain every label. After
# each pass the learning rate is halved with ``set_params``: ``partial_fit``
# trains with the parameters as they are at each call, Adam's moments kept
# (scikit-learn's ``MLPClassifier`` would go on at the first call's rate).
model = BackpropClassifier(
    hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0
)
X_test_scaled = scaler.transform(pd.DataFrame(X_test, columns=features))
records = []
for epoch in range(1, 6):
    for i, chunk in enumerate(chunks()):
        X_chunk = scaler.transform(chunk[features])
        if not records:
            model.partial_fit(X_chunk, chunk["label"], classes=classes)
        else:
            model.partial_fit(X_chunk, chunk["label"])
        records.append(
            {
                "pass": epoch,
                "chunk": i,
                "learning rate": model.learning_rate_init,
                "loss": model.loss_,
                "test accuracy": model.score(X_test_scaled, y_test),
            }
        )
    model.set_params(learning_rate_init=model.learning_rate_init / 2)
history = pd.DataFrame(records)
per_pass = history.groupby("pass")[["learning rate", "loss", "test accuracy"]]
print(per_pass.last().round({"learning rate": 6, "loss": 4, "test accuracy": 4}))
final = history.iloc[-1]
print(f"held-out accuracy after {len(history)} chunks: {final['test accuracy']:.3f}")

# %%
# The loss of each chunk (the mean over its minibatches, before each update)
# and the held-out accuracy after it. Dotted lines separate the passes over
# the file.
fig, (ax_loss, ax_acc) = plt.subplots(2, 1, sharex=True, figsize=(7, 5))
steps = np.arange(1, len(history) + 1)
ax_loss.plot(steps, history["loss"], marker=".")
ax_loss.set(ylabel="log-loss of the chunk", yscale="log")
ax_acc.plot(steps, history["test accuracy"], marker=".", color="C2")
ax_acc.set(xlabel="chunks seen", ylabel="held-out accuracy")
for boundary in steps[history["chunk"] == 0][1:] - 0.5:
    for ax in (ax_loss, ax_acc):
        ax.axvline(boundary, color="gray", ls=":")
fig.suptitle("partial_fit on a CSV read in chunks of 1000 rows")
fig.tight_layout()
plt.show()

workdir.cleanup()
