"""The churn rule (k × own median gap, fallback gap) and the movement invariants."""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetkit.analysis.cohorts import analyse_cohorts
from tests.helpers.cohorts import add_buyers, add_orders
from tests.helpers.store import memory_store


@pytest.fixture(scope="module")
def gaps_con():
    """E (own_site): orders 1 Jan, 31 Jan, 1 Mar (gaps 30, 30; 100 each). F (referral): one order 15 Jan (60)."""
    con = memory_store()
    add_buyers(con, [("E", "own_site", None), ("F", "referral", None)])
    add_orders(con, [
        ("e1", "E", "own_site", "own_site", "2024-01-01", 100, 0, "completed"),
        ("e2", "E", "own_site", "own_site", "2024-01-31", 100, 0, "completed"),
        ("e3", "E", "own_site", "own_site", "2024-03-01", 100, 0, "completed"),
        ("f1", "F", "own_site", "referral", "2024-01-15", 60, 0, "completed"),
    ])
    yield con
    con.close()


def churn_month(result, split: str) -> list[str]:
    return [m.month for m in result.recurring if m.split == split and m.churned_buyers]


def test_churn_after_k_times_own_median_gap(gaps_con) -> None:
    base = analyse_cohorts(gaps_con, until="2024-08-31")
    # E's median gap is 30 days: with k=2 still active on 30 April (60 days), churned by 31 May.
    assert churn_month(base, "own_site") == ["2024-05"]
    assert churn_month(analyse_cohorts(gaps_con, until="2024-08-31", churn_k=1.5), "own_site") == ["2024-04"]
    e = {m.month: m for m in base.recurring if m.split == "own_site"}
    # Run rate = trailing 12 months of revenue / 12 while active.
    assert e["2024-01"].gross.new == pytest.approx(200 / 12)
    assert e["2024-03"].gross.expansion == pytest.approx(100 / 12)
    assert e["2024-05"].gross.churned == pytest.approx(-300 / 12)


def test_one_order_buyers_use_the_fallback_gap(gaps_con) -> None:
    default = analyse_cohorts(gaps_con, until="2024-08-31")
    # Fallback = median of all repeat gaps (30 days): F's 15 Jan order lapses after 60 days, in March.
    assert default.gap_days == {"fallback": 30.0, "fallback_source": "median gap of all repeat buyers", "churn_k": 2.0}
    assert churn_month(default, "referral") == ["2024-03"]
    configured = analyse_cohorts(gaps_con, until="2024-08-31", fallback_gap_days=20)
    assert churn_month(configured, "referral") == ["2024-02"]
    assert configured.gap_days["fallback_source"] == "configured"


def test_window_expiry_churns_even_within_the_gap_rule(gaps_con) -> None:
    # A 1-month window: E is churned in February (no order in February) although 2 × 30 days have not passed.
    result = analyse_cohorts(gaps_con, until="2024-08-31", window_months=1)
    assert churn_month(result, "own_site") == ["2024-02", "2024-04"]


# --- invariants on random order books -------------------------------------------------------------

_CON = memory_store()
START = dt.date(2023, 1, 1)
order_strategy = st.tuples(
    st.integers(0, 5),                       # buyer
    st.integers(0, 500),                     # day offset
    st.integers(0, 1000),                    # gross amount
    st.sampled_from(["completed", "completed", "pending", "cancelled", "refunded"]),
    st.integers(0, 3),                       # refund quarter of the amount
    st.integers(0, 50),                      # linked fee
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=st.lists(order_strategy, min_size=1, max_size=40), k=st.sampled_from([1.0, 2.0, 3.5]),
       window=st.sampled_from([1, 3, 12]), react=st.booleans())
