"""Dated ECB reference rates: conversion to the reporting currency, in one place.

ECB publishes "1 EUR = x units" per currency and working day. An amount in currency C on
date d converts to reporting currency R with the nearest rates on or before d:
`amount * per_eur(R) / per_eur(C)` (EUR itself is 1). The row records the rate and the
(older) rate date used. No rate within `MAX_RATE_AGE_DAYS` means the `*_rc` column stays
NULL and the row is counted as missing a rate: never a silent 1.0. Same currency is rate 1.

Rates come from `assetkit fx import eurofxref-hist.csv`, `assetkit fx fetch`, or, so a
first run converts offline, a bundled approximate seed (`source = 'bundled-approx'`) that
real rates replace.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from assetkit.errors import SourceError, UsageError
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

MAX_RATE_AGE_DAYS = 31
BUNDLED_SOURCE = "bundled-approx"
MONEY_COLUMNS = {
    "orders": ("ordered_at", ("gross_amount", "refunded_amount"), "order_id"),
    "refunds": ("refunded_at", ("amount",), "refund_id"),
    "fees": ("incurred_at", ("amount",), "fee_id"),
    "spend": ("period_start", ("amount",), "spend_id"),
}
_CODE = re.compile(r"^[A-Z]{3}$")


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise UsageError(f"{code!r} is not a three-letter currency code", hint="e.g. USD, EUR, GBP, INR")
    return code


def day_sql(timestamp: str) -> str:
    """The UTC day of a TIMESTAMPTZ (or DATE): rates are dated by UTC day. Through the epoch,
    ~10x cheaper than CAST(… AS DATE), which converts through the session time zone (ICU)."""
    return f"CAST(make_timestamp(epoch_us({timestamp})) AS DATE)"


def rates_sql(pairs: str, reporting: str) -> str:
    """The rate for each (currency, d) that `pairs` gives: `currency, d, fx_rate, fx_date0`.

    Looked up with ASOF joins once per distinct (currency, day): a million orders touch a
    few thousand rate lookups, not a million.
    """
    rc = check_currency(reporting)
    fresh = str(MAX_RATE_AGE_DAYS)
    src = (f"SELECT p.currency, p.d, a.per_eur AS src_rate, a.rate_date AS src_date FROM ({pairs}) p "
           f"ASOF LEFT JOIN fx_rates a ON a.currency = p.currency AND p.d >= a.rate_date")
    if rc == "EUR":
        both = f"SELECT t.*, 1.0 AS rc_rate, CAST(NULL AS DATE) AS rc_date FROM ({src}) t"
    else:
        both = (f"SELECT t.*, b.per_eur AS rc_rate, b.rate_date AS rc_date FROM ({src}) t "
                f"ASOF LEFT JOIN (SELECT * FROM fx_rates WHERE currency = '{rc}') b ON t.d >= b.rate_date")
    src_rate = f"(CASE WHEN currency = 'EUR' THEN 1.0 WHEN d - src_date <= {fresh} THEN src_rate END)"
    rc_rate = f"(CASE WHEN '{rc}' = 'EUR' THEN 1.0 WHEN d - rc_date <= {fresh} THEN rc_rate END)"
    return (f"SELECT currency, d, CAST(CASE WHEN currency = '{rc}' THEN 1 ELSE CAST({rc_rate} AS DOUBLE) / "
            f"CAST({src_rate} AS DOUBLE) END AS DECIMAL(18,8)) AS fx_rate, "
            f"CASE WHEN currency = '{rc}' THEN d ELSE least(CASE WHEN currency <> 'EUR' THEN src_date END, "
            f"CASE WHEN '{rc}' <> 'EUR' THEN rc_date END) END AS fx_date0 FROM ({both})")


def convert_sql(relation: str, date_col: str, amounts: tuple[str, ...], reporting: str,
                rates: str | None = None) -> str:
    """SELECT over `relation` adding `<amount>_rc`, `fx_rate`, `fx_date`, joined by hash to
    the rates of its (currency, day) pairs. `rates`, a table made from `rates_sql` over
    exactly the relation's pairs, lets the relation stream through once (and, being a table
    of known size, makes DuckDB build the join on the few rates, not on the rows); without
    it the relation is materialised to find its pairs."""
    source = "ak_fx_in" if rates is None else relation
    if rates is None:
        rates = f"({rates_sql(f'SELECT DISTINCT currency, {day_sql(date_col)} AS d FROM ak_fx_in', reporting)})"
    converted = ", ".join(f"CAST(s.{a} * r.fx_rate AS DECIMAL(18,4)) AS {a}_rc" for a in amounts)
    # Materialised when it is read twice (its rate pairs, then its rows): computed once.
    cte = f"WITH ak_fx_in AS MATERIALIZED (SELECT * FROM {relation}) " if source == "ak_fx_in" else ""
    return (f"{cte}SELECT s.*, r.fx_rate, CASE WHEN r.fx_rate IS NULL THEN NULL ELSE r.fx_date0 END AS fx_date, {converted} "
            f"FROM {source} s LEFT JOIN {rates} r ON r.currency = s.currency AND r.d = {day_sql(f's.{date_col}')}")


def reconvert(con: duckdb.DuckDBPyConnection, reporting: str) -> int:
    """Recompute every stored `*_rc` with the rates now stored; returns rows still without a rate."""
    for table, (date_col, amounts, key) in MONEY_COLUMNS.items():
        cols = ", ".join((key, "currency", date_col, *amounts))
        sets = ", ".join(f"{a}_rc = c.{a}_rc" for a in amounts)
        con.execute(
            f"UPDATE {table} SET {sets}, fx_rate = c.fx_rate, fx_date = c.fx_date FROM ("
            f"{convert_sql(f'(SELECT {cols} FROM {table})', date_col, amounts, reporting)}) c "
            f"WHERE {table}.{key} = c.{key}")
    return unconverted_rows(con)


def unconverted_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Money rows (orders, refunds, fees, spend) that have no rate yet: the one count that
    `reconvert`, `assetkit status` and the report's provenance all give."""
    counts = " + ".join(f"(SELECT count(*) FROM {table} WHERE {amounts[0]}_rc IS NULL)"
                        for table, (_, amounts, _) in MONEY_COLUMNS.items())
    return int(scalar(con, f"SELECT {counts}"))


