"""Dates a spreadsheet read as YY/MM/DD are restored, never quarantined or misdated (issue 16).

A real Etsy export of 2020, re-saved in a spreadsheet, carried `2004-12-20` for 12 April 2020
(`04/12/20` read as YY/MM/DD) on 477 of 1,284 orders: 99 were quarantined as before Etsy
existed and the rest were filed under 2005–2011. Here the damage is made the same way from
known true dates, so the test knows what each one must become.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetkit.importers import import_paths
from assetkit.store import open_store

HEADER = ("Sale Date,Order ID,Buyer User ID,Full Name,Number of Items,Currency,Order Value,Discount Amount,"
          "Shipping Discount,Shipping,Sales Tax,Order Total,Card Processing Fees,Order Net,Adjusted Order Total,"
          "Adjusted Card Processing Fees,Adjusted Net Order Amount,Buyer\n")


def spreadsheet_damage(day: dt.date) -> str:
    """What the spreadsheet wrote: MM/DD/YY read as YY/MM/DD when the day can be a month."""
    if day.day <= 12:
        return f"{2000 + day.month:04d}-{day.day:02d}-{day.year % 100:02d}"
    return day.isoformat()


def write(path: Path, days: list[dt.date], damage=spreadsheet_damage) -> Path:
    rows = [f"{damage(d)},{3_900_000_000 + i},{i},Buyer {i},1,USD,40.00,0.00,0.00,5.00,0.00,45.00,1.50,43.50,"
            f"0.00,0.00,0.00,buyer{i}\n" for i, d in enumerate(days)]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


DAYS = [dt.date(2020, 1, 1) + dt.timedelta(days=9 * i) for i in range(40)]  # days 1–31 of 2020


@pytest.mark.parametrize(("fast", "chunk"), [(False, 1_000_000), (True, 1_000_000), (True, 7)],
                         ids=["python-path", "fast-path", "fast-path-in-chunks"])
def test_swapped_dates_are_restored_and_reported(tmp_path: Path, fast: bool, chunk: int) -> None:
    """In chunks, the whole file decides and each chunk is restored as it is read."""
    path = write(tmp_path / "EtsySoldOrders2020.csv", DAYS)
    assert sum(spreadsheet_damage(d) != d.isoformat() for d in DAYS) >= 10  # the file is damaged
    with open_store(tmp_path / "d.duckdb") as store:
        (result,) = import_paths(store, [path], fast_min_bytes=0 if fast else 1 << 40, chunk_rows=chunk)
        stored = store.query("SELECT source_order_id, CAST(ordered_at AS DATE) FROM orders ORDER BY 1")
    assert (result.loaded, result.rejected) == (40, 0)
    assert [day for _, day in stored] == DAYS
    repaired = [w for w in result.warnings if w.check == "date_repaired"]
    first = next(i for i, d in enumerate(DAYS) if d.day <= 12)
    assert repaired[0].line == first + 2
    assert repaired[0].value == f"{spreadsheet_damage(DAYS[first])} → {DAYS[first].isoformat()}"
    assert len(repaired) == sum(d.day <= 12 for d in DAYS)


def test_a_true_old_date_with_another_day_leaves_the_file_alone(tmp_path: Path) -> None:
    days = [*DAYS[:20], dt.date(2011, 3, 14)]  # a genuine 2011 order: its day is not "20"
    path = write(tmp_path / "o.csv", days)
    with open_store(tmp_path / "d.duckdb") as store:
        (result,) = import_paths(store, [path])
        stored = dict(store.query("SELECT source_order_id, CAST(ordered_at AS DATE) FROM orders"))
    assert not [w for w in result.warnings if w.check == "date_repaired"]
    # left as the file says: a damaged date after Etsy began is stored as it is (and reported as
    # a jump), one before is quarantined as outside the plausible window
    late = next(i for i, d in enumerate(days[:20]) if d.day <= 12 and d.month >= 5)
    assert stored[str(3_900_000_000 + late)].isoformat() == spreadsheet_damage(DAYS[late])
    assert str(3_900_000_000) not in stored and result.rejected >= 1


def test_two_swapped_dates_are_too_few_to_be_sure(tmp_path: Path) -> None:
    days = [d for d in DAYS if d.day > 12][:10] + [d for d in DAYS if d.day <= 12][:2]
    with open_store(tmp_path / "d.duckdb") as store:
        (result,) = import_paths(store, [write(tmp_path / "o.csv", days)])
    assert not [w for w in result.warnings if w.check == "date_repaired"]


def test_undamaged_files_are_untouched(tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", DAYS, damage=lambda d: d.isoformat())
    with open_store(tmp_path / "d.duckdb") as store:
        (result,) = import_paths(store, [path])
        assert [d for (d,) in store.query("SELECT CAST(ordered_at AS DATE) FROM orders ORDER BY source_order_id")] == DAYS
    assert result.warnings == []
