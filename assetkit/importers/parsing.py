"""Turn staged raw text records into typed fields (`ak_rows`), flagging bad rows.

One generated SQL statement per file: each profile field becomes a typed column through the
money and date macros; a non-empty cell that cannot be read, or an empty required cell,
marks the row for quarantine with the source column, the raw value and the reason. Rows the
profile declares structural (`skip`, e.g. Amazon's settlement summary row, bank transfers)
are marked and never quarantined. All vectorised in DuckDB.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from assetkit.errors import SourceError
from assetkit.importers.dates import timestamp_sql
from assetkit.importers.money import (
    blank_sql,
    fast_sql,
    markok_sql,
    normal_sql,
    slow_sql,
    trim_sql,
    value_sql,
)
from assetkit.importers.registry import FUTURE_DAYS, FieldSpec, Profile
from assetkit.store.sql import quote_literal

if TYPE_CHECKING:
    import duckdb


_DERIVED = re.compile(r"@([a-z_][a-z0-9_]*)")


def expand_derived(expr: str, profile: Profile, depth: int = 0) -> str:
    """Replace each `@name` by the profile's `derived` expression of that name (in
    parentheses; a derived expression may use earlier ones)."""
    if "@" not in expr or not profile.derived:
        return expr
    from assetkit.errors import ConfigError

    if depth > 8:
        raise ConfigError(f"profile {profile.name}: derived expressions refer to each other in a cycle")

    def one(m: re.Match[str]) -> str:
        if m.group(1) not in profile.derived:
            raise ConfigError(f"profile {profile.name}: @{m.group(1)} is not a derived expression",
                              hint=f"derived names: {', '.join(profile.derived)}")
        return "(" + expand_derived(profile.derived[m.group(1)], profile, depth + 1) + ")"

    return _DERIVED.sub(one, expr)


def substitute(expr: str, profile: Profile) -> str:
    """Expand `@derived` names and `$platform`, `$channel`, `$currency`, `$store` in a profile
    SQL expression."""
    expr = expand_derived(expr, profile).replace(
        "$store", quote_literal(profile.store) if profile.store else "CAST(NULL AS VARCHAR)")
    return (expr.replace("$platform", quote_literal(profile.platform)).replace("$channel", quote_literal(profile.channel))
            .replace("$currency", quote_literal(profile.currency or "") if profile.currency else "CAST(NULL AS VARCHAR)"))


def column_index(header: list[str], spec: FieldSpec) -> int | None:
    folded = [h.strip().casefold() for h in header]
    for alias in spec.columns:
        if alias.casefold() in folded:
            return folded.index(alias.casefold())
    return None


def _all_indexes(header: list[str], spec: FieldSpec) -> list[int]:
    folded = [h.strip().casefold() for h in header]
    return [folded.index(a.casefold()) for a in spec.columns if a.casefold() in folded]


def _source(header: list[str], spec: FieldSpec, path: str) -> tuple[str, str | None, str]:
    """(raw SQL, label of the source column or None when absent, level-1 blanked SQL)."""
    if spec.join:
        parts = [f"c{i}" for i in _all_indexes(header, spec)]
        if not parts:
            return "CAST(NULL AS VARCHAR)", None, "CAST(NULL AS VARCHAR)"
        raw = f"nullif(concat_ws(' ', {', '.join(blank_sql(p) for p in parts)}), '')"
        return raw, " + ".join(spec.columns), raw
    index = column_index(header, spec)
    if index is None:
        if spec.required and spec.columns:
            raise SourceError(
                f"required column {spec.columns[0]!r} is missing; columns found: {', '.join(header[:30])}",
                path=path, hint="check the export type, or pass --mapping with the right column names")
        return "CAST(NULL AS VARCHAR)", None, "CAST(NULL AS VARCHAR)"
    raw = f"c{index}"
    # Placeholders such as `--` or `N/A` mean "empty" only in typed cells; text keeps them.
    # `__s_c<i>` is the cell trimmed (rows_sql's first level).
    t = blank_sql(f"__s_{raw}", trimmed=True) if spec.type != "text" else f"nullif(__s_{raw}, '')"
    if spec.regex:
        t = f"nullif(regexp_extract({t}, {quote_literal(spec.regex)}, 1), '')"
    return raw, header[index], t


def absent_fields(profile: Profile, header: list[str]) -> list[str]:
    """The fields no column of this file feeds: NULL on every row (`_source`'s absent case)."""
    return [spec.name for spec in profile.fields
            if not (_all_indexes(header, spec) if spec.join else column_index(header, spec) is not None)]


def plausible_window(profile: Profile) -> tuple[dt.date, dt.date]:
    """The first and last plausible day of a date in this profile's exports (registry.py)."""
    latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=FUTURE_DAYS)
    return dt.date.fromisoformat(profile.earliest), latest