def approximate_rows(con: duckdb.DuckDBPyConnection, reporting: str) -> tuple[int, int]:
    """(rows converted with a bundled approximate rate, rows converted from another currency).

    A row counts as approximate when the rate of its own currency or of the reporting currency
    that its conversion used (the latest on or before its UTC day, as in `rates_sql`) is a
    bundled one: the report and the import then say so, and how to load real ECB rates.
    """
    rc = check_currency(reporting)
    pairs = " UNION ALL ".join(
        f"SELECT currency, {day_sql(date_col)} AS d FROM {table} "
        f"WHERE {amounts[0]}_rc IS NOT NULL AND currency <> '{rc}'"
        for table, (date_col, amounts, _) in MONEY_COLUMNS.items())
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE (p.currency <> 'EUR' AND a.source = '{BUNDLED_SOURCE}') "
        f"OR ('{rc}' <> 'EUR' AND b.source = '{BUNDLED_SOURCE}')), count(*) FROM ({pairs}) p "
        "ASOF LEFT JOIN fx_rates a ON a.currency = p.currency AND p.d >= a.rate_date "
        f"ASOF LEFT JOIN (SELECT * FROM fx_rates WHERE currency = '{rc}') b ON p.d >= b.rate_date").fetchone()
    return int(row[0] or 0), int(row[1] or 0)


def approximate_note(approx: int, converted: int) -> str | None:
    """The sentence import and report print when approximate rates were used."""
    if not approx:
        return None
    return (f"{approx:,} of {converted:,} amounts in another currency were converted with assetkit's bundled "
            "approximate exchange rates, not the ECB's daily reference rates: load real ones with "
            "`assetkit fx fetch` (downloads from the ECB) or `assetkit fx import eurofxref-hist.csv`; "
            "stored amounts are reconverted at once.")


def ensure_seed(con: duckdb.DuckDBPyConnection) -> None:
    """Load the bundled approximate rates when the database holds no rates at all."""
    if scalar(con, "SELECT count(*) FROM fx_rates"):
        return
    path = files("assetkit.importers").joinpath("data", "fx_bundled.csv")
    _load_ecb(con, str(path), BUNDLED_SOURCE)


def import_ecb(con: duckdb.DuckDBPyConnection, path: Path, source: str = "ecb") -> tuple[int, str, str]:
    """Load an ECB `eurofxref-hist.csv` (or daily `eurofxref.csv`); returns (rates, first, last)."""
    if not path.exists():
        raise SourceError("file not found", path=str(path))
    return _load_ecb(con, str(path), source)


