"""The benchmark's runner, ``benchmarks/run.py``, without timing anything.

Speed targets live in ``make bench``; nothing here is timed, and nothing
depends on this machine's speed, load or CPU class. ``--cpu both`` runs one
child process per CPU class, then prints one summary table per class and
writes the combined JSON and the reST tables. Here, in this process, the
children are replaced by a fake that writes a recorded child's JSON
(``tests/data/bench/quick-native.json``, recorded as the README there says)
or a variant of it made below, and this process's numpy dispatch by one with
or without AVX-512. So both branches -- an AVX-512 machine whose avx2 child
runs on its own, an AVX2-only machine whose native class is the avx2 class
-- run on every machine, as do a failed child, missed targets and an AVX2
emulation that did not take effect. The tables' layout is unit-tested in
test_bench_report.py, the numbers behind them in test_bench_metrics.py and
the paired timing loop in test_bench_harness.py.

One smoke run of the real harness remains: a single tiny config in a child
process, checking only that it runs and writes what these records read.
"""

import contextlib
import dataclasses
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _hang_guard import HANG_GUARD_SECONDS  # noqa: E402

from benchmarks import machine, report  # noqa: E402
from benchmarks import run as bench  # noqa: E402
from benchmarks.metrics import config_verdict, evaluate_targets  # noqa: E402
from benchmarks.schema import (  # noqa: E402
    ClassCheck,
    ClassResult,
    CombinedResult,
    NumpyDispatch,
    read_json,
    write_json,
)

RECORDED = Path(__file__).parent / "data" / "bench" / "quick-native.json"
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
VERDICT_WORD = {True: "PASS", False: "MISS", None: "n/a"}


def _positive(x):
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


# ----------------------------------------------------------------------
# The recorded child and its variants
def recorded():
    """The native child of a real ``--quick --cpu both`` run on an
    AVX2-only machine (a fresh copy: the variants below change it)."""
    return read_json(RECORDED, ClassResult)


def dispatch(v4):
    """numpy's dispatch on an AVX-512 CPU (``v4``) or an AVX2-only one."""
    return NumpyDispatch(
        level="x86-64-v4" if v4 else "x86-64-v3",
        enabled={"X86_V4": v4, "X86_V3": True, "AVX512_SKX": v4, "AVX2": True},
        cpu_dispatch=["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"],
        cpu_baseline=["X86_V2"],
    )


def kernel_choices(v4):
    form = "tanh" if v4 else "exp"
    return {
        "cpu_class": "x86-64-v4" if v4 else "x86-64-v3",
        "numpy_simd": ["AVX512_SKX", "AVX512F", "AVX2"] if v4 else ["AVX2", "FMA3"],
        "override": "",
        "logistic": {"float32": form, "float64": form},
        "tanh": {"float32": form, "float64": form},
    }


def on_avx512(result):
    """``result`` as the native child of an AVX-512 machine records it."""
    meta = dataclasses.replace(
        result.meta,
        cpu="Intel(R) Xeon(R) Platinum 8480+",
        numpy_dispatch=dispatch(True),
        numpy_blas={**result.meta.numpy_blas, "architecture": "SapphireRapids"},
        kernel_choices=kernel_choices(True),
    )
    return dataclasses.replace(result, meta=meta)


def scaled(r, factor):
    """A config's result with every fit ratio ``factor`` times as large."""
    return dataclasses.replace(
        r,
        ratios=[factor * x for x in r.ratios],
        ratio_median=factor * r.ratio_median,
    )


def as_avx2_child(native, factor=0.8):
    """The avx2 child of the machine ``native`` ran on: the emulation's
    variables set and in effect, no scaling, and every fit ratio ``factor``
    times the native one (so that the tables tell the classes apart)."""
    avx2_env = dict(machine.CLASS_ENV["avx2"])
    meta = dataclasses.replace(
        native.meta,
        argv=[str(RUN), "--cpu", "avx2", "--quick"],
        cpu_option="avx2",
        class_env=avx2_env,
        env={**native.meta.env, **avx2_env},
        class_check=ClassCheck(ok=True, problems=[]),
        numpy_dispatch=dispatch(False),
        numpy_blas={**native.meta.numpy_blas, "architecture": "Haswell"},
        kernel_choices=kernel_choices(False),
        scaling_skipped="measured in the native class only",
    )
    configs = {n: scaled(r, factor) for n, r in native.configs.items()}
    child = dataclasses.replace(native, meta=meta, configs=configs, scaling=None)
    child.targets = evaluate_targets(child)
    return child


