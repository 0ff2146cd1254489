"""Bad input and careless paths (issue 17): nothing lost, nothing broken, no secret leaked.

One test (or a few) per case of docs/reliability.md's "Hostile and careless input" table.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assetkit.store import open_store
from tests.conftest import REPO

SAMPLES = REPO / "tests" / "samples"


def etsy_file(path: Path, rows: int, edit_row: int | None = None, edit: tuple[str, str] = ("", "")) -> Path:
    """An Etsy orders export of `rows` distinct orders (no quotes anywhere), one row edited."""
    header, _, template = (SAMPLES / "etsy_sold_orders.csv").read_text(encoding="utf-8").splitlines()[:3]
    lines = [header]
    for i in range(rows):
        row = template.replace("3201000002", str(3201000001 + i * 7)).replace("900000002", str(900000001 + i))
        lines.append(row.replace(*edit) if i == edit_row else row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- 2: a quote that never closes -------------------------------------------------------------

@pytest.mark.parametrize("edit", [("Bo Customer", '"Bo Customer'), ("MUG-BLUE-12", '"MUG-BLUE-12')],
                         ids=["mid-row", "last-field"])
@pytest.mark.parametrize("rows", [2000, 6000], ids=["python-path", "fast-path-size"])
def test_unclosed_quote_loses_only_its_own_line(tmp_path: Path, edit: tuple[str, str], rows: int) -> None:
    from assetkit.importers import import_file

    path = etsy_file(tmp_path / "orders.csv", rows, edit_row=500, edit=edit)
    with open_store(tmp_path / "a.duckdb") as store:
        result = import_file(store, path)
        (orders,) = store.query("SELECT count(*) FROM orders")[0]
        line, reason = store.query("SELECT line, reason FROM rejects")[0]
    assert result.rows_read == rows and result.loaded == rows - 1 and result.rejected == 1
    assert orders == rows - 1
    assert line == 502 and "quote opened on this line is never closed" in reason


def test_multiline_quoted_field_is_still_one_record(tmp_path: Path) -> None:
    from assetkit.importers import import_file

    path = etsy_file(tmp_path / "orders.csv", 50, edit_row=10, edit=("99 Sample Road", '"99 Sample\nRoad"'))
    with open_store(tmp_path / "a.duckdb") as store:
        result = import_file(store, path)
        (street,) = store.query("SELECT count(*) FROM orders")[0]
    assert result.rows_read == 50 and result.loaded == 50 and result.rejected == 0 and street == 50


# --- 4: never write over the database, its WAL, the configuration or an input file ------------

def test_report_never_replaces_the_database_config_or_an_input(cli, tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "etsy_sold_orders.csv", tmp_path / "orders.csv")
    (tmp_path / "assetkit.yaml").write_text("reporting_currency: USD\n", encoding="utf-8")
    assert cli("import", "orders.csv").exit_code == 0
    kept = {name: (tmp_path / name).read_bytes() for name in ("assetkit.duckdb", "assetkit.yaml", "orders.csv")}
    for target in ("assetkit.duckdb", "assetkit.duckdb.wal", "./assetkit.yaml", "orders.csv", str(tmp_path / "orders.csv")):
        result = cli("report", "--out", target)
        assert result.exit_code == 2 and "refusing to write the report" in result.output, result.output
    for name, data in kept.items():
        assert (tmp_path / name).read_bytes() == data
    assert not (tmp_path / "assetkit.duckdb.wal").exists()
    os.symlink(tmp_path / "assetkit.duckdb", tmp_path / "innocent.html")
    assert cli("report", "--out", "innocent.html").exit_code == 2
    assert cli("export", "crm", "assetkit.yaml", "--target", "csv").exit_code == 2
    assert (tmp_path / "assetkit.yaml").read_bytes() == kept["assetkit.yaml"]
    assert cli("report", "--out", "report.html").exit_code == 0


# --- 8: formula injection through a bare CR ---------------------------------------------------

def test_csv_quotes_line_breaks_and_neutralises_formulas_after_them() -> None:
    import csv
    import io

    from assetkit.export.output import write_csv_safe

    buffer = io.StringIO()
    write_csv_safe([["Acme\r=cmd|' /C calc'!A0", 3], ["ok\n  +SUM(A1)", "a\r\n@x"]], ["name", "n"], buffer)
    text = buffer.getvalue()
    for reader in (csv.reader(io.StringIO(text, newline="")), csv.reader(io.StringIO(text))):
        rows = list(reader)
        assert len(rows) == 3, rows  # no row was split at the CR
        cells = [line for row in rows for cell in row for line in cell.splitlines()]
        assert not [c for c in cells if c.lstrip(" ")[:1] in ("=", "+", "-", "@")], cells
    # a spreadsheet-style reader that splits records at any line break outside quotes sees no formula
    outside = "".join(part for i, part in enumerate(text.split('"')) if i % 2 == 0)
    assert not [line for line in outside.splitlines() if line.lstrip(" ")[:1] in ("=", "+", "-", "@")]
