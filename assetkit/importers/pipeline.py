"""From staged raw records to canonical rows, in slices of the file when it is big.

Per slice: type the fields (parsing.py; a big file's records were typed as they were read,
then a slice is a rowid range of them), resolve buyers (identity.py), stage each profile
output, quarantine what cannot load, insert the new rows (loading.py). A big file goes
through in slices of `chunk_rows` records, in file order, inside the file's one transaction:
each slice's temp tables stay small enough to live in memory instead of spilling (a 10M-row
file in one piece spilled every step and used ~1.8x the CPU per row), and what a later
slice sees of the earlier ones (stored ids, buyers, identities) is exactly what it would see
of an earlier file. A profile is sliced only when that changes nothing: no grouped output
(an order's lines could straddle two slices), no carried-down field and no content-hashed
ids (their occurrence numbers count identical rows across the whole file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assetkit.errors import SourceError
from assetkit.importers import datefix, identity, loading, reading, reconcile
from assetkit.importers.parsing import rows_sql
from assetkit.importers.plausibility import ImportWarning
from assetkit.importers.registry import Profile
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

CHUNK_ROWS = 983_040  # 8 row groups of 122,880: a slice appends whole row groups, so the commit writes less
REJECTS_COLUMNS = "(line INTEGER, column_name VARCHAR, raw VARCHAR, reason VARCHAR)"


@dataclass
class Loaded:
    """What a file's records became: counts for the batch (its rejects are in `ak_rejall`)."""

    loaded: int = 0
    rejected: int = 0
    skipped: int = 0
    fx_missing: int = 0
    new_buyers: int = 0
    date_repairs: list[ImportWarning] = field(default_factory=list)  # datefix.py


def typed_rows_sql(profile: Profile, header: list[str], path: str, source: str) -> str:
    """The SELECT typing raw records (`source`) as `ak_rows` holds them: the profile's
    fields plus the identity keys."""
    return rows_sql(profile, header, path, source, identity.key_levels(profile),
                    identity.KEY_COLUMNS if profile.buyer else ())


def typing(profile: Profile, header: list[str], path: str, source: str) -> str | None:
    """`typed_rows_sql` for a big file typed as it is read (reading.Typing); None when a
    field is carried down (that needs the rows in order)."""
    if any(f.fill for f in profile.fields):
        return None
    return typed_rows_sql(profile, header, path, source)


def sliceable(profile: Profile) -> bool:
    """True when loading the file in slices gives exactly what loading it whole gives."""
    return (not any(f.fill for f in profile.fields)
            and all(o.key and not o.key_optional and not o.group_by for o in profile.outputs))


