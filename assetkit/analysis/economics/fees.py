"""`assetkit fees`: what each platform takes, per period, and whether it is getting worse.

Fee share = platform cost / gross revenue per platform and period; its change against the
same period a year earlier is the "rent trend". Definitions: docs/metrics.md, "Platform
economics".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics import base, dependency, rent, schedules
from assetkit.analysis.economics._common import (
    FX_POLICY,
    Scope,
    as_date,
    as_float,
    check_by,
    period_label,
    run,
    share,
)
from assetkit.config import Config
from assetkit.store.sql import working_tables

if TYPE_CHECKING:
    import duckdb

AD_SPEND_POLICY = {
    True: "Included: ad spend imported as `spend` rows that name a platform counts as that "
          "platform's advertising cost, except in months in which the platform's own fee rows "
          "already bill advertising (then the fee rows are the bill and the spend rows are not "
          "added on top). Leave spend out entirely with --no-ad-spend.",
    False: "Not included (--no-ad-spend): ad spend from `spend` rows is not platform cost; "
           "only fee rows and recurring fees are.",
}
ALLOCATION_POLICY = (
    "Rent per order = fees linked to the order (fees.order_id) + a share of the platform's "
    "unlinked costs of the same calendar month (fee rows without an order, recurring fees, "
    "platform ad spend) in proportion to the order's gross revenue. Costs of months without "
    "revenue stay unallocated."
)


@dataclass
class FeesResult:
    """Everything `assetkit fees` reports; money in `reporting_currency`, shares as fractions
    (0.125 = 12.5 %), None where a figure is undefined (e.g. fee share without revenue)."""

    by: str
    since: dt.date
    until: dt.date
    reporting_currency: str
    takeaway: str
    periods: list[dict[str, Any]]
    platforms: list[dict[str, Any]]
    schedule_check: list[dict[str, Any]]
    acquisition_by_platform: list[dict[str, Any]]
    acquisition_by_channel: list[dict[str, Any]]
    rent_by_platform: list[dict[str, Any]]
    top_buyers: list[dict[str, Any]]
    repeat_toll: list[dict[str, Any]]
    dependency: dict[str, Any]
    rent_unallocated: float
    policies: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def overall_by_period(self) -> list[dict[str, Any]]:
        """All platforms together per period: Σ platform cost ÷ Σ gross revenue."""
        cost: dict[str, float] = defaultdict(float)
        revenue: dict[str, float] = defaultdict(float)
        for row in self.periods:
            cost[row["period"]] += row["platform_cost"] or 0.0
            revenue[row["period"]] += row["gross_revenue"] or 0.0
        return [{"period": p, "platform_cost": cost[p], "gross_revenue": revenue[p],
                 "fee_share": cost[p] / revenue[p] if revenue[p] else None} for p in sorted(cost)]

    @property
    def fee_share_window(self) -> float | None:
        """All platforms' cost over the whole window ÷ their gross revenue (None without revenue)."""
        revenue = sum(p["gross_revenue"] or 0.0 for p in self.platforms)
        return sum(p["platform_cost"] or 0.0 for p in self.platforms) / revenue if revenue > 0 else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["since"], out["until"] = self.since.isoformat(), self.until.isoformat()
        out["overall_by_period"], out["fee_share_window"] = self.overall_by_period, self.fee_share_window
        return out


