"""A training run to step through, as one offline HTML page.

:func:`trace_run` records a run step by step from its initial weights with
``trace_step``; :meth:`TracedRun.write_html` writes one self-contained page
(no network access: its script, style and numbers are inline) that shows
the network with its weights as edges, a stepper and slider over the steps,
the loss curve, every unit's net input, output and δ and every weight's
gradient and update with their formulas and numbers, and, for data with two
features, each hidden unit's output and the decision surface over the plane;
it can train on from any step in the browser ("train on", plain gradient
descent at a learning rate of the reader's choosing).
``skbp trace --html FILE`` writes it for Matt Mazur's network and ``skbp
trace DATA.csv --target COLUMN --html FILE`` for a CSV file.
"""

from ._record import TracedRun, trace_run

__all__ = ["TracedRun", "trace_run"]
