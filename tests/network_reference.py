"""A network written out in numpy, for tests that check skbp against it.

Independent of skbp: the hidden units are the documented formulas, the
forward pass is the textbook one (with dropout masks where given), and the
problems are seeded draws. Shared by the tests of per-layer activations and
of dropout.
"""

import itertools

import numpy as np

UNITS = {
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "identity": lambda z: z,
}
HIDDEN = ["logistic", "tanh", "relu", "leaky_relu", "softplus", "identity"]
# Units whose derivative jumps at 0, and how close a net input may come:
# a step of EPS * max(1, |w|) moves a net input by far less.
KINKED = {"relu", "leaky_relu"}
KINK_MARGIN = 3e-3
# Largest relative error of a right gradient.
TOL = 1e-6
# The central difference's step. Some weights of these problems have
# gradients near 1e-5, against a loss near 3: at check_gradients' default
# step (1e-5) the difference's rounding error, about 1e-16 * E / h, is then
# 1e-6 of the gradient; at 1e-4 it is ten times smaller, and the truncation
# error, O(h**2), stays below 1e-8.
EPS = 1e-4


def problem(seed=0, n=40, n_features=3, hidden=(5, 4), n_outputs=2):
    """Inputs, two smooth targets and seeded weights of a small network."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])[:, :n_outputs]
    units = [n_features, *hidden, n_outputs]
    coefs = [rng.normal(scale=0.5, size=(a, b)) for a, b in itertools.pairwise(units)]
    intercepts = [rng.normal(scale=0.5, size=b) for b in units[1:]]
    return X, y, coefs, intercepts


def forward(X, coefs, intercepts, names, masks=None, output="identity"):
    """Net input and output of every layer, input excluded.

    ``names`` has one unit per hidden layer; with ``masks`` (one per hidden
    layer, None for none), layer l + 1 reads out_l * m_l.
    """
    masks = masks if masks is not None else [None] * len(names)
    nets, outs, a = [], [], X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        z = a @ W + b
        hidden = i < len(coefs) - 1
        out = UNITS[names[i] if hidden else output](z)
        nets.append(z)
        outs.append(out)
        a = out * masks[i] if hidden and masks[i] is not None else out
    return nets, outs


def off_the_kinks(nets, names):
    """Rows whose net inputs into kinked hidden units all keep KINK_MARGIN."""
    keep = np.ones(len(nets[0]), dtype=bool)
    for z, name in zip(nets, names):
        if name in KINKED:
            keep &= (np.abs(z) > KINK_MARGIN).all(axis=1)
    return keep


# f'(net) of each unit, written from its output as skbp's derivatives are.
FROM_OUTPUT = {
    "logistic": lambda out: out * (1 - out),
    "tanh": lambda out: 1 - out**2,
    "relu": lambda out: (out > 0).astype(out.dtype),
    "identity": np.ones_like,
}


def squared_error_gradients(X, y, coefs, intercepts, names, alpha=0.0):
    """∂E/∂coefs and ∂E/∂intercepts of an identity-output network, by hand.

    E = mean over samples of Σ_k ½(y_k − ŷ_k)² + α Σ‖W‖² / (2n), the loss
    and penalty CONTRIBUTING states; textbook backpropagation from the output
    layer down.
    """
    _, outs = forward(X, coefs, intercepts, names)
    n = len(X)
    delta = (outs[-1] - np.reshape(y, (n, -1))) / n
    coef_grads, intercept_grads = [None] * len(coefs), [None] * len(coefs)
    for i in reversed(range(len(coefs))):
        below = X if i == 0 else outs[i - 1]
        coef_grads[i] = below.T @ delta + alpha * coefs[i] / n
        intercept_grads[i] = delta.sum(axis=0)
        if i:
            delta = (delta @ coefs[i].T) * FROM_OUTPUT[names[i - 1]](outs[i - 1])
    return coef_grads, intercept_grads
