"""Acting on owned data: `assetkit follow-ups` (+ `done ID`), `assetkit plan`, `assetkit site-signals`.

The analysis lives in assetkit.analysis.followups, .plan and .site_signals; this module only
resolves options, opens the store, calls one library function and renders the result.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from assetkit.commands._common import TextJsonCsv, activity, console, render, say, settings

followups_app = typer.Typer(help="Due follow-up actions from your own data, with drafted messages (never sent).",
                            invoke_without_command=True, rich_markup_mode=None)

_FORMAT = typer.Option(TextJsonCsv.text, "--format", "-f", help="Output format.")
_RULES = typer.Option(None, "--rules", help="Your follow-up rules file (default: the shipped one).")
_AS_OF = typer.Option(None, "--as-of", help="Evaluate at this date or timestamp (default: now).")


def register(app: typer.Typer) -> None:
    app.add_typer(followups_app, name="follow-ups")
    app.command("plan")(plan)
    app.command("site-signals")(site_signals)


@followups_app.callback()
def follow_ups(
    ctx: typer.Context,
    rules: Path | None = _RULES,
    as_of: str | None = _AS_OF,
    drafts: Path | None = typer.Option(None, "--drafts", help="Write one .eml draft per action into this folder."),
    sender: str | None = typer.Option(None, "--from", help="From: address for the drafts "
                                      "(default: follow_ups.sender in assetkit.yaml)."),
    fmt: TextJsonCsv = _FORMAT,
) -> None:
    """List the follow-ups due now: who, why, how to reach them, how valuable, and a draft."""
    if ctx.invoked_subcommand is not None:
        return
    from assetkit.analysis.followups import due_actions, write_drafts

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = due_actions(store.con, s.config, rules_path=rules, as_of=as_of)
    if drafts is not None:
        section = s.config.section("follow_ups")
        paths = write_drafts(result.actions, drafts, sender or section.get("sender"))
        say(s, f"wrote {len(paths)} draft(s) to {drafts} (not sent; open them in your mail client)")
    render(fmt, "follow_ups", result, s, text=_followups_text, csv=_followups_csv)


@followups_app.command("done")
def follow_ups_done(
    ctx: typer.Context,
    action_id: str = typer.Argument(..., help="The action ID (or its first 6+ digits)."),
    note: str | None = typer.Option(None, "--note", help="What was done (kept with the record)."),
    rules: Path | None = _RULES,
    as_of: str | None = _AS_OF,
) -> None:
    """Record a follow-up as done; it will not be listed again."""
    from assetkit.analysis.followups import mark_done

    s = settings(ctx)
    with s.open_store(create=False) as store, store.transaction() as con:
        result = mark_done(con, action_id, s.config, note=note, rules_path=rules, as_of=as_of)
    when = result.done_at.isoformat(timespec="seconds") if hasattr(result.done_at, "isoformat") else result.done_at
    verb = "was already done at" if result.already_done else "done at"
    typer.echo(f"{result.action_id} ({result.rule}, buyer {result.buyer_id or '-'}) {verb} {when}")


def _followups_text(result: Any) -> None:
    from assetkit.export.output import format_value, rich_table

    out = console()
    if not result.actions:
        out.print(f"No follow-ups due at {format_value(result.as_of)}.")
    else:
        rows = [(a.action_id, a.priority, a.expected_value, a.rule, a.display_name or a.buyer_id or "-",
                 a.channel, a.reason) for a in result.actions]
        out.print(rich_table(f"Follow-ups due at {format_value(result.as_of)} ({len(rows)}; "
                             f"expected value in {result.currency})",
                             ["ID", "priority", "value", "rule", "buyer", "reach by", "why"], rows,
                             [False, False, True, False, False, False, False],
                             priority=["value", "buyer", "reach by", "why"]))
    if result.done_hidden:
        out.print(f"{result.done_hidden} action(s) already done are not shown.")
    for note in result.notes:
        out.print(f"Note: {note}")


def _followups_csv(result: Any) -> None:
    from assetkit.analysis.followups import CSV_HEADER
    from assetkit.export.output import write_csv_safe

    write_csv_safe((a.csv_row() for a in result.actions), CSV_HEADER, sys.stdout)


def plan(
    ctx: typer.Context,
    shift: float | None = typer.Option(None, "--shift", help="Percent of the platform ad budget to move "
                                       "(e.g. 20; default: the scenario assumptions' shift)."),
    start: str | None = typer.Option(None, "--start", help="First day of the plan (YYYY-MM-DD; default: the "
                                     "day after your latest data)."),
    check: bool = typer.Option(False, "--check", help="Compare the saved plan with the data instead of building one."),
    as_of: str | None = typer.Option(None, "--as-of", help="With --check: the date to check (default: the "
                                     "latest data)."),
    save: bool = typer.Option(True, "--save/--no-save", help="Save the new plan in the database (default)."),
    fmt: TextJsonCsv = _FORMAT,
) -> None:
    """Build your three-phase migration plan (foundation, enablement, ecosystem), or --check it."""
    from assetkit.errors import UsageError

    s = settings(ctx)
    if check:
        if shift is not None or start is not None:
            raise UsageError("--shift and --start build a new plan; they do not combine with --check")
        from assetkit.analysis.plan import plan_vs_actual

        with s.open_store(create=False) as store:
            result = plan_vs_actual(store.con, s.config, as_of=as_of)
        render(fmt, "plan_check", result, s, text=_check_text, csv=_check_csv)
        return
    if as_of is not None:
        raise UsageError("--as-of goes with --check", hint="use --start to choose when a new plan begins")
    if shift is not None and not 0 <= shift <= 100:
        raise UsageError(f"--shift {shift:g} is not a percentage from 0 to 100")
    from assetkit.analysis.plan import build_plan, save_plan

    with s.open_store(create=False) as store, activity(s, "building the plan"):
        result = build_plan(store.con, s.config, shift=None if shift is None else shift / 100, start=start)
        if save:
            with store.transaction() as con:
                save_plan(con, result)
    render(fmt, "plan", result, s, text=_plan_text, why_not="a plan is written as csv only with --check")


_LABEL = {"fee_share": "fee share", "off_platform_share": "off-platform revenue share",
          "owned_contact_share": "buyers with an owned contact", "own_site_inquiries_per_month": "own-site inquiries/month"}


def _metric(metric: str, value: float | None) -> str:
    from assetkit.export.output import format_percent, format_value

    if value is None:
        return "–"
    return format_value(value, 1) if metric == "own_site_inquiries_per_month" else format_percent(value)


def _plan_text(p: Any) -> None:
    from assetkit.export.output import format_value, rich_table

    out = console()
    saved = f"saved as plan {p.plan_id}" if p.plan_id else "not saved"
    out.print(f"Plan from {p.start} ({saved}); baseline measured over the {p.window_days} days to {p.baseline_as_of}")
    out.print(f"Move {p.shift:.0%} of the platform ad budget ({format_value(p.platform_ad_budget_per_month)} "
              f"{p.currency}/month): {format_value(p.budget_to_move_per_month)} {p.currency}/month to owned channels")
    for ph in p.phases:
        out.print(f"\n{ph.name.capitalize()} ({ph.start} – {ph.end}); budget moved "
                  f"{format_value(ph.budget_to_move_per_month)} {p.currency}/month on average")
        for step in ph.steps:
            out.print(f"  - {step}")
    rows = [(t.phase, _LABEL[t.metric], t.due_date, _metric(t.metric, t.baseline), _metric(t.metric, t.target))
            for t in p.targets]
    out.print(rich_table("Targets", ["phase", "metric", "due", "baseline", "target"], rows,
                         [False, False, False, True, True]))
    if p.invite_first:
        rows = [(c["buyer_id"], c["buyer"], c["platform"], c["fee_share"], c["value_of_moving"],
                 "yes" if c["has_email"] or c["has_phone"] else "no") for c in p.invite_first]
        out.print(rich_table(f"Invite first ({p.currency}; value = {p.invite_first[0]['valued_by']})",
                             ["buyer", "name", "platform", "fee share", "fees saved", "owned contact"], rows,
                             [False, False, False, True, True, False]))
    for note in p.notes:
        out.print(f"Note: {note}")


def _check_rows(c: Any) -> list[tuple]:
    return [(r.phase, _LABEL[r.metric], r.due_date, _metric(r.metric, r.baseline), _metric(r.metric, r.target),
             _metric(r.metric, r.expected), _metric(r.metric, r.actual), r.measured_on, r.status) for r in c.rows]


_CHECK_HEADER = ["phase", "metric", "due", "baseline", "target", "expected", "actual", "measured on", "status"]


def _check_text(c: Any) -> None:
    from assetkit.export.output import rich_table

    out = console()
    out.print(rich_table(f"Plan {c.plan_id} (from {c.start}) vs actual on {c.as_of}", _CHECK_HEADER, _check_rows(c),
                         [False, False, False, True, True, True, True, False, False]))
    out.print(", ".join(f"{v} {k}" for k, v in sorted(c.counts.items())))
    for note in c.notes:
        out.print(f"Note: {note}")


def _check_csv(c: Any) -> None:
    from assetkit.export.output import write_csv_safe

    rows = [(r.phase, r.metric, r.due_date, r.baseline, r.target, r.expected, r.actual, r.measured_on, r.status)
            for r in c.rows]
    write_csv_safe(rows, ["phase", "metric", "due_date", "baseline", "target", "expected", "actual", "measured_on",
                          "status"], sys.stdout)


def site_signals(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", help="First day to include (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Last day to include (YYYY-MM-DD)."),
    top: int = typer.Option(20, "--top", min=1, help="Rows per table."),
    fmt: TextJsonCsv = _FORMAT,
) -> None:
    """Which own-site pages, sources and countries bring visitors and inquiries; monthly trend."""
    from assetkit.analysis.site_signals import analyse_site_signals

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = analyse_site_signals(store.con, s.config, since=since, until=until, top=top)
    render(fmt, "site_signals", result, s, text=_signals_text, csv=_signals_csv)


_SIGNAL_TABLES = (
    ("monthly", "Own-site traffic and inquiries by month",
     ["month", "visitors", "pageviews", "inquiries", "inquirers", "inquiries_per_1000_visitors", "traffic_from"]),
    ("pages", "Pages", ["page", "visitors", "pageviews", "events", "inquiries", "inquiries_per_1000_visitors"]),
    ("sources", "Sources", ["source", "visitors", "pageviews", "share"]),
    ("countries", "Countries", ["country", "visitors", "inquiries", "inquiries_per_1000_visitors"]),
    ("products", "Products asked for on the own site", ["product", "inquiries", "buyers", "quantity"]),
)


def _signals_text(r: Any) -> None:
    from assetkit.export.output import rich_table

    out = console()
    t = r.totals
    out.print(f"Own site: {t['visitors']} visitors, {t['pageviews']} pageviews, {t['own_site_inquiries']} "
              f"inquiries over {t['months']} months (analytics: {r.tool or 'none'})")
    for key, title, cols in _SIGNAL_TABLES:
        rows = getattr(r, key)
        if rows:
            out.print(rich_table(title, [c.replace("_", " ") for c in cols], [[row.get(c) for c in cols] for row in rows],
                                 [c not in ("month", "page", "source", "country", "product", "traffic_from")
                                  for c in cols]))
    for note in r.notes:
        out.print(f"Note: {note}")


def _signals_csv(r: Any) -> None:
    """The monthly trend (the one table a spreadsheet chart needs); JSON has every table."""
    from assetkit.export.output import write_csv_safe

    cols = _SIGNAL_TABLES[0][2]
    write_csv_safe(([row.get(c) for c in cols] for row in r.monthly), cols, sys.stdout)
