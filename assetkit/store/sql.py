"""The small SQL helpers every layer shares: one way to quote, to fetch one value, to fetch rows
as dicts.

Values reach SQL as parameters wherever DuckDB allows; `quote_literal` and `quote_ident` are
for the places it does not (generated DDL, COMMENT ON, expressions a profile writes).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

_NAMED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def quote_literal(text: str) -> str:
    """A SQL string literal: `O'Brien` → `'O''Brien'`."""
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A SQL identifier, quoted whatever it holds: `order` → `"order"`."""
    return '"' + name.replace('"', '""') + '"'


def _used(sql: str, params: dict[str, Any] | list[Any] | None) -> dict[str, Any] | list[Any] | None:
    """Named parameters the statement uses (DuckDB rejects extras); positional ones as given."""
    if isinstance(params, dict):
        names = set(_NAMED.findall(sql))
        return {k: v for k, v in params.items() if k in names}
    return params


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | list[Any] | None = None) -> Any:
    """The first value of the first row. Every caller asks for an aggregate or a setting,
    which always has a row: a query without one is a bug and raises, instead of a None that
    fails later as `'NoneType' object is not subscriptable`."""
    row = con.execute(sql, _used(sql, params)).fetchone() if params is not None else con.execute(sql).fetchone()
    if row is None:
        raise LookupError(f"the query returned no row: {' '.join(sql.split())[:120]}")
    return row[0]


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | list[Any] | None = None,
         ) -> list[dict[str, Any]]:
    """Every row as a dict by column name; a statement that returns nothing gives []."""
    cur = con.execute(sql, _used(sql, params)) if params is not None else con.execute(sql)
    if cur.description is None:
        return []
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


@contextlib.contextmanager
def working_tables(con: duckdb.DuckDBPyConnection, *names: str) -> Iterator[tuple[str, ...]]:
    """Temp tables a computation builds on a caller's connection, dropped when it ends (also on
    an error): the next command on the same connection (a report runs many) never reads one
    left behind, and nothing else depends on their fixed names existing."""
    try:
        yield names
    finally:
        for name in names:
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")
