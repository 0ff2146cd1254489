"""Drafts: .eml files any mail client opens, with safe headers and literal buyer text."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

import tests.helpers.followups as fx
from assetkit.analysis.followups import due_actions, write_drafts
from assetkit.analysis.followups.drafts import Drafter, header_text
from assetkit.config import parse_config
from assetkit.errors import ConfigError
from assetkit.store import open_store


def _due(tmp_path: Path, buyers=None, config=None, inquiries=None):
    if inquiries is not None:
        original = fx.INQUIRIES[:]
        fx.INQUIRIES[:] = inquiries
    try:
        db = fx.build(tmp_path / "d.duckdb", buyers=buyers)
    finally:
        if inquiries is not None:
            fx.INQUIRIES[:] = original
    with open_store(db) as s:
        return due_actions(s.con, parse_config(config or fx.CONFIG), as_of=fx.AS_OF)


def _read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_every_draft_parses_with_the_right_headers(tmp_path: Path) -> None:
    result = _due(tmp_path)
    paths = write_drafts(result.actions, tmp_path / "drafts", sender="Acme Tools <sales@acme.example>")
    assert sorted(p.name for p in paths) == sorted(f"{a.action_id}.eml" for a in result.actions)
    for action, path in zip(result.actions, paths):
        msg = _read(path)
        assert msg["X-Unsent"] == "1" and msg["X-Assetkit-Action"] == action.action_id
        assert msg["Subject"] == action.subject and msg["From"] == "Acme Tools <sales@acme.example>"
        assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
        assert msg.get_content() == action.body
        if action.channel == "email":
            assert msg["To"].addresses[0].addr_spec == action.email
        else:
            assert msg["To"] is None  # no owned address: a draft without recipient
    ina = next(a for a in result.actions if a.buyer_id == "b_inq")
    msg = _read(tmp_path / "drafts" / f"{ina.action_id}.eml")
    assert str(msg["To"]) == "Ina Weber <ina@alpha.de>"
    assert msg["Subject"] == "Ihre Anfrage zu Torque wrench"  # German buyer, German template
    assert msg.get_content().startswith("Guten Tag Ina Weber,")


def test_buyer_names_with_newlines_cannot_add_headers(tmp_path: Path) -> None:
    buyers = [("b_inq", "Eve\r\nBcc: attacker@evil.example", "X\nCc: a@b.c", "ina@alpha.de", None, "DE")]
    inquiries = [("i_inq", "shopify", "own_site", "b_inq", "2025-06-29 12:00:00+00",
                  "Wrench\r\nBcc: other@evil.example", None)]
    result = _due(tmp_path, buyers=buyers, inquiries=inquiries)
    [action] = [a for a in result.actions if a.rule == "unanswered_inquiry"]
    [path] = write_drafts([action], tmp_path / "d")
    head = path.read_bytes().split(b"\n\n", 1)[0]
    msg = _read(path)
    assert msg["Bcc"] is None and msg["Cc"] is None and b"\nBcc:" not in head and b"\nCc:" not in head
    assert msg["To"].addresses[0].addr_spec == "ina@alpha.de"
    assert msg["To"].addresses[0].display_name == "Eve Bcc: attacker@evil.example"
    assert msg["Subject"] == "Ihre Anfrage zu Wrench Bcc: other@evil.example"
    assert msg.get_content().startswith("Guten Tag Eve")  # nothing moved from the subject into the body


def test_buyer_text_is_never_template_source(tmp_path: Path) -> None:
    buyers = [("b_inq", "{{ 7*7 }} {% if true %}x{% endif %}", None, "ina@alpha.de", None, "US")]
    result = _due(tmp_path, buyers=buyers)
    [action] = [a for a in result.actions if a.rule == "unanswered_inquiry"]
    assert "Dear {{ 7*7 }} {% if true %}x{% endif %}," in action.body and "49" not in action.body
    [path] = write_drafts([action], tmp_path / "d")
    assert "{{ 7*7 }}" in _read(path).get_content()


def test_language_falls_back_to_english(tmp_path: Path) -> None:
    result = _due(tmp_path)
    langs = {(a.rule, a.buyer_id): a.language for a in result.actions}
    assert langs[("overdue_repeat", "b_rep")] == "es"  # Spain
    assert langs[("thank_first_order", "b_new")] == "fr"
    assert langs[("quote_no_order", "b_quote")] == "en"  # US


def test_user_templates_override_and_sandbox(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "unanswered_inquiry.en.txt.j2").write_text("Subject: Hi {{ name }}\n\nBody for {{ product }}\n",
                                                         encoding="utf-8")
    drafter = Drafter("Acme", templates_dir=folder)
    draft = drafter.render("unanswered_inquiry", "en", {"name": "Bo", "product": "Saw", "company": "",
                                                         "platform": "", "numbers": {}})
    assert (draft.subject, draft.body) == ("Hi Bo", "Body for Saw\n")
    (folder / "quote_no_order.en.txt.j2").write_text("Subject: x\n\n{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    with pytest.raises(ConfigError):  # the sandbox refuses attribute escapes
        drafter.render("quote_no_order", "en", {"name": "", "product": "", "company": "", "platform": "",
                                                "numbers": {}})
    with pytest.raises(ConfigError, match="does not exist"):
        Drafter("Acme", templates_dir=tmp_path / "missing")


def test_template_without_subject_line_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "first_order_thanks.en.txt.j2").write_text("Hello\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Subject"):
        Drafter("Acme", templates_dir=folder).render("first_order_thanks", "en", {})


@pytest.mark.parametrize("raw, clean", [("a\r\nb", "a b"), ("x\x00y\tz", "x y z"), (None, ""), ("  s  ", "s")])
def test_header_text(raw, clean) -> None:
    assert header_text(raw) == clean


def test_every_shipped_template_renders(tmp_path: Path) -> None:
    from importlib import resources

    folder = Path(str(resources.files("assetkit").joinpath("data", "followup_templates")))
    drafter = Drafter("Acme", site_url="https://acme.example")
    numbers = {"median_gap_days": 30.0, "days_since_last_order": 91.0}
    names = sorted(folder.glob("*.txt.j2"))
    assert len(names) >= 20
    for path in names:
        template, lang = path.name.split(".")[:2]
        for name in ("", "Ana"):
            draft = drafter.render(template, lang, {"name": name, "company": "", "product": "Saw",
                                                    "platform": "etsy", "numbers": numbers})
            assert draft.language == lang and draft.subject and "{{" not in draft.body and "Acme" in draft.body


RECS = [{"product": "Mayo Scissors", "bought": "Steel Valve", "reason": "bought Steel Valve; 40% ..."},
        {"product": "Scalpel", "bought": None, "reason": "30% of your buyers ordered Scalpel"}]
RECS_WITH = {"en": "often ordered with", "de": "oft zusammen bestellt mit", "es": "a menudo junto con",
             "fr": "souvent commandé avec"}


@pytest.mark.parametrize("lang", ["en", "de", "es", "fr"])
@pytest.mark.parametrize("template", ["overdue_repeat", "first_order_thanks"])
def test_repeat_and_thanks_drafts_list_recommendations(template: str, lang: str) -> None:
    drafter = Drafter("Acme")
    numbers = {"median_gap_days": 30.0, "days_since_last_order": 91.0}
    base = {"name": "Ana", "company": "", "product": "Saw", "platform": "etsy", "numbers": numbers}
    plain = drafter.render(template, lang, base).body
    body = drafter.render(template, lang, {**base, "recommendations": RECS}).body
    assert "Mayo Scissors" not in plain and "\n\n\n" not in plain
    assert f"- Mayo Scissors ({RECS_WITH[lang]} Steel Valve)\n- Scalpel\n\n" in body
