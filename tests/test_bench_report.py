"""The benchmark's result records and the tables printed from them, on
hand-made results: nothing here is timed."""

import contextlib
import dataclasses
import io
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import machine, report
from benchmarks.configs import Config
from benchmarks.schema import (
    ClassCheck,
    ClassResult,
    CombinedResult,
    ConfigResult,
    Meta,
    NumpyDispatch,
    PredictResult,
    Reference,
    TargetVerdict,
    read_json,
    write_json,
)

KERNEL_VARS = ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def make_meta(**changes):
    meta = Meta(
        timestamp="2026-01-02T03:04:05+00:00",
        argv=["run.py"],
        cpu_option="avx2",
        class_env={"OPENBLAS_CORETYPE": "Haswell"},
        class_check=ClassCheck(ok=True, problems=[]),
        numpy_dispatch=NumpyDispatch(
            level="x86-64-v3",
            enabled={
                "X86_V4": False,
                "X86_V3": True,
                "AVX512_SKX": False,
                "AVX2": True,
            },
            cpu_dispatch=["X86_V3", "X86_V4"],
            cpu_baseline=["X86_V2"],
        ),
        kernel_choices={
            "cpu_class": "x86-64-v3",
            "override": "",
            "logistic": {"float32": "exp", "float64": "exp"},
        },
        quick=False,
        pairs=None,
        threads_limit=None,
        git_commit="0" * 40,
        git_dirty=False,
        skbp_dirty=False,
        python="3.11.7",
        platform="Linux",
        cpu="Some CPU",
        n_cpus=2,
        versions={"numpy": "2.4.6", "torch": None},
        skbp_path="/skbp",
        env={**dict.fromkeys(KERNEL_VARS), "OPENBLAS_CORETYPE": "Haswell"},
        numpy_blas={"version": "0.3.31", "architecture": "Haswell"},
        torch_threads=None,
        threadpool_info=[],
        loadavg_start=None,
        others_cpu_share_start=0.0,
        total_seconds=12.5,
        retry_seconds_spent=0.0,
        loadavg_end=[0.5, 0.5, 0.5],
    )
    return dataclasses.replace(meta, **changes)


def make_config_result(name, ratio, gemm, agree=True, **changes):
    cfg = Config(name, "digits", 100, 4, 3, (5,), "sgd", 10, 2, "float64", 0.01)
    result = ConfigResult(
        config=cfg,
        loadavg_end=None,
        n_pairs=1,
        layer_units=[4, 5, 3],
        times={"skbp": [1.0], "sklearn": [ratio], "gemm": [gemm]},
        median={"skbp": 1.0, "sklearn": ratio, "gemm": gemm},
        ratios=[ratio],
        ratio_median=ratio,
        ratio_of_medians=ratio,
        ratio_of_mins=ratio,
        min={"skbp": 1.0, "sklearn": ratio, "gemm": gemm},
        gemm_fractions=[gemm],
        gemm_fraction=gemm,
        gemm_fraction_of_medians=gemm,
        reference=Reference(epochs=3, median=0.05),
        median_normalised={"skbp": 1.0, "sklearn": ratio, "gemm": gemm},
        ratios_normalised=[ratio],
        ratio_normalised_median=ratio,
        gemm_fraction_normalised=gemm,
        gemm_fraction_sklearn=gemm / ratio,
        gemm_gflops=1.0,
        effective_gflops={"skbp": 0.5, "sklearn": 0.25},
        n_iter={"skbp": 2, "sklearn": 2},
        contention=[0.0],
        disturbed_pairs=0,
        discarded_pairs=[],
        dtype_of_coefs={"skbp": "float64", "sklearn": "float64"},
        final_loss={"skbp": 0.5, "sklearn": 0.5},
        final_loss_rel_diff_max=0.0,
        first_epoch_loss_rel_diff_max=0.0,
        train_accuracy={"skbp": 0.9, "sklearn": 0.9},
        accuracy_abs_diff=0.0,
        agree=agree,
    )
    return dataclasses.replace(result, **changes)


