"""Assemble the report: run every analysis once, turn each result into a section.

A section whose analysis lacks data says so (and why) instead of failing the whole report:
a new user with only inquiries still gets the funnel and provenance. Redaction is applied to
the finished document data, before any renderer sees it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assetkit.config import Config
from assetkit.errors import NotEnoughData
from assetkit.export.report.model import KeyFigure, ReportContext, ReportDocument, Section

if TYPE_CHECKING:
    import duckdb


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


def build_report(con: duckdb.DuckDBPyConnection, config: Config, *, since: dt.date | None = None,
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
    sections.insert(0, _do_next(ctx, progress))
    _label_columns(sections)
    (first, last) = con.execute("SELECT min(ordered_at)::DATE, max(ordered_at)::DATE FROM orders").fetchone()
    start = since or first
    end = until or last
    doc = ReportDocument(
        business_name=config.business_name,
        reporting_currency=config.reporting_currency,
        period=f"{start or '–'} to {end or '–'}",
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        redacted=redact,
        key_figures=key_figures(ctx, sections),
        sections=sections,
    )
    if redact:
        from assetkit.export.report.redact import Redactor, build_pseudonyms

        doc = _redacted(doc, Redactor(build_pseudonyms(con)))
    return doc


def _do_next(ctx: ReportContext, progress: Callable[[str], None] | None) -> Section:
    """The opening "Do next" list, built last from the other sections' results."""
    from assetkit.export.report.sections.do_next import do_next_section

    if progress is not None:
        progress("Do next")
    try:
        return do_next_section(ctx)
    except NotEnoughData as exc:
        return Section(key="do-next", title="Do next", missing=f"Not enough data: {exc.message}")


def key_figures(ctx: ReportContext, sections: list[Section]) -> list[KeyFigure]:
    from assetkit.export.report.sections import customers, economics, scenario

    data = {s.key: s.data for s in sections if not s.missing}
    rc = ctx.config.reporting_currency
    figures = economics.key_figures(data) + customers.key_figures(data, rc)
    if "scenario" in data:
        figures.append(_one_shift(ctx, scenario.key_figure(data["scenario"], rc), data["scenario"]))
    prov = data.get("provenance", {})
    if prov:
        figures.append(KeyFigure("Rows imported", f"{prov.get('rows_loaded', 0):,}",
                                 f"{prov.get('rows_rejected', 0):,} quarantined"))
    return figures


def _one_shift(ctx: ReportContext, figure: KeyFigure, scenario: dict[str, Any]) -> KeyFigure:
    """One recommended shift, with its reason, and how it relates to the saved plan's shift."""
    best = float(scenario["recommended"]["shift"])
    figure.detail += ("; reason: the highest median 36-month NPV among the shift levels compared that break even "
                      "in most simulated runs (section Budget-shift scenario)")
    row = ctx.con.execute("SELECT document FROM plans ORDER BY plan_id DESC LIMIT 1").fetchone()
    if row is not None:
        import json

        planned = float(json.loads(row[0]).get("shift") or 0.0)
        if abs(planned - best) < 1e-9:
            figure.detail += "; your saved plan moves the same share"
        else:
            figure.detail += (f"; your saved plan moves {planned:.0%} (its targets and steps assume that): "
                              f"`assetkit plan --shift {best * 100:g}` plans with {best:.0%}")
    return figure


_LABEL_HEADERS = ("year", "period", "cohort", "month")


def _label_columns(sections: list[Section]) -> None:
    """Years and periods are labels: 2023 must never print as "2,023" in any table."""
    for section in sections:
        for table in section.tables:
            cols = [i for i, h in enumerate(table.header) if str(h).strip().lower() in _LABEL_HEADERS]
            for row in table.rows:
                for i in cols:
                    if i < len(row) and isinstance(row[i], int) and not isinstance(row[i], bool):
                        row[i] = str(row[i])


def _redacted(doc: ReportDocument, redactor: Callable[[Any], Any]) -> ReportDocument:
    for section in doc.sections:
        section.takeaway = redactor(section.takeaway)
        section.paragraphs = redactor(section.paragraphs)
        section.actions = redactor(section.actions)
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
