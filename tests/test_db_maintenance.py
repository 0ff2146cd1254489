"""`assetkit db check` finds broken bookkeeping; `assetkit db backup` writes a usable copy."""

from __future__ import annotations

import json
from pathlib import Path

from assetkit.store import open_store
from assetkit.store.maintenance import check_database


def _batch(store, batch_id: int, read: int, loaded: int, dup: int, rejected: int) -> None:
    store.con.execute(
        "INSERT INTO import_batches VALUES (?, 'f.csv', 'f.csv', 'h', 'generic', 'orders', 'generic_orders', "
        "'utf-8', ?, ?, ?, ?, now(), now(), '0.1.0')", [batch_id, read, loaded, dup, rejected])


def _order(store, order_id: str, batch_id: int, line: int, buyer: str | None = None) -> None:
    store.con.execute(
        "INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency, "
        "gross_amount, batch_id, source_line) VALUES (?, 'generic', 'marketplace', ?, ?, '2024-01-01 00:00:00+00', "
        "'completed', 'USD', 10, ?, ?)", [order_id, order_id, buyer, batch_id, line])


def test_consistent_database_passes(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.duckdb") as store:
        _batch(store, 1, read=4, loaded=2, dup=1, rejected=1)
        _order(store, "o1", 1, 2)
        _order(store, "o2", 1, 3)
        store.con.execute("INSERT INTO rejects VALUES (1, 5, 'amount', 'x', 'not a number')")
        result = check_database(store)
    assert result.ok, result.problems
    assert result.batches_checked == 1


def test_each_kind_of_problem_is_reported(tmp_path: Path) -> None:
    with open_store(tmp_path / "a.duckdb") as store:
        _batch(store, 1, read=5, loaded=2, dup=1, rejected=1)  # does not add up
        _order(store, "o1", 1, 2)  # only one line stored for 2 loaded
        _order(store, "o9", 9, 2)  # batch 9 does not exist
        _order(store, "o3", 1, 2, buyer="ghost")
        _order(store, "o3", 1, 3)  # the same id twice
        store.con.execute("INSERT INTO buyer_identities VALUES ('etsy', 'u1', 'nobody', NULL, 1)")
        store.con.execute(
            "INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, order_id, batch_id, source_line) "
            "VALUES ('f1', 'etsy', '2024-01-01 00:00:00+00', 'commission', 'USD', 1, 'etsy:missing', 1, 3)")
        result = check_database(store)
    text = "\n".join(result.problems)
    assert not result.ok
    assert "read 5 ≠ loaded 2 + duplicates 1 + quarantined 1 + skipped 0" in text
    assert "records 1 quarantined rows but 0 are in rejects" in text
    assert "orders: 1 rows belong to no recorded import batch" in text
    assert "identities point to no buyer" in text
    assert "name a buyer that does not exist" in text
    assert "orders: 1 ids are stored more than once" in text
    assert any("refer to orders not imported" in w for w in result.warnings)


def test_db_check_cli_exit_codes(cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    ok = cli("db", "check", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
    with open_store("assetkit.duckdb") as store:
        _batch(store, 1, read=1, loaded=1, dup=0, rejected=0)
    bad = cli("db", "check")
    assert bad.exit_code == 1 and "PROBLEM" in bad.output


def test_backup_is_a_complete_openable_copy_and_never_overwrites(cli, tmp_path: Path) -> None:
    with open_store("assetkit.duckdb") as store:
        _batch(store, 1, read=1, loaded=1, dup=0, rejected=0)
        _order(store, "o1", 1, 2)
    result = cli("db", "backup", "copy.duckdb")
    assert result.exit_code == 0, result.output
    with open_store(tmp_path / "copy.duckdb") as copy:
        assert copy.query("SELECT order_id FROM orders") == [("o1",)]
        assert copy.query("SELECT max(version) FROM schema_migrations")[0][0] >= 1
    again = cli("db", "backup", "copy.duckdb")
    assert again.exit_code == 1 and "already exists" in again.output
