"""Write outputs so that a reader never sees half of them (cron refreshes reports in place).

Files and folders get the permissions the user's umask gives new files (reports, CRM files
and drafts hold customer data: a umask of 077 keeps them private); the temporary files
`mkstemp`/`mkdtemp` create are 0600/0700 whatever the umask, so the mode is set explicitly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows (/proc), else by the
    classic set-and-restore."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def chmod_like_new(path: Path | str, folder: bool = False) -> None:
    """Give `path` the mode a newly created file (0666) or folder (0777) gets under the umask."""
    os.chmod(path, (0o777 if folder else 0o666) & ~current_umask())


def write_text_atomic(path: Path, text: str) -> Path:
    """Write to a temporary file in the same folder, fsync, then rename over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        chmod_like_new(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def replace_dir_atomic(built: Path, target: Path) -> Path:
    """Swap a fully built folder into place: the old one is renamed away, then removed.

    A rename of a folder over a non-empty folder is not possible on POSIX, so the window in
    which `target` is missing is two renames long; it never holds a partial tree. The old
    folder goes to a fresh unique name (a leftover from a killed run is never in the way),
    and a failed swap puts it back. Callers refuse a symbolic link `target` first
    (guard.check_replaceable_dir).
    """
    built, target = Path(built), Path(target)
    old: Path | None = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
    try:
        os.rename(built, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        if old.is_symlink():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)
    return target
