"""The store lock: filelock-based (no fcntl, no os.pread/pwrite), so it imports on Windows;
concurrent holders take turns and a waiter that gives up names the holder."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assetkit.errors import StoreBusy
from assetkit.store.lock import StoreLock

REPO = Path(__file__).resolve().parents[1]


def test_lock_module_imports_without_posix_only_modules() -> None:
    """Windows has no fcntl; os.pread/os.pwrite do not exist there either."""
    code = textwrap.dedent("""
        import os, sys
        sys.modules["fcntl"] = None  # an import of fcntl now fails, as on Windows
        del os.pread, os.pwrite
        from assetkit.store.lock import StoreLock
        print("imported")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr


def test_a_second_holder_waits_then_names_the_first(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    with StoreLock(db, wait_seconds=0) as first:
        assert first.holder().startswith(f"pid {os.getpid()}:")
        code = ("from assetkit.store.lock import StoreLock; from pathlib import Path; import sys\n"
                f"StoreLock(Path({str(db)!r}), wait_seconds=0.3).acquire()")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        assert "StoreBusy" in done.stderr and f"pid {os.getpid()}" in done.stderr
        with pytest.raises(StoreBusy, match=f"pid {os.getpid()}"):
            StoreLock(db, wait_seconds=0.1).acquire()  # a second lock in the same process waits too
    with StoreLock(db, wait_seconds=0):  # released: free again, and the holder line is gone
        pass
    assert not (tmp_path / "x.duckdb.lock.holder").exists()


def test_holders_take_turns(tmp_path: Path) -> None:
    """Four processes append to one file under the lock: no interleaving, nobody gives up."""
    db, log = tmp_path / "x.duckdb", tmp_path / "log.txt"
    code = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from assetkit.store.lock import StoreLock
        with StoreLock(Path({str(db)!r}), wait_seconds=60):
            with open({str(log)!r}, "a") as fh:
                fh.write(f"start {{os.getpid()}}\\n"); fh.flush(); time.sleep(0.2)
                fh.write(f"end {{os.getpid()}}\\n")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)})
             for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    lines = log.read_text().splitlines()
    assert len(lines) == 8
    for start, end in zip(lines[::2], lines[1::2]):
        assert start.split()[0] == "start" and end == "end " + start.split()[1]
