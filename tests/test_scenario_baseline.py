"""build_baseline on a hand-made database: every monthly figure checked by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetkit.analysis.scenario import build_baseline
from assetkit.config import Config, RecurringFee
from assetkit.errors import NotEnoughData
from assetkit.store import open_store
from tests.helpers.scenario import make_db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "s.duckdb")


def test_baseline_monthly_figures_by_hand(db: Path) -> None:
    with open_store(db) as store:
        b = build_baseline(store.con, Config(reporting_currency="EUR"), as_of=dt.date(2024, 12, 31))
    assert b.months_covered == 12.0 and b.months_with_orders == 12
    ali, own = (next(c for c in b.channels if c.channel == ch) for ch in ("marketplace", "own_site"))
    assert [c.label for c in b.channels] == ["marketplace:alibaba", "own_site:shopify"]
    assert ali.kind == "platform" and own.kind == "owned"
    assert ali.revenue == pytest.approx(12500 / 12)  # cancelled excluded, refunded nets to 0
    assert ali.orders == pytest.approx(14 / 12)  # 12 + b2 + the refunded order
    assert ali.repeat_share == pytest.approx(11000 / 12500)  # b1 from February on
    # The ad fee rows are the bill: the ledger's spend on the same alibaba ads is not added
    # (as `assetkit fees` counts it), so the platform spend row is not counted twice.
    assert ali.fees == pytest.approx({"advertising": 100.0, "commission": 50.0, "membership": 100.0})
    assert ali.spend == 0.0
    assert ali.inquiries == pytest.approx(4 / 12) and ali.conversion == pytest.approx(0.5)
    assert own.revenue == pytest.approx(800 / 12) and own.repeat_share == pytest.approx(600 / 800)
    # 600 over Jan-Jun fully inside; 600 over 61 days of which 31 (December) inside
    assert own.spend == pytest.approx((600 + 600 * 31 / 61) / 12)
    assert b.repeat_buyer_rate == pytest.approx(2 / 3)
    assert b.to_dict()["monthly_totals"]["revenue"] == pytest.approx((12500 + 800) / 12)


def test_default_as_of_is_the_last_order_and_short_history_scales_by_months(tmp_path: Path) -> None:
    path = make_db(tmp_path / "short.duckdb", months=6)
    with open_store(path) as store:
        b = build_baseline(store.con)
    assert b.as_of == dt.date(2024, 6, 10)
    months = (dt.date(2024, 6, 11) - dt.date(2024, 1, 1)).days / 30.4375
    assert b.months_covered == pytest.approx(months)
    ali = b.channels[0]
    assert ali.revenue == pytest.approx((6000 + 500) / months)


def test_platform_cost_equals_fees_over_the_same_window(db: Path) -> None:
    """One definition: the scenario's platform cost per platform is `assetkit fees`'s."""
    from assetkit.analysis.economics.fees import analyse_fees

    with open_store(db) as store, store.transaction() as con:
        # platform ad spend in a month with no ad fee row counts (no bill for it)
        con.execute("DELETE FROM fees WHERE fee_id = 'fa6'")
    config = Config(reporting_currency="EUR")
    with open_store(db) as store:
        b = build_baseline(store.con, config, as_of=dt.date(2024, 12, 31))
        fees = analyse_fees(store.con, config, since=b.window_start, until=b.as_of)
    by_platform = {p["platform"]: p["platform_cost"] for p in fees.platforms}
    for platform in ("alibaba", "shopify"):
        scen = sum(c.platform_cost for c in b.channels if c.platform == platform) * b.months_covered
        assert scen == pytest.approx(by_platform.get(platform, 0.0), rel=1e-9), platform
    ali = next(c for c in b.channels if c.platform == "alibaba")
    assert ali.fees["advertising"] == pytest.approx((1100 + 1200 * 30 / 366) / 12)


def test_recurring_fees_from_config_added_as_fees_counts_them(db: Path) -> None:
    fees = (RecurringFee("alibaba", "membership", 2400.0, "EUR", "year", dt.date(2020, 1, 1)),
            RecurringFee("etsy", "membership", 10.0, "EUR", "month", dt.date(2024, 7, 1), dt.date(2024, 12, 31)))
    with open_store(db) as store:
        b = build_baseline(store.con, Config(reporting_currency="EUR", recurring_fees=fees),
                           as_of=dt.date(2024, 12, 31))
    ali = next(c for c in b.channels if c.platform == "alibaba")
    etsy = next(c for c in b.channels if c.platform == "etsy")
    assert ali.fees["membership"] == pytest.approx(100.0 + 200.0)  # export rows + assetkit.yaml, as in `fees`
    assert etsy.kind == "platform" and etsy.revenue == 0
    # six monthly charges spread by day inside the window, then / 12 months like every other figure
    assert etsy.fees["membership"] == pytest.approx(60.0 / 12)


def test_fewer_than_three_months_of_orders_is_not_enough_data(tmp_path: Path) -> None:
    path = make_db(tmp_path / "tiny.duckdb", months=2)
    with open_store(path) as store:
        with pytest.raises(NotEnoughData, match="at least 3 calendar months.*found 2") as err:
            build_baseline(store.con)
    assert err.value.exit_code == 3 and "import more order history" in err.value.hint


def test_empty_database_is_not_enough_data(tmp_path: Path) -> None:
    with open_store(tmp_path / "e.duckdb") as store:
        with pytest.raises(NotEnoughData, match="no orders"):
            build_baseline(store.con)


def test_with_no_configuration_every_analysis_reports_the_default_currency(db: Path) -> None:
    """One built-in default: the scenario once said EUR where `assetkit fees` said USD."""
    from assetkit.analysis.cohorts import analyse_cohorts
    from assetkit.analysis.economics.fees import analyse_fees
    from assetkit.analysis.economics.funnel import analyse_funnel

    with open_store(db) as store:
        currencies = {"scenario": build_baseline(store.con).currency,
                      "fees": analyse_fees(store.con).reporting_currency,
                      "funnel": analyse_funnel(store.con).reporting_currency,
                      "cohorts": analyse_cohorts(store.con).currency}
    assert currencies == dict.fromkeys(currencies, Config().reporting_currency)
