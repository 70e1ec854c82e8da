"""A training run recorded step by step, for the run report.

:func:`trace_run` replays a run with ``trace_step``: a clone of the
estimator starts from its own initial weights (its ``random_state`` or
``coefs_init``) and takes ``n_steps`` traced steps, each on the whole data
or on the next batch of rows. :class:`TracedRun` keeps every step's
:class:`~skbp.StepTrace` and turns them into the numbers the page embeds.
"""

import base64
import copy
import numbers

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.multiclass import unique_labels

from .._losses import get_loss
from ..plot._network_edges import bias_modes, candidate_edges, strongest_incoming
from ..plot._network_layout import default_unit_names
from ..plot._network_text import estimator_unit_names, optimizer_settings

# Above this many weights and biases a drawing keeps each unit's strongest
# incoming edges only, as NetworkDisplay does for a large network.
MAX_DRAWN_EDGES = 200
# The page keeps every parameter of every step while parameters x steps stay
# under this (about 0.55 MB of base64 for weights and gradients); beyond it,
# only the drawn edges', so that the page's size stays bounded.
MAX_STORED_NUMBERS = 40_000
# The page trains on ("train on") only when it can embed the data: at most
# this many numbers of X (about 0.27 MB of base64), and the targets.
MAX_TRAIN_NUMBERS = 20_000


def _b64(values):
    """float64 values, little-endian, as base64: exact and 10.7 characters each."""
    array = np.ascontiguousarray(values, dtype="<f8")
    return base64.b64encode(array.tobytes()).decode("ascii")


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "sample": [Interval(numbers.Integral, 0, None, closed="left")],
        "top_edges": [Interval(numbers.Integral, 1, None, closed="left")],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def trace_run(
    estimator,
    X,
    y,
    n_steps=100,
    *,
    batch_size=None,
    sample=0,
    top_edges=3,
    sample_weight=None,
):
    """Record a training run step by step, from its initial weights.

    A clone of ``estimator`` (the estimator itself is left as it is) takes
    ``n_steps`` steps of :meth:`~skbp.BackpropClassifier.trace_step`: its
    first step draws the initial weights as ``fit`` does (from
    ``random_state``, or ``coefs_init`` and ``intercepts_init``), so a run
    replays exactly from the same settings.

    Parameters
    ----------
    estimator : BackpropClassifier or BackpropRegressor
        An unfitted (or fitted: it is cloned) estimator with a stochastic
        solver (``"sgd"`` or ``"adam"``).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data. A DataFrame's columns name the input units.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The targets.
    n_steps : int, default=100
        The number of steps (updates) recorded.
    batch_size : int, default=None
        None: every step is on the whole data (one epoch per step). An int:
        step t is on the t-th batch of ``batch_size`` consecutive rows,
        wrapping around at the end of the data, unshuffled (shuffle X and y
        beforehand to mix them).
    sample : int, default=0
        The row of each step's batch whose net input, output and δ the page
        shows (the gradients are the batch's).
    top_edges : int, default=3
        On a network of more than 200 weights and biases, the page draws
        each unit's ``top_edges`` incoming edges of largest ``|w|`` after
        the last step, and says so. A smaller network's page also keeps,
        for the first, a middle and the last step, each unit's path as
        :meth:`StepTrace.explain <skbp.StepTrace.explain>` writes it.
    sample_weight : array-like of shape (n_samples,), default=None
        Each row's weight, handed with its batch to ``trace_step``: a step's
        loss and gradients are the batch's weighted means, and the δ the
        page shows is the sample's times its weight, as in ``trace_step``'s
        tables. A batch whose weights are all zero is refused, as by
        ``trace_step``.

    Returns
    -------
    run : TracedRun
        The steps' traces; :meth:`TracedRun.write_html` writes the page,
        which can also train on from any step in the browser (plain
        gradient descent at a learning rate of the reader's choosing).

    Examples
    --------
    >>> from skbp.report import trace_run
    >>> from skbp.worked_examples import mazur_network
    >>> net, X, y = mazur_network()
    >>> run = trace_run(net, X, y, n_steps=3)
    >>> [round(trace.loss, 9) for trace in run.traces]
    [0.298371109, 0.291027774, 0.283547133]
    """
    net = clone(estimator)
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
        if sample_weight.shape != (n,):
            raise ValueError(
                f"sample_weight must have one weight per row of X, shape "
                f"({n},); got shape {sample_weight.shape}."
            )
    rows = n if batch_size is None else min(batch_size, n)
    if sample >= rows:
        raise ValueError(
            f"sample must be a row of each step's batch of {rows} rows, "
            f"below {rows}; got sample={sample}."
        )
    extra = {}
    if is_classifier(net):
        extra["classes"] = unique_labels(y)
    batches, traces = [], []
    for step in range(n_steps):
        start = (step * rows) % n
        index = np.arange(start, start + rows) % n
        batch_X = X if rows == n and start == 0 else _safe_indexing(X, index)
        batch_y = y if rows == n and start == 0 else _safe_indexing(y, index)
        if sample_weight is not None:
            extra["sample_weight"] = sample_weight[index]
        traces.append(net.trace_step(batch_X, batch_y, **extra))
        batches.append(index)
        extra = {}
    return TracedRun(net, X, y, traces, batches, sample, top_edges, sample_weight)


