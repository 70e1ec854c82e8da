"""Where a network drawing puts its units, edges and labels, in points.

Every coordinate is in points (1/72 inch), y upward: the sizes of the texts,
measured by the renderer, and the places computed from them share one unit,
and the display draws with data coordinates equal to these points.

A labelled network (``column_layout``) gives each gap between two layers a
column of labels: every edge runs from its unit to its own row of the
column, horizontally through its label, and on to its target unit. The rows
are in Mazur's order (the edges into the first unit of the next layer, from
the first sending unit down, its bias last; then into the second unit ...),
so no edge passes under another edge's label. A larger network
(``plain_layout``) has straight edges and no labels.
"""

import itertools

import numpy as np

# Diameters (points) of a unit's circle and of a bias unit.
UNIT_SIZE = 26.0
BIAS_SIZE = 22.0
# Font sizes (points): 8.5 pt digits are 8.6 px tall at 100 dpi.
NAME_FONT = 9.0
LABEL_FONT = 8.5
TITLE_FONT = 9.5
# A figure made by the display is at most 9 inches wide, which a page about
# 900 px wide shows at 100 dpi without scaling its text down.
MAX_WIDTH = 648.0
MARGIN = 6.0
UNIT_GAP = 12.0
SLOT_GAP = 3.0
GROUP_GAP = 8.0
EMPTY_SLOT = 9.0
COLUMN_MARGIN = 3.0
NAME_GAP = 4.0
CARD_PAD = 4.0
COLORBAR_BAND = 40.0
# The rows of a large network: row spacing, and the height of a squeezed layer.
ROW = 30.0
SQUEEZED_ROW = 4.5
MAX_SQUEEZED_HEIGHT = 450.0
LAYER_GAP = 170.0


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


def fits_in_circle(name):
    """Whether a unit's name is written inside its circle (else beside it)."""
    return len(name) <= 3


def get_renderer(figure):
    """The renderer of a figure, on raster and vector backends alike."""
    try:
        return figure.canvas.get_renderer()
    except AttributeError:
        # Vector backends' canvases have no renderer of their own.
        return figure._get_renderer()


class TextSizer:
    """Sizes (points) of texts as the figure's renderer draws them."""

    def __init__(self, figure):
        self.figure = figure
        self.renderer = get_renderer(figure)
        self.px_per_pt = figure.dpi / 72.0

    def size(self, text, fontsize, **kwargs):
        """Width and height of ``text``, without a box."""
        from matplotlib.text import Text

        if not text:
            return 0.0, 0.0
        artist = Text(0.0, 0.0, text, fontsize=fontsize, **kwargs)
        artist.set_figure(self.figure)
        box = artist.get_window_extent(self.renderer)
        return box.width / self.px_per_pt, box.height / self.px_per_pt

    def box(self, text, fontsize, **kwargs):
        """Width and height of ``text`` in a box of pad 0.2 (as edge labels)."""
        width, height = self.size(text, fontsize, **kwargs)
        pad = 0.4 * fontsize
        return width + pad, height + pad


