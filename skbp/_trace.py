"""One training step as tables of every number the worked examples compute by hand.

Turns the arrays of a traced step (``_traced_step.traced_step``) into pandas
DataFrames; it runs nothing. ``StepTrace.explain`` hands the step to
``skbp._explain``, which writes it out.
"""

import html
import itertools

import numpy as np
import pandas as pd

from . import _explain

# What each column of the tables is, in the notation of the worked examples;
# shown as the column header's tooltip in the HTML repr.
COLUMN_FORMULAS = {
    "sample": "n: the sample's row in the batch X",
    "layer": (
        "l: 0 is the input, 1 the first hidden layer, n_layers_ − 1 the "
        "output; a weight's layer is the layer it feeds"
    ),
    "unit": "k: the unit's column in coefs_[l − 1]",
    "net_input": (
        "net_k = Σ_j w_jk · out_j + b_k (out_j: the outputs of layer l − 1, "
        "the inputs x_j for layer 1)"
    ),
    "output": "out_k = f(net_k), f: the layer's activation",
    "mask": (
        "m_k: the factor dropout multiplied out_k by in this step, 0 (dropped) "
        "or 1/(1 − p) (kept), 1 where no dropout applies; the next layer "
        "receives out_k · m_k"
    ),
    "delta": (
        "δ_k = ∂E_n/∂net_k, sample n's own error term (times its sample "
        "weight when weighted). Output layer: (out_k − y_k) · f′(net_k) for "
        "the squared error; out_k − y_k for a loss with its canonical "
        "activation (log loss with logistic/softmax, squared error with "
        "identity, Poisson with exp). Hidden layer: "
        "δ_j = (Σ_k w_jk · δ_k) · f′(net_j), times m_j with dropout"
    ),
    "kind": "coef: the weight w_jk = coefs_[l − 1][j, k]; intercept: the bias b_k",
    "from_unit": "j: the unit of layer l − 1 the weight leaves (bias: none)",
    "to_unit": "k: the unit of layer l the weight feeds",
    "old_weight": "w: the weight before the step",
    "gradient": (
        "∂E/∂w_jk = (1/N) Σ_n out_j · δ_k + α · w_jk / N; "
        "∂E/∂b_k = (1/N) Σ_n δ_k (sums over the samples n of the batch; N: "
        "the batch size, the sum of the sample weights when weighted)"
    ),
    "new_weight": (
        "w⁺ = w − η · ∂E/∂w for plain SGD (momentum and Adam step differently)"
    ),
}
LOSS_FORMULA = (
    "E = (1/N) Σ_n E_n + α · Σ‖W‖² / 2N, before the step. E_n: sample n's "
    "loss, Σ_k ½ (y_k − out_k)² for the squared error, times its sample "
    "weight when weighted; N: the batch size, the sum of the sample weights "
    "when weighted"
)
TABLE_TITLES = {
    "forward": "Forward pass: net input and output of each unit",
    "backward": "Backward pass: δ of each unit, per sample",
    "updates": "Updates: old weight, gradient ∂E/∂w, new weight",
}
# RdBu's light red and light blue: dark text stays readable on the
# fullest shade, and the sign reads as in a diverging colormap.
POSITIVE_RGB = (214, 96, 77)
NEGATIVE_RGB = (67, 147, 195)
SIGNED_COLUMNS = ("delta", "gradient")
TABLE_CSS = [
    {
        "selector": "",
        "props": "border-collapse: collapse; margin: 0.2em 0 1em 0;"
        " font-variant-numeric: tabular-nums;",
    },
    {
        "selector": "th",
        "props": "padding: 0.2em 0.6em; text-align: right;"
        " border-bottom: 1px solid #999;",
    },
    {
        "selector": "td",
        "props": "padding: 0.2em 0.6em; text-align: right; font-family: monospace;",
    },
    {"selector": "abbr", "props": "cursor: help;"},
]
# The plain tables' stylesheet is scoped by a class of their own so that it
# leaves the notebook's other tables alone.
FALLBACK_CLASS = "skbp-step-trace"
FALLBACK_CSS = (
    f"table.{FALLBACK_CLASS} {{border-collapse: collapse;"
    " margin: 0.2em 0 1em 0;}"
    f" table.{FALLBACK_CLASS} th, table.{FALLBACK_CLASS} td"
    " {padding: 0.2em 0.6em; text-align: right;}"
    f" table.{FALLBACK_CLASS} td {{font-family: monospace;}}"
    f" table.{FALLBACK_CLASS} th {{border-bottom: 1px solid #999;}}"
)


