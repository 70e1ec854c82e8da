"""
What the hidden units learn: the two moons
==========================================

A network with two inputs can be watched unit by unit, as TensorFlow
Playground shows it: every hidden unit's output is a function of the input
plane, drawn as an image, the hidden layers from left to right; the
network's output over the same plane is on the right, in lighter colours,
with the data on it in the full colours of their classes.
:class:`skbp.plot.HiddenUnitsDisplay` draws them, and titles the figure with
how long the network has trained.

Here a network with 6 logistic hidden units learns the two moons. Each
logistic unit is a soft step across a line of the plane (where its net
input is 0); the output unit combines the six steps into the curved
boundary between the moons.
"""

import copy

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation
from sklearn.datasets import make_moons

from skbp import BackpropClassifier
from skbp.plot import HiddenUnitsDisplay

X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
clf = BackpropClassifier(
    hidden_layer_sizes=(6,),
    activation="logistic",
    solver="adam",
    learning_rate_init=0.05,
    random_state=0,
)

# %%
# Before training
# ---------------
# One epoch of ``partial_fit`` fits the network (``classes`` tells it both
# classes): the units are still near their random starting weights, gentle
# slopes at random angles, and the output hardly depends on the input.
clf.partial_fit(X, y, classes=[0, 1])
disp = HiddenUnitsDisplay.from_estimator(clf, X, y)

# %%
# Training
# --------
# 600 more epochs of ``partial_fit`` (each one step of Adam on the whole
# set), keeping a copy of the network every 30 epochs for the animation
# below.
EPOCHS_PER_FRAME = 30
snapshots = [copy.deepcopy(clf)]
for _ in range(20):
    for _ in range(EPOCHS_PER_FRAME):
        clf.partial_fit(X, y)
    snapshots.append(copy.deepcopy(clf))
print(f"training accuracy after {clf.t_ // len(X)} epochs: {clf.score(X, y):.3f}")

# %%
# After training
# --------------
# The units have become sharper steps, each along one stretch of the
# boundary; the output is high where the right combination of them is.
# A point whose colour differs from the map's hue around it is one the
# network gets wrong.
disp = HiddenUnitsDisplay.from_estimator(clf, X, y)

# %%
# Training, animated
# ------------------
# :meth:`~skbp.plot.HiddenUnitsDisplay.update` puts a network's current
# units, output and training time into a display's images and title; each
# frame of the animation updates the display with one of the copies kept
# while training (on a coarser grid, which draws faster).
disp = HiddenUnitsDisplay.from_estimator(snapshots[0], X, y, grid_resolution=50)


def draw_frame(frame):
    return disp.update(snapshots[frame])


animation = FuncAnimation(
    disp.figure_, draw_frame, frames=len(snapshots), interval=200, repeat_delay=1500
)
plt.show()
