"""A big file that loads in slices is read in chunks of whole lines (reading.stage_chunk): the
chunk offsets must cut exactly at line starts, a chunk that turns out to hold a record over
several lines must send the whole file to the record-by-record path with nothing kept from
the chunks before it, and no scratch copy of a chunk may outlive the import."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assetkit.importers import import_file
from assetkit.importers.reading import _scan_lines
from assetkit.store import open_store, scratch_prefix
from assetkit.store.maintenance import check_database
from tests.helpers.imports import dump

HEADER = "order_id,order_date,buyer_id,buyer_email,buyer_country,amount,currency,fee,status\n"


def rows(n: int) -> list[str]:
    return [f"A{i},2024-03-{1 + i % 28:02d},u{i % 5},b{i % 5}@example.com,DE,{i}.50,USD,0.25,paid" for i in range(n)]


def expected_starts(data: bytes, skip: int, every: int) -> list[int]:
    """Offsets of lines skip, skip+every, ... counted the slow, obvious way."""
    line_starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]
    return [line_starts[k] for k in range(skip, len(line_starts), every)]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.text(alphabet="ab,\"", max_size=6), max_size=40), skip=st.integers(1, 4),
       every=st.integers(1, 7), block=st.integers(1, 16), trailing=st.booleans())
def test_chunk_offsets_are_the_line_starts(tmp_path_factory, lines: list[str], skip: int, every: int,
                                           block: int, trailing: bool) -> None:
    data = ("\n".join(lines) + ("\n" if trailing and lines else "")).encode()
    path = tmp_path_factory.mktemp("scan") / "f.csv"
    path.write_bytes(data)
    count, nul, starts = _scan_lines(path, skip, every, block_size=block)
    assert not nul
    assert count == data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    assert starts == expected_starts(data, skip, every)


def test_a_nul_byte_is_seen_in_any_block(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_bytes(b"a,b\n" * 10 + b"x\x00y\n")
    assert _scan_lines(path, 1, None, block_size=3)[1]


def load(tmp_path: Path, name: str, text: str, chunk_rows: int, fast_min_bytes: int) -> tuple[tuple, dict]:
    src = tmp_path / f"{name}.csv"
    src.write_text(text, encoding="utf-8")
    with open_store(tmp_path / f"{name}.duckdb") as store:
        r = import_file(store, src, chunk_rows=chunk_rows, fast_min_bytes=fast_min_bytes)
        assert check_database(store).ok
        return (r.rows_read, r.loaded, r.duplicate, r.rejected, r.new_buyers,
                [(x.line, x.column, x.reason) for x in r.rejects], r.error), dump(store.con)


def test_a_record_over_two_lines_in_a_later_chunk_reads_the_file_record_by_record(tmp_path: Path) -> None:
    lines = rows(20)
    # Record 15 (the third chunk of 7) holds a quoted line break in its e-mail field's place.
    lines[15] = 'A15,2024-03-16,u0,"b0@example.com",DE,"15.50",USD,0.25,"paid"'
    lines[16] = 'A16,2024-03-17,u1,"line one\nline two",DE,16.50,USD,0.25,paid'
    text = HEADER + "\n".join(lines) + "\n"
    chunked = load(tmp_path, "chunked", text, chunk_rows=7, fast_min_bytes=0)
    by_record = load(tmp_path, "records", text, chunk_rows=7, fast_min_bytes=sys.maxsize)
    assert chunked == by_record
    assert chunked[0][:2] == (20, 20)
    # The rows of the chunks loaded before the retry are not doubled.
    assert len(chunked[1]["orders"]) == 20


def test_chunks_store_what_the_whole_file_stores(tmp_path: Path) -> None:
    text = HEADER + "\n".join(rows(23)) + "\n"
    assert load(tmp_path, "c", text, 5, 0) == load(tmp_path, "w", text, 1_000_000, 0)


def test_no_scratch_copy_of_a_chunk_is_left(tmp_path: Path) -> None:
    before = set(tmp_path.iterdir())
    text = HEADER + "\n".join(rows(30)) + "\n"
    load(tmp_path, "s", text, 4, 0)
    left = {p.name for p in set(tmp_path.iterdir()) - before}
    assert "s.duckdb" in left
    assert not [name for name in left if name.startswith(scratch_prefix(tmp_path / "s.duckdb"))], left


def test_ids_stored_before_the_file_or_by_an_earlier_slice_are_duplicates(tmp_path: Path) -> None:
    """The slices find stored ids through the file's hash filter (loading._stored_candidates):
    a store that already holds some of the ids, and ids repeated across slices, give exactly
    what the whole-file load gives."""
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "\n".join(rows(10)) + "\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    later = rows(25)[5:] + rows(25)[18:22]  # 5 stored before, 4 repeated in a later slice
    second.write_text(HEADER + "\n".join(later) + "\n", encoding="utf-8")
    results = []
    for name, chunk_rows in (("sliced", 4), ("whole", 1_000_000)):
        with open_store(tmp_path / f"{name}.duckdb") as store:
            import_file(store, first, fast_min_bytes=0)
            r = import_file(store, second, chunk_rows=chunk_rows, fast_min_bytes=0)
            assert check_database(store).ok
            results.append(((r.rows_read, r.loaded, r.duplicate, r.rejected), dump(store.con)))
    assert results[0] == results[1]
    assert results[0][0] == (24, 15, 9, 0)
