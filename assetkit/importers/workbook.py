"""Read spreadsheet workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) with bounded memory.

fastexcel (Rust calamine → Arrow) reads a sheet as text cells in one pass, and DuckDB takes
the Arrow data through the PyCapsule interface without a copy through Python objects: a
50,000-row workbook costs about what the same rows cost as CSV (bench/bench_workbook.py).

calamine builds a dense grid from the first to the last cell it finds, so one cell claimed at
`XFD1048576` in a 5 KB file would ask for 17 billion cells, and a small zip can expand to
millions of rows. Before any sheet is loaded, `check_bounds` streams the sheet XML of an
.xlsx/.xlsm (and the dimension record of an .xlsb) and refuses a sheet whose rows or grid exceed
`MAX_ROWS` / `MAX_CELLS`, naming the sheet and its size. .xls is limited by its format
(65,536 × 256); .ods expands repeated rows and columns, so its content is bounded by the
repeat counts it declares.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import SourceError

if TYPE_CHECKING:
    import duckdb

SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
MAX_ROWS = 1_048_576  # Excel's own sheet limit
MAX_CELLS = 10_000_000  # the dense grid calamine allocates (~32 bytes a cell before text)
CHUNK = 1 << 22
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# In sheet XML only rows (`r="12"`) and cells (`r="B12"`) carry an `r` attribute; patterns that
# start with the literal ` r="` scan at memchr speed.
_ROW_TAG = re.compile(rb" r=\"([0-9]+)\"")
_CELL_REF = {letters: re.compile(rb" r=\"([A-Z]{%d})([0-9]+)\"" % letters) for letters in (1, 2, 3)}
_ODS_ROWS = re.compile(rb"number-rows-repeated=\"([0-9]+)\"")
_ODS_COLS = re.compile(rb"number-columns-repeated=\"([0-9]+)\"")


def is_workbook(path: Path, sample: bytes) -> bool:
    """A workbook by its name, or by its bytes (a zip or an OLE2 compound file) whatever its name."""
    return path.suffix.lower() in SUFFIXES or sample.startswith((b"PK\x03\x04", _OLE_MAGIC))


@dataclass
class Sheet:
    """One loaded sheet: `relation` names a DuckDB view of its rows as text (`__UNNAMED__i`
    columns, row k of the view = sheet row k + 1, empty cells NULL)."""

    name: str
    relation: str
    width: int


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _refuse(path: str, sheet: str, rows: int, cols: int) -> SourceError:
    return SourceError(
        f"sheet {sheet!r} claims {rows:,} rows × {cols:,} columns ({rows * cols:,} cells); "
        f"assetkit reads sheets of up to {MAX_ROWS:,} rows and {MAX_CELLS:,} cells",
        path=path, hint="check the workbook; if the data is real, save the sheet as CSV and import that")


def _xml_chunks(book: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The member's bytes in chunks that overlap by 64 bytes, so no tag is cut in two."""
    tail = b""
    with book.open(member) as fh:
        while chunk := fh.read(CHUNK):
            yield tail + chunk
            tail = chunk[-64:]


def _check_xlsx_sheet(book: zipfile.ZipFile, member: str, path: str) -> None:
    """Bound the grid calamine would build: the last row (row tags, and any cell reference with
    more digits than that) times the last column. Columns of two or three letters are found in
    the same pass; single letters (26 at most) are counted in a second pass only for a sheet
    tall enough for that to matter."""
    sheet = member.rsplit("/", 1)[-1]
    rows = tags = cols = 0
    for chunk in _xml_chunks(book, member):
        tags += chunk.count(b"<row")
        rows = max([rows, tags, *(int(r) for r in _ROW_TAG.findall(chunk))])
        longer = re.compile(rb" r=\"[A-Z]{1,3}([0-9]{%d,})\"" % (len(str(rows)) + 1))
        rows = max([rows, *(int(r) for r in longer.findall(chunk))])
        for letters in (3, 2):
            cols = max([cols, *(_column_number(c) for c, _ in _CELL_REF[letters].findall(chunk))])
        if rows > MAX_ROWS or rows * max(cols, 1) > MAX_CELLS:
            raise _refuse(path, sheet, rows, max(cols, 1))
    if cols == 0 and rows * 26 > MAX_CELLS:
        for chunk in _xml_chunks(book, member):
            cols = max([cols, *(_column_number(c) for c, _ in _CELL_REF[1].findall(chunk))])
            if rows * cols > MAX_CELLS:
                raise _refuse(path, sheet, rows, cols)


