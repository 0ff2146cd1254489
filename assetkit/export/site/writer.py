"""Write a generated site atomically, and never outside its folder.

Files go to a temporary sibling folder; only when all are written is the folder renamed into
place (the previous site, if any, is moved aside first and removed afterwards), so a crash
leaves either the old site or the new one. A marker file identifies folders assetkit wrote:
an existing non-empty folder without it is refused rather than replaced, so `export site ~`
cannot wipe a home directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from assetkit.errors import AssetkitError, UsageError

MARKER = ".assetkit-site"


def _target(root: Path, rel: str) -> Path:
    """`root/rel`, refusing absolute paths, `..` parts and anything resolving outside root."""
    parts = rel.split("/")
    if not rel or PurePosixPath(rel).is_absolute() or any(p in ("..", "", ".") for p in parts) or "\\" in rel:
        raise AssetkitError(f"refusing to write {rel!r}: not a plain path inside the site folder")
    path = root.joinpath(*parts)
    if not path.resolve().is_relative_to(root.resolve()):
        raise AssetkitError(f"refusing to write {rel!r}: it resolves outside the site folder")
    return path


def write_tree(out_dir: Path, files: Mapping[str, str | bytes], flavor: str) -> None:
    """Write `files` ({posix relative path: content}) as the new content of `out_dir`."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} exists and is not a folder")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise UsageError(f"{out_dir} is not empty and was not written by assetkit; refusing to replace it",
                         hint="choose a new or empty folder, e.g. assetkit export site ./site")
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    try:
        for rel, content in files.items():
            path = _target(staging, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        (staging / MARKER).write_text(f"written by assetkit export site --flavor {flavor}\n", encoding="utf-8")
        os.chmod(staging, 0o755)
        _swap(staging, out_dir.resolve())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except OSError:
        if old is not None:
            os.rename(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
