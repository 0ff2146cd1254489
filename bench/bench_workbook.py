"""Workbook import: a 50,000-row .xlsx against the same rows as CSV, same run.

Both files come from generate.py (`orders_xlsx` holds exactly the rows of `orders_csv`). Each
round imports each file into a fresh store in its own child process (bench_import's child), the
two alternating so a change in the machine's load falls on both. Target (issue #20): the
workbook imports within 2.5× the time of the CSV.
"""

from __future__ import annotations

import sys

import generate
from bench_import import _timing, child
from harness import Measurement

ROWS = 50_000
TARGET = 2.5


def run(quick: bool = False) -> list[Measurement]:
    csv_path, xlsx_path = generate.orders_csv(ROWS), generate.orders_xlsx(ROWS)
    db = generate.DATA / "bench_wb.duckdb"
    rounds = [{"csv": child("assetkit", db, [csv_path], fresh=True),
               "xlsx": child("assetkit", db, [xlsx_path], fresh=True)} for _ in range(3 if quick else 5)]
    assert all(r["csv"]["loaded"] == r["xlsx"]["loaded"] == ROWS for r in rounds), "both files load every row"
    xlsx, csv = _timing(rounds, "xlsx"), _timing(rounds, "csv")
    return [Measurement(f"import {ROWS:,}-row .xlsx ({xlsx_path.stat().st_size / 1e6:.1f} MB)", xlsx,
                        f"same rows as CSV ({csv_path.stat().st_size / 1e6:.1f} MB)", csv,
                        target=f"≤ {TARGET}× the CSV", holds=xlsx.median / csv.median <= TARGET,
                        notes=[(f"peak memory {rounds[0]['xlsx']['peak_mib']:,.0f} MiB (xlsx) vs "
                               f"{rounds[0]['csv']['peak_mib']:,.0f} MiB (csv)")])]


if __name__ == "__main__":
    for m in run(quick="--quick" in sys.argv):
        print(m)
