"""Import commands: import, platforms, rejects, map, fx import|fetch, pull indiamart."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from assetkit.commands._common import TextJson, console, emit_json, say, settings

fx_app = typer.Typer(help="Exchange rates (ECB reference rates) for the reporting currency.", no_args_is_help=True)
pull_app = typer.Typer(help="Pull data from platform APIs.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("platforms")(platforms)
    app.command("rejects")(rejects)
    app.command("map")(map_cmd)
    fx_app.command("import")(fx_import)
    fx_app.command("fetch")(fx_fetch)
    pull_app.command("indiamart")(pull_indiamart)
    app.add_typer(fx_app, name="fx")
    app.add_typer(pull_app, name="pull")


def import_cmd(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders (folders are searched recursively)."),
    platform: str | None = typer.Option(None, "--platform", help="auto (default) or a platform/profile name."),
    kind: str | None = typer.Option(None, "--kind", help="inquiries, orders, fees, spend or products."),
    mapping: Path | None = typer.Option(None, "--mapping", help="A YAML mapping (see `assetkit map`)."),
    encoding: str | None = typer.Option(None, "--encoding", help="Override the detected text encoding."),
    strict: bool = typer.Option(False, "--strict", help="Fail a file if any row would be quarantined."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would happen; store nothing."),
    store_name: str | None = typer.Option(None, "--store", help="The store these files come from (e.g. "
                                     "my-shop.myshopify.com): order numbers such as #1001 are unique per store."),
    fmt: TextJson = typer.Option(TextJson.text, "--format", "-f", help="Output format."),
) -> None:
    """Import marketplace exports; per file: rows read, loaded, duplicate, rejected."""
    from assetkit.errors import UsageError
    from assetkit.importers import import_paths
    from assetkit.importers.engine import scan_paths

    s = settings(ctx)
    files, skipped, missing = scan_paths(paths)
    if missing:  # before the database is opened: a typo must not leave a new empty database behind
        raise UsageError("not found: " + ", ".join(str(p) for p in missing),
                         hint="check the path; folders are searched recursively")
    if skipped:
        say(s, _skipped_text(skipped))
    if not files:
        raise UsageError("no importable files found",
                         hint="give files, or folders holding .csv/.tsv/.txt/.json/.xlsx/.xls/.xlsb/.ods")
    with s.open_store() as store, _progress(s, len(files)) as bar:
        results = import_paths(store, files, platform=platform, kind=kind, mapping=mapping, encoding=encoding,
                               strict=strict, dry_run=dry_run, store_name=store_name, config=s.config, progress=bar.file,
                               slice_progress=bar.records)
        approx = None if dry_run else _approximate(store.con, s.config.reporting_currency)
    if fmt is TextJson.json:
        emit_json("import", {"files": [r.to_dict() for r in results],
                             "fx_approximate_rows": approx[0] if approx else 0}, s)
    else:
        _import_text(results, dry_run)
        _tried_once(results, platform, kind, mapping)
        if approx:
            from assetkit.importers.fx import approximate_note

            console().print(approximate_note(*approx), markup=False, highlight=False)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


def _approximate(con, reporting: str) -> tuple[int, int] | None:  # noqa: ANN001 - duckdb connection
    """Rows converted with bundled approximate rates, after this import (None when none)."""
    from assetkit.importers.fx import approximate_rows

    approx, converted = approximate_rows(con, reporting)
    return (approx, converted) if approx else None


def _skipped_text(skipped: list[Path]) -> str:
    from assetkit.importers.engine import SKIP_REASONS, SUFFIXES

    named = [f"{p}" + (f" ({SKIP_REASONS[p.suffix.lower()]})" if p.suffix.lower() in SKIP_REASONS else "")
             for p in skipped[:20]]
    more = f" and {len(skipped) - 20} more" if len(skipped) > 20 else ""
    return (f"Skipped {len(skipped)} file(s) of a type assetkit does not read "
            f"({' '.join(SUFFIXES)}): {', '.join(named)}{more}")


def _tried_once(results, platform: str | None, kind: str | None, mapping: Path | None) -> None:  # noqa: ANN001
    """The full list of profiles tried, once, when any file was not recognised."""
    from assetkit.importers.registry import NO_MATCH
    from assetkit.importers.selection import select_profiles

    if any(r.error and NO_MATCH in r.error for r in results):
        names = sorted(p.name for p in select_profiles(platform, kind, mapping))
        console(stderr=True).print(f"Profiles tried ({len(names)}): {', '.join(names)}", markup=False,
                                   highlight=False)


class _progress:
    """A rich progress bar on a terminal only (never in pipes, cron or tests): files done, and
    the records of a big file as its slices go in."""

    def __init__(self, s, total: int) -> None:
        self.enabled = sys.stderr.isatty() and not s.quiet
        self.total, self.bar, self.task, self.name = total, None, None, ""

    def __enter__(self) -> _progress:
        if self.enabled:
            from rich.progress import Progress

            self.bar = Progress(console=console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("importing", total=self.total)
        return self

    def file(self, path: Path) -> None:
        if self.bar is not None:
            if self.name:
                self.bar.advance(self.task)
            self.name = path.name
            self.bar.update(self.task, description=f"importing {self.name}")

    def records(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=f"importing {self.name}: {done:,} of {total:,} records")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _import_text(results, dry_run: bool) -> None:
    from assetkit.export.output import rich_table

    out = console()
    done = [r for r in results if r.ok]  # a failed file stored nothing: no row of zeros for it
    rows = [(Path(r.path).name, r.profile or "-", r.rows_read, r.loaded, r.duplicate, r.rejected, r.skipped,
             r.fx_missing) for r in done]
    title = "Dry run: nothing was stored" if dry_run else "Imported"
    if rows:
        out.print(rich_table(title, ["file", "profile", "read", "loaded", "duplicate", "rejected", "skipped",
                                     "no fx rate"], rows, numeric=[False, False, True, True, True, True, True, True],
                             priority=["loaded", "duplicate", "rejected"]))
    for r in results:
        if r.error:
            err = console(stderr=True)
            err.print(f"Error: {r.error}", markup=False, highlight=False)
            if r.hint:
                err.print(f"Hint: {r.hint}", markup=False, highlight=False)
    if any(r.rejected for r in results if r.ok):
        out.print("Quarantined rows are in the rejects table: `assetkit rejects` shows file, line, column and reason.")
    _reconciliation_text(done)
    _warnings_text(done)
    if any(r.fx_missing for r in results):
        out.print("Some amounts have no exchange rate yet: run `assetkit fx fetch` or `assetkit fx import FILE`.")


WARNINGS_SHOWN = 10


def _reconciliation_text(results) -> None:  # noqa: ANN001 - FileResults
    """Each file's own totals against what was read: the differences first and in full, the
    reconciled checks one line each (a few), the rest counted. All are in `reconciliations`."""
    found = [(Path(r.path).name, c) for r in results for c in r.reconciliations]
    if not found:
        return
    out = console()
    bad = [(n, c) for n, c in found if not c.ok]
    out.print(f"Reconciliation with the files' own totals: {len(found) - len(bad)} of {len(found)} reconciled"
              + (f", {len(bad)} with a difference:" if bad else ":"), markup=False, highlight=False)
    shown = (bad + [(n, c) for n, c in found if c.ok])[:WARNINGS_SHOWN]
    for name, check in shown:
        out.print(f"  {name}: {check.describe()}", markup=False, highlight=False)
    if len(found) > len(shown):
        out.print(f"  … and {len(found) - len(shown)} more reconciled: `assetkit status` counts them.",
                  markup=False, highlight=False)


def _warnings_text(results) -> None:  # noqa: ANN001 - FileResults
    """Plausibility warnings (loaded, but worth a look), file:line first, a few per run;
    every one is in the import_warnings table."""
    found = [(Path(r.path).name, w) for r in results for w in r.warnings]
    if not found:
        return
    out = console()
    out.print(f"Warnings ({len(found)}): rows were loaded, but look implausible:", markup=False, highlight=False)
    for name, w in found[:WARNINGS_SHOWN]:
        where = f"{name}:{w.line}" if w.line else name
        out.print(f"  {where}: {w.message}", markup=False, highlight=False)
    if len(found) > WARNINGS_SHOWN:
        out.print(f"  … and {len(found) - WARNINGS_SHOWN} more: `assetkit rejects --warnings` lists them all.",
                  markup=False, highlight=False)


def platforms(
    ctx: typer.Context,
    fmt: TextJson = typer.Option(TextJson.text, "--format", "-f", help="Output format."),
) -> None:
    """Supported platforms and kinds, with the header names that identify each export."""
    from assetkit.importers.listing import list_platforms

    result = list_platforms()
    if fmt is TextJson.json:
        emit_json("platforms", result.to_dict(), settings(ctx))
        return
    from assetkit.export.output import rich_table

    console().print(rich_table("Import profiles", ["profile", "platform", "kind", "channel", "header signature"],
                               [(p.profile, p.platform, p.kind, p.channel, ", ".join(p.signature))
                                for p in result.profiles]))
    console().print("Unknown export? `assetkit map FILE` proposes a mapping for --mapping.")


def rejects(
    ctx: typer.Context,
    batch: int | None = typer.Option(None, "--batch", help="Only this import batch."),
    limit: int = typer.Option(100, "--limit", help="Show at most this many rows."),
    warnings: bool = typer.Option(False, "--warnings", help="Instead: rows that were loaded but look "
                                  "implausible (dates decades apart, every order refunded, fees above revenue, "
                                  "double-encoded names)."),
    fmt: TextJson = typer.Option(TextJson.text, "--format", "-f", help="Output format."),
) -> None:
    """Quarantined rows: file, line, column, raw value and why."""
    from assetkit.importers.listing import list_rejects

    s = settings(ctx)
    if warnings:
        _warnings_list(s, batch, limit, fmt)
        return
    with s.open_store(create=False) as store:
        result = list_rejects(store.con, batch, limit)
    if fmt is TextJson.json:
        emit_json("rejects", result.to_dict(), s)
        return
    from assetkit.export.output import rich_table

    if not result.total:
        console().print("No quarantined rows.")
        return
    console().print(rich_table(f"Quarantined rows ({result.total:,})", ["batch", "file", "line", "column", "value", "reason"],
                               [(r.batch_id, Path(r.file or "?").name, r.line, r.column or "", (r.raw or "")[:40], r.reason)
                                for r in result.rejects], numeric=[True, False, True, False, False, False]))


def _warnings_list(s, batch: int | None, limit: int, fmt: TextJson) -> None:  # noqa: ANN001 - Settings
    from assetkit.importers.listing import list_warnings

    with s.open_store(create=False) as store:
        result = list_warnings(store.con, batch, limit)
    if fmt is TextJson.json:
        emit_json("import_warnings", result.to_dict(), s)
        return
    from assetkit.export.output import rich_table

    if not result.total:
        console().print("No import warnings.")
        return
    console().print(rich_table(f"Import warnings ({result.total:,})", ["batch", "file", "line", "check", "value", "warning"],
                               [(w.batch_id, Path(w.file or "?").name, w.line or "", w.check, (w.value or "")[:40],
                                 w.message) for w in result.warnings],
                               numeric=[True, False, True, False, False, False]))


def map_cmd(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="An export no profile recognises."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the YAML here (default: print it)."),
    kind: str | None = typer.Option(None, "--kind", help="Force the kind (inquiries, orders, fees, spend, products)."),
    encoding: str | None = typer.Option(None, "--encoding", help="Override the detected text encoding."),
    currency: str | None = typer.Option(None, "--currency",
                                        help="The currency of every amount, for files without a currency column (e.g. USD, CNY)."),
) -> None:
    """Propose a YAML mapping from a file's header (English and Chinese column names); each guess
    shows the sample values behind it."""
    from assetkit.importers.mapping import propose_mapping

    s = settings(ctx)
    if out is not None:  # refused before any work: never over the export, the database or the config
        from assetkit.export.guard import database_files, protected_paths, refuse_protected

        keep = [(path, "the export being mapped"), *database_files(s.db_path)]
        refuse_protected(out, protected_paths(None, s.config, extra=keep), option="the mapping")
    proposal = propose_mapping(path, encoding, kind, currency)
    if proposal.recognised_by:
        say(s, f"Note: the built-in profile {proposal.recognised_by} already imports {path.name}: "
               f"`assetkit import {path}` needs no mapping.")
    if out is None:
        typer.echo(proposal.yaml_text, nl=False)
        return
    from assetkit.atomic import write_text_atomic

    write_text_atomic(out, proposal.yaml_text)
    say(s, f"Wrote {out} (kind {proposal.kind}, {len(proposal.columns)} columns matched). "
           f"Check it, then: assetkit import {path} --mapping {out}")


def fx_import(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="ECB eurofxref-hist.csv (or eurofxref.csv)."),
) -> None:
    """Load ECB reference rates from a file and reconvert stored amounts."""
    _rates(ctx, path, None)


def fx_fetch(
    ctx: typer.Context,
    url: str | None = typer.Option(None, "--url", help="Override the ECB download URL (env ASSETKIT_ECB_URL)."),
) -> None:
    """Download the ECB reference-rate history and reconvert stored amounts."""
    _rates(ctx, None, url)


def _rates(ctx: typer.Context, path: Path | None, url: str | None) -> None:
    from assetkit.importers.fx import load_rates

    s = settings(ctx)
    with s.open_store() as store:
        result = load_rates(store, path, s.config.reporting_currency, url)
    console().print(f"Loaded {result.rates:,} rates ({result.first} to {result.last}) from {result.source}; "
                    f"amounts reconverted to {result.reporting_currency}; {result.rows_without_rate:,} still without a rate.",
                    markup=False, highlight=False)


def pull_indiamart(
    ctx: typer.Context,
    since: dt.datetime = typer.Option(..., "--since", formats=["%Y-%m-%d"], help="First day to pull (YYYY-MM-DD)."),
    until: dt.datetime | None = typer.Option(None, "--until", formats=["%Y-%m-%d"],
                                                help="Stop before this day (default: now)."),
    save_dir: Path | None = typer.Option(None, "--save-dir", help="Where responses are kept (default assetkit-pulls/indiamart)."),
    url: str | None = typer.Option(None, "--url", help="Override the API URL (env ASSETKIT_INDIAMART_URL)."),
    deadline: float = typer.Option(300.0, "--deadline", min=1, help="Seconds the whole pull may take (it holds the database)."),
) -> None:
    """Pull leads from the IndiaMART CRM API v2 (key from ASSETKIT_INDIAMART_KEY) and import them."""
    from assetkit.importers.pull import pull_indiamart as pull

    s = settings(ctx)
    with s.open_store() as store:
        result = pull(store, since.date(), until=until, save_dir=save_dir, base_url=url, config=s.config,
                      deadline=deadline, progress=(lambda line: say(s, line)) if s.verbose else None)
    loaded = sum(r["loaded"] for r in result.imports)
    console().print(f"Pulled {result.leads:,} leads in {result.windows} window(s); {loaded:,} new, "
                    f"{result.leads - loaded:,} already stored. Responses saved: {len(result.files)} file(s).",
                    markup=False, highlight=False)
