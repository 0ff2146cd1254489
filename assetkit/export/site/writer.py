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
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from assetkit.atomic import chmod_like_new, replace_dir_atomic
from assetkit.errors import AssetkitError
from assetkit.export.guard import check_replaceable_dir, refuse_protected

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


def write_tree(out_dir: Path, files: Mapping[str, str | bytes], flavor: str,
               protected: Iterable[tuple[Path, str]] = ()) -> None:
    """Write `files` ({posix relative path: content}) as the new content of `out_dir`;
    `protected` files (the database, the configuration …) may not lie inside it."""
    out_dir = Path(out_dir)
    refuse_protected(out_dir, protected, folder=True, option="the site folder")
    check_replaceable_dir(out_dir, MARKER, "assetkit export site ./site")
    target = Path(os.path.abspath(out_dir))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for rel, content in files.items():
            path = _target(staging, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        (staging / MARKER).write_text(f"written by assetkit export site --flavor {flavor}\n", encoding="utf-8")
        chmod_like_new(staging, folder=True)
        replace_dir_atomic(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
