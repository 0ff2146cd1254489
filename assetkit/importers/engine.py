"""The import engine: every file in one transaction, every row accounted for.

For each file: stage its records (reading.py), load them into the canonical tables, in
slices when the file is big (pipeline.py: typing, identity, staging and inserting), record
the quarantined rows and the batch. Counting invariant, per file:
`rows_read = loaded + duplicate + rejected + skipped`, where skipped rows are ones the
profile declares structural (a settlement summary row, a bank transfer) and a row that no
output takes and no rule skips is quarantined, never dropped. Files are independent: each
has its own batch, temp tables and transaction; one failing file does not stop the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit import __version__
from assetkit.config import Config
from assetkit.errors import AssetkitError, SourceError
from assetkit.importers import dates, fx, money, parsing, pipeline, plausibility, reconcile, refunds
from assetkit.importers.plausibility import ImportWarning
from assetkit.importers.reading import FAST_MIN_BYTES, Irregular, load_raw, sha256_of
from assetkit.importers.reconcile import Reconciliation
from assetkit.importers.selection import select_profiles
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    from assetkit.store import Store

SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
REJECT_SAMPLE = 20
# Up to this many records, DuckDB's optimizer costs more than it saves: planning the engine's
# wide generated statements is most of a small file's import time (~30% less CPU for the demo).
SMALL_FILE_ROWS = 2000
# DuckDB's memory cap while importing (env ASSETKIT_IMPORT_MEMORY overrides): big files spill.
IMPORT_MEMORY = "1GB"


@dataclass
class RejectedRow:
    line: int
    column: str | None
    raw: str | None
    reason: str


@dataclass
class FileResult:
    """What happened to one file (also for --dry-run and for failures)."""

    path: str
    profile: str | None = None
    platform: str | None = None
    kind: str | None = None
    batch_id: int | None = None
    rows_read: int = 0
    loaded: int = 0
    duplicate: int = 0
    rejected: int = 0
    skipped: int = 0
    fx_missing: int = 0
    new_buyers: int = 0
    reused_batch: int | None = None  # set when the same bytes were imported before (no re-parse)
    encoding: str | None = None
    dry_run: bool = False
    error: str | None = None
    hint: str | None = None
    rejects: list[RejectedRow] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)  # plausibility.py: loaded, but look
    reconciliations: list[Reconciliation] = field(default_factory=list)  # reconcile.py: the file's own totals

    @property
    def mismatches(self) -> list[Reconciliation]:
        return [r for r in self.reconciliations if not r.ok]

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given (a missing one fails in its own result); folders recurse (sorted) to the
    supported file types."""
    out: list[Path] = []
    for p in paths:
        out.extend(scan_paths([p])[0] if p.is_dir() else [p])
    return out


