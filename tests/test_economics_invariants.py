"""Invariants of analyse_fees on random small businesses (hypothesis): totals agree across
period granularities, rent plus unallocated cost equals platform cost, fee share is undefined
exactly when there is no revenue."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetkit.analysis.economics import analyse_fees
from assetkit.config import parse_config
from assetkit.errors import NotEnoughData
from tests.helpers.store import memory_store

PLATFORMS = ["etsy", "amazon", "shopify", "indiamart"]
DAY0 = dt.date(2023, 1, 1)

order = st.tuples(st.sampled_from(PLATFORMS[:3]), st.integers(0, 4), st.integers(0, 900),
                  st.sampled_from(["completed", "completed", "cancelled", "refunded"]),
                  st.integers(1, 500), st.integers(0, 100))
fee = st.tuples(st.sampled_from(PLATFORMS), st.integers(0, 900), st.sampled_from(
    ["commission", "payment", "listing", "membership", "advertising", "fba", "mystery"]),
    st.integers(-20, 200), st.booleans())


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=st.lists(order, min_size=1, max_size=25), fees=st.lists(fee, max_size=25),
       membership=st.integers(1, 1200))
def test_fee_totals_are_consistent(orders, fees, membership) -> None:
    con = memory_store()
    con.executemany(
        """INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency,
           gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc, batch_id, source_line)
           VALUES (?, ?, 'marketplace', ?, ?, ?, ?, 'EUR', ?, ?, ?, ?, 1, 1)""",
        [(f"o{n}", p, f"o{n}", f"b{b}", DAY0 + dt.timedelta(days=d), s, g, min(r, g), g, min(r, g))
         for n, (p, b, d, s, g, r) in enumerate(orders)])
    con.executemany(  # a dummy fee keeps executemany non-empty; it is part of every expected total
        """INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id,
           batch_id, source_line) VALUES (?, ?, ?, ?, 'EUR', ?, ?, ?, 2, 1)""",
        [(f"f{n}", p, DAY0 + dt.timedelta(days=d), t, a, a, f"o{n % len(orders)}" if linked else None)
         for n, (p, d, t, a, linked) in enumerate(fees + [("etsy", 10, "listing", 1, False)])])
    config = parse_config({"reporting_currency": "EUR", "recurring_fees": [
        {"platform": "indiamart", "amount": membership, "currency": "EUR", "period": "year", "start": "2023-03-01"}]})
    try:
        by_year = analyse_fees(con, config)
    except NotEnoughData:
        assert len({(DAY0 + dt.timedelta(days=o[2])).strftime("%Y-%m") for o in orders}) == 1
        return
    by_month = analyse_fees(con, config, by="month")
    total = sum(p["platform_cost"] for p in by_year.platforms)
    assert sum(p["platform_cost"] for p in by_year.periods) == pytest.approx(total, abs=1e-6)
    assert sum(p["platform_cost"] for p in by_month.periods) == pytest.approx(total, abs=1e-6)
    assert sum(p["gross_revenue"] for p in by_month.periods) == pytest.approx(
        sum(p["gross_revenue"] for p in by_year.periods), abs=1e-6)
    for p in by_year.periods:
        assert (p["fee_share"] is None) == (p["gross_revenue"] <= 0)
        assert p["platform_cost"] == pytest.approx(sum(p["fees"].values()), abs=1e-6)
    rent = sum(r["rent"] for r in by_year.rent_by_platform)
    toll = sum(t["toll"] for t in by_year.repeat_toll)
    # when every buyer has a non-cancelled order, every buyer is acquired in the window and the
    # rent on their orders plus the unallocated cost is the whole platform cost
    if {o[1] for o in orders} == {o[1] for o in orders if o[3] != "cancelled"}:
        assert rent + by_year.rent_unallocated == pytest.approx(total, abs=1e-6)
    assert toll <= rent + 1e-6 or any(f[3] < 0 for f in fees)
    assert sum(x["new_buyers"] for x in by_year.dependency["platforms"]) == len(
        {o[1] for o in orders if o[3] != "cancelled"})
