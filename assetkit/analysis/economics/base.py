"""The shared working tables of `assetkit fees`, built with as few passes over the big tables
as possible: orders are scanned once summed per day and once summed per buyer; fees once
summed per day; fees are joined to orders once (summed per buyer straight away) and once more
only to look up the fees of each buyer's first order:

- `_ak_econ_pcd`: orders summed per platform, channel, day and with-or-without a buyer over
  all history (revenue, orders, rows without an FX rate) -> the data span, home channels,
  per-month revenue and the per-platform sums of `_ak_econ_pp`.
- `_ak_econ_costd`: fees summed per platform, day, category and linked-or-not.
- `_ak_econ_cost`: platform cost per platform, month, category, source (`fees`, `config`,
  `spend`) and whether it is linked to an order, inside the window.
- `_ak_econ_alloc`: per platform and month, the unlinked cost and the factor that shares it
  among that month's orders of the platform in proportion to their gross revenue.
- `_ak_econ_bp`: per buyer, revenue, orders, linked fees and allocated rent in scope, and the
  buyer's first non-cancelled order (all history up to the window's end); built from
  `_ak_econ_bpo` (the orders) and `_ak_econ_bpf` (the fee join, also per platform).
- `_ak_econ_pp`: the same sums per platform, apart for orders without a buyer (`anon`).
- `_ak_econ_fo`: per buyer, the first non-cancelled order across platforms (acquisition), with
  its own linked fees, allocation factor and whether it falls in scope.
- `_ak_econ_om`: revenue, orders and new buyers per platform, channel and month in scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics import recurring, schedules
from assetkit.analysis.economics._common import (
    ORDERS_ALL_SQL,
    ORDERS_SQL,
    Scope,
    money,
    require_orders,
    run,
    unconverted_note,
    utc_day,
)

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

TABLES = ("_ak_econ_pcd", "_ak_econ_costd", "_ak_econ_cost", "_ak_econ_alloc", "_ak_econ_bp", "_ak_econ_fo",
          "_ak_econ_pp", "_ak_econ_bpo", "_ak_econ_bpf",
          "_ak_econ_om", "_ak_econ_buyers", "_ak_econ_billed_ads", "_ak_econ_types",
          recurring.SPREAD_TABLE, recurring.SPREAD_TABLE + "_raw")


@dataclass
class Prepared:
    """What the working tables cover."""

    lo: dt.date
    hi: dt.date
    rc: str
    include_ad_spend: bool
    home_channel: dict[str, str]
    platforms: list[str] | None
    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _home_channels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """platform -> the channel most of its orders (else inquiries, else spend) are in;
    platforms known only from fees count as `marketplace` where a home channel is looked up."""
    rows = con.execute("""
        WITH c AS (
            SELECT platform, channel, 3 AS pri, sum(n_all) AS n FROM _ak_econ_pcd GROUP BY ALL
            UNION ALL SELECT platform, channel, 2, count(*) FROM inquiries GROUP BY ALL
            UNION ALL SELECT platform, channel, 1, count(*) FROM spend WHERE platform IS NOT NULL GROUP BY ALL)
        SELECT platform, arg_max(channel, pri * 1e12 + n) FROM c GROUP BY platform
    """).fetchall()
    return dict(rows)


def prepare(con: duckdb.DuckDBPyConnection, config: Config, scope: Scope, what: str,
            include_ads: bool = True) -> Prepared:
    """Build the working tables for `scope`; NotEnoughData when the orders cannot carry it."""
    rc = config.reporting_currency
    params: dict[str, Any] = {**scope.params(), "rc": rc}
    _daily(con, params)
    home = _home_channels(con)
    platforms = None
    if scope.channel is not None:
        platforms = sorted(p for p, ch in home.items() if ch == scope.channel)
        platforms += [p for p in _fee_platforms(con) if p not in home and scope.channel == "marketplace"]
    if scope.platform is not None:
        platforms = [p for p in (platforms if platforms is not None else [scope.platform])
                     if p == scope.platform]
    params["platforms"] = platforms
    span = run(con, """
        SELECT min(d) FILTER (WHERE n_conv > 0) AS lo, max(d) FILTER (WHERE n_conv > 0) AS hi,
               sum(n_conv) AS n, sum(n_all - n_conv) AS unconverted,
               count(DISTINCT date_trunc('month', d)) FILTER (WHERE n_conv > 0) AS months
        FROM _ak_econ_pcd
        WHERE ($since IS NULL OR d >= $since) AND ($until IS NULL OR d <= $until)
          AND ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel)
    """, params)[0]
    month_note = require_orders(span["months"] or 0, span["n"] or 0, scope, what)
    fspan = run(con, """
        SELECT min(d) AS lo, max(d) AS hi, sum(n_all - n_conv) AS unconverted FROM _ak_econ_costd
        WHERE ($platforms IS NULL OR list_contains($platforms, platform))
          AND ($since IS NULL OR d >= $since) AND ($until IS NULL OR d <= $until)
    """, params)[0]
    lo = scope.since or min(d for d in (span["lo"], fspan["lo"]) if d is not None)
    hi = scope.until or max(d for d in (span["hi"], fspan["hi"]) if d is not None)
    params.update(lo=lo, hi=hi, ads=include_ads)
    notes = [n for n in (unconverted_note("orders", span["unconverted"], rc),
                         unconverted_note("fees", fspan["unconverted"], rc)) if n] + month_note
    notes += recurring.build_spread_table(con, config, hi, include_ads)
    _costs(con, params)
    _buyers(con, params)
    return Prepared(lo, hi, rc, include_ads, home, platforms, params, notes)


def _fee_platforms(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT platform FROM _ak_econ_costd ORDER BY 1").fetchall()]


def _daily(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """First scans: orders and fees summed per platform (channel, category) and day."""
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_pcd AS
        SELECT platform, channel, d, buyer_id IS NULL AS anon, count(*) AS n_all,
               count(*) FILTER (WHERE converted) AS n_conv, sum(revenue) AS revenue,
               count(*) FILTER (WHERE is_order AND converted) AS orders
        FROM ({ORDERS_ALL_SQL}) o GROUP BY ALL
    """, params)
    fee_days(con, params)


