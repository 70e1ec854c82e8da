"""Smoke test of the benchmark harness: it runs and writes well-formed JSON.

No speed assertion here, ever: speed targets live in benchmarks/run.py's
report. This only checks that ``benchmarks/run.py --quick`` works end to end.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def _positive(x):
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    # Two BLAS threads as `make bench` would use: the quick run's small
    # products are fine either way, and the test then also covers the
    # threadpool report of a normal run.
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out) as f:
        return json.load(f), proc.stdout


def test_meta(quick_results):
    results, stdout = quick_results
    meta = results["meta"]
    assert meta["quick"] is True
    assert meta["threads_limit"] == 1  # --quick: immune to busy cores
    assert meta["threadpool_info"], "threadpoolctl info is recorded"
    for key in ("numpy", "scikit-learn", "skbp", "torch"):
        assert key in meta["versions"]
    assert set(meta["env"]) >= {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"}
    assert _positive(meta["total_seconds"])
    assert "threadpoolctl.threadpool_info()" in stdout


def test_configs(quick_results):
    results, stdout = quick_results
    configs = results["configs"]
    assert set(configs) == {
        "small-adam",
        "small-sgd",
        "medium-f32-sgd",
        "medium-f32-adam",
        "medium-f64-sgd",
        "medium-f64-adam",
        "large-adam",
    }
    for name, r in configs.items():
        assert r["n_pairs"] == 2
        for lib in ("skbp", "sklearn", "gemm"):
            assert len(r["times"][lib]) == 2, name
            assert all(_positive(t) for t in r["times"][lib]), name
            assert _positive(r["median"][lib]), name
        assert len(r["ratios"]) == 2 and all(_positive(x) for x in r["ratios"])
        assert len(r["gemm_fractions"]) == 2
        assert _positive(r["ratio_normalised_median"])
        assert _positive(r["gemm_fraction_normalised"])
        assert _positive(r["ratio_median"]) and _positive(r["gemm_fraction"])
        epochs = r["config"]["epochs"]
        assert r["n_iter"] == {"skbp": epochs, "sklearn": epochs}, name
        assert r["dtype_of_coefs"]["skbp"] == r["config"]["dtype"], name
        for lib in ("skbp", "sklearn"):
            assert _positive(r["final_loss"][lib])
            assert 0 <= r["train_accuracy"][lib] <= 1
        # Same starting weights and arithmetic: a correctness property of
        # the comparison, not a speed target.
        assert r["final_loss_rel_diff_max"] <= 0.01, name
        assert isinstance(r["agree"], bool)
        assert name in stdout


def test_predict_and_profile(quick_results):
    results, _ = quick_results
    for name, r in results["configs"].items():
        if not name.startswith("medium"):
            continue
        p = r["predict"]
        assert all(_positive(v) for v in p["rows_per_second"].values())
        prof = r["profile"]
        bd = prof["breakdown"]
        assert _positive(bd["wall_seconds"])
        assert {"matmul", "activations", "loss", "optimizer"} <= set(bd["groups"])
        assert _positive(bd["groups"]["matmul"]["seconds"])
        assert prof["cprofile"]["top_tottime"]
        assert _positive(prof["dispatch_probe"]["skbp"]["per_batch_us"] + 1e-9)


def test_scaling(quick_results):
    results, _ = quick_results
    sc = results["scaling"]
    assert [r["n_samples"] for r in sc["rows"]] == sc["spec"]["sizes"]
    for r in sc["rows"]:
        assert len(r["times"]) == sc["spec"]["repeats"]
        assert all(_positive(t) for t in r["times"])
        assert _positive(r["us_per_sample_epoch"])
        assert _positive(r["us_per_sample_epoch_normalised"])
        assert r["X_nbytes"] > 0 and r["weights_nbytes"] > 0
        assert r["peak_extra_tracemalloc"] >= 0
        assert r["peak_extra_rss"] is None or r["peak_extra_rss"] >= 0
    assert _positive(sc["per_sample_spread"])
    assert isinstance(sc["flat_ok"], bool) and isinstance(sc["memory_ok"], bool)


def test_only_and_list(tmp_path):
    out = tmp_path / "one.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--only",
            "small-sgd",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    assert list(results["configs"]) == ["small-sgd"]
    assert results["scaling"] is None
    bad = subprocess.run(
        [sys.executable, str(RUN), "--only", "nope"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "unknown --only" in bad.stderr
