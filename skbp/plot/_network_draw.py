"""The artists of a network drawing: edges, units, bias units and their labels.

Each function draws one kind of artist on the axes at the places a
``Layout`` gives and returns the artists, keyed as ``NetworkDisplay``
documents them.
"""

import numpy as np

from ._network_layout import UNIT_SIZE

_UNIT_COLORS = {"input": "#d6e6f4", "hidden": "#eeeeee", "output": "#fdd9b5"}
_BIAS_COLOR = "#fafafa"


def draw_edges(ax, layout, values_of, cmap, norm, max_linewidth, fit_intercept):
    """One line per edge, its width ∝ ``|w|`` and its colour ``cmap(norm(w))``."""
    largest = norm.vmax
    edges = {}
    for key, w in values_of.items():
        (x0, y0), (x1, y1) = layout.edge_ends(key)
        (line,) = ax.plot(
            [x0, x1],
            [y0, y1],
            color=cmap(norm(w)),
            linewidth=max_linewidth * abs(w) / largest,
            solid_capstyle="butt",
            # Intercepts held fixed are no weights of training.
            linestyle="--" if key[1] is None and not fit_intercept else "-",
            # The strongest edges are drawn on top.
            zorder=1.0 + abs(w) / largest,
        )
        edges[key] = line
    return edges


def draw_units(ax, layout, names, max_labeled_units):
    """The circles of every layer, and the names of the units of small layers."""
    units, unit_names = [], {}
    for layer, n in enumerate(layout.layer_units):
        kind = "input" if layer == 0 else "output" if layer == layout.L else "hidden"
        units.append(
            ax.scatter(
                np.full(n, float(layer)),
                layout.ys[layer],
                s=layout.sizes[layer] ** 2,
                facecolor=_UNIT_COLORS[kind],
                edgecolor="black",
                linewidth=1.0,
                zorder=4,
            )
        )
        if n <= max_labeled_units:
            for unit in range(n):
                unit_names[layer, unit] = ax.text(
                    layer,
                    layout.ys[layer][unit],
                    names[layer][unit],
                    ha="center",
                    va="center",
                    fontsize=9,
                    zorder=5,
                )
    return units, unit_names


def draw_bias_units(ax, layout, bias_mode, intercepts, edges, fmt):
    """The ``+1`` bias units with a drawn edge; a shared value labels its unit."""
    bias_units, bias_labels = {}, {}
    for layer, mode in bias_mode.items():
        if not any(key[0] == layer and key[1] is None for key in edges):
            continue
        x, y = layout.position(layer, None)
        bias_units[layer] = ax.scatter(
            [x],
            [y],
            s=UNIT_SIZE**2,
            facecolor=_BIAS_COLOR,
            edgecolor="0.4",
            linestyle="--",
            zorder=4,
        )
        ax.text(x, y, "+1", ha="center", va="center", fontsize=9, zorder=5)
        if mode == "shared":
            value = format(intercepts[layer - 1][0], fmt)
            bias_labels[layer] = ax.annotate(
                f"b{layer} = {value}",
                (x, y),
                xytext=(0, -UNIT_SIZE / 2 - 3),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=9,
            )
    return bias_units, bias_labels


def draw_unit_labels(ax, layout, values, fmt):
    """Net input, output, mask factor and δ beside every unit of layers 1 ... L."""
    labels = {}
    for (layer, unit), (net, out, delta, mask) in values.items():
        at_output = layer == layout.L
        lines = [f"net = {net:{fmt}}", f"out = {out:{fmt}}"]
        if mask is not None and not at_output:
            # What the next layer received: out · m (0: dropped).
            lines.append(f"m = {mask:{fmt}}")
        lines.append(f"δ = {delta:{fmt}}")
        offset = (UNIT_SIZE / 2 + 4, 0) if at_output else (0, 17)
        labels[layer, unit] = ax.annotate(
            "\n".join(lines),
            layout.position(layer, unit),
            xytext=offset,
            textcoords="offset points",
            ha="left" if at_output else "center",
            va="center" if at_output else "bottom",
            fontsize=8,
            color="0.15",
            zorder=6,
            bbox={"boxstyle": "round,pad=0.2", "fc": "#fff8e6", "ec": "0.7"},
        )
    return labels


def draw_edge_labels(ax, texts):
    """The edge labels, at the origin until ``place_edge_labels`` moves them."""
    return {
        key: ax.text(
            0.0,
            0.0,
            text,
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
        )
        for key, text in texts.items()
    }