def load_records(con: duckdb.DuckDBPyConnection, raw: reading.RawFile, batch_id: int, rc: str, strict: bool,
                 small: bool, chunk_rows: int = CHUNK_ROWS,
                 on_slice: Callable[[int, int], None] | None = None) -> Loaded:
    """Load every staged record of `raw` into the canonical tables under `batch_id`;
    `on_slice(done, total)` after each slice."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_rejall {REJECTS_COLUMNS}")
    if raw.rejects:
        con.executemany("INSERT INTO ak_rejall VALUES (?, ?, ?, ?)", raw.rejects)
    identity.begin(con)
    reconcile.begin(con)
    out = Loaded()
    staged: list[loading.Staged] = []
    if raw.chunks:  # one slice per chunk, each read and typed as it loads
        # Judged on the whole file once a chunk shows a date that may be swapped (the chunks
        # before it had none to restore): typing every date twice cost ~10% of the import.
        repairs: list[datefix.Repair] | None = None
        done = 0
        for number, chunk in enumerate(raw.chunks):
            drop_temp(con, SLICE_TEMPS)
            records, line = reading.stage_chunk(con, raw, chunk)
            if repairs is None and datefix.suspect(con, "ak_raw0", raw.profile, raw.header):
                repairs = datefix.decide(con, f"({raw.whole_select})", raw.profile, raw.header, raw.read_params)
            out.date_repairs += datefix.restore(con, "ak_raw0", raw.profile, repairs or [], line)
            staged = _load_slice(con, raw, records, batch_id, rc, strict, small, False, out, number)
            done += chunk.rows
            if on_slice:
                on_slice(done, raw.rows)
        out.date_repairs = datefix.warnings_for(out.date_repairs, repairs or [])
    else:
        if raw.typed:  # typed as read: the whole file's dates at once
            line = "__line" if raw.line_offset is None else f"CAST(rowid - {raw.first_rowid} + {raw.line_offset} AS INTEGER)"
            out.date_repairs = datefix.repair(con, raw.table, raw.profile, raw.header, line)
        size = max(chunk_rows, 1) if sliceable(raw.profile) else max(raw.rows, 1)
        starts = list(range(0, max(raw.rows, 1), size))
        for number, start in enumerate(starts):
            last = start == starts[-1]
            staged = _load_slice(con, raw, raw.records_sql(start, start + size), batch_id, rc, strict, small, last, out,
                                 number if len(starts) > 1 else None)
            if on_slice:
                on_slice(min(start + size, raw.rows), raw.rows)
    if raw.profile.buyer:
        out.new_buyers = identity.store(con, batch_id)
    out.rejected = int(scalar(con, "SELECT count(*) FROM ak_rejall"))
    for table in dict.fromkeys(st.table for st in staged):
        missing = loading.fx_missing_sql(table, batch_id)
        if missing:
            out.fx_missing += int(scalar(con, missing))
    return out


def _load_slice(con: duckdb.DuckDBPyConnection, raw: reading.RawFile, source: str, batch_id: int, rc: str,
                strict: bool, small: bool, last: bool, out: Loaded, slice_no: int | None) -> list[loading.Staged]:
    """One slice of the file's records (`source`) typed, resolved, checked and inserted;
    `slice_no` is its number when the file loads in several (None: in one piece)."""
    profile = raw.profile
    drop_temp(con, SLICE_TEMPS)
    if raw.typed:
        con.execute(f"CREATE TEMP VIEW ak_rows AS SELECT * FROM {source}")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ak_rows AS {typed_rows_sql(profile, raw.header, raw.path, source)}")
        out.date_repairs += datefix.repair(con, "ak_rows", profile, raw.header)
        if last and not small:  # free the raw text early
            con.execute(f"DROP TABLE IF EXISTS {raw.table}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_rej {REJECTS_COLUMNS}")
    con.execute("INSERT INTO ak_rej SELECT __line, __rej_col, __rej_raw, __rej_reason FROM ak_rows "
                "WHERE __rej_reason IS NOT NULL")
    con.execute("CREATE OR REPLACE TEMP VIEW ak_ok AS SELECT * FROM ak_rows WHERE NOT __skip AND __rej_reason IS NULL")
    has_buyer = identity.resolve(con, profile)
    con.execute(f"CREATE OR REPLACE TEMP VIEW ak_in AS {identity.rows_with_buyer_sql(has_buyer)}")
    out.skipped += int(scalar(con, "SELECT count(*) FROM ak_rows WHERE __skip"))
    staged = [loading.stage(con, profile, i, o, rc) for i, o in enumerate(profile.outputs)]
    for st in staged:
        con.execute(f"INSERT INTO ak_rej {loading.reject_sql(st)}")
    if all(o.where for o in profile.outputs):  # else one output takes every valid row
        routed = " UNION ALL ".join(loading.lines_sql(st, f"ak_s{st.index}") for st in staged)
        con.execute(
            "INSERT INTO ak_rej SELECT __line, NULL, NULL, "
            f"'row type not recognised by profile {profile.name}' FROM ak_in "
            f"WHERE __line NOT IN (SELECT line FROM ({routed})) AND __line NOT IN (SELECT line FROM ak_rej)")
    # One reason per line (the first found), as the rejects table keys on (batch, line).
    con.execute("CREATE OR REPLACE TEMP TABLE ak_rej AS SELECT DISTINCT ON (line) * FROM ak_rej ORDER BY line")
    rejected = int(scalar(con, "SELECT count(*) FROM ak_rej"))
    if strict and (rejected or raw.rejects):
        _refuse(con, raw)
    reconcile.collect(con, profile, staged, bool(rejected))
    if has_buyer:
        identity.collect(con, profile, bool(rejected))
    for st in staged:
        loading.insert(con, st, batch_id, bool(rejected), slice_no)
    # The lines behind the rows this slice inserted: its lines come after every earlier slice's.
    first_line = scalar(con, "SELECT min(__line) FROM ak_rows")
    if first_line is not None:
        loaded = " UNION ".join(loading.loaded_lines_sql(st, batch_id, first_line) for st in staged)
        out.loaded += int(scalar(con, f"SELECT count(*) FROM ({loaded})"))
    con.execute("INSERT INTO ak_rejall SELECT * FROM ak_rej")
    return staged


def _refuse(con: duckdb.DuckDBPyConnection, raw: reading.RawFile) -> None:
    """--strict: the first quarantined row fails the file (the transaction rolls back)."""
    rows = "SELECT * FROM ak_rejall UNION ALL SELECT * FROM ak_rej"
    first = con.execute(f"SELECT line, column_name, raw, reason FROM ({rows}) ORDER BY line LIMIT 1").fetchone()
    count = scalar(con, f"SELECT count(*) FROM ({rows})")
    raise SourceError(f"{first[3]} (value {first[2]!r}); {count} row(s) would be quarantined, "
                      "--strict refuses the file", path=raw.path, line=first[0], column=first[1],
                      hint="fix the rows, or import without --strict to quarantine them (see `assetkit rejects`)")


# A slice's working tables and views; the file-level ones (the raw text, ak_rejall, the
# identity accumulators) stay until the file is done.
SLICE_TEMPS = r"^ak_(rows|res|rej|ok|in|[sdxrc][0-9]+)$"


def drop_temp(con: duckdb.DuckDBPyConnection, pattern: str = r"^ak_") -> None:
    """Drop the engine's temp tables and views whose names match `pattern`, views first (a
    table may not go while a view reads it)."""
    found = con.execute(
        "SELECT view_name, true FROM duckdb_views() WHERE temporary AND regexp_matches(view_name, $p) "
        "UNION ALL SELECT table_name, false FROM duckdb_tables() WHERE temporary AND regexp_matches(table_name, $p)",
        {"p": pattern}).fetchall()
    drops = [f"DROP {'VIEW' if is_view else 'TABLE'} IF EXISTS temp.{name}"
             for name, is_view in sorted(found, key=lambda f: not f[1])]
    if drops:
        con.execute("; ".join(drops))
