r"""
A training run to step through: Mazur's network and iris in one page each
=========================================================================

:func:`skbp.report.trace_run` records a run step by step with
``trace_step``, starting from the initial weights the estimator's
``random_state`` (or ``coefs_init``) gives, and
:meth:`~skbp.report.TracedRun.write_html` writes it as one HTML file that
opens offline in any browser: its script, style and numbers are inside it,
nothing is fetched.

The page shows the network with each weight as an edge whose width is
``|w|`` and whose colour is its sign, a stepper and slider over the steps
(and a button back to the initial weights), and the loss curve with the
current step marked. Clicking a unit shows its net input, output and
:math:`\delta` for one sample of the batch, each as its formula with that
step's numbers; clicking an edge shows :math:`w`, :math:`\partial E/\partial
w` and :math:`w^+` with theirs. For data with two features, each hidden
unit's output and the decision surface are drawn over the input plane at the
current step, as TensorFlow Playground draws them.

The page can also train on: set the learning rate :math:`\eta` and click
"step" (or "10 steps") for plain gradient-descent steps
:math:`w \leftarrow w - \eta\,\partial E/\partial w` from :math:`w^+` of
the step shown, on the batches the run would take next. The page computes
them itself, with the network's own units, loss and L2 term, to
:math:`10^{-12}` of ``trace_step``'s numbers, and shows them as steps like
the recorded ones; stepping from an earlier step discards the steps after it.

From the command line, ``skbp trace --html mazur.html`` writes the first
page below, and ``skbp trace DATA.csv --target COLUMN --html FILE`` one for
a CSV file.
"""

from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from skbp import BackpropClassifier
from skbp.report import trace_run
from skbp.worked_examples import mazur_network

# The pages go to a folder next to this script; the documentation's build
# publishes that folder with the site.
folder = Path("run_reports")
folder.mkdir(exist_ok=True)

# %%
# Mazur's network
# ---------------
# :ref:`Matt Mazur's worked example <mazur-example>`: one sample, his
# weights, learning rate 0.5, the biases held fixed. Step 0 of the page is
# the step he computes by hand: click :math:`h_1` for
# :math:`out_{h1} = 0.593269992` and the edge :math:`w_5` for
# :math:`w_5^+ = 0.35891648`.
net, X, y = mazur_network()
mazur = trace_run(net, X, y, n_steps=200)
mazur_bytes = mazur.write_html(folder / "mazur_run.html")
print(f"mazur_run.html: {mazur_bytes / 1e3:.0f} kB, 200 steps")

# %%
# `Mazur's run <../mazur_run.html>`_ opens in this browser, offline too.
#
# Iris, 4-8-3
# -----------
# A classifier on the four standardized iris measurements, plain SGD on all
# 150 rows per step. The units show the first row's numbers; the
# gradients are the batch's mean. 200 steps of a 4-8-3 network stay well
# under 2 MB, with every number stored as an exact float64; a network of
# more than 200 weights draws each unit's strongest incoming edges only, and
# says so.
iris = load_iris(as_frame=True)
X = StandardScaler().set_output(transform="pandas").fit_transform(iris.data)
y = iris.target_names[iris.target]
clf = BackpropClassifier(
    hidden_layer_sizes=(8,),
    solver="sgd",
    learning_rate_init=0.1,
    momentum=0.0,
    random_state=0,
)
iris_run = trace_run(clf, X, y, n_steps=200)
iris_bytes = iris_run.write_html(folder / "iris_run.html")
print(f"iris_run.html: {iris_bytes / 1e6:.2f} MB, 200 steps")

# %%
# `The iris run <../iris_run.html>`_ opens in this browser, offline too.
# Here it is in Chromium at step 100, with the hidden unit :math:`h_3`
# clicked: its net input, output and :math:`\delta` written out with the
# step's numbers beside the network.
#
# .. image:: /_static/run_report_iris_step100.png
#    :target: ../_static/run_report_iris_step100.png
#    :alt: The iris run report at step 100: the 4-8-3 network with weights as
#          red and blue edges, h3 circled, and h3's formulas with numbers.
#
# The loss the page's curve draws is each step's batch loss before its
# update, the ``loss`` of its :class:`~skbp.StepTrace`; the three steps
# marked are the first, a middle and the last.
losses = [trace.loss for trace in iris_run.traces]
fig, ax = plt.subplots(figsize=(6.5, 2.6), layout="constrained")
ax.plot(losses, color="#1f5fa8")
for k in (0, 100, 199):
    ax.plot(k, losses[k], "o", color="#e08000")
    ax.annotate(
        f"step {k}\nE = {losses[k]:.3f}",
        (k, losses[k]),
        # The last step's label goes left of its point, inside the axes.
        xytext=(4, 6) if k < 199 else (-48, 6),
        textcoords="offset points",
        fontsize=8.5,
    )
ax.set(xlabel="step", ylabel="loss E", title="Iris 4-8-3: the loss of each step")
plt.show()