def outside_window_sql(column: str, profile: Profile) -> str:
    earliest, latest = plausible_window(profile)
    return (f"({column} < TIMESTAMPTZ '{earliest.isoformat()} 00:00:00+00' "
            f"OR {column} >= TIMESTAMPTZ '{(latest + dt.timedelta(days=1)).isoformat()} 00:00:00+00')")


def window_reason(profile: Profile) -> str:
    earliest, latest = plausible_window(profile)
    return f"date outside the plausible window {earliest.isoformat()} to {latest.isoformat()} (damaged or mistyped)"


def decimal_sql(t: str, decimal: str) -> str:
    """`t` with the profile's decimal separator made the only '.': with "," the dots are
    thousands separators (`1.250,5` → `1250.5`, `1.250` → `1250`); with "." the commas are."""
    if decimal == ",":
        return f"replace(replace({t}, '.', ''), ',', '.')"
    return f"replace({t}, ',', '')"


def rows_sql(profile: Profile, header: list[str], path: str, source: str,
             extra_levels: list[list[str]] | None = None, extra_columns: tuple[str, ...] = ()) -> str:
    """SELECT __line, <fields>, <extra_columns>, __skip, __rej_col, __rej_raw, __rej_reason.

    Built in levels of projection (blank → helper columns → typed values) so every
    expression refers to columns, not to repeated sub-expressions: DuckDB plans deeply
    repeated expressions very slowly. Only the raw columns a field reads are carried through
    the levels (binding every level re-lists them). `source` is the relation of raw records
    (`__line, c0, c1, …`). `extra_levels` are further projections over the typed fields (the
    identity keys), of which `extra_columns` are kept.
    """

    level1, level2, level3, level4, checks, window_checks = [], [], [], [], [], []
    level5: list[str] = []
    used: set[str] = set()
    for spec in profile.fields:
        raw, label, t = _source(header, spec, path)
        used.update(re.findall(r"\bc\d+\b", raw))
        n = spec.name
        level1.append(f"{t} AS __t_{n}")
        tcol = f"__t_{n}"
        if spec.type in ("money", "number", "int"):
            if profile.decimal != "auto":  # stated by the profile: reduce it to '.' decimals
                level1[-1] = f"{decimal_sql(t, profile.decimal)} AS __t_{n}"
            level2.append(f"{fast_sql(tcol)} AS __fast_{n}")
            level3.extend(f"{sql} AS __{k}_{n}" for k, sql in slow_sql(tcol, f"__fast_{n}").items())
            level4.append(f"{normal_sql(f'__digits_{n}')} AS __normal_{n}")
            level4.append(f"{markok_sql(f'__mark_{n}')} AS __markok_{n}")
            value = value_sql(tcol, f"__fast_{n}", f"__normal_{n}", f"__neg_{n}", f"__markok_{n}")
            value = {"money": value, "number": f"CAST({value} AS DECIMAL(18,3))",
                     "int": f"TRY_CAST({value} AS BIGINT)"}[spec.type]
        elif spec.type == "timestamp":
            if profile.tz_abbrev:
                level2.append(f"ak_tznorm({tcol}) AS __z_{n}")
                tcol = f"__z_{n}"
            value = timestamp_sql(tcol, profile.date_formats, profile.timezone, profile.excel_dates)
        else:
            value = tcol
        if spec.fill:
            value = f"last_value({value} IGNORE NULLS) OVER (ORDER BY __line ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        level5.append(f"{value} AS {n}")
        shown = quote_literal(label or spec.name)
        if spec.type != "text" and label is not None:
            checks.append((f"__t_{n} IS NOT NULL AND {n} IS NULL", shown, raw,
                           quote_literal(f"cannot read the value as {spec.type}")))
            if spec.type == "timestamp":  # last of all checks: datefix.py may lift it after a repair
                window_checks.append((outside_window_sql(n, profile), shown, raw, quote_literal(window_reason(profile))))
        if spec.required:
            checks.append((f"{n} IS NULL", shown, raw, quote_literal("required value is empty")))
    checks += window_checks
    skip = f"coalesce(({substitute(profile.skip, profile)}), false)" if profile.skip else "false"

    def case(pick: int) -> str:
        if not checks:
            return "CAST(NULL AS VARCHAR)"
        return "CASE " + " ".join(f"WHEN {c[0]} THEN {c[pick]}" for c in checks) + " END"

    names = ", ".join(s.name for s in profile.fields)
    extra_levels = extra_levels or []
    l2, l3, l4 = ((", " + ", ".join(lv)) if lv else "" for lv in (level2, level3, level4))
    typed = f"SELECT *, {', '.join(level5)} FROM (SELECT *{l4} FROM (SELECT *{l3} FROM (SELECT *{l2} FROM ("
    trimmed = sorted(set(re.findall(r"\b__s_(c\d+)\b", " ".join(level1))))
    cells = [*sorted(used), *(f"{trim_sql(c)} AS __s_{c}" for c in trimmed)]
    typed += f"SELECT {', '.join(['__line', *sorted(used)])}, {', '.join(level1)} FROM (SELECT {', '.join(['__line', *cells])} FROM {source})))))"
    for level in extra_levels:
        typed = f"SELECT *, {', '.join(level)} FROM ({typed})"
    keys = "".join(f", {k}" for k in extra_columns)
    return (f"SELECT __line, {names}{keys}, __skip, "
            f"CASE WHEN __skip THEN NULL ELSE __c END AS __rej_col, "
            f"CASE WHEN __skip THEN NULL ELSE left(__r, 500) END AS __rej_raw, "
            f"CASE WHEN __skip THEN NULL ELSE __why END AS __rej_reason FROM ("
            f"SELECT *, {skip} AS __skip, {case(1)} AS __c, {case(2)} AS __r, {case(3)} AS __why FROM ({typed}))")


