"""`assetkit clv` through the real CLI: formats, options, exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.helpers.clv import insert_orders, load_cdnow, new_store


@pytest.fixture
def cdnow_db(tmp_path):
    store = load_cdnow(tmp_path)
    store.close()
    return str(tmp_path / "t.duckdb")


def test_json_carries_model_units_params_and_buyers(cli, cdnow_db):
    res = cli("--db", cdnow_db, "clv", "--until", "1997-09-30", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["kind"] == "clv"
    assert doc["model"] == "bgnbd"
    assert doc["time_unit"] == "week"
    assert set(doc["params"]) == {"r", "alpha", "a", "b"}
    assert doc["params"]["alpha"] == pytest.approx(4.414, abs=5e-4)
    assert doc["log_likelihood"] == pytest.approx(-9582.43, abs=0.01)
    assert doc["n_buyers"] == 2357
    assert len(doc["buyers"]) == 2357
    assert set(doc["spend_model"]["params"]) == {"p", "q", "v"}
    assert doc["assumptions"]["month_days"] == 30.4375
    assert doc["holdout"]["actual"] == 1882
    first = doc["buyers"][0]
    assert {"expected_occasions", "p_alive", "expected_spend", "clv", "clv_low", "clv_high"} <= set(first)


def test_pareto_in_days_with_a_horizon(cli, cdnow_db):
    res = cli("--db", cdnow_db, "clv", "--until", "1997-09-30", "--model", "pnbd", "--time-unit", "day",
              "--horizon", "365", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["params"]) == {"r", "alpha", "s", "beta"}
    assert doc["params"]["beta"] == pytest.approx(7 * 11.669, rel=1e-3)
    assert doc["assumptions"]["horizon_days"] == 365
    assert doc["param_units"]["beta"].startswith("days")


def test_text_output_shows_parameters_holdout_and_groups(cli, cdnow_db):
    res = cli("--db", cdnow_db, "clv", "--until", "1997-09-30", "--model", "mbgnbd", "--top", "3")
    assert res.exit_code == 0, res.output
    out = res.stdout
    for needle in ("Parameters", "alpha", "Holdout check", "CLV by acquisition channel",
                   "CLV by acquisition platform", "Top 3 buyers", "annual discount rate"):
        assert needle in out


def test_csv_is_one_row_per_buyer(cli, cdnow_db):
    res = cli("--db", cdnow_db, "clv", "--format", "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 2357
    assert float(rows[0]["clv"]) > 0


def test_too_little_data_exits_3(cli, tmp_path):
    store = new_store(tmp_path)
    insert_orders(store.con, [("a", "b1", "2024-01-01", 10.0), ("b", "b2", "2024-01-03", 10.0)])
    store.close()
    res = cli("--db", str(tmp_path / "t.duckdb"), "clv")
    assert res.exit_code == 3
    assert "repeat" in res.output
    assert "Hint:" in res.output


def test_unknown_model_is_a_usage_error(cli, cdnow_db):
    assert cli("--db", cdnow_db, "clv", "--model", "xyz").exit_code == 2
