"""The DuckDB file: opening it safely, migrating it, and running atomic write units.

`open_store()` is the only way library code opens the database: it takes the sidecar lock,
connects, applies pending migrations (each in its own transaction, followed by CHECKPOINT so
no DDL is left in the WAL) and returns a `Store`. `Store.transaction()` wraps DuckDB's
transaction traps: an error inside BEGIN makes a later COMMIT a silent rollback, so any
exception triggers an explicit ROLLBACK and is re-raised.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import AssetkitError, StoreBusy, explain_failure
from assetkit.store.lock import StoreLock
from assetkit.store.migrations import MIGRATIONS
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

DEFAULT_WAIT_SECONDS = 30.0


@dataclass
class Store:
    """An open database plus the lock that guards it."""

    path: Path
    con: duckdb.DuckDBPyConnection
    _lock: StoreLock = field(repr=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scratch_prefix(db_path: Path) -> str:
    """Name prefix of the temporary files an import of `db_path` writes beside it."""
    return f".{db_path.name}.scratch-"


def remove_scratch_files(db_path: Path) -> None:
    """Remove temporary files a killed import left beside the database. Called with the
    lock held, so no live assetkit process is using them."""
    for leftover in db_path.parent.glob(scratch_prefix(db_path) + "*"):
        leftover.unlink(missing_ok=True)


def open_store(path: str | Path, wait_seconds: float = DEFAULT_WAIT_SECONDS, create: bool = True,
               on_wait: Callable[[str], None] | None = None) -> Store:
    """Lock, connect and migrate the database at `path`.

    `on_wait(message)` is called once when another process holds the database, before the
    wait (up to `wait_seconds`) begins, so a reading command does not hang silently behind
    a long import. A database file the user may not write (read-only permissions, a
    read-only mount) is opened read-only: reading commands work, writing ones fail with a
    message saying so."""
    import duckdb

    db_path = Path(path)
    if not create and not db_path.exists():
        from assetkit.errors import ConfigError  # a database that is not there: configuration, exit 2

        raise ConfigError(
            f"no database at {db_path}",
            hint="import some exports first (assetkit import FILE), run `assetkit demo`, or pass --db",
        )
    read_only = db_path.exists() and not os.access(db_path, os.W_OK)
    lock = _lock(db_path, wait_seconds, on_wait, read_only)
    if not read_only:
        remove_scratch_files(db_path)
    try:
        config: dict[str, Any] = {"storage_compatibility_version": "v1.4.0"}
        con = duckdb.connect(str(db_path), read_only=read_only, config={} if read_only else config)
    except duckdb.Error as exc:
        lock.release()
        raise explain_failure(exc, db_path) or AssetkitError(
            f"cannot open the database {db_path}: {exc}",
            hint="check the path; `assetkit db check` verifies a database") from None
    # Calendar arithmetic (months, years, date_trunc) happens in UTC whatever the machine's zone,
    # so the same data gives the same report in cron and on a laptop.
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws its own progress bar on stdout for statements over 2 s, even into a pipe:
    # it would corrupt `--format json` output and cron logs (assetkit has its own, terminal only).
    con.execute("SET enable_progress_bar = false")
    store = Store(db_path, con, lock)
    try:
        if read_only:
            _check_schema_read_only(store)
        else:
            migrate(store)
    except BaseException:
        store.close()
        raise
    return store


def _lock(db_path: Path, wait_seconds: float, on_wait: Callable[[str], None] | None, read_only: bool) -> StoreLock:
    """The database's lock, taken; with `on_wait`, a first try without waiting tells the
    user why the command pauses. A read-only database in a folder where the lock file
    cannot be created is read without it (nothing can write that database anyway)."""
    try:
        if on_wait is not None and wait_seconds > 0:
            try:
                lock = StoreLock(db_path, 0)
                lock.acquire()
                return lock
            except StoreBusy as busy:
                on_wait(f"waiting up to {wait_seconds:g} s for the database: {busy.message.split(' and the wait')[0]}")
        lock = StoreLock(db_path, wait_seconds)
        lock.acquire()
        return lock
    except PermissionError:
        if not read_only:
            raise AssetkitError(f"cannot create the lock file beside {db_path}: permission denied",
                                hint="assetkit needs to write in the database's folder") from None
        return _NoLock(db_path)


class _NoLock(StoreLock):
    """Stands in for the lock of a read-only database whose folder is read-only too."""

    def acquire(self) -> None:
        return None

    def release(self) -> None:
        return None


def _check_schema_read_only(store: Store) -> None:
    current = schema_version(store.con)
    newest = MIGRATIONS[-1].version
    if current != newest:
        raise AssetkitError(
            f"the database {store.path} is read-only and has schema version {current}; this assetkit needs {newest}",
            hint="open it once with write permission so assetkit can upgrade it (or use the matching assetkit version)")


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(con, 
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    )
    if not exists:
        return 0
    return int(scalar(con, "SELECT coalesce(max(version), 0) FROM schema_migrations"))


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
    # Every version not recorded yet, not only those above the newest recorded: a database
    # can skip a number (a migration added later with a lower one) and get it on its next open.
    done = {int(v) for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for migration in MIGRATIONS:
        if migration.version in done:
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
        from assetkit.store.comments import apply_comments

        with store.transaction():
            apply_comments(con)
        store.checkpoint()
    return applied
