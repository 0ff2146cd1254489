"""Follow-ups: owned data turned into due actions with drafted messages.

Public API:
    due_actions(con, config=None, rules_path=None, as_of=None) -> FollowUps
    mark_done(con, action_id, config=None, note=None, rules_path=None, as_of=None) -> DoneResult
    write_drafts(actions, folder, sender=None) -> list[Path]      (.eml, never sent)
    migration_candidates(con, as_of=None, limit=None) -> list[dict]
    load_rules(path=None) -> FollowUpRules
"""

from assetkit.analysis.followups.candidates import migration_candidates
from assetkit.analysis.followups.done import DoneResult, mark_done
from assetkit.analysis.followups.drafts import write_drafts
from assetkit.analysis.followups.due import (
           CSV_HEADER,
           FollowUps,
           action_id,
           due_actions,
)
from assetkit.analysis.followups.model import Action
from assetkit.analysis.followups.rules import FollowUpRules, load_rules

__all__ = [
           "CSV_HEADER",
           "Action",
           "DoneResult",
           "FollowUpRules",
           "FollowUps",
           "action_id",
           "due_actions",
           "load_rules",
           "mark_done",
           "migration_candidates",
           "write_drafts",
]
