"""
Mazur's worked example, step by step
====================================

The 2-2-2 network of Matt Mazur's "A Step by Step Backpropagation Example",
whose inputs, targets, weights and learning rate :ref:`mazur-example` lists.
:func:`skbp.worked_examples.mazur_network` returns it unfitted, with its one
training sample. One call to
``trace_step`` performs the forward pass, the backward pass and the update,
and returns every number of it as tables.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from skbp.plot import LossCurveDisplay
from skbp.worked_examples import mazur_network

net, X, y = mazur_network()

# %%
# The settings that make it Mazur's network. He numbers the weights per
# receiving unit (:math:`w_1, w_2` into :math:`h_1`), so each unit's incoming
# weights are a *column* of ``coefs_init``: ``[[w1, w3], [w2, w4]]`` and
# ``[[w5, w7], [w6, w8]]``.
# ``fit_intercept=False`` keeps the biases at ``intercepts_init``.
params = net.get_params()
for name in (
    "hidden_layer_sizes",
    "activation",
    "out_activation",
    "solver",
    "learning_rate_init",
    "batch_size",
    "fit_intercept",
    "coefs_init",
    "intercepts_init",
):
    print(f"{name:<19}{params[name]}")

# %%
# One training step, traced.
pd.set_option("display.precision", 9)  # Mazur prints nine decimals
trace = net.trace_step(X, y)

# %%
# Forward pass: net input and output of every unit (:math:`h_1, h_2, o_1,
# o_2`).
print(trace.forward)

# %%
# The total error before the step,
# :math:`E_{total} = \sum_k \tfrac12 (\mathrm{target}_k - \mathrm{out}_k)^2`.
print(f"E_total = {trace.loss:.9f}")

# %%
# Backward pass: :math:`\delta = \partial E / \partial \mathrm{net}` of every
# unit; :math:`\delta_{o1} = 0.138498562`.
print(trace.backward)

# %%
# Gradients and updated weights. The row ``layer 2, from 0, to 0`` is
# :math:`w_5`: :math:`\partial E / \partial w_5 = 0.082167041` and
# :math:`w_5^+ = 0.35891648`.
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
# first): from 0.298371109 down to about 0.000035.
display = LossCurveDisplay.from_estimator(net, name="Mazur's example")
display.ax_.set(
    xscale="log", yscale="log", xlabel="step", ylabel="E_total", title="Online SGD"
)
plt.show()
