"""``.. explained-step::``: a worked example's first step, written out by skbp.

The directive traces one step of a network from
:mod:`skbp.worked_examples` and writes what
:meth:`skbp.StepTrace.explain` writes, as the page's own math: headings as
rubrics, the paragraphs with their code and names, each group of equations
as one display of LaTeX ``aligned`` rows, which MathJax renders offline
(``offline_mathjax``). The page then always shows what the code computes.

Use::

    .. explained-step:: skbp.worked_examples.mazur_network
       :precision: 9

The argument names a function returning ``(net, X, y)``; ``precision`` is
``explain``'s (default 9).
"""

import importlib

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from skbp._explain import document
from skbp._explain_render import aligned
from skbp._expressions import Renderer


class ExplainedStep(SphinxDirective):
    """The blocks of ``StepTrace.explain`` as docutils nodes."""

    required_arguments = 1
    option_spec = {"precision": directives.positive_int}

    def run(self):
        module, _, name = self.arguments[0].rpartition(".")
        net, X, y = getattr(importlib.import_module(module), name)()
        trace = net.trace_step(X, y)
        r = Renderer("latex", self.options.get("precision", 9))
        result = []
        for block in document(trace):
            if block[0] == "heading":
                # The page's own section title stands for the first heading.
                if block[1] > 1:
                    result.append(nodes.rubric(text=block[2]))
            elif block[0] == "paragraph":
                result.append(self._paragraph(block[1]))
            else:
                latex = aligned(block[1], r)
                result.append(
                    nodes.math_block(
                        latex,
                        latex,
                        docname=self.env.docname,
                        number=None,
                        label=None,
                        nowrap=False,
                    )
                )
        return result

    @staticmethod
    def _paragraph(segments):
        paragraph = nodes.paragraph()
        for segment in segments:
            if isinstance(segment, str):
                paragraph += nodes.Text(segment)
            elif isinstance(segment, tuple):
                paragraph += nodes.literal(text=segment[1])
            else:
                paragraph += nodes.math(text=segment.latex)
        return paragraph


def setup(app):
    app.add_directive("explained-step", ExplainedStep)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
