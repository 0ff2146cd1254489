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

def blank_sql(src: str) -> str:
    """`src` trimmed, NULL for the documented empty placeholders (level 1 of a money parse)."""
    tokens = "', '".join(t for t in EMPTY_TOKENS if t)
    return f"(CASE WHEN trim({src}) IN ('', '{tokens}') THEN NULL ELSE trim({src}) END)"


def stage_sql(t: str) -> dict[str, str]:
    """Level-2 helper columns from the blanked text column `t` (keys become name suffixes)."""
    return {
        "fast": f"regexp_full_match({t}, '-?[0-9]+(\\.[0-9]+)?')",
        "digits": f"regexp_replace(regexp_replace({t}, 'Rs\\.', ''), '[^0-9.,]', '', 'g')",
        "neg": f"({t} LIKE '(%)' OR regexp_matches({t}, '^[^0-9]*-') OR regexp_matches({t}, '-\\s*$'))",
        "markok": (f"regexp_full_match(regexp_replace({t}, '[0-9.,\\s\\x{{00A0}}\\x{{202F}}()+''-]', '', 'g'), "
                   f"'{_CURRENCY_MARK[1:-1]}')"),
    }


def normal_sql(digits: str) -> str:
    """Level 3: the digits with '.' as the only (decimal) separator, per the auto rule."""
    d = digits
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


def value_sql(t: str, fast: str, normal: str, neg: str, markok: str) -> str:
    """Level 4: DECIMAL(18,4) from the helper columns; NULL when blank or unreadable."""
    return (f"(CASE WHEN {t} IS NULL THEN NULL WHEN {fast} THEN TRY_CAST({t} AS {MONEY_TYPE}) "
            f"WHEN {markok} AND regexp_matches({t}, '[0-9]') THEN (CASE WHEN {neg} THEN -1 ELSE 1 END) * "
            f"TRY_CAST((CASE WHEN regexp_full_match({normal}, '[0-9]+(\\.[0-9]+)?') THEN {normal} END) AS {MONEY_TYPE}) END)")


def install(con: "duckdb.DuckDBPyConnection") -> None:
    """Small macros used in profile expressions (kept small: DuckDB plans big macros slowly)."""
    con.execute(f"CREATE OR REPLACE TEMP MACRO ak_blank(x) AS {blank_sql('x')}")
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ak_money_mark(x) AS "
        r"regexp_replace(ak_blank(x), '[0-9.,\s()+''-]', '', 'g')"
    )
    pairs = ", ".join(f"'{k}': '{v}'" for k, v in SYMBOL_CURRENCY.items() if v)
    # The currency a symbol or code names, NULL when the cell carries none or an ambiguous one.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO ak_money_currency(x) AS "
        f"map_extract_value(MAP {{{pairs}}}, ak_money_mark(x))"
    )


def parse_values(con: "duckdb.DuckDBPyConnection", values: list[str | None]) -> list:
    """Parse a list of cells with exactly the SQL the importer uses (tests, `assetkit map`)."""
    import json

    install(con)
    helpers = ", ".join(f"{v} AS {k}" for k, v in stage_sql("t").items())
    return [r[0] for r in con.execute(
        f"SELECT {value_sql('t', 'fast', 'normal', 'neg', 'markok')} FROM (SELECT *, {normal_sql('digits')} AS normal FROM ("
        f"SELECT i, t, {helpers} FROM (SELECT i, {blank_sql('CAST(v AS VARCHAR)')} AS t FROM ("
        "SELECT unnest(range(len(j))) AS i, unnest(j) AS v FROM (SELECT CAST(? AS VARCHAR[]) AS j))))) ORDER BY i",
        [values]).fetchall()]