# The machines run.py can find itself on: whether this process's numpy
# dispatches to AVX-512, and the native child's record.
MACHINES = {
    "avx512": (True, lambda: on_avx512(recorded())),
    # make test-avx2, or a parent started with AVX-512 masked: the native
    # child, started with nothing masked, settles it
    "avx512-parent-masked": (False, lambda: on_avx512(recorded())),
    "avx2-only": (False, recorded),
}


# ----------------------------------------------------------------------
# The children, replaced
class Children:
    """Stands in for run.py's child processes: the child for a CPU class
    writes that class's result where its ``--output`` says and exits with
    its status (0 unless ``status`` says otherwise; a failed child writes
    nothing)."""

    def __init__(self, results, status=None):
        self.results, self.status, self.calls = results, status or {}, []

    def __call__(self, cpu, child_args):
        self.calls.append((cpu, list(child_args)))
        print(f"(the {cpu} child's own report)", flush=True)
        status = self.status.get(cpu, 0)
        if status == 0:
            out = Path(child_args[child_args.index("--output") + 1])
            write_json(out, self.results[cpu])
        return status


@dataclasses.dataclass
class BothRun:
    status: int
    stdout: str
    raw: dict  # the combined JSON as written
    combined: CombinedResult
    output: Path


def run_both(monkeypatch, tmp_path, children, parent_v4, *options):
    """``run.py --cpu both`` in this process, with fake children."""
    monkeypatch.setattr(bench, "_run_child", children)
    monkeypatch.setattr(machine, "numpy_dispatch", lambda: dispatch(parent_v4))
    output = tmp_path / "quick.json"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = bench.main(["--cpu", "both", "--output", str(output), *options])
    raw = json.loads(output.read_text())
    return BothRun(
        status, printed.getvalue(), raw, CombinedResult.from_dict(raw), output
    )


@pytest.fixture(params=list(MACHINES))
def both(request, monkeypatch, tmp_path):
    """A quick run of both classes on each machine: (name, run, the results
    each class should show)."""
    parent_v4, make_native = MACHINES[request.param]
    native = make_native()
    results = {"native": native, "avx2": as_avx2_child(native)}
    children = Children(results)
    run = run_both(monkeypatch, tmp_path, children, parent_v4, "--quick")
    if request.param == "avx2-only":
        results["avx2"] = native  # no avx2 child: it repeats the native class
    return request.param, run, results, children


def summary_of(stdout):
    return stdout[stdout.rindex("= summary =") : stdout.rindex("\ntotal ")]


def class_blocks(summary):
    """``{cpu: its block}`` of the summary, in order."""
    blocks = summary.split("\n== CPU class ")[1:]
    return {b.split(":")[0]: b for b in blocks}


def table_rows(block):
    """``{config: (cells, verdict)}`` of one class's table; a verdict that
    wraps goes on in the verdict column of the lines below its row."""
    assert block.count(SUMMARY_HEAD) == 1
    lines = block.split(SUMMARY_HEAD + "\n")[1].splitlines()
    assert set(lines[0]) == {"-"}
    verdict_column = SUMMARY_HEAD.index("verdict")
    rows, name = {}, None
    for line in lines[1:]:
        if line[:verdict_column].strip() == "" and name is not None:
            assert len(line) - len(line.lstrip()) == verdict_column, line
            rows[name][1].append(line.strip())
            continue
        if line.split()[0] not in CONFIGS:
            break
        name = line.split()[0]
        rows[name] = (line[:verdict_column].split(), [line[verdict_column:]])
    return {n: (cells, " ".join(verdict)) for n, (cells, verdict) in rows.items()}


