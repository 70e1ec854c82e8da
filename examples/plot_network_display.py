"""
Drawing a network: Mazur's 2-2-2 example before and after one step
==================================================================

:class:`skbp.plot.NetworkDisplay` draws a network's units as circles, one
column per layer, and its weights as edges: the width of an edge is
proportional to ``|w|`` and its colour is the sign and size of ``w`` on a
diverging colormap. On a small network every edge is labelled with its
weight and, given the :class:`~skbp.StepTrace` of a training step, with the
weight before and after the step and its gradient, and every unit with its
net input, output and δ.

Here it draws the network of Matt Mazur's "A Step by Step Backpropagation
Example" (see :ref:`worked-examples`) as his figure shows it: inputs i1,
i2, hidden units h1, h2, outputs o1, o2, weights w1 ... w8 and the biases
b1 = 0.35 and b2 = 0.6, which the example holds fixed.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropClassifier
from skbp.plot import NetworkDisplay
from skbp.worked_examples import mazur_network

net, X, y = mazur_network()

# %%
# The published figure
# --------------------
# ``mazur_network`` returns the network unfitted, with the starting weights
# as ``coefs_init`` and ``intercepts_init``; the display's constructor draws
# them. ``weight_names=True`` numbers the weights as Mazur does: w1 and w2
# into h1, w3 and w4 into h2, then w5 ... w8 into o1 and o2. The fixed
# biases are one bias unit per layer (a unit whose output is 1), drawn with
# dashed edges.
disp = NetworkDisplay(net.coefs_init, net.intercepts_init, fit_intercept=False).plot(
    weight_names=True
)

# %%
# One training step
# -----------------
# ``trace_step`` performs the forward pass, the backward pass and the
# update. Given its trace, the display draws the weights *before* the step,
# with which the step was computed, and labels each edge ``w → w⁺`` and
# ``∂E/∂w``, and each unit with ``net``, ``out`` and ``δ``: the numbers of
# Mazur's text (``∂E/∂w5 = 0.08217``, ``w5⁺ = 0.3589``, ``δ_o1 = 0.1385``).
trace = net.trace_step(X, y)
print(f"E_total before the step = {trace.loss:.9f}")
disp = NetworkDisplay.from_estimator(net, trace, weight_names=True)

# %%
# After the step
# --------------
# Without a trace, ``from_estimator`` draws the estimator's current weights:
# w5 has dropped from 0.4 to 0.3589 and w7 has grown, pushing o1 toward its
# target 0.01 and o2 toward 0.99.
disp = NetworkDisplay.from_estimator(net, weight_names=True)

# %%
# A larger network
# ----------------
# When a layer has more than ``max_labeled_units`` units (8 by default),
# nothing is labelled and each unit keeps only its ``top_edges`` strongest
# incoming edges, so that the picture stays readable. Here a classifier with
# 40 hidden units trained on the two moons: its input and bias weights
# appear, and the output's three strongest inputs. Intercepts trained with
# the weights come from a ``+1`` bias unit, drawn like the weights.
X_moons, y_moons = make_moons(n_samples=200, noise=0.2, random_state=0)
clf = BackpropClassifier(
    hidden_layer_sizes=(40,), learning_rate_init=0.05, max_iter=60, random_state=0
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 60 epochs suffice
    clf.fit(X_moons, y_moons)
disp = NetworkDisplay.from_estimator(clf, top_edges=3)
n_params = sum(c.size for c in clf.coefs_) + sum(b.size for b in clf.intercepts_)
print(f"{len(disp.edges_)} of {n_params} weights and intercepts drawn")
plt.show()
