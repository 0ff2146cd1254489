"""Per-buyer calibration summary from the `orders` table, aggregated in DuckDB.

Purchase occasions are distinct buyer-days (UTC calendar days) of orders whose status is not
'cancelled'; an occasion's value is the sum of its orders' net revenue in the reporting
currency (gross_amount_rc − refunded_amount_rc). `frequency` = occasions − 1, `recency` = first
to last occasion, `T` = first occasion to the end of the calibration window (`until`,
inclusive), all in days here and divided by the unit length by the caller. Zero-value occasions
(free samples) stay occasions. The holdout counts occasions after `until` up to the last order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assetkit.analysis.clv.rfm import unit_days
from assetkit.errors import NotEnoughData
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

_OCCASIONS = """
    SELECT buyer_id, CAST(ordered_at AS DATE) AS d,
           sum(gross_amount_rc - coalesce(refunded_amount_rc, 0)) AS v,
           count(*) FILTER (WHERE gross_amount_rc IS NULL) AS n_missing,
           arg_max(platform, ordered_at) AS platform, arg_max(channel, ordered_at) AS channel
    FROM orders
    WHERE status <> 'cancelled' AND buyer_id IS NOT NULL
    GROUP BY 1, 2
"""

_SUMMARY = f"""
WITH occ AS ({_OCCASIONS}),
cal AS (SELECT * FROM occ WHERE d <= $until),
agg AS (
    SELECT buyer_id, min(d) AS first_d, max(d) AS last_d, count(*) - 1 AS x,
           coalesce(sum(v), 0) AS total, coalesce(arg_min(v, d), 0) AS first_v,
           arg_max(platform, d) AS last_platform, arg_max(channel, d) AS last_channel,
           sum(n_missing) AS n_missing,
           coalesce(sum(v) FILTER (WHERE d > CAST($until AS DATE) - INTERVAL 365 DAY), 0) AS last_year
    FROM cal GROUP BY 1),
hold AS (SELECT buyer_id, count(*) AS n, coalesce(sum(v), 0) AS value FROM occ WHERE d > $until GROUP BY 1)
SELECT agg.buyer_id, CAST(agg.x AS DOUBLE) AS x, CAST(date_diff('day', first_d, last_d) AS DOUBLE) AS t_x,
       CAST(date_diff('day', first_d, CAST($until AS DATE)) AS DOUBLE) AS age,
       CAST(CASE WHEN agg.x > 0 THEN (total - first_v) / agg.x END AS DOUBLE) AS m,
       CAST(total / (agg.x + 1) AS DOUBLE) AS aov, CAST(total AS DOUBLE) AS total,
       coalesce(last_platform, 'unknown') AS last_platform, coalesce(last_channel, 'unknown') AS last_channel,
       coalesce(b.first_channel, 'unknown') AS first_channel,
       coalesce(b.first_platform, 'unknown') AS first_platform,
       (b.email IS NOT NULL AND trim(b.email) <> '') AS has_email,
       (b.phone IS NOT NULL AND trim(b.phone) <> '') AS has_phone,
       CAST(coalesce(hold.n, 0) AS DOUBLE) AS holdout_n,
       CAST(coalesce(hold.value, 0) AS DOUBLE) AS holdout_value, CAST(n_missing AS BIGINT) AS n_missing,
       CAST(last_year AS DOUBLE) AS last_year
FROM agg LEFT JOIN buyers b USING (buyer_id) LEFT JOIN hold USING (buyer_id)
ORDER BY agg.buyer_id
"""


@dataclass
class Summary:
    """One row per buyer seen by `until`; times in `time_unit` (days × 1/unit_days)."""

    time_unit: str
    until: dt.date
    data_end: dt.date
    buyer_id: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary: np.ndarray  # mean value of repeat occasions (NaN without repeats)
    aov: np.ndarray  # mean value of all occasions, the heuristic's input
    total: np.ndarray
    last_platform: np.ndarray
    last_channel: np.ndarray
    first_channel: np.ndarray
    first_platform: np.ndarray
    has_email: np.ndarray
    has_phone: np.ndarray
    holdout_occasions: np.ndarray
    holdout_value: np.ndarray
    last_year: np.ndarray  # value of the occasions in the 365 days up to `until` (calibration)
    orders_without_fx: int
    orders_without_buyer: int

    @property
    def n(self) -> int:
        return int(self.buyer_id.size)

    @property
    def holdout_days(self) -> int:
        return (self.data_end - self.until).days


def _plain(arr) -> np.ndarray:
    """fetchnumpy gives masked arrays where NULLs occur; NULL numbers become NaN."""
    if isinstance(arr, np.ma.MaskedArray):
        return arr.filled(np.nan) if arr.dtype.kind == "f" else arr.filled(None)
    return np.asarray(arr)


def summary_from_orders(con: duckdb.DuckDBPyConnection, until: dt.date | str | None = None,
                        time_unit: str = "week") -> Summary:
    """Frequency/recency/T/monetary per buyer from `orders`, one SQL aggregate.

    `until` closes the calibration window (default: the last order day); occasions after it
    form the holdout used to check predictions.
    """
    days = unit_days(time_unit)
    last = scalar(con, 
        "SELECT max(CAST(ordered_at AS DATE)) FROM orders WHERE status <> 'cancelled' AND buyer_id IS NOT NULL"
    )
    if last is None:
        raise NotEnoughData("no orders with a buyer are stored, so there is nothing to model",
                            hint="import order exports first (assetkit import FILE)")
    cutoff = last if until is None else (dt.date.fromisoformat(until) if isinstance(until, str) else until)
    cols = {k: _plain(v) for k, v in con.execute(_SUMMARY, {"until": cutoff}).fetchnumpy().items()}
    if cols["buyer_id"].size == 0:
        raise NotEnoughData(f"no buyer has an order on or before {cutoff}",
                            hint="choose a later --until date")
    no_buyer = scalar(con, 
        "SELECT count(*) FROM orders WHERE status <> 'cancelled' AND buyer_id IS NULL"
    )
    return Summary(
        time_unit=time_unit, until=cutoff, data_end=max(last, cutoff),
        buyer_id=cols["buyer_id"].astype(object),
        frequency=cols["x"], recency=cols["t_x"] / days, T=cols["age"] / days,
        monetary=cols["m"], aov=cols["aov"], total=cols["total"],
        last_platform=cols["last_platform"].astype(object), last_channel=cols["last_channel"].astype(object),
        first_channel=cols["first_channel"].astype(object), first_platform=cols["first_platform"].astype(object),
        has_email=cols["has_email"].astype(bool), has_phone=cols["has_phone"].astype(bool),
        holdout_occasions=cols["holdout_n"], holdout_value=cols["holdout_value"], last_year=cols["last_year"],
        orders_without_fx=int(cols["n_missing"].sum()), orders_without_buyer=int(no_buyer),
    )
