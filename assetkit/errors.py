"""Typed errors, translated to a message and an exit code in exactly one place (cli.py).

Library code raises these instead of printing; each carries a `hint` that names the fix,
and the exit code the command line must return (see docs/cli.md: 1 failed, 2 usage or
configuration, 3 not enough data, 75 database busy).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Errors quote user data (a header, a cell, a line); a 50 MB line quoted whole made the
# terminal printer quadratic and landed in `.error.txt` and the run log. Quotes are cut here.
QUOTE_LIMIT = 200
MESSAGE_LIMIT = 2000


def quote_excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` cut to `limit` characters, saying how much more there was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


class AssetkitError(Exception):
    """Base class: an operation failed and nothing was left half-done (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        # A safety net for messages that quote user data uncut.
        message = quote_excerpt(message, MESSAGE_LIMIT)
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(AssetkitError):
    """The command was called with options that cannot work together (exit 2)."""

    exit_code = 2


class ConfigError(UsageError):
    """assetkit.yaml (or a mapping/rules/assumptions file) is invalid (exit 2)."""


class NotEnoughData(AssetkitError):
    """The data stored cannot support the analysis asked for (exit 3)."""

    exit_code = 3


class StoreBusy(AssetkitError):
    """Another assetkit process holds the database and the wait ran out (exit 75)."""

    exit_code = 75


class SourceError(AssetkitError):
    """An input file cannot be read or recognised (exit 1).

    `path`, `line` and `column` locate the problem so the message can name them.
    """

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        location = ", ".join(
            part
            for part in (
                path,
                f"line {line}" if line is not None else None,
                f"column {column!r}" if column is not None else None,
            )
            if part
        )
        super().__init__(f"{location}: {message}" if location else message, hint)
        self.path = path
        self.line = line
        self.column = column


class NetworkError(AssetkitError):
    """A pull from an API failed after its retries (exit 1). Never carries credentials."""


def explain_failure(exc: BaseException, db_path: object = None) -> AssetkitError | None:
    """A clear AssetkitError for failures a user can act on that arrive as library
    exceptions (a damaged database file, a full disk, a read-only file, input nested too
    deeply, no memory left), or None for genuine bugs. Matches DuckDB's messages by text, so
    this module imports nothing heavy."""
    import errno

    text = str(exc)
    where = f"the database {db_path}" if db_path else "the database"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "No space left on device" in text:
        return AssetkitError("the disk is full; nothing was half-written (the change was rolled back or the "
                             "output left as it was)", hint="free some disk space and run the command again")
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return AssetkitError(f"permission denied: {exc.filename or text}",
                             hint="check the file's permissions, or choose another path")
    if isinstance(exc, RecursionError):
        return AssetkitError("the input is nested too deeply to read", hint="check the file; exports are flat tables")
    if isinstance(exc, MemoryError):
        return AssetkitError("ran out of memory", hint="import the file in parts, or on a machine with more memory")
    if not type(exc).__module__.startswith(("duckdb", "_duckdb")):
        return None
    if "Corrupt database file" in text or ("checksum" in text and "does not match" in text):
        return AssetkitError(f"{where} is damaged: {quote_excerpt(text.splitlines()[0])}",
                             hint="restore the latest backup (`assetkit db backup` makes them; see docs/unattended.md)")
    if "read-only mode" in text or "read only mode" in text or "Permission denied" in text:
        return AssetkitError(f"{where} is read-only (file permissions or a read-only mount) and this command writes to it",
                             hint="reading commands work on a read-only database; give write permission to change data")
    return None


def require_one_of(where: str, value: Any, allowed: Iterable[Any], shown: str | None = None) -> Any:
    """`value` when it is one of `allowed`; else a ConfigError "<where>: <value> is not one of
    <allowed>" (`shown` spells the choices when their repr would confuse, as for `'.'`)."""
    choices = tuple(allowed)
    if value not in choices:
        raise ConfigError(f"{where}: {value!r} is not one of {shown or ', '.join(map(str, choices))}")
    return value
