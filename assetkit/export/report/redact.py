"""Stable pseudonyms for buyer names, companies, emails and phones, so a report can leave the firm.

The same buyer gets the same pseudonym in every report (derived from a hash of the buyer id),
so a consultant can still say "Buyer 3f9a2c orders less often" and the owner can look it up
with `assetkit redact-key`-style joins on their own machine. Redaction is applied to the
report's data before rendering, as a whole-word replacement of every known identifying value,
which also catches a buyer's name repeated inside free text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb


def pseudonym_code(buyer_id: str) -> str:
    return hashlib.sha256(f"assetkit-redact:{buyer_id}".encode()).hexdigest()[:6]


def build_pseudonyms(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Map every identifying string stored for a buyer to its pseudonym."""
    rows = con.execute(
        """
        SELECT b.buyer_id, b.name, b.company, b.email, b.phone, list(DISTINCT i.platform_ref), list(DISTINCT i.email_norm)
        FROM buyers b LEFT JOIN buyer_identities i USING (buyer_id)
        GROUP BY ALL
        """
    ).fetchall()
    mapping: dict[str, str] = {}
    for buyer_id, name, company, email, phone, refs, emails in rows:
        code = pseudonym_code(buyer_id)
        candidates = [
            (name, f"Buyer {code}"),
            (company, f"Company {code}"),
            (email, f"buyer-{code}@redacted.invalid"),
            (phone, f"+00-{code}"),
            (buyer_id, f"buyer-{code}"),
        ]
        candidates += [(ref, f"account-{code}") for ref in refs or []]
        candidates += [(e, f"buyer-{code}@redacted.invalid") for e in emails or []]
        for value, replacement in candidates:
            if value and len(str(value).strip()) >= 2:
                mapping.setdefault(str(value).strip(), replacement)
    return mapping


class Redactor:
    """Replaces every known identifying value, whole-word and case-insensitively, in nested data."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = {k.casefold(): v for k, v in mapping.items()}
        keys = sorted(self.mapping, key=len, reverse=True)
        self.pattern = (
            re.compile("(?<![\\w@.])(" + "|".join(re.escape(k) for k in keys) + ")(?![\\w@])", re.I)
            if keys else None
        )

    def text(self, value: str) -> str:
        if self.pattern is None:
            return value
        return self.pattern.sub(lambda m: self.mapping[m.group(0).casefold()], value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self(v) for v in value)
        return value
