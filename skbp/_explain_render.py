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
# An equation longer than this (in plain-text characters) continues on a
# row of its own: the docs' column and a terminal show it without scrolling.
ROW_WIDTH = 76
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

    def _sides(self, r):
        sides = [self.lhs.render(r.style)]
        if self.expr is not None:
            sides.append(r(self.expr))
            if self.numbers:
                sides.append(r(self.expr, numbers=True))
                if self.terms and has_sum(self.expr):
                    sides.append(r(terms_evaluated(self.expr), numbers=True))
        if self.numbers:
            sides.append(r.number(self.value))
        return sides

    def rows(self, r):
        """The sides as ``r`` writes them, in rows of about ``ROW_WIDTH`` characters.

        The first row starts with the left-hand side; a side that only
        repeats the one before it is left out. Rows are filled by the plain
        text's length, the same in every style.

        Returns
        -------
        rows : list of list of str
        """
        plain = self._sides(Renderer("text", r.number.precision))
        sides = self._sides(r)
        keep = [i for i in range(len(plain)) if i < 2 or plain[i] != plain[i - 1]]
        # Continued rows are indented by the left-hand side: every row's
        # width counts it.
        rows, width = [keep[:2]], sum(len(plain[i]) + 3 for i in keep[:2])
        for i in keep[2:]:
            if width + len(plain[i]) > ROW_WIDTH:
                rows.append([])
                width = len(plain[0]) + 3
            rows[-1].append(i)
            width += len(plain[i]) + 3
        return [[sides[i] for i in row] for row in rows]


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
    return "$$\n" + aligned(block[1], r) + "\n$$"


def aligned(equations, r):
    """LaTeX ``aligned`` rows of ``equations`` (written by ``r``), at their ``=``."""
    rows = []
    for eq in equations:
        first, *more = eq.rows(r)
        rows.append(f"{first[0]} &= " + " = ".join(first[1:]))
        rows += ["&= " + " = ".join(row) for row in more]
    return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"


def _text(block, r):
    kind = block[0]
    if kind == "heading":
        rule = "=" if block[1] == 1 else "-"
        return f"{block[2]}\n{rule * len(block[2])}"
    if kind == "paragraph":
        text = "".join(_segment(s, "text") for s in block[1])
        return textwrap.fill(text, TEXT_WIDTH, break_on_hyphens=False)
    lines = []
    for eq in block[1]:
        first, *more = eq.rows(r)
        lines.append("  " + " = ".join(first))
        # Continued rows start under the first row's "=".
        lines += [" " * (2 + len(first[0])) + " = " + " = ".join(row) for row in more]
    return "\n".join(lines)


def _html(block, r):
    kind = block[0]
    if kind == "heading":
        level = block[1] + 2
        return f"<h{level}>{html.escape(block[2])}</h{level}>"
    if kind == "paragraph":
        return "<p>" + "".join(_segment(s, "html") for s in block[1]) + "</p>"
    lines = []
    for eq in block[1]:
        first, *more = eq.rows(r)
        rows = [" = ".join(first)] + [
            "&emsp;&emsp;= " + " = ".join(row) for row in more
        ]
        lines.append(f"<div style='{HTML_EQUATION}'>" + "<br>".join(rows) + "</div>")
    return "\n".join(lines)