STATUS_WORDS = {
    "completed": ("completed", "complete", "paid", "shipped", "delivered", "fulfilled", "closed", "success",
                  "trade_finished", "done", "partially_refunded", "partially refunded",
                  "已完成", "交易成功", "已发货", "已收货", "完成"),
    "cancelled": ("cancelled", "canceled", "void", "voided", "failed", "declined", "expired",
                  "已取消", "交易关闭", "已关闭"),
    "refunded": ("refunded", "returned", "refund", "已退款", "退款成功"),
    "pending": ("pending", "processing", "unpaid", "open", "unshipped", "shipping", "authorized",
                "on-hold", "on hold", "awaiting payment", "in progress", "wait_buyer_pay",
                "待付款", "待发货", "处理中", "待确认"),
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


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Vocabulary macros: order status, fee type, currency code (NULL when unrecognised)."""
    # One map lookup per cell, not a lower(trim()) per status group (~40% less CPU at 1M rows).
    status = ", ".join(f"{quote_literal(w)}: {quote_literal(k)}" for k, words in STATUS_WORDS.items() for w in words)
    # A cell that is already a vocabulary word (most are) is looked up as it is; only the
    # others pay for lower(trim()).
    con.execute(f"CREATE OR REPLACE TEMP MACRO ak_status(x) AS coalesce(map_extract_value(MAP {{{status}}}, x), "
                f"CASE WHEN ak_blank(x) IS NULL THEN 'completed' "
                f"ELSE map_extract_value(MAP {{{status}}}, lower(trim(x))) END)")
    fee = " ".join(f"WHEN {' OR '.join(f'strpos(lower(x), {quote_literal(w)}) > 0' for w in words)} THEN {quote_literal(k)}"
                   for k, words in FEE_WORDS.items())
    con.execute(f"CREATE OR REPLACE TEMP MACRO ak_fee_type(x) AS CASE WHEN x IS NULL THEN 'other' "
                f"WHEN lower(trim(x)) IN ('commission','payment','listing','membership','advertising',"
                f"'fulfilment','service','other') THEN lower(trim(x)) {fee} ELSE 'other' END")
    con.execute("CREATE OR REPLACE TEMP MACRO ak_ccy(x) AS CASE WHEN regexp_full_match(x, '[A-Z]{3}') "
                "AND x <> 'CDN' AND x <> 'RMB' THEN x WHEN upper(trim(x)) IN ('CDN') THEN 'CAD' "
                "WHEN upper(trim(x)) IN ('RMB') THEN 'CNY' WHEN regexp_full_match(upper(trim(x)), '[A-Z]{3}') "
                "THEN upper(trim(x)) END")
