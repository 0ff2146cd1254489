"""The DuckDB file: opening it safely, migrating it, and running atomic write units.

`open_store()` is the only way library code opens the database: it takes the sidecar lock,
connects, applies pending migrations (each in its own transaction, followed by CHECKPOINT so
no DDL is left in the WAL) and returns a `Store`. `Store.transaction()` wraps DuckDB's
transaction traps: an error inside BEGIN makes a later COMMIT a silent rollback, so any
exception triggers an explicit ROLLBACK and is re-raised.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import AssetkitError
from assetkit.store.lock import StoreLock
from assetkit.store.migrations import MIGRATIONS

if TYPE_CHECKING:
    import duckdb

DEFAULT_WAIT_SECONDS = 30.0


@dataclass
class Store:
    """An open database plus the lock that guards it."""

    path: Path
    con: "duckdb.DuckDBPyConnection"
    _lock: StoreLock = field(repr=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator["duckdb.DuckDBPyConnection"]:
        """All statements inside land together or not at all."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def checkpoint(self) -> None:
        self.con.execute("CHECKPOINT")

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._lock.release()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(path: str | Path, wait_seconds: float = DEFAULT_WAIT_SECONDS, create: bool = True) -> Store:
    """Lock, connect and migrate the database at `path`."""
    import duckdb

    db_path = Path(path)
    if not create and not db_path.exists():
        from assetkit.errors import ConfigError  # a database that is not there: configuration, exit 2

        raise ConfigError(
            f"no database at {db_path}",
            hint="import some exports first (assetkit import FILE), run `assetkit demo`, or pass --db",
        )
    lock = StoreLock(db_path, wait_seconds)
    lock.acquire()
    try:
        con = duckdb.connect(str(db_path), config={"storage_compatibility_version": "v1.4.0"})
    except duckdb.Error as exc:
        lock.release()
        raise AssetkitError(f"cannot open the database {db_path}: {exc}",
                            hint="check the path; `assetkit db check` verifies a database") from None
    # Calendar arithmetic (months, years, date_trunc) happens in UTC whatever the machine's zone,
    # so the same data gives the same report in cron and on a laptop.
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws its own progress bar on stdout for statements over 2 s, even into a pipe:
    # it would corrupt `--format json` output and cron logs (assetkit has its own, terminal only).
    con.execute("SET enable_progress_bar = false")
    store = Store(db_path, con, lock)
    try:
        migrate(store)
    except BaseException:
        store.close()
        raise
    return store


def schema_version(con: "duckdb.DuckDBPyConnection") -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])


def migrate(store: Store) -> list[int]:
    """Apply every migration newer than the database; return the versions applied."""
    con = store.con
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    current = schema_version(con)
    newest = MIGRATIONS[-1].version
    if current > newest:
        raise AssetkitError(
            f"the database {store.path} has schema version {current}, newer than this assetkit knows ({newest})",
            hint="upgrade assetkit (pip install -U assetkit)",
        )
    applied = []
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        with store.transaction():
            for statement in migration.statements:
                con.execute(statement)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now())",
                [migration.version, migration.name],
            )
        applied.append(migration.version)
    if applied:
        store.checkpoint()
    return applied
