"""How an explained step is written: Markdown with LaTeX math, plain text, HTML.

``skbp._explain`` builds an explanation as blocks (headings, paragraphs,
equations); :func:`render` writes them in one format, and
:class:`Explanation` is the string ``StepTrace.explain`` returns, which a
notebook renders.
"""

import html
import textwrap

from ._expressions import Renderer, has_sum, terms_evaluated

STYLES = {"markdown": "latex", "text": "text", "html": "html"}
TEXT_WIDTH = 79
HTML_EQUATION = "margin: 0.15em 0 0.15em 1.5em; line-height: 1.6;"


class Equation:
    """``lhs = formula = numbers [= terms] = value``.

    Parameters
    ----------
    lhs : skbp._expressions.Symbol
    expr : skbp._expressions.Expr or None
        None: the line only gives the value.
    value : float, default=None
        The traced value; None: the formula's own.
    terms : bool, default=False
        Also write the stage with the terms of its sums evaluated (Mazur's
        0.055399425 + (−0.019049119) for a hidden unit).
    numbers : bool, default=True
        False: the formula alone, with names (a rule).
    """

    def __init__(self, lhs, expr, value=None, terms=False, numbers=True):
        self.lhs, self.expr = lhs, expr
        self.terms, self.numbers = terms, numbers
        if value is None:
            value = expr.value() if expr is not None else float("nan")
        self.value = float(value)

    def stages(self, r):
        """The sides of the line as ``r`` writes them, left-hand side first."""
        stages = [self.lhs.render(r.style)]
        if self.expr is not None:
            stages.append(r(self.expr))
            if self.numbers:
                stages.append(r(self.expr, numbers=True))
                if self.terms and has_sum(self.expr):
                    stages.append(r(terms_evaluated(self.expr), numbers=True))
        if self.numbers:
            stages.append(r.number(self.value))
        # A side that only repeats the one before it says nothing.
        return [s for i, s in enumerate(stages) if i < 2 or s != stages[i - 1]]


class Explanation(str):
    """A training step written out: a string a notebook renders.

    ``str`` in the format asked for; in a Jupyter notebook the Markdown
    renders with its math (``_repr_markdown_``), the HTML as HTML
    (``_repr_html_``) and the plain text unquoted.

    Parameters
    ----------
    text : str
    format : {"markdown", "text", "html"}
    """

    def __new__(cls, text, format):
        self = super().__new__(cls, text)
        self.format = format
        return self

    def __reduce__(self):
        return (type(self), (str(self), self.format))

    def _repr_markdown_(self):
        return str(self) if self.format == "markdown" else None

    def _repr_html_(self):
        return str(self) if self.format == "html" else None

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


def render(blocks, format, precision):
    """The blocks of ``skbp._explain.document`` written in ``format``.

    Parameters
    ----------
    blocks : list of tuple
    format : {"markdown", "text", "html"}
    precision : int
        Decimals of the numbers.

    Returns
    -------
    text : str
    """
    r = Renderer(STYLES[format], precision)
    write = {"markdown": _markdown, "text": _text, "html": _html}[format]
    parts = [write(block, r) for block in blocks]
    if format == "html":
        return "<div class='skbp-explain'>\n" + "\n".join(parts) + "\n</div>"
    return "\n\n".join(parts) + "\n"


def _segment(segment, style):
    if isinstance(segment, str):
        return html.escape(segment) if style == "html" else segment
    if isinstance(segment, tuple):
        code = segment[1]
        return {
            "markdown": f"`{code}`",
            "text": code,
            "html": f"<code>{html.escape(code)}</code>",
        }[style]
    return {
        "markdown": f"${segment.latex}$",
        "text": segment.text,
        "html": segment.html,
    }[style]


def _markdown(block, r):
    kind = block[0]
    if kind == "heading":
        return "#" * block[1] + " " + block[2]
    if kind == "paragraph":
        return "".join(_segment(s, "markdown") for s in block[1])
    rows = [" &= ".join([s[0], " = ".join(s[1:])]) for s in _all_stages(block, r)]
    return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"


def _all_stages(block, r):
    stages = [eq.stages(r) for eq in block[1]]
    # A line with a value only (``N = 3``) still has a right-hand side.
    return [s if len(s) > 1 else [*s, ""] for s in stages]


def _text(block, r):
    kind = block[0]
    if kind == "heading":
        rule = "=" if block[1] == 1 else "-"
        return f"{block[2]}\n{rule * len(block[2])}"
    if kind == "paragraph":
        text = "".join(_segment(s, "text") for s in block[1])
        return textwrap.fill(text, TEXT_WIDTH, break_on_hyphens=False)
    return "\n".join("  " + " = ".join(s) for s in _all_stages(block, r))


def _html(block, r):
    kind = block[0]
    if kind == "heading":
        level = block[1] + 2
        return f"<h{level}>{html.escape(block[2])}</h{level}>"
    if kind == "paragraph":
        return "<p>" + "".join(_segment(s, "html") for s in block[1]) + "</p>"
    return "\n".join(
        f"<div style='{HTML_EQUATION}'>{' = '.join(s)}</div>"
        for s in _all_stages(block, r)
    )
