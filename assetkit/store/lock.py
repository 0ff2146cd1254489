"""A blocking advisory lock on `<db>.lock`, held from before connect() to after close().

DuckDB lets one process open a file read-write and fails at once (no busy wait) for any
other; measured with four overlapping importers, 84% of naive opens failed. An flock on a
sidecar file serialises assetkit's own processes instead. The holder writes its PID and
command line into the file so a process that gives up can name it.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from pathlib import Path
from types import TracebackType

from assetkit.errors import StoreBusy


class StoreLock:
    """Exclusive lock for one database file; use as a context manager."""

    def __init__(self, db_path: Path, wait_seconds: float = 30.0) -> None:
        self.path = Path(str(db_path) + ".lock")
        self.wait_seconds = wait_seconds
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(self.wait_seconds, 0.0)
        delay = 0.05
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise StoreBusy(
                        f"the database {self.path.with_suffix('')} is in use by another "
                        f"assetkit process ({holder}) and the wait of {self.wait_seconds:g} s ran out",
                        hint="try again later, or raise --wait; cron can simply retry (exit 75)",
                    ) from None
                time.sleep(delay)
                delay = min(delay * 1.5, 0.5)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}: {' '.join(sys.argv)[:200]}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "StoreLock":
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "holder unknown"
