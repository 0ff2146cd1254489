"""The importer's cheaper SQL gives exactly what the plainer SQL it replaced gives.

Each speed-up of the import (conditional trim, the empty-placeholder check as equalities,
status and currency looked up before normalising, UTC times and days through the epoch, a
bare date skipping the offset regex) is checked against the straightforward expression on
generated cells, in the store's UTC session.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetkit.importers import dates, fx, money, parsing

EXAMPLES = 200
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Cells as exports write them: padded, placeholders, status and currency words in any case.
WORDS = ["completed", "Completed", " paid ", "REFUNDED", "on hold", "pending", "x", "", " ", "--", "-", "N/A", "n/a",
         "null", "NULL", "None", "NONE", "USD", "usd", " eur", "CDN", "RMB", "US$", "ABCD", "A1C", "—"]
cells = st.one_of(st.none(), st.sampled_from(WORDS), st.text(alphabet=" \t\xa0\u3000\u2009ab-/.:NAUSDé", max_size=8),
                  st.text(max_size=12))


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")  # the store's session (assetkit.store)
    money.install(c)
    dates.install(c)
    parsing.install(c)
    return c


def _pairs(con: duckdb.DuckDBPyConnection, fast: str, plain: str, values: list) -> list[tuple]:
    """(fast, plain) over the values as column x."""
    return con.execute(f"SELECT {fast}, {plain} FROM (SELECT unnest(CAST(? AS VARCHAR[])) AS x)", [values]).fetchall()


@SETTINGS
@given(st.lists(cells, min_size=1, max_size=30))
def test_conditional_trim_is_trim(con: duckdb.DuckDBPyConnection, values: list) -> None:
    assert all(a == b for a, b in _pairs(con, money.trim_sql("x"), "trim(x)", values))


@SETTINGS
@given(st.lists(cells, min_size=1, max_size=30))
def test_blank_check_as_equalities_is_the_in_list(con: duckdb.DuckDBPyConnection, values: list) -> None:
    tokens = ", ".join("'" + t + "'" for t in money.EMPTY_TOKENS)
    plain = f"CASE WHEN trim(x) IN ({tokens}) THEN NULL ELSE trim(x) END"
    assert all(a == b for a, b in _pairs(con, money.blank_sql("x"), plain, values))
    trimmed = [r[0] for r in con.execute("SELECT trim(unnest(CAST(? AS VARCHAR[])))", [values]).fetchall()]
    assert all(a == b for a, b in _pairs(con, money.blank_sql("x", trimmed=True), plain, trimmed))


@SETTINGS
@given(st.lists(cells, min_size=1, max_size=30))
def test_status_and_currency_fast_lookups_change_nothing(con: duckdb.DuckDBPyConnection, values: list) -> None:
    words = ", ".join(f"'{w}': '{k}'" for k, ws in parsing.STATUS_WORDS.items() for w in ws)
    status = (f"CASE WHEN ak_blank(x) IS NULL THEN 'completed' "
              f"ELSE map_extract_value(MAP {{{words}}}, lower(trim(x))) END")
    assert all(a == b for a, b in _pairs(con, "ak_status(x)", status, values))
    currency = ("CASE WHEN upper(trim(x)) IN ('CDN') THEN 'CAD' WHEN upper(trim(x)) IN ('RMB') THEN 'CNY' "
                "WHEN regexp_full_match(upper(trim(x)), '[A-Z]{3}') THEN upper(trim(x)) END")
    assert all(a == b for a, b in _pairs(con, "ak_ccy(x)", currency, values))


instants = st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2090, 12, 31))


@SETTINGS
@given(st.lists(instants, min_size=1, max_size=30))
def test_utc_wall_clock_and_day_through_the_epoch(con: duckdb.DuckDBPyConnection, values: list) -> None:
    rows = con.execute(
        f"SELECT {dates.local_sql('ts', 'UTC')} = timezone('UTC', ts), "
        f"{fx.day_sql(dates.local_sql('ts', 'UTC'))} = CAST(timezone('UTC', ts) AS DATE) "
        "FROM (SELECT unnest(CAST(? AS TIMESTAMP[])) AS ts)", [values]).fetchall()
    assert all(a and b for a, b in rows)


iso_cells = st.one_of(
    instants.map(lambda d: d.strftime("%Y-%m-%d")), instants.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    instants.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+05:30")), instants.map(lambda d: d.strftime("%Y-%m-%dZ")),
    st.text(alphabet="0123456789-:TZ+ ", max_size=25))


@SETTINGS
@given(st.lists(iso_cells, min_size=1, max_size=30), st.sampled_from(["UTC", "Asia/Kolkata"]))
def test_iso_dates_read_as_with_the_plain_regexes(con: duckdb.DuckDBPyConnection, values: list, zone: str) -> None:
    plain = ("(CASE WHEN regexp_matches(x, '(Z|[+-][0-9]{2}:?[0-9]{2})$') THEN TRY_CAST(x AS TIMESTAMPTZ) "
             "WHEN regexp_matches(x, '^[0-9]{4}-[0-9]{2}-[0-9]{2}') "
             f"THEN timezone('{zone}', TRY_CAST(x AS TIMESTAMP)) END)")
    fast = dates.timestamp_sql("x", ["iso"], zone, excel=False)
    assert all(a == b for a, b in _pairs(con, fast, plain, values))
