"""Rates from the run-rate movement sums, and the model-based expected recurring revenue.

Rates are computed vectorised (polars) and always carried with their counts: buyer churn with a
Wilson 95% interval (small bases are the norm for exporters), monthly GRR/NRR and the quick
ratio with the starting run rate and movements, and horizon (default 12-month) NRR/GRR of the
buyers active H months earlier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from assetkit.analysis.recurring.base import BaseTables, month_idx, period_label
from assetkit.analysis.recurring.result import (
    ExpectedRecurring,
    MonthMovements,
    RevenueMovements,
)
from assetkit.analysis.recurring.spec import CohortSpec

if TYPE_CHECKING:
    import polars as pl

WILSON_Z = 1.959963984540054


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    import polars as pl

    return pl.when(den > 0).then(num / den).otherwise(None)


def _rates(df: pl.DataFrame, spec: CohortSpec) -> pl.DataFrame:
    import polars as pl

    den = pl.col("buyers_start") + (pl.col("new_buyers") if spec.churn_denominator == "start_plus_new" else 0)
    df = df.with_columns(den.alias("churn_den"))
    n, p, z = pl.col("churn_den"), pl.col("churned_buyers") / pl.col("churn_den"), WILSON_Z
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)).sqrt()) / (1 + z * z / n)
    exprs = [
        _ratio(pl.col("churned_buyers"), n).alias("churn_rate"),
        pl.when(n > 0).then(centre - half).alias("churn_low"),
        pl.when(n > 0).then(centre + half).alias("churn_high"),
    ]
    react = spec.reactivation_in_nrr
    for s in ("", "_net"):
        start = pl.col(f"rr_start{s}")
        kept = start + pl.col(f"churned{s}") + pl.col(f"contraction{s}")
        exprs += [
            _ratio(kept, start).alias(f"grr{s}"),
            _ratio(kept + pl.col(f"expansion{s}") + (pl.col(f"reactivation{s}") if react else 0), start)
            .alias(f"nrr{s}"),
            # Baremetrics' quick ratio: (new + expansion) / (contraction + churned), reactivation left out.
            _ratio(pl.col(f"new{s}") + pl.col(f"expansion{s}"), -(pl.col(f"contraction{s}") + pl.col(f"churned{s}")))
            .alias(f"quick{s}"),
            _ratio(pl.col(f"hz_num{s}"), pl.col(f"hz_base{s}")).alias(f"hz_nrr{s}"),
            _ratio(pl.col(f"hz_gross_num{s}"), pl.col(f"hz_base{s}")).alias(f"hz_grr{s}"),
        ]
    return df.with_columns(exprs)


def _basis(r: dict, s: str) -> RevenueMovements:
    return RevenueMovements(
        rr_start=r[f"rr_start{s}"], new=r[f"new{s}"], expansion=r[f"expansion{s}"],
        contraction=r[f"contraction{s}"], churned=r[f"churned{s}"], reactivation=r[f"reactivation{s}"],
        rr_end=r[f"rr_end{s}"], grr=r[f"grr{s}"], nrr=r[f"nrr{s}"], quick_ratio=r[f"quick{s}"], horizon_base=r[f"hz_base{s}"],
        horizon_nrr=r[f"hz_nrr{s}"], horizon_grr=r[f"hz_grr{s}"])


def month_movements(df: pl.DataFrame, spec: CohortSpec) -> list[MonthMovements]:
    """Shape the per-split, per-month frame ('all' first) into result objects."""
    import polars as pl

    if df.is_empty():
        return []
    df = _rates(df, spec).sort(pl.col("split") != "all", "split", "midx")
    return [
        MonthMovements(
            month=period_label("month", r["midx"]), split=r["split"], buyers_start=r["buyers_start"],
            buyers_end=r["buyers_end"], new_buyers=r["new_buyers"], reactivated_buyers=r["reactivated_buyers"],
            churned_buyers=r["churned_buyers"], expanded_buyers=r["expanded_buyers"],
            contracted_buyers=r["contracted_buyers"], churn_denominator=r["churn_den"], churn_rate=r["churn_rate"],
            churn_rate_low=r["churn_low"], churn_rate_high=r["churn_high"], horizon_buyers=r["horizon_buyers"],
            gross=_basis(r, ""), net=_basis(r, "_net"))
        for r in df.iter_rows(named=True)
    ]


def expected_recurring(base: BaseTables, expected_rr: Mapping[str, float],
                       movements: list[MonthMovements]) -> list[ExpectedRecurring]:
    """Sum the CLV model's expected monthly revenue per split, net of the split's fee share.

    `expected_rr` maps buyer_id to expected revenue per 30.4375-day month in the reporting
    currency (e.g. E[purchases in 12 months] × E[spend] / 12 from the CLV fit). The net figure
    applies the split's observed fee share (fees / revenue over all its orders up to `until`).
    """
    view = f"{base.orders}_err"
    base.con.execute(f"CREATE TEMP TABLE {view} AS SELECT unnest(?::VARCHAR[]) AS buyer_id, "
                     "unnest(?::DOUBLE[]) AS expected_rr",
                     [[str(k) for k in expected_rr], [float(v) for v in expected_rr.values()]])
    try:
        rows = base.con.execute(f"""
            WITH fee AS (
                SELECT b.source, sum(o.fees) AS fees, sum(o.revenue) AS revenue
                FROM {base.orders} o JOIN {base.buyers} b USING (buyer_id) GROUP BY ALL
            ), per AS (
                SELECT CASE WHEN grouping(b.source) = 1 THEN 'all' ELSE b.source END AS split,
                       count(*) AS buyers, count(e.expected_rr) AS covered,
                       coalesce(sum(e.expected_rr), 0) AS expected
                FROM {base.buyers} b LEFT JOIN {view} e USING (buyer_id)
                GROUP BY GROUPING SETS ((b.source), ())
            ), shares AS (
                SELECT source AS split, fees, revenue FROM fee
                UNION ALL SELECT 'all', sum(fees), sum(revenue) FROM fee
            )
            SELECT p.split, p.buyers, p.covered, p.expected,
                   CASE WHEN s.revenue > 0 THEN s.fees / s.revenue END AS share
            FROM per p JOIN shares s USING (split)
            ORDER BY p.split <> 'all', p.buyers DESC, p.split""").fetchall()
    finally:
        base.con.execute(f"DROP TABLE IF EXISTS {view}")
    last = period_label("month", month_idx(base.until))
    latest = {m.split: m for m in movements if m.month == last}
    return [
        ExpectedRecurring(
            split=split, buyers=buyers, buyers_with_expectation=covered, expected_rr=float(expected),
            expected_rr_net=float(expected) * (1 - share) if share is not None else float(expected),
            fee_share=share,
            run_rate=latest[split].gross.rr_end if split in latest else 0.0,
            run_rate_net=latest[split].net.rr_end if split in latest else 0.0)
        for split, buyers, covered, expected, share in rows
    ]
