"""The benchmark's metrics on hand-made inputs: nothing here is timed.

Every expected value is worked out by hand in the test (or counted
independently), not by calling the function under test a second way.
"""

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import metrics
from benchmarks.configs import Config, ScalingSpec
from benchmarks.pairing import Pair
from benchmarks.schema import ClassResult, Meta, PredictResult

approx = pytest.approx


def _config(name="small-x", **kwargs):
    fields = {
        "data": "digits",
        "n_samples": 100,
        "n_features": 4,
        "n_classes": 3,
        "hidden": (5,),
        "solver": "sgd",
        "batch_size": 10,
        "epochs": 2,
        "dtype": "float64",
        "learning_rate_init": 0.01,
    }
    return Config(name, **{**fields, **kwargs})


def _fit(time, ref, loss=0.5, first=0.9, n_iter=2):
    return {
        "time": time,
        "loss": loss,
        "first_loss": first,
        "n_iter": n_iter,
        "reference": ref,
    }


# Three pairs. In pair 2 the machine was twice as slow while skbp and the
# GEMM bound ran (reference 0.2) as while sklearn ran (0.1).
SKBP = [1.0, 2.0, 1.2]
SKLEARN = [2.2, 3.0, 1.8]
GEMM = [0.5, 0.9, 0.3]
REFS = {"skbp": [0.1, 0.2, 0.1], "sklearn": [0.1, 0.1, 0.1], "gemm": [0.1, 0.2, 0.1]}
SKLEARN_LOSS = [0.5, 0.5, 0.505]


def _pairs(skbp=SKBP, sklearn=SKLEARN, gemm=GEMM):
    return [
        Pair(
            runs={
                "skbp": _fit(skbp[i], REFS["skbp"][i]),
                "sklearn": _fit(sklearn[i], REFS["sklearn"][i], SKLEARN_LOSS[i]),
                "gemm": {"time": gemm[i], "reference": REFS["gemm"][i]},
            },
            kept={},
            contention=[0.01, 0.3, 0.02][i],
            disturbed=i == 1,
        )
        for i in range(3)
    ]


def _summary(cfg=None, pairs=None, discarded=(), accuracy=None, dtypes=None):
    cfg = cfg or _config()
    return metrics.summarise_fit(
        cfg,
        [cfg.n_features, *cfg.hidden, cfg.n_classes],
        ["skbp", "sklearn", "gemm"],
        pairs or _pairs(),
        list(discarded),
        n_rows=cfg.n_samples,
        reference_epochs=7,
        accuracy=accuracy or {"skbp": 0.9, "sklearn": 0.895},
        dtypes=dtypes or {"skbp": "float64", "sklearn": "float64"},
    )


# ----------------------------------------------------------------------
# Small pieces
def test_median_and_rel_diff():
    assert metrics.median([3.0, 1.0, 2.0]) == 2.0
    assert metrics.median([1.0, 10.0, 3.0, 2.0]) == 2.5
    assert metrics.median([]) is None
    assert metrics.rel_diff(1.1, 1.0) == approx(0.1)
    assert metrics.rel_diff(0.9, -1.0) == approx(1.9)
    # relative to nothing: the absolute difference
    assert metrics.rel_diff(0.25, 0.0) == 0.25


def test_normalise_divides_the_phase_out():
    # The same work timed in a phase twice as slow (reference 0.2 vs 0.1).
    assert metrics.normalise([1.0, 2.0], [0.1, 0.2], 0.1) == approx([1.0, 1.0])
    assert metrics.normalise([3.0], [0.3], 0.1) == approx([1.0])


def test_spread():
    assert metrics.spread([2.0, 1.0, 1.6]) == 2.0
    assert metrics.spread([5.0]) == 1.0


def _counted_gemm_flops(layer_units, n_samples, batch_size, epochs):
    """2 m k n per (m x k) @ (k x n) product, product by product."""
    flops = 0
    weights = [
        (layer_units[i], layer_units[i + 1]) for i in range(len(layer_units) - 1)
    ]
    for _ in range(epochs):
        for start in range(0, n_samples, batch_size):
            m = min(batch_size, n_samples - start)
            for k, n in weights:
                flops += 2 * m * k * n  # forward a @ W
                flops += 2 * k * m * n  # gradient a.T @ delta
            for k, n in weights[1:]:
                flops += 2 * m * n * k  # delta @ W.T, not into the input
    return flops


