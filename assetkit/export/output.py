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
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "reporting_currency": reporting_currency,
        **payload,
    }


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: Decimal → float, dates → ISO strings, NaN/inf → null."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_jsonable(value.item())
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return to_jsonable(value.to_dict())
    return value


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


def rich_table(title: str | None, header: Sequence[str], rows: Iterable[Sequence[Any]],
               numeric: Sequence[bool] | None = None):  # noqa: ANN201 - rich.table.Table
    """A rich Table with numeric columns right-aligned."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", show_lines=False)
    for i, name in enumerate(header):
        right = bool(numeric[i]) if numeric else False
        table.add_column(name, justify="right" if right else "left")
    for row in rows:
        # Text() keeps user data from being read as rich markup ("[red]" in a buyer name).
        table.add_row(*[Text(format_value(c)) for c in row])
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return value
