"""The shared working tables of `assetkit fees`: one scan each of orders and fees, reduced to
per-order facts and per-platform-month costs, from which every figure is aggregated.

Temp tables (session-local, replaced on each call, dropped by `drop()`):
- `_ak_econ_o`: one row per order in scope: revenue, month, first-order flag, acquisition
  platform/channel of its buyer, fees linked to it by `fees.order_id`.
- `_ak_econ_cost`: platform cost per platform, month, category, source (`fees`, `config`,
  `spend`) and whether it is linked to an order.
- `_ak_econ_alloc`: per platform and month, the unlinked cost and the factor that shares it
  among that month's orders of the platform in proportion to their gross revenue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics import recurring, schedules
from assetkit.analysis.economics._common import (ORDERS_SQL, Scope, money, reporting_currency,
                                                 require_orders, run, unconverted_note)

if TYPE_CHECKING:
    import duckdb

TABLES = ("_ak_econ_o", "_ak_econ_cost", "_ak_econ_alloc", "_ak_econ_types",
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


def home_channels(con: "duckdb.DuckDBPyConnection") -> dict[str, str]:
    """platform -> the channel most of its orders (else inquiries, else spend) are in;
    platforms known only from fees are `marketplace`."""
    rows = con.execute("""
        WITH c AS (
            SELECT platform, channel, 3 AS pri, count(*) AS n FROM orders GROUP BY ALL
            UNION ALL SELECT platform, channel, 2, count(*) FROM inquiries GROUP BY ALL
            UNION ALL SELECT platform, channel, 1, count(*) FROM spend WHERE platform IS NOT NULL GROUP BY ALL
            UNION ALL SELECT DISTINCT platform, 'marketplace', 0, 0 FROM fees)
        SELECT platform, arg_max(channel, pri * 1e12 + n) FROM c GROUP BY platform
    """).fetchall()
    return dict(rows)


def prepare(con: "duckdb.DuckDBPyConnection", config: Any, scope: Scope, what: str,
            include_ads: bool = True) -> Prepared:
    """Build the working tables for `scope`; NotEnoughData when the orders cannot carry it."""
    rc = reporting_currency(config)
    home = home_channels(con)
    platforms = None
    if scope.channel is not None:
        platforms = sorted(p for p, ch in home.items() if ch == scope.channel)
    if scope.platform is not None:
        platforms = [p for p in (platforms if platforms is not None else [scope.platform])
                     if p == scope.platform]
    params: dict[str, Any] = {**scope.params(), "rc": rc, "platforms": platforms}
    span = run(con, f"""
        SELECT min(d) AS o_lo, max(d) AS o_hi, count(*) AS n,
               count(DISTINCT date_trunc('month', d)) AS months
        FROM ({ORDERS_SQL}) o
        WHERE ($since IS NULL OR d >= $since) AND ($until IS NULL OR d <= $until)
          AND ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel)
    """, params)[0]
    require_orders(span["months"], span["n"], scope, what)
    fspan = run(con, """
        SELECT min(CAST(incurred_at AS DATE)) AS f_lo, max(CAST(incurred_at AS DATE)) AS f_hi FROM fees
        WHERE ($platforms IS NULL OR list_contains($platforms, platform))
          AND ($since IS NULL OR CAST(incurred_at AS DATE) >= $since)
          AND ($until IS NULL OR CAST(incurred_at AS DATE) <= $until)
    """, params)[0]
    lo = scope.since or min(d for d in (span["o_lo"], fspan["f_lo"]) if d is not None)
    hi = scope.until or max(d for d in (span["o_hi"], fspan["f_hi"]) if d is not None)
    params.update(lo=lo, hi=hi, ads=include_ads)
    notes = [n for n in (unconverted_note(con, t, a, rc)
                         for t, a in (("orders", "gross_amount"), ("fees", "amount"))) if n]
    notes += recurring.build_spread_table(con, config, hi, include_ads)
    _build(con, params)
    return Prepared(lo, hi, rc, include_ads, home, platforms, params, notes)


def _build(con: "duckdb.DuckDBPyConnection", params: dict[str, Any]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _ak_econ_types (alias VARCHAR, category VARCHAR, fixed BOOLEAN)")
    con.executemany("INSERT INTO _ak_econ_types VALUES (?, ?, ?)", schedules.alias_rows())
    # Per order: the buyer's first counted order is found over all history up to --until and
    # across all platforms, so "new buyer" means new to the business, not new to a filter.
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_o AS
        WITH o AS (SELECT * FROM ({ORDERS_SQL}) x WHERE d <= $hi),
        fo AS (
            SELECT buyer_id, arg_min({{'id': order_id, 'p': platform, 'c': channel}},
                                     (ordered_at, order_id)) AS f
            FROM o WHERE counted AND buyer_id IS NOT NULL GROUP BY buyer_id),
        linked AS (
            SELECT f.order_id, sum({money('f.amount', 'f.amount_rc')}) AS linked,
                   coalesce(sum({money('f.amount', 'f.amount_rc')}) FILTER (WHERE t.fixed), 0) AS linked_fixed
            FROM fees f LEFT JOIN _ak_econ_types t
              ON t.alias = replace(replace(lower(trim(f.fee_type)), ' ', '_'), '-', '_')
            WHERE f.order_id IS NOT NULL AND ($platforms IS NULL OR list_contains($platforms, f.platform))
            GROUP BY f.order_id)
        SELECT o.order_id, o.platform, o.channel, o.buyer_id, o.d,
               CAST(date_trunc('month', o.d) AS DATE) AS month, o.revenue, o.counted,
               coalesce(fo.f.id = o.order_id, false) AS is_first,
               fo.f.p AS acq_platform, fo.f.c AS acq_channel,
               coalesce(l.linked, 0) AS linked, coalesce(l.linked_fixed, 0) AS linked_fixed
        FROM o
        LEFT JOIN fo ON fo.buyer_id = o.buyer_id
        LEFT JOIN linked l ON l.order_id = o.order_id
        WHERE o.d >= $lo
          AND ($platform IS NULL OR o.platform = $platform) AND ($channel IS NULL OR o.channel = $channel)
    """, params)
    run(con, f"""
        CREATE OR REPLACE TEMP TABLE _ak_econ_cost AS
        SELECT f.platform, CAST(date_trunc('month', f.incurred_at) AS DATE) AS month,
               coalesce(t.category, 'other') AS category, coalesce(t.fixed, false) AS fixed,
               'fees' AS source, f.order_id IS NOT NULL AS linked,
               sum({money('f.amount', 'f.amount_rc')}) AS amount
        FROM fees f LEFT JOIN _ak_econ_types t
          ON t.alias = replace(replace(lower(trim(f.fee_type)), ' ', '_'), '-', '_')
        WHERE CAST(f.incurred_at AS DATE) BETWEEN $lo AND $hi
          AND ($platforms IS NULL OR list_contains($platforms, f.platform))
          AND {money('f.amount', 'f.amount_rc')} IS NOT NULL
        GROUP BY ALL
        UNION ALL
        SELECT platform, month, category, fixed, source, false, sum(amount)
        FROM ({recurring.spread_by_month_sql()}) s
        WHERE platform_cost AND ($platforms IS NULL OR list_contains($platforms, platform))
        GROUP BY ALL
    """, params)
    # Fees not linked to an order (memberships, ads, recurring fees) are shared among the
    # platform's orders of the same month in proportion to their gross revenue.
    run(con, """
        CREATE OR REPLACE TEMP TABLE _ak_econ_alloc AS
        WITH u AS (SELECT platform, month, sum(amount) AS unlinked,
                          coalesce(sum(amount) FILTER (WHERE fixed), 0) AS unlinked_fixed
                   FROM _ak_econ_cost WHERE NOT linked GROUP BY ALL),
             r AS (SELECT platform, month, sum(revenue) AS revenue FROM _ak_econ_o GROUP BY ALL)
        SELECT u.platform, u.month, u.unlinked, u.unlinked_fixed, r.revenue,
               CASE WHEN r.revenue > 0 THEN u.unlinked / r.revenue END AS factor,
               CASE WHEN r.revenue > 0 THEN u.unlinked_fixed / r.revenue END AS factor_fixed
        FROM u LEFT JOIN r USING (platform, month)
    """, params)


def drop(con: "duckdb.DuckDBPyConnection") -> None:
    for table in TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
