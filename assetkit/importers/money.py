"""Money and number parsing: the one place that turns export text into DECIMAL(18,4).

Exports write amounts as `1,250.00`, `1141,18` (EU), `$1,433.66`, `-CA$4.42`, `(1,234.50)`,
`--` or an empty cell. Parsing happens inside DuckDB as macros so a million-row file is
normalised vectorised, never row by row in Python. Plain numbers (the common case) take a
fast branch; everything else goes through the full cleanup. A cell that is not empty and
still cannot be read yields NULL from `ak_money` and FALSE from `ak_money_ok`, so the engine
can quarantine the row instead of silently storing nothing.

Decimal separator rule ("auto"): when both `,` and `.` occur, the last one is the decimal
mark; a lone `,` followed by exactly three digits per group (`1,250`) is a thousands
separator, any other lone `,` is a decimal comma (`1141,18`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

MONEY_TYPE = "DECIMAL(18,4)"
EMPTY_TOKENS = ("", "--", "-", "—", "n/a", "N/A", "null", "NULL", "None")

# Currency marks that may surround a number: symbols, 3-letter codes, prefixed dollars.
_CURRENCY_MARK = r"^([A-Z]{3}|[A-Z]{1,3}\$|[$£€¥₹]|Rs\.?|kr|zł)?$"

SYMBOL_CURRENCY = {
    "$": None,  # ambiguous: the profile's default currency decides
    "US$": "USD", "USD": "USD", "CA$": "CAD", "C$": "CAD", "CAD": "CAD", "A$": "AUD",
    "AU$": "AUD", "AUD": "AUD", "£": "GBP", "GBP": "GBP", "€": "EUR", "EUR": "EUR",
    "₹": "INR", "Rs": "INR", "Rs.": "INR", "INR": "INR", "¥": None, "JPY": "JPY",
    "CNY": "CNY", "RMB": "CNY",
}

def _digits_sql(t: str) -> str:
    """SQL turning cleaned text `t` (only digits , .) into a '.'-decimal string."""
    d = f"regexp_replace(regexp_replace({t}, 'Rs\\.', ''), '[^0-9.,]', '', 'g')"
    return (
        f"(CASE WHEN strpos({d}, ',') > 0 AND strpos({d}, '.') > 0 THEN "
        f"  (CASE WHEN instr(reverse({d}), ',') < instr(reverse({d}), '.') "
        f"   THEN replace(replace({d}, '.', ''), ',', '.') ELSE replace({d}, ',', '') END) "
        f" WHEN strpos({d}, ',') > 0 THEN "
        f"  (CASE WHEN regexp_full_match({d}, '[0-9]{{1,3}}(,[0-9]{{2}})*(,[0-9]{{3}})+') THEN replace({d}, ',', '') "
        f"   ELSE replace({d}, ',', '.') END) "
        f" WHEN regexp_full_match({d}, '[0-9]{{1,3}}(\\.[0-9]{{3}}){{2,}}') THEN replace({d}, '.', '') "
        f" ELSE {d} END)"
    )


def install(con: "duckdb.DuckDBPyConnection") -> None:
    """Create the parsing macros on this connection (temporary, idempotent)."""
    t = "ak_blank(x)"
    neg = (f"({t} LIKE '(%)' OR regexp_matches({t}, '^[^0-9]*-') OR regexp_matches({t}, '-\\s*$'))")
    body = _digits_sql(t)
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ak_blank(x) AS "
        "CASE WHEN x IS NULL OR trim(x) IN ('', '" + "','".join(EMPTY_TOKENS[1:]) + "') "
        "THEN NULL ELSE trim(x) END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ak_money_mark(x) AS "
        r"regexp_replace(ak_blank(x), '[0-9.,\s\x{00A0}\x{202F}()+''-]', '', 'g')"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ak_money_slow(x) AS "
        f"CASE WHEN regexp_full_match(ak_money_mark(x), '{_CURRENCY_MARK[1:-1]}') "
        f"AND regexp_matches({t}, '[0-9]') "
        f"AND regexp_full_match({body}, '[0-9]+(\\.[0-9]+)?') "
        f"THEN (CASE WHEN {neg} THEN -1 ELSE 1 END) * TRY_CAST({body} AS {MONEY_TYPE}) END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ak_money(x) AS "
        "CASE WHEN x IS NULL THEN NULL "
        "WHEN regexp_full_match(x, '-?[0-9]+(\\.[0-9]+)?') "
        f"THEN TRY_CAST(x AS {MONEY_TYPE}) ELSE ak_money_slow(x) END"
    )
    # TRUE when the cell is empty or readable; FALSE marks a value to quarantine.
    con.execute("CREATE OR REPLACE TEMP MACRO ak_money_ok(x) AS ak_blank(x) IS NULL OR ak_money(x) IS NOT NULL")
    # Quantities: the same reader, a wider scale is not needed for counts.
    con.execute("CREATE OR REPLACE TEMP MACRO ak_number(x) AS CAST(ak_money(x) AS DECIMAL(18,3))")
    # The currency a symbol or code names, NULL when the cell carries none or an ambiguous one.
    pairs = ", ".join(f"'{k}': '{v}'" for k, v in SYMBOL_CURRENCY.items() if v)
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ak_money_currency(x) AS "
        f"map_extract_value(MAP {{{pairs}}}, ak_money_mark(x))"
    )
