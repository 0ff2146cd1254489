"""The `assetkit` command line: a thin typer layer over the library.

Each command resolves settings, calls one library function and renders its result. Errors
are translated in exactly one place (`AssetkitGroup.invoke`): a typed `AssetkitError` becomes
`Error: …` plus a hint and its exit code; anything else becomes a short internal-error
message. Tracebacks appear only with `--debug`, and locals are never shown (they would hold
customer rows). Command modules are imported here, but they import duckdb, polars, numpy,
scipy and jinja2 only inside command bodies, so `assetkit --help` stays fast.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from pathlib import Path
from typing import Any

import typer
from typer._click import exceptions as click_exceptions  # typer >=0.29 vendors click
from typer.core import TyperGroup

from assetkit import __version__
from assetkit.errors import MESSAGE_LIMIT, AssetkitError, explain_failure, quote_excerpt
from assetkit.settings import Settings

# One line per command module; each exposes register(app). The order is the order of
# `assetkit --help`: set up, bring data in, analyse, act, report, automate.
COMMAND_MODULES = (
    "assetkit.commands.core",
    "assetkit.commands.demo",
    "assetkit.commands.importing",
    "assetkit.commands.economics",
    "assetkit.commands.clv",
    "assetkit.commands.cohorts",
    "assetkit.commands.segments",
    "assetkit.commands.scenario",
    "assetkit.commands.owned",
    "assetkit.commands.tables",
    "assetkit.commands.actions",
    "assetkit.commands.report",
    "assetkit.commands.run",
    "assetkit.commands.db",
)


# Root options that may also be written after the command (`assetkit fees --db X`, `import … -q`).
GLOBAL_FLAGS = frozenset({"--quiet", "-q", "--verbose", "-v", "--debug", "--wide"})
GLOBAL_VALUED = frozenset({"--db", "--config", "--wait"})


class AssetkitGroup(TyperGroup):
    """Translates library errors into messages and exit codes for every subcommand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readable_metavars(self)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = hoist_global_options(self, ctx, list(args))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AssetkitError as exc:
            if _debug(ctx):
                raise
            _print_error(str(exc), exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except click_exceptions.BadParameter as exc:
            exc.message = readable_validation(exc.message)
            raise
        except (typer.Exit, typer.Abort, typer.TyperException, click_exceptions.ClickException):
            raise
        except BrokenPipeError:
            # `assetkit … | head` closed the pipe: stop quietly, like any Unix filter.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            _print_error("interrupted; nothing was half-written (every import is all-or-nothing)", None)
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the one funnel for unexpected failures
            if _debug(ctx):
                raise
            known = explain_failure(exc)
            if known is not None:
                _print_error(str(known), known.hint)
                raise typer.Exit(known.exit_code) from None
            _print_error(quote_excerpt(f"internal error ({type(exc).__name__}): {exc}", MESSAGE_LIMIT),
                         "run again with --debug for a traceback, and please report it")
            raise typer.Exit(1) from None


_VALIDATION = (
    (re.compile(r"^Value error, "), ""),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be \1 or more"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be \1 or less"),
    (re.compile(r"Input should be greater than (\S+)"), r"must be more than \1"),
    (re.compile(r"Input should be less than (\S+)"), r"must be less than \1"),
    (re.compile(r"Input should be a valid integer.*"), "must be a whole number"),
    (re.compile(r"Input should be a valid number.*"), "must be a number"),
    (re.compile(r"Input should be a valid boolean.*"), "must be yes or no"),
    (re.compile(r"(\S+) is not one of (.+)\.$"), r"\1 is not a choice here; choose one of \2"),
)


def readable_validation(message: str) -> str:
    """typer's pydantic wording ("Value error, 'xyz' is not one of …") in plain words."""
    for pattern, replacement in _VALIDATION:
        message = pattern.sub(replacement, message)
    return message


_WORDS = {"str": "TEXT", "path": "PATH", "Path": "PATH", "file": "FILE", "directory": "DIR", "int": "N",
          "int range": "N", "float": "NUMBER", "float range": "NUMBER"}


def readable_label(label: str) -> str:
    """typer's type label (`<list[Path]>`, `<int range>`, `<%Y-%m-%d>`) as a help metavar."""
    inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
    if inner.startswith("list[") and inner.endswith("]"):
        return readable_label(inner[5:-1]) + "..."
    if "%" in inner:
        for code, text in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%H", "HH"), ("%M", "MM"), ("%S", "SS")):
            inner = inner.replace(code, text)
        return inner.split("|")[0]
    if "|" in inner:
        return "[" + inner + "]"
    return _WORDS.get(inner, inner.upper())


