"""`assetkit plan`: targets from data + scenario, saved; `--check` against known actuals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

import tests.helpers.followups as fx
from assetkit.analysis.followups import load_rules
from assetkit.analysis.plan import (
    Plan,
    Target,
    add_months,
    build_plan,
    judge,
    measure,
    plan_vs_actual,
    save_plan,
)
from assetkit.config import parse_config
from assetkit.errors import NotEnoughData
from assetkit.store import open_store

D = dt.date


def _known(path: Path) -> Path:
    """Jan 2 – Feb 10 2025: marketplace 700 (fees 70), own site 300; 5 active buyers, 3 with an owned
    contact (2 e-mails, 1 phone; 1 relay address, 1 none); 6 own-site inquiries. Every window of 91
    days ending between Feb 10 and Apr 1 sees all of it."""
    with open_store(path) as store, store.transaction() as con:
        con.executemany("INSERT INTO buyers (buyer_id, email, phone) VALUES (?, ?, ?)", [
            ("a", "a@a.example", None), ("b", "b@b.example", None), ("c", None, "+1 555"),
            ("d", "x1@marketplace.amazon.com", None), ("e", None, None)])
        orders = [("o1", "etsy", "marketplace", "a", "2025-01-02", 300), ("o2", "etsy", "marketplace", "b", "2025-01-20", 200),
                  ("o3", "amazon", "marketplace", "d", "2025-02-01", 200), ("o4", "shopify", "own_site", "c", "2025-02-05", 250),
                  ("o5", "shopify", "own_site", "e", "2025-02-10", 50)]
        con.executemany("""INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status,
                           currency, gross_amount, gross_amount_rc, refunded_amount_rc, batch_id, source_line)
                           VALUES (?, ?, ?, ?, ?, CAST(? AS TIMESTAMPTZ), 'completed', 'EUR', ?, ?, 0, 1, 1)""",
                        [(o[0], o[1], o[2], o[0], o[3], o[4], o[5], o[5]) for o in orders])
        con.execute("""INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, batch_id,
                       source_line) VALUES ('f', 'etsy', '2025-01-20', 'commission', 'EUR', 70, 70, 1, 1)""")
        con.executemany("""INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, received_at, batch_id,
                           source_line) VALUES (?, 'website', 'own_site', ?, CAST(? AS TIMESTAMPTZ), 1, 1)""",
                        [(f"q{i}", f"q{i}", f"2025-01-{5 + i:02d} 10:00:00+00") for i in range(6)])
    return path


def _plan(start: D) -> Plan:
    targets = [
        Target("foundation", "fee_share", D(2025, 4, 1), "down", 0.15, 0.12, "t"),
        Target("foundation", "off_platform_share", D(2025, 4, 1), "up", 0.2, 0.3, "t"),
        Target("foundation", "owned_contact_share", D(2025, 4, 1), "up", 0.5, 0.8, "t"),
        Target("foundation", "own_site_inquiries_per_month", D(2025, 4, 1), "up", 1.0, 3.0, "t"),
        Target("enablement", "owned_contact_share", D(2026, 1, 1), "up", 0.5, 0.9, "t"),
        Target("ecosystem", "owned_contact_share", D(2028, 1, 1), "up", 0.5, 0.95, "t"),
    ]
    return Plan(None, start, start - dt.timedelta(days=1), 91, 0.2, "EUR", 100.0, 20.0, {}, [], targets, [], None)


@pytest.fixture
def known(tmp_path: Path):
    with open_store(_known(tmp_path / "k.duckdb")) as store:
        save_plan(store.con, _plan(D(2025, 1, 1)))
        yield store


def test_measure_known_actuals(known) -> None:
    m = measure(known.con, D(2025, 4, 1), ("marketplace.amazon.com",))
    assert m["fee_share"] == pytest.approx(70 / 700) and m["off_platform_share"] == pytest.approx(300 / 1000)
    assert m["owned_contact_share"] == pytest.approx(3 / 5)
    assert m["own_site_inquiries_per_month"] == pytest.approx(6 / (91 / 30.4375))


def test_check_at_the_due_date(known) -> None:
    check = plan_vs_actual(known.con, as_of="2025-04-01")
    rows = {(r.phase, r.metric): r for r in check.rows}
    # fee 0.10 vs target 0.12 (down): 2 points better than planned, tolerance max(0.003, 0.01)
    assert rows[("foundation", "fee_share")].status == "ahead"
    assert rows[("foundation", "off_platform_share")].status == "on track"  # 0.30 = 0.30
    assert rows[("foundation", "owned_contact_share")].status == "behind"  # 0.60 vs 0.80
    assert rows[("foundation", "own_site_inquiries_per_month")].status == "behind"  # 2.01 vs 3.0
    enable = rows[("enablement", "owned_contact_share")]
    assert enable.expected == pytest.approx(0.8) and enable.status == "behind"  # starts from the last target
    assert rows[("ecosystem", "owned_contact_share")].status == "pending"
    assert check.counts == {"ahead": 1, "on track": 1, "behind": 3, "pending": 1}


def test_check_mid_phase_interpolates(known) -> None:
    check = plan_vs_actual(known.con, as_of=D(2025, 2, 15))  # 45 of 90 days into the foundation
    rows = {(r.phase, r.metric): r for r in check.rows if r.phase == "foundation"}
    contact = rows[("foundation", "owned_contact_share")]
    assert contact.expected == pytest.approx(0.65) and contact.actual == pytest.approx(0.6)
    assert contact.status == "behind"  # -0.05 beyond the tolerance of 0.03
    assert rows[("foundation", "fee_share")].expected == pytest.approx(0.135)
    assert rows[("foundation", "fee_share")].status == "ahead"
    inq = rows[("foundation", "own_site_inquiries_per_month")]
    assert inq.expected == pytest.approx(2.0) and inq.status == "on track"  # 2.007 within 0.5
    assert {r.status for r in check.rows if r.phase != "foundation"} == {"pending"}


def test_judge_thresholds() -> None:
    assert judge("owned_contact_share", "up", 0.5, 0.8, 0.7, 0.72) == "on track"
    assert judge("owned_contact_share", "up", 0.5, 0.8, 0.7, 0.75) == "ahead"
    assert judge("fee_share", "down", 0.15, 0.12, 0.13, 0.145) == "behind"
    assert judge("fee_share", "down", 0.15, 0.12, 0.13, None) == "no data"


def test_add_months_clips_to_month_end() -> None:
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28) and add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert add_months(D(2025, 1, 1), 36) == D(2028, 1, 1)


def test_build_plan_from_the_data(tmp_path: Path) -> None:
    db = fx.build(tmp_path / "p.duckdb")
    config = parse_config(fx.CONFIG)
    with open_store(db) as store:
        with store.transaction() as con:  # 300 EUR of Etsy ads a month for a quarter: a budget to move
            con.executemany("""INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc,
                               batch_id, source_line) VALUES (?, 'etsy', ?, 'advertising', 'EUR', 300, 300, 9, 1)""",
                            [(f"ad{m}", f"2025-0{m}-15 10:00:00+00") for m in (4, 5, 6)])
        plan = build_plan(store.con, config, shift=0.3, start="2025-07-02")
        baseline = measure(store.con, D(2025, 6, 30), load_rules().relay_domains)  # the data ends on Jun 30
        plan_id = save_plan(store.con, plan)
        stored = store.con.execute("SELECT count(*) FROM plan_targets WHERE plan_id = ?", [plan_id]).fetchone()[0]
        doc = json.loads(store.con.execute("SELECT document FROM plans").fetchone()[0])
    assert plan.baseline_as_of == D(2025, 6, 30) and plan.baseline == baseline
    assert [(p.name, p.start, p.end) for p in plan.phases] == [
        ("foundation", D(2025, 7, 2), D(2025, 10, 2)), ("enablement", D(2025, 10, 2), D(2026, 7, 2)),
        ("ecosystem", D(2026, 7, 2), D(2028, 7, 2))]
    assert plan.shift == pytest.approx(0.3) and plan.platform_ad_budget_per_month > 0
    assert plan.budget_to_move_per_month == pytest.approx(0.3 * plan.platform_ad_budget_per_month, abs=0.01)
    ramp = (1 / 3 + 2 / 3 + 1) / 3  # the default 3-month ramp, averaged over months 1-3
    assert plan.phases[0].budget_to_move_per_month == pytest.approx(plan.budget_to_move_per_month * ramp, abs=0.01)
    assert plan.phases[1].budget_to_move_per_month == pytest.approx(plan.budget_to_move_per_month, abs=0.01)
    metrics = {(t.phase, t.metric): t for t in plan.targets}
    assert len(plan.targets) == stored == 12
    contact = [metrics[(p, "owned_contact_share")].target for p in ("foundation", "enablement", "ecosystem")]
    assert contact == pytest.approx([min(0.95, baseline["owned_contact_share"] + g) for g in (0.10, 0.25, 0.40)])
    fee = [metrics[(p, "fee_share")].target for p in ("foundation", "enablement", "ecosystem")]
    assert fee[2] < baseline["fee_share"]  # moving ad money off the platform lowers its cost share
    assert metrics[("ecosystem", "own_site_inquiries_per_month")].target >= 20
    assert plan.invite_first[0]["buyer_id"] == "b_rep"  # 60 EUR of Etsy fees a year
    assert doc["start"] == "2025-07-02" and doc["window_days"] == 91


def test_plan_needs_data(tmp_path: Path) -> None:
    with open_store(tmp_path / "e.duckdb") as store, pytest.raises(NotEnoughData):
        build_plan(store.con)
    with open_store(tmp_path / "e.duckdb") as store, pytest.raises(NotEnoughData, match="no saved plan"):
        plan_vs_actual(store.con)


def test_cli_build_and_check(cli, tmp_path: Path) -> None:
    db = fx.build(tmp_path / "c.duckdb")
    config = tmp_path / "assetkit.yaml"
    config.write_text(yaml.safe_dump(fx.CONFIG), encoding="utf-8")
    base = ["--db", str(db), "--config", str(config)]
    none = cli(*base, "plan", "--check")
    assert none.exit_code == 3 and "no saved plan" in none.output
    built = cli(*base, "plan", "--shift", "20", "--start", "2025-04-01")
    assert built.exit_code == 0, built.output
    assert "Plan from 2025-04-01 (saved as plan 1)" in built.output and "Foundation (2025-04-01 – 2025-07-01)" in built.output
    check = cli(*base, "plan", "--check", "--as-of", "2025-07-01", "-f", "json")
    doc = json.loads(check.output)
    assert doc["kind"] == "plan_check" and doc["plan_id"] == 1 and len(doc["rows"]) == 12
    assert {r["status"] for r in doc["rows"] if r["phase"] == "ecosystem"} == {"pending"}
    assert {r["status"] for r in doc["rows"] if r["phase"] == "foundation"} <= {"ahead", "on track", "behind", "no data"}
    text = cli(*base, "plan", "--check", "--as-of", "2025-07-01")
    assert "Plan 1 (from 2025-04-01) vs actual on 2025-07-01" in text.output
    assert cli(*base, "plan", "--shift", "150").exit_code == 2
    assert cli(*base, "plan", "--check", "--shift", "20").exit_code == 2
    unsaved = cli(*base, "plan", "--no-save", "-f", "json")
    assert unsaved.exit_code == 0 and json.loads(unsaved.output)["plan_id"] is None


def test_report_section(known) -> None:
    from assetkit.export.report.model import ReportContext
    from assetkit.export.report.sections.plan import plan_section

    section = plan_section(ReportContext(known.con, parse_config({}), until=D(2025, 4, 1)))
    assert section.key == "plan" and section.takeaway.startswith("3 of 5 running or due targets are behind plan")
    assert len(section.tables[0].rows) == 6 and section.tables[0].rows[0][-1] in ("ahead", "on track", "behind")
    assert section.data["counts"] == {"ahead": 1, "on track": 1, "behind": 3, "pending": 1}
