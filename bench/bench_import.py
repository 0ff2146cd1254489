"""Import benchmark: assetkit vs DuckDB's own read_csv into a table, same file, same run.

    PYTHONPATH=. python bench/bench_import.py --rows 1000000 [--rows 10000000] [--seed 7]

Generates a seeded generic orders CSV (order id, date, buyer, email, country, product,
quantity, amount, currency, fee, status; heavy-tailed buyers) under bench/data/, then times
(1) DuckDB `CREATE TABLE t AS SELECT * FROM read_csv(file)` into a fresh database file,
(2) `assetkit import` (library call, fresh database) and (3) a re-import of the same file.
Peak memory is each child process's ru_maxrss (resource module), so every measurement runs
in its own process. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def generate(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    buyers = max(rows // 50, 10)
    countries = ["US", "DE", "GB", "IN", "CN", "JP", "AU", "CA", "FR", "BR"]
    products = ["LED Panel", "Copper Bottle", "Steel Flask", "Ceramic Mug", "Vase, Large"]
    currencies = ["USD", "USD", "USD", "EUR", "GBP", "INR"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("order_id,order_date,buyer_id,buyer_email,buyer_country,product,quantity,amount,currency,fee,status\n")
        chunk = []
        for i in range(rows):
            b = int(buyers * rng.paretovariate(1.2)) % buyers
            day = rng.randrange(0, 1400)
            y, doy = 2022 + day // 365, day % 365
            m, d = 1 + doy // 31 % 12, 1 + doy % 28
            chunk.append(f"A{i:09d},{y}-{m:02d}-{d:02d},b{b},buyer{b}@example.com,{countries[b % 10]},"
                         f"\"{products[i % 5]}\",{1 + i % 9},{rng.randrange(500, 500000) / 100:.2f},"
                         f"{currencies[b % 6]},{rng.randrange(0, 5000) / 100:.2f},"
                         f"{'cancelled' if i % 40 == 0 else 'completed'}\n")
            if len(chunk) >= 100_000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))


CHILD = r'''
import json, resource, sys, time
from pathlib import Path
mode, data, db = sys.argv[1], sys.argv[2], sys.argv[3]
t, c = time.perf_counter(), time.process_time()
if mode == "duckdb":
    import duckdb
    con = duckdb.connect(db)
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [data])
    con.execute("CHECKPOINT")
    n = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    out = {"rows": n}
else:
    from assetkit.store import open_store
    from assetkit.importers import import_paths
    with open_store(db) as store:
        if mode == "reimport":
            import_paths(store, [data])
            t, c = time.perf_counter(), time.process_time()
        (r,) = import_paths(store, [data])
    assert r.ok, r.error
    out = {"rows": r.rows_read, "loaded": r.loaded, "duplicate": r.duplicate, "rejected": r.rejected}
out["seconds"] = time.perf_counter() - t
out["cpu"] = time.process_time() - c  # every thread of the process: comparable on a busy machine
out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
'''


def child(mode: str, data: Path, db: Path, repo: Path = REPO) -> dict:
    for suffix in ("", ".wal", ".lock"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(data), str(db)], capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"}, cwd=repo)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repo", type=Path, action="append",
                        help="assetkit checkout(s) to time (default: this one); several compare in one run")
    args = parser.parse_args()
    data_dir = HERE / "data"
    data_dir.mkdir(exist_ok=True)
    for rows in args.rows or [1_000_000]:
        data = data_dir / f"orders_{rows}_{args.seed}.csv"
        if not data.exists():
            t = time.perf_counter()
            generate(data, rows, args.seed)
            print(f"generated {data.name} ({data.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.1f} s")
        duck = child("duckdb", data, data_dir / "duck.duckdb")
        print(f"rows={rows:,}")
        print(f"  duckdb read_csv CTAS : {duck['seconds']:.2f} s (cpu {duck['cpu']:.2f} s)  "
              f"{rows / duck['seconds']:,.0f} rows/s  peak {duck['peak_mib']:.0f} MiB")
        for repo in args.repo or [REPO]:
            ours = child("assetkit", data, data_dir / "ak.duckdb", repo)
            again = child("reimport", data, data_dir / "ak2.duckdb", repo)
            print(f"  [{repo}]")
            print(f"  assetkit import      : {ours['seconds']:.2f} s (cpu {ours['cpu']:.2f} s)  "
                  f"{rows / ours['seconds']:,.0f} rows/s  peak {ours['peak_mib']:.0f} MiB"
                  f"  loaded={ours['loaded']:,} duplicate={ours['duplicate']:,} rejected={ours['rejected']:,}")
            print(f"  assetkit re-import   : {again['seconds']:.2f} s (cpu {again['cpu']:.2f} s)  "
                  f"({again['seconds'] / ours['seconds']:.0%} of first import)  duplicate={again['duplicate']:,}"
                  f"  peak {again['peak_mib']:.0f} MiB")
            print(f"  throughput ratio     : {duck['seconds'] / ours['seconds']:.0%} of DuckDB wall, "
                  f"{duck['cpu'] / ours['cpu']:.0%} of DuckDB cpu (target >= 50%)")

if __name__ == "__main__":
    main()
