"""Formulas that both print and compute: the arithmetic ``StepTrace.explain`` writes.

Every formula of an explained step is an expression tree. The same tree is
written with names (``w5·out_h1``), with the traced numbers substituted
(``0.4·0.593269992``), and evaluated in float64, so the text and the
arithmetic cannot drift apart. The formulas kept beside the units
(``skbp._activations.REGISTRY``), the losses (``skbp._losses.LOSSES``) and
the optimizers (``update_formulas``) are written as Python expressions in a
few names, ``1 / (1 + exp(-net))``, and :func:`parse` turns them into trees.

Three styles are written: ``"text"`` (Unicode: ``·``, ``−``, ``²``, ``√``),
``"latex"`` (for Markdown and Sphinx math) and ``"html"`` (subscripts as
``<sub>``, for notebooks without MathJax).
"""

import ast
import html
import math
import re

import numpy as np

# Binding strength: an operand binding less strongly than its operator's
# side requires is put in parentheses.
COND, COMPARE, ADD, MUL, UNARY, POW, ATOM = range(7)
# A sum of more terms is written as its first terms, an ellipsis and its last.
MAX_TERMS = 8
SHOWN_TERMS = 3
MINUS = "−"
GREEK = {
    "δ": r"\delta",
    "η": r"\eta",
    "μ": r"\mu",
    "β": r"\beta",
    "ε": r"\varepsilon",
    "α": r"\alpha",
    "σ": r"\sigma",
}
SUPERSCRIPTS = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SCIENTIFIC = re.compile(r"^[−-]?[\d.]+(e[−+-]?\d+| \\times 10\^\{[−-]?\d+\})$")


class Symbol:
    """A name as each style writes it.

    Parameters
    ----------
    text, latex, html : str
        The name in plain text, in LaTeX and in HTML.
    """

    __slots__ = ("compound", "html", "latex", "text")

    def __init__(self, text, latex, html, compound=False):
        self.text, self.latex, self.html = text, latex, html
        # A derivative ∂E/∂w is bracketed as the base of a power.
        self.compound = compound

    def render(self, style):
        """The name in ``style`` (``"text"``, ``"latex"`` or ``"html"``)."""
        return getattr(self, style)


def _latex_base(base):
    if base in GREEK:
        return GREEK[base]
    return base if len(base) == 1 else rf"\mathrm{{{base}}}"


def symbol(base, sub="", sup="", index=None):
    """A name written as the worked examples write it: ``net_h1``, ``w5⁺``.

    Parameters
    ----------
    base : str
        ``"net"``, ``"w"``, ``"δ"``, ... (Greek letters become LaTeX macros,
        longer words upright text).
    sub : str, default=""
        The subscript: a number follows the base directly (``w5``), a
        unit's name after an underscore (``net_h1``).
    sup : str, default=""
        A superscript, ``"+"`` for a value after the step.
    index : int, default=None
        The sample's row in the batch, written ``[n]`` (LaTeX: ``^{(n)}``).

    Returns
    -------
    Symbol

    Examples
    --------
    >>> s = symbol("net", "h1", index=2)
    >>> s.text, s.latex
    ('net_h1[2]', '\\\\mathrm{net}_{h1}^{(2)}')
    >>> symbol("w", "5", "+").text
    'w5⁺'
    """
    sub = str(sub)
    joint = "" if not sub or sub.isdigit() else "_"
    text = f"{base}{joint}{sub}{sup.translate(SUPERSCRIPTS)}"
    html_text = html.escape(base) + (f"<sub>{html.escape(sub)}</sub>" if sub else "")
    html_text += f"<sup>{html.escape(sup)}</sup>" if sup else ""
    latex = _latex_base(base) + (f"_{{{sub}}}" if sub else "")
    tops = [sup] if sup else []
    if index is not None:
        text += f"[{index}]"
        html_text += f"[{index}]"
        tops.append(f"({index})")
    if tops:
        latex += "^{" + " ".join(tops) + "}"
    return Symbol(text, latex, html_text)


