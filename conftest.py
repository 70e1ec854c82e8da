"""Test-session set-up for tests/ and the doctests in skbp/."""

import importlib.util
import os

# Imported for their BLAS libraries, which threadpool_limits below must find
# loaded: numpy's OpenBLAS, and scipy's own, which scipy.linalg loads.
import numpy  # noqa: F401
import pytest
import scipy.linalg  # noqa: F401
from threadpoolctl import threadpool_info, threadpool_limits

# pytest-xdist runs one worker per core; a multi-threaded BLAS in each worker
# oversubscribes the cores and makes the many tiny matrix products of the
# estimator checks up to 10x slower. threadpoolctl limits only the libraries
# already loaded (hence the imports above).
threadpool_limits(limits=1)

# skbp.onnx needs the onnx extra at import time; without it its doctests are
# skipped rather than failing collection (tests/test_onnx.py skips itself).
collect_ignore = [] if importlib.util.find_spec("skl2onnx") else ["skbp/onnx.py"]

if importlib.util.find_spec("hypothesis"):
    from hypothesis import HealthCheck, settings

    # The same examples on every run, with no database of past failures
    # written into the clone, no per-example deadline and no check of how
    # fast examples are generated: a property test's outcome must not depend
    # on earlier runs or on how busy the machine is.
    settings.register_profile(
        "skbp",
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("skbp")


def _openblas_cores():
    return sorted(
        {
            str(info.get("architecture"))
            for info in threadpool_info()
            if info.get("internal_api") == "openblas"
        }
    )


def pytest_configure(config):
    """Refuse to run when an emulated CPU class did not take effect.

    ``make test-avx2`` sets ``SKBP_TEST_CPU_CLASS=x86-64-v3`` beside
    ``NPY_DISABLE_CPU_FEATURES`` and ``OPENBLAS_CORETYPE``; numpy ignores a
    feature name it does not know, so a run that silently measured the
    native class would otherwise pass as an AVX2 run.
    """
    expected = os.environ.get("SKBP_TEST_CPU_CLASS")
    if not expected:
        return
    from skbp._kernels import cpu_class

    problems = []
    if cpu_class() != expected:
        problems.append(f"numpy dispatches to {cpu_class()}, not {expected}")
    core = os.environ.get("OPENBLAS_CORETYPE")
    if core and any(c.lower() != core.lower() for c in _openblas_cores()):
        problems.append(f"OpenBLAS runs {_openblas_cores()}, not {core}")
    if problems:
        raise pytest.UsageError(
            "SKBP_TEST_CPU_CLASS is set but the emulation did not take effect: "
            + "; ".join(problems)
        )


def pytest_report_header(config):
    import skbp
    from skbp._kernels import cpu_class

    return [
        f"skbp {skbp.__version__} from {os.path.dirname(skbp.__file__)}",
        f"CPU class {cpu_class()}, OpenBLAS core {', '.join(_openblas_cores())}",
    ]


@pytest.fixture(autouse=True, scope="session")
def _dask_scratch_in_pytest_tmp(tmp_path_factory):
    """Keep dask's scratch space (worker spill files, locks) in pytest's
    temporary directory instead of the system's ``/tmp/dask-scratch-space``."""
    if importlib.util.find_spec("dask") is None:
        yield
        return
    import dask

    scratch = str(tmp_path_factory.mktemp("dask-scratch"))
    with pytest.MonkeyPatch.context() as mp:
        # Worker processes read the variable; this process reads the config.
        mp.setenv("DASK_TEMPORARY_DIRECTORY", scratch)
        with dask.config.set({"temporary-directory": scratch}):
            yield