class TracedRun:
    """A recorded training run: every step's trace, and the page built from them.

    Made by :func:`trace_run`.

    Attributes
    ----------
    estimator : BackpropClassifier or BackpropRegressor
        The clone that took the steps, with the weights after the last one.
    traces : list of StepTrace
        Step k's trace: the weights before it (``updates.old_weight``), its
        forward and backward passes, its gradients and the weights after it.
    batches : list of ndarray
        The rows of X each step was taken on.
    sample : int
        The row of each batch whose unit values the page shows.
    sample_weight : ndarray of shape (n_samples,) or None
        The rows' weights the steps were taken with.
    """

    def __init__(
        self,
        estimator,
        X,
        y,
        traces,
        batches,
        sample=0,
        top_edges=3,
        sample_weight=None,
    ):
        self.estimator = estimator
        self.X = X
        self.y = y
        self.traces = traces
        self.batches = batches
        self.sample = sample
        self.top_edges = top_edges
        self.sample_weight = sample_weight

    def write_html(self, path, title=None):
        """Write the run as one self-contained HTML page.

        The page needs no network: its script, style and numbers are inline.

        It can also train on ("train on": a learning-rate field, "step" and
        "10 steps"): plain gradient-descent steps w ← w − η·∂E/∂w from w⁺
        of the step shown, on the batches the run's scheme gives the next
        steps, with the network's own units, loss, L2 term and fixed
        intercepts, computed in the page in float64 (to 1e-12 of
        ``trace_step``'s numbers). They are appended as steps the stepper,
        loss curve, network and details show like recorded ones; stepping
        from an earlier step discards the steps after it, and "recorded
        steps" brings the recorded ones back. A run whose optimizer is not
        plain SGD (Adam, momentum, a schedule, weight decay, dropout,
        clipping) gets the same plain steps, and the page says so. The page
        embeds X, the targets as the network trains on them (one-hot, 0/1,
        smoothed, or y) and each row's weight (``sample_weight`` and
        ``class_weight``) for this, only when X has at most 20,000 numbers,
        the page keeps every weight (at most 40,000 weights × steps) and
        the run is in float64; otherwise it says why the control is absent.

        Parameters
        ----------
        path : str or path-like
            The file to write.
        title : str, default=None
            The page's heading; None describes the network.

        Returns
        -------
        n_bytes : int
            The size of the file written.
        """
        from ._html import write_page

        return write_page(self.payload(title), path)

    def payload(self, title=None):
        """The numbers and descriptions the page embeds, as a JSON-ready dict."""
        net, traces = self.estimator, self.traces
        coefs = [np.asarray(c, dtype=float) for c in net.coefs_]
        layer_units = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
        updates = traces[0].updates
        layers = updates["layer"].to_numpy()
        froms = updates["from_unit"].to_numpy(dtype=float, na_value=-1).astype(int)
        tos = updates["to_unit"].to_numpy()
        kinds = updates["kind"].to_numpy()
        names = estimator_unit_names(net, net, layer_units)
        default = default_unit_names(layer_units)
        fit_intercept = bool(net.fit_intercept)
        params = []
        first = np.cumsum([0] + [c.size for c in coefs])
        for layer, j, k, kind in zip(layers, froms, tos, kinds):
            layer, j, k = int(layer), int(j), int(k)
            if kind == "coef":
                n_in = layer_units[layer - 1]
                name = f"w{first[layer - 1] + k * n_in + j + 1}"
            else:
                name = f"b_{default[layer][k]}"
            params.append([layer, j, k, name])
        drawn = self._drawn_edges(coefs, fit_intercept, layers, froms, tos, kinds)
        n_steps = len(traces)
        n_params = len(params)
        stored = list(range(n_params))
        if n_params * n_steps > MAX_STORED_NUMBERS:
            stored = [i for i in stored if drawn[i]]
        old = np.stack([t.updates["old_weight"].to_numpy()[stored] for t in traces])
        last = traces[-1].updates["new_weight"].to_numpy()[stored]
        grads = np.stack([t.updates["gradient"].to_numpy()[stored] for t in traces])
        units = np.stack([self._unit_values(t) for t in traces])
        X_rows = [self._sample_row(self.X, b) for b in self.batches]
        y_rows = [self._sample_row(self.y, b) for b in self.batches]
        explained = {}
        if n_params <= MAX_DRAWN_EDGES:
            explained = {
                str(k): self._explained(traces[k], layer_units)
                for k in sorted({0, n_steps // 2, n_steps - 1})
            }
        hidden = list(getattr(net, "hidden_activations_", []))
        loss = get_loss(net.loss, net.out_activation_)
        all_stored = len(stored) == n_params
        return {
            "title": title or self._title(layer_units),
            "layers": layer_units,
            "names": names,
            "activations": [None, *hidden, net.out_activation_],
            "loss": net.loss,
            "canonical": net.out_activation_ in loss.canonical,
            "alpha": float(getattr(net, "alpha", 0.0)),
            # Where w⁺ = w − η·∂E/∂w holds (η: the step's own, scheduled).
            "plain_sgd": net.solver == "sgd"
            and not net.momentum
            and not getattr(net, "weight_decay", 0),
            "optimizer": optimizer_settings(net) or net.solver,
            "fit_intercept": fit_intercept,
            "fixed_intercepts": None
            if fit_intercept
            else [np.asarray(b, dtype=float).tolist() for b in net.intercepts_],
            "n_steps": n_steps,
            "batch_sizes": [len(b) for b in self.batches],
            "n_samples": int(self.X.shape[0]),
            "sample": self.sample,
            "params": [params[i] + [bool(drawn[i])] for i in stored],
            "n_params": n_params,
            "n_drawn": int(sum(drawn)),
            "top_edges": None if all(drawn) else self.top_edges,
            "loss_values": [_finite(t.loss) for t in traces],
            "learning_rates": [_finite(t.learning_rate) for t in traces],
            "W": _b64(np.vstack([old, last[None, :]])),
            "G": _b64(grads),
            "U": _b64(units),
            "x": _b64(np.vstack(X_rows)),
            "y": [_plain(row) for row in y_rows],
            "classes": [_plain(c) for c in getattr(net, "classes_", [])] or None,
            "plane": self._plane(all_stored),
            "train": self._training_data(all_stored),
            "weighted": self.sample_weight is not None
            or getattr(net, "class_weight", None) is not None,
            "explained": explained or None,
        }

    def _training_data(self, all_stored):
        """X and the targets as the network trains on them, for "train on".

        Or, where the page cannot train on, ``{"absent": why}``.
        """
        net = self.estimator
        n, n_features = self.X.shape
        why = None
        if not all_stored:
            why = "the page keeps the weights of the drawn edges only"
        elif n * n_features > MAX_TRAIN_NUMBERS:
            why = (
                f"the data ({n} × {n_features} numbers) is larger than the "
                f"{MAX_TRAIN_NUMBERS:,} numbers of X the page embeds"
            )
        elif net.coefs_[0].dtype != np.float64:
            why = "the run is in float32 and the page computes in float64"
        if why is not None:
            return {"absent": why}
        # skbp's own validation and encoding, on a copy: one-hot (or 0/1)
        # labels, smoothed as the run smooths them; y as it is for regression.
        model = copy.deepcopy(net)
        X, y = model._validate_input(self.X, self.y, incremental=True, reset=False)
        Y = model._training_targets(y.reshape(n, -1))
        # Each row's weight as trace_step weighs it: sample_weight with
        # class_weight folded in (None: unweighted).
        weights = model._sample_weight_hook(
            np.asarray(y.reshape(n, -1), dtype=X.dtype),
            None if self.sample_weight is None else self.sample_weight.astype(X.dtype),
            incremental=True,
        )
        if hasattr(X, "toarray"):
            X = X.toarray()
        differs = [
            what
            for what, used in [
                ("Adam", net.solver == "adam"),
                ("momentum", net.solver == "sgd" and net.momentum),
                (
                    "a learning-rate schedule",
                    net.solver == "sgd" and net.learning_rate != "constant",
                ),
                ("weight decay", getattr(net, "weight_decay", 0)),
                ("dropout", np.any(np.asarray(getattr(net, "dropout", 0)) > 0)),
                ("gradient clipping", getattr(net, "clip_grad_norm", None)),
            ]
            if used
        ]
        return {
            "X": _b64(X),
            "Y": _b64(Y),
            "n_outputs": int(Y.shape[1]),
            "batch_size": len(self.batches[0]),
            "eta": float(net.learning_rate_init),
            "differs": differs,
            "weights": None if weights is None else _b64(weights),
        }

    def _explained(self, trace, layer_units):
        """Each unit's path at one step, as ``StepTrace.explain`` writes it.

        Its heading and its description of the network, which the page's
        summary gives once, are left out.
        """
        return {
            f"{layer},{k}": explained_path(trace, (layer, k), self.sample)
            for layer in range(1, len(layer_units))
            for k in range(layer_units[layer])
        }

    def _drawn_edges(self, coefs, fit_intercept, layers, froms, tos, kinds):
        """Whether each parameter (packed order) is drawn as an edge."""
        n_params = len(layers)
        if n_params <= MAX_DRAWN_EDGES:
            return [True] * n_params
        intercepts = [np.asarray(b, dtype=float) for b in self.estimator.intercepts_]
        modes = bias_modes(intercepts, fit_intercept)
        values_of = candidate_edges(coefs, intercepts, modes)
        keep = strongest_incoming(values_of, self.top_edges)
        return [
            (int(layer), None if kind == "intercept" else int(j), int(k)) in keep
            for layer, j, k, kind in zip(layers, froms, tos, kinds)
        ]

    def _unit_values(self, trace):
        """net, out and δ of the shown sample's non-input units, layer by layer."""
        forward = trace.forward[trace.forward["sample"] == self.sample]
        backward = trace.backward[trace.backward["sample"] == self.sample]
        return np.stack(
            [
                forward["net_input"].to_numpy(dtype=float),
                forward["output"].to_numpy(dtype=float),
                backward["delta"].to_numpy(dtype=float),
            ],
            axis=1,
        )

    def _sample_row(self, data, batch):
        row = _safe_indexing(data, [batch[self.sample]])
        # A sparse row first: np.asarray would wrap it in an object array.
        if hasattr(row, "toarray"):
            row = row.toarray()
        row = row.to_numpy() if hasattr(row, "to_numpy") else np.asarray(row)
        return np.asarray(row).reshape(-1)

    def _title(self, layer_units):
        net = self.estimator
        kind = type(net).__name__
        shape = "-".join(str(n) for n in layer_units)
        return f"{kind} {shape}: {len(self.traces)} traced steps"

    def _plane(self, all_stored):
        """The data and view of the input plane, for a network with two inputs."""
        X = self.X
        if not all_stored or X.shape[1] != 2 or hasattr(X, "toarray"):
            return None
        X = np.asarray(X, dtype=float)
        low, high = X.min(axis=0), X.max(axis=0)
        pad = np.maximum((high - low) * 0.1, 0.5)
        y = np.asarray(self.y)
        return {
            "X": _b64(X),
            "range": [*(low - pad).tolist(), *(high + pad).tolist()],
            "y": [_plain(v) for v in y.reshape(len(y), -1)[:, 0]],
        }


def explained_path(trace, unit, sample):
    """``trace.explain``'s text of a unit's path, without heading and description."""
    text = trace.explain("text", unit=unit, sample=sample)
    return text.split("\n\n", 2)[-1]


def _finite(value):
    """A float, or None (JSON's null) for an infinite or NaN one."""
    value = float(value)
    return value if np.isfinite(value) else None


def _plain(value):
    """A JSON-ready number, string or list."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)
