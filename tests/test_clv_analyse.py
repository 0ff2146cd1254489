"""analyse_clv on stores built row by row: value arithmetic, fees, fallbacks, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from assetkit.analysis.clv import analyse_clv, summary_from_orders
from assetkit.analysis.clv.value import MONTH_DAYS, fee_shares, step_grid
from assetkit.config import Config
from assetkit.errors import NotEnoughData, UsageError
from tests.helpers.clv import (
    CDNOW,
    insert_orders,
    load_cdnow,
    new_store,
    shop_store,
)


def cfg(margin=0.35, rate=0.10, **clv):
    return Config(gross_margin=margin, discount_rate=rate, raw={"clv": clv})


@pytest.fixture(scope="module")
def cdnow_store(tmp_path_factory):
    store = load_cdnow(tmp_path_factory.mktemp("cd"))
    yield store
    store.close()


def test_step_grid_is_monthly_with_annual_discounting():
    ends, disc = step_grid(365.25, 0.10)
    assert ends.size == 12 and ends[0] == MONTH_DAYS and ends[-1] == pytest.approx(365.25)
    assert disc[-1] == pytest.approx(1 / 1.10)
    ends, disc = step_grid(45.0, 0.0)
    assert list(ends) == [MONTH_DAYS, 45.0] and list(disc) == [1.0, 1.0]


def test_cdnow_holdout_counts_the_actual_occasions(cdnow_store):
    raw = np.loadtxt(CDNOW, dtype=str)
    later = {(c, d) for c, d in zip(raw[:, 1], raw[:, 2]) if d > "19970930"}
    res = analyse_clv(cdnow_store.con, cfg(), until="1997-09-30")
    assert res.holdout["actual"] == len(later) == 1882
    assert res.holdout["holdout_days"] == 273
    assert res.holdout["predicted"] == pytest.approx(1653.4, abs=0.5)
    assert sum(g["actual"] for g in res.holdout["by_frequency"]) == 1882
    assert res.params["r"] == pytest.approx(0.2426, abs=1e-4)
    assert res.method == "model" and res.interval_total[0] < res.total_clv < res.interval_total[1]


def test_value_is_margin_times_discounted_expected_revenue(cdnow_store):
    """No discounting, margin 1, no fees: CLV = E[occasions over horizon] × expected spend."""
    res = analyse_clv(cdnow_store.con, cfg(margin=1.0, rate=0.0), until="1997-09-30", horizon=39)
    b = res.buyers
    assert np.allclose(b.clv, b.expected_occasions * b.expected_spend, rtol=1e-10)
    half = analyse_clv(cdnow_store.con, cfg(margin=0.5, rate=0.0), until="1997-09-30", horizon=39)
    assert half.total_clv == pytest.approx(res.total_clv / 2, rel=1e-9)
    discounted = analyse_clv(cdnow_store.con, cfg(margin=1.0, rate=0.2), until="1997-09-30", horizon=39)
    assert discounted.total_clv < res.total_clv


def test_time_unit_changes_units_not_answers(cdnow_store):
    weeks = analyse_clv(cdnow_store.con, cfg(), until="1997-09-30", time_unit="week", horizon=52)
    days = analyse_clv(cdnow_store.con, cfg(), until="1997-09-30", time_unit="day", horizon=364)
    assert days.params["alpha"] == pytest.approx(7 * weeks.params["alpha"], rel=1e-4)
    assert days.total_clv == pytest.approx(weeks.total_clv, rel=1e-4)
    assert days.holdout["predicted"] == pytest.approx(weeks.holdout["predicted"], rel=1e-4)


def test_platform_fees_come_off_the_value_of_platform_buyers(tmp_path):
    store = shop_store(tmp_path)
    shares = fee_shares(store.con)
    assert shares["alibaba"]["variable_fee_share"] == pytest.approx(0.08, rel=1e-9)
    assert shares["alibaba"]["all_fee_share"] > 0.08
    assert shares["own_site"]["variable_fee_share"] == 0.0
    res = analyse_clv(store.con, cfg(margin=0.30, rate=0.1, min_repeat_buyers=30))
    b = res.buyers
    ali = b.column("platform") == "alibaba"
    assert np.allclose(b.clv[ali], 0.22 * b.discounted_revenue[ali])
    assert np.allclose(b.clv[~ali], 0.30 * b.discounted_revenue[~ali])
    assert np.allclose(b.fee_saved[ali], 0.08 * b.discounted_revenue[ali]) and not b.fee_saved[~ali].any()
    groups = {g["group"]: g for g in res.by_platform}
    assert groups["alibaba"]["total"] == pytest.approx(b.clv[ali].sum())
    assert groups["alibaba"]["median"] == pytest.approx(np.median(b.clv[ali]))
    store.close()


def test_few_repeat_buyers_fall_back_to_the_heuristic_and_say_why(tmp_path):
    store = shop_store(tmp_path, n_repeat=12)
    res = analyse_clv(store.con, cfg())
    assert res.method == "heuristic" and "12 repeat buyers" in res.method_reason
    assert res.params is None and res.to_dict()["method_reason"]
    assert res.interval_method.startswith("bootstrap")
    assert np.all(res.buyers.clv >= 0) and np.all((res.buyers.p_alive > 0) & (res.buyers.p_alive <= 1))
    store.close()


def test_zero_value_occasions_count_but_leave_the_spend_model(tmp_path):
    store = shop_store(tmp_path, n_repeat=60, zero_value=15)
    s = summary_from_orders(store.con)
    assert (s.frequency[:15] > 0).all()  # free samples are still occasions
    res = analyse_clv(store.con, cfg())
    assert res.spend.n_excluded == 15
    assert any("15 repeat buyers" in w for w in res.warnings)
    store.close()


def test_cancelled_orders_and_same_day_orders(tmp_path):
    store = new_store(tmp_path)
    insert_orders(store.con, [("a", "b1", "2024-01-01", 10.0), ("b", "b1", "2024-01-01", 5.0),
                              ("c", "b1", "2024-02-01", 20.0), ("d", "b1", "2024-03-01", 99.0, "own_site", "own_site", "cancelled"),
                              ("e", "b1", "2024-03-05", 30.0, "own_site", "own_site", "completed", 10.0)])
    s = summary_from_orders(store.con, time_unit="day")
    assert s.frequency[0] == 2 and s.recency[0] == 64 and s.T[0] == 64
    assert s.monetary[0] == pytest.approx((20 + 20) / 2)  # refund netted, first day excluded
    assert s.aov[0] == pytest.approx((15 + 20 + 20) / 3)
    store.close()


@pytest.mark.parametrize("rows", [
    [],
    [("a", "b1", "2024-01-01", 10.0)],
    [("a", "b1", "2024-01-01", 10.0), ("b", "b2", "2024-01-01", 5.0), ("c", "b2", "2024-01-01", 5.0)],
])
def test_too_little_data_is_not_enough_data(tmp_path, rows):
    store = new_store(tmp_path)
    if rows:
        insert_orders(store.con, rows)
    with pytest.raises(NotEnoughData) as err:
        analyse_clv(store.con, cfg())
    assert err.value.hint
    store.close()


def test_bad_arguments_are_usage_errors(cdnow_store):
    with pytest.raises(UsageError):
        analyse_clv(cdnow_store.con, cfg(), model="nope")
    with pytest.raises(UsageError):
        analyse_clv(cdnow_store.con, cfg(), time_unit="fortnight")
    with pytest.raises(UsageError):
        analyse_clv(cdnow_store.con, cfg(), horizon=0)


def test_clv_config_section_is_validated(cdnow_store):
    from assetkit.errors import ConfigError

    with pytest.raises(ConfigError):
        analyse_clv(cdnow_store.con, cfg(min_repeat_buyerz=3))
    with pytest.raises(ConfigError):
        analyse_clv(cdnow_store.con, cfg(min_repeat_buyers="many"))
