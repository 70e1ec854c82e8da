"""Memory worker: peak memory of one skbp fit, in a fresh process.

Run by ``run.py`` once per scaling size, so that the memory high-water mark
of one size is not polluted by earlier work. Prints one JSON object on its
last line of stdout. (The scaling *times* are taken in run.py itself, the
sizes interleaved, so that slow phases of the machine hit every size.)

Order of work in the process:

1. imports, then the data (generated in place, so the peak before fit is
   X + y + one chunk);
2. a warm-up fit on the first 1,000 rows (loads lazily imported modules and
   touches OpenBLAS's per-thread buffers once);
3. memory fit (1 epoch): VmHWM is reset to the current RSS just before
   ``fit``; ``peak_extra_rss`` = VmHWM after fit - RSS before fit, i.e. the
   peak of fit minus what was already resident (interpreter, X, y);
4. the same fit under tracemalloc: ``peak_extra_tracemalloc`` = traced
   peak during fit (X was allocated before tracing started).
"""

import argparse
import gc
import json
import tracemalloc
import warnings

import numpy as np
from _common import (
    SEED,
    peak_rss_bytes,
    reset_peak_rss,
    rss_bytes,
    teacher_classification,
)
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skbp import BackpropClassifier


def _estimator(args, epochs):
    return BackpropClassifier(
        hidden_layer_sizes=args.hidden,
        activation="logistic",
        solver=args.solver,
        batch_size=args.batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=np.inf,
        random_state=SEED,
    )


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument(
        "--hidden", type=lambda s: tuple(int(u) for u in s.split(",")), required=True
    )
    parser.add_argument("--solver", default="adam")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads is not None:
        threadpool_limits(limits=args.threads)
    warnings.simplefilter("ignore", ConvergenceWarning)
    dtype = np.dtype(args.dtype)

    rss_after_imports = rss_bytes()
    X, y = teacher_classification(args.n, args.features, args.classes, dtype)
    rss_after_data = rss_bytes()

    _estimator(args, 1).fit(X[:1000], y[:1000])
    gc.collect()

    est = _estimator(args, 1)
    hwm_reset = reset_peak_rss()
    rss_before_fit = rss_bytes()
    est.fit(X, y)
    peak_fit = peak_rss_bytes()
    weights_nbytes = sum(a.nbytes for a in est.coefs_ + est.intercepts_)
    del est
    gc.collect()

    tracemalloc.start()
    traced_before, _ = tracemalloc.get_traced_memory()
    _estimator(args, 1).fit(X, y)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()

    result = {
        "n_samples": args.n,
        "n_features": args.features,
        "dtype": dtype.name,
        "epochs": 1,
        "X_nbytes": X.nbytes,
        "y_nbytes": y.nbytes,
        "weights_nbytes": weights_nbytes,
        "rss_after_imports": rss_after_imports,
        "rss_after_data": rss_after_data,
        "rss_before_fit": rss_before_fit,
        "peak_rss_fit": peak_fit,
        "peak_reset_supported": hwm_reset,
        "peak_extra_rss": (
            peak_fit - rss_before_fit
            if hwm_reset and rss_before_fit is not None
            else None
        ),
        "peak_extra_tracemalloc": traced_peak - traced_before,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
