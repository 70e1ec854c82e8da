"""The numbers of a traced step by layer, and the names they are written with.

Names are Mazur's, as ``skbp.plot.NetworkDisplay`` writes them: inputs
``i1, i2, ...``, hidden units ``h1, ...`` (``h2.1``: unit 1 of hidden layer
2), outputs ``o1, ...``; weights ``w1, w2, ...`` numbered into each unit in
turn, layer by layer; biases ``b1, b2, ...`` (one per layer) when held
fixed at one value per layer, else ``b_h1, b_o1, ...``. :class:`Step` reads
a ``StepTrace``'s tables and context into arrays and hands out each number
as a named :class:`skbp._expressions.Var`.
"""

import itertools

import numpy as np

from ._expressions import BinOp, Symbol, Var, symbol

N = symbol("N")


def unit_names(layer_units):
    """Names ``i1, ...``, ``h1, ...``, ``o1, ...`` of every layer's units.

    The names ``skbp.plot.NetworkDisplay`` writes (with several hidden
    layers unit k of hidden layer l is ``h{l}.{k}``), so that the figure and
    the text agree.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input first.

    Returns
    -------
    names : list of list of str

    Examples
    --------
    >>> unit_names([2, 3, 1])
    [['i1', 'i2'], ['h1', 'h2', 'h3'], ['o1']]
    >>> unit_names([1, 1, 1, 1])[1:3]
    [['h1.1'], ['h2.1']]
    """
    last = len(layer_units) - 1
    names = []
    for layer, n in enumerate(layer_units):
        if layer in (0, last):
            prefix = "i" if layer == 0 else "o"
        else:
            prefix = "h" if last == 2 else f"h{layer}."
        names.append([f"{prefix}{k + 1}" for k in range(n)])
    return names


def weight_number(layer_units, layer, j, k):
    """Mazur's number of the weight ``coefs_[layer - 1][j, k]`` (w1 is 1).

    The weights into the first unit of layer 1 from each input in turn, then
    into its second unit, ..., then layer 2's: w1 = i1 → h1, w2 = i2 → h1,
    w3 = i1 → h2 in his picture.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input first.
    layer, j, k : int
        The weight's layer (1-based), sending and receiving unit.

    Returns
    -------
    number : int

    Examples
    --------
    >>> weight_number([2, 2, 2], 1, 0, 1), weight_number([2, 2, 2], 2, 1, 1)
    (3, 8)
    """
    sizes = [a * b for a, b in itertools.pairwise(layer_units)]
    return sum(sizes[: layer - 1]) + k * layer_units[layer - 1] + j + 1


def of_parameter(base, param, sup=""):
    """A quantity of one parameter: ``v_w5``, ``m_b_o1`` (``sup="+"``: after the step).

    Examples
    --------
    >>> of_parameter("v", symbol("w", "5"), "+").text
    'v_w5⁺'
    """
    mark = sup.translate(str.maketrans("+", "⁺"))
    return Symbol(
        f"{base}_{param.text}{mark}",
        f"{base}_{{{param.latex}}}" + (f"^{{{sup}}}" if sup else ""),
        f"{base}<sub>{param.html}</sub>" + (f"<sup>{sup}</sup>" if sup else ""),
    )


