"""Shared output primitives: the JSON envelope, formula-safe CSV, Markdown and terminal tables.

Every analysis command renders through these so that JSON always carries the same envelope
(`assetkit_version`, `generated_at`, `reporting_currency`, `kind`), CSV is always safe to
open in a spreadsheet, and tables look the same everywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from assetkit import __version__
from assetkit.jsonable import to_jsonable

JSON_SCHEMA_VERSION = 1
_DANGEROUS_LEAD = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "|", "%")
# A `+` and digits only is an E.164 phone number: a spreadsheet reads it as that number at most,
# and an apostrophe in front would be stored verbatim by a CRM.
_E164 = re.compile(r"\+[0-9]{6,15}")

# A formula start right after a line break inside a cell: a reader that splits the cell there
# (Python's csv on a bare CR, some spreadsheets) would start a new row with that formula.
_FORMULA_AFTER_BREAK = re.compile(r"([\r\n]+)(?=[ \t]*[=+\-@|%\0])")


# Explicit bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI
# PDI): a U+202E in a buyer name would reverse the text after it on the whole line.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def isolate_bidi(value: Any) -> Any:
    """For HTML templates (Jinja `finalize`): text holding bidi controls loses them and is
    wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, the character form of
    `<bdi>` (valid in attributes and <title> too), so it cannot reorder what surrounds it.
    Other values, and markup the template built itself, pass unchanged."""
    if type(value) is not str or not _BIDI_CONTROLS.search(value):
        return value
    return "\u2068" + _BIDI_CONTROLS.sub("", value) + "\u2069"


def json_envelope(kind: str, payload: Mapping[str, Any], reporting_currency: str) -> dict[str, Any]:
    """Wrap a result's dict with the fields every assetkit JSON document carries."""
    return {
        "assetkit_version": __version__,
        "schema_version": JSON_SCHEMA_VERSION,
        "kind": kind,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "reporting_currency": reporting_currency,
        **payload,
    }


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(to_jsonable(document), ensure_ascii=False, indent=2, allow_nan=False)