def partial(top, bottom):
    """The derivative ∂top/∂bottom as a Symbol.

    Parameters
    ----------
    top, bottom : Symbol

    Returns
    -------
    Symbol

    Examples
    --------
    >>> partial(symbol("E"), symbol("w", "5")).text
    '∂E/∂w5'
    """
    return Symbol(
        f"∂{top.text}/∂{bottom.text}",
        rf"\frac{{\partial {top.latex}}}{{\partial {bottom.latex}}}",
        f"∂{top.html}/∂{bottom.html}",
        compound=True,
    )


class Numbers:
    """How numbers are written: ``precision`` decimals, trailing zeros dropped.

    Mazur prints 9 decimals and drops trailing zeros (0.75136507); values
    below 1e-4 or from 1e7 on are written in scientific notation with
    ``precision`` significant digits.

    Parameters
    ----------
    precision : int
        Decimals (significant digits in scientific notation).
    style : {"text", "latex", "html"}
    """

    def __init__(self, precision, style):
        self.precision, self.style = precision, style

    def __call__(self, x):
        """``x`` written in this style."""
        x = float(x)
        if not math.isfinite(x):
            word = "NaN" if math.isnan(x) else "∞"
            if self.style == "latex":
                word = r"\text{NaN}" if math.isnan(x) else r"\infty"
            return word if x > 0 or math.isnan(x) else self._minus(word)
        if x == 0:
            return "0"
        if 1e-4 <= abs(x) < 1e7:
            fixed = f"{abs(x):.{self.precision}f}".rstrip("0").rstrip(".")
            if fixed not in ("", "0"):
                return fixed if x > 0 else self._minus(fixed)
        mantissa, exponent = f"{abs(x):.{self.precision - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        if self.style == "latex":
            written = rf"{mantissa} \times 10^{{{int(exponent)}}}"
        else:
            written = f"{mantissa}e{int(exponent)}"
        return written if x > 0 else self._minus(written)

    def _minus(self, written):
        return ("-" if self.style == "latex" else MINUS) + written


class Renderer:
    """Writes expressions in one style, names or numbers.

    Parameters
    ----------
    style : {"text", "latex", "html"}
    precision : int
        Decimals of the numbers (see :class:`Numbers`).
    """

    def __init__(self, style, precision):
        self.style = style
        self.number = Numbers(precision, style)

    def __call__(self, expr, numbers=False):
        """``expr`` with names (``numbers=False``) or with its numbers."""
        return expr.render(self, numbers)

    def operand(self, expr, numbers, parens, right=False):
        """``expr`` as an operand, in parentheses when ``parens(precedence)``.

        A ``right`` operand that starts with a minus sign is bracketed too:
        a + (−b·c), a·(−b).
        """
        written = expr.render(self, numbers)
        negative = right and written.startswith(self.minus())
        if negative or parens(expr.precedence(numbers)):
            if self.style == "latex":
                return rf"\left({written}\right)"
            return f"({written})"
        return written

    def minus(self):
        return "-" if self.style == "latex" else MINUS

    def times(self):
        return r" \cdot " if self.style == "latex" else "·"


def _with_errstate(fn):
    def guarded(*args):
        with np.errstate(all="ignore"):
            return float(fn(*args))

    return guarded


def _xlogy(x, y):
    # 0·log(0) is 0, as scipy's xlogy (the losses' convention) has it.
    return 0.0 if x == 0 else x * np.log(y)


FUNCTIONS = {
    "exp": _with_errstate(np.exp),
    "log": _with_errstate(np.log),
    "tanh": _with_errstate(np.tanh),
    "cos": _with_errstate(np.cos),
    "sqrt": _with_errstate(np.sqrt),
    "max": _with_errstate(np.maximum),
    "min": _with_errstate(np.minimum),
    "abs": _with_errstate(np.abs),
    "xlogy": _with_errstate(_xlogy),
}
OPERATORS = {
    "+": _with_errstate(np.add),
    "-": _with_errstate(np.subtract),
    "*": _with_errstate(np.multiply),
    "/": _with_errstate(np.divide),
    "**": _with_errstate(np.power),
}
COMPARISONS = {
    ">": (np.greater, ">", ">", "&gt;"),
    "<": (np.less, "<", "<", "&lt;"),
    ">=": (np.greater_equal, "≥", r"\ge", "≥"),
    "<=": (np.less_equal, "≤", r"\le", "≤"),
}