@pytest.mark.parametrize(
    ("layer_units", "n_samples", "batch_size", "epochs"),
    [([4, 5, 3], 100, 10, 2), ([7, 6, 5, 2], 23, 5, 3), ([3, 2], 9, 4, 1)],
)
def test_gemm_flops_matches_a_count_of_the_products(
    layer_units, n_samples, batch_size, epochs
):
    expected = _counted_gemm_flops(layer_units, n_samples, batch_size, epochs)
    assert metrics.gemm_flops(layer_units, n_samples, epochs) == expected


def test_gemm_flops_by_hand():
    # 4-5-3, per sample: forward 20 + 15, gradients 20 + 15, and one
    # backward product 15 multiply-adds = 85, i.e. 170 flops.
    assert metrics.gemm_flops([4, 5, 3], 100, 2) == 170 * 100 * 2
    assert metrics.gflops(34_000, 0.5) == approx(6.8e-5)


def test_probe_costs():
    costs = metrics.probe_costs(0.3, 0.5, n_batches=4)
    assert costs["seconds_per_epoch"] == approx(0.2)
    assert costs["setup_seconds"] == approx(0.1)
    assert costs["per_batch_us"] == approx(50_000)


def test_probe_costs_clamps_noise():
    # A 2-epoch fit timed faster than a 1-epoch fit: noise, not a negative
    # cost. The epoch is free and the whole 1-epoch fit is set-up.
    costs = metrics.probe_costs(0.3, 0.25, n_batches=4)
    assert costs == {"seconds_per_epoch": 0.0, "setup_seconds": 0.3, "per_batch_us": 0}


def test_dispatch_overhead():
    probe = {
        "n_batches_per_epoch": 4,
        "skbp": {"per_batch_us": 50_000.0, "setup_seconds": 0.1},
        "sklearn": {"per_batch_us": 1.0, "setup_seconds": 9.0},
    }
    # 3 epochs x 4 batches x 50 ms + 0.1 s of set-up; sklearn's is ignored.
    assert metrics.dispatch_overhead(probe, epochs=3) == approx(0.7)


# ----------------------------------------------------------------------
# One config from its pairs
def test_summarise_fit_ratios():
    r = _summary()
    assert r.n_pairs == 3
    assert r.times == {"skbp": SKBP, "sklearn": SKLEARN, "gemm": GEMM}
    assert r.ratios == approx([2.2, 1.5, 1.5])
    assert r.ratio_median == approx(1.5)
    # the median of the ratios, not the ratio of the medians (2.2 / 1.2) or
    # of the minima (1.8 / 1.0)
    assert r.ratio_of_medians == approx(2.2 / 1.2)
    assert r.ratio_of_mins == approx(1.8)
    assert r.median == approx({"skbp": 1.2, "sklearn": 2.2, "gemm": 0.5})
    assert r.min == {"skbp": 1.0, "sklearn": 1.8, "gemm": 0.3}


def test_summarise_fit_gemm_fraction():
    r = _summary()
    assert r.gemm_fractions == approx([0.5, 0.45, 0.25])
    assert r.gemm_fraction == approx(0.45)
    assert r.gemm_fraction_of_medians == approx(0.5 / 1.2)
    assert r.gemm_fraction_sklearn == approx(0.5 / 2.2)
    flops = 170 * 100 * 2
    assert r.gemm_gflops == approx(flops / 0.5 / 1e9)
    assert r.effective_gflops == approx(
        {"skbp": flops / 1.2 / 1e9, "sklearn": flops / 2.2 / 1e9}
    )


def test_summarise_fit_phase_normalised():
    r = _summary()
    # Seven references of 0.1 and two of 0.2: the median is 0.1, and pair
    # 2's skbp and gemm times are halved.
    assert r.reference.median == approx(0.1)
    assert r.reference.epochs == 7
    assert r.median_normalised == approx({"skbp": 1.0, "sklearn": 2.2, "gemm": 0.45})
    assert r.ratios_normalised == approx([2.2, 3.0, 1.5])
    assert r.ratio_normalised_median == approx(2.2)
    assert r.gemm_fraction_normalised == approx(0.45)


