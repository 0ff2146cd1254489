"""The due list: rules → events → actions with buyer, reason, owned channel, priority, draft.

An action's ID is a hash of rule id, buyer and the event that fired it (an inquiry, the
buyer's latest order, or 'invite'), so the same situation keeps the same ID from run to run
and `assetkit follow-ups done ID` silences exactly that action. A new event (a new order
that later goes overdue again) gets a new ID and is due again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.analysis.followups import reasons
from assetkit.analysis.followups.candidates import TABLE as CANDIDATES_TABLE
from assetkit.analysis.followups.candidates import load_candidates, segments
from assetkit.analysis.followups.drafts import EMAIL_RE, Drafter
from assetkit.analysis.followups.model import Action, as_of_timestamp
from assetkit.analysis.followups.rules import FollowUpRules, load_rules
from assetkit.analysis.followups.triggers import reference, run_trigger
from assetkit.config import Config
from assetkit.errors import NotEnoughData
from assetkit.store.sql import working_tables

if TYPE_CHECKING:
    import duckdb

CLV_TABLE = "_ak_fu_clv"  # P(alive) and CLV per buyer (read by triggers.py), while a due list is built

CSV_HEADER = ("action_id", "priority", "expected_value", "rule", "buyer_id", "buyer", "company", "country",
              "language", "channel", "email", "phone", "reason", "event", "event_at", "subject", "recommended")
INQUIRY_TRIGGERS = ("unanswered_inquiry", "quote_no_order")  # valued with the inquiry's own P(order)
RECOMMEND_TRIGGERS = ("overdue_repeat", "first_order_thanks")  # drafts suggest what to order next


@dataclass
class FollowUps:
    as_of: dt.datetime
    currency: str
    rules_source: str
    actions: list[Action]
    done_hidden: int
    reference: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "rules_source": self.rules_source, "done_hidden": self.done_hidden,
                "reference": self.reference, "notes": self.notes, "count": len(self.actions),
                "actions": [a.to_dict() for a in self.actions]}


def action_id(rule_id: str, buyer_id: str | None, event: str) -> str:
    """Stable 12-hex-digit ID of (rule, buyer, triggering event)."""
    return hashlib.sha256(f"{rule_id}|{buyer_id or ''}|{event}".encode()).hexdigest()[:12]


def _load_clv(con: duckdb.DuckDBPyConnection, config: Config, as_of: dt.datetime, notes: list[str],
              seg: Any) -> bool:
    """P(alive) and CLV per buyer into temp table _ak_fu_clv; False (with a note) if not estimable.
    Taken from the segments result when there is one, so CLV is fitted once per run."""
    if seg is not None and seg.clv_method != "none":
        ids, p_alive, clv = seg.buyers["buyer_id"], seg.buyers["p_alive"], seg.buyers["clv"]
    else:
        from assetkit.analysis.clv import analyse_clv

        try:
            b = analyse_clv(con, config, until=as_of.date()).buyers
        except NotEnoughData as exc:
            notes.append(f"clv_at_risk skipped: {exc}")
            return False
        ids, p_alive, clv = b.summary.buyer_id, b.p_alive, b.clv
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CLV_TABLE} AS SELECT unnest($ids) AS buyer_id, "
                "CAST(unnest($p) AS DOUBLE) AS p_alive, CAST(unnest($v) AS DOUBLE) AS clv",
                {"ids": [str(x) for x in ids], "p": p_alive.tolist(), "v": clv.tolist()})
    return True


def _contacts(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple]:
    cur = con.execute("SELECT buyer_id, coalesce(name, ''), coalesce(company, ''), trim(email), trim(phone), "
                      "upper(trim(country)) FROM buyers WHERE buyer_id IN (SELECT unnest($ids))", {"ids": ids})
    return {r[0]: r[1:] for r in cur.fetchall()}


def _channel(email: str | None, phone: str | None, relay: tuple[str, ...]) -> tuple[str, str | None]:
    if email and EMAIL_RE.match(email) and email.rsplit("@", 1)[1].lower() not in relay:
        return "email", email
    return ("phone" if phone else "none"), None


def due_actions(con: duckdb.DuckDBPyConnection, config: Config | None = None, rules_path: str | Path | None = None,
                as_of: dt.datetime | dt.date | str | None = None) -> FollowUps:
    """Every action due at `as_of` (default now) by the rules, best expected value first."""
    config = config or Config()
    section = config.section("follow_ups")
    rules: FollowUpRules = load_rules(rules_path or section.get("rules"))
    when = as_of_timestamp(as_of)
    margin = float(config.gross_margin)
    currency = config.reporting_currency
    drafter = Drafter(config.business_name, section.get("site_url"),
                      section.get("templates"))
    ref = {**reference(con, when), "margin": margin}
    notes: list[str] = []
    raw: list[tuple[Any, dict[str, Any]]] = []
    seg = segments(con, config, when) if any(
        r.trigger in ("clv_at_risk", "migration_invite") for r in rules.rules) else None
    with working_tables(con, CLV_TABLE, CANDIDATES_TABLE):
        for rule in rules.rules:
            if rule.trigger == "clv_at_risk" and not _load_clv(con, config, when, notes, seg):
                continue
            if rule.trigger == "migration_invite":
                notes.append(f"{rule.id}: value of moving a buyer = {load_candidates(con, config, when, seg)}")
            raw += [(rule, row) for row in run_trigger(con, rule.trigger, dict(rule.params), when, ref)]
        _value_by_outcomes(con, config, when, raw, ref, notes)
    done = {r[0] for r in con.execute("SELECT action_id FROM actions_done").fetchall()}
    contacts = _contacts(con, sorted({str(row["buyer_id"]) for _, row in raw if row["buyer_id"] is not None}))
    unit = ref["median_order"] * margin
    actions, hidden = [], 0
    for rule, row in raw:
        aid = action_id(rule.id, row["buyer_id"], str(row["event"]))
        if aid in done:
            hidden += 1
            continue
        name, company, email, phone, country = contacts.get(row["buyer_id"], ("", "", None, None, None))
        channel, owned_email = _channel(email, phone, rules.relay_domains)
        value = float(row["value"] or 0.0)
        numbers = {k: (float(v) if v is not None else None) for k, v in (row["numbers"] or {}).items()}
        actions.append(Action(
            aid, rule.id, rule.trigger, row["buyer_id"], name, company, owned_email, phone or None, country,
            rules.languages.get(country or "", "en"), channel, _priority(value, unit, rules), value,
            reasons.reason(rule.trigger, numbers, row, currency), numbers, str(row["event"]), row["event_at"],
            row["product"], row["platform"], "", "", row.get("recommendations") or []))
    actions.sort(key=lambda a: (-a.expected_value, a.event_at or when, a.action_id))
    actions = _limit(actions, rules, notes)
    templates = {r.id: r.template for r in rules.rules}
    for a in actions:  # drafts only for the actions shown
        draft = drafter.render(templates[a.rule], a.language, {
            "name": a.name or a.company, "company": a.company, "product": a.product or "",
            "platform": a.platform or "", "numbers": a.numbers, "recommendations": a.recommendations[:3]})
        a.subject, a.body, a.language = draft.subject, draft.body, draft.language
    return FollowUps(when, currency, rules.source, actions, hidden, ref, notes)


def _value_by_outcomes(con: duckdb.DuckDBPyConnection, config: Config, when: dt.datetime,
                       raw: list[tuple[Any, dict[str, Any]]], ref: dict[str, float], notes: list[str]) -> None:
    """Expected value from the seller's own outcomes, in place (docs/follow-ups.md, "Expected value"):
    an inquiry is worth its own P(order) (learned model, else calibrated rules; the business-wide
    rate when there is too little history for either) x average order x margin; a buyer due a
    repeat or thank-you gets recommendations, and when co-purchase won its holdout, the top one
    adds share x its typical order value x margin."""
    inquiries = [row for rule, row in raw if rule.trigger in INQUIRY_TRIGGERS]
    if inquiries:
        from assetkit.analysis.leadmodel import learned_leads

        leads, model = learned_leads(con, config, as_of=when)
        p = {x.inquiry_id: (x.probability, x.scored_by) for x in leads.leads if x.probability is not None}
        for row in inquiries:
            if str(row["event"]) in p:
                prob, source = p[str(row["event"])]
                row["value"] = prob * ref["aov"] * ref["margin"]
                row["numbers"] = {**(row["numbers"] or {}), "p_order": prob}
                row["valued_by"] = source
        if not p:
            notes.append(f"inquiries valued at the business-wide conversion rate: {model.reason}")
    buyers = [row for rule, row in raw if rule.trigger in RECOMMEND_TRIGGERS and row["buyer_id"] is not None]
    if buyers:
        from assetkit.analysis.recommend import recommend

        recs = recommend(con, when, buyers=sorted({str(row["buyer_id"]) for row in buyers}))
        for row in buyers:
            row["recommendations"] = recs.by_buyer.get(str(row["buyer_id"]), [])
            if recs.method == "co-purchase" and row["recommendations"]:
                top = row["recommendations"][0]
                extra = top["share"] * top["typical_value"] * ref["margin"]
                row["value"] = float(row["value"] or 0.0) + extra
                row["numbers"] = {**(row["numbers"] or {}), "cross_sell_value": extra}
        notes.append(f"recommendations: {recs.reason}")


def _limit(actions: list[Action], rules: FollowUpRules, notes: list[str]) -> list[Action]:
    """Keep the `limit` most valuable actions of each rule that has one (actions are sorted)."""
    limits = {r.id: r.limit for r in rules.rules if r.limit is not None}
    kept, seen = [], dict.fromkeys(limits, 0)
    for a in actions:
        if a.rule in limits:
            seen[a.rule] += 1
            if seen[a.rule] > limits[a.rule]:
                continue
        kept.append(a)
    notes += [f"{rule}: {n - limits[rule]} more due, not shown (limit {limits[rule]})"
              for rule, n in seen.items() if n > limits[rule]]
    return kept


def _priority(value: float, unit: float, rules: FollowUpRules) -> str:
    if unit <= 0:
        return "medium" if value > 0 else "low"
    if value >= rules.priority_high * unit:
        return "high"
    return "medium" if value >= rules.priority_medium * unit else "low"
