"""Read any supported file into one DuckDB temp table of records (`c0, c1, …`, all VARCHAR,
or already typed when the caller passes its `typing` and the fast path applies).

Two paths, same result. Small, non-UTF-8 or irregular files go through Python: decode,
find the header under any preamble, walk the records with the csv module so every record
keeps its physical line number, drop blank and trailer lines, and quarantine ragged records;
the clean records are written to a temporary CSV that DuckDB reads with an explicit schema
(no sniffing: `""` stays text, `0012` stays `0012`). Large clean UTF-8 files go straight to
DuckDB's `read_csv` with the same explicit schema; a line-count check proves the fast path
saw exactly one physical line per record, and anything else falls back to the Python path.
A big file whose profile loads in slices is cut into runs of whole lines (`Chunk`): each is
read and typed only when its slice loads, so no step holds more than one slice of the file
(typing all of a 10M-row file at once spilled to disk and cost 13x its 1M-row time).
JSON (arrays, or an API envelope such as IndiaMART's) uses the Python path; workbooks (.xlsx,
.xlsm, .xlsb, .xls, .ods) are read by fastexcel into Arrow and staged by DuckDB (workbook.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import SourceError, quote_excerpt
from assetkit.importers.encoding import SAMPLE_BYTES, check_text, decode, detect_encoding
from assetkit.importers.parsing import absent_fields
from assetkit.importers.registry import Profile, detect, no_match_error
from assetkit.importers.workbook import head_rows, is_workbook, open_sheets
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

DELIMITERS = (",", "\t", ";", "|")
HEADER_SEARCH_LINES = 60
# From this size DuckDB reads the file itself (the Python path took ~1.6x as long on a 100k-row fee export);
# the golden and hypothesis tests run every sample through both paths with the same result.
FAST_MIN_BYTES = 1 << 20
csv.field_size_limit(1 << 30)
MIN_MAX_LINE_BYTES = 2_097_152  # DuckDB's default max_line_size


@dataclass(frozen=True)
class Chunk:
    """Physical lines of a big file, bytes `start`..`stop`: `rows` records from line `first_line` on."""

    start: int
    stop: int
    first_line: int
    rows: int


class Irregular(Exception):
    """A chunk of a file read line by line held a record over several lines (or a line DuckDB
    could not split): the file has to be read record by record instead (the Python path)."""


@dataclass
class RawFile:
    """What reading found: the profile, the header and the records staged in `table`."""

    path: str
    profile: Profile
    header: list[str]
    header_line: int
    encoding: str | None
    rows: int
    sha256: str
    rejects: list[tuple[int, str | None, str, str]] = field(default_factory=list)
    table: str = "ak_raw"  # the staged records, in file order
    first_rowid: int = 0  # rowids of tables created inside a transaction start at an offset
    line_offset: int | None = None  # fast path: __line = rowid - first_rowid + line_offset
    typed: bool = False  # the records were typed as they were read (the caller's `typing`)
    # Fast path in chunks: the records are staged one chunk at a time (`stage_chunk`), by
    # `chunk_select` (the typing SELECT over `read_csv($path)` of a chunk's lines, less what
    # `chunk_columns` puts back); `whole_select`
    # types the whole file in one stream (for file-wide statistics such as datefix's).
    chunks: list[Chunk] = field(default_factory=list)
    chunk_select: str = ""
    chunk_columns: str = ""  # the columns of the records, rebuilt from a chunk's stored ones
    whole_select: str = ""
    read_params: dict[str, Any] = field(default_factory=dict)

    def records_sql(self, start: int, stop: int) -> str:
        """Records start..stop-1 (0-based, file order) as a relation with `__line`; a rowid
        range, so DuckDB reads only that slice of the staged table."""
        where = f"rowid BETWEEN {self.first_rowid + start} AND {self.first_rowid + stop - 1}"
        if self.line_offset is None:
            return f"(SELECT * FROM {self.table} WHERE {where})"
        line = f"CAST(rowid - {self.first_rowid} + {self.line_offset} AS INTEGER) AS __line"
        if self.typed:
            return f"(SELECT * REPLACE ({line}) FROM {self.table} WHERE {where})"
        return f"(SELECT {line}, * FROM {self.table} WHERE {where})"


# Given the profile, the header, the file's path (for messages) and a relation of raw records
# (`__line, c0, c1, …`), the SELECT that types them, or None when the profile cannot be typed
# in one pass over the file.
Typing = Callable[[Profile, list[str], str, str], "str | None"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_raw(con: duckdb.DuckDBPyConnection, path: Path, candidates: list[Profile],
             encoding: str | None = None, fast_min_bytes: int = FAST_MIN_BYTES,
             digest: str | None = None, typing: Typing | None = None,
             chunking: Callable[[Profile], int | None] | None = None) -> RawFile:
    """Stage the records of `path` in a temp table and return what was found; SourceError on unreadable input.
    `digest` is the file's sha256 when the caller has already computed it. With `typing`,
    the fast path stores the typed records instead of their text (`RawFile.typed`): one
    pass over a big file instead of two. `chunking(profile)` is the slice size in records
    when the profile loads in slices: a typed fast-path file with more records than that is
    returned in chunks, staged by `stage_chunk` as each slice loads."""
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            sample = fh.read(SAMPLE_BYTES)
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", path=name) from None
    digest = digest or sha256_of(path)
    suffix = path.suffix.lower()
    if is_workbook(path, sample):
        return _stage_workbook(con, path, candidates, digest)
    check_text(sample, name)
    enc = encoding or detect_encoding(sample)
    if suffix == ".json" or sample.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"[", b"{"):
        header, profile, records = _json_records(_text(path.read_bytes(), enc, name), candidates, name)
        return _stage_python(con, name, profile, header, 0, enc, records, digest)
    head_text = decode(sample[: sample.rfind(b"\n") + 1] or sample, enc, name) if enc == "utf-8" else None
    if head_text is not None and size >= fast_min_bytes:
        found = _find_header(head_text, candidates, name)
        if found and not found[2].trailer:
            raw = _stage_fast(con, path, found, digest, typing, chunking)
            if raw is not None:
                return raw
    text = _text(path.read_bytes(), enc, name)
    found = _find_header(text, candidates, name)
    if found is None:
        raise no_match_error(name, _first_header(text), candidates)
    index, delimiter, profile, header = found
    rejects: list[tuple[int, str | None, str, str]] = []
    records = _csv_records(text, index, delimiter, profile, name, len(header), rejects)
    return _stage_python(con, name, profile, header, index + 1, enc, records, digest, rejects)


def _text(data: bytes, enc: str, path: str) -> str:
    """The file's text without NUL characters: no export means them, and stored they cut
    names short in C-based tools and show up raw in reports."""
    return decode(data, enc, path).replace("\x00", "")


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _first_header(text: str) -> list[str]:
    for line in text.splitlines()[:HEADER_SEARCH_LINES]:
        if line.strip():
            return max((_split(line, d) for d in DELIMITERS), key=len)
    return []


def _find_header(text: str, candidates: list[Profile], path: str
                 ) -> tuple[int, str, Profile, list[str]] | None:
    """(0-based line index, delimiter, profile, header) of the first line a profile knows."""
    forced: str | None = None
    for index, line in enumerate(io.StringIO(text, newline=None)):
        if index >= HEADER_SEARCH_LINES:
            break
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        if stripped.startswith("sep=") and len(stripped) == 5:
            forced = stripped[4]
            continue
        for delimiter in ((forced,) if forced else DELIMITERS):
            header = [h.strip() for h in _split(stripped, delimiter)]
            if len(header) < 2:
                continue
            profile = detect(header, candidates, path, index + 1)
            if profile is not None:
                return index, delimiter, profile, header
    return None


def _csv_records(text: str, header_index: int, delimiter: str, profile: Profile, path: str, width: int,
                 rejects: list[tuple[int, str | None, str, str]]) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line, fields) per record, without blank and trailer lines.

    A quote that opens and never closes would make the csv module read the rest of the file
    (or up to the next stray quote) as one field: thousands of rows silently gone into one
    quarantined record. A record that spans several lines and then has the wrong field
    count, or swallowed lines that are records themselves, is such a runaway quote: its
    first line goes to `rejects` naming the problem, and reading restarts on the next line,
    so every other row is still read.
    """
    lines = _Lines(io.StringIO(text, newline=""))
    for _ in range(header_index + 1):
        lines.take()
    trailer = [re.compile(p) for p in profile.trailer]
    while True:
        reader = csv.reader(lines, delimiter=delimiter)
        restart = False
        while not restart:
            lines.begin_record()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise SourceError(f"malformed CSV: {exc}", path=path, line=lines.record_start,
                                  hint="check quoting near that line, or pass --encoding if the text looks garbled") from None
            start = lines.record_start
            if len(lines.record) > 1 and _runaway_quote(row, lines.record, width, delimiter):
                first = lines.record[0]
                rejects.append((start, None, quote_excerpt(first.rstrip("\r\n")),
                                f"a quote opened on this line is never closed (it ran over {len(lines.record)} "
                                "lines); this line is quarantined and the lines after it are read as records"))
                lines.push_back(lines.record[1:], start + 1)
                restart = True
                continue
            if not row or all(not f.strip() for f in row):
                continue
            joined = delimiter.join(row)
            if any(p.search(joined) for p in trailer):
                continue
            yield start, row


