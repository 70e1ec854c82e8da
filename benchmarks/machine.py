"""The machine and the kernels that run on it, per CPU class.

Which kernels run is set by environment variables that numpy and OpenBLAS
read once, when they load: a CPU class is therefore the environment a child
process starts with (``class_env``). This module builds that environment,
checks in the child that it took effect (``class_check``), and collects
and prints what the report needs to say which machine and kernels it
measured (``collect_meta``, ``print_meta``, ``machine_parts``).
"""

import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType

import numpy as np
import scipy
import sklearn
import threadpoolctl

import skbp
from benchmarks import _common
from benchmarks.pairing import CONTENTION_LIMIT
from benchmarks.schema import ClassCheck, Meta, NumpyDispatch

REPO = Path(__file__).resolve().parent.parent

# The CPU classes one machine can measure, as the environment each child
# process starts with.
CPU_CLASSES = ("native", "avx2")
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
CPU_VARS = ("NPY_DISABLE_CPU_FEATURES", *OPENBLAS_VARS)
CLASS_ENV = MappingProxyType(
    {
        "native": MappingProxyType({}),
        # numpy 2.x names its AVX-512 dispatch targets X86_V4, AVX512_ICL and
        # AVX512_SPR; without them it falls back to the X86_V3 (AVX2) loops.
        # Haswell is OpenBLAS's AVX2 GEMM kernel.
        "avx2": MappingProxyType(
            {
                "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
                "OPENBLAS_CORETYPE": "Haswell",
            }
        ),
    }
)
# numpy's dispatched features that tell the class apart.
DISPATCH_FEATURES = ("X86_V4", "X86_V3", "AVX512_SKX", "AVX2")


# ----------------------------------------------------------------------
# The environment of a CPU class
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


def in_class_env(cpu, environ=None):
    """Whether this process already runs with ``cpu``'s kernel variables."""
    environ = os.environ if environ is None else environ
    want = CLASS_ENV[cpu]
    return all(environ.get(k) == want.get(k) for k in CPU_VARS)


def kernel_vars(environ=None):
    """The kernel variables set in ``environ`` (default: this process's)."""
    environ = os.environ if environ is None else environ
    return {k: environ[k] for k in CPU_VARS if k in environ}


def env_text(cpu):
    """``NPY_DISABLE_CPU_FEATURES='...' ..., unset: OPENBLAS_L2_SIZE``."""
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
    return NumpyDispatch(
        level=level,
        enabled=enabled,
        cpu_dispatch=None if dispatch is None else list(dispatch),
        cpu_baseline=None if baseline is None else list(baseline),
    )


def class_check(cpu, dispatch, blas_arch, environ=None):
    """Problems that make this process not measure CPU class ``cpu``."""
    problems = []
    if cpu == "avx2":
        if dispatch.enabled["X86_V4"]:
            problems.append("numpy still dispatches to its X86_V4 (AVX-512) loops")
        if str(blas_arch).lower() != "haswell":
            problems.append(
                f"numpy's OpenBLAS runs the {blas_arch} kernel, not Haswell"
            )
    forced, want = kernel_vars(environ), dict(CLASS_ENV[cpu])
    if forced != want:
        problems.append(f"kernel variables {forced}, expected {want}")
    return ClassCheck(ok=not problems, problems=problems)


# ----------------------------------------------------------------------
# Collecting
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


def others_share(seconds=1.0):
    """Share of the cores that other processes use, over ``seconds``."""
    with _common.CpuMeter() as meter:
        time.sleep(seconds)
    return meter.contention


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def collect_meta(cpu, *, quick, pairs, threads, torch=None):
    """This process's machine, versions, kernels and load, as :class:`Meta`."""
    info = threadpoolctl.threadpool_info()
    blas = [i for i in info if i.get("user_api") == "blas"]
    numpy_blas = next((i for i in blas if "numpy" in i.get("filepath", "")), None)
    numpy_blas = numpy_blas or (blas[0] if blas else {})
    status = _git("status", "--porcelain")
    dispatch = numpy_dispatch()
    return Meta(
        timestamp=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        argv=list(sys.argv),
        cpu_option=cpu,
        class_env=dict(CLASS_ENV[cpu]),
        class_check=class_check(cpu, dispatch, numpy_blas.get("architecture")),
        numpy_dispatch=dispatch,
        kernel_choices=skbp.kernel_choices(),
        scaling_skipped=None,
        quick=quick,
        pairs=pairs,
        threads_limit=threads,
        git_commit=_git("rev-parse", "HEAD"),
        git_dirty=None if status is None else bool(status),
        skbp_dirty=None
        if status is None
        else bool(_git("status", "--porcelain", "--", "skbp")),
        python=sys.version.split()[0],
        platform=platform.platform(),
        cpu=_cpu_model(),
        n_cpus=os.cpu_count(),
        versions={
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "skbp": skbp.__version__,
            "threadpoolctl": threadpoolctl.__version__,
            "torch": None if torch is None else torch.__version__,
        },
        skbp_path=str(Path(skbp.__file__).parent),
        env={
            k: os.environ.get(k)
            for k in (
                *CPU_VARS,
                "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS",
                "MKL_NUM_THREADS",
            )
        },
        numpy_blas={
            k: numpy_blas.get(k)
            for k in (
                "internal_api",
                "version",
                "architecture",
                "num_threads",
                "threading_layer",
            )
        },
        torch_threads=None if torch is None else torch.get_num_threads(),
        threadpool_info=info,
        loadavg_start=loadavg(),
        others_cpu_share_start=others_share(0.2 if quick else 1.0),
    )


