"""Import cost against file size: is it linear? (issue 21)

For each size of the generated orders export (1M, 2.5M and 10M rows; 40M as well with `--scale`
or ASSETKIT_BENCH_SCALE=1), in fresh child processes of bench_import (so each peak is that
import's own): DuckDB's `read_csv` CTAS of the file, and `import_paths` into a fresh store. The
entry shows each size's time next to DuckDB's and the growth factor from the previous size for
both, so a superlinear part shows as assetkit growing faster than DuckDB on the same files.

Targets (issue 21, on 2 cores): 2.5M → 10M within 4.6× (linear within 15%), 10M at ≥ 35% of
DuckDB's rows/s, peak < 2 GB at 10M and 40M.
"""

from __future__ import annotations

import os
import sys

import generate
from bench_import import TWO_GB_MIB, child
from harness import Measurement, summarise

SIZES = (1_000_000, 2_500_000, 10_000_000)
SCALE = 40_000_000
ROUNDS = 2  # per size: the series is about the shape of the curve, and 10M rounds are long


def run(quick: bool = False) -> list[Measurement]:
    sizes = (250_000, 1_000_000) if quick else SIZES
    if not quick and ("--scale" in sys.argv or os.environ.get("ASSETKIT_BENCH_SCALE")):
        sizes = (*sizes, SCALE)
    return series(sizes)


def series(sizes: tuple[int, ...]) -> list[Measurement]:
    data = generate.DATA
    out: list[Measurement] = []
    previous: tuple[int, float, float] | None = None
    for n in sizes:
        path = generate.orders_csv(n)
        duck = [child("duckdb", data / "scale_duck.duckdb", [path], fresh=True) for _ in range(ROUNDS)]
        ours = [child("assetkit", data / "scale_ak.duckdb", [path], fresh=True) for _ in range(ROUNDS)]
        d = summarise([r["seconds"] for r in duck], [r["cpu"] for r in duck])
        a = summarise([r["seconds"] for r in ours], [r["cpu"] for r in ours])
        peak = max(r["peak_mib"] for r in ours)
        share = d.median / a.median
        notes = [f"{n / a.median:,.0f} rows/s = {share:.0%} of DuckDB's {n / d.median:,.0f} rows/s; "
                 f"peak {peak:,.0f} MiB; CPU {a.cpu:.1f} s vs DuckDB {d.cpu:.1f} s"]
        holds = None
        target = ""
        if previous is not None:
            rows_x = n / previous[0]
            ours_x, duck_x = a.median / previous[1], d.median / previous[2]
            notes.append(f"from {previous[0] / 1e6:g}M: rows ×{rows_x:g}, assetkit ×{ours_x:.2f}, DuckDB ×{duck_x:.2f}")
            if (previous[0], n) == (2_500_000, 10_000_000):
                target, holds = "2.5M → 10M within ×4.6; ≥ 35% of DuckDB at 10M; peak < 2 GB", (
                    ours_x <= 4.6 and share >= 0.35 and peak < TWO_GB_MIB)
            elif n >= 10_000_000:
                target, holds = "peak < 2 GB", peak < TWO_GB_MIB
        out.append(Measurement(f"scale: import {n / 1e6:g}M orders", a, "DuckDB read_csv CTAS", d,
                               target=target, holds=holds, notes=notes))
        previous = (n, a.median, d.median)
    return out


if __name__ == "__main__":
    for m in run(quick="--quick" in sys.argv):
        print(m)
