"""Plausibility checks on what a file just loaded: warnings, never silence.

A row that cannot be true is quarantined while it is typed (a date outside the platform's
window: parsing.py). These checks look at rows that can be true but rarely are, where the
usual cause is damage that the numbers would otherwise hide:

- `date_jump`: a date decades away from the file's other dates (a spreadsheet that turned
  `24` into `1924`, or a serial number read as a date);
- `all_refunded`: every order of the file refunded (the Etsy mistake of reading `0.00` in
  `Adjusted Order Total` as "adjusted to zero");
- `fee_share`: the file's fees above the revenue of the orders they belong to (a sign error);
- `mojibake`: a name that is UTF-8 decoded twice (`JosÃ©`); repaired when decoding it once
  more gives clean text, flagged otherwise.

Each finding becomes a row of `import_warnings` (file line, column, value, message) in the
file's transaction; the import summary prints them. One set-based query per check over the
batch's stored rows: the cost does not depend on anything stored before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

# Years between a date and the median of its file from which the date is reported.
JUMP_YEARS = 10
# Fewer orders than this, all refunded, can be true: a small file of returns.
ALL_REFUNDED_MIN_ORDERS = 3
# Findings stored per check and file; the message of the last one says how many there were.
MAX_PER_CHECK = 50

# The main date of each table that carries one.
DATE_COLUMNS = {"orders": "ordered_at", "fees": "incurred_at", "inquiries": "received_at",
                "refunds": "refunded_at"}

# A character of U+00C2..U+00DF followed by a UTF-8 continuation byte read as Latin-1 or
# Windows-1252 (U+0080..U+00BF and the cp1252 specials): how `é` looks after a second decode.
_CP1252_SPECIALS = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CONTINUATION = f"[\u0080-\u00BF{_CP1252_SPECIALS}]"
# The same pattern for DuckDB (RE2) and Python: literal characters, no escapes either reads differently.
MOJIBAKE_RE = f"[\u00C2-\u00DF]{_CONTINUATION}|[\u00E0-\u00EF]{_CONTINUATION}{_CONTINUATION}"
_MOJIBAKE = re.compile(MOJIBAKE_RE)


@dataclass
class ImportWarning:
    check: str
    line: int | None
    column: str | None
    value: str | None
    message: str


def check_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[ImportWarning]:
    """Run every check on the rows `batch_id` stored, record the findings, return them."""
    found: list[ImportWarning] = []
    for table, column in DATE_COLUMNS.items():  # one warning per line (an order row also makes a fee row)
        seen = {w.line for w in found}
        found += [w for w in _date_jumps(con, batch_id, table, column) if w.line not in seen]
    found += _all_refunded(con, batch_id)
    found += _fee_share(con, batch_id)
    found += _mojibake(con, batch_id)
    if found:
        con.executemany("INSERT INTO import_warnings VALUES (?, ?, ?, ?, ?, ?)",
                        [(batch_id, w.check, w.line, w.column, w.value, w.message) for w in found])
    return found


def _capped(rows: list[tuple], total: int, make: Callable[..., ImportWarning]) -> list[ImportWarning]:
    out = [make(*r) for r in rows[:MAX_PER_CHECK]]
    if total > len(out) and out:
        out[-1].message += f" ({total:,} rows in all; only the first {len(out)} are listed)"
    return out


def _date_jumps(con: duckdb.DuckDBPyConnection, batch_id: int, table: str, column: str) -> list[ImportWarning]:
    # A file whose dates all lie within the jump has nothing to report: its range costs one
    # cheap aggregate, the median and the row search run only for the rare file that spans decades.
    lo, hi = con.execute(f"SELECT min({column}), max({column}) FROM {table} WHERE batch_id = ?", [batch_id]).fetchone()
    if lo is None or (hi - lo).days < JUMP_YEARS * 365:
        return []
    rows = con.execute(f"""
        WITH d AS (SELECT source_line, {column} AS t, year({column} AT TIME ZONE 'UTC') AS y
                   FROM {table} WHERE batch_id = $b),
             m AS (SELECT quantile_disc(y, 0.5) AS median FROM d)
        SELECT source_line, strftime(t AT TIME ZONE 'UTC', '%Y-%m-%d'), median, count(*) OVER () AS n
        FROM d, m WHERE abs(y - median) >= {JUMP_YEARS} ORDER BY source_line LIMIT {MAX_PER_CHECK}
    """, {"b": batch_id}).fetchall()
    if not rows:
        return []
    return _capped([r[:3] for r in rows], rows[0][3], lambda line, day, median: ImportWarning(
        "date_jump", line, column, day,
        f"{table}.{column} {day} is {JUMP_YEARS}+ years from the file's other dates (around {median}): "
        "a damaged date? Check the row and re-export"))


def _all_refunded(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[ImportWarning]:
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'refunded'), min(source_line) FROM orders WHERE batch_id = ?",
        [batch_id]).fetchone()
    total, refunded, first = row
    if total < ALL_REFUNDED_MIN_ORDERS or refunded < total:
        return []
    return [ImportWarning("all_refunded", first, "status", f"{refunded} of {total}",
                          f"every one of the {total:,} orders of this file is refunded: rarely true; check that the "
                          "export's refund column means what the profile reads (`assetkit platforms`)")]


def _fee_share(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[ImportWarning]:
    """Fees of the file, per currency, against the gross of the orders they name: the file's
    own orders when it has any (two aggregates, no join over a big file), else the stored
    orders they name (a fee statement: small files)."""
    own = scalar(con, "SELECT count(*) > 0 FROM orders WHERE batch_id = ?", [batch_id])
    orders = "(SELECT * FROM orders WHERE batch_id = $b)" if own else "orders"
    rows = con.execute(f"""
        WITH f AS (SELECT currency, sum(amount) AS fee, arg_max(source_line, amount) AS line
                   FROM fees WHERE batch_id = $b AND order_id IS NOT NULL GROUP BY currency),
             g AS (SELECT currency, sum(gross_amount) AS gross FROM {orders} o
                   WHERE status <> 'cancelled' AND {"true" if own else
                       "order_id IN (SELECT order_id FROM fees WHERE batch_id = $b)"} GROUP BY currency)
        SELECT f.currency, f.fee, g.gross, f.line FROM f JOIN g USING (currency)
        WHERE g.gross > 0 AND f.fee > g.gross
    """, {"b": batch_id}).fetchall()
    return [ImportWarning("fee_share", line, "amount", f"{fee:,.2f} of {gross:,.2f} {currency}",
                          f"this file's fees ({currency} {fee:,.2f}) exceed the revenue of their orders "
                          f"({currency} {gross:,.2f}): a fee share over 100% usually means a sign error")
            for currency, fee, gross, line in rows]


def _mojibake(con: duckdb.DuckDBPyConnection, batch_id: int) -> list[ImportWarning]:
    """Double-encoded names of the buyers this file created; repaired in place when possible."""
    flagged = con.execute(
        f"SELECT buyer_id, name, company FROM buyers WHERE batch_id = $b "
        f"AND (regexp_matches(name, $re) OR regexp_matches(company, $re)) LIMIT {MAX_PER_CHECK}",
        {"b": batch_id, "re": MOJIBAKE_RE}).fetchall()
    if not flagged:
        return []
    lines = dict(con.execute(
        "SELECT buyer_id, min(source_line) FROM (SELECT buyer_id, source_line FROM orders WHERE batch_id = $b "
        "UNION ALL SELECT buyer_id, source_line FROM inquiries WHERE batch_id = $b) "
        "WHERE list_contains($ids, buyer_id) GROUP BY 1", {"b": batch_id, "ids": [f[0] for f in flagged]}).fetchall())
    out: list[ImportWarning] = []
    for buyer_id, name, company in flagged:  # at most MAX_PER_CHECK flagged names, not the file's rows
        for column, value in (("name", name), ("company", company)):
            if not value or not _MOJIBAKE.search(value):
                continue
            line, fixed = lines.get(buyer_id), repair(value)
            if fixed is not None:
                con.execute(f"UPDATE buyers SET {column} = ? WHERE buyer_id = ?", [fixed, buyer_id])
                out.append(ImportWarning("mojibake", line, column, f"{value} → {fixed}",
                                         f"buyer {column} {value!r} was UTF-8 decoded twice; stored as {fixed!r}"))
            else:
                out.append(ImportWarning("mojibake", line, column, value,
                                         f"buyer {column} {value!r} looks double-encoded and could not be repaired"))
    return sorted(out, key=lambda w: (w.line is None, w.line or 0))[:MAX_PER_CHECK]


def repair(text: str) -> str | None:
    """`text` with each double-encoded sequence decoded once more (its characters as
    Windows-1252, else Latin-1, bytes read as UTF-8): `JosÃ© Núñez` → `José Núñez`, the
    correct characters around it untouched. None when a sequence does not decode."""

    def once(match: re.Match[str]) -> str:
        for codec in ("cp1252", "latin-1"):
            try:
                return match.group(0).encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
        return match.group(0)

    fixed = _MOJIBAKE.sub(once, text)
    return fixed if fixed != text and not _MOJIBAKE.search(fixed) else None
