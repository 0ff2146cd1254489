"""Follow-up rules: each trigger fires for its fixture buyer and not for the control buyer,
with the hand-computed numbers of tests/helpers/followups.py; done actions stay done."""

from __future__ import annotations

from pathlib import Path

import pytest

import tests.helpers.followups as fx
from assetkit.analysis.followups import (
    action_id,
    due_actions,
    load_rules,
    mark_done,
    migration_candidates,
)
from assetkit.analysis.followups.rules import parse_rules
from assetkit.analysis.followups.triggers import run_trigger
from assetkit.config import parse_config
from assetkit.errors import ConfigError, UsageError
from assetkit.store import open_store

CONFIG = parse_config(fx.CONFIG)


@pytest.fixture
def store(tmp_path: Path):
    with open_store(fx.build(tmp_path / "f.duckdb")) as s:
        yield s


@pytest.fixture(scope="module")
def due(tmp_path_factory: pytest.TempPathFactory):
    """The due list is read-only for most tests: build it once per module."""
    with open_store(fx.build(tmp_path_factory.mktemp("due") / "f.duckdb")) as s:
        return due_actions(s.con, CONFIG, as_of=fx.AS_OF)


def by_rule(result, rule: str) -> dict[str, object]:
    return {a.buyer_id: a for a in result.actions if a.rule == rule}


def test_the_due_list_is_exactly_the_fixture_expectation(due) -> None:
    assert sorted((a.rule, a.buyer_id) for a in due.actions) == sorted([
        ("unanswered_inquiry", "b_inq"), ("quote_no_order", "b_quote"), ("overdue_repeat", "b_rep"),
        ("clv_at_risk", "b_rep"), ("invite_to_own_site", "b_rep"), ("invite_to_own_site", "b_relay"),
        ("invite_to_own_site", "b_qord"), ("thank_first_order", "b_new")])
    values = [a.expected_value for a in due.actions]
    assert values == sorted(values, reverse=True)


def test_reference_figures(due) -> None:
    ref = due.reference
    assert ref["aov"] == pytest.approx(1530 / 14)  # 14 non-cancelled orders worth 1530 EUR
    assert ref["median_order"] == 100
    assert ref["conversion"] == pytest.approx(1 / 6)  # only i_qord was followed by an order
    assert ref["conversion_answered"] == pytest.approx(1 / 3)
    assert ref["repeat_rate"] == pytest.approx(3 / 7)  # b_rep, b_rep_ok, b_relay of 7 buyers with orders


def test_unanswered_inquiry_fires_after_the_hours_and_not_before_or_when_lost(due) -> None:
    hit = by_rule(due, "unanswered_inquiry")
    assert set(hit) == {"b_inq"}  # b_fast: 16 h < 24 h; b_old: 91 days > max_days 30
    a = hit["b_inq"]
    assert a.numbers["hours_open"] == 48.0 and a.event == "i_inq"
    assert a.expected_value == pytest.approx(1 / 6 * 1530 / 14 * 0.4)
    assert "48 h" in a.reason and "24 h" in a.reason


def test_quote_without_order_fires_for_the_old_answer_only(due) -> None:
    hit = by_rule(due, "quote_no_order")
    assert set(hit) == {"b_quote"}  # b_qord ordered after its answer
    a = hit["b_quote"]
    assert a.event == "i_quote" and a.numbers["days_since_answer"] == 20  # i_quote2 is only 3 days old
    assert a.expected_value == pytest.approx(1 / 3 * 1530 / 14 * 0.4)


def test_overdue_repeat_uses_the_buyers_own_rhythm(due) -> None:
    hit = by_rule(due, "overdue_repeat")
    assert set(hit) == {"b_rep"}  # b_rep_ok: 11 days since, median gap 30
    n = hit["b_rep"].numbers
    assert (n["days_since_last_order"], n["median_gap_days"], n["order_days"]) == (91, 30, 4)
    assert hit["b_rep"].expected_value == pytest.approx(40.0)  # average order 100 x margin 0.4


def test_migration_invite_values_a_year_of_fees(due) -> None:
    hit = by_rule(due, "invite_to_own_site")
    assert set(hit) == {"b_rep", "b_relay", "b_qord"}  # b_own and b_rep_ok buy on the own site
    assert hit["b_rep"].expected_value == pytest.approx(400 * 0.15)  # alibaba: 60 fees / 400 revenue
    assert hit["b_relay"].expected_value == pytest.approx(80 * 0.10)  # indiamart: 13 / 130
    assert hit["b_relay"].channel == "none" and hit["b_relay"].email is None  # relay address is not owned


