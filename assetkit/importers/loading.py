"""Profile outputs → canonical rows: stage, check, convert, de-duplicate, insert.

Each output is one SELECT over the valid rows (`ak_in`), optionally grouped (Shopify's
multi-line orders, Amazon's per-item rows). Its natural key becomes the row id
(`<platform>:<key>`); without a key the id hashes the normalised values plus the
occurrence number of identical rows in the file, so two genuinely identical fee lines stay
two, while the same export imported again (or under another name, or overlapping) adds
nothing. New rows are those whose id is neither stored yet nor repeated earlier in the file,
so the engine knows exactly which source lines were loaded. A keyed row-per-line output
(most of them) stages only each row's line, id and missing-value check, and its full rows
stream straight into the insert with their exchange rates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assetkit.importers.fx import MONEY_COLUMNS, convert_sql, day_sql, rates_sql
from assetkit.importers.parsing import substitute
from assetkit.importers.registry import Output, Profile
from assetkit.store.sql import quote_literal

if TYPE_CHECKING:
    import duckdb

ID_COLUMN = {"orders": "order_id", "refunds": "refund_id", "fees": "fee_id", "spend": "spend_id", "inquiries": "inquiry_id",
             "products": "product_id", "visits": "visit_id"}
_ENGINE_COLUMNS = {"batch_id", "source_line", "fx_rate", "fx_date"}


@dataclass
class Staged:
    """An output staged as `ak_s<index>`; when `rows` is set, that table holds only each
    row's `source_line, __id, __bad` and `rows` is the query giving the full rows, run once
    by the insert (streamed, not materialised)."""

    index: int
    table: str
    grouped: bool
    columns: list[str]
    rows: str | None = None
    supersedes: tuple[str, ...] = ()  # Output.supersedes

    @property
    def relation(self) -> str:
        return f"({self.rows})" if self.rows else f"ak_s{self.index}"


_COLUMNS_CACHE: dict[tuple[int, str], dict[str, tuple[str, bool]]] = {}


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, tuple[str, bool]]:
    """Name -> (type, NOT NULL) of a canonical table, cached per connection: the schema is
    fixed by the migrations, and an information_schema query costs ~5 ms per file and output."""
    key = (id(con), table)
    if key not in _COLUMNS_CACHE:
        _COLUMNS_CACHE[key] = _query_columns(con, table)
    return _COLUMNS_CACHE[key]


def _query_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, tuple[str, bool]]:
    rows = con.execute("SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns "
                       "WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position", [table]).fetchall()
    return {r[0]: (r[1], bool(r[2])) for r in rows}


def stage(con: duckdb.DuckDBPyConnection, profile: Profile, index: int, out: Output,
          reporting: str) -> Staged:
    """CREATE TEMP TABLE ak_s<i>: target columns + __id, source_line, __lines, __bad."""
    cols = _table_columns(con, out.table)
    idcol = ID_COLUMN.get(out.table)
    values = {k: substitute(v, profile) for k, v in out.values.items()}
    unknown = [k for k in values if k not in cols or k in _ENGINE_COLUMNS or k == idcol]
    if unknown:
        from assetkit.errors import ConfigError

        raise ConfigError(f"profile {profile.name}: output {out.table} sets unknown or engine-owned column {unknown[0]!r}")
    select = [f"CAST(({expr}) AS {cols[name][0]}) AS {name}" for name, expr in values.items()]
    where = f"WHERE {substitute(out.where, profile)}" if out.where else ""
    # The SELECT's items as (expression AS alias), rendered once: the engine's columns after the
    # profile's values.
    if out.group_by:
        select += ["min(__line) AS source_line", "list(__line) AS __lines"]
    else:
        select.append("__line AS source_line")
    names = list(values)
    if out.key:
        key = substitute(out.key, profile)
        select.append(f"any_value({key}) AS __key" if out.group_by else f"CAST(({key}) AS VARCHAR) AS __key")
    if out.identity and not out.group_by:
        parts = " || '|' || ".join(f"coalesce(CAST(({substitute(e, profile)}) AS VARCHAR), '')" for e in out.identity)
        select.append(f"{parts} AS __ident")
    group = f" GROUP BY {substitute(out.group_by, profile)}" if out.group_by else ""
    body = f"SELECT {', '.join(select)} FROM ak_in {where}{group}"
    ident = f"{quote_literal(profile.platform)} || ':' || __key"
    content = ("__ident" if out.identity and not out.group_by
               else " || '|' || ".join(f"coalesce(CAST({n} AS VARCHAR), '')" for n in names))
    hashed = ("'h' || substr(md5(__h || ':' || row_number() OVER (PARTITION BY __h ORDER BY source_line)), 1, 24)")
    with_hash = f"SELECT *, md5({quote_literal(profile.platform)} || '|' || {content}) AS __h FROM ({body})"
    if out.key and out.key_optional:
        keyed = f"SELECT *, coalesce({ident}, {hashed}) AS __id FROM ({with_hash})"
    elif out.key:
        keyed = f"SELECT *, {ident} AS __id FROM ({body})"
    else:
        keyed = f"SELECT *, {hashed} AS __id FROM ({with_hash})"
    if out.table == "order_items":
        keyed = f"SELECT *, order_id || '#' || line_no AS __id FROM ({body})"
    required = [c for c, (_, notnull) in cols.items()
                if notnull and c not in _ENGINE_COLUMNS and c != idcol and c not in ("refunded_amount",)]
    missing = [c for c in required if c not in values]
    if missing:
        from assetkit.errors import ConfigError

        raise ConfigError(f"profile {profile.name}: output {out.table} does not set required column {missing[0]!r}")
    checks = [(c, c) for c in required]
    if out.key and not out.key_optional and out.table != "order_items":
        # A NULL key leaves the row without an id: quarantined like a missing required value
        # (`no value for fees.fee_id`), instead of failing the whole file on the id's NOT NULL.
        checks.append(("__key", idcol))
    bad = "CASE " + " ".join(f"WHEN {e} IS NULL THEN {quote_literal(c)}" for e, c in checks) + " END" if checks else "NULL"
    # An order output that states no refund has refunded 0 (refunds.py may raise it later).
    default_refund = "refunded_amount" not in values and out.table == "orders"
    engine_items = (["CAST(0 AS DECIMAL(18,4)) AS refunded_amount"] if default_refund else []) + [f"{bad} AS __bad"]
    final = f"SELECT *, {', '.join(engine_items)} FROM ({keyed})"
    # A keyed row-per-line output streams into its insert: materialising every staged value
    # cost as much as the insert itself. Grouped, content-hashed and per-item outputs, and
    # money without a date and currency to find its rates, stay materialised. Rates come
    # from a small table of the output's (currency, day) pairs whenever the rows give them.
    streamed = bool(not out.group_by and out.key and not out.key_optional and out.table != "order_items")
    rates = None
    if out.table in MONEY_COLUMNS:
        date_col, amounts, _ = MONEY_COLUMNS[out.table]
        amounts = tuple(a for a in amounts if a in values)
        if default_refund:
            amounts = (*amounts, "refunded_amount")
        rated = not out.group_by and date_col in values and "currency" in values
        streamed = streamed and rated
        if rated:
            # The rate pairs straight from the rows, with the same casts as the staged columns.
            pairs = (f"SELECT DISTINCT CAST(({values['currency']}) AS {cols['currency'][0]}) AS currency, "
                     f"{day_sql(f'CAST(({values[date_col]}) AS {cols[date_col][0]})')} AS d "
                     f"FROM {_rows_for(values['currency'], values[date_col], where)} {where}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE ak_r{index} AS {rates_sql(pairs, reporting)}")
            rates = f"ak_r{index}"
        final = convert_sql(f"({final})", date_col, amounts, reporting, rates)
    if streamed:
        checked = [f"CAST(({values[c]}) AS {cols[c][0]}) AS {c}" for c in required]
        key = substitute(out.key, profile)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE ak_s{index} AS SELECT source_line, {ident} AS __id, {bad} AS __bad FROM ("
            f"SELECT {''.join(c + ', ' for c in checked)}__line AS source_line, CAST(({key}) AS VARCHAR) AS __key "
            f"FROM {_rows_for(key, where, *(values[c] for c in required))} {where})")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ak_s{index} AS {final}")
    relation = f"({final})" if streamed else f"ak_s{index}"
    stored = [d[0] for d in con.execute(f"SELECT * FROM {relation} LIMIT 0").description if d[0] in cols]
    return Staged(index, out.table, bool(out.group_by), stored, final if streamed else None, out.supersedes)


def _rows_for(*expressions: str) -> str:
    """The valid rows an expression needs: `ak_ok`, or `ak_in` when it reads the resolved
    `buyer_id` (that join is the dearest part of a query that needs none of the buyer)."""
    return "ak_in" if any(re.search(r"\bbuyer_id\b", e) for e in expressions) else "ak_ok"


def lines_sql(st: Staged, table: str) -> str:
    """The source lines behind the rows of a staged or new-row table."""
    return f"SELECT unnest(__lines) AS line FROM {table}" if st.grouped else f"SELECT source_line AS line FROM {table}"


def reject_sql(st: Staged) -> str:
    """Rows whose output lacks a value the canonical table requires."""
    lines = (f"SELECT unnest(__lines) AS line, __bad FROM ak_s{st.index} WHERE __bad IS NOT NULL" if st.grouped
             else f"SELECT source_line AS line, __bad FROM ak_s{st.index} WHERE __bad IS NOT NULL")
    return (f"SELECT line, __bad AS column_name, CAST(NULL AS VARCHAR) AS raw, "
            f"'no value for {st.table}.' || __bad || ' after mapping' AS reason FROM ({lines})")


def insert(con: duckdb.DuckDBPyConnection, st: Staged, batch_id: int, any_rejects: bool,
           slice_no: int | None = None) -> None:
    """Insert the staged rows that are new: not stored yet, and the first of their id in the file.
    `slice_no` numbers the slices of a file loaded in several (None: in one piece).

    Set-based instead of `ON CONFLICT DO NOTHING` over line-ordered rows, which sorts the whole
    file and checks the key index row by row (~1.6x the time at 1M rows): ids repeated inside
    the slice are found with one aggregate (usually none), stored ids with one join built on
    the slice, and a plain INSERT appends the rest. This is what keeps ids unique: the data tables have
    no DuckDB key index (migration 4), and `assetkit db check` proves no id is stored twice.
    """
    table, idx = st.table, st.index
    clean = "s.__bad IS NULL"
    if any_rejects:
        clean += " AND NOT EXISTS (SELECT 1 FROM ak_rej r WHERE r.line = s.source_line)"
    # The slice's ids already stored, by an inner join that DuckDB builds on the slice and
    # probes with the table: a NOT EXISTS against the table built a hash table of the whole
    # (growing) table for every slice, 3x the insert's time by the 10th slice of 10M rows.
    if st.supersedes and table in ID_COLUMN:
        # The stand-ins go first, so these rows are new rather than duplicates of them.
        con.execute(f"DELETE FROM {table} WHERE {ID_COLUMN[table]} IN (SELECT s.__id FROM ak_s{idx} s WHERE {clean}) "
                    "AND batch_id IN (SELECT batch_id FROM import_batches WHERE list_contains(?, profile))",
                    [list(st.supersedes)])
    keys = ("order_id", "line_no") if table == "order_items" else ("__id",)
    target_keys = keys if table == "order_items" else (ID_COLUMN[table],)
    on = " AND ".join(f"t.{t} = s.{k}" for t, k in zip(target_keys, keys))
    exists = f"EXISTS (SELECT 1 FROM ak_x{idx} x WHERE {' AND '.join(f'x.{k} = s.{k}' for k in keys)})"
    stored = _stored_candidates(con, st, slice_no)
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_x{idx} AS SELECT DISTINCT {', '.join('s.' + k for k in keys)} "
                f"FROM {stored} s JOIN {table} t ON {on}")
    # Ids repeated in the slice: candidates by a group on the ids' 64-bit hashes (~3x cheaper
    # than on the strings), then the exact group over the few candidate rows.
    repeated = f"SELECT hash(__id) FROM ak_s{idx} s WHERE {clean} GROUP BY hash(__id) HAVING count(*) > 1"
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_d{idx} AS SELECT __id, min(source_line) AS first "
                f"FROM ak_s{idx} s WHERE {clean} AND hash(__id) IN ({repeated}) GROUP BY __id HAVING count(*) > 1")
    cols = [c for c in st.columns if c not in ("batch_id", ID_COLUMN.get(table))]
    target = ([ID_COLUMN[table]] if table in ID_COLUMN else []) + cols + ["batch_id"]
    source = (["__id"] if table in ID_COLUMN else []) + cols + [str(batch_id)]
    # A left join on the (unique) repeated ids keeps each id's first line: as a correlated
    # `EXISTS (… s.source_line > d.first)` DuckDB materialised and grouped every row (~0.5 s per 1M).
    con.execute(f"INSERT INTO {table} ({', '.join(target)}) SELECT {', '.join('s.' + c for c in source[:-1])}, "
                f"{source[-1]} FROM {st.relation} s LEFT JOIN ak_d{idx} d ON d.__id = s.__id "
                f"WHERE {clean} AND NOT {exists} AND (d.first IS NULL OR s.source_line = d.first)")


def _stored_candidates(con: duckdb.DuckDBPyConnection, st: Staged, slice_no: int | None) -> str:
    """The slice's rows whose ids may be stored already, as a relation to join with the table.

    In one piece: all of them. In slices, the table grows by a slice at a time, and joining
    each slice with all of it cost time in the rows stored before (3.1 s of a 10M-row import,
    the 10th slice 9x the 1st). So the file keeps the 64-bit hashes of the ids the table held
    when it began and of every id its slices staged (`ak_h<n>`), and only rows whose hash is
    there are checked against the table: usually none. A hash is a superset test (collisions
    and quarantined rows only add candidates), and the exact join decides."""
    idx = st.index
    if slice_no is None or st.table not in ID_COLUMN:
        return f"ak_s{idx}"
    if slice_no == 0:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ak_h{idx} AS SELECT hash({ID_COLUMN[st.table]}) AS h FROM {st.table}")
    # An inner join, which DuckDB builds on the slice and probes with the (growing) hashes.
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_c{idx} AS SELECT DISTINCT s.__id FROM ak_s{idx} s "
                f"JOIN ak_h{idx} h ON h.h = hash(CAST(s.__id AS VARCHAR))")
    con.execute(f"INSERT INTO ak_h{idx} SELECT hash(CAST(__id AS VARCHAR)) FROM ak_s{idx}")
    return f"ak_c{idx}"


def loaded_lines_sql(st: Staged, batch_id: int, first_line: int) -> str:
    """The source lines, from `first_line` on, behind the rows this batch inserted into the
    output's table (the line bound lets a slice's count skip the earlier slices' rows)."""
    if not st.grouped:
        return f"SELECT source_line AS line FROM {st.table} WHERE batch_id = {batch_id} AND source_line >= {first_line}"
    if st.table == "order_items":
        on = "t.order_id = s.order_id AND t.line_no = s.line_no"
    else:
        on = f"t.{ID_COLUMN[st.table]} = s.__id"
    return (f"SELECT unnest(s.__lines) AS line FROM ak_s{st.index} s JOIN {st.table} t ON {on} "
            f"AND t.batch_id = {batch_id} AND t.source_line = s.source_line")


def fx_missing_sql(table: str, batch_id: int) -> str | None:
    """Rows of this batch in `table` whose amount found no FX rate (None: no money there)."""
    if table not in MONEY_COLUMNS:
        return None
    first = MONEY_COLUMNS[table][1][0]
    return f"SELECT count(*) FROM {table} WHERE batch_id = {batch_id} AND {first}_rc IS NULL"
