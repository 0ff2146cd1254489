"""analyse_fees against hand-computed figures on the fixture of tests/helpers/economics.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetkit.analysis.economics import analyse_fees
from assetkit.config import parse_config
from assetkit.errors import NotEnoughData
from assetkit.store import open_store
from tests.helpers import economics as fx
from tests.helpers.economics import economics_db  # noqa: F401 - the session fixture

approx = pytest.approx
M24 = 120 * 184 / 365  # the etsy membership's share of 2024 (1 Jul - 31 Dec)
M25 = 120 * 181 / 365  # and of 2025 (1 Jan - 30 Jun)


@pytest.fixture
def con(tmp_path: Path, economics_db: Path):  # noqa: F811
    with open_store(fx.copy_to(economics_db, tmp_path / "f.duckdb")) as store:
        yield store.con


def rows(result, key="platform"):
    return {(r[key], r["period"]): r for r in result.periods}


def test_yearly_fee_share_per_platform(con) -> None:
    r = analyse_fees(con, fx.CONFIG)
    assert (r.since, r.until, r.reporting_currency) == (dt.date(2024, 3, 10), dt.date(2025, 7, 1), "EUR")
    p = rows(r)
    assert set(p) == {("amazon", "2024"), ("amazon", "2025"), ("etsy", "2024"), ("etsy", "2025"),
                      ("indiamart", "2025"), ("shopify", "2025")}
    etsy24 = p["etsy", "2024"]
    # o1 100 + o2 (200 - 20 refunded, converted from USD) 180
    assert etsy24["gross_revenue"] == approx(280) and etsy24["orders"] == 2
    assert etsy24["fees"] == approx({"commission": 19.5, "payment": 3.25, "listing": 2.0, "membership": M24,
                                     "advertising": 0, "fulfilment": 0, "service": 0, "other": 0})
    assert etsy24["platform_cost"] == approx(24.75 + M24)
    assert etsy24["fee_share"] == approx((24.75 + M24) / 280)
    assert etsy24["net_revenue"] == approx(280 - 24.75 - M24)
    assert (etsy24["period_start"], etsy24["period_end"]) == ("2024-03-10", "2024-12-31")
    assert etsy24["fee_share_yoy"] is None
    etsy25 = p["etsy", "2025"]
    assert etsy25["gross_revenue"] == approx(400)
    assert etsy25["fees"]["advertising"] == approx(30) and etsy25["fees"]["membership"] == approx(M25)
    assert etsy25["fee_share"] == approx((56 + M25) / 400)
    assert etsy25["fee_share_yoy"] == approx((56 + M25) / 400 - (24.75 + M24) / 280)
    amazon24, amazon25 = p["amazon", "2024"], p["amazon", "2025"]
    # referral 45, subscription 39.99, half of the Dec-Jan ad spend (31 of 62 days)
    assert amazon24["fees"]["commission"] == approx(45) and amazon24["fees"]["advertising"] == approx(31)
    assert amazon24["platform_cost"] == approx(115.99) and amazon24["fee_share"] == approx(115.99 / 300)
    # o4 fully refunded (0), o6 100 EUR from GBP, o7 cancelled; commission 7.5 - 6 credit + 15
    assert amazon25["gross_revenue"] == approx(100) and amazon25["orders"] == 2
    assert amazon25["fees"]["commission"] == approx(16.5) and amazon25["platform_cost"] == approx(47.5)
    assert amazon25["fee_share_yoy"] == approx(0.475 - 115.99 / 300)


def test_platform_with_fees_but_no_sales_has_undefined_share(con) -> None:
    r = analyse_fees(con, fx.CONFIG)
    india = rows(r)["indiamart", "2025"]
    assert india["gross_revenue"] == 0 and india["platform_cost"] == approx(500)
    assert india["fee_share"] is None and india["fee_share_yoy"] is None and india["net_revenue"] == approx(-500)
    total = {p["platform"]: p for p in r.platforms}["indiamart"]
    assert total["take_rate"] is None and total["take_rate_ex_fixed"] is None
    assert "indiamart cost money but brought no revenue" in r.takeaway


def test_take_rate_with_and_without_fixed_fees(con) -> None:
    t = {p["platform"]: p for p in analyse_fees(con, fx.CONFIG).platforms}
    assert t["etsy"]["platform_cost"] == approx(200.75) and t["etsy"]["fixed_cost"] == approx(120)
    assert t["etsy"]["take_rate"] == approx(200.75 / 680) and t["etsy"]["take_rate_ex_fixed"] == approx(80.75 / 680)
    assert t["amazon"]["take_rate"] == approx(163.49 / 400) and t["amazon"]["take_rate_ex_fixed"] == approx(123.5 / 400)
    assert t["shopify"]["take_rate"] == 0


def test_quarter_and_month_spread_recurring_fees_by_day(con) -> None:
    q = rows(analyse_fees(con, fx.CONFIG, by="quarter"))
    assert q["etsy", "2024-Q3"]["fees"]["membership"] == approx(120 * 92 / 365)
    assert q["etsy", "2025-Q2"]["fees"]["membership"] == approx(120 * 91 / 365)
    assert ("etsy", "2025-Q3") in q and q["etsy", "2025-Q3"]["fees"]["membership"] == 0
    m = rows(analyse_fees(con, fx.CONFIG, by="month"))
    assert m["amazon", "2024-12"]["fees"]["advertising"] == approx(31)
    assert m["amazon", "2025-01"]["fees"]["advertising"] == approx(31)
    # same month a year earlier: June 2024 (15 / 180) -> June 2025 ((9.75 + 30 + 30 days of membership) / 150)
    june25 = (9.75 + 30 + 120 * 30 / 365) / 150
    assert m["etsy", "2025-06"]["fee_share"] == approx(june25)
    assert m["etsy", "2025-06"]["fee_share_yoy"] == approx(june25 - 15 / 180)


def test_lifetime_rent_top_buyers_and_repeat_toll(con) -> None:
    r = analyse_fees(con, fx.CONFIG)
    o8 = 9.75 + 30 + 120 * 30 / 365  # linked fee + June 2025 ads and membership, all on etsy's only June order
    rent = {x["platform"]: x for x in r.rent_by_platform}
    assert rent["etsy"]["buyers"] == 2 and rent["etsy"]["orders"] == 5 and rent["etsy"]["revenue"] == approx(1080)
    assert rent["etsy"]["rent"] == approx(9.75 + 15 + 16.25 + o8)
    assert rent["etsy"]["rent_per_buyer"] == approx((41 + o8) / 2)
    # b2: o3 45 + July subscription 39.99, o4 7.5 - 6; b3: o6 15 (o7 cancelled, not an order)
    assert rent["amazon"] == approx({"platform": "amazon", "buyers": 2, "orders": 3, "revenue": 400,
                                     "rent": 101.49, "rent_per_buyer": 50.745})
    assert [(b["buyer_id"], b["acq_platform"]) for b in r.top_buyers] == [
        ("b2", "amazon"), ("b4", "etsy"), ("b1", "etsy"), ("b3", "amazon")]
    assert r.top_buyers[0]["rent"] == approx(86.49) and r.top_buyers[2]["orders"] == 4
    toll = {x["platform"]: x for x in r.repeat_toll}
    assert toll["etsy"]["repeat_orders"] == 2 and toll["etsy"]["repeat_revenue"] == approx(430)
    assert toll["etsy"]["toll"] == approx(31.25)
    assert toll["etsy"]["share_of_platform_cost"] == approx(31.25 / 200.75)
    assert toll["amazon"]["toll"] == approx(1.5) and toll["shopify"]["toll"] == 0
    allocated = 9.75 + 15 + 84.99 + 1.5 + 15 + o8 + 16.25
    assert r.rent_unallocated == approx(864.24 - allocated)


def test_acquisition_cost_by_platform_and_channel(con) -> None:
    r = analyse_fees(con, fx.CONFIG)
    p = {x["key"]: x for x in r.acquisition_by_platform}
    assert p["etsy"] == approx({"key": "etsy", "cost": 200.75, "inquiries": 1, "orders": 4, "new_buyers": 2,
                                "cost_per_inquiry": 200.75, "cost_per_order": 200.75 / 4, "cac": 200.75 / 2})
    assert p["amazon"]["cost_per_inquiry"] is None and p["amazon"]["cac"] == approx(163.49 / 2)
    assert p["indiamart"]["cost_per_inquiry"] == approx(250) and p["indiamart"]["cac"] is None
    c = {x["key"]: x for x in r.acquisition_by_channel}
    assert c["marketplace"]["cost"] == approx(864.24) and c["marketplace"]["new_buyers"] == 4
    assert c["marketplace"]["cac"] == approx(216.06)
    # own site: no platform cost, 90 of SEO spend, one inquiry, one (repeat) order, no new buyer
    assert c["own_site"] == approx({"key": "own_site", "cost": 90, "inquiries": 1, "orders": 1, "new_buyers": 0,
                                    "cost_per_inquiry": 90, "cost_per_order": 90, "cac": None})


def test_dependency_shares_and_hhi(con) -> None:
    d = analyse_fees(con, fx.CONFIG).dependency
    plat = {x["platform"]: x for x in d["platforms"]}
    assert plat["etsy"]["revenue_share"] == approx(680 / 1480) and plat["etsy"]["new_buyer_share"] == 0.5
    assert plat["shopify"]["new_buyer_share"] == 0
    assert d["hhi_platforms"] == approx(10_000 * ((680 / 1480) ** 2 + 2 * (400 / 1480) ** 2))
    assert d["hhi_channels"] == approx(10_000 * ((1080 / 1480) ** 2 + (400 / 1480) ** 2))


def test_schedule_check_against_published_rates(con) -> None:
    checks = {(c["platform"], c["period"]): c for c in analyse_fees(con, fx.CONFIG).schedule_check}
    assert checks["etsy", "2025"]["status"] == "within" and checks["etsy", "2025"]["observed_rate"] == approx(0.065)
    assert checks["amazon", "2025"]["status"] == "above"
    assert (checks["amazon", "2025"]["published_min"], checks["amazon", "2025"]["published_max"]) == (0.08, 0.15)
    assert checks["etsy", "2025"]["source"].startswith("https://")


def test_filters_since_platform_channel_and_ad_spend(con) -> None:
    r = analyse_fees(con, fx.CONFIG, since="2025-01-01")
    assert r.since == dt.date(2025, 1, 1)
    assert rows(r)["etsy", "2025"]["fees"]["membership"] == approx(M25)
    assert {x["platform"]: x["buyers"] for x in r.rent_by_platform} == {"etsy": 1, "amazon": 1}
    etsy = analyse_fees(con, fx.CONFIG, platform="etsy")
    assert {p["platform"] for p in etsy.periods} == {"etsy"}
    market = analyse_fees(con, fx.CONFIG, channel="marketplace")
    assert {p["platform"] for p in market.periods} == {"etsy", "amazon", "indiamart"}
    assert [x["key"] for x in market.acquisition_by_channel] == ["marketplace"]
    own = analyse_fees(con, fx.CONFIG, channel="own_site")
    assert any("channel 'own_site' cover one calendar month" in n for n in own.notes)
    no_ads = analyse_fees(con, fx.CONFIG, include_ad_spend=False)
    assert rows(no_ads)["amazon", "2024"]["platform_cost"] == approx(84.99)
    assert "Not included" in no_ads.policies["ad_spend"]


def test_unconverted_rows_are_left_out_and_noted(con) -> None:
    con.execute("""INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status,
                   currency, gross_amount, batch_id, source_line)
                   VALUES ('o10', 'etsy', 'marketplace', 'o10', 'b4', '2025-05-05', 'completed', 'JPY', 9000, 1, 99)""")
    r = analyse_fees(con, fx.CONFIG)
    assert rows(r)["etsy", "2025"]["gross_revenue"] == approx(400)
    assert any("1 orders row(s) have no FX rate into EUR" in n for n in r.notes)


def test_recurring_fee_in_another_currency_uses_fx_rates(con) -> None:
    con.execute("INSERT INTO fx_rates VALUES ('2024-06-28', 'USD', 1.25, 'test'), ('2024-06-28', 'GBP', 0.5, 'test')")
    cfg = {**fx.YAML, "recurring_fees": [{"platform": "etsy", "fee_type": "membership", "amount": 150,
                                          "currency": "USD", "period": "year", "start": "2024-07-01",
                                          "end": "2025-06-30"}]}
    p = rows(analyse_fees(con, parse_config(cfg)))
    assert p["etsy", "2024"]["fees"]["membership"] == approx(M24)  # 150 USD / 1.25 = 120 EUR
    gbp = parse_config({**cfg, "reporting_currency": "GBP"})
    assert rows(analyse_fees(con, gbp))["etsy", "2024"]["fees"]["membership"] == approx(M24 * 0.5)


def test_no_orders_is_not_enough_data(tmp_path: Path) -> None:
    fx.build(tmp_path / "e.duckdb", orders=False)
    with open_store(tmp_path / "e.duckdb") as store, pytest.raises(NotEnoughData, match="no orders"):
        analyse_fees(store.con, fx.CONFIG)


def test_one_month_of_orders_answers_with_that_month_and_notes_the_trend(con) -> None:
    """Issue 18: one month of orders is that month's figures plus a note, not a refusal."""
    r = analyse_fees(con, fx.CONFIG, since="2024-03-01", until="2024-03-31")
    assert r.periods and all(p["fee_share_yoy"] is None for p in r.periods)
    assert any("one calendar month only" in n and "second month" in n for n in r.notes)
    with pytest.raises(NotEnoughData, match="platform 'ebay'"):
        analyse_fees(con, fx.CONFIG, platform="ebay")


def test_working_tables_are_dropped(con) -> None:
    analyse_fees(con, fx.CONFIG)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()[0] == 0


def test_ad_spend_is_not_added_to_months_the_platform_already_bills_ads(con) -> None:
    # an Etsy Ads budget row for June 2025, when the Etsy statement already bills 30 of ads
    con.execute("""INSERT INTO spend (spend_id, channel, platform, period_start, period_end, currency, amount,
                   amount_rc, batch_id, source_line)
                   VALUES ('s3', 'marketplace', 'etsy', '2025-06-01', '2025-06-30', 'EUR', 30, 30, 3, 9),
                          ('s4', 'marketplace', 'etsy', '2025-05-01', '2025-05-31', 'EUR', 20, 20, 3, 10)""")
    p = rows(analyse_fees(con, fx.CONFIG))
    assert p["etsy", "2025"]["fees"]["advertising"] == approx(30 + 20)
