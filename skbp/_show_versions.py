"""What a bug report needs to know about the machine skbp runs on.

Modelled on :func:`sklearn.show_versions`, with what decides skbp's speed
and last-bit results besides the versions: the BLAS and OpenMP libraries
loaded (threadpoolctl), the SIMD features numpy dispatches to, and the
activation formulations skbp chose from them (:func:`skbp.kernel_choices`).
"""

import os
import platform
import sys
from importlib import metadata

from ._kernels import FORMULAS, kernel_choices

# Distribution names (as pip knows them), read from the installed metadata
# so that reporting a version never imports the package.
REQUIRED = ("numpy", "scipy", "scikit-learn", "pandas", "threadpoolctl", "joblib")
OPTIONAL = (
    "matplotlib",
    "jinja2",
    "dask",
    "distributed",
    "skops",
    "onnx",
    "onnxruntime",
    "skl2onnx",
)

# Variables that change which CPU code numpy, the BLAS or skbp runs.
ENV_VARS = (
    "NPY_DISABLE_CPU_FEATURES",
    "NPY_ENABLE_CPU_FEATURES",
    "OPENBLAS_CORETYPE",
    "SKBP_KERNELS",
)


def _get_sys_info():
    """Python's version, the interpreter's path and the platform."""
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def _get_skbp_info():
    """skbp's version and the directory it was imported from."""
    import skbp

    return {
        "version": skbp.__version__,
        # Which copy was imported matters when an installed skbp and a
        # source checkout are both on the path.
        "location": os.path.dirname(skbp.__file__),
    }


