"""Lifetime rent, the repeat-business toll and acquisition cost (CAC) per platform and channel.

Rent per order is the fees linked to it plus its revenue-proportional share of the platform's
unlinked costs in the same month (base.py). The repeat-business toll is the rent on orders of
buyers the seller had already won: the part that owning the relationship can save.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics import recurring
from assetkit.analysis.economics._common import as_float, ratio, run
from assetkit.analysis.economics.base import Prepared

if TYPE_CHECKING:
    import duckdb

TOP_BUYERS = 10

# Per buyer: acquisition (first non-cancelled order, if it is in scope) and rent on all their
# orders in scope = fees linked to the orders + their share of unlinked costs. Cancelled orders
# keep the fees linked to them but get no share of unlinked costs (their revenue is 0).
BUYERS = """
    SELECT p.buyer_id, fo.f.p AS acq_platform, p.orders, p.revenue, p.alloc + p.linked AS rent
    FROM _ak_econ_bp p JOIN _ak_econ_fo fo USING (buyer_id)
    WHERE fo.f.scope
"""


def analyse(con: duckdb.DuckDBPyConnection, prep: Prepared,
            platforms: list[dict[str, Any]]) -> dict[str, Any]:
    """Rent by acquisition platform, top buyers, repeat toll, acquisition cost tables."""
    run(con, f"CREATE OR REPLACE TEMP TABLE _ak_econ_buyers AS {BUYERS}", prep.params)
    by_acq = run(con, """
        SELECT acq_platform AS platform, count(*) AS buyers, sum(orders) AS orders,
               sum(revenue) AS revenue, sum(rent) AS rent
        FROM _ak_econ_buyers GROUP BY ALL ORDER BY rent DESC, platform
    """, prep.params)
    top = run(con, f"""
        SELECT p.buyer_id, b.name, b.company, b.country, p.acq_platform, p.orders, p.revenue, p.rent
        FROM _ak_econ_buyers p LEFT JOIN buyers b USING (buyer_id)
        ORDER BY p.rent DESC, p.buyer_id LIMIT {TOP_BUYERS}
    """, prep.params)
    # Repeat orders = buyers' non-cancelled orders in scope minus each buyer's first order, summed
    # per platform (the first order counts against the platform it was placed on).
    toll = run(con, """
        WITH first AS (SELECT f.p AS platform, count(*) AS orders, sum(f.rev) AS revenue,
                              sum(f.rev * coalesce(f.factor, 0) + f.linked) AS rent
                       FROM _ak_econ_fo WHERE f.scope GROUP BY ALL),
        allo AS (SELECT platform, orders, revenue, alloc + linked_counted AS rent FROM _ak_econ_pp WHERE NOT anon)
        SELECT a.platform, a.orders - coalesce(f.orders, 0) AS repeat_orders,
               a.revenue - coalesce(f.revenue, 0) AS repeat_revenue, a.rent - coalesce(f.rent, 0) AS toll
        FROM allo a LEFT JOIN first f USING (platform)
        WHERE a.orders - coalesce(f.orders, 0) > 0 ORDER BY toll DESC, platform
    """, prep.params)
    allocated = run(con, "SELECT coalesce(sum(alloc + linked), 0) AS rent FROM _ak_econ_pp",
                    prep.params)[0]["rent"]
    cost = {p["platform"]: p["platform_cost"] for p in platforms}
    return {
        "rent_by_platform": [{"platform": r["platform"], "buyers": r["buyers"], "orders": int(r["orders"]),
                              "revenue": as_float(r["revenue"]), "rent": as_float(r["rent"]),
                              "rent_per_buyer": ratio(as_float(r["rent"]), r["buyers"])} for r in by_acq],
        "top_buyers": [{**r, "orders": int(r["orders"]), "revenue": as_float(r["revenue"]),
                        "rent": as_float(r["rent"])} for r in top],
        "repeat_toll": [{"platform": r["platform"], "repeat_orders": int(r["repeat_orders"]),
                         "repeat_revenue": as_float(r["repeat_revenue"]), "toll": as_float(r["toll"]),
                         "share_of_platform_cost": ratio(as_float(r["toll"]), cost.get(r["platform"]))}
                        for r in toll],
        "rent_unallocated": sum(cost.values()) - float(allocated),
        **_acquisition(con, prep, cost),
    }


def _acquisition(con: duckdb.DuckDBPyConnection, prep: Prepared, cost: dict[str, float]) -> dict[str, Any]:
    """Cost per inquiry, per order and per new buyer, by platform and by channel.

    By platform the cost is the platform cost. By channel it is the platform cost of the
    platforms whose home channel it is, plus marketing spend of that channel that is not
    already platform cost (e.g. SEO for own_site, a trade-show budget for exhibition).
    """
    counts = run(con, """
        WITH o AS (SELECT platform, channel, sum(orders) AS orders, sum(new_buyers) AS new_buyers
                   FROM _ak_econ_om GROUP BY ALL),
        i AS (SELECT platform, channel, count(*) AS inquiries FROM inquiries
              WHERE CAST(received_at AS DATE) BETWEEN $lo AND $hi
                AND ($platform IS NULL OR platform = $platform) AND ($channel IS NULL OR channel = $channel)
              GROUP BY ALL)
        SELECT platform, channel, coalesce(inquiries, 0) AS inquiries, CAST(coalesce(orders, 0) AS BIGINT) AS orders,
               CAST(coalesce(new_buyers, 0) AS BIGINT) AS new_buyers
        FROM o FULL JOIN i USING (platform, channel)
    """, prep.params)
    spend = run(con, f"""
        SELECT channel, sum(amount) AS amount FROM ({recurring.spread_by_month_sql()}) s
        WHERE source = 'spend' AND NOT platform_cost
          AND ($channel IS NULL OR channel = $channel) AND ($platform IS NULL OR platform = $platform)
        GROUP BY ALL
    """, prep.params)

    def row(key: str, c: float, n: dict[str, int]) -> dict[str, Any]:
        return {"key": key, "cost": c, **n, "cost_per_inquiry": ratio(c, n["inquiries"]),
                "cost_per_order": ratio(c, n["orders"]), "cac": ratio(c, n["new_buyers"])}

    def total(rows: list[dict[str, Any]], pick: str, key: str) -> dict[str, int]:
        return {k: sum(r[k] for r in rows if r[pick] == key) for k in ("inquiries", "orders", "new_buyers")}

    plats = sorted(set(cost) | {r["platform"] for r in counts})
    by_platform = [row(p, cost.get(p, 0.0), total(counts, "platform", p)) for p in plats]
    channel_cost: dict[str, float] = {}
    for p, c in cost.items():
        home = prep.home_channel.get(p, "marketplace")
        channel_cost[home] = channel_cost.get(home, 0.0) + c
    for r in spend:
        channel_cost[r["channel"]] = channel_cost.get(r["channel"], 0.0) + float(r["amount"])
    chans = sorted(set(channel_cost) | {r["channel"] for r in counts})
    by_channel = [row(ch, channel_cost.get(ch, 0.0), total(counts, "channel", ch)) for ch in chans]
    return {"acquisition_by_platform": by_platform, "acquisition_by_channel": by_channel}
