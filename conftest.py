"""Test-session set-up for tests/ and the doctests in skbp/."""

from threadpoolctl import threadpool_limits

# pytest-xdist runs one worker per core; a multi-threaded BLAS in each worker
# oversubscribes the cores and makes the many tiny matrix products of the
# estimator checks up to 10x slower.
threadpool_limits(limits=1)
