"""The benchmark's tables, from the typed result records.

``print_report`` prints everything one CPU class measured; ``print_summary``
one class's compact table and targets (at most ``SUMMARY_WIDTH`` columns);
``rst_tables`` the same compact tables as reStructuredText for the docs.
"""

import textwrap
from dataclasses import dataclass

from benchmarks.machine import machine_line, machine_parts
from benchmarks.metrics import (
    TARGET_PREDICT,
    config_verdict,
    evaluate_targets,
    mib,
    verdict_word,
)

SUMMARY_WIDTH = 100


def _pct(x):
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _fmt(x, spec=".3f"):
    return "-" if x is None else format(x, spec)


# ----------------------------------------------------------------------
# Everything one class measured
def _print_fit_table(configs):
    print(
        "\n== fit: median seconds over pairs; ratio = sklearn / skbp, median "
        "of per-pair ratios; * = phase-normalised (each run divided by the "
        "reference workload timed around it) =="
    )
    head = (
        f"{'config':<16}{'rows x feat':>14} {'hidden':<11}{'ep':>4}"
        f"{'skbp':>9}{'sklearn':>9}{'torch':>8}{'ratio':>7}{'ratio*':>7}"
        f"{'gemm':>8}{'gemm/skbp':>10}{'*':>6}"
        f"{'loss skbp':>11}{'loss sk':>10}{'dloss':>9}"
        f"{'acc skbp':>9}{'acc sk':>8}  ok"
    )
    print(head)
    print("-" * len(head))
    for name, r in configs.items():
        c, m = r.config, r.median
        hidden = ",".join(map(str, c.hidden))
        print(
            f"{name:<16}{c.n_samples:>8} x {c.n_features:<3} "
            f"{hidden:<11}{c.epochs:>4}"
            f"{m['skbp']:>9.3f}{m['sklearn']:>9.3f}{_fmt(m.get('torch')):>8}"
            f"{r.ratio_median:>7.2f}{r.ratio_normalised_median:>7.2f}"
            f"{m['gemm']:>8.3f}{r.gemm_fraction:>10.2f}"
            f"{r.gemm_fraction_normalised:>6.2f}"
            f"{r.final_loss['skbp']:>11.5f}{r.final_loss['sklearn']:>10.5f}"
            f"{r.final_loss_rel_diff_max:>9.1e}"
            f"{r.train_accuracy['skbp']:>9.4f}"
            f"{r.train_accuracy['sklearn']:>8.4f}"
            f"  {'yes' if r.agree else 'NO'}"
            + (f" ({r.disturbed_pairs} pairs disturbed)" if r.disturbed_pairs else "")
        )
    print("\nper-pair ratios (sklearn / skbp), GEMM GFLOP/s, effective GFLOP/s:")
    for name, r in configs.items():
        eff = r.effective_gflops
        print(
            f"  {name:<16}"
            + " ".join(f"{x:.2f}" for x in r.ratios)
            + "  (phase-normalised: "
            + " ".join(f"{x:.2f}" for x in r.ratios_normalised)
            + ")\n"
            + " " * 18
            + f"   gemm {r.gemm_gflops:.1f}, skbp {eff['skbp']:.1f}, "
            f"sklearn {eff['sklearn']:.1f}"
            + (f", torch {eff['torch']:.1f}" if "torch" in eff else "")
            + f"; pairs redone {len(r.discarded_pairs)}, kept disturbed "
            f"{r.disturbed_pairs}, max others' load "
            f"{_pct(max((c or 0) for c in r.contention))}"
            + (f"  [torch error: {r.torch_error}]" if r.torch_error else "")
        )


