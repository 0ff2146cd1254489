"""Recording follow-ups as done, so the next run does not list them again."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.analysis.followups.due import due_actions
from assetkit.analysis.followups.model import as_of_timestamp
from assetkit.errors import UsageError

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

_ID_RE = re.compile(r"^[0-9a-f]{6,12}$")


@dataclass
class DoneResult:
    action_id: str
    rule: str
    buyer_id: str | None
    done_at: dt.datetime
    already_done: bool
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mark_done(con: duckdb.DuckDBPyConnection, action: str, config: Config | None = None, note: str | None = None,
              rules_path: str | Path | None = None, as_of: dt.datetime | dt.date | str | None = None,
              now: dt.datetime | None = None) -> DoneResult:
    """Record the due action with this ID (or unique prefix of at least 6 digits) as done.

    The action must be on the due list at `as_of` (default now): that is what gives it a rule
    and a buyer. Marking an action twice is harmless and says when it was first done.
    """
    key = action.strip().lower()
    if not _ID_RE.match(key):
        raise UsageError(f"{action!r} is not an action ID",
                         hint="IDs are the 12 hex digits in the first column of `assetkit follow-ups` (6+ suffice)")
    prior = con.execute("SELECT action_id, rule, buyer_id, done_at, note FROM actions_done "
                        "WHERE starts_with(action_id, $k)", {"k": key}).fetchall()
    if len(prior) == 1:
        aid, rule, buyer, at, old_note = prior[0]
        return DoneResult(aid, rule, buyer, at, True, old_note)
    due = [a for a in due_actions(con, config, rules_path, as_of).actions if a.action_id.startswith(key)]
    if not due:
        raise UsageError(f"no due follow-up has the ID {action}",
                         hint="run `assetkit follow-ups` to list the due actions and their IDs")
    if len(due) > 1:
        raise UsageError(f"the ID prefix {action} matches {len(due)} actions",
                         hint="give more digits of the ID")
    hit = due[0]
    when = now or as_of_timestamp(None)
    con.execute("INSERT INTO actions_done (action_id, rule, kind, buyer_id, done_at, note) VALUES (?, ?, ?, ?, ?, ?)",
                [hit.action_id, hit.rule, hit.trigger, hit.buyer_id, when, note])
    return DoneResult(hit.action_id, hit.rule, hit.buyer_id, when, False, note)
