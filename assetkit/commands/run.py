"""`assetkit run PIPELINE.yaml`: the unattended pass cron calls."""

from __future__ import annotations

from pathlib import Path

import typer

from assetkit.commands._common import settings


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    ctx: typer.Context,
    pipeline: Path = typer.Argument(..., help="Pipeline file (see examples/pipeline.yaml)."),
    wait: float = typer.Option(600.0, "--wait", help="Seconds to wait for another run to finish before exiting 75."),
    log: Path | None = typer.Option(None, "--log", help="Append the JSON summary line to this file instead of stdout."),
) -> None:
    """Pull, import every file in the inbox, refresh reports/site/CRM, print one JSON summary line.

    Exit codes: 0 all done; 1 a file, pull or output failed (the rest was done, nothing half-written);
    2 bad pipeline or configuration; 75 the database stayed busy for --wait seconds (cron may retry).
    """
    from assetkit.config import load_config
    from assetkit.errors import AssetkitError, explain_failure
    from assetkit.pipeline.runner import check_ready, error_line, run_pipeline
    from assetkit.pipeline.spec import load_pipeline

    s = settings(ctx)
    try:
        spec = load_pipeline(pipeline)
        config = load_config(spec.config) if spec.config and s.config_option is None else s.config
        stated = s.db_option or spec.database or s.stated_db_path(config)
        db_path = stated or s.db_path
        check_ready(spec, db_path, db_stated=stated is not None)
        summary = run_pipeline(spec, db_path, config, wait)
    except AssetkitError as exc:
        # A run that never started (busy database, bad pipeline, missing inbox) still leaves
        # its line in the log, naming what stopped it.
        _emit(log, error_line(pipeline, exc))
        raise
    except Exception as exc:
        known = explain_failure(exc)  # a full disk, a damaged database: said clearly, and logged
        if known is None:
            raise
        _emit(log, error_line(pipeline, known))
        raise known from None
    _emit(log, summary.json_line())
    if not summary.ok:
        raise typer.Exit(1)


def _emit(log: Path | None, line: str) -> None:
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    else:
        typer.echo(line)
