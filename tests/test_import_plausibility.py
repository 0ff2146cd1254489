"""Plausibility warnings (issue 16): rows that load but rarely are true are named, never silent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from assetkit.importers import import_file
from assetkit.importers.plausibility import _MOJIBAKE, repair
from assetkit.store import open_store

HEADER = "order_id,order_date,buyer_email,buyer_name,amount,currency,fee,status\n"


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "p.duckdb") as s:
        yield s


def orders(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def checks(result) -> list[tuple]:
    return [(w.check, w.line, w.column) for w in result.warnings]


def test_a_date_decades_from_the_others_is_named_with_its_line(store, tmp_path: Path) -> None:
    rows = [f"A{i},2024-03-{i + 1:02d},b{i}@example.com,B{i},10,USD,1,paid" for i in range(6)]
    rows.insert(3, "X1,2002-03-04,x@example.com,X,10,USD,1,paid")
    result = import_file(store, orders(tmp_path / "o.csv", rows))
    assert result.loaded == 7
    assert checks(result) == [("date_jump", 5, "ordered_at")]
    assert result.warnings[0].value == "2002-03-04"
    assert store.query("SELECT check_name, line, value FROM import_warnings") == [("date_jump", 5, "2002-03-04")]


def test_dates_a_few_years_apart_are_normal(store, tmp_path: Path) -> None:
    rows = [f"A{i},{2016 + i}-01-05,b{i}@example.com,B{i},10,USD,1,paid" for i in range(9)]
    assert import_file(store, orders(tmp_path / "o.csv", rows)).warnings == []


@pytest.mark.parametrize(("count", "warned"), [(2, False), (3, True)])
def test_every_order_refunded_is_a_warning_from_three_orders(store, tmp_path: Path, count: int, warned: bool) -> None:
    rows = [f"A{i},2024-03-0{i + 1},b{i}@example.com,B{i},10,USD,1,refunded" for i in range(count)]
    result = import_file(store, orders(tmp_path / "o.csv", rows))
    assert checks(result) == ([("all_refunded", 2, "status")] if warned else [])


def test_one_paid_order_among_refunds_is_no_warning(store, tmp_path: Path) -> None:
    rows = [f"A{i},2024-03-0{i + 1},b{i}@example.com,B{i},10,USD,1,{'paid' if i == 2 else 'refunded'}" for i in range(4)]
    assert import_file(store, orders(tmp_path / "o.csv", rows)).warnings == []


def test_fees_above_the_revenue_of_their_orders(store, tmp_path: Path) -> None:
    rows = ["A1,2024-03-01,a@example.com,A,10,USD,1,paid", "A2,2024-03-02,b@example.com,B,10,USD,25,paid"]
    result = import_file(store, orders(tmp_path / "o.csv", rows))
    assert checks(result) == [("fee_share", 3, "amount")]
    assert "26.00" in result.warnings[0].message
    assert "20.00" in result.warnings[0].message


def test_a_double_encoded_name_is_repaired_and_reported(store, tmp_path: Path) -> None:
    rows = ["A1,2024-03-01,a@example.com,JosÃ© NÃºÃ±ez,10,USD,1,paid",
            "A2,2024-03-02,b@example.com,Łukasz Żółw,10,USD,1,paid"]
    result = import_file(store, orders(tmp_path / "o.csv", rows))
    assert checks(result) == [("mojibake", 2, "name")]
    assert result.warnings[0].value == "JosÃ© NÃºÃ±ez → José Núñez"
    assert sorted(n for (n,) in store.query("SELECT name FROM buyers")) == ["José Núñez", "Łukasz Żółw"]


def test_same_file_again_adds_no_warning(store, tmp_path: Path) -> None:
    rows = [f"A{i},2024-03-0{i + 1},b{i}@example.com,B{i},10,USD,1,refunded" for i in range(3)]
    path = orders(tmp_path / "o.csv", rows)
    import_file(store, path)
    again = import_file(store, path, store_name="x")  # parsed afresh: nothing new is stored
    assert again.loaded == 0
    assert store.query("SELECT count(*) FROM import_warnings")[0][0] == 1


def test_the_cli_prints_warnings_and_lists_them(cli, tmp_path: Path) -> None:
    path = orders(tmp_path / "o.csv", [f"A{i},2024-03-0{i + 1},b{i}@example.com,B{i},10,USD,1,refunded"
                                       for i in range(3)])
    db = str(tmp_path / "c.duckdb")
    imported = cli("--db", db, "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert "Warnings (1)" in imported.output
    assert "o.csv:2: every one of the 3 orders" in imported.output
    listed = json.loads(cli("--db", db, "rejects", "--warnings", "--format", "json").output)
    assert listed["total"] == 1
    assert listed["warnings"][0]["check"] == "all_refunded"
    assert listed["warnings"][0]["file"].endswith("o.csv")
    status = cli("--db", db, "status")
    assert "1 import warnings (rows loaded but implausible)" in status.output
    assert json.loads(cli("--db", db, "status", "--format", "json").output)["import_warnings"] == 1


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7FF, exclude_categories=("Cs", "Cc")),
               min_size=1, max_size=30))
def test_repair_undoes_a_second_decoding(original: str) -> None:
    assume(not _MOJIBAKE.search(original))
    mangled = original.encode("utf-8").decode("latin-1")
    assert repair(mangled) == (original if mangled != original else None)


@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=30))
def test_repair_never_returns_text_that_still_looks_damaged(text: str) -> None:
    fixed = repair(text)
    assert fixed is None or not _MOJIBAKE.search(fixed)
