"""Reconciliation's cost: an Etsy Sold Orders import with its Order Net check against the same
import with the check taken out of the profile, same file, same run (issue 16).

The generic orders file of bench_import/bench_scale states no totals of its own, so checks cost
nothing there; this measures a format that carries one. Each round imports the file into a
fresh store twice, with and without the check, alternating so the machine's load falls on
both. Target (issue 16): under 5% on top of the import.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

import generate
from harness import Measurement, summarise

ROWS = 400_000
TARGET = 1.05

HEADER = ("Sale Date", "Order ID", "Buyer User ID", "Full Name", "First Name", "Last Name", "Number of Items",
          "Payment Method", "Date Shipped", "Street 1", "Street 2", "Ship City", "Ship State", "Ship Zipcode",
          "Ship Country", "Currency", "Order Value", "Coupon Code", "Coupon Details", "Discount Amount",
          "Shipping Discount", "Shipping", "Sales Tax", "Order Total", "Status", "Card Processing Fees", "Order Net",
          "Adjusted Order Total", "Adjusted Card Processing Fees", "Adjusted Net Order Amount", "Buyer", "Order Type",
          "Payment Type", "InPerson Discount", "InPerson Location", "SKU")


def etsy_csv(rows: int) -> Path:
    """Sold Orders rows whose Order Net follows Etsy's arithmetic (hidden US tax on some)."""
    path = generate.DATA / f"etsy_sold_orders_{rows}.csv"
    if path.exists():
        return path
    import duckdb

    values = {h: "NULL" for h in HEADER}
    values.update({
        "Sale Date": "strftime(DATE '2024-01-01' + CAST(i % 365 AS INTEGER), '%m/%d/%y')",
        "Order ID": "CAST(3000000000 + i AS VARCHAR)", "Buyer User ID": "CAST(i % 50000 AS VARCHAR)",
        "Full Name": "'Buyer ' || (i % 50000)", "Number of Items": "1 + i % 3", "Currency": "'USD'",
        "Order Value": "v", "Discount Amount": "0.00", "Shipping Discount": "0.00", "Shipping": "s",
        "Sales Tax": "0.00", "Order Total": "v + s + t", "Card Processing Fees": "f", "Order Net": "v + s - f",
        "Adjusted Order Total": "0.00", "Adjusted Card Processing Fees": "0.00", "Adjusted Net Order Amount": "0.00",
        "Buyer": "'buyer' || (i % 50000)", "Ship Country": "'United States'", "SKU": "'SKU-' || (i % 40)"})
    select = ", ".join(f'{expr} AS "{name}"' for name, expr in values.items())
    tmp = path.with_suffix(".part")
    duckdb.sql(f"""
        COPY (SELECT {select} FROM (
          SELECT i, v, s, CASE WHEN i % 3 = 0 THEN round(v * 0.07, 2) ELSE 0 END AS t,
                 round((v + s) * 0.03 + 0.25, 2) AS f
          FROM (SELECT i, CAST(5 + hash(i) % 20000 / 100 AS DECIMAL(10, 2)) AS v,
                       CAST(hash(i + 7) % 1500 / 100 AS DECIMAL(10, 2)) AS s FROM range({rows}) t(i))))
        TO '{tmp}' (HEADER, DELIMITER ',')""")
    tmp.rename(path)
    return path


def _import(path: Path, with_checks: bool) -> float:
    import time

    from assetkit.importers import import_paths, selection
    from assetkit.importers.registry import builtin_profiles
    from assetkit.store import open_store

    profiles = builtin_profiles() if with_checks else tuple(dataclasses.replace(p, reconcile=()) for p in builtin_profiles())
    original = selection.builtin_profiles
    selection.builtin_profiles = lambda: profiles
    try:
        with tempfile.TemporaryDirectory() as folder, open_store(Path(folder) / "r.duckdb") as store:
            start = time.perf_counter()
            (result,) = import_paths(store, [path])
            elapsed = time.perf_counter() - start
    finally:
        selection.builtin_profiles = original
    assert result.loaded == result.rows_read, "every row loads"
    assert bool(result.reconciliations) == with_checks and all(r.ok for r in result.reconciliations)
    return elapsed


def run(quick: bool = False) -> list[Measurement]:
    rows = ROWS // 4 if quick else ROWS
    path = etsy_csv(rows)
    with_checks, without = [], []
    for _ in range(3 if quick else 5):
        with_checks.append(_import(path, True))
        without.append(_import(path, False))
    on, off = summarise(with_checks), summarise(without)
    return [Measurement(f"import {rows:,} Etsy Sold Orders with the Order Net reconciliation", on,
                        "the same import without it", off, target=f"≤ {TARGET}× (under 5% more)",
                        holds=on.median / off.median <= TARGET)]


if __name__ == "__main__":
    for m in run(quick="--quick" in sys.argv):
        print(m)
