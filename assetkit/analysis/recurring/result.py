"""Plain result objects of `analyse_cohorts`; `CohortsResult.to_dict()` is the stable JSON shape.

Every rate travels with the counts it was computed from (numerator and denominator), so a
reader can judge a 50% retention of 2 buyers for what it is. Money is in the reporting
currency; "gross" is net revenue before platform fees, "net" is after them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CohortCell:
    """One cohort (or the weighted average) at `age` periods after acquisition."""

    age: int
    cohort_size: int
    active_buyers: int
    buyer_retention: float | None
    revenue: float
    revenue_first_period: float
    revenue_retention: float | None
    revenue_net: float
    revenue_net_first_period: float
    revenue_net_retention: float | None
    cumulative_revenue_per_buyer: float | None
    cumulative_revenue_net_per_buyer: float | None
    cohorts: int = 1


@dataclass
class CohortRow:
    cohort: str
    size: int
    small: bool
    cells: list[CohortCell]


@dataclass
class CohortTable:
    """Retention matrix of one acquisition split ('all' or a channel/platform)."""

    split: str
    buyers: int
    rows: list[CohortRow]
    weighted_average: list[CohortCell]


@dataclass
class RevenueMovements:
    """Run-rate movements of one month on one revenue basis (gross or net of fees); signed amounts."""

    rr_start: float
    new: float
    expansion: float
    contraction: float
    churned: float
    reactivation: float
    rr_end: float
    grr: float | None
    nrr: float | None
    quick_ratio: float | None
    horizon_base: float
    horizon_nrr: float | None
    horizon_grr: float | None


@dataclass
class MonthMovements:
    month: str
    split: str
    buyers_start: int
    buyers_end: int
    new_buyers: int
    reactivated_buyers: int
    churned_buyers: int
    expanded_buyers: int
    contracted_buyers: int
    churn_denominator: int
    churn_rate: float | None
    churn_rate_low: float | None
    churn_rate_high: float | None
    horizon_buyers: int
    gross: RevenueMovements
    net: RevenueMovements


@dataclass
class ExpectedRecurring:
    """Model-based expected monthly recurring revenue (from the CLV fit) next to the run rate."""

    split: str
    buyers: int
    buyers_with_expectation: int
    expected_rr: float
    expected_rr_net: float
    fee_share: float | None
    run_rate: float
    run_rate_net: float


@dataclass
class CohortsResult:
    period: str
    since: str | None
    until: str
    currency: str | None
    last_period_partial: bool
    definitions: dict[str, Any]
    data: dict[str, Any]
    fee_allocation: dict[str, Any]
    cohorts: list[CohortTable]
    recurring: list[MonthMovements]
    gap_days: dict[str, Any]
    expected_recurring: list[ExpectedRecurring] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    CSV_HEADER = ("section", "split", "period", "age", "metric", "value")

    def csv_rows(self) -> list[tuple[Any, ...]]:
        """Tidy rows (one number each) for spreadsheets: cohort cells, averages and movements."""
        rows: list[tuple[Any, ...]] = []
        cell_metrics = ("cohort_size", "active_buyers", "buyer_retention", "revenue", "revenue_retention",
                        "revenue_net", "revenue_net_retention", "cumulative_revenue_per_buyer",
                        "cumulative_revenue_net_per_buyer")
        for table in self.cohorts:
            for row in table.rows:
                rows += [("cohort", table.split, row.cohort, c.age, m, getattr(c, m))
                         for c in row.cells for m in cell_metrics]
            rows += [("cohort_average", table.split, "weighted", c.age, m, getattr(c, m))
                     for c in table.weighted_average for m in (*cell_metrics, "cohorts")]
        counts = ("buyers_start", "buyers_end", "new_buyers", "reactivated_buyers", "churned_buyers",
                  "expanded_buyers", "contracted_buyers", "churn_denominator", "churn_rate", "churn_rate_low",
                  "churn_rate_high", "horizon_buyers")
        money = ("rr_start", "new", "expansion", "contraction", "churned", "reactivation", "rr_end", "grr", "nrr",
                 "quick_ratio", "horizon_base", "horizon_nrr", "horizon_grr")
        for m in self.recurring:
            rows += [("recurring", m.split, m.month, None, k, getattr(m, k)) for k in counts]
            rows += [("recurring", m.split, m.month, None, f"{k}_{basis}", getattr(getattr(m, basis), k))
                     for basis in ("gross", "net") for k in money]
        for e in self.expected_recurring or []:
            rows += [("expected_recurring", e.split, self.until, None, k, getattr(e, k))
                     for k in ("buyers", "buyers_with_expectation", "expected_rr", "expected_rr_net", "fee_share",
                               "run_rate", "run_rate_net")]
        return rows
