"""Where skbp's fit time goes: an exclusive-time breakdown and cProfile.

cProfile alone cannot separate the matrix products from the rest: numpy
ufuncs (``np.matmul``, ``np.tanh``, in-place operators) are not Python
functions, so cProfile charges their time to the *calling* function
(``backward``'s own time mixes ``delta @ W.T`` with the L2 term). The
breakdown here therefore wraps, for the duration of one fit only, skbp's
own entry points and the numpy names its modules call:

* ``np.matmul`` / ``np.dot`` as seen by every ``skbp`` module -> ``matmul``
  (``_network._dot`` too; a bare ``a @ b`` operator would not be seen);
* each entry of ``ACTIVATIONS`` / ``DERIVATIVES`` -> ``activation: NAME`` /
  ``derivative: NAME``;
* each loss's ``value`` and ``output_delta``, and ``l2_penalty``;
* each optimizer's ``update_params``;
* ``np.take`` in ``_training`` (batch gather) and ``_end_epoch`` (the
  epoch shuffle, ``RandomState.shuffle`` in place, lands in the fit's own
  time);
* the *own* time of ``forward`` (bias add, Python), ``backward`` (L2 term
  and 1/n scaling of the gradients, Python), ``backprop``
  (glue) and of ``fit`` itself (validation, set-up, the
  batch loop's Python).

Time is exclusive: a wrapped call nested in another is charged to the
innermost one only. Hooks whose target no longer exists (skbp is being
optimised) are skipped and listed under ``missing_hooks``; whatever they
did lands in the caller's own time. Nothing in skbp is edited; every patch
is undone when the fit returns.
"""

import cProfile
import functools
import io
import pstats
import sys
import time
import types
from collections import defaultdict

import numpy as np

_MISSING = object()

# How the detailed categories roll up into the headline groups.
GROUPS = (
    ("matmul", ("matmul",)),
    ("activations", ("activation:", "derivative:")),
    ("loss", ("loss value:", "output delta", "l2 penalty value")),
    ("optimizer", ("optimizer update:",)),
    ("batch gather", ("batch gather",)),
    (
        "elementwise in forward/backward bodies + python",
        ("forward (own)", "backward (own)"),
    ),
    (
        "python glue, validation, epoch bookkeeping",
        ("backprop glue (own)", "fit (own)", "end of epoch"),
    ),
)


