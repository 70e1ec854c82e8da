"""The ``skbp`` command line: its commands, usage errors, exit statuses, and
its place beside the library."""

import subprocess
import sys

import pytest
from _hang_guard import HANG_GUARD_SECONDS

from skbp.cli import main

# The first step of Mazur's "A Step by Step Backpropagation Example", as his
# text prints them (9 decimals).
MAZUR_STEP_NUMBERS = [
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
    "0.199561432",  # w2+ (Mazur rounds it to 0.19956143)
    "0.249751144",  # w3+ (0.24975114)
    "0.299502287",  # w4+ (0.29950229)
]


def test_trace_prints_every_number_of_mazur_first_step(capsys):
    assert main(["trace"]) == 0
    out = capsys.readouterr().out
    missing = [number for number in MAZUR_STEP_NUMBERS if number not in out]
    assert not missing
    assert "Mazur" in out


def test_demo_command_passes_its_options_on(capsys):
    assert main(["demo", "--datasets", "iris", "--cv", "2", "--max-iter", "3"]) == 0
    out = capsys.readouterr().out
    assert "2-fold stratified cross-validation" in out
    assert "max_iter=3" in out
    assert "digits" not in out
    assert "After 10000 steps" in out
    assert "Mazur reports:" in out


def test_ctrl_c_in_the_demo_stops_with_one_line_and_status_130(monkeypatch, capsys):
    from skbp.cli import demo

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "cross_validate_models", interrupted)
    assert main(["demo", "--datasets", "iris"]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["skbp demo: interrupted"]


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
        timeout=HANG_GUARD_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout
    assert "trace" in result.stdout
    assert "compare" in result.stdout


@pytest.mark.parametrize("command", ["demo", "trace"])
def test_help_names_the_worked_example_by_its_source(command):
    result = subprocess.run(
        [sys.executable, "-m", "skbp", command, "--help"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert "Mazur" in result.stdout
    assert "seed 00" not in result.stdout.lower()


def test_no_library_module_imports_the_command_line():
    # Every module of the library, imported in a fresh interpreter.
    code = (
        "import importlib, pkgutil, sys, skbp\n"
        "for module in pkgutil.iter_modules(skbp.__path__):\n"
        "    if module.name not in ('cli', '__main__'):\n"
        "        importlib.import_module('skbp.' + module.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('skbp.cli')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_show_versions_runs_skbp_show_versions(monkeypatch, capsys):
    import skbp

    monkeypatch.setattr(
        skbp, "show_versions", lambda: print("skbp: 9.9"), raising=False
    )
    assert main(["show-versions"]) == 0
    assert capsys.readouterr().out == "skbp: 9.9\n"


def test_show_versions_falls_back_on_the_module_not_yet_exported(monkeypatch, capsys):
    import types

    import skbp

    module = types.ModuleType("skbp._show_versions")
    module.show_versions = lambda: print("from the module")
    monkeypatch.delattr(skbp, "show_versions", raising=False)
    monkeypatch.setitem(sys.modules, "skbp._show_versions", module)

    assert main(["show-versions"]) == 0
    assert capsys.readouterr().out == "from the module\n"


def test_show_versions_missing_gives_one_error_line_and_status_2(monkeypatch, capsys):
    import skbp

    monkeypatch.delattr(skbp, "show_versions", raising=False)
    monkeypatch.setitem(sys.modules, "skbp._show_versions", None)  # import fails

    assert main(["show-versions"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("skbp show-versions: error: ")
    assert "Traceback" not in captured.err


def test_show_versions_prints_the_real_report():
    import skbp

    result = subprocess.run(
        [sys.executable, "-m", "skbp", "show-versions"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert skbp.__version__ in result.stdout
    assert "numpy" in result.stdout
