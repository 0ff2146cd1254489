"""Report sections for platform costs (`assetkit fees`) and funnel and channels (`assetkit funnel`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetkit.export.output import format_percent, format_value
from assetkit.export.report import charts
from assetkit.export.report.model import Chart, KeyFigure, Section, Table

if TYPE_CHECKING:
    from assetkit.export.report.model import ReportContext


def fees_section(ctx: ReportContext) -> Section:
    from assetkit.analysis.economics import analyse_fees

    result = analyse_fees(ctx.con, ctx.config, by="year", since=ctx.since, until=ctx.until)
    data = result.to_dict()
    ctx.results["fees"] = data
    rc = ctx.config.reporting_currency
    overall = data["overall_by_period"]
    # One number, one meaning: every fee share says over which period it is measured.
    section = Section(key="costs", title="Platform costs", data=data,
                      takeaway=f"{data['since']} to {data['until']} (the whole window): {data['takeaway']}")
    from assetkit.importers.fx import approximate_note, approximate_rows

    fx_note = approximate_note(*approximate_rows(ctx.con, rc))
    data["fx_approximate_note"] = fx_note
    if fx_note:
        section.paragraphs.append("Exchange rates: " + fx_note)
    section.paragraphs.append(
        "Fee share = everything a platform deducts or bills (commissions, payment, listing, membership, "
        "advertising, fulfilment, service) ÷ gross revenue on that platform. Recurring fees from assetkit.yaml "
        "are spread over their period. " + data["policies"].get("ad_spend", ""))
    share_points = [{"year": r["period"], "platform": r["platform"], "fee_share": r["fee_share"]}
                    for r in data["periods"] if r["fee_share"] is not None]
    share_points += [{"year": r["period"], "platform": "all platforms", "fee_share": r["fee_share"]}
                     for r in overall if r["fee_share"] is not None]
    if share_points:
        section.charts.append(Chart(
            "Fee share per platform and year", charts.line_chart(share_points, "year", "fee_share", "platform",
                                                                 y_title="fee share", y_format=".0%"),
            "Line chart of each platform's fee share (platform cost divided by gross revenue) per year, "
            "and of all platforms together."))
    section.tables.append(Table(
        "Per platform over the whole period",
        ["platform", f"gross revenue ({rc})", f"platform cost ({rc})", f"fixed ({rc})", "take rate",
         "take rate without fixed fees", f"net revenue ({rc})"],
        [[p["platform"], p["gross_revenue"], p["platform_cost"], p["fixed_cost"], format_percent(p["take_rate"]),
          format_percent(p["take_rate_ex_fixed"]), p["net_revenue"]] for p in data["platforms"]],
        numeric=[False, True, True, True, True, True, True]))
    section.tables.append(Table(
        "Per platform and year: the rent trend",
        ["platform", "year", f"gross revenue ({rc})", "orders", f"platform cost ({rc})", "fee share",
         "change vs previous year (points)"],
        [[r["platform"], r["period"], r["gross_revenue"], r["orders"], r["platform_cost"],
          format_percent(r["fee_share"]), _points(r["fee_share_yoy"])] for r in data["periods"]],
        numeric=[False, False, True, True, True, True, True]))
    if data.get("repeat_toll"):
        section.tables.append(Table(
            "Repeat-business toll: fees paid on repeat orders of buyers already won",
            ["platform", "repeat orders", f"repeat revenue ({rc})", f"toll ({rc})", "share of platform cost"],
            [[r["platform"], r["repeat_orders"], r["repeat_revenue"], r["toll"],
              format_percent(r["share_of_platform_cost"])] for r in data["repeat_toll"]],
            numeric=[False, True, True, True, True],
            note="The part of the rent that owning the relationship can save."))
    if data.get("acquisition_by_platform"):
        section.tables.append(Table(
            "What a lead, an order and a new buyer cost per platform",
            ["platform", f"cost ({rc})", "inquiries", "orders", "new buyers", "per inquiry", "per order", "CAC"],
            [[r["key"], r["cost"], r["inquiries"], r["orders"], r["new_buyers"], r["cost_per_inquiry"],
              r["cost_per_order"], r["cac"]] for r in data["acquisition_by_platform"]],
            numeric=[False, True, True, True, True, True, True, True]))
    if data.get("top_buyers"):
        section.tables.append(Table(
            "Lifetime rent: the buyers you paid the most platform fees for",
            ["buyer", "company", "country", "acquired on", "orders", f"revenue ({rc})", f"rent ({rc})"],
            [[b["name"] or b["company"] or b["buyer_id"], b["company"], b["country"], b["acq_platform"], b["orders"], b["revenue"],
              b["rent"]] for b in data["top_buyers"][:10]],
            numeric=[False, False, False, False, True, True, True]))
    dep = data.get("dependency") or {}
    if dep.get("channels"):
        section.tables.append(Table(
            "Platform dependency: share of revenue and of new buyers",
            ["channel", f"revenue ({rc})", "revenue share", "new buyers", "share of new buyers"],
            [[c["channel"], c["revenue"], format_percent(c["revenue_share"]), c["new_buyers"],
              format_percent(c["new_buyer_share"])] for c in dep["channels"]],
            numeric=[False, True, True, True, True],
            note=f"Concentration across channels (HHI, 0–10,000): {format_value(dep.get('hhi_channels'), 0)}; "
                 f"across platforms: {format_value(dep.get('hhi_platforms'), 0)}. Above 2,500 is highly concentrated."))
    return section


def funnel_section(ctx: ReportContext) -> Section:
    from assetkit.analysis.economics import analyse_funnel

    result = analyse_funnel(ctx.con, ctx.config, since=ctx.since, until=ctx.until)
    data = result.to_dict()
    ctx.results["funnel"] = data
    rc = ctx.config.reporting_currency
    section = Section(key="funnel", title="Funnel and channels", takeaway=data["takeaway"], data=data)
    bars = [{"year": str(r["year"]), "channel": ch, "revenue": v}
            for r in data["off_platform"] for ch, v in (r.get("by_channel") or {}).items()]
    if bars:
        section.charts.append(Chart(
            "Revenue by channel and year", charts.stacked_bar(bars, "year", "revenue", "channel",
                                                              y_title=f"revenue ({rc})"),
            "Stacked bars of net revenue per year, split by channel (marketplace, own site, referral …)."))
    section.tables.append(Table(
        "Off-platform share of revenue per year",
        ["year", f"revenue ({rc})", f"marketplaces ({rc})", f"off-platform ({rc})", "off-platform share"],
        [[r["year"], r["revenue"], r["marketplace"], r["off_platform"], format_percent(r["off_platform_share"])]
         for r in data["off_platform"]],
        numeric=[False, True, True, True, True],
        note="Off-platform: own site, referrals, exhibitions, direct deals — the number that shows whether the move "
             "to owned assets is happening."))
    conv = [r for r in data["conversion"] if r["dimension"] in ("all", "channel", "platform")]
    section.tables.append(Table(
        f"Inquiries to orders (converted = an order from the same buyer within {data['window_days']} days)",
        ["by", "value", "inquiries", "converted", "pending", "never", "conversion", f"revenue per inquiry ({rc})",
         "first response median (h)", "p90 (h)"],
        [[r["dimension"], r["value"], r["inquiries"], r["converted"], r["pending"], r["never_converted"],
          format_percent(r["conversion_rate"]), r["revenue_per_inquiry"], r["response_median_h"],
          r["response_p90_h"]] for r in conv],
        numeric=[False, False, True, True, True, True, True, True, True, True]))
    if data.get("marketing_return"):
        section.tables.append(Table(
            "Marketing return where spend is known",
            ["level", "channel or platform", f"spend ({rc})", f"revenue ({rc})", f"gross profit ({rc})",
             "revenue per 1 spent", "gross profit per 1 spent"],
            [[r["level"], r["key"], r["spend"], r["revenue"], r["gross_profit"], r["revenue_per_spend"],
              r["gross_profit_per_spend"]] for r in data["marketing_return"]],
            numeric=[False, False, True, True, True, True, True]))
    return section


def key_figures(results: dict[str, Any]) -> list[KeyFigure]:
    figures = []
    fees = results.get("costs")
    if fees and fees.get("overall_by_period"):
        overall = [r for r in fees["overall_by_period"] if r["fee_share"] is not None]
        last = overall[-1]
        detail = f"{last['period']}: platform cost ÷ gross revenue, all platforms"
        if len(overall) > 1:
            change = (last["fee_share"] - overall[-2]["fee_share"]) * 100
            detail += f"; {change:+.1f} points vs {overall[-2]['period']}"
        whole = fees.get("fee_share_window")
        if whole is not None:
            detail += f"; {format_percent(whole)} over the whole window"
        figures.append(KeyFigure("Fee share of revenue", format_percent(last["fee_share"]), detail))
    funnel = results.get("funnel")
    if funnel and funnel.get("off_platform"):
        rows = funnel["off_platform"]
        detail = f"{rows[-1]['year']}: own site, referrals, exhibitions, direct ÷ all revenue"
        if len(rows) > 1:
            detail += f"; was {format_percent(rows[-2]['off_platform_share'])} in {rows[-2]['year']}"
        figures.append(KeyFigure("Revenue off-platform", format_percent(rows[-1]["off_platform_share"]), detail))
    return figures


def _points(value: Any) -> Any:
    return None if value is None else round(float(value) * 100, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