def test_first_order_thanks_within_the_window_only(due) -> None:
    hit = by_rule(due, "thank_first_order")
    assert set(hit) == {"b_new"}  # b_new_old's single order is four months old
    assert hit["b_new"].numbers == {"days_since_order": 6.0, "order_value": 60.0}
    assert hit["b_new"].expected_value == pytest.approx(1530 / 14 * 0.4 * 3 / 7)


def test_clv_at_risk_end_to_end_and_not_for_the_active_top_buyer(due) -> None:
    hit = by_rule(due, "clv_at_risk")
    assert set(hit) == {"b_rep"}  # b_rep_ok is #1 by revenue but ordered 11 days ago
    n = hit["b_rep"].numbers
    assert n["revenue_rank"] == 2 and n["p_alive"] < 0.5
    assert hit["b_rep"].expected_value == pytest.approx(n["clv"] / n["p_alive"] - n["clv"])


def test_clv_at_risk_sql_with_known_predictions(store) -> None:
    store.con.execute("CREATE OR REPLACE TEMP TABLE _ak_fu_clv AS SELECT * FROM (VALUES "
                      "('b_rep_ok', 0.3, 100.0), ('b_rep', 0.9, 50.0), ('b_new', 0.1, 5.0)) t(buyer_id, p_alive, clv)")
    rows = run_trigger(store.con, "clv_at_risk", {"top_share": 0.2, "max_p_alive": 0.5}, fx.AS_OF, {})
    # top 20 % of 7 buyers = ceil(1.4) = 2: b_rep_ok (800) and b_rep (400); only b_rep_ok is below 0.5;
    # b_new has P(alive) 0.1 but is not a top buyer
    assert [r["buyer_id"] for r in rows] == ["b_rep_ok"]
    assert rows[0]["value"] == pytest.approx(100 / 0.3 - 100)


def test_priorities_from_expected_value(due) -> None:
    # unit = median order 100 x margin 0.4 = 40; high >= 80, medium >= 20
    prio = {(a.rule, a.buyer_id): a.priority for a in due.actions}
    assert prio[("clv_at_risk", "b_rep")] == "high"
    assert prio[("invite_to_own_site", "b_rep")] == "medium" and prio[("overdue_repeat", "b_rep")] == "medium"
    assert prio[("thank_first_order", "b_new")] == "low"


def test_ids_are_stable_and_depend_on_rule_buyer_and_event(store, due) -> None:
    again = due_actions(store.con, CONFIG, as_of=fx.AS_OF)
    assert [a.action_id for a in again.actions] == [a.action_id for a in due.actions]
    assert action_id("r", "b", "e1") != action_id("r", "b", "e2") != action_id("r2", "b", "e1")
    assert len({a.action_id for a in due.actions}) == len(due.actions)


def test_done_actions_are_not_repeated(store, due) -> None:
    invite = by_rule(due, "invite_to_own_site")["b_rep"]
    thanks = by_rule(due, "thank_first_order")["b_new"]
    first = mark_done(store.con, invite.action_id[:6], CONFIG, note="called", as_of=fx.AS_OF)
    assert (first.action_id, first.rule, first.buyer_id, first.already_done) == (invite.action_id, "invite_to_own_site",
                                                                                  "b_rep", False)
    mark_done(store.con, thanks.action_id, CONFIG, as_of=fx.AS_OF)
    after = due_actions(store.con, CONFIG, as_of=fx.AS_OF)
    ids = {a.action_id for a in after.actions}
    assert invite.action_id not in ids and thanks.action_id not in ids
    # the thank-you is hidden as done; an invited buyer is no longer a candidate at all
    assert len(after.actions) == len(due.actions) - 2 and after.done_hidden == 1
    assert "b_rep" not in {c["buyer_id"] for c in migration_candidates(store.con, fx.AS_OF)}
    again = mark_done(store.con, invite.action_id, CONFIG, as_of=fx.AS_OF)
    assert again.already_done and again.note == "called"
    assert store.con.execute("SELECT count(*) FROM actions_done").fetchone()[0] == 2