def make_class_result(**meta_changes):
    predict = PredictResult(
        n_rows=10,
        times={"skbp": [0.1], "sklearn": [0.2]},
        rows_per_second={"skbp": 100.0, "sklearn": 50.0},
        ratio=2.0,
        contention=None,
    )
    return ClassResult(
        meta=make_meta(**meta_changes),
        configs={
            "small_a": make_config_result("small_a", 1.6123, 0.4),
            "medium-b": make_config_result("medium-b", 1.2, 0.5, predict=predict),
            "large-c": make_config_result("large-c", 0.98, 0.7, agree=False),
        },
        scaling=None,
        targets=[],
    )


# ----------------------------------------------------------------------
# The records and their JSON
def test_round_trip_through_json(tmp_path):
    result = make_class_result()
    combined = CombinedResult(
        native=result,
        avx2=result,
        avx2_is_native=True,
        targets={"native": [TargetVerdict(target="t", ok=None, detail="")]},
        notes=["n"],
        failed=[],
        files={},
        table="t.rst",
        total_seconds=1.0,
    )
    write_json(tmp_path / "r.json", combined)
    back = read_json(tmp_path / "r.json", CombinedResult)
    assert back == combined
    # tuples come back as tuples, not as JSON's lists
    assert back.native.configs["small_a"].config.hidden == (5,)


def test_optional_keys_are_written_only_when_measured():
    plain = make_config_result("small-a", 1.5, 0.5).to_dict()
    assert not {"predict", "profile", "torch_error"} & set(plain)
    assert list(plain)[-1] == "agree"
    # torch importable but failing: its error is recorded, even when None
    tried = make_config_result("small-a", 1.5, 0.5, torch_tried=True).to_dict()
    assert tried["torch_error"] is None
    assert list(tried)[-2:] == ["torch_error", "agree"]
    assert ConfigResult.from_dict(tried).torch_tried is True
    assert ConfigResult.from_dict(plain).torch_tried is False


def test_unknown_or_missing_keys_are_refused():
    d = make_class_result().to_dict()
    with pytest.raises(ValueError, match=r"unknown keys \['ratio_medain'\]"):
        bad = json.loads(json.dumps(d))
        bad["configs"]["small_a"]["ratio_medain"] = 1.0
        ClassResult.from_dict(bad)
    with pytest.raises(KeyError, match="gemm_fraction"):
        bad = json.loads(json.dumps(d))
        del bad["configs"]["small_a"]["gemm_fraction"]
        ClassResult.from_dict(bad)


# ----------------------------------------------------------------------
# The tables
def _printed(fn, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args)
    return out.getvalue()


def test_summary_rows():
    rows = report.summary_rows(make_class_result())
    assert [(r.config, r.ratio, r.agree, r.verdict) for r in rows] == [
        ("small_a", 1.6123, "yes", "PASS"),
        ("medium-b", 1.2, "yes", "MISS: ratio<1.3 gemm<0.65"),
        ("large-c", 0.98, "no", "MISS: ratio<1.3 pair<1.0 results differ"),
    ]


def test_print_summary():
    text = _printed(report.print_summary, "avx2", make_class_result())
    lines = text.splitlines()
    assert lines[1] == "== CPU class avx2: x86-64-v3 =="
    assert lines[2] == "machine: Some CPU, 2 cpus (OPENBLAS_CORETYPE=Haswell)"
    # Long lines wrap with an indent.
    assert lines[3].startswith("kernels: numpy 2.4.6 SIMD x86-64-v3 (X86_V3 AVX2)")
    assert lines[4] == "    logistic exp/exp (float32/float64)"
    assert all(len(line) <= report.SUMMARY_WIDTH for line in lines)
    assert (
        "small_a            1.000      1.612   1.61       0.40  yes         PASS"
        in lines
    )
    assert (
        "predict throughput, skbp / sklearn rows/s: medium-b 2.00 (target >= 1.5)"
        in lines
    )
    targets = lines[lines.index("targets:") + 1 :]
    assert targets[0].split()[0] == "MISS"
    assert "lowest 0.98 (large-c)" in targets[0]