class Layout:
    """The places of everything drawn, in points, inside ``[0, width]``.

    Attributes
    ----------
    x : list of float
        The x of every layer's units.
    ys : list of ndarray
        The y of every layer's units.
    unit_sizes : list of tuple
        Width and height of every layer's unit marker.
    bias_xy : dict of int to tuple
        Position of the bias unit feeding each layer.
    paths : dict of tuple to tuple of list
        ``(xs, ys)`` of every edge.
    label_xy : dict of tuple to tuple
        Centre of every edge label.
    name_xy : dict of tuple to tuple
        ``(x, y, ha, va)`` of the names written beside their unit.
    bias_label_xy : dict of int to tuple
        Top centre of the label of each shared bias unit.
    width, height : float
        Extent of the drawing, margins and colour-bar band included.
    card_layers : set of int
        The layers whose units are cards rather than circles.
    """

    def __init__(self, layer_units, unit_sizes):
        self.layer_units = layer_units
        self.unit_sizes = unit_sizes
        self.x = [0.0] * len(layer_units)
        self.ys = [np.zeros(n) for n in layer_units]
        self.bias_xy, self.paths, self.label_xy = {}, {}, {}
        self.name_xy, self.bias_label_xy = {}, {}
        self.width = self.height = 0.0
        self.card_layers = set()
        # (x0, y0, x1, y1) of everything that must stay in the drawing.
        self._extents = []

    def _finish(self, bottom_band):
        """Shift everything so that the drawing starts at the margins."""
        boxes = np.array(self._extents)
        x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
        dx, dy = MARGIN - x0, MARGIN + bottom_band - y0
        self.width = boxes[:, 2].max() + dx + MARGIN
        self.height = boxes[:, 3].max() + dy + MARGIN
        self.x = [x + dx for x in self.x]
        self.ys = [y + dy for y in self.ys]
        self.bias_xy = {k: (x + dx, y + dy) for k, (x, y) in self.bias_xy.items()}
        self.paths = {
            k: ([x + dx for x in xs], [y + dy for y in ys])
            for k, (xs, ys) in self.paths.items()
        }
        self.label_xy = {k: (x + dx, y + dy) for k, (x, y) in self.label_xy.items()}
        self.name_xy = {
            k: (x + dx, y + dy, ha, va) for k, (x, y, ha, va) in self.name_xy.items()
        }
        self.bias_label_xy = {
            k: (x + dx, y + dy) for k, (x, y) in self.bias_label_xy.items()
        }
        return self

    def _add_units(self, layer):
        width, height = self.unit_sizes[layer]
        for y in self.ys[layer]:
            self._extents.append(
                (
                    self.x[layer] - width / 2,
                    y - height / 2,
                    self.x[layer] + width / 2,
                    y + height / 2,
                )
            )

    def _add_names(self, outside):
        """Names too long for their circle: left of inputs, right of outputs."""
        last = len(self.layer_units) - 1
        for (layer, unit), (width, height) in outside.items():
            x, y = self.x[layer], float(self.ys[layer][unit])
            half = self.unit_sizes[layer][0] / 2 + NAME_GAP
            if layer == 0:
                place = (x - half, y, "right", "center")
                box = (x - half - width, y - height / 2, x - half, y + height / 2)
            elif layer == last:
                place = (x + half, y, "left", "center")
                box = (x + half, y - height / 2, x + half + width, y + height / 2)
            else:
                top = y + self.unit_sizes[layer][1] / 2 + 2.0
                place = (x, top, "center", "bottom")
                box = (x - width / 2, top, x + width / 2, top + height)
            self.name_xy[layer, unit] = place
            self._extents.append(box)

    def _add_bias(self, layer, y, label_size):
        """The bias unit feeding ``layer``, under layer ``layer - 1`` at ``y``."""
        x = self.x[layer - 1]
        self.bias_xy[layer] = (x, y)
        r = BIAS_SIZE / 2
        self._extents.append((x - r, y - r, x + r, y + r))
        if label_size is not None:
            width, height = label_size
            top = y - r - 2.0
            self.bias_label_xy[layer] = (x, top)
            self._extents.append((x - width / 2, top - height, x + width / 2, top))