class StepTrace:
    """Every number of one backpropagation step, as pandas DataFrames.

    Layers are numbered as in the worked examples' pictures: 0 is the input, 1 the
    first hidden layer, ``n_layers_ - 1`` the output. Units are numbered
    from 0 as the columns of ``coefs_``: the weight from unit ``j`` of layer
    ``l - 1`` to unit ``k`` of layer ``l`` is ``coefs_[l - 1][j, k]``.

    Attributes
    ----------
    forward : pandas.DataFrame
        Columns ``sample, layer, unit, net_input, output``: the net input
        Σ w·a + b of every unit and its activation. With ``dropout``, a
        column ``mask``: the factor the unit's output was multiplied by
        before the next layer read it, 0 (dropped) or 1/(1 − p) (kept), and
        1 where no dropout applies (the output layer, a layer with rate 0).
    backward : pandas.DataFrame
        Columns ``sample, layer, unit, delta``: δ = ∂E_n/∂net of every unit
        for each sample (times its weight when weighted).
    updates : pandas.DataFrame
        Columns ``layer, kind, from_unit, to_unit, old_weight, gradient,
        new_weight``, one row per weight (``kind="coef"``) and, when
        intercepts are trained, per bias (``kind="intercept"``, ``from_unit``
        missing). ``gradient`` is ∂E/∂w of the batch loss, L2 term included;
        with ``clip_grad_norm`` it is the clipped gradient the optimizer
        applied (``backward``'s δ are those before clipping).
    loss : float
        The batch loss E before the step.
    learning_rate : float
        The optimizer's step size used for this update.
    masks : list of ndarray or None
        With ``dropout``, the mask of each hidden layer, of shape
        (n_samples, units) (None for a layer with rate 0): the ``mask``
        column as arrays, which :func:`skbp.check_gradients` can hold fixed.
        None without dropout.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The batch, as the network read it.
    y : ndarray of shape (n_samples, n_outputs)
        Its targets as trained on (a classifier's classes one-hot or 0/1,
        smoothed with ``label_smoothing``).
    sample_weight : ndarray of shape (n_samples,) or None
        The weights of the samples (``class_weight`` folded in).
    activations : list of str
        The unit of each layer after the input, the output's last.
    loss_function : str
        The loss: ``"squared_error"``, ``"log_loss"`` (softmax output),
        ``"binary_log_loss"`` (logistic outputs) or ``"poisson"``.
    alpha : float
        The L2 strength.
    intercepts : list of ndarray
        The biases the forward pass added (also when they are held fixed
        and so have no rows in ``updates``).
    fit_intercept : bool
        Whether the intercepts were trained.
    dropout : tuple of float or None
        Each hidden layer's dropout rate; None without dropout.
    clip : dict or None
        With ``clip_grad_norm``: ``max_norm``, the gradient's ``norm``
        before clipping, the ``scale`` applied (1.0 when not clipped) and
        the ``gradient`` before clipping (one entry per row of ``updates``).
    optimizer : dict
        ``title`` (``"SGD"``, ``"Adam"``), the update's ``formulas`` and
        ``constants`` as the optimizer writes them, and the optimizer's
        state arrays before (``state``) and after (``new_state``) the step,
        one entry per row of ``updates``: SGD's velocity ``v``, Adam's
        moments ``m`` and ``v``.
    label_smoothing : dict or None
        With a classifier's ``label_smoothing``: ``epsilon`` (ε),
        ``n_classes`` (K: the softmax's classes, 2 for logistic outputs) and
        the 0/1 ``labels`` y that ``y`` smooths, y·(1 − ε) + ε/K. None
        without.

    See Also
    --------
    StepTrace.explain : The step written out, each number with its formula.
    """

    # A trace made by hand, or pickled by an older skbp, lacks the step's
    # context: explain says so instead of failing on a missing attribute.
    X = y = sample_weight = activations = loss_function = alpha = None
    intercepts = fit_intercept = dropout = clip = optimizer = None
    label_smoothing = None

    def __init__(
        self,
        forward,
        backward,
        updates,
        loss,
        learning_rate,
        masks=None,
        **context,
    ):
        self.forward = forward
        self.backward = backward
        self.updates = updates
        self.loss = loss
        self.learning_rate = learning_rate
        self.masks = masks
        for name, value in context.items():
            if not hasattr(type(self), name) or callable(getattr(type(self), name)):
                raise TypeError(f"StepTrace got an unexpected argument {name!r}")
            setattr(self, name, value)

    def explain(
        self, format="markdown", *, unit=None, weight=None, sample=None, precision=9
    ):
        """The step written out in Mazur's order, each number with its formula.

        Forward: each unit's net input as the sum of its weighted inputs
        and bias with the values substituted (``net_h1 = w1·i1 + w2·i2 +
        b1·1 = 0.15·0.05 + 0.2·0.1 + 0.35·1 = 0.3775``), its output through
        the network's own unit (dropout's mask written in), the error of
        each output and the batch's (mean over the samples or their
        weights, the L2 term). Backward, from the output layer: ∂E/∂out,
        ∂out/∂net and δ of each unit (δ = out − target directly for a loss
        with its canonical unit: softmax with the log-loss, identity with
        the squared error), a hidden unit's sum over the next layer's δ·w,
        each gradient ∂E/∂w = δ·out, clipping's scale, and each update as
        the optimizer computes it (momentum, Nesterov's and Adam's own
        formulas). Every formula is evaluated from the numbers it shows.

        Names are Mazur's, as :class:`skbp.plot.NetworkDisplay` draws
        them: inputs ``i1, i2, ...``, hidden units ``h1, ...`` (``h2.1``
        with several hidden layers), outputs ``o1, ...``, the weights ``w1,
        w2, ...`` numbered into each unit in turn, layer by layer; biases
        ``b1, b2, ...`` when held fixed at one value per layer, else
        ``b_h1, b_o1, ...``; ``[n]`` marks sample n of a batch.

        Parameters
        ----------
        format : {"markdown", "text", "html"}, default="markdown"
            Markdown with LaTeX math (``$$...$$``), plain Unicode text, or
            HTML without math markup.
        unit : tuple of (int, int), default=None
            ``(layer, k)``: write the path of unit k of a layer (layers
            and units numbered as in ``forward``): its net input, output
            and δ and the updates of the parameters into it.
        weight : tuple of (int, int, int), default=None
            ``(layer, j, k)``: write the path of the weight
            ``coefs_[layer - 1][j, k]``.
        sample : int or list of int, default=None
            The samples whose forward and backward passes are written;
            None: all of a batch of up to 4, else the first. The gradients
            always sum over the whole batch.
        precision : int, default=9
            Decimals of the numbers, trailing zeros dropped (Mazur prints 9);
            values below 1e-4 or from 1e7 on are written with this many
            significant digits.

        Returns
        -------
        explanation : str
            In ``format``. Jupyter renders it: the Markdown with its math,
            the HTML as HTML.

        Notes
        -----
        A network of more than 40 parameters is summarised unless ``unit``
        or ``weight`` names a path: its error and the parameters with the
        largest gradients, with how to name them.

        Examples
        --------
        >>> from skbp.worked_examples import mazur_network
        >>> net, X, y = mazur_network()
        >>> text = net.trace_step(X, y).explain("text")
        >>> for line in text.splitlines():
        ...     if line.split(" = ")[0].strip() in ("net_h1", "∂E/∂w5", "w5⁺"):
        ...         print(line)
          net_h1 = w1·i1 + w2·i2 + b1·1 = 0.15·0.05 + 0.2·0.1 + 0.35·1 = 0.3775
          ∂E/∂w5 = δ_o1·out_h1 = 0.138498562·0.593269992 = 0.082167041
          w5⁺ = w5 − η·∂E/∂w5 = 0.4 − 0.5·0.082167041 = 0.35891648
        """
        return _explain.explain(
            self,
            format=format,
            unit=unit,
            weight=weight,
            sample=sample,
            precision=precision,
        )

    def _repr_html_(self):
        """The tables as HTML, for notebooks.

        The loss and learning rate head three tables; every number is shown
        to 9 decimals, rounded as in the text repr. δ and ∂E/∂w cells are shaded
        red when positive and blue when negative, the deeper the larger
        |value| relative to the column's largest, and each column header's
        tooltip gives the column's formula. Without jinja2 (which pandas'
        Styler needs) the tables are plain, without the shading.

        Returns
        -------
        html : str
            Self-contained HTML: no external stylesheet or script.

        Examples
        --------
        >>> from skbp.worked_examples import mazur_network
        >>> net, X, y = mazur_network()
        >>> html = net.trace_step(X, y)._repr_html_()
        >>> "0.751365070" in html and "0.358916480" in html
        True
        """
        styler = _styler_class()
        lr = html.escape(str(self.learning_rate))
        if styler is None:
            legend = "Hover a column header for its formula."
            parts = ["<div>", f"<style>{FALLBACK_CSS}</style>"]
        else:
            legend = (
                "δ and ∂E/∂w: "
                f"<span style='{_cell_css(1.0, 1.0)}'>&nbsp;positive&nbsp;</span> "
                f"<span style='{_cell_css(-1.0, 1.0)}'>&nbsp;negative&nbsp;</span>"
                ", shaded by |value| relative to the column's largest;"
                " hover a column header for its formula."
            )
            parts = ["<div>"]
        parts.append(
            f"<p><b>StepTrace</b>: batch loss {_abbr('E', LOSS_FORMULA)}"
            f" = {self.loss:.9f}, learning rate η = {lr}<br>"
            f"<small>{legend}</small></p>"
        )
        for name, title in TABLE_TITLES.items():
            parts.append(f"<p style='margin: 0.6em 0 0 0;'><b>{title}</b></p>")
            # Narrow notebook cells scroll the table instead of squeezing it.
            parts.append("<div style='overflow-x: auto;'>")
            parts.append(_html_table(getattr(self, name), styler))
            parts.append("</div>")
        parts.append("</div>")
        return "\n".join(parts)

    def __repr__(self):
        with pd.option_context("display.precision", 9, "display.width", 120):
            return (
                f"StepTrace(loss={self.loss:.9f}, learning_rate={self.learning_rate})"
                f"\n\nforward\n{self.forward.to_string(index=False)}"
                f"\n\nbackward\n{self.backward.to_string(index=False)}"
                f"\n\nupdates\n{self.updates.to_string(index=False)}"
            )


