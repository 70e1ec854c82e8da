"""The run report's page: its HTML around the inline script, style and numbers.

The scripts (``run_report.js``, and ``run_report_train.js``: the
arithmetic of a training step, for "train on") and style
(``run_report.css``) ship as package data and are copied into the page, so
that the file opens offline, anywhere, without a server: no CDN, no font,
no math library. The formulas are written as plain text with Unicode
subscripts and symbols.
"""

import html
import json
from importlib import resources
from pathlib import Path

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="skbp {version}">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p id="summary"></p>
</header>
<nav id="controls" aria-label="steps">
<button type="button" id="first" title="back to the initial weights">
◀◀ initial weights</button>
<button type="button" id="prev" title="previous step">◀ back</button>
<button type="button" id="next" title="next step">next ▶</button>
<button type="button" id="play" title="play the steps">play</button>
<input type="range" id="slider" min="0" max="0" value="0" aria-label="step">
<span id="step-label"></span>
<span id="train-controls" hidden>train on: η
<input type="number" id="train-eta" step="any" min="0" aria-label="learning rate η">
<button type="button" id="train-step"
 title="one gradient-descent step from w⁺ of this step">step</button>
<button type="button" id="train-10" title="ten gradient-descent steps">10 steps</button>
<button type="button" id="train-reset" title="back to the recorded steps"
 hidden>recorded steps</button>
</span>
</nav>
<p class="note" id="train-note"></p>
<main>
<section id="network-panel">
<h2>Network at this step</h2>
<p class="note" id="network-note"></p>
<svg id="network" role="img" aria-label="the network"></svg>
<p class="note">Edges: width ∝ |w|, <span class="pos">red</span> positive,
<span class="neg">blue</span> negative. Click a unit or an edge.</p>
</section>
<section id="details-panel">
<h2 id="details-title">Details</h2>
<div id="details"></div>
</section>
<section id="loss-panel">
<h2>Loss</h2>
<svg id="loss" role="img" aria-label="the loss curve"></svg>
</section>
<section id="plane-panel" hidden>
<h2>Over the input plane</h2>
<p class="note" id="plane-note"></p>
<div id="plane"></div>
</section>
</main>
<script type="application/json" id="run-data">{data}</script>
<script>
{train_js}
</script>
<script>
{js}
</script>
</body>
</html>
"""


def _asset(name):
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def render_page(payload):
    """The page's HTML for a run's payload (``TracedRun.payload``)."""
    from .. import __version__

    # "</" would end the script element the JSON sits in.
    data = json.dumps(payload, allow_nan=False, separators=(",", ":"))
    data = data.replace("</", "<\\/")
    return PAGE.format(
        version=html.escape(__version__),
        title=html.escape(payload["title"]),
        css=_asset("run_report.css"),
        train_js=_asset("run_report_train.js"),
        js=_asset("run_report.js"),
        data=data,
    )


def write_page(payload, path):
    """Write the page to ``path``; returns its size in bytes."""
    text = render_page(payload)
    data = text.encode("utf-8")
    Path(path).write_bytes(data)
    return len(data)
