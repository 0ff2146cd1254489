"""Import guarantees: nothing lost, nothing doubled, all or nothing, provenance, identity, money."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assetkit.errors import SourceError
from assetkit.importers import import_file, import_paths
from assetkit.store import open_store

HEADER = "order_id,order_date,buyer_id,buyer_email,amount,currency,fee,status\n"


def orders_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def month_rows(months: range) -> list[str]:
    return [f"M{m}-{d},2024-{m:02d}-{d:02d},u{d % 3},u{d % 3}@example.com,{10 * m + d}.50,USD,1.25,paid"
            for m in months for d in (3, 14, 25)]


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "t.duckdb") as s:
        yield s


def table_count(store, table: str) -> int:
    return store.query(f"SELECT count(*) FROM {table}")[0][0]


def test_counting_invariant_and_rejects_name_line_column_and_value(store, tmp_path: Path) -> None:
    path = orders_csv(tmp_path / "o.csv", [
        "A1,2024-03-01,u1,a@example.com,10.00,USD,,paid",
        "A2,2024-13-45,u2,b@example.com,5,USD,,paid",      # line 3: bad date
        "A3,2024-03-02,u3,c@example.com,12abc,USD,,paid",  # line 4: bad amount
        "A4,2024-03-02,u3,c@example.com,7,USD,,weird",     # line 5: unknown status
        "A5,2024-03-03,u3",                                 # line 6: ragged
        "A1,2024-03-01,u1,a@example.com,10.00,USD,,paid",  # duplicate inside the file
    ])
    r = import_file(store, path)
    assert (r.rows_read, r.loaded, r.duplicate, r.rejected, r.skipped) == (6, 1, 1, 4, 0)
    rejects = store.query("SELECT line, column_name, raw, reason FROM rejects ORDER BY line")
    assert [(x[0], x[1], x[2]) for x in rejects] == [
        (3, "order_date", "2024-13-45"), (4, "amount", "12abc"), (5, "status", None), (6, None, "A5,2024-03-03,u3")]
    assert "cannot read" in rejects[1][3]
    assert "expected 8 fields, found 3" in rejects[3][3]
    batch = store.query("SELECT rows_read, rows_loaded, rows_duplicate, rows_rejected, sha256, profile "
                        "FROM import_batches")[0]
    assert batch[:4] == (6, 1, 1, 4)
    assert len(batch[4]) == 64
    assert batch[5] == "generic_orders"
    assert store.query("SELECT batch_id, source_line FROM orders") == [(r.batch_id, 2)]


def test_same_file_twice_and_renamed_copy_add_nothing(store, tmp_path: Path) -> None:
    path = orders_csv(tmp_path / "jan.csv", month_rows(range(1, 2)))
    first = import_file(store, path)
    copy = tmp_path / "copy-of-jan.csv"
    copy.write_bytes(path.read_bytes())
    second, third = import_paths(store, [path, copy])
    assert first.loaded == 3
    assert (second.loaded, second.duplicate) == (0, 3)
    assert (third.loaded, third.duplicate) == (0, 3)
    assert table_count(store, "orders") == 3
    assert table_count(store, "fees") == 3


def test_overlapping_exports_give_exactly_the_union(store, tmp_path: Path) -> None:
    a = orders_csv(tmp_path / "jan-mar.csv", month_rows(range(1, 4)))
    b = orders_csv(tmp_path / "feb-apr.csv", month_rows(range(2, 5)))
    ra, rb = import_paths(store, [a, b])
    assert (ra.loaded, rb.loaded, rb.duplicate) == (9, 3, 6)
    ids = [r[0] for r in store.query("SELECT source_order_id FROM orders ORDER BY ordered_at")]
    assert ids == [f"M{m}-{d}" for m in range(1, 5) for d in (3, 14, 25)]
    assert table_count(store, "fees") == 12


def test_identical_rows_without_a_key_stay_distinct_but_reimport_adds_nothing(store, tmp_path: Path) -> None:
    fees = tmp_path / "fees.csv"
    fees.write_text("date,platform,fee_type,amount,currency,description\n"
                    "2024-03-01,alibaba,advertising,50,USD,P4P top-up\n"
                    "2024-03-01,alibaba,advertising,50,USD,P4P top-up\n"
                    "2024-03-02,alibaba,membership,2999,USD,Gold Supplier\n", encoding="utf-8")
    first = import_file(store, fees)
    overlap = tmp_path / "fees2.csv"
    overlap.write_text(fees.read_text(encoding="utf-8") + "2024-03-05,alibaba,advertising,50,USD,P4P top-up\n",
                       encoding="utf-8")
    second = import_file(store, overlap)
    assert (first.loaded, second.loaded, second.duplicate) == (3, 1, 3)
    assert store.query("SELECT sum(amount), count(*) FROM fees") == [(Decimal("3149.0000"), 4)]


def test_several_files_in_one_run_keep_their_own_state(store, tmp_path: Path) -> None:
    samples = Path(__file__).parent / "samples"
    results = import_paths(store, [samples / "etsy_sold_orders.csv", samples / "upwork_transactions_legacy.csv",
                                   samples / "indiamart_leads_api_v2.json"])
    assert [r.profile for r in results] == ["etsy_sold_orders", "upwork_transactions_legacy", "indiamart_leads"]
    assert len({r.batch_id for r in results}) == 3
    for r in results:
        assert r.ok
        assert r.rows_read == r.loaded + r.duplicate + r.rejected + r.skipped
        batch = store.query("SELECT platform, rows_read FROM import_batches WHERE batch_id = ?", [r.batch_id])
        assert batch == [(r.platform, r.rows_read)]
    assert {p for (p,) in store.query("SELECT DISTINCT platform FROM orders")} == {"etsy", "upwork"}


def test_strict_fails_the_file_and_stores_nothing(store, tmp_path: Path) -> None:
    path = orders_csv(tmp_path / "o.csv", ["A1,2024-03-01,u1,,10,USD,,", "A2,not-a-date,u1,,10,USD,,"])
    with pytest.raises(SourceError) as err:
        import_file(store, path, strict=True)
    assert "line 3" in str(err.value)
    assert "order_date" in str(err.value)
    assert "--strict" in str(err.value)
    for table in ("orders", "import_batches", "rejects", "buyers"):
        assert table_count(store, table) == 0
    results = import_paths(store, [path], strict=True)
    assert results[0].error
    assert table_count(store, "orders") == 0


def test_dry_run_reports_and_rolls_back(store, tmp_path: Path) -> None:
    path = orders_csv(tmp_path / "o.csv", month_rows(range(1, 2)))
    r = import_file(store, path, dry_run=True)
    assert r.dry_run
    assert (r.rows_read, r.loaded) == (3, 3)
    for table in ("orders", "fees", "buyers", "import_batches"):
        assert table_count(store, table) == 0


def test_unknown_and_ambiguous_headers_are_clear_errors(store, tmp_path: Path) -> None:
    unknown = tmp_path / "u.csv"
    unknown.write_text("foo,bar,baz\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        import_file(store, unknown)
    message = str(err.value)
    assert "header found: [foo, bar, baz]" in message
    # The names are listed once per run by the CLI, not repeated (and cut) in every file's error.
    assert "profiles tried" in err.value.hint
    assert "assetkit platforms" in err.value.hint
    assert "assetkit map" in err.value.hint
    both = tmp_path / "both.csv"
    both.write_text("order_id,order_date,amount,currency,inquiry_id,received_at\n1,2024-01-01,1,USD,2,2024-01-01\n",
                    encoding="utf-8")
    with pytest.raises(SourceError) as err:
        import_file(store, both)
    assert "generic_orders" in str(err.value)
    assert "generic_inquiries" in str(err.value)
    assert "--platform" in err.value.hint
    assert import_file(store, both, kind="inquiries").loaded == 1


def test_fx_conversion_uses_dated_rates_and_flags_missing_ones(store, tmp_path: Path) -> None:
    path = orders_csv(tmp_path / "o.csv", ["E1,2024-03-02,u1,,20,EUR,,", "S1,2024-03-02,u2,,100,SEK,,",
                                            "U1,2024-03-02,u3,,7,USD,,"])
    r = import_file(store, path)
    assert r.fx_missing == 1
    rows = {k: (rc, rate, d) for k, rc, rate, d in store.query(
        "SELECT source_order_id, gross_amount_rc, fx_rate, fx_date FROM orders")}
    usd_per_eur = store.query("SELECT per_eur FROM fx_rates WHERE currency = 'USD' AND rate_date = '2024-03-01'")[0][0]
    assert rows["E1"][1] == usd_per_eur
    assert rows["E1"][0] == (20 * usd_per_eur).quantize(Decimal("0.0001"))
    assert str(rows["E1"][2]) == "2024-03-01"
    assert rows["S1"] == (None, None, None)
    assert rows["U1"][:2] == (Decimal("7.0000"), Decimal("1.00000000"))
    ecb = tmp_path / "eurofxref-hist.csv"
    ecb.write_text("Date,USD,SEK,\n2024-03-01,1.0800,11.2000,\n2024-02-29,1.0810,11.1900,\n", encoding="utf-8")
    from assetkit.importers import fx

    with store.transaction():
        assert fx.import_ecb(store.con, ecb)[0] == 4
        assert fx.reconvert(store.con, "USD") == 0
    sek = store.query("SELECT gross_amount_rc, fx_rate FROM orders WHERE source_order_id = 'S1'")[0]
    assert sek == (Decimal("9.6429"), Decimal("0.09642857"))
    assert store.query("SELECT source FROM fx_rates WHERE currency = 'USD' AND rate_date = '2024-03-01'") == [("ecb",)]


def test_one_buyer_across_platforms_by_email_then_account(store) -> None:
    samples = Path(__file__).parent / "samples"
    import_paths(store, [samples / "shopify_orders.csv", samples / "ebay_orders.csv",
                         samples / "indiamart_leads_api_v2.json", samples / "tradeindia_inquiries_api.json"])
    ids = store.query("SELECT platform, buyer_id FROM buyer_identities WHERE email_norm = 'buyer1@example.com' "
                      "ORDER BY platform")
    assert [p for p, _ in ids] == ["ebay", "indiamart", "shopify", "tradeindia"]
    assert len({b for _, b in ids}) == 1
    buyer = store.query("SELECT first_platform, first_seen_at FROM buyers WHERE buyer_id = ?", [ids[0][1]])[0]
    assert buyer[0] == "ebay"
    assert str(buyer[1]).startswith("2024-03-05 00:00:00")


def test_company_and_country_link_a_buyer_without_email(store, tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("inquiry_id,received_at,buyer_email,buyer_company,country,platform\n"
                 "Q1,2024-01-02,ops@acme.example,Acme GmbH,DE,alibaba\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("inquiry_id,received_at,buyer_company,country,platform\nQ2,2024-02-02,ACME GmbH ,de,madeinchina\n",
                 encoding="utf-8")
    import_paths(store, [a, b])
    assert store.query("SELECT count(DISTINCT buyer_id), count(*) FROM inquiries") == [(1, 2)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252", "gb18030", "cp932"])
def test_encodings_are_detected(store, tmp_path: Path, encoding: str) -> None:
    name = {"cp1252": "Müller & Søn", "gb18030": "上海贸易有限公司", "cp932": "東京トレーディング",
            "utf-8-sig": "Zoë", "utf-16": "Ωmega"}[encoding]
    path = tmp_path / "inq.csv"
    path.write_bytes(("inquiry_id,received_at,buyer_company,message\n"
                      f"Q1,2024-01-02,{name},\"hello\"\nQ2,2024-01-03,{name},\"line one\nline two\"\n"
                      "Q3,2024-01-04,x,y\n").encode(encoding))
    r = import_file(store, path)
    assert (r.loaded, r.rejected) == (3, 0)
    assert store.query("SELECT DISTINCT buyer_company FROM (SELECT b.company AS buyer_company FROM inquiries i "
                       "JOIN buyers b USING (buyer_id) WHERE source_inquiry_id = 'Q1')") == [(name,)]
    assert store.query("SELECT source_line FROM inquiries ORDER BY source_line") == [(2,), (3,), (5,)]


def test_encoding_override_and_wrong_encoding_message(store, tmp_path: Path) -> None:
    path = tmp_path / "inq.csv"
    path.write_bytes("inquiry_id,received_at,message\nQ1,2024-01-02,naïve café\n".encode("cp1252"))
    with pytest.raises(SourceError) as err:
        import_file(store, path, encoding="utf-8")
    assert "--encoding" in err.value.hint
    assert "line 2" in str(err.value)
    assert import_file(store, path, encoding="cp1252").loaded == 1
    assert store.query("SELECT message FROM inquiries") == [("naïve café",)]


def test_xlsx_with_preamble_dates_and_excel_serials(store, tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Orders exported 2024"])
    sheet.append(["order_id", "order_date", "amount", "currency"])
    sheet.append(["X1", dt.datetime(2024, 3, 5, 10, 30), 12.5, "USD"])
    sheet.append(["X2", "45384.5", "1,000.00", "USD"])
    book.save(tmp_path / "o.xlsx")
    r = import_file(store, tmp_path / "o.xlsx")
    assert (r.loaded, r.rejected) == (2, 0)
    assert [(s, str(t), a, line) for s, t, a, line in store.query(
        "SELECT source_order_id, ordered_at, gross_amount, source_line FROM orders ORDER BY 1")] == [
        ("X1", "2024-03-05 10:30:00+00:00", Decimal("12.5000"), 3),
        ("X2", "2024-04-02 12:00:00+00:00", Decimal("1000.0000"), 4)]


def test_user_sees_no_traceback_for_missing_or_binary_files(store, tmp_path: Path) -> None:
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 10)
    results = import_paths(store, [tmp_path / "missing.csv", tmp_path / "bin.csv"])
    assert all(r.error for r in results)
    assert "file not found" in results[0].error
    assert "bin.csv" in results[1].error
