"""Where a network drawing puts its units, and how large the figure is."""

import numpy as np

# Marker diameter (points) of the units of a layer drawn at unit spacing.
UNIT_SIZE = 30.0


def default_unit_names(layer_units):
    """Names ``i1, i2, ...``, ``h1, ...``, ``o1, ...`` of every layer's units.

    With several hidden layers, unit k of hidden layer l is ``h{l}.{k}``.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input first.

    Returns
    -------
    names : list of list of str
    """
    n_layers = len(layer_units)
    names = []
    for layer, n in enumerate(layer_units):
        if layer == 0:
            prefix = "i"
        elif layer == n_layers - 1:
            prefix = "o"
        else:
            prefix = "h" if n_layers == 3 else f"h{layer}."
        names.append([f"{prefix}{k + 1}" for k in range(n)])
    return names


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


class Layout:
    """Unit positions (data coordinates), marker sizes, limits and figure size.

    Layer l is at x = l; a layer of n units is at spacing ``dy``, squeezed
    into the height of ``max_labeled_units`` units on a large network. The
    labels of one step need the room of two rows.
    """

    def __init__(self, layer_units, *, small, with_numbers, with_masks, has_bias, span):
        self.layer_units = layer_units
        self.with_numbers = with_numbers
        self.L = len(layer_units) - 1
        dy = (2.3 if with_masks else 1.9) if with_numbers else 1.0
        self.ys, self.sizes = [], []
        for n in layer_units:
            spacing = 1.0 if n - 1 <= span else span / (n - 1)
            self.ys.append(dy * ((n - 1) / 2 * spacing - spacing * np.arange(n)))
            self.sizes.append(UNIT_SIZE * min(1.0, max(spacing, 0.25)))
        self.y_bias = -dy * span / 2 - min(dy, 1.3)
        self.top = dy * span / 2 + (1.0 if with_numbers else 0.45)
        self.bottom = (self.y_bias - 0.6) if has_bias else -dy * span / 2 - 0.45
        self.left = -0.4
        self.right = self.L + (0.45 if with_numbers else 0.2)

    def position(self, layer, unit):
        """Data coordinates of a unit; ``unit=None`` is the bias feeding ``layer``."""
        if unit is None:
            return layer - 1.0, self.y_bias
        return float(layer), float(self.ys[layer][unit])

    def edge_ends(self, key):
        """Data coordinates of the two ends of edge ``(layer, from, to)``."""
        layer, j, k = key
        start = self.position(layer, None) if j is None else self.position(layer - 1, j)
        return start, self.position(layer, k)

    def figsize(self, colorbar):
        """Figure size (inches) of a figure made for this network."""
        gap = 3.0 if self.with_numbers else 2.2
        width = 0.4 + gap * (self.right + 0.3) + 1.0 * colorbar
        height = 0.3 + 0.95 * (self.top - self.bottom) + 0.6 * self.with_numbers
        return width, height
