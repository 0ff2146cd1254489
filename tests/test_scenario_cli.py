"""`assetkit scenario` through the command line: output formats, comparison, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from assetkit.analysis.scenario import template_text
from tests.helpers.scenario import make_db


@pytest.fixture
def db() -> Path:
    return make_db(Path("assetkit.duckdb"))


def test_template_prints_the_commented_file_without_a_database(cli) -> None:
    result = cli("scenario", "--template")
    assert result.exit_code == 0
    assert result.stdout == template_text()
    assert not Path("assetkit.duckdb").exists()


def test_text_output_baseline_first_then_projection_fan_and_tornado(cli, db: Path) -> None:
    result = cli("scenario", "--runs", "200", "--months", "24", "--seed", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    order = [out.index(s) for s in ("Baseline:", "marketplace:alibaba", "Assumptions", "Projection, shift 20%",
                                     "P10–P90 band", "NPV of the difference over 24 months", "What moves")]
    assert order == sorted(order)
    assert "foundation" in out
    assert "enablement" in out
    assert "ecosystem" in out
    assert "●" in out
    assert "│" in out
    assert "probability of breaking even by month 12" in out


def test_json_is_stable_for_a_seed_and_carries_the_envelope(cli, db: Path) -> None:
    def run(seed: str) -> dict:
        res = cli("scenario", "--runs", "300", "--seed", seed, "--shift", "30", "--format", "json")
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        doc.pop("generated_at")
        return doc

    one, two, other = run("7"), run("7"), run("8")
    assert one == two
    assert one != other
    assert one["kind"] == "scenario"
    assert one["reporting_currency"] == "USD"
    result = one["result"]
    assert result["shift"] == 0.3
    assert result["months"] == 36
    assert result["runs"] == 300
    assert len(result["bands"]["cumulative_difference"]["p50"]) == 36
    assert [p["name"] for p in result["phases"]] == ["foundation", "enablement", "ecosystem"]
    assert set(result["break_even"]["probability_within"]) == {"12", "24", "36"}
    assert one["baseline"]["channels"][0]["label"] == "marketplace:alibaba"
    assert one["assumptions"]["shift"] == {"value": 0.3, "source": "override"}
    assert one["sensitivity"]["rows"]


def test_shift_list_gives_a_comparison_table(cli, db: Path) -> None:
    text = cli("scenario", "--shift", "0,10,20,30,50", "--runs", "100")
    assert text.exit_code == 0, text.output
    assert "Budget shift compared" in text.stdout
    assert "P(break-even by 24)" in text.stdout
    assert "Projection" not in text.stdout
    doc = json.loads(cli("scenario", "--shift", "0,10,20,30,50", "--runs", "100", "--format", "json").stdout)
    rows = doc["comparison"]["rows"]
    assert [r["shift"] for r in rows] == [0, 0.1, 0.2, 0.3, 0.5]
    assert rows[0]["npv_p50"] != 0  # the programme is on by default
    assert doc["result"] is None
    off = json.loads(cli("scenario", "--shift", "0,20", "--programme", "off", "--runs", "100", "--format",
                         "json").stdout)["comparison"]["rows"]
    assert off[0]["npv_p50"] == 0
    assert not off[0]["programme"]
    both = json.loads(cli("scenario", "--programme", "both", "--runs", "50", "--format", "json").stdout)
    assert [(r["programme"], r["shift"]) for r in both["comparison"]["rows"]] == [(False, 0.2), (True, 0.2)]
    table = list(csv.reader(io.StringIO(cli("scenario", "--shift", "0,20", "--runs", "50", "--format", "csv").stdout)))
    assert table[0][:4] == ["shift", "programme", "npv_p10", "npv_p50"]
    assert len(table) == 3
    assert cli("scenario", "--programme", "maybe").exit_code == 2


def test_csv_has_every_month_and_md_has_tables(cli, db: Path) -> None:
    res = cli("scenario", "--runs", "100", "--months", "18", "--format", "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 18
    assert rows[0]["phase"] == "foundation"
    assert rows[17]["phase"] == "ecosystem"
    assert "scenario_revenue:marketplace:alibaba" in rows[0]
    total = float(rows[5]["scenario_revenue"])
    parts = float(rows[5]["scenario_revenue:marketplace:alibaba"]) + float(rows[5]["scenario_revenue:own_site:shopify"])
    assert total == pytest.approx(parts)
    md = cli("scenario", "--runs", "100", "--format", "md").stdout
    assert md.startswith("# Budget-shift scenario")
    assert "## Sensitivity" in md
    assert "| month | phase |" in md


def test_too_little_history_exits_3_and_says_what_is_missing(run_cli, tmp_path: Path) -> None:
    make_db(tmp_path / "assetkit.duckdb", months=2)
    result = run_cli("scenario", cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "at least 3 calendar months" in result.stderr
    assert "found 2" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "needle"), [
    (["--shift", "120"], "between 0 and 100"),
    (["--shift", "ten"], "not a percentage"),
    (["--as-of", "31/12/2024"], "not a date"),
])
def test_bad_options_exit_2(cli, db: Path, args: list[str], needle: str) -> None:
    result = cli("scenario", *args)
    assert result.exit_code == 2
    assert needle in result.output


def test_bad_assumptions_file_exits_2_naming_the_key(run_cli, tmp_path: Path) -> None:
    make_db(tmp_path / "assetkit.duckdb")
    (tmp_path / "a.yaml").write_text("migration_conversion: 1.5\n", encoding="utf-8")
    result = run_cli("scenario", "--assumptions", "a.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "migration_conversion: 1.5 is out of range" in result.stderr


def test_without_a_database_exits_1(run_cli, tmp_path: Path) -> None:
    result = run_cli("scenario", cwd=tmp_path)
    assert result.returncode == 2
    assert "no database" in result.stderr


def test_library_report_warns_when_there_is_no_platform_ad_budget(tmp_path: Path) -> None:
    from assetkit.analysis.scenario import scenario_report
    from assetkit.config import Config
    from assetkit.store import open_store

    path = make_db(tmp_path / "n.duckdb")
    with open_store(path) as store:
        store.con.execute("DELETE FROM fees WHERE fee_type = 'advertising'")
        store.con.execute("DELETE FROM spend WHERE platform = 'alibaba'")
        report = scenario_report(store.con, Config(reporting_currency="INR"), runs=20)
    assert any("no platform ad budget" in w for w in report.warnings)
    assert any("EUR/USD-sized" in w for w in report.warnings)
    assert report.result is not None
    assert report.sensitivity is not None
    assert report.to_dict()["result"]["shift"] == 0.2