def readable_metavars(group: Any) -> None:
    """Give every option and argument of every command a plain metavar (PATH, N, YYYY-MM-DD)."""
    from typer import _click as click

    ctx = click.Context(group)
    for command in [group, *getattr(group, "commands", {}).values()]:
        if command is not group and hasattr(command, "commands"):
            readable_metavars(command)
            continue
        for param in command.params:
            if getattr(param, "is_flag", False) or not hasattr(param, "display_type"):
                continue
            try:
                label = readable_label(param.display_type(ctx))
            except Exception:  # noqa: BLE001 - a label we cannot read keeps typer's own
                continue
            if param.param_type_name == "option":
                if param.metavar is None:
                    param.metavar = label
            else:
                if label.endswith("..."):
                    label = label[:-3]
                param.display_type = lambda _ctx, label=label: label  # arguments: instance override


def hoist_global_options(group: Any, ctx: typer.Context, args: list[str]) -> list[str]:
    """Move root options written after the command to before it, so click sees them.

    An option the command itself defines keeps its meaning there (`run --wait` is run's own
    wait); values of the command's options are skipped, so `--note -q` stays a note; nothing
    after `--` is touched.
    """
    i, command = 0, None
    while i < len(args):  # find the command, skipping root options and their values
        token = args[i]
        if token == "--":
            return args
        if not token.startswith("-"):
            command = token
            break
        i += 2 if token in GLOBAL_VALUED else 1
    if command is None:
        return args
    own: dict[str, bool] = {}  # option name -> takes a value, for the command and its groups
    cmd, sub_ctx, j = group.get_command(ctx, command), ctx, i + 1
    while cmd is not None:
        for param in getattr(cmd, "params", []):
            for name in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())):
                own[name] = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        if not hasattr(cmd, "get_command"):
            break
        nxt = next((a for a in args[j:] if not a.startswith("-")), None)
        if nxt is None:
            break
        j = args.index(nxt, j) + 1
        cmd = cmd.get_command(sub_ctx, nxt)
    front, rest, k = [], [], i + 1
    while k < len(args):
        token = args[k]
        name = token.split("=", 1)[0]
        if token == "--":
            rest += args[k:]
            break
        if name in own:
            takes = own[name] and "=" not in token
            rest += args[k:k + (2 if takes else 1)]
            k += 2 if takes else 1
        elif name in GLOBAL_FLAGS:
            front.append(token)
            k += 1
        elif name in GLOBAL_VALUED:
            step = 1 if "=" in token else 2
            front += args[k:k + step]
            k += step
        else:
            rest.append(token)
            k += 1
    return args[:i] + front + [command] + rest


def _debug(ctx: typer.Context) -> bool:
    root = ctx.find_root()
    return bool(isinstance(root.obj, Settings) and root.obj.debug) or os.environ.get("ASSETKIT_DEBUG") == "1"


def _print_error(message: str, hint: str | None) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, highlight=False)
    console.print(Text("Error: ", style="bold red") + Text(message))
    if hint:
        console.print(Text("Hint: ", style="yellow") + Text(hint))


app = typer.Typer(
    cls=AssetkitGroup,
    name="assetkit",
    help="Own your marketplace business: platform fees, customer value, budget-shift scenarios, "
    "your own site and CRM — from your own exports, offline.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"assetkit {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Path | None = typer.Option(None, "--db", envvar="ASSETKIT_DB",
                                   help="Database file (env ASSETKIT_DB; default ./assetkit.duckdb)."),
    config: Path | None = typer.Option(None, "--config", envvar="ASSETKIT_CONFIG",
                                       help="Configuration file (env ASSETKIT_CONFIG; default ./assetkit.yaml if present)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only results and errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print more detail."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    wide: bool = typer.Option(False, "--wide", help="Show every table column at full width, even past the "
                              "terminal's edge (default: tables fit the terminal)."),
    wait: float = typer.Option(30.0, "--wait", help="Seconds to wait for another assetkit process to free the database."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    from assetkit.export.output import set_wide

    set_wide(wide)
    ctx.obj = Settings(db_option=db, config_option=config, quiet=quiet, verbose=verbose, debug=debug, wait=wait)


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    """Console-script entry point."""
    # The CLV fits call L-BFGS-B thousands of times on 4-vectors; multi-threaded OpenBLAS only
    # spins on them (a bootstrap on CDNOW: 24 s → 2.7 s with one thread on a busy 2-core box).
    # Set before numpy is first imported; a value the user set wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    app(prog_name="assetkit")


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