def _abbr(label, formula):
    return (
        f'<abbr title="{html.escape(formula, quote=True)}">'
        f"{html.escape(str(label))}</abbr>"
    )


def _header(label):
    formula = COLUMN_FORMULAS.get(label)
    return html.escape(str(label)) if formula is None else _abbr(label, formula)


def _formatter(column):
    """How the text repr writes the column's values, as a function of one value."""
    if pd.api.types.is_float_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64)
        fixed = [f"{v:.9f}" for v in values]
        with np.errstate(invalid="ignore"):
            a = np.abs(values)
            small = ((a > 0) & (a < 1e-9)).any()
            large = (a > 1e6).any()
        # pandas' own rule for display.precision 9: values that would round
        # to 0, or too wide ones, turn the whole column scientific.
        too_long = max((len(f) for f in fixed), default=0) > 9 + 6
        spec = ".9e" if small or (large and too_long) else ".9f"
        return lambda v: "NaN" if np.isnan(v) else format(v, spec)
    if pd.api.types.is_integer_dtype(column.dtype):
        # Only intercept rows miss from_unit: they have a bias, no source unit.
        na = "bias" if column.name == "from_unit" else ""
        return lambda v: na if pd.isna(v) else str(int(v))
    return lambda v: "" if pd.isna(v) else html.escape(str(v))


