"""`assetkit cohorts` through the command line: formats, options, exit codes, CSV safety."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.helpers.cohorts import build_fixture


def fixture_db() -> None:
    build_fixture(Path("assetkit.duckdb")).close()


def test_json_carries_envelope_definitions_and_counts(cli) -> None:
    fixture_db()
    result = cli("cohorts", "--format", "json", "--window-months", "1", "--until", "2024-06-30", "--churn-k", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["kind"] == "cohorts"
    assert {"assetkit_version", "generated_at", "reporting_currency"} <= set(data)
    assert data["definitions"]["window_months"] == 1
    assert data["definitions"]["churn_k"] == 3.0
    assert data["definitions"]["preset"] == "assetkit"
    assert "preset_description" in data["definitions"]
    jan = data["cohorts"][0]["rows"][0]
    assert (jan["cohort"], jan["size"], jan["small"]) == ("2024-01", 2, True)
    assert jan["cells"][1] == {**jan["cells"][1], "active_buyers": 1, "buyer_retention": 0.5}
    months = {m["month"]: m for m in data["recurring"] if m["split"] == "all"}
    assert months["2024-03"]["gross"]["reactivation"] == 50
    assert months["2024-03"]["churned_buyers"] == 1


def test_text_and_markdown_show_counts_and_small_cohort_marks(cli) -> None:
    fixture_db()
    text = cli("cohorts", "--window-months", "1", "--until", "2024-06-30")
    assert text.exit_code == 0, text.output
    assert "2024-01 *" in text.output
    assert "50% (1)" in text.output
    assert "marketplace/alibaba" in text.output
    assert "churn after 2 × own median order gap" in text.output
    md = cli("cohorts", "--format", "md", "--period", "quarter", "--preset", "baremetrics")
    assert md.exit_code == 0, md.output
    assert "| 2024-Q1 \\* | 3 | 100% (3) | 67% (2) |" in md.stdout.replace("2024-Q1 *", "2024-Q1 \\*")
    assert "Definitions (baremetrics)" in md.stdout
    assert "does not count in NRR" in md.stdout


def test_csv_is_tidy_and_formula_safe(cli) -> None:
    fixture_db()
    from assetkit.store import open_store

    with open_store("assetkit.duckdb") as store:
        store.con.execute("UPDATE buyers SET first_channel = '=HYPERLINK(\"http://x\")' WHERE buyer_id = 'C'")
    result = cli("cohorts", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["section", "split", "period", "age", "metric", "value"]
    splits = {r[1] for r in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in splits
    assert not any(s.startswith("=") for s in splits)
    assert ["cohort", "all", "2024-01", "1", "active_buyers", "1"] in rows


def test_bad_options_exit_2(cli) -> None:
    fixture_db()
    assert cli("cohorts", "--period", "week").exit_code == 2
    bad = cli("cohorts", "--churn-k", "0")
    assert bad.exit_code == 2
    assert "churn_k must be positive" in bad.output
    del bad  # its traceback pins the (closed) connection until exit, which duckdb reports as a leak
    assert cli("cohorts", "--since", "2024-13-01").exit_code == 2


def test_not_enough_data_exits_3(run_cli, tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).returncode == 0
    result = run_cli("cohorts", cwd=tmp_path)
    assert result.returncode == 3
    assert result.stderr.startswith("Error: no buyer")
    assert "Traceback" not in result.stderr