def test_done_rejects_unknown_and_malformed_ids(store) -> None:
    with pytest.raises(UsageError, match="no due follow-up"):
        mark_done(store.con, "abcdef123456", CONFIG, as_of=fx.AS_OF)
    with pytest.raises(UsageError, match="not an action ID"):
        mark_done(store.con, "x'; DROP TABLE orders", CONFIG, as_of=fx.AS_OF)


def test_disabled_rules_and_changed_thresholds(store, tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("rules:\n  - {id: fast_reply, trigger: unanswered_inquiry, hours: 12}\n"
                     "  - {id: thanks, trigger: first_order_thanks, enabled: false}\n", encoding="utf-8")
    result = due_actions(store.con, CONFIG, rules_path=rules, as_of=fx.AS_OF)
    assert sorted(a.buyer_id for a in result.actions) == ["b_fast", "b_inq"]  # 16 h now counts


@pytest.mark.parametrize("body, message", [
    ("rules: []", "non-empty `rules:`"),
    ("rules:\n  - {id: a, trigger: nope}", "trigger must be one of"),
    ("rules:\n  - {id: a, trigger: overdue_repeat, hours: 3}", "unknown key"),
    ("rules:\n  - {id: a, trigger: clv_at_risk, top_share: 2}", "share in"),
    ("rules:\n  - {id: a, trigger: quote_no_order, days: 9, max_days: 5}", "max_days"),
    ("rules:\n  - {id: a, trigger: overdue_repeat, min_orders: 1}", "at least 2"),
    ("rules:\n  - {id: a, trigger: first_order_thanks}\n  - {id: a, trigger: first_order_thanks}", "used twice"),
    ("rules:\n  - {id: Bad-Id, trigger: first_order_thanks}", "lower_snake_case"),
    ("rules:\n  - {id: a, trigger: quote_no_order, days: -1}", ">= 0"),
])
def test_rule_validation_names_the_rule(body: str, message: str) -> None:
    import yaml

    with pytest.raises(ConfigError, match=message):
        parse_rules(yaml.safe_load(body), "my.yaml")


def test_shipped_rules_cover_every_trigger() -> None:
    from assetkit.analysis.followups.rules import TRIGGERS

    rules = load_rules()
    assert {r.trigger for r in rules.rules} == set(TRIGGERS)
    assert rules.languages["AT"] == "de" and rules.languages["MX"] == "es"


def test_invites_follow_the_segments_candidates_when_buyers_carry_their_first_channel(tmp_path: Path) -> None:
    from assetkit.analysis.segments import analyse_segments

    with open_store(fx.build(tmp_path / "s.duckdb")) as store:
        store.con.execute("""UPDATE buyers SET first_channel = f.channel, first_platform = f.platform FROM (
            SELECT buyer_id, arg_min(channel, ordered_at) AS channel, arg_min(platform, ordered_at) AS platform
            FROM orders GROUP BY 1) f WHERE f.buyer_id = buyers.buyer_id""")
        seg = {m["buyer_id"]: m for m in analyse_segments(store.con, CONFIG, until="2025-07-01").migration}
        result = due_actions(store.con, CONFIG, as_of=fx.AS_OF)
        cands = migration_candidates(store.con, fx.AS_OF, config=CONFIG)
    invites = by_rule(result, "invite_to_own_site")
    expected = {b for b, m in seg.items() if not m["already_direct"] and m["value_of_moving"] > 0}
    assert set(invites) == expected and expected <= {"b_rep", "b_relay", "b_qord"} and "b_rep" in expected
    for buyer, action in invites.items():
        assert action.expected_value == pytest.approx(seg[buyer]["value_of_moving"])
    assert any("segments" in n for n in result.notes)
    assert [c["buyer_id"] for c in cands] == sorted(expected, key=lambda b: -seg[b]["value_of_moving"])


def test_fallback_values_are_a_year_of_fees(due) -> None:
    assert any("a year of platform fees" in n for n in due.notes)


def test_limit_keeps_the_most_valuable(store, tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("rules:\n  - {id: invite, trigger: migration_invite, limit: 2}\n", encoding="utf-8")
    result = due_actions(store.con, CONFIG, rules_path=rules, as_of=fx.AS_OF)
    assert [a.buyer_id for a in result.actions] == ["b_rep", "b_relay"]  # 60 and 8 EUR; b_qord (5) cut
    assert "invite: 1 more due, not shown (limit 2)" in result.notes
    with pytest.raises(ConfigError, match="limit"):
        parse_rules({"rules": [{"id": "a", "trigger": "migration_invite", "limit": 0}]}, "x")
