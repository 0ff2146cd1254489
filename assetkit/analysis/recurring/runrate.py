"""Run-rate recurring revenue for buyers who do not subscribe, and its monthly movements.

For each buyer and calendar month m (from their first order month to the month of `until`),
judged at the month's last day (or `until`):
- *active*: their last activity order is at most k × g days old, where g is the median gap
  between their distinct order days observed up to that order (the fallback gap for a buyer with
  one order day), and it falls inside the trailing run-rate window of W calendar months;
- run rate RR = (net revenue of the W months ending with m) / W while active, else 0; computed
  on revenue before fees (gross) and after platform fees (net).
Comparing month-end states gives exactly one movement per buyer and month, so the movements
add up to the change in total run rate: new (first becomes active), reactivation (active again
after churning; after more than `reactivation_window_months` it counts as new), churned (stops
being active: −RR of the previous month), expansion / contraction (active in both months, RR up /
down). Joining and churning inside one month, or churning and returning inside one month, leaves
no churn (ChartMogul Standard does the same).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.analysis.recurring.base import BaseTables, frame, month_idx
from assetkit.analysis.recurring.spec import CohortSpec
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import polars as pl


def gap_lists(base: BaseTables) -> str:
    """Temp table of each buyer's activity days in order and the gap before each (NULL first).

    Built once (registered in `base.temps`, dropped with the base tables) and shared by the
    fallback gap and the per-month running medians: one list per buyer is far cheaper than a
    window sort over every buyer-day, and the running median is only needed at month ends.
    """
    table = f"{base.orders}_gaps"
    if table not in base.temps:
        base.con.execute(f"""
            CREATE TEMP TABLE {table} AS
            SELECT buyer_id, days,
                   list_transform(days, lambda d, i: CASE WHEN i > 1 THEN date_diff('day', days[i - 1], d) END)
                       AS gaps
            FROM (SELECT buyer_id, list(day ORDER BY day) AS days FROM {base.orders}
                  WHERE is_activity GROUP BY buyer_id)""")
        base.temps.append(table)
    return table


def fallback_gap(base: BaseTables, spec: CohortSpec) -> tuple[float, str]:
    """The gap assumed for one-order buyers: configured, else the median of all repeat gaps."""
    if spec.fallback_gap_days is not None:
        return float(spec.fallback_gap_days), "configured"
    median = scalar(base.con, f"SELECT median(gap) FROM (SELECT unnest(gaps) AS gap FROM {gap_lists(base)})"
                              )
    if median is None:
        # Nobody has ordered twice: one-order buyers stay active for the run-rate window only.
        return spec.window_months * 30.4375 / spec.churn_k, "window (no repeat buyers)"
    return float(median), "median gap of all repeat buyers"


def grid_sql(base: BaseTables, spec: CohortSpec, gap: float) -> str:
    """SQL of the dense buyer × month state table (one row per buyer and month)."""
    last = month_idx(base.until)
    w, h = spec.window_months, spec.nrr_horizon_months
    react = ("TRUE" if spec.reactivation_window_months is None
             else f"midx - last_churn <= {int(spec.reactivation_window_months)}")
    # only the reactivation window reads the month of the last churn: skip that window sort otherwise
    last_churn = ("CAST(NULL AS BIGINT)" if spec.reactivation_window_months is None
                  else "max(CASE WHEN prev_active AND NOT active THEN midx END) "
                       "OVER (PARTITION BY bk ORDER BY midx ROWS UNBOUNDED PRECEDING)")
    until = base.until.isoformat()
    return f"""
        WITH ends AS (
            -- the position of each buyer-month's last activity day in the buyer's ordered days
            SELECT buyer_id, days, gaps, unnest(list_filter(range(1, len(days) + 1), lambda i: i = len(days)
                       OR year(days[i]) * 12 + month(days[i]) <> year(days[i + 1]) * 12 + month(days[i + 1]))) AS n
            FROM {gap_lists(base)}
        ), act_month AS (
            -- the last activity day of each buyer-month and the median gap known on that day: of the
            -- buyer's first n gaps (1-based, end inclusive; the first day's NULL is ignored)
            SELECT buyer_id, year(days[n]) * 12 + month(days[n]) - 1 AS midx, days[n] AS last_day,
                   list_median(gaps[:n]) AS med_gap
            FROM ends
        ), mrev AS (
            SELECT buyer_id, midx, sum(revenue) AS rev, sum(revenue - fees) AS rev_net
            FROM {base.orders} GROUP BY buyer_id, midx
        ), span AS (
            -- bk: an integer buyer key, cheaper to partition the window sorts below by
            SELECT *, row_number() OVER () AS bk FROM (
                SELECT b.buyer_id, b.source, least(any_value(b.first_midx), min(r.midx)) AS m0
                FROM {base.buyers} b JOIN mrev r USING (buyer_id) GROUP BY b.buyer_id, b.source)
        ), grid AS (
            SELECT buyer_id, bk, source, midx,
                   least(last_day(make_date(CAST(midx // 12 AS INTEGER), CAST(midx % 12 + 1 AS INTEGER), 1)),
                         DATE '{until}') AS month_end
            FROM (SELECT buyer_id, bk, source, unnest(range(m0, {last + 1})) AS midx FROM span)
        ), trail AS (
            -- dense months per buyer, so ROWS frames are calendar months; the last activity day
            -- and its median gap are carried forward from the latest month that had one
            SELECT g.*, sum(coalesce(r.rev, 0)) OVER w AS trail_rev,
                   sum(coalesce(r.rev_net, 0)) OVER w AS trail_rev_net,
                   last_value(a.last_day IGNORE NULLS) OVER f AS last_day,
                   last_value(a.med_gap IGNORE NULLS) OVER f AS med_gap
            FROM grid g LEFT JOIN mrev r USING (buyer_id, midx) LEFT JOIN act_month a USING (buyer_id, midx)
            WINDOW w AS (PARTITION BY g.bk ORDER BY g.midx ROWS BETWEEN {w - 1} PRECEDING AND CURRENT ROW),
                   f AS (PARTITION BY g.bk ORDER BY g.midx ROWS UNBOUNDED PRECEDING)
        ), state AS (
            SELECT *, (last_day IS NOT NULL
                       AND date_diff('day', last_day, month_end) <= {spec.churn_k} * coalesce(med_gap, {gap})
                       AND year(last_day) * 12 + month(last_day) - 1 > midx - {w}) AS active
            FROM trail
        ), rr AS (
            SELECT *, CASE WHEN active THEN trail_rev / {w} ELSE 0 END AS rr,
                      CASE WHEN active THEN trail_rev_net / {w} ELSE 0 END AS rr_net
            FROM state
        ), prev AS (
            SELECT *, coalesce(lag(active) OVER b, FALSE) AS prev_active,
                   coalesce(lag(rr) OVER b, 0) AS prev_rr, coalesce(lag(rr_net) OVER b, 0) AS prev_rr_net,
                   coalesce(bool_or(active) OVER (b ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), FALSE)
                       AS ever_before,
                   CASE WHEN lag(active, {h}) OVER b THEN lag(rr, {h}) OVER b END AS base_rr,
                   CASE WHEN lag(active, {h}) OVER b THEN lag(rr_net, {h}) OVER b END AS base_rr_net,
                   bool_and(active) OVER (b ROWS BETWEEN {h - 1} PRECEDING AND CURRENT ROW) AS stayed
            FROM rr WINDOW b AS (PARTITION BY bk ORDER BY midx)
        ), churns AS (
            SELECT *, {last_churn} AS last_churn FROM prev
        )
        SELECT *, CASE
                WHEN NOT prev_active AND active AND ever_before AND {react} THEN 'reactivated'
                WHEN NOT prev_active AND active THEN 'new'
                WHEN prev_active AND NOT active THEN 'churned'
                WHEN active THEN 'retained' ELSE 'inactive' END AS movement
        FROM churns"""


def _basis(sfx: str, react_in_nrr: bool) -> str:
    """Aggregates of one revenue basis ('' gross, '_net' net of fees)."""
    keep = "rr{s}" if react_in_nrr else "CASE WHEN stayed THEN rr{s} ELSE 0 END"
    keep = keep.format(s=sfx)
    return f"""
        sum(prev_rr{sfx}) AS rr_start{sfx}, sum(rr{sfx}) AS rr_end{sfx},
        coalesce(sum(rr{sfx}) FILTER (WHERE movement = 'new'), 0) AS new{sfx},
        coalesce(sum(rr{sfx}) FILTER (WHERE movement = 'reactivated'), 0) AS reactivation{sfx},
        coalesce(sum(greatest(rr{sfx} - prev_rr{sfx}, 0)) FILTER (WHERE movement = 'retained'), 0) AS expansion{sfx},
        coalesce(sum(least(rr{sfx} - prev_rr{sfx}, 0)) FILTER (WHERE movement = 'retained'), 0) AS contraction{sfx},
        coalesce(-sum(prev_rr{sfx}) FILTER (WHERE movement = 'churned'), 0) AS churned{sfx},
        coalesce(sum(base_rr{sfx}), 0) AS hz_base{sfx},
        sum({keep}) FILTER (WHERE base_rr{sfx} IS NOT NULL) AS hz_num{sfx},
        sum(least({keep}, base_rr{sfx})) FILTER (WHERE base_rr{sfx} IS NOT NULL) AS hz_gross_num{sfx}"""


def movements_frame(base: BaseTables, spec: CohortSpec, gap: float, first_month: int | None) -> pl.DataFrame:
    """Per split (and 'all') and month: buyer counts and run-rate movements on both bases."""
    since = "" if first_month is None else f"WHERE midx >= {int(first_month)}"
    return frame(base.con, f"""
        WITH g AS ({grid_sql(base, spec, gap)})
        SELECT CASE WHEN grouping(source) = 1 THEN 'all' ELSE source END AS split, midx,
               count(*) FILTER (WHERE prev_active) AS buyers_start,
               count(*) FILTER (WHERE active) AS buyers_end,
               count(*) FILTER (WHERE movement = 'new') AS new_buyers,
               count(*) FILTER (WHERE movement = 'reactivated') AS reactivated_buyers,
               count(*) FILTER (WHERE movement = 'churned') AS churned_buyers,
               count(*) FILTER (WHERE movement = 'retained' AND rr > prev_rr) AS expanded_buyers,
               count(*) FILTER (WHERE movement = 'retained' AND rr < prev_rr) AS contracted_buyers,
               count(base_rr) AS horizon_buyers,
               {_basis('', spec.reactivation_in_nrr)},
               {_basis('_net', spec.reactivation_in_nrr)}
        FROM g {since}
        GROUP BY GROUPING SETS ((source, midx), (midx))
        ORDER BY split, midx""")
