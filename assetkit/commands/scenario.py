"""`assetkit scenario`: budget-shift projection with Monte Carlo ranges (library: analysis.scenario)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from assetkit.commands._common import OutputFormat, console, render, settings


def register(app: typer.Typer) -> None:
    app.command("scenario")(scenario)


def parse_shifts(text: str) -> list[float]:
    """'20' -> [0.2]; '0,10,20' -> [0.0, 0.1, 0.2]. Percentages 0-100."""
    from assetkit.errors import UsageError

    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise UsageError(f"--shift {text!r} is not a percentage or a comma-separated list",
                         hint="e.g. --shift 20 or --shift 0,10,20,30,50") from None
    if not values or any(not 0 <= v <= 100 for v in values):
        raise UsageError(f"--shift {text!r}: each level must be a percentage between 0 and 100",
                         hint="e.g. --shift 20 or --shift 0,10,20,30,50")
    return [v / 100 for v in values]


def parse_programme(text: str | None) -> list[int] | None:
    """'on' -> [1]; 'off' -> [0]; 'both' -> [0, 1]; None -> the assumptions decide."""
    from assetkit.errors import UsageError

    if text is None:
        return None
    levels = {"on": [1], "off": [0], "both": [0, 1]}.get(text.strip().lower())
    if levels is None:
        raise UsageError(f"--programme {text!r} must be on, off or both", hint="e.g. --programme both --shift 0,10,20")
    return levels


def scenario(
    ctx: typer.Context,
    shift: str | None = typer.Option(None, "--shift", help="Percent of the platform ad budget moved to owned "
                                     "channels (default 20, or the assumptions file); a list such as "
                                     "0,10,20,30,50 compares levels."),
    programme: str | None = typer.Option(None, "--programme", help="The owned-channel programme (site, CRM, "
                                         "inviting existing repeat buyers): on, off, or both to compare "
                                         "(default: the assumptions file, on)."),
    months: int = typer.Option(36, "--months", min=1, max=240, help="Months to project."),
    assumptions: Path | None = typer.Option(None, "--assumptions", help="YAML file of assumptions "
                                            "(see --template)."),
    runs: int = typer.Option(1000, "--runs", min=1, max=200_000, help="Monte Carlo runs."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed: the same seed gives the same output."),
    as_of: str | None = typer.Option(None, "--as-of", help="End of the 12-month baseline (YYYY-MM-DD; "
                                     "default: the last order)."),
    template: bool = typer.Option(False, "--template", help="Print the commented assumptions template and exit."),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", "-f", help="Output format."),
) -> None:
    """What the two levers do, with ranges: moving part of the platform ad budget to owned
    channels (--shift) and the owned-channel programme (--programme).

    Prints the 12-month baseline from your data first, then the month-by-month projection,
    P10/P50/P90 bands, break-even odds, NPV and the assumptions that matter most.
    """
    from assetkit.errors import UsageError

    if template:
        from assetkit.analysis.scenario import template_text

        typer.echo(template_text(), nl=False)
        return
    from assetkit.analysis.scenario import scenario_report
    from assetkit.export import scenario as out

    try:
        as_of_date = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise UsageError(f"--as-of {as_of!r} is not a date", hint="write it as YYYY-MM-DD") from None
    levels = parse_programme(programme)
    s = settings(ctx)
    with s.open_store(create=False) as store:
        report = scenario_report(store.con, s.config, assumptions_path=str(assumptions) if assumptions else None,
                                 shifts=parse_shifts(shift) if shift else None, programmes=levels,
                                 months=months, runs=runs, seed=seed, as_of=as_of_date)
    import sys

    render(fmt, "scenario", report, s, text=lambda r: out.render_text(r, console()),
           md=out.render_markdown, csv=lambda r: out.write_csv(r, sys.stdout))
