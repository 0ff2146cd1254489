"""The report's opening "Do next" section: what to do now, from the data, each with its money.

Built after every other section (it reads their results) and shown first. Four sources, each
the same figure the matching command prints, so a reader can check any line:
- this phase's steps of the saved migration plan and the budget it moves a month (`assetkit plan`);
- follow-ups due now, best expected value first (`assetkit follow-ups`);
- the best open leads, valued at their platform's revenue per inquiry (`assetkit leads`, `funnel`);
- the marketplace buyers worth moving first, by value of moving (`assetkit segments`).
Every item links to the section (or the table in this section) that holds its detail.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from assetkit.export.output import format_value
from assetkit.export.report.model import Section, Table

if TYPE_CHECKING:
    from assetkit.export.report.model import ReportContext

SHOWN = 3  # items per source in the list; the detail tables hold up to TABLE_ROWS
TABLE_ROWS = 10


def do_next_section(ctx: ReportContext) -> Section:
    rc = ctx.config.reporting_currency
    items: list[dict[str, Any]] = []
    tables: list[Table] = []
    notes: list[str] = []
    _plan_steps(ctx, items, notes, rc)
    _follow_ups(ctx, items, tables, notes, rc)
    _leads(ctx, items, tables, notes, rc)
    _movers(ctx, items, rc)
    takeaway = _takeaway(items, rc)
    return Section(key="do-next", title="Do next", takeaway=takeaway, paragraphs=notes, tables=tables,
                   data={"items": items}, actions=items)


def _takeaway(items: list[dict[str, Any]], rc: str) -> str:
    """What the list holds, each kind with its own money figure (they are different quantities)."""
    if not items:
        return "Nothing to do yet: import inquiries and orders first."
    parts = []
    for source, label, money in (("plan", "plan steps", None), ("follow_up", "follow-ups", "expected"),
                                 ("lead", "leads to answer", None), ("move", "buyers to move", "value of moving")):
        chosen = [i for i in items if i["source"] == source]
        if chosen:
            total = sum(i["amount"] or 0 for i in chosen)
            parts.append(f"{len(chosen)} {label}" + (f" ({format_value(total, 0)} {rc} {money})" if money else ""))
    return f"Do these {len(items)} things first: " + ", ".join(parts) + "."


def _item(source: str, text: str, amount: float | None, money: str, href: str) -> dict[str, Any]:
    return {"source": source, "text": text, "amount": amount, "money": money, "href": href}


def _plan_steps(ctx: ReportContext, items: list[dict[str, Any]], notes: list[str], rc: str) -> None:
    row = ctx.con.execute("SELECT document FROM plans ORDER BY plan_id DESC LIMIT 1").fetchone()
    if row is None:
        notes.append("No migration plan saved yet: `assetkit plan` builds one (three phases, targets, steps).")
        return
    plan = json.loads(row[0])
    today = ctx.until or dt.date.today()
    phases = plan.get("phases") or []
    current = next((p for p in phases if dt.date.fromisoformat(str(p["end"])[:10]) >= today), phases[-1] if phases
                   else None)
    if current is None:
        return
    budget = float(current.get("budget_to_move_per_month") or 0)
    for step in (current.get("steps") or [])[:SHOWN]:
        items.append(_item("plan", f"{current['name'].capitalize()} phase ({str(current['start'])[:10]} to "
                                   f"{str(current['end'])[:10]}): {step}", budget,
                           f"moves {format_value(budget, 0)} {rc} a month of platform ad budget", "#plan"))


def _follow_ups(ctx: ReportContext, items: list[dict[str, Any]], tables: list[Table], notes: list[str],
                rc: str) -> None:
    from assetkit.analysis.followups import due_actions

    due = due_actions(ctx.con, ctx.config, as_of=ctx.until)
    actions = due.actions[:TABLE_ROWS]
    for a in actions[:SHOWN]:
        who = a.name or a.company or a.buyer_id
        items.append(_item("follow_up", f"Contact {who} ({a.rule.replace('_', ' ')}): {a.reason}", a.expected_value,
                           f"{format_value(a.expected_value, 0)} {rc} expected", "#do-next-follow-ups"))
    if actions:
        tables.append(Table(f"Follow-ups due now ({len(due.actions)}; `assetkit follow-ups` drafts the messages)",
                            ["priority", f"expected value ({rc})", "buyer", "why"],
                            [[a.priority, a.expected_value, a.name or a.company or a.buyer_id, a.reason]
                             for a in actions], [False, True, False, False], anchor="do-next-follow-ups"))
    else:
        notes.append("No follow-ups are due now.")


def _leads(ctx: ReportContext, items: list[dict[str, Any]], tables: list[Table], notes: list[str], rc: str) -> None:
    from assetkit.analysis.leads import score_leads

    as_of = dt.datetime.combine(ctx.until, dt.time(23, 59), dt.UTC) if ctx.until else None
    leads = score_leads(ctx.con, ctx.config, as_of=as_of).leads[:TABLE_ROWS]
    per_inquiry = {row["value"]: row.get("revenue_per_inquiry")
                   for row in (ctx.results.get("funnel") or {}).get("conversion") or []
                   if row.get("dimension") == "platform"}
    for lead in leads[:SHOWN]:
        value = per_inquiry.get(lead.platform)
        items.append(_item("lead", f"Answer {lead.buyer or 'an unnamed buyer'} about {lead.product or 'their inquiry'} "
                                   f"(grade {lead.grade}, score {lead.score:g}): {lead.next_action}", value,
                           f"{format_value(value, 0)} {rc} revenue per {lead.platform} inquiry" if value is not None
                           else "no revenue per inquiry measured yet", "#do-next-leads"))
    if leads:
        tables.append(Table("Best open leads (`assetkit leads` lists all, with the rules that scored them)",
                            ["grade", "score", "buyer", "country", "product", "next action"],
                            [[x.grade, x.score, x.buyer, x.country, x.product, x.next_action] for x in leads],
                            [False, True, False, False, False, False], anchor="do-next-leads"))
    else:
        notes.append("No open inquiries to answer.")


def _movers(ctx: ReportContext, items: list[dict[str, Any]], rc: str) -> None:
    for c in ((ctx.results.get("segments") or {}).get("migration_candidates") or [])[:SHOWN]:
        reach = c.get("contact") if c.get("contact") not in (None, "", "none") else None
        items.append(_item("move", f"Invite {c['name'] or c['buyer_id']} ({c['current_platform']}) to order "
                                   + (f"direct; reach them by {reach}" if reach else
                                      "direct; ask for an email on their next order first"), c["value_of_moving"],
                           f"{format_value(c['value_of_moving'], 0)} {rc} value of moving", "#segments"))
