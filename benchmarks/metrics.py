"""From timings to numbers and verdicts: pure functions, no timing, no I/O.

Everything the report shows is computed here from what the timing loops
recorded, so it can be checked on hand-made inputs: the per-pair ratios and
their medians, the phase-normalised times, GEMM flops and the GEMM-bound
fraction, whether the two libraries' results agree, the per-config verdict
and the per-class targets, the flatness of time per sample over data sizes
and the memory bound.
"""

import itertools
import statistics

from benchmarks.schema import (
    ConfigResult,
    PredictResult,
    Reference,
    ScalingResult,
    ScalingRow,
    TargetVerdict,
)

LOSS_RTOL = 0.01  # final training losses must agree within 1 %
ACC_ATOL = 0.01  # and training accuracies within 1 percentage point
SCALING_FLAT = 1.25  # per-sample time: max / min over sizes
MEMORY_BASE = 64 * 2**20  # fit may use X + 64 MiB + MEMORY_WEIGHTS x weights
MEMORY_WEIGHTS = 10

# Targets, per CPU class (see run.py's docstring).
TARGET_RATIO = 1.3  # fit, sklearn / skbp, on every config
TARGET_RATIO_MEDIAN = 1.5  # fit, median over the configs
TARGET_RATIO_FLOOR = 1.0  # fit, every single pair
TARGET_GEMM_FRACTION = 0.65  # gemm / skbp, medium configs
TARGET_PREDICT = 1.5  # predict rows/s, skbp / sklearn


# ----------------------------------------------------------------------
# Small pieces
def median(xs):
    return statistics.median(xs) if xs else None


def rel_diff(a, b):
    """|a - b| relative to b (absolute where b is 0)."""
    return abs(a - b) / abs(b) if b else abs(a - b)


def per_pair(numerators, denominators):
    """Ratios within each pair: both runs saw the same phase of the machine."""
    return [a / b for a, b in zip(numerators, denominators)]


def normalise(times, references, reference_median):
    """Each time divided by the reference workload timed around it, in units
    of the median reference: the machine's phase divided out."""
    return [t / r * reference_median for t, r in zip(times, references)]


def spread(values):
    """max / min: 1.0 is perfectly flat."""
    return max(values) / min(values)


def gemm_flops(layer_units, n_samples, epochs):
    """Flops of the forward, backward and gradient products of training."""
    pairs = [a * b for a, b in itertools.pairwise(layer_units)]
    # forward and gradient products for every layer; delta @ W.T for all but
    # the first layer (the input needs no delta).
    return 2.0 * n_samples * epochs * (3 * sum(pairs) - pairs[0])


def gflops(flops, seconds):
    return flops / seconds / 1e9


def mib(nbytes):
    return "n/a" if nbytes is None else f"{nbytes / 2**20:.1f}"


def verdict_word(ok):
    return {True: "PASS", False: "MISS", None: "n/a"}[ok]


def is_medium(name):
    return name.startswith("medium-")


# ----------------------------------------------------------------------
# One fit configuration
def agree(n_iter, epochs, loss_rel_diff_max, accuracy_abs_diff, dtypes, dtype):
    """Whether both libraries did the same work with the same result."""
    return bool(
        n_iter["skbp"] == n_iter["sklearn"] == epochs
        and loss_rel_diff_max <= LOSS_RTOL
        and accuracy_abs_diff <= ACC_ATOL
        and dtypes["skbp"] == dtypes["sklearn"] == dtype
    )


def _same_or_all(values):
    return values[0] if len(set(values)) == 1 else values