def _load_ecb(con: duckdb.DuckDBPyConnection, path: str, source: str) -> tuple[int, str, str]:
    import duckdb

    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE ak_fx AS SELECT * FROM ("
            "UNPIVOT (SELECT * FROM read_csv(?, all_varchar=true, header=true, auto_detect=true)) "
            "ON COLUMNS(* EXCLUDE (Date)) INTO NAME currency VALUE v)", [path])
        con.execute(
            "CREATE OR REPLACE TEMP TABLE ak_fx2 AS SELECT TRY_CAST(trim(Date) AS DATE) AS rate_date, "
            "upper(trim(currency)) AS currency, TRY_CAST(trim(v) AS DECIMAL(18,8)) AS per_eur FROM ak_fx "
            "WHERE regexp_full_match(upper(trim(currency)), '[A-Z]{3}') AND trim(v) NOT IN ('', 'N/A')")
    except duckdb.Error as exc:
        raise SourceError(f"not an ECB reference-rate CSV: {exc}", path=path,
                          hint="expected the ECB format: Date,USD,JPY,… (eurofxref-hist.csv)") from None
    bad = scalar(con, "SELECT count(*) FROM ak_fx2 WHERE rate_date IS NULL OR per_eur IS NULL OR per_eur <= 0")
    if bad:
        raise SourceError(f"{bad} rate cells are not dates/positive numbers", path=path,
                          hint="expected the ECB format: Date,USD,JPY,… with YYYY-MM-DD dates")
    n, first, last = con.execute("SELECT count(*), min(rate_date), max(rate_date) FROM ak_fx2").fetchone()
    if not n:
        raise SourceError("no rates found", path=path, hint="expected the ECB format: Date,USD,JPY,…")
    if source != BUNDLED_SOURCE:
        con.execute("DELETE FROM fx_rates WHERE source = ? AND rate_date BETWEEN ? AND ?",
                    [BUNDLED_SOURCE, first, last])
    con.execute("INSERT INTO fx_rates SELECT rate_date, currency, per_eur, ? FROM ak_fx2 "
                "ON CONFLICT (rate_date, currency) DO UPDATE SET per_eur = excluded.per_eur, source = excluded.source",
                [source])
    con.execute("DROP TABLE ak_fx; DROP TABLE ak_fx2")
    return int(n), str(first), str(last)


ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"


def download_ecb(dest: Path, url: str | None = None, timeout: tuple[float, float] = (10, 60)) -> str:
    """Download the ECB history (zip or csv) to `dest` as CSV; returns the public URL used."""
    import io
    import os
    import zipfile

    from assetkit.errors import NetworkError
    from assetkit.importers.http import get, public_url, session

    url = url or os.environ.get("ASSETKIT_ECB_URL") or ECB_URL
    response = get(session(), url, timeout=timeout, same_host=False)  # a public file, no key
    if response.status_code != 200:
        raise NetworkError(f"{public_url(url)} answered HTTP {response.status_code}",
                           hint="try again later, or download eurofxref-hist.csv and run `assetkit fx import FILE`")
    body = response.content
    if body[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                name = next(n for n in archive.namelist() if n.lower().endswith(".csv"))
                body = archive.read(name)
        except (zipfile.BadZipFile, StopIteration):
            raise NetworkError(f"{public_url(url)} sent a zip without a CSV") from None
    dest.write_bytes(body)
    return public_url(url)


@dataclass
class RatesResult:
    """What `assetkit fx import|fetch` did: rates stored and rows still lacking a rate."""

    rates: int
    first: str
    last: str
    reporting_currency: str
    rows_without_rate: int
    source: str

    def to_dict(self) -> dict:
        return asdict(self)


def load_rates(store, path: Path | None = None, reporting: str = "USD", url: str | None = None) -> RatesResult:
    """Import `path` (or download the ECB history first), then reconvert every stored amount."""
    import tempfile

    rc = check_currency(reporting)
    with tempfile.TemporaryDirectory() as tmp:
        source = str(path) if path is not None else ""
        if path is None:
            # Download before the transaction: no network wait while the database is held.
            path = Path(tmp) / "eurofxref-hist.csv"
            source = download_ecb(path, url)
        with store.transaction():
            n, first, last = import_ecb(store.con, path, "ecb")
            missing = reconvert(store.con, rc)
    store.checkpoint()
    return RatesResult(n, first, last, rc, missing, source)
