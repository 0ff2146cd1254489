"""`make bench`: run every benchmark and append one dated entry to bench/RESULTS.md.

Usage: PYTHONPATH=. python bench/run_all.py [--quick] [--only NAME ...] [--scale]
--quick uses smaller inputs (1M instead of 10M rows, 100k instead of 100k + 1M buyers) for a
fast check; the full run is the one that decides whether a target holds at the scale the issue
names. Inputs come from bench/generate.py, cached in bench/data/ by seed and size. The machine
may be shared, so the entry records the load average and CPU time around each benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # assetkit from this checkout
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from harness import append_results, cpu_seconds, load

BENCHMARKS = ("bench_startup", "bench_scenario", "bench_clv", "bench_economics", "bench_cohorts", "bench_import", "bench_scale",
              "bench_leadmodel", "bench_workbook", "bench_reconcile")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--scale", action="store_true", help="bench_scale also imports 40M rows")
    args = parser.parse_args()
    if args.scale:
        os.environ["ASSETKIT_BENCH_SCALE"] = "1"
    measurements, notes = [], []
    for name in BENCHMARKS:
        if args.only and not any(o in name for o in args.only):
            continue
        print(f"running {name} …", flush=True)
        before, wall, cpu = load(), time.perf_counter(), cpu_seconds()
        try:
            measurements += importlib.import_module(name).run(quick=args.quick)
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the others
            notes.append(f"{name} failed: {type(exc).__name__}: {exc}")
        notes.append(f"{name}: load average (1/5/15 min) {before} at start, {load()} at end; "
                     f"{time.perf_counter() - wall:.0f} s wall, {cpu_seconds() - cpu:.0f} s CPU in total")
    title = "quick run" if args.quick else "full run"
    if args.only:
        title += " (only " + ", ".join(args.only) + ")"
    entry = append_results(title, measurements, notes)
    print(entry)


if __name__ == "__main__":
    main()
