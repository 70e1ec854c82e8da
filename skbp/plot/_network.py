"""The network drawn as units and weighted edges, with the numbers of one step."""

import numpy as np

from ._common import _check_matplotlib, _fitted_network

# Marker diameter (points) of the units of a layer drawn at unit spacing.
_UNIT_SIZE = 30.0
_UNIT_COLORS = {"input": "#d6e6f4", "hidden": "#eeeeee", "output": "#fdd9b5"}
_BIAS_COLOR = "#fafafa"


def _network_weights(net):
    """``coefs``, ``intercepts`` (float arrays) and ``fit_intercept`` of a network."""
    coefs = [np.asarray(c, dtype=float) for c in net.coefs_]
    intercepts = [np.asarray(b, dtype=float) for b in net.intercepts_]
    # scikit-learn's MLPs always train their intercepts.
    return coefs, intercepts, bool(getattr(net, "fit_intercept", True))


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


class _TraceNumbers:
    """The arrays of a StepTrace: old, gradient and new weights, unit values."""

    def __init__(self, trace):
        updates = trace.updates
        self.old, self.gradient, self.new = [], [], []
        coef = updates[updates["kind"] == "coef"]
        layers = sorted(int(layer) for layer in coef["layer"].unique())
        if not layers or layers != list(range(1, len(layers) + 1)):
            raise ValueError(
                "trace.updates has no weights of layers 1, 2, ...; pass the "
                "StepTrace returned by trace_step."
            )
        for layer in layers:
            rows = coef[coef["layer"] == layer]
            j = rows["from_unit"].to_numpy(dtype=int)
            k = rows["to_unit"].to_numpy(dtype=int)
            shape = (j.max() + 1, k.max() + 1)
            if len(rows) != shape[0] * shape[1]:
                raise ValueError(
                    f"trace.updates has {len(rows)} weights in layer {layer}, "
                    f"not the {shape[0]} x {shape[1]} of a full layer."
                )
            for column, arrays in (
                ("old_weight", self.old),
                ("gradient", self.gradient),
                ("new_weight", self.new),
            ):
                a = np.empty(shape)
                a[j, k] = rows[column].to_numpy(dtype=float)
                arrays.append(a)

        # Intercept rows exist only when the intercepts were trained.
        bias = updates[updates["kind"] == "intercept"]
        self.has_intercepts = len(bias) > 0
        self.old_b, self.gradient_b, self.new_b = [], [], []
        if self.has_intercepts:
            for layer, W in enumerate(self.old, start=1):
                rows = bias[bias["layer"] == layer]
                k = rows["to_unit"].to_numpy(dtype=int)
                if len(rows) != W.shape[1]:
                    raise ValueError(
                        f"trace.updates has {len(rows)} intercepts in layer "
                        f"{layer}, not {W.shape[1]}."
                    )
                for column, arrays in (
                    ("old_weight", self.old_b),
                    ("gradient", self.gradient_b),
                    ("new_weight", self.new_b),
                ):
                    a = np.empty(W.shape[1])
                    a[k] = rows[column].to_numpy(dtype=float)
                    arrays.append(a)

        self.forward = trace.forward
        self.backward = trace.backward
        # A step with dropout records each unit's mask factor.
        self.has_masks = "mask" in trace.forward.columns
        self.n_samples = int(trace.forward["sample"].nunique())
        self.learning_rate = trace.learning_rate
        self.layer_units = [self.old[0].shape[0]] + [W.shape[1] for W in self.old]
        for layer, n in enumerate(self.layer_units[1:], start=1):
            for table in (self.forward, self.backward):
                units = table.loc[table["layer"] == layer, "unit"].nunique()
                if units != n:
                    raise ValueError(
                        f"The trace's weights give layer {layer} {n} units, but "
                        f"its unit tables have {units}."
                    )

    def check_shapes(self, coefs):
        shapes = [W.shape for W in coefs]
        traced = [W.shape for W in self.old]
        if shapes != traced:
            raise ValueError(
                f"The trace does not match the network: its weights have shapes "
                f"{traced}, the network's coefs {shapes}."
            )

    def unit_values(self, sample):
        """``{(layer, unit): (net, out, delta, mask)}`` of one sample.

        ``mask`` is the dropout factor of the unit's output, None when the
        step had no dropout.
        """
        if not 0 <= sample < self.n_samples:
            raise ValueError(
                f"sample={sample} is not in the trace's {self.n_samples} samples."
            )
        fwd = self.forward[self.forward["sample"] == sample]
        bwd = self.backward[self.backward["sample"] == sample]
        deltas = {
            (int(r.layer), int(r.unit)): float(r.delta)
            for r in bwd.itertuples(index=False)
        }
        return {
            (int(r.layer), int(r.unit)): (
                float(r.net_input),
                float(r.output),
                deltas[int(r.layer), int(r.unit)],
                float(r.mask) if self.has_masks else None,
            )
            for r in fwd.itertuples(index=False)
        }