class Expr:
    """An expression: ``value()``, and ``render`` by a :class:`Renderer`."""

    def value(self):
        """The expression evaluated in float64."""
        raise NotImplementedError

    def render(self, r, numbers):
        """The expression written by ``r``, with names or numbers."""
        raise NotImplementedError

    def precedence(self, numbers):
        """How strongly the written expression binds (``ATOM`` ... ``COND``)."""
        return ATOM


class Const(Expr):
    """A number of a formula itself (the 1 of ``1 − out``, the ½ of the error).

    Parameters
    ----------
    number : float
    """

    def __init__(self, number):
        self.number = float(number)

    def value(self):
        return self.number

    def render(self, r, numbers):
        if self.number == 0.5:
            return r"\frac{1}{2}" if r.style == "latex" else "½"
        if self.number.is_integer() and abs(self.number) < 1e7:
            return str(int(self.number)).replace("-", r.minus())
        return r.number(self.number)

    def precedence(self, numbers):
        return UNARY if self.number < 0 else ATOM


class Var(Expr):
    """A named quantity with its traced value: ``w5`` or ``0.4``.

    Parameters
    ----------
    name : Symbol
    number : float
    """

    def __init__(self, name, number):
        self.name, self.number = name, float(number)

    def value(self):
        return self.number

    def render(self, r, numbers):
        return r.number(self.number) if numbers else self.name.render(r.style)

    def precedence(self, numbers):
        return UNARY if numbers and self.number < 0 else ATOM


class Value(Expr):
    """A number computed on the way, always written as a number.

    Parameters
    ----------
    number : float
    """

    def __init__(self, number):
        self.number = float(number)

    def value(self):
        return self.number

    def render(self, r, numbers):
        return r.number(self.number)

    def precedence(self, numbers):
        return UNARY if self.number < 0 else ATOM


class Neg(Expr):
    """``−a``."""

    def __init__(self, operand):
        self.operand = operand

    def value(self):
        return -self.operand.value()

    def render(self, r, numbers):
        # −(a·b) is (−a)·b: only a sum, or a negative operand, is bracketed.
        parens = lambda p: p < MUL or p == UNARY  # noqa: E731
        return r.minus() + r.operand(self.operand, numbers, parens)

    def precedence(self, numbers):
        return UNARY


class BinOp(Expr):
    """``a op b`` for op in ``+ - * / **``."""

    def __init__(self, op, left, right):
        self.op, self.left, self.right = op, left, right

    def value(self):
        return OPERATORS[self.op](self.left.value(), self.right.value())

    def precedence(self, numbers):
        return {"+": ADD, "-": ADD, "*": MUL, "/": MUL, "**": POW}[self.op]

    def render(self, r, numbers):
        op, latex = self.op, r.style == "latex"

        def side(expr, parens):
            return r.operand(expr, numbers, parens)

        if op == "/" and latex:
            return rf"\frac{{{r(self.left, numbers)}}}{{{r(self.right, numbers)}}}"
        if op == "**":
            name = getattr(self.left, "name", None)
            compound = not numbers and getattr(name, "compound", False)
            base = side(self.left, lambda p: compound or p < ATOM)
            if _SCIENTIFIC.search(base):
                # 1.9e-5² would read as 1.9·10^(-5²).
                base = rf"\left({base}\right)" if latex else f"({base})"
            if latex:
                return f"{base}^{{{r(self.right, numbers)}}}"
            exponent = r(self.right, numbers)
            if r.style == "text" and exponent.isdigit():
                return base + exponent.translate(SUPERSCRIPTS)
            if r.style == "html":
                return f"{base}<sup>{exponent}</sup>"
            return f"{base}^{side(self.right, lambda p: p < ATOM)}"
        mine = self.precedence(numbers)
        left = side(self.left, lambda p: p < mine)
        # A right operand that binds no more strongly, or is negative, is
        # bracketed: a − (b + c), a / (b·c), a + (−b).
        right = r.operand(self.right, numbers, lambda p: p <= mine, right=True)
        sign = {"+": " + ", "-": f" {r.minus()} ", "*": r.times(), "/": " / "}[op]
        return left + sign + right


