"""Migration candidates: marketplace buyers worth inviting to order directly.

The list comes from the segments module (`analyse_segments(...).migration`: buyers first won
on a marketplace, valued at the discounted platform fees their predicted future revenue would
pay). Buyers already buying direct, who ever ordered on an owned channel, or who were invited
(a done `migration_invite` action) are left out, and so are buyers a platform forbids moving
(platform_rules.yaml; segments applies the rules, the fallback drops forbidden platforms). When the segments module cannot value buyers
(no CLV fit is possible) the fallback values a buyer whose latest order came through a
marketplace at a year of that platform's fees on their last-12-month revenue, and says so.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from assetkit.analysis.followups.triggers import FALLBACK_MIGRATION, run_trigger
from assetkit.errors import NotEnoughData
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

TABLE = "_ak_fu_mig"


def segments(con: duckdb.DuckDBPyConnection, config: Config | None, as_of: dt.datetime) -> Any:
    """The segments result at `as_of` (one CLV fit serves both CLV rules), or None without one."""
    try:
        from assetkit.analysis.segments import analyse_segments

        return analyse_segments(con, config, until=as_of.date())
    except (ImportError, NotEnoughData):
        return None


def load_candidates(con: duckdb.DuckDBPyConnection, config: Config | None, as_of: dt.datetime, seg: Any = None) -> str:
    """Fill temp table _ak_fu_mig(buyer_id, platform, value, fee_share); returns how they were valued."""
    try:
        result = seg if seg is not None else segments(con, config, as_of)
        if result is None:
            raise NotEnoughData("no segments")
        rows = [m for m in result.migration if not m["already_direct"]]
        if result.clv_method == "none" or not scalar(con, 
                "SELECT count(*) FROM buyers WHERE first_channel IS NOT NULL"):
            raise NotEnoughData("no CLV-based value, or buyers carry no first channel")
    except NotEnoughData:
        from assetkit.analysis.platform_rules import rules

        con.execute(f"CREATE OR REPLACE TEMP TABLE {TABLE} AS {FALLBACK_MIGRATION}", {"as_of": as_of})
        # platforms whose terms forbid moving a buyer for the whole relationship are no candidates
        con.execute(f"DELETE FROM {TABLE} WHERE list_contains($forbidden, platform)",
                    {"forbidden": [p for p, r in rules().items() if r.rule == "forbidden" and r.months is None]})
        return "a year of platform fees on the buyer's last-12-month revenue (no CLV-based value available)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TABLE} AS SELECT unnest($ids) AS buyer_id, unnest($p) AS platform, "
                "CAST(unnest($v) AS DOUBLE) AS value, CAST(unnest($f) AS DOUBLE) AS fee_share",
                {"ids": [m["buyer_id"] for m in rows], "p": [m["current_platform"] for m in rows],
                 "v": [m["value_of_moving"] for m in rows], "f": [m["fee_share"] for m in rows]})
    return "discounted platform fees on the buyer's predicted future revenue (segments)"


def migration_candidates(con: duckdb.DuckDBPyConnection, as_of: dt.datetime | dt.date | str | None = None,
                         limit: int | None = None, config: Config | None = None) -> list[dict[str, Any]]:
    """Candidates not yet invited, most valuable first; contact fields say whether we can reach them."""
    from assetkit.analysis.followups.model import as_of_timestamp

    when = as_of_timestamp(as_of)
    basis = load_candidates(con, config, when)
    rows = run_trigger(con, "migration_invite", {"min_orders": 1, "min_fee_saved": 0}, when, {})
    rows.sort(key=lambda r: (-float(r["value"] or 0), str(r["buyer_id"])))
    rows = rows[:limit] if limit is not None else rows
    cur = con.execute("SELECT buyer_id, coalesce(company, name, ''), trim(email) LIKE '%_@_%._%', "
                      "coalesce(trim(phone), '') <> '' FROM buyers WHERE buyer_id IN (SELECT unnest($ids))",
                      {"ids": [str(r["buyer_id"]) for r in rows]})
    who = {r[0]: r[1:] for r in cur.fetchall()}
    out = []
    for r in rows:
        name, has_email, has_phone = who.get(r["buyer_id"], ("", False, False))
        out.append({"buyer_id": r["buyer_id"], "buyer": name, "platform": r["platform"],
                    "fee_share": float(r["numbers"]["fee_share"]), "value_of_moving": float(r["value"] or 0),
                    "has_email": bool(has_email), "has_phone": bool(has_phone), "valued_by": basis})
    return out
