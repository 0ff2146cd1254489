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
damage: one count over the date column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.importers.parsing import column_index, outside_window_sql, window_reason
from assetkit.importers.plausibility import MAX_PER_CHECK, ImportWarning
from assetkit.importers.registry import Profile
from assetkit.store.sql import quote_literal, scalar

if TYPE_CHECKING:
    import duckdb

MIN_DAMAGED = 3


def repair(con: duckdb.DuckDBPyConnection, table: str, profile: Profile, header: list[str],
           line_sql: str = "__line") -> list[ImportWarning]:
    """Restore the swapped dates of every timestamp field in the typed rows of `table`
    (`line_sql` gives a row's file line); returns one warning per restored date (capped)."""
    found: list[ImportWarning] = []
    fields = [f for f in profile.fields if f.type == "timestamp" and not f.fill and column_index(header, f) is not None]
    for spec in fields:
        found += _repair_field(con, table, profile, header, spec.name, line_sql)
    return found


def _repair_field(con: duckdb.DuckDBPyConnection, table: str, profile: Profile, header: list[str], name: str,
                  line_sql: str) -> list[ImportWarning]:
    utc = f"({name} AT TIME ZONE 'UTC')"
    old = f"year({utc}) BETWEEN 2001 AND 2012"
    if not scalar(con, f"SELECT count(*) FILTER (WHERE {old}) FROM {table}"):
        return []
    ref = scalar(con, f"SELECT quantile_disc(year({utc}), 0.5) FROM {table}")
    if ref is None or not 2013 <= ref <= 2031:
        return []
    damaged, matching = con.execute(
        f"SELECT count(*) FILTER (WHERE {old}), count(*) FILTER (WHERE {old} AND day({utc}) = {ref - 2000}) "
        f"FROM {table}").fetchone()
    if damaged != matching or matching < MIN_DAMAGED:
        return []
    fixed = (f"timezone('UTC', make_timestamp({ref}, year({utc}) - 2000, month({utc}), hour({utc}), "
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
    warnings = [ImportWarning("date_repaired", line, name, f"{before} → {after}",
                              f"{name} {before} was a {after} that a spreadsheet read as YY/MM/DD; restored")
                for line, before, after in shown]
    if matching > len(warnings) and warnings:
        warnings[-1].message += f" ({matching:,} dates restored in all; only the first {len(warnings)} are listed)"
    return warnings