def column_layout(
    layer_units, unit_sizes, slots, column_widths, biases, outside, max_width, colorbar
):
    """The layout of a labelled network: a column of labels in every gap.

    Parameters
    ----------
    layer_units : list of int
    unit_sizes : list of tuple
        Width and height of the units of each layer.
    slots : dict of int to list of list of tuple
        For each layer l >= 1, one list per unit k of ``(key, height)``: the
        rows of the edges into k, in order.
    column_widths : dict of int to float
        Width of the label column before layer l.
    biases : dict of int to tuple or None
        The layers fed by a drawn bias unit, with the size of its label.
    outside : dict of tuple to tuple
        Sizes of the names written beside their unit.
    max_width : float
        Width the drawing should not exceed; the space between units and
        columns shrinks to a minimum first.
    colorbar : bool
        Whether to leave room for the colour bar at the bottom.

    Returns
    -------
    layout : Layout
    """
    L = len(layer_units) - 1
    layout = Layout(layer_units, unit_sizes)
    group_heights = {
        layer: [sum(h for _, h in group) for group in groups]
        for layer, groups in slots.items()
    }

    # Inputs (and the first bias unit) spread over the first column's height.
    n0 = layer_units[0]
    rows = n0 + (1 in biases)
    natural = sum(group_heights[1]) + GROUP_GAP * (len(group_heights[1]) - 1)
    spacing = max(unit_sizes[0][1] + UNIT_GAP, natural / max(rows, 1))
    layout.ys[0] = -spacing * np.arange(n0)
    bias_y = {}
    if 1 in biases:
        bias_y[1] = layout.ys[0][-1] - max(
            spacing, (unit_sizes[0][1] + BIAS_SIZE) / 2 + UNIT_GAP
        )

    slot_y, lowest_slot = {}, {}
    for layer in range(1, L + 1):
        sources = list(layout.ys[layer - 1])
        if layer in bias_y:
            sources.append(bias_y[layer])
        centre = (max(sources) + min(sources)) / 2
        heights = group_heights[layer]
        need = unit_sizes[layer][1] + UNIT_GAP
        gaps = [
            max(GROUP_GAP, need - (a + b) / 2) for a, b in itertools.pairwise(heights)
        ]
        cursor = centre + (sum(heights) + sum(gaps)) / 2
        ys = []
        for k, group in enumerate(slots[layer]):
            top = cursor
            for key, h in group:
                slot_y[key] = cursor - h / 2
                cursor -= h
            ys.append((top + cursor) / 2)
            if k < len(gaps):
                cursor -= gaps[k]
        layout.ys[layer] = np.array(ys)
        lowest_slot[layer] = cursor
        if layer + 1 in biases:
            label = biases[layer + 1]
            lowest = min(
                layout.ys[layer][-1] - unit_sizes[layer][1] / 2,
                cursor - (label[1] + 2.0 if label is not None else 0.0),
            )
            bias_y[layer + 1] = lowest - UNIT_GAP - BIAS_SIZE / 2

    # Horizontally: units, then for each gap a fan, the column and a fan.
    left = max((w for (layer, _), (w, _) in outside.items() if layer == 0), default=0)
    right = max((w for (layer, _), (w, _) in outside.items() if layer == L), default=0)
    fixed = (
        2 * MARGIN
        + (left + NAME_GAP if left else 0.0)
        + (right + NAME_GAP if right else 0.0)
        + sum(w for w, _ in unit_sizes)
        + sum(column_widths.values())
    )
    fan_in, fan_out = 34.0, 22.0
    spare = max(max_width - fixed - L * (fan_in + fan_out), 0.0) / L
    # Split 3:2: the edges leaving units cross each other, those reaching a
    # unit converge without crossing.
    spare = min(spare, 160.0)
    fan_in += 0.6 * spare
    fan_out += 0.4 * spare

    layout.x[0] = 0.0
    columns = {}
    for layer in range(1, L + 1):
        start = layout.x[layer - 1] + unit_sizes[layer - 1][0] / 2 + fan_in
        columns[layer] = (start, start + column_widths[layer])
        layout.x[layer] = columns[layer][1] + fan_out + unit_sizes[layer][0] / 2
    for layer in range(L + 1):
        layout._add_units(layer)
    for layer, y in bias_y.items():
        layout._add_bias(layer, y, biases[layer])
    layout._add_names(outside)

    for layer in range(1, L + 1):
        x0 = layout.x[layer - 1]
        x1 = layout.x[layer]
        inner = x1 - unit_sizes[layer][0] / 2
        c0, c1 = columns[layer]
        for k, group in enumerate(slots[layer]):
            y1 = float(layout.ys[layer][k])
            for key, h in group:
                j = key[1]
                if j is None:
                    (bx, by), port = layout.bias_xy[layer], x0 + BIAS_SIZE / 2
                else:
                    bx, by = x0, float(layout.ys[layer - 1][j])
                    port = x0 + unit_sizes[layer - 1][0] / 2
                y = slot_y[key]
                layout.paths[key] = (
                    [bx, port, c0, c1, inner, x1],
                    [by, by, y, y, y1, y1],
                )
                layout.label_xy[key] = ((c0 + c1) / 2, y)
                layout._extents.append((c0, y - h / 2, c1, y + h / 2))
    return layout._finish(COLORBAR_BAND if colorbar else 0.0)


def _plain_height(layer_units, max_labeled_units):
    """Height of the tallest layer of a large network; taller ones are squeezed."""
    largest = max(layer_units)
    return max(
        ROW * (min(largest, max_labeled_units) - 1),
        min(SQUEEZED_ROW * (largest - 1), MAX_SQUEEZED_HEIGHT),
    )


def named_layers(layer_units, max_labeled_units):
    """Whether each layer's units are named: every layer not squeezed."""
    if max(layer_units) <= max_labeled_units:
        return [True] * len(layer_units)
    height = _plain_height(layer_units, max_labeled_units)
    return [(n - 1) * ROW <= height for n in layer_units]


