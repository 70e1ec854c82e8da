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
a medium-sized network on one thread. This example needs the ``onnx`` extra:
``pip install -e ".[onnx]"`` from a clone.
"""

import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from matplotlib.ticker import StrMethodFormatter
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skbp import BackpropClassifier, kernel_choices
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
# classes, predicting 20,000 float32 rows at once. One epoch on a few
# thousand rows gives it weights; throughput does not depend on how well it
# is trained. Each engine runs on one thread (numpy's BLAS limited with
# threadpoolctl, onnxruntime's ``intra_op_num_threads=1``): with a thread
# per core, a prediction measures how busy the machine is more than the
# engine (on a busy 2-core machine, skbp predicted 4 times as slowly on two
# threads as on one). Each is timed a few times after a warm-up call, by the
# CPU time a call takes, which other programs on the machine change far
# less than the time on the clock.
rng = np.random.default_rng(0)
X_big = rng.normal(size=(20_000, 100)).astype(np.float32)
y_big = (X_big[:, :10] @ rng.normal(size=(10, 10))).argmax(axis=1)
big = BackpropClassifier(
    hidden_layer_sizes=(256, 256), activation="relu", max_iter=1, random_state=0
)
with warnings.catch_warnings(), threadpool_limits(limits=1):
    warnings.simplefilter("ignore", ConvergenceWarning)
    big.fit(X_big[:2000], y_big[:2000])

big_bytes = to_onnx(big, X_big[:1], options={"zipmap": False}).SerializeToString()
options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(big_bytes, options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name


def rows_per_second(predict, repeats=5):
    """Rows per CPU second of ``predict()`` in each of ``repeats`` calls."""
    predict()  # warm-up: first-call allocations
    rates = []
    for _ in range(repeats):
        started = time.process_time()
        predict()
        rates.append(len(X_big) / (time.process_time() - started))
    return np.array(rates)


def machine():
    """The CPU the timings ran on: model, number of CPUs and CPU class."""
    choices = kernel_choices()
    return f"{choices['machine']}, class {choices['cpu_class']}"


with threadpool_limits(limits=1):
    rates = {
        "skbp": rows_per_second(lambda: big.predict_proba(X_big)),
        "onnxruntime": rows_per_second(lambda: session.run(None, {name: X_big})),
    }
    _, big_proba = session.run(None, {name: X_big})
    difference = np.abs(big_proba - big.predict_proba(X_big)).max()
print(f"max |onnxruntime - predict_proba| on 20,000 rows: {difference:.1e}")
print(f"5 calls each, 1 thread, on {machine()}")
print(f"{'rows per CPU s':14} {'slowest':>10} {'median':>10} {'fastest':>10}")
for engine, rate in rates.items():
    low, middle, high = np.percentile(rate, [0, 50, 100])
    print(f"{engine:14} {low:10,.0f} {middle:10,.0f} {high:10,.0f}")

# %%
# The same numbers as a chart: the median call, with a line from the slowest
# to the fastest. On one thread the two engines do about the same work (the
# same matrix products, in float32); onnxruntime's gain is that it runs
# where Python does not.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
median = np.array([np.median(rate) for rate in rates.values()])
spread = [
    median - [rate.min() for rate in rates.values()],
    [rate.max() for rate in rates.values()] - median,
]
ax.bar(list(rates), median, color=["C0", "C1"])
ax.errorbar([0, 1], median, yerr=spread, fmt="none", ecolor="k", capsize=6)
ax.set_ylabel("rows predicted per CPU second\n(median of 5; line: slowest to fastest)")
ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
ax.set_xlabel(machine())
ax.set_title("predict_proba, 100-256-256-10 network, float32, 1 thread")
plt.show()
