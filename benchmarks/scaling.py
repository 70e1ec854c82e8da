"""Time per sample and peak memory of skbp's fit over data sizes.

Memory: one fresh process per size (``_memory.py``), so that one size's
high-water mark is not polluted by earlier work. Time: here, on prefixes
``X[:n]`` of one data set (C-contiguous views, as a fresh array of n rows
would be), the sizes interleaved round-robin (and reversed every other
round) so that the machine's slow phases -- on this VM the same GEMM runs
up to 1.6x slower for tens of seconds -- hit every size alike.
"""

import gc
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from benchmarks import _common, metrics
from benchmarks.pairing import CONTENTION_LIMIT
from benchmarks.workloads import gemm_bound
from skbp import BackpropClassifier

MEMORY_WORKER = Path(__file__).resolve().parent / "_memory.py"
MAX_REDOS_PER_SIZE = 3


def memory_worker(n, spec, timeout, threads):
    """The memory worker's record for ``n`` rows (see ``_memory.py``)."""
    cmd = [
        sys.executable,
        str(MEMORY_WORKER),
        f"--n={n}",
        f"--features={spec.features}",
        f"--hidden={','.join(map(str, spec.hidden))}",
        f"--batch-size={spec.batch_size}",
        f"--solver={spec.solver}",
        f"--dtype={spec.dtype}",
        *([f"--threads={threads}"] if threads else []),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"memory worker failed for n={n}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_scaling(spec, budget, *, timeout, threads=None, retry=True):
    """A :class:`~benchmarks.schema.ScalingResult` for ``spec``.

    Disturbed fits are redone (at most ``MAX_REDOS_PER_SIZE`` per size,
    while ``budget`` lasts) when ``retry``. Each fit is bracketed by a fixed
    reference workload; the phase-normalised time per sample divides the
    machine's phase out and is what the flatness target judges.
    """
    sizes = spec.sizes
    memory = {}
    for n in sizes:
        memory[n] = row = memory_worker(n, spec, timeout, threads)
        print(
            f"  memory n={n}: peak extra rss {metrics.mib(row['peak_extra_rss'])} "
            f"MiB, tracemalloc {metrics.mib(row['peak_extra_tracemalloc'])} MiB "
            f"(X {metrics.mib(row['X_nbytes'])} MiB)",
            flush=True,
        )

    dtype = np.dtype(spec.dtype)
    X, y = _common.teacher_classification(max(sizes), spec.features, 10, dtype)
    params = {
        "hidden_layer_sizes": spec.hidden,
        "activation": "logistic",
        "solver": spec.solver,
        "batch_size": spec.batch_size,
        "max_iter": spec.epochs,
        "tol": 0.0,
        "n_iter_no_change": np.inf,
        "random_state": _common.SEED,
    }
    # A fixed reference workload (the GEMM bound of 1 epoch on 10k rows)
    # timed just before and after every fit tells the machine's phase.
    X_ref = X[: min(10_000, max(sizes))]
    ref_coefs, _, _ = _common.initial_weights([spec.features, *spec.hidden, 10], dtype)
    times = {n: [] for n in sizes}
    refs = {n: [] for n in sizes}
    contention = {n: [] for n in sizes}
    redone = dict.fromkeys(sizes, 0)
    kept_disturbed = dict.fromkeys(sizes, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        BackpropClassifier(**{**params, "max_iter": 1}).fit(X[:1000], y[:1000])
        for r in range(spec.repeats):
            for n in sizes if r % 2 == 0 else sizes[::-1]:
                while True:
                    if retry:
                        budget.wait_for_idle()
                    est = BackpropClassifier(**params)
                    gc.collect()
                    ref_before = gemm_bound(X_ref, ref_coefs, spec.batch_size, 1)
                    with _common.CpuMeter() as meter:
                        est.fit(X[:n], y[:n])
                    ref_after = gemm_bound(X_ref, ref_coefs, spec.batch_size, 1)
                    assert est.n_iter_ == spec.epochs
                    disturbed = meter.disturbed(CONTENTION_LIMIT)
                    if (
                        retry
                        and disturbed
                        and redone[n] < MAX_REDOS_PER_SIZE
                        and budget.can_redo()
                    ):
                        budget.charge(meter.wall)
                        redone[n] += 1
                        continue
                    break
                kept_disturbed[n] += disturbed
                times[n].append(meter.wall)
                refs[n].append(0.5 * (ref_before + ref_after))
                contention[n].append(meter.contention)
            print(
                f"  round {r + 1}/{spec.repeats}: "
                + ", ".join(f"{n}: {times[n][-1]:.3f}s" for n in sizes),
                flush=True,
            )
    del X, y, X_ref
    ref_median = metrics.median([t for n in sizes for t in refs[n]])
    rows = [
        metrics.scaling_row(
            memory[n],
            epochs=spec.epochs,
            times=times[n],
            references=refs[n],
            reference_median=ref_median,
            contention=contention[n],
            fits_redone=redone[n],
            fits_kept_disturbed=kept_disturbed[n],
        )
        for n in sizes
    ]
    return metrics.scaling_result(spec, rows, ref_median)
