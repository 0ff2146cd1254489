"""analyse_funnel against hand-computed figures on the fixture of tests/helpers/economics.py.

Inquiries: i1 (b1, etsy) -> o1 9 days later; i2 (b2, amazon) -> o3 only 187 days later (not
within 180); i3 (b1, shopify) -> o5; i4 (indiamart, no buyer) never; i5 (b3, indiamart) -> o6;
i6 (b4, etsy, 2025-06-20) has no order yet and its window is still open (pending).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetkit.analysis.economics import analyse_funnel
from assetkit.config import parse_config
from assetkit.errors import NotEnoughData, UsageError
from assetkit.store import open_store
from tests.helpers import economics as fx
from tests.helpers.economics import economics_db  # noqa: F401 - the session fixture

approx = pytest.approx


@pytest.fixture
def con(tmp_path: Path, economics_db: Path):  # noqa: F811
    with open_store(fx.copy_to(economics_db, tmp_path / "f.duckdb")) as store:
        yield store.con


def conv(result):
    return {(r["dimension"], r["value"]): r for r in result.conversion}


def test_conversion_overall_and_by_dimension(con) -> None:
    r = analyse_funnel(con, fx.CONFIG)
    assert (r.since, r.until, r.window_days) == (dt.date(2024, 1, 10), dt.date(2025, 7, 1), 180)
    c = conv(r)
    total = c["all", "all"]
    assert (total["inquiries"], total["converted"], total["pending"], total["never_converted"]) == (6, 3, 1, 2)
    assert total["conversion_rate"] == approx(3 / 5)
    # revenue attributed to the latest inquiry before each order: i1 gets o1 + o2 (280), i3 gets o5 + o9 (650),
    # i5 gets o6 (100); o3 is 187 days after i2
    assert total["revenue"] == approx(1030) and total["revenue_per_inquiry"] == approx(1030 / 6)
    assert c["channel", "marketplace"]["conversion_rate"] == approx(2 / 4)
    assert c["channel", "own_site"]["revenue"] == approx(650) and c["channel", "own_site"]["conversion_rate"] == 1
    assert c["platform", "indiamart"]["never_converted"] == 1 and c["platform", "indiamart"]["converted"] == 1
    assert c["platform", "amazon"]["conversion_rate"] == 0
    assert c["country", "FR"]["pending"] == 1 and c["country", "FR"]["conversion_rate"] is None
    assert c["product", "Mug"]["revenue"] == approx(930) and c["product", "Lamp"]["revenue_per_inquiry"] == approx(100 / 3)
    assert r.conversion[0]["dimension"] == "all"


def test_first_response_times(con) -> None:
    c = conv(analyse_funnel(con, fx.CONFIG))
    # replies after 2, 10, 1, 30 and 4 hours (i4 has none)
    assert c["all", "all"]["responded"] == 5
    assert c["all", "all"]["response_median_h"] == approx(4)
    assert c["all", "all"]["response_p90_h"] == approx(10 + 0.6 * 20)
    assert c["channel", "marketplace"]["response_median_h"] == approx(7)
    assert c["country", "IN"]["response_median_h"] is None


def test_window_is_configurable(con) -> None:
    wide = conv(analyse_funnel(con, fx.CONFIG, window_days=200))
    assert wide["platform", "amazon"]["converted"] == 1 and wide["platform", "amazon"]["revenue"] == approx(300)
    cfg = parse_config({**fx.YAML, "funnel": {"conversion_window_days": 5}})
    narrow = conv(analyse_funnel(con, cfg))
    assert narrow["all", "all"]["converted"] == 0
    with pytest.raises(UsageError):
        analyse_funnel(con, fx.CONFIG, window_days=-1)


def test_off_platform_share_per_year(con) -> None:
    off = {r["year"]: r for r in analyse_funnel(con, fx.CONFIG).off_platform}
    assert {k: v for k, v in off[2024].items() if k != "by_channel"} == approx(
        {"year": 2024, "revenue": 580, "marketplace": 580, "off_platform": 0, "off_platform_share": 0})
    assert off[2024]["by_channel"] == approx({"marketplace": 580})
    assert off[2025]["off_platform"] == approx(400) and off[2025]["off_platform_share"] == approx(400 / 900)
    assert off[2025]["by_channel"] == approx({"marketplace": 500, "own_site": 400})


def test_marketing_return_per_channel_and_platform(con) -> None:
    r = analyse_funnel(con, fx.CONFIG)
    m = {(x["level"], x["key"]): x for x in r.marketing_return}
    own = dict(m["channel", "own_site"])
    acquired = own.pop("acquired_buyers_revenue")
    assert own == approx({"level": "channel", "key": "own_site", "spend": 90, "revenue": 400,
                          "gross_profit": 160, "revenue_per_spend": 400 / 90,
                          "gross_profit_per_spend": 160 / 90})
    assert m["platform", "amazon"]["acquired_buyers_revenue"] is None
    (bought,) = con.execute("SELECT sum(o.gross_amount_rc - o.refunded_amount_rc) FROM orders o JOIN buyers b "
                            "USING (buyer_id) WHERE b.first_channel = 'own_site' AND o.status <> 'cancelled'"
                            ).fetchone()
    assert acquired == approx(float(bought or 0)) if bought else acquired is None
    assert m["platform", "amazon"]["revenue_per_spend"] == approx(400 / 62)
    assert m["channel", "marketplace"]["gross_profit"] == approx(1080 * 0.4)
    no_margin = analyse_funnel(con)
    assert all(x["gross_profit"] is None for x in no_margin.marketing_return)
    assert any("gross_margin" in n for n in no_margin.notes)


def test_spend_without_orders_or_acquired_buyers_is_said_to_be_unattributed() -> None:
    from assetkit.analysis.economics.funnel import unattributed_notes

    rows = [{"level": "channel", "key": "exhibition", "spend": 8400.0, "revenue": 0.0, "acquired_buyers_revenue": None},
            {"level": "channel", "key": "fair", "spend": 100.0, "revenue": 0.0, "acquired_buyers_revenue": 900.0},
            {"level": "channel", "key": "own_site", "spend": 90.0, "revenue": 400.0, "acquired_buyers_revenue": None}]
    (note,) = unattributed_notes(rows, "USD")
    assert note.startswith("exhibition: USD 8,400 spent") and "not attributed" in note


def test_filters(con) -> None:
    c = conv(analyse_funnel(con, fx.CONFIG, platform="etsy"))
    assert c["all", "all"]["inquiries"] == 2
    late = analyse_funnel(con, fx.CONFIG, since="2025-01-01")
    assert conv(late)["all", "all"]["inquiries"] == 4 and [r["year"] for r in late.off_platform] == [2025]


def test_not_enough_data(con, tmp_path: Path) -> None:
    con.execute("DELETE FROM inquiries")
    with pytest.raises(NotEnoughData, match="no inquiries"):
        analyse_funnel(con, fx.CONFIG)
    fx.build(tmp_path / "e.duckdb", orders=False)
    with open_store(tmp_path / "e.duckdb") as store, pytest.raises(NotEnoughData, match="no orders"):
        analyse_funnel(store.con, fx.CONFIG)


def test_one_month_of_orders_answers_with_a_note(con) -> None:
    r = analyse_funnel(con, fx.CONFIG, since="2025-02-15", until="2025-03-20")
    assert r.conversion and any("one calendar month only" in n for n in r.notes)
