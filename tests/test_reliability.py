"""Reliability: kills at random moments, overlapping runs, repeated inboxes.

Fast versions run in CI; `pytest --long` runs the long ones (200 kills, more repetitions).
Figures are reported in docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assetkit.store import open_store
from assetkit.store.maintenance import DATA_TABLES, check_database
from tests.helpers.paths import REPO, SAMPLES
from tests.helpers.pipeline import GOOD, make_pipeline

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def table_checksums(db: Path) -> dict[str, str]:
    """A content hash per canonical table, independent of row order."""
    with open_store(db) as store:
        out = {}
        for table in (*DATA_TABLES, "buyers", "buyer_identities"):
            rows = sorted(repr(r) for r in store.query(f"SELECT * FROM {table}"))
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return out


@pytest.mark.slow
def test_same_inbox_three_times_gives_identical_tables(run_cli, tmp_path: Path) -> None:
    pipeline = make_pipeline(tmp_path, with_outputs=False)
    sums = []
    for _ in range(3):
        for name in GOOD:  # the same exports land again
            shutil.copy(SAMPLES / name, tmp_path / "inbox" / name)
        assert run_cli("run", str(pipeline), cwd=tmp_path).returncode == 0
        sums.append(table_checksums(tmp_path / "assetkit.duckdb"))
    assert sums[0] == sums[1] == sums[2]
    with open_store(tmp_path / "assetkit.duckdb") as store:
        assert check_database(store).ok
        (batches,) = store.query("SELECT count(*) FROM import_batches")[0]
        (dups_later,) = store.query(
            "SELECT sum(rows_loaded) FROM import_batches WHERE batch_id > (SELECT min(batch_id) + ? FROM import_batches)",
            [len(GOOD) - 1])[0]
    assert batches == 3 * len(GOOD) and dups_later == 0


def test_four_concurrent_runs_import_every_file_exactly_once(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    rounds = 3 if request.config.getoption("--long") else 1
    for round_no in range(rounds):
        root = tmp_path / f"r{round_no}"
        pipeline = make_pipeline(root, with_outputs=False)
        procs = [subprocess.Popen([sys.executable, "-m", "assetkit", "run", str(pipeline), "--wait", "120"],
                                  cwd=root, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        outputs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1][-500:] for o in outputs]
        assert all("Traceback" not in err and "IO Error" not in err for _, err in outputs)
        with open_store(root / "assetkit.duckdb") as store:
            names = [n for (n,) in store.query("SELECT file_name FROM import_batches ORDER BY 1")]
            assert check_database(store).ok
        assert names == sorted(GOOD)  # each file once: no batch twice, none lost
        archived = sorted(p.name for p in (root / "archive").rglob("*") if p.is_file())
        assert archived == sorted(GOOD)


def _kill_once(root: Path, rng: random.Random, pipeline: Path) -> str:
    proc = subprocess.Popen([sys.executable, "-m", "assetkit", "run", str(pipeline)], cwd=root, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.05, 2.5))
    state = "finished" if proc.poll() is not None else "killed"
    if state == "killed":
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return state


@pytest.mark.slow
def test_sigkill_at_random_moments_never_leaves_a_partial_batch(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    kills = 200 if request.config.getoption("--long") else 20
    rng = random.Random(20261124)
    pipeline = make_pipeline(tmp_path, with_outputs=False)
    db = tmp_path / "assetkit.duckdb"
    killed = 0
    for _ in range(kills):
        # refill the inbox so every attempt has work to be interrupted in
        for name in GOOD:
            if not (tmp_path / "inbox" / name).exists():
                shutil.copy(SAMPLES / name, tmp_path / "inbox" / name)
        killed += _kill_once(tmp_path, rng, pipeline) == "killed"
        if db.exists():
            with open_store(db, wait_seconds=10) as store:
                result = check_database(store)
                assert result.ok, result.problems
    # After all the kills, a clean run completes with exact counts: every file once in the data.
    for name in GOOD:
        shutil.copy(SAMPLES / name, tmp_path / "inbox" / name)
    final = subprocess.run([sys.executable, "-m", "assetkit", "run", str(pipeline)], cwd=tmp_path, env=ENV,
                           capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-500:]
    reference = tmp_path / "ref"
    ref_pipeline = make_pipeline(reference, with_outputs=False)
    subprocess.run([sys.executable, "-m", "assetkit", "run", str(ref_pipeline)], cwd=reference, env=ENV,
                   check=True, capture_output=True, timeout=300)
    ours, theirs = table_checksums(db), table_checksums(reference / "assetkit.duckdb")
    for table in ("orders", "order_items", "fees", "inquiries"):
        with open_store(db) as a, open_store(reference / "assetkit.duckdb") as b:
            count = f"SELECT count(*) FROM {table}"
            assert a.query(count) == b.query(count), table
    assert killed >= kills // 4, f"only {killed} of {kills} attempts were interrupted mid-run"
    assert set(ours) == set(theirs)
