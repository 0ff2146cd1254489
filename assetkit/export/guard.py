"""Where an output may not go: over the database, its WAL or lock, the configuration, or an
input file; and a folder that is replaced whole must be one assetkit wrote.

`report --out assetkit.duckdb` once replaced the database with HTML, and `export tables DIR`
deleted whatever DIR held. Every writer that takes a user-chosen path asks `refuse_protected`
first, and every writer that replaces a folder asks `check_replaceable_dir`; both raise a
UsageError naming what would have been lost, before anything is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from assetkit.errors import UsageError

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config


def protected_paths(con: duckdb.DuckDBPyConnection | None, config: Config | None = None,
                    extra: Iterable[tuple[Path, str]] = ()) -> list[tuple[Path, str]]:
    """(path, what it is) for every file an output must never replace."""
    found: list[tuple[Path, str]] = list(extra)
    if con is not None:
        row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
        if row and row[0]:
            found += database_files(Path(row[0]))
        try:
            sources = con.execute("SELECT DISTINCT source_path FROM import_batches").fetchall()
        except Exception:  # noqa: BLE001 - a database without the table has no inputs yet
            sources = []
        found += [(Path(p), "an imported input file") for (p,) in sources if p]
    if config is not None and config.path is not None:
        found.append((config.path, "the configuration file"))
    return found


def database_files(db: Path) -> list[tuple[Path, str]]:
    """The database file and the files DuckDB and assetkit keep beside it."""
    return [(db, "the database"), (Path(f"{db}.wal"), "the database's write-ahead log"),
            (Path(f"{db}.lock"), "the database's lock file")]


def refuse_protected(target: Path, protected: Iterable[tuple[Path, str]], *, folder: bool = False,
                     option: str = "the output") -> None:
    """UsageError when writing `target` would replace a protected file (or, for a folder
    replaced whole, when one lies inside it or it is the current folder)."""
    target_real = _real(target)
    if folder:
        cwd = Path.cwd().resolve()
        if cwd == target_real or cwd.is_relative_to(target_real):
            raise UsageError(f"{option} {target} is the current folder (or holds it); assetkit replaces that "
                             "folder whole and will not replace the one you are in",
                             hint="name a new sub-folder, e.g. ./tables")
    for path, what in protected:
        real = _real(path)
        if real == target_real or (folder and real.is_relative_to(target_real)):
            where = "is" if real == target_real else "holds"
            raise UsageError(f"refusing to write {option} {target}: it {where} {what} ({path})",
                             hint="choose another output path; assetkit never writes over its database, "
                                  "configuration or input files")


def _real(path: Path) -> Path:
    """The absolute path with symlinks resolved (as far as they exist)."""
    return Path(os.path.realpath(os.path.abspath(path)))


def check_replaceable_dir(out_dir: Path, marker: str, example: str, legacy_names: frozenset[str] = frozenset()) -> None:
    """A folder assetkit replaces whole must be new, empty, or marked as written by assetkit
    (or hold only `legacy_names`: what assetkit wrote there before it wrote markers); a
    symbolic link is refused (replacing it would drop the link, and removing the old folder
    would follow it)."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise UsageError(f"{out_dir} is a symbolic link; assetkit replaces this folder whole and does not "
                         "follow links", hint=f"point the output at a real folder, e.g. {example}")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} exists and is not a folder", hint=f"choose a folder, e.g. {example}")
    if out_dir.exists() and not (out_dir / marker).is_file() and not _only(out_dir, legacy_names):
        raise UsageError(f"{out_dir} is not empty and was not written by assetkit; refusing to replace it",
                         hint=f"choose a new or empty folder, e.g. {example}")


def _only(folder: Path, names: frozenset[str]) -> bool:
    """True when `folder` holds nothing but plain files named in `names` (or nothing)."""
    return all(entry.name in names and entry.is_file() and not entry.is_symlink() for entry in folder.iterdir())
