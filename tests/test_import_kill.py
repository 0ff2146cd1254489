"""All or nothing: SIGKILL an import mid-way, reopen, and find no partial batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.paths import REPO

ROWS = 150_000


def write_orders(path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("order_id,order_date,buyer_id,buyer_email,amount,currency,fee,status\n")
        fh.writelines(f"K{i},2024-{1 + i % 12:02d}-{1 + i % 28:02d},u{i % 5000},u{i % 5000}@example.com,"
                      f"{i % 997}.{i % 100:02d},USD,{i % 7}.50,paid\n" for i in range(ROWS))


def consistent(db: Path) -> tuple[int, int]:
    from assetkit.store import open_store

    with open_store(db, wait_seconds=10) as store:
        batches = store.query("SELECT batch_id, rows_loaded FROM import_batches")
        for batch_id, loaded in batches:
            assert store.query("SELECT count(*) FROM orders WHERE batch_id = ?", [batch_id])[0][0] == loaded
        orphans = store.query("SELECT count(*) FROM orders WHERE batch_id NOT IN (SELECT batch_id FROM import_batches)")
        assert orphans == [(0,)]
        assert store.query("SELECT count(*) FROM fees WHERE batch_id NOT IN (SELECT batch_id FROM import_batches)") == [(0,)]
        assert store.query("SELECT count(*) FROM buyers WHERE batch_id NOT IN (SELECT batch_id FROM import_batches)") == [(0,)]
        return len(batches), store.query("SELECT count(*) FROM orders")[0][0]


@pytest.mark.slow
def test_sigkill_mid_import_leaves_nothing_partial(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    write_orders(data)
    db = tmp_path / "k.duckdb"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = 0
    for delay in (0.2, 0.6, 1.2):
        proc = subprocess.Popen([sys.executable, "-m", "assetkit", "--db", str(db), "import", str(data)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lock = Path(str(db) + ".lock.holder")  # StoreLock names its holder there
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (lock.exists() and f"pid {proc.pid}" in lock.read_text(errors="ignore")):
            time.sleep(0.02)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait()
        batches, orders = consistent(db)
        # All or nothing: no order until a run completes; after that, later runs only add
        # re-import batches that load nothing (an import may now finish before the kill).
        assert orders in (0, ROWS)
        assert (orders == 0) == (batches == 0)
    assert killed >= 1
    done = subprocess.run([sys.executable, "-m", "assetkit", "--db", str(db), "import", str(data)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert consistent(db)[1] == ROWS
