"""`assetkit follow-ups` and `assetkit follow-ups done` through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

import tests.helpers.followups as fx


@pytest.fixture
def env(tmp_path: Path):
    buyers = [b if b[0] != "b_quote" else ("b_quote", "=HYPERLINK(\"http://x\")", None, "q@quote.example", None, "US")
              for b in fx.BUYERS]
    db = fx.build(tmp_path / "c.duckdb", buyers=buyers)
    config = tmp_path / "assetkit.yaml"
    config.write_text(yaml.safe_dump({**fx.CONFIG, "follow_ups": {"sender": "sales@acme.example"}}), encoding="utf-8")
    return ["--db", str(db), "--config", str(config)]


def test_json_lists_the_due_actions(cli, env) -> None:
    result = cli(*env, "follow-ups", "--as-of", fx.AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["kind"] == "follow_ups"
    assert doc["reporting_currency"] == "EUR"
    assert doc["count"] == 8
    assert {a["rule"] for a in doc["actions"]} >= {"unanswered_inquiry", "quote_no_order", "overdue_repeat"}


def test_csv_is_formula_safe(cli, env) -> None:
    result = cli(*env, "follow-ups", "--as-of", fx.AS_OF, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 8
    quote = next(r for r in rows if r["rule"] == "quote_no_order")
    assert quote["buyer"].startswith("'=HYPERLINK")


def test_text_drafts_and_done(cli, env, tmp_path: Path) -> None:
    result = cli(*env, "follow-ups", "--as-of", fx.AS_OF, "--drafts", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "Follow-ups due at 2025-07-01 12:00:00" in result.output
    assert "unanswered_inquiry" in result.output
    drafts = sorted((tmp_path / "out").glob("*.eml"))
    assert len(drafts) == 8
    assert "From: sales@acme.example" in drafts[0].read_text()
    doc = json.loads(cli(*env, "follow-ups", "--as-of", fx.AS_OF, "-f", "json").output)
    target = next(a for a in doc["actions"] if a["rule"] == "thank_first_order")["action_id"]
    done = cli(*env, "follow-ups", "done", target, "--note", "sent card", "--as-of", fx.AS_OF)
    assert done.exit_code == 0
    assert f"{target} (thank_first_order, buyer b_new) done at" in done.output
    again = cli(*env, "follow-ups", "done", target[:8], "--as-of", fx.AS_OF)
    assert again.exit_code == 0
    assert "was already done" in again.output
    after = json.loads(cli(*env, "follow-ups", "--as-of", fx.AS_OF, "-f", "json").output)
    assert after["count"] == 7
    assert after["done_hidden"] == 1
    assert target not in {a["action_id"] for a in after["actions"]}
    text = cli(*env, "follow-ups", "--as-of", fx.AS_OF)
    assert "1 action(s) already done are not shown" in text.output


def test_errors_have_exit_codes(cli, env, tmp_path: Path) -> None:
    unknown = cli(*env, "follow-ups", "done", "abcdef", "--as-of", fx.AS_OF)
    assert unknown.exit_code == 2
    assert "no due follow-up" in unknown.output
    bad = tmp_path / "r.yaml"
    bad.write_text("rules:\n  - {id: x, trigger: telepathy}\n", encoding="utf-8")
    rules = cli(*env, "follow-ups", "--rules", str(bad))
    assert rules.exit_code == 2
    assert "rule 'x' (#1)" in rules.output
    md = cli(*env, "follow-ups", "-f", "md")
    assert md.exit_code == 2


def test_nothing_due(cli, env) -> None:
    result = cli(*env, "follow-ups", "--as-of", "2020-01-01")
    assert result.exit_code == 0
    assert "No follow-ups due" in result.output


@pytest.mark.parametrize("args", [("follow-ups", "--as-of", "yesterday"), ("plan", "--start", "31/12/2025"),
                                  ("plan", "--check", "--as-of", "soon"), ("site-signals", "--since", "2025-13-01")])
def test_bad_dates_are_usage_errors(cli, env, args) -> None:
    result = cli(*env, *args)
    assert result.exit_code == 2
    assert "Error:" in result.output
    assert "Traceback" not in result.output
