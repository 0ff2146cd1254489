"""`assetkit demo`, the command a newcomer runs first, end to end through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assetkit.store import open_store
from assetkit.store.maintenance import check_database

COUNTS = ("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM fees), "
          "(SELECT count(*) FROM inquiries), (SELECT count(*) FROM buyers)")


@pytest.mark.slow
def test_demo_imports_everything_writes_the_report_and_a_rerun_adds_nothing(run_cli, tmp_path: Path) -> None:
    result = run_cli("demo", "biz", cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    read, loaded, dup, quarantined, skipped = (int(n.replace(",", "")) for n in re.findall(
        r"([\d,]+) rows read = ([\d,]+) loaded \+ ([\d,]+) duplicates \+ ([\d,]+) quarantined \+ ([\d,]+) skipped",
        out)[0])
    assert read == loaded + dup + quarantined + skipped
    assert "Report:" in out and "Database:" in out and "not imported" not in out
    folder = tmp_path / "biz"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Sialkot Surgical Works" in html
    for section in ("costs", "funnel", "cohorts", "scenario", "provenance"):
        assert f'id="{section}"' in html, section
    with open_store(folder / "assetkit.duckdb") as store:
        assert check_database(store).ok
        (rejected,) = store.query("SELECT count(*) FROM rejects")[0]
        (orders,) = store.query("SELECT count(*) FROM orders")[0]
        before = store.query(COUNTS)
        (movers,) = store.query(
            "SELECT count(*) FROM (SELECT buyer_id FROM orders WHERE buyer_id IS NOT NULL "
            "GROUP BY 1 HAVING count(DISTINCT channel) > 1)")[0]
    assert rejected == 2  # the demo's deliberate bad date and empty amount, quarantined
    assert orders > 2000
    assert movers >= 10  # buyers who moved from a marketplace to the own site, linked by email
    status = json.loads(run_cli("--db", str(folder / "assetkit.duckdb"), "status", "--format", "json",
                                cwd=tmp_path).stdout)
    assert {h["platform"] for h in status["holdings"]} >= {"amazon", "etsy", "shopify", "upwork", "indiamart", "alibaba"}
    _learning_on_the_demo(run_cli, folder, tmp_path)
    _next_command_works_as_printed_and_agrees_with_the_report(out, html, tmp_path)
    site = run_cli("--db", "biz/assetkit.duckdb", "export", "site", "site-out", cwd=tmp_path)
    assert site.returncode == 0, site.stderr  # the demo ships a complete site: configuration
    assert "PREVIEW" not in site.stderr and (tmp_path / "site-out/en/faq.html").exists()
    again = run_cli("demo", "biz", cwd=tmp_path, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "= 0 loaded" in again.stdout
    with open_store(folder / "assetkit.duckdb") as store:
        assert store.query(COUNTS) == before


def _learning_on_the_demo(run_cli, folder: Path, cwd: Path) -> None:
    """`leads` shows the model card with the model-vs-rules comparison; follow-up drafts of
    repeat/thank-you actions carry recommendations with their reasons."""
    db = str(folder / "assetkit.duckdb")
    text = run_cli("--db", db, "leads", "--limit", "5", cwd=cwd)
    assert text.returncode == 0, text.stderr[-2000:]
    assert "Ranking: " in text.stdout and "Model vs rules on the newest" in text.stdout
    card = json.loads(run_cli("--db", db, "leads", "--format", "json", "--limit", "5", cwd=cwd).stdout)["model"]
    assert card["labelled_inquiries"] >= 200 and card["conversions"] >= 30
    assert {"roc_auc", "precision_top_decile", "brier"} <= set(card["metrics"]["rules"]) & set(card["metrics"]["model"])
    assert card["used"] in ("model", "rules") and card["reason"]
    due = json.loads(run_cli("--db", db, "follow-ups", "--format", "json", cwd=cwd).stdout)
    with_recs = [a for a in due["actions"] if a["recommendations"]]
    assert with_recs and all(a["rule"] in ("overdue_repeat", "thank_first_order") for a in with_recs)
    first = with_recs[0]
    assert first["recommendations"][0]["reason"] and first["recommendations"][0]["product"] in first["body"]


def _next_command_works_as_printed_and_agrees_with_the_report(out: str, html: str, cwd: Path) -> None:
    """Issue 18: the printed next step runs from where the demo ran, reads the demo's
    configuration (found next to the database) and gives the report's headline figure."""
    import os
    import subprocess

    from tests.helpers.paths import REPO

    command = re.search(r"Next: .* try  (.+ fees)$", out, re.MULTILINE).group(1)
    assert "--db biz/assetkit.duckdb" in command
    done = subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    took = re.search(r"Platforms took (USD [\d,]+) of (USD [\d,]+) gross revenue \(([\d.]+%)\)", done.stdout)
    assert took, done.stdout[:500]
    assert f"Platforms took {took.group(1)} of {took.group(2)} gross revenue ({took.group(3)})" in html
