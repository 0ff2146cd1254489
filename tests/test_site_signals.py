"""Analytics importers (Plausible CSV export, GA4 report CSV, RFQ form) against golden rows,
and the own-site signals computed from them (every figure hand-summed from the samples)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assetkit.analysis.site_signals import analyse_site_signals
from assetkit.errors import NotEnoughData
from assetkit.store import open_store
from tests.helpers.analytics_golden import DATA, GOLDEN, import_samples


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    db = tmp_path_factory.mktemp("sig") / "s.duckdb"
    return db, import_samples(db)


def test_imports_match_the_golden_rows(imported, regen) -> None:
    _, data = imported
    path = GOLDEN / "analytics_import.json"
    if regen("ASSETKIT_REGEN_GOLDEN"):
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {path.name}: review `git diff tests/data/analytics/golden` before committing")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(data, ensure_ascii=False, sort_keys=True)) == golden


def test_each_sample_is_recognised_by_its_profile(imported) -> None:
    files = imported[1]["files"]
    assert {k: v["profile"] for k, v in files.items()} == {
        "ga4_pages_and_screens.csv": "ga4_report",
        "imported_locations_20250101_20250228.csv": "plausible_locations",
        "imported_pages_20250101_20250228.csv": "plausible_pages",
        "imported_sources_20250101_20250228.csv": "plausible_sources",
        "imported_visitors_20250101_20250228.csv": "plausible_visitors",
        "rfq_submissions.csv": "rfq_form", "rfq_submissions.json": "rfq_form"}
    assert all(v["rejected"] == 0 and v["error"] is None for v in files.values())


def test_hand_checked_rows(imported) -> None:
    _, data = imported
    visits = {v["visit_id"]: v for v in data["visits"]}
    # two LinkedIn campaigns on 2025-02-01: 12 + 2 visitors, 30 + 5 pageviews
    assert (visits["plausible:source:LinkedIn:2025-02-01"]["visitors"],
            visits["plausible:source:LinkedIn:2025-02-01"]["pageviews"]) == (14, 35)
    assert visits["plausible:source:Direct / None:2025-01-01"]["visitors"] == 4  # empty source
    assert visits["plausible:country:DE:2025-01-01"]["visitors"] == 9  # Bavaria 7 + Berlin 2
    ga4 = visits["ga4:/rfq|||2025-02-15"]
    assert (ga4["visitors"], ga4["pageviews"], ga4["events"]) == (5, 5, 17)
    rfq = {i["source_inquiry_id"]: i for i in data["inquiries"]}
    omar = rfq["20250210T130000:omar@gulf.example"]
    assert omar["received_at"] == "2025-02-10 13:00:00+00"  # 14:00+01:00
    assert omar["message"] == '=HYPERLINK("http://x")'  # stored as given; outputs neutralise it
    assert omar["subject"] == "RFQ Drill 1200 CIF Jebel Ali" and omar["quantity"] == 1200.0
    assert rfq["20250203T091500:ina@alpha.de"]["unit"] == "pcs"
    assert all(i["channel"] == "own_site" for i in data["inquiries"])


def test_reimport_adds_nothing(imported) -> None:
    from assetkit.importers.engine import import_paths

    db, _ = imported
    with open_store(db) as store:
        results = import_paths(store, sorted(p for p in DATA.iterdir() if p.is_file()))
        assert sum(r.loaded for r in results) == 0


def test_signals_from_the_samples(imported) -> None:
    db, _ = imported
    with open_store(db) as store:
        r = analyse_site_signals(store.con)
    assert r.tool == "plausible" and r.tools == ["plausible", "ga4"] and "plausible only" in r.notes[0]
    months = {m["month"]: m for m in r.monthly}
    jan, feb, mar = (months[dt.date(2025, m, 1)] for m in (1, 2, 3))
    assert (jan["visitors"], jan["pageviews"], jan["traffic_from"], jan["inquiries"]) == (20, 50, "site totals", 0)
    assert (feb["visitors"], feb["inquiries"], feb["inquiries_per_1000_visitors"]) == (20, 2, 100.0)
    assert (mar["visitors"], mar["inquiries"]) == (None, 1)
    pages = {p["page"]: p for p in r.pages}
    assert (pages["/products/torque-wrench"]["visitors"], pages["/products/torque-wrench"]["pageviews"],
            pages["/products/torque-wrench"]["inquiries"]) == (15, 28, 1)
    assert pages["/products/vise"]["visitors"] is None and pages["/products/vise"]["inquiries"] == 1
    assert [(s["source"], s["visitors"]) for s in r.sources] == [("Google", 22), ("LinkedIn", 14), ("Direct / None", 4)]
    assert r.sources[0]["share"] == pytest.approx(22 / 40)
    countries = {c["country"]: c for c in r.countries}
    assert (countries["AE"]["visitors"], countries["AE"]["inquiries"]) == (20, 1)
    assert countries["GB"]["visitors"] is None and countries["GB"]["inquiries"] == 1
    assert r.totals == {"visitors": 40, "pageviews": 105, "own_site_inquiries": 3, "months": 3,
                        "inquiries_per_1000_visitors": 75.0}
    assert {p["product"] for p in r.products} == {"Drill", "Torque wrench", "Vise"}


def test_date_filter(imported) -> None:
    db, _ = imported
    with open_store(db) as store:
        r = analyse_site_signals(store.con, since="2025-02-01", until="2025-02-28")
    assert [m["month"] for m in r.monthly] == [dt.date(2025, 2, 1)] and r.totals["own_site_inquiries"] == 2


def test_ga4_only_uses_page_rows(tmp_path: Path) -> None:
    from assetkit.importers.engine import import_paths

    with open_store(tmp_path / "g.duckdb") as store:
        import_paths(store, [DATA / "ga4_pages_and_screens.csv"])
        r = analyse_site_signals(store.con)
    assert r.tool == "ga4" and not r.notes
    jan = r.monthly[0]
    assert (jan["visitors"], jan["pageviews"], jan["traffic_from"]) == (39, 55, "pages")  # 30 + 9, 40 + 15
    assert {p["page"]: p["events"] for p in r.pages} == {"/": 190, "/products/torque-wrench": 44, "/rfq": 17}


def test_nothing_imported_is_not_enough_data(tmp_path: Path) -> None:
    with open_store(tmp_path / "e.duckdb") as store, pytest.raises(NotEnoughData, match="no website analytics"):
        analyse_site_signals(store.con)


def test_cli(cli, imported) -> None:
    db, _ = imported
    text = cli("--db", str(db), "site-signals")
    assert text.exit_code == 0, text.output
    assert "Own site: 40 visitors, 105 pageviews, 3 inquiries over 3 months (analytics: plausible)" in text.output
    doc = json.loads(cli("--db", str(db), "site-signals", "-f", "json").output)
    assert doc["kind"] == "site_signals" and doc["totals"]["visitors"] == 40
    csv_out = cli("--db", str(db), "site-signals", "-f", "csv").output.splitlines()
    assert csv_out[0].startswith("month,visitors,pageviews,inquiries") and len(csv_out) == 4


def test_ga4_trailing_chart_lines_are_rejects_and_other_plausible_files_unrecognised(tmp_path: Path) -> None:
    from assetkit.importers.engine import import_paths

    ga4 = tmp_path / "ga4.csv"
    ga4.write_text((DATA / "ga4_pages_and_screens.csv").read_text(encoding="utf-8")
                   + "\n# ----\n# Chart\nNth day,Views\n0000,40\n", encoding="utf-8")
    browsers = tmp_path / "imported_browsers_20250101_20250131.csv"
    browsers.write_text("date,browser,browser_version,visitors,visits,visit_duration,bounces,pageviews\n"
                        "2025-01-01,Chrome,120,3,3,10,1,5\n", encoding="utf-8")
    with open_store(tmp_path / "r.duckdb") as store:
        first, second = import_paths(store, [ga4, browsers])
    assert (first.profile, first.loaded, first.rejected) == ("ga4_report", 4, 2)  # the '#' lines are skipped
    assert second.error is not None and "no import profile recognises" in second.error
