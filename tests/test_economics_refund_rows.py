"""A refund stored as an order row of its own (an Amazon settlement's Refund line: nothing sold,
an amount refunded) lowers revenue but is not an order: `fees`, `funnel` and the scenario
baseline count only real orders, so the cost per order is not diluted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetkit.analysis.economics.fees import analyse_fees
from assetkit.analysis.scenario import build_baseline
from assetkit.config import Config
from assetkit.store import open_store
from tests.helpers.scenario import BATCH, insert_order


def _store(path: Path) -> Path:
    """Amazon: six orders of 100 over six months, one of them refunded by a separate refund row
    (gross 0, refunded 40) a week later; one 50 commission fee per real order."""
    with open_store(path) as store, store.transaction() as con:
        con.execute(BATCH)
        for m in range(1, 7):
            insert_order(con, f"a{m}", "amazon", "marketplace", f"b{m}", f"2024-{m:02d}-05", 100.0)
            con.execute("INSERT INTO fees (fee_id, platform, order_id, incurred_at, fee_type, currency, amount, "
                        "amount_rc, batch_id, source_line) VALUES (?, 'amazon', ?, ?, 'commission', 'EUR', 50, 50, 1, 1)",
                        [f"f{m}", f"a{m}", f"2024-{m:02d}-05 00:00:00+00"])
        # the refund row: a buyer of its own (Amazon refund lines carry none, here one to test first orders)
        insert_order(con, "a3:refund", "amazon", "marketplace", "b_ref", "2024-03-12", 0.0, status="refunded",
               refunded=40.0)
    return path


def test_fees_count_only_real_orders_and_keep_the_refund_in_revenue(tmp_path: Path) -> None:
    config = Config(reporting_currency="EUR")
    with open_store(_store(tmp_path / "r.duckdb")) as store:
        res = analyse_fees(store.con, config, by="year")
    (period,) = [p for p in res.periods if p["platform"] == "amazon"]
    assert period["orders"] == 6  # not 7
    assert period["gross_revenue"] == pytest.approx(600 - 40)
    assert period["platform_cost"] == pytest.approx(300)
    acquired = sum(r.get("new_buyers", 0) for r in res.acquisition_by_platform)
    assert acquired == 6  # a refund row is nobody's first order


def test_scenario_baseline_counts_only_real_orders(tmp_path: Path) -> None:
    with open_store(_store(tmp_path / "r.duckdb")) as store:
        b = build_baseline(store.con, Config(reporting_currency="EUR"), as_of=dt.date(2024, 6, 30))
    (amazon,) = b.channels
    assert amazon.orders * b.months_covered == pytest.approx(6)
    assert amazon.revenue * b.months_covered == pytest.approx(560)