def _get_deps_info():
    """The installed version of each dependency; None when not installed."""
    deps = {}
    for name in REQUIRED + OPTIONAL:
        try:
            deps[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            deps[name] = None
    return deps


def _get_threadpool_info():
    """The BLAS and OpenMP libraries loaded in this process, as threadpoolctl sees
    them (only libraries already loaded: skbp's import loads numpy's, scipy's
    and scikit-learn's)."""
    from threadpoolctl import threadpool_info

    return threadpool_info()


def _numpy_cpu_attributes():
    try:  # numpy >= 2.0
        from numpy._core import _multiarray_umath
    except ImportError:  # numpy 1.x
        from numpy.core import _multiarray_umath
    return (
        getattr(_multiarray_umath, "__cpu_features__", None),
        getattr(_multiarray_umath, "__cpu_baseline__", None),
        getattr(_multiarray_umath, "__cpu_dispatch__", None),
    )


def _get_numpy_cpu_info():
    """numpy's SIMD baseline, which dispatch targets this CPU enables, and the
    environment variables that change either."""
    features, baseline, dispatch = _numpy_cpu_attributes()
    info = {"baseline": None, "dispatch_enabled": None, "dispatch_disabled": None}
    if baseline is not None:
        info["baseline"] = list(baseline)
    if features is not None and dispatch is not None:
        info["dispatch_enabled"] = [f for f in dispatch if features.get(f)]
        info["dispatch_disabled"] = [f for f in dispatch if not features.get(f)]
    info["environment"] = {name: os.environ.get(name) for name in ENV_VARS}
    return info


def _get_versions_info():
    """Everything :func:`show_versions` prints, as a dict of sections.

    Returns
    -------
    info : dict
        ``"system"``: python, executable, machine; ``"skbp"``: version and
        location; ``"dependencies"``: distribution name -> version, None if
        not installed; ``"threadpoolctl"``: one dict per loaded BLAS/OpenMP
        library; ``"numpy_cpu"``: baseline, enabled and disabled dispatch
        targets, and the environment variables; ``"kernels"``:
        :func:`skbp.kernel_choices`.

    Examples
    --------
    >>> import skbp
    >>> from skbp._show_versions import _get_versions_info
    >>> info = _get_versions_info()
    >>> info["skbp"]["version"] == skbp.__version__
    True
    >>> info["kernels"] == skbp.kernel_choices()
    True
    """
    return {
        "system": _get_sys_info(),
        "skbp": _get_skbp_info(),
        "dependencies": _get_deps_info(),
        "threadpoolctl": _get_threadpool_info(),
        "numpy_cpu": _get_numpy_cpu_info(),
        "kernels": kernel_choices(),
    }


# What tells one BLAS build from another first; the path last, being long.
_LIBRARY_KEYS = (
    "internal_api",
    "version",
    "num_threads",
    "threading_layer",
    "architecture",
    "user_api",
    "prefix",
    "filepath",
)


def _features(names):
    if names is None:
        return "unknown (this numpy does not report it)"
    return " ".join(names) or "none"


def _format(info):
    """The report :func:`show_versions` prints, as lines."""
    lines = ["", "System:"]
    lines += [f"{k:>10}: {v}" for k, v in info["system"].items()]

    lines += ["", "Python dependencies:"]
    skbp = info["skbp"]
    lines.append(f"{'skbp':>13}: {skbp['version']} ({skbp['location']})")
    for name, version in info["dependencies"].items():
        lines.append(f"{name:>13}: {version or 'not installed'}")

    lines += ["", "Built with threadpoolctl:"]
    libraries = info["threadpoolctl"]
    if not libraries:
        lines.append("    no BLAS or OpenMP library found")
    for i, library in enumerate(libraries):
        if i:
            lines.append("")
        keys = [k for k in _LIBRARY_KEYS if k in library]
        keys += [k for k in library if k not in keys]
        lines += [f"{k:>15}: {library[k]}" for k in keys]

    lines += ["", "numpy CPU dispatch:"]
    cpu = info["numpy_cpu"]
    lines.append(f"{'baseline':>24}: {_features(cpu['baseline'])}")
    lines.append(f"{'dispatch, enabled':>24}: {_features(cpu['dispatch_enabled'])}")
    lines.append(
        f"{'dispatch, not enabled':>24}: {_features(cpu['dispatch_disabled'])}"
    )
    for name, value in cpu["environment"].items():
        lines.append(f"{name:>24}: {'(not set)' if value is None else repr(value)}")

    lines += ["", "skbp kernels:"]
    kernels = dict(info["kernels"])
    lines.append(f"{'machine':>18}: {kernels.pop('machine')}")
    lines.append(f"{'cpu class':>18}: {kernels.pop('cpu_class')}")
    lines.append(f"{'numpy SIMD':>18}: {_features(kernels.pop('numpy_simd'))}")
    # The override read at import, which the environment may since have lost.
    override = kernels.pop("override")
    lines.append(f"{'override':>18}: {repr(override) if override else '(none)'}")
    for activation, by_dtype in kernels.items():
        for dtype, form in by_dtype.items():
            formula = FORMULAS.get(activation, {}).get(form, "")
            key = f"{activation} {dtype}"
            lines.append(f"{key:>18}: {form:<6} {formula}".rstrip())
    return lines


def show_versions():
    """Print the versions, libraries and CPU choices a bug report needs.

    Lists Python and the platform; skbp (and where it was imported from);
    the installed versions of numpy, scipy, scikit-learn, pandas,
    threadpoolctl, joblib and of the optional dependencies ("not installed"
    when missing); each BLAS and OpenMP library loaded, with its version,
    thread count and CPU architecture, as threadpoolctl reports them; the
    SIMD features numpy was built for and dispatches to on this CPU, with
    the environment variables that change them; and the formulation of each
    activation skbp chose for this CPU (see :func:`skbp.kernel_choices`).

    Paste its output into bug reports; ``skbp show-versions`` on the command
    line prints the same.

    See Also
    --------
    sklearn.show_versions : scikit-learn's report, which this one extends.
    skbp.kernel_choices : The activation formulations alone, as a dict.

    Examples
    --------
    >>> import numpy as np
    >>> import skbp
    >>> skbp.show_versions()  # doctest: +ELLIPSIS
    <BLANKLINE>
    System:
        python: ...
    Python dependencies:
             skbp: ...
            numpy: ...
    Built with threadpoolctl:
    ...
    numpy CPU dispatch:
    ...
    skbp kernels:
    ...
    """
    print("\n".join(_format(_get_versions_info())))