def _print_profile(name, r):
    p, bd = r.profile, r.profile.breakdown
    print(
        f"\n== where skbp's fit time goes: {name} (instrumented fit, "
        f"best of {len(bd['walls'])}: {bd['wall_seconds']:.3f}s; "
        "uninstrumented: median "
        f"{r.median['skbp']:.3f}s, best {r.min['skbp']:.3f}s) =="
    )
    for g, v in bd["groups"].items():
        print(f"  {g:<50}{v['seconds']:>8.3f}s {100 * v['fraction']:>6.1f}%")
    print("  detail:")
    for cat, v in bd["categories"].items():
        print(
            f"    {cat:<48}{v['seconds']:>8.3f}s "
            f"{100 * v['fraction']:>6.1f}% {v['calls']:>8} calls"
        )
    pr = p.dispatch_probe
    print(
        f"  dispatch probe: {pr['skbp']['per_batch_us']:.0f} us/batch skbp, "
        f"{pr['sklearn']['per_batch_us']:.0f} us/batch sklearn; skbp set-up "
        f"{pr['skbp']['setup_seconds']:.3f}s -> ~"
        f"{p.dispatch_overhead_seconds:.3f}s "
        f"({100 * p.dispatch_overhead_fraction:.1f}%) of skbp's fit"
    )
    print(
        f"  matmul share of the fit {100 * p.matmul_share:.1f}% vs "
        "paired GEMM-bound fraction "
        f"{100 * p.gemm_fraction_normalised:.1f}%"
        f"; missing hooks: {bd['missing_hooks'] or 'none'}"
    )
    print("  cProfile top (tottime, % of wall):")
    for row in p.cprofile["top_tottime"][:10]:
        print(
            f"    {100 * row['tottime_fraction']:>5.1f}% "
            f"{row['ncalls']:>8} {row['function']}"
        )


def _print_scaling(sc):
    print(f"\n== scaling: skbp fit, {sc.spec.solver}, {sc.spec.dtype} ==")
    print(
        f"{'rows':>10}{'fit s':>9}{'us/sample/ep':>14}{'best':>7}{'normd':>7}"
        f"{'X MiB':>9}"
        f"{'peak-X rss MiB':>16}{'tracemalloc MiB':>17}{'limit MiB':>11}  ok"
    )
    for r in sc.rows:
        print(
            f"{r.n_samples:>10}{r.median:>9.3f}"
            f"{r.us_per_sample_epoch:>14.3f}"
            f"{r.us_per_sample_epoch_min:>7.2f}"
            f"{r.us_per_sample_epoch_normalised:>7.2f}{mib(r.X_nbytes):>9}"
            f"{mib(r.peak_extra_rss):>16}"
            f"{mib(r.peak_extra_tracemalloc):>17}"
            f"{mib(r.memory_limit_extra):>11}"
            f"  {'yes' if r.memory_ok else 'NO'}"
        )
    print(
        f"per-sample spread max/min: median {sc.per_sample_spread:.2f}, "
        f"best {sc.per_sample_spread_min:.2f}, phase-normalised "
        f"{sc.per_sample_spread_normalised:.2f} "
        f"(target <= {sc.flat_target}: "
        f"{'met' if sc.flat_ok else 'NOT met'}); memory "
        f"{sc.memory_rule}: {'met' if sc.memory_ok else 'NOT met'}"
    )


def print_report(result):
    """Every number one CPU class measured, as text tables."""
    configs = result.configs
    if configs:
        _print_fit_table(configs)
        pred = {n: r.predict for n, r in configs.items() if r.predict}
        if pred:
            print("\n== predict throughput (rows/s, median) ==")
            for name, p in pred.items():
                rps = p.rows_per_second
                print(
                    f"  {name:<16} skbp {rps['skbp']:>12,.0f}  sklearn "
                    f"{rps['sklearn']:>12,.0f}  skbp/sklearn {p.ratio:.2f}"
                )
        for name, r in configs.items():
            if r.profile:
                _print_profile(name, r)
    if result.scaling:
        _print_scaling(result.scaling)


# ----------------------------------------------------------------------
# The compact summary, one table per CPU class
@dataclass(frozen=True)
class SummaryRow:
    config: str
    skbp: float  # median seconds
    sklearn: float
    ratio: float  # median of per-pair ratios
    gemm: float  # gemm / skbp
    agree: str  # "yes" or "no"
    verdict: str


def summary_rows(result):
    """Rows of the compact table: config, seconds, ratio, gemm share, verdict."""
    return [
        SummaryRow(
            config=name,
            skbp=r.median["skbp"],
            sklearn=r.median["sklearn"],
            ratio=r.ratio_median,
            gemm=r.gemm_fraction,
            agree="yes" if r.agree else "no",
            verdict=config_verdict(name, r),
        )
        for name, r in result.configs.items()
    ]


def predict_text(result):
    pred = {n: r.predict.ratio for n, r in result.configs.items() if r.predict}
    if not pred:
        return None
    return (
        "predict throughput, skbp / sklearn rows/s: "
        + ", ".join(f"{n} {v:.2f}" for n, v in pred.items())
        + f" (target >= {TARGET_PREDICT})"
    )


