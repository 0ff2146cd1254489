"""Shared test helper: an in-memory database with the whole schema and no lock file."""

from __future__ import annotations

import duckdb

from assetkit.store.migrations import MIGRATIONS


def memory_store() -> duckdb.DuckDBPyConnection:
    """Every migration applied to `:memory:`, session in UTC as `open_store` sets it: for
    property tests that build many small stores quickly."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for migration in MIGRATIONS:
        for statement in migration.statements:
            con.execute(statement)
    return con
