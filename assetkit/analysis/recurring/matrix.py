"""Acquisition-cohort retention matrices (buyers and revenue, gross and net of platform fees).

A buyer's cohort is the period of their first activity order. Cell (cohort c, age k) counts the
cohort's buyers with an activity order in period c+k and the net revenue (gross and net of fees)
of all their non-cancelled orders dated in that period. Cells are listed for every age that has
been observed (c+k <= the period of `until`), with zeros where nobody ordered; revenue retention
is relative to the cohort's own first period. One aggregation query with GROUPING SETS gives
every split and 'all' in one pass; polars computes the rates and the weighted-average row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.analysis.recurring.base import (
    BaseTables,
    frame,
    period_index,
    period_label,
)
from assetkit.analysis.recurring.result import CohortCell, CohortRow, CohortTable

if TYPE_CHECKING:
    import polars as pl

_SPLIT = "CASE WHEN grouping(b.source) = 1 THEN 'all' ELSE b.source END"


def matrix_frame(base: BaseTables, period: str, since_idx: int | None) -> pl.DataFrame:
    """Dense cohort × age cells with counts and sums, for every split and 'all'."""
    last_idx = period_index(period, base.until)
    since_sql = "" if since_idx is None else f"WHERE b.cohort >= {int(since_idx)}"
    return frame(base.con, f"""
        WITH b AS (SELECT * FROM {base.buyers} b {since_sql}),
        sizes AS (
            SELECT {_SPLIT} AS split, b.cohort, count(*) AS size FROM b
            GROUP BY GROUPING SETS ((b.source, b.cohort), (b.cohort))
        ), bp AS (
            -- buyer-periods first, so counting active buyers needs no DISTINCT
            SELECT buyer_id, pidx, bool_or(is_activity) AS active, sum(revenue) AS revenue,
                   sum(revenue - fees) AS revenue_net
            FROM {base.orders} GROUP BY buyer_id, pidx
        ), cells AS (
            SELECT {_SPLIT} AS split, b.cohort, o.pidx - b.cohort AS age,
                   count(*) FILTER (WHERE o.active) AS active,
                   sum(o.revenue) AS revenue, sum(o.revenue_net) AS revenue_net
            FROM bp o JOIN b USING (buyer_id)
            WHERE o.pidx >= b.cohort
            GROUP BY GROUPING SETS ((b.source, b.cohort, age), (b.cohort, age))
        ), grid AS (
            SELECT s.split, s.cohort, s.size, a.age
            FROM sizes s CROSS JOIN range(0, ? - (SELECT min(cohort) FROM sizes) + 1) a(age)
            WHERE s.cohort + a.age <= ?
        )
        SELECT g.split, g.cohort, g.size, CAST(g.age AS INTEGER) AS age,
               coalesce(c.active, 0) AS active, coalesce(c.revenue, 0.0) AS revenue,
               coalesce(c.revenue_net, 0.0) AS revenue_net
        FROM grid g LEFT JOIN cells c USING (split, cohort, age)
        ORDER BY g.split, g.cohort, g.age
    """, [last_idx, last_idx])


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    import polars as pl

    return pl.when(den > 0).then(num / den).otherwise(None)


def _with_rates(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Add first-period revenue, retention rates and cumulative revenue per buyer."""
    import polars as pl

    first = df.filter(pl.col("age") == 0).select(
        *keys, pl.col("revenue").alias("rev0"), pl.col("revenue_net").alias("rev0_net"))
    df = df.join(first, on=keys, how="left").sort([*keys, "age"])
    return df.with_columns(
        _ratio(pl.col("active"), pl.col("size")).alias("buyer_retention"),
        _ratio(pl.col("revenue"), pl.col("rev0")).alias("revenue_retention"),
        _ratio(pl.col("revenue_net"), pl.col("rev0_net")).alias("revenue_net_retention"),
        _ratio(pl.col("revenue").cum_sum().over(keys), pl.col("size")).alias("cum_rev"),
        _ratio(pl.col("revenue_net").cum_sum().over(keys), pl.col("size")).alias("cum_rev_net"),
    )


def _cells(df: pl.DataFrame) -> list[CohortCell]:
    return [
        CohortCell(age=r["age"], cohort_size=r["size"], active_buyers=r["active"],
                   buyer_retention=r["buyer_retention"], revenue=r["revenue"], revenue_first_period=r["rev0"],
                   revenue_retention=r["revenue_retention"], revenue_net=r["revenue_net"],
                   revenue_net_first_period=r["rev0_net"], revenue_net_retention=r["revenue_net_retention"],
                   cumulative_revenue_per_buyer=r["cum_rev"], cumulative_revenue_net_per_buyer=r["cum_rev_net"],
                   cohorts=r.get("cohorts", 1))
        for r in df.iter_rows(named=True)
    ]


def cohort_tables(base: BaseTables, period: str, since_idx: int | None, min_size: int) -> list[CohortTable]:
    """Matrices for 'all' first, then each acquisition split, largest first."""
    import polars as pl

    df = matrix_frame(base, period, since_idx)
    if df.is_empty():
        return []
    rows = _with_rates(df, ["split", "cohort"])
    # Weighted average over the cohorts observed at each age: pooled counts and pooled revenue,
    # i.e. weighted by cohort size (buyers) and by first-period revenue (revenue).
    pooled = (
        df.join(rows.select("split", "cohort", "rev0", "rev0_net").unique(), on=["split", "cohort"])
        .group_by("split", "age")
        .agg(pl.col("size").sum(), pl.col("active").sum(), pl.col("revenue").sum(),
             pl.col("revenue_net").sum(), pl.col("rev0").sum(), pl.col("rev0_net").sum(),
             pl.len().alias("cohorts"))
        .sort("split", "age")
    )
    pooled = pooled.with_columns(
        _ratio(pl.col("active"), pl.col("size")).alias("buyer_retention"),
        _ratio(pl.col("revenue"), pl.col("rev0")).alias("revenue_retention"),
        _ratio(pl.col("revenue_net"), pl.col("rev0_net")).alias("revenue_net_retention"),
        # Cumulative revenue per acquired buyer: the sum over ages of the pooled per-buyer revenue.
        (pl.col("revenue") / pl.col("size")).cum_sum().over("split").alias("cum_rev"),
        (pl.col("revenue_net") / pl.col("size")).cum_sum().over("split").alias("cum_rev_net"),
    )
    sizes = df.filter(pl.col("age") == 0).group_by("split").agg(pl.col("size").sum().alias("buyers"))
    order = sizes.sort(["buyers", "split"], descending=[True, False]).with_columns(
        (pl.col("split") != "all").alias("not_all")).sort("not_all", maintain_order=True)
    tables = []
    for split, buyers in order.select("split", "buyers").iter_rows():
        split_rows = rows.filter(pl.col("split") == split)
        cohort_rows = [
            CohortRow(cohort=period_label(period, cohort), size=part["size"][0], small=part["size"][0] < min_size,
                      cells=_cells(part))
            for (cohort,), part in split_rows.partition_by("cohort", as_dict=True, maintain_order=True).items()
        ]
        tables.append(CohortTable(split=split, buyers=buyers, rows=cohort_rows,
                                  weighted_average=_cells(pooled.filter(pl.col("split") == split))))
    return tables
