"""analyse_cohorts on the hand-computed fixture (tests/helpers/cohorts.py has the rows).

With window_months=1 a buyer's run rate is their revenue of the month while active, so the
expected movements can be read off the order list:
  RR: Jan 150 (A100 D50), Feb 350 (A150 B200), Mar 170 (A120 D50), Apr 50 (C), May 100 (B), Jun 80 (A)
"""

from __future__ import annotations

import pytest

from assetkit.analysis.cohorts import analyse_cohorts
from assetkit.config import Config, parse_config
from assetkit.errors import ConfigError, NotEnoughData, UsageError
from tests.helpers.cohorts import build_fixture

UNTIL = "2024-06-30"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    store = build_fixture(tmp_path_factory.mktemp("cohorts") / "fixture.duckdb")
    yield store.con
    store.close()


def run(con, **kw):
    kw.setdefault("until", UNTIL)
    kw.setdefault("window_months", 1)
    return analyse_cohorts(con, Config(reporting_currency="EUR"), **kw)


def table(result, split="all"):
    return next(t for t in result.cohorts if t.split == split)


def months(result, split="all"):
    return {m.month: m for m in result.recurring if m.split == split}


def test_buyer_retention_matrix_by_month(con) -> None:
    rows = {r.cohort: r for r in table(run(con)).rows}
    assert list(rows) == ["2024-01", "2024-02", "2024-04"]
    assert [c.active_buyers for c in rows["2024-01"].cells] == [2, 1, 2, 0, 0, 1]
    assert [c.buyer_retention for c in rows["2024-01"].cells] == [1.0, 0.5, 1.0, 0.0, 0.0, 0.5]
    assert [c.active_buyers for c in rows["2024-02"].cells] == [1, 0, 0, 1, 0]
    # C's March order was cancelled, so C is an April buyer; the fully refunded May order is no activity.
    assert [c.active_buyers for c in rows["2024-04"].cells] == [1, 0, 0]
    avg = table(run(con)).weighted_average
    assert [(c.active_buyers, c.cohort_size, c.cohorts) for c in avg[:4]] == [(4, 4, 3), (1, 4, 3), (2, 4, 3), (1, 3, 2)]
    assert avg[3].buyer_retention == pytest.approx(1 / 3)


def test_revenue_matrix_gross_and_net_of_fees(con) -> None:
    rows = {r.cohort: r for r in table(run(con)).rows}
    jan = rows["2024-01"].cells
    assert [c.revenue for c in jan] == [150, 150, 170, 0, 0, 80]
    assert jan[2].revenue_retention == pytest.approx(170 / 150)
    # The 10 commission on A's first order is the only linked fee of the January cohort.
    assert jan[0].revenue_net == 140 and jan[1].revenue_net_retention == pytest.approx(150 / 140)
    assert jan[5].cumulative_revenue_per_buyer == pytest.approx((150 + 150 + 170 + 80) / 2)
    apr = rows["2024-04"].cells
    # Partial refund: 70 - 20 = 50; the fully refunded May order adds no revenue but its 5 fee stays a cost.
    assert (apr[0].revenue, apr[1].revenue, apr[1].revenue_net) == (50, 0, -5)
    assert apr[1].revenue_net_retention == pytest.approx(-0.1)


def test_quarter_cohorts(con) -> None:
    rows = {r.cohort: r for r in table(run(con, period="quarter")).rows}
    assert list(rows) == ["2024-Q1", "2024-Q2"]
    q1 = rows["2024-Q1"].cells
    assert (rows["2024-Q1"].size, q1[0].revenue, q1[1].active_buyers, q1[1].revenue) == (3, 670, 2, 180)
    assert q1[1].buyer_retention == pytest.approx(2 / 3)
    assert q1[1].revenue_retention == pytest.approx(180 / 670)


def test_acquisition_splits_and_fallback_to_first_order_channel(con) -> None:
    result = run(con)
    assert [(t.split, t.buyers) for t in result.cohorts] == [
        ("all", 4), ("marketplace/alibaba", 2), ("own_site", 1), ("referral", 1)]
    assert [r.cohort for r in table(result, "own_site").rows] == ["2024-02"]


