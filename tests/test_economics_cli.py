"""`assetkit fees` and `assetkit funnel` through the real command line (typer CliRunner)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import economics as fx
from tests.helpers.economics import economics_db  # noqa: F401 - the session fixture


@pytest.fixture
def business(isolated: Path, economics_db: Path) -> Path:  # noqa: F811
    fx.copy_to(economics_db, isolated / "assetkit.duckdb")
    (isolated / "assetkit.yaml").write_text(yaml.safe_dump(fx.YAML), encoding="utf-8")
    return isolated


def test_fees_text_starts_with_the_takeaway(cli, business) -> None:
    result = cli("fees")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Platforms took EUR 864 of EUR 1,480 gross revenue (58.4%)")
    assert "Platform cost by year (EUR)" in result.output
    assert "Repeat-business toll" in result.output
    assert "Ad spend: Included" in result.output
    assert "ECB reference rate" in result.output


def test_fees_json_envelope_and_figures(cli, business) -> None:
    data = json.loads(cli("fees", "--format", "json", "--by", "quarter").stdout)
    assert data["kind"] == "fees"
    assert data["reporting_currency"] == "EUR"
    assert data["by"] == "quarter"
    assert {"assetkit_version", "generated_at"} <= set(data)
    india = [p for p in data["periods"] if p["platform"] == "indiamart"]
    assert india[0]["fee_share"] is None
    assert india[0]["platform_cost"] == 500


def test_fees_csv_is_formula_safe_and_table_selectable(cli, business) -> None:
    out = cli("fees", "--format", "csv", "--table", "top_buyers")
    assert out.exit_code == 0, out.output
    table = list(csv.reader(io.StringIO(out.stdout)))
    assert table[0][:3] == ["buyer", "name", "company"]
    assert ["b4", "Dora", "'=HYPERLINK(\"x\")"] == table[2][:3]
    periods = list(csv.DictReader(io.StringIO(cli("fees", "--format", "csv").stdout)))
    assert {r["platform"] for r in periods} == {"amazon", "etsy", "indiamart", "shopify"}
    assert [r["fee share"] for r in periods if r["platform"] == "indiamart"] == [""]
    bad = cli("fees", "--format", "csv", "--table", "nope")
    assert bad.exit_code == 2
    assert "periods" in bad.output


def test_fees_markdown_and_filters(cli, business) -> None:
    md = cli("fees", "--format", "md", "--platform", "etsy", "--by", "month")
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("**Platforms took")
    assert "| etsy | 2025-06 |" in md.stdout
    assert "amazon" not in md.stdout.split("### Effective take rate")[0]
    assert cli("fees", "--no-ad-spend", "--format", "json").exit_code == 0


def test_funnel_outputs(cli, business) -> None:
    text = cli("funnel", "--window", "200")
    assert text.exit_code == 0, text.output
    assert text.output.startswith("4 of 6 inquiries became orders within 200 days")
    data = json.loads(cli("funnel", "--format", "json").stdout)
    assert data["kind"] == "funnel"
    assert data["window_days"] == 180
    assert data["conversion"][0]["converted"] == 3
    rows = list(csv.DictReader(io.StringIO(cli("funnel", "--format", "csv", "--table", "off_platform").stdout)))
    assert [r["year"] for r in rows] == ["2024", "2025"]


def test_one_month_answers_with_that_months_figures(cli, business) -> None:
    """Issue 18: one month of orders is an answer plus a note, not exit 3."""
    result = cli("fees", "--since", "2024-03-01", "--until", "2024-03-31")
    assert result.exit_code == 0, result.output
    assert "Platform cost by year" in result.output
    assert "cover one calendar month only" in result.output
    assert "needs a second month" in result.output


@pytest.mark.parametrize("args, message", [
    (("fees", "--platform", "ebay"), "no orders on platform 'ebay'"),
    (("funnel", "--channel", "exhibition"), "no inquiries in channel 'exhibition'"),
])
def test_not_enough_data_exits_3(cli, business, args, message) -> None:
    result = cli(*args)
    assert result.exit_code == 3, result.output
    assert message in result.output
    assert "Hint:" in result.output


def test_bad_options_exit_2(cli, business) -> None:
    assert cli("fees", "--by", "week").exit_code == 2
    assert cli("fees", "--since", "last year").exit_code == 2


def test_no_database_exits_2(cli, isolated) -> None:
    result = cli("fees")
    assert result.exit_code == 2
    assert "no database" in result.output


def test_funnel_text_shows_top_countries_only(cli, business, monkeypatch) -> None:
    from assetkit.commands import economics

    monkeypatch.setattr(economics, "TOP_VALUES", 2)
    text = cli("funnel").output
    assert "top 2 countries and products" in text
    assert "│ country  │ DE" in text
    assert "│ country  │ US" not in text
    rows = list(csv.DictReader(io.StringIO(cli("funnel", "--format", "csv").stdout)))
    assert sum(r["by"] == "country" for r in rows) == 5
