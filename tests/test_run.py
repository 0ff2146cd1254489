"""`assetkit run`: archive and failed folders, JSON summary, exit codes, atomic outputs, the lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetkit.errors import ConfigError
from assetkit.pipeline.spec import load_pipeline
from tests.helpers.paths import REPO
from tests.helpers.pipeline import GOOD, make_pipeline


@pytest.mark.slow
def test_run_imports_archives_refreshes_and_logs_one_json_line(run_cli, tmp_path: Path) -> None:
    pipeline = make_pipeline(tmp_path)
    (tmp_path / "inbox" / "mystery.csv").write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    result = run_cli("run", str(pipeline), cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # one file failed, the rest was done
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["event"] == "assetkit.run"
    assert summary["ok"] is False
    assert summary["files_imported"] == len(GOOD)
    assert summary["files_failed"] == 1
    assert summary["rows_read"] == (summary["rows_loaded"] + summary["rows_duplicate"] + summary["rows_rejected"]
                                    + summary["rows_skipped"]) > 0
    archived = sorted(p.name for p in (tmp_path / "archive").rglob("*") if p.is_file())
    assert archived == sorted(GOOD)
    assert (tmp_path / "failed" / "mystery.csv").exists()
    error_text = (tmp_path / "failed" / "mystery.csv.error.txt").read_text(encoding="utf-8")
    assert "no import profile recognises" in error_text
    assert "Nothing from this file was stored" in error_text
    assert not any((tmp_path / "inbox").iterdir())
    assert (tmp_path / "out" / "report.html").stat().st_size > 1000
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["kind"] == "report"
    assert (tmp_path / "out" / "tables" / "orders.csv").exists()
    assert {o["output"] for o in summary["outputs"]} == {"report", "tables"}
    assert not list((tmp_path / "out").glob(".*"))  # no temporary leftovers


def test_second_run_with_empty_inbox_is_ok_and_log_file_appends(run_cli, tmp_path: Path) -> None:
    pipeline = make_pipeline(tmp_path, with_outputs=False)
    assert run_cli("run", str(pipeline), "--log", "runs.jsonl", cwd=tmp_path).returncode == 0
    again = run_cli("run", str(pipeline), "--log", "runs.jsonl", cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout == ""
    runs = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["files_imported"] for r in runs] == [len(GOOD), 0]
    assert all(r["ok"] for r in runs)


def test_run_waits_then_exits_75_naming_the_holder(run_cli, tmp_path: Path) -> None:
    from assetkit.store.lock import StoreLock

    pipeline = make_pipeline(tmp_path, with_outputs=False)
    with StoreLock(tmp_path / "assetkit.duckdb", wait_seconds=0):
        result = run_cli("run", str(pipeline), "--wait", "0.5", cwd=tmp_path)
    assert result.returncode == 75
    assert "pid" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(list((tmp_path / "inbox").iterdir())) == len(GOOD)  # nothing was touched


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("inbox: []\n", "inbox"),
        ("inbox: [in/]\ncolour: red\n", "colour"),
        ("inbox: [{path: in/, flavour: x}]\n", "inbox[0].flavour"),
        ("inbox: [in/]\noutputs: {report: {formats: [pdf]}}\n", "outputs.report.formats"),
        ("inbox: [in/]\noutputs: {crm: {target: excel}}\n", "outputs.crm.target"),
        ("inbox: [in/]\npulls: [{source: indiamart, since_days: 0}]\n", "pulls[0].since_days"),
    ],
)
def test_bad_pipeline_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_pipeline(path)
    assert f"'{key}'" in info.value.message


def test_bad_pipeline_exits_2_before_touching_anything(run_cli, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("inbox: [in/]\noutputs: {report: {formats: [pdf]}}\n", encoding="utf-8")
    result = run_cli("run", "p.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "formats" in result.stderr
    assert not (tmp_path / "assetkit.duckdb").exists()


def test_example_pipeline_is_valid() -> None:
    spec = load_pipeline(REPO / "examples" / "pipeline.yaml")
    assert spec.outputs.report_formats == ("html", "json")
    assert spec.inbox[1].platform == "generic"


def test_a_missing_inbox_fails_with_exit_2_named_in_the_log_line(run_cli, tmp_path: Path) -> None:
    """Issue 18: a misspelled inbox used to import nothing and log "ok":true every night."""
    (tmp_path / "p.yaml").write_text("database: shop.duckdb\ninbox: [inbxo/]\n", encoding="utf-8")
    result = run_cli("run", "p.yaml", "--log", "run.log", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = json.loads((tmp_path / "run.log").read_text(encoding="utf-8").splitlines()[-1])
    assert line["ok"] is False
    assert line["exit_code"] == 2
    assert "inbxo" in line["error"]
    assert "inbxo" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "shop.duckdb").exists()


@pytest.mark.slow
def test_run_without_a_configured_database_creates_none(run_cli, tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "p.yaml").write_text("inbox: [inbox/]\n", encoding="utf-8")
    result = run_cli("run", "p.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "no database is configured" in result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["ok"] is False
    assert not (tmp_path / "assetkit.duckdb").exists()
    named = run_cli("--db", "shop.duckdb", "run", "p.yaml", cwd=tmp_path)
    assert named.returncode == 0, named.stderr  # a database someone named may be created
