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
"""

import argparse
import gc
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
import warnings
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import _common
import _profile
import numpy as np
import scipy
import sklearn
import threadpoolctl
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import skbp
from skbp import BackpropClassifier

try:  # optional third party; never installed by this project
    import torch
except ImportError:
    torch = None

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_OUTPUT = HERE / "results" / "latest.json"
DOCS_TABLE = REPO / "docs" / "benchmark_table.rst"

LOSS_RTOL = 0.01  # final training losses must agree within 1 %
ACC_ATOL = 0.01  # and training accuracies within 1 percentage point
CONTENTION_LIMIT = 0.10  # others' share of the cores that disturbs a pair
SCALING_FLAT = 1.25  # per-sample time: max / min over sizes
MEMORY_BASE = 64 * 2**20  # fit may use X + 64 MiB + MEMORY_WEIGHTS x weights
MEMORY_WEIGHTS = 10
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# Targets, per CPU class (see the module docstring).
TARGET_RATIO = 1.3  # fit, sklearn / skbp, on every config
TARGET_RATIO_MEDIAN = 1.5  # fit, median over the configs
TARGET_RATIO_FLOOR = 1.0  # fit, every single pair
TARGET_GEMM_FRACTION = 0.65  # gemm / skbp, medium configs
TARGET_PREDICT = 1.5  # predict rows/s, skbp / sklearn

# The CPU classes one machine can measure, as the environment each child
# process starts with. numpy and OpenBLAS read these variables once, when
# they load: hence one process per class.
CPU_CLASSES = ("native", "avx2")
CPU_VARS = ("NPY_DISABLE_CPU_FEATURES", *OPENBLAS_VARS)
CLASS_ENV = {
    "native": {},
    # numpy 2.x names its AVX-512 dispatch targets X86_V4, AVX512_ICL and
    # AVX512_SPR; without them it falls back to the X86_V3 (AVX2) loops.
    # Haswell is OpenBLAS's AVX2 GEMM kernel.
    "avx2": {
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Haswell",
    },
}
# numpy's dispatched features that tell the class apart.
DISPATCH_FEATURES = ("X86_V4", "X86_V3", "AVX512_SKX", "AVX2")


class RetryBudget:
    """Seconds the whole run may spend waiting for quiet and redoing
    disturbed work, so that a busy machine cannot stretch ``make bench``
    indefinitely; once spent, disturbed pairs are kept and flagged."""

    def __init__(self, seconds=0.0):
        self.reset(seconds)

    def reset(self, seconds):
        self.left = float(seconds)
        self.spent = 0.0

    def wait_for_idle(self, window=0.5):
        """Wait for a quiet ``window``; only waiting beyond it is charged."""
        if self.left <= 0:
            return
        waited = _common.wait_for_idle(max_wait=min(30.0, self.left), window=window)
        self.charge(max(waited - window, 0.0))

    def charge(self, seconds):
        self.left -= seconds
        self.spent += seconds

    def can_redo(self):
        return self.left > 0


BUDGET = RetryBudget()


@dataclass(frozen=True)
class Config:
    name: str
    data: str  # "digits" or "classification"
    n_samples: int
    n_features: int
    n_classes: int
    hidden: tuple
    solver: str
    batch_size: int
    epochs: int
    dtype: str
    learning_rate_init: float
    predict: bool = False  # also time predict throughput
    profile: bool = False  # also profile where skbp's time goes
    pairs: int = 5  # alternating pairs, unless --pairs says otherwise


def _configs(quick):
    # Many short pairs rather than a few long ones: this VM has slow phases
    # (the same GEMM up to 1.6x slower for seconds to tens of seconds), and
    # a short pair is more likely to fall within one phase.
    if quick:
        med = {"n_samples": 2000, "n_features": 20, "hidden": (32, 32)}
        med.update(batch_size=64, epochs=2, pairs=2)
        big = {"n_samples": 5000, "n_features": 20, "hidden": (32, 32)}
        big.update(batch_size=128, epochs=1, pairs=2)
        small = {"epochs": 10, "pairs": 2}
    else:
        med = {"n_samples": 50_000, "n_features": 100, "hidden": (256, 256)}
        med.update(batch_size=256, epochs=2, pairs=11)
        big = {"n_samples": 200_000, "n_features": 100, "hidden": (256, 256)}
        big.update(batch_size=256, epochs=1, pairs=7)
        small = {"epochs": 100, "pairs": 7}
    lr = {"adam": 1e-3, "sgd": 1e-2}
    configs = [
        Config(
            f"small-{solver}",
            "digits",
            n_samples=1797,
            n_features=64,
            n_classes=10,
            hidden=(100,),
            solver=solver,
            batch_size=200,
            dtype="float64",
            learning_rate_init=lr[solver],
            **small,
        )
        for solver in ("adam", "sgd")
    ]
    for dtype in ("float32", "float64"):
        for solver in ("sgd", "adam"):
            configs.append(
                Config(
                    f"medium-f{dtype[-2:]}-{solver}",
                    "classification",
                    n_classes=10,
                    solver=solver,
                    dtype=dtype,
                    learning_rate_init=lr[solver],
                    predict=True,
                    profile=True,
                    **med,
                )
            )
    configs.append(
        Config(
            "large-adam",
            "classification",
            n_classes=10,
            solver="adam",
            dtype="float32",
            learning_rate_init=lr["adam"],
            **big,
        )
    )
    return configs


def _scaling_spec(quick):
    if quick:
        return {
            "sizes": [2000, 8000],
            "features": 20,
            "hidden": (32, 32),
            "batch_size": 64,
            "epochs": 1,
            "repeats": 1,
        }
    return {
        "sizes": [10_000, 30_000, 100_000, 300_000, 1_000_000],
        "features": 100,
        "hidden": (256, 256),
        "batch_size": 256,
        "epochs": 2,
        "repeats": 3,
    }


# ----------------------------------------------------------------------
# Machine information
def _git(*args):
    try:
        out = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def class_env(cpu, environ=None):
    """The environment a child measuring CPU class ``cpu`` starts with.

    Every variable that selects kernels is removed first, whatever the
    class: a native run must not inherit a forced OpenBLAS core type, and
    the AVX2 emulation must not inherit a foreign L2 size.
    """
    env = dict(os.environ if environ is None else environ)
    for k in CPU_VARS:
        env.pop(k, None)
    env.update(CLASS_ENV[cpu])
    return env


def in_class_env(cpu):
    """Whether this process already runs with ``cpu``'s kernel variables."""
    want = CLASS_ENV[cpu]
    return all(os.environ.get(k) == want.get(k) for k in CPU_VARS)


def _env_text(cpu):
    set_ = " ".join(f"{k}={v!r}" for k, v in CLASS_ENV[cpu].items())
    return f"{set_ + ', ' if set_ else ''}unset: " + " ".join(
        k for k in CPU_VARS if k not in CLASS_ENV[cpu]
    )


def numpy_dispatch():
    """What numpy's SIMD dispatch selected in this process.

    ``__cpu_features__`` reads False for what the CPU lacks *and* for what
    ``NPY_DISABLE_CPU_FEATURES`` disabled, so it tells which loops run;
    ``__cpu_dispatch__`` lists the targets this numpy was built with.
    """
    try:  # numpy >= 2.0
        from numpy._core import _multiarray_umath as mu
    except ImportError:  # numpy 1.x
        from numpy.core import _multiarray_umath as mu
    features = mu.__cpu_features__
    enabled = {k: bool(features.get(k)) for k in DISPATCH_FEATURES}
    if enabled["X86_V4"] or enabled["AVX512_SKX"]:
        level = "x86-64-v4"
    elif enabled["X86_V3"] or enabled["AVX2"]:
        level = "x86-64-v3"
    else:
        level = f"below x86-64-v3 ({platform.machine()})"
    dispatch = getattr(mu, "__cpu_dispatch__", None)
    baseline = getattr(mu, "__cpu_baseline__", None)
    return {
        "level": level,
        "enabled": enabled,
        "cpu_dispatch": None if dispatch is None else list(dispatch),
        "cpu_baseline": None if baseline is None else list(baseline),
    }


