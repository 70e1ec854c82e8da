"""Mazur's worked example as printed: the reference numbers the tests hold skbp to.

Independent of skbp: typed from Mazur's picture and text (and the retelling
in ../shared/seeds/003), shared by the test files that check against them;
``mazur_step`` computes the numbers of his first step that he does not print
from his formulas.
"""

import numpy as np

# Mazur's picture: w1: i1->h1, w2: i2->h1, w3: i1->h2, w4: i2->h2,
# w5: h1->o1, w6: h2->o1, w7: h1->o2, w8: h2->o2, so (layer, from, to) with
# the weight ``coefs_[layer - 1][from, to]``:
MAZUR_WEIGHTS = {
    "w1": (1, 0, 0),
    "w2": (1, 1, 0),
    "w3": (1, 0, 1),
    "w4": (1, 1, 1),
    "w5": (2, 0, 0),
    "w6": (2, 1, 0),
    "w7": (2, 0, 1),
    "w8": (2, 1, 1),
}
MAZUR_INITIAL = dict(w1=0.15, w2=0.2, w3=0.25, w4=0.3, w5=0.4, w6=0.45, w7=0.5, w8=0.55)
MAZUR_X = [[0.05, 0.10]]
MAZUR_Y = [[0.01, 0.99]]
# Mazur's "w_i+" after one step, as printed (the retelling in seeds/003).
MAZUR_NEW_WEIGHTS = dict(
    w1="0.149780716",
    w2="0.19956143",
    w3="0.24975114",
    w4="0.29950229",
    w5="0.35891648",
    w6="0.408666186",
    w7="0.511301270",
    w8="0.561370121",
)
MAZUR_BIASES = (0.35, 0.6)
MAZUR_LEARNING_RATE = 0.5

# Every other number his text (seeds/003) and the notebook retelling
# (seeds/002, 17 significant digits) print for the first step, keyed as the
# trace's tables locate them: ("forward", layer, unit, column),
# ("backward", layer, unit, "delta"), ("updates", weight name, column).
MAZUR_PRINTED = {
    ("forward", 1, 0, "net_input"): "0.3775",
    ("forward", 1, 1, "net_input"): "0.39249999999999996",
    ("forward", 1, 0, "output"): "0.593269992",
    ("forward", 1, 1, "output"): "0.596884378",
    ("forward", 2, 0, "net_input"): "1.105905967",
    ("forward", 2, 1, "net_input"): "1.2249214040964653",
    ("forward", 2, 0, "output"): "0.75136507",
    ("forward", 2, 1, "output"): "0.772928465",
    ("backward", 2, 0, "delta"): "0.138498562",
    ("updates", "w1", "gradient"): "0.000438568",
    ("updates", "w5", "gradient"): "0.082167041",
    **{
        ("updates", name, "new_weight"): printed
        for name, printed in MAZUR_NEW_WEIGHTS.items()
    },
}
MAZUR_PRINTED_LOSS = "0.298371109"


def mazur_step():
    """Mazur's first step from his formulas, in numpy float64.

    Independent of skbp: the forward pass, E = ½Σ(target − out)², the
    output and hidden δ and the update w⁺ = w − η ∂E/∂w as his text derives
    them, for his one sample, with the biases held fixed.

    Returns
    -------
    step : dict
        ``net``, ``out`` and ``delta``: one array per layer (hidden, output);
        ``coefs``, ``gradients`` and ``new_coefs``: one (n_in, n_out) array
        per layer, ``coefs_[layer - 1][from, to]`` as in MAZUR_WEIGHTS;
        ``loss``: E before the step.
    """
    coefs = [np.zeros((2, 2)), np.zeros((2, 2))]
    for name, (layer, j, k) in MAZUR_WEIGHTS.items():
        coefs[layer - 1][j, k] = MAZUR_INITIAL[name]
    x, target = np.asarray(MAZUR_X[0]), np.asarray(MAZUR_Y[0])
    net, out, a = [], [], x
    for W, b in zip(coefs, MAZUR_BIASES):
        net.append(a @ W + b)
        out.append(1 / (1 + np.exp(-net[-1])))
        a = out[-1]
    loss = 0.5 * np.sum((target - out[1]) ** 2)
    delta_o = (out[1] - target) * out[1] * (1 - out[1])
    delta_h = (coefs[1] @ delta_o) * out[0] * (1 - out[0])
    gradients = [np.outer(x, delta_h), np.outer(out[0], delta_o)]
    return {
        "net": net,
        "out": out,
        "delta": [delta_h, delta_o],
        "loss": loss,
        "coefs": coefs,
        "gradients": gradients,
        "new_coefs": [
            W - MAZUR_LEARNING_RATE * g for W, g in zip(coefs, gradients, strict=True)
        ],
    }
