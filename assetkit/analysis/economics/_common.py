"""Shared pieces of the platform-economics analyses: scope, money in the reporting currency,
periods and the data-sufficiency checks.

Every figure in `assetkit fees` and `assetkit funnel` is built from the same few SQL
fragments defined here, so "gross revenue" or "platform cost" means one thing everywhere
(docs/metrics.md, "Platform economics").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetkit.errors import NotEnoughData, UsageError

# Economics runs every statement through `run` (temp tables and queries alike): the shared helper.
from assetkit.store.sql import rows as run  # noqa: F401 - re-exported for the economics modules

if TYPE_CHECKING:
    pass

PERIODS = ("month", "quarter", "year")

FX_POLICY = (
    "Amounts are in {rc}: each row is converted at the ECB reference rate of its own date "
    "(orders: order date, fees: fee date, spend: period start), as stored at import in the "
    "*_rc columns; recurring fees from assetkit.yaml at the rate of the first day of each "
    "charge period. Rows without a rate are left out and counted in the notes."
)


@dataclass(frozen=True)
class Scope:
    """Which rows an analysis looks at: date window (inclusive) and optional filters."""

    since: dt.date | None = None
    until: dt.date | None = None
    platform: str | None = None
    channel: str | None = None

    def params(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "platform": self.platform,
                "channel": self.channel}

    def describe(self) -> str:
        parts = []
        if self.since or self.until:
            parts.append(f"between {self.since or 'the start'} and {self.until or 'the end'}")
        if self.platform:
            parts.append(f"on platform {self.platform!r}")
        if self.channel:
            parts.append(f"in channel {self.channel!r}")
        return " ".join(parts) if parts else "in the database"


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"not a date: {value!r}", hint="use YYYY-MM-DD") from None


def check_by(by: str) -> str:
    if by not in PERIODS:
        raise UsageError(f"--by must be one of {', '.join(PERIODS)}, not {by!r}")
    return by




def utc(ts: str) -> str:
    """SQL: a TIMESTAMPTZ column as a plain TIMESTAMP in UTC.

    Days, months and years of orders, fees and inquiries are UTC calendar periods
    (docs/schema.md). Going through the epoch makes that explicit and is ~20x cheaper per row
    than CAST(ts AS DATE) or `ts + INTERVAL`, which convert through the session time zone
    (ICU): at 10M orders those casts alone cost seconds.
    """
    return f"make_timestamp(epoch_us({ts}))"


def utc_day(ts: str) -> str:
    """SQL: the UTC calendar day of a TIMESTAMPTZ column (see utc())."""
    return f"CAST({utc(ts)} AS DATE)"


def money(amount: str, amount_rc: str, currency: str = "currency") -> str:
    """SQL for an amount in the reporting currency ($rc): the stored *_rc value, or the
    original amount when it already is in the reporting currency; NULL when unconvertible."""
    return f"coalesce({amount_rc}, CASE WHEN upper({currency}) = $rc THEN {amount} END)"


# A refund stored as a row of its own (an Amazon settlement's Refund line kept as an order row:
# nothing sold, an amount refunded) adjusts revenue but is not an order: it must not be counted
# as one (it would lower the cost per order) nor be a buyer's first order.
def refund_adjustment(alias: str = "") -> str:
    """SQL: true for a refund row of its own (nothing sold, an amount refunded); `alias` = 'o.'."""
    return f"({alias}gross_amount = 0 AND coalesce({alias}refunded_amount, 0) > 0)"

# One row per order with its gross revenue in the reporting currency. Revenue is
# gross_amount - refunded_amount (goods + shipping, after discounts, excluding tax collected
# for the state); cancelled orders count 0, a `refunded` status with no refund amount is a
# full refund. A refund without its own *_rc value is converted at the order's own rate.
# `converted` is false when the order has no reporting-currency amount (no FX rate). `counted`
# (not cancelled) decides revenue and costs; `is_order` (counted, and not a refund adjustment
# row) decides order counts and first orders.
ORDERS_ALL_SQL = f"""
SELECT order_id, platform, channel, buyer_id, ordered_at, {utc_day('ordered_at')} AS d,
       CASE WHEN status = 'cancelled' THEN 0
            WHEN coalesce(refunded_amount, 0) = 0 THEN CASE WHEN status = 'refunded' THEN 0 ELSE g_rc END
            ELSE g_rc - coalesce(refunded_amount_rc,
                                 CAST(refunded_amount * g_rc / nullif(gross_amount, 0) AS DECIMAL(18,4)), 0)
       END AS revenue,
       status <> 'cancelled' AS counted, status <> 'cancelled' AND NOT refund_row AS is_order,
       g_rc IS NOT NULL AS converted
FROM (SELECT order_id, platform, channel, buyer_id, ordered_at, status, gross_amount, refunded_amount,
             refunded_amount_rc, {money('gross_amount', 'gross_amount_rc')} AS g_rc,
             {refund_adjustment()} AS refund_row FROM orders) o
"""
ORDERS_SQL = f"SELECT * FROM ({ORDERS_ALL_SQL}) a WHERE converted"


def unconverted_note(table: str, n: int, rc: str) -> str | None:
    """A note naming how many rows of `table` have no reporting-currency amount."""
    if not n:
        return None
    return (f"{n} {table} row(s) have no FX rate into {rc} and are left out "
            "(import ECB rates with `assetkit fx fetch`, then re-import)")


def require_orders(months: int, n_orders: int, scope: Scope, what: str) -> list[str]:
    """Raise NotEnoughData when no orders are in scope; return a note when they span one month.

    One month of orders still answers what the platforms cost in that month; only the trend
    (change on the previous period) needs a second one, so that is a note, not a refusal.
    """
    if n_orders == 0:
        raise NotEnoughData(
            f"no orders {scope.describe()}: {what} needs orders to relate costs to revenue",
            hint="import order exports (assetkit import FILE --kind orders) or widen --since/--until",
        )
    if months < 2:
        return [f"the orders {scope.describe()} cover one calendar month only: these are that month's "
                "figures; a trend (change on the previous period) needs a second month of orders"]
    return []


def share(part: float | None, whole: float | None) -> float | None:
    """part / whole, undefined (None) when the whole is zero, negative or missing."""
    if part is None or whole is None or whole <= 0:
        return None
    return part / whole


def ratio(part: float | None, whole: float | None) -> float | None:
    """part / whole for counts/costs; None when the denominator is zero."""
    if part is None or not whole:
        return None
    return part / whole


def period_label(start: dt.date, by: str) -> str:
    if by == "year":
        return f"{start.year}"
    if by == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)
