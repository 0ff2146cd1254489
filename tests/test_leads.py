"""Lead scoring: each default rule fires exactly when it should, open-inquiry logic, ordering,
hand-computed totals, rule-file validation and the `assetkit leads` command."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assetkit.analysis.lead_rules import load_rules
from assetkit.analysis.leads import score_leads
from assetkit.config import Config
from assetkit.errors import ConfigError
from tests.helpers.site import fresh_store

AS_OF = datetime(2024, 3, 10, tzinfo=UTC)
CONFIG = Config(target_markets=("DE",))


def _store(path: Path, buyer: dict[str, Any] | None = None, inquiry: dict[str, Any] | None = None,
           extra: tuple[str, ...] = ()) -> Any:
    store = fresh_store(path)
    con = store.con
    con.execute("INSERT INTO products (product_id, sku, name, moq, batch_id, source_line) "
                "VALUES ('p1', 'SV-1', 'Steel Valve', 100, 1, 1)")
    b = {"email": "anna@importer.de", "phone": None, "country": "FR", **(buyer or {})}
    con.execute("INSERT INTO buyers (buyer_id, name, company, email, phone, country) VALUES ('b', 'Anna', 'Imp', ?, ?, ?)",
                [b["email"], b["phone"], b["country"]])
    q = {"received_at": "2024-03-01 00:00:00", "product": None, "quantity": None, "subject": "",
         "message": "Hello, please tell me more.", "country": None, "first_response_at": "2024-03-01 12:00:00",
         "buyer_id": "b", **(inquiry or {})}
    con.execute("INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at, "
                "product, quantity, subject, message, country, first_response_at, batch_id, source_line) "
                "VALUES ('q', 'alibaba', 'marketplace', 'q', ?, ?, ?, ?, ?, ?, ?, ?, 1, 2)",
                [q["buyer_id"], q["received_at"], q["product"], q["quantity"], q["subject"], q["message"],
                 q["country"], q["first_response_at"]])
    for sql in extra:
        con.execute(sql)
    return store


def _fired(tmp_path: Path, **kwargs: Any) -> dict[str, Any]:
    with _store(tmp_path / "db.duckdb", **kwargs) as store:
        result = score_leads(store.con, CONFIG, as_of=AS_OF)
    lead = next(x for x in result.leads if x.inquiry_id == "q")
    return {r["id"]: r["points"] for r in lead.rules_fired} | {"_score": lead.score, "_grade": lead.grade}


ORDER_BEFORE = ("INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, "
                "currency, gross_amount, batch_id, source_line) VALUES "
                "('o0', 'alibaba', 'marketplace', 'o0', 'b', '2024-01-01', '{status}', 'USD', 10, 1, 1)")
PRIOR_INQUIRY = ("INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at, "
                 "batch_id, source_line) VALUES ('q0', 'alibaba', 'marketplace', 'q0', 'b', '2024-02-01', 1, 1)")
LONG = "x" * 200

CASES = [
    ("business_email", {"buyer": {"email": "anna@importer.de"}}, {"buyer": {"email": "anna@gmail.com"}}),
    ("free_mail", {"buyer": {"email": "Anna@GMAIL.com"}}, {"buyer": {"email": "anna@importer.de"}}),
    ("no_contact_details", {"buyer": {"email": None}}, {"buyer": {"email": None, "phone": "+1 555 123"}}),
    ("target_market", {"inquiry": {"country": "de"}}, {"inquiry": {"country": "US"}}),
    ("target_market", {"buyer": {"country": "DE"}}, {"buyer": {"country": "AT"}}),
    ("existing_customer", {"extra": (ORDER_BEFORE.format(status="completed"),)},
     {"extra": (ORDER_BEFORE.format(status="cancelled"),)}),
    ("repeat_inquirer", {"extra": (PRIOR_INQUIRY,)}, {}),
    ("product_in_catalogue", {"inquiry": {"product": "steel valve"}}, {"inquiry": {"product": "Gold bars"}}),
    ("product_in_catalogue", {"inquiry": {"product": "sv-1"}}, {"inquiry": {"product": None}}),
    ("product_not_sold", {"inquiry": {"product": "Gold bars"}}, {"inquiry": {"product": None}}),
    ("quantity_meets_moq", {"inquiry": {"product": "Steel Valve", "quantity": 100}},
     {"inquiry": {"product": "Steel Valve", "quantity": 99}}),
    ("quantity_below_moq", {"inquiry": {"product": "Steel Valve", "quantity": 99}},
     {"inquiry": {"product": "Gold", "quantity": 1}}),
    ("quantity_absurd", {"inquiry": {"product": "Steel Valve", "quantity": 100000}},
     {"inquiry": {"product": "Steel Valve", "quantity": 99999}}),
    ("detailed_message", {"inquiry": {"message": LONG}}, {"inquiry": {"message": LONG[:199]}}),
    ("very_short_message", {"inquiry": {"message": "x" * 29}}, {"inquiry": {"message": "x" * 30}}),
    ("mentions_specs", {"inquiry": {"message": "Material A105, DN50"}}, {"inquiry": {"message": "Hello friend"}}),
    ("mentions_specs", {"inquiry": {"message": "bore 50 mm please"}}, {}),
    ("mentions_certifications", {"inquiry": {"message": "Do you have ISO 9001?"}},
     {"inquiry": {"message": "Do you have isolation?"}}),
    ("mentions_incoterms", {"inquiry": {"subject": "Price FOB Ningbo"}}, {"inquiry": {"message": "forbidden cifra"}}),
    ("asks_for_sample", {"inquiry": {"message": "Can we get samples first?"}}, {}),
    ("catalogue_only", {"inquiry": {"message": "Please send your catalogue."}},
     {"inquiry": {"message": "Please send your catalogue of DN50 valves, FOB"}}),
    ("answered_quickly", {"inquiry": {"first_response_at": "2024-03-01 05:00:00"}},
     {"inquiry": {"first_response_at": "2024-03-02 06:00:00"}}),
    ("answered_slowly", {"inquiry": {"first_response_at": "2024-03-04 01:00:00"}},
     {"inquiry": {"first_response_at": "2024-03-02 00:00:00"}}),
    ("going_cold", {"inquiry": {"first_response_at": None}},
     {"inquiry": {"first_response_at": None, "received_at": "2024-03-04 00:00:01"}}),
    ("spam_markers", {"inquiry": {"message": "Pay via Western Union"}}, {"inquiry": {"message": "union of parts"}}),
]


@pytest.mark.parametrize(("rule", "fires", "quiet"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_fires_only_when_it_should(tmp_path: Path, rule: str, fires: dict, quiet: dict) -> None:
    assert rule in _fired(tmp_path / "a", **fires)
    assert rule not in _fired(tmp_path / "b", **quiet)


def test_every_default_rule_has_a_test() -> None:
    assert {r.id for r in load_rules().rules} == {c[0] for c in CASES}


def test_hand_computed_score_grade_and_action(tmp_path: Path) -> None:
    fired = _fired(tmp_path, buyer={"email": "anna@importer.de", "country": "DE"}, inquiry={
        "product": "Steel Valve", "quantity": 500, "first_response_at": None,
        "message": "Need 500 pcs, material A105, FOB Shanghai"})
    # business_email 15 + target_market 10 + product_in_catalogue 10 + quantity_meets_moq 15
    # + mentions_specs 10 + mentions_incoterms 10 + going_cold -10 = 60
    assert fired["_score"] == 60.0 and fired["_grade"] == "A"
    assert set(fired) - {"_score", "_grade"} == {"business_email", "target_market", "product_in_catalogue",
                                                  "quantity_meets_moq", "mentions_specs", "mentions_incoterms",
                                                  "going_cold"}


def test_disqualified_is_graded_x_and_sorted_last(tmp_path: Path) -> None:
    extra = (("INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at, message, "
              "first_response_at, batch_id, source_line) VALUES "
              "('low', 'alibaba', 'marketplace', 'low', NULL, '2024-03-02', 'hi', '2024-03-02', 1, 3)"),)
    with _store(tmp_path / "db.duckdb", inquiry={"message": "registration fee by western union, ISO 9001 FOB"},
                extra=extra) as store:
        result = score_leads(store.con, CONFIG, as_of=AS_OF)
    assert [x.inquiry_id for x in result.leads] == ["low", "q"]
    assert result.leads[1].grade == "X" and "verify the sender" in result.leads[1].next_action
    assert result.leads[0].score > result.leads[1].score or result.leads[0].grade != "X"


def test_unanswered_prefix_names_the_days(tmp_path: Path) -> None:
    with _store(tmp_path / "db.duckdb", inquiry={"first_response_at": None}) as store:
        lead = score_leads(store.con, CONFIG, as_of=AS_OF).leads[0]
    assert lead.next_action.startswith("No reply yet after 9 days") and not lead.answered


def test_only_open_inquiries_are_scored(tmp_path: Path) -> None:
    order_after = ("INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, "
                   "currency, gross_amount, batch_id, source_line) VALUES "
                   "('o1', 'alibaba', 'marketplace', 'o1', 'b', '2024-03-05', '{status}', 'USD', 10, 1, 1)")
    with _store(tmp_path / "a.duckdb", extra=(order_after.format(status="completed"),)) as store:
        closed = score_leads(store.con, CONFIG, as_of=AS_OF)
    assert closed.leads == [] and closed.total_inquiries == 1 and closed.open_inquiries == 0
    with _store(tmp_path / "b.duckdb", extra=(order_after.format(status="cancelled"),)) as store:
        assert [x.inquiry_id for x in score_leads(store.con, CONFIG, as_of=AS_OF).leads] == ["q"]
    with _store(tmp_path / "c.duckdb", extra=(order_after.format(status="completed"),)) as store:
        before = score_leads(store.con, CONFIG, as_of=datetime(2024, 3, 3, tzinfo=UTC))
    assert [x.inquiry_id for x in before.leads] == ["q"]  # the order had not happened yet


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("rules:\n  - {id: spammy, type: texty, points: 1}\n", "rule 'spammy' (#1): type must be one of"),
    ("rules:\n  - {id: a, type: flag, signal: rich_buyer, points: 1}\n", "rule 'a' (#1): signal must be one of"),
    ("rules:\n  - {id: ok, type: flag, signal: free_mail, points: 1}\n  - {id: nopts, type: flag, signal: free_mail}\n",
     "rule 'nopts' (#2): points must be a number"),
    ("rules:\n  - {id: a, type: flag, signal: free_mail, pionts: 1, points: 2}\n", "rule 'a' (#1): unknown key(s) pionts"),
    ("rules:\n  - {id: a, type: flag, signal: free_mail, points: 1}\n  - {id: a, type: flag, signal: free_mail, points: 1}\n",
     "rule 'a' (#2): the id is used twice"),
    ("rules:\n  - {id: t, type: threshold, metric: message_length, min: 5, max: 5, points: 1}\n", "rule 't' (#1): min (5)"),
    ("rules:\n  - {id: t, type: threshold, metric: mood, min: 5, points: 1}\n", "rule 't' (#1): metric must be"),
    ("rules:\n  - {id: t, type: threshold, metric: quantity, points: 1}\n", "rule 't' (#1): a threshold rule needs"),
    ("rules:\n  - {id: x, type: text, patterns: [], points: 1}\n", "rule 'x' (#1): patterns must be"),
    ("rules:\n  - {id: Bad-Id, type: flag, signal: free_mail, points: 1}\n", "rule #1: id must be"),
    ("rules:\n  - {id: inf, type: flag, signal: free_mail, points: .inf}\n", "rule 'inf' (#1): points must be a number"),
    ("rules: []\n", "non-empty `rules:` list"),
    ("rules: [\n", "is not valid YAML"),
    ("!!python/object/apply:os.system ['echo hi']\n", "is not valid YAML"),
])
def test_bad_rules_file_names_the_rule(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_rules(_write(tmp_path, text))
    assert expected in str(err.value) and str(tmp_path / "rules.yaml") in str(err.value)


def test_bad_regex_is_reported_with_the_rule(tmp_path: Path) -> None:
    path = _write(tmp_path, "rules:\n  - {id: broken_regex, type: text, patterns: ['(unclosed'], points: 1}\n")
    with _store(tmp_path / "db.duckdb") as store, pytest.raises(ConfigError, match="rule 'broken_regex' \\(#1\\): invalid"):
        score_leads(store.con, CONFIG, rules_path=path, as_of=AS_OF)


def test_custom_rules_file_replaces_the_default(tmp_path: Path) -> None:
    path = _write(tmp_path, "version: 3\ngrades: [{grade: HOT, min_score: 1, action: Ring now}, "
                            "{grade: COLD, min_score: -100, action: Wait}]\n"
                            "rules:\n  - {id: from_de, type: text, field: email, patterns: ['\\.de$'], points: 7}\n")
    with _store(tmp_path / "db.duckdb") as store:
        result = score_leads(store.con, CONFIG, rules_path=path, as_of=AS_OF)
    lead = result.leads[0]
    assert (lead.score, lead.grade, lead.next_action) == (7.0, "HOT", "Ring now")
    assert result.rules_version == 3 and lead.rules_fired == [{"id": "from_de", "points": 7.0}]


def test_cli_leads_formats_and_bad_rules(cli, tmp_path: Path) -> None:
    _store(tmp_path / "db.duckdb", inquiry={"message": "=HYPERLINK(\"http://x\") ISO 9001"}).close()
    db = str(tmp_path / "db.duckdb")
    out = cli("--db", db, "leads", "--as-of", "2024-03-10", "--format", "json")
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    assert payload["kind"] == "leads" and payload["leads"][0]["inquiry_id"] == "q"
    assert "mentions_certifications" in [r["id"] for r in payload["leads"][0]["rules_fired"]]
    table = cli("--db", db, "leads", "--as-of", "2024-03-10", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert rows[0]["inquiry_id"] == "q" and "mentions_certifications(+5)" in rows[0]["rules_fired"]
    text = cli("--db", db, "leads", "--as-of", "2024-03-10")
    assert text.exit_code == 0 and "Open inquiries: 1 of 1" in text.output
    bad = _write(tmp_path, "rules:\n  - {id: typo_rule, type: flag, signal: nope, points: 1}\n")
    failed = cli("--db", db, "leads", "--rules", str(bad))
    assert failed.exit_code == 2 and "typo_rule" in failed.output
