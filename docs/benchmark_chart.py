"""The benchmarks page's chart: how many times faster skbp fits than MLPClassifier.

Drawn by the docs build (``.. plot::`` in benchmarks.rst) from
``benchmark_table.rst``, which ``make bench`` writes, so that the chart
always shows the run whose tables the page prints.
"""

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

# The plot directive runs this file with docs/ as the working directory.
TABLE = Path("benchmark_table.rst")

# What each configuration of benchmarks/configs.py trains, in a reader's words.
LABELS = {
    "small-adam": "digits, 100 hidden, Adam",
    "small-sgd": "digits, 100 hidden, SGD",
    "medium-f32-sgd": "50k rows, 256-256, SGD, float32",
    "medium-f32-adam": "50k rows, 256-256, Adam, float32",
    "medium-f64-sgd": "50k rows, 256-256, SGD, float64",
    "medium-f64-adam": "50k rows, 256-256, Adam, float64",
    "large-adam": "200k rows, 256-256, Adam, float32",
}
CLASSES = {"native": "AVX-512 (x86-64-v4)", "avx2": "AVX2 (x86-64-v3)"}


def read_ratios(text):
    """``{cpu class: {config: ratio}}`` from the list-tables of the file."""
    ratios, cpu, rows = {}, None, []
    for line in text.splitlines():
        rubric = re.match(r"\.\. rubric:: CPU class (\S+)", line)
        if rubric:
            cpu = rubric.group(1)
            ratios[cpu] = {}
        elif line.startswith("   * - "):
            rows.append([line[7:]])
        elif line.startswith("     - ") and rows:
            rows[-1].append(line[7:])
        elif not line.strip() and rows:
            header, *body = rows
            column = header.index("ratio")
            ratios[cpu].update({row[0]: float(row[column]) for row in body})
            rows = []
    return ratios


ratios = read_ratios(TABLE.read_text(encoding="utf-8"))
configs = [name for name in LABELS if all(name in r for r in ratios.values())]
y = np.arange(len(configs))
height = 0.8 / len(ratios)

fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(configs) + 1.2), layout="constrained")
for i, (cpu, by_config) in enumerate(ratios.items()):
    values = [by_config[name] for name in configs]
    bars = ax.barh(
        y + (i - (len(ratios) - 1) / 2) * height,
        values,
        height,
        label=CLASSES.get(cpu, cpu),
    )
    ax.bar_label(bars, fmt="%.2fx", padding=3, fontsize=8)
ax.axvline(1, color="0.3", linewidth=1, linestyle="--")
ax.set_yticks(y, [LABELS[name] for name in configs])
ax.invert_yaxis()
ax.set_xlim(0, 1.15 * max(max(r.values()) for r in ratios.values()))
ax.set_xlabel(
    "MLPClassifier's fit time / skbp's fit time\n"
    "(dashed: 1.0, as fast as MLPClassifier; higher is faster)"
)
fig.legend(loc="outside upper center", ncols=len(ratios), title="CPU class")