class Compare(Expr):
    """``a > b`` (and ``<``, ``>=``, ``<=``): 1.0 when true, else 0.0."""

    def __init__(self, op, left, right):
        self.op, self.left, self.right = op, left, right

    def value(self):
        test = COMPARISONS[self.op][0]
        return float(test(self.left.value(), self.right.value()))

    def precedence(self, numbers):
        return COMPARE

    def render(self, r, numbers):
        sign = COMPARISONS[self.op][{"text": 1, "latex": 2, "html": 3}[r.style]]
        left = r.operand(self.left, numbers, lambda p: p <= COMPARE)
        right = r.operand(self.right, numbers, lambda p: p <= COMPARE)
        return f"{left} {sign} {right}"


class Cond(Expr):
    """``a if test else b``, as the units' pieces are written (ReLU's slope)."""

    def __init__(self, test, then, other):
        self.test, self.then, self.other = test, then, other

    def value(self):
        return self.then.value() if self.test.value() else self.other.value()

    def precedence(self, numbers):
        return COND

    def render(self, r, numbers):
        then = r.operand(self.then, numbers, lambda p: p <= COND)
        test = r.operand(self.test, numbers, lambda p: p <= COND)
        other = r.operand(self.other, numbers, lambda p: p < COND)
        if r.style == "latex":
            return rf"{then} \text{{ if }} {test} \text{{ else }} {other}"
        return f"{then} if {test} else {other}"


class Call(Expr):
    """A function of :data:`FUNCTIONS` applied to its arguments."""

    def __init__(self, function, args):
        self.function, self.args = function, list(args)

    def value(self):
        return FUNCTIONS[self.function](*(a.value() for a in self.args))

    def render(self, r, numbers):
        fn, latex = self.function, r.style == "latex"
        args = [r(a, numbers) for a in self.args]
        if fn == "xlogy":
            x = r.operand(self.args[0], numbers, lambda p: p < MUL)
            return x + r.times() + self._call("log", args[1:], latex)
        if fn == "exp" and latex:
            return f"e^{{{args[0]}}}"
        if fn == "sqrt":
            return rf"\sqrt{{{args[0]}}}" if latex else f"√({args[0]})"
        if fn == "abs":
            return rf"\left|{args[0]}\right|" if latex else f"|{args[0]}|"
        return self._call(fn, args, latex)

    @staticmethod
    def _call(fn, args, latex):
        if latex:
            return rf"\{fn}\left({', '.join(args)}\right)"
        return f"{fn}({', '.join(args)})"

    def precedence(self, numbers):
        return MUL if self.function == "xlogy" else ATOM


class Sum(Expr):
    """``a + b + ... + z``; a long sum is written with an ellipsis.

    Parameters
    ----------
    terms : list of Expr
        At least one.
    """

    def __init__(self, terms):
        self.terms = list(terms)

    def value(self):
        return math.fsum(t.value() for t in self.terms)

    def precedence(self, numbers):
        return ADD if len(self.terms) > 1 else self.terms[0].precedence(numbers)

    def render(self, r, numbers):
        terms = self.terms
        first = r.operand(terms[0], numbers, lambda p: p < ADD)
        rest = [
            r.operand(t, numbers, lambda p: p <= ADD, right=True) for t in terms[1:]
        ]
        if len(terms) > MAX_TERMS:
            ellipsis = r"\dots" if r.style == "latex" else "…"
            rest = [*rest[: SHOWN_TERMS - 1], ellipsis, rest[-1]]
        return " + ".join([first, *rest])


