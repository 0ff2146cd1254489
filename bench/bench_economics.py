"""Fees and funnel: `analyse_fees` / `analyse_funnel` vs the single equivalent DuckDB query.

The store comes from generate.store("economics", n): heavy-tailed buyers, four platforms,
refunds, cancellations, USD orders converted to EUR, about one fee row per marketplace order
plus monthly unlinked fees, n/5 inquiries and a few hundred spend rows. In the same run, times
the library call and the single aggregate query computing its headline table (fees: revenue
and fee by category per platform and year, also with the per-buyer rent join the library's
per-buyer figures need; funnel: inquiry -> order conversion by channel with an ASOF join).
Target: library <= 3x the single query on 10M orders.
"""

from __future__ import annotations

import sys

import generate
from harness import Measurement, time_runs_capped

CONFIG = {"reporting_currency": "EUR", "gross_margin": 0.35,
          "recurring_fees": [{"platform": "alibaba", "fee_type": "membership", "amount": 2999,
                              "currency": "EUR", "period": "year", "start": "2020-01-01"}]}

FEES_QUERY = """
    WITH r AS (SELECT platform, year(ordered_at) AS y,
                      sum(CASE WHEN status = 'cancelled' THEN 0
                               WHEN status = 'refunded' AND refunded_amount = 0 THEN 0
                               ELSE gross_amount_rc - refunded_amount_rc END) AS revenue
               FROM orders GROUP BY ALL),
    f AS (SELECT platform, year(incurred_at) AS y, sum(amount_rc) AS cost,
                 sum(amount_rc) FILTER (WHERE fee_type = 'commission') AS commission,
                 sum(amount_rc) FILTER (WHERE fee_type = 'payment') AS payment,
                 sum(amount_rc) FILTER (WHERE fee_type = 'fba') AS fulfilment,
                 sum(amount_rc) FILTER (WHERE fee_type = 'subscription') AS membership
          FROM fees GROUP BY ALL)
    SELECT *, cost / revenue AS fee_share FROM r FULL JOIN f USING (platform, y)
"""

# The headline table plus the one join the per-buyer figures (lifetime rent, top buyers, repeat
# toll) cannot do without: fees linked to orders, summed per buyer. Reported as a second
# reference, since the headline query alone does not touch buyers at all.
FEES_RENT_QUERY = f"""
    WITH h AS ({FEES_QUERY}),
    b AS (SELECT o.buyer_id, sum(f.amount_rc) AS rent FROM fees f JOIN orders o USING (order_id) GROUP BY ALL)
    SELECT (SELECT count(*) FROM h), (SELECT sum(rent) FROM b)
"""

FUNNEL_QUERY = """
    WITH o AS (SELECT buyer_id, ordered_at FROM orders WHERE status <> 'cancelled'),
    c AS (SELECT i.channel, o.ordered_at < i.received_at + INTERVAL 180 day AS converted,
                 date_diff('second', i.received_at, i.first_response_at) / 3600.0 AS h
          FROM inquiries i ASOF LEFT JOIN o ON i.buyer_id = o.buyer_id AND o.ordered_at >= i.received_at)
    SELECT channel, count(*), count(*) FILTER (WHERE converted), median(h), quantile_cont(h, 0.9)
    FROM c GROUP BY channel
"""


def run(quick: bool = False) -> list[Measurement]:
    return measure(1_000_000 if quick else 10_000_000)


def measure(n: int) -> list[Measurement]:
    from assetkit.analysis.economics import analyse_fees, analyse_funnel
    from assetkit.config import parse_config
    from assetkit.store import open_store

    big = n >= 10_000_000
    config = parse_config(CONFIG)
    out = []
    with open_store(generate.store("economics", n)) as store:
        con = store.con
        counts = con.execute("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM fees), "
                             "(SELECT count(*) FROM inquiries), (SELECT count(DISTINCT buyer_id) FROM orders)").fetchone()
        rows = f"{counts[0]:,} orders, {counts[1]:,} fees, {counts[2]:,} inquiries, {counts[3]:,} buyers"
        for name, lib, queries in (
            ("fees", lambda: analyse_fees(con, config), {"headline": FEES_QUERY, "headline + rent join": FEES_RENT_QUERY}),
            ("funnel", lambda: analyse_funnel(con, config), {"conversion by channel": FUNNEL_QUERY}),
        ):
            t_lib = time_runs_capped(lib, big)
            for label, sql in queries.items():
                t_sql = time_runs_capped(lambda sql=sql: con.execute(sql).fetchall(), big)
                ratio = t_lib.median / t_sql.median
                out.append(Measurement(f"{name} on {n / 1e6:g}M orders", t_lib, f"single query ({label})", t_sql,
                                       target="≤ 3× the single query" + ("" if big else " (stated for 10M; at 1M here)"),
                                       holds=ratio <= 3, notes=[rows]))
    return out


if __name__ == "__main__":
    for m in run(quick="--quick" in sys.argv):
        print(m)
