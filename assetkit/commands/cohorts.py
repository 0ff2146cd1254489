"""`assetkit cohorts`: acquisition cohorts and run-rate recurring revenue by channel."""

from __future__ import annotations

import enum
from typing import Any

import typer

from assetkit.commands._common import OutputFormat, console, render, settings

MAX_AGES = 12  # matrix columns shown in text/Markdown; JSON and CSV carry every age
LAST_MONTHS = 12


class Period(str, enum.Enum):
    month = "month"
    quarter = "quarter"


def register(app: typer.Typer) -> None:
    app.command("cohorts")(cohorts)


def cohorts(
    ctx: typer.Context,
    period: Period = typer.Option(Period.month, "--period", help="Cohort period: month or quarter."),
    since: str | None = typer.Option(None, "--since", help="Show cohorts and months from this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Use data up to this date, inclusive (default: last order)."),
    channel: str | None = typer.Option(None, "--channel",
                                       help="Only buyers acquired through this channel or platform (e.g. marketplace, alibaba, own_site)."),
    churn_k: float | None = typer.Option(None, "--churn-k", help="A buyer churns after K × their own median gap between orders (default 2)."),
    window_months: int | None = typer.Option(None, "--window-months", help="Run-rate window in months (default 12)."),
    preset: str | None = typer.Option(None, "--preset", help="Metric definitions: assetkit, chartmogul, baremetrics or stripe."),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """Retention by acquisition cohort and recurring-revenue movements, per channel, gross and net of fees."""
    from assetkit.analysis.cohorts import analyse_cohorts

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = analyse_cohorts(store.con, s.config, period=period.value, since=since, until=until,
                                 channel=channel, churn_k=churn_k, window_months=window_months, preset=preset)
    render(fmt, "cohorts", result, s, text=_text, md=_markdown, csv=_csv)


def _pct_n(rate: float | None, n: int) -> str:
    from assetkit.export.output import format_percent

    return f"{format_percent(rate, 0)} ({n:,})"


def _matrix(table: Any, metric: str) -> tuple[list[str], list[list[Any]]]:
    """Cohort × age rows of one table; each rate with its count (buyers or revenue) beside it."""
    from assetkit.export.output import format_percent, format_value

    ages = min(MAX_AGES, max(len(r.cells) for r in table.rows))
    header = ["cohort", "buyers", *[str(a) for a in range(ages)]]

    def cell(c: Any) -> str:
        if metric == "buyers":
            return _pct_n(c.buyer_retention, c.active_buyers)
        value = c.revenue if metric == "revenue" else c.revenue_net
        rate = c.revenue_retention if metric == "revenue" else c.revenue_net_retention
        return f"{format_percent(rate, 0)} ({format_value(value, 0)})"

    rows = [[r.cohort + (" *" if r.small else ""), r.size, *[cell(c) for c in r.cells[:ages]]] for r in table.rows]
    rows.append(["weighted avg", table.buyers, *[cell(c) for c in table.weighted_average[:ages]]])
    return header, [row + [""] * (len(header) - len(row)) for row in rows]


def _recurring_rows(result: Any) -> tuple[list[str], list[list[Any]]]:
    from assetkit.export.output import format_percent

    header = ["month", "RR start", "new", "expansion", "contraction", "churned", "reactivation", "RR end",
              "RR end net", "buyers", "churn (n/d)", "GRR", "NRR", f"NRR {result.definitions['nrr_horizon_months']}m"]
    months = [m for m in result.recurring if m.split == "all"][-LAST_MONTHS:]
    rows = [[m.month, m.gross.rr_start, m.gross.new, m.gross.expansion, m.gross.contraction, m.gross.churned,
             m.gross.reactivation, m.gross.rr_end, m.net.rr_end, m.buyers_end,
             f"{format_percent(m.churn_rate, 0)} ({m.churned_buyers}/{m.churn_denominator})",
             format_percent(m.gross.grr, 0), format_percent(m.gross.nrr, 0),
             f"{format_percent(m.gross.horizon_nrr, 0)} ({m.horizon_buyers})"] for m in months]
    return header, rows


def _channel_rows(result: Any) -> tuple[list[str], list[list[Any]]]:
    """Latest month per acquisition split: run rate gross and net, horizon NRR/GRR, churn."""
    from assetkit.export.output import format_percent

    last = {m.split: m for m in result.recurring}
    header = ["acquired via", "buyers", "active", "RR", "RR net of fees",
              f"NRR {result.definitions['nrr_horizon_months']}m", "GRR", "churn last month (n/d)"]
    rows = []
    for t in result.cohorts:
        m = last.get(t.split)
        if m is None:
            continue
        rows.append([t.split, t.buyers, m.buyers_end, m.gross.rr_end, m.net.rr_end,
                     f"{format_percent(m.gross.horizon_nrr, 0)} ({m.horizon_buyers})",
                     format_percent(m.gross.horizon_grr, 0),
                     f"{format_percent(m.churn_rate, 0)} ({m.churned_buyers}/{m.churn_denominator})"])
    return header, rows


def _headline(result: Any) -> list[str]:
    d = result.definitions
    lines = [
        (f"Cohorts by {result.period} up to {result.until}{' (last period partial)' if result.last_period_partial else ''}"
         f"; {result.data['buyers']:,} buyers, {result.data['orders_used']:,} orders; "
         f"money in {result.currency or 'the reporting currency'}."),
        (f"Definitions ({d['preset']}): run rate = revenue of the last {d['window_months']} months / "
         f"{d['window_months']}; churn after {d['churn_k']:g} × own median order gap (one-order buyers: "
         f"{result.gap_days['fallback']:.0f} days, {result.gap_days['fallback_source']}); churn denominator "
         f"{d['churn_denominator']}; reactivation {'counts' if d['reactivation_in_nrr'] else 'does not count'} "
         f"in NRR; unlinked fees: {d['unlinked_fees']}."),
    ]
    return lines + list(result.notes[:5]) + (
        [f"… and {len(result.notes) - 5} more notes (see --format json)"] if len(result.notes) > 5 else [])


def _sections(result: Any) -> list[tuple[str, tuple[list[str], list[list[Any]]]]]:
    overall = result.cohorts[0]
    return [
        ((f"Buyer retention: share of the cohort ordering in period N (buyers); * = under "
          f"{result.definitions['min_cohort_size']} buyers"), _matrix(overall, "buyers")),
        ("Revenue retention vs the first period (revenue, gross of fees)", _matrix(overall, "revenue")),
        ("Revenue retention net of platform fees (revenue net)", _matrix(overall, "revenue_net")),
        ("Run-rate recurring revenue, monthly movements (all buyers)", _recurring_rows(result)),
        ("By acquisition channel, latest month", _channel_rows(result)),
    ]


def _text(result: Any) -> None:
    from assetkit.export.output import rich_table

    out = console()
    for line in _headline(result):
        out.print(line)
    for title, (header, rows) in _sections(result):
        out.print(rich_table(title, header, rows, numeric=[False] + [True] * (len(header) - 1)))


def _markdown(result: Any) -> str:
    from assetkit.export.output import markdown_table

    parts = ["# Cohorts and recurring revenue", "", *_headline(result)]
    for title, (header, rows) in _sections(result):
        parts += ["", f"## {title}", "", markdown_table(header, rows)]
    return "\n".join(parts) + "\n"


def _csv(result: Any) -> None:
    import sys

    from assetkit.export.output import write_csv_safe

    write_csv_safe(result.csv_rows(), result.CSV_HEADER, sys.stdout)
