"""`assetkit export tables`: the canonical tables as Parquet or CSV files you can take anywhere.

Parquet keeps types exactly (DECIMAL money, TIMESTAMPTZ). CSV is for spreadsheets, so every
text column is neutralised against formula injection inside the COPY query itself
(vectorised: no Python loop over rows, fine for millions of rows), timestamps are written as
`YYYY-MM-DD HH:MM:SS` in UTC (Excel reads `…+00` as text, this as a date and time), and the
file starts with a UTF-8 byte order mark unless `bom=False` (without it, Excel on Windows reads
UTF-8 as the ANSI code page and garbles every accent).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from assetkit.atomic import chmod_like_new, replace_dir_atomic
from assetkit.export.guard import check_replaceable_dir, protected_paths, refuse_protected

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

MARKER = ".assetkit-tables"  # marks a folder as an earlier table export (safe to replace)
TABLES = ("import_batches", "buyers", "buyer_identities", "orders", "order_items", "refunds", "fees", "spend",
          "inquiries", "products", "visits", "fx_rates", "rejects")
# A cell a spreadsheet would evaluate: = + - @ | % after leading blanks, or a leading tab/CR/LF/NUL.
_FORMULA = r"'^(\s*[=+\-@|%]|[\t\r\n\x00])'"
# ... and the same after a line break inside the cell (a reader splitting there starts a row).
_AFTER_BREAK = r"'([\r\n]+)([ \t]*[=+\-@|%\x00])'"


def _select_safe(con: duckdb.DuckDBPyConnection, table: str) -> str:
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    parts = []
    for name, dtype in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if dtype == "TIMESTAMP WITH TIME ZONE":  # the session runs in UTC
            parts.append(f"strftime({quoted}, '%Y-%m-%d %H:%M:%S') AS {quoted}")
        elif dtype == "VARCHAR":
            text = f"regexp_replace({quoted}, {_AFTER_BREAK}, '\\1''\\2', 'g')"
            parts.append(f"CASE WHEN regexp_matches({quoted}, {_FORMULA}) THEN '''' || {text} ELSE {text} END AS {quoted}")
        else:
            parts.append(quoted)
    return f"SELECT {', '.join(parts)} FROM {table}"


def export_tables(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str = "parquet",
                  bom: bool = True, config: Config | None = None) -> dict[str, int]:
    """Write one file per canonical table into `out_dir` (swapped in atomically); return row counts.

    `out_dir` is replaced whole, so it must be new, empty or an earlier table export (marked
    by MARKER), and may not hold the database, the configuration or an input file.
    `bom`: CSV files start with a UTF-8 byte order mark (for Excel)."""
    out_dir = Path(out_dir)
    refuse_protected(out_dir, protected_paths(con, config), folder=True, option="the tables folder")
    check_replaceable_dir(out_dir, MARKER, "./tables",
                          frozenset(f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")))
    parent = Path(os.path.abspath(out_dir)).parent
    parent.mkdir(parents=True, exist_ok=True)
    built = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    try:
        counts = {}
        for table in TABLES:
            target = str(built / f"{table}.{fmt}").replace("'", "''")
            if fmt == "parquet":
                con.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
            else:
                body = built / f"{table}.body"
                con.execute(f"COPY ({_select_safe(con, table)}) TO '{str(body).replace(chr(39), chr(39) * 2)}' "
                            "(FORMAT csv, HEADER true)")
                _finish_csv(body, built / f"{table}.{fmt}", bom)
            (counts[table],) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        (built / MARKER).write_text(f"written by assetkit export tables --format {fmt}\n", encoding="utf-8")
        chmod_like_new(built, folder=True)
        replace_dir_atomic(built, Path(os.path.abspath(out_dir)))
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return counts


def _finish_csv(body: Path, target: Path, bom: bool) -> None:
    """`body` as `target`, behind a UTF-8 byte order mark when `bom` (DuckDB's COPY writes none)."""
    if not bom:
        body.replace(target)
        return
    with target.open("wb") as out, body.open("rb") as src:
        out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(src, out, 1 << 20)
    body.unlink()
