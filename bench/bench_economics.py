"""Benchmark `analyse_fees` and `analyse_funnel` against one equivalent DuckDB aggregate query.

Generates N orders (default 1M and 10M) straight into a DuckDB file with SQL (range() plus
hash-based values: heavy-tailed buyers, four platforms, refunds, cancellations, USD orders
converted to EUR), about one fee row per marketplace order plus monthly unlinked fees,
N/5 inquiries and a few hundred spend rows. Then times, in the same run, the library call and
the single aggregate query that computes the headline table (fees: revenue and fee by category
per platform and year; funnel: inquiry -> order conversion by channel with an ASOF join).
Target: library <= 3x the single query.

    PYTHONPATH=. python bench/bench_economics.py [--orders 1000000 10000000] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from assetkit.analysis.economics._common import run
from assetkit.store import open_store

CONFIG = {"reporting_currency": "EUR", "gross_margin": 0.35,
          "recurring_fees": [{"platform": "alibaba", "fee_type": "membership", "amount": 2999,
                              "currency": "EUR", "period": "year", "start": "2020-01-01"}]}

GENERATE = [
    # h(): a deterministic pseudo-random BIGINT from a row number and a salt
    "CREATE OR REPLACE TEMP MACRO h(a, b) AS CAST(hash(a, b) % 1000000007 AS BIGINT)",
    """INSERT INTO buyers (buyer_id, name, country, first_seen_at)
       SELECT 'b' || i, 'Buyer ' || i, ['US', 'DE', 'IN', 'AE', 'GB', 'CN'][1 + h(i, 1) % 6],
              TIMESTAMPTZ '2020-01-01' FROM range($nb) t(i)""",
    # u in [0,1): heavy-tailed buyer index floor(nb * u^3)
    """INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency,
                           gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc, product, country,
                           batch_id, source_line)
       SELECT 'o' || i, p, CASE WHEN p = 'shopify' THEN 'own_site' WHEN h(i, 9) % 10 = 0 THEN 'referral'
                                ELSE 'marketplace' END,
              'o' || i, 'b' || CAST(floor($nb * pow((h(i, 2) % 1000003) / 1000003.0, 3)) AS BIGINT),
              TIMESTAMPTZ '2020-01-01' + to_seconds(CAST(h(i, 3) % (5 * 365 * 86400) AS BIGINT)),
              CASE WHEN h(i, 4) % 50 = 0 THEN 'cancelled' WHEN h(i, 4) % 50 = 1 THEN 'refunded'
                   ELSE 'completed' END,
              'USD', g, CASE WHEN h(i, 4) % 50 = 2 THEN g / 2 ELSE 0 END,
              g * 0.9, CASE WHEN h(i, 4) % 50 = 2 THEN g * 0.45 ELSE 0 END,
              'P' || h(i, 5) % 200, 'US', 1, i
       FROM (SELECT i, ['amazon', 'etsy', 'alibaba', 'shopify'][1 + h(i, 0) % 4] AS p,
                    CAST(10 + h(i, 6) % 50000 / 100.0 AS DECIMAL(18,4)) AS g FROM range($n) t(i)) x""",
    """INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id,
                         batch_id, source_line)
       SELECT 'f' || order_id, platform, ordered_at, ['commission', 'payment', 'fba'][1 + h(source_line, 0) % 3],
              'USD', gross_amount * 0.1, gross_amount_rc * 0.1, order_id, 2, source_line
       FROM orders WHERE platform <> 'shopify'""",
    """INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id,
                         batch_id, source_line)
       SELECT 'm' || i, ['amazon', 'etsy'][1 + i % 2], TIMESTAMPTZ '2020-01-15' + to_months(CAST(i // 2 AS INTEGER)),
              'subscription', 'EUR', 39.99, 39.99, NULL, 3, i FROM range(120) t(i)""",
    """INSERT INTO spend (spend_id, channel, platform, period_start, period_end, currency, amount, amount_rc,
                          batch_id, source_line)
       SELECT 's' || i, CASE WHEN i % 3 = 0 THEN 'own_site' ELSE 'marketplace' END,
              CASE WHEN i % 3 = 0 THEN NULL ELSE ['amazon', 'alibaba'][1 + i % 2] END,
              DATE '2020-01-01' + CAST(i * 7 AS INTEGER), DATE '2020-01-01' + CAST(i * 7 + 29 AS INTEGER),
              'EUR', 500, 500, 4, i FROM range(250) t(i)""",
    """INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at, product,
                              country, first_response_at, batch_id, source_line)
       SELECT 'i' || i, p, CASE WHEN p = 'shopify' THEN 'own_site' ELSE 'marketplace' END, 'i' || i,
              'b' || CAST(floor($nb * pow((h(i, 12) % 1000003) / 1000003.0, 2)) AS BIGINT), t,
              'P' || h(i, 13) % 200, ['US', 'DE', 'IN', 'AE'][1 + h(i, 14) % 4],
              CASE WHEN h(i, 15) % 5 > 0 THEN t + to_seconds(CAST(h(i, 16) % 172800 AS BIGINT)) END, 5, i
       FROM (SELECT i, ['amazon', 'etsy', 'alibaba', 'shopify'][1 + h(i, 10) % 4] AS p,
                    TIMESTAMPTZ '2020-01-01' + to_seconds(CAST(h(i, 11) % (5 * 365 * 86400) AS BIGINT)) AS t
             FROM range($n // 5) t(i)) x""",
]

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


def generate(path: Path, n: int) -> None:
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    with open_store(path) as store:
        for sql in GENERATE:
            run(store.con, sql, {"n": n, "nb": max(n // 50, 1)})
        store.checkpoint()
    print(f"  generated {n:,} orders in {time.perf_counter() - started:.1f} s")


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench(path: Path, n: int, repeat: int) -> None:
    from assetkit.analysis.economics import analyse_fees, analyse_funnel

    with open_store(path) as store:
        con = store.con
        counts = con.execute("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM fees), "
                             "(SELECT count(*) FROM inquiries)").fetchone()
        print(f"  rows: {counts[0]:,} orders, {counts[1]:,} fees, {counts[2]:,} inquiries")
        for name, lib, queries in (
            ("fees", lambda: analyse_fees(con, CONFIG), {"headline": FEES_QUERY, "headline+rent join": FEES_RENT_QUERY}),
            ("funnel", lambda: analyse_funnel(con, CONFIG), {"conversion by channel": FUNNEL_QUERY}),
        ):
            t_lib = timed(lib, repeat)
            for label, sql in queries.items():
                t_sql = timed(lambda sql=sql: con.execute(sql).fetchall(), repeat)
                print(f"  {name:6s} library {t_lib:7.2f} s   single query ({label}) {t_sql:7.2f} s   "
                      f"ratio {t_lib / t_sql:5.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("bench/data"))
    parser.add_argument("--keep", action="store_true", help="reuse an existing generated file")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    for n in args.orders:
        path = args.dir / f"economics_{n}.duckdb"
        print(f"{n:,} orders ({path})")
        if not (args.keep and path.exists()):
            generate(path, n)
        bench(path, n, args.repeat)


if __name__ == "__main__":
    main()