def target_words(block):
    """PASS / MISS / n/a of the targets, in order (wrapped details are
    indented further than the targets themselves)."""
    targets = block.split("targets:\n")[1].splitlines()
    return [
        line.split()[0]
        for line in targets
        if line.startswith("  ") and not line.startswith("    ")
    ]


def check_class_block(block, result, targets):
    """One class's summary shows ``result`` and its ``targets``."""
    rows = table_rows(block)
    assert set(rows) == set(result.configs)
    for name, r in result.configs.items():
        cells, verdict = rows[name]
        # The printed row is the recorded result, rounded.
        assert cells[1:5] == [
            f"{r.median['skbp']:.3f}",
            f"{r.median['sklearn']:.3f}",
            f"{r.ratio_median:.2f}",
            f"{r.gemm_fraction:.2f}",
        ]
        assert cells[5] == ("yes" if r.agree else "no")
        assert verdict == config_verdict(name, r)
    assert report.predict_text(result).split(":")[0] in block
    assert "machine: " in block and "kernels: numpy " in block
    assert "(quick run: tiny sizes and 2 pairs" in block
    assert target_words(block) == [VERDICT_WORD[t.ok] for t in targets]


# ----------------------------------------------------------------------
# The record
def test_the_recorded_run_reads_back_as_it_was_written():
    raw = json.loads(RECORDED.read_text())
    result = ClassResult.from_dict(raw)
    # The records hold every key the runner wrote, in its order.
    assert json.dumps(result.to_dict()) == json.dumps(raw)
    # What the scenarios below take it for: a quick native run of every
    # config on an AVX2-only machine, with scaling.
    assert result.meta.quick and result.meta.cpu_option == "native"
    assert not result.meta.numpy_dispatch.enabled["X86_V4"]
    assert set(result.configs) == CONFIGS
    assert result.scaling is not None and len(result.targets) == 7


def test_native_is_avx2_needs_avx512_in_neither_the_parent_nor_the_native_child():
    avx2_only, avx512 = recorded(), on_avx512(recorded())
    assert bench.native_is_avx2(dispatch(False), avx2_only)
    assert not bench.native_is_avx2(dispatch(False), avx512)
    assert not bench.native_is_avx2(dispatch(True), avx2_only)
    assert not bench.native_is_avx2(dispatch(True), None)
    # the native child failed: this process's dispatch decides
    assert bench.native_is_avx2(dispatch(False), None)


# ----------------------------------------------------------------------
# --cpu both, on each machine
def test_children_and_combined_json(both):
    machine_name, run, results, children = both
    combined, output = run.combined, run.output
    separate = machine_name != "avx2-only"
    assert run.status == 0 and combined.failed == []
    assert combined.avx2_is_native is not separate
    files = {cpu: output.with_name(f"quick-{cpu}.json") for cpu in results}
    cpus = ["native", "avx2"] if separate else ["native"]
    # Each child gets its class and the parent's options.
    assert children.calls == [
        (cpu, ["--cpu", cpu, "--quick", "--output", str(files[cpu])]) for cpu in cpus
    ]
    assert combined.files == {cpu: str(files[cpu]) for cpu in cpus}
    for cpu in cpus:
        assert read_json(files[cpu], ClassResult) == results[cpu]
    assert combined.native == results["native"]
    assert combined.avx2 == results["avx2"]
    if separate:
        assert combined.avx2 != combined.native
        assert combined.notes == []
    else:
        assert combined.notes == [bench.AVX2_IS_NATIVE]
    for cpu in ("native", "avx2"):
        targets = combined.targets[cpu]
        assert targets == evaluate_targets(results[cpu])
        assert len(targets) == 7
    # The records hold every key the runner wrote, in its order.
    assert json.dumps(combined.to_dict()) == json.dumps(run.raw)
    # A quick run is not the docs' table: it goes beside the JSON.
    assert combined.table == str(output.with_suffix(".rst"))


