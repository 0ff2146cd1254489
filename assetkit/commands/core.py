"""Foundation commands: init and status."""

from __future__ import annotations

from pathlib import Path

import typer

from assetkit.commands._common import TextJson, console, render, say, settings


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)


def init(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help="Overwrite an existing configuration file."),
) -> None:
    """Write a commented assetkit.yaml and create the database."""
    from importlib.resources import files

    from assetkit.errors import UsageError

    s = settings(ctx)
    target = s.config_option or Path("assetkit.yaml")
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", hint="edit it, or pass --force to overwrite it")
    target.write_text(files("assetkit.data").joinpath("assetkit.example.yaml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    s.config_option = target
    with s.open_store():
        pass
    say(s, f"Wrote {target} and created the database {s.db_path}.")
    say(s, "Next: assetkit import YOUR_EXPORTS/  (or try: assetkit demo)")


def status(
    ctx: typer.Context,
    fmt: TextJson = typer.Option(TextJson.text, "--format", "-f", help="Output format."),
) -> None:
    """What is stored, per platform and kind, with date ranges and import history."""
    from assetkit.analysis.status import database_status

    s = settings(ctx)
    with s.open_store(create=False) as store:
        result = database_status(store.con, str(s.db_path))
    render(fmt, "status", result, s, text=_status_text)


def _status_text(result) -> None:  # noqa: ANN001 - StatusResult
    from assetkit.export.output import rich_table

    out = console()
    out.print(f"Database {result.database} (schema v{result.schema_version}): "
              f"{result.buyers:,} buyers, {result.batches_total:,} import batches, {result.rejects:,} quarantined rows")
    if result.empty:
        out.print("Nothing imported yet. Try: assetkit import FILE  (or assetkit demo)")
        return
    out.print(rich_table("Stored data", ["platform", "kind", "rows", "from", "to"],
                         [(h.platform, h.kind, h.rows, h.first, h.last) for h in result.holdings],
                         numeric=[False, False, True, False, False]))
    out.print(rich_table("Recent imports", ["batch", "file", "platform", "kind", "read", "loaded", "dupl.", "rejected", "at"],
                         [(b.batch_id, b.file_name, b.platform, b.kind, b.rows_read, b.rows_loaded,
                           b.rows_duplicate, b.rows_rejected, b.finished_at) for b in result.batches],
                         numeric=[True, False, False, False, True, True, True, True, False],
                         priority=["file", "platform", "kind", "loaded", "rejected"]))
    if result.reconciled or result.mismatches:
        out.print(f"Files' own totals: {result.reconciled:,} reconciled, {len(result.mismatches):,} with a difference.",
                  markup=False, highlight=False)
        for m in result.mismatches[:10]:
            out.print(f"  batch {m.batch_id} {m.file_name}: {m.describe()}", markup=False, highlight=False)
    if result.import_warnings:
        out.print(f"{result.import_warnings:,} import warnings (rows loaded but implausible): "
                  "`assetkit rejects --warnings` lists them.")
    if result.rows_without_fx:
        out.print(f"{result.rows_without_fx:,} money rows have no exchange rate yet: "
                  "run `assetkit fx import eurofxref-hist.csv` or `assetkit fx fetch`.")