def _periods(con: duckdb.DuckDBPyConnection, by: str, prep: base.Prepared) -> list[dict[str, Any]]:
    """Per platform and period: revenue, fees by category, cost, fee share and its YoY change."""
    pivot = ",\n".join(f"coalesce(sum(amount) FILTER (WHERE category = '{c}'), 0) AS {c}"
                       for c in schedules.CATEGORIES)
    step = {"year": "1 year", "quarter": "3 month", "month": "1 month"}[by]
    rows = run(con, f"""
        WITH rev AS (
            SELECT platform, CAST(date_trunc('{by}', month) AS DATE) AS ps,
                   sum(revenue) AS gross_revenue, sum(orders) AS orders
            FROM _ak_econ_om GROUP BY ALL),
        cost AS (
            SELECT platform, CAST(date_trunc('{by}', month) AS DATE) AS ps, {pivot},
                   sum(amount) AS platform_cost
            FROM _ak_econ_cost GROUP BY ALL),
        j AS (
            SELECT platform, ps, coalesce(rev.gross_revenue, 0) AS gross_revenue,
                   coalesce(rev.orders, 0) AS orders, cost.* EXCLUDE (platform, ps),
                   coalesce(cost.platform_cost, 0) AS cost
            FROM rev FULL JOIN cost USING (platform, ps)),
        s AS (
            SELECT *, CASE WHEN gross_revenue > 0 THEN cost / gross_revenue END AS fee_share FROM j)
        SELECT s.* EXCLUDE (platform_cost, cost), s.cost AS platform_cost,
               s.gross_revenue - s.cost AS net_revenue,
               greatest(s.ps, $lo) AS period_start,
               least(CAST(s.ps + INTERVAL {step} AS DATE) - 1, $hi) AS period_end,
               s.fee_share - prev.fee_share AS fee_share_yoy
        FROM s LEFT JOIN s prev
          ON prev.platform = s.platform AND CAST(prev.ps + INTERVAL 1 year AS DATE) = s.ps
        ORDER BY s.platform, s.ps
    """, prep.params)
    out = []
    for r in rows:
        out.append({
            "platform": r["platform"], "period": period_label(r["ps"], by),
            "period_start": r["period_start"].isoformat(), "period_end": r["period_end"].isoformat(),
            "gross_revenue": as_float(r["gross_revenue"]), "orders": int(r["orders"]),
            "fees": {c: as_float(r[c]) or 0.0 for c in schedules.CATEGORIES},
            "platform_cost": as_float(r["platform_cost"]), "fee_share": as_float(r["fee_share"]),
            "net_revenue": as_float(r["net_revenue"]), "fee_share_yoy": as_float(r["fee_share_yoy"]),
        })
    return out


def _platform_totals(con: duckdb.DuckDBPyConnection, prep: base.Prepared) -> list[dict[str, Any]]:
    """Per platform over the whole window: take rate with and without fixed fees."""
    rows = run(con, """
        WITH rev AS (SELECT platform, sum(revenue) AS gross_revenue FROM _ak_econ_om GROUP BY ALL),
        cost AS (SELECT platform, sum(amount) AS cost,
                        coalesce(sum(amount) FILTER (WHERE fixed), 0) AS fixed_cost
                 FROM _ak_econ_cost GROUP BY ALL)
        SELECT platform, coalesce(gross_revenue, 0) AS gross_revenue, coalesce(cost, 0) AS cost,
               coalesce(fixed_cost, 0) AS fixed_cost
        FROM rev FULL JOIN cost USING (platform) ORDER BY platform
    """, prep.params)
    out = []
    for r in rows:
        revenue, cost, fixed = (as_float(r[k]) for k in ("gross_revenue", "cost", "fixed_cost"))
        out.append({"platform": r["platform"], "gross_revenue": revenue, "platform_cost": cost,
                    "fixed_cost": fixed, "variable_cost": cost - fixed,
                    "take_rate": share(cost, revenue), "take_rate_ex_fixed": share(cost - fixed, revenue),
                    "net_revenue": revenue - cost})
    return out