def fee_days(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Fees summed per platform, day, category and linked-or-not (`_ak_econ_costd`).

    Summed per raw fee_type first: the few distinct values are normalised and mapped to a
    category afterwards instead of running the string functions on every fee row.
    """
    con.execute("CREATE OR REPLACE TEMP TABLE _ak_econ_types (alias VARCHAR, category VARCHAR, fixed BOOLEAN)")
    con.executemany("INSERT INTO _ak_econ_types VALUES (?, ?, ?)", schedules.alias_rows())
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_costd AS
        WITH f AS (SELECT platform, {utc_day('incurred_at')} AS d, order_id IS NOT NULL AS linked, fee_type,
                          count(*) AS n_all, count(amount) AS n_conv, sum(amount) AS amount
                   FROM (SELECT platform, incurred_at, order_id, fee_type, {money('amount', 'amount_rc')} AS amount
                         FROM platform_fees) x GROUP BY ALL)
        SELECT f.platform, f.d, coalesce(t.category, 'other') AS category, coalesce(t.fixed, false) AS fixed,
               f.linked, CAST(sum(f.n_all) AS BIGINT) AS n_all, CAST(sum(f.n_conv) AS BIGINT) AS n_conv,
               sum(f.amount) AS amount
        FROM f LEFT JOIN _ak_econ_types t
          ON t.alias = replace(replace(lower(trim(f.fee_type)), ' ', '_'), '-', '_')
        GROUP BY ALL
    """, params)


