"""The artists of a network drawing: edges, units, bias units and their labels.

Each function draws one kind of artist at the places a ``Layout`` gives
(data coordinates are points) and returns the artists, keyed as
``NetworkDisplay`` documents them. ``scale`` shrinks every text and marker
alike when the drawing is fitted into smaller axes than it asked for.
"""

import numpy as np

from ._network_layout import (
    BIAS_SIZE,
    CARD_PAD,
    LABEL_FONT,
    MARGIN,
    NAME_FONT,
    TITLE_FONT,
)

_UNIT_COLORS = {"input": "#d6e6f4", "hidden": "#eeeeee", "output": "#fdd9b5"}
_BIAS_COLOR = "#fafafa"


def _card_marker(width, height):
    """A rectangle marker of the card's proportions, and its ``s`` (points²).

    matplotlib scales a marker's path so that its largest half-extent is 0.5
    of the marker size, the square root of ``s``.
    """
    from matplotlib.path import Path

    side = max(width, height)
    w, h = width / side / 2, height / side / 2
    path = Path([(-w, -h), (w, -h), (w, h), (-w, h), (-w, -h)], closed=True)
    return path, side**2


def draw_edges(ax, paths, values_of, cmap, norm, max_linewidth, fit_intercept, guides):
    """One line per edge, its width ∝ ``|w|`` and its colour ``cmap(norm(w))``.

    With ``guides``, a thin grey line under every edge keeps the way from a
    label to its units visible where the weight is near 0, its edge thin and
    nearly white.
    """
    largest = norm.vmax
    edges = {}
    for key, w in values_of.items():
        xs, ys = paths[key]
        # Intercepts held fixed are no weights of training.
        style = "--" if key[1] is None and not fit_intercept else "-"
        if guides:
            ax.plot(xs, ys, color="0.72", linewidth=0.6, linestyle=style, zorder=0.9)
        (line,) = ax.plot(
            xs,
            ys,
            color=cmap(norm(w)),
            linewidth=max_linewidth * abs(w) / largest,
            solid_capstyle="butt",
            solid_joinstyle="round",
            linestyle=style,
            # The strongest edges are drawn on top.
            zorder=1.0 + abs(w) / largest,
        )
        edges[key] = line
    return edges


def draw_units(ax, layout, names, shown, cards, scale):
    """Every layer's units, their names, and on a traced step their numbers.

    Parameters
    ----------
    names : list of list of str
    shown : list of bool
        Whether a layer's units are named (small enough).
    cards : dict of tuple to str
        The numbers of each unit of a traced step, written in its card
        (``layout.card_layers``) under its name.
    """
    L = len(layout.layer_units) - 1
    units, unit_names, unit_labels = [], {}, {}
    for layer, n in enumerate(layout.layer_units):
        kind = "input" if layer == 0 else "output" if layer == L else "hidden"
        width, height = layout.unit_sizes[layer]
        as_cards = layer in layout.card_layers
        if as_cards:
            marker, size = _card_marker(width * scale, height * scale)
        else:
            marker, size = "o", (width * scale) ** 2
        units.append(
            ax.scatter(
                np.full(n, layout.x[layer]),
                layout.ys[layer],
                s=size,
                marker=marker,
                facecolor=_UNIT_COLORS[kind],
                edgecolor="black",
                linewidth=1.0,
                zorder=4,
            )
        )
        if not shown[layer]:
            continue
        for unit in range(n):
            x, y = layout.x[layer], float(layout.ys[layer][unit])
            style = {"fontsize": NAME_FONT * scale, "zorder": 5}
            if as_cards:
                top = y + height / 2 - CARD_PAD
                unit_names[layer, unit] = ax.text(
                    x, top, names[layer][unit], ha="center", va="top",
                    fontweight="bold", **style,
                )  # fmt: skip
                if (layer, unit) not in cards:
                    continue
                unit_labels[layer, unit] = ax.text(
                    x,
                    y - height / 2 + CARD_PAD,
                    cards[layer, unit],
                    ha="center",
                    va="bottom",
                    multialignment="left",
                    fontsize=LABEL_FONT * scale,
                    color="0.15",
                    zorder=5,
                )
            elif (layer, unit) in layout.name_xy:
                nx, ny, ha, va = layout.name_xy[layer, unit]
                unit_names[layer, unit] = ax.text(
                    nx, ny, names[layer][unit], ha=ha, va=va, **style
                )
            else:
                unit_names[layer, unit] = ax.text(
                    x, y, names[layer][unit], ha="center", va="center", **style
                )
    return units, unit_names, unit_labels