def note_text(note):
    """``NOTE: note`` wrapped to ``SUMMARY_WIDTH`` columns."""
    return textwrap.fill(f"NOTE: {note}", width=SUMMARY_WIDTH, subsequent_indent="    ")


def print_summary(cpu, result, targets=None):
    """One class's compact table, predict line and targets."""
    meta = result.meta
    wrap = textwrap.TextWrapper(width=SUMMARY_WIDTH, subsequent_indent="    ")
    print(f"\n== CPU class {cpu}: {meta.numpy_dispatch.level} ==")
    parts = machine_parts(meta)
    print(wrap.fill(f"machine: {parts['cpu']} ({parts['env']})"))
    print(wrap.fill(f"kernels: {parts['numpy']}; {parts['blas']}; {parts['skbp']}"))
    if not meta.class_check.ok:
        print(wrap.fill("WARNING: " + "; ".join(meta.class_check.problems)))
    if meta.quick:
        print("(quick run: tiny sizes and 2 pairs; the verdicts mean nothing)")
    rows = summary_rows(result)
    if rows:
        head = (
            f"{'config':<16}{'skbp s':>8}{'sklearn s':>11}{'ratio':>7}"
            f"{'gemm/skbp':>11}  {'loss agree':<12}verdict"
        )
        print(head)
        print("-" * len(head))
        for row in rows:
            cells = (
                f"{row.config:<16}{row.skbp:>8.3f}{row.sklearn:>11.3f}"
                f"{row.ratio:>7.2f}{row.gemm:>11.2f}  {row.agree:<12}"
            )
            # A long verdict (every miss at once) goes on under its column.
            verdict = textwrap.wrap(row.verdict, SUMMARY_WIDTH - len(cells))
            print(cells + verdict[0])
            for more in verdict[1:]:
                print(" " * len(cells) + more)
    pred = predict_text(result)
    if pred:
        print(wrap.fill(pred))
    print("targets:")
    for t in evaluate_targets(result) if targets is None else targets:
        print(wrap.fill(f"  {verdict_word(t.ok):<5}{t.target:<48}{t.detail}"))


def _rst_text(text):
    """Plain text safe in a reST paragraph (no markup characters)."""
    for ch in "\\*`|_":
        text = text.replace(ch, "\\" + ch)
    return text


def rst_tables(by_class, notes=()):
    """The summary tables as reStructuredText: one list-table per class."""
    lines = [
        ".. Written by benchmarks/run.py (make bench) from its results; "
        "edits are overwritten.",
        "",
    ]
    for note in notes:
        lines += [_rst_text(f"Note: {note}"), ""]
    for cpu, result in by_class.items():
        meta = result.meta
        lines += [
            f".. rubric:: CPU class {cpu} ({meta.numpy_dispatch.level})",
            "",
            _rst_text(
                f"Measured {meta.timestamp}"
                + (" (quick run: tiny sizes)" if meta.quick else "")
                + ". Machine: "
                + machine_line(meta)
                + "."
            ),
            "",
        ]
        if not meta.class_check.ok:
            problems = "; ".join(meta.class_check.problems)
            lines += [_rst_text(f"Warning: {problems}."), ""]
        rows = summary_rows(result)
        if rows:
            lines += [
                f".. list-table:: Fit, CPU class {cpu}: median seconds; ratio = "
                "sklearn / skbp, median of per-pair ratios",
                "   :header-rows: 1",
                "",
            ]
            header = ["config", "skbp s", "sklearn s", "ratio", "gemm/skbp"]
            header += ["loss agree", "verdict"]
            cells = [header] + [
                [
                    row.config,
                    f"{row.skbp:.3f}",
                    f"{row.sklearn:.3f}",
                    f"{row.ratio:.2f}",
                    f"{row.gemm:.2f}",
                    row.agree,
                    row.verdict,
                ]
                for row in rows
            ]
            for row in cells:
                lines.append(f"   * - {_rst_text(row[0])}")
                lines += [f"     - {_rst_text(c)}" for c in row[1:]]
            lines.append("")
        pred = predict_text(result)
        if pred:
            lines += [_rst_text(pred[0].upper() + pred[1:] + "."), ""]
        for t in result.targets or evaluate_targets(result):
            detail = f" -- {t.detail}" if t.detail else ""
            lines.append("* " + _rst_text(f"{verdict_word(t.ok)}: {t.target}{detail}"))
        lines.append("")
    return "\n".join(lines)