def test_summarise_fit_agreement_and_bookkeeping():
    discarded = Pair({"skbp": {"time": 9.0, "reference": 0.1}}, {"skbp": "est"}, 0.5)
    r = _summary(discarded=[discarded])
    assert r.n_pairs == 3  # accepted pairs only
    assert r.final_loss == approx({"skbp": 0.5, "sklearn": 0.5})
    assert r.final_loss_rel_diff_max == approx(0.005 / 0.505)
    assert r.first_epoch_loss_rel_diff_max == 0.0
    assert r.accuracy_abs_diff == approx(0.005)
    assert r.n_iter == {"skbp": 2, "sklearn": 2}
    assert r.agree is True
    assert r.contention == [0.01, 0.3, 0.02]
    assert r.disturbed_pairs == 1
    # A discarded pair is recorded as timed, without what it kept.
    assert r.discarded_pairs == [
        {"skbp": {"time": 9.0, "reference": 0.1}, "contention": 0.5}
    ]


def test_n_iter_disagreeing_between_pairs_is_kept_per_pair():
    pairs = _pairs()
    pairs[2].runs["skbp"]["n_iter"] = 3
    r = _summary(pairs=pairs)
    assert r.n_iter == {"skbp": [2, 2, 3], "sklearn": 2}
    assert r.agree is False


@pytest.mark.parametrize(
    ("loss_rel", "acc_diff", "dtype", "ok"),
    [
        (0.01, 0.01, "float32", True),  # both tolerances are inclusive
        (0.0101, 0.0, "float32", False),
        (0.0, 0.0101, "float32", False),
        (0.0, 0.0, "float64", False),  # computed in another dtype
    ],
)
def test_agree_thresholds(loss_rel, acc_diff, dtype, ok):
    n_iter = {"skbp": 2, "sklearn": 2}
    dtypes = {"skbp": dtype, "sklearn": dtype}
    assert metrics.agree(n_iter, 2, loss_rel, acc_diff, dtypes, "float32") is ok
    # the wrong number of epochs fails whatever the rest
    assert metrics.agree(n_iter, 3, loss_rel, acc_diff, dtypes, "float32") is False


def test_predict_result():
    p = metrics.predict_result(1000, {"skbp": [0.1, 0.3, 0.2], "sklearn": [0.5]}, None)
    assert p.rows_per_second == approx({"skbp": 5000.0, "sklearn": 2000.0})
    assert p.ratio == approx(2.5)


# ----------------------------------------------------------------------
# Verdicts and targets
def _result(name="small-x", ratios=(1.5, 1.5, 1.5), gemm=0.9, agree=True, **kw):
    r = _summary(cfg=_config(name))
    return dataclasses.replace(
        r,
        ratios=list(ratios),
        ratio_median=metrics.median(list(ratios)),
        gemm_fraction=gemm,
        agree=agree,
        **kw,
    )


@pytest.mark.parametrize(
    ("ratios", "verdict"),
    [
        ((1.3, 1.3, 1.3), "PASS"),  # at the threshold
        ((1.2999, 1.3, 1.3), "PASS"),  # one low pair, median still 1.3
        ((1.2999, 1.2999, 1.4), "MISS: ratio<1.3"),
        ((1.0, 1.5, 1.6), "PASS"),  # a pair at the floor
        ((0.9999, 1.5, 1.6), "MISS: pair<1.0"),
        ((0.9, 1.1, 1.2), "MISS: ratio<1.3 pair<1.0"),
    ],
)
def test_config_verdict_ratio_thresholds(ratios, verdict):
    assert metrics.config_verdict("small-x", _result(ratios=ratios)) == verdict


