"""`assetkit export tables DIR`: the canonical tables as Parquet or formula-safe CSV."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from assetkit.commands._common import say, settings


class TableFormat(str, enum.Enum):
    parquet = "parquet"
    csv = "csv"


def register(app: typer.Typer) -> None:
    from assetkit.commands.owned import export_app

    export_app.command("tables")(export_tables)


def export_tables(
    ctx: typer.Context,
    out_dir: Path = typer.Argument(..., help="Folder for one file per table: new, empty or an earlier table export (replaced atomically)."),
    fmt: TableFormat = typer.Option(TableFormat.parquet, "--format", "-f",
                                    help="parquet (exact types) or csv (for spreadsheets; formula-safe)."),
    bom: bool = typer.Option(True, "--bom/--no-bom",
                             help="CSV: start each file with a UTF-8 byte order mark, so Excel reads accents right."),
) -> None:
    """Write every canonical table (orders, fees, buyers …) to Parquet or CSV files you can take anywhere."""
    from assetkit.export.tables import export_tables as run

    s = settings(ctx)
    with s.open_store(create=False) as store:
        counts = run(store.con, out_dir, fmt.value, bom=bom, config=s.config)
    say(s, f"Wrote {len(counts)} tables ({sum(counts.values()):,} rows) to {out_dir.resolve()}")
