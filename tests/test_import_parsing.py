"""Unit tests: the one money parser, the one date parser, encoding detection, profile validation."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from assetkit.errors import ConfigError
from assetkit.importers import dates, money
from assetkit.importers.encoding import detect_encoding
from assetkit.importers.registry import builtin_profiles, profile_from_dict

MONEY_CASES = [
    ("1,250.00", "1250"), ("1141,18", "1141.18"), ("$1,433.66", "1433.66"), ("-CA$4.42", "-4.42"),
    ("(1,234.50)", "-1234.5"), ("--", None), ("", None), (None, None), ("-£1.44", "-1.44"), ("£29.99", "29.99"),
    ("1.234.567", "1234567"), ("1.234,5", "1234.5"), ("12.00-", "-12"), ("EUR 5,00", "5"), ("₹ 1,00,000", "100000"),
    ("  7 ", "7"), ("-0.20", "-0.2"), ("1 250,00", "1250"), ("Rs. 500", "500"), ("USD 19.99", "19.99"),
]
BAD_MONEY = ["abc", "12abc", "1e3", "$", "1,2,3.4.5", "12 apples"]


@pytest.mark.parametrize(("text", "expected"), MONEY_CASES)
def test_money_values(text, expected) -> None:
    (value,) = money.parse_values(duckdb.connect(), [text])
    assert value == (Decimal(expected) if expected is not None else None)


def test_unreadable_money_is_null_not_zero() -> None:
    assert money.parse_values(duckdb.connect(), BAD_MONEY) == [None] * len(BAD_MONEY)


def parse_ts(text: str, formats: list[str], tz: str = "UTC", abbrev: bool = False) -> str | None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    money.install(con)
    dates.install(con)
    t = "ak_tznorm(ak_blank(v))" if abbrev else "ak_blank(v)"
    value = con.execute(f"SELECT CAST({dates.timestamp_sql('t', formats, tz)} AS VARCHAR) FROM "
                        f"(SELECT {t} AS t FROM (SELECT CAST(? AS VARCHAR) AS v))", [text]).fetchone()[0]
    return value


@pytest.mark.parametrize(("text", "formats", "tz", "abbrev", "expected"), [
    ("2024-03-01 08:52:26 UTC", ["%Y-%m-%d %H:%M:%S %z"], "UTC", True, "2024-03-01 08:52:26+00"),
    ("14.03.2023 07:49:55 UTC", ["%d.%m.%Y %H:%M:%S %z"], "UTC", True, "2023-03-14 07:49:55+00"),
    ("Mar 3, 2024 6:05:11 AM PST", ["%b %d, %Y %I:%M:%S %p %z"], "UTC", True, "2024-03-03 14:05:11+00"),
    ("Mar 12, 2024 9:30:00 AM PDT", ["%b %d, %Y %I:%M:%S %p %z"], "UTC", True, "2024-03-12 16:30:00+00"),
    ("2024-03-05 11:17:14", ["iso"], "Asia/Kolkata", False, "2024-03-05 05:47:14+00"),
    ("2024-03-03T13:58:02+09:00", ["iso"], "UTC", False, "2024-03-03 04:58:02+00"),
    ("2024-03-05 14:22:10 -0500", ["%Y-%m-%d %H:%M:%S %z"], "UTC", False, "2024-03-05 19:22:10+00"),
    ("45384.5", ["iso"], "UTC", False, "2024-04-02 12:00:00+00"),
    ("03/02/24", ["%m/%d/%y"], "UTC", False, "2024-03-02 00:00:00+00"),
    ("Mar-05-24", ["%b-%d-%y"], "UTC", False, "2024-03-05 00:00:00+00"),
    ("March 2, 2024", ["%B %d, %Y"], "UTC", False, "2024-03-02 00:00:00+00"),
    ("30-Apr-25", ["%B %d, %Y", "%d-%b-%y"], "UTC", False, "2025-04-30 00:00:00+00"),
    ("10-Apr-202411:17:14", ["%d-%b-%Y%H:%M:%S"], "Asia/Kolkata", False, "2024-04-10 05:47:14+00"),
    ("2024年3月5日", ["%Y年%m月%d日"], "Asia/Shanghai", False, "2024-03-04 16:00:00+00"),
    ("not a date", ["iso"], "UTC", False, None),
])
def test_timestamps(text, formats, tz, abbrev, expected) -> None:
    assert parse_ts(text, formats, tz, abbrev) == expected


@pytest.mark.parametrize(("text", "encoding"), [
    ("naïve café, Müller", "cp1252"), ("東京トレーディング株式会社", "cp932"), ("上海贸易有限公司 询盘", "gb18030"),
    ("plain ascii", "utf-8"), ("Zoë", "utf-8-sig"), ("Ωmega", "utf-16"),
    # Adjacent accented letters decode as rare CJK in GB18030 (椋) or cp932 (found by hypothesis).
    ("é£", "cp1252"), ("Café£ and thé£", "cp1252"), ("商品名 東京都", "cp932"),
])
def test_encoding_detection(text: str, encoding: str) -> None:
    data = ("id,name\n1," + text + "\n").encode(encoding)
    found = detect_encoding(data)
    assert data.decode(found).lstrip("\ufeff") == ("id,name\n1," + text + "\n")


def test_profiles_are_valid_and_signatures_do_not_collide() -> None:
    profiles = builtin_profiles()
    assert len({p.name for p in profiles}) == len(profiles)
    for p in profiles:
        header = list(p.required)
        hits = [q.name for q in profiles if q.matches(header)]
        assert hits == [p.name], (p.name, hits)


def test_profile_validation_names_the_bad_key() -> None:
    base = {"name": "x", "platform": "x", "kind": "orders", "channel": "marketplace", "fields": {}, "outputs": []}
    with pytest.raises(ConfigError, match="unknown key 'colums'"):
        profile_from_dict({**base, "fields": {"a": {"colums": "A"}}}, "x.yaml")
    with pytest.raises(ConfigError, match="fields.a.type"):
        profile_from_dict({**base, "fields": {"a": {"col": "A", "type": "moneyy"}}}, "x.yaml")
    with pytest.raises(ConfigError, match=r"outputs\[0\].table"):
        profile_from_dict({**base, "outputs": [{"table": "order", "values": {}}]}, "x.yaml")


def test_derived_expressions_expand_and_bad_ones_are_named() -> None:
    from assetkit.importers.parsing import substitute

    base = {"name": "x", "platform": "x", "kind": "orders", "channel": "marketplace",
            "fields": {"a": "A", "b": "B"}, "outputs": []}
    p = profile_from_dict({**base, "derived": {"s": "a + b", "t": "@s * 2"}}, "x.yaml")
    assert substitute("@t - @s", p) == "((a + b) * 2) - (a + b)"
    with pytest.raises(ConfigError, match="@u is not a derived expression"):
        substitute("@u", p)
    loop = profile_from_dict({**base, "derived": {"s": "@t", "t": "@s"}}, "x.yaml")
    with pytest.raises(ConfigError, match="cycle"):
        substitute("@s", loop)
    with pytest.raises(ConfigError, match="derived.S"):
        profile_from_dict({**base, "derived": {"S": "a"}}, "x.yaml")
    with pytest.raises(ConfigError, match=r"outputs\[0\].identity"):
        profile_from_dict({**base, "outputs": [{"table": "fees", "key": "a", "identity": ["a"], "values": {}}]}, "x.yaml")
