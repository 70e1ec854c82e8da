r"""
Drawing a network: Mazur's 2-2-2 example before and after one step
==================================================================

:class:`skbp.plot.NetworkDisplay` draws a network's units as circles, one
column per layer, and its weights as edges: the width of an edge is
proportional to ``|w|`` and its colour is the sign and size of ``w`` on a
diverging colormap. On a small network every edge is labelled with its
weight and, given the :class:`~skbp.StepTrace` of a training step, with the
weight before and after the step and its gradient, and every unit with its
net input, output and :math:`\delta`.

The labels of the edges between two layers form one column, in Mazur's
order: the edges into the first unit of the next layer, then into the
second, ... Each edge runs from its unit to its own row of the column,
horizontally through its label, and on to the unit it feeds, so that no
edge passes under another edge's label.

Here it draws the network of :ref:`Matt Mazur's worked example
<mazur-example>` as his figure shows it: inputs :math:`i_1, i_2`, hidden
units :math:`h_1, h_2`, outputs :math:`o_1, o_2`, weights
:math:`w_1 \dots w_8` and the biases :math:`b_1, b_2`, which the example
holds fixed.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier
from skbp.plot import NetworkDisplay
from skbp.worked_examples import mazur_network

net, X, y = mazur_network()

# %%
# The published figure
# --------------------
# ``mazur_network`` returns the network unfitted, with the starting weights
# as ``coefs_init`` and ``intercepts_init``; the display's constructor draws
# them. ``weight_names=True`` numbers the weights as Mazur does:
# :math:`w_1, w_2` into :math:`h_1`, :math:`w_3, w_4` into :math:`h_2`, then
# :math:`w_5 \dots w_8` into :math:`o_1, o_2`, which is also the order of
# the label columns. The fixed biases are one bias unit per
# layer (a unit whose output is 1), drawn with dashed edges.
disp = NetworkDisplay(net.coefs_init, net.intercepts_init, fit_intercept=False).plot(
    weight_names=True
)

# %%
# One training step
# -----------------
# ``trace_step`` performs the forward pass, the backward pass and the
# update. Given its trace, the display draws the weights *before* the step,
# with which the step was computed, and labels each edge ``w → w⁺`` and
# ``∂E/∂w``; every unit becomes a card with its ``net``, ``out`` and ``δ``.
# The title says how the optimizer was set: Mazur's :math:`\eta = 0.5` is
# ``learning_rate_init``. ``fmt=".8g"`` writes the digits Mazur's text
# prints: :math:`\partial E / \partial w_5 = 0.082167041`,
# :math:`w_5^+ = 0.35891648`, :math:`\delta_{o1} = 0.13849856`.
trace = net.trace_step(X, y)
print(f"E_total before the step = {trace.loss:.9f}")
disp = NetworkDisplay.from_estimator(net, trace, weight_names=True, fmt=".8g")

# %%
# After the step
# --------------
# Without a trace, ``from_estimator`` draws the estimator's current weights:
# :math:`w_5` has dropped from 0.4 to 0.3589 and :math:`w_7` has grown,
# pushing :math:`o_1` toward its target 0.01 and :math:`o_2` toward 0.99.
disp = NetworkDisplay.from_estimator(net, weight_names=True)

# %%
# A step of a trained classifier
# ------------------------------
# The iris data, four measurements of 150 flowers of three species, and a
# network of three hidden units trained with Adam. Fitted on a DataFrame,
# the inputs take the names of its columns, and the outputs are the classes.
# Intercepts trained with the weights come from a ``+1`` bias unit and are
# labelled like the weights. The title names Adam's settings as they were
# set; the step size of one Adam update is ``learning_rate_init`` times a
# bias correction that changes every step.
iris = load_iris(as_frame=True)
X_iris = StandardScaler().set_output(transform="pandas").fit_transform(iris.data)
y_iris = iris.target_names[iris.target]
clf = BackpropClassifier(hidden_layer_sizes=(3,), max_iter=50, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 50 epochs suffice
    clf.fit(X_iris, y_iris)
disp = NetworkDisplay.from_estimator(clf, clf.trace_step(X_iris[:10], y_iris[:10]))

# %%
# A larger network
# ----------------
# When a layer has more than ``max_labeled_units`` units (8 by default),
# nothing is labelled and each unit keeps only its ``top_edges`` strongest
# incoming edges; the title says how many edges that is. Here a classifier
# with 100 hidden units trained on the 8 x 8 images of handwritten digits:
# the layers too tall to draw at full size are squeezed, and the ten
# outputs are named after their digits. A trace of such a network is
# drawn as its weights before the step, with a warning that its numbers
# are written only on smaller networks; ``trace.updates`` has them all.
X_digits, y_digits = load_digits(return_X_y=True)
digits = BackpropClassifier(hidden_layer_sizes=(100,), max_iter=10, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    digits.fit(X_digits / 16, y_digits)
disp = NetworkDisplay.from_estimator(digits, top_edges=3)
n_params = sum(c.size for c in digits.coefs_) + sum(b.size for b in digits.intercepts_)
print(f"{len(disp.edges_)} of {n_params} weights and intercepts drawn")
plt.show()
