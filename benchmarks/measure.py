"""One CPU class, measured in this process: every selected config's pairs,
predict throughput and profile, then scaling and memory.

Whatever is measured here ends up as a :class:`~benchmarks.schema.ClassResult`;
the numbers in it are computed by :mod:`benchmarks.metrics`.
"""

import gc
import time
import warnings

import numpy as np
import threadpoolctl
from sklearn.exceptions import ConvergenceWarning

from benchmarks import _common, _profile, machine, metrics, report
from benchmarks.configs import SCALING, fit_configs, scaling_spec, wanted
from benchmarks.pairing import RetryBudget, Run, Unavailable, alternate, run_pairs
from benchmarks.scaling import run_scaling
from benchmarks.schema import ClassResult, ProfileResult
from benchmarks.workloads import (
    ESTIMATORS,
    Datasets,
    estimator_params,
    fit_torch,
    gemm_bound,
    overhead_probe,
    timed_fit,
    torch,
)
from skbp import BackpropClassifier


def _fit_member(lib, params, X, y):
    def run():
        t, est = timed_fit(lib, params, X, y)
        values = {
            "loss": float(est.loss_),
            "first_loss": float(est.loss_curve_[0]),
            "n_iter": int(est.n_iter_),
        }
        return Run(t, values, keep=est)

    return run


def _torch_member(cfg, X, y_idx, n_classes):
    def run():
        try:
            t, loss, acc = fit_torch(cfg, X, y_idx, n_classes)
        except Exception as exc:  # report, don't lose the run
            raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
        return Run(t, {"loss": loss, "acc": acc})

    return run


def _gemm_member(X, coefs, cfg):
    def run():
        gc.collect()
        return Run(gemm_bound(X, coefs, cfg.batch_size, cfg.epochs))

    return run


def _predict_task(est, X):
    def run():
        gc.collect()
        t0 = time.perf_counter()
        est.predict(X)
        return time.perf_counter() - t0

    return run


def run_config(cfg, pairs, budget, datasets, out_dir, *, quick=False, cpu="native"):
    """Time one config: ``pairs`` accepted alternating runs, and more.

    A pair during which other processes used more than CONTENTION_LIMIT of
    the cores is discarded and redone (at most ``pairs`` times; a full run
    first waits for a quiet second before each pair). A quick run keeps
    every pair: it is a smoke test, not a measurement.
    """
    X, y = datasets.load(cfg)
    classes, y_idx = np.unique(y, return_inverse=True)
    layer_units = [X.shape[1], *cfg.hidden, len(classes)]
    coefs0, _, _ = _common.initial_weights(layer_units, X.dtype)
    params = estimator_params(cfg)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Warm-up: imports, BLAS threads, first-call caches.
        for lib in ESTIMATORS:
            timed_fit(lib, estimator_params(cfg, epochs=1), X[:1024], y[:1024])
        gemm_bound(X[:1024], coefs0, cfg.batch_size, 1)
        # Reference workload, timed just before and after every run: this
        # config's own products on its first rows, repeated to take ~50 ms.
        # It tells the phase the machine was in during the run (see run.py's
        # docstring); "normalised" times divide the phase out.
        X_ref = X[: min(X.shape[0], 10_000)]
        t1 = min(gemm_bound(X_ref, coefs0, cfg.batch_size, 1) for _ in range(3))
        ref_target = 0.005 if quick else 0.05  # seconds per reference run
        ref_epochs = max(1, round(ref_target / max(t1, 1e-6)))

        def reference():
            return gemm_bound(X_ref, coefs0, cfg.batch_size, ref_epochs)

        members = {lib: _fit_member(lib, params, X, y) for lib in ESTIMATORS}
        if torch is not None:
            members["torch"] = _torch_member(cfg, X, y_idx, len(classes))
        members["gemm"] = _gemm_member(X, coefs0, cfg)
        paired = run_pairs(
            members,
            pairs,
            reference,
            budget,
            wait=not quick,
            max_redos=0 if quick else pairs,
        )
        last = paired.accepted[-1]
        fitted = {lib: last.kept[lib] for lib in ESTIMATORS}
        accuracy = {lib: float(est.score(X, y)) for lib, est in fitted.items()}
        if "torch" in last.runs:
            accuracy["torch"] = last.runs["torch"]["acc"]
        result = metrics.summarise_fit(
            cfg,
            layer_units,
            [m for m in members if m not in paired.dropped],
            paired.accepted,
            paired.discarded,
            n_rows=X.shape[0],
            reference_epochs=ref_epochs,
            accuracy=accuracy,
            dtypes={lib: est.coefs_[0].dtype.name for lib, est in fitted.items()},
            torch_tried=torch is not None,
            torch_error=paired.dropped.get("torch"),
            loadavg_end=machine.loadavg(),
        )

        if cfg.predict:
            tasks = {lib: _predict_task(fitted[lib], X) for lib in ESTIMATORS}
            ptimes, contention = alternate(tasks, pairs)
            result.predict = metrics.predict_result(X.shape[0], ptimes, contention)

        if cfg.profile:
            print("  profiling ...", flush=True)
            if not quick:
                budget.wait_for_idle()
            result.profile = _profile_config(
                cfg, params, X, y, result, out_dir, quick, cpu
            )
    return result


