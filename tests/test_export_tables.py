"""`assetkit export tables`: every table written, types kept in Parquet, formulas neutralised in CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from assetkit.export.tables import MARKER, TABLES
from assetkit.store import open_store


def _seed(db: Path) -> None:
    with open_store(db) as store:
        store.con.execute(
            "INSERT INTO buyers (buyer_id, name, email, phone) VALUES "
            "('b1', '=HYPERLINK(\"http://x\")', 'a@b.c', '+49 30 1234'), ('b2', '  @SUM(A1)', NULL, NULL),"
            "('b3', 'Plain Name', NULL, '-5')")
        store.con.execute(
            "INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency, "
            "gross_amount, batch_id, source_line) VALUES ('x:1', 'x', 'own_site', '1', 'b1', "
            "'2024-01-01 10:00:00+00', 'completed', 'USD', 12.5, 1, 2)")


def test_csv_export_neutralises_formulas_and_keeps_numbers(cli, tmp_path: Path) -> None:
    _seed(tmp_path / "assetkit.duckdb")
    result = cli("export", "tables", "out", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*(f"{t}.csv" for t in TABLES), MARKER])
    with (tmp_path / "out" / "buyers.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["buyer_id"]: r for r in csv.DictReader(fh)}
    assert rows["b1"]["name"] == "'=HYPERLINK(\"http://x\")"
    assert rows["b2"]["name"] == "'  @SUM(A1)"
    assert rows["b3"]["name"] == "Plain Name" and rows["b3"]["phone"] == "'-5"
    with (tmp_path / "out" / "orders.csv").open(encoding="utf-8-sig") as fh:
        order = next(csv.DictReader(fh))
    assert float(order["gross_amount"]) == 12.5


def test_csv_export_is_excel_friendly(cli, tmp_path: Path) -> None:
    """A UTF-8 BOM (Excel on Windows otherwise reads the ANSI code page) and timestamps Excel parses
    (`2024-01-01 10:00:00`, UTC, not `…+00`, which Excel keeps as text); --no-bom for other tools."""
    import duckdb

    _seed(tmp_path / "assetkit.duckdb")
    con = duckdb.connect(str(tmp_path / "assetkit.duckdb"))
    con.execute("UPDATE buyers SET name = 'Zoë Müller' WHERE buyer_id = 'b3'")
    con.execute("UPDATE orders SET ordered_at = TIMESTAMPTZ '2024-01-01 12:30:00+02'")
    con.close()
    assert cli("export", "tables", "out", "--format", "csv").exit_code == 0
    raw = (tmp_path / "out" / "orders.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbforder_id,")
    order = next(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert order["ordered_at"] == "2024-01-01 10:30:00"  # UTC
    assert "Zoë Müller" in (tmp_path / "out" / "buyers.csv").read_text(encoding="utf-8-sig")
    assert cli("export", "tables", "plain", "--format", "csv", "--no-bom").exit_code == 0
    assert (tmp_path / "plain" / "orders.csv").read_bytes().startswith(b"order_id,")


def test_parquet_export_keeps_types_and_replaces_atomically(cli, tmp_path: Path) -> None:
    import duckdb

    _seed(tmp_path / "assetkit.duckdb")
    assert cli("export", "tables", "out", "--format", "csv").exit_code == 0
    (tmp_path / "out" / "stale.txt").write_text("old", encoding="utf-8")  # in a folder assetkit wrote
    assert cli("export", "tables", "out").exit_code == 0
    assert not (tmp_path / "out" / "stale.txt").exists()
    con = duckdb.connect()
    row = con.execute(f"SELECT gross_amount, typeof(gross_amount), typeof(ordered_at) FROM "
                      f"'{tmp_path / 'out' / 'orders.parquet'}'").fetchone()
    assert float(row[0]) == 12.5 and row[1].startswith("DECIMAL") and "TIME ZONE" in row[2]


def test_a_folder_assetkit_did_not_write_is_kept(cli, tmp_path: Path) -> None:
    _seed(tmp_path / "assetkit.duckdb")
    thesis = tmp_path / "thesis"
    (thesis / "chapters").mkdir(parents=True)
    (thesis / "chapters" / "one.tex").write_text("years of work", encoding="utf-8")
    thesis.chmod(0o755)
    result = cli("export", "tables", "thesis")
    assert result.exit_code == 2 and "not empty and was not written by assetkit" in result.output
    assert (thesis / "chapters" / "one.tex").read_text(encoding="utf-8") == "years of work"
    assert thesis.stat().st_mode & 0o777 == 0o755
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".thesis")]


def test_export_into_the_current_folder_or_over_the_database_is_refused(cli, tmp_path: Path) -> None:
    _seed(tmp_path / "assetkit.duckdb")
    before = sorted(p.name for p in tmp_path.iterdir())
    for target in (".", str(tmp_path), ".."):
        result = cli("export", "tables", target)
        assert result.exit_code == 2 and "internal error" not in result.output, result.output
        assert "current folder" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no hidden staging folder left
    (tmp_path / "data").mkdir()
    _seed(tmp_path / "data" / "assetkit.duckdb")
    result = cli("--db", "data/assetkit.duckdb", "export", "tables", "data")
    assert result.exit_code == 2 and "holds the database" in result.output
    assert (tmp_path / "data" / "assetkit.duckdb").stat().st_size > 0


def test_a_table_export_from_before_markers_is_replaced(cli, tmp_path: Path) -> None:
    _seed(tmp_path / "assetkit.duckdb")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "orders.parquet").write_bytes(b"old export")
    assert cli("export", "tables", "out").exit_code == 0
    assert (tmp_path / "out" / MARKER).exists()