def class_check(cpu, dispatch, blas_arch):
    """Problems that make this process not measure CPU class ``cpu``."""
    problems = []
    if cpu == "avx2":
        if dispatch["enabled"]["X86_V4"]:
            problems.append("numpy still dispatches to its X86_V4 (AVX-512) loops")
        if str(blas_arch).lower() != "haswell":
            problems.append(
                f"numpy's OpenBLAS runs the {blas_arch} kernel, not Haswell"
            )
    forced = {k: os.environ[k] for k in CPU_VARS if k in os.environ}
    if forced != CLASS_ENV[cpu]:
        problems.append(f"kernel variables {forced}, expected {CLASS_ENV[cpu]}")
    return {"ok": not problems, "problems": problems}


def collect_meta(args):
    info = threadpoolctl.threadpool_info()
    blas = [i for i in info if i.get("user_api") == "blas"]
    numpy_blas = next((i for i in blas if "numpy" in i.get("filepath", "")), None)
    numpy_blas = numpy_blas or (blas[0] if blas else {})
    status = _git("status", "--porcelain")
    dispatch = numpy_dispatch()
    return {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "argv": sys.argv,
        "cpu_option": args.cpu,
        "class_env": CLASS_ENV[args.cpu],
        "class_check": class_check(args.cpu, dispatch, numpy_blas.get("architecture")),
        "numpy_dispatch": dispatch,
        "kernel_choices": skbp.kernel_choices(),
        "scaling_skipped": None,
        "quick": args.quick,
        "pairs": args.pairs,
        "threads_limit": args.threads,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "skbp_dirty": None
        if status is None
        else bool(_git("status", "--porcelain", "--", "skbp")),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "n_cpus": os.cpu_count(),
        "versions": {
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "skbp": skbp.__version__,
            "threadpoolctl": threadpoolctl.__version__,
            "torch": None if torch is None else torch.__version__,
        },
        "skbp_path": str(Path(skbp.__file__).parent),
        "env": {
            k: os.environ.get(k)
            for k in (
                *CPU_VARS,
                "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS",
                "MKL_NUM_THREADS",
            )
        },
        "numpy_blas": {
            k: numpy_blas.get(k)
            for k in (
                "internal_api",
                "version",
                "architecture",
                "num_threads",
                "threading_layer",
            )
        },
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "threadpool_info": info,
        "loadavg_start": _loadavg(),
        "others_cpu_share_start": _others_share(0.2 if args.quick else 1.0),
    }


def _others_share(seconds=1.0):
    """Share of the cores that other processes use, over ``seconds``."""
    with _common.CpuMeter() as meter:
        time.sleep(seconds)
    return meter.contention


def _loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def _kernel_text(choices):
    """``logistic tanh/tanh, tanh tanh/tanh`` (float32/float64)."""
    return ", ".join(
        f"{name} {forms.get('float32')}/{forms.get('float64')}"
        for name, forms in choices.items()
        if isinstance(forms, dict)
    )


def print_kernels(meta):
    """Which kernels this process runs: the CPU class it measures."""
    cpu, d, k = meta["cpu_option"], meta["numpy_dispatch"], meta["kernel_choices"]
    env = {key: meta["env"].get(key) for key in CPU_VARS}
    print(
        f"CPU class: {cpu}; "
        + ", ".join(f"{key}={v!r}" if v else f"{key} unset" for key, v in env.items())
    )
    print(
        f"numpy dispatch: {d['level']} ("
        + ", ".join(f"{f} {'on' if on else 'off'}" for f, on in d["enabled"].items())
        + f"); built for {' '.join(d['cpu_dispatch'] or ['?'])}"
    )
    print(
        f"skbp.kernel_choices(): class {k.get('cpu_class')}, "
        f"{_kernel_text(k)} (float32/float64), "
        f"override {k.get('override') or 'none'}"
    )
    check = meta["class_check"]
    if check["ok"]:
        if cpu == "avx2":
            print(
                "AVX2 emulation in effect: X86_V4 off, OpenBLAS kernel "
                f"{meta['numpy_blas']['architecture']}"
            )
    else:
        what = "AVX2 emulation did not take effect" if cpu == "avx2" else "not native"
        print(
            f"WARNING: {what}: {'; '.join(check['problems'])}. The {cpu} numbers "
            "below do not measure that CPU class."
        )


def print_meta(meta):
    v = meta["versions"]
    print("== machine ==")
    print(f"cpu: {meta['cpu']} ({meta['n_cpus']} cpus), {meta['platform']}")
    print(
        f"python {meta['python']}, numpy {v['numpy']}, scipy {v['scipy']}, "
        f"scikit-learn {v['scikit-learn']}, skbp {v['skbp']} "
        f"({meta['skbp_path']}), torch {v['torch'] or 'not installed (skipped)'}"
    )
    print(
        f"git {meta['git_commit']} dirty={meta['git_dirty']} "
        f"(skbp/ dirty={meta['skbp_dirty']})"
    )
    b = meta["numpy_blas"]
    print(
        f"numpy BLAS: {b['internal_api']} {b['version']}, kernel "
        f"{b['architecture']}, {b['num_threads']} threads ({b['threading_layer']})"
    )
    print("threadpoolctl.threadpool_info():")
    for i in meta["threadpool_info"]:
        print(
            f"  {i.get('user_api')}/{i.get('internal_api')} {i.get('version')} "
            f"arch={i.get('architecture')} threads={i.get('num_threads')} "
            f"{i.get('filepath')}"
        )
    print_kernels(meta)
    others = meta["others_cpu_share_start"]
    if others is not None and others > CONTENTION_LIMIT:
        print(
            f"WARNING: other processes use {100 * others:.0f}% of the cores: "
            "pairs they disturb are redone, but timings may be noisy"
        )
    print(flush=True)


# ----------------------------------------------------------------------
# One configuration
_DATA_CACHE = {}


def load_data(cfg):
    """X in cfg.dtype (C-contiguous) and integer labels; float64 cached."""
    if cfg.data == "digits":
        return _common.digits(cfg.dtype)
    key = (cfg.n_samples, cfg.n_features, cfg.n_classes)
    if key not in _DATA_CACHE:
        _DATA_CACHE.clear()  # keep one data set at a time (large is 160 MB)
        _DATA_CACHE[key] = _common.classification(*key, np.float64)
    X, y = _DATA_CACHE[key]
    return np.ascontiguousarray(X, dtype=cfg.dtype), y


def estimator_params(cfg, epochs=None):
    return {
        "hidden_layer_sizes": cfg.hidden,
        "activation": "logistic",
        "solver": cfg.solver,
        "batch_size": cfg.batch_size,
        "learning_rate_init": cfg.learning_rate_init,
        "max_iter": cfg.epochs if epochs is None else epochs,
        "tol": 0.0,
        "n_iter_no_change": np.inf,
        "random_state": _common.SEED,
    }


ESTIMATORS = {"skbp": BackpropClassifier, "sklearn": MLPClassifier}


