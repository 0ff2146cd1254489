"""`assetkit funnel`: where business comes from. Inquiry -> order conversion by channel,
platform, country and product; response times; the off-platform share of revenue per year;
marketing return per channel where spend is known. Definitions: docs/metrics.md, "Funnel".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics import recurring
from assetkit.analysis.economics._common import (
    FX_POLICY,
    ORDERS_SQL,
    Scope,
    as_date,
    as_float,
    money,
    ratio,
    require_orders,
    run,
    share,
    unconverted_note,
    utc,
    utc_day,
)
from assetkit.config import Config
from assetkit.errors import NotEnoughData, UsageError
from assetkit.store.sql import working_tables

if TYPE_CHECKING:
    import duckdb

DEFAULT_WINDOW_DAYS = 180
REV_TABLE = "_ak_econ_rev"  # revenue per year, channel and platform in the window
DIMENSIONS = ("channel", "platform", "country", "product")

CONVERSION_POLICY = (
    "An inquiry converts when the same buyer places a non-cancelled order (on any platform) "
    "within {w} days after it. Inquiries whose {w}-day window has not ended by {hi} and have no "
    "order yet are `pending` and left out of the conversion rate; inquiries without a buyer "
    "cannot be matched to orders and count as never converted. Revenue is attributed to the buyer's latest inquiry before the order "
    "(within the window): revenue per inquiry = attributed revenue / inquiries."
)


@dataclass
class FunnelResult:
    """Everything `assetkit funnel` reports; money in `reporting_currency`, rates as fractions."""

    since: dt.date
    until: dt.date
    reporting_currency: str
    window_days: int
    takeaway: str
    conversion: list[dict[str, Any]]
    off_platform: list[dict[str, Any]]
    marketing_return: list[dict[str, Any]]
    gross_margin: float | None
    policies: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["since"], out["until"] = self.since.isoformat(), self.until.isoformat()
        return out


def _conversion(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Conversion, attributed revenue and response times per dimension, with one ASOF join.

    Each order is matched once to the buyer's latest inquiry at or before it (`att`). That
    gives the revenue attributed to every inquiry and the first order after it before the
    buyer's next inquiry; the first order after an inquiry at all is then the earliest of
    those over the inquiry and the buyer's later ones (a running minimum over the inquiries
    alone, peers included), which spares a second join of all orders to the inquiries.
    """
    rows = run(con, f"""
        WITH o AS (SELECT buyer_id, {utc('ordered_at')} AS ts, revenue, is_order FROM ({ORDERS_SQL}) x
                   WHERE counted AND buyer_id IS NOT NULL AND d <= $hi),
        ia AS (SELECT inquiry_id, buyer_id, {utc('received_at')} AS ts FROM inquiries WHERE buyer_id IS NOT NULL),
        att AS (SELECT ia.inquiry_id, min(o.ts) FILTER (WHERE o.is_order) AS first_order,
                       sum(o.revenue) FILTER (WHERE o.ts < ia.ts + to_days($window)) AS revenue
                FROM o ASOF JOIN ia ON o.buyer_id = ia.buyer_id AND ia.ts <= o.ts
                GROUP BY ia.inquiry_id),
        i AS (SELECT i.inquiry_id, i.platform, i.channel, i.buyer_id, {utc('i.received_at')} AS ts,
                     coalesce(i.product, '(none)') AS product,
                     coalesce(i.country, b.country, '(unknown)') AS country,
                     date_diff('second', {utc('i.received_at')}, {utc('i.first_response_at')}) / 3600.0 AS response_h,
                     att.first_order, att.revenue
              FROM inquiries i LEFT JOIN buyers b USING (buyer_id) LEFT JOIN att USING (inquiry_id)),
        nxt AS (SELECT * EXCLUDE (first_order),
                       CASE WHEN buyer_id IS NOT NULL THEN min(first_order) OVER (
                           PARTITION BY buyer_id ORDER BY ts RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
                       END AS next_order
                FROM i),
        f AS (SELECT * EXCLUDE (revenue), coalesce(revenue, 0) AS revenue,
                     coalesce(next_order < ts + to_days($window), false) AS converted,
                     buyer_id IS NOT NULL AND CAST(ts + to_days($window) AS DATE) > $hi AS open
              FROM nxt
              WHERE CAST(ts AS DATE) BETWEEN $lo AND $hi
                AND ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel))
        SELECT CASE WHEN grouping(channel) = 0 THEN 'channel' WHEN grouping(platform) = 0 THEN 'platform'
                    WHEN grouping(country) = 0 THEN 'country' WHEN grouping(product) = 0 THEN 'product'
                    ELSE 'all' END AS dimension,
               coalesce(channel, platform, country, product, 'all') AS value,
               count(*) AS inquiries, count(*) FILTER (WHERE converted) AS converted,
               count(*) FILTER (WHERE NOT converted AND open) AS pending,
               count(*) FILTER (WHERE NOT converted AND NOT open) AS never_converted,
               sum(revenue) AS revenue, count(response_h) FILTER (WHERE response_h >= 0) AS responded,
               quantile_cont(response_h, [0.5, 0.9]) FILTER (WHERE response_h >= 0) AS response_q
        FROM f GROUP BY GROUPING SETS ((), (channel), (platform), (country), (product))
        ORDER BY 1, inquiries DESC, value
    """, params)
    order = {"all": 0, **{d: n + 1 for n, d in enumerate(DIMENSIONS)}}
    rows.sort(key=lambda r: order[r["dimension"]])
    for r in rows:
        r["response_median_h"], r["response_p90_h"] = r.pop("response_q") or (None, None)
        r["revenue"] = as_float(r["revenue"])
        r["conversion_rate"] = ratio(r["converted"], r["converted"] + r["never_converted"])
        r["revenue_per_inquiry"] = ratio(r["revenue"], r["inquiries"])
    return rows


