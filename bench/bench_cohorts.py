"""Benchmark: `analyse_cohorts` on 10M orders vs one hand-written DuckDB query for the same matrix.

Generates a synthetic store entirely in DuckDB SQL (heavy-tailed buyers, four acquisition
channels, 5% cancelled, 3% refunded, a commission fee on every marketplace order and monthly
unlinked membership fees), then times
  1. analyse_cohorts (month cohorts: retention matrices for every split + run-rate movements),
  2. its matrix part alone (base tables + matrix query),
  3. a single DuckDB statement computing the same cohort × age matrix for every split,
and checks that 2 and 3 give identical cells. Usage:
  PYTHONPATH=. python bench/bench_cohorts.py [--orders 10000000] [--buyers 200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from assetkit.analysis.cohorts import analyse_cohorts
from assetkit.analysis.recurring.base import build_base
from assetkit.analysis.recurring.matrix import matrix_frame
from assetkit.store import open_store

GENERATE = """
SELECT setseed(0.42);
INSERT INTO buyers (buyer_id, first_channel, first_platform)
SELECT 'b' || i, ['marketplace', 'marketplace', 'own_site', 'referral'][1 + i % 4],
       CASE i % 4 WHEN 0 THEN 'alibaba' WHEN 1 THEN 'indiamart' END
FROM range({buyers}) t(i);
INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency,
                    gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc, batch_id, source_line)
SELECT 'o' || i, CASE b % 4 WHEN 0 THEN 'alibaba' WHEN 1 THEN 'indiamart' ELSE 'own_site' END,
       CASE WHEN b % 4 < 2 THEN 'marketplace' WHEN b % 4 = 2 THEN 'own_site' ELSE 'referral' END,
       'o' || i, 'b' || b,
       TIMESTAMPTZ '2022-01-01 00:00:00+00' + to_days(CAST(start + random() * (1095 - start) AS INTEGER)),
       CASE WHEN r < 0.05 THEN 'cancelled' WHEN r < 0.08 THEN 'refunded' ELSE 'completed' END,
       'USD', amount, CASE WHEN r > 0.97 THEN amount / 4 ELSE 0 END, amount, CASE WHEN r > 0.97 THEN amount / 4 ELSE 0 END,
       1, i
FROM (SELECT i, b, hash(b) % 1000 AS start, random() AS r, CAST(50 + random() * 2000 AS DECIMAL(18,4)) AS amount
      FROM (SELECT i, CAST(floor({buyers} * pow(random(), 2)) AS BIGINT) AS b FROM range({orders}) t(i)));
INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id, batch_id, source_line)
SELECT 'f' || order_id, platform, ordered_at, 'commission', 'USD', gross_amount * 0.05, gross_amount * 0.05, order_id, 1, 1
FROM orders WHERE channel = 'marketplace';
INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id, batch_id, source_line)
SELECT 'm' || p || m, p, TIMESTAMPTZ '2022-01-01 00:00:00+00' + to_months(CAST(m AS INTEGER)), 'membership', 'USD',
       250, 250, NULL, 1, 1