def plain_layout(
    layer_units, max_labeled_units, edge_keys, bias_layers, outside, colorbar
):
    """The layout of a large network: straight edges, large layers squeezed.

    Parameters
    ----------
    layer_units : list of int
    max_labeled_units : int
        Layers of more units are squeezed into the height of the tallest
        layer of at most that many units.
    edge_keys : iterable of tuple
        The drawn edges.
    bias_layers : dict of int to tuple or None
        The layers fed by a drawn bias unit, with the size of its label.
    outside : dict of tuple to tuple
        Sizes of the names written beside their unit.
    colorbar : bool
        Whether to leave room for the colour bar at the bottom.

    Returns
    -------
    layout : Layout
        ``unit_sizes`` holds each layer's circle diameter twice.
    """
    height = _plain_height(layer_units, max_labeled_units)
    sizes, ys = [], []
    for n in layer_units:
        spacing = ROW if (n - 1) * ROW <= height else height / (n - 1)
        ys.append((n - 1) / 2 * spacing - spacing * np.arange(n))
        # Circles of a squeezed layer shrink with its spacing, never touching.
        diameter = min(UNIT_SIZE, 0.87 * spacing)
        sizes.append((diameter, diameter))
    layout = Layout(layer_units, sizes)
    layout.ys = ys
    layout.x = [LAYER_GAP * layer for layer in range(len(layer_units))]
    for layer in range(len(layer_units)):
        layout._add_units(layer)
    for layer, label in bias_layers.items():
        lowest = ys[layer - 1][-1] - sizes[layer - 1][1] / 2
        layout._add_bias(layer, lowest - UNIT_GAP - BIAS_SIZE / 2, label)
    layout._add_names(outside)
    for key in edge_keys:
        layer, j, k = key
        if j is None:
            x0, y0 = layout.bias_xy[layer]
        else:
            x0, y0 = layout.x[layer - 1], float(ys[layer - 1][j])
        layout.paths[key] = ([x0, layout.x[layer]], [y0, float(ys[layer][k])])
    return layout._finish(COLORBAR_BAND if colorbar else 0.0)


def network_layout(
    sizer,
    layer_units,
    names,
    shown,
    edge_keys,
    rows,
    texts,
    cards,
    bias_texts,
    max_labeled_units,
    colorbar,
    max_width,
):
    """Measure every text of a drawing and lay it out.

    Parameters
    ----------
    sizer : TextSizer
    layer_units : list of int
    names : list of list of str
    shown : list of bool
        Whether each layer's units are named.
    edge_keys : list of tuple
        The drawn edges.
    rows : dict of int to list of list of tuple or None
        The drawn edges into each unit (``rows_into_units``) of a labelled
        network, whose edges run through label columns; None for straight
        edges.
    texts : dict of tuple to str
        Edge labels.
    cards : dict of tuple to str
        The numbers of the units drawn as cards.
    bias_texts : dict of int to str or None
        The layers fed by a drawn bias unit, with its label.
    max_labeled_units : int
    colorbar : bool
    max_width : float
        The width the drawing should fit in: the fans of edges between units
        and label columns shrink to a minimum first.

    Returns
    -------
    layout : Layout
    """
    carded = {layer for layer, _ in cards}
    if rows is not None:
        # A hidden unit whose name is too long for a circle is a card, whose
        # sides the edges reach, rather than a circle with a name above it.
        carded |= {
            layer
            for layer in range(1, len(layer_units) - 1)
            if shown[layer] and not all(map(fits_in_circle, names[layer]))
        }
    outside = {
        (layer, unit): sizer.size(name, NAME_FONT)
        for layer, layer_names in enumerate(names)
        if shown[layer] and layer not in carded
        for unit, name in enumerate(layer_names)
        if not fits_in_circle(name)
    }
    biases = {
        layer: None if text is None else sizer.size(text, NAME_FONT)
        for layer, text in bias_texts.items()
    }
    if rows is None:
        return plain_layout(
            layer_units, max_labeled_units, edge_keys, biases, outside, colorbar
        )

    unit_sizes = []
    for layer, n in enumerate(layer_units):
        if layer not in carded:
            unit_sizes.append((UNIT_SIZE, UNIT_SIZE))
            continue
        width = height = 0.0
        for unit in range(n):
            name_w, name_h = sizer.size(
                names[layer][unit], NAME_FONT, fontweight="bold"
            )
            text_w, text_h = sizer.size(
                cards.get((layer, unit), ""), LABEL_FONT, multialignment="left"
            )
            width = max(width, name_w, text_w)
            height = max(height, name_h + text_h)
        unit_sizes.append((width + 2 * CARD_PAD + 2.0, height + 2 * CARD_PAD + 2.0))

    slots, column_widths = {}, {}
    for layer, groups in rows.items():
        widest = 16.0
        slots[layer] = []
        for group in groups:
            slots[layer].append([])
            for key in group:
                if key in texts:
                    width, height = sizer.box(texts[key], LABEL_FONT)
                    widest = max(widest, width)
                    slots[layer][-1].append((key, height + SLOT_GAP))
                else:
                    slots[layer][-1].append((key, EMPTY_SLOT))
        column_widths[layer] = widest + 2 * COLUMN_MARGIN
    layout = column_layout(
        layer_units, unit_sizes, slots, column_widths, biases, outside, max_width,
        colorbar,
    )  # fmt: skip
    if layout.width > max_width:
        # Labels beside the outer units reach further than the units: narrow
        # the fans by as much.
        layout = column_layout(
            layer_units, unit_sizes, slots, column_widths, biases, outside,
            2 * max_width - layout.width, colorbar,
        )  # fmt: skip
    layout.card_layers = carded
    return layout
