"""Database hygiene: consistent backups and an integrity check a user can run any time.

The check proves the bookkeeping promise "every row read is loaded, a duplicate or
quarantined" (or skipped as structural by its profile, e.g. a settlement's summary row or a
bank withdrawal, counted in `import_batch_counts`): for each batch, the distinct source lines
stored across the canonical tables must equal `rows_loaded`, the quarantined lines must equal
`rows_rejected`, and the four counts must add up to `rows_read`. It also finds ids stored
twice, rows whose batch no longer exists and identities that point to no buyer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import AssetkitError

if TYPE_CHECKING:
    from assetkit.store import Store

# The imported data tables and their ids. Uniqueness is the importer's promise, not a DuckDB
# key (migration 4 explains why), so the check proves it.
DATA_KEYS = {"orders": "order_id", "order_items": "order_id, line_no", "refunds": "refund_id", "fees": "fee_id", "spend": "spend_id",
             "inquiries": "inquiry_id", "products": "product_id", "visits": "visit_id"}
DATA_TABLES = tuple(DATA_KEYS)


@dataclass
class CheckResult:
    batches_checked: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def check_database(store: Store) -> CheckResult:
    """Read every block of every table (DuckDB verifies each block's checksum as it reads),
    then check the bookkeeping; a damaged file is reported as a problem, not a crash."""
    from assetkit.errors import explain_failure

    try:
        damaged = _read_every_block(store)
        if damaged:
            return CheckResult(batches_checked=0, problems=damaged)
        return _check_bookkeeping(store)
    except Exception as exc:  # noqa: BLE001 - DuckDB raises its own classes for a damaged file
        known = explain_failure(exc, store.path)
        if known is None:
            raise
        return CheckResult(batches_checked=0, problems=[known.message + f" (hint: {known.hint})"])


def _read_every_block(store: Store) -> list[str]:
    """One problem per table DuckDB cannot read back intact."""
    from assetkit.errors import explain_failure

    problems = []
    tables = [t for (t,) in store.con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary "
        "ORDER BY table_name").fetchall()]
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            store.con.execute(f"SELECT count(*), bit_xor(hash(COLUMNS(*))) FROM {quoted}").fetchall()
        except Exception as exc:  # noqa: BLE001 - see check_database
            known = explain_failure(exc, store.path)
            if known is None:
                raise
            problems.append(f"{table}: {known.message}")
    return problems


def _check_bookkeeping(store: Store) -> CheckResult:
    con = store.con
    union = " UNION ".join(f"SELECT batch_id, source_line FROM {t}" for t in DATA_TABLES)
    rows = con.execute(
        f"""
        WITH stored AS ({union}),
        per_batch AS (SELECT batch_id, count(*) AS n FROM stored GROUP BY 1),
        rejected AS (SELECT batch_id, count(*) AS n FROM rejects GROUP BY 1)
        SELECT b.batch_id, b.file_name, b.rows_read, b.rows_loaded, b.rows_duplicate, b.rows_rejected,
               coalesce(c.rows_skipped, 0), coalesce(p.n, 0), coalesce(r.n, 0)
        FROM import_batches b LEFT JOIN import_batch_counts c USING (batch_id)
        LEFT JOIN per_batch p USING (batch_id) LEFT JOIN rejected r USING (batch_id)
        ORDER BY b.batch_id
        """
    ).fetchall()
    result = CheckResult(batches_checked=len(rows))
    for batch_id, name, read, loaded, duplicate, rejected, skipped, stored, quarantined in rows:
        where = f"batch {batch_id} ({name})"
        if loaded + duplicate + rejected + skipped != read:
            result.problems.append(f"{where}: read {read} ≠ loaded {loaded} + duplicates {duplicate} + "
                                   f"quarantined {rejected} + skipped {skipped}")
        # A loaded row may be folded into another line's stored row (an Amazon order's several
        # price lines become one order whose source_line is its first line), so stored lines can
        # be fewer than loaded rows, never more, and never none when something was loaded.
        if stored > loaded or (loaded > 0 and stored == 0):
            result.problems.append(f"{where}: records {loaded} loaded rows but {stored} source lines are stored")
        if quarantined != rejected:
            result.problems.append(f"{where}: records {rejected} quarantined rows but {quarantined} are in rejects")
    for table, key in DATA_KEYS.items():
        (doubled,) = con.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} GROUP BY {key} HAVING count(*) > 1)").fetchone()
        if doubled:
            result.problems.append(f"{table}: {doubled} ids are stored more than once")
    for table in (*DATA_TABLES, "rejects"):
        if orphans := _dangling(con, table, "batch_id", "import_batches"):
            result.problems.append(f"{table}: {orphans} rows belong to no recorded import batch")
    if lost_ids := _dangling(con, "buyer_identities", "buyer_id", "buyers"):
        result.problems.append(f"buyer_identities: {lost_ids} identities point to no buyer")
    for table in ("orders", "inquiries"):
        if unknown := _dangling(con, table, "buyer_id", "buyers"):
            result.problems.append(f"{table}: {unknown} rows name a buyer that does not exist")
    unlinked = _dangling(con, "fees", "order_id", "orders")
    if unlinked:
        result.warnings.append(f"fees: {unlinked} fee rows refer to orders not imported (yet); "
                               "they count as platform cost but not against a buyer")
    return result


def _dangling(con, table: str, column: str, parent: str) -> int:  # noqa: ANN001 - duckdb connection
    """Rows of `table` whose non-null `column` matches no row of `parent` (same column name)."""
    (count,) = con.execute(
        f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {parent} p WHERE p.{column} = t.{column})"
    ).fetchone()
    return int(count)


def backup_database(store: Store, destination: Path) -> Path:
    """Write a consistent copy of the database while holding its lock."""
    destination = Path(destination)
    if destination.exists():
        raise AssetkitError(f"{destination} already exists", hint="choose a new file name; backups are never overwritten")
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(f".{destination.name}.partial")
    tmp.unlink(missing_ok=True)
    store.checkpoint()
    store.con.execute(f"ATTACH '{_sql_path(tmp)}' AS assetkit_backup (STORAGE_VERSION 'v1.4.0')")
    try:
        store.con.execute("COPY FROM DATABASE " + _current_db(store) + " TO assetkit_backup")
    finally:
        store.con.execute("DETACH assetkit_backup")
    tmp.replace(destination)  # rename() refuses an existing target on Windows; checked absent above
    return destination


def _current_db(store: Store) -> str:
    (name,) = store.con.execute("SELECT current_database()").fetchone()
    return '"' + str(name).replace('"', '""') + '"'


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
