"""Which edges a network drawing shows, their labels' text and their places."""

import numpy as np


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


def get_renderer(figure):
    """The renderer of a figure, on raster and vector backends alike."""
    try:
        return figure.canvas.get_renderer()
    except AttributeError:
        # Vector backends' canvases have no renderer of their own.
        return figure._get_renderer()


def _overlap(a, b):
    """Area (pixels²) shared by two Bboxes."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0.0) * max(height, 0.0)


def place_edge_labels(ax, edges, edge_labels, unit_markers, fixed_texts):
    """Move each edge label along its edge to where it hides the least.

    Greedy: label by label, the fraction of the edge whose label box
    overlaps the fewest other labels, units and edges; edges leaving
    one unit prefer different fractions, so that their labels fan out.

    Parameters
    ----------
    ax : matplotlib Axes
    edges : dict of tuple to Line2D
    edge_labels : dict of tuple to Text
        The labels to move, with the keys of ``edges``.
    unit_markers : list of PathCollection
        The circles of the units, bias units included.
    fixed_texts : list of Text
        Labels that stay where they are.
    """
    from matplotlib.path import Path
    from matplotlib.transforms import Bbox

    # Lay the figure out first (constrained layout moves the axes).
    ax.figure.draw_without_rendering()
    renderer = get_renderer(ax.figure)
    to_px = ax.transData.transform
    scale = ax.figure.dpi / 72.0
    axes_box = ax.get_window_extent(renderer)

    obstacles = []
    for markers in unit_markers:
        radius = np.sqrt(markers.get_sizes()[0]) / 2 * scale
        for x, y in to_px(markers.get_offsets()):
            obstacles.append(
                Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
            )
    for text in fixed_texts:
        obstacles.append(text.get_window_extent(renderer).padded(2 * scale))

    paths = {
        key: Path(to_px(np.column_stack(line.get_data())))
        for key, line in edges.items()
    }

    # Preferred fractions: spread the edges leaving one unit.
    leaving = {}
    for key in edge_labels:
        leaving.setdefault((key[0], key[1]), []).append(key)
    preferred = {}
    for keys in leaving.values():
        for rank, key in enumerate(keys):
            preferred[key] = (
                0.5 if len(keys) == 1 else 0.25 + 0.5 * rank / (len(keys) - 1)
            )

    fractions = np.linspace(0.15, 0.85, 29)
    for key, text in edge_labels.items():
        (x0, y0), (x1, y1) = edges[key].get_xydata()
        best = None
        for t in fractions:
            text.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
            box = text.get_window_extent(renderer).padded(0.2 * 8 * scale)
            area = box.width * box.height
            cost = sum(_overlap(box, other) for other in obstacles)
            cost += area - _overlap(box, axes_box)
            crossed = sum(
                path.intersects_bbox(box)
                for other, path in paths.items()
                if other != key
            )
            cost += 0.3 * area * crossed + 0.2 * area * abs(t - preferred[key])
            if best is None or cost < best[0]:
                best = (cost, t, box)
        _, t, box = best
        text.set_position((x0 + t * (x1 - x0), y0 + t * (y1 - y0)))
        obstacles.append(box)
