"""Turn the staged raw text (`ak_raw`) into typed fields (`ak_rows`), flagging bad rows.

One generated SQL statement per file: each profile field becomes a typed column through the
money and date macros; a non-empty cell that cannot be read, or an empty required cell,
marks the row for quarantine with the source column, the raw value and the reason. Rows the
profile declares structural (`skip`, e.g. Amazon's settlement summary row, bank transfers)
are marked and never quarantined. All vectorised in DuckDB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.errors import SourceError
from assetkit.importers.dates import timestamp_sql
from assetkit.importers.registry import FieldSpec, Profile

if TYPE_CHECKING:
    import duckdb


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def substitute(expr: str, profile: Profile) -> str:
    """Expand `$platform`, `$channel`, `$currency` in a profile SQL expression."""
    return (expr.replace("$platform", quote(profile.platform)).replace("$channel", quote(profile.channel))
            .replace("$currency", quote(profile.currency or "") if profile.currency else "CAST(NULL AS VARCHAR)"))


def column_index(header: list[str], spec: FieldSpec) -> int | None:
    folded = [h.strip().casefold() for h in header]
    for alias in spec.columns:
        if alias.casefold() in folded:
            return folded.index(alias.casefold())
    return None


def _typed(spec: FieldSpec, src: str, profile: Profile) -> str:
    if spec.regex:
        src = f"nullif(regexp_extract({src}, {quote(spec.regex)}, 1), '')"
    if spec.type == "money":
        return f"ak_money({src})"
    if spec.type == "number":
        return f"ak_number({src})"
    if spec.type == "int":
        return f"TRY_CAST(ak_money({src}) AS BIGINT)"
    if spec.type == "timestamp":
        return timestamp_sql(src, profile.date_formats, profile.timezone, profile.tz_abbrev, profile.excel_dates)
    return f"ak_blank({src})"


def build_rows(con: "duckdb.DuckDBPyConnection", profile: Profile, header: list[str], path: str) -> None:
    """CREATE TEMP TABLE ak_rows(__line, <fields>, __skip, __rej_col, __rej_raw, __rej_reason)."""
    typed, checks = [], []
    for spec in profile.fields:
        index = column_index(header, spec)
        if index is None and spec.required and spec.columns:
            raise SourceError(
                f"required column {spec.columns[0]!r} is missing; columns found: {', '.join(header[:30])}",
                path=path, hint="check the export type, or pass --mapping with the right column names")
        raw = f"c{index}" if index is not None else "CAST(NULL AS VARCHAR)"
        typed.append(f"{_typed(spec, raw, profile)} AS {spec.name}")
        label = quote(header[index] if index is not None else spec.name)
        if spec.required:
            checks.append((f"{spec.name} IS NULL", label, raw, quote("required value is empty or unreadable")))
        if spec.type != "text" and index is not None:
            checks.append((f"ak_blank({raw}) IS NOT NULL AND {spec.name} IS NULL", label, raw,
                           quote(f"cannot read the value as {spec.type}")))
    skip = f"coalesce(({substitute(profile.skip, profile)}), false)" if profile.skip else "false"

    def case(pick: int) -> str:
        if not checks:
            return "CAST(NULL AS VARCHAR)"
        return "CASE " + " ".join(f"WHEN {c[0]} THEN {c[pick]}" for c in checks) + " END"

    names = ", ".join(s.name for s in profile.fields)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE ak_rows AS SELECT __line, {names}, __skip, "
        f"CASE WHEN __skip THEN NULL ELSE __c END AS __rej_col, "
        f"CASE WHEN __skip THEN NULL ELSE __r END AS __rej_raw, "
        f"CASE WHEN __skip THEN NULL ELSE __why END AS __rej_reason FROM ("
        f"SELECT *, {skip} AS __skip, {case(1)} AS __c, {case(2)} AS __r, {case(3)} AS __why FROM ("
        f"SELECT ak_raw.*, {', '.join(typed)} FROM ak_raw))")


STATUS_WORDS = {
    "completed": ("completed", "complete", "paid", "shipped", "delivered", "fulfilled", "closed", "success",
                  "trade_finished", "done", "partially_refunded", "partially refunded"),
    "cancelled": ("cancelled", "canceled", "void", "voided", "failed", "declined", "expired"),
    "refunded": ("refunded", "returned", "refund"),
    "pending": ("pending", "processing", "unpaid", "open", "unshipped", "shipping", "authorized",
                "on-hold", "on hold", "awaiting payment", "in progress", "wait_buyer_pay"),
}
FEE_WORDS = {
    "commission": ("commission", "referral", "transaction", "final value", "selling"),
    "payment": ("payment", "processing", "card", "withdrawal", "transfer fee"),
    "listing": ("listing", "insertion"),
    "membership": ("membership", "subscription", "plan", "gold supplier", "annual"),
    "advertising": ("advertising", "ads", "ad ", "p4p", "sponsored", "promoted", "marketing", "connects",
                    "offsite", "ppc"),
    "fulfilment": ("fulfilment", "fulfillment", "fba", "shipping", "storage", "logistics"),
    "service": ("service",),
}


def install(con: "duckdb.DuckDBPyConnection") -> None:
    """Vocabulary macros: order status, fee type, currency code (NULL when unrecognised)."""
    status = " ".join(f"WHEN lower(trim(x)) IN ({', '.join(quote(w) for w in words)}) THEN {quote(k)}"
                      for k, words in STATUS_WORDS.items())
    con.execute(f"CREATE OR REPLACE TEMP MACRO ak_status(x) AS CASE WHEN ak_blank(x) IS NULL THEN 'completed' "
                f"{status} END")
    fee = " ".join(f"WHEN {' OR '.join(f'strpos(lower(x), {quote(w)}) > 0' for w in words)} THEN {quote(k)}"
                   for k, words in FEE_WORDS.items())
    con.execute(f"CREATE OR REPLACE TEMP MACRO ak_fee_type(x) AS CASE WHEN x IS NULL THEN 'other' "
                f"WHEN lower(trim(x)) IN ('commission','payment','listing','membership','advertising',"
                f"'fulfilment','service','other') THEN lower(trim(x)) {fee} ELSE 'other' END")
    con.execute("CREATE OR REPLACE TEMP MACRO ak_ccy(x) AS CASE WHEN upper(trim(x)) IN ('CDN') THEN 'CAD' "
                "WHEN upper(trim(x)) IN ('RMB') THEN 'CNY' WHEN regexp_full_match(upper(trim(x)), '[A-Z]{3}') "
                "THEN upper(trim(x)) END")
