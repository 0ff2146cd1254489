"""The four plan metrics, measured from the data over a trailing window ending on a date.

- fee_share: platform cost of the marketplace platforms (the one definition shared with `assetkit
  fees` and `scenario`: fee rows, recurring fees from assetkit.yaml, platform ad spend not billed
  on the statement) / marketplace revenue
- off_platform_share: net revenue of orders on channels other than `marketplace` / all net revenue
- owned_contact_share: buyers with an order in the 12 months to the date who have an owned
  contact (an e-mail address not on a marketplace relay domain, or a phone number)
- own_site_inquiries_per_month: `own_site` inquiries in the window / window length in months

Contacts are read from `buyers` as it is now (the table keeps no history), so a check of a
past date counts contacts collected since then too; docs/plan.md says so.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

METRICS = ("fee_share", "off_platform_share", "owned_contact_share", "own_site_inquiries_per_month")
DIRECTION = {"fee_share": "down", "off_platform_share": "up", "owned_contact_share": "up",
             "own_site_inquiries_per_month": "up"}
WINDOW_DAYS = 91
MONTH_DAYS = 30.4375

_SQL = """
WITH o AS (SELECT channel, buyer_id, ordered_at,
        CAST(coalesce(gross_amount_rc, 0) - coalesce(refunded_amount_rc, 0) AS DOUBLE) AS net
    FROM orders WHERE status <> 'cancelled' AND ordered_at <= $hi AND ordered_at > $hi - INTERVAL 365 DAY),
w AS (SELECT * FROM o WHERE ordered_at > $lo),
active AS (SELECT DISTINCT buyer_id FROM o WHERE buyer_id IS NOT NULL),
c AS (SELECT a.buyer_id,
        (regexp_matches(trim(b.email), '^[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}$')
         AND NOT list_contains($relay, lower(split_part(trim(b.email), '@', 2))))
        OR coalesce(trim(b.phone), '') <> '' AS owned
    FROM active a LEFT JOIN buyers b USING (buyer_id))
SELECT
    (SELECT sum(net) FILTER (WHERE channel = 'marketplace') FROM w) AS marketplace_revenue,
    (SELECT sum(net) FROM w) AS revenue,
    (SELECT count(*) FROM c) AS active_buyers,
    (SELECT count(*) FILTER (WHERE coalesce(owned, false)) FROM c) AS owned_contacts,
    (SELECT count(*) FROM inquiries WHERE channel = 'own_site' AND received_at > $lo AND received_at <= $hi)
        AS own_site_inquiries
"""


def marketplace_platform_cost(con: duckdb.DuckDBPyConnection, config: Config | None, first: dt.date, last: dt.date) -> float:
    """Platform cost (economics.platform_cost, as `assetkit fees`) of the platforms that sell
    on the marketplace channel, or that have costs but no orders at all, over first..last."""
    from assetkit.analysis.economics.platform_cost import platform_cost
    from assetkit.config import Config

    own = {r[0] for r in con.execute("SELECT DISTINCT platform FROM orders WHERE platform IS NOT NULL "
                                     "GROUP BY platform HAVING bool_and(channel <> 'marketplace')").fetchall()}
    cost = platform_cost(con, config or Config(), first, last)
    return sum(v for (platform, _c), v in cost.by_category.items() if platform not in own)


def measure(con: duckdb.DuckDBPyConnection, on: dt.date, relay_domains: tuple[str, ...] = (),
            window_days: int = WINDOW_DAYS, config: Config | None = None) -> dict[str, float | None]:
    """The four metrics for the `window_days` ending on `on` (inclusive); None where undefined."""
    hi = dt.datetime.combine(on, dt.time(23, 59, 59), dt.UTC)
    lo = hi - dt.timedelta(days=window_days)
    cur = con.execute(_SQL, {"lo": lo, "hi": hi, "relay": list(relay_domains)})
    r = dict(zip([d[0] for d in cur.description], cur.fetchone()))
    mkt, rev = r["marketplace_revenue"] or 0.0, r["revenue"] or 0.0
    cost = marketplace_platform_cost(con, config, on - dt.timedelta(days=window_days - 1), on)
    return {
        "fee_share": cost / mkt if mkt > 0 else None,
        "off_platform_share": (rev - mkt) / rev if rev > 0 else None,
        "owned_contact_share": r["owned_contacts"] / r["active_buyers"] if r["active_buyers"] else None,
        "own_site_inquiries_per_month": r["own_site_inquiries"] / (window_days / MONTH_DAYS),
    }


def parse_date(value: dt.date | str | None, option: str) -> dt.date | None:
    """A date from the command line; a wrong one is a usage error (exit 2), not a traceback."""
    from assetkit.errors import UsageError

    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date", hint="write YYYY-MM-DD") from None


def data_end(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day with an order, inquiry or visit: the natural 'as of' of an imported history."""
    row = con.execute("""SELECT greatest((SELECT max(CAST(ordered_at AS DATE)) FROM orders),
                                         (SELECT max(CAST(received_at AS DATE)) FROM inquiries),
                                         (SELECT max(visit_date) FROM visits))""").fetchone()
    return row[0]