# ----------------------------------------------------------------------
# Describing
def kernel_text(choices):
    """``logistic tanh/tanh, tanh tanh/tanh`` (float32/float64)."""
    return ", ".join(
        f"{name} {forms.get('float32')}/{forms.get('float64')}"
        for name, forms in choices.items()
        if isinstance(forms, dict)
    )


def machine_parts(meta):
    """The machine and the kernels that ran: CPU, environment, numpy's SIMD
    dispatch, the OpenBLAS kernel and skbp's kernel choices."""
    d, b, k = meta.numpy_dispatch, meta.numpy_blas, meta.kernel_choices
    on = [f for f, enabled in d.enabled.items() if enabled]
    env = ", ".join(f"{key}={meta.env[key]}" for key in CPU_VARS if meta.env[key])
    return {
        "cpu": f"{meta.cpu}, {meta.n_cpus} cpus",
        "env": env or "no kernel variables set",
        "numpy": f"numpy {meta.versions['numpy']} SIMD {d.level} "
        f"({' '.join(on) or 'none of ' + ' '.join(d.enabled)})",
        "blas": f"OpenBLAS {b.get('version')} kernel {b.get('architecture')}",
        "skbp": f"skbp {k.get('cpu_class')}: {kernel_text(k)} (float32/float64)",
    }


def machine_line(meta):
    p = machine_parts(meta)
    return f"{p['cpu']} ({p['env']}); {p['numpy']}; {p['blas']}; {p['skbp']}"


def print_kernels(meta):
    """Which kernels this process runs: the CPU class it measures."""
    cpu, d, k = meta.cpu_option, meta.numpy_dispatch, meta.kernel_choices
    env = {key: meta.env.get(key) for key in CPU_VARS}
    print(
        f"CPU class: {cpu}; "
        + ", ".join(f"{key}={v!r}" if v else f"{key} unset" for key, v in env.items())
    )
    print(
        f"numpy dispatch: {d.level} ("
        + ", ".join(f"{f} {'on' if on else 'off'}" for f, on in d.enabled.items())
        + f"); built for {' '.join(d.cpu_dispatch or ['?'])}"
    )
    print(
        f"skbp.kernel_choices(): class {k.get('cpu_class')}, "
        f"{kernel_text(k)} (float32/float64), "
        f"override {k.get('override') or 'none'}"
    )
    check = meta.class_check
    if check.ok:
        if cpu == "avx2":
            print(
                "AVX2 emulation in effect: X86_V4 off, OpenBLAS kernel "
                f"{meta.numpy_blas['architecture']}"
            )
    else:
        what = "AVX2 emulation did not take effect" if cpu == "avx2" else "not native"
        print(
            f"WARNING: {what}: {'; '.join(check.problems)}. The {cpu} numbers "
            "below do not measure that CPU class."
        )


def print_meta(meta):
    v = meta.versions
    print("== machine ==")
    print(f"cpu: {meta.cpu} ({meta.n_cpus} cpus), {meta.platform}")
    print(
        f"python {meta.python}, numpy {v['numpy']}, scipy {v['scipy']}, "
        f"scikit-learn {v['scikit-learn']}, skbp {v['skbp']} "
        f"({meta.skbp_path}), torch {v['torch'] or 'not installed (skipped)'}"
    )
    print(
        f"git {meta.git_commit} dirty={meta.git_dirty} (skbp/ dirty={meta.skbp_dirty})"
    )
    b = meta.numpy_blas
    print(
        f"numpy BLAS: {b['internal_api']} {b['version']}, kernel "
        f"{b['architecture']}, {b['num_threads']} threads ({b['threading_layer']})"
    )
    print("threadpoolctl.threadpool_info():")
    for i in meta.threadpool_info:
        print(
            f"  {i.get('user_api')}/{i.get('internal_api')} {i.get('version')} "
            f"arch={i.get('architecture')} threads={i.get('num_threads')} "
            f"{i.get('filepath')}"
        )
    print_kernels(meta)
    others = meta.others_cpu_share_start
    if others is not None and others > CONTENTION_LIMIT:
        print(
            f"WARNING: other processes use {100 * others:.0f}% of the cores: "
            "pairs they disturb are redone, but timings may be noisy"
        )
    print(flush=True)