def _cell_css(value, scale):
    """Background shading by the sign of ``value`` and its size against ``scale``."""
    if np.isnan(value):
        return ""
    if np.isinf(value):
        t = 1.0
    elif scale > 0:
        t = min(abs(value) / scale, 1.0)
    else:
        t = 0.0
    end = POSITIVE_RGB if value > 0 else NEGATIVE_RGB
    r, g, b = (round(255 + t * (c - 255)) for c in end)
    # The text colour is set too: a notebook's dark theme would otherwise
    # write light text on the light shades.
    return f"background-color: #{r:02x}{g:02x}{b:02x}; color: #000000;"


def _signed_colours(column):
    values = column.to_numpy(dtype=np.float64)
    finite = np.abs(values[np.isfinite(values)])
    scale = finite.max() if finite.size else 0.0
    return [_cell_css(v, scale) for v in values]


def _styler_class():
    """pandas' Styler, or None when jinja2, which it renders with, is missing."""
    try:
        from pandas.io.formats.style import Styler
    except ImportError:
        return None
    return Styler


def _html_table(frame, Styler):
    """One table as HTML: by ``Styler`` if given, else plain ``to_html``."""
    formatters = {column: _formatter(frame[column]) for column in frame.columns}
    if Styler is None:
        shown = pd.DataFrame(
            {_header(c): [f(v) for v in frame[c]] for c, f in formatters.items()}
        )
        return shown.to_html(
            index=False, escape=False, border=0, classes=FALLBACK_CLASS
        )
    styler = Styler(frame, cell_ids=False)
    styler.hide(axis="index")
    styler.format(formatters)
    styler.format_index(_header, axis=1)
    styler.set_table_styles(TABLE_CSS)
    for column in SIGNED_COLUMNS:
        if column in frame.columns:
            styler.apply(_signed_colours, subset=[column])
    return styler.to_html()


