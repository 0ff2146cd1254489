"""Fuzzing the normalisers for money, dates and encodings: a bad value becomes NULL (and is then
quarantined by the importer) or a SourceError naming the file — never any other exception."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assetkit.errors import SourceError
from assetkit.importers import dates, encoding, money

EXAMPLES = 300


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    dates.install(c)
    return c


cells = st.one_of(st.none(), st.text(max_size=40),
                  st.text(alphabet="0123456789.,-()$€£¥ CA\u00a0'", max_size=20))


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(cells, min_size=1, max_size=20))
def test_money_parser_returns_a_decimal_or_null_for_anything(con: duckdb.DuckDBPyConnection, values: list) -> None:
    parsed = money.parse_values(con, values)
    assert len(parsed) == len(values)
    assert all(v is None or isinstance(v, Decimal) for v in parsed)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["{}", "${}", "£{}", "CA${}", "{} €", "({})"]), st.booleans(), st.booleans())
def test_formatted_amounts_round_trip(con: duckdb.DuckDBPyConnection, amount: Decimal, pattern: str,
                                      thousands: bool, comma_decimal: bool) -> None:
    if pattern == "({})" and amount < 0:
        amount = -amount
    text = f"{abs(amount):,.2f}" if thousands else f"{abs(amount):.2f}"
    if comma_decimal:
        text = text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")
    sign = "-" if amount < 0 and pattern != "({})" else ""
    cell = sign + pattern.format(text)
    expected = -amount if pattern == "({})" else amount
    (parsed,) = money.parse_values(con, [cell])
    assert parsed == expected, cell


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=40), st.from_regex(r"\d{1,5}[./-]\d{1,2}[./-]\d{1,4}( \d\d:\d\d)?",
                                                                fullmatch=True)), min_size=1, max_size=10),
       st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York"]))
def test_timestamp_parser_returns_a_time_or_null_for_anything(con: duckdb.DuckDBPyConnection, values: list,
                                                             zone: str) -> None:
    sql = dates.timestamp_sql("t", list(dates.DEFAULT_FORMATS) + ["%m/%d/%y", "%b-%d-%y"], zone)
    rows = con.execute(f"SELECT {sql} FROM (SELECT unnest(?::VARCHAR[]) AS t)", [values]).fetchall()
    assert len(rows) == len(values)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=400))
def test_encoding_detection_and_decoding_raise_only_source_errors(data: bytes) -> None:
    guess = encoding.detect_encoding(data)
    assert isinstance(guess, str) and guess
    for enc in (guess, "utf-8", "cp932", "gb18030", "no-such-codec"):
        try:
            text = encoding.decode(data, enc, "fuzz.csv")
        except SourceError as exc:
            assert "fuzz.csv" in exc.message
        else:
            assert isinstance(text, str)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=200), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_unicode_text_is_detected_and_read_back_exactly(text: str, enc: str) -> None:
    """UTF-8 and UTF-16 text always reads back as written: no wrong guess, no error. Left out:
    BOM-less UTF-8 holding NUL characters, which is taken for BOM-less UTF-16 by design (NUL
    bytes are how UTF-16 without a BOM shows; an export's text has none)."""
    assume(enc != "utf-8" or "\x00" not in text)
    data = text.encode(enc)
    decoded = encoding.decode(data, encoding.detect_encoding(data), "x.csv")
    assert decoded == text.removeprefix("\ufeff")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["cp1252", "gb18030"]).flatmap(
    lambda enc: st.tuples(st.just(enc), st.text(st.characters(codec=enc), min_size=1, max_size=200))))
def test_legacy_text_is_read_back_or_refused_with_the_encoding_hint(case: tuple[str, str]) -> None:
    """cp1252 and GB18030 cannot always be told apart from a few bytes: a right guess reads the
    text back exactly, a wrong one is a clear error naming the file and the --encoding option,
    never a crash."""
    enc, text = case
    data = text.encode(enc)
    guess = encoding.detect_encoding(data)
    try:
        decoded = encoding.decode(data, guess, "x.csv")
    except SourceError as exc:
        assert "x.csv" in exc.message
        assert "--encoding" in (exc.hint or "")
    else:
        assert isinstance(decoded, str)
        if guess == enc:
            assert decoded == text.removeprefix("\ufeff")