FROM (VALUES ('alibaba'), ('indiamart')) v(p), range(36) t(m);
"""

# The same cohort × age matrix (every split plus 'all') in one statement, written from scratch.
SINGLE_QUERY = """
WITH o AS (
    SELECT o.order_id, o.buyer_id, o.platform, o.channel, CAST(timezone('UTC', o.ordered_at) AS DATE) AS day,
           CAST(CASE WHEN o.status = 'refunded' AND coalesce(o.refunded_amount_rc, 0) = 0 THEN 0
                     ELSE o.gross_amount_rc - coalesce(o.refunded_amount_rc, 0) END AS DOUBLE) AS revenue,
           NOT (o.status = 'refunded' OR (o.gross_amount_rc > 0 AND coalesce(o.refunded_amount_rc, 0) >= o.gross_amount_rc))
               AS is_activity,
           CAST(coalesce(f.fee, 0) AS DOUBLE) AS fees
    FROM orders o LEFT JOIN (SELECT order_id, sum(amount_rc) AS fee FROM fees WHERE order_id IS NOT NULL GROUP BY 1) f
         USING (order_id)
    WHERE o.status <> 'cancelled' AND o.buyer_id IS NOT NULL AND o.gross_amount_rc IS NOT NULL
), b AS (
    SELECT f.buyer_id, year(f.first_day) * 12 + month(f.first_day) - 1 AS cohort,
           CASE WHEN coalesce(nullif(u.first_channel, ''), f.ch) = coalesce(CASE WHEN nullif(u.first_channel, '') IS NOT NULL
                     THEN nullif(u.first_platform, '') ELSE f.pl END, coalesce(nullif(u.first_channel, ''), f.ch))
                THEN coalesce(nullif(u.first_channel, ''), f.ch, 'unknown')
                ELSE coalesce(nullif(u.first_channel, ''), f.ch, 'unknown') || '/' ||
                     CASE WHEN nullif(u.first_channel, '') IS NOT NULL THEN nullif(u.first_platform, '') ELSE f.pl END
           END AS source
    FROM (SELECT buyer_id, min(day) AS first_day, arg_min(channel, day) AS ch, arg_min(platform, day) AS pl
          FROM o WHERE is_activity GROUP BY 1) f LEFT JOIN buyers u USING (buyer_id)
), cells AS (
    SELECT CASE WHEN grouping(b.source) = 1 THEN 'all' ELSE b.source END AS split, b.cohort,
           year(o.day) * 12 + month(o.day) - 1 - b.cohort AS age,
           count(DISTINCT o.buyer_id) FILTER (WHERE o.is_activity) AS active,
           sum(o.revenue) AS revenue, sum(o.revenue - o.fees) AS revenue_net
    FROM o JOIN b USING (buyer_id)
    WHERE year(o.day) * 12 + month(o.day) - 1 >= b.cohort
    GROUP BY GROUPING SETS ((b.source, b.cohort, age), (b.cohort, age))
)
SELECT split, cohort, age, active, revenue, revenue_net FROM cells ORDER BY split, cohort, age
"""


def timed(fn, runs: int) -> tuple[str, float, object]:
    """Median wall time and median process CPU time (all DuckDB threads), which is what a shared,
    contended machine distorts least."""
    walls, cpus, out = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    return f"{wall:.2f} s wall, {cpu:.2f} s CPU", cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--buyers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.duckdb") as store:
        con = store.con
        start = time.perf_counter()
        for statement in GENERATE.format(orders=args.orders, buyers=args.buyers).split(";"):
            if statement.strip():
                con.execute(statement)
        n_orders, n_fees = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("orders", "fees"))
        print(f"generated {n_orders:,} orders, {n_fees:,} fees, {args.buyers:,} buyers "
              f"in {time.perf_counter() - start:.1f} s")

        full_t, _, result = timed(lambda: analyse_cohorts(con), args.runs)
        grid_rows = sum(m.buyers_end for m in result.recurring if m.split == "all")

        def matrix_only():
            base = build_base(con, "month", None, None, "exclude")
            try:
                return matrix_frame(base, "month", None)
            finally:
                base.drop()

        matrix_t, matrix_cpu, ours = timed(matrix_only, args.runs)
        single_t, single_cpu, theirs = timed(lambda: con.execute(SINGLE_QUERY).fetchall(), args.runs)

        # Same cells: ours is dense (zeros where nobody ordered), the single query lists non-empty cells.
        ours_cells = {(r["split"], r["cohort"], r["age"]): (r["active"], r["revenue"], r["revenue_net"])
                      for r in ours.iter_rows(named=True) if r["active"] or r["revenue"] or r["revenue_net"]}
        theirs_cells = {(s, c, a): (n, rv, rn) for s, c, a, n, rv, rn in theirs}
        same_keys = ours_cells.keys() == theirs_cells.keys()
        worst = max(max(abs(x - y) / max(1.0, abs(y)) for x, y in zip(ours_cells[k], theirs_cells[k]))
                    for k in theirs_cells) if same_keys else float("nan")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"analyse_cohorts (matrices for {len(result.cohorts)} splits + run-rate movements over "
              f"{len({m.month for m in result.recurring})} months, {grid_rows:,} active buyer-months): {full_t}")
        print(f"  matrix part (base tables + matrix query): {matrix_t}")
        print(f"single DuckDB query, same matrix: {single_t}  -> CPU ratio {matrix_cpu / single_cpu:.2f}x")
        print(f"cells: {len(theirs_cells):,}; identical keys: {same_keys}; max relative difference {worst:.2e}")
        print(f"peak RSS {peak:,.0f} MiB; median of {args.runs} runs; duckdb threads "
              f"{con.execute('SELECT current_setting(' + repr('threads') + ')').fetchone()[0]}")
        if not same_keys or worst > 1e-9:
            sys.exit(1)


if __name__ == "__main__":
    main()
