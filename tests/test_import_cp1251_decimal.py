"""Cyrillic cp1251 files are detected (not read as cp1252 and garbled), and a profile or mapping
can state its decimal separator (`1.250` with a decimal comma is 1250, not 1.25)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assetkit.errors import ConfigError
from assetkit.importers import import_file
from assetkit.importers.encoding import detect_encoding
from assetkit.importers.registry import profile_from_dict
from assetkit.store import open_store


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "s.duckdb") as s:
        yield s


@pytest.mark.parametrize(("text", "encoding"), [
    ("order_id,buyer,amount\n1,Иванов Пётр,1250\n2,ООО «Ромашка»,300\n", "cp1251"),
    ("ЗАКАЗ,ПОКУПАТЕЛЬ\n1,ООО РОМАШКА\n", "cp1251"),  # capitals: their byte pairs also decode as GB18030
    ("товар,ціна\nНожиці хірургічні,12\n", "cp1251"),  # Ukrainian і/ї/є live outside C0–FF
    ("nom,ville\nRené,Besançon\nZoë,Orléans\n", "cp1252"),
    ("name\nGrößenänderung Straße\n", "cp1252"),  # umlaut pairs are not Cyrillic words
    ("上海贸易有限公司 询盘\n", "gb18030"),
    ("注文番号,購入者\nハサミ,山田太郎\n", "cp932"),
])
def test_encoding_detection_with_cyrillic(text: str, encoding: str) -> None:
    assert detect_encoding(text.encode(encoding)) == encoding


def test_a_cp1251_export_imports_with_its_names_intact(store, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(("order_id,order_date,amount,currency,buyer_name,buyer_email\n"
                      "Z-1,2024-05-02,1250,RUB,Иванов Пётр Сергеевич,petr@example.ru\n"
                      "Z-2,2024-05-03,300,RUB,Шевченко Олена,olena@example.ua\n").encode("cp1251"))
    r = import_file(store, path)
    assert (r.loaded, r.rejected) == (2, 0)
    assert store.query("SELECT encoding FROM import_batches") == [("cp1251",)]
    assert sorted(n for (n,) in store.query("SELECT name FROM buyers")) == ["Иванов Пётр Сергеевич", "Шевченко Олена"]


def _mapping(tmp_path: Path, decimal: str) -> Path:
    path = tmp_path / f"m{len(decimal)}.yaml"
    path.write_text(f"kind: orders\nplatform: ozon\nchannel: marketplace\ncurrency: RUB\ndecimal: \"{decimal}\"\n"
                    "columns:\n  order_id: Номер\n  order_date: Дата\n  amount: Сумма\n  currency: Валюта\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("decimal", "cells", "expected"), [
    (",", ["1.250", "1.250,50", "12,5", "3"], ["1250", "1250.5", "12.5", "3"]),
    (".", ["1,250", "1,250.50", "12.5", "1,234,567"], ["1250", "1250.5", "12.5", "1234567"]),
    ("auto", ["1,250", "1141,18", "1.250,50", "12.5"], ["1250", "1141.18", "1250.5", "12.5"]),
])
def test_a_mapping_states_its_decimal_separator(store, tmp_path: Path, decimal: str, cells: list[str],
                                                expected: list[str]) -> None:
    path = tmp_path / "ozon.csv"
    path.write_text("Номер;Дата;Сумма;Валюта\n" + "".join(f"N{i};2024-05-0{i + 1};{c};RUB\n" for i, c in enumerate(cells)),
                    encoding="utf-8")
    r = import_file(store, path, mapping=_mapping(tmp_path, decimal))
    assert (r.loaded, r.rejected) == (len(cells), 0)
    got = [a for (a,) in store.query("SELECT gross_amount FROM orders ORDER BY source_order_id")]
    assert got == [Decimal(e) for e in expected]


def test_an_unknown_decimal_separator_is_refused(tmp_path: Path) -> None:
    base = {"name": "x", "platform": "x", "kind": "orders", "channel": "other", "fields": {}, "outputs": []}
    with pytest.raises(ConfigError, match="read.decimal"):
        profile_from_dict({**base, "read": {"decimal": ";"}}, "x.yaml")
    assert profile_from_dict({**base, "read": {"decimal": ","}}, "x.yaml").decimal == ","
