"""Small helpers every command module shares: settings, consoles, format options, emitting."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

import typer

from assetkit.settings import Settings


class OutputFormat(str, enum.Enum):
    """Every output format; a command's --format offers only those it renders (the enums below)."""

    text = "text"
    json = "json"
    csv = "csv"
    md = "md"


class TextJson(str, enum.Enum):
    text = "text"
    json = "json"


class TextJsonCsv(str, enum.Enum):
    text = "text"
    json = "json"
    csv = "csv"


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def console(stderr: bool = False):  # noqa: ANN201 - rich.console.Console
    """A rich console; piped or in cron it is wide (COLUMNS, default 160) so tables stay readable.

    Tables fit this width (export.output.rich_table); with --wide nothing is cropped at the
    terminal's edge, long lines run on (pipe into `less -S` to scroll them).
    """
    import os
    import sys

    from rich.console import Console

    from assetkit.export.output import wide_on

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else int(os.environ.get("COLUMNS") or 160)
    if wide_on() and not stderr:
        width = 10_000
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width)


class activity:
    """A spinner with a status line on stderr, on a terminal only (never in pipes, cron or tests).

    `with activity(s, "building the report") as step: step("costs")` — long commands (report,
    export crm, plan on a large store) show they are working and where they are.
    """

    def __init__(self, s: Settings, what: str) -> None:
        import sys

        self.what = what
        self.status = console(stderr=True).status(what) if sys.stderr.isatty() and not s.quiet else None

    def __enter__(self) -> Callable[[str], None]:
        if self.status is not None:
            self.status.start()
        return self.step

    def step(self, detail: str) -> None:
        if self.status is not None:
            self.status.update(f"{self.what}: {detail}")

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()


def emit_json(kind: str, payload: Mapping[str, Any], s: Settings) -> None:
    from assetkit.export.output import dumps, json_envelope

    typer.echo(dumps(json_envelope(kind, payload, s.config.reporting_currency)))


def say(s: Settings, message: str) -> None:
    """Progress/info lines go to stderr so stdout stays clean for data."""
    if not s.quiet:
        from rich.text import Text

        console(stderr=True).print(Text(message))


def render(fmt: enum.Enum, kind: str, result: Any, s: Settings, *,
           text: Callable[[Any], None], md: Callable[[Any], str] | None = None,
           csv: Callable[[Any], None] | None = None, why_not: str | None = None) -> None:
    """Dispatch on --format (any of the format enums above, compared by value).

    The option's choices already hold only what the command renders; `why_not` explains a
    format that is offered but needs another option (`plan --format csv` needs --check).
    """
    from assetkit.errors import UsageError

    value = fmt.value
    if value == "json":
        emit_json(kind, result.to_dict(), s)
    elif value == "text":
        text(result)
    elif value == "md" and md is not None:
        typer.echo(md(result))
    elif value == "csv" and csv is not None:
        csv(result)
    else:
        offered = ["text", "json"] + (["csv"] if csv else []) + (["md"] if md else [])
        raise UsageError(f"--format {value} is not available here" + (f": {why_not}" if why_not else ""),
                         hint="use " + " or ".join(offered))
