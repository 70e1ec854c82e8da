"""The ``skbp`` command line and the demo it runs."""

import subprocess
import sys

import numpy as np
import pytest

import skbp
from skbp._cli import main
from skbp._demo import (
    SEED_003_OUTPUTS_AFTER_10000,
    run_demo,
    seed_003_after,
)
from skbp._kernels import FORMULAS

# Seed 003's first step, as its text prints them (9 decimals).
SEED_003_STEP_NUMBERS = [
    "0.298371109",  # E_total before the step
    "0.593269992",  # out_h1
    "0.596884378",  # out_h2
    "1.105905967",  # net_o1
    "0.751365070",  # out_o1
    "0.772928465",  # out_o2
    "0.138498562",  # δ_o1
    "0.082167041",  # ∂E/∂w5
    "0.358916480",  # w5+
    "0.408666186",  # w6+
    "0.511301270",  # w7+
    "0.561370121",  # w8+
    "0.000438568",  # ∂E/∂w1
    "0.149780716",  # w1+
    "0.199561432",  # w2+ (the seed rounds it to 0.19956143)
    "0.249751144",  # w3+ (0.24975114)
    "0.299502287",  # w4+ (0.29950229)
]


def test_trace_prints_every_number_of_seed_003_first_step(capsys):
    assert main(["trace"]) == 0
    out = capsys.readouterr().out
    missing = [number for number in SEED_003_STEP_NUMBERS if number not in out]
    assert not missing


def test_demo_table_has_an_accuracy_row_per_model_and_data_set(capsys):
    datasets = ("iris", "wine")
    table = run_demo(
        datasets=datasets, cv=2, max_iter=5, hidden_layer_sizes=(5,), n_steps=10
    )
    out = capsys.readouterr().out

    assert len(table) == 4
    assert set(zip(table["dataset"], table["model"])) == {
        (name, model)
        for name in datasets
        for model in ("BackpropClassifier", "MLPClassifier")
    }
    assert table["accuracy_mean"].between(0, 1).all()
    assert (table["accuracy_std"] >= 0).all()
    assert (table["fit_time_mean"] > 0).all()
    for row in table.itertuples():
        assert f"{row.dataset:<14} {row.model:<19}" in out
    assert "0.358916480" in out
    assert "After 10 steps" in out
    # Which CPU class ran and how the logistic units were computed there.
    report = skbp.kernel_choices()
    formula = FORMULAS["logistic"][report["logistic"]["float64"]]
    assert f"CPU class {report['cpu_class']} (" in out
    assert f"logistic as {formula}" in out


def test_demo_command_passes_its_options_on(capsys):
    assert main(["demo", "--datasets", "iris", "--cv", "2", "--max-iter", "3"]) == 0
    out = capsys.readouterr().out
    assert "2-fold cross-validation" in out
    assert "max_iter=3" in out
    assert "digits" not in out
    assert "After 10000 steps" in out


def test_seed_003_outputs_after_10000_steps_are_within_2e_6_of_the_seed():
    outputs, error = seed_003_after(10000)
    np.testing.assert_allclose(outputs, SEED_003_OUTPUTS_AFTER_10000, atol=2e-6)
    assert error == pytest.approx(0.000035085, abs=1e-7)


@pytest.mark.parametrize(
    "argv",
    [[], ["bogus"], ["demo", "--cv", "1"], ["demo", "--datasets", "mnist"]],
    ids=["no-command", "unknown-command", "one-fold", "unknown-data-set"],
)
def test_wrong_usage_exits_with_status_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage: skbp" in capsys.readouterr().err


def test_python_m_skbp_help_exits_0():
    result = subprocess.run(
        [sys.executable, "-m", "skbp", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout
    assert "trace" in result.stdout
    assert "compare" in result.stdout
