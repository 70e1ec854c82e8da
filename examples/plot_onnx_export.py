"""
Serving an skbp model with ONNX
===============================

The standard way to run a scikit-learn model outside Python is to convert
it to `ONNX <https://onnx.ai>`_ with skl2onnx and run it with onnxruntime,
from C, C++, C#, Java, JavaScript or a phone. Importing :mod:`skbp.onnx`
teaches skl2onnx skbp's estimators, so a pipeline holding a
``BackpropClassifier`` converts as a whole, exactly as one holding
scikit-learn's ``MLPClassifier`` does.

We train on the handwritten digits in float32, export, check that
onnxruntime gives the same labels and probabilities as ``predict`` and
``predict_proba``, and compare how many rows per second each predicts for
a medium-sized network. This example needs the ``onnx`` extra:
``pip install -e ".[onnx]"`` from a clone.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skbp import BackpropClassifier
from skbp.onnx import to_onnx

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

model = make_pipeline(
    StandardScaler(),
    BackpropClassifier(
        hidden_layer_sizes=(64,),
        activation="tanh",
        learning_rate_init=0.01,
        max_iter=60,
        random_state=0,
    ),
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Export
# ------
# :func:`skbp.onnx.to_onnx` takes the fitted pipeline and a sample of its
# input, whose dtype (float32 here) the graph computes in. ``zipmap=False``
# returns the probabilities as one tensor rather than a dictionary per row;
# skl2onnx's own ``skl2onnx.to_onnx`` would do the same once
# :mod:`skbp.onnx` is imported. The result is an ordinary ONNX file.
onx = to_onnx(model, X_train[:1], options={"zipmap": False})
onnx_bytes = onx.SerializeToString()
print(f"ONNX model: {len(onnx_bytes) / 1024:.0f} KiB, operators:")
print(" ".join(node.op_type for node in onx.graph.node))

# %%
# Run it with onnxruntime
# -----------------------
# Labels must agree exactly; probabilities to float32 rounding.
session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
input_name = session.get_inputs()[0].name
labels, proba = session.run(None, {input_name: X_test})

print(f"labels equal to predict: {np.array_equal(labels, model.predict(X_test))}")
difference = np.abs(proba - model.predict_proba(X_test)).max()
print(f"max |onnxruntime - predict_proba|: {difference:.1e}")

# %%
# Predict throughput
# ------------------
# A medium network, 100 inputs, two hidden layers of 256 units and 10
# classes, predicting 50,000 float32 rows at once. One epoch on a few
# thousand rows gives it weights; throughput does not depend on how well it
# is trained. We time each engine on one thread (numpy's BLAS limited with
# threadpoolctl, onnxruntime's ``intra_op_num_threads=1``) and with its
# default threads (all the cores), and keep the best of a few repeats.
rng = np.random.default_rng(0)
X_big = rng.normal(size=(50_000, 100)).astype(np.float32)
y_big = (X_big[:, :10] @ rng.normal(size=(10, 10))).argmax(axis=1)
big = BackpropClassifier(
    hidden_layer_sizes=(256, 256), activation="relu", max_iter=1, random_state=0
)
with warnings.catch_warnings(), threadpool_limits(limits=1):
    warnings.simplefilter("ignore", ConvergenceWarning)
    big.fit(X_big[:2000], y_big[:2000])

big_bytes = to_onnx(big, X_big[:1], options={"zipmap": False}).SerializeToString()


def best_time(predict, repeats=3):
    """Best wall-clock time of ``predict()`` over ``repeats`` calls."""
    predict()  # warm-up: first-call allocations, thread start-up
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict()
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def ort_session(threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # 0: onnxruntime's default, all cores
    return ort.InferenceSession(big_bytes, options, providers=["CPUExecutionProvider"])


rows_per_second = {}
for threads, label in [(1, "1 thread"), (None, "all cores")]:
    with threadpool_limits(limits=threads):
        seconds = best_time(lambda: big.predict_proba(X_big))
    rows_per_second["skbp", label] = len(X_big) / seconds

    session = ort_session(threads or 0)
    name = session.get_inputs()[0].name
    seconds = best_time(
        lambda session=session, name=name: session.run(None, {name: X_big})
    )
    rows_per_second["onnxruntime", label] = len(X_big) / seconds

_, big_proba = ort_session(0).run(None, {name: X_big})
difference = np.abs(big_proba - big.predict_proba(X_big)).max()
print(f"max |onnxruntime - predict_proba| on 50,000 rows: {difference:.1e}")
print(f"{'':12} {'1 thread':>14} {'all cores':>14}   (rows/s)")
for engine in ("skbp", "onnxruntime"):
    row = [rows_per_second[engine, label] for label in ("1 thread", "all cores")]
    print(f"{engine:12} {row[0]:14,.0f} {row[1]:14,.0f}")

# %%
# The same numbers as a chart. They are from one run on one, possibly busy,
# machine: read them as an order of magnitude, not a benchmark.
fig, ax = plt.subplots(figsize=(6, 3.5))
width = 0.38
positions = np.arange(2)
for offset, engine in [(-width / 2, "skbp"), (width / 2, "onnxruntime")]:
    values = [rows_per_second[engine, label] for label in ("1 thread", "all cores")]
    ax.bar(positions + offset, values, width, label=engine)
ax.set_xticks(positions, ["1 thread", "all cores"])
ax.set_ylabel("rows predicted per second")
ax.set_title("predict_proba, 100-256-256-10 network, float32\n(one run, noisy machine)")
ax.legend()
fig.tight_layout()
plt.show()
