"""Smoke test of the benchmark harness: it runs and writes well-formed output.

No speed assertion here, ever: speed targets live in benchmarks/run.py's
report. This only checks that ``benchmarks/run.py --quick --cpu both`` works
end to end -- one child process per CPU class, each recording which kernels
ran, then one summary table per class, the combined JSON and the reST
tables -- and that a single class re-runs itself in its own environment.
The JSON is read back through the typed records of ``benchmarks.schema``,
which reject any key they do not declare. The metrics themselves are
unit-tested in test_bench_metrics.py, without timing anything.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.schema import ClassResult, CombinedResult, read_json  # noqa: E402

RUN = REPO / "benchmarks" / "run.py"
CONFIGS = {
    "small-adam",
    "small-sgd",
    "medium-f32-sgd",
    "medium-f32-adam",
    "medium-f64-sgd",
    "medium-f64-adam",
    "large-adam",
}
SUMMARY_HEAD = (
    "config            skbp s  sklearn s  ratio  gemm/skbp  loss agree  verdict"
)
KERNEL_VARS = ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _positive(x):
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def _run(*args, timeout, env=None):
    return subprocess.run(
        [sys.executable, str(RUN), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**(os.environ if env is None else env), "PYTHONWARNINGS": "ignore"},
    )


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """One quick run of both CPU classes: (combined result, stdout, out dir)."""
    out_dir = tmp_path_factory.mktemp("bench")
    out = out_dir / "quick.json"
    # Each class takes ~10 s; the timeout only guards against a hang.
    proc = _run("--quick", "--cpu", "both", "--output", str(out), timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    raw = json.loads(out.read_text())
    results = CombinedResult.from_dict(raw)
    # The records hold every key the runner wrote, in its order.
    assert json.dumps(results.to_dict()) == json.dumps(raw)
    return results, proc.stdout, out_dir


@pytest.fixture(scope="module")
def avx512(both):
    """Whether this machine has AVX-512, as the native class recorded it."""
    results, _, _ = both
    return results.native.meta.numpy_dispatch.enabled["X86_V4"]


@pytest.fixture(scope="module", params=["native", "avx2"])
def quick_results(request, both):
    """One class's results (the child's full JSON) and the whole stdout."""
    results, stdout, _ = both
    return getattr(results, request.param), stdout


def test_combined_json(both, avx512):
    results, _, out_dir = both
    assert results.failed == []
    assert results.avx2_is_native is (not avx512)
    if avx512:
        # Each class wrote its own JSON beside the combined one, and the
        # combined one holds it in full.
        for cpu in ("native", "avx2"):
            path = out_dir / f"quick-{cpu}.json"
            assert results.files[cpu] == str(path)
            assert read_json(path, ClassResult) == getattr(results, cpu)
    else:
        assert results.avx2 == results.native
    for cpu in ("native", "avx2"):
        targets = results.targets[cpu]
        assert targets == getattr(results, cpu).targets
        assert len(targets) == 7
        for t in targets:
            assert t.ok in (True, False, None)


def test_kernels_recorded(both, avx512):
    results, stdout, _ = both
    for cpu in ("native", "avx2"):
        meta = getattr(results, cpu).meta
        assert set(meta.numpy_dispatch.enabled) == {
            "X86_V4",
            "X86_V3",
            "AVX512_SKX",
            "AVX2",
        }
        choices = meta.kernel_choices
        assert {"cpu_class", "numpy_simd", "override", "logistic"} <= set(choices)
        assert set(choices["logistic"]) == {"float32", "float64"}
        assert set(meta.env) >= set(KERNEL_VARS)
        assert meta.numpy_blas["architecture"]
    native = results.native.meta
    assert native.cpu_option == "native"
    assert all(native.env[k] is None for k in KERNEL_VARS)
    assert native.class_check.ok, native.class_check
    if avx512:
        avx2 = results.avx2.meta
        assert avx2.cpu_option == "avx2"
        assert avx2.env["OPENBLAS_CORETYPE"] == "Haswell"
        assert "X86_V4" in avx2.env["NPY_DISABLE_CPU_FEATURES"]
        # The emulation took effect, as the child checked itself.
        assert avx2.class_check.ok and avx2.class_check.problems == []
        assert not avx2.numpy_dispatch.enabled["X86_V4"]
        assert avx2.numpy_blas["architecture"].lower() == "haswell"
        assert "AVX2 emulation in effect" in stdout
        assert "WARNING: AVX2 emulation" not in stdout
    else:
        assert "no AVX-512" in stdout
    assert "skbp.kernel_choices()" in stdout and "numpy dispatch:" in stdout


def test_summary_tables(both, avx512):
    results, stdout, out_dir = both
    summary = stdout[stdout.rindex("= summary =") : stdout.rindex("\ntotal ")]
    for line in summary.splitlines():
        assert len(line) <= 100, line
    blocks = summary.split("\n== CPU class ")[1:]
    assert [b.split(":")[0] for b in blocks] == ["native", "avx2"]
    for cpu, block in zip(("native", "avx2"), blocks):
        assert block.count(SUMMARY_HEAD) == 1
        lines = block.split(SUMMARY_HEAD + "\n")[1].splitlines()
        assert set(lines[0]) == {"-"}
        rows = {line.split()[0]: line.split() for line in lines[1 : 1 + len(CONFIGS)]}
        assert set(rows) == CONFIGS
        for name, r in getattr(results, cpu).configs.items():
            # The printed row is the recorded result, rounded.
            assert rows[name][3] == f"{r.ratio_median:.2f}", rows[name]
            assert rows[name][5] == ("yes" if r.agree else "no")
            assert rows[name][6] in ("PASS", "MISS:"), rows[name]
        assert "predict throughput, skbp / sklearn" in block
        assert "machine: " in block and "kernels: numpy " in block
        targets = block.split("targets:\n")[1].splitlines()
        # One line per target; wrapped details are indented further.
        verdicts = [
            line.split()[0]
            for line in targets
            if line.startswith("  ") and not line.startswith("    ")
        ]
        expected = {True: "PASS", False: "MISS", None: "n/a"}
        assert verdicts == [expected[t.ok] for t in results.targets[cpu]]
    # A quick run is not the docs' table: it goes beside the JSON.
    rst = (out_dir / "quick.rst").read_text()
    assert results.table == str(out_dir / "quick.rst")
    assert rst.count(".. list-table::") == 2
    assert rst.count("   :header-rows: 1") == 2
    assert rst.count("   * - config\n     - skbp s\n") == 2
    for name in CONFIGS:
        assert rst.count(f"   * - {name}\n") == 2
    assert rst.count("OpenBLAS ") >= 2 and rst.count("numpy ") >= 2


def test_meta(quick_results):
    results, stdout = quick_results
    meta = results.meta
    assert meta.quick is True
    # --quick limits BLAS to one thread (a smoke run must not depend on idle
    # cores), and the threadpool report shows the limit in force.
    assert meta.threads_limit == 1
    assert meta.numpy_blas["num_threads"] == 1
    assert meta.threadpool_info, "threadpoolctl info is recorded"
    for key in ("numpy", "scikit-learn", "skbp", "torch"):
        assert key in meta.versions
    assert _positive(meta.total_seconds)
    assert "threadpoolctl.threadpool_info()" in stdout


def test_configs(quick_results):
    results, stdout = quick_results
    configs = results.configs
    assert set(configs) == CONFIGS
    for name, r in configs.items():
        assert r.n_pairs == 2
        for lib in ("skbp", "sklearn", "gemm"):
            assert len(r.times[lib]) == 2, name
            assert all(_positive(t) for t in r.times[lib]), name
            assert _positive(r.median[lib]), name
        assert len(r.ratios) == 2 and all(_positive(x) for x in r.ratios)
        assert len(r.gemm_fractions) == 2
        assert _positive(r.ratio_normalised_median)
        assert _positive(r.gemm_fraction_normalised)
        assert _positive(r.ratio_median) and _positive(r.gemm_fraction)
        epochs = r.config.epochs
        assert r.n_iter == {"skbp": epochs, "sklearn": epochs}, name
        assert r.dtype_of_coefs["skbp"] == r.config.dtype, name
        for lib in ("skbp", "sklearn"):
            assert _positive(r.final_loss[lib])
            assert 0 <= r.train_accuracy[lib] <= 1
        # Same starting weights and arithmetic: a correctness property of
        # the comparison, not a speed target.
        assert r.final_loss_rel_diff_max <= 0.01, name
        assert r.agree is True, name
        assert name in stdout


def test_predict_and_profile(quick_results):
    results, _ = quick_results
    cpu = results.meta.cpu_option
    for name, r in results.configs.items():
        if not name.startswith("medium"):
            assert r.predict is None and r.profile is None, name
            continue
        assert all(_positive(v) for v in r.predict.rows_per_second.values())
        prof = r.profile
        bd = prof.breakdown
        assert _positive(bd["wall_seconds"])
        assert {"matmul", "activations", "loss", "optimizer"} <= set(bd["groups"])
        assert _positive(bd["groups"]["matmul"]["seconds"])
        assert prof.cprofile["top_tottime"]
        assert prof.cprofile_file == f"profile_{name}-{cpu}.txt"
        # Per-batch cost plus set-up: whichever of the two the clamp in
        # metrics.probe_costs zeroes, the other is a fit's time, so the sum
        # is a real positive estimate.
        assert _positive(prof.dispatch_overhead_seconds)
        assert prof.gemm_fraction_normalised == r.gemm_fraction_normalised


def test_scaling(quick_results):
    results, _ = quick_results
    sc = results.scaling
    if results.meta.cpu_option == "avx2":
        # Data sizes, not SIMD width: measured in the native class only.
        assert sc is None and results.meta.scaling_skipped
        return
    assert [r.n_samples for r in sc.rows] == list(sc.spec.sizes)
    for r in sc.rows:
        assert len(r.times) == sc.spec.repeats
        assert all(_positive(t) for t in r.times)
        assert _positive(r.us_per_sample_epoch)
        assert _positive(r.us_per_sample_epoch_normalised)
        assert r.X_nbytes > 0 and r.weights_nbytes > 0
        # tracemalloc counts what fit allocates: at least the weights.
        assert r.peak_extra_tracemalloc >= r.weights_nbytes
    assert _positive(sc.per_sample_spread)
    assert isinstance(sc.flat_ok, bool) and isinstance(sc.memory_ok, bool)


def test_single_class_reruns_in_its_environment(tmp_path):
    """``--cpu native`` started with a forced OpenBLAS core type measures in
    a child without it (the variable is read when OpenBLAS loads)."""
    out = tmp_path / "one.json"
    env = {**os.environ, "OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1"}
    args = ("--quick", "--cpu", "native", "--only", "small-sgd")
    proc = _run(*args, "--output", str(out), timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "measuring in a child process" in proc.stdout
    results = read_json(out, ClassResult)
    assert list(results.configs) == ["small-sgd"]
    assert results.scaling is None
    meta = results.meta
    assert meta.cpu_option == "native"
    assert all(meta.env[k] is None for k in KERNEL_VARS)
    assert meta.class_check.ok


def test_only_list_and_bad_options():
    names = _run("--list", timeout=60)
    assert names.returncode == 0 and set(names.stdout.split()) == CONFIGS | {"scaling"}
    bad = _run("--only", "nope", timeout=60)
    assert bad.returncode == 2 and "unknown --only" in bad.stderr
    bad = _run("--cpu", "avx512", timeout=60)
    assert bad.returncode == 2 and "--cpu" in bad.stderr
    bad = _run("--pairs", "0", timeout=60)
    assert bad.returncode == 2 and "--pairs must be at least 1" in bad.stderr
