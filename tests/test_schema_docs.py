"""One source for the schema reference and the database's COMMENTs (assetkit/store/schema_docs.yaml):
docs/schema.md's tables are generated from it, and every canonical table and ≥ 90% of its columns
carry its meaning as a DuckDB COMMENT."""

from __future__ import annotations

from pathlib import Path

from assetkit.store import open_store
from assetkit.store.comments import column_comments, replace_generated, table_comments

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schema.md"
CANONICAL = ("schema_migrations", "import_batches", "import_batch_counts", "buyers", "buyer_identities", "orders", "refunds",
             "order_items", "fees", "spend", "inquiries", "products", "visits", "fx_rates", "rejects", "import_warnings", "reconciliations",
             "actions_done", "plans", "plan_targets")


def test_docs_schema_tables_are_generated_from_the_source(regen) -> None:
    text = DOCS.read_text(encoding="utf-8")
    expected = replace_generated(text)
    if regen("ASSETKIT_REGEN_DOCS") and expected != text:
        DOCS.write_text(expected, encoding="utf-8")
        text = expected
    assert text == expected, "docs/schema.md differs from schema_docs.yaml: pytest --regen tests/test_schema_docs.py regenerates it"


def test_every_table_and_nearly_every_column_carries_a_comment(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        tables = dict(store.con.execute("SELECT table_name, comment FROM duckdb_tables() "
                                        "WHERE schema_name = 'main'").fetchall())
        columns = store.con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() "
                                    "WHERE schema_name = 'main'").fetchall()
    assert set(CANONICAL) <= set(tables)
    assert all(tables[t] for t in tables), [t for t in tables if not tables[t]]
    for table in tables:
        mine = [c for c in columns if c[0] == table]
        commented = [c for c in mine if c[2]]
        assert len(commented) >= 0.9 * len(mine), (table, [c[1] for c in mine if not c[2]])
    assert dict(((t, c), m) for t, c, m in columns)[("orders", "gross_amount")].startswith("what the buyer paid")


def test_every_documented_column_exists(tmp_path: Path) -> None:
    """A typo in schema_docs.yaml would otherwise silently document nothing."""
    with open_store(tmp_path / "s.duckdb") as store:
        present = set(store.con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                        "WHERE schema_name = 'main'").fetchall())
    documented = {(t, c) for t, cols in column_comments().items() for c in cols}
    assert documented <= present, documented - present
    assert set(table_comments()) == set(CANONICAL)


def test_comments_reach_a_database_migrated_earlier(tmp_path: Path) -> None:
    """A database migrated before version 7 gets the comments when it is next opened (migration 7)."""
    db = tmp_path / "s.duckdb"
    with open_store(db) as store:
        store.con.execute("DELETE FROM schema_migrations WHERE version = 7")
        store.con.execute("COMMENT ON TABLE orders IS NULL")
        store.checkpoint()
    with open_store(db) as store:
        assert store.con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'orders'").fetchone()[0]
