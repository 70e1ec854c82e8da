"""The network drawn as units and weighted edges, with the numbers of one step.

The display orchestrates; ``_network_layout`` measures the texts and places
everything, ``_network_edges`` chooses the edges and writes their labels,
``_network_draw`` makes the artists, ``_network_trace`` reads a traced step.
"""

import inspect
import warnings

import numpy as np

from ._common import _check_matplotlib, _fitted_network
from ._network_draw import (
    draw_bias_units,
    draw_colorbar,
    draw_edge_labels,
    draw_edges,
    draw_units,
    fit_drawing,
)
from ._network_edges import chosen_edges, edge_texts, rows_into_units
from ._network_layout import (
    MARGIN,
    MAX_WIDTH,
    TITLE_FONT,
    TextSizer,
    default_unit_names,
    named_layers,
    network_layout,
)
from ._network_text import (
    bias_texts,
    card_texts,
    estimator_unit_names,
    optimizer_settings,
    title_text,
)
from ._network_trace import _TraceNumbers


def _caller_level():
    """The ``stacklevel`` of a warning of ``plot``: the first caller outside here.

    ``plot`` is called by the user or through ``from_estimator`` and
    ``from_trace``; the warning names the user's line either way.
    """
    frame = inspect.currentframe().f_back
    level = 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
        level += 1
    return level


def _warn_unwritten_trace(max_labeled_units, largest):
    warnings.warn(
        f"The step's numbers are written only on networks whose layers have "
        f"at most max_labeled_units={max_labeled_units} units; this one's "
        f"largest has {largest}. The edges show the weights before the step. "
        "Pass a larger max_labeled_units, or read the numbers in "
        "trace.updates, trace.forward and trace.backward.",
        UserWarning,
        stacklevel=_caller_level(),
    )


def _network_weights(net):
    """``coefs``, ``intercepts`` (float arrays) and ``fit_intercept`` of a network."""
    coefs = [np.asarray(c, dtype=float) for c in net.coefs_]
    intercepts = [np.asarray(b, dtype=float) for b in net.intercepts_]
    # scikit-learn's MLPs always train their intercepts.
    return coefs, intercepts, bool(getattr(net, "fit_intercept", True))