def _profile_config(cfg, params, X, y, fit_result, out_dir, quick, cpu):
    """Where skbp's fit time goes, set against the paired timings in
    ``fit_result``."""
    # One listing per class: both children write to one directory.
    profile_file = f"profile_{cfg.name}-{cpu}.txt"

    def make():
        return BackpropClassifier(**params)

    with _common.CpuMeter() as meter:
        # Best of 3 (least wall time): the least disturbed by the VM's slow
        # phases. One in a quick run.
        runs = [_profile.breakdown(make, X, y) for _ in range(1 if quick else 3)]
        bd = min(runs, key=lambda b: b["wall_seconds"])
        bd["walls"] = [b["wall_seconds"] for b in runs]
        cp = _profile.cprofile(make, X, y, path=out_dir / profile_file, top=25)
        probe = overhead_probe(cfg, X, y)
    overhead = metrics.dispatch_overhead(probe, cfg.epochs)
    return ProfileResult(
        breakdown=bd,
        cprofile=cp,
        cprofile_file=profile_file,
        dispatch_probe=probe,
        dispatch_overhead_seconds=overhead,
        dispatch_overhead_fraction=overhead / fit_result.median["skbp"],
        # Phase-free cross-check: the share of the (instrumented) fit spent
        # in matmul against the paired GEMM-bound fraction; equal shares mean
        # skbp's products run at the bound's speed.
        matmul_share=bd["groups"]["matmul"]["fraction"],
        gemm_fraction_normalised=fit_result.gemm_fraction_normalised,
        contention=meter.contention,
    )


def measure_class(args, out_dir):
    """Benchmark the CPU class this process runs in; a :class:`ClassResult`
    with its targets, printed as the full report and the class's summary."""
    # A smoke run must not depend on idle cores: multi-threaded OpenBLAS on
    # busy cores is ~100x slower.
    threads = 1 if args.threads is None and args.quick else args.threads
    if threads is not None:
        threadpoolctl.threadpool_limits(limits=threads)
        if torch is not None:
            torch.set_num_threads(threads)
    budget = RetryBudget(0 if args.quick else args.retry_budget)
    start = time.perf_counter()
    meta = machine.collect_meta(
        args.cpu, quick=args.quick, pairs=args.pairs, threads=threads, torch=torch
    )
    machine.print_meta(meta)
    result = ClassResult(meta=meta, configs={}, scaling=None)
    datasets = Datasets()
    for cfg in fit_configs(args.quick):
        if not wanted(cfg.name, args.only):
            continue
        print(f"== {cfg.name} ==", flush=True)
        pairs = cfg.pairs if args.pairs is None else args.pairs
        result.configs[cfg.name] = run_config(
            cfg, pairs, budget, datasets, out_dir, quick=args.quick, cpu=args.cpu
        )
    datasets.clear()  # before scaling allocates its own
    if wanted(SCALING, args.only) and args.cpu != "native" and not args.only:
        # Time per sample over sizes and peak memory follow from the data
        # sizes, not from the SIMD width; a second run would add minutes.
        meta.scaling_skipped = "measured in the native class only"
        print(
            f"== scaling: skipped, {meta.scaling_skipped} (--only scaling "
            "runs it in this class too) ==",
            flush=True,
        )
    elif wanted(SCALING, args.only):
        print("== scaling ==", flush=True)
        result.scaling = run_scaling(
            scaling_spec(args.quick),
            budget,
            timeout=120 if args.quick else 1800,
            threads=threads,
            retry=not args.quick,
        )
    meta.total_seconds = time.perf_counter() - start
    meta.retry_seconds_spent = budget.spent
    meta.loadavg_end = machine.loadavg()
    report.print_report(result)
    result.targets = metrics.evaluate_targets(result)
    report.print_summary(args.cpu, result, result.targets)
    return result
