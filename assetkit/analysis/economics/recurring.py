"""Costs that are billed for a span of time rather than on a date: recurring fees declared in
assetkit.yaml (an annual membership, a booth, a plan) and imported ad spend with a period.

Both are turned into *spread items* (platform, category, first day, day after the last day,
amount in the reporting currency) and spread evenly by day over the reporting periods, so an
annual membership that starts on 1 July puts half its cost in each calendar year it touches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics import schedules
from assetkit.analysis.economics._common import money
from assetkit.errors import ConfigError
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

SPREAD_TABLE = "_ak_econ_spread"
_STEP_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clipped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _date(item: dict[str, Any], key: str, where: str) -> dt.date | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: `{key}` is not a date: {value!r}", hint="use YYYY-MM-DD") from None


def _resolve(item: Any, where: str, rc: str) -> dict[str, Any]:
    """Validate one `recurring_fees` entry (a config.RecurringFee or a plain mapping)."""
    if dataclasses.is_dataclass(item):
        item = dataclasses.asdict(item)
    if not isinstance(item, dict) or not item.get("platform"):
        raise ConfigError(f"{where}: needs at least `platform`, `amount`, `period` and `start`")
    start = _date(item, "start", where)
    if start is None:
        raise ConfigError(f"{where}: `start` is missing", hint="the first day the fee applies, YYYY-MM-DD")
    period = item.get("period", "year")
    if period not in _STEP_MONTHS:
        raise ConfigError(f"{where}: `period` must be month, quarter or year, not {period!r}")
    try:
        amount = Decimal(str(item["amount"]))
    except (KeyError, InvalidOperation):
        raise ConfigError(f"{where}: `amount` is missing or not a number") from None
    end = _date(item, "end", where)
    if end is not None and end < start:
        raise ConfigError(f"{where}: `end` {end} is before `start` {start}")
    return {"platform": str(item["platform"]), "amount": amount, "period": period,
            "category": schedules.category_of(str(item.get("fee_type") or "membership")),
            "currency": str(item.get("currency") or rc).upper(), "start": start, "end": end}


def expand(recurring: Any, hi: dt.date, rc: str) -> list[tuple[Any, ...]]:
    """Charge periods of every recurring fee up to `hi`:
    (platform, category, first day, day after last day, amount, currency, rate day)."""
    rows = []
    for n, item in enumerate(recurring or []):
        fee = _resolve(item, f"assetkit.yaml recurring_fees[{n}]", rc)
        step = _STEP_MONTHS[fee["period"]]
        last = min(fee["end"], hi) if fee["end"] else hi
        k = 0
        while (cs := add_months(fee["start"], k * step)) <= last:
            ce = add_months(fee["start"], (k + 1) * step)
            stop = min(ce, fee["end"] + dt.timedelta(days=1)) if fee["end"] else ce
            part = fee["amount"] * (stop - cs).days / (ce - cs).days
            rows.append((fee["platform"], fee["category"], cs, stop, part, fee["currency"], cs))
            k += 1
    return rows


def build_spread_table(con: duckdb.DuckDBPyConnection, config: Config, hi: dt.date,
                       include_ad_spend: bool, include_recurring: bool = True) -> list[str]:
    """(Re)create the temp table of spread items: recurring fees from the config and every
    spend row (`platform_cost` marks those counted as platform cost: spend with a platform,
    when ad spend is included). Return notes about what was left out."""
    rc = config.reporting_currency
    rows = expand(config.recurring_fees, hi, rc) if include_recurring else []
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SPREAD_TABLE}_raw (platform VARCHAR, category VARCHAR, "
                "s DATE, e DATE, amount DECIMAL(18,4), currency VARCHAR, rate_day DATE)")
    if rows:
        con.executemany(f"INSERT INTO {SPREAD_TABLE}_raw VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    # ECB rates are units per EUR: amount_rc = amount / per_eur(currency) * per_eur(rc).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {SPREAD_TABLE} AS
        WITH conv AS (
            SELECT r.*,
                   CASE WHEN r.currency = $rc THEN 1
                        ELSE (CASE WHEN $rc = 'EUR' THEN 1 ELSE
                                (SELECT per_eur FROM fx_rates WHERE currency = $rc AND rate_date <= r.rate_day
                                 ORDER BY rate_date DESC LIMIT 1) END)
                           / (CASE WHEN r.currency = 'EUR' THEN 1 ELSE
                                (SELECT per_eur FROM fx_rates WHERE currency = r.currency AND rate_date <= r.rate_day
                                 ORDER BY rate_date DESC LIMIT 1) END)
                   END AS rate
            FROM {SPREAD_TABLE}_raw r
        )
        SELECT platform, CAST(NULL AS VARCHAR) AS channel, category, category = 'membership' AS fixed,
               s, e, CAST(amount * rate AS DECIMAL(18,4)) AS amount, 'config' AS source,
               true AS platform_cost
        FROM conv WHERE $recurring
        UNION ALL
        SELECT platform, channel, 'advertising', false, period_start, period_end + 1,
               {money('amount', 'amount_rc')}, 'spend', $ads AND platform IS NOT NULL
        FROM spend
    """, {"rc": rc, "ads": include_ad_spend, "recurring": include_recurring})
    missing = con.execute(f"SELECT platform, s, amount IS NULL FROM {SPREAD_TABLE} "
                          "WHERE source = 'config' AND amount IS NULL LIMIT 1").fetchall()
    if missing:
        platform, start, _ = missing[0]
        raise ConfigError(
            f"a recurring fee of {platform} starting {start} is not in {rc} and there is no FX rate for it",
            hint=f"import ECB rates (assetkit fx fetch) or give the amount in {rc}")
    notes = []
    n = scalar(con, f"SELECT count(*) FROM {SPREAD_TABLE} WHERE source = 'spend' AND amount IS NULL")
    if n:
        notes.append(f"{n} ad-spend row(s) have no FX rate into {rc} and are left out")
    return notes


def spread_by_month_sql(lo_param: str = "$lo", hi_param: str = "$hi") -> str:
    """SQL: the spread items allocated to calendar months by day, clipped to [lo, hi]."""
    return f"""
        SELECT i.platform, i.channel, i.category, i.fixed, i.source, i.platform_cost,
               CAST(m.ms AS DATE) AS month,
               i.amount * (least(i.e, CAST(m.ms + INTERVAL 1 month AS DATE), {hi_param} + 1)
                           - greatest(i.s, CAST(m.ms AS DATE), {lo_param}))
                        / (i.e - i.s) AS amount
        FROM {SPREAD_TABLE} i
        JOIN range(CAST(date_trunc('month', {lo_param}) AS DATE), {hi_param} + 1, INTERVAL 1 month) m(ms)
          ON i.s < CAST(m.ms + INTERVAL 1 month AS DATE) AND i.e > CAST(m.ms AS DATE)
        WHERE i.amount IS NOT NULL
          AND least(i.e, CAST(m.ms + INTERVAL 1 month AS DATE), {hi_param} + 1) > greatest(i.s, CAST(m.ms AS DATE), {lo_param})
    """
