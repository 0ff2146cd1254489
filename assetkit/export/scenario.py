"""Render a ScenarioReport: terminal tables and fan chart (rich), Markdown, formula-safe CSV.

The projection table shows milestone months (phase ends and every 6 months); JSON and CSV
carry every month. The fan chart draws the cumulative gross-profit difference per month:
the P10-P90 band as a bar, the median as a dot, and zero as a vertical line, so the J-curve
and the spread are visible at a glance without a graphics terminal.
"""

from __future__ import annotations

from typing import IO, Any

from assetkit.export.output import format_percent, format_value, markdown_table, rich_table, write_csv_safe

FAN_WIDTH = 48


def milestones(months: int) -> list[int]:
    """Months worth a row: phase ends, then every 6 months, and the last month."""
    picks = {1, 2, 3, 6, 9, 12, *range(18, months + 1, 6), months}
    return sorted(m for m in picks if 1 <= m <= months)


def _phase(month: int) -> str:
    from assetkit.analysis.scenario.engine import phase_of

    return phase_of(month)


def _money(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def _be(v: int | None, months: int) -> str:
    return f"> {months}" if v is None else str(v)


def baseline_rows(report: Any) -> list[tuple[Any, ...]]:
    return [
        (c.label, c.kind, round(c.revenue, 2), round(c.platform_cost, 2),
         format_percent(c.platform_cost / c.revenue) if c.revenue else "–", round(c.spend, 2),
         round(c.inquiries, 1), format_percent(c.conversion), format_percent(c.repeat_share))
        for c in report.baseline.channels
    ]


BASELINE_HEADER = ["channel", "kind", "revenue/mo", "platform cost/mo", "cost share", "spend/mo",
                   "inquiries/mo", "conversion", "repeat share"]
PROJ_HEADER = ["month", "phase", "revenue base", "revenue scen.", "platform cost base", "platform cost scen.",
               "spend base", "spend scen.", "gross profit base", "gross profit scen.", "cum. diff",
               "cum. diff P10", "cum. diff P90"]


def projection_rows(result: Any, months: list[int]) -> list[tuple[Any, ...]]:
    p, b = result.projection, result.bands["cumulative_difference"]
    base, scen = p["baseline"], p["scenario"]
    return [
        (m, _phase(m), _money(base["revenue"][m - 1]), _money(scen["revenue"][m - 1]),
         _money(base["platform_cost"][m - 1]), _money(scen["platform_cost"][m - 1]),
         _money(base["spend"][m - 1]), _money(scen["spend"][m - 1]),
         _money(base["gross_profit"][m - 1]), _money(scen["gross_profit"][m - 1]),
         _money(p["cumulative_difference"][m - 1]), _money(b["p10"][m - 1]), _money(b["p90"][m - 1]))
        for m in months
    ]


def summary_lines(result: Any) -> list[str]:
    be, npv, m = result.break_even, result.npv, result.months
    within = ", ".join(f"by month {k}: {format_percent(v, 0)}" for k, v in be["probability_within"].items())
    pc = result.platform_cost_change
    return [
        f"NPV of the difference over {m} months: P10 {_money(npv['p10'])}, P50 {_money(npv['p50'])}, "
        f"P90 {_money(npv['p90'])} {result.currency} ({result.runs:,} runs, seed {result.seed})",
        f"Break-even month: P10 {_be(be['p10'], m)}, P50 {_be(be['p50'], m)}, P90 {_be(be['p90'], m)}; "
        f"probability of breaking even {within}",
        f"Platform cost over {m} months changes by {format_percent(pc['p50'])} "
        f"(P10 {format_percent(pc['p10'])}, P90 {format_percent(pc['p90'])})",
        f"Central projection: NPV {_money(result.projection['npv'])}, break-even month "
        f"{_be(result.projection['break_even_month'], m)}",
    ]


def fan_lines(result: Any) -> list[str]:
    """One line per month: band P10-P90 as '─', median as '●', zero as '│'."""
    b = result.bands["cumulative_difference"]
    lo = min(min(b["p10"]), 0.0)
    hi = max(max(b["p90"]), 0.0)
    span = (hi - lo) or 1.0

    def pos(v: float) -> int:
        return int(round((v - lo) / span * (FAN_WIDTH - 1)))

    zero = pos(0.0)
    lines = [f"{'':>4} {'':<11}{_money(lo):<{FAN_WIDTH // 2}}{_money(hi):>{FAN_WIDTH // 2}}"]
    for i in range(result.months):
        row = [" "] * FAN_WIDTH
        row[zero] = "│"
        for j in range(pos(b["p10"][i]), pos(b["p90"][i]) + 1):
            row[j] = "─"
        row[pos(b["p50"][i])] = "●"
        lines.append(f"{i + 1:>4} {_phase(i + 1):<11}{''.join(row)} {_money(b['p50'][i]):>12}")
    return lines


def _short(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def tornado_rows(sens: Any, currency: str) -> list[tuple[Any, ...]]:
    widest = max((r.swing for r in sens.rows), default=0.0) or 1.0
    return [(r.key, "published range" if r.published_source else "none: a guess",
             f"{_short(r.low_value)} → {_short(r.high_value)}", _money(r.npv_low), _money(r.npv_high),
             _money(r.swing), "█" * max(1, int(round(r.swing / widest * 24))) if r.swing else "")
            for r in sens.rows]


def uplift_line(sens: Any) -> str:
    """How much of the central NPV rests on owned_clv_uplift, which has no published source."""
    if sens.npv_without_uplift is None:
        return ""
    return (f"Without owned_clv_uplift (no published source; set to 1) the central NPV is "
            f"{_money(sens.npv_without_uplift)} instead of {_money(sens.npv_central)}: "
            f"{_money(sens.npv_central - sens.npv_without_uplift)} of it rests on that assumption.")


def comparison_rows(comp: Any) -> list[tuple[Any, ...]]:
    return [("on" if r["programme"] else "off", f"{r['shift'] * 100:g}%", _money(r["npv_p50"]),
             _money(r["npv_p10"]), _money(r["npv_p90"]),
             _be(r["break_even_p50"], comp.months), format_percent(r["p_break_even_by_24"], 0))
            for r in comp.rows]


LEVER_NAMES = {"programme_only": "programme only", "shift_only": "shift only", "both": "both"}


def lever_rows(result: Any) -> list[tuple[Any, ...]]:
    return [(LEVER_NAMES[k], "on" if v["programme"] else "off", f"{v['shift'] * 100:g}%", _money(v["npv_central"]),
             _money(v["npv_p50"]), _money(v["npv_p10"]), _money(v["npv_p90"])) for k, v in result.levers.items()]


COMPARE_HEADER = ["programme", "shift", "NPV P50", "NPV P10", "NPV P90", "break-even P50", "P(break-even by 24)"]
LEVER_HEADER = ["levers", "programme", "shift", "NPV central", "NPV P50", "NPV P10", "NPV P90"]
TORNADO_HEADER = ["assumption", "source", "P10 → P90", "NPV at P10", "NPV at P90", "swing", ""]


def _dist_text(value: Any) -> str:
    if not isinstance(value, dict):
        return format_value(value) if not isinstance(value, float) else f"{value:g}"
    (kind, args), = value.items()
    if kind == "normal":
        return f"normal mean {args['mean']:g}, sd {args['sd']:g}, in [{args['low']:g}, {args['high']:g}]"
    return f"{kind} " + " / ".join(f"{a:g}" for a in args)


def _assumption_rows(report: Any) -> list[tuple[Any, ...]]:
    return [(k, _dist_text(v["value"]), v["source"]) for k, v in report.assumptions.to_dict().items()]


def render_text(report: Any, console: Any) -> None:
    b = report.baseline
    console.print(f"Baseline: {b.months_covered:.1f} months to {b.as_of or '–'} "
                  f"(monthly averages, {b.currency}; orders in {b.months_with_orders} calendar months)")
    console.print(rich_table(None, BASELINE_HEADER, baseline_rows(report),
                             numeric=[False, False, True, True, True, True, True, True, True],
                             priority=["kind", "revenue/mo", "platform cost/mo", "cost share"]))
    for w in report.warnings:
        console.print(f"Note: {w}")
    console.print(rich_table("Assumptions", ["key", "value", "from"], _assumption_rows(report)))
    if report.comparison is not None:
        console.print(rich_table(f"Budget shift compared over {report.comparison.months} months ({b.currency})",
                                 COMPARE_HEADER, comparison_rows(report.comparison),
                                 numeric=[False] + [True] * 6))
        return
    r = report.result
    levers = f"shift {r.shift * 100:g}%, programme {'on' if r.programme else 'off'}"
    console.print(rich_table(f"Projection, {levers} ({b.currency}, central assumptions; "
                             "cum. diff = scenario minus baseline gross profit, cumulative)",
                             PROJ_HEADER, projection_rows(r, milestones(r.months)),
                             numeric=[True, False] + [True] * 11,
                             priority=["revenue scen.", "gross profit base", "gross profit scen.", "cum. diff"]))
    console.print("Cumulative difference in gross profit per month: P10–P90 band (─), median (●, value on the "
                  "right), zero (│)")
    for line in fan_lines(r):
        console.print(line, markup=False, highlight=False)
    for line in summary_lines(r):
        console.print(line, markup=False)
    if r.levers:
        console.print(rich_table(f"The two levers apart: NPV over {r.months} months ({b.currency})", LEVER_HEADER,
                                 lever_rows(r), numeric=[False, False] + [True] * 5))
    if report.sensitivity is not None and report.sensitivity.rows:
        console.print(rich_table(f"What moves the {r.months}-month NPV most (one assumption at its P10 / P90, "
                                 "the rest central)", TORNADO_HEADER, tornado_rows(report.sensitivity, b.currency),
                                 numeric=[False, False, False, True, True, True, False]))
        if uplift_line(report.sensitivity):
            console.print(uplift_line(report.sensitivity), markup=False)


def render_markdown(report: Any) -> str:
    b = report.baseline
    out = [f"# Budget-shift scenario\n\nBaseline: {b.months_covered:.1f} months to {b.as_of or '–'}, "
           f"monthly averages in {b.currency}.\n", markdown_table(BASELINE_HEADER, baseline_rows(report)), ""]
    out += [f"- {w}" for w in report.warnings]
    out += ["\n## Assumptions\n", markdown_table(["key", "value", "from"], _assumption_rows(report)), ""]
    if report.comparison is not None:
        out += ["## Shift levels compared\n", markdown_table(COMPARE_HEADER, comparison_rows(report.comparison))]
        return "\n".join(out) + "\n"
    r = report.result
    out += [f"## Projection (shift {r.shift * 100:g}%, programme {'on' if r.programme else 'off'})\n",
            markdown_table(PROJ_HEADER, projection_rows(r, milestones(r.months))), ""]
    out += [f"- {line}" for line in summary_lines(r)]
    if r.levers:
        out += ["\n## The two levers apart\n", markdown_table(LEVER_HEADER, lever_rows(r))]
    if report.sensitivity is not None and report.sensitivity.rows:
        out += ["\n## Sensitivity\n", markdown_table(TORNADO_HEADER[:-1],
                                                       [row[:-1] for row in tornado_rows(report.sensitivity, "")])]
        if uplift_line(report.sensitivity):
            out += ["", uplift_line(report.sensitivity)]
    return "\n".join(out) + "\n"


def write_csv(report: Any, fh: IO[str]) -> int:
    """Every month (or every shift level in a comparison), numbers unformatted."""
    if report.comparison is not None:
        rows = report.comparison.rows
        keys = list(rows[0]) if rows else []
        return write_csv_safe(([row[k] for k in keys] for row in rows), keys, fh)
    r = report.result
    p, bands = r.projection, r.bands
    header = ["month", "phase", "baseline_revenue", "scenario_revenue", "baseline_platform_cost",
              "scenario_platform_cost", "baseline_spend", "scenario_spend", "baseline_gross_profit",
              "scenario_gross_profit", "difference", "cumulative_difference",
              "cumulative_difference_p10", "cumulative_difference_p50", "cumulative_difference_p90"]
    header += [f"scenario_revenue:{label}" for label in r.labels]
    base, scen, cum = p["baseline"], p["scenario"], bands["cumulative_difference"]
    rows = (
        [m, _phase(m), base["revenue"][i], scen["revenue"][i], base["platform_cost"][i], scen["platform_cost"][i],
         base["spend"][i], scen["spend"][i], base["gross_profit"][i], scen["gross_profit"][i],
         p["difference"][i], p["cumulative_difference"][i], cum["p10"][i], cum["p50"][i], cum["p90"][i],
         *scen["revenue_by_channel"][i]]
        for i, m in enumerate(p["month"])
    )
    return write_csv_safe(rows, header, fh)
