"""A traced training step written out with its numbers, in Mazur's order.

:func:`explain` (``StepTrace.explain``) writes each unit's net input as the
sum of its weighted inputs and bias with the values substituted, its output
through the network's own unit, the error of each output, then backward:
∂E/∂out, ∂out/∂net, δ, ∂E/∂w = δ·out, the hidden units' sums over the next
layer's δ·w, and each update as the optimizer computes it. Every formula is
an expression tree of :mod:`skbp._expressions`, so the numbers written are
the ones it computes. A unit's formulas come from its record in
``skbp._activations.REGISTRY``, the error's from ``skbp._losses.LOSSES`` and
the update's from the optimizer (``update_formulas``, recorded with the
trace).

Names are Mazur's, as ``skbp.plot.NetworkDisplay`` writes them (see
``skbp._explain_step``).
"""

import ast
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._activations import REGISTRY
from ._explain_render import Equation, Explanation, render
from ._explain_step import N, Step, of_parameter
from ._expressions import BinOp, Call, Const, Sum, Symbol, Var, parse, partial, symbol
from ._losses import LOSSES

# A network with more parameters is summarised unless a unit or weight is named.
MAX_PARAMETERS = 40
# A larger batch shows its first sample's passes unless ``sample`` says which.
MAX_SAMPLES = 4
# How the optimizers' constants are written; another name is written as is.
CONSTANTS = {
    "lr": symbol("η"),
    "lr_t": symbol("η", "t"),
    "lr_0": symbol("η", "0"),
    "pi": symbol("π"),
    "mu": symbol("μ"),
    "beta_1": symbol("β", "1"),
    "beta_2": symbol("β", "2"),
    "eps": symbol("ε"),
}
# A loss with its canonical output unit has δ = out − y (Loss.output_delta).
CANONICAL_DELTA = "out - y"
E = symbol("E")
NORM = Symbol("‖g‖", r"\lVert g \rVert", "‖g‖")


def _constant(name):
    return CONSTANTS.get(name) or symbol(name)


def _plain(x):
    return f"{float(x):.9g}"


