"""analyse_funnel's conversion against a brute-force reading of the definition (hypothesis).

The funnel finds each inquiry's next order from one ASOF join of orders to inquiries plus a
running minimum over the inquiries (funnel._conversion). This checks it against the plain
definition on small random stores with many equal timestamps (orders and inquiries on a coarse
grid), where "at or after" and ties between a buyer's inquiries matter:
- an inquiry converts when its buyer places a non-cancelled order at or after it and before
  it + window; one without a conversion is pending while its window is still open;
- each order's revenue goes to the buyer's latest inquiry at or before it, if within the window
  (the total over all inquiries does not depend on which of several equal-time inquiries gets it).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetkit.analysis.economics import analyse_funnel
from assetkit.config import Config
from tests.helpers.store import memory_store

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
WINDOW = 10

# (buyer or None, half-day slot, cancelled, gross)
order = st.tuples(st.integers(0, 3), st.integers(0, 80), st.booleans(), st.integers(1, 100))
inquiry = st.tuples(st.one_of(st.none(), st.integers(0, 2)), st.integers(0, 30))  # dense: many ties


def when(slot: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=12 * slot)


def expected(orders, inquiries, hi: dt.date) -> dict[str, float]:
    kept = [(f"b{b}", when(s), g) for b, s, cancelled, g in orders if not cancelled]
    window = dt.timedelta(days=WINDOW)
    converted = pending = 0
    for b, s in inquiries:
        t = when(s)
        nxt = min((ts for buyer, ts, _ in kept if b is not None and buyer == f"b{b}" and ts >= t), default=None)
        if nxt is not None and nxt < t + window:
            converted += 1
        elif b is not None and (t + window).date() > hi:
            pending += 1
    revenue = 0.0
    for buyer, ts, g in kept:
        latest = max((when(s) for b, s in inquiries if b is not None and f"b{b}" == buyer and when(s) <= ts),
                     default=None)
        if latest is not None and ts < latest + window:
            revenue += g
    return {"inquiries": len(inquiries), "converted": converted, "pending": pending,
            "never_converted": len(inquiries) - converted - pending, "revenue": revenue}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=st.lists(order, min_size=1, max_size=30), inquiries=st.lists(inquiry, min_size=1, max_size=20))
def test_conversion_matches_the_definition(orders, inquiries) -> None:
    # two orders in different months keep the data sufficient for the funnel
    orders = [*orders, (9, 0, False, 1), (9, 80, False, 1)]
    con = memory_store()
    con.executemany(
        """INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency,
           gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc, batch_id, source_line)
           VALUES (?, 'etsy', 'marketplace', ?, ?, ?, ?, 'EUR', ?, 0, ?, 0, 1, 1)""",
        [(f"o{n}", f"o{n}", f"b{b}", when(s), "cancelled" if c else "completed", g, g)
         for n, (b, s, c, g) in enumerate(orders)])
    con.executemany(
        """INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at,
           batch_id, source_line) VALUES (?, 'etsy', 'marketplace', ?, ?, ?, 2, 1)""",
        [(f"i{n}", f"i{n}", None if b is None else f"b{b}", when(s)) for n, (b, s) in enumerate(inquiries)])
    result = analyse_funnel(con, Config(reporting_currency="EUR"), window_days=WINDOW)
    total = result.conversion[0]
    assert total["dimension"] == "all"
    want = expected(orders, inquiries, result.until)
    assert {k: total[k] for k in want} == pytest.approx(want)
