"""Speed benchmark: skbp's BackpropClassifier against scikit-learn's MLPClassifier.

Usage::

    python benchmarks/run.py               # full run (make bench), both CPU classes
    python benchmarks/run.py --quick       # smoke run, tiny sizes, both classes, < 30 s
    python benchmarks/run.py --cpu native  # one class only (or --cpu avx2)
    python benchmarks/run.py --only medium-f32-adam --only scaling
    python benchmarks/run.py --list

A full run takes ~7 minutes for the native class (with scaling and memory)
and ~6 for avx2 (without), ~13 to 15 minutes on an idle machine; waiting for
other processes to quiet down may add up to ``--retry-budget`` (240 s) per
class.

CPU classes
-----------
Which kernels run depends on the CPU class: numpy dispatches its ufunc
loops (``tanh``, ``exp`` ...) to AVX-512 (x86-64-v4) or AVX2 (x86-64-v3)
code, OpenBLAS picks its GEMM kernel per micro-architecture, and skbp picks
the formulation of its activations from numpy's dispatch
(``skbp.kernel_choices()``). So a speed claim holds per class, and one
AVX-512 machine measures two:

* ``native``: the machine as it is, with ``OPENBLAS_CORETYPE``,
  ``OPENBLAS_L2_SIZE`` and ``NPY_DISABLE_CPU_FEATURES`` removed from the
  environment. Some machines here export the OpenBLAS ones, which force an
  older, slower kernel than the CPU's own; a native measurement must not
  inherit them.
* ``avx2``: an AVX2-only machine, emulated with
  ``NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"`` (numpy falls
  back to its AVX2 loops) and ``OPENBLAS_CORETYPE=Haswell`` (OpenBLAS's
  AVX2 kernel); ``OPENBLAS_L2_SIZE`` is removed here too.

numpy and OpenBLAS read these variables once, when they load, so each class
runs in a child process with its own environment: ``--cpu both`` (the
default) runs ``run.py --cpu native`` and then ``run.py --cpu avx2`` with the
same options, streams their output, and ends with one compact table per
class and the targets below. ``--cpu native`` or ``--cpu avx2`` run on their
own re-run themselves in a child whenever the environment they were started
in is not their class's (e.g. ``OPENBLAS_CORETYPE`` set for native).

Each child prints and saves which kernels actually ran: numpy's dispatched
features (``X86_V4``, ``X86_V3``, ``AVX512_SKX``, ``AVX2``) and the targets
it was built for, the OpenBLAS ``architecture`` threadpoolctl reports, the
variables above, and ``skbp.kernel_choices()``. The avx2 child checks that
the emulation took effect (``X86_V4`` not enabled, OpenBLAS ``Haswell``);
when it did not, it prints a WARNING and records it (``meta.class_check``).
On a machine without AVX-512 the native class *is* the AVX2 class: ``both``
then runs the native class only, says so, and reports it under both names.

Scaling and memory (``scaling``) depend on data sizes, not on SIMD width,
and take 2 to 4 minutes: they run in the native class only (``--only
scaling`` runs them in avx2 too), which keeps a full run well under 25
minutes even with both retry budgets spent. The profile of the medium
configs is cheap and runs in both (the activations' share differs between
classes).

Output, for ``--output results/latest.json`` (the default):
``results/latest-native.json`` and ``results/latest-avx2.json`` (each
child's full results), ``results/latest.json`` (keys ``native`` and
``avx2``, the children's JSON, plus the targets per class), and the tables
as reStructuredText in ``docs/benchmark_table.rst`` -- for a complete run
only (``both``, no ``--quick``, no ``--only``); any other run writes them
beside its JSON (``results/latest.rst``) so that the docs never show a
partial or smoke run. ``--table`` chooses the file.

Method
------
* Same data, architecture, solver, batch size, epochs, dtype and
  ``random_state`` for both libraries, hence the same initial weights and
  the same shuffles. ``tol=0`` and ``n_iter_no_change=inf`` with a fixed
  ``max_iter`` make both run exactly ``epochs`` epochs (checked). The
  hidden activation is ``"logistic"`` for both.
* The libraries run alternately in one process per class, 7 to 11 pairs
  per config (``--pairs`` overrides), the order flipped every other pair
  (ABBA) so that drift in the machine's speed does not favour either. Each
  pair gives a ratio sklearn time / skbp time; the table shows the median of
  the per-pair ratios (and the JSON also the ratio of medians and of minima).
* This VM has slow phases that no process on it causes (the same GEMM up to
  1.6x slower for seconds to tens of seconds, with both vCPUs busy), hence
  short pairs, many of them, and per-pair ratios. Work by *other processes
  on this machine* is measured (``/proc/stat`` minus our own CPU time): a
  pair during which it took more than 10 % of the cores is discarded and
  redone, after waiting for a quiet half second. The VM's own phases cannot
  be avoided, only measured: every run is bracketed by a ~50 ms reference
  workload (this config's products on its first 10k rows), and the columns
  marked ``*`` / ``_normalised`` divide each run by it -- the best estimate
  when the raw per-pair ratios scatter.
* The final training loss (``loss_``) of the two must agree within 1 % and
  the training accuracy within 1 percentage point.
* "GEMM bound": the same matrix products alone -- per batch, forward
  ``a_i @ W_i``, backward ``delta_i @ W_i.T`` and the gradients
  ``a_i.T @ delta_i`` -- into preallocated ``out=`` buffers of the same dtype,
  for the same batches and epochs, run as a third member of each pair.
  ``gemm / skbp`` (median over pairs) is the fraction of skbp's time that
  the products alone take: 1.0 would be a perfect loop.
* PyTorch (CPU) runs as a third party when it is importable, from the same
  initial weights and the same shuffles; it is skipped otherwise.
* Scaling (skbp only, native class): time per sample of ``fit`` from 10k to
  1M rows of 100 float32 features (sizes interleaved in this process), and
  its peak memory, each size in a fresh process (see ``_memory.py``).
* Profile (medium configs): an exclusive-time breakdown of one fit by
  category (matmul, activations, loss, optimizer, Python ...; see
  ``_profile.py``), a cProfile listing, and a per-batch dispatch-overhead
  probe (the same loop on a 4-feature, (4, 4)-unit network where the
  arithmetic costs nothing).

Targets, judged per CPU class and printed PASS / MISS (reported here, never
asserted in the unit tests; meaningless for ``--quick`` sizes):

* fit ratio (sklearn / skbp, median of per-pair ratios) >= 1.3 on every
  config, median over the configs >= 1.5, and no pair below 1.0;
* ``gemm/skbp`` >= 0.65 on the medium configs;
* predict throughput >= 1.5x MLPClassifier's on every config timed;
* per-sample fit time flat within 25 % from 10k to 1M rows, and peak memory
  beyond X at most 64 MiB + 10 x the weights (where scaling ran).

This file is the command line; the work is done by the other modules of
``benchmarks/`` (listed in its ``__init__.py``): the thresholds above and
every number derived from the timings live in ``metrics.py``, the JSON's
records in ``schema.py``.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

# As a script, this directory would be first on sys.path and its modules
# importable under generic top-level names (``schema``, ``report``) that
# could shadow installed packages: import them as the ``benchmarks``
# package instead.
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(REPO))

from benchmarks import configs, machine  # noqa: E402
from benchmarks.measure import measure_class  # noqa: E402
from benchmarks.metrics import evaluate_targets  # noqa: E402
from benchmarks.report import note_text, print_summary, rst_tables  # noqa: E402
from benchmarks.schema import (  # noqa: E402
    ClassResult,
    CombinedResult,
    read_json,
    write_json,
)

DEFAULT_OUTPUT = HERE / "results" / "latest.json"
DOCS_TABLE = REPO / "docs" / "benchmark_table.rst"
DEFAULT_RETRY_BUDGET = 240.0  # seconds per CPU class
AVX2_IS_NATIVE = (
    "this machine has no AVX-512 (numpy's X86_V4 is not available): its "
    "native class is the avx2 class, so no avx2 child runs and 'avx2' repeats "
    "the native results"
)


def class_output(output, cpu):
    """``results/latest.json`` -> ``results/latest-avx2.json``."""
    return output.with_name(f"{output.stem}-{cpu}{output.suffix}")


def _passthrough(args):
    """The options every child of ``--cpu both`` gets from its parent."""
    out = ["--quick"] if args.quick else []
    for o in args.only or []:
        out += ["--only", o]
    if args.pairs is not None:
        out += ["--pairs", str(args.pairs)]
    if args.threads is not None:
        out += ["--threads", str(args.threads)]
    if args.retry_budget is not None:
        out += ["--retry-budget", str(args.retry_budget)]
    return out


def _run_child(cpu, child_args):
    """Run this script for CPU class ``cpu`` in its own environment.

    Its output goes straight to ours (flushed first so the two stay in
    order); returns the exit status.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), *child_args]
    print(f"$ {machine.env_text(cpu)}\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, env=machine.class_env(cpu)).returncode


def native_is_avx2(parent_dispatch, native):
    """Whether this machine has no AVX-512, so that its native class is the
    avx2 class: neither this process's numpy dispatch nor the native
    child's record (``native``, a :class:`ClassResult` or None if that child
    failed) has ``X86_V4``. This process may itself run with features
    disabled; the native child, started with none, settles it."""
    native_v4 = native is not None and native.meta.numpy_dispatch.enabled.get("X86_V4")
    return not (parent_dispatch.enabled["X86_V4"] or native_v4)


def run_classes(args):
    """``--cpu both``: one child per CPU class, then the combined summary."""
    start = time.perf_counter()
    output = args.output or DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    complete = not args.quick and not args.only
    table = args.table or (DOCS_TABLE if complete else output.with_suffix(".rst"))
    parent_dispatch = machine.numpy_dispatch()
    print(
        "== benchmarking two CPU classes, one child process each: native, then "
        "avx2 (AVX-512 disabled)"
        + ("" if args.only else ";\n   scaling and memory in the native class only")
        + " ==",
        flush=True,
    )
    by_class, files, failed, notes = {}, {}, [], []
    avx2_is_native = False
    for cpu in machine.CPU_CLASSES:
        if cpu == "avx2" and native_is_avx2(parent_dispatch, by_class.get("native")):
            avx2_is_native = True
            notes.append(AVX2_IS_NATIVE)
            print(f"\n{note_text(AVX2_IS_NATIVE)}", flush=True)
            continue
        files[cpu] = class_output(output, cpu)
        print(f"\n{'#' * 32} CPU class {cpu} {'#' * 32}", flush=True)
        child = ["--cpu", cpu, *_passthrough(args), "--output", str(files[cpu])]
        rc = _run_child(cpu, child)
        if rc != 0:
            failed.append(cpu)
            print(f"ERROR: the {cpu} child exited with status {rc}", flush=True)
            continue
        by_class[cpu] = read_json(files[cpu], ClassResult)
    if avx2_is_native and "native" in by_class:
        by_class["avx2"] = by_class["native"]

    targets = {cpu: evaluate_targets(res) for cpu, res in by_class.items()}
    print(f"\n{'=' * 36} summary {'=' * 36}")
    print(
        "ratio = sklearn / skbp, median of per-pair ratios; gemm/skbp = share of "
        "skbp's\nfit time the matrix products alone take; targets per class "
        "(see benchmarks/run.py)"
    )
    for note in notes:
        print(note_text(note))
    for cpu, res in by_class.items():
        print_summary(cpu, res, targets[cpu])
    combined = CombinedResult(
        native=by_class.get("native"),
        avx2=by_class.get("avx2"),
        avx2_is_native=avx2_is_native,
        targets=targets,
        notes=notes,
        failed=failed,
        files={cpu: str(p) for cpu, p in files.items()},
        table=str(table),
        total_seconds=time.perf_counter() - start,
    )
    write_json(output, combined)
    if by_class:
        table.parent.mkdir(parents=True, exist_ok=True)
        table.write_text(rst_tables(by_class, notes))
    print(f"\ntotal {combined.total_seconds:.1f}s; results written to")
    print(f"  {output} (both classes)")
    for cpu, path in files.items():
        print(f"  {path} ({cpu})")
    if by_class:
        partial = "" if complete or args.table else "; a partial run, so not the docs"
        print(f"  {table} (tables{partial})")
    if failed:
        print(f"ERROR: CPU class(es) {', '.join(failed)} failed (see above)")
        return 1
    return 0


def measure(args):
    """Benchmark the CPU class this process runs in (``--cpu native|avx2``)."""
    output = args.output or class_output(DEFAULT_OUTPUT, args.cpu)
    output.parent.mkdir(parents=True, exist_ok=True)
    result = measure_class(args, output.parent)
    write_json(output, result)
    print(
        f"\ntotal {result.meta.total_seconds:.1f}s (of which waiting for quiet "
        f"and redoing disturbed work {result.meta.retry_seconds_spent:.1f}s); "
        f"results written to {output}",
        flush=True,
    )
    return 0


def _parser(names):
    parser = argparse.ArgumentParser(
        description="Benchmark skbp against scikit-learn's MLPClassifier, per "
        "CPU class (see the module docstring)."
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, 2 pairs: a smoke run"
    )
    parser.add_argument(
        "--cpu",
        choices=(*machine.CPU_CLASSES, "both"),
        default="both",
        help="CPU class to measure: native (this machine's kernels), avx2 "
        "(AVX-512 disabled, OpenBLAS Haswell), or both, each in a child "
        "process (default)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this config (exact name or prefix such as 'medium'); "
        "repeatable. Names: " + ", ".join(names),
    )
    parser.add_argument(
        "--pairs",
        type=int,
        default=None,
        help="alternating pairs per config (default: 7 to 11, 2 with --quick)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"JSON file to write (default {DEFAULT_OUTPUT.relative_to(REPO)}; "
        "with --cpu both the classes' go beside it as NAME-native.json and "
        "NAME-avx2.json; a single class defaults to latest-CLASS.json)",
    )
    parser.add_argument(
        "--table",
        type=Path,
        default=None,
        help="reST tables of --cpu both (default "
        f"{DOCS_TABLE.relative_to(REPO)} for a complete run, else the JSON's "
        "name with .rst)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit BLAS (and torch) threads; default: as the machine sets "
        "them for a full run, 1 for --quick (a smoke run must not depend on "
        "idle cores: multi-threaded OpenBLAS on busy cores is ~100x slower)",
    )
    parser.add_argument(
        "--retry-budget",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time each CPU class may spend waiting for other processes and "
        "redoing pairs they disturbed (default 240; 0 with --quick)",
    )
    parser.add_argument("--list", action="store_true", help="list names and exit")
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    names = configs.names()
    parser = _parser(names)
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(names))
        return 0
    if args.pairs is not None and args.pairs < 1:
        parser.error("--pairs must be at least 1")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    unknown = [
        o for o in args.only or [] if not any(configs.matches(n, o) for n in names)
    ]
    if unknown:
        parser.error(f"unknown --only {unknown}; names: {', '.join(names)}")

    if args.cpu == "both":
        return run_classes(args)
    if not machine.in_class_env(args.cpu):
        # Too late to change this process's kernels: numpy and OpenBLAS read
        # the variables when they loaded. The same command in a child does.
        found = machine.kernel_vars()
        print(
            f"--cpu {args.cpu}: this process started with kernel variables "
            f"{found or 'unset'}; measuring in a child process instead",
            flush=True,
        )
        return _run_child(args.cpu, argv)
    if args.retry_budget is None:
        args.retry_budget = DEFAULT_RETRY_BUDGET
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
