"""`assetkit run`: one unattended pass — pull, import the inbox, refresh outputs, log one line.

Safety properties, each relied on by cron users and tested in tests/test_run*.py:
- the database lock is held for the whole run, so overlapping runs queue (or exit 75);
- each file is imported in its own transaction, then moved to `archive/YYYY-MM-DD/`; a file
  that fails is moved to `failed/` with a `.error.txt` beside it and leaves nothing behind;
  if the process dies between a commit and the move, the next run sees only duplicates;
- every output is written to a temporary path and renamed into place;
- one JSON summary line per run, so a log can be grepped and parsed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assetkit.config import Config
from assetkit.errors import AssetkitError
from assetkit.pipeline.spec import InboxFolder, PipelineSpec

_SKIP_SUFFIXES = (".error.txt", ".partial", ".tmp", ".crdownload", ".part")


@dataclass
class FileOutcome:
    path: str
    status: str  # imported | failed
    platform: str | None = None
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    seconds: float = 0.0
    moved_to: str | None = None
    error: str | None = None


@dataclass
class RunSummary:
    pipeline: str
    database: str
    started_at: str
    finished_at: str = ""
    seconds: float = 0.0
    files: list[FileOutcome] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (all(f.status == "imported" for f in self.files)
                and all(o.get("status") == "written" for o in self.outputs)
                and all(p.get("status") == "ok" for p in self.pulls))

    def to_dict(self) -> dict[str, Any]:
        totals = {k: sum(getattr(f, k) for f in self.files)
                  for k in ("rows_read", "rows_loaded", "rows_duplicate", "rows_rejected", "rows_skipped")}
        return {"event": "assetkit.run", "ok": self.ok, **asdict(self),
                "files_imported": sum(f.status == "imported" for f in self.files),
                "files_failed": sum(f.status == "failed" for f in self.files), **totals}

    def json_line(self) -> str:
        from assetkit.jsonable import to_jsonable

        return json.dumps(to_jsonable(self.to_dict()), ensure_ascii=False, separators=(",", ":"))


def inbox_files(folder: InboxFolder) -> list[Path]:
    """Files waiting in one inbox folder (recursively), oldest name first; hidden files skipped.

    Symbolic links are listed too (not followed: `_import_one` refuses them), so a link to a
    private file is moved to failed/ with a reason instead of being read."""
    if not folder.path.exists():
        return []
    return sorted(
        p for p in folder.path.rglob("*")
        if (p.is_symlink() or p.is_file())
        and not any(part.startswith(".") for part in p.relative_to(folder.path).parts)
        and not p.name.endswith(_SKIP_SUFFIXES)
    )


def check_ready(spec: PipelineSpec, db_path: Path, db_stated: bool) -> None:
    """Refuse a run that would silently do nothing or work on the wrong database (exit 2).

    A misspelled inbox folder would otherwise import nothing and report success every night; a
    database nobody named (no --db, ASSETKIT_DB, `database:` in the pipeline or assetkit.yaml)
    that does not exist yet would be created empty wherever cron happens to start.
    """
    from assetkit.errors import ConfigError

    missing = [str(f.path) for f in spec.inbox if not f.path.is_dir()]
    if missing:
        raise ConfigError(f"{spec.path}: inbox folder(s) missing: {', '.join(missing)}",
                          hint="create the folder or fix its path in the pipeline's inbox: list "
                               "(relative paths are relative to the pipeline file)")
    if not db_stated and not db_path.exists():
        raise ConfigError(f"{spec.path}: no database is configured and {db_path} does not exist",
                          hint="name it in the pipeline (database: shop.duckdb) or pass --db PATH; "
                               "a run never creates a database nobody asked for")


def error_line(pipeline: Path, exc: AssetkitError) -> str:
    """The one JSON log line of a run that stopped before importing anything."""
    return json.dumps({"event": "assetkit.run", "ok": False, "pipeline": str(pipeline), "started_at": _now(),
                       "error": exc.message, "hint": exc.hint, "exit_code": exc.exit_code},
                      ensure_ascii=False, separators=(",", ":"))


def run_pipeline(spec: PipelineSpec, db_path: Path, config: Config, wait_seconds: float) -> RunSummary:
    from assetkit.store import open_store

    started = time.monotonic()
    summary = RunSummary(str(spec.path), str(db_path), _now())
    with open_store(db_path, wait_seconds=wait_seconds) as store:
        for pull in spec.pulls:
            summary.pulls.append(_pull(store, pull, config))
        today = dt.date.today().isoformat()
        for folder in spec.inbox:
            for path in inbox_files(folder):
                summary.files.append(_import_one(store, path, folder, config, spec, today))
        store.checkpoint()
        summary.outputs.extend(_refresh_outputs(store, spec, config))
    summary.finished_at = _now()
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def _import_one(store, path: Path, folder: InboxFolder, config: Config, spec: PipelineSpec,  # noqa: ANN001
                today: str) -> FileOutcome:
    from assetkit.importers import import_file

    began = time.monotonic()
    outcome = FileOutcome(str(path), "imported")
    try:
        if path.is_symlink():
            raise AssetkitError("is a symbolic link; assetkit does not follow links in the inbox",
                                hint="copy or move the export itself into the inbox")
        result = import_file(store, path, platform=folder.platform, kind=folder.kind, mapping=folder.mapping,
                             config=config)
    except AssetkitError as exc:
        outcome.status = "failed"
        outcome.error = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
        outcome.moved_to = str(_move_failed(path, spec.failed, outcome.error))
    else:
        outcome.platform, outcome.kind = result.platform, result.kind
        outcome.rows_read, outcome.rows_loaded = result.rows_read, result.loaded
        outcome.rows_duplicate, outcome.rows_rejected = result.duplicate, result.rejected
        outcome.rows_skipped = result.skipped
        outcome.moved_to = str(_move_unique(path, spec.archive / today))
    outcome.seconds = round(time.monotonic() - began, 3)
    return outcome


def _move_unique(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists() or target.is_symlink():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target


def _move_failed(path: Path, failed: Path, message: str) -> Path:
    """Move the file (a link itself, not its target) to failed/ with NAME.error.txt beside it.

    The message may quote the file's first line, so the note is no more readable than the
    file it describes."""
    from assetkit.atomic import write_text_atomic

    target = _move_unique(path, failed)
    note = write_text_atomic(target.with_name(target.name + ".error.txt"),
                             f"{_now()} assetkit could not import {path.name}:\n{message}\n"
                             "Nothing from this file was stored. Fix the cause and move the file back into the inbox.\n")
    if not target.is_symlink():
        note.chmod(note.stat().st_mode & target.stat().st_mode & 0o777)
    return target


def _pull(store, pull, config: Config) -> dict[str, Any]:  # noqa: ANN001
    from assetkit.importers.pull import pull_indiamart

    since = dt.date.today() - dt.timedelta(days=pull.since_days)
    began = time.monotonic()
    try:
        result = pull_indiamart(store, since=since, config=config)
    except AssetkitError as exc:
        return {"source": pull.source, "status": "failed", "error": exc.message,
                "seconds": round(time.monotonic() - began, 3)}
    return {"source": pull.source, "status": "ok", "windows": result.windows, "leads": result.leads,
            "imports": result.imports, "seconds": round(time.monotonic() - began, 3)}


def _refresh_outputs(store, spec: PipelineSpec, config: Config) -> list[dict[str, Any]]:  # noqa: ANN001
    jobs = []
    out = spec.outputs
    for fmt in out.report_formats:
        jobs.append(("report", out.dir / f"report.{fmt}", lambda fmt=fmt: _report(store, config, out, fmt)))
    if out.site:
        jobs.append(("site", out.site, lambda: _site(store, config, out.site)))
    if out.crm_target and out.crm_file:
        jobs.append(("crm", out.crm_file, lambda: _crm(store, config, out.crm_target, out.crm_file)))
    if out.tables:
        jobs.append(("tables", out.tables, lambda: _tables(store, config, out.tables, out.tables_format)))
    results = []
    for name, target, job in jobs:
        began = time.monotonic()
        try:
            job()
            results.append({"output": name, "path": str(target), "status": "written",
                            "seconds": round(time.monotonic() - began, 3)})
        except AssetkitError as exc:
            results.append({"output": name, "path": str(target), "status": "failed", "error": exc.message})
        except OSError as exc:  # a full disk, a permission: this output failed, the others still run
            results.append({"output": name, "path": str(target), "status": "failed",
                            "error": f"{exc.strerror or type(exc).__name__}: {exc.filename or target}"})
    return results


def _report(store, config: Config, out, fmt: str) -> None:  # noqa: ANN001
    from assetkit.export.report import write_report

    write_report(store.con, config, out.dir / f"report.{fmt}", fmt, redact=out.redact)


def _site(store, config: Config, target: Path) -> None:  # noqa: ANN001
    from assetkit.export.site import build_site

    build_site(store.con, config, target)


def _crm(store, config: Config, target: str, path: Path) -> None:  # noqa: ANN001
    from assetkit.export.crm import export_crm, model_enrichment

    export_crm(store.con, config, target, path, enrich=model_enrichment(store.con, config))


def _tables(store, config: Config, target: Path, fmt: str) -> None:  # noqa: ANN001
    from assetkit.export.tables import export_tables

    export_tables(store.con, target, fmt, config=config)


def failure_line(pipeline: Path, exc: AssetkitError) -> str:
    """The JSON log line of a run that could not start (exit code and message, nothing done)."""
    return json.dumps({"event": "assetkit.run", "ok": False, "pipeline": str(pipeline), "started_at": _now(),
                       "exit_code": exc.exit_code, "error": exc.message, "files": [], "outputs": []},
                      ensure_ascii=False, separators=(",", ":"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