def _runaway_quote(row: list[str], record: list[str], width: int, delimiter: str) -> bool:
    """A multi-line record is a runaway quote when its field count is wrong, or when lines
    it swallowed split into full records on their own (a quote opened in the last field
    keeps the count right): one such line for five or more columns, two for three or four
    (a legitimate multi-line message rarely has a line with that many delimiters)."""
    if len(row) != width and not (len(row) > width and not any(f.strip() for f in row[width:])):
        return True
    if width < 3:
        return False
    full = sum(1 for line in record[1:] if len(_split(line.rstrip("\r\n"), delimiter)) == width)
    return full >= (1 if width >= 5 else 2)


class _Lines:
    """The file's physical lines for csv.reader, remembering the lines of the record being
    read (so a runaway record can be quarantined by its first line and the rest re-read)."""

    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream
        self._pending: list[str] = []
        self.next_line = 1  # physical number of the next line handed out
        self.record: list[str] = []
        self.record_start = 1

    def take(self) -> str:
        line = self._pending.pop() if self._pending else self._stream.readline()
        if line:
            self.next_line += 1
        return line

    def begin_record(self) -> None:
        self.record = []
        self.record_start = self.next_line

    def push_back(self, lines: list[str], first_number: int) -> None:
        self._pending.extend(reversed(lines))
        self.next_line = first_number

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.take()
        if not line:
            raise StopIteration
        self.record.append(line)
        return line


