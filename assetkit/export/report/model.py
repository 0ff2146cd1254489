"""The report as data: sections of tables, charts and sentences, independent of the format.

Each analysis contributes one `Section`; the HTML, Markdown and JSON renderers only walk this
structure, so a number shown in the HTML is by construction the number in the JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]
    numeric: list[bool] | None = None
    note: str | None = None
    anchor: str | None = None  # an id to link to (the Do next list links its detail tables)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "header": self.header, "rows": self.rows, "note": self.note}


@dataclass
class Chart:
    """A Vega-Lite spec; rendered to inline SVG for HTML, omitted from Markdown."""

    title: str
    spec: dict[str, Any]
    description: str  # alt text: what the chart shows, in words

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "description": self.description}


@dataclass
class Section:
    key: str
    title: str
    takeaway: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the analysis result, for JSON
    missing: str | None = None  # why the section has no numbers (not enough data …)
    actions: list[dict[str, Any]] = field(default_factory=list)  # Do next: {text, money, href}

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "takeaway": self.takeaway,
            "missing": self.missing,
            "paragraphs": self.paragraphs,
            "tables": [t.to_dict() for t in self.tables],
            "charts": [c.to_dict() for c in self.charts],
            "data": self.data,
        }


@dataclass
class KeyFigure:
    label: str
    value: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "detail": self.detail}


@dataclass
class ReportDocument:
    business_name: str
    reporting_currency: str
    period: str
    generated_at: str
    redacted: bool
    key_figures: list[KeyFigure]
    sections: list[Section]

    def to_dict(self) -> dict[str, Any]:
        return {
            "business_name": self.business_name,
            "period": self.period,
            "redacted": self.redacted,
            "summary": [k.to_dict() for k in self.key_figures],
            "sections": {s.key: s.to_dict() for s in self.sections},
        }


@dataclass
class ReportContext:
    """What every section builder gets; `results` lets later sections reuse earlier analyses."""

    con: duckdb.DuckDBPyConnection
    config: Config
    since: dt.date | None = None
    until: dt.date | None = None
    results: dict[str, Any] = field(default_factory=dict)
