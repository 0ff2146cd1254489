"""Cohorts: `analyse_cohorts` vs one hand-written DuckDB query for the same cohort × age matrix.

The store comes from generate.store("cohorts", n): heavy-tailed buyers (n/50), four acquisition
channels, 5% cancelled, 3% refunded, a commission on every marketplace order and monthly
unlinked membership fees. Times, in the same run,
  1. analyse_cohorts (month cohorts: retention matrices for every split + run-rate movements),
  2. its matrix part alone (base tables + matrix query),
  3. a single DuckDB statement computing the same cohort × age matrix for every split,
and checks that 2 and 3 give identical cells. Target: ≤ 3× the single query on 10M orders.
"""

from __future__ import annotations

import sys

import generate
from harness import Measurement, time_runs_capped

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


def same_cells(ours, theirs) -> tuple[bool, float, int]:
    """Ours is dense (zeros where nobody ordered); the single query lists non-empty cells only."""
    ours_cells = {(r["split"], r["cohort"], r["age"]): (r["active"], r["revenue"], r["revenue_net"])
                  for r in ours.iter_rows(named=True) if r["active"] or r["revenue"] or r["revenue_net"]}
    theirs_cells = {(s, c, a): (n, rv, rn) for s, c, a, n, rv, rn in theirs}
    same_keys = ours_cells.keys() == theirs_cells.keys()
    worst = max(max(abs(x - y) / max(1.0, abs(y)) for x, y in zip(ours_cells[k], theirs_cells[k]))
                for k in theirs_cells) if same_keys else float("nan")
    return same_keys, worst, len(theirs_cells)


def run(quick: bool = False) -> list[Measurement]:
    return measure(1_000_000 if quick else 10_000_000)


def measure(n: int) -> list[Measurement]:
    from assetkit.analysis.cohorts import analyse_cohorts
    from assetkit.analysis.recurring.base import build_base
    from assetkit.analysis.recurring.matrix import matrix_frame
    from assetkit.store import open_store

    big = n >= 10_000_000
    with open_store(generate.store("cohorts", n)) as store:
        con = store.con
        n_orders, n_buyers = con.execute("SELECT count(*), count(DISTINCT buyer_id) FROM orders").fetchone()

        def matrix_only():
            base = build_base(con, "month", None, None, "exclude")
            try:
                return matrix_frame(base, "month", None)
            finally:
                base.drop()

        full = time_runs_capped(lambda: analyse_cohorts(con), big)
        matrix = time_runs_capped(matrix_only, big)
        single = time_runs_capped(lambda: con.execute(SINGLE_QUERY).fetchall(), big)
        same_keys, worst, cells = same_cells(matrix_only(), con.execute(SINGLE_QUERY).fetchall())
    check = (f"{cells:,} cells; identical keys: {same_keys}; max relative difference {worst:.1e}; "
             f"{n_orders:,} orders, {n_buyers:,} buyers")
    target = "≤ 3× the single query" + ("" if big else " (stated for 10M; at 1M here)")
    agree = same_keys and worst <= 1e-9
    return [Measurement(f"cohorts (analyse_cohorts, all splits + run-rate) on {n / 1e6:g}M orders", full,
                        "single query (same matrix)", single, target=target,
                        holds=full.median / single.median <= 3 and agree, notes=[check]),
            Measurement(f"cohorts matrix part alone on {n / 1e6:g}M orders", matrix, "single query (same matrix)",
                        single, target=target, holds=matrix.median / single.median <= 3 and agree)]


if __name__ == "__main__":
    for m in run(quick="--quick" in sys.argv):
        print(m)
