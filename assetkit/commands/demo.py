"""`assetkit demo [DIR]`: the one command a newcomer runs first."""

from __future__ import annotations

from pathlib import Path

import typer

from assetkit.commands._common import console, settings


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    folder: Path = typer.Argument(Path("assetkit-demo"), help="Folder for the example exports, database and report."),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed writes the same business."),
) -> None:
    """Build a realistic example business (3 years, 6 platforms), import its exports, write the report."""
    import sys

    from rich.text import Text

    from assetkit.demo.run import run_demo

    s = settings(ctx)
    out = console(stderr=True)
    if not s.quiet:
        out.print(Text(f"Building the example business in {folder}/ (seed {seed}) and importing its exports …"))
    status = out.status("importing") if sys.stderr.isatty() and not s.quiet else None
    progress = (lambda path: status.update(f"importing {path.name}")) if status else None
    if status:
        status.start()
    try:
        result = run_demo(folder, seed=seed, db_path=s.db_option, wait_seconds=s.wait, progress=progress)
    finally:
        if status:
            status.stop()
    stdout = console()
    stdout.print(Text(
        f"Imported {result.files} export files: {result.rows_read:,} rows read = {result.rows_loaded:,} loaded + "
        f"{result.rows_duplicate:,} duplicates + {result.rows_rejected:,} quarantined + {result.rows_skipped:,} "
        f"skipped as structural (settlement summaries, bank transfers) in {result.seconds:.1f} s."))
    for failure in result.failed_files:
        stdout.print(Text(f"  not imported: {failure}"))
    stdout.print(Text(f"Report:   {result.report_path.resolve()}"))
    stdout.print(Text(f"Database: {result.db_path.resolve()}"))
    stdout.print(Text(f"Config:   {result.config_path.resolve()}"))
    stdout.print(Text(f"Next: open the report in a browser, or try  {invocation()} --db {_quote(result.db_path)} fees"))


def invocation() -> str:
    """How to run assetkit again from the current folder, as this run was started.

    `make demo` runs `.venv/bin/assetkit` with no venv active, so a bare `assetkit` would be
    "command not found": print the path that was used unless `assetkit` on PATH is that file.
    """
    import os
    import shutil
    import sys

    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is not None and argv0.name == "__main__.py":
        return f"{_quote(_short(Path(sys.executable)))} -m assetkit"
    if argv0 is None or argv0.name != "assetkit" or not argv0.exists():
        return "assetkit"
    on_path = shutil.which("assetkit")
    if on_path and os.path.realpath(on_path) == os.path.realpath(argv0):
        return "assetkit"
    return _quote(_short(argv0))


def _short(path: Path) -> str:
    """A path relative to the current folder when it lies below it, else absolute."""
    import os

    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return str(absolute)
    text = str(relative)
    return text if "/" in text else f"./{text}"


def _quote(path: Path | str) -> str:
    import shlex

    return shlex.quote(str(path))
