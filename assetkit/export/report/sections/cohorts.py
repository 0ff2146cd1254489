"""Report section for cohorts and recurring revenue (`assetkit cohorts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetkit.export.output import format_percent
from assetkit.export.report import charts
from assetkit.export.report.model import Chart, Section, Table

if TYPE_CHECKING:
    from assetkit.export.report.model import ReportContext

MAX_AGE = 8  # quarters shown in the heat map: two years after acquisition


def cohorts_section(ctx: ReportContext) -> Section:
    from assetkit.analysis.cohorts import analyse_cohorts

    result = analyse_cohorts(ctx.con, ctx.config, period="quarter", since=ctx.since, until=ctx.until,
                             expected_rr=ctx.results.get("expected_rr"))
    data = result.to_dict()
    ctx.results["cohorts"] = data
    rc = ctx.config.reporting_currency
    everyone = next((c for c in data["cohorts"] if c["split"] == "all"), None)
    section = Section(key="cohorts", title="Cohorts and recurring revenue", data=data)
    if everyone:
        cells = [{"cohort": row["cohort"] + (" (<10)" if row["small"] else ""), "age": cell["age"],
                  "retention": cell["buyer_retention"]}
                 for row in everyone["rows"] for cell in row["cells"] if cell["age"] <= MAX_AGE]
        section.charts.append(Chart(
            "Buyer retention by acquisition quarter", charts.heatmap(cells, "age", "cohort", "retention",
                                                                     value_title="buyers ordering again",
                                                                     x_title="quarters since first order"),
            "Heat map: each row is the quarter in which buyers first ordered, each column the quarters since; "
            "darker means a larger share of that cohort ordered again. Cohorts under 10 buyers are marked (<10)."))
        avg = {c["age"]: c for c in everyone["weighted_average"]}
        if 4 in avg:
            section.takeaway = (f"{format_percent(avg[4]['buyer_retention'])} of buyers order again four quarters "
                                f"after their first order (weighted over {avg[4]['cohorts']} cohorts); revenue "
                                f"retention {format_percent(avg[4]['revenue_retention'])}.")
        section.tables.append(Table(
            "Average retention by quarters since first order (all buyers)",
            ["quarters since", "buyers", "ordering again", "buyer retention", "revenue retention",
             "net of fees", f"cumulative revenue per buyer ({rc})"],
            [[c["age"], c["cohort_size"], c["active_buyers"], format_percent(c["buyer_retention"]),
              format_percent(c["revenue_retention"]), format_percent(c["revenue_net_retention"]),
              c["cumulative_revenue_per_buyer"]] for c in everyone["weighted_average"] if c["age"] <= MAX_AGE],
            numeric=[True, True, True, True, True, True, True]))
    latest = _latest_by_split(data["recurring"])
    if latest:
        section.tables.append(Table(
            f"Run-rate recurring revenue, {latest[0]['month']}, by acquisition channel",
            ["split", "buyers", "new", "reactivated", "churned", "churn rate", "NRR", "GRR", "NRR net of fees",
             f"run-rate ({rc}/month)"],
            [[r["split"], r["buyers_end"], r["new_buyers"], r["reactivated_buyers"], r["churned_buyers"],
              format_percent(r["churn_rate"]), format_percent(r["gross"]["nrr"]), format_percent(r["gross"]["grr"]),
              format_percent(r["net"]["nrr"]), r["gross"]["rr_end"]] for r in latest],
            numeric=[False, True, True, True, True, True, True, True, True, True],
            note="Most exporters' buyers do not subscribe: a buyer counts as recurring while ordering within "
                 f"{data['definitions'].get('churn_k')}× their own median gap; definitions in docs/metrics.md."))
    return section


def _latest_by_split(recurring: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not recurring:
        return []
    month = max(r["month"] for r in recurring)
    return [r for r in recurring if r["month"] == month]
