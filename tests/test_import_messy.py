"""Property-based messy files: random encodings, separators, quoting, blank and garbage lines,
duplicated rows and awkward text. Every row read is loaded, a duplicate or quarantined, and a
second import adds nothing."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetkit.importers import import_file
from assetkit.store import open_store

TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ 019,;\t\"'\n=+-éü£")), max_size=12)
ROW = st.tuples(st.integers(1, 40), st.integers(1, 28), st.integers(0, 99999), TEXT)


@st.composite
def messy_file(draw):
    rows = draw(st.lists(ROW, min_size=1, max_size=25))
    extras = draw(st.lists(st.sampled_from(["blank", "garbage", "dup"]), max_size=6))
    return rows, extras, draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])), \
        draw(st.sampled_from([",", ";", "\t"])), draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])), \
        draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans())


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=messy_file())
def test_messy_files_keep_the_counting_invariant_and_are_idempotent(case, tmp_path: Path) -> None:
    tmp_path = Path(tempfile.mkdtemp(dir=tmp_path))  # fresh per example: hypothesis reuses the fixture
    rows, extras, encoding, delimiter, quoting, newline, fast = case
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerow(["order_id", "order_date", "amount", "currency", "product"])
    lines = [[f"O{i}", f"2024-03-{d:02d}", f"{cents / 100:.2f}", "USD", text] for i, d, cents, text in rows]
    expected_rows, garbage = len(lines), 0
    for i, extra in enumerate(extras):
        at = i % (len(lines) + 1)
        if extra == "blank":
            lines.insert(at, None)
        elif extra == "garbage":
            lines.insert(at, ["### not a row ###"])
            garbage += 1
        else:
            lines.insert(at, lines[min(at, len(lines) - 1)] or [f"O{rows[0][0]}", "2024-03-01", "1", "USD", ""])
            expected_rows += 1
    for line in lines:
        if line is None:
            buffer.write(newline)
        else:
            writer.writerow(line)
    path = tmp_path / f"messy-{abs(hash(str(case)))}.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    valid_ids = {row[0] for row in lines if row is not None and len(row) == 5}
    with open_store(tmp_path / f"{path.stem}.duckdb") as store:
        first = import_file(store, path, fast_min_bytes=0 if fast else 1 << 40)
        assert first.rows_read == expected_rows + garbage
        assert first.rows_read == first.loaded + first.duplicate + first.rejected + first.skipped
        assert first.rejected == garbage
        assert first.loaded == len(valid_ids)
        stored = {r[0] for r in store.query("SELECT source_order_id FROM orders")}
        assert stored == valid_ids
        texts = dict(store.query("SELECT source_order_id, coalesce(product, '') FROM orders"))
        for row in lines:
            if row is not None and len(row) == 5 and row[0] in texts and row[4].strip(' '):
                assert texts[row[0]] in {r[4].strip(' ') for r in lines if r and len(r) == 5 and r[0] == row[0]}
        again = import_file(store, path)
        # the bad rows are already quarantined: duplicates now, not stored twice
        assert (again.loaded, again.rejected, again.duplicate) == (0, 0, expected_rows + garbage)
        assert store.query("SELECT count(*) FROM rejects")[0][0] == garbage
        assert store.query("SELECT count(*) FROM orders")[0][0] == len(valid_ids)