class NetworkDisplay:
    r"""The units of a network and its weights as edges, with one step's numbers.

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
    ``w → w⁺`` (before and after the step) and ``∂E/∂w``. The labels of the
    edges between two layers are one column, in Mazur's order (the edges
    into the first unit of the next layer, from the first sending unit down
    and the bias last, then into the second unit ...), and each edge runs
    from its unit to its own row of that column, horizontally through its
    label, and on to its target: no edge passes under another's label.
    With a trace, every unit but the inputs is a card with its name, net
    input, output and :math:`\delta = \partial E / \partial \mathrm{net}`
    for one sample of the trace, and, on a step with dropout, a hidden
    unit's mask factor m (0: dropped; the next layer received out · m); the
    title says which sample and how the optimizer was set. On a larger
    network each unit keeps only its ``top_edges`` strongest incoming edges
    (by ``|w|``), nothing is labelled and the title says how many edges are
    drawn; a trace's numbers are not written (a UserWarning says so).

    A figure made by the display is sized for the network, at most 9 inches
    wide when it fits, so that a page about 900 px wide shows it at 100 dpi
    without shrinking its 8.5 pt labels; given axes get the drawing fitted
    into them, its texts shrunk when the axes are smaller than it needs.

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
        ``i1, i2, ...``, ``h1, ...`` and ``o1, ...``, as Mazur does
        (:meth:`from_estimator` names the inputs and outputs it can).

    optimizer : str, default=None
        How the traced step's optimizer was set, written in the title:
        :meth:`from_estimator` writes the solver's settings as the estimator
        has them, ``"Adam: learning_rate_init=0.001, beta_1=0.9, ..."``.
        None writes the step size the trace recorded, which for Adam is the
        bias-corrected step of that update, not ``learning_rate_init``.

    estimator_name : str, default=None
        Name of the network, shown nowhere but kept for reference.

    Attributes
    ----------
    units_ : list of matplotlib PathCollection
        ``units_[l]`` are the circles (with a trace's numbers, the cards) of
        layer l (0 is the input).

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
        The names of the units, keyed ``(layer, unit)``: in the circle, or
        beside it when longer than three characters (left of an input,
        right of an output), or on top of a card. Units of a layer squeezed
        to fit a large network are not named.

    unit_labels_ : dict of tuple to matplotlib Text
        With a trace on a small network, the net input, output and δ in the
        card of every unit of layers 1 ... L (and, for a step with dropout,
        the mask factor m of every hidden unit), keyed ``(layer, unit)``;
        else empty.

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
        optimizer=None,
        estimator_name=None,
    ):
        self.coefs = coefs
        self.intercepts = intercepts
        self.fit_intercept = fit_intercept
        self.trace = trace
        self.unit_names = unit_names
        self.optimizer = optimizer
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
            Axes to draw on. None creates a figure sized for the network;
            the drawing is fitted into given axes, its texts shrunk when
            the axes are too small for it.

        sample : int, default=0
            The sample of the trace whose net input, output and δ label the
            units (the title says which).

        weight_names : bool, default=False
            Whether to name the weights on their labels, ``"w1 = 0.15"``,
            numbering them as Mazur does: layer by layer, the weights into
            the first unit, then into the second, ...

        max_labeled_units : int, default=8
            Largest layer of a network whose edges and units are labelled
            and whose trace's numbers are written.

        top_edges : int or None, default=3
            On a larger network, the number of strongest incoming edges (by
            ``|w|``, intercepts included) drawn into each unit. None draws
            every edge.

        cmap : str or matplotlib Colormap, default="RdBu_r"
            Diverging colormap of the weights, centred at 0.

        fmt : str, default=".4g"
            Format specification of every number written: ``".9f"`` shows
            the nine decimals Mazur's text prints.

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

        Warns
        -----
        UserWarning
            If the display has a trace but a layer of more than
            ``max_labeled_units`` units: the step's numbers are not written.

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

        coefs, intercepts, fit_intercept, numbers = self._checked_weights()
        layer_units = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
        values = None if numbers is None else numbers.unit_values(sample)
        names = self._checked_unit_names(layer_units)
        small = max(layer_units) <= max_labeled_units
        if numbers is not None and not small:
            _warn_unwritten_trace(max_labeled_units, max(layer_units))
        bias_mode, values_of, n_candidates = chosen_edges(
            coefs, intercepts, fit_intercept, None if small else top_edges
        )
        texts, cards = {}, {}
        if small:
            texts = edge_texts(values_of, bias_mode, numbers, weight_names, fmt, coefs)
            if values is not None:
                cards = card_texts(values, fmt, len(layer_units) - 1)

        figure = plt.figure() if ax is None else ax.figure
        sizer = TextSizer(figure)
        width = MAX_WIDTH
        if ax is not None:
            width = ax.get_window_extent().width * 72.0 / figure.dpi
        named = named_layers(layer_units, max_labeled_units)
        layout = network_layout(
            sizer,
            layer_units,
            names,
            named,
            list(values_of),
            rows_into_units(values_of, layer_units) if small else None,
            texts,
            cards,
            bias_texts(values_of, bias_mode, intercepts, fmt),
            max_labeled_units,
            colorbar,
            width,
        )
        title = title_text(
            numbers, sample, self.optimizer, small, top_edges, max_labeled_units,
            n_candidates, len(values_of), sizer, width - 2 * MARGIN,
        )  # fmt: skip
        ax, scale = fit_drawing(figure, ax, layout, title, sizer)

        if max_linewidth is None:
            max_linewidth = (5.0 if small else 2.0) * scale
        largest = max((abs(w) for w in values_of.values()), default=0.0)
        largest = largest if largest > 0 else 1.0
        norm = mpl.colors.Normalize(-largest, largest)
        cmap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap

        self.edges_ = draw_edges(
            ax, layout.paths, values_of, cmap, norm, max_linewidth, fit_intercept,
            guides=small,
        )  # fmt: skip
        self.units_, self.unit_names_, self.unit_labels_ = draw_units(
            ax, layout, names, named, cards, scale
        )
        self.bias_units_, self.bias_labels_ = draw_bias_units(
            ax, layout, bias_mode, intercepts, fmt, scale
        )
        self.edge_labels_ = draw_edge_labels(ax, layout, texts, scale)

        self.colorbar_ = None
        if colorbar:
            label = "weight before the step" if numbers is not None else "weight"
            self.colorbar_ = draw_colorbar(ax, layout, norm, cmap, label, scale)
        if title:
            ax.set_title(title, fontsize=TITLE_FONT * scale, pad=6)
        self.ax_ = ax
        self.figure_ = figure
        return self

    def _checked_weights(self):
        """Weights, intercepts, ``fit_intercept`` and the trace's numbers.

        With a trace, the weights (and trained intercepts) are the trace's
        before the step, with which its unit values were computed.
        """
        coefs = [np.atleast_2d(np.asarray(c, dtype=float)) for c in self.coefs]
        intercepts = [np.asarray(b, dtype=float).ravel() for b in self.intercepts]
        for layer, (W, b) in enumerate(zip(coefs, intercepts, strict=True), 1):
            if b.shape != (W.shape[1],):
                raise ValueError(
                    f"intercepts[{layer - 1}] has {b.size} values for the "
                    f"{W.shape[1]} units of layer {layer}."
                )
        fit_intercept = self.fit_intercept
        numbers = None if self.trace is None else _TraceNumbers(self.trace)
        if numbers is not None:
            numbers.check_shapes(coefs)
            coefs = numbers.old
            if numbers.has_intercepts:
                intercepts = numbers.old_b
                fit_intercept = True
        return coefs, intercepts, fit_intercept, numbers

    def _checked_unit_names(self, layer_units):
        names = self.unit_names or default_unit_names(layer_units)
        if [len(n) for n in names] != layer_units:
            raise ValueError(
                f"unit_names has {[len(n) for n in names]} names per layer for "
                f"layers of {layer_units} units."
            )
        return [[str(name) for name in layer] for layer in names]

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
            The name of every unit, per layer, input first. None names the
            inputs after ``feature_names_in_`` (in a pipeline, the names the
            steps before the network output) and a classifier's outputs
            after its classes (a binary classifier's one output after its
            positive class, ``classes_[1]``); other units are ``i1, ...``,
            ``h1, ...``, ``o1, ...``.

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
        if unit_names is None:
            layer_units = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
            unit_names = estimator_unit_names(estimator, net, layer_units)
        display = cls(
            coefs,
            intercepts,
            fit_intercept=fit_intercept,
            trace=trace,
            unit_names=unit_names,
            optimizer=None if trace is None else optimizer_settings(net),
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


def _step_title(numbers, sample):
    """What the labels of a traced step show, and of which sample."""
    which = (
        "the only sample"
        if numbers.n_samples == 1
        else f"sample {sample} of {numbers.n_samples}"
    )
    units = "net, out, dropout mask m, δ" if numbers.has_masks else "net, out, δ"
    return (
        f"edges: w → w⁺ (learning rate {numbers.learning_rate:g}) and "
        f"∂E/∂w\nunits: {units} of {which}"
    )
