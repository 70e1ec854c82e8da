"""
Quickstart
==========

``BackpropClassifier`` is used like scikit-learn's ``MLPClassifier``: here in
a pipeline with feature scaling, on the digits data that ships with
scikit-learn, with its training loss curve.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier
from skbp.plot import LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

model = make_pipeline(
    StandardScaler(),
    BackpropClassifier(
        hidden_layer_sizes=(64,), learning_rate_init=0.01, random_state=0
    ),
)
model.fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# The loss of each epoch, ``loss_curve_`` as ``MLPClassifier`` records it,
# drawn by :class:`skbp.plot.LossCurveDisplay` (a pipeline is accepted: its
# last step is plotted).
display = LossCurveDisplay.from_estimator(model)
display.ax_.set(ylabel="log-loss", yscale="log", title="Training loss")
plt.show()