def _off_platform(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows = run(con, f"""
        SELECT y AS year, sum(revenue) AS revenue,
               coalesce(sum(revenue) FILTER (WHERE channel = 'marketplace'), 0) AS marketplace,
               coalesce(sum(revenue) FILTER (WHERE channel <> 'marketplace'), 0) AS off_platform,
               list({{'channel': channel, 'revenue': revenue}} ORDER BY channel) AS by_channel
        FROM (SELECT y, channel, sum(revenue) AS revenue FROM {REV_TABLE}
              WHERE ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel)
              GROUP BY ALL) c
        GROUP BY y ORDER BY y
    """, params)
    return [{"year": r["year"], "revenue": as_float(r["revenue"]), "marketplace": as_float(r["marketplace"]),
             "off_platform": as_float(r["off_platform"]),
             "off_platform_share": share(as_float(r["off_platform"]), as_float(r["revenue"])),
             "by_channel": {c["channel"]: as_float(c["revenue"]) for c in r["by_channel"]}} for r in rows]


def _marketing_return(con: duckdb.DuckDBPyConnection, params: dict[str, Any],
                      margin: float | None) -> list[dict[str, Any]]:
    """Revenue and gross profit per unit of spend, per channel and per platform with spend."""
    rows = run(con, f"""
        WITH s AS (SELECT channel, platform, sum(amount) AS spend FROM ({recurring.spread_by_month_sql()}) x
                   WHERE source = 'spend' AND ($platform IS NULL OR platform = $platform)
                     AND ($channel IS NULL OR channel = $channel) GROUP BY ALL),
        r AS (SELECT channel, platform, sum(revenue) AS revenue FROM {REV_TABLE} GROUP BY ALL),
        acq AS (SELECT b.first_channel AS channel, sum(o.revenue) AS revenue
                FROM ({ORDERS_SQL}) o JOIN buyers b USING (buyer_id)
                WHERE o.d BETWEEN $lo AND $hi AND b.first_channel IS NOT NULL GROUP BY 1),
        by_channel AS (SELECT 'channel' AS level, channel AS key, sum(spend) AS spend,
                              (SELECT sum(revenue) FROM r WHERE r.channel = s.channel) AS revenue,
                              (SELECT sum(revenue) FROM acq WHERE acq.channel = s.channel) AS acquired_revenue
                       FROM s GROUP BY channel),
        by_platform AS (SELECT 'platform' AS level, platform AS key, sum(spend) AS spend,
                               (SELECT sum(revenue) FROM r WHERE r.platform = s.platform) AS revenue,
                               NULL AS acquired_revenue
                        FROM s WHERE platform IS NOT NULL GROUP BY platform)
        SELECT * FROM by_channel UNION ALL SELECT * FROM by_platform ORDER BY level, spend DESC, key
    """, params)
    out = []
    for r in rows:
        spend, revenue = as_float(r["spend"]), as_float(r["revenue"]) or 0.0
        profit = revenue * margin if margin is not None else None
        out.append({"level": r["level"], "key": r["key"], "spend": spend, "revenue": revenue,
                    "acquired_buyers_revenue": as_float(r["acquired_revenue"]),
                    "gross_profit": profit, "revenue_per_spend": ratio(revenue, spend),
                    "gross_profit_per_spend": ratio(profit, spend)})
    return out


def unattributed_notes(rows: list[dict[str, Any]], rc: str) -> list[str]:
    """Channels with spend but neither orders nor buyers acquired through them (an exhibition
    whose contacts later ordered on a marketplace): their return is not attributed, say so."""
    return [f"{r['key']}: {rc} {r['spend']:,.0f} spent, but no orders and no buyers recorded as acquired "
            "through it; buyers met there are recorded under the channel they ordered through, so its "
            f"return is not attributed (set those buyers' first channel to {r['key']} to attribute it)"
            for r in rows if r["level"] == "channel" and (r["spend"] or 0) > 0 and not r["revenue"]
            and not r["acquired_buyers_revenue"]]


def _takeaway(conv: list[dict[str, Any]], off: list[dict[str, Any]], window: int) -> str:
    total = conv[0]
    rate = total["conversion_rate"]
    text = (f"{total['converted']} of {total['inquiries']} inquiries became orders within {window} days"
            + (f" ({rate:.0%} of those decided)" if rate is not None else ""))
    best = max((r for r in conv if r["dimension"] == "channel" and r["conversion_rate"] is not None),
               key=lambda r: (r["conversion_rate"], r["inquiries"]), default=None)
    if best:
        text += f"; {best['value']} converts best at {best['conversion_rate']:.0%}"
    shares = [r for r in off if r["off_platform_share"] is not None]
    if shares:
        last = shares[-1]
        text += f"; off-platform revenue was {last['off_platform_share']:.0%} in {last['year']}"
        if len(shares) > 1:
            text += f" (vs {shares[-2]['off_platform_share']:.0%} in {shares[-2]['year']})"
    return text + "."


def analyse_funnel(con: duckdb.DuckDBPyConnection, config: Config | None = None,
                   since: dt.date | str | None = None, until: dt.date | str | None = None,
                   platform: str | None = None, channel: str | None = None,
                   window_days: int | None = None) -> FunnelResult:
    """Inquiry-to-order conversion, response times, off-platform share, marketing return.

    `window_days` defaults to assetkit.yaml `funnel: {conversion_window_days: N}`, else 180.
    Raises NotEnoughData (exit 3) without inquiries, without orders, or with one month of orders.
    Without a configuration, gross profit per unit of spend is not shown (no margin is known).
    """
    margin = config.gross_margin if config is not None else None
    config = config or Config()
    window = int(window_days or config.section("funnel").get("conversion_window_days", DEFAULT_WINDOW_DAYS))
    if window <= 0:
        raise UsageError(f"the conversion window must be a positive number of days, not {window}")
    scope = Scope(as_date(since), as_date(until), platform, channel)
    rc = config.reporting_currency
    params: dict[str, Any] = {**scope.params(), "rc": rc, "window": window}
    span = run(con, f"""
        WITH o AS (SELECT min(d) FILTER (WHERE g IS NOT NULL) AS lo, max(d) FILTER (WHERE g IS NOT NULL) AS hi,
                          count(g) AS n, count(*) - count(g) AS unconverted,
                          count(DISTINCT date_trunc('month', d)) FILTER (WHERE g IS NOT NULL) AS months
                   FROM (SELECT {utc_day('ordered_at')} AS d, {money('gross_amount', 'gross_amount_rc')} AS g
                         FROM orders WHERE ($platform IS NULL OR platform = $platform)
                           AND ($channel IS NULL OR channel = $channel)) x
                   WHERE ($since IS NULL OR d >= $since) AND ($until IS NULL OR d <= $until)),
        i AS (SELECT count(*) AS inquiries, min(d) AS lo, max(d) AS hi
              FROM (SELECT {utc_day('received_at')} AS d FROM inquiries
                    WHERE ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel)) x
              WHERE ($since IS NULL OR d >= $since) AND ($until IS NULL OR d <= $until))
        SELECT o.n, o.months, o.unconverted, i.inquiries, least(o.lo, i.lo) AS lo, greatest(o.hi, i.hi) AS hi
        FROM o, i
    """, params)[0]
    if span["inquiries"] == 0:
        raise NotEnoughData(f"no inquiries {scope.describe()}: the funnel starts from inquiries",
                            hint="import inquiry/lead exports (assetkit import FILE --kind inquiries)")
    month_note = require_orders(span["months"], span["n"], scope, "the funnel")
    lo, hi = scope.since or span["lo"], scope.until or span["hi"]
    params.update(lo=lo, hi=hi)
    with working_tables(con, REV_TABLE, recurring.SPREAD_TABLE, recurring.SPREAD_TABLE + "_raw"):
        notes = recurring.build_spread_table(con, config, hi, include_ad_spend=False, include_recurring=False)
        run(con, f"""CREATE OR REPLACE TEMP TABLE {REV_TABLE} AS
                     SELECT year(d) AS y, channel, platform, sum(revenue) AS revenue FROM ({ORDERS_SQL}) x
                     WHERE d BETWEEN $lo AND $hi GROUP BY ALL""", params)
        conversion = _conversion(con, params)
        off = _off_platform(con, params)
        mret = _marketing_return(con, params, margin)
    notes = [n for n in (unconverted_note("orders", span["unconverted"], rc),) if n] + month_note + notes
    if margin is None:
        notes.append("no gross_margin in assetkit.yaml: gross profit per unit of spend is not shown")
    notes += unattributed_notes(mret, rc)
    return FunnelResult(
        since=lo, until=hi, reporting_currency=rc, window_days=window,
        takeaway=_takeaway(conversion, off, window), conversion=conversion, off_platform=off,
        marketing_return=mret, gross_margin=margin,
        policies={"conversion": CONVERSION_POLICY.format(w=window, hi=hi), "fx": FX_POLICY.format(rc=rc),
                  "off_platform": "Off-platform = every channel other than `marketplace` (own_site, "
                                  "referral, exhibition, direct, email, social, other).",
                  "marketing_return": "Spend rows are spread evenly by day over their period and "
                                      "clipped to the window; revenue is that of the channel's (or "
                                      "platform's) orders in the window; acquired_buyers_revenue is the "
                                      "window's revenue of buyers whose first channel is that channel "
                                      "(wherever they ordered); gross profit = revenue x "
                                      "gross_margin from assetkit.yaml."},
        notes=notes,
    )
