"""`assetkit map` a seller can trust (#16.6): guesses from the sample values, each shown with
them; no state column taken for a status; a constant currency; buyer names kept; clear
messages, never an internal error, for an empty file, old-Mac line endings or a PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assetkit.errors import SourceError
from assetkit.importers import guess
from assetkit.importers.mapping import load_mapping, propose_mapping

REAL_EBAY = Path(__file__).parent / "data" / "exports" / "ebay_transaction_report.csv"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
ALIBABA = ("订单号,下单时间,买家,收货省份,国家,金额,订单状态\n"
           "A-1,15/03/2024,张伟,广东,China,120.50,已完成\n"
           "A-2,28/03/2024,李娜,浙江,China,80,交易关闭\n"
           "A-3,02/04/2024,张伟,广东,China,35,已完成\n")


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# --- guesses from values ---------------------------------------------------------------

@pytest.mark.parametrize(("values", "first"), [
    (["15/03/2024", "28/03/2024"], "%d/%m/%Y"),
    (["03/15/2024", "12/31/2024"], "%m/%d/%Y"),
    (["2024-03-15", "2024-03-28 10:00:00"], "iso"),
    (["Jan 1, 2023", "Dec 31, 2022"], "%b %d, %Y"),
    (["2024年3月5日", "2024年12月25日"], "%Y年%m月%d日"),
    (["15.03.2024 14:05", "01.04.2024 09:00"], "%d.%m.%Y %H:%M"),
])
def test_date_format_is_inferred_from_every_sampled_value(values: list[str], first: str) -> None:
    found = guess.date_formats(values)
    assert found.value[0] == first
    assert all(v in found.why for v in values[:2]) or first == "iso"


def test_ambiguous_day_month_is_said_with_both_formats() -> None:
    found = guess.date_formats(["03/04/2024", "05/06/2024"])
    assert found.value[0] == "%d/%m/%Y"
    assert "AMBIGUOUS" in found.why
    assert "'%m/%d/%Y'" in found.why
    assert "AMBIGUOUS" not in guess.date_formats(["03/04/2024", "25/06/2024"]).why


def test_unknown_dates_say_so_with_the_values() -> None:
    found = guess.date_formats(["yesterday", "last week"])
    assert found.value == ["iso"]
    assert '"yesterday"' in found.why
    assert "add yours" in found.why


def test_place_columns_and_non_status_values_are_no_status() -> None:
    assert not guess.looks_like_status("Buyer State", ["Shipped"])[0]
    assert not guess.looks_like_status("State", ["CA", "NY"])[0]
    assert not guess.looks_like_status("收货省份", ["广东"])[0]
    assert guess.looks_like_status("订单状态", ["已完成"])[0]
    assert guess.looks_like_status("Order Status", ["Shipped", "Cancelled"])[0]


# --- proposals -------------------------------------------------------------------------

def test_alibaba_orders_proposal_shows_its_evidence(tmp_path: Path) -> None:
    p = propose_mapping(_write(tmp_path, "ali.csv", ALIBABA))
    assert p.kind == "orders"
    assert p.date_formats == ["%d/%m/%Y", "iso"]
    assert p.columns["buyer_name"] == "买家"
    assert p.columns["status"] == "订单状态"
    assert "收货省份" not in p.columns.values()
    assert p.currency == "USD"
    text = p.yaml_text
    assert 'date_formats: ["%d/%m/%Y", "iso"]' in text
    assert '"15/03/2024", "28/03/2024"' in text
    # Every mapped column shows the values behind the guess, and so does every unmapped one.
    for name, column in p.columns.items():
        line = next(x for x in text.splitlines() if x.startswith(f"  {name}: "))
        assert "# e.g. " in line
        assert p.samples[column][0] in line
    assert '"收货省份" (e.g. "广东", "浙江")' in text
    assert "ASSUMED" in text
    assert "--currency" in text


def test_state_column_is_never_the_status(tmp_path: Path) -> None:
    path = _write(tmp_path, "orders.csv", "Order ID,Date,Buyer Name,State,Total,Currency\n1,2024-01-01,Joe,CA,10,USD\n")
    p = propose_mapping(path)
    assert "status" not in p.columns
    assert "# not mapped to status: 'State' names a place ('state')" in p.yaml_text


def test_currency_from_the_amounts_symbol_or_the_option(tmp_path: Path) -> None:
    path = _write(tmp_path, "gs.csv", "Order No,Order Date,Total\nG1,2024-05-01,€12.50\nG2,2024-05-02,€8.00\n")
    p = propose_mapping(path)
    assert p.currency == "EUR"
    assert "€12.50" in p.evidence["currency"]
    forced = propose_mapping(path, currency="GBP")
    assert forced.currency == "GBP"
    assert "currency: GBP" in forced.yaml_text


def test_a_file_a_profile_knows_says_so(tmp_path: Path) -> None:
    p = propose_mapping(REAL_EBAY)
    assert p.recognised_by == "ebay_transactions"
    assert "needs no mapping" in p.yaml_text


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.csv", b"", "the file is empty"),
    ("bom.csv", b"\xef\xbb\xbf\r\n", "the file is empty"),
    ("image.csv", PNG, "not a text export: the file is a PNG image"),
    ("doc.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "not a text export: the file is a PDF document"),
])
def test_unreadable_files_are_source_errors(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        propose_mapping(_write(tmp_path, name, data))


# --- through the CLI, and the mapping imports ------------------------------------------

@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.csv", b"", "the file is empty"),
    ("image.csv", PNG, "not a text export: the file is a PNG image"),
])
def test_cli_map_and_import_give_messages_not_internal_errors(cli, tmp_path: Path, name: str, data: bytes,
                                                               message: str) -> None:
    path = _write(tmp_path, name, data)
    for args in (("map", str(path)), ("import", str(path))):
        done = cli(*args)
        assert done.exit_code == 1, done.output
        assert f"{name}: {message}" in done.output
        assert "internal error" not in done.output


def test_cr_only_line_endings_map_and_import(cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "mac.csv", "Order No,Order Date,Buyer,State/Province,Total\r"
                                       "1,03/15/2024,Joe,CA,10\r2,03/16/2024,Ann,NY,12\r")
    out = tmp_path / "mac.yaml"
    done = cli("map", str(path), "--out", str(out), "--currency", "USD")
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert 'order_date: "Order Date"' in text
    assert '"%m/%d/%Y"' in text
    assert "status:" not in text.split("columns:")[1].split("#")[0]
    imported = cli("import", str(path), "--mapping", str(out), "--format", "json")
    (f,) = json.loads(imported.stdout)["files"]
    assert (f["loaded"], f["rejected"]) == (2, 0)


def test_proposed_alibaba_mapping_imports_names_dates_status_and_currency(cli, tmp_path: Path) -> None:
    path = _write(tmp_path, "ali.csv", ALIBABA)
    out = tmp_path / "ali.yaml"
    assert cli("map", str(path), "--out", str(out), "--currency", "CNY").exit_code == 0
    out.write_text(out.read_text(encoding="utf-8").replace("platform: other", "platform: alibaba"), encoding="utf-8")
    done = cli("import", str(path), "--mapping", str(out), "--format", "json")
    (f,) = json.loads(done.stdout)["files"]
    assert (f["loaded"], f["rejected"], f["new_buyers"]) == (3, 0, 2)
    from assetkit.store import open_store

    with open_store("assetkit.duckdb") as store:
        orders = store.query("SELECT source_order_id, CAST(ordered_at AS DATE), status, currency FROM orders ORDER BY 1")
        buyers = store.query("SELECT b.name, count(*) FROM orders o JOIN buyers b USING (buyer_id) GROUP BY 1 ORDER BY 1")
    assert [(o[0], str(o[1]), o[2], o[3]) for o in orders] == [
        ("A-1", "2024-03-15", "completed", "CNY"), ("A-2", "2024-03-28", "cancelled", "CNY"),
        ("A-3", "2024-04-02", "completed", "CNY")]
    assert buyers == [("张伟", 2), ("李娜", 1)]


def test_mapping_without_currency_column_or_constant_is_refused(tmp_path: Path) -> None:
    from assetkit.errors import ConfigError

    path = tmp_path / "m.yaml"
    path.write_text("kind: orders\nplatform: fiverr\ncolumns:\n  order_id: Order\n  order_date: Date\n  amount: Total\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="columns.currency: required"):
        load_mapping(path)
    path.write_text(path.read_text(encoding="utf-8") + "currency: USD\n", encoding="utf-8")
    profile = load_mapping(path)
    assert profile.currency == "USD"
    assert "Total" in profile.required