def gemm_flops(layer_units, n_samples, epochs):
    """Flops of the forward, backward and gradient products of training."""
    pairs = [a * b for a, b in itertools.pairwise(layer_units)]
    # forward and gradient products for every layer; delta @ W.T for all but
    # the first layer (the input needs no delta).
    return 2.0 * n_samples * epochs * (3 * sum(pairs) - pairs[0])


def gemm_bound(X, coefs, batch_size, epochs):
    """Seconds for the training's matrix products alone (same batches)."""
    n = X.shape[0]
    rng = np.random.default_rng(0)
    outs = [
        rng.standard_normal((batch_size, W.shape[1])).astype(X.dtype) for W in coefs
    ]
    deltas = [o.copy() for o in outs]
    grads = [np.empty_like(W) for W in coefs]
    last = len(coefs) - 1
    matmul = np.matmul
    t0 = time.perf_counter()
    for _ in range(epochs):
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            m = stop - start
            a = X[start:stop]
            for i in range(last + 1):
                matmul(a, coefs[i], out=outs[i][:m])
                a = outs[i][:m]
            for i in range(last, -1, -1):
                a = X[start:stop] if i == 0 else outs[i - 1][:m]
                matmul(a.T, deltas[i][:m], out=grads[i])
                if i > 0:
                    matmul(deltas[i][:m], coefs[i].T, out=deltas[i - 1][:m])
    return time.perf_counter() - t0


def fit_torch(cfg, X, y_idx, n_classes):
    """Train the same network with PyTorch on the CPU; (seconds, loss, acc).

    Same initial weights (copied from scikit-learn's draw), same shuffles
    (the RandomState continues after the draw, as in MLPClassifier), a
    softmax output with cross-entropy and the same L2 term (alpha=1e-4).
    """
    layer_units = [X.shape[1], *cfg.hidden, n_classes]
    coefs, intercepts, rs = _common.initial_weights(layer_units, X.dtype)
    from sklearn.utils import shuffle

    tdtype = torch.float32 if X.dtype == np.float32 else torch.float64
    alpha, n, bs = 1e-4, X.shape[0], cfg.batch_size
    gc.collect()
    t0 = time.perf_counter()
    layers, weights = [], []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        weights.append(lin.weight)
        if i < len(coefs) - 1:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    if cfg.solver == "adam":
        opt = torch.optim.Adam(
            model.parameters(), lr=cfg.learning_rate_init, betas=(0.9, 0.999), eps=1e-8
        )
    else:
        opt = torch.optim.SGD(
            model.parameters(), lr=cfg.learning_rate_init, momentum=0.9, nesterov=True
        )
    cross_entropy = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y_idx)
    sample_idx = np.arange(n)
    epoch_loss = float("nan")
    for _ in range(cfg.epochs):
        sample_idx = shuffle(sample_idx, random_state=rs)
        idx = torch.from_numpy(sample_idx)
        total = 0.0
        for start in range(0, n, bs):
            b = idx[start : start + bs]
            loss = cross_entropy(model(Xt.index_select(0, b)), yt.index_select(0, b))
            loss = loss + 0.5 * alpha * sum((w * w).sum() for w in weights) / len(b)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        epoch_loss = total / n
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = float((model(Xt).argmax(dim=1) == yt).double().mean())
    return seconds, epoch_loss, acc


def _median(xs):
    return statistics.median(xs) if xs else None


def _rel(a, b):
    return abs(a - b) / abs(b) if b else abs(a - b)


def _timed_fit(lib, params, X, y):
    est = ESTIMATORS[lib](**params)
    gc.collect()
    t0 = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - t0, est