def scan_paths(paths: list[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """(files to import, files in folders skipped for their type, paths that do not exist).

    Files named directly are imported whatever their suffix (the reader says what is wrong);
    inside folders only the supported types are, and the others are returned so the user
    hears about a `.xls` or `.pdf` that was passed over.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    missing: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            files.extend(f for f in found if f.suffix.lower() in SUFFIXES)
            skipped.extend(f for f in found if f.suffix.lower() not in SUFFIXES)
        elif p.exists():
            files.append(p)
        else:
            missing.append(p)
    return files, skipped, missing


# Why a file type is passed over, for the message that names skipped files.
SKIP_REASONS = {".pdf": "PDF: download the CSV export instead",
                ".zip": "unzip it first", ".gz": "unpack it first"}


def _reporting(config: Config | None, reporting_currency: str | None) -> str:
    return reporting_currency or (config or Config()).reporting_currency


def import_paths(store: Store, paths: list[Path | str], platform: str | None = None,
                 kind: str | None = None, mapping: Path | str | None = None, encoding: str | None = None,
                 strict: bool = False, store_name: str | None = None, dry_run: bool = False, config: Config | None = None,
                 reporting_currency: str | None = None, fast_min_bytes: int = FAST_MIN_BYTES,
                 chunk_rows: int = pipeline.CHUNK_ROWS, progress: Callable[[Path], None] | None = None,
                 slice_progress: Callable[[int, int], None] | None = None) -> list[FileResult]:
    """Import files and folders; one FileResult per file, failures recorded, not raised.
    `progress(path)` is called as each file starts, `slice_progress(done, total)` as each
    slice of a big file's records is in (a terminal's progress bar)."""
    candidates = select_profiles(platform, kind, Path(mapping) if mapping else None, store_name)
    rc = _reporting(config, reporting_currency)
    files = expand_paths([Path(p) for p in paths])
    results = []
    with _session(store.con) as uncapped:
        for path in files:
            if progress:
                progress(path)
            try:
                results.append(_import_capped(store, uncapped, path, candidates, encoding, strict, dry_run, rc,
                                              fast_min_bytes, chunk_rows, slice_progress))
            except AssetkitError as exc:
                results.append(FileResult(str(path), error=str(exc), hint=exc.hint, dry_run=dry_run))
    if not dry_run and any(r.ok for r in results):
        store.checkpoint()
    return results


def import_file(store: Store, path: Path | str, **options: Any) -> FileResult:
    """Import one file; raises the AssetkitError instead of recording it."""
    platform, kind, mapping = options.pop("platform", None), options.pop("kind", None), options.pop("mapping", None)
    candidates = select_profiles(platform, kind, Path(mapping) if mapping else None, options.pop("store_name", None))
    rc = _reporting(options.pop("config", None), options.pop("reporting_currency", None))
    with _session(store.con) as uncapped:
        result = _import_capped(store, uncapped, Path(path), candidates, options.get("encoding"),
                                options.get("strict", False), options.get("dry_run", False), rc,
                                options.get("fast_min_bytes", FAST_MIN_BYTES),
                                options.get("chunk_rows", pipeline.CHUNK_ROWS), options.get("slice_progress"))
    if not result.dry_run:
        store.checkpoint()
    return result


@contextlib.contextmanager
def _session(con: Any) -> Iterator[str]:
    """Run-wide set-up, outside any file's transaction (a rolled-back file must not take it
    along): the engine's SQL macros, created once per run instead of per file (~15 ms a
    file), and a memory cap so a big file spills to DuckDB's temp directory instead of
    growing with the file (10M rows otherwise need many GB); the cap is only ever lowered
    and is restored afterwards. Yields the limit from before the cap."""
    money.install(con)
    dates.install(con)
    parsing.install(con)
    before = scalar(con, "SELECT current_setting('memory_limit')")
    cap = os.environ.get("ASSETKIT_IMPORT_MEMORY", IMPORT_MEMORY)
    con.execute("SET memory_limit = ?", [cap])
    lowered = scalar(con, "SELECT current_setting('memory_limit')")
    if _bytes(lowered) > _bytes(before):
        con.execute("SET memory_limit = ?", [before])
    try:
        yield before
    finally:
        # The setting reads back rounded: RESET restores the default exactly, SET the rest.
        con.execute("RESET memory_limit")
        if scalar(con, "SELECT current_setting('memory_limit')") != before:
            con.execute("SET memory_limit = ?", [before])


def _bytes(setting: str) -> float:
    number, unit = setting.split()
    return float(number) * 1024 ** ("B KiB MiB GiB TiB".split().index(unit))


def _import_capped(store: Store, uncapped: str, path: Path, *args: Any) -> FileResult:
    """`_import_one` under the run's memory cap; a file DuckDB cannot fit under it (it
    rolled back whole) runs once more with the memory DuckDB had before the cap."""
    import duckdb

    try:
        return _import_read(store, path, *args)
    except duckdb.OutOfMemoryException:
        cap = scalar(store.con, "SELECT current_setting('memory_limit')")
        store.con.execute("SET memory_limit = ?", [uncapped])
        try:
            return _import_read(store, path, *args)
        finally:
            store.con.execute("SET memory_limit = ?", [cap])


def _import_read(store: Store, path: Path, *args: Any) -> FileResult:
    """`_import_one`; a big file read line by line in chunks whose later chunk turns out to
    hold a record over several lines (the earlier chunks' rows rolled back with the file) is
    imported again, read record by record."""
    try:
        return _import_one(store, path, *args)
    except Irregular:
        candidates, encoding, strict, dry_run, rc, _fast, chunk_rows, slice_progress = args
        return _import_one(store, path, candidates, encoding, strict, dry_run, rc, sys.maxsize, chunk_rows,
                           slice_progress)


def _import_one(store: Store, path: Path, candidates: list, encoding: str | None, strict: bool,
                dry_run: bool, rc: str, fast_min_bytes: int, chunk_rows: int,
                slice_progress: Callable[[int, int], None] | None) -> FileResult:
    if not path.exists():
        raise SourceError("file not found", path=str(path))
    con = store.con
    started = dt.datetime.now(dt.UTC)
    result = FileResult(str(path), dry_run=dry_run)
    try:
        with store.transaction():
            fx.ensure_seed(con)
            _run(store, path, candidates, encoding, strict, rc, fast_min_bytes, chunk_rows, slice_progress, started,
                 result)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    finally:
        con.execute("PRAGMA enable_optimizer")
        pipeline.drop_temp(con)
    return result


def _run(store: Store, path: Path, candidates: list, encoding: str | None, strict: bool, rc: str,
         fast_min_bytes: int, chunk_rows: int, slice_progress: Callable[[int, int], None] | None,
         started: dt.datetime, result: FileResult) -> None:
    con = store.con
    try:
        digest = sha256_of(path)
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror}", path=str(path)) from None
    if _reuse(con, path, candidates, digest, strict, started, result):
        return
    raw = load_raw(con, path, candidates, encoding, fast_min_bytes, digest, pipeline.typing,
                   lambda profile: chunk_rows if pipeline.sliceable(profile) else None)
    if raw.rows <= SMALL_FILE_ROWS:
        con.execute("PRAGMA disable_optimizer")  # same results, planned faster; re-enabled after the file
    profile = raw.profile
    result.profile, result.platform, result.kind, result.encoding = profile.name, profile.platform, profile.kind, raw.encoding
    batch_id = int(scalar(con, "SELECT nextval('batch_id_seq')"))
    result.batch_id = batch_id
    out = pipeline.load_records(con, raw, batch_id, rc, strict, raw.rows <= SMALL_FILE_ROWS, chunk_rows,
                                slice_progress)
    refunds.apply(con, batch_id)
    result.reconciliations = reconcile.finish(con, profile, batch_id, strict, str(path))
    out.rejected -= _forget_known_rejects(con, profile.name, digest, path.name)
    read = raw.rows + len(raw.rejects)
    result.rows_read, result.loaded, result.rejected, result.skipped = read, out.loaded, out.rejected, out.skipped
    result.duplicate = read - result.loaded - result.rejected - result.skipped
    result.fx_missing, result.new_buyers = out.fx_missing, out.new_buyers
    result.rejects = [RejectedRow(*r) for r in con.execute(
        f"SELECT line, column_name, raw, reason FROM ak_rejall ORDER BY line LIMIT {REJECT_SAMPLE}").fetchall()]
    con.execute(f"INSERT INTO rejects SELECT {batch_id}, line, column_name, raw, reason FROM ak_rejall")
    result.warnings = plausibility.check_batch(con, batch_id, out.date_repairs)
    _record_batch(con, path, digest, started, result)


def _forget_known_rejects(con: Any, profile: str, digest: str, file_name: str) -> int:
    """Drop from this file's rejects the rows an earlier import of the same file (same bytes,
    or the same file name, read by the same profile) already quarantined: the same line with
    the same value and reason. They count as duplicates, so importing a folder again adds no
    reject (67 bad rows stayed 67, not 134); returns how many were dropped."""
    known = ("SELECT r.line, r.column_name, r.raw, r.reason FROM rejects r JOIN import_batches b USING (batch_id) "
             "WHERE b.profile = $profile AND (b.sha256 = $digest OR b.file_name = $name)")
    params = {"profile": profile, "digest": digest, "name": file_name}
    repeated = int(scalar(con, f"SELECT count(*) FROM ak_rejall a SEMI JOIN ({known}) k ON k.line = a.line "
                               "AND k.reason = a.reason AND k.raw IS NOT DISTINCT FROM a.raw "
                               "AND k.column_name IS NOT DISTINCT FROM a.column_name", params))
    if repeated:
        con.execute(f"CREATE OR REPLACE TEMP TABLE ak_rejall AS SELECT * FROM ak_rejall a ANTI JOIN ({known}) k "
                    "ON k.line = a.line AND k.reason = a.reason AND k.raw IS NOT DISTINCT FROM a.raw "
                    "AND k.column_name IS NOT DISTINCT FROM a.column_name", params)
    return repeated


def _reuse(con: Any, path: Path, candidates: list, digest: str, strict: bool, started: dt.datetime,
           result: FileResult) -> bool:
    """Record a re-import of bytes already imported, without parsing them again.

    The same bytes read by the same profile of the same assetkit version give the same rows,
    so every row the earlier batch loaded, found duplicate or quarantined is a duplicate now
    (its rejects are already stored: a re-import adds none, as a full re-import's
    `_forget_known_rejects` would give) and its skipped rows are skipped again. Only built-in profiles qualify (a user
    mapping may change under the same name), and the earlier profile must be one this run
    may use; --strict with earlier rejects takes the full path to report them, and so does a
    run that names its store.
    """
    # A run naming its store (--store) may key the same bytes differently: parsed afresh.
    names = [p.name for p in candidates if not p.name.startswith("mapping:") and p.store is None]
    if not names:
        return False
    row = con.execute(
        "SELECT batch_id, profile, platform, kind, encoding, rows_read, rows_loaded, rows_duplicate, rows_rejected "
        "FROM import_batches WHERE sha256 = ? AND assetkit_version = ? AND list_contains(?, profile) "
        "ORDER BY batch_id DESC LIMIT 1", [digest, __version__, names]).fetchone()
    if row is None or (strict and (row[8] or any(not r.ok for r in reconcile.stored(con, int(row[0]))))):
        return False
    earlier, result.profile, result.platform, result.kind, result.encoding, read, loaded, duplicate, rejected = row
    batch_id = int(scalar(con, "SELECT nextval('batch_id_seq')"))
    result.batch_id, result.reused_batch = batch_id, int(earlier)
    result.rows_read, result.duplicate = int(read), int(loaded + duplicate + rejected)
    result.skipped = result.rows_read - result.duplicate
    _record_batch(con, path, digest, started, result)
    result.reconciliations = reconcile.copy(con, int(earlier), batch_id)
    return True


def _record_batch(con: Any, path: Path, digest: str, started: dt.datetime, result: FileResult) -> None:
    con.execute(
        "INSERT INTO import_batches (batch_id, source_path, file_name, sha256, platform, kind, profile, encoding, "
        "rows_read, rows_loaded, rows_duplicate, rows_rejected, started_at, finished_at, "
        "assetkit_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
        [result.batch_id, os.path.abspath(path), path.name, digest, result.platform, result.kind, result.profile,
         result.encoding, result.rows_read, result.loaded, result.duplicate, result.rejected, started, __version__])
    con.execute("INSERT INTO import_batch_counts VALUES (?, ?, ?)",
                [result.batch_id, result.skipped, result.fx_missing])