def terms_evaluated(expr):
    """``expr`` with the terms of each of its sums replaced by their values.

    The stage between the substituted numbers and the result that Mazur
    prints for a hidden unit: 0.055399425 + (−0.019049119).

    Parameters
    ----------
    expr : Expr

    Returns
    -------
    Expr
    """
    if isinstance(expr, Sum):
        return Sum(Value(t.value()) for t in expr.terms)
    if isinstance(expr, BinOp):
        return BinOp(expr.op, terms_evaluated(expr.left), terms_evaluated(expr.right))
    if isinstance(expr, Neg):
        return Neg(terms_evaluated(expr.operand))
    return expr


def has_sum(expr):
    """Whether ``expr`` holds a sum of several terms (see :func:`terms_evaluated`)."""
    if isinstance(expr, Sum):
        return len(expr.terms) > 1
    if isinstance(expr, BinOp):
        return has_sum(expr.left) or has_sum(expr.right)
    return isinstance(expr, Neg) and has_sum(expr.operand)


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE = {ast.Gt: ">", ast.Lt: "<", ast.GtE: ">=", ast.LtE: "<="}


def parse(source, names):
    """A formula written as a Python expression, as an expression tree.

    Parameters
    ----------
    source : str
        Numbers, names, ``+ - * / **``, comparisons, ``a if test else b``
        and the functions ``exp``, ``log``, ``tanh``, ``sqrt``, ``abs``,
        ``max``, ``min``, ``xlogy`` (x·log y, 0 where x is 0) and ``sum``.
        ``sum(f(nets))`` sums ``f`` over the units of a layer: inside it a
        name bound to a list stands for each of its entries in turn.
    names : dict
        What each name stands for: an :class:`Expr`, or a list of them.

    Returns
    -------
    Expr

    Examples
    --------
    >>> net = Var(symbol("net", "h1"), 0.3775)
    >>> out = parse("1 / (1 + exp(-net))", {"net": net})
    >>> r = Renderer("text", 9)
    >>> r(out), r(out, numbers=True), round(out.value(), 9)
    ('1 / (1 + exp(−net_h1))', '1 / (1 + exp(−0.3775))', 0.593269992)
    """
    return _convert(ast.parse(source, mode="eval").body, names, source)


def _convert(node, names, source):
    def convert(child, bound=names):
        return _convert(child, bound, source)

    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return Const(node.value)
    if isinstance(node, ast.Name):
        if node.id not in names or isinstance(names[node.id], list):
            raise ValueError(
                f"The formula {source!r} uses an unknown name {node.id!r}."
            )
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = convert(node.operand)
        return Neg(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return BinOp(_BINARY[type(node.op)], convert(node.left), convert(node.right))
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and type(node.ops[0]) in _COMPARE
    ):
        op = _COMPARE[type(node.ops[0])]
        return Compare(op, convert(node.left), convert(node.comparators[0]))
    if isinstance(node, ast.IfExp):
        return Cond(convert(node.test), convert(node.body), convert(node.orelse))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        fn = node.func.id
        if fn == "sum" and len(node.args) == 1:
            vectors = {
                n.id
                for n in ast.walk(node.args[0])
                if isinstance(n, ast.Name) and isinstance(names.get(n.id), list)
            }
            size = min((len(names[v]) for v in vectors), default=0)
            terms = [
                convert(node.args[0], {**names, **{v: names[v][j] for v in vectors}})
                for j in range(size)
            ]
            if not terms:
                raise ValueError(f"sum() in {source!r} sums over no list of names.")
            return Sum(terms)
        if fn in FUNCTIONS:
            return Call(fn, [convert(a) for a in node.args])
    raise ValueError(f"The formula {source!r} holds {ast.unparse(node)!r}, unknown.")