class Step:
    """The numbers of a traced step, by layer, with their names.

    Parameters
    ----------
    trace : skbp.StepTrace
    """

    def __init__(self, trace):
        if getattr(trace, "activations", None) is None:
            raise ValueError(
                "This StepTrace has no record of the step's units, loss and "
                "optimizer (it was made by hand or by an older skbp); trace the "
                "step again with trace_step to explain it."
            )
        self.trace = trace
        X = trace.X
        self.X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, float)
        self.y = np.asarray(trace.y, dtype=float)
        self.n = self.X.shape[0]
        self.layer_units = [self.X.shape[1]] + [
            int(np.shape(b)[0]) for b in trace.intercepts
        ]
        self.L = len(self.layer_units) - 1
        self.names = unit_names(self.layer_units)
        self.nets = self._layers(trace.forward, "net_input")
        self.outs = self._layers(trace.forward, "output")
        # The mask of each hidden layer with dropout (None: none there).
        self.masks = [None] * (self.L + 1)
        if trace.dropout:
            masks = self._layers(trace.forward, "mask")
            for layer, rate in enumerate(trace.dropout, start=1):
                self.masks[layer] = masks[layer] if rate else None
        self.deltas = self._layers(trace.backward, "delta")
        updates = trace.updates
        self.old = updates["old_weight"].to_numpy(dtype=float)
        self.new = updates["new_weight"].to_numpy(dtype=float)
        self.gradient = updates["gradient"].to_numpy(dtype=float)
        clip = trace.clip
        self.raw = (
            self.gradient if clip is None else np.asarray(clip["gradient"], float)
        )
        self.fit_intercept = trace.fit_intercept
        pairs = list(itertools.pairwise(self.layer_units))
        self.pairs = pairs
        starts = np.cumsum([0] + [a * b for a, b in pairs])
        self.coef_start = starts[:-1]
        self.intercept_start = starts[-1] + np.cumsum([0, *self.layer_units[1:-1]])
        self.intercepts = [np.asarray(b, float) for b in trace.intercepts]
        self.sw = (
            None if trace.sample_weight is None else np.asarray(trace.sample_weight)
        )
        self.N = float(self.n if self.sw is None else np.sum(self.sw, dtype=float))

    def _layers(self, table, column):
        arrays = [None]
        for layer in range(1, self.L + 1):
            values = table.loc[table["layer"] == layer, column].to_numpy(float)
            arrays.append(values.reshape(self.n, self.layer_units[layer]))
        return arrays

    @property
    def n_parameters(self):
        return len(self.old)

    def coef_index(self, layer, j, k):
        return int(self.coef_start[layer - 1] + j * self.layer_units[layer] + k)

    def bias_index(self, layer, k):
        if not self.fit_intercept:
            return None
        return int(self.intercept_start[layer - 1] + k)

    def layer_parameters(self, layer):
        """The layer's rows of ``updates`` in Mazur's order, each unit's bias last."""
        rows = []
        for k in range(self.layer_units[layer]):
            rows += [
                self.coef_index(layer, j, k) for j in range(self.layer_units[layer - 1])
            ]
            if self.fit_intercept:
                rows.append(self.bias_index(layer, k))
        return rows

    def parameter(self, i):
        """``(symbol, layer, j, k)`` of the parameter in row ``i`` (j None: a bias)."""
        for layer, (n_in, n_out) in enumerate(self.pairs, start=1):
            offset = i - self.coef_start[layer - 1]
            if 0 <= offset < n_in * n_out:
                j, k = divmod(int(offset), n_out)
                return self.weight_symbol(layer, j, k), layer, j, k
        for layer, n_out in enumerate(self.layer_units[1:], start=1):
            offset = i - self.intercept_start[layer - 1]
            if 0 <= offset < n_out:
                return self.bias_symbol(layer, int(offset)), layer, None, int(offset)
        raise IndexError(i)

    # ------------------------------------------------------------------
    # Names and values
    def index(self, n):
        """The sample index written after a name: none for a batch of one."""
        return n if self.n > 1 else None

    def weight_symbol(self, layer, j, k, sup=""):
        return symbol("w", str(weight_number(self.layer_units, layer, j, k)), sup)

    def bias_symbol(self, layer, k, sup=""):
        """Mazur's b1, b2 for a fixed bias shared by a layer, else b_h1, ..."""
        b = self.intercepts[layer - 1]
        if not self.fit_intercept and np.all(b == b[0]):
            return symbol("b", str(layer), sup)
        return symbol("b", self.names[layer][k], sup)

    def has_bias(self, layer):
        return self.fit_intercept or bool(np.any(self.intercepts[layer - 1]))

    def weight(self, layer, j, k):
        return Var(
            self.weight_symbol(layer, j, k), self.old[self.coef_index(layer, j, k)]
        )

    def bias(self, layer, k):
        i = self.bias_index(layer, k)
        value = self.intercepts[layer - 1][k] if i is None else self.old[i]
        return Var(self.bias_symbol(layer, k), value)

    def handed_on(self, layer, j, n):
        """What unit ``j`` of ``layer`` hands the next layer in sample ``n``.

        An input ``i1``, or a unit's output ``out_h1`` times its dropout
        mask ``m_h1`` when it has one.
        """
        if layer == 0:
            return Var(symbol("i", str(j + 1), index=self.index(n)), self.X[n, j])
        out = self.out(layer, j, n)
        mask = self.masks[layer]
        return out if mask is None else BinOp("*", out, self.mask(layer, j, n))

    def mask(self, layer, k, n):
        name = symbol("m", self.names[layer][k], index=self.index(n))
        return Var(name, self.masks[layer][n, k])

    def net(self, layer, k, n):
        name = symbol("net", self.names[layer][k], index=self.index(n))
        return Var(name, self.nets[layer][n, k])

    def out(self, layer, k, n):
        name = symbol("out", self.names[layer][k], index=self.index(n))
        return Var(name, self.outs[layer][n, k])

    def delta(self, layer, k, n):
        name = symbol("δ", self.names[layer][k], index=self.index(n))
        return Var(name, self.deltas[layer][n, k])

    def target(self, k, n):
        name = symbol("target", self.names[self.L][k], index=self.index(n))
        return Var(name, self.y[n, k])

    def sample_weight(self, n):
        return Var(symbol("s", index=n), self.sw[n])

    def batch_size(self):
        return Var(N, self.N)

    def averaged(self):
        """Whether sums over the batch are divided by N (not for one plain sample)."""
        return self.n > 1 or self.sw is not None