def _get_renderer(figure):
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


class NetworkDisplay:
    """The units of a network and its weights as edges, with one step's numbers.

    Units are circles, one column per layer, the input on the left. Each
    weight is an edge whose width is proportional to ``|w|`` (the largest
    ``|w|`` gets ``max_linewidth``) and whose colour is the weight's value on
    a diverging colormap centred at 0 (``colorbar_``). Intercepts are drawn
    as bias units, which output 1: a layer's intercepts held fixed at one
    shared value (``fit_intercept=False``, as in Mazur's worked example) are
    one bias unit labelled with that value, ``"b1 = 0.35"``; other
    intercepts are edges from a bias unit ``+1``, drawn like the weights.

    On a small network (every layer at most ``max_labeled_units`` units)
    every edge is labelled with its weight and, with a ``trace``, with
    ``w → w⁺`` (before and after the step) and ``∂E/∂w``; every unit is
    labelled with its net input, output and δ = ∂E/∂net for one sample of
    the trace, and a hidden unit of a step with dropout also with its mask
    factor m (0: dropped; the next layer received out · m). On a larger
    network each unit keeps only its ``top_edges`` strongest incoming edges
    (by ``|w|``) and nothing is labelled.

    It is recommended to use :meth:`NetworkDisplay.from_estimator` or
    :meth:`NetworkDisplay.from_trace` to create a display. All parameters
    are stored as attributes.

    Parameters
    ----------
    coefs : list of array-like of shape (n_in, n_out)
        ``coefs[l - 1][j, k]`` is the weight from unit j of layer l - 1 to
        unit k of layer l, as in an estimator's ``coefs_``.

    intercepts : list of array-like of shape (n_out,)
        The intercepts of layers 1 ... L, as in ``intercepts_``.

    fit_intercept : bool, default=True
        Whether the intercepts are trained. False draws a layer's intercepts
        as one labelled bias unit when they share one value, and no bias at
        all when they are zero.

    trace : StepTrace, default=None
        One step of the network (``trace_step``). The weights drawn are then
        the trace's weights before the step, with which its unit values were
        computed; ``coefs`` must have their shapes. Intercepts are the
        trace's when it trained them, else ``intercepts``.

    unit_names : list of list of str, default=None
        The name of every unit, per layer, input first. None names them
        ``i1, i2, ...``, ``h1, ...`` and ``o1, ...``, as Mazur does.

    estimator_name : str, default=None
        Name of the network, shown nowhere but kept for reference.

    Attributes
    ----------
    units_ : list of matplotlib PathCollection
        ``units_[l]`` are the circles of layer l (0 is the input).

    bias_units_ : dict of int to matplotlib PathCollection
        ``bias_units_[l]`` is the bias unit that feeds layer l.

    edges_ : dict of tuple to matplotlib Line2D
        The drawn edges, keyed ``(layer, from_unit, to_unit)`` as the rows of
        ``StepTrace.updates``: the weight ``coefs[layer - 1][from_unit,
        to_unit]``; ``from_unit`` is None for an intercept.

    edge_labels_ : dict of tuple to matplotlib Text
        The labels of the edges, with the keys of ``edges_``; empty on a
        large network.

    unit_names_ : dict of tuple to matplotlib Text
        The names written in the circles, keyed ``(layer, unit)``.

    unit_labels_ : dict of tuple to matplotlib Text
        With a trace on a small network, the net input, output and δ next to
        every unit of layers 1 ... L (and, for a step with dropout, the mask
        factor m of every hidden unit), keyed ``(layer, unit)``; else empty.

    bias_labels_ : dict of int to matplotlib Text
        ``"b1 = 0.35"`` next to each shared, fixed bias unit, keyed by the
        layer it feeds.

    colorbar_ : matplotlib Colorbar or None
        The weights' colour scale.

    ax_ : matplotlib Axes
        Axes with the network.

    figure_ : matplotlib Figure
        Figure containing the network.

    See Also
    --------
    NetworkDisplay.from_estimator : Draw a fitted network.
    NetworkDisplay.from_trace : Draw the network of one traced step.
    HiddenUnitsDisplay : What every unit computes over a 2-d input plane.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skbp.plot import NetworkDisplay
    >>> coefs = [[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]]
    >>> disp = NetworkDisplay(coefs, [[0.35, 0.35], [0.6, 0.6]],
    ...                       fit_intercept=False).plot()
    >>> disp.edge_labels_[1, 0, 1].get_text()
    '0.25'
    >>> [label.get_text() for label in disp.bias_labels_.values()]
    ['b1 = 0.35', 'b2 = 0.6']
    >>> import matplotlib.pyplot as plt
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        coefs,
        intercepts,
        *,
        fit_intercept=True,
        trace=None,
        unit_names=None,
        estimator_name=None,
    ):
        self.coefs = coefs
        self.intercepts = intercepts
        self.fit_intercept = fit_intercept
        self.trace = trace
        self.unit_names = unit_names
        self.estimator_name = estimator_name

    def plot(
        self,
        ax=None,
        *,
        sample=0,
        weight_names=False,
        max_labeled_units=8,
        top_edges=3,
        cmap="RdBu_r",
        fmt=".4g",
        max_linewidth=None,
        colorbar=True,
    ):
        """Draw the network.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on. None creates a figure sized for the network.

        sample : int, default=0
            The sample of the trace whose net input, output and δ label the
            units (the title says which).

        weight_names : bool, default=False
            Whether to name the weights on their labels, ``"w1 = 0.15"``,
            numbering them as Mazur does: layer by layer, the weights into
            the first unit, then into the second, ...

        max_labeled_units : int, default=8
            Largest layer of a network whose edges and units are labelled.

        top_edges : int or None, default=3
            On a larger network, the number of strongest incoming edges (by
            ``|w|``, intercepts included) drawn into each unit. None draws
            every edge.

        cmap : str or matplotlib Colormap, default="RdBu_r"
            Diverging colormap of the weights, centred at 0.

        fmt : str, default=".4g"
            Format specification of every number written.

        max_linewidth : float, default=None
            Line width (points) of the edge of largest ``|w|``. None is 5 on
            a small network and 2 on a larger one, whose edges are many.

        colorbar : bool, default=True
            Whether to draw the colour bar.

        Returns
        -------
        display : NetworkDisplay
            Object that stores the drawn artists.

        Raises
        ------
        ValueError
            If the intercepts or the trace do not fit the weights' shapes.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skbp.plot import NetworkDisplay
        >>> disp = NetworkDisplay([[[1.0], [-2.0]]], [[0.5]]).plot(weight_names=True)
        >>> [label.get_text() for label in disp.edge_labels_.values()]
        ['w1 = 1', 'w2 = -2', 'b = 0.5']
        >>> disp.edges_[1, 1, 0].get_linewidth()
        5.0
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib as mpl
        import matplotlib.pyplot as plt

        coefs = [np.atleast_2d(np.asarray(c, dtype=float)) for c in self.coefs]
        intercepts = [np.asarray(b, dtype=float).ravel() for b in self.intercepts]
        layer_units = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
        for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True), 1):
            if b.shape != (W.shape[1],):
                raise ValueError(
                    f"intercepts[{layer - 1}] has {b.size} values for the "
                    f"{W.shape[1]} units of layer {layer}."
                )
        n_layers = len(layer_units)
        L = n_layers - 1

        numbers = None if self.trace is None else _TraceNumbers(self.trace)
        fit_intercept = self.fit_intercept
        if numbers is not None:
            numbers.check_shapes(coefs)
            values = numbers.unit_values(sample)
            coefs = numbers.old
            if numbers.has_intercepts:
                intercepts = numbers.old_b
                fit_intercept = True

        names = self.unit_names or default_unit_names(layer_units)
        if [len(n) for n in names] != layer_units:
            raise ValueError(
                f"unit_names has {[len(n) for n in names]} names per layer for "
                f"layers of {layer_units} units."
            )
        small = max(layer_units) <= max_labeled_units
        labels = small
        with_numbers = labels and numbers is not None
        with_masks = with_numbers and numbers.has_masks

        # Layout: layer l at x = l; a layer of n units at spacing dy, squeezed
        # into the height of max_labeled_units on a large network. The
        # labels of one step need the room of two rows.
        dy = (2.3 if with_masks else 1.9) if with_numbers else 1.0
        span = max(layer_units) - 1 if small else max_labeled_units - 1
        ys, sizes = [], []
        for n in layer_units:
            spacing = 1.0 if n - 1 <= span else span / (n - 1)
            ys.append(dy * ((n - 1) / 2 * spacing - spacing * np.arange(n)))
            sizes.append(_UNIT_SIZE * min(1.0, max(spacing, 0.25)))
        y_bias = -dy * span / 2 - min(dy, 1.3)

        bias_mode = {}
        for layer, b in enumerate(intercepts, start=1):
            if not fit_intercept and not b.any():
                continue
            shared = not fit_intercept and np.all(b == b[0])
            bias_mode[layer] = "shared" if shared else "edges"

        # Every candidate edge: (layer, from, to) -> value, intercepts last.
        values_of = {}
        for layer, W in enumerate(coefs, start=1):
            for j in range(W.shape[0]):
                for k in range(W.shape[1]):
                    values_of[layer, j, k] = W[j, k]
            if layer in bias_mode:
                for k in range(W.shape[1]):
                    values_of[layer, None, k] = intercepts[layer - 1][k]
        if not small and top_edges is not None:
            into = {}
            for key, w in values_of.items():
                into.setdefault((key[0], key[2]), []).append((abs(w), key))
            keep = set()
            for candidates in into.values():
                candidates.sort(key=lambda c: -c[0])
                keep.update(key for _, key in candidates[:top_edges])
            values_of = {key: w for key, w in values_of.items() if key in keep}

        top = dy * span / 2 + (1.0 if with_numbers else 0.45)
        bottom = (y_bias - 0.6) if bias_mode else -dy * span / 2 - 0.45
        right = L + (0.45 if with_numbers else 0.2)
        if ax is None:
            gap = 3.0 if with_numbers else 2.2
            width = 0.4 + gap * (right + 0.3) + 1.0 * colorbar
            height = 0.3 + 0.95 * (top - bottom) + 0.6 * with_numbers
            _, ax = plt.subplots(figsize=(width, height), layout="constrained")
        figure = ax.figure

        if max_linewidth is None:
            max_linewidth = 5.0 if small else 2.0
        largest = max((abs(w) for w in values_of.values()), default=0.0)
        largest = largest if largest > 0 else 1.0
        norm = mpl.colors.Normalize(-largest, largest)
        cmap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap

        def position(layer, unit):
            if unit is None:  # the bias unit feeding `layer`
                return layer - 1.0, y_bias
            return float(layer), float(ys[layer][unit])

        self.edges_ = {}
        for key, w in values_of.items():
            layer, j, k = key
            x0, y0 = position(layer, None) if j is None else position(layer - 1, j)
            x1, y1 = position(layer, k)
            (line,) = ax.plot(
                [x0, x1],
                [y0, y1],
                color=cmap(norm(w)),
                linewidth=max_linewidth * abs(w) / largest,
                solid_capstyle="butt",
                # Intercepts held fixed are no weights of training.
                linestyle="--" if j is None and not fit_intercept else "-",
                # The strongest edges are drawn on top.
                zorder=1.0 + abs(w) / largest,
            )
            self.edges_[key] = line

        self.units_, self.unit_names_ = [], {}
        for layer, n in enumerate(layer_units):
            kind = "input" if layer == 0 else "output" if layer == L else "hidden"
            self.units_.append(
                ax.scatter(
                    np.full(n, float(layer)),
                    ys[layer],
                    s=sizes[layer] ** 2,
                    facecolor=_UNIT_COLORS[kind],
                    edgecolor="black",
                    linewidth=1.0,
                    zorder=4,
                )
            )
            if n <= max_labeled_units:
                for unit in range(n):
                    self.unit_names_[layer, unit] = ax.text(
                        layer,
                        ys[layer][unit],
                        names[layer][unit],
                        ha="center",
                        va="center",
                        fontsize=9,
                        zorder=5,
                    )

        self.bias_units_, self.bias_labels_ = {}, {}
        for layer, mode in bias_mode.items():
            if not any(key[0] == layer and key[1] is None for key in self.edges_):
                continue
            x, y = position(layer, None)
            self.bias_units_[layer] = ax.scatter(
                [x],
                [y],
                s=_UNIT_SIZE**2,
                facecolor=_BIAS_COLOR,
                edgecolor="0.4",
                linestyle="--",
                zorder=4,
            )
            ax.text(x, y, "+1", ha="center", va="center", fontsize=9, zorder=5)
            if mode == "shared":
                value = format(intercepts[layer - 1][0], fmt)
                self.bias_labels_[layer] = ax.annotate(
                    f"b{layer} = {value}",
                    (x, y),
                    xytext=(0, -_UNIT_SIZE / 2 - 3),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=9,
                )

        self.unit_labels_ = {}
        if with_numbers:
            for (layer, unit), (net, out, delta, mask) in values.items():
                at_output = layer == L
                lines = [f"net = {net:{fmt}}", f"out = {out:{fmt}}"]
                if with_masks and not at_output:
                    # What the next layer received: out · m (0: dropped).
                    lines.append(f"m = {mask:{fmt}}")
                lines.append(f"δ = {delta:{fmt}}")
                text = "\n".join(lines)
                offset = (_UNIT_SIZE / 2 + 4, 0) if at_output else (0, 17)
                self.unit_labels_[layer, unit] = ax.annotate(
                    text,
                    position(layer, unit),
                    xytext=offset,
                    textcoords="offset points",
                    ha="left" if at_output else "center",
                    va="center" if at_output else "bottom",
                    fontsize=8,
                    color="0.15",
                    zorder=6,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "#fff8e6", "ec": "0.7"},
                )

        self.edge_labels_ = {}
        if labels:
            texts = self._edge_texts(
                values_of, bias_mode, numbers, weight_names, fmt, coefs
            )
            for key, text in texts.items():
                self.edge_labels_[key] = ax.text(
                    0.0,
                    0.0,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    zorder=3,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
                )

        ax.set_xlim(-0.4, right)
        ax.set_ylim(bottom, top)
        ax.set_axis_off()

        self.colorbar_ = None
        if colorbar:
            mappable = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
            label = "weight before the step" if numbers is not None else "weight"
            self.colorbar_ = figure.colorbar(
                mappable, ax=ax, shrink=0.6, fraction=0.05, label=label
            )
        if numbers is not None and labels:
            which = (
                "the only sample"
                if numbers.n_samples == 1
                else f"sample {sample} of {numbers.n_samples}"
            )
            units = "net, out, dropout mask m, δ" if with_masks else "net, out, δ"
            ax.set_title(
                f"edges: w → w⁺ (learning rate {numbers.learning_rate:g}) and "
                f"∂E/∂w\nunits: {units} of {which}",
                fontsize=10,
            )

        if self.edge_labels_:
            self._place_edge_labels(ax, position, values_of)
        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        trace=None,
        *,
        ax=None,
        unit_names=None,
        sample=0,
        weight_names=False,
        max_labeled_units=8,
        top_edges=3,
        cmap="RdBu_r",
        fmt=".4g",
        max_linewidth=None,
        colorbar=True,
    ):
        """Draw a fitted network, optionally with the numbers of one step.

        Parameters
        ----------
        estimator : estimator instance
            A fitted ``BackpropClassifier`` or ``BackpropRegressor`` (or
            scikit-learn's ``MLPClassifier`` or ``MLPRegressor``), or a
            pipeline ending in one.

        trace : StepTrace, default=None
            A step of this network, returned by its ``trace_step``. The
            edges then show the weights before that step, ``w → w⁺`` and
            ``∂E/∂w``, and the units their net input, output and δ.

        ax : matplotlib Axes, default=None
            Axes to draw on. None creates a figure sized for the network.

        unit_names : list of list of str, default=None
            The name of every unit, per layer, input first. None names them
            ``i1, ...``, ``h1, ...``, ``o1, ...``.

        sample, weight_names, max_labeled_units, top_edges, cmap, fmt, \
max_linewidth, colorbar
            See :meth:`plot`.

        Returns
        -------
        display : NetworkDisplay
            Object that stores the drawn artists.

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.

        ValueError
            If the trace's shapes are not the network's.

        See Also
        --------
        NetworkDisplay.from_trace : Draw the network of a trace alone.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skbp.plot import NetworkDisplay
        >>> from skbp.worked_examples import mazur_network
        >>> net, X, y = mazur_network()
        >>> trace = net.trace_step(X, y)
        >>> disp = NetworkDisplay.from_estimator(net, trace, fmt=".9f")
        >>> print(disp.edge_labels_[2, 0, 0].get_text())
        0.400000000 → 0.358916480
        ∂E/∂w = 0.082167041
        >>> print(disp.unit_labels_[2, 0].get_text())
        net = 1.105905967
        out = 0.751365070
        δ = 0.138498562
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        net = _fitted_network(estimator)
        coefs, intercepts, fit_intercept = _network_weights(net)
        display = cls(
            coefs,
            intercepts,
            fit_intercept=fit_intercept,
            trace=trace,
            unit_names=unit_names,
            estimator_name=type(net).__name__,
        )
        return display.plot(
            ax=ax,
            sample=sample,
            weight_names=weight_names,
            max_labeled_units=max_labeled_units,
            top_edges=top_edges,
            cmap=cmap,
            fmt=fmt,
            max_linewidth=max_linewidth,
            colorbar=colorbar,
        )

    @classmethod
    def from_trace(cls, trace, *, intercepts=None, ax=None, unit_names=None, **kwargs):
        """Draw the network of one traced step, from the trace alone.

        The layer sizes and the weights before the step are read from
        ``trace.updates``, and so are the intercepts when the step trained
        them; fixed intercepts are not in a trace and are drawn only if
        given.

        Parameters
        ----------
        trace : StepTrace
            A step returned by ``trace_step``.

        intercepts : list of array-like of shape (n_out,), default=None
            The fixed intercepts of the network, when the trace has none.
            None draws no bias units then.

        ax : matplotlib Axes, default=None
            Axes to draw on. None creates a figure sized for the network.

        unit_names : list of list of str, default=None
            The name of every unit, per layer, input first.

        **kwargs : dict
            Keyword arguments of :meth:`plot`.

        Returns
        -------
        display : NetworkDisplay
            Object that stores the drawn artists.

        Raises
        ------
        ValueError
            If the trace is not a complete step of a network.

        See Also
        --------
        NetworkDisplay.from_estimator : Draw a fitted network.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skbp.plot import NetworkDisplay
        >>> from skbp.worked_examples import mazur_network
        >>> net, X, y = mazur_network()
        >>> trace = net.trace_step(X, y)
        >>> disp = NetworkDisplay.from_trace(trace, intercepts=[[0.35] * 2, [0.6] * 2])
        >>> disp.bias_labels_[1].get_text(), len(disp.edges_)
        ('b1 = 0.35', 12)
        >>> import matplotlib.pyplot as plt
        >>> plt.close(disp.figure_)
        """
        _check_matplotlib(f"{cls.__name__}.from_trace")
        numbers = _TraceNumbers(trace)
        if numbers.has_intercepts:
            intercepts, fit_intercept = numbers.old_b, True
        elif intercepts is None:
            intercepts = [np.zeros(W.shape[1]) for W in numbers.old]
            fit_intercept = False
        else:
            fit_intercept = False
        display = cls(
            numbers.old,
            intercepts,
            fit_intercept=fit_intercept,
            trace=trace,
            unit_names=unit_names,
        )
        return display.plot(ax=ax, **kwargs)

    @staticmethod
    def _edge_texts(values_of, bias_mode, numbers, weight_names, fmt, coefs):
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
                name = (
                    f"w{first[layer - 1] + k * n_in + j + 1}" if weight_names else "w"
                )
                traced = numbers is not None
                if traced:
                    new = numbers.new[layer - 1][j, k]
                    grad = numbers.gradient[layer - 1][j, k]
            prefix = f"{name} = " if name != "w" else ""
            if traced:
                prefix = f"{name}: " if name != "w" else ""
                texts[key] = (
                    f"{prefix}{w:{fmt}} → {new:{fmt}}\n∂E/∂{name} = {grad:{fmt}}"
                )
            else:
                texts[key] = f"{prefix}{w:{fmt}}"
        return texts

    def _place_edge_labels(self, ax, position, values_of):
        """Move each edge label along its edge to where it hides the least.

        Greedy: label by label, the fraction of the edge whose label box
        overlaps the fewest other labels, units and edges; edges leaving
        one unit prefer different fractions, so that their labels fan out.
        """
        from matplotlib.path import Path
        from matplotlib.transforms import Bbox

        # Lay the figure out first (constrained layout moves the axes).
        ax.figure.draw_without_rendering()
        renderer = _get_renderer(ax.figure)
        to_px = ax.transData.transform
        scale = ax.figure.dpi / 72.0
        axes_box = ax.get_window_extent(renderer)

        obstacles = []
        for layer_units in [*self.units_, *self.bias_units_.values()]:
            radius = np.sqrt(layer_units.get_sizes()[0]) / 2 * scale
            for x, y in to_px(layer_units.get_offsets()):
                obstacles.append(
                    Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
                )
        for text in [*self.unit_labels_.values(), *self.bias_labels_.values()]:
            obstacles.append(text.get_window_extent(renderer).padded(2 * scale))

        segments = {}
        for key, line in self.edges_.items():
            segments[key] = to_px(np.column_stack(line.get_data()))
        paths = {key: Path(seg) for key, seg in segments.items()}

        # Preferred fractions: spread the edges leaving one unit.
        leaving = {}
        for key in self.edge_labels_:
            leaving.setdefault((key[0], key[1]), []).append(key)
        preferred = {}
        for keys in leaving.values():
            for rank, key in enumerate(keys):
                preferred[key] = (
                    0.5 if len(keys) == 1 else 0.25 + 0.5 * rank / (len(keys) - 1)
                )

        fractions = np.linspace(0.15, 0.85, 29)
        for key, text in self.edge_labels_.items():
            (x0, y0), (x1, y1) = self.edges_[key].get_xydata()
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
