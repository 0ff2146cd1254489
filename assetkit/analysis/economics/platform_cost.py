"""Platform cost per platform and category over a window: the one definition shared by
`assetkit fees`, `scenario`, `plan` and the report.

It runs the same SQL as `assetkit fees` (base.fee_days, recurring spread, base.cost_rows):
fee rows by category, recurring fees from assetkit.yaml spread by day over their charge
periods, and ad spend that names a platform, except in months in which that platform's own
fee rows already bill advertising (Etsy Ads on the statement and the seller's ledger of the
same ads are one cost, not two).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics import base, recurring
from assetkit.analysis.economics._common import run
from assetkit.store.sql import working_tables

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config


@dataclass(frozen=True)
class PlatformCost:
    """Platform cost over [lo, hi] (inclusive UTC days), in the reporting currency."""

    lo: dt.date
    hi: dt.date
    by_category: dict[tuple[str, str], float]  # (platform, category) -> amount
    ad_spend_in_cost: dict[str, float]  # platform -> spend rows counted (already in by_category)
    notes: tuple[str, ...] = ()

    def total(self, platform: str | None = None) -> float:
        return sum(v for (p, _c), v in self.by_category.items() if platform is None or p == platform)


def platform_cost(con: duckdb.DuckDBPyConnection, config: Config, lo: dt.date, hi: dt.date,
                  include_ad_spend: bool = True) -> PlatformCost:
    """Platform cost per (platform, category) for the days lo..hi, as `assetkit fees` counts it."""
    params: dict[str, Any] = {"rc": config.reporting_currency, "lo": lo, "hi": hi, "platforms": None,
                              "ads": include_ad_spend}
    with working_tables(con, *base.TABLES):
        base.fee_days(con, params)
        notes = recurring.build_spread_table(con, config, hi, include_ad_spend)
        base.cost_rows(con, params)
        rows = run(con, "SELECT platform, category, source, CAST(sum(amount) AS DOUBLE) AS amount "
                        "FROM _ak_econ_cost GROUP BY ALL ORDER BY ALL", params)
    by_category: dict[tuple[str, str], float] = {}
    spend: dict[str, float] = {}
    for r in rows:
        key = (r["platform"], r["category"])
        by_category[key] = by_category.get(key, 0.0) + (r["amount"] or 0.0)
        if r["source"] == "spend":
            spend[r["platform"]] = spend.get(r["platform"], 0.0) + (r["amount"] or 0.0)
    return PlatformCost(lo, hi, by_category, spend, tuple(notes))