def neutralise_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a quote (CWE-1236).

    Numbers stay numbers; a text cell whose first non-blank character is one of
    = + - @ | % or which starts with tab/CR/LF/NUL gets a leading apostrophe, and so does
    every line inside the cell that starts with a formula character; an E.164 phone number
    (`+` and 6–15 digits, nothing else) is left as it is.
    """
    if value is None or isinstance(value, (int, float, decimal.Decimal, bool)):
        return value
    text = str(value)
    if _E164.fullmatch(text):
        return text
    text = _FORMULA_AFTER_BREAK.sub(r"\1'", text)
    stripped = text.lstrip(" ")
    if text and (text[0] in ("\t", "\r", "\n", "\0") or (stripped and stripped[0] in _DANGEROUS_LEAD)):
        return "'" + text
    return text


def write_csv_safe(rows: Iterable[Sequence[Any]], header: Sequence[str], fh: IO[str]) -> int:
    """Write a header and rows with every text cell neutralised; returns the row count.

    Every field holding a CR or LF is quoted: the csv module quotes only the characters of
    its line terminator ("\\n" here), and an unquoted bare CR starts a new row in spreadsheets
    and in Python's own csv reader. A row holding a CR is written with every field quoted
    (rare, and a quoted number still reads as a number).
    """
    writer = csv.writer(fh, lineterminator="\n")
    quote_all = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def write(cells: list[Any]) -> None:
        has_cr = any(isinstance(c, str) and "\r" in c for c in cells)
        (quote_all if has_cr else writer).writerow(cells)

    write([neutralise_cell(h) for h in header])
    count = 0
    for row in rows:
        write(["" if c is None else neutralise_cell(_plain(c)) for c in row])
        count += 1
    return count


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; pipes, newlines, backticks and HTML in cells are escaped."""

    def cell(value: Any) -> str:
        text = format_value(value)
        text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
        # Wikis render raw HTML inside Markdown: buyer text must not become markup.
        text = text.replace("<", "&lt;").replace(">", "&gt;")
        for ch in "`[]":
            text = text.replace(ch, "\\" + ch)
        return text

    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def format_value(value: Any, digits: int = 2) -> str:
    """Human formatting shared by text and Markdown output."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (decimal.Decimal, float)):
        number = float(value)
        if not math.isfinite(number):
            return "–"
        return f"{number:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:19].replace("T", " ")
    return str(value)


def format_percent(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


# `--wide`: every column at its full width, even past the terminal's edge (set once by the CLI).
_WIDE = {"on": False}
# Headers whose integers are labels, not quantities: 2023 must never print as "2,023".
_LABEL_HEADERS = frozenset({"year", "period", "cohort", "month", "batch", "plan", "id", "seed"})


def set_wide(on: bool) -> None:
    """Show every table column at full width (the `--wide` option)."""
    _WIDE["on"] = bool(on)


def wide_on() -> bool:
    return _WIDE["on"]


def rich_table(title: str | None, header: Sequence[str], rows: Iterable[Sequence[Any]],
               numeric: Sequence[bool] | None = None, priority: Sequence[str] = ()):  # noqa: ANN201
    """A terminal table that fits the console it is printed on, never cutting a cell to `a…`.

    When all columns fit they are all shown. Otherwise the first column and the `priority`
    headers are kept, then further columns left to right while they fit, and a line names the
    columns left out (`--wide` shows them, CSV/JSON always carry them). When even those do not
    fit, each row is printed as a stacked block of `header: value` lines. Numeric columns are
    right-aligned; cell text is never read as rich markup (a buyer named "[red]").
    """
    return FittedTable(title, list(header), [_cells(header, row) for row in rows],
                       list(numeric) if numeric else [False] * len(header), list(priority))


def _cells(header: Sequence[str], row: Sequence[Any]) -> list[str]:
    return [str(c) if isinstance(c, int) and not isinstance(c, bool) and h.strip().lower() in _LABEL_HEADERS
            else format_value(c) for h, c in zip(header, row)]


class FittedTable:
    """A rich renderable choosing its columns (or a stacked layout) at render time, from the width."""

    def __init__(self, title: str | None, header: list[str], rows: list[list[str]], numeric: list[bool],
                 priority: list[str]) -> None:
        self.title, self.header, self.rows, self.numeric, self.priority = title, header, rows, numeric, priority

    def _bounds(self, i: int) -> tuple[int, int]:
        """(narrowest, natural) content width of column i: text may wrap at spaces, numbers never."""
        from rich.cells import cell_len

        texts = [self.header[i]] + [row[i] for row in self.rows]
        natural = max(cell_len(text) for text in texts)
        words = [cell_len(w) for text in (texts if not self.numeric[i] else texts[:1]) for w in text.split()]
        narrowest = max(words + ([max(cell_len(row[i]) for row in self.rows)] if self.numeric[i] and self.rows else []),
                        default=1)
        return narrowest, natural

    def _need(self, columns: list[int], word: bool) -> int:
        """Width the table needs with these columns (borders and padding: 3 per column + 1)."""
        return sum(self._bounds(i)[0 if word else 1] for i in columns) + 3 * len(columns) + 1

    def choose(self, width: int) -> list[int] | None:
        """Column indices to show within `width`; None means the stacked layout."""
        every = list(range(len(self.header)))
        if _WIDE["on"] or self._need(every, word=True) <= width:
            return every
        keep = [0] + [self.header.index(h) for h in self.priority if h in self.header and self.header.index(h)]
        keep = list(dict.fromkeys(keep))
        if self._need(keep, word=True) > width:
            return None
        for i in every:
            if i not in keep and self._need(sorted(keep + [i]), word=True) <= width:
                keep.append(i)
        return sorted(keep)

    def _widths(self, columns: list[int], width: int) -> list[int]:
        """Content widths: every column at least its narrowest, the spare width shared out up to natural."""
        bounds = [self._bounds(i) for i in columns]
        if _WIDE["on"]:
            return [natural for _, natural in bounds]
        widths = [narrowest for narrowest, _ in bounds]
        spare = width - (sum(widths) + 3 * len(columns) + 1)
        order = sorted(range(len(columns)), key=lambda k: bounds[k][1] - bounds[k][0])
        for n, k in enumerate(order):
            give = min(bounds[k][1] - widths[k], max(0, spare) // (len(order) - n))
            widths[k] += give
            spare -= give
        return widths

    def _table(self, columns: list[int], width: int):  # noqa: ANN202 - rich.table.Table
        from rich.table import Table
        from rich.text import Text

        table = Table(title=self.title, title_justify="left", show_lines=False)
        for i, w in zip(columns, self._widths(columns, width)):
            table.add_column(self.header[i], justify="right" if self.numeric[i] else "left", overflow="fold",
                             width=w)
        for row in self.rows:
            table.add_row(*[Text(row[i]) for i in columns])
        return table

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 - rich protocol
        from rich.text import Text

        columns = self.choose(options.max_width)
        if columns is None:
            yield from self._stacked(options.max_width)
            return
        table = self._table(columns, options.max_width)
        yield table
        left_out = [self.header[i] for i in range(len(self.header)) if i not in columns]
        if left_out:
            yield Text(f"  {len(left_out)} more column(s): {', '.join(left_out)} (--wide shows them; "
                       "--format csv/json has all)", style="dim")

    def _stacked(self, width: int):  # noqa: ANN202 - rich renderables
        from rich.text import Text

        if self.title:
            yield Text(self.title, style="italic")
        label = max((len(h) for h in self.header[1:]), default=0)
        for row in self.rows:
            yield Text(f"▸ {row[0]}", style="bold")
            for name, value in zip(self.header[1:], row[1:]):
                yield Text(f"  {name.ljust(label)}  {value}")


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return value