def draw_bias_units(ax, layout, bias_mode, intercepts, fmt, scale):
    """The ``+1`` bias units; a shared, fixed value labels its unit."""
    bias_units, bias_labels = {}, {}
    for layer, (x, y) in layout.bias_xy.items():
        bias_units[layer] = ax.scatter(
            [x],
            [y],
            s=(BIAS_SIZE * scale) ** 2,
            facecolor=_BIAS_COLOR,
            edgecolor="0.4",
            linestyle="--",
            zorder=4,
        )
        ax.text(
            x, y, "+1", ha="center", va="center", fontsize=NAME_FONT * scale, zorder=5
        )
        if bias_mode[layer] == "shared":
            value = format(intercepts[layer - 1][0], fmt)
            bias_labels[layer] = ax.text(
                *layout.bias_label_xy[layer],
                f"b{layer} = {value}",
                ha="center",
                va="top",
                fontsize=NAME_FONT * scale,
                zorder=5,
            )
    return bias_units, bias_labels


def draw_edge_labels(ax, layout, texts, scale):
    """Each edge's label on its row of the label column, over its own edge."""
    return {
        key: ax.text(
            *layout.label_xy[key],
            text,
            ha="center",
            va="center",
            multialignment="center",
            fontsize=LABEL_FONT * scale,
            # Above every edge: the edge that runs through it stays visible
            # on either side.
            zorder=3,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
        )
        for key, text in texts.items()
    }


def draw_colorbar(ax, layout, norm, cmap, label, scale):
    """A horizontal colour bar of the weights, centred in the band at the bottom."""
    import matplotlib as mpl

    width = min(220.0, layout.width - 2 * MARGIN)
    cax = ax.inset_axes(
        [(layout.width - width) / 2, MARGIN + 27.0, width, 6.0],
        transform=ax.transData,
    )
    mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
    colorbar = ax.figure.colorbar(mappable, cax=cax, orientation="horizontal")
    colorbar.set_label(label, fontsize=LABEL_FONT * scale)
    cax.tick_params(labelsize=LABEL_FONT * scale, length=3)
    return colorbar


def fit_drawing(figure, ax, layout, title, sizer):
    """Axes whose data coordinates are the layout's points, and the text scale.

    A figure made here is sized for the drawing and its title, so that one
    data unit is one point. Given axes keep their size: the drawing is
    fitted into them and ``scale`` (at most 1) shrinks texts and markers
    with it.
    """
    title_w, title_h = sizer.size(title, TITLE_FONT) if title else (0.0, -10.0)
    if ax is None:
        width = max(layout.width, title_w + 2 * MARGIN)
        height = layout.height + title_h + 10.0
        figure.set_size_inches(width / 72.0, height / 72.0)
        ax = figure.add_axes(
            [
                (width - layout.width) / 2 / width,
                0.0,
                layout.width / width,
                layout.height / height,
            ]
        )
        scale = 1.0
    else:
        box = ax.get_window_extent()
        points = 72.0 / figure.dpi
        scale = min(
            1.0,
            box.width * points / layout.width,
            (box.height * points - title_h - 10.0) / layout.height,
        )
        scale = max(scale, 0.1)
    ax.set_xlim(0.0, layout.width)
    ax.set_ylim(0.0, layout.height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax, scale
