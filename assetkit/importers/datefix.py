"""Dates a spreadsheet read as YY/MM/DD: restored, and reported.

A real Etsy export of 2020 (`MM/DD/YY` dates) was opened in a spreadsheet that read each
date whose day is 12 or less as `YY/MM/DD` and saved it back: `04/12/20` (12 April 2020)
became `2004-12-20`. Of 1,284 orders, 477 carried such a date, 99 of them before Etsy
existed. Their order ids place every one where the restored date does (between its
neighbours' dates), so the damage is undone, not guessed at:

- the file's median year is 2013..2031 (a two-digit year that cannot be a month);
- every date of the file in 2001..2012 has that year's two digits as its day (`…-20`), at
  least three of them: one true old date with another day and nothing is touched;
- such a date Y-M-D becomes `<median year>-<Y − 2000>-<M>`, with its time of day.

A restored date that had been quarantined as outside the plausible window loads (the window
is the last check of a row, parsing.py, so no other problem of the row hid behind it). Each
restoration is an import warning naming the line and both dates. Cost on a file without the
damage: one count over the date column. A file staged in chunks (reading.py) is judged on the
whole file (`decide` over one typed stream of it) once a chunk holds such a date (`suspect`), then each chunk is restored as it
is staged (`restore`), and the warnings are capped for the file (`warnings_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetkit.importers.parsing import column_index, outside_window_sql, window_reason
from assetkit.importers.plausibility import MAX_PER_CHECK, ImportWarning
from assetkit.importers.registry import Profile
from assetkit.store.sql import quote_literal

if TYPE_CHECKING:
    import duckdb

MIN_DAMAGED = 3


@dataclass(frozen=True)
class Repair:
    """A timestamp field whose 2001..2012 dates are swapped ones of `year`: `count` in the file."""

    field: str
    year: int
    count: int


def repair(con: duckdb.DuckDBPyConnection, table: str, profile: Profile, header: list[str],
           line_sql: str = "__line") -> list[ImportWarning]:
    """Restore the swapped dates of every timestamp field in the typed rows of `table`
    (`line_sql` gives a row's file line); returns one warning per restored date (capped)."""
    repairs = decide(con, table, profile, header)
    return warnings_for(restore(con, table, profile, repairs, line_sql), repairs)


def suspect(con: duckdb.DuckDBPyConnection, table: str, profile: Profile, header: list[str]) -> bool:
    """Whether any date of `table` falls in 2001..2012, where swapped dates land."""
    old = " OR ".join(_old(spec.name) for spec in _date_fields(profile, header))
    return bool(old and _value(con, f"SELECT count(*) FILTER (WHERE {old}) FROM {table}", None))


def decide(con: duckdb.DuckDBPyConnection, relation: str, profile: Profile, header: list[str],
           params: dict[str, Any] | None = None) -> list[Repair]:
    """The fields of the typed rows of `relation` (a table, or a subquery with `params`)
    whose dates a spreadsheet swapped, judged on all of them."""
    found = []
    for spec in _date_fields(profile, header):
        utc = f"({spec.name} AT TIME ZONE 'UTC')"
        old = _old(spec.name)
        if not _value(con, f"SELECT count(*) FILTER (WHERE {old}) FROM {relation}", params):
            continue
        ref = _value(con, f"SELECT quantile_disc(year({utc}), 0.5) FROM {relation}", params)
        if ref is None or not 2013 <= ref <= 2031:
            continue
        damaged, matching = con.execute(
            f"SELECT count(*) FILTER (WHERE {old}), count(*) FILTER (WHERE {old} AND day({utc}) = {ref - 2000}) "
            f"FROM {relation}", params).fetchone()
        if damaged == matching and matching >= MIN_DAMAGED:
            found.append(Repair(spec.name, int(ref), int(matching)))
    return found


def restore(con: duckdb.DuckDBPyConnection, table: str, profile: Profile, repairs: list[Repair],
            line_sql: str = "__line") -> list[ImportWarning]:
    """Restore the decided fields' swapped dates in `table`; a warning for each of the first
    MAX_PER_CHECK restored dates of each field."""
    found: list[ImportWarning] = []
    for fix in repairs:
        name = fix.field
        utc = f"({name} AT TIME ZONE 'UTC')"
        old = _old(name)
        fixed = (f"timezone('UTC', make_timestamp({fix.year}, year({utc}) - 2000, month({utc}), hour({utc}), "
                 f"minute({utc}), second({utc})))")
        shown = con.execute(
            f"SELECT {line_sql}, strftime({utc}, '%Y-%m-%d'), strftime({fixed} AT TIME ZONE 'UTC', '%Y-%m-%d') "
            f"FROM {table} WHERE {old} ORDER BY 1 LIMIT {MAX_PER_CHECK}").fetchall()
        # The window check is the last of a row's checks: a row quarantined only for it loads once
        # its date is restored, unless another date field of the row is outside the window too.
        others = [f.name for f in profile.fields if f.type == "timestamp" and f.name != name]
        still_out = " OR ".join(outside_window_sql(o, profile) for o in others) or "false"
        reason = quote_literal(window_reason(profile))
        lift = f"__rej_reason = {reason} AND NOT coalesce({still_out}, false)"
        con.execute(f"UPDATE {table} SET {name} = {fixed}, __rej_col = CASE WHEN {lift} THEN NULL ELSE __rej_col END, "
                    f"__rej_raw = CASE WHEN {lift} THEN NULL ELSE __rej_raw END, "
                    f"__rej_reason = CASE WHEN {lift} THEN NULL ELSE __rej_reason END WHERE {old}")
        found += [ImportWarning("date_repaired", line, name, f"{before} → {after}",
                                f"{name} {before} was a {after} that a spreadsheet read as YY/MM/DD; restored")
                  for line, before, after in shown]
    return found


def warnings_for(found: list[ImportWarning], repairs: list[Repair]) -> list[ImportWarning]:
    """The file's warnings from `restore` (of one table or of each chunk, in file order):
    the first MAX_PER_CHECK of each field, the last one saying how many were restored."""
    out: list[ImportWarning] = []
    for fix in repairs:
        shown = [w for w in found if w.column == fix.field][:MAX_PER_CHECK]
        if fix.count > len(shown) and shown:
            shown[-1].message += f" ({fix.count:,} dates restored in all; only the first {len(shown)} are listed)"
        out += shown
    return out


def _old(name: str) -> str:
    return f"year(({name} AT TIME ZONE 'UTC')) BETWEEN 2001 AND 2012"


def _date_fields(profile: Profile, header: list[str]) -> list[Any]:
    return [f for f in profile.fields if f.type == "timestamp" and not f.fill and column_index(header, f) is not None]


def _value(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None) -> Any:
    row = con.execute(sql, params).fetchone()
    return row[0] if row else None