def _schedule_check(periods: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Observed commission/service rate per platform and year against the published range."""
    if by != "year":
        return []
    out = []
    for p in periods:
        for category in schedules.CHECKED_CATEGORIES:
            rng = schedules.published_rate_range(p["platform"], category,
                                                 dt.date.fromisoformat(p["period_end"]))
            observed = share(p["fees"][category], p["gross_revenue"])
            if rng is None or observed is None or not p["fees"][category]:
                continue
            low, high, source = rng
            status = "below" if observed < low - 0.005 else "above" if observed > high + 0.005 else "within"
            out.append({"platform": p["platform"], "period": p["period"], "category": category,
                        "observed_rate": observed, "published_min": low, "published_max": high,
                        "status": status, "source": source})
    return out


def _takeaway(platforms: list[dict[str, Any]], periods: list[dict[str, Any]], rc: str) -> str:
    revenue = sum(p["gross_revenue"] for p in platforms)
    cost = sum(p["platform_cost"] for p in platforms)
    total = share(cost, revenue)
    text = (f"Platforms took {rc} {cost:,.0f} of {rc} {revenue:,.0f} gross revenue"
            + (f" ({total:.1%})" if total is not None else ""))
    worst = max((p for p in platforms if p["take_rate"] is not None),
                 key=lambda p: p["take_rate"], default=None)
    if worst:
        text += f"; {worst['platform']} costs the most at {worst['take_rate']:.1%}"
    no_sales = [p["platform"] for p in platforms if p["take_rate"] is None and p["platform_cost"] > 0]
    if no_sales:
        text += f"; {', '.join(no_sales)} cost money but brought no revenue"
    rising = [p for p in periods if p["fee_share_yoy"] is not None and p["fee_share_yoy"] > 0]
    if rising:
        last = max(rising, key=lambda p: (p["period_start"], p["fee_share_yoy"]))
        text += f"; {last['platform']}'s fee share rose {last['fee_share_yoy'] * 100:.1f} points in {last['period']}"
    return text + "."


def analyse_fees(con: duckdb.DuckDBPyConnection, config: Config | None = None, by: str = "year",
                 since: dt.date | str | None = None, until: dt.date | str | None = None,
                 platform: str | None = None, channel: str | None = None,
                 include_ad_spend: bool = True) -> FeesResult:
    """Platform cost and fee share by platform and period, rent per buyer, dependency.

    Raises NotEnoughData (exit 3) when there are no orders in scope or they cover a single
    calendar month.
    """
    by = check_by(by)
    scope = Scope(as_date(since), as_date(until), platform, channel)
    with working_tables(con, *base.TABLES):
        prep = base.prepare(con, config or Config(), scope, "the fee analysis", include_ad_spend)
        periods = _periods(con, by, prep)
        platforms = _platform_totals(con, prep)
        rents = rent.analyse(con, prep, platforms)
        dep = dependency.analyse(con, prep)
    return FeesResult(
        by=by, since=prep.lo, until=prep.hi, reporting_currency=prep.rc,
        takeaway=_takeaway(platforms, periods, prep.rc), periods=periods, platforms=platforms,
        schedule_check=_schedule_check(periods, by), dependency=dep, **rents,
        policies={"fx": FX_POLICY.format(rc=prep.rc), "ad_spend": AD_SPEND_POLICY[prep.include_ad_spend],
                  "allocation": ALLOCATION_POLICY,
                  "new_buyer": "A new buyer is one whose first non-cancelled order (across all "
                               "platforms, over all history) falls in the window; acquired via "
                               "that order's platform and channel.",
                  "fixed_fees": "Fixed fees = membership/subscription rows and recurring fees "
                                "from assetkit.yaml of category membership."},
        notes=prep.notes + _plan_notes(platforms, prep.hi),
    )


def _plan_notes(platforms: list[dict[str, Any]], on: dt.date) -> list[str]:
    """Point at published subscription plans a selling platform shows no membership fee for."""
    notes = []
    for p in platforms:
        if p["gross_revenue"] <= 0 or p["fixed_cost"]:
            continue
        for plan in schedules.published_plans(p["platform"], on):
            notes.append(f"{p['platform']}: no membership/subscription fee found; if you are on the "
                         f"{plan['name']} ({plan['currency']} {plan['amount']} a {plan['period']}, "
                         f"{plan['source']}), add it to recurring_fees in assetkit.yaml")
    return notes