def test_config_verdict_gemm_only_on_medium_and_agreement():
    at, below = _result("medium-a", gemm=0.65), _result("medium-a", gemm=0.6499)
    assert metrics.config_verdict("medium-a", at) == "PASS"
    assert metrics.config_verdict("medium-a", below) == "MISS: gemm<0.65"
    assert metrics.config_verdict("large-a", _result("large-a", gemm=0.1)) == "PASS"
    differ = _result(agree=False, ratios=(1.0, 1.0, 1.0))
    assert metrics.config_verdict("small-x", differ) == "MISS: ratio<1.3 results differ"


def _meta(scaling_skipped=None):
    # The targets read nothing of the machine but why scaling was skipped.
    names = [f.name for f in dataclasses.fields(Meta)]
    return Meta(**{**dict.fromkeys(names), "scaling_skipped": scaling_skipped})


def _class(configs, scaling=None, scaling_skipped=None):
    return ClassResult(
        meta=_meta(scaling_skipped), configs=configs, scaling=scaling, targets=[]
    )


def _verdicts(result):
    return [(t.target, t.ok, t.detail) for t in metrics.evaluate_targets(result)]


def test_targets_on_fit_configs():
    configs = {
        "small-a": _result("small-a", ratios=(1.4, 1.3, 1.9)),
        "medium-b": _result(
            "medium-b",
            ratios=(1.7, 1.6, 1.0),
            gemm=0.7,
            predict=PredictResult(
                n_rows=1, times={}, rows_per_second={}, ratio=1.5, contention=None
            ),
        ),
        "medium-c": _result("medium-c", ratios=(2.0, 1.8, 1.9), gemm=0.66),
    }
    # ratio medians 1.4, 1.6, 1.9: median over configs 1.6
    assert _verdicts(_class(configs))[:5] == [
        ("fit ratio >= 1.3 on every config", True, "lowest 1.40 (small-a)"),
        ("fit ratio, median over configs >= 1.5", True, "1.60 over 3 configs"),
        ("fit ratio never < 1.0 (every pair)", True, "lowest pair 1.00 (medium-b)"),
        ("gemm/skbp >= 0.65 on medium configs", True, "lowest 0.66 (medium-c)"),
        ("predict >= 1.5x MLPClassifier's rows/s", True, "lowest 1.50 (medium-b)"),
    ]


def test_targets_missed_just_below_each_threshold():
    configs = {
        "small-a": _result("small-a", ratios=(1.2999, 1.2999, 1.2999)),
        "medium-b": _result(
            "medium-b",
            ratios=(1.6999, 0.9999, 1.7),
            gemm=0.6499,
            predict=PredictResult(
                n_rows=1, times={}, rows_per_second={}, ratio=1.4999, contention=None
            ),
        ),
    }
    # ratio medians 1.2999 and 1.6999: median over configs 1.4999
    assert [ok for _, ok, _ in _verdicts(_class(configs))[:5]] == [False] * 5


def test_median_over_configs_at_the_threshold():
    configs = {
        "small-a": _result("small-a", ratios=(1.25, 1.25, 1.25)),
        "small-b": _result("small-b", ratios=(1.75, 1.75, 1.75)),
    }
    target = _verdicts(_class(configs))[1]
    assert target[1] is True and target[2] == "1.50 over 2 configs"


def test_targets_not_judged_without_measurements():
    verdicts = _verdicts(_class({"small-a": _result("small-a")}))
    assert verdicts[3] == ("gemm/skbp >= 0.65 on medium configs", None, "")
    assert verdicts[4] == ("predict >= 1.5x MLPClassifier's rows/s", None, "")
    assert verdicts[5][1:] == (None, "not in this run (--only)")
    skipped = _verdicts(_class({}, scaling_skipped="measured in the native class only"))
    assert skipped == [
        ("fit and predict targets", None, "no fit config run"),
        (
            "scaling: time per sample flat within 25%",
            None,
            "measured in the native class only",
        ),
        (
            "memory: X + 64 MiB + 10 x weights",
            None,
            "measured in the native class only",
        ),
    ]


def test_verdict_word():
    assert [metrics.verdict_word(ok) for ok in (True, False, None)] == [
        "PASS",
        "MISS",
        "n/a",
    ]


# ----------------------------------------------------------------------
# Scaling and memory
MiB = 2**20


