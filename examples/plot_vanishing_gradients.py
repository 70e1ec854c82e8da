r"""
Vanishing gradients: logistic against tanh and relu units
==========================================================

The backpropagation lesson of Udacity's deep-learning course (see
:ref:`worked-examples`) ends its hand calculation with a warning: the
derivative of the sigmoid is at most 1/4, so each layer the error travels
back through shrinks it by at least 75%, two layers by at least 93.75%; in
a network with many layers the weights near the input hardly move. That is
the vanishing gradient.

Backpropagation makes the reason visible. The :math:`\delta` of a hidden
layer is the :math:`\delta` of the layer above, sent back through the
weights and multiplied by the derivative of the units (the notation of the
:ref:`user guide <backprop-math>`),

.. math:: \delta^{(l)} = \big(\delta^{(l+1)} {W^{(l+1)}}^{\mathsf T}\big)
   \odot \sigma'\big(\mathrm{net}^{(l)}\big), \qquad
   \frac{\partial E}{\partial W^{(l)}} = {a^{(l-1)}}^{\mathsf T} \delta^{(l)},

and with logistic units every step back multiplies by
:math:`\sigma'(\mathrm{net}) = \mathrm{out}(1 - \mathrm{out}) \le 1/4`.
tanh units have derivative :math:`1 - \mathrm{out}^2`, which is 1 at zero;
relu units pass :math:`\delta` through unchanged wherever they are
active.

Here we train networks with five hidden layers of 32 units on the digits
data, once per activation, and compare the gradient norm of every layer of
weights. ``history_`` records it for each epoch (``grad_norm_1`` is the
layer next to the input).
"""

import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier
from skbp.plot import GradientNormDisplay

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

hidden_layer_sizes = (32,) * 5
activations = ["logistic", "tanh", "relu"]
nets = {}
with warnings.catch_warnings():
    # A few epochs are enough to see the gradients; the fits are not finished.
    warnings.simplefilter("ignore", ConvergenceWarning)
    for activation in activations:
        nets[activation] = BackpropClassifier(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver="sgd",
            learning_rate_init=0.01,
            max_iter=20,
            random_state=0,
        ).fit(X, y)

# %%
# The gradient norm of each layer in the first epoch, input side on the left.
# With logistic units it falls by a factor of 6 to 7 per hidden layer toward
# the input (less between layers 2 and 1: the scaled inputs are larger than
# the logistic outputs, and :math:`\partial E / \partial W^{(1)}` is made of
# them), so the first layer's
# gradient is thousands of times smaller than the last one's. With tanh and
# relu all layers get gradients of about the same size.
first_epoch = pd.DataFrame(
    {
        activation: net.history_.filter(like="grad_norm_").iloc[0].to_numpy()
        for activation, net in nets.items()
    },
    index=pd.RangeIndex(1, len(hidden_layer_sizes) + 2, name="layer"),
)
with pd.option_context("display.float_format", "{:.2e}".format):
    print("gradient norm ||dE/dW|| per layer, first epoch:")
    print(first_epoch.T)
print()
print("training accuracy:")
for activation, net in nets.items():
    print(f"  {activation:<8} {net.score(X, y):.3f} after {net.n_iter_} epochs")

# %%
# Plotted against depth, on a log scale. The dashed line falls by the factor
# 1/4 per layer that :math:`\sigma' \le 1/4` alone would cost. The logistic
# network falls faster still: its units sit near
# :math:`\mathrm{out} = 0.5`, where :math:`\sigma'` is close to its maximum
# 1/4, and sending :math:`\delta` back through the small Glorot initial
# weights (drawn from :math:`\pm\sqrt{2 / (32 + 32)} \approx \pm 0.18` for
# logistic units) shrinks it by a further factor of about 1.5 to 2.
layers = first_epoch.index.to_numpy()
fig, ax = plt.subplots()
for activation in activations:
    ax.plot(layers, first_epoch[activation], marker="o", label=activation)
last = first_epoch["logistic"].iloc[-1]
ax.plot(
    layers,
    last * 0.25 ** (layers[-1] - layers),
    color="gray",
    linestyle="--",
    label="× 1/4 per layer (σ' ≤ 1/4)",
)
ax.set(
    yscale="log",
    xticks=layers,
    xlabel="layer of weights (1 = input -> hidden 1, 6 = hidden 5 -> output)",
    ylabel="gradient norm ‖∂E/∂W‖, first epoch",
    title="Gradient norm against depth",
)
ax.legend()
plt.show()

# %%
# The same numbers over the epochs, for the logistic network:
# ``GradientNormDisplay`` draws one line per layer from ``history_``. The
# lines stay apart by the same factors while the network trains, and the
# training accuracy above shows what that costs: the logistic network has
# barely started to learn (its training loss stopped improving before the
# 20 epochs were up), while tanh and relu have.
fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
display = GradientNormDisplay.from_estimator(nets["logistic"], ax=ax, name="logistic")
ax.set_title("Gradient norm of each layer, logistic units")
# The six lines span the plot from top to bottom, so a legend inside it
# would cover one of them; it goes to the right of the axes instead, listed
# from layer 6 down, the order in which the lines are stacked.
handles, labels = ax.get_legend_handles_labels()
ax.legend(
    handles[::-1],
    labels[::-1],
    title="logistic",
    loc="upper left",
    bbox_to_anchor=(1.02, 1),
)
plt.show()

# %%
# Averaged over all epochs the picture is the same.
mean_norms = pd.DataFrame(
    {
        activation: net.history_.filter(like="grad_norm_").mean().to_numpy()
        for activation, net in nets.items()
    },
    index=first_epoch.index,
)
ratio = mean_norms.iloc[-1] / mean_norms.iloc[0]
per_layer = ratio ** (1 / (len(mean_norms) - 1))
print()
print("gradient norm, last layer / first layer, mean over epochs:")
print(
    pd.DataFrame({"total": ratio, "per layer": per_layer})
    .apply(lambda column: column.map("{:.1f}x".format))
    .to_string()
)