def cost_rows(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """THE definition of platform cost (docs/metrics.md, "platform cost"): per platform, month,
    category, source (`fees`, `config`, `spend`) and linked-or-not, inside [$lo, $hi], into
    `_ak_econ_cost`. Needs `_ak_econ_costd` (fee_days) and the spread table (recurring).

    Ad spend rows count as platform cost only for months in which the platform's own fee rows
    bill no advertising: a statement that already carries the ads (Etsy Ads) is the bill, and
    the seller's budget ledger for the same ads must not be added on top. `assetkit fees`,
    `scenario`, `plan` and the report all read platform cost from here.
    """
    run(con, """
        CREATE OR REPLACE TEMP TABLE _ak_econ_billed_ads AS
        SELECT DISTINCT platform, CAST(date_trunc('month', d) AS DATE) AS month FROM _ak_econ_costd
        WHERE category = 'advertising' AND amount IS NOT NULL AND amount <> 0
    """, params)
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_cost AS
        SELECT platform, CAST(date_trunc('month', d) AS DATE) AS month, category, fixed,
               'fees' AS source, linked, sum(amount) AS amount
        FROM _ak_econ_costd
        WHERE d BETWEEN $lo AND $hi AND amount IS NOT NULL
          AND ($platforms IS NULL OR list_contains($platforms, platform))
        GROUP BY ALL
        UNION ALL
        SELECT platform, month, category, fixed, source, false, sum(amount)
        FROM ({recurring.spread_by_month_sql()}) s
        WHERE platform_cost AND ($platforms IS NULL OR list_contains($platforms, platform))
          AND NOT (source = 'spend' AND (platform, month) IN (SELECT * FROM _ak_econ_billed_ads))
        GROUP BY ALL
    """, params)


def _costs(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Platform cost per month in the window (cost_rows); revenue per month; the allocation factors."""
    cost_rows(con, params)
    # Fees not linked to an order (memberships, ads, recurring fees) are shared among the
    # platform's orders of the same month in proportion to their gross revenue.
    run(con, """
        CREATE OR REPLACE TEMP TABLE _ak_econ_alloc AS
        WITH u AS (SELECT platform, month, sum(amount) AS unlinked FROM _ak_econ_cost
                   WHERE NOT linked GROUP BY ALL),
             r AS (SELECT platform, CAST(date_trunc('month', d) AS DATE) AS month, sum(revenue) AS revenue
                   FROM _ak_econ_pcd WHERE d BETWEEN $lo AND $hi AND n_conv > 0
                     AND ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel)
                   GROUP BY ALL)
        SELECT u.platform, u.month, u.unlinked, r.revenue,
               CASE WHEN r.revenue > 0 THEN u.unlinked / r.revenue END AS factor
        FROM u LEFT JOIN r USING (platform, month)
    """, params)


def _month_sums(key: str) -> str:
    """Orders and revenue per platform, `key` and month, within the scope, from the daily table."""
    return (f"SELECT platform, {key}, CAST(date_trunc('month', d) AS DATE) AS month, "
            "sum(orders) AS orders, sum(revenue) AS revenue FROM _ak_econ_pcd "
            "WHERE d BETWEEN $lo AND $hi AND n_conv > 0 "
            "AND ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel) "
            "GROUP BY ALL")


def _buyers(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Per buyer (second scan of orders): orders, revenue, allocated rent and the first order;
    plus the fees linked to those orders, by one join of fees to orders summed per buyer
    straight away (no sum per order first). The per-platform totals the repeat-business toll
    needs (`_ak_econ_pp`) come from the daily table and a second grouping set of the join, so
    nothing is kept per buyer and platform.

    The buyer's first non-cancelled order is found over all history up to the window's end
    and across all platforms, so "new buyer" means new to the business, not to a filter.
    """
    in_scope = ("o.d >= $lo AND ($platform IS NULL OR o.platform = $platform) "
                "AND ($channel IS NULL OR o.channel = $channel)")
    fee_platforms = "($platforms IS NULL OR list_contains($platforms, f.platform))"
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_bpo AS
        SELECT o.buyer_id,
               arg_min({{'p': o.platform, 'c': o.channel, 'd': o.d, 'id': o.order_id, 'rev': o.revenue}},
                       (o.ordered_at, o.order_id)) FILTER (WHERE o.is_order) AS first,
               count(*) FILTER (WHERE o.is_order AND {in_scope}) AS orders,
               coalesce(sum(o.revenue) FILTER (WHERE {in_scope}), 0) AS revenue,
               coalesce(sum(o.revenue * a.factor) FILTER (WHERE {in_scope}), 0) AS alloc
        FROM ({ORDERS_SQL}) o
        LEFT JOIN _ak_econ_alloc a ON a.platform = o.platform AND a.month = CAST(date_trunc('month', o.d) AS DATE)
        WHERE o.d <= $hi
        GROUP BY o.buyer_id
    """, params)
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_bpf AS
        SELECT grouping(o.buyer_id) = 0 AS per_buyer, o.buyer_id, o.platform, o.buyer_id IS NULL AS anon,
               coalesce(sum(f.amount), 0) AS linked,
               coalesce(sum(f.amount) FILTER (WHERE o.counted), 0) AS linked_counted
        FROM (SELECT order_id, platform, {money('amount', 'amount_rc')} AS amount FROM platform_fees
              WHERE order_id IS NOT NULL) f
        JOIN ({ORDERS_SQL}) o USING (order_id)
        WHERE o.d <= $hi AND {in_scope} AND {fee_platforms}
        GROUP BY GROUPING SETS ((o.buyer_id), (o.platform, o.buyer_id IS NULL))
    """, params)
    run(con, """
        CREATE OR REPLACE TEMP TABLE _ak_econ_bp AS
        SELECT o.*, coalesce(f.linked, 0) AS linked
        FROM _ak_econ_bpo o LEFT JOIN (SELECT * FROM _ak_econ_bpf WHERE per_buyer) f USING (buyer_id)
    """, params)
    # Allocated rent per platform = month revenue x that month's factor, summed: the same as the
    # per-order products summed (up to float rounding), without another pass over the orders.
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_pp AS
        WITH m AS ({_month_sums("anon")}),
        o AS (SELECT platform, anon, sum(m.orders) AS orders, sum(m.revenue) AS revenue,
                     coalesce(sum(m.revenue * a.factor), 0) AS alloc
              FROM m LEFT JOIN _ak_econ_alloc a USING (platform, month) GROUP BY ALL)
        SELECT platform, anon, coalesce(o.orders, 0) AS orders, coalesce(o.revenue, 0) AS revenue,
               coalesce(o.alloc, 0) AS alloc, coalesce(f.linked, 0) AS linked,
               coalesce(f.linked_counted, 0) AS linked_counted
        FROM o FULL JOIN (SELECT * FROM _ak_econ_bpf WHERE NOT per_buyer) f USING (platform, anon)
    """, params)
    # The first order's own linked fees: a lookup of one order per buyer.
    scope = ("f.d >= $lo AND ($platform IS NULL OR f.p = $platform) AND ($channel IS NULL OR f.c = $channel)")
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_fo AS
        WITH b AS (SELECT buyer_id, first AS f FROM _ak_econ_bp WHERE buyer_id IS NOT NULL AND first IS NOT NULL),
        l AS (SELECT f.order_id, sum({money('f.amount', 'f.amount_rc', 'f.currency')}) AS linked
              FROM platform_fees f SEMI JOIN b ON f.order_id = b.f.id WHERE {fee_platforms} GROUP BY f.order_id)
        SELECT b.buyer_id, struct_insert(b.f, linked := coalesce(l.linked, 0), factor := a.factor,
                                         scope := {scope.replace('f.', 'b.f.')}) AS f
        FROM b LEFT JOIN l ON l.order_id = b.f.id
        LEFT JOIN _ak_econ_alloc a ON a.platform = b.f.p AND a.month = CAST(date_trunc('month', b.f.d) AS DATE)
    """, params)
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_om AS
        WITH r AS ({_month_sums("channel")}),
        n AS (SELECT f.p AS platform, f.c AS channel, CAST(date_trunc('month', f.d) AS DATE) AS month,
                     count(*) AS new_buyers
              FROM _ak_econ_fo WHERE f.scope GROUP BY ALL)
        SELECT platform, channel, month, coalesce(r.revenue, 0) AS revenue, coalesce(r.orders, 0) AS orders,
               coalesce(n.new_buyers, 0) AS new_buyers
        FROM r FULL JOIN n USING (platform, channel, month)
    """, params)


