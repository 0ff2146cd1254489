"""The database schema is a public interface: pin every table's columns and types."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetkit.store import migrate, open_store, schema_version
from assetkit.store.migrations import MIGRATIONS

M = "DECIMAL(18,4)"
R = "DECIMAL(18,8)"
TZ = "TIMESTAMP WITH TIME ZONE"

EXPECTED = {
    "schema_migrations": [("version", "INTEGER"), ("name", "VARCHAR"), ("applied_at", TZ)],
    "import_batches": [
        ("batch_id", "BIGINT"), ("source_path", "VARCHAR"), ("file_name", "VARCHAR"), ("sha256", "VARCHAR"),
        ("platform", "VARCHAR"), ("kind", "VARCHAR"), ("profile", "VARCHAR"), ("encoding", "VARCHAR"),
        ("rows_read", "INTEGER"), ("rows_loaded", "INTEGER"), ("rows_duplicate", "INTEGER"),
        ("rows_rejected", "INTEGER"), ("started_at", TZ), ("finished_at", TZ), ("assetkit_version", "VARCHAR"),
    ],
    "buyers": [
        ("buyer_id", "VARCHAR"), ("name", "VARCHAR"), ("company", "VARCHAR"), ("email", "VARCHAR"),
        ("phone", "VARCHAR"), ("country", "VARCHAR"), ("first_seen_at", TZ), ("first_channel", "VARCHAR"),
        ("first_platform", "VARCHAR"), ("batch_id", "BIGINT"),
    ],
    "buyer_identities": [
        ("platform", "VARCHAR"), ("platform_ref", "VARCHAR"), ("buyer_id", "VARCHAR"),
        ("email_norm", "VARCHAR"), ("batch_id", "BIGINT"),
    ],
    "orders": [
        ("order_id", "VARCHAR"), ("platform", "VARCHAR"), ("channel", "VARCHAR"), ("source_order_id", "VARCHAR"),
        ("buyer_id", "VARCHAR"), ("ordered_at", TZ), ("status", "VARCHAR"), ("currency", "VARCHAR"),
        ("gross_amount", M), ("refunded_amount", M), ("tax_amount", M), ("shipping_amount", M),
        ("discount_amount", M), ("gross_amount_rc", M), ("refunded_amount_rc", M), ("fx_rate", R),
        ("fx_date", "DATE"), ("quantity", "DECIMAL(18,3)"), ("product", "VARCHAR"), ("country", "VARCHAR"),
        ("batch_id", "BIGINT"), ("source_line", "INTEGER"),
    ],
    "order_items": [
        ("order_id", "VARCHAR"), ("line_no", "INTEGER"), ("sku", "VARCHAR"), ("product", "VARCHAR"),
        ("quantity", "DECIMAL(18,3)"), ("unit_price", M), ("amount", M), ("currency", "VARCHAR"),
        ("batch_id", "BIGINT"), ("source_line", "INTEGER"),
    ],
    "fees": [
        ("fee_id", "VARCHAR"), ("platform", "VARCHAR"), ("incurred_at", TZ), ("fee_type", "VARCHAR"),
        ("description", "VARCHAR"), ("currency", "VARCHAR"), ("amount", M), ("amount_rc", M), ("fx_rate", R),
        ("fx_date", "DATE"), ("order_id", "VARCHAR"), ("batch_id", "BIGINT"), ("source_line", "INTEGER"),
    ],
    "spend": [
        ("spend_id", "VARCHAR"), ("channel", "VARCHAR"), ("platform", "VARCHAR"), ("period_start", "DATE"),
        ("period_end", "DATE"), ("description", "VARCHAR"), ("currency", "VARCHAR"), ("amount", M),
        ("amount_rc", M), ("fx_rate", R), ("fx_date", "DATE"), ("batch_id", "BIGINT"), ("source_line", "INTEGER"),
    ],
    "inquiries": [
        ("inquiry_id", "VARCHAR"), ("platform", "VARCHAR"), ("channel", "VARCHAR"), ("source_inquiry_id", "VARCHAR"),
        ("buyer_id", "VARCHAR"), ("received_at", TZ), ("inquiry_type", "VARCHAR"), ("product", "VARCHAR"),
        ("quantity", "DECIMAL(18,3)"), ("unit", "VARCHAR"), ("subject", "VARCHAR"), ("message", "VARCHAR"),
        ("country", "VARCHAR"), ("first_response_at", TZ), ("batch_id", "BIGINT"), ("source_line", "INTEGER"),
    ],
    "products": [
        ("product_id", "VARCHAR"), ("sku", "VARCHAR"), ("name", "VARCHAR"), ("category", "VARCHAR"),
        ("description", "VARCHAR"), ("specs", "VARCHAR"), ("moq", "DECIMAL(18,3)"), ("moq_unit", "VARCHAR"),
        ("lead_time_days", "INTEGER"), ("price", M), ("currency", "VARCHAR"), ("image_url", "VARCHAR"),
        ("platform", "VARCHAR"), ("batch_id", "BIGINT"), ("source_line", "INTEGER"),
    ],
    "visits": [
        ("visit_id", "VARCHAR"), ("site", "VARCHAR"), ("visit_date", "DATE"), ("page", "VARCHAR"),
        ("source", "VARCHAR"), ("country", "VARCHAR"), ("visitors", "INTEGER"), ("pageviews", "INTEGER"),
        ("events", "INTEGER"), ("batch_id", "BIGINT"), ("source_line", "INTEGER"),
    ],
    "fx_rates": [("rate_date", "DATE"), ("currency", "VARCHAR"), ("per_eur", R), ("source", "VARCHAR")],
    "rejects": [
        ("batch_id", "BIGINT"), ("line", "INTEGER"), ("column_name", "VARCHAR"), ("raw", "VARCHAR"),
        ("reason", "VARCHAR"),
    ],
    # migration 2
    "import_batch_counts": [("batch_id", "BIGINT"), ("rows_skipped", "INTEGER"), ("fx_missing", "INTEGER")],
    # migration 3
    "actions_done": [("action_id", "VARCHAR"), ("rule", "VARCHAR"), ("kind", "VARCHAR"), ("buyer_id", "VARCHAR"),
                     ("done_at", TZ), ("note", "VARCHAR")],
    "plans": [("plan_id", "BIGINT"), ("created_at", TZ), ("start_date", "DATE"), ("baseline_as_of", "DATE"),
              ("shift", "DOUBLE"), ("currency", "VARCHAR"), ("budget_to_move_per_month", M), ("document", "VARCHAR")],
    "plan_targets": [("plan_id", "BIGINT"), ("phase", "VARCHAR"), ("metric", "VARCHAR"), ("due_date", "DATE"),
                     ("direction", "VARCHAR"), ("baseline", "DOUBLE"), ("target", "DOUBLE")],
    # migration 6
    "refunds": [("refund_id", "VARCHAR"), ("platform", "VARCHAR"), ("order_id", "VARCHAR"), ("refunded_at", TZ),
                ("currency", "VARCHAR"), ("amount", M), ("amount_rc", M), ("fx_rate", R), ("fx_date", "DATE"),
                ("description", "VARCHAR"), ("batch_id", "BIGINT"), ("source_line", "INTEGER")],
    # migration 8
    "import_warnings": [("batch_id", "BIGINT"), ("check_name", "VARCHAR"), ("line", "INTEGER"),
                        ("column_name", "VARCHAR"), ("value", "VARCHAR"), ("message", "VARCHAR")],
}


def columns(store, table: str) -> list[tuple[str, str]]:
    return [
        (name, dtype)
        for name, dtype in store.query(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        )
    ]


def test_empty_database_migrates_to_the_pinned_schema(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.duckdb") as store:
        tables = {t for (t,) in store.query("SELECT table_name FROM information_schema.tables")}
        assert set(EXPECTED) <= tables
        for table, expected in EXPECTED.items():
            actual = columns(store, table)
            assert actual[: len(expected)] == expected, table
        # columns added later by ALTER TABLE, after the original ones
        assert columns(store, "inquiries")[len(EXPECTED["inquiries"])] == ("page", "VARCHAR")
        assert columns(store, "fees")[len(EXPECTED["fees"])] == ("copy_of", "VARCHAR")  # migration 6
        # migration 6: the one definition of platform cost, every fee column
        assert columns(store, "platform_fees") == columns(store, "fees")
        assert schema_version(store.con) == MIGRATIONS[-1].version


def test_every_migration_is_recorded_once_and_reopening_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "a.duckdb"
    with open_store(path) as store:
        rows = store.query("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [v for v, _ in rows] == [m.version for m in MIGRATIONS]
    with open_store(path) as store:
        assert migrate(store) == []
        assert len(store.query("SELECT * FROM schema_migrations")) == len(MIGRATIONS)


def test_migration_versions_are_ordered_and_unique() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(set(versions)) and versions[0] == 1


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.duckdb") as store:
        with pytest.raises(RuntimeError):
            with store.transaction() as con:
                con.execute("INSERT INTO fx_rates VALUES ('2024-01-02', 'USD', 1.1, 'test')")
                raise RuntimeError("boom")
        assert store.query("SELECT count(*) FROM fx_rates") == [(0,)]


def test_newer_database_is_refused(tmp_path: Path) -> None:
    from assetkit.errors import AssetkitError

    path = tmp_path / "a.duckdb"
    with open_store(path) as store:
        store.con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(AssetkitError, match="newer than this assetkit"):
        open_store(path)


def test_version_3_data_survives_the_keyless_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migration 4 recreates the data tables without a key index: rows, columns, types and
    NOT NULL constraints stay; a doubled id is then the importer's to refuse (db check finds it)."""
    import assetkit.store as store_module
    from assetkit.store.maintenance import check_database

    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:3])
    with open_store(path) as store:
        store.con.execute(
            "INSERT INTO orders (order_id, platform, channel, source_order_id, ordered_at, status, currency, "
            "gross_amount, batch_id, source_line) VALUES ('etsy:1', 'etsy', 'marketplace', '1', "
            "'2024-01-02 00:00:00+00', 'completed', 'USD', 12.5, 1, 2)")
        store.con.execute("INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, received_at, "
                          "batch_id, source_line, page) VALUES ('site:9', 'site', 'own_site', '9', "
                          "'2024-01-03 00:00:00+00', 1, 2, '/products/a')")
        assert schema_version(store.con) == 3
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with open_store(path) as store:
        assert schema_version(store.con) == MIGRATIONS[-1].version
        for table, expected in EXPECTED.items():
            assert columns(store, table)[: len(expected)] == expected, table
        assert store.query("SELECT order_id, gross_amount, refunded_amount FROM orders")[0][0] == "etsy:1"
        assert store.query("SELECT page FROM inquiries") == [("/products/a",)]
        assert not store.query("SELECT * FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' "
                               "AND table_name IN ('orders', 'fees', 'inquiries', 'order_items')")
        with pytest.raises(Exception, match="NOT NULL"):
            store.con.execute("INSERT INTO orders (order_id) VALUES ('x')")
        store.con.execute("INSERT INTO orders SELECT * FROM orders")  # a doubled id is no longer refused …
        assert any("stored more than once" in p for p in check_database(store).problems)  # … but found


def test_duckdb_draws_no_progress_bar_on_stdout(tmp_path: Path) -> None:
    """DuckDB's own bar (statements over 2 s) goes to stdout even in a pipe and would corrupt
    `--format json` output; the store switches it off. Checked in a plain child process: under
    pytest's output capture DuckDB starts with the bar off anyway."""
    import os
    import subprocess
    import sys

    code = ("from assetkit.store import open_store\n"
            f"with open_store({str(tmp_path / 'a.duckdb')!r}) as s:\n"
            "    print(s.query(\"SELECT current_setting('enable_progress_bar')\")[0][0])")
    repo = str(Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": repo}).stdout
    assert out.strip() == "False"
