"""`assetkit segments`: RFM segments, lifecycle stages and the migration list."""

from __future__ import annotations

import datetime as dt

import typer

from assetkit.commands._common import TextJsonCsv, console, render, settings
from assetkit.commands.clv import Model, TimeUnit


def register(app: typer.Typer) -> None:
    app.command("segments")(segments)


def segments(
    ctx: typer.Context,
    until: dt.datetime | None = typer.Option(None, "--until", formats=["%Y-%m-%d"],
                                             help="Score buyers as of this day (YYYY-MM-DD)."),
    time_unit: TimeUnit = typer.Option(TimeUnit.week, "--time-unit", help="Time unit of the CLV model behind P(alive)."),
    horizon: float | None = typer.Option(None, "--horizon", help="CLV horizon in --time-unit units (default: one year)."),
    model: Model = typer.Option(Model.bgnbd, "--model", help="Purchase model behind P(alive) and value."),
    fmt: TextJsonCsv = typer.Option(TextJsonCsv.text, "--format", "-f",
                                    help="Output format (csv: the migration list, for a sales team)."),
    top: int = typer.Option(20, "--top", help="Migration candidates to list (text output)."),
) -> None:
    """Who is a champion, who is slipping away, and which marketplace buyers to bring direct first."""
    from assetkit.analysis.segments import analyse_segments

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = analyse_segments(store.con, s.config, until=until.date() if until else None,
                                  time_unit=time_unit.value, model=model.value, horizon=horizon)
    currency = s.config.reporting_currency
    render(fmt, "segments", result, s, text=lambda r: _text(r, currency, top), csv=_csv)


MIGRATION_COLUMNS = ("rank", "buyer_id", "name", "company", "country", "first_platform", "current_platform",
                     "already_direct", "stage", "p_alive", "clv", "fee_share", "value_of_moving",
                     "platform_rule", "conversion_fee", "has_email", "has_phone", "contact")


def _csv(result) -> None:
    import sys

    from assetkit.export.output import write_csv_safe

    write_csv_safe(([row[c] for c in MIGRATION_COLUMNS] for row in result.migration), MIGRATION_COLUMNS, sys.stdout)


def _text(r, currency: str, top: int) -> None:
    from assetkit.export.output import format_percent, rich_table

    out = console()
    out.print(f"Segments as of {r.as_of} — value from: {r.clv_method} ({r.clv_note})", markup=False)
    out.print(rich_table(f"RFM segments (values in {currency})",
                         ["segment", "buyers", "share", "active", "mean P(alive), repeat buyers", "mean CLV",
                          "total CLV", "on a platform", "platform fees at stake"],
                         [(g["name"], g["n_buyers"], format_percent(g["share"]), format_percent(g["active_share"]),
                           g["mean_p_alive_repeat"], g["mean_clv"], g["total_clv"],
                           format_percent(g["on_platform_share"]), g["platform_fee_at_stake"])
                          for g in r.segments], [False, True, True, True, True, True, True, True, True]))
    out.print("active = neither at risk nor lost (P(alive) and the overdue ratio); P(alive) is shown for repeat "
              "buyers only: BG/NBD gives one-time buyers P(alive) = 1 by construction.", markup=False)
    out.print(rich_table("Lifecycle stages", ["stage", "buyers", "mean P(alive)", "total CLV"],
                         [(g["name"], g["n_buyers"], g.get("mean_p_alive"), g.get("total_clv")) for g in r.stages],
                         [False, True, True, True]))
    th = r.thresholds
    out.print(f"Stages: lost if P(alive) < {th['p_alive_lost']:g} or overdue ≥ {th['overdue_lost']:g}× the usual gap; "
              f"at risk if P(alive) < {th['p_alive_at_risk']:g} or overdue ≥ {th['overdue_at_risk']:g}×.", markup=False)
    rows = r.migration[:top]
    out.print(rich_table(f"Migration candidates: marketplace-acquired buyers by platform fees saved if moved "
                         f"({len(r.migration)} in all, top {len(rows)})",
                         ["#", "buyer", "company", "platform now", "stage", "P(alive)", f"CLV {currency}",
                          "fee share", f"value of moving {currency}", "contact", "platform rule"],
                         [(m["rank"], m["buyer_id"], m["company"], m["current_platform"], m["stage"], m["p_alive"],
                           m["clv"], format_percent(m["fee_share"]), m["value_of_moving"], m["contact"],
                           m["platform_rule"] or "") for m in rows],
                         [True, False, False, False, False, True, True, True, True, False, False]))
    for note in r.notes:
        out.print(f"note: {note}", markup=False)
