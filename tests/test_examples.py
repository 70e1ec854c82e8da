"""Every gallery example runs to the end."""

import gc
import runpy
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


@pytest.fixture(autouse=True)
def _restore_pandas_options():
    # Examples may set display options; don't let them leak into other tests.
    with pd.option_context("display.precision", 6):
        yield


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
# The hidden-units example builds an animation for the docs build to render;
# run as a script it is dropped unrendered, and matplotlib says so when the
# animation is collected.
@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_example_runs(path, monkeypatch, capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(path.parent)
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out
    # Collected here, under this test's filters, not in a later test.
    plt.close("all")
    gc.collect()


def test_worked_example_prints_mazur_numbers(capsys):
    path = next(p for p in EXAMPLES if p.name == "plot_worked_example.py")
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    for number in ("0.298371109", "0.138498562", "0.082167041", "0.358916480"):
        assert number in out
