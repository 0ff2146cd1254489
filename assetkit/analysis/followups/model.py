"""What the follow-up modules share: an action, and the moment a due list is computed for.

Kept apart from due.py (which builds the list from candidates, rules and drafts) so that the
candidates and the drafts can name these without importing the module that imports them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from assetkit.errors import UsageError


@dataclass
class Action:
    action_id: str
    rule: str
    trigger: str
    buyer_id: str | None
    name: str
    company: str
    email: str | None
    phone: str | None
    country: str | None
    language: str
    channel: str  # email | phone | none: the contact we own
    priority: str  # high | medium | low
    expected_value: float
    reason: str
    numbers: dict[str, float]
    event: str
    event_at: dt.datetime | None
    product: str | None
    platform: str | None
    subject: str
    body: str
    # what the buyer is likely to order next (assetkit.analysis.recommend): product, reason, ...
    recommendations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return self.name or self.company

    def csv_row(self) -> list[Any]:
        return [self.action_id, self.priority, round(self.expected_value, 2), self.rule, self.buyer_id,
                self.name, self.company, self.country, self.language, self.channel, self.email, self.phone,
                self.reason, self.event, self.event_at, self.subject,
                "; ".join(f"{r['product']} ({r['reason']})" for r in self.recommendations)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_of_timestamp(as_of: dt.datetime | dt.date | str | None) -> dt.datetime:
    """`None` is now; a date means the end of that day (UTC)."""
    if as_of is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if isinstance(as_of, str):
        try:
            as_of = dt.datetime.fromisoformat(as_of) if "T" in as_of or " " in as_of else dt.date.fromisoformat(as_of)
        except ValueError:
            raise UsageError(f"--as-of {as_of!r} is not a date or timestamp",
                             hint="write YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+00:00") from None
    if not isinstance(as_of, dt.datetime):
        as_of = dt.datetime.combine(as_of, dt.time(23, 59, 59))
    return as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