def test_summary_tables(both):
    machine_name, run, results, _ = both
    summary = summary_of(run.stdout)
    for line in summary.splitlines():
        assert len(line) <= report.SUMMARY_WIDTH, line
    blocks = class_blocks(summary)
    assert list(blocks) == ["native", "avx2"]
    level = "x86-64-v3" if machine_name == "avx2-only" else "x86-64-v4"
    assert blocks["native"].startswith(f"native: {level} ==\n")
    assert blocks["avx2"].startswith("avx2: x86-64-v3 ==\n")
    for cpu, block in blocks.items():
        check_class_block(block, results[cpu], run.combined.targets[cpu])
    if machine_name == "avx2-only":
        # Said where the avx2 child would have run, and again in the summary,
        # wrapped to the summary's width like the rest of it.
        note = report.note_text(bench.AVX2_IS_NATIVE)
        assert len(note.splitlines()) > 1
        assert run.stdout.count(note) == 2 and summary.count(note) == 1
        assert " ".join(note.split()) == "NOTE: " + bench.AVX2_IS_NATIVE
        assert blocks["avx2"].replace("avx2", "native", 1) == blocks["native"]
    else:
        assert "NOTE" not in run.stdout
        assert blocks["avx2"] != blocks["native"].replace("native", "avx2", 1)


def test_rst_tables(both):
    machine_name, run, results, _ = both
    rst = Path(run.combined.table).read_text()
    assert rst == report.rst_tables(results, run.combined.notes)
    assert rst.count(".. list-table::") == 2
    assert rst.count("   :header-rows: 1") == 2
    assert rst.count("   * - config\n     - skbp s\n") == 2
    for name in CONFIGS:
        assert rst.count(f"   * - {name}\n") == 2
    assert rst.count("OpenBLAS ") >= 2 and rst.count("numpy ") >= 2
    assert ("Note: this machine has no AVX-512" in rst) is (machine_name == "avx2-only")
    assert "(tables; a partial run, so not the docs)" in run.stdout


# ----------------------------------------------------------------------
# --cpu both, when something goes wrong
@pytest.mark.parametrize(
    ("machine_name", "failing", "shown"),
    [
        ("avx512", "avx2", ["native"]),
        ("avx512", "native", ["avx2"]),
        ("avx2-only", "native", []),
    ],
)
def test_a_failed_child(monkeypatch, tmp_path, machine_name, failing, shown):
    parent_v4, make_native = MACHINES[machine_name]
    native = make_native()
    results = {"native": native, "avx2": as_avx2_child(native)}
    children = Children(results, status={failing: 3})
    run = run_both(monkeypatch, tmp_path, children, parent_v4, "--quick")
    assert run.status == 1
    assert run.combined.failed == [failing]
    assert f"ERROR: the {failing} child exited with status 3" in run.stdout
    assert run.stdout.rstrip().endswith(
        f"ERROR: CPU class(es) {failing} failed (see above)"
    )
    assert list(class_blocks(summary_of(run.stdout))) == shown
    assert list(run.combined.targets) == shown
    for cpu in ("native", "avx2"):
        got = getattr(run.combined, cpu)
        assert got == (results[cpu] if cpu in shown else None)
    table = run.output.with_suffix(".rst")
    if shown:
        assert table.read_text().count(".. list-table::") == len(shown)
    else:
        # nothing measured: no tables, and no note that avx2 repeats them
        assert not table.exists() and "(tables" not in run.stdout
        assert run.combined.avx2_is_native


