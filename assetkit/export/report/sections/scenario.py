"""The report's scenario section: which levers to recommend, and how sure we are.

Two levers are compared apart: the owned-channel programme (site, CRM, inviting existing
repeat buyers; off or on) and the budget shift (0, 10, 20, 30 or 50 % of platform ad
budget). The recommendation is the combination with the highest median NPV among those that
break even within the horizon in at least half of the simulated runs; nothing (programme off,
0 %) when none does. Recommending nothing is an honest answer when the user's own numbers do
not support the generic "move 20 %" advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetkit.export.output import format_percent, format_value
from assetkit.export.report import charts
from assetkit.export.report.model import Chart, KeyFigure, Section, Table

if TYPE_CHECKING:
    from assetkit.export.report.model import ReportContext

LEVELS = (0.0, 0.1, 0.2, 0.3, 0.5)
RUNS = 1000
SEED = 0


def recommend(rows: list[dict[str, Any]], months: int) -> dict[str, Any]:
    """Best median NPV among the combinations that do something and break even in ≥ 50 % of
    runs; else the "do nothing" row (programme off, 0 %)."""
    viable = [r for r in rows if (r["shift"] > 0 or r.get("programme")) and _p_within(r, months) >= 0.5]
    if not viable:
        return next(r for r in rows if r["shift"] == 0 and not r.get("programme"))
    return max(viable, key=lambda r: r["npv_p50"])


def _levers(row: dict[str, Any]) -> str:
    parts = [f"moving {row['shift']:.0%} of the platform ad budget"] if row["shift"] > 0 else []
    if row.get("programme"):
        parts.append("running the owned-channel programme (site, CRM, inviting repeat buyers)")
    return " and ".join(parts) or "changing nothing"


def _p_within(row: dict[str, Any], months: int) -> float:
    return float(row.get("p_break_even_within", row.get("p_break_even_by_24") or 0.0))


def scenario_section(ctx: ReportContext) -> Section:
    from assetkit.analysis.scenario import build_baseline, load_assumptions, run_scenario, sensitivity

    months = 36
    baseline = build_baseline(ctx.con, ctx.config, ctx.until)
    assumptions = load_assumptions(None, None, ctx.config)
    rows = []
    results = {}
    for programme in (0, 1):
        for level in LEVELS:
            res = run_scenario(baseline, assumptions.replace(shift=level, programme=programme), months, RUNS, SEED)
            results[(programme, level)] = res
            rows.append({"programme": bool(programme), "shift": level, "npv_p10": res.npv["p10"],
                         "npv_p50": res.npv["p50"], "npv_p90": res.npv["p90"],
                         "break_even_p50": res.break_even["p50"],
                         "p_break_even_within": res.break_even["probability_within"].get(str(months), 0.0),
                         "p_break_even_by_24": res.break_even["probability_within"].get("24", 0.0)})
    best = recommend(rows, months)
    acting = best["shift"] > 0 or best["programme"]
    shown_key = (int(best["programme"]), best["shift"]) if acting else (1, 0.2)
    shown_level = shown_key[1]
    shown = results[shown_key]
    tornado = sensitivity(baseline, assumptions.replace(shift=shown_level, programme=shown_key[0]), months)
    ctx.results["scenario"] = {"recommended": best, "levels": rows, "shown_shift": shown_level,
                               "shown_programme": bool(shown_key[0])}
    rc = ctx.config.reporting_currency
    be = shown.break_even
    if acting:
        takeaway = (f"{_levers(best)[0].upper()}{_levers(best)[1:]} pays back in "
                    f"{_months(be.get('p10'))}–{_months(be.get('p90'))} (P10–P90); median 36-month NPV "
                    f"{format_value(best['npv_p50'], 0)} {rc}.")
    else:
        both = results[(1, 0.2)]
        takeaway = (f"With conservative assumptions nothing breaks even within {months} months in most runs: with the "
                    f"programme and a 20 % shift the median 36-month NPV is {format_value(both.npv['p50'], 0)} {rc} "
                    f"and {format_percent(both.break_even['probability_within'].get(str(months), 0.0), 0)} of runs "
                    "break even. Check the assumptions ('assetkit scenario --template') before moving budget.")
    band = shown.bands["cumulative_difference"]
    fan = [{"month": m, "p10": band["p10"][i], "p50": band["p50"][i], "p90": band["p90"][i]}
           for i, m in enumerate(range(1, months + 1))]
    section = Section(
        key="scenario", title="Budget-shift scenario", takeaway=takeaway,
        paragraphs=[f"Baseline: the last 12 months of your own data. {RUNS:,} simulated runs per level (seed {SEED}); "
                    "phases: foundation months 1–3, enablement 3–12, ecosystem 12–36. "
                    "Assumptions are the conservative, cited defaults printed by 'assetkit scenario --template'."],
        data={"recommended": best, "levels": rows, "shown_shift": shown_level, "shown_programme": bool(shown_key[0]),
              "shown": shown.to_dict(), "sensitivity": tornado.to_dict()},
    )
    section.charts.append(Chart(
        f"Cumulative gross-profit difference at a {shown_level:.0%} shift (P10–P90 band, median line)",
        charts.fan_chart(fan, "month", "p10", "p50", "p90", y_title=f"cumulative difference ({rc})"),
        f"Fan chart of the cumulative difference versus doing nothing, month 1 to {months}: the band spans the "
        f"10th to 90th percentile of {RUNS:,} runs, the line is the median."))
    section.tables.append(Table(
        "The two levers compared: programme off/on × shift", ["programme", "shift", f"NPV P10 ({rc})", f"NPV P50 ({rc})", f"NPV P90 ({rc})",
                                  "break-even month P50", f"P(break-even by {months})", "P(break-even by 24)"],
        [["on" if r["programme"] else "off", format_percent(r["shift"], 0), r["npv_p10"], r["npv_p50"], r["npv_p90"], r["break_even_p50"],
          format_percent(r["p_break_even_within"], 0), format_percent(r["p_break_even_by_24"], 0)] for r in rows],
        numeric=[False, False, True, True, True, True, True, True],
        note="The programme is the site, CRM and the invitation of existing repeat buyers, with its own costs; "
             "the shift moves platform ad budget to owned channels. "
             "NPV of the monthly gross-profit difference, discounted at the configured annual rate. "
             "Break-even: the month after which the cumulative difference never turns negative again."))
    section.tables.append(Table(
        "What moves the result most (NPV with one assumption at its P10 or P90)",
        ["assumption", "published source", "low value", "high value", f"NPV at low ({rc})", f"NPV at high ({rc})",
         "swing"],
        [[r["key"], "yes (a range)" if r["published_source"] else "none: a guess", r["low_value"], r["high_value"],
          r["npv_low"], r["npv_high"], r["swing"]] for r in tornado.to_dict()["rows"][:8]],
        numeric=[False, False, True, True, True, True, True],
        note=(f"Without owned_clv_uplift (no published source) the central NPV is "
              f"{format_value(tornado.npv_without_uplift, 0)} {rc} instead of {format_value(tornado.npv_central, 0)} "
              f"{rc}.") if tornado.npv_without_uplift is not None else None))
    return section


def key_figure(data: dict[str, Any], rc: str) -> KeyFigure:
    best = data["recommended"]
    if best["shift"] > 0 or best.get("programme"):
        value = f"{best['shift']:.0%}" + (" + programme" if best.get("programme") else "")
        return KeyFigure("Recommended budget shift", value,
                         f"break-even P50 month {best['break_even_p50']}, NPV P10–P90 "
                         f"{format_value(best['npv_p10'], 0)} to {format_value(best['npv_p90'], 0)} {rc}")
    return KeyFigure("Recommended budget shift", "0% for now",
                     "no level breaks even in most runs with conservative assumptions")


def _months(value: Any) -> str:
    return "never" if value is None else f"month {value}"