def summarise_fit(
    cfg,
    layer_units,
    members,
    accepted,
    discarded,
    *,
    n_rows,
    reference_epochs,
    accuracy,
    dtypes,
    torch_tried=False,
    torch_error=None,
    loadavg_end=None,
):
    """A :class:`ConfigResult` from the accepted pairs of one config.

    ``members`` are the names timed in every accepted pair, in their order
    (skbp, sklearn, torch if it ran, gemm); each pair's ``runs[name]`` holds
    ``time`` and ``reference``, and the fits also ``loss``, ``first_loss``
    and ``n_iter``. ``accuracy`` and ``dtypes`` come from the fitted
    estimators of the last accepted pair.
    """
    runs = [p.runs for p in accepted]
    times = {k: [r[k]["time"] for r in runs] for k in members}
    ref_median = median([r[k]["reference"] for r in runs for k in members])
    normalised = {
        k: normalise(times[k], [r[k]["reference"] for r in runs], ref_median)
        for k in members
    }
    final_loss = {
        k: [r[k]["loss"] for r in runs]
        for k in ("skbp", "sklearn", "torch")
        if k in members
    }
    first_loss = {k: [r[k]["first_loss"] for r in runs] for k in ("skbp", "sklearn")}
    n_iter = {
        k: _same_or_all([r[k]["n_iter"] for r in runs]) for k in ("skbp", "sklearn")
    }

    medians = {k: median(v) for k, v in times.items()}
    ratios = per_pair(times["sklearn"], times["skbp"])
    gemm_fractions = per_pair(times["gemm"], times["skbp"])
    ratios_normalised = per_pair(normalised["sklearn"], normalised["skbp"])
    loss_rel = [
        rel_diff(a, b) for a, b in zip(final_loss["skbp"], final_loss["sklearn"])
    ]
    first_rel = [
        rel_diff(a, b) for a, b in zip(first_loss["skbp"], first_loss["sklearn"])
    ]
    accuracy_diff = abs(accuracy["skbp"] - accuracy["sklearn"])
    flops = gemm_flops(layer_units, n_rows, cfg.epochs)
    torch_rel = None
    if torch_tried and final_loss.get("torch"):
        torch_rel = rel_diff(median(final_loss["torch"]), median(final_loss["sklearn"]))
    return ConfigResult(
        config=cfg,
        loadavg_end=loadavg_end,
        n_pairs=len(accepted),
        layer_units=list(layer_units),
        times=times,
        median=medians,
        ratios=ratios,
        ratio_median=median(ratios),
        ratio_of_medians=medians["sklearn"] / medians["skbp"],
        ratio_of_mins=min(times["sklearn"]) / min(times["skbp"]),
        min={k: min(v) for k, v in times.items()},
        gemm_fractions=gemm_fractions,
        gemm_fraction=median(gemm_fractions),
        gemm_fraction_of_medians=medians["gemm"] / medians["skbp"],
        reference=Reference(epochs=reference_epochs, median=ref_median),
        median_normalised={k: median(v) for k, v in normalised.items()},
        ratios_normalised=ratios_normalised,
        ratio_normalised_median=median(ratios_normalised),
        gemm_fraction_normalised=median(
            per_pair(normalised["gemm"], normalised["skbp"])
        ),
        gemm_fraction_sklearn=medians["gemm"] / medians["sklearn"],
        gemm_gflops=gflops(flops, medians["gemm"]),
        effective_gflops={
            k: gflops(flops, medians[k])
            for k in ("skbp", "sklearn", "torch")
            if medians.get(k)
        },
        n_iter=n_iter,
        contention=[p.contention for p in accepted],
        disturbed_pairs=sum(p.disturbed for p in accepted),
        discarded_pairs=[p.to_dict() for p in discarded],
        dtype_of_coefs=dtypes,
        final_loss={k: median(v) for k, v in final_loss.items() if v},
        final_loss_rel_diff_max=max(loss_rel),
        first_epoch_loss_rel_diff_max=max(first_rel),
        train_accuracy=accuracy,
        accuracy_abs_diff=accuracy_diff,
        torch_tried=torch_tried,
        torch_error=torch_error,
        torch_final_loss_rel_diff=torch_rel,
        agree=agree(
            n_iter, cfg.epochs, max(loss_rel), accuracy_diff, dtypes, cfg.dtype
        ),
    )


def predict_result(n_rows, times, contention):
    """Predict throughput: rows over the median seconds, skbp / sklearn."""
    rows = {k: n_rows / median(v) for k, v in times.items()}
    return PredictResult(
        n_rows=n_rows,
        times=times,
        rows_per_second=rows,
        ratio=rows["skbp"] / rows["sklearn"],
        contention=contention,
    )


def probe_costs(best_1_epoch, best_2_epochs, n_batches):
    """Per-epoch, set-up and per-batch cost from a 1- and a 2-epoch fit.

    Both are differences of timings, which noise can make negative: they
    are clamped at 0.
    """
    epoch = max(best_2_epochs - best_1_epoch, 0.0)
    return {
        "seconds_per_epoch": epoch,
        "setup_seconds": max(best_1_epoch - epoch, 0.0),
        "per_batch_us": 1e6 * epoch / n_batches,
    }


def dispatch_overhead(probe, epochs):
    """skbp's per-batch dispatch cost over a fit of ``epochs``, plus set-up."""
    n_batches = probe["n_batches_per_epoch"] * epochs
    skbp = probe["skbp"]
    return skbp["per_batch_us"] * 1e-6 * n_batches + skbp["setup_seconds"]


def config_verdict(name, r):
    """``PASS``, or ``MISS`` and which per-config targets were missed."""
    misses = []
    if r.ratio_median < TARGET_RATIO:
        misses.append(f"ratio<{TARGET_RATIO}")
    if min(r.ratios) < TARGET_RATIO_FLOOR:
        misses.append(f"pair<{TARGET_RATIO_FLOOR}")
    if is_medium(name) and r.gemm_fraction < TARGET_GEMM_FRACTION:
        misses.append(f"gemm<{TARGET_GEMM_FRACTION}")
    if not r.agree:
        misses.append("results differ")
    return "MISS: " + " ".join(misses) if misses else "PASS"


# ----------------------------------------------------------------------
# Scaling and memory
def memory_limit(weights_nbytes):
    """The most a fit may use beyond X."""
    return MEMORY_BASE + MEMORY_WEIGHTS * weights_nbytes


def memory_within(peak_extra, limit):
    """None where the peak could not be measured."""
    return None if peak_extra is None else bool(peak_extra <= limit)


