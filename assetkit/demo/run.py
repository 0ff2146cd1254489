"""`assetkit demo`: generate the example business, import it, write the report.

This is the first command a newcomer runs, so it does the whole journey a real user makes —
real export files on disk, a real import with quarantine and duplicate detection, the full
report — and ends by saying where everything is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assetkit.config import Config

from assetkit.store.sql import scalar


@dataclass
class DemoResult:
    folder: Path
    data_dir: Path
    config_path: Path
    db_path: Path
    report_path: Path
    files: int
    rows_read: int
    rows_loaded: int
    rows_duplicate: int
    rows_rejected: int
    rows_skipped: int
    failed_files: list[str]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


def _save_first_plan(store: Any, config: Config) -> None:
    """Save a three-phase plan starting after the data ends, once, so the report can track it."""
    import datetime as dt

    from assetkit.analysis.plan import build_plan, save_plan

    if scalar(store.con, "SELECT count(*) FROM plans"):
        return
    (last,) = store.con.execute("SELECT max(ordered_at)::DATE FROM orders").fetchone()
    start = (last.replace(day=1) + dt.timedelta(days=32)).replace(day=1) if last else None
    with store.transaction():
        save_plan(store.con, build_plan(store.con, config, start=start))


def run_demo(folder: Path, seed: int = 7, db_path: Path | None = None, wait_seconds: float = 30.0,
             progress: Any = None) -> DemoResult:
    from assetkit.config import load_config
    from assetkit.demo.generate import generate_demo
    from assetkit.export.report import write_report
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    started = time.monotonic()
    folder = Path(folder)
    data_dir = folder / "exports"
    manifest = generate_demo(data_dir, seed=seed)
    config_path = folder / "assetkit.yaml"
    config_path.write_text(manifest.config_yaml, encoding="utf-8")
    config = load_config(config_path)
    db = Path(db_path) if db_path else folder / "assetkit.duckdb"
    report_path = folder / "report.html"
    with open_store(db, wait_seconds=wait_seconds) as store:
        results = import_paths(store, [data_dir], config=config, progress=progress)
        _save_first_plan(store, config)
        write_report(store.con, config, report_path, "html")
    return DemoResult(
        folder=folder, data_dir=data_dir, config_path=config_path, db_path=db, report_path=report_path,
        files=len(results),
        rows_read=sum(r.rows_read for r in results),
        rows_loaded=sum(r.loaded for r in results),
        rows_duplicate=sum(r.duplicate for r in results),
        rows_rejected=sum(r.rejected for r in results),
        rows_skipped=sum(r.skipped for r in results),
        failed_files=[f"{r.path}: {r.error}" for r in results if not r.ok],
        seconds=round(time.monotonic() - started, 1),
    )
