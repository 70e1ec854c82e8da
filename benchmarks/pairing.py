"""Paired timing: the libraries run alternately, disturbed pairs are redone.

Each pair runs every member once, the order flipped every other pair
(ABBA) so that drift in the machine's speed favours no member. Every run is
bracketed by a reference workload that tells the machine's phase. Work by
*other* processes during a pair is measured; a pair they disturbed is
discarded and redone while the :class:`RetryBudget` lasts.
"""

from dataclasses import dataclass, field

from benchmarks import _common

CONTENTION_LIMIT = 0.10  # others' share of the cores that disturbs a pair


class RetryBudget:
    """Seconds a CPU class may spend waiting for quiet and redoing disturbed
    work, so that a busy machine cannot stretch ``make bench`` indefinitely;
    once spent, disturbed pairs are kept and flagged."""

    def __init__(self, seconds):
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


class Unavailable(Exception):
    """Raised by a member that cannot run (e.g. torch failed): it is dropped
    from this and every later pair, and its message is kept."""


@dataclass
class Run:
    """One member's run: seconds, values to record, and an object to keep
    from the last accepted pair (a fitted estimator) that is not recorded."""

    time: float
    values: dict = field(default_factory=dict)
    keep: object = None


@dataclass
class Pair:
    runs: dict  # member -> {"time", ...values, "reference"}, in the order run
    kept: dict  # member -> Run.keep
    contention: float | None
    disturbed: bool = False

    def line(self):
        return ", ".join(f"{k} {v['time']:.3f}s" for k, v in self.runs.items())

    def to_dict(self):
        """As recorded for a discarded pair."""
        return {**self.runs, "contention": self.contention}


@dataclass
class PairedRuns:
    accepted: list  # of Pair, as many as asked for
    discarded: list  # of Pair, disturbed and redone
    dropped: dict  # member -> why it stopped running


def run_pairs(members, pairs, reference, budget, *, wait=True, max_redos=None):
    """Time ``members`` (name -> callable returning a :class:`Run`) in
    ``pairs`` accepted alternating pairs.

    ``reference()`` runs just before and after every member; the mean of
    the two is recorded as the run's ``reference``. Without ``wait``, no
    quiet moment is awaited before a pair; at most ``max_redos`` disturbed
    pairs (default ``pairs``) are redone, and only while ``budget`` lasts.
    """
    order = list(members)
    max_redos = pairs if max_redos is None else max_redos
    accepted, discarded, dropped = [], [], {}
    while len(accepted) < pairs:
        p = len(accepted)
        if wait:
            budget.wait_for_idle()
        runs, kept = {}, {}
        with _common.CpuMeter() as meter:
            for name in list(order) if p % 2 == 0 else order[::-1]:
                ref_before = reference()
                try:
                    run = members[name]()
                except Unavailable as exc:
                    dropped[name] = str(exc)
                    order.remove(name)
                    continue
                runs[name] = {
                    "time": run.time,
                    **run.values,
                    "reference": 0.5 * (ref_before + reference()),
                }
                kept[name] = run.keep
        pair = Pair(runs, kept, meter.contention)
        disturbed = meter.disturbed(CONTENTION_LIMIT)
        if disturbed and len(discarded) < max_redos and budget.can_redo():
            budget.charge(meter.wall)
            print(
                f"  pair {p + 1}/{pairs} DISCARDED (other processes used "
                f"{100 * meter.contention:.0f}% of the cores): {pair.line()}",
                flush=True,
            )
            discarded.append(pair)
            continue
        pair.disturbed = disturbed
        accepted.append(pair)
        print(
            f"  pair {p + 1}/{pairs}: {pair.line()}"
            + (f" (others: {100 * meter.contention:.0f}%)" if disturbed else ""),
            flush=True,
        )
    # A member dropped mid-way has runs in the earliest pairs only; the
    # per-pair comparisons need the same members in every pair.
    for pair in accepted:
        for name in dropped:
            pair.runs.pop(name, None)
            pair.kept.pop(name, None)
    return PairedRuns(accepted, discarded, dropped)


def alternate(tasks, pairs):
    """Run ``tasks`` (name -> callable returning seconds) ``pairs`` times in
    ABBA order, under one contention meter; (seconds per task, contention)."""
    order = list(tasks)
    times = {name: [] for name in order}
    with _common.CpuMeter() as meter:
        for p in range(pairs):
            for name in order if p % 2 == 0 else order[::-1]:
                times[name].append(tasks[name]())
    return times, meter.contention
