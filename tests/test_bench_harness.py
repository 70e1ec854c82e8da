"""The benchmark's harness without timing anything: the paired loop with
fake members and a fake contention meter, the retry budget, the CPU-class
environments and the config selection."""

import contextlib
import io
import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _common, configs, machine, pairing
from benchmarks.pairing import RetryBudget, Run, Unavailable
from benchmarks.schema import ClassCheck, NumpyDispatch

KERNEL_VARS = ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


class Recorder:
    """Fake members and a fake reference workload that log their calls; the
    reference returns 1, 2, 3, ... so that each recorded reference (the mean
    of the calls around a run) tells which calls bracketed it."""

    def __init__(self):
        self.calls = []
        self._clock = itertools.count(1)

    def reference(self):
        self.calls.append("ref")
        return float(next(self._clock))

    def member(self, name, seconds, fail_from=None):
        runs = itertools.count(1)

        def run():
            self.calls.append(name)
            if fail_from is not None and next(runs) >= fail_from:
                raise Unavailable(f"{name} broke")
            return Run(seconds, {"value": name}, keep=f"fitted {name}")

        return run

    def members(self):
        return [c for c in self.calls if c != "ref"]


def _fake_meter(loads):
    """A CpuMeter whose blocks see ``loads`` (others' share) in turn."""
    loads = list(loads)

    class Meter:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.contention, self.wall = loads.pop(0), 2.0
            return False

        def disturbed(self, limit):
            return self.contention > limit

    return Meter


def test_pairs_alternate_abba_and_are_bracketed_by_the_reference(monkeypatch):
    monkeypatch.setattr(_common, "CpuMeter", _fake_meter([0.0] * 3))
    rec = Recorder()
    members = {n: rec.member(n, t) for n, t in (("a", 1.0), ("b", 2.0), ("c", 3.0))}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        paired = pairing.run_pairs(
            members, 3, rec.reference, RetryBudget(0), wait=False
        )
    assert rec.members() == ["a", "b", "c", "c", "b", "a", "a", "b", "c"]
    assert rec.calls[:6] == ["ref", "a", "ref", "ref", "b", "ref"]
    first, second, _ = paired.accepted
    assert first.runs == {
        "a": {"time": 1.0, "value": "a", "reference": 1.5},
        "b": {"time": 2.0, "value": "b", "reference": 3.5},
        "c": {"time": 3.0, "value": "c", "reference": 5.5},
    }
    assert list(second.runs) == ["c", "b", "a"]
    assert second.runs["c"]["reference"] == 7.5
    assert paired.accepted[-1].kept == {n: f"fitted {n}" for n in "abc"}
    assert paired.discarded == [] and paired.dropped == {}
    assert "  pair 2/3: c 3.000s, b 2.000s, a 1.000s\n" in out.getvalue()


def test_disturbed_pairs_are_redone_while_the_budget_lasts(monkeypatch):
    # others' load per pair attempt; above CONTENTION_LIMIT (0.1) disturbs
    monkeypatch.setattr(_common, "CpuMeter", _fake_meter([0.5, 0.0, 0.5, 0.5]))
    rec = Recorder()
    members = {"a": rec.member("a", 1.0), "b": rec.member("b", 2.0)}
    budget = RetryBudget(3.0)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        paired = pairing.run_pairs(members, 2, rec.reference, budget, wait=False)
    # Attempt 1 redone (budget 3 -> 1), attempt 3 redone (1 -> -1), attempt
    # 4 disturbed too but kept: the budget is spent.
    assert budget.spent == 4.0 and not budget.can_redo()
    assert len(paired.discarded) == 2
    assert [p.disturbed for p in paired.accepted] == [False, True]
    assert [p.contention for p in paired.accepted] == [0.0, 0.5]
    # A redone pair runs in the order of the pair it replaces.
    assert rec.members() == ["a", "b", "a", "b", "b", "a", "b", "a"]
    assert out.getvalue().count("DISCARDED (other processes used 50% of") == 2
    assert "  pair 2/2: b 2.000s, a 1.000s (others: 50%)" in out.getvalue()


def test_no_redo_beyond_max_redos(monkeypatch):
    monkeypatch.setattr(_common, "CpuMeter", _fake_meter([0.5, 0.5]))
    rec = Recorder()
    paired = pairing.run_pairs(
        {"a": rec.member("a", 1.0)},
        2,
        rec.reference,
        RetryBudget(100.0),
        wait=False,
        max_redos=0,
    )
    assert paired.discarded == []
    assert [p.disturbed for p in paired.accepted] == [True, True]


def test_a_member_that_breaks_is_dropped_from_every_pair(monkeypatch):
    monkeypatch.setattr(_common, "CpuMeter", _fake_meter([0.0] * 3))
    rec = Recorder()
    members = {
        "a": rec.member("a", 1.0),
        "t": rec.member("t", 5.0, fail_from=2),
        "g": rec.member("g", 0.5),
    }
    paired = pairing.run_pairs(members, 3, rec.reference, RetryBudget(0), wait=False)
    # pair 2 (reversed) fails on t, after which g is not skipped
    assert rec.members() == ["a", "t", "g", "g", "t", "a", "a", "g"]
    assert paired.dropped == {"t": "t broke"}
    runs = [list(p.runs) for p in paired.accepted]
    assert runs == [["a", "g"], ["g", "a"], ["a", "g"]]
    assert all("t" not in p.kept for p in paired.accepted)


