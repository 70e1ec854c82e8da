"""Which edges a network drawing shows, in which order, and their labels' text."""

import numpy as np


def bias_modes(intercepts, fit_intercept):
    """How each layer's intercepts are drawn: ``{layer: "shared" | "edges"}``.

    Intercepts held fixed at one shared value are one labelled bias unit, as
    in Mazur's figure; fixed zeros are no bias at all; other intercepts are
    edges from a ``+1`` bias unit.
    """
    modes = {}
    for layer, b in enumerate(intercepts, start=1):
        if not fit_intercept and not b.any():
            continue
        shared = not fit_intercept and np.all(b == b[0])
        modes[layer] = "shared" if shared else "edges"
    return modes


def candidate_edges(coefs, intercepts, bias_mode):
    """Every edge that may be drawn: ``{(layer, from, to): w}``, intercepts last.

    ``from`` is None for an intercept, the edge from the bias unit.
    """
    values_of = {}
    for layer, W in enumerate(coefs, start=1):
        for j in range(W.shape[0]):
            for k in range(W.shape[1]):
                values_of[layer, j, k] = W[j, k]
        if layer in bias_mode:
            for k in range(W.shape[1]):
                values_of[layer, None, k] = intercepts[layer - 1][k]
    return values_of


def strongest_incoming(values_of, top_edges):
    """The ``top_edges`` edges of largest ``|w|`` into each unit, in their order."""
    into = {}
    for key, w in values_of.items():
        into.setdefault((key[0], key[2]), []).append((abs(w), key))
    keep = set()
    for candidates in into.values():
        candidates.sort(key=lambda c: -c[0])
        keep.update(key for _, key in candidates[:top_edges])
    return {key: w for key, w in values_of.items() if key in keep}


def edge_texts(values_of, bias_mode, numbers, weight_names, fmt, coefs):
    """The label of every edge: its weight, or ``w → w⁺`` and ``∂E/∂w``."""
    # Mazur numbers the weights per receiving unit, layer by layer.
    first = np.cumsum([0] + [W.size for W in coefs])
    texts = {}
    for key, w in values_of.items():
        layer, j, k = key
        if j is None:
            if bias_mode[layer] == "shared":
                continue
            name = "b"
            traced = numbers is not None and numbers.has_intercepts
            if traced:
                new = numbers.new_b[layer - 1][k]
                grad = numbers.gradient_b[layer - 1][k]
        else:
            n_in = coefs[layer - 1].shape[0]
            name = f"w{first[layer - 1] + k * n_in + j + 1}" if weight_names else "w"
            traced = numbers is not None
            if traced:
                new = numbers.new[layer - 1][j, k]
                grad = numbers.gradient[layer - 1][j, k]
        prefix = f"{name} = " if name != "w" else ""
        if traced:
            prefix = f"{name}: " if name != "w" else ""
            texts[key] = f"{prefix}{w:{fmt}} → {new:{fmt}}\n∂E/∂{name} = {grad:{fmt}}"
        else:
            texts[key] = f"{prefix}{w:{fmt}}"
    return texts


def rows_into_units(keys, layer_units):
    """The edges into each unit, in Mazur's order: ``{layer: [[key, ...], ...]}``.

    Layer by layer, unit by unit, the edges into a unit from its first
    sending unit down, the bias last: the order of Mazur's w1, w2, ... and
    of the rows of a label column.
    """
    rows = {
        layer: [[] for _ in range(n)] for layer, n in enumerate(layer_units) if layer
    }
    for key in sorted(keys, key=lambda k: (k[0], k[2], k[1] is None, k[1] or 0)):
        rows[key[0]][key[2]].append(key)
    return rows


def chosen_edges(coefs, intercepts, fit_intercept, top_edges):
    """How the biases are drawn, the drawn edges and the number of candidates.

    ``top_edges`` None draws every edge; else each unit keeps its
    ``top_edges`` incoming edges of largest ``|w|``, its bias included.
    """
    bias_mode = bias_modes(intercepts, fit_intercept)
    values_of = candidate_edges(coefs, intercepts, bias_mode)
    n_candidates = len(values_of)
    if top_edges is not None:
        values_of = strongest_incoming(values_of, top_edges)
    return bias_mode, values_of, n_candidates