def _memory(n, weights=MiB, peak=10 * MiB):
    return {
        "n_samples": n,
        "n_features": 100,
        "dtype": "float32",
        "epochs": 1,
        "X_nbytes": n * 400,
        "y_nbytes": n * 8,
        "weights_nbytes": weights,
        "rss_after_imports": 1,
        "rss_after_data": 2,
        "rss_before_fit": 3,
        "peak_rss_fit": 4,
        "peak_reset_supported": True,
        "peak_extra_rss": peak,
        "peak_extra_tracemalloc": 5,
    }


def _row(n, times, refs, ref_median=0.1, **memory):
    return metrics.scaling_row(
        _memory(n, **memory),
        epochs=2,
        times=times,
        references=refs,
        reference_median=ref_median,
        contention=[None] * len(times),
        fits_redone=0,
        fits_kept_disturbed=0,
    )


def test_memory_bound():
    # 64 MiB + 10 x 1 MiB of weights
    assert metrics.memory_limit(MiB) == 74 * MiB
    assert metrics.memory_within(74 * MiB, 74 * MiB) is True
    assert metrics.memory_within(74 * MiB + 1, 74 * MiB) is False
    assert metrics.memory_within(None, 74 * MiB) is None


def test_scaling_row():
    row = _row(1000, [2.0, 1.0, 3.0], [0.1, 0.1, 0.2], peak=74 * MiB + 1)
    assert row.epochs == 2  # the timed fits', not the memory worker's
    assert row.median == 2.0 and row.min == 1.0
    # 2 s over 1000 samples x 2 epochs: 1000 us per sample and epoch
    assert row.us_per_sample_epoch == approx(1000.0)
    assert row.us_per_sample_epoch_min == approx(500.0)
    # normalised times 2.0, 1.0, 1.5: median 1.5
    assert row.us_per_sample_epoch_normalised == approx(750.0)
    assert row.memory_limit_extra == 74 * MiB
    assert row.memory_ok is False


@pytest.mark.parametrize(("largest", "flat"), [(1.25, True), (1.2501, False)])
def test_scaling_flatness_at_the_threshold(largest, flat):
    # normalised per-sample times proportional to 1.0, `largest`, 1.1
    rows = [
        _row(1000, [2.0], [0.1]),
        _row(2000, [4.0 * largest], [0.1]),
        _row(4000, [8.8], [0.1]),
    ]
    spec = ScalingSpec((1000, 2000, 4000), 100, (8,), 10, 2, 1)
    sc = metrics.scaling_result(spec, rows, 0.1)
    assert sc.per_sample_spread_normalised == approx(largest)
    assert sc.flat_ok is flat


def test_scaling_judges_the_phase_normalised_spread():
    # Raw per-sample times 1000 and 2000 us, but the second size ran while
    # the machine was twice as slow: flat once normalised.
    rows = [_row(1000, [2.0], [0.1]), _row(2000, [8.0], [0.2])]
    spec = ScalingSpec((1000, 2000), 100, (8,), 10, 2, 1)
    sc = metrics.scaling_result(spec, rows, 0.1)
    assert sc.per_sample_spread == approx(2.0)
    assert sc.per_sample_spread_normalised == approx(1.0)
    assert sc.flat_ok is True


def test_scaling_memory_ok_ignores_unmeasured_sizes():
    spec = ScalingSpec((1000, 2000), 100, (8,), 10, 2, 1)
    unmeasured = _row(2000, [4.0], [0.1], peak=None)
    ok = metrics.scaling_result(spec, [_row(1000, [2.0], [0.1]), unmeasured], 0.1)
    assert ok.memory_ok is True
    over = _row(1000, [2.0], [0.1], peak=75 * MiB)
    assert metrics.scaling_result(spec, [over, unmeasured], 0.1).memory_ok is False
    verdicts = _verdicts(_class({}, scaling=ok))
    assert verdicts[1] == (
        "scaling: time per sample flat within 25%",
        True,
        "max/min 1.00 (phase-normalised)",
    )
    assert verdicts[2] == (
        "memory: X + 64 MiB + 10 x weights",
        True,
        "largest peak beyond X 10.0 MiB",
    )
