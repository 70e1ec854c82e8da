"""Shared pieces of the benchmark: data sets, initial weights, memory probes.

Imported as ``benchmarks._common`` by the benchmark's modules, and as
``_common`` by the memory worker ``_memory.py``, which runs as a script with
this directory first on ``sys.path``.
"""

import itertools
import os
import time

import numpy as np
from sklearn.utils import check_random_state

# One seed for everything: data, and the estimators' random_state (so both
# libraries draw the same Glorot weights and the same shuffles).
SEED = 0


def digits(dtype):
    """load_digits scaled to [0, 1]: 1797 x 64, 10 classes."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return np.ascontiguousarray(X / 16.0, dtype=dtype), y


def classification(n_samples, n_features, n_classes, dtype, seed=SEED):
    """make_classification data, cast once to ``dtype`` (C-contiguous)."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(30, n_features // 2),
        n_redundant=min(10, n_features // 4),
        n_classes=n_classes,
        random_state=seed,
    )
    return np.ascontiguousarray(X, dtype=dtype), y


def teacher_classification(n_samples, n_features, n_classes, dtype, seed=SEED):
    """Gaussian X labelled by a random linear teacher, generated in chunks.

    Used by the scaling runs: X is written in place in ``dtype`` so that
    making 1M x 100 float32 rows never holds more than X plus one chunk
    (make_classification would build a float64 copy first).
    """
    rng = np.random.default_rng(seed)
    X = np.empty((n_samples, n_features), dtype=dtype)
    W = rng.standard_normal((n_features, n_classes)).astype(dtype)
    y = np.empty(n_samples, dtype=np.int64)
    chunk = 65536
    for start in range(0, n_samples, chunk):
        block = X[start : start + chunk]
        rng.standard_normal(out=block, dtype=dtype)
        scores = block @ W
        scores += rng.standard_normal(scores.shape).astype(dtype)
        y[start : start + chunk] = scores.argmax(axis=1)
    return X, y


def initial_weights(layer_units, dtype, seed=SEED, activation="logistic"):
    """scikit-learn MLP's Glorot draw for ``random_state=seed``.

    Returns the coefs, the intercepts and the RandomState positioned after
    the draws, i.e. where MLPClassifier starts drawing its epoch shuffles.
    """
    rs = check_random_state(seed)
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in itertools.pairwise(layer_units):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rs.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype))
        intercepts.append(rs.uniform(-bound, bound, fan_out).astype(dtype))
    return coefs, intercepts, rs


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def rss_bytes():
    """Current resident set size (VmRSS), or None off Linux."""
    try:
        kib = _status_kib("VmRSS")
    except OSError:
        return None
    return None if kib is None else kib * 1024


def peak_rss_bytes():
    """Peak resident set size since the last :func:`reset_peak_rss` (VmHWM)."""
    try:
        kib = _status_kib("VmHWM")
    except OSError:
        kib = None
    if kib is None:
        import resource

        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib * 1024


def reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when unsupported."""
    try:
        with open(f"/proc/{os.getpid()}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


# ----------------------------------------------------------------------
# Contention: this machine's cores may be shared with other work (a test
# suite, another benchmark). Multi-threaded OpenBLAS on a busy core is many
# times slower, so every timed block records how much CPU *other* processes
# used meanwhile, and the timing loops redo blocks that were disturbed.
def machine_busy_seconds():
    """CPU seconds spent busy (all cores, steal included) since boot."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    t = os.times()
    return t.user + t.system


class CpuMeter:
    """Context manager: wall time, own CPU time and others' CPU time.

    ``contention`` is the others' CPU time as a fraction of the machine's
    capacity over the block (0 on an idle machine, 1 if other processes kept
    every core busy); None where /proc/stat is unavailable.
    """

    def __enter__(self):
        self._machine = machine_busy_seconds()
        self._own = own_cpu_seconds()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.own = own_cpu_seconds() - self._own
        machine = machine_busy_seconds()
        if machine is None or self._machine is None:
            self.foreign = self.contention = None
        else:
            self.foreign = max(machine - self._machine - self.own, 0.0)
            self.contention = self.foreign / (self.wall * (os.cpu_count() or 1))
        return False

    def disturbed(self, limit=0.10, min_seconds=0.05):
        """Whether others used more than ``limit`` of the machine (and not
        just a clock tick's worth)."""
        return (
            self.contention is not None
            and self.contention > limit
            and self.foreign > min_seconds
        )


def wait_for_idle(max_wait=30.0, window=0.5, limit=0.10):
    """Wait (at most ``max_wait`` s) for a ``window`` with others' load below
    ``limit`` of the machine; returns the seconds waited."""
    start = time.perf_counter()
    while True:
        with CpuMeter() as meter:
            time.sleep(window)
        waited = time.perf_counter() - start
        if meter.contention is None or meter.contention <= limit:
            return waited
        if waited >= max_wait:
            return waited