def test_missed_targets_and_differing_results(monkeypatch, tmp_path):
    native = on_avx512(recorded())
    avx2 = as_avx2_child(native)
    # Every miss at once: the longest verdict there is.
    avx2.configs["medium-f64-sgd"] = dataclasses.replace(
        avx2.configs["medium-f64-sgd"],
        ratios=[0.9, 1.1],
        ratio_median=1.0,
        gemm_fraction=0.3,
        agree=False,
    )
    avx2.targets = evaluate_targets(avx2)
    children = Children({"native": native, "avx2": avx2})
    run = run_both(monkeypatch, tmp_path, children, True, "--quick")
    assert run.status == 0  # a missed target is reported, not an error
    summary = summary_of(run.stdout)
    for line in summary.splitlines():
        assert len(line) <= report.SUMMARY_WIDTH, line
    block = class_blocks(summary)["avx2"]
    check_class_block(block, avx2, run.combined.targets["avx2"])
    cells, verdict = table_rows(block)["medium-f64-sgd"]
    assert cells[5] == "no"
    assert verdict == "MISS: ratio<1.3 pair<1.0 gemm<0.65 results differ"
    targets = {t.target: t for t in run.combined.targets["avx2"]}
    floor = targets["fit ratio never < 1.0 (every pair)"]
    assert floor.ok is False and floor.detail == "lowest pair 0.90 (medium-f64-sgd)"
    assert targets["fit ratio >= 1.3 on every config"].ok is False
    # scaling ran in the native class only
    assert targets["scaling: time per sample flat within 25%"].ok is None
    # The docs' table keeps the verdict in one cell.
    rst = Path(run.combined.table).read_text()
    assert (
        "     - no\n     - MISS: ratio<1.3 pair<1.0 gemm<0.65 results differ\n" in rst
    )


def test_an_emulation_that_did_not_take_effect_is_flagged(monkeypatch, tmp_path):
    native = on_avx512(recorded())
    avx2 = as_avx2_child(native)
    problems = machine.class_check("avx2", dispatch(True), "SkylakeX", {}).problems
    avx2.meta.class_check = ClassCheck(ok=False, problems=problems)
    children = Children({"native": native, "avx2": avx2})
    run = run_both(monkeypatch, tmp_path, children, True, "--quick")
    blocks = class_blocks(summary_of(run.stdout))
    assert "WARNING: numpy still dispatches to its X86_V4" in blocks["avx2"]
    assert "WARNING" not in blocks["native"]
    rst = Path(run.combined.table).read_text()
    assert rst.count("Warning: numpy still dispatches to its X86\\_V4") == 1


# ----------------------------------------------------------------------
# Options
@pytest.mark.parametrize(
    ("options", "passed", "docs"),
    [
        ([], [], True),
        (["--only", "medium"], ["--only", "medium"], False),
        (["--quick", "--pairs", "3"], ["--quick", "--pairs", "3"], False),
        (
            ["--threads", "1", "--retry-budget", "5", "--table", "T.rst"],
            ["--threads", "1", "--retry-budget", "5.0"],
            False,
        ),
    ],
)
def test_options_reach_the_children_and_choose_the_table(
    monkeypatch, tmp_path, options, passed, docs
):
    # A stand-in repository: a complete run writes the docs' table.
    docs_table = tmp_path / "docs" / "benchmark_table.rst"
    monkeypatch.setattr(bench, "REPO", tmp_path)
    monkeypatch.setattr(bench, "DOCS_TABLE", docs_table)
    monkeypatch.setattr(bench, "DEFAULT_OUTPUT", tmp_path / "results" / "latest.json")
    options = [o.replace("T.rst", str(tmp_path / "T.rst")) for o in options]
    native = recorded()
    children = Children({"native": native})
    run = run_both(monkeypatch, tmp_path, children, False, *options)
    native_json = str(run.output.with_name("quick-native.json"))
    assert children.calls == [
        ("native", ["--cpu", "native", *passed, "--output", native_json])
    ]
    # Only a complete run (no --quick, no --only) writes the docs' table.
    if docs:
        expected = docs_table
    elif "--table" in options:
        expected = tmp_path / "T.rst"
    else:
        expected = run.output.with_suffix(".rst")
    assert run.combined.table == str(expected) and expected.exists()
    assert docs_table.exists() is docs
    partial = "" if docs or "--table" in options else "; a partial run, so not the docs"
    assert f"  {expected} (tables{partial})\n" in run.stdout


