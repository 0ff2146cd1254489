"""`assetkit db backup|check`: keep the owned asset safe and verifiably complete."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from assetkit.commands._common import TextJson, console, render, say, settings

db_app = typer.Typer(help="Database hygiene: backups and integrity checks.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command("backup")
def backup(
    ctx: typer.Context,
    out: Path | None = typer.Argument(None, help="Backup file (default: <db>.YYYYmmdd-HHMMSS.bak.duckdb)."),
) -> None:
    """Write a consistent copy of the database (safe while cron runs: it takes the lock)."""
    from assetkit.store.maintenance import backup_database

    s = settings(ctx)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out or s.db_path.with_name(f"{s.db_path.stem}.{stamp}.bak.duckdb")
    with s.open_store(create=False) as store:
        path = backup_database(store, target)
    say(s, f"Backup written to {path}")


@db_app.command("check")
def check(
    ctx: typer.Context,
    fmt: TextJson = typer.Option(TextJson.text, "--format", "-f", help="Output format."),
) -> None:
    """Verify every batch: rows read = loaded + duplicates + quarantined, and no orphan rows."""
    from assetkit.store.maintenance import check_database

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = check_database(store)
    render(fmt, "db_check", result, s, text=_check_text)
    if not result.ok:
        raise typer.Exit(1)


def _check_text(result) -> None:  # noqa: ANN001 - CheckResult
    out = console()
    for problem in result.problems:
        out.print(f"PROBLEM  {problem}", markup=False)
    for warning in result.warnings:
        out.print(f"warning  {warning}", markup=False)
    verdict = "OK" if result.ok else f"{len(result.problems)} problem(s)"
    out.print(f"{verdict}: {result.batches_checked} import batches checked.", markup=False)
