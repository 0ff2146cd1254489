"""Typed errors, translated to a message and an exit code in exactly one place (cli.py).

Library code raises these instead of printing; each carries a `hint` that names the fix,
and the exit code the command line must return (see docs/cli.md: 1 failed, 2 usage or
configuration, 3 not enough data, 75 database busy).
"""

from __future__ import annotations


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
