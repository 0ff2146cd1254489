"""Workbooks: .xlsx/.xlsm/.xlsb/.xls/.ods read by fastexcel, bounded before any sheet is loaded.

The .xls/.xlsb/.ods files are real ones from calamine's test suite (tests/data/workbooks); the
bombs are built here the way an attacker would: one far cell in a 2 KB file, a million-row
sheet that zips to a few hundred KB.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from assetkit.errors import SourceError
from assetkit.importers import import_file
from assetkit.importers.mapping import peek
from assetkit.importers.workbook import MAX_ROWS, check_bounds
from assetkit.store import open_store

DATA = Path(__file__).parent / "data" / "workbooks"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    f'relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook {_NS} xmlns:r="{_REL}"><sheets><sheet name="S" sheetId="1" '
    'r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    f'package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>",
}
HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>order_id</t></is></c><c r="B1" t="inlineStr"><is><t>order_date'
          '</t></is></c><c r="C1" t="inlineStr"><is><t>amount</t></is></c><c r="D1" t="inlineStr"><is><t>currency</t>'
          "</is></c></row>")


def xlsx(path: Path, sheet_data: bytes, dimension: str = "") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/worksheets/sheet1.xml", b'<?xml version="1.0"?><worksheet ' + _NS.encode() + b">"
                      + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
                      + b"<sheetData>" + HEADER.encode() + sheet_data + b"</sheetData></worksheet>")
    return path


def ods(path: Path, rows: list[list[str]]) -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice needs: mimetype first, uncompressed)."""
    def cell(v: str) -> str:
        try:
            return f'<table:table-cell office:value-type="float" office:value="{float(v)}"><text:p>{v}</text:p></table:table-cell>'
        except ValueError:
            return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="Orders">{body}</table:table></office:spreadsheet>'
               "</office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        book.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        book.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "s.duckdb") as s:
        yield s


def test_xlsx_rows_land_with_their_sheet_row_numbers(store, tmp_path: Path) -> None:
    rows = (b'<row r="3"><c r="A3" t="inlineStr"><is><t>X1</t></is></c><c r="B3" t="inlineStr"><is><t>2024-03-05</t>'
            b'</is></c><c r="C3"><v>12.5</v></c><c r="D3" t="inlineStr"><is><t>USD</t></is></c></row>'
            b'<row r="5"><c r="A5" t="inlineStr"><is><t>X2</t></is></c><c r="B5"><v>45384.5</v></c><c r="C5"><v>7</v>'
            b'</c><c r="D5" t="inlineStr"><is><t>EUR</t></is></c></row>')
    r = import_file(store, xlsx(tmp_path / "o.xlsx", rows))
    assert (r.loaded, r.rejected) == (2, 0)
    assert store.query("SELECT source_order_id, gross_amount, currency, source_line FROM orders ORDER BY 1") == [
        ("X1", Decimal("12.5000"), "USD", 3), ("X2", Decimal("7.0000"), "EUR", 5)]


def test_ods_imports_through_a_profile(store, tmp_path: Path) -> None:
    path = ods(tmp_path / "o.ods", [["Orders 2024"], ["order_id", "order_date", "amount", "currency"],
                                    ["O1", "2024-01-02", "10.25", "USD"], ["O2", "2024-01-03", "3", "USD"]])
    r = import_file(store, path)
    assert (r.loaded, r.rejected) == (2, 0)
    assert store.query("SELECT sum(gross_amount), min(source_line), max(source_line) FROM orders") == [
        (Decimal("13.2500"), 3, 4)]


@pytest.mark.parametrize(("name", "header", "first"), [
    ("calamine_issues.xlsb", ["1"], ["1.5"]),  # Excel binary workbook, first sheet 'datatypes'
    ("calamine_issues.ods", ["1"], ["1.5"]),
    ("calamine_date.xls", ["2021-01-01 00:00:00", "15"], ["2021-01-02 00:00:00", "16"]),  # BIFF8, date cells
])
def test_real_binary_and_opendocument_workbooks_are_read(name: str, header: list[str], first: list[str]) -> None:
    got_header, rows = peek(DATA / name)
    assert (got_header, rows[0]) == (header, first)


def test_a_far_cell_is_refused_before_loading(store, tmp_path: Path) -> None:
    """5 KB claiming XFD1048576: calamine would allocate 17 billion cells (an abort, not an error)."""
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = xlsx(tmp_path / "far.xlsx", far)
    assert path.stat().st_size < 5000
    with pytest.raises(SourceError, match=r"1,048,576 rows × 16,384 columns"):
        import_file(store, path)


def test_a_declared_dimension_alone_is_not_refused(store, tmp_path: Path) -> None:
    """Formatting a whole column makes Excel declare a huge used range; the cells decide."""
    row = (b'<row r="2"><c r="A2" t="inlineStr"><is><t>X1</t></is></c><c r="B2" t="inlineStr"><is><t>2024-03-05</t>'
           b'</is></c><c r="C2"><v>1</v></c><c r="D2" t="inlineStr"><is><t>USD</t></is></c></row>')
    assert import_file(store, xlsx(tmp_path / "dim.xlsx", row, dimension="A1:XFD1048576")).loaded == 1


def test_a_zip_expanding_past_the_row_limit_is_refused(tmp_path: Path) -> None:
    tall = xlsx(tmp_path / "tall.xlsx", b"<row><c><v>1</v></c><c><v>2</v></c></row>" * (MAX_ROWS + 10))
    assert tall.stat().st_size < 2_000_000
    started = time.monotonic()
    with pytest.raises(SourceError, match="rows"):
        check_bounds(tall)
    assert time.monotonic() - started < 30


def test_bombs_are_refused_by_the_cli_under_a_2_gb_limit(tmp_path: Path) -> None:
    """The acceptance case of issue #17: a clear message, quickly, with 2 GB of address space."""
    far = xlsx(tmp_path / "far.xlsx", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    tall = xlsx(tmp_path / "tall.xlsx", b"<row><c><v>1</v></c><c><v>2</v></c></row>" * 3_000_000)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    for path in (far, tall):
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "assetkit", "--db", str(tmp_path / "s.duckdb"), "import",
                               str(path)], capture_output=True, text=True, timeout=120, preexec_fn=limit,
                              cwd=tmp_path, check=False)
        assert time.monotonic() - started < 60
        assert done.returncode != 0, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        assert "assetkit reads sheets of up to" in done.stdout + done.stderr, done.stdout + done.stderr