def overhead_probe(cfg, X, y, repeats=3):
    """Per-batch cost of the training loop when the arithmetic is ~free.

    Same rows, batch size, classes, solver and dtype as ``cfg``, but 4
    features and (4, 4) hidden units: what is left is Python and numpy call
    dispatch, paid per batch whatever the layer sizes. One epoch's cost is
    the difference of a 2-epoch and a 1-epoch fit (best of ``repeats``),
    which removes the per-fit set-up (validation, label binarizer, ...).
    """
    X4 = np.ascontiguousarray(X[:, :4])
    n_batches = -(-X.shape[0] // cfg.batch_size)
    out = {"n_batches_per_epoch": n_batches}
    for lib in ESTIMATORS:
        best = {}
        for epochs in (1, 2):
            params = estimator_params(cfg, epochs=epochs)
            params["hidden_layer_sizes"] = (4,) * len(cfg.hidden)
            best[epochs] = min(
                _timed_fit(lib, params, X4, y)[0] for _ in range(repeats)
            )
        epoch = max(best[2] - best[1], 0.0)
        out[lib] = {
            "seconds_per_epoch": epoch,
            "setup_seconds": max(best[1] - epoch, 0.0),
            "per_batch_us": 1e6 * epoch / n_batches,
        }
    return out


def run_config(cfg, pairs, torch_ok, out_dir, quick=False, cpu="native"):
    """Time one config: ``pairs`` accepted alternating runs, and more.

    A pair during which other processes used more than CONTENTION_LIMIT of
    the cores is discarded and redone (at most ``pairs`` times; a full run
    first waits for a quiet second before each pair). A quick run keeps
    every pair: it is a smoke test, not a measurement.
    """
    max_retries = 0 if quick else pairs
    X, y = load_data(cfg)
    classes, y_idx = np.unique(y, return_inverse=True)
    layer_units = [X.shape[1], *cfg.hidden, len(classes)]
    coefs0, _, _ = _common.initial_weights(layer_units, X.dtype)
    params = estimator_params(cfg)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Warm-up: imports, BLAS threads, first-call caches.
        for lib in ESTIMATORS:
            _timed_fit(lib, estimator_params(cfg, epochs=1), X[:1024], y[:1024])
        gemm_bound(X[:1024], coefs0, cfg.batch_size, 1)
        # Reference workload, timed just before and after every run: this
        # config's own products on its first rows, repeated to take ~50 ms.
        # It tells the phase the machine was in during the run (see the
        # module docstring); "normalised" times divide the phase out.
        X_ref = X[: min(X.shape[0], 10_000)]
        t1 = min(gemm_bound(X_ref, coefs0, cfg.batch_size, 1) for _ in range(3))
        ref_target = 0.005 if quick else 0.05  # seconds per reference run
        ref_epochs = max(1, round(ref_target / max(t1, 1e-6)))

        def reference():
            return gemm_bound(X_ref, coefs0, cfg.batch_size, ref_epochs)

        order = ["skbp", "sklearn", *(["torch"] if torch_ok else []), "gemm"]
        accepted, discarded = [], []
        fitted, torch_acc, torch_error = {}, None, None
        while len(accepted) < pairs:
            p = len(accepted)
            if not quick:
                BUDGET.wait_for_idle()
            rec = {}
            with _common.CpuMeter() as meter:
                for lib in order if p % 2 == 0 else order[::-1]:
                    ref_before = reference()
                    if lib == "gemm":
                        gc.collect()
                        t = gemm_bound(X, coefs0, cfg.batch_size, cfg.epochs)
                        rec["gemm"] = {"time": t}
                    elif lib == "torch":
                        try:
                            t, loss, acc = fit_torch(cfg, X, y_idx, len(classes))
                        except Exception as exc:  # report, don't lose the run
                            torch_error = f"{type(exc).__name__}: {exc}"
                            order.remove("torch")
                            continue
                        rec["torch"] = {"time": t, "loss": loss, "acc": acc}
                    else:
                        t, est = _timed_fit(lib, params, X, y)
                        rec[lib] = {
                            "time": t,
                            "loss": float(est.loss_),
                            "first_loss": float(est.loss_curve_[0]),
                            "n_iter": int(est.n_iter_),
                            "est": est,
                        }
                    if lib in rec:
                        rec[lib]["reference"] = 0.5 * (ref_before + reference())
            rec["contention"] = meter.contention
            line = ", ".join(
                f"{k} {v['time']:.3f}s" for k, v in rec.items() if isinstance(v, dict)
            )
            disturbed = meter.disturbed(CONTENTION_LIMIT)
            if disturbed and len(discarded) < max_retries and BUDGET.can_redo():
                BUDGET.charge(meter.wall)
                print(
                    f"  pair {p + 1}/{pairs} DISCARDED (other processes used "
                    f"{100 * meter.contention:.0f}% of the cores): {line}",
                    flush=True,
                )
                discarded.append(rec)
                continue
            rec["disturbed"] = disturbed
            accepted.append(rec)
            for lib in ("skbp", "sklearn"):
                fitted[lib] = rec[lib].pop("est")
            if "torch" in rec:
                torch_acc = rec["torch"]["acc"]
            print(
                f"  pair {p + 1}/{pairs}: {line}"
                + (f" (others: {100 * meter.contention:.0f}%)" if disturbed else ""),
                flush=True,
            )
        for rec in discarded:
            for lib in ("skbp", "sklearn"):
                rec.get(lib, {}).pop("est", None)
        if "torch" not in order:
            for rec in accepted:
                rec.pop("torch", None)

        times = {k: [rec[k]["time"] for rec in accepted] for k in order}
        refs = [rec[k]["reference"] for rec in accepted for k in order]
        ref_median = _median(refs)
        normalised = {
            k: [rec[k]["time"] / rec[k]["reference"] * ref_median for rec in accepted]
            for k in order
        }
        final_loss = {
            k: [rec[k]["loss"] for rec in accepted]
            for k in ("skbp", "sklearn", "torch")
            if k in order
        }
        first_loss = {
            k: [rec[k]["first_loss"] for rec in accepted] for k in ("skbp", "sklearn")
        }
        n_iter = {}
        for k in ("skbp", "sklearn"):
            seen = [rec[k]["n_iter"] for rec in accepted]
            n_iter[k] = seen[0] if len(set(seen)) == 1 else seen

        accuracy = {lib: float(est.score(X, y)) for lib, est in fitted.items()}
        if torch_acc is not None:
            accuracy["torch"] = torch_acc
        dtypes = {lib: est.coefs_[0].dtype.name for lib, est in fitted.items()}

        ratios = [s / b for s, b in zip(times["sklearn"], times["skbp"])]
        medians = {k: _median(v) for k, v in times.items()}
        loss_rel = [
            _rel(a, b) for a, b in zip(final_loss["skbp"], final_loss["sklearn"])
        ]
        first_rel = [
            _rel(a, b) for a, b in zip(first_loss["skbp"], first_loss["sklearn"])
        ]
        flops = gemm_flops(layer_units, X.shape[0], cfg.epochs)
        result = {
            "config": asdict(cfg),
            "loadavg_end": _loadavg(),
            "n_pairs": pairs,
            "layer_units": layer_units,
            "times": times,
            "median": medians,
            "ratios": ratios,
            "ratio_median": _median(ratios),
            "ratio_of_medians": medians["sklearn"] / medians["skbp"],
            "ratio_of_mins": min(times["sklearn"]) / min(times["skbp"]),
            "min": {k: min(v) for k, v in times.items()},
            # gemm / skbp within each pair (both in the same phase of the
            # machine), then the median over pairs.
            "gemm_fractions": [g / b for g, b in zip(times["gemm"], times["skbp"])],
            "gemm_fraction": _median(
                [g / b for g, b in zip(times["gemm"], times["skbp"])]
            ),
            "gemm_fraction_of_medians": medians["gemm"] / medians["skbp"],
            # The same, each run's time divided by the reference workload
            # timed around it (times the median reference): phase-free.
            "reference": {"epochs": ref_epochs, "median": ref_median},
            "median_normalised": {k: _median(v) for k, v in normalised.items()},
            "ratios_normalised": [
                s_ / b for s_, b in zip(normalised["sklearn"], normalised["skbp"])
            ],
            "ratio_normalised_median": _median(
                [s_ / b for s_, b in zip(normalised["sklearn"], normalised["skbp"])]
            ),
            "gemm_fraction_normalised": _median(
                [g / b for g, b in zip(normalised["gemm"], normalised["skbp"])]
            ),
            "gemm_fraction_sklearn": medians["gemm"] / medians["sklearn"],
            "gemm_gflops": flops / medians["gemm"] / 1e9,
            "effective_gflops": {
                k: flops / medians[k] / 1e9
                for k in ("skbp", "sklearn", "torch")
                if medians.get(k)
            },
            "n_iter": n_iter,
            "contention": [rec["contention"] for rec in accepted],
            "disturbed_pairs": sum(rec["disturbed"] for rec in accepted),
            "discarded_pairs": [
                {k: v for k, v in rec.items() if k != "est"} for rec in discarded
            ],
            "dtype_of_coefs": dtypes,
            "final_loss": {k: _median(v) for k, v in final_loss.items() if v},
            "final_loss_rel_diff_max": max(loss_rel),
            "first_epoch_loss_rel_diff_max": max(first_rel),
            "train_accuracy": accuracy,
            "accuracy_abs_diff": abs(accuracy["skbp"] - accuracy["sklearn"]),
        }
        if torch_ok:
            result["torch_error"] = torch_error
            if final_loss.get("torch"):
                result["torch_final_loss_rel_diff"] = _rel(
                    _median(final_loss["torch"]), _median(final_loss["sklearn"])
                )
        result["agree"] = bool(
            n_iter["skbp"] == n_iter["sklearn"] == cfg.epochs
            and result["final_loss_rel_diff_max"] <= LOSS_RTOL
            and result["accuracy_abs_diff"] <= ACC_ATOL
            and dtypes["skbp"] == dtypes["sklearn"] == cfg.dtype
        )

        if cfg.predict:
            ptimes = {"skbp": [], "sklearn": []}
            with _common.CpuMeter() as meter:
                for p in range(pairs):
                    order2 = ("skbp", "sklearn") if p % 2 == 0 else ("sklearn", "skbp")
                    for lib in order2:
                        gc.collect()
                        t0 = time.perf_counter()
                        fitted[lib].predict(X)
                        ptimes[lib].append(time.perf_counter() - t0)
            rows = {k: X.shape[0] / _median(v) for k, v in ptimes.items()}
            result["predict"] = {
                "n_rows": X.shape[0],
                "times": ptimes,
                "rows_per_second": rows,
                "ratio": rows["skbp"] / rows["sklearn"],
                "contention": meter.contention,
            }

        if cfg.profile:
            print("  profiling ...", flush=True)
            # One listing per class: both children write to one directory.
            profile_file = f"profile_{cfg.name}-{cpu}.txt"

            def make():
                return BackpropClassifier(**params)

            if not quick:
                BUDGET.wait_for_idle()
            with _common.CpuMeter() as meter:
                # Best of 3 (least wall time): the least disturbed by the
                # VM's slow phases. One in a quick run.
                runs = [
                    _profile.breakdown(make, X, y) for _ in range(1 if quick else 3)
                ]
                bd = min(runs, key=lambda b: b["wall_seconds"])
                bd["walls"] = [b["wall_seconds"] for b in runs]
                cp = _profile.cprofile(make, X, y, path=out_dir / profile_file, top=25)
                probe = overhead_probe(cfg, X, y)
            n_batches = probe["n_batches_per_epoch"] * cfg.epochs
            est_overhead = (
                probe["skbp"]["per_batch_us"] * 1e-6 * n_batches
                + probe["skbp"]["setup_seconds"]
            )
            result["profile"] = {
                "breakdown": bd,
                "cprofile": cp,
                "cprofile_file": profile_file,
                "dispatch_probe": probe,
                "dispatch_overhead_seconds": est_overhead,
                "dispatch_overhead_fraction": est_overhead / medians["skbp"],
                # Phase-free cross-check: the share of the (instrumented) fit
                # spent in matmul against the paired GEMM-bound fraction;
                # equal shares mean skbp's products run at the bound's speed.
                "matmul_share": bd["groups"]["matmul"]["fraction"],
                "gemm_fraction_normalised": result["gemm_fraction_normalised"],
                "contention": meter.contention,
            }
    return result


# ----------------------------------------------------------------------
# Scaling (one subprocess per size)
def _memory_worker(n, spec, timeout, threads):
    cmd = [
        sys.executable,
        str(HERE / "_memory.py"),
        f"--n={n}",
        f"--features={spec['features']}",
        f"--hidden={','.join(map(str, spec['hidden']))}",
        f"--batch-size={spec['batch_size']}",
        "--solver=adam",
        "--dtype=float32",
        *([f"--threads={threads}"] if threads else []),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"memory worker failed for n={n}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_scaling(spec, timeout, threads=None, retry=True):
    """Time per sample and peak memory of skbp's fit over data sizes.

    Memory: one fresh process per size (``_memory.py``). Time: here, on
    prefixes ``X[:n]`` of one data set (C-contiguous views, as a fresh array
    of n rows would be), the sizes interleaved round-robin (and reversed
    every other round) so that the machine's slow phases -- on this VM the
    same GEMM runs up to 1.6x slower for tens of seconds -- hit every size
    alike. Disturbed fits are redone as in :func:`run_config`. Each fit is
    bracketed by a fixed reference workload; ``us_per_sample_epoch_normalised``
    divides the machine's phase out and is what ``flat_ok`` judges.
    """
    sizes = spec["sizes"]
    rows = {}
    for n in sizes:
        row = _memory_worker(n, spec, timeout, threads)
        limit = MEMORY_BASE + MEMORY_WEIGHTS * row["weights_nbytes"]
        row["memory_limit_extra"] = limit
        peak = row["peak_extra_rss"]
        row["memory_ok"] = None if peak is None else bool(peak <= limit)
        rows[n] = row
        print(
            f"  memory n={n}: peak extra rss {_mib(peak)} MiB, tracemalloc "
            f"{_mib(row['peak_extra_tracemalloc'])} MiB (X {_mib(row['X_nbytes'])} "
            "MiB)",
            flush=True,
        )

    X, y = _common.teacher_classification(max(sizes), spec["features"], 10, np.float32)
    params = {
        "hidden_layer_sizes": spec["hidden"],
        "activation": "logistic",
        "solver": "adam",
        "batch_size": spec["batch_size"],
        "max_iter": spec["epochs"],
        "tol": 0.0,
        "n_iter_no_change": np.inf,
        "random_state": _common.SEED,
    }
    # A fixed reference workload (the GEMM bound of 1 epoch on 10k rows)
    # timed just before and after every fit tells the machine's phase; the
    # "normalised" per-sample time divides it out.
    X_ref = X[: min(10_000, max(sizes))]
    ref_coefs, _, _ = _common.initial_weights(
        [spec["features"], *spec["hidden"], 10], np.float32
    )
    times = {n: [] for n in sizes}
    refs = {n: [] for n in sizes}
    contention = {n: [] for n in sizes}
    redone = {n: 0 for n in sizes}
    disturbed = {n: 0 for n in sizes}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        BackpropClassifier(**{**params, "max_iter": 1}).fit(X[:1000], y[:1000])
        for r in range(spec["repeats"]):
            for n in sizes if r % 2 == 0 else sizes[::-1]:
                while True:
                    if retry:
                        BUDGET.wait_for_idle()
                    est = BackpropClassifier(**params)
                    gc.collect()
                    ref_before = gemm_bound(X_ref, ref_coefs, spec["batch_size"], 1)
                    with _common.CpuMeter() as meter:
                        est.fit(X[:n], y[:n])
                    ref_after = gemm_bound(X_ref, ref_coefs, spec["batch_size"], 1)
                    assert est.n_iter_ == spec["epochs"]
                    if (
                        retry
                        and meter.disturbed(CONTENTION_LIMIT)
                        and redone[n] < 3
                        and BUDGET.can_redo()
                    ):
                        BUDGET.charge(meter.wall)
                        redone[n] += 1
                        continue
                    break
                times[n].append(meter.wall)
                refs[n].append(0.5 * (ref_before + ref_after))
                contention[n].append(meter.contention)
            print(
                f"  round {r + 1}/{spec['repeats']}: "
                + ", ".join(f"{n}: {times[n][-1]:.3f}s" for n in sizes),
                flush=True,
            )
    del X, y, X_ref
    ref_median = _median([r for n in sizes for r in refs[n]])
    for n in sizes:
        row = rows[n]
        row["epochs"] = spec["epochs"]
        row["times"] = times[n]
        row["contention"] = contention[n]
        row["fits_redone"] = redone[n]
        row["fits_kept_disturbed"] = disturbed[n]
        row["median"] = _median(times[n])
        row["min"] = min(times[n])
        row["us_per_sample_epoch"] = 1e6 * row["median"] / (n * spec["epochs"])
        row["us_per_sample_epoch_min"] = 1e6 * row["min"] / (n * spec["epochs"])
        row["reference_times"] = refs[n]
        normalised = [t / r * ref_median for t, r in zip(times[n], refs[n])]
        row["us_per_sample_epoch_normalised"] = (
            1e6 * _median(normalised) / (n * spec["epochs"])
        )

    def spread(key):
        per = [rows[n][key] for n in sizes]
        return max(per) / min(per)

    return {
        "spec": {**spec, "solver": "adam", "dtype": "float32"},
        "rows": [rows[n] for n in sizes],
        "reference_median": ref_median,
        "per_sample_spread": spread("us_per_sample_epoch"),
        "per_sample_spread_min": spread("us_per_sample_epoch_min"),
        "per_sample_spread_normalised": spread("us_per_sample_epoch_normalised"),
        "flat_target": SCALING_FLAT,
        # judged on the phase-normalised times (see reference_times)
        "flat_ok": bool(spread("us_per_sample_epoch_normalised") <= SCALING_FLAT),
        "memory_rule": f"peak_extra_rss <= {MEMORY_BASE // 2**20} MiB + "
        f"{MEMORY_WEIGHTS} x weights",
        "memory_ok": all(
            r["memory_ok"] for r in rows.values() if r["memory_ok"] is not None
        ),
    }


# ----------------------------------------------------------------------
# Report
def _mib(nbytes):
    return "n/a" if nbytes is None else f"{nbytes / 2**20:.1f}"


def _pct(x):
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _fmt(x, spec=".3f"):
    return "-" if x is None else format(x, spec)


def print_report(results):
    configs = results["configs"]
    if configs:
        print(
            "\n== fit: median seconds over pairs; ratio = sklearn / skbp, median "
            "of per-pair ratios; * = phase-normalised (each run divided by the "
            "reference workload timed around it) =="
        )
        head = (
            f"{'config':<16}{'rows x feat':>14} {'hidden':<11}{'ep':>4}"
            f"{'skbp':>9}{'sklearn':>9}{'torch':>8}{'ratio':>7}{'ratio*':>7}"
            f"{'gemm':>8}{'gemm/skbp':>10}{'*':>6}"
            f"{'loss skbp':>11}{'loss sk':>10}{'dloss':>9}"
            f"{'acc skbp':>9}{'acc sk':>8}  ok"
        )
        print(head)
        print("-" * len(head))
        for name, r in configs.items():
            c, m = r["config"], r["median"]
            hidden = ",".join(map(str, c["hidden"]))
            print(
                f"{name:<16}{c['n_samples']:>8} x {c['n_features']:<3} "
                f"{hidden:<11}{c['epochs']:>4}"
                f"{m['skbp']:>9.3f}{m['sklearn']:>9.3f}{_fmt(m.get('torch')):>8}"
                f"{r['ratio_median']:>7.2f}{r['ratio_normalised_median']:>7.2f}"
                f"{m['gemm']:>8.3f}{r['gemm_fraction']:>10.2f}"
                f"{r['gemm_fraction_normalised']:>6.2f}"
                f"{r['final_loss']['skbp']:>11.5f}{r['final_loss']['sklearn']:>10.5f}"
                f"{r['final_loss_rel_diff_max']:>9.1e}"
                f"{r['train_accuracy']['skbp']:>9.4f}"
                f"{r['train_accuracy']['sklearn']:>8.4f}"
                f"  {'yes' if r['agree'] else 'NO'}"
                + (
                    f" ({r['disturbed_pairs']} pairs disturbed)"
                    if r["disturbed_pairs"]
                    else ""
                )
            )
        print("\nper-pair ratios (sklearn / skbp), GEMM GFLOP/s, effective GFLOP/s:")
        for name, r in configs.items():
            eff = r["effective_gflops"]
            print(
                f"  {name:<16}"
                + " ".join(f"{x:.2f}" for x in r["ratios"])
                + "  (phase-normalised: "
                + " ".join(f"{x:.2f}" for x in r["ratios_normalised"])
                + ")\n"
                + " " * 18
                + f"   gemm {r['gemm_gflops']:.1f}, skbp {eff['skbp']:.1f}, "
                f"sklearn {eff['sklearn']:.1f}"
                + (f", torch {eff['torch']:.1f}" if "torch" in eff else "")
                + f"; pairs redone {len(r['discarded_pairs'])}, kept disturbed "
                f"{r['disturbed_pairs']}, max others' load "
                f"{_pct(max((c or 0) for c in r['contention']))}"
                + (
                    f"  [torch error: {r['torch_error']}]"
                    if r.get("torch_error")
                    else ""
                )
            )
        pred = {n: r["predict"] for n, r in configs.items() if "predict" in r}
        if pred:
            print("\n== predict throughput (rows/s, median) ==")
            for name, p in pred.items():
                rps = p["rows_per_second"]
                print(
                    f"  {name:<16} skbp {rps['skbp']:>12,.0f}  sklearn "
                    f"{rps['sklearn']:>12,.0f}  skbp/sklearn {p['ratio']:.2f}"
                )
        prof = {n: r["profile"] for n, r in configs.items() if "profile" in r}
        for name, p in prof.items():
            bd = p["breakdown"]
            print(
                f"\n== where skbp's fit time goes: {name} (instrumented fit, "
                f"best of {len(bd['walls'])}: {bd['wall_seconds']:.3f}s; "
                "uninstrumented: median "
                f"{configs[name]['median']['skbp']:.3f}s, best "
                f"{configs[name]['min']['skbp']:.3f}s) =="
            )
            for g, v in bd["groups"].items():
                print(f"  {g:<50}{v['seconds']:>8.3f}s {100 * v['fraction']:>6.1f}%")
            print("  detail:")
            for cat, v in bd["categories"].items():
                print(
                    f"    {cat:<48}{v['seconds']:>8.3f}s "
                    f"{100 * v['fraction']:>6.1f}% {v['calls']:>8} calls"
                )
            pr = p["dispatch_probe"]
            print(
                f"  dispatch probe: {pr['skbp']['per_batch_us']:.0f} us/batch skbp, "
                f"{pr['sklearn']['per_batch_us']:.0f} us/batch sklearn; skbp set-up "
                f"{pr['skbp']['setup_seconds']:.3f}s -> ~"
                f"{p['dispatch_overhead_seconds']:.3f}s "
                f"({100 * p['dispatch_overhead_fraction']:.1f}%) of skbp's fit"
            )
            print(
                f"  matmul share of the fit {100 * p['matmul_share']:.1f}% vs "
                "paired GEMM-bound fraction "
                f"{100 * p['gemm_fraction_normalised']:.1f}%"
                f"; missing hooks: {bd['missing_hooks'] or 'none'}"
            )
            print("  cProfile top (tottime, % of wall):")
            for row in p["cprofile"]["top_tottime"][:10]:
                print(
                    f"    {100 * row['tottime_fraction']:>5.1f}% "
                    f"{row['ncalls']:>8} {row['function']}"
                )
    sc = results.get("scaling")
    if sc:
        print("\n== scaling: skbp fit, adam, float32 ==")
        print(
            f"{'rows':>10}{'fit s':>9}{'us/sample/ep':>14}{'best':>7}{'normd':>7}"
            f"{'X MiB':>9}"
            f"{'peak-X rss MiB':>16}{'tracemalloc MiB':>17}{'limit MiB':>11}  ok"
        )
        for r in sc["rows"]:
            print(
                f"{r['n_samples']:>10}{r['median']:>9.3f}"
                f"{r['us_per_sample_epoch']:>14.3f}"
                f"{r['us_per_sample_epoch_min']:>7.2f}"
                f"{r['us_per_sample_epoch_normalised']:>7.2f}{_mib(r['X_nbytes']):>9}"
                f"{_mib(r['peak_extra_rss']):>16}"
                f"{_mib(r['peak_extra_tracemalloc']):>17}"
                f"{_mib(r['memory_limit_extra']):>11}"
                f"  {'yes' if r['memory_ok'] else 'NO'}"
            )
        print(
            f"per-sample spread max/min: median {sc['per_sample_spread']:.2f}, "
            f"best {sc['per_sample_spread_min']:.2f}, phase-normalised "
            f"{sc['per_sample_spread_normalised']:.2f} "
            f"(target <= {sc['flat_target']}: "
            f"{'met' if sc['flat_ok'] else 'NOT met'}); memory "
            f"{sc['memory_rule']}: {'met' if sc['memory_ok'] else 'NOT met'}"
        )


# ----------------------------------------------------------------------
# Targets and the compact summary, one table per CPU class
SUMMARY_WIDTH = 100


def _is_medium(name):
    return name.startswith("medium-")


def config_verdict(name, r):
    """``PASS``, or ``MISS`` and which per-config targets were missed."""
    misses = []
    if r["ratio_median"] < TARGET_RATIO:
        misses.append(f"ratio<{TARGET_RATIO}")
    if min(r["ratios"]) < TARGET_RATIO_FLOOR:
        misses.append(f"pair<{TARGET_RATIO_FLOOR}")
    if _is_medium(name) and r["gemm_fraction"] < TARGET_GEMM_FRACTION:
        misses.append(f"gemm<{TARGET_GEMM_FRACTION}")
    if not r["agree"]:
        misses.append("results differ")
    return "MISS: " + " ".join(misses) if misses else "PASS"


def evaluate_targets(results):
    """The targets of the module docstring for one CPU class's results.

    A list of ``{"target", "ok", "detail"}``; ``ok`` is None where this run
    measured nothing to judge (e.g. ``--only``, or no scaling in the class).
    """
    out = []

    def add(target, ok, detail):
        out.append({"target": target, "ok": ok, "detail": detail})

    configs = results["configs"]
    if configs:
        ratio = {n: r["ratio_median"] for n, r in configs.items()}
        low = min(ratio, key=ratio.get)
        add(
            f"fit ratio >= {TARGET_RATIO} on every config",
            all(v >= TARGET_RATIO for v in ratio.values()),
            f"lowest {ratio[low]:.2f} ({low})",
        )
        med = statistics.median(ratio.values())
        add(
            f"fit ratio, median over configs >= {TARGET_RATIO_MEDIAN}",
            med >= TARGET_RATIO_MEDIAN,
            f"{med:.2f} over {len(ratio)} config{'s' if len(ratio) > 1 else ''}",
        )
        pair = {n: min(r["ratios"]) for n, r in configs.items()}
        low = min(pair, key=pair.get)
        add(
            f"fit ratio never < {TARGET_RATIO_FLOOR} (every pair)",
            pair[low] >= TARGET_RATIO_FLOOR,
            f"lowest pair {pair[low]:.2f} ({low})",
        )
        gemm = {n: r["gemm_fraction"] for n, r in configs.items() if _is_medium(n)}
        if gemm:
            low = min(gemm, key=gemm.get)
            add(
                f"gemm/skbp >= {TARGET_GEMM_FRACTION} on medium configs",
                gemm[low] >= TARGET_GEMM_FRACTION,
                f"lowest {gemm[low]:.2f} ({low})",
            )
        else:
            add(f"gemm/skbp >= {TARGET_GEMM_FRACTION} on medium configs", None, "")
        pred = {n: r["predict"]["ratio"] for n, r in configs.items() if "predict" in r}
        if pred:
            low = min(pred, key=pred.get)
            add(
                f"predict >= {TARGET_PREDICT}x MLPClassifier's rows/s",
                pred[low] >= TARGET_PREDICT,
                f"lowest {pred[low]:.2f} ({low})",
            )
        else:
            add(f"predict >= {TARGET_PREDICT}x MLPClassifier's rows/s", None, "")
    else:
        add("fit and predict targets", None, "no fit config run")
    sc = results.get("scaling")
    flat = f"scaling: time per sample flat within {100 * (SCALING_FLAT - 1):.0f}%"
    memory = f"memory: X + {MEMORY_BASE // 2**20} MiB + {MEMORY_WEIGHTS} x weights"
    if sc:
        add(
            flat,
            sc["flat_ok"],
            f"max/min {sc['per_sample_spread_normalised']:.2f} (phase-normalised)",
        )
        peaks = [r["peak_extra_rss"] for r in sc["rows"] if r["peak_extra_rss"]]
        add(
            memory,
            sc["memory_ok"],
            f"largest peak beyond X {_mib(max(peaks) if peaks else None)} MiB",
        )
    else:
        why = results["meta"].get("scaling_skipped") or "not in this run (--only)"
        add(flat, None, why)
        add(memory, None, why)
    return out


def _verdict_word(ok):
    return {True: "PASS", False: "MISS", None: "n/a"}[ok]


def machine_parts(meta):
    """The machine and the kernels that ran: CPU, environment, numpy's SIMD
    dispatch, the OpenBLAS kernel and skbp's kernel choices."""
    d, b, k = meta["numpy_dispatch"], meta["numpy_blas"], meta["kernel_choices"]
    on = [f for f, enabled in d["enabled"].items() if enabled]
    env = ", ".join(f"{key}={meta['env'][key]}" for key in CPU_VARS if meta["env"][key])
    return {
        "cpu": f"{meta['cpu']}, {meta['n_cpus']} cpus",
        "env": env or "no kernel variables set",
        "numpy": f"numpy {meta['versions']['numpy']} SIMD {d['level']} "
        f"({' '.join(on) or 'none of ' + ' '.join(d['enabled'])})",
        "blas": f"OpenBLAS {b.get('version')} kernel {b.get('architecture')}",
        "skbp": f"skbp {k.get('cpu_class')}: {_kernel_text(k)} (float32/float64)",
    }


def machine_line(meta):
    p = machine_parts(meta)
    return f"{p['cpu']} ({p['env']}); {p['numpy']}; {p['blas']}; {p['skbp']}"


def summary_rows(results):
    """Rows of the compact table: config, seconds, ratio, gemm share, verdict."""
    return [
        {
            "config": name,
            "skbp": r["median"]["skbp"],
            "sklearn": r["median"]["sklearn"],
            "ratio": r["ratio_median"],
            "gemm": r["gemm_fraction"],
            "agree": "yes" if r["agree"] else "no",
            "verdict": config_verdict(name, r),
        }
        for name, r in results["configs"].items()
    ]


def _predict_text(results):
    pred = {
        n: r["predict"]["ratio"]
        for n, r in results["configs"].items()
        if "predict" in r
    }
    if not pred:
        return None
    return (
        "predict throughput, skbp / sklearn rows/s: "
        + ", ".join(f"{n} {v:.2f}" for n, v in pred.items())
        + f" (target >= {TARGET_PREDICT})"
    )


def print_summary(cpu, results, targets=None):
    """One class's compact table, predict line and targets, <= 100 columns."""
    meta = results["meta"]
    wrap = textwrap.TextWrapper(width=SUMMARY_WIDTH, subsequent_indent="    ")
    print(f"\n== CPU class {cpu}: {meta['numpy_dispatch']['level']} ==")
    parts = machine_parts(meta)
    print(wrap.fill(f"machine: {parts['cpu']} ({parts['env']})"))
    print(wrap.fill(f"kernels: {parts['numpy']}; {parts['blas']}; {parts['skbp']}"))
    if not meta["class_check"]["ok"]:
        print(wrap.fill("WARNING: " + "; ".join(meta["class_check"]["problems"])))
    if meta["quick"]:
        print("(quick run: tiny sizes and 2 pairs; the verdicts mean nothing)")
    rows = summary_rows(results)
    if rows:
        head = (
            f"{'config':<16}{'skbp s':>8}{'sklearn s':>11}{'ratio':>7}"
            f"{'gemm/skbp':>11}  {'loss agree':<12}verdict"
        )
        print(head)
        print("-" * len(head))
        for row in rows:
            print(
                f"{row['config']:<16}{row['skbp']:>8.3f}{row['sklearn']:>11.3f}"
                f"{row['ratio']:>7.2f}{row['gemm']:>11.2f}  {row['agree']:<12}"
                f"{row['verdict']}"
            )
    pred = _predict_text(results)
    if pred:
        print(wrap.fill(pred))
    print("targets:")
    for t in evaluate_targets(results) if targets is None else targets:
        print(wrap.fill(f"  {_verdict_word(t['ok']):<5}{t['target']:<48}{t['detail']}"))


def _rst_text(text):
    """Plain text safe in a reST paragraph (no markup characters)."""
    for ch in "\\*`|_":
        text = text.replace(ch, "\\" + ch)
    return text


def write_rst(path, by_class, notes=()):
    """The summary tables as reStructuredText: one list-table per class."""
    lines = [
        ".. Written by benchmarks/run.py (make bench) from its results; "
        "edits are overwritten.",
        "",
    ]
    for note in notes:
        lines += [_rst_text(f"Note: {note}"), ""]
    for cpu, results in by_class.items():
        meta = results["meta"]
        level = meta["numpy_dispatch"]["level"]
        lines += [
            f".. rubric:: CPU class {cpu} ({level})",
            "",
            _rst_text(
                f"Measured {meta['timestamp']}"
                + (" (quick run: tiny sizes)" if meta["quick"] else "")
                + ". Machine: "
                + machine_line(meta)
                + "."
            ),
            "",
        ]
        if not meta["class_check"]["ok"]:
            problems = "; ".join(meta["class_check"]["problems"])
            lines += [_rst_text(f"Warning: {problems}."), ""]
        rows = summary_rows(results)
        if rows:
            lines += [
                f".. list-table:: Fit, CPU class {cpu}: median seconds; ratio = "
                "sklearn / skbp, median of per-pair ratios",
                "   :header-rows: 1",
                "",
            ]
            header = ["config", "skbp s", "sklearn s", "ratio", "gemm/skbp"]
            header += ["loss agree", "verdict"]
            cells = [header] + [
                [
                    row["config"],
                    f"{row['skbp']:.3f}",
                    f"{row['sklearn']:.3f}",
                    f"{row['ratio']:.2f}",
                    f"{row['gemm']:.2f}",
                    row["agree"],
                    row["verdict"],
                ]
                for row in rows
            ]
            for row in cells:
                lines.append(f"   * - {_rst_text(row[0])}")
                lines += [f"     - {_rst_text(c)}" for c in row[1:]]
            lines.append("")
        pred = _predict_text(results)
        if pred:
            lines += [_rst_text(pred[0].upper() + pred[1:] + "."), ""]
        for t in results.get("targets") or evaluate_targets(results):
            detail = f" -- {t['detail']}" if t["detail"] else ""
            lines.append(
                "* " + _rst_text(f"{_verdict_word(t['ok'])}: {t['target']}{detail}")
            )
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


def _jsonable(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def _matches(name, only):
    """``--only medium`` selects every medium-* config; exact names work too."""
    return name == only or name.startswith(only.rstrip("-") + "-")


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
    print(f"$ {_env_text(cpu)}\n$ {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, env=class_env(cpu)).returncode


def run_classes(args):
    """``--cpu both``: one child per CPU class, then the combined summary."""
    start = time.perf_counter()
    output = args.output or DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    complete = not args.quick and not args.only
    table = args.table or (DOCS_TABLE if complete else output.with_suffix(".rst"))
    # The parent's numpy may itself run with features disabled; the native
    # child's record (run with none disabled) settles it below.
    has_avx512 = numpy_dispatch()["enabled"]["X86_V4"]
    print(
        "== benchmarking two CPU classes, one child process each: native, then "
        "avx2 (AVX-512 disabled)"
        + ("" if args.only else ";\n   scaling and memory in the native class only")
        + " ==",
        flush=True,
    )
    by_class, files, failed, notes = {}, {}, [], []
    avx2_is_native = False
    for cpu in CPU_CLASSES:
        if cpu == "avx2":
            native = by_class.get("native", {}).get("meta", {})
            native_v4 = native.get("numpy_dispatch", {}).get("enabled", {})
            if not (has_avx512 or native_v4.get("X86_V4")):
                avx2_is_native = True
                note = (
                    "this machine has no AVX-512 (numpy's X86_V4 is not "
                    "available): its native class is the avx2 class, so no avx2 "
                    "child runs and 'avx2' repeats the native results"
                )
                notes.append(note)
                print(f"\nNOTE: {note}", flush=True)
                continue
        files[cpu] = class_output(output, cpu)
        print(f"\n{'#' * 32} CPU class {cpu} {'#' * 32}", flush=True)
        child = ["--cpu", cpu, *_passthrough(args), "--output", str(files[cpu])]
        rc = _run_child(cpu, child)
        if rc != 0:
            failed.append(cpu)
            print(f"ERROR: the {cpu} child exited with status {rc}", flush=True)
            continue
        with open(files[cpu]) as f:
            by_class[cpu] = json.load(f)
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
        print(f"NOTE: {note}")
    for cpu, res in by_class.items():
        print_summary(cpu, res, targets[cpu])
    combined = {
        "native": by_class.get("native"),
        "avx2": by_class.get("avx2"),
        "avx2_is_native": avx2_is_native,
        "targets": targets,
        "notes": notes,
        "failed": failed,
        "files": {cpu: str(p) for cpu, p in files.items()},
        "table": str(table),
        "total_seconds": time.perf_counter() - start,
    }
    with open(output, "w") as f:
        json.dump(combined, f, indent=1, default=_jsonable)
    if by_class:
        write_rst(table, by_class, notes)
    print(f"\ntotal {combined['total_seconds']:.1f}s; results written to")
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
    if args.threads is None and args.quick:
        args.threads = 1
    BUDGET.reset(0 if args.quick else args.retry_budget)
    if args.threads is not None:
        threadpoolctl.threadpool_limits(limits=args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    output = args.output or class_output(DEFAULT_OUTPUT, args.cpu)

    def wanted(name):
        return not args.only or any(_matches(name, o) for o in args.only)

    start = time.perf_counter()
    meta = collect_meta(args)
    print_meta(meta)
    out_dir = output.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {"meta": meta, "configs": {}, "scaling": None}
    for cfg in _configs(args.quick):
        if not wanted(cfg.name):
            continue
        print(f"== {cfg.name} ==", flush=True)
        pairs = cfg.pairs if args.pairs is None else args.pairs
        results["configs"][cfg.name] = run_config(
            cfg, pairs, torch is not None, out_dir, quick=args.quick, cpu=args.cpu
        )
    _DATA_CACHE.clear()
    if wanted("scaling") and args.cpu != "native" and not args.only:
        # Time per sample over sizes and peak memory follow from the data
        # sizes, not from the SIMD width; a second run would add minutes.
        meta["scaling_skipped"] = "measured in the native class only"
        print(
            f"== scaling: skipped, {meta['scaling_skipped']} (--only scaling "
            "runs it in this class too) ==",
            flush=True,
        )
    elif wanted("scaling"):
        print("== scaling ==", flush=True)
        results["scaling"] = run_scaling(
            _scaling_spec(args.quick),
            timeout=120 if args.quick else 1800,
            threads=args.threads,
            retry=not args.quick,
        )
    meta["total_seconds"] = time.perf_counter() - start
    meta["retry_seconds_spent"] = BUDGET.spent
    meta["loadavg_end"] = _loadavg()
    print_report(results)
    results["targets"] = evaluate_targets(results)
    print_summary(args.cpu, results, results["targets"])
    with open(output, "w") as f:
        json.dump(results, f, indent=1, default=_jsonable)
    print(
        f"\ntotal {meta['total_seconds']:.1f}s (of which waiting for quiet and "
        f"redoing disturbed work {BUDGET.spent:.1f}s); results written to "
        f"{output}",
        flush=True,
    )
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    names = [c.name for c in _configs(False)] + ["scaling"]
    parser = argparse.ArgumentParser(
        description="Benchmark skbp against scikit-learn's MLPClassifier, per "
        "CPU class (see the module docstring)."
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, 2 pairs: a smoke run"
    )
    parser.add_argument(
        "--cpu",
        choices=(*CPU_CLASSES, "both"),
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
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(names))
        return 0
    if args.pairs is not None and args.pairs < 1:
        parser.error("--pairs must be at least 1")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    unknown = [o for o in args.only or [] if not any(_matches(n, o) for n in names)]
    if unknown:
        parser.error(f"unknown --only {unknown}; names: {', '.join(names)}")

    if args.cpu == "both":
        return run_classes(args)
    if not in_class_env(args.cpu):
        # Too late to change this process's kernels: numpy and OpenBLAS read
        # the variables when they loaded. The same command in a child does.
        found = {k: os.environ[k] for k in CPU_VARS if k in os.environ}
        print(
            f"--cpu {args.cpu}: this process started with kernel variables "
            f"{found or 'unset'}; measuring in a child process instead",
            flush=True,
        )
        return _run_child(args.cpu, argv)
    if args.retry_budget is None:
        args.retry_budget = 240.0
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
