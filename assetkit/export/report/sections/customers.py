"""Report sections for customer value (`assetkit clv`) and segments / migration candidates."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from assetkit.export.output import format_percent, format_value
from assetkit.export.report import charts
from assetkit.export.report.model import Chart, KeyFigure, Section, Table

if TYPE_CHECKING:
    from assetkit.export.report.model import ReportContext

HOLDOUT_DAYS = 182  # the validation fit leaves out the last half year


def clv_section(ctx: ReportContext) -> Section:
    from assetkit.analysis.clv import analyse_clv
    from assetkit.errors import NotEnoughData

    result = analyse_clv(ctx.con, ctx.config, until=ctx.until)
    data = result.to_dict(include_buyers=False)
    ctx.results["clv"] = data
    rc = ctx.config.reporting_currency
    holdout = None
    (last,) = ctx.con.execute("SELECT max(ordered_at)::DATE FROM orders").fetchone()
    end = min(ctx.until, last) if ctx.until and last else last
    if end is not None:
        try:
            check = analyse_clv(ctx.con, ctx.config, until=end - dt.timedelta(days=HOLDOUT_DAYS), model=data["model"])
            holdout = check.to_dict(include_buyers=False).get("holdout")
        except NotEnoughData:
            holdout = None
    data["validation"] = holdout
    by_channel = data.get("by_channel") or []
    takeaway = ""
    if by_channel:
        parts = [f"{g['group']} {format_value(g['mean'], 0)}" for g in by_channel]
        takeaway = (f"Expected value per buyer over the next year, net of platform fees ({rc}): " + "; ".join(parts)
                    + f". Total {format_value(data['total_clv'], 0)} {rc}"
                    + (f" (90% interval {format_value(data['interval']['total_clv_low'], 0)}–"
                       f"{format_value(data['interval']['total_clv_high'], 0)})." if data.get("interval") else "."))
    section = Section(key="customers", title="Customer value", takeaway=takeaway, data=data)
    method = (f"Model: {data['model']} ({data.get('method_note') or data['method']}), fitted on {data['n_buyers']:,} "
              f"buyers of whom {data['n_repeat_buyers']:,} bought again.")
    if data.get("method") == "heuristic":
        method += f" Too little repeat buying for the model, so a simpler heuristic was used: {data.get('method_reason')}"
    section.paragraphs.append(method + " CLV = discounted expected revenue × (gross margin − the platform's "
                              "variable fee share); details and units in docs/clv.md.")
    section.paragraphs += [f"Note: {w}" for w in data.get("warnings") or []]
    if by_channel:
        section.charts.append(Chart(
            "Mean expected value per buyer by acquisition channel",
            charts.bar_chart([{"channel": g["group"], "clv": g["mean"]} for g in by_channel], "channel", "clv",
                             x_title=f"mean CLV per buyer ({rc})"),
            "Horizontal bars: the average predicted one-year customer value of buyers, grouped by the channel "
            "that first brought them."))
        section.tables.append(Table(
            "By acquisition channel", ["channel", "buyers", f"mean ({rc})", f"median ({rc})", f"total ({rc})",
                                       f"platform fees saved if owned ({rc})"],
            [[g["group"], g["n_buyers"], g["mean"], g["median"], g["total"], g.get("fee_saved")] for g in by_channel],
            numeric=[False, True, True, True, True, True]))
    if data.get("by_platform"):
        section.tables.append(Table(
            "By platform of first purchase", ["platform", "buyers", f"mean ({rc})", f"median ({rc})", f"total ({rc})"],
            [[g["group"], g["n_buyers"], g["mean"], g["median"], g["total"]] for g in data["by_platform"]],
            numeric=[False, True, True, True, True]))
    if data.get("calibration"):
        spend = data.get("spend_model") or {}
        section.tables.append(Table(
            "Calibration: each platform's predicted next 12 months against what its buyers paid in the last 12",
            ["platform (latest purchase)", "buyers", f"predicted next 12 months ({rc})", f"paid last 12 months ({rc})",
             "ratio"],
            [[c["group"], c["n_buyers"], c["predicted_next_12_months"], c["paid_last_12_months"],
              None if c["ratio"] is None else round(c["ratio"], 2)] for c in data["calibration"]],
            numeric=[False, True, True, True, True],
            note="Predicted: expected purchases of the existing buyers × their expected spend, undiscounted. "
                 "Paid: the same buyers' revenue in the 12 months before the calibration end (first orders "
                 "included, so a platform that mostly wins new one-time buyers predicts less than it was paid). "
                 f"Spend model: {spend.get('note') or spend.get('model')}."))
    if holdout and holdout.get("n_buyers"):
        section.tables.append(Table(
            f"Validation: fitted without the last {HOLDOUT_DAYS} days, then compared with what happened",
            ["buyers (purchases before the cut-off)", "buyers", "predicted purchases", "actual purchases"],
            [["all", holdout["n_buyers"], holdout["predicted"], holdout["actual"]]]
            + [[f"{g['group']} repeat purchase(s)" if str(g["group"]).isdigit() else g["group"], g["n_buyers"],
                g["predicted"], g["actual"]] for g in holdout.get("by_frequency") or []]
            + [[g["group"], g["n_buyers"], g["predicted"], g["actual"]] for g in holdout.get("by_channel") or []],
            numeric=[False, True, True, True],
            note=f"Error on the total: {format_value(holdout.get('error_pct'), 1)}%."))
    params = data.get("params") or {}
    if params:
        ses = (data.get("diagnostics") or {}).get("standard_errors") or {}
        section.tables.append(Table(
            "Model parameters", ["parameter", "value", "standard error", "unit"],
            [[k, v, ses.get(k), (data.get("param_units") or {}).get(k, "")] for k, v in params.items()],
            numeric=[False, True, True, False]))
    return section


def segments_section(ctx: ReportContext) -> Section:
    from assetkit.analysis.segments import analyse_segments

    result = analyse_segments(ctx.con, ctx.config, until=ctx.until)
    data = result.to_dict()
    data.pop("buyers", None)
    ctx.results["segments"] = data
    rc = ctx.config.reporting_currency
    candidates = data.get("migration_candidates") or []
    top = candidates[:20]
    value = sum(c["value_of_moving"] or 0 for c in top)
    reachable = sum(1 for c in top if c["has_email"] or c["has_phone"])
    section = Section(
        key="segments", title="Segments and migration candidates", data=data,
        takeaway=(f"The top {len(top)} marketplace buyers to move to an owned channel are worth about "
                  f"{format_value(value, 0)} {rc} in platform fees saved and value kept; you can reach "
                  f"{reachable} of them directly.") if top else "No marketplace buyers to move yet.")
    section.tables.append(Table(
        "RFM segments", ["segment", "buyers", "share", "active", "mean P(alive), repeat buyers", f"mean CLV ({rc})",
                         f"total CLV ({rc})", f"platform fees at stake ({rc})", "still on a platform"],
        [[s["name"], s["n_buyers"], format_percent(s["share"]), format_percent(s["active_share"]),
          s["mean_p_alive_repeat"], s["mean_clv"], s["total_clv"],
          s["platform_fee_at_stake"], format_percent(s["on_platform_share"])] for s in data.get("segments") or []],
        numeric=[False, True, True, True, True, True, True, True, True],
        note="Active = neither at risk nor lost (P(alive) and how overdue the buyer is). P(alive) is averaged over "
             "repeat buyers only: the model gives a one-time buyer P(alive) = 1 by construction."))
    section.tables.append(Table(
        "Lifecycle stages", ["stage", "buyers", f"mean CLV ({rc})", f"total CLV ({rc})"],
        [[s["name"], s["n_buyers"], s.get("mean_clv"), s.get("total_clv")] for s in data.get("lifecycle") or []],
        numeric=[False, True, True, True]))
    if top:
        section.tables.append(Table(
            "Migration candidates: marketplace buyers ranked by the value of moving them",
            ["rank", "buyer", "company", "country", "platform", "stage", "P(alive)", f"CLV ({rc})", "fee share",
             f"value of moving ({rc})", "we can reach them by", "platform rule"],
            [[c["rank"], c["name"] or c["buyer_id"], c["company"], c["country"], c["current_platform"], c["stage"],
              c["p_alive"], c["clv"], format_percent(c["fee_share"]), c["value_of_moving"], c["contact"],
              c.get("platform_rule") or ""] for c in top],
            numeric=[True, False, False, False, False, False, True, True, True, True, False, False],
            note="The full list: assetkit segments --format csv. Buyers without an owned contact need one first "
                 "(ask for an email on the next order). Buyers met on a platform that forbids moving them "
                 "(eBay, Amazon, Etsy) are not listed; Upwork clients in their first 24 months are valued net "
                 "of Upwork's conversion fee (assetkit/data/platform_rules.yaml)."))
    return section


def key_figures(results: dict[str, Any], rc: str) -> list[KeyFigure]:
    figures = []
    clv = results.get("customers")
    if clv and clv.get("by_channel"):
        groups = sorted(clv["by_channel"], key=lambda g: -(g["mean"] or 0))
        figures.append(KeyFigure(
            "CLV per buyer by acquisition channel",
            " · ".join(f"{g['group']} {format_value(g['mean'], 0)}" for g in groups[:3]),
            f"{rc}, next 12 months, net of platform fees"))
    seg = results.get("segments")
    if seg and seg.get("migration_candidates"):
        top = seg["migration_candidates"][:20]
        value = sum(c["value_of_moving"] or 0 for c in top)
        reachable = sum(1 for c in top if c["has_email"] or c["has_phone"])
        figures.append(KeyFigure("Top migration candidates' value", f"{format_value(value, 0)} {rc}",
                                 f"top {len(top)} buyers; {reachable} reachable directly"))
    return figures
