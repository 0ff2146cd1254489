"""`make bench`: run every benchmark and append one dated entry to bench/RESULTS.md.

Usage: python bench/run_all.py [--quick] [--only NAME ...]
--quick uses smaller inputs (1M instead of 10M rows) for a fast check; the full run is the
one that decides whether a target holds at the scale the issue names.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from harness import append_results  # noqa: E402

BENCHMARKS = ("bench_startup", "bench_scenario")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()
    measurements, notes = [], []
    for name in BENCHMARKS:
        if args.only and not any(o in name for o in args.only):
            continue
        module = importlib.import_module(name)
        print(f"running {name} …", flush=True)
        try:
            measurements += module.run(quick=args.quick)
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the others
            notes.append(f"{name} failed: {type(exc).__name__}: {exc}")
    entry = append_results("quick run" if args.quick else "full run", measurements, notes)
    print(entry)


if __name__ == "__main__":
    main()