def _unit_table(arrays, column):
    """Long table (sample, layer, unit, value) of per-layer (n, units) arrays."""
    frames = []
    for layer, a in enumerate(arrays, start=1):
        n, units = a.shape
        frames.append(
            pd.DataFrame(
                {
                    "sample": np.repeat(np.arange(n), units),
                    "layer": layer,
                    "unit": np.tile(np.arange(units), n),
                    # A copy, in the step's dtype: float32 stays float32.
                    column: a.ravel().copy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def parameter_table(layer_units, fit_intercept=True):
    """One row per parameter, in the packing order of the flat vector.

    Every weight (``coefs_[l - 1]`` row-major), then, when intercepts are
    trained, every intercept: the rows of ``StepTrace.updates`` and of
    ``GradientCheck.table``.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input first.
    fit_intercept : bool, default=True
        Whether the intercepts are parameters (else they get no rows).

    Returns
    -------
    table : pandas.DataFrame
        Columns ``layer`` (1-based), ``kind`` (``"coef"`` or
        ``"intercept"``), ``from_unit`` (missing for intercepts) and
        ``to_unit``.

    Examples
    --------
    >>> print(parameter_table([1, 2]).to_string(index=False))
     layer      kind  from_unit  to_unit
         1      coef          0        0
         1      coef          0        1
         1 intercept       <NA>        0
         1 intercept       <NA>        1
    """
    frames = []
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(layer_units), 1):
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "kind": "coef",
                    "from_unit": pd.array(np.repeat(np.arange(n_in), n_out), "Int64"),
                    "to_unit": np.tile(np.arange(n_out), n_in),
                }
            )
        )
    for layer, n_out in enumerate(layer_units[1:] if fit_intercept else [], 1):
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "kind": "intercept",
                    "from_unit": pd.array([pd.NA] * n_out, "Int64"),
                    "to_unit": np.arange(n_out),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _packed(coefs, intercepts, fit_intercept):
    """Values in the rows' order of :func:`parameter_table`, in their dtype."""
    arrays = [*coefs, *intercepts] if fit_intercept else list(coefs)
    return np.concatenate([a.ravel() for a in arrays])


def step_trace(record, new_coefs, new_intercepts, fit_intercept):
    """The tables of one traced step.

    Parameters
    ----------
    record : skbp._traced_step.StepRecord
        The step's arrays.
    new_coefs, new_intercepts : list of ndarray
        The weights after the update.
    fit_intercept : bool
        Whether the intercepts were trained (else they get no rows).

    Returns
    -------
    trace : StepTrace
    """
    forward = _unit_table(record.nets, "net_input")
    forward["output"] = _unit_table(record.outs, "output")["output"]
    masks = record.masks
    if masks is not None:
        factors = [
            np.ones_like(out) if m is None else m
            for out, m in zip(record.outs, [*masks, None])
        ]
        forward["mask"] = _unit_table(factors, "mask")["mask"]
    layer_units = [record.old_coefs[0].shape[0]]
    layer_units += [c.shape[1] for c in record.old_coefs]
    updates = parameter_table(layer_units, fit_intercept)
    r, b = record, fit_intercept
    updates["old_weight"] = _packed(r.old_coefs, r.old_intercepts, b)
    updates["gradient"] = _packed(r.coef_grads, r.intercept_grads, b)
    updates["new_weight"] = _packed(new_coefs, new_intercepts, b)
    return StepTrace(
        forward,
        _unit_table(record.deltas, "delta"),
        updates,
        record.loss,
        record.learning_rate,
        masks,
        X=record.X,
        y=record.y,
        sample_weight=record.sample_weight,
        activations=record.activations,
        loss_function=record.loss_function,
        alpha=record.alpha,
        intercepts=record.old_intercepts,
        fit_intercept=fit_intercept,
        dropout=record.dropout,
        clip=record.clip,
        optimizer=record.optimizer,
        label_smoothing=getattr(record, "label_smoothing", None),
    )
