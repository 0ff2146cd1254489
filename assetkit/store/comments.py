"""COMMENT ON every table and column, from the same source as docs/schema.md.

schema_docs.yaml holds what docs/schema.md says about each table and column; this module turns
it into DuckDB comments (shown by `duckdb`'s `.schema`/`DESCRIBE`-style views, DBeaver and BI
tools) and into the column tables of docs/schema.md, which tests/test_schema_docs.py keeps
identical to the file (ASSETKIT_REGEN_DOCS=1 rewrites it). The comments are (re)applied after
every migration, so columns added later get theirs too.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from assetkit.store.sql import quote_literal

if TYPE_CHECKING:
    import duckdb

BEGIN = "<!-- BEGIN generated from assetkit/store/schema_docs.yaml: edit that file, then run "
END = "<!-- END generated -->"
_VAGUE = ("", "provenance", "money as above")


@cache
def schema_docs() -> dict[str, Any]:
    import yaml

    text = resources.files("assetkit.store").joinpath("schema_docs.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _names(cell: str) -> list[str]:
    return [n.strip() for n in cell.split(",") if n.strip()]


def table_comments() -> dict[str, str]:
    """Table -> comment: its `comment`, else the summary after the heading's dash."""
    out = {}
    for table in schema_docs()["tables"]:
        name, _, summary = table["heading"].partition(" — ")
        out[name] = table.get("comment") or summary
    return out


def column_comments() -> dict[str, dict[str, str]]:
    """Table -> column -> comment: the row's meaning, or the shared wording for a vague one."""
    common = schema_docs()["common"]
    out: dict[str, dict[str, str]] = {}
    for table in schema_docs()["tables"]:
        columns = out.setdefault(table["heading"].partition(" — ")[0], {})
        for names, _type, meaning in table["rows"]:
            vague = any(meaning.startswith(v) for v in _VAGUE if v) or not meaning
            for name in _names(names):
                text = common.get(name, meaning) if vague else meaning
                if text:
                    columns[name] = text
    return out


def apply_comments(con: duckdb.DuckDBPyConnection) -> int:
    """COMMENT ON each documented table and column that exists; returns the number set."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                     "WHERE schema_name = 'main' AND NOT internal").fetchall():
        present.setdefault(table, set()).add(column)
    statements = [f"COMMENT ON TABLE {table} IS {quote_literal(text)}"
                  for table, text in table_comments().items() if table in present and text]
    statements += [f"COMMENT ON COLUMN {table}.{column} IS {quote_literal(text)}"
                   for table, columns in column_comments().items() if table in present
                   for column, text in columns.items() if column in present[table]]
    for statement in statements:
        con.execute(statement)
    return len(statements)


def render_markdown() -> str:
    """The generated part of docs/schema.md: one section per table, as schema_docs.yaml says."""
    parts = []
    for table in schema_docs()["tables"]:
        lines = [f"## {table['heading']}"]
        if table.get("before"):
            lines += [table["before"], ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| {names} | {type_} | {meaning} |".replace("|  |", "| |") for names, type_, meaning in table["rows"]]
        if table.get("after"):
            lines += ["", table["after"]]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def replace_generated(markdown: str) -> str:
    """`markdown` (docs/schema.md) with its generated block rewritten from schema_docs.yaml."""
    pattern = re.compile(re.escape(BEGIN) + r".*?-->\n.*?" + re.escape(END), re.S)
    head = BEGIN + "`ASSETKIT_REGEN_DOCS=1 pytest tests/test_schema_docs.py` -->\n"
    return pattern.sub(lambda _: head + "\n" + render_markdown() + "\n" + END, markdown, count=1)
