"""The report a user sends to the business owner: HTML (self-contained), Markdown, JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assetkit.config import Config

if TYPE_CHECKING:
    import duckdb


def write_report(con: duckdb.DuckDBPyConnection, config: Config, out: Path, fmt: str = "html", *,
                 since: dt.date | None = None, until: dt.date | None = None, redact: bool = False,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Build the report and write it atomically to `out`; `progress(section title)` as each starts."""
    from assetkit.atomic import write_text_atomic
    from assetkit.export.guard import protected_paths, refuse_protected
    from assetkit.export.report.build import build_report
    from assetkit.export.report.render import render_html, render_json, render_markdown

    refuse_protected(Path(out), protected_paths(con, config), option="the report")
    doc = build_report(con, config, since=since, until=until, redact=redact, progress=progress)
    renderer = {"html": render_html, "md": render_markdown, "json": render_json}[fmt]
    return write_text_atomic(out, renderer(doc))