def test_small_cohort_flag(con) -> None:
    assert all(r.small for r in table(run(con)).rows)
    rows = {r.cohort: r.small for r in table(run(con, min_cohort_size=2)).rows}
    assert rows == {"2024-01": False, "2024-02": True, "2024-04": True}
    assert any("2024-01" in n and "< 10" in n for n in run(con).notes)


def test_cancelled_refunded_and_buyerless_orders_are_counted_not_used(con) -> None:
    data = run(con).data
    assert data == {"orders_cancelled": 1, "orders_without_buyer": 1, "orders_without_reporting_amount": 0,
                    "orders_used": 10, "orders_fully_refunded": 1, "buyers": 4}


def test_each_movement_type(con) -> None:
    m = months(run(con))
    g = {k: (v.gross.new, v.gross.expansion, v.gross.contraction, v.gross.churned, v.gross.reactivation)
         for k, v in m.items()}
    assert g == {
        "2024-01": (150, 0, 0, 0, 0),     # A and D new
        "2024-02": (200, 50, 0, -50, 0),  # B new, A expands 100 -> 150, D churns
        "2024-03": (0, 0, -30, -200, 50),  # A contracts 150 -> 120, B churns, D reactivates
        "2024-04": (50, 0, 0, -170, 0),   # C new, A and D churn
        "2024-05": (0, 0, 0, -50, 100),   # C churns (refunded order), B reactivates
        "2024-06": (0, 0, 0, -100, 80),   # B churns, A reactivates
    }
    assert [m[k].gross.rr_end for k in sorted(m)] == [150, 350, 170, 50, 100, 80]
    assert [(m[k].new_buyers, m[k].churned_buyers, m[k].reactivated_buyers) for k in sorted(m)] == [
        (2, 0, 0), (1, 1, 0), (0, 1, 1), (1, 2, 0), (0, 1, 1), (0, 1, 1)]
    assert m["2024-01"].net.new == 140  # net of A's 10 commission


def test_monthly_nrr_grr_and_reactivation_choice(con) -> None:
    m = months(run(con))
    assert m["2024-02"].gross.grr == pytest.approx(100 / 150) and m["2024-02"].gross.nrr == pytest.approx(1.0)
    assert m["2024-03"].gross.grr == pytest.approx(120 / 350)
    assert m["2024-03"].gross.nrr == pytest.approx(170 / 350)  # reactivation counts (ChartMogul)
    assert m["2024-05"].gross.nrr == pytest.approx(2.0)
    bare = months(run(con, preset="baremetrics"))
    assert bare["2024-03"].gross.nrr == pytest.approx(120 / 350)
    assert bare["2024-05"].gross.nrr == pytest.approx(0.0)
    assert m["2024-01"].gross.nrr is None  # nothing at the start: no rate, not 0
    assert m["2024-02"].gross.quick_ratio == pytest.approx((200 + 50) / 50)
    assert m["2024-01"].gross.quick_ratio is None


def test_horizon_nrr_grr(con) -> None:
    m = months(run(con, nrr_horizon_months=2))["2024-03"]
    # Active in January: A (100) and D (50). In March A runs at 120, D (churned in Feb) at 50.
    assert (m.horizon_buyers, m.gross.horizon_base) == (2, 150)
    assert m.gross.horizon_nrr == pytest.approx(170 / 150)
    assert m.gross.horizon_grr == pytest.approx(1.0)
    strict = months(run(con, nrr_horizon_months=2, reactivation_in_nrr=False))["2024-03"]
    assert strict.gross.horizon_nrr == pytest.approx(120 / 150)
    assert strict.gross.horizon_grr == pytest.approx(100 / 150)


def test_churn_rate_denominators(con) -> None:
    apr = months(run(con))["2024-04"]
    assert (apr.churned_buyers, apr.churn_denominator, apr.churn_rate) == (2, 2, 1.0)
    assert 0.3 < apr.churn_rate_low < 0.4 and apr.churn_rate_high == pytest.approx(1.0)
    stripe = months(run(con, preset="stripe"))["2024-04"]
    assert (stripe.churn_denominator, stripe.churn_rate) == (3, pytest.approx(2 / 3))
    assert run(con, preset="stripe").definitions["churn_denominator"] == "start_plus_new"


