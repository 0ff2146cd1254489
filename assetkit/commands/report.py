"""`assetkit report`: everything in one document."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path

import typer

from assetkit.commands._common import activity, say, settings


class ReportFormat(str, enum.Enum):
    html = "html"
    md = "md"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    fmt: ReportFormat = typer.Option(ReportFormat.html, "--format", "-f", help="html (self-contained), md or json."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (default assetkit-report.<format>)."),
    redact: bool = typer.Option(False, "--redact", help="Replace buyer names, emails, phones and companies by stable pseudonyms."),
    since: dt.datetime | None = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD)."),
    until: dt.datetime | None = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="Last day (YYYY-MM-DD)."),
) -> None:
    """Write the report: summary, platform costs, funnel, customer value, segments, scenario, provenance."""
    from assetkit.export.report import write_report

    s = settings(ctx)
    target = out or Path(f"assetkit-report.{fmt.value}")
    with s.open_store(create=False) as store, activity(s, "building the report") as step:
        path = write_report(store.con, s.config, target, fmt.value, since=since.date() if since else None,
                            until=until.date() if until else None, redact=redact, progress=step)
    say(s, f"Report written to {path.resolve()}")
