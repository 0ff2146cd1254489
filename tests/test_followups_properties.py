"""Invariants of drafts and IDs for any buyer text (hypothesis)."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

from hypothesis import example, given, settings
from hypothesis import strategies as st

from assetkit.analysis.followups.drafts import header_text, to_email
from assetkit.analysis.followups.due import action_id
from assetkit.analysis.followups.model import Action

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
# bodies: any printable text with line breaks (the e-mail package normalises other line separators)
BODY = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")) | st.just("\n"), max_size=200)


def _action(name: str, subject: str, body: str) -> Action:
    return Action("0123456789ab", "r", "first_order_thanks", "b", name, "", "ina@alpha.de", None, "DE", "en",
                  "email", "low", 1.0, "why", {}, "e", None, None, None, subject, body)


@settings(max_examples=150, deadline=None)
@given(name=TEXT, subject=TEXT, body=BODY)
@example(name="", subject="0000 000¡¡¡¡¡¡¡𐀀𐀀𐀀𐀀𐀀 ¡", body="")  # folding once lost the space before "¡"
def test_drafts_keep_exactly_the_known_headers(name: str, subject: str, body: str) -> None:
    msg = to_email(_action(name, subject, body), "sales@acme.example",
                   dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert sorted(k.lower() for k in parsed.keys()) == sorted(
        ["subject", "to", "from", "date", "x-unsent", "x-assetkit-action", "content-type",
         "content-transfer-encoding", "mime-version"])
    assert parsed["Subject"] == header_text(subject)
    assert parsed["To"].addresses[0].addr_spec == "ina@alpha.de"
    # the body is unchanged line by line (the e-mail package only normalises line endings)
    assert parsed.get_content().splitlines() == (body.splitlines() or [""])


@given(TEXT)
def test_header_text_is_one_clean_line(value: str) -> None:
    out = header_text(value)
    assert not any(ord(c) < 32 or ord(c) == 127 for c in out) and out == out.strip()


@given(TEXT, TEXT, TEXT)
def test_ids_are_twelve_hex_digits_and_deterministic(rule: str, buyer: str, event: str) -> None:
    first = action_id(rule, buyer, event)
    assert first == action_id(rule, buyer, event) and len(first) == 12 and int(first, 16) >= 0
