"""The one timeout the tests give a child process or a wait.

``HANG_GUARD_SECONDS`` exists only to stop a process that hangs (a deadlock,
a read that never returns), so that the suite fails instead of waiting
forever. It never judges speed: it is many minutes, far beyond what any
child process of the tests takes on a busy laptop, so that no machine's
speed, load or CPU class can reach it. Speed targets live in ``make bench``
(benchmarks/run.py), never in a test.
"""

HANG_GUARD_SECONDS = 30 * 60