class ExclusiveTimer:
    """Accumulates exclusive (self) wall time per category."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)
        self._stack = []  # [category, start of the current own-time slice]

    def wrap(self, category, fn):
        seconds, calls, stack = self.seconds, self.calls, self._stack
        clock = time.perf_counter

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            now = clock()
            if stack:
                parent = stack[-1]
                seconds[parent[0]] += now - parent[1]
                if parent[0] != category:
                    calls[category] += 1
            else:
                calls[category] += 1
            frame = [category, now]
            stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                end = clock()
                stack.pop()
                seconds[category] += end - frame[1]
                if stack:
                    stack[-1][1] = end

        return timed


class _Patches:
    """setattr / setitem that remember how to undo themselves."""

    def __init__(self):
        self._undo = []
        self.installed = []
        self.missing = []

    def attr(self, obj, name, make, label):
        old = getattr(obj, name, _MISSING)
        if old is _MISSING:
            self.missing.append(label)
            return
        own = vars(obj).get(name, _MISSING) if hasattr(obj, "__dict__") else old
        setattr(obj, name, make(old))
        self._undo.append((obj, name, own))
        self.installed.append(label)

    def item(self, mapping, key, make, label):
        old = mapping[key]
        mapping[key] = make(old)
        self._undo.append((mapping, key, old))
        self.installed.append(label)

    def undo(self):
        for obj, name, old in reversed(self._undo):
            if isinstance(obj, dict):
                obj[name] = old
            elif old is _MISSING:
                delattr(obj, name)
            else:
                setattr(obj, name, old)
        self._undo.clear()


class _NumpyShim(types.ModuleType):
    """Stands in for ``numpy`` in one skbp module: a few names timed."""

    def __init__(self, timed):
        super().__init__("numpy")
        self.__dict__.update(timed)

    def __getattr__(self, name):
        return getattr(np, name)


def _install(timer, patches):
    import skbp._base as base
    import skbp._network as network
    import skbp._training as training

    wrap = timer.wrap
    for modname, mod in sorted(sys.modules.items()):
        if not modname.startswith("skbp") or getattr(mod, "np", None) is not np:
            continue
        timed = {"matmul": wrap("matmul", np.matmul), "dot": wrap("matmul", np.dot)}
        if mod is training:
            timed["take"] = wrap("batch gather", np.take)
        patches.attr(mod, "np", lambda old, t=timed: _NumpyShim(t), f"{modname}.np")

    patches.attr(network, "_dot", lambda f: wrap("matmul", f), "_network._dot")
    patches.attr(
        network, "forward", lambda f: wrap("forward (own)", f), "_network.forward"
    )
    patches.attr(
        network, "backward", lambda f: wrap("backward (own)", f), "_network.backward"
    )
    patches.attr(
        network,
        "backprop",
        lambda f: wrap("backprop glue (own)", f),
        "_network.backprop",
    )
    patches.attr(
        network,
        "l2_penalty",
        lambda f: wrap("l2 penalty value", f),
        "_network.l2_penalty",
    )
    patches.attr(
        base.BaseBackprop,
        "_end_epoch",
        lambda f: wrap("end of epoch", f),
        "BaseBackprop._end_epoch",
    )

    try:
        from skbp import _activations

        for table, kind in (
            (_activations.ACTIVATIONS, "activation"),
            (_activations.DERIVATIVES, "derivative"),
        ):
            for key in list(table):
                patches.item(
                    table,
                    key,
                    lambda f, c=f"{kind}: {key}": wrap(c, f),
                    f"{kind}s[{key!r}]",
                )
    except (ImportError, AttributeError):
        patches.missing.append("_activations tables")

    try:
        from skbp import _losses

        for key, loss in _losses.LOSSES.items():
            patches.attr(
                loss,
                "value",
                lambda f, c=f"loss value: {key}": wrap(c, f),
                f"LOSSES[{key!r}].value",
            )
            patches.attr(
                loss,
                "output_delta",
                lambda f: wrap("output delta", f),
                f"LOSSES[{key!r}].output_delta",
            )
    except (ImportError, AttributeError):
        patches.missing.append("_losses.LOSSES")

    try:
        from skbp._solvers import SOLVERS

        optimizers = dict.fromkeys(s.optimizer for s in SOLVERS.values())
        for cls in filter(None, optimizers):
            patches.attr(
                cls,
                "update_params",
                lambda f, c=f"optimizer update: {cls.__name__}": wrap(c, f),
                f"{cls.__name__}.update_params",
            )
    except ImportError:
        patches.missing.append("_solvers.SOLVERS")


def breakdown(make_estimator, X, y):
    """Fit once with every hook installed; exclusive seconds per category.

    ``make_estimator()`` must return a fresh, unfitted estimator.
    """
    timer = ExclusiveTimer()
    patches = _Patches()
    est = make_estimator()
    _install(timer, patches)
    try:
        timed_fit = timer.wrap("fit (own)", est.fit)
        t0 = time.perf_counter()
        timed_fit(X, y)
        wall = time.perf_counter() - t0
    finally:
        patches.undo()
    total = sum(timer.seconds.values())
    categories = {
        name: {
            "seconds": s,
            "fraction": s / wall,
            "calls": timer.calls[name],
        }
        for name, s in sorted(timer.seconds.items(), key=lambda kv: -kv[1])
    }
    groups = {}
    for group, prefixes in GROUPS:
        groups[group] = sum(
            s for name, s in timer.seconds.items() if name.startswith(prefixes)
        )
    known = {p for _, prefixes in GROUPS for p in prefixes}
    other = sum(
        s for name, s in timer.seconds.items() if not name.startswith(tuple(known))
    )
    if other:
        groups["other"] = other
    return {
        "wall_seconds": wall,
        "accounted_seconds": total,
        "categories": categories,
        "groups": {g: {"seconds": s, "fraction": s / wall} for g, s in groups.items()},
        "hooks_installed": patches.installed,
        "missing_hooks": patches.missing,
    }


def cprofile(make_estimator, X, y, path=None, top=25):
    """Fit once under cProfile; the top functions by own time (tottime)."""
    est = make_estimator()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    est.fit(X, y)
    prof.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    rows = []
    for (filename, line, func), (cc, nc, tt, ct, _) in stats.stats.items():
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({func})",
                "ncalls": nc,
                "primitive_calls": cc,
                "tottime": tt,
                "cumtime": ct,
                "tottime_fraction": tt / wall,
            }
        )
    rows.sort(key=lambda r: -r["tottime"])
    if path is not None:
        buf = io.StringIO()
        ps = pstats.Stats(prof, stream=buf)
        buf.write(f"wall time of fit under cProfile: {wall:.3f} s\n\n")
        ps.sort_stats("tottime").print_stats(40)
        ps.sort_stats("cumulative").print_stats(40)
        with open(path, "w") as f:
            f.write(buf.getvalue())
    return {"wall_seconds": wall, "top_tottime": rows[:top]}


def _short(filename):
    """A readable location: ``skbp/_network.py``, ``numpy/...``, or as given."""
    if "/skbp/" in filename:
        return "skbp/" + filename.rsplit("/skbp/", 1)[1]
    if "site-packages/" in filename:
        return filename.rsplit("site-packages/", 1)[1]
    return filename