@validate_params(
    {
        "trace": "no_validation",
        "format": [StrOptions({"markdown", "text", "html"})],
        "unit": [tuple, None],
        "weight": [tuple, None],
        "sample": [Interval(Integral, 0, None, closed="left"), list, tuple, None],
        "precision": [Interval(Integral, 1, 17, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def explain(trace, format="markdown", unit=None, weight=None, sample=None, precision=9):
    """The step of ``trace`` written out; see :meth:`skbp.StepTrace.explain`."""
    blocks = document(trace, unit=unit, weight=weight, sample=sample)
    return Explanation(render(blocks, format, precision), format)


def document(trace, unit=None, weight=None, sample=None):
    """The explanation as blocks, for :func:`skbp._explain_render.render`.

    Returns
    -------
    blocks : list of tuple
        ``("heading", level, text)``, ``("paragraph", segments)`` (each a
        str, a Symbol or ``("code", str)``) and ``("equations", list of
        Equation)``.
    """
    step = Step(trace)
    if unit is not None and weight is not None:
        raise ValueError("Give unit or weight, not both.")
    writer = Writer(step, _samples(step, sample))
    if unit is not None:
        writer.path(unit=_checked_unit(step, unit))
    elif weight is not None:
        writer.path(weight=_checked_weight(step, weight))
    elif step.n_parameters > MAX_PARAMETERS:
        writer.summary()
    else:
        writer.whole()
    return writer.blocks


def _samples(step, sample):
    if sample is None:
        return list(range(min(step.n, MAX_SAMPLES)))
    chosen = [sample] if isinstance(sample, Integral) else list(sample)
    if not chosen or not all(
        isinstance(n, Integral) and 0 <= n < step.n for n in chosen
    ):
        raise ValueError(
            f"sample must be rows of the traced batch, 0 to {step.n - 1}; "
            f"got {sample!r}."
        )
    return sorted({int(n) for n in chosen})


def _checked_unit(step, unit):
    ok = len(unit) == 2 and all(isinstance(v, Integral) for v in unit)
    if ok and 1 <= unit[0] <= step.L and 0 <= unit[1] < step.layer_units[unit[0]]:
        return int(unit[0]), int(unit[1])
    raise ValueError(
        f"unit must be (layer, k) with layer from 1 to {step.L} (the output "
        "layer) and k a unit of that layer counted from 0, as in "
        f"StepTrace.forward; got {unit!r}."
    )


def _checked_weight(step, weight):
    ok = len(weight) == 3 and all(isinstance(v, Integral) for v in weight)
    if ok and 1 <= weight[0] <= step.L:
        layer, j, k = (int(v) for v in weight)
        if 0 <= j < step.layer_units[layer - 1] and 0 <= k < step.layer_units[layer]:
            return layer, j, k
    raise ValueError(
        "weight must be (layer, j, k), the weight coefs_[layer - 1][j, k], with "
        f"layer from 1 to {step.L}, as in StepTrace.updates; got {weight!r}."
    )


def _names_in(formula):
    return {
        n.id
        for n in ast.walk(ast.parse(formula, mode="eval"))
        if isinstance(n, ast.Name)
    }


class Writer:
    """Builds the blocks of an explanation, section by section.

    Parameters
    ----------
    step : Step
    samples : list of int
        The samples whose forward and backward passes are written.
    """

    def __init__(self, step, samples):
        self.step, self.samples = step, samples
        self.blocks = []
        self.units = [None] + [REGISTRY[name] for name in step.trace.activations]
        self.loss = LOSSES[step.trace.loss_function]
        self.optimizer = step.trace.optimizer
        formulas = self.optimizer["formulas"]
        # Formulas in no parameter's numbers are one value for every parameter.
        own = {"w", "g", *self.optimizer["state"]}
        self.scalar = {}
        for target, formula in formulas:
            if _names_in(formula) & own:
                own.add(target)
            else:
                self.scalar[target] = formula

    def heading(self, level, text):
        self.blocks.append(("heading", level, text))

    def paragraph(self, *segments):
        self.blocks.append(("paragraph", list(segments)))

    def equations(self, lines):
        if lines:
            self.blocks.append(("equations", list(lines)))

    # ------------------------------------------------------------------
    # The three kinds of explanation
    def whole(self):
        step = self.step
        units = {
            (layer, k)
            for layer in range(1, step.L + 1)
            for k in range(step.layer_units[layer])
        }
        self.introduction()
        self.forward(units)
        self.error(range(step.layer_units[-1]))
        self.backward(units, set(range(step.n_parameters)))

    def path(self, unit=None, weight=None):
        step = self.step
        if unit is not None:
            layer, k = unit
            units = {unit}
            shown = {
                step.coef_index(layer, j, k) for j in range(step.layer_units[layer - 1])
            }
            if step.fit_intercept:
                shown.add(step.bias_index(layer, k))
            what = f"unit {step.names[layer][k]}"
        else:
            layer, j, k = weight
            units = {(layer, k)} | ({(layer - 1, j)} if layer > 1 else set())
            shown = {step.coef_index(layer, j, k)}
            what = f"weight {step.weight_symbol(layer, j, k).text}"
        self.introduction(path=what)
        if layer < step.L:
            self.paragraph(
                f"The δ of layer {layer + 1}'s units are taken as traced; ",
                ("code", f"trace.explain(unit=({layer + 1}, m))"),
                " derives the δ of its unit m.",
            )
        self.forward(units)
        if layer == step.L:
            self.error([k], total=False)
        self.backward({(layer, k)}, shown)

    def summary(self):
        step = self.step
        self.introduction()
        self.paragraph(
            f"This network has {step.n_parameters} parameters, too many to write "
            "every one out. Name a unit or a weight to see its path: ",
            ("code", "trace.explain(unit=(layer, k))"),
            " writes unit k of a layer (its net input, output, δ and the updates "
            "of the weights into it), ",
            ("code", "trace.explain(weight=(layer, j, k))"),
            " the weight ",
            ("code", "coefs_[layer - 1][j, k]"),
            ". The batch's error and the parameters with the largest gradients:",
        )
        order = np.argsort(-np.abs(step.raw), kind="stable")[:5]
        lines = [Equation(E, None, step.trace.loss)]
        for i in order:
            name, layer, j, k = step.parameter(int(i))
            lines.append(Equation(partial(E, name), None, step.raw[i]))
        self.equations(lines)
        where = []
        for i in order:
            name, layer, j, k = step.parameter(int(i))
            if j is None:
                where.append(f"{name.text}: the bias of {step.names[layer][k]}")
            else:
                where.append(f"{name.text}: weight=({layer}, {j}, {k})")
        self.paragraph("That is, " + "; ".join(where) + ".")

    # ------------------------------------------------------------------
    def introduction(self, path=None):
        step = self.step
        title = "One training step, written out"
        self.heading(1, f"{title}: {path}" if path else title)
        units = ", ".join(
            f"{self.units[layer].name} units in layer {layer}"
            for layer in range(1, step.L + 1)
        )
        shape = "-".join(str(u) for u in step.layer_units)
        batch = f"a batch of {step.n} samples" if step.n > 1 else "one sample"
        if step.sw is not None:
            batch += " with sample weights s"
        self.paragraph(
            f"A {shape} network ({units}), the {self.loss.title}, {batch}. "
            "The weight from unit j of layer l − 1 to unit k of layer l is ",
            ("code", "coefs_[l - 1][j, k]"),
            "; the weights are numbered into each unit in turn, layer by layer, "
            f"as Mazur numbers them (w1: {step.names[0][0]} → {step.names[1][0]}). ",
            *self._bias_words(),
        )
        lines = []
        if step.averaged() or step.trace.alpha:
            if step.sw is None:
                lines.append(Equation(N, None, step.N))
                words = "N is the number of samples"
            else:
                weights = Sum(step.sample_weight(n) for n in range(step.n))
                lines.append(Equation(N, weights, step.N))
                words = "N is the sum of the sample weights"
            words += ": the error is the batch's mean"
            if step.trace.alpha:
                lines.append(Equation(symbol("α"), None, step.trace.alpha))
                words += ", with the L2 term α·Σw²/(2N) over the weights"
            self.paragraph(words + ".")
            self.equations(lines)
        if step.n > len(self.samples):
            shown = ", ".join(str(n) for n in self.samples)
            self.paragraph(
                f"The forward and backward passes are written for sample {shown} "
                f"of the batch's {step.n} (0 to {step.n - 1}); the gradients sum "
                "over all of them. Choose others with ",
                ("code", "sample="),
                ".",
            )
        self.optimizer_rule()

    def _bias_words(self):
        step = self.step
        if step.fit_intercept:
            return ["Every unit has a bias b, trained with the weights."]
        if not any(step.has_bias(layer) for layer in range(1, step.L + 1)):
            return ["The network has no biases."]
        return ["The biases are held fixed (", ("code", "fit_intercept=False"), ")."]

    def optimizer_rule(self):
        """The update in general, and the optimizer's constants."""
        opt = self.optimizer
        w = symbol("w")
        g = symbol("g") if self.step.trace.clip else partial(E, w)
        names = {"w": Var(w, np.nan), "g": Var(g, np.nan)}
        for sym in opt["state"]:
            names[sym] = Var(symbol(sym), np.nan)
        constants = []
        for name, value in opt["constants"].items():
            names[name] = Var(_constant(name), value)
            constants.append(Equation(_constant(name), None, value))
        rules = []
        for target, formula in opt["formulas"]:
            expr = parse(formula, names)
            if target in self.scalar:
                lhs = _constant(target)
                names[target] = Var(lhs, expr.value())
                constants.append(Equation(lhs, expr))
                continue
            lhs = _target(target, w, generic=True)
            names[target] = Var(lhs, np.nan)
            rules.append(Equation(lhs, expr, numbers=False))
        self.constants = {
            k: v for k, v in names.items() if k in opt["constants"] or k in self.scalar
        }
        clipped = (
            " (g: the gradient after clipping, below)" if self.step.trace.clip else ""
        )
        self.paragraph(
            f"{opt['title']} updates each parameter w{clipped} by the rule below, "
            "with these constants:"
        )
        self.equations(rules + constants)

    # ------------------------------------------------------------------
    def forward(self, units):
        step = self.step
        for n in self.samples:
            title = "Forward pass"
            if step.n > 1:
                title += f", sample {n}"
                if step.sw is not None:
                    title += f" (s = {_plain(step.sw[n])})"
            self.heading(2, title)
            for layer in range(1, step.L + 1):
                lines = []
                for k in range(step.layer_units[layer]):
                    if (layer, k) in units:
                        lines += self.unit_forward(layer, k, n)
                self.equations(lines)
                if step.masks[layer] is not None and any(
                    u[0] in (layer, layer + 1) for u in units
                ):
                    self.dropout(layer, n, units)

    def unit_forward(self, layer, k, n):
        step = self.step
        terms = [
            BinOp("*", step.weight(layer, j, k), step.handed_on(layer - 1, j, n))
            for j in range(step.layer_units[layer - 1])
        ]
        if step.has_bias(layer):
            terms.append(BinOp("*", step.bias(layer, k), Const(1)))
        net = step.net(layer, k, n)
        nets = [step.net(layer, m, n) for m in range(step.layer_units[layer])]
        out = step.out(layer, k, n)
        output = parse(self.units[layer].output_formula, {"net": net, "nets": nets})
        return [
            Equation(net.name, Sum(terms), net.number),
            Equation(out.name, output, out.number),
        ]

    def dropout(self, layer, n, units):
        step = self.step
        p = step.trace.dropout[layer - 1]
        self.paragraph(
            f"Dropout (p = {_plain(p)}) multiplies each output of layer {layer} "
            "by its mask m before the next layer reads it: 0 (dropped) or "
            f"1/(1 − p) = {_plain(1 / (1 - p))} (kept).",
        )
        every = any(u[0] == layer + 1 for u in units)
        self.equations(
            Equation(step.mask(layer, k, n).name, None, step.masks[layer][n, k])
            for k in range(step.layer_units[layer])
            if every or (layer, k) in units
        )

    # ------------------------------------------------------------------
    def smoothed_targets(self, outputs):
        """label_smoothing's targets, from the 0/1 labels the batch gave."""
        step, L = self.step, self.step.L
        smoothing = step.trace.label_smoothing
        eps, n_classes = smoothing["epsilon"], smoothing["n_classes"]
        labels = np.asarray(smoothing["labels"], dtype=float)
        softmax = step.trace.activations[-1] == "softmax"
        of = "the softmax's classes" if softmax else "each output's two classes"
        self.paragraph(
            f"Label smoothing (ε = {_plain(eps)}) trains against the targets "
            f"y·(1 − ε) + ε/K, with K = {n_classes} ({of}), instead of the "
            "0/1 labels y.",
        )
        constants = {"eps": Var(symbol("ε"), eps), "K": Var(symbol("K"), n_classes)}
        self.equations(
            Equation(
                step.target(k, n).name,
                parse(
                    "y * (1 - eps) + eps / K",
                    {
                        "y": Var(
                            symbol("y", step.names[L][k], index=step.index(n)),
                            labels[n, k],
                        ),
                        **constants,
                    },
                ),
                step.y[n, k],
            )
            for n in range(step.n)
            if n in self.samples
            for k in outputs
        )

    def error(self, outputs, total=True):
        step, L = self.step, self.step.L
        self.heading(2, "Error")
        if step.trace.label_smoothing is not None:
            self.smoothed_targets(outputs)
        lines, per_sample, clipped, zero_log_zero = [], [], False, False
        info = np.finfo(step.outs[L].dtype)
        limits = {
            "eps": Var(symbol("eps"), info.eps),
            "tiny": Var(symbol("tiny"), info.tiny),
        }
        for n in range(step.n):
            terms = []
            for k in range(step.layer_units[L]):
                lhs = symbol("E", step.names[L][k], index=step.index(n))
                names = {"y": step.target(k, n), "out": step.out(L, k, n), **limits}
                line = Equation(lhs, parse(self.loss.error_formula, names))
                formula = self.loss.clipped_formula
                if formula and Equation(lhs, parse(formula, names)).value != line.value:
                    # An output whose log is infinite: the loss clips it.
                    line = Equation(lhs, parse(formula, names))
                    clipped |= n in self.samples and k in outputs
                terms.append(Var(lhs, line.value))
                if n in self.samples and k in outputs:
                    lines.append(line)
                    # The Poisson deviance's y·log(y) reads 0·log(0) at y = 0.
                    zero_log_zero |= (
                        "xlogy(y, y)" in self.loss.error_formula
                        and names["y"].number == 0
                    )
            if step.n > 1 and len(terms) > 1:
                line = Equation(symbol("E", index=n), Sum(terms))
                if n in self.samples and total:
                    lines.append(line)
                per_sample.append(Var(line.lhs, line.value))
            else:
                per_sample.append(terms[0] if len(terms) == 1 else Sum(terms))
        if clipped:
            bound = (
                f"tiny = {info.tiny:.9g}, {info.dtype}'s smallest normal number"
                if "tiny" in self.loss.clipped_formula
                else f"eps = {info.eps:.9g}, {info.dtype}'s machine epsilon"
            )
            self.paragraph(
                "An output whose logarithm would be infinite is clipped as the "
                f"loss clips it ({bound})."
            )
        if zero_log_zero:
            self.paragraph(
                "A target of 0 makes its term 0 · log(0), taken as 0: the "
                "limit of y · log(y) as y goes to 0, as the loss computes it."
            )
        if not total:
            lines.append(Equation(E, None, step.trace.loss))
            self.equations(lines)
            return
        if step.n == 1:
            error = per_sample[0]
        elif step.sw is None:
            error = BinOp("/", Sum(per_sample), step.batch_size())
        else:
            weighted = [
                BinOp("*", step.sample_weight(n), e) for n, e in enumerate(per_sample)
            ]
            error = BinOp("/", Sum(weighted), step.batch_size())
        if step.trace.alpha:
            squares = Sum(
                BinOp("**", step.weight(layer, j, k), Const(2))
                for layer, (n_in, n_out) in enumerate(step.pairs, start=1)
                for k in range(n_out)
                for j in range(n_in)
            )
            penalty = BinOp(
                "/",
                BinOp("*", Var(symbol("α"), step.trace.alpha), squares),
                BinOp("*", Const(2), step.batch_size()),
            )
            error = BinOp("+", error, penalty)
        lines.append(Equation(E, error, step.trace.loss))
        self.equations(lines)

    # ------------------------------------------------------------------
    def backward(self, units, shown):
        step = self.step
        clip = step.trace.clip
        for layer in range(step.L, 0, -1):
            if any(u[0] == layer for u in units):
                where = "output layer" if layer == step.L else f"hidden layer {layer}"
                self.heading(2, f"Backward pass, {where}")
                for n in self.samples:
                    lines = []
                    for k in range(step.layer_units[layer]):
                        if (layer, k) in units:
                            lines += self.unit_backward(layer, k, n)
                    self.equations(lines)
            rows = [i for i in step.layer_parameters(layer) if i in shown]
            if rows:
                into = (
                    "the output layer" if layer == step.L else f"hidden layer {layer}"
                )
                what = "Gradients" if clip is not None else "Gradients and updates"
                self.heading(2, f"{what} of the parameters into {into}")
                lines = []
                for i in rows:
                    lines.append(self.gradient(i))
                    if clip is None:
                        lines += self.update(i)
                self.equations(lines)
        if clip is not None:
            order = [
                i
                for layer in range(step.L, 0, -1)
                for i in step.layer_parameters(layer)
                if i in shown
            ]
            self.clipping(order)

    def unit_backward(self, layer, k, n):
        step = self.step
        unit = self.units[layer]
        name = step.names[layer][k]
        idx = step.index(n)
        delta = step.delta(layer, k, n)
        out = step.out(layer, k, n)
        lines = []
        if layer == step.L:
            if unit.name in self.loss.canonical:
                # The loss's derivative through its own unit simplifies.
                chain = parse(CANONICAL_DELTA, {"y": step.target(k, n), "out": out})
                return [Equation(delta.name, self._weighted(chain, n), delta.number)]
            # ∂E/∂out of this unit, and of every unit of the layer when the
            # unit's derivative mixes them (softmax).
            every = "g" in _names_in(unit.derivative_formula)
            gs = []
            for m in range(step.layer_units[layer]):
                if not (every or m == k):
                    gs.append(None)
                    continue
                lhs = partial(E, symbol("out", step.names[layer][m], index=idx))
                y, o = step.target(m, n), step.out(layer, m, n)
                line = Equation(lhs, parse(self.loss.dout_formula, {"y": y, "out": o}))
                gs.append(Var(lhs, line.value))
                if m == k:
                    lines.append(line)
            g = gs[k]
        else:
            terms = [
                BinOp("*", step.delta(layer + 1, m, n), step.weight(layer + 1, k, m))
                for m in range(step.layer_units[layer + 1])
            ]
            expr = Sum(terms)
            if step.masks[layer] is not None:
                expr = BinOp("*", expr, step.mask(layer, k, n))
            lhs = partial(E, out.name)
            line = Equation(lhs, expr, terms=True)
            lines.append(line)
            g = Var(lhs, line.value)
        if "g" in _names_in(unit.derivative_formula):
            outs = [step.out(layer, m, n) for m in range(step.layer_units[layer])]
            chain = parse(
                unit.derivative_formula, {"out": out, "g": g, "outs": outs, "gs": gs}
            )
        else:
            slope_name = partial(out.name, symbol("net", name, index=idx))
            slope = Equation(slope_name, parse(unit.derivative_formula, {"out": out}))
            lines.append(slope)
            chain = BinOp("*", g, Var(slope_name, slope.value))
        if layer == step.L:
            chain = self._weighted(chain, n)
        lines.append(Equation(delta.name, chain, delta.number))
        return lines

    def _weighted(self, expr, n):
        """δ of a weighted sample carries its weight s."""
        if self.step.sw is None:
            return expr
        return BinOp("*", expr, self.step.sample_weight(n))

    def gradient(self, i):
        """∂E/∂w = Σ_n δ·out / N (+ α·w / N) of the parameter in row ``i``."""
        step = self.step
        name, layer, j, k = step.parameter(i)
        products = []
        for n in range(step.n):
            delta = step.delta(layer, k, n)
            if j is None:
                products.append(delta)
            else:
                products.append(BinOp("*", delta, step.handed_on(layer - 1, j, n)))
        expr = Sum(products)
        if step.averaged():
            expr = BinOp("/", expr, step.batch_size())
        if j is not None and step.trace.alpha:
            decay = BinOp(
                "*", Var(symbol("α"), step.trace.alpha), step.weight(layer, j, k)
            )
            expr = BinOp("+", expr, BinOp("/", decay, step.batch_size()))
        return Equation(partial(E, name), expr, step.raw[i])

    def update(self, i, clipped=False):
        """The optimizer's formulas for the parameter in row ``i``."""
        step, opt = self.step, self.optimizer
        name = step.parameter(i)[0]
        g = of_parameter("g", name) if clipped else partial(E, name)
        names = dict(self.constants)
        names["w"] = Var(name, step.old[i])
        names["g"] = Var(g, step.gradient[i])
        for sym, before in opt["state"].items():
            names[sym] = Var(of_parameter(sym, name), before[i])
        lines = []
        for target, formula in opt["formulas"]:
            if target in self.scalar:
                continue
            expr = parse(formula, names)
            lhs = _target(target, name)
            if target == "w_new":
                value = step.new[i]
            elif target.endswith("_new") and target[:-4] in opt["new_state"]:
                value = opt["new_state"][target[:-4]][i]
            else:
                value = None
            line = Equation(lhs, expr, value)
            names[target] = Var(lhs, line.value)
            lines.append(line)
        return lines

    def clipping(self, shown):
        step, clip = self.step, self.step.trace.clip
        self.heading(2, "Gradient clipping")
        squares = Sum(
            BinOp("**", Var(partial(E, step.parameter(i)[0]), step.raw[i]), Const(2))
            for layer in range(1, step.L + 1)
            for i in step.layer_parameters(layer)
        )
        c = Var(symbol("c"), clip["max_norm"])
        norm = Var(NORM, clip["norm"])
        lines = [
            Equation(NORM, Call("sqrt", [squares]), clip["norm"]),
            Equation(c.name, None, c.number),
        ]
        clipped = clip["scale"] != 1.0
        if clipped:
            self.paragraph(
                "The gradient's norm ‖g‖ over every trained parameter is above "
                "c = clip_grad_norm: each gradient is scaled by c / ‖g‖."
            )
        else:
            self.paragraph(
                "The gradient's norm ‖g‖ over every trained parameter is at most "
                "c = clip_grad_norm: the gradients are applied as they are, g = ∂E/∂w."
            )
        self.equations(lines)
        self.heading(2, "Updates")
        lines = []
        for i in shown:
            name = step.parameter(i)[0]
            if clipped:
                scaled = BinOp(
                    "*", Var(partial(E, name), step.raw[i]), BinOp("/", c, norm)
                )
                lines.append(
                    Equation(of_parameter("g", name), scaled, step.gradient[i])
                )
            lines += self.update(i, clipped=clipped)
        self.equations(lines)


def _target(target, param, generic=False):
    """The symbol of a computed name: ``w_new`` is w5⁺, ``v_new`` v_w5⁺.

    ``generic``: the rule for any parameter w, whose ``v_new`` is v⁺.
    """
    if target == "w_new":
        return Symbol(
            f"{param.text}⁺", f"{param.latex}^{{+}}", f"{param.html}<sup>+</sup>"
        )
    base, sup = (target[:-4], "+") if target.endswith("_new") else (target, "")
    return symbol(base, sup=sup) if generic else of_parameter(base, param, sup)