def test_a_long_verdict_goes_on_under_its_column():
    result = make_class_result()
    # every per-config miss at once
    result.configs["medium-b"] = make_config_result(
        "medium-b", 1.2, 0.5, agree=False, ratios=[0.9, 1.5]
    )
    lines = _printed(report.print_summary, "avx2", result).splitlines()
    row = lines.index(
        "medium-b           1.000      1.200   1.20       0.50  no          "
        "MISS: ratio<1.3 pair<1.0"
    )
    assert lines[row + 1] == " " * 67 + "gemm<0.65 results differ"
    assert lines[row + 2].startswith("large-c ")
    assert all(len(line) <= report.SUMMARY_WIDTH for line in lines)


def test_note_text_wraps_to_the_summary_width():
    note = "word " * 60
    text = report.note_text(note.strip())
    lines = text.splitlines()
    assert lines[0].startswith("NOTE: word word")
    assert len(lines) > 2 and all(line.startswith("    word") for line in lines[1:])
    assert all(len(line) <= report.SUMMARY_WIDTH for line in lines)
    assert " ".join(text.split()) == "NOTE: " + note.strip()


def test_print_summary_flags_quick_runs_and_failed_checks():
    check = ClassCheck(ok=False, problems=["numpy still dispatches to X86_V4"])
    text = _printed(
        report.print_summary, "avx2", make_class_result(quick=True, class_check=check)
    )
    assert "WARNING: numpy still dispatches to X86_V4" in text
    assert "(quick run: tiny sizes and 2 pairs; the verdicts mean nothing)" in text


def test_rst_tables():
    result = make_class_result()
    result.targets = [TargetVerdict(target="fit ratio", ok=False, detail="x_y")]
    rst = report.rst_tables({"avx2": result}, notes=["one note"])
    assert rst.startswith(".. Written by benchmarks/run.py (make bench)")
    assert "Note: one note\n" in rst
    assert ".. rubric:: CPU class avx2 (x86-64-v3)\n" in rst
    assert ".. list-table:: Fit, CPU class avx2: " in rst
    # reST markup characters are escaped, in names and in free text
    assert "   * - small\\_a\n     - 1.000\n     - 1.612\n     - 1.61\n" in rst
    assert "(X86\\_V3 AVX2)" in rst
    assert "Predict throughput, skbp / sklearn rows/s: medium-b 2.00" in rst
    # the recorded targets, not re-evaluated ones
    assert "* MISS: fit ratio -- x\\_y\n" in rst
    assert rst.count("   * - ") == 1 + 3  # the header and one row per config
    assert rst.count("\n     - ") == 4 * 6


def test_print_report_fit_table():
    text = _printed(report.print_report, make_class_result())
    assert "== fit: median seconds over pairs;" in text
    row = next(line for line in text.splitlines() if line.startswith("large-c"))
    assert row.split()[-1] == "NO"
    assert "== predict throughput (rows/s, median) ==" in text
    assert "medium-b         skbp          100  sklearn           50" in text


# ----------------------------------------------------------------------
# The machine
def _dispatch(v4):
    enabled = {"X86_V4": v4, "X86_V3": True, "AVX512_SKX": v4, "AVX2": True}
    return NumpyDispatch(
        level="x86-64-v4" if v4 else "x86-64-v3",
        enabled=enabled,
        cpu_dispatch=None,
        cpu_baseline=None,
    )


def test_emulation_warning():
    """An avx2 child whose emulation did not take effect says so loudly."""
    check = machine.class_check("avx2", _dispatch(True), "SkylakeX", {})
    meta = make_meta(
        numpy_dispatch=_dispatch(True),
        numpy_blas={"architecture": "SkylakeX"},
        env=dict.fromkeys(KERNEL_VARS),
        class_check=check,
    )
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        machine.print_kernels(meta)
    assert "WARNING: AVX2 emulation did not take effect" in printed.getvalue()
    assert "SkylakeX kernel, not Haswell" in printed.getvalue()


def test_machine_parts():
    parts = machine.machine_parts(make_meta())
    assert parts == {
        "cpu": "Some CPU, 2 cpus",
        "env": "OPENBLAS_CORETYPE=Haswell",
        "numpy": "numpy 2.4.6 SIMD x86-64-v3 (X86_V3 AVX2)",
        "blas": "OpenBLAS 0.3.31 kernel Haswell",
        "skbp": "skbp x86-64-v3: logistic exp/exp (float32/float64)",
    }