def test_reactivation_window_turns_late_returns_into_new(con) -> None:
    m = months(run(con, reactivation_window_months=1))
    assert (m["2024-03"].reactivated_buyers, m["2024-03"].gross.reactivation) == (1, 50)  # D: back after 1 month
    assert (m["2024-05"].new_buyers, m["2024-05"].gross.new, m["2024-05"].gross.reactivation) == (1, 100, 0)
    assert (m["2024-06"].new_buyers, m["2024-06"].gross.new) == (1, 80)


def test_unlinked_fees_rule(con) -> None:
    excluded = run(con)
    assert excluded.fee_allocation["unlinked"] == 30 and excluded.fee_allocation["allocated_to_orders"] == 15
    assert excluded.fee_allocation["linked_to_cancelled_orders"] == 2
    spread = run(con, unlinked_fees="pro_rata_month")
    # The 30 January membership is spread over alibaba's January revenue (A 100, D 50): 20 and 10.
    assert table(spread).rows[0].cells[0].revenue_net == pytest.approx(150 - 10 - 30)
    assert spread.fee_allocation["allocated_to_orders"] == pytest.approx(45)


def test_channel_filter_matches_channel_platform_or_split(con) -> None:
    assert table(run(con, channel="alibaba")).buyers == 2
    assert table(run(con, channel="marketplace")).buyers == 2
    assert table(run(con, channel="own_site")).buyers == 1
    with pytest.raises(NotEnoughData, match="'nope'"):
        run(con, channel="nope")


def test_since_limits_what_is_shown_not_the_history(con) -> None:
    result = run(con, since="2024-02-01")
    assert [r.cohort for r in table(result).rows] == ["2024-02", "2024-04"]
    m = months(result)
    assert min(m) == "2024-02" and m["2024-02"].gross.rr_start == 150


def test_until_cuts_data_and_flags_partial_period(con) -> None:
    result = run(con, until="2024-03-15")
    assert result.last_period_partial and [r.cohort for r in table(result).rows] == ["2024-01", "2024-02"]
    assert max(months(result)) == "2024-03"
    assert not run(con).last_period_partial


def test_expected_recurring_revenue_input(con) -> None:
    result = run(con, expected_rr={"A": 30.0, "B": 10.0, "nobody": 99.0})
    rows = {e.split: e for e in result.expected_recurring}
    assert (rows["all"].buyers, rows["all"].buyers_with_expectation, rows["all"].expected_rr) == (4, 2, 40)
    ali = rows["marketplace/alibaba"]
    assert ali.fee_share == pytest.approx(10 / 550)
    assert ali.expected_rr_net == pytest.approx(30 * (1 - 10 / 550))
    assert ali.run_rate == 80
    assert run(con).expected_recurring is None


def test_definitions_recorded_and_validated(con) -> None:
    result = run(con)
    assert result.definitions["churn_k"] == 2.0 and result.definitions["preset"] == "assetkit"
    cfg = analyse_cohorts(con, parse_config({"cohorts": {"churn_k": 3, "preset": "baremetrics"}}), until=UNTIL)
    assert (cfg.definitions["churn_k"], cfg.definitions["reactivation_in_nrr"]) == (3.0, False)
    assert analyse_cohorts(con, parse_config({"cohorts": {"churn_k": 3}}), until=UNTIL, churn_k=1.5).definitions["churn_k"] == 1.5
    with pytest.raises(ConfigError, match="unknown cohorts option 'colour'"):
        analyse_cohorts(con, parse_config({"cohorts": {"colour": 1}}))
    with pytest.raises(UsageError, match="period"):
        run(con, period="week")
    with pytest.raises(UsageError, match="preset"):
        run(con, preset="profitwell")


def test_no_orders_is_not_enough_data(tmp_path) -> None:
    from assetkit.store import open_store

    with open_store(tmp_path / "empty.duckdb") as store, pytest.raises(NotEnoughData):
        analyse_cohorts(store.con)


def test_temp_tables_are_dropped(con) -> None:
    run(con)
    left = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_ak_cohorts_%'").fetchone()[0]
    assert left == 0