def test_movements_sum_to_the_change_in_run_rate(orders, k, window, react) -> None:
    con = _CON
    for name in ("orders", "fees", "buyers"):
        con.execute(f"DELETE FROM {name}")
    channels = ["marketplace", "own_site", "referral"]
    add_buyers(con, [(f"b{i}", channels[i % 3], "alibaba" if i % 3 == 0 else None) for i in range(6)])
    add_orders(con, [(f"o{j}", f"b{b}", "alibaba", channels[b % 3], (START + dt.timedelta(days=d)).isoformat(),
                      amount, amount * q // 4, status) for j, (b, d, amount, status, q, _) in enumerate(orders)])
    con.executemany("INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, "
                    "order_id, batch_id, source_line) VALUES (?, 'alibaba', '2023-01-01', 'commission', 'EUR', "
                    "?, ?, ?, 1, 1)", [(f"f{j}", fee, fee, f"o{j}") for j, (*_, fee) in enumerate(orders)])
    if not any(o[3] not in ("cancelled", "refunded") for o in orders):
        return  # no activity order at all: nothing to analyse (NotEnoughData is tested elsewhere)
    result = analyse_cohorts(con, churn_k=k, window_months=window, reactivation_in_nrr=react,
                             until=(START + dt.timedelta(days=520)).isoformat())
    by_split: dict[str, list] = {}
    for m in result.recurring:
        by_split.setdefault(m.split, []).append(m)
    for split, rows in by_split.items():
        for basis in ("gross", "net"):
            for m in rows:
                b = getattr(m, basis)
                total = b.rr_start + b.new + b.expansion + b.contraction + b.churned + b.reactivation
                assert total == pytest.approx(b.rr_end, abs=1e-6), (split, m.month, basis)
                if basis == "gross":  # net run rate can be negative (a free sample that carried a fee)
                    assert b.expansion >= 0 and b.contraction <= 0 and b.churned <= 0
            ends = [getattr(m, basis).rr_end for m in rows[:-1]]
            starts = [getattr(m, basis).rr_start for m in rows[1:]]
            assert starts == pytest.approx(ends, abs=1e-6)
        for m in rows:
            assert m.buyers_end == m.buyers_start + m.new_buyers + m.reactivated_buyers - m.churned_buyers
    splits = {m.split for m in result.recurring} - {"all"}
    for month in {m.month for m in result.recurring}:
        per = [m for m in result.recurring if m.month == month and m.split in splits]
        whole = next(m for m in result.recurring if m.month == month and m.split == "all")
        assert sum(m.gross.rr_end for m in per) == pytest.approx(whole.gross.rr_end, abs=1e-6)
    overall = result.cohorts[0]
    assert sum(r.size for r in overall.rows) == result.data["buyers"]
    assert all(c.active_buyers <= r.size for r in overall.rows for c in r.cells)


def _month_ends(first: dt.date, until: dt.date) -> list[tuple[str, dt.date]]:
    """(label, last day or `until`) of each calendar month from first's month to until's."""
    out, year, month = [], first.year, first.month
    while (year, month) <= (until.year, until.month):
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        out.append((f"{year:04d}-{month:02d}", min(nxt - dt.timedelta(days=1), until)))
        year, month = nxt.year, nxt.month
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 400)), min_size=1, max_size=40),
       k=st.sampled_from([1.0, 2.0, 3.0]), window=st.sampled_from([1, 3, 12]))
def test_month_end_activity_matches_the_rule_read_directly(orders, k, window) -> None:
    """Per buyer and month end: active iff the last order is at most k × the median of the gaps
    seen up to that order (several orders a day count once; fallback 15 days) and inside the window.
    Each buyer has a split of their own, so a split's buyers_end is that buyer's state."""
    con = _CON
    for name in ("orders", "fees", "buyers"):
        con.execute(f"DELETE FROM {name}")
    channels = ["marketplace", "own_site", "referral"]
    add_buyers(con, [(f"b{i}", channels[i], None) for i in range(3)])
    add_orders(con, [(f"o{j}", f"b{b}", "own_site", channels[b], (START + dt.timedelta(days=d)).isoformat(),
                      10, 0, "completed") for j, (b, d) in enumerate(orders)])
    until = START + dt.timedelta(days=430)
    result = analyse_cohorts(con, churn_k=k, window_months=window, fallback_gap_days=15, until=until.isoformat())
    for b, split in enumerate(channels):
        days = sorted({START + dt.timedelta(days=d) for buyer, d in orders if buyer == b})
        expected = {}
        for label, end in (_month_ends(days[0], until) if days else []):
            seen = [d for d in days if d <= end]
            gaps = [(y - x).days for x, y in itertools.pairwise(seen)]
            gap = statistics.median(gaps) if gaps else 15
            in_window = (seen[-1].year * 12 + seen[-1].month) > (end.year * 12 + end.month) - window
            expected[label] = int((end - seen[-1]).days <= k * gap and in_window)
        assert {m.month: m.buyers_end for m in result.recurring if m.split == split} == expected, split