def _check_ods(book: zipfile.ZipFile, path: str) -> None:
    """ODS writes runs of equal rows/cells once with a repeat count; bound the expanded grid by
    the repeats of rows and cells that hold a value (a trailing empty run costs nothing)."""
    rows = cols = 0
    for chunk in _xml_chunks(book, "content.xml"):
        for row in re.finditer(rb"<table:table-row\b([^>]*)>(.*?)</table:table-row>", chunk, re.DOTALL):
            if b"office:value" not in row.group(2) and b"<text:p" not in row.group(2):
                continue
            repeated = _ODS_ROWS.search(row.group(1))
            rows += int(repeated.group(1)) if repeated else 1
            width = sum(int(n) for n in _ODS_COLS.findall(row.group(2))) + row.group(2).count(b"<table:table-cell")
            cols = max(cols, width)
        if rows > MAX_ROWS or rows * max(cols, 1) > MAX_CELLS:
            raise _refuse(path, "content.xml", rows, max(cols, 1))


def _check_xlsb_sheet(book: zipfile.ZipFile, member: str, path: str) -> None:
    """An .xlsb sheet starts with BrtWsDim (record 148): first/last row and column, 0-based."""
    with book.open(member) as fh:
        head = fh.read(256)
    pos = 0
    for _ in range(8):  # BrtBeginSheet, BrtWsProp … BrtWsDim come first
        kind, pos = _varint(head, pos, 2)
        size, pos = _varint(head, pos, 4)
        if kind == 148 and size >= 16:
            r0, r1, c0, c1 = (int.from_bytes(head[pos + 4 * i: pos + 4 * i + 4], "little") for i in range(4))
            rows, cols = r1 - r0 + 1, c1 - c0 + 1
            if rows > MAX_ROWS or rows * cols > MAX_CELLS:
                raise _refuse(path, member.rsplit("/", 1)[-1], rows, cols)
            return
        pos += size


def _varint(data: bytes, pos: int, limit: int) -> tuple[int, int]:
    value = 0
    for i in range(limit):
        if pos >= len(data):
            break
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            break
    return value, pos


def check_bounds(path: Path) -> None:
    """SourceError when a sheet of the workbook would expand past MAX_ROWS or MAX_CELLS."""
    name = str(path)
    if not zipfile.is_zipfile(path):
        return  # .xls: at most 65,536 × 256 cells by its format
    try:
        with zipfile.ZipFile(path) as book:
            members = book.namelist()
            if "content.xml" in members:
                _check_ods(book, name)
            for member in members:
                if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                    _check_xlsx_sheet(book, member, name)
                elif member.startswith("xl/worksheets/") and member.endswith(".bin"):
                    _check_xlsb_sheet(book, member, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise SourceError(f"cannot open the workbook: {exc}", path=name) from None


def open_sheets(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[Sheet]:
    """Each sheet in workbook order, loaded as text and registered with DuckDB (the previous
    one is released when the next is loaded)."""
    import fastexcel

    name = str(path)
    check_bounds(path)
    try:
        reader = fastexcel.read_excel(path if path.suffix.lower() in SUFFIXES else path.read_bytes())
        names = reader.sheet_names
    except Exception as exc:  # noqa: BLE001 - calamine reports a bad file with several error kinds
        raise SourceError(f"cannot open the workbook: {_first_line(exc)}", path=name) from None
    for index, sheet_name in enumerate(names):
        try:
            # skip_rows=0 keeps leading empty rows, so row k of the sheet is record k - 1.
            sheet: Any = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
        except Exception as exc:  # noqa: BLE001
            raise SourceError(f"cannot read sheet {sheet_name!r}: {_first_line(exc)}", path=name) from None
        if sheet.width == 0:
            continue
        con.register("ak_sheet", sheet)
        try:
            yield Sheet(sheet_name, "ak_sheet", sheet.width)
        finally:  # also when the caller stops early (closing the generator)
            con.unregister("ak_sheet")


def head_rows(con: duckdb.DuckDBPyConnection, sheet: Sheet, limit: int) -> list[list[str]]:
    """The first `limit` rows of the sheet as text ('' for an empty cell)."""
    rows = con.execute(f"SELECT * FROM {sheet.relation} LIMIT {int(limit)}").fetchall()
    return [["" if v is None else str(v) for v in row] for row in rows]


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