def test_list(capsys):
    assert bench.main(["--list"]) == 0
    assert set(capsys.readouterr().out.split()) == CONFIGS | {"scaling"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "nope"], "unknown --only ['nope']"),
        (["--cpu", "avx512"], "argument --cpu: invalid choice"),
        (["--pairs", "0"], "--pairs must be at least 1"),
        (["--threads", "0"], "--threads must be at least 1"),
    ],
)
def test_bad_options_exit_with_status_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        bench.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cpu", "environ"),
    [
        ("native", {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_L2_SIZE": "1"}),
        ("avx2", {}),
    ],
)
def test_a_single_class_started_in_another_environment_measures_in_a_child(
    monkeypatch, capsys, cpu, environ
):
    """numpy and OpenBLAS read the kernel variables when they load: a class
    started with the wrong ones re-runs itself, the same command, in a child
    with its own environment."""
    for key in KERNEL_VARS:
        monkeypatch.delenv(key, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    children = Children({}, status={cpu: 5})
    monkeypatch.setattr(bench, "_run_child", children)
    argv = ["--quick", "--cpu", cpu, "--only", "small-sgd"]
    assert bench.main(argv) == 5  # the child's status
    assert children.calls == [(cpu, argv)]
    assert "measuring in a child process instead" in capsys.readouterr().out


# ----------------------------------------------------------------------
# The real harness, once
def test_smoke_run_of_one_tiny_config_in_its_own_environment(tmp_path):
    """``--cpu native`` started with a forced OpenBLAS core type measures in
    a child without it, and writes what the records read. Only the shape of
    what it wrote is checked, never a time: the timeout is a hang guard."""
    out = tmp_path / "one.json"
    env = {
        **os.environ,
        "OPENBLAS_CORETYPE": "Haswell",
        "OPENBLAS_L2_SIZE": "1",
        "PYTHONWARNINGS": "ignore",
    }
    name = "medium-f32-sgd"  # a medium config: predict and profile run too
    proc = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--cpu",
            "native",
            "--only",
            name,
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "measuring in a child process instead" in proc.stdout
    raw = json.loads(out.read_text())
    result = ClassResult.from_dict(raw)
    assert json.dumps(result.to_dict()) == json.dumps(raw)

    meta = result.meta
    assert meta.cpu_option == "native" and meta.quick is True
    assert all(meta.env[k] is None for k in KERNEL_VARS)
    assert meta.class_check.ok, meta.class_check
    assert set(meta.numpy_dispatch.enabled) == set(machine.DISPATCH_FEATURES)
    assert {"cpu_class", "numpy_simd", "override", "logistic"} <= set(
        meta.kernel_choices
    )
    assert meta.numpy_blas["architecture"]
    # --quick limits BLAS to one thread, and the threadpool shows it.
    assert meta.threads_limit == 1 and meta.numpy_blas["num_threads"] == 1
    for key in ("numpy", "scikit-learn", "skbp", "torch"):
        assert key in meta.versions
    assert "skbp.kernel_choices()" in proc.stdout and "numpy dispatch:" in proc.stdout

    assert list(result.configs) == [name]
    assert result.scaling is None and meta.scaling_skipped is None
    r = result.configs[name]
    assert r.n_pairs == 2
    for lib in ("skbp", "sklearn", "gemm"):
        assert len(r.times[lib]) == 2 and all(_positive(t) for t in r.times[lib])
    assert len(r.ratios) == 2 and all(_positive(x) for x in r.ratios)
    epochs = r.config.epochs
    assert r.n_iter == {"skbp": epochs, "sklearn": epochs}
    assert r.dtype_of_coefs["skbp"] == r.config.dtype
    # Same starting weights and arithmetic: a correctness property of the
    # comparison, not a speed target.
    assert r.final_loss_rel_diff_max <= 0.01 and r.agree is True
    assert all(_positive(v) for v in r.predict.rows_per_second.values())
    prof = r.profile
    assert {"matmul", "activations", "loss", "optimizer"} <= set(
        prof.breakdown["groups"]
    )
    assert prof.cprofile["top_tottime"]
    assert prof.cprofile_file == f"profile_{name}-native.txt"
    assert (tmp_path / prof.cprofile_file).exists()
    assert result.targets == evaluate_targets(result)
    # The report reads it as it reads the recorded run.
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        report.print_summary("native", result, result.targets)
    for line in printed.getvalue().splitlines():
        assert len(line) <= report.SUMMARY_WIDTH, line
    assert report.rst_tables({"native": result}).count(".. list-table::") == 1