def _json_records(text: str, candidates: list[Profile], path: str
                  ) -> tuple[list[str], Profile, list[tuple[int, list[str]]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    except RecursionError:
        raise _too_deep(path) from None
    if isinstance(data, dict) and "CODE" in data and "RESPONSE" in data:
        code = data.get("CODE")
        if code not in (200, "200", 204, "204"):
            raise SourceError(f"the API response reports CODE {code}: {data.get('MESSAGE') or 'no message'}",
                              path=path, hint="fetch the leads again; only CODE 200/204 responses carry leads")
    items = data if isinstance(data, list) else _records_in(data)
    if items is None or not all(isinstance(i, dict) for i in items):
        raise SourceError("the JSON holds no list of records (objects)", path=path)
    header: list[str] = []
    seen: set[str] = set()
    for item in items:
        for key in item:
            if key not in seen:
                seen.add(key)
                header.append(str(key))
    profile = detect(header, candidates, path, 1)
    if profile is None:
        raise no_match_error(path, header, candidates)
    try:
        rows = [(i + 1, [_cell(item.get(k)) for k in header]) for i, item in enumerate(items)]
    except RecursionError:  # a value nested almost to the parser's limit, written back as text
        raise _too_deep(path) from None
    return header, profile, rows


def _too_deep(path: str) -> SourceError:
    return SourceError("the JSON is nested too deeply to be an export (hundreds of levels)", path=path,
                       hint="exports are lists of flat records; check the file")


def _records_in(data: Any) -> list[Any] | None:
    if not isinstance(data, dict):
        return None
    for key in ("RESPONSE", "data", "records", "items", "results"):
        if isinstance(data.get(key), list):
            return data[key]
    return next((v for v in data.values() if isinstance(v, list)), None)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\x00", "")  # a JSON "\u0000" (see _text)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False).replace("\\u0000", "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _stage_workbook(con: duckdb.DuckDBPyConnection, path: Path, candidates: list[Profile],
                    digest: str) -> RawFile:
    """The first sheet whose header (within its first HEADER_SEARCH_LINES rows) a profile
    knows, staged as text records below the header without blank rows; `__line` is the
    sheet row. Columns past the header's last named one are dropped."""
    name = str(path)
    first: list[str] = []
    with closing(open_sheets(con, path)) as sheets:
        for sheet in sheets:
            head = head_rows(con, sheet, HEADER_SEARCH_LINES)
            first = first or next((r for r in head if any(c.strip() for c in r)), [])
            for index, row in enumerate(head):
                header = [h.strip() for h in row]
                while header and not header[-1]:
                    header.pop()
                if len(header) < 2:
                    continue
                profile = detect(header, candidates, name, index + 1)
                if profile is None:
                    continue
                cells = [f'coalesce("__UNNAMED__{i}", \'\')' for i in range(len(header))]
                fields = ", ".join(f"{c} AS c{i}" for i, c in enumerate(cells))
                # A table keeps the sheet's row order in its rowids (which, inside a transaction,
                # start at an offset).
                con.execute(f"CREATE OR REPLACE TEMP TABLE ak_sheet_rows AS SELECT * FROM {sheet.relation}")
                base = con.execute("SELECT coalesce(min(rowid), 0) FROM ak_sheet_rows").fetchall()[0][0]
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE ak_raw AS SELECT CAST(rowid - {base} + 1 AS INTEGER) AS __line, "
                    f"{fields} FROM ak_sheet_rows WHERE rowid > {base + index} AND "
                    f"({' OR '.join(f'trim({c}) <> {chr(39) * 2}' for c in cells)}) ORDER BY __line")
                con.execute("DROP TABLE ak_sheet_rows")
                rows, first_rowid = con.execute("SELECT count(*), coalesce(min(rowid), 0) FROM ak_raw").fetchall()[0]
                return RawFile(name, profile, header, index + 1, None, int(rows), digest, first_rowid=int(first_rowid))
    raise no_match_error(name, first, candidates)


def _stage_python(con: duckdb.DuckDBPyConnection, path: str, profile: Profile, header: list[str],
                  header_line: int, encoding: str | None, records: Iterable[tuple[int, list[str]]],
                  digest: str, rejects: list[tuple[int, str | None, str, str]] | None = None) -> RawFile:
    """Write the records to a temporary CSV and stage it; `rejects` may already hold (or,
    while `records` is consumed, receive) records quarantined by the reader."""
    width = len(header)
    rejects = [] if rejects is None else rejects
    fd, tmp = scratch_file(con)
    rows = longest = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow(["__line", *(f"c{i}" for i in range(width))])
            for line, fields in records:
                if len(fields) > width and not any(f.strip() for f in fields[width:]):
                    fields = fields[:width]
                if len(fields) != width:
                    rejects.append((line, None, quote_excerpt(",".join(fields), 500),
                                    f"expected {width} fields, found {len(fields)}"))
                    continue
                writer.writerow([line, *fields])
                rows += 1
                longest = max(longest, sum(map(len, fields)))
        columns = "{'__line': 'INTEGER', " + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        # DuckDB refuses lines over 2 MB by default; a record's line here is at most 4 bytes a
        # character plus quotes and commas, so a long field (a pasted document) still loads.
        max_line = max(MIN_MAX_LINE_BYTES, 4 * longest + 3 * width + 64)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE ak_raw AS SELECT * FROM read_csv(?, header=true, "
            f"auto_detect=false, delim=',', quote='\"', escape='\"', columns={columns}, "
            f"allow_quoted_nulls=false, strict_mode=true, max_line_size={max_line})", [tmp])
    finally:
        os.unlink(tmp)
    first = scalar(con, "SELECT min(rowid) FROM ak_raw") or 0
    return RawFile(path, profile, header, header_line, encoding, rows, digest, rejects, first_rowid=int(first))


def scratch_file(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """A private temporary file (0600) for the staged records, next to the database rather
    than in /tmp: a kill leaves no plaintext copy in a shared folder, and the next open of
    the database removes it (store.remove_scratch_files)."""
    from assetkit.store import scratch_prefix

    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0]:
        return tempfile.mkstemp(prefix="assetkit-", suffix=".csv")
    db = Path(row[0])
    return tempfile.mkstemp(prefix=scratch_prefix(db), suffix=".csv", dir=db.parent)


def _stage_fast(con: duckdb.DuckDBPyConnection, path: Path, found: tuple[int, str, Profile, list[str]],
                digest: str, typing: Typing | None, chunking: Callable[[Profile], int | None] | None) -> RawFile | None:
    """DuckDB reads the file directly; None when the file is not one record per line."""
    index, delimiter, profile, header = found
    every = chunking(profile) if chunking and typing else None
    # A file with NUL bytes goes through the Python path, which drops them.
    lines, has_nul, starts = _scan_lines(path, index + 1, every)
    if has_nul:
        return None
    width = len(header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    options = (f"auto_detect=false, delim=$delim, quote='\"', escape='\"', columns={columns}, "
               "allow_quoted_nulls=false")
    records = f"read_csv($path, skip=$skip, header=true, {options}, {_REJECTS})"
    # Line numbers come from the stored table's rowids (file order), so none while reading.
    relation = f"(SELECT CAST(0 AS INTEGER) AS __line, * FROM {records})"
    select = typing(profile, header, str(path), relation) if typing else None
    params = {"path": str(path), "skip": index, "delim": delimiter}
    if select and every and len(starts) > 1:
        chunk_relation = f"(SELECT CAST(0 AS INTEGER) AS __line, * FROM read_csv($path, header=false, {options}, {_REJECTS}))"
        whole = f"(SELECT CAST(0 AS INTEGER) AS __line, * FROM read_csv($path, skip=$skip, header=true, {options}, ignore_errors=true))"
        stored, rebuilt = _chunk_columns(con, typing(profile, header, str(path), chunk_relation) or "",
                                         absent_fields(profile, header), params)
        return RawFile(str(path), profile, header, index + 1, "utf-8", lines - index - 1, digest, table="ak_raw0",
                       typed=True, chunks=_chunks(starts, path.stat().st_size, index + 1, lines, every),
                       chunk_select=stored, chunk_columns=rebuilt,
                       whole_select=typing(profile, header, str(path), whole) or "", read_params=params)
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_raw0 AS {select or f'SELECT * FROM {records}'}", params)
    bad = scalar(con, "SELECT count(*) FROM ak_rej_err")
    rows = scalar(con, "SELECT count(*) FROM ak_raw0")
    # Every record takes at least one line and DuckDB skips blank lines, so as many records
    # as physical lines after the header proves one record per line: line = header + n.
    if bad or index + 1 + rows != lines:
        con.execute("DROP TABLE IF EXISTS ak_raw0")
        return None
    first = scalar(con, "SELECT min(rowid) FROM ak_raw0") or 0
    return RawFile(str(path), profile, header, index + 1, "utf-8", int(rows), digest,
                   table="ak_raw0", first_rowid=int(first), line_offset=index + 2, typed=select is not None)


def _chunk_columns(con: duckdb.DuckDBPyConnection, select: str, absent: list[str],
                   params: dict[str, Any]) -> tuple[str, str]:
    """The SELECT storing a chunk's typed records, and the columns rebuilding them from it.

    A chunk's table stays in memory until the file's transaction ends (DuckDB keeps a dropped
    table's data for a rollback), so it stores only what varies: not `__line` (the rowid
    gives it) nor the fields no column of the file feeds, which are NULL on every row (6 of
    the generic profile's 17 fields on a plain orders export, ~40% of the chunk's bytes)."""
    columns = con.execute(f"DESCRIBE {select}", {"path": params["path"], "delim": params["delim"]}).fetchall()
    left_out = set(absent) | {"__line"}
    kept = [f'"{name}"' for name, *_ in columns if name not in left_out]
    rebuilt = [f'CAST(NULL AS {kind}) AS "{name}"' if name in left_out else f'"{name}"'
               for name, kind, *_ in columns if name != "__line"]
    return f"SELECT {', '.join(kept)} FROM ({select})", ", ".join(rebuilt)


_REJECTS = "store_rejects=true, rejects_table='ak_rej_err', rejects_scan='ak_rej_scan'"


def _chunks(starts: list[int], size: int, skip: int, lines: int, every: int) -> list[Chunk]:
    """The chunks of `every` lines each from the byte offsets where they start (after the
    `skip` header lines); the last one runs to the end of the file."""
    out = []
    for i, start in enumerate(starts):
        rows = min(every, lines - skip - i * every)
        if rows > 0:
            out.append(Chunk(start, starts[i + 1] if i + 1 < len(starts) else size, skip + i * every + 1, rows))
    return out


def stage_chunk(con: duckdb.DuckDBPyConnection, raw: RawFile, chunk: Chunk) -> tuple[str, str]:
    """Read and type one chunk into `ak_raw0`; returns its records as a relation with `__line`,
    and the expression giving a row of `ak_raw0` its file line.

    The chunk's bytes are copied to a private scratch file (DuckDB reads whole files) that is
    gone before this returns. Raises Irregular when the chunk is not one record per line.
    """
    con.execute("DROP TABLE IF EXISTS ak_rej_err; DROP TABLE IF EXISTS ak_rej_scan")
    fd, tmp = scratch_file(con)
    try:
        with os.fdopen(fd, "wb") as out, open(raw.path, "rb") as src:
            _copy_range(src, out, chunk.start, chunk.stop)
        con.execute(f"CREATE OR REPLACE TEMP TABLE ak_raw0 AS {raw.chunk_select}",
                    {"path": tmp, "delim": raw.read_params["delim"]})
    finally:
        os.unlink(tmp)
    bad = scalar(con, "SELECT count(*) FROM ak_rej_err")
    rows, first = con.execute("SELECT count(*), coalesce(min(rowid), 0) FROM ak_raw0").fetchone()
    if bad or rows != chunk.rows:
        raise Irregular(raw.path)
    line = f"CAST(rowid - {first} + {chunk.first_line} AS INTEGER)"
    return f"(SELECT {line} AS __line, {raw.chunk_columns} FROM ak_raw0)", line


def _copy_range(src: Any, out: Any, start: int, stop: int) -> None:
    """Bytes start..stop of `src` into `out`, in the kernel where it can."""
    src.seek(start)
    left = stop - start
    try:
        while left > 0:
            done = os.copy_file_range(src.fileno(), out.fileno(), left, start + (stop - start - left))
            if done == 0:
                break
            left -= done
    except (AttributeError, OSError):
        src.seek(start + (stop - start - left))
        out.seek(stop - start - left)
        while left > 0:
            block = src.read(min(left, 1 << 22))
            if not block:
                break
            out.write(block)
            left -= len(block)


def _scan_lines(path: Path, skip: int, every: int | None, block_size: int = 1 << 22) -> tuple[int, bool, list[int]]:
    """Physical lines in the file, whether it holds a NUL byte, and (with `every`) the byte
    offsets where each run of `every` lines starts after the first `skip` (>= 1) lines. Reads
    `block_size` bytes at a time; Python touches single lines only in a block where a run starts."""
    count, last, nul, offset = 0, b"\n", False, 0
    starts: list[int] = []
    cut = skip  # the next chunk starts after this many lines
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(block_size), b""):
            nul = nul or b"\x00" in block
            last = block[-1:]
            left = block.count(b"\n")  # newlines of the block after `at`
            at = -1
            while every and count < cut <= count + left:
                for _ in range(cut - count):
                    at = block.index(b"\n", at + 1)
                starts.append(offset + at + 1)
                left -= cut - count
                count, cut = cut, cut + every
            count += left
            offset += len(block)
    return count + (0 if last == b"\n" else 1), nul, starts