def us_per_sample_epoch(seconds, n_samples, epochs):
    return 1e6 * seconds / (n_samples * epochs)


def scaling_row(memory, *, epochs, times, references, reference_median, **counts):
    """One size's :class:`ScalingRow`: the memory worker's record ``memory``,
    the fit ``times`` and the ``references`` timed around them; ``counts``
    are ``contention``, ``fits_redone`` and ``fits_kept_disturbed``."""
    n = memory["n_samples"]
    limit = memory_limit(memory["weights_nbytes"])
    normalised = normalise(times, references, reference_median)
    return ScalingRow(
        **{**memory, "epochs": epochs},
        memory_limit_extra=limit,
        memory_ok=memory_within(memory["peak_extra_rss"], limit),
        times=times,
        **counts,
        median=median(times),
        min=min(times),
        us_per_sample_epoch=us_per_sample_epoch(median(times), n, epochs),
        us_per_sample_epoch_min=us_per_sample_epoch(min(times), n, epochs),
        reference_times=references,
        us_per_sample_epoch_normalised=us_per_sample_epoch(
            median(normalised), n, epochs
        ),
    )


def scaling_result(spec, rows, reference_median):
    """Flatness of time per sample over the sizes, and the memory bound."""
    normalised = spread([r.us_per_sample_epoch_normalised for r in rows])
    return ScalingResult(
        spec=spec,
        rows=rows,
        reference_median=reference_median,
        per_sample_spread=spread([r.us_per_sample_epoch for r in rows]),
        per_sample_spread_min=spread([r.us_per_sample_epoch_min for r in rows]),
        per_sample_spread_normalised=normalised,
        flat_target=SCALING_FLAT,
        # judged on the phase-normalised times (see reference_times)
        flat_ok=bool(normalised <= SCALING_FLAT),
        memory_rule=f"peak_extra_rss <= {MEMORY_BASE // 2**20} MiB + "
        f"{MEMORY_WEIGHTS} x weights",
        memory_ok=all(r.memory_ok for r in rows if r.memory_ok is not None),
    )


# ----------------------------------------------------------------------
# The targets of one CPU class
def _lowest(values):
    name = min(values, key=values.get)
    return name, values[name]


def evaluate_targets(result):
    """The targets of run.py's docstring for one :class:`ClassResult`.

    ``ok`` is None where this run measured nothing to judge (e.g. ``--only``,
    or no scaling in the class).
    """
    out = []

    def add(target, ok, detail):
        out.append(TargetVerdict(target=target, ok=ok, detail=detail))

    configs = result.configs
    if configs:
        ratio = {n: r.ratio_median for n, r in configs.items()}
        low, value = _lowest(ratio)
        add(
            f"fit ratio >= {TARGET_RATIO} on every config",
            all(v >= TARGET_RATIO for v in ratio.values()),
            f"lowest {value:.2f} ({low})",
        )
        med = statistics.median(ratio.values())
        add(
            f"fit ratio, median over configs >= {TARGET_RATIO_MEDIAN}",
            med >= TARGET_RATIO_MEDIAN,
            f"{med:.2f} over {len(ratio)} config{'s' if len(ratio) > 1 else ''}",
        )
        low, value = _lowest({n: min(r.ratios) for n, r in configs.items()})
        add(
            f"fit ratio never < {TARGET_RATIO_FLOOR} (every pair)",
            value >= TARGET_RATIO_FLOOR,
            f"lowest pair {value:.2f} ({low})",
        )
        target = f"gemm/skbp >= {TARGET_GEMM_FRACTION} on medium configs"
        gemm = {n: r.gemm_fraction for n, r in configs.items() if is_medium(n)}
        if gemm:
            low, value = _lowest(gemm)
            add(target, value >= TARGET_GEMM_FRACTION, f"lowest {value:.2f} ({low})")
        else:
            add(target, None, "")
        target = f"predict >= {TARGET_PREDICT}x MLPClassifier's rows/s"
        pred = {n: r.predict.ratio for n, r in configs.items() if r.predict}
        if pred:
            low, value = _lowest(pred)
            add(target, value >= TARGET_PREDICT, f"lowest {value:.2f} ({low})")
        else:
            add(target, None, "")
    else:
        add("fit and predict targets", None, "no fit config run")
    sc = result.scaling
    flat = f"scaling: time per sample flat within {100 * (SCALING_FLAT - 1):.0f}%"
    memory = f"memory: X + {MEMORY_BASE // 2**20} MiB + {MEMORY_WEIGHTS} x weights"
    if sc:
        add(
            flat,
            sc.flat_ok,
            f"max/min {sc.per_sample_spread_normalised:.2f} (phase-normalised)",
        )
        peaks = [r.peak_extra_rss for r in sc.rows if r.peak_extra_rss]
        add(
            memory,
            sc.memory_ok,
            f"largest peak beyond X {mib(max(peaks) if peaks else None)} MiB",
        )
    else:
        why = result.meta.scaling_skipped or "not in this run (--only)"
        add(flat, None, why)
        add(memory, None, why)
    return out
