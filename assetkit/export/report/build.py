"""Assemble the report: run every analysis once, turn each result into a section.

A section whose analysis lacks data says so (and why) instead of failing the whole report:
a new user with only inquiries still gets the funnel and provenance. Redaction is applied to
the finished document data, before any renderer sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.config import Config
from assetkit.errors import NotEnoughData
from assetkit.export.report.model import KeyFigure, ReportDocument, Section

if TYPE_CHECKING:
    import duckdb


@dataclass
class ReportContext:
    """What every section builder gets; `results` lets later sections reuse earlier analyses."""

    con: "duckdb.DuckDBPyConnection"
    config: Config
    since: dt.date | None = None
    until: dt.date | None = None
    results: dict[str, Any] = field(default_factory=dict)


SectionBuilder = Callable[[ReportContext], Section]


def _section_builders() -> list[tuple[str, str, SectionBuilder]]:
    from assetkit.export.report.provenance import provenance_section
    from assetkit.export.report.sections.cohorts import cohorts_section
    from assetkit.export.report.sections.customers import clv_section, segments_section
    from assetkit.export.report.sections.economics import fees_section, funnel_section
    from assetkit.export.report.sections.learning import learning_section
    from assetkit.export.report.sections.plan import plan_section
    from assetkit.export.report.sections.scenario import scenario_section

    return [
        ("costs", "Platform costs", fees_section),
        ("funnel", "Funnel and channels", funnel_section),
        ("customers", "Customer value", clv_section),
        ("cohorts", "Cohorts and recurring revenue", cohorts_section),
        ("segments", "Segments and migration candidates", segments_section),
        ("learning", "Leads and next orders", learning_section),
        ("scenario", "Budget-shift scenario", scenario_section),
        ("plan", "Plan vs actual", plan_section),
        ("provenance", "Data provenance", lambda ctx: provenance_section(ctx.con)),
    ]


def build_report(con: "duckdb.DuckDBPyConnection", config: Config, *, since: dt.date | None = None,
                 until: dt.date | None = None, redact: bool = False,
                 progress: Callable[[str], None] | None = None) -> ReportDocument:
    ctx = ReportContext(con, config, since, until)
    sections: list[Section] = []
    for key, title, builder in _section_builders():
        if progress is not None:
            progress(title)
        try:
            sections.append(builder(ctx))
        except NotEnoughData as exc:
            sections.append(Section(key=key, title=title, missing=f"Not enough data: {exc.message}"
                                    + (f" ({exc.hint})" if exc.hint else "")))
    (first, last) = con.execute("SELECT min(ordered_at)::DATE, max(ordered_at)::DATE FROM orders").fetchone()
    start = since or first
    end = until or last
    doc = ReportDocument(
        business_name=config.business_name,
        reporting_currency=config.reporting_currency,
        period=f"{start or '–'} to {end or '–'}",
        generated_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        redacted=redact,
        key_figures=key_figures(ctx, sections),
        sections=sections,
    )
    if redact:
        from assetkit.export.report.redact import Redactor, build_pseudonyms

        doc = _redacted(doc, Redactor(build_pseudonyms(con)))
    return doc


def key_figures(ctx: ReportContext, sections: list[Section]) -> list[KeyFigure]:
    from assetkit.export.report.sections import customers, economics, scenario

    data = {s.key: s.data for s in sections if not s.missing}
    rc = ctx.config.reporting_currency
    figures = economics.key_figures(data) + customers.key_figures(data, rc)
    if "scenario" in data:
        figures.append(scenario.key_figure(data["scenario"], rc))
    prov = data.get("provenance", {})
    if prov:
        figures.append(KeyFigure("Rows imported", f"{prov.get('rows_loaded', 0):,}",
                                 f"{prov.get('rows_rejected', 0):,} quarantined"))
    return figures


def _redacted(doc: ReportDocument, redactor: Callable[[Any], Any]) -> ReportDocument:
    for section in doc.sections:
        section.takeaway = redactor(section.takeaway)
        section.paragraphs = redactor(section.paragraphs)
        section.data = redactor(section.data)
        for table in section.tables:
            table.rows = redactor(table.rows)
            table.title = redactor(table.title)
        for chart in section.charts:
            chart.spec = redactor(chart.spec)
            chart.description = redactor(chart.description)
    for figure in doc.key_figures:
        figure.value = redactor(figure.value)
        figure.detail = redactor(figure.detail)
    return doc
