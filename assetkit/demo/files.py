"""File-level helpers shared by the demo writers: deterministic CSV/TSV/JSON output and the
manifest records that say what was written and where the deliberate mess is."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class DemoFile:
    """One written export: `rows` counts data records (not the header), as a reader sees them."""

    path: str
    platform: str
    kind: str
    format: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MessyRow:
    """A deliberately awkward record: `line` is the 1-based physical line (element index for JSON)."""

    path: str
    line: int
    issue: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_table(root: Path, rel: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                delimiter: str = ",", bom: bool = False) -> int:
    """Write a delimited file exactly like the platform does; returns the number of records."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for row in rows:
            if len(row) != len(header):
                raise ValueError(f"{rel}: row has {len(row)} fields, header {len(header)}")
            writer.writerow(row)
            n += 1
    return n


def write_json(root: Path, rel: str, payload: Any) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")


def physical_lines(rows: Sequence[Sequence[Any]]) -> list[int]:
    """1-based physical line of each record after a one-line header (fields may hold newlines)."""
    lines, line = [], 2
    for row in rows:
        lines.append(line)
        line += sum(str(v).count("\n") for v in row) + 1
    return lines


def utc(ts: int, offset_h: float = 0.0) -> datetime:
    return datetime.fromtimestamp(ts, timezone(timedelta(hours=offset_h)))


def money(x: float) -> str:
    """Plain dot-decimal with two places and no thousands separator (most exports)."""
    return f"{x + 0.0:.2f}"


def money_eu(x: float) -> str:
    """German-marketplace form: comma decimal, no thousands separator."""
    return money(x).replace(".", ",")


def long_date(d: datetime) -> str:
    """'March 2, 2024', as the Etsy statement writes it."""
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def short_date(d: datetime) -> str:
    """'Mar 2, 2024', as Upwork writes it."""
    return f"{MONTHS[d.month - 1][:3]} {d.day}, {d.year}"


def scramble(key: int, digits: int, salt: int = 0) -> str:
    """A stable pseudo-random digit string for platform IDs (no Python hash(): it is salted)."""
    return f"{(key * 2_654_435_761 + salt * 97_531) % 10 ** digits:0{digits}d}"
