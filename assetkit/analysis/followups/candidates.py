"""Migration candidates: marketplace buyers worth inviting to order directly.

A candidate's latest order came through a marketplace, they never ordered on an owned
channel and have not been invited yet (no done `migration_invite` action). The value of
moving them is a year of the platform's fees on their last-12-month revenue. This is the
small stand-in for the segments module's candidate list (branch clv), computed from the
same tables; `assetkit plan` lists the top of it as the buyers to invite first.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from assetkit.analysis.followups.triggers import run_trigger

if TYPE_CHECKING:
    import duckdb


def migration_candidates(con: "duckdb.DuckDBPyConnection", as_of: dt.datetime | dt.date | str | None = None,
                         limit: int | None = None) -> list[dict[str, Any]]:
    """Candidates, largest yearly fee saving first; contact fields say whether we can reach them."""
    from assetkit.analysis.followups.due import as_of_timestamp

    when = as_of_timestamp(as_of)
    rows = run_trigger(con, "migration_invite", {"min_orders": 1, "min_fee_saved": 0}, when, {})
    rows.sort(key=lambda r: (-float(r["value"] or 0), str(r["buyer_id"])))
    rows = rows[:limit] if limit is not None else rows
    ids = [str(r["buyer_id"]) for r in rows]
    cur = con.execute("SELECT buyer_id, coalesce(company, name, ''), trim(email) LIKE '%_@_%._%', "
                      "coalesce(trim(phone), '') <> '' FROM buyers WHERE buyer_id IN (SELECT unnest($ids))",
                      {"ids": ids})
    who = {r[0]: r[1:] for r in cur.fetchall()}
    out = []
    for r in rows:
        name, has_email, has_phone = who.get(r["buyer_id"], ("", False, False))
        out.append({"buyer_id": r["buyer_id"], "buyer": name, "platform": r["platform"],
                    "revenue_12m": float(r["numbers"]["revenue_12m"]), "fee_share": float(r["numbers"]["fee_share"]),
                    "fee_saved_per_year": float(r["value"] or 0), "has_email": bool(has_email),
                    "has_phone": bool(has_phone)})
    return out
