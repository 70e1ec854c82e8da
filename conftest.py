"""Test-session set-up for tests/ and the doctests in skbp/."""

import importlib.util

from threadpoolctl import threadpool_limits

# pytest-xdist runs one worker per core; a multi-threaded BLAS in each worker
# oversubscribes the cores and makes the many tiny matrix products of the
# estimator checks up to 10x slower.
threadpool_limits(limits=1)

# skbp.onnx needs the onnx extra at import time; without it its doctests are
# skipped rather than failing collection (tests/test_onnx.py skips itself).
collect_ignore = [] if importlib.util.find_spec("skl2onnx") else ["skbp/onnx.py"]
