"""The order and buyer base every cohort and run-rate figure is computed from.

Two temporary tables on the caller's connection (dropped by `BaseTables.drop`, with any table
derived from them and registered in `BaseTables.temps`):
- `<prefix>_o`: one row per buyer and calendar day (UTC) with non-cancelled orders up to
  `until`: month and period index, net revenue `gross_amount_rc - refunded_amount_rc` (a
  `refunded` order with no refunded amount is fully refunded), the platform fees allocated to
  those orders, whether the day has *activity* (an order that was not fully refunded; zero-value
  orders such as free samples are activity, as in the CLV conventions) and the channel/platform
  of its first activity order.
- `<prefix>_b`: one row per buyer with at least one activity order: first activity day, cohort
  index and acquisition source (buyers.first_channel/first_platform, else the channel/platform of
  the first order), restricted to `channel` when one is asked for.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb
    import polars as pl

# Period index: months since year 0 (or quarters); labels are derived from it in Python.
MONTH_IDX = "(year({d}) * 12 + month({d}) - 1)"
QUARTER_IDX = "(year({d}) * 4 + (month({d}) - 1) // 3)"


def period_idx_sql(period: str, day_expr: str) -> str:
    return (MONTH_IDX if period == "month" else QUARTER_IDX).format(d=day_expr)


def period_label(period: str, idx: int) -> str:
    if period == "month":
        return f"{idx // 12:04d}-{idx % 12 + 1:02d}"
    return f"{idx // 4:04d}-Q{idx % 4 + 1}"


def month_idx(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def period_index(period: str, day: dt.date) -> int:
    """The same index as period_idx_sql, for one date in Python."""
    return month_idx(day) if period == "month" else day.year * 4 + (day.month - 1) // 3


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    """Run a query into a polars frame through numpy (no pyarrow needed; NULLs stay null)."""
    import polars as pl

    return pl.DataFrame(con.execute(sql, params or []).fetchnumpy())


@dataclass
class BaseTables:
    """Names of the temporary tables plus the data-quality counts gathered while building them."""

    con: duckdb.DuckDBPyConnection
    orders: str
    buyers: str
    until: dt.date
    counts: dict[str, int]
    fees: dict[str, float]
    # further temp tables derived from these two (e.g. runrate.gap_lists), dropped with them
    temps: list[str] = field(default_factory=list)

    def drop(self) -> None:
        for table in (self.orders, self.buyers, *self.temps):
            self.con.execute(f"DROP TABLE IF EXISTS {table}")


# UTC calendar days through the epoch: the same day as CAST(timezone('UTC', ts) AS DATE), which
# converts through ICU and costs about a second of CPU per 10M rows each time it is evaluated.
_DAY = "CAST(make_timestamp(epoch_us(ordered_at)) AS DATE)"
_FEE_DAY = "CAST(make_timestamp(epoch_us(incurred_at)) AS DATE)"


_LINKED = f"""
    SELECT order_id, sum(amount_rc) AS fee FROM platform_fees
    WHERE order_id IS NOT NULL AND {_FEE_DAY} <= $until GROUP BY order_id"""


def _allocation_sql(rule: str) -> str:
    """Per-order fee expression: linked fees, plus unlinked ones spread when the rule says so."""
    if rule == "exclude":
        return "k.linked_fee"
    # pro_rata_month: a fee with no order (or an unknown one) is spread over the same platform's
    # orders of the same calendar month in proportion to their revenue.
    return """k.linked_fee + CASE WHEN k.revenue > 0 THEN coalesce(u.amount, 0) * k.revenue
                  / sum(k.revenue) FILTER (WHERE k.revenue > 0) OVER (PARTITION BY k.platform, k.midx) ELSE 0 END"""


def _unlinked_join(rule: str) -> str:
    if rule == "exclude":
        return ""
    return f"""LEFT JOIN (
            SELECT f.platform, {MONTH_IDX.format(d=_FEE_DAY)} AS midx, CAST(sum(f.amount_rc) AS DOUBLE) AS amount
            FROM platform_fees f ANTI JOIN orders o ON f.order_id = o.order_id
            WHERE {_FEE_DAY} <= $until GROUP BY ALL) u USING (platform, midx)"""


def build_base(con: duckdb.DuckDBPyConnection, period: str, until: dt.date | None,
               channel: str | None, unlinked_fees: str) -> BaseTables:
    """Create the two temp tables; `until` defaults to the last order day."""
    prefix = f"_ak_cohorts_{uuid.uuid4().hex[:12]}"
    if until is None:
        last = scalar(con, f"SELECT max({_DAY}) FROM orders WHERE status <> 'cancelled'")
        until = last or dt.date.today()
    orders, buyers = f"{prefix}_o", f"{prefix}_b"
    kept_where = "status <> 'cancelled' AND buyer_id IS NOT NULL AND gross_amount_rc IS NOT NULL"
    full_refund = ("(status = 'refunded' OR (gross_amount_rc > 0 "
                   "AND coalesce(refunded_amount_rc, 0) >= gross_amount_rc))")
    con.execute(f"""
        CREATE TEMP TABLE {orders} AS
        WITH kept AS (
            SELECT order_id, buyer_id, platform, channel, day, {MONTH_IDX.format(d='day')} AS midx,
                   CAST(CASE WHEN status = 'refunded' AND coalesce(refunded_amount_rc, 0) = 0 THEN 0
                             ELSE gross_amount_rc - coalesce(refunded_amount_rc, 0) END AS DOUBLE) AS revenue,
                   NOT {full_refund} AS is_activity,
                   CAST(coalesce(l.fee, 0) AS DOUBLE) AS linked_fee
            FROM (SELECT *, {_DAY} AS day FROM orders) o LEFT JOIN ({_LINKED}) l USING (order_id)
            WHERE day <= $until AND {kept_where}
        ), alloc AS (
            SELECT k.*, CAST({_allocation_sql(unlinked_fees)} AS DOUBLE) AS fee
            FROM kept k {_unlinked_join(unlinked_fees)}
        )
        -- one row per buyer and day: every later step works on buyer-days, not orders
        SELECT buyer_id, day, {MONTH_IDX.format(d='day')} AS midx, {period_idx_sql(period, 'day')} AS pidx,
               sum(revenue) AS revenue, sum(fee) AS fees, bool_or(is_activity) AS is_activity,
               arg_min(channel, order_id) FILTER (WHERE is_activity) AS channel,
               arg_min(platform, order_id) FILTER (WHERE is_activity) AS platform
        FROM alloc GROUP BY buyer_id, day
    """, {"until": until})
    # Data-quality counts. Fee sums start from the fee rows joined to their order (a fee table is
    # a tenth of the orders): re-aggregating fees per order and joining them to every order, plus
    # an anti join hashing every order id for the unlinked sum, cost as much as the base table.
    # Unlinked = all fees up to `until` minus those naming a stored order (order_id is unique:
    # the importer guarantees it, `db check` verifies it).
    counts_row = con.execute(f"""
        SELECT o.*, l.*, f.*, (SELECT coalesce(sum(fees), 0) FROM {orders})
        FROM (SELECT count(*) FILTER (WHERE status = 'cancelled'),
                     count(*) FILTER (WHERE status <> 'cancelled' AND buyer_id IS NULL),
                     count(*) FILTER (WHERE status <> 'cancelled' AND buyer_id IS NOT NULL
                                      AND gross_amount_rc IS NULL),
                     count(*) FILTER (WHERE {kept_where}),
                     count(*) FILTER (WHERE {kept_where} AND {full_refund})
              FROM orders WHERE {_DAY} <= $until) o,
             (SELECT coalesce(sum(f.amount_rc) FILTER (WHERE o.status <> 'cancelled' AND {_DAY} <= $until), 0),
                     coalesce(sum(f.amount_rc) FILTER (WHERE o.status = 'cancelled' AND {_DAY} <= $until), 0),
                     coalesce(sum(f.amount_rc), 0) AS matched
              FROM platform_fees f JOIN orders o USING (order_id) WHERE {_FEE_DAY} <= $until) l,
             (SELECT coalesce(sum(amount_rc), 0) AS total, count(*) FILTER (WHERE amount_rc IS NULL)
              FROM platform_fees WHERE {_FEE_DAY} <= $until) f""", {"until": until}).fetchone()
    where, params = "", []
    if channel:
        where, params = "WHERE channel = ? OR platform = ? OR source = ?", [channel] * 3
    con.execute(f"""
        CREATE TEMP TABLE {buyers} AS
        WITH first AS (
            SELECT buyer_id, min(day) AS first_day, arg_min(channel, day) AS o_channel,
                   arg_min(platform, day) AS o_platform
            FROM {orders} WHERE is_activity GROUP BY buyer_id
        ), named AS (
            SELECT f.buyer_id, f.first_day,
                   coalesce(nullif(b.first_channel, ''), f.o_channel, 'unknown') AS channel,
                   CASE WHEN nullif(b.first_channel, '') IS NOT NULL THEN nullif(b.first_platform, '')
                        ELSE f.o_platform END AS platform
            FROM first f LEFT JOIN buyers b USING (buyer_id)
        )
        SELECT *, {period_idx_sql(period, 'first_day')} AS cohort, {MONTH_IDX.format(d='first_day')} AS first_midx
        FROM (SELECT *, CASE WHEN platform IS NULL OR platform = channel THEN channel
                             ELSE channel || '/' || platform END AS source FROM named)
        {where}
    """, params)
    counts = dict(zip(("orders_cancelled", "orders_without_buyer", "orders_without_reporting_amount",
                       "orders_used", "orders_fully_refunded"), (int(v) for v in counts_row[:5])))
    counts["buyers"] = int(scalar(con, f"SELECT count(*) FROM {buyers}"))
    fees: dict[str, Any] = {
        "linked_to_orders": float(counts_row[5]), "linked_to_cancelled_orders": float(counts_row[6]),
        "unlinked": float(counts_row[8] - counts_row[7]), "rows_without_reporting_amount": int(counts_row[9]),
        "allocated_to_orders": float(counts_row[10]),
    }
    return BaseTables(con, orders, buyers, until, counts, fees)
