"""
Seed 003's worked example, step by step
=======================================

The 2-2-2 network of the classic hand calculation: inputs (0.05, 0.10),
targets (0.01, 0.99), sigmoid units, weights w1..w8 = 0.15 ... 0.55, biases
b1 = 0.35 and b2 = 0.6 held fixed, learning rate 0.5. One call to
``trace_step`` performs the forward pass, the backward pass and the update,
and returns every number of it as tables.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropRegressor
from skbp.plot import LossCurveDisplay

net = BackpropRegressor(
    hidden_layer_sizes=(2,),
    activation="sigmoid",
    out_activation="sigmoid",
    solver="sgd",
    learning_rate_init=0.5,
    momentum=0,
    alpha=0,
    batch_size=1,
    shuffle=False,
    fit_intercept=False,
    intercepts_init=[[0.35, 0.35], [0.6, 0.6]],
    coefs_init=[[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
)
X, y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
pd.set_option("display.precision", 9)  # the seed prints nine decimals
trace = net.trace_step(X, y)

# %%
# Forward pass: net input and output of every unit (h1, h2, o1, o2).
print(trace.forward)

# %%
# The total error before the step, E = ½Σ(target − out)².
print(f"E_total = {trace.loss:.9f}")

# %%
# Backward pass: δ = ∂E/∂net of every unit. δ_o1 = 0.138498562.
print(trace.backward)

# %%
# Gradients and updated weights. The row ``layer 2, from 0, to 0`` is w5:
# ∂E/∂w5 = 0.082167041 and w5⁺ = 0.35891648.
print(trace.updates)

# %%
# Keep training: after 10000 online steps the outputs approach the targets.
# ``warm_start`` continues from the traced step's weights.
net.set_params(max_iter=9999, tol=0, n_iter_no_change=np.inf, warm_start=True)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    net.fit(X, y)
print("outputs after 10000 steps:", net.predict(X).round(6))
print(f"E_total after 10000 steps: {0.5 * np.sum((y - net.predict(X)) ** 2):.9f}")

# %%
# ``loss_curve_`` holds E before each of the 10000 steps (the traced one
# first): from 0.298371109 down to the seed's "about 0.000035".
display = LossCurveDisplay.from_estimator(net, name="seed 003")
display.ax_.set(
    xscale="log", yscale="log", xlabel="step", ylabel="E_total", title="Online SGD"
)
plt.show()