def test_alternate():
    calls = []

    def task(name, seconds):
        def run():
            calls.append(name)
            return seconds

        return run

    times, _ = pairing.alternate({"x": task("x", 0.1), "y": task("y", 0.2)}, 3)
    assert calls == ["x", "y", "y", "x", "x", "y"]
    assert times == {"x": [0.1] * 3, "y": [0.2] * 3}


def test_retry_budget(monkeypatch):
    waits = []

    def wait_for_idle(max_wait, window):
        waits.append(max_wait)
        return 2.0

    monkeypatch.setattr(_common, "wait_for_idle", wait_for_idle)
    budget = RetryBudget(40.0)
    budget.wait_for_idle(window=0.5)
    # only the waiting beyond the quiet window itself is charged
    assert budget.spent == 1.5 and budget.left == 38.5
    assert waits == [30.0]  # one wait never exceeds 30 s
    budget.charge(38.0)
    assert budget.can_redo()
    budget.wait_for_idle()
    assert waits == [30.0, 0.5]  # nor what is left
    assert budget.left == -1.0 and not budget.can_redo()
    budget.wait_for_idle()  # spent: no more waiting
    assert len(waits) == 2


# ----------------------------------------------------------------------
# CPU classes
def test_class_env():
    environ = {
        "PATH": "/bin",
        "OPENBLAS_CORETYPE": "Sandybridge",
        "OPENBLAS_L2_SIZE": "1",
    }
    native = machine.class_env("native", environ)
    assert native == {"PATH": "/bin"}
    avx2 = machine.class_env("avx2", environ)
    assert avx2 == {
        "PATH": "/bin",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Haswell",
    }
    assert environ["OPENBLAS_CORETYPE"] == "Sandybridge"  # not changed
    assert machine.in_class_env("avx2", avx2) and not machine.in_class_env(
        "native", avx2
    )
    assert machine.in_class_env("native", native)
    assert not machine.in_class_env("native", environ)


def test_env_text():
    assert machine.env_text("native") == (
        "unset: NPY_DISABLE_CPU_FEATURES OPENBLAS_CORETYPE OPENBLAS_L2_SIZE"
    )
    assert machine.env_text("avx2") == (
        "NPY_DISABLE_CPU_FEATURES='X86_V4 AVX512_ICL AVX512_SPR' "
        "OPENBLAS_CORETYPE='Haswell', unset: OPENBLAS_L2_SIZE"
    )


def _dispatch(v4):
    enabled = {"X86_V4": v4, "X86_V3": True, "AVX512_SKX": v4, "AVX2": True}
    return NumpyDispatch(
        level="x86-64-v4" if v4 else "x86-64-v3",
        enabled=enabled,
        cpu_dispatch=None,
        cpu_baseline=None,
    )


def test_class_check():
    avx2_env = machine.class_env("avx2", {})
    ok = machine.class_check("avx2", _dispatch(False), "Haswell", avx2_env)
    assert ok == ClassCheck(ok=True, problems=[])
    bad = machine.class_check("avx2", _dispatch(True), "SkylakeX", {})
    assert bad.problems == [
        "numpy still dispatches to its X86_V4 (AVX-512) loops",
        "numpy's OpenBLAS runs the SkylakeX kernel, not Haswell",
        "kernel variables {}, expected "
        "{'NPY_DISABLE_CPU_FEATURES': 'X86_V4 AVX512_ICL AVX512_SPR', "
        "'OPENBLAS_CORETYPE': 'Haswell'}",
    ]
    # native: whatever the kernels, only inherited variables are a problem
    assert machine.class_check("native", _dispatch(True), "SkylakeX", {}).ok
    forced = machine.class_check("native", _dispatch(True), "Haswell", avx2_env)
    assert not forced.ok and len(forced.problems) == 1


# ----------------------------------------------------------------------
# Which configs run
@pytest.mark.parametrize(
    ("name", "only", "selected"),
    [
        ("medium-f32-adam", "medium", True),
        ("medium-f32-adam", "medium-", True),
        ("medium-f32-adam", "medium-f32", True),
        ("medium-f32-adam", "medium-f32-adam", True),
        ("medium-f32-adam", "med", False),
        ("medium-f32-adam", "medium-f3", False),
        ("scaling", "scaling", True),
    ],
)
def test_matches(name, only, selected):
    assert configs.matches(name, only) is selected


def test_wanted():
    assert configs.wanted("large-adam", None) and configs.wanted("large-adam", [])
    assert configs.wanted("large-adam", ["small", "large"])
    assert not configs.wanted("large-adam", ["small"])


def test_quick_configs_are_the_full_ones_smaller():
    full, quick = configs.fit_configs(False), configs.fit_configs(True)
    assert [c.name for c in quick] == [c.name for c in full]
    assert configs.names() == [c.name for c in full] + ["scaling"]
    for f, q in zip(full, quick):
        assert (q.solver, q.dtype, q.predict, q.profile) == (
            f.solver,
            f.dtype,
            f.predict,
            f.profile,
        )
        assert q.n_samples * q.epochs <= f.n_samples * f.epochs
    assert configs.Config.from_dict(full[0].to_dict()) == full[0]
