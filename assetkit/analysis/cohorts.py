"""Acquisition cohorts and run-rate recurring revenue, by acquisition channel.

`analyse_cohorts` answers "do the buyers we acquire keep ordering, and does the revenue they
bring hold up, per channel, before and after platform fees?" It combines:
- retention matrices by acquisition month or quarter (recurring/matrix.py),
- monthly run-rate recurring revenue and its movements, NRR/GRR and buyer churn for buyers who
  do not subscribe (recurring/runrate.py, recurring/summary.py),
- optionally the CLV model's expected recurring revenue next to the run rate.
Every definitional choice is a `CohortSpec` field recorded in the result (recurring/spec.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assetkit.analysis.recurring.base import build_base, month_idx, period_index
from assetkit.analysis.recurring.matrix import cohort_tables
from assetkit.analysis.recurring.result import CohortsResult
from assetkit.analysis.recurring.runrate import fallback_gap, movements_frame
from assetkit.analysis.recurring.spec import resolve_spec
from assetkit.analysis.recurring.summary import expected_recurring, month_movements
from assetkit.config import Config
from assetkit.errors import NotEnoughData, UsageError

if TYPE_CHECKING:
    import duckdb

__all__ = ["CohortsResult", "analyse_cohorts"]


def _date(value: dt.date | str | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} must be a date YYYY-MM-DD, not {value!r}") from None


def analyse_cohorts(
    con: duckdb.DuckDBPyConnection,
    config: Config | None = None,
    period: str | None = None,
    since: dt.date | str | None = None,
    until: dt.date | str | None = None,
    channel: str | None = None,
    *,
    churn_k: float | None = None,
    window_months: int | None = None,
    preset: str | None = None,
    expected_rr: Mapping[str, float] | None = None,
    **options: Any,
) -> CohortsResult:
    """Cohort retention matrices and run-rate recurring revenue from the stored orders.

    `since` limits the cohorts and months shown (history before it still decides who is new,
    active or churned); `until` (inclusive, default: last order day) cuts the data. `channel`
    keeps buyers whose acquisition channel, platform or "channel/platform" equals it.
    `options` are further `CohortSpec` fields (fallback_gap_days, churn_denominator,
    reactivation_in_nrr, reactivation_window_months, nrr_horizon_months, unlinked_fees,
    min_cohort_size). `expected_rr` maps buyer_id to the CLV model's expected revenue per
    30.4375-day month; when given, the result compares it with the run rate per split.
    Raises NotEnoughData when no buyer has an order in range.
    """
    config = config or Config()
    section = dict(config.section("cohorts"))
    spec = resolve_spec(section, preset, period=period, churn_k=churn_k, window_months=window_months,
                        **options)
    since_d, until_d = _date(since, "since"), _date(until, "until")
    if since_d and until_d and since_d > until_d:
        raise UsageError(f"--since {since_d} is after --until {until_d}")
    base = build_base(con, spec.period, until_d, channel, spec.unlinked_fees)
    try:
        if base.counts["buyers"] == 0:
            where = f" acquired through {channel!r}" if channel else ""
            raise NotEnoughData(
                f"no buyer{where} has an order up to {base.until}: cohorts need orders with a buyer",
                hint="import order exports that carry a buyer (assetkit import FILE), or check --channel/--until")
        since_idx = period_index(spec.period, since_d) if since_d else None
        tables = cohort_tables(base, spec.period, since_idx, spec.min_cohort_size)
        if not tables:
            raise NotEnoughData(f"no buyer was acquired between {since_d} and {base.until}",
                                hint="move --since earlier")
        gap, gap_source = fallback_gap(base, spec)
        frame = movements_frame(base, spec, gap, month_idx(since_d) if since_d else None)
        movements = month_movements(frame, spec)
        expected = expected_recurring(base, expected_rr, movements) if expected_rr is not None else None
        last_day = period_index(spec.period, base.until) != period_index(spec.period, base.until + dt.timedelta(1))
        notes = [f"cohort {r.cohort} ({t.split}) has {r.size} buyers (< {spec.min_cohort_size}): read its rates "
                 "as anecdotes" for t in tables[:1] for r in t.rows if r.small]
        if not last_day:
            notes.append(f"the last period ends after {base.until}: its figures are partial")
        return CohortsResult(
            period=spec.period, since=since_d.isoformat() if since_d else None, until=base.until.isoformat(),
            currency=config.reporting_currency, last_period_partial=not last_day,
            definitions={**spec.to_dict(), "channel_filter": channel}, data=base.counts,
            fee_allocation={"rule": spec.unlinked_fees, **base.fees},
            cohorts=tables, recurring=movements,
            gap_days={"fallback": gap, "fallback_source": gap_source, "churn_k": spec.churn_k},
            expected_recurring=expected, notes=notes)
    finally:
        base.drop()
