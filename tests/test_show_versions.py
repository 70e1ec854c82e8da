"""skbp.show_versions: the versions, libraries and CPU choices for bug reports."""

import doctest
import os
import platform
import sys
from importlib import metadata

import joblib
import numpy as np
import pandas as pd
import scipy
import sklearn
import threadpoolctl

import skbp
from skbp import _show_versions
from skbp._show_versions import _get_versions_info, show_versions

SECTIONS = (
    "System:",
    "Python dependencies:",
    "Built with threadpoolctl:",
    "numpy CPU dispatch:",
    "skbp kernels:",
)


def _printed(capsys):
    show_versions()
    return capsys.readouterr().out


def test_wired_into_skbp():
    assert skbp.show_versions is show_versions
    assert "show_versions" in skbp.__all__


def test_prints_every_section_in_order(capsys):
    out = _printed(capsys)
    positions = [out.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_prints_the_actual_versions(capsys):
    out = _printed(capsys)
    assert f"skbp: {skbp.__version__} (" in out
    for name, module in [
        ("numpy", np),
        ("scipy", scipy),
        ("scikit-learn", sklearn),
        ("pandas", pd),
        ("threadpoolctl", threadpoolctl),
        ("joblib", joblib),
    ]:
        assert f"{name}: {module.__version__}\n" in out, name
    assert sys.executable in out
    assert platform.platform() in out
    assert platform.python_version() in out


def test_versions_come_from_metadata_not_imports():
    info = _get_versions_info()
    assert info["skbp"] == {
        "version": skbp.__version__,
        "location": os.path.dirname(skbp.__file__),
    }
    assert info["dependencies"]["scikit-learn"] == metadata.version("scikit-learn")
    assert info["system"]["executable"] == sys.executable


def test_missing_optional_dependency_shows_not_installed(capsys, monkeypatch):
    real_version = metadata.version

    def version(name):
        if name == "skops":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(metadata, "version", version)
    assert _get_versions_info()["dependencies"]["skops"] is None
    out = _printed(capsys)
    assert "skops: not installed\n" in out
    assert f"numpy: {np.__version__}\n" in out


def test_every_optional_dependency_is_listed(capsys):
    out = _printed(capsys)
    for name in _show_versions.OPTIONAL:
        assert f"\n{name:>13}: " in out


def test_threadpoolctl_libraries(capsys):
    libraries = threadpoolctl.threadpool_info()
    assert _get_versions_info()["threadpoolctl"] == libraries
    out = _printed(capsys)
    section = out[out.index("Built with threadpoolctl:") : out.index("numpy CPU")]
    for library in libraries:
        assert f"filepath: {library['filepath']}" in section
        assert f"internal_api: {library['internal_api']}" in section
        assert f"num_threads: {library['num_threads']}" in section


def test_no_threadpool_library(capsys, monkeypatch):
    monkeypatch.setattr(_show_versions, "_get_threadpool_info", list)
    assert "no BLAS or OpenMP library found" in _printed(capsys)


def test_numpy_cpu_dispatch(capsys, monkeypatch):
    features, baseline, dispatch = _show_versions._numpy_cpu_attributes()
    cpu = _get_versions_info()["numpy_cpu"]
    if baseline is not None:
        assert cpu["baseline"] == list(baseline)
    if dispatch is not None:
        assert sorted(cpu["dispatch_enabled"] + cpu["dispatch_disabled"]) == sorted(
            dispatch
        )
        assert all(features[f] for f in cpu["dispatch_enabled"])

    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.delenv("NPY_DISABLE_CPU_FEATURES", raising=False)
    out = _printed(capsys)
    assert "OPENBLAS_CORETYPE: 'Haswell'" in out
    assert "NPY_DISABLE_CPU_FEATURES: (not set)" in out
    assert "SKBP_KERNELS: " in out


def test_numpy_without_cpu_attributes(capsys, monkeypatch):
    monkeypatch.setattr(
        _show_versions, "_numpy_cpu_attributes", lambda: (None, None, None)
    )
    cpu = _get_versions_info()["numpy_cpu"]
    assert cpu["baseline"] is cpu["dispatch_enabled"] is None
    assert "baseline: unknown" in _printed(capsys)


def test_kernel_choices(capsys):
    choices = skbp.kernel_choices()
    assert _get_versions_info()["kernels"] == choices
    out = _printed(capsys)
    section = out[out.index("skbp kernels:") :]
    assert f"cpu class: {choices['cpu_class']}" in section
    for activation in ("logistic", "tanh"):
        for dtype, form in choices[activation].items():
            assert f"{activation} {dtype}: {form} " in section


def test_doctests(capsys):
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    for test in finder.find(_show_versions):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, capsys.readouterr().out
