"""Big files load in slices of records (pipeline.py): a file loaded in slices of any size
must store exactly what the whole-file load stores — same rows, buyers, identities, rejects
and counts — including repeats, quarantined rows and buyers whose rows straddle slices."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetkit.importers import import_file
from assetkit.importers.pipeline import sliceable
from assetkit.importers.registry import builtin_profiles
from assetkit.store import open_store
from assetkit.store.maintenance import check_database
from tests.helpers.imports import dump

HEADER = "order_id,order_date,buyer_id,buyer_email,buyer_country,amount,currency,fee,status\n"
ROWS = [
    "A1,2024-03-01,u1,a@example.com,DE,10.00,USD,1.00,paid",
    "A2,2024-13-45,u2,b@example.com,FR,5,USD,,paid",          # quarantined: bad date
    "A3,2024-03-02,u3,C@Example.com,US,12.00,EUR,,paid",
    "A1,2024-03-01,u1,a@example.com,DE,10.00,USD,1.00,paid",  # repeat inside the file
    "A4,2024-02-01,u1,a@example.com,DE,7.50,GBP,0.50,refunded",  # u1 seen earlier than in A1
    "A5,2024-03-05,,c@example.com,,3.00,USD,,paid",           # same buyer as u3 by email
    "A6,2024-03-06,u6,,,x12,USD,,paid",                       # quarantined: bad amount
    "A3,2024-03-02,u3,c@example.com,US,99.00,EUR,,paid",      # repeat id, other content: first wins
    "A7,2024-03-07,u7,d@example.com,IN,1.00,INR,0.10,cancelled",
]


def load(tmp_path: Path, name: str, lines: list[str], chunk_rows: int) -> tuple[tuple, dict]:
    src = tmp_path / f"{name}.csv"
    src.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    with open_store(tmp_path / f"{name}.duckdb") as store:
        r = import_file(store, src, chunk_rows=chunk_rows, fast_min_bytes=0)
        assert check_database(store).ok
        return (r.rows_read, r.loaded, r.duplicate, r.rejected, r.skipped, r.new_buyers, r.fx_missing,
                [(x.line, x.column, x.reason) for x in r.rejects], r.error), dump(store.con)


def test_the_generic_orders_profile_loads_in_slices() -> None:
    profiles = {p.name: p for p in builtin_profiles()}
    assert sliceable(profiles["generic_orders"])
    # Grouped outputs (an order's lines could straddle slices) load whole.
    assert not sliceable(profiles["shopify_orders"])


def test_slices_of_every_size_store_what_the_whole_file_stores(tmp_path: Path) -> None:
    whole = load(tmp_path, "whole", ROWS, 1_000_000)
    assert whole[0][:5] == (9, 5, 2, 2, 0)
    for size in (1, 2, 3, 4, 8):
        assert load(tmp_path, f"s{size}", ROWS, size) == whole, size


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(order=st.permutations(list(range(len(ROWS)))), size=st.integers(1, 5))
def test_any_order_of_rows_in_any_slices_matches_the_whole_load(order: list[int], size: int) -> None:
    lines = [ROWS[i] for i in order]
    with tempfile.TemporaryDirectory() as tmp:  # a fresh store per example (hypothesis re-runs examples)
        assert load(Path(tmp), "sliced", lines, size) == load(Path(tmp), "whole", lines, 1_000_000)


def test_each_slice_reports_its_progress(tmp_path: Path) -> None:
    src = tmp_path / "o.csv"
    src.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    seen: list[tuple[int, int]] = []
    with open_store(tmp_path / "p.duckdb") as store:
        import_file(store, src, chunk_rows=4, fast_min_bytes=0, slice_progress=lambda d, t: seen.append((d, t)))
    assert seen == [(4, 9), (8, 9), (9, 9)]


def test_the_terminal_bar_names_the_file_and_its_records(monkeypatch) -> None:
    import sys
    from types import SimpleNamespace

    from assetkit.commands.importing import _progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with _progress(SimpleNamespace(quiet=False), 2) as bar:
        bar.file(Path("a.csv"))
        bar.records(1_000_000, 3_000_000)
        task = bar.bar.tasks[0]
        assert task.description == "importing a.csv: 1,000,000 of 3,000,000 records"
        assert task.completed == 0
        bar.file(Path("b.csv"))
        assert bar.bar.tasks[0].description == "importing b.csv"
        assert bar.bar.tasks[0].completed == 1


def test_typing_while_reading_names_the_file_in_errors() -> None:
    """A big file is typed as DuckDB reads it; a missing required column still names the file."""
    from assetkit.errors import SourceError
    from assetkit.importers import pipeline

    (profile,) = [p for p in builtin_profiles() if p.name == "generic_orders"]
    with pytest.raises(SourceError) as caught:
        pipeline.typing(profile, ["order_date", "amount", "currency"], "/data/big.csv", "(SELECT 1)")
    assert caught.value.path == "/data/big.csv"
    assert "order_id" in str(caught.value)
