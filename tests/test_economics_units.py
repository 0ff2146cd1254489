"""Unit tests of the economics helpers: fee categories, schedules, recurring-fee expansion, HHI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assetkit.analysis.economics import recurring, schedules
from assetkit.analysis.economics.dependency import hhi
from assetkit.config import parse_config
from assetkit.errors import ConfigError

D = dt.date


@pytest.mark.parametrize("raw, category", [
    ("Transaction fee", "commission"), ("referral", "commission"), ("FBA fee", "fulfilment"),
    ("Etsy Ads", "advertising"), ("p4p", "advertising"), ("Subscription", "membership"),
    ("processing-fee", "payment"), ("Service Fee", "service"), ("listing", "listing"), ("mystery", "other"),
])
def test_fee_types_map_onto_report_categories(raw: str, category: str) -> None:
    assert schedules.category_of(raw) == category


def test_only_membership_is_fixed() -> None:
    assert [c for c in schedules.CATEGORIES if schedules.is_fixed(c)] == ["membership"]


def test_every_schedule_has_a_source_and_dates() -> None:
    for entry in schedules.schedules():
        assert entry["source"].startswith("http")
        assert "effective_from" in entry and "effective_to" in entry


def test_published_rates_follow_effective_dates() -> None:
    assert schedules.published_rate_range("upwork", "service", D(2022, 1, 1))[:2] == (0.05, 0.20)
    assert schedules.published_rate_range("upwork", "service", D(2024, 1, 1))[:2] == (0.10, 0.10)
    assert schedules.published_rate_range("fiverr", "commission", D(2024, 1, 1))[:2] == (0.20, 0.20)
    assert schedules.published_rate_range("alibaba", "commission", D(2018, 6, 1))[:2] == (0.0, 0.05)
    assert schedules.published_rate_range("alibaba", "commission", D(2024, 6, 1)) is None
    assert schedules.published_rate_range("nowhere", "commission", D(2024, 6, 1)) is None
    [plan] = schedules.published_plans("amazon", D(2025, 1, 1))
    assert (plan["amount"], plan["currency"], plan["period"]) == (39.99, "USD", "month")


def test_add_months_clips_to_month_end() -> None:
    assert recurring.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert recurring.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert recurring.add_months(D(2024, 11, 15), 3) == D(2025, 2, 15)


def test_expand_charges_each_period_and_prorates_the_last() -> None:
    fees = [{"platform": "etsy", "fee_type": "subscription", "amount": 30, "currency": "EUR", "period": "month",
             "start": "2024-01-01", "end": "2024-03-15"}]
    rows = recurring.expand(fees, D(2030, 1, 1), "EUR")
    assert [(r[2], r[3]) for r in rows] == [(D(2024, 1, 1), D(2024, 2, 1)), (D(2024, 2, 1), D(2024, 3, 1)),
                                            (D(2024, 3, 1), D(2024, 3, 16))]
    assert [r[4] for r in rows] == [30, 30, Decimal(30) * 15 / 31]
    assert {r[1] for r in rows} == {"membership"}


def test_expand_without_end_stops_at_the_window_end() -> None:
    fees = [{"platform": "alibaba", "amount": 2999, "currency": "USD", "period": "year", "start": "2024-01-01"}]
    rows = recurring.expand(fees, D(2025, 3, 1), "EUR")
    assert [(r[2], r[3], r[5]) for r in rows] == [(D(2024, 1, 1), D(2025, 1, 1), "USD"),
                                                  (D(2025, 1, 1), D(2026, 1, 1), "USD")]


def test_expand_takes_config_recurring_fee_objects() -> None:
    cfg = parse_config({"recurring_fees": [{"platform": "Amazon", "fee_type": "membership", "amount": 39.99,
                                            "currency": "USD", "period": "month", "start": "2025-01-01"}]})
    rows = recurring.expand(cfg.recurring_fees, D(2025, 2, 10), "USD")
    assert [(r[0], r[2], r[4]) for r in rows] == [("amazon", D(2025, 1, 1), Decimal("39.99")),
                                                  ("amazon", D(2025, 2, 1), Decimal("39.99"))]


@pytest.mark.parametrize("bad, message", [
    ({"platform": "x", "amount": 1, "period": "week", "start": "2024-01-01"}, "period"),
    ({"platform": "x", "amount": 1, "period": "year"}, "start"),
    ({"platform": "x", "amount": "lots", "period": "year", "start": "2024-01-01"}, "amount"),
    ({"platform": "x", "amount": 1, "period": "year", "start": "2024-01-01", "end": "2023-01-01"}, "before"),
])
def test_expand_rejects_bad_entries(bad: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        recurring.expand([bad], D(2025, 1, 1), "EUR")


def test_hhi() -> None:
    assert hhi([1.0]) == 10_000
    assert hhi([0.5, 0.5]) == pytest.approx(5_000)
    assert hhi([]) is None
