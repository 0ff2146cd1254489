"""Render a `ReportDocument` as self-contained HTML, Markdown or JSON.

HTML: one file with inline CSS, inline SVG charts, and one small inline sorting script. A meta
Content-Security-Policy allows exactly that style and script (by SHA-256 hash) and nothing else,
so even if an injected string escaped the autoescaping it could not run or load anything.
"""

from __future__ import annotations

import base64
import hashlib
import math
from decimal import Decimal
from importlib.resources import files
from typing import Any

from assetkit import __version__
from assetkit.export.output import dumps, format_value, isolate_bidi, json_envelope, markdown_table
from assetkit.export.report.model import ReportDocument

_TEMPLATES = files("assetkit.export.report").joinpath("templates")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _sort_key(cell: Any) -> str:
    if isinstance(cell, bool):
        return str(int(cell))
    if isinstance(cell, (int, float, Decimal)):
        number = float(cell)
        return repr(number) if math.isfinite(number) else ""
    return "" if cell is None else str(cell)


def render_html(doc: ReportDocument) -> str:
    import jinja2

    from assetkit.export.report.charts import render_svg

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False,
                             finalize=isolate_bidi)
    template = env.from_string(_TEMPLATES.joinpath("report.html").read_text(encoding="utf-8"))
    css = _TEMPLATES.joinpath("report.css").read_text(encoding="utf-8")
    script = _TEMPLATES.joinpath("sort.js").read_text(encoding="utf-8")
    svgs: dict[str, str] = {}
    for section in doc.sections:
        for i, chart in enumerate(section.charts):
            svg = render_svg(chart.spec)
            # Mark the chart as an image with a text alternative for screen readers.
            label = jinja2.utils.markupsafe.escape(chart.description)
            svgs[f"{section.key}:{i}"] = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return template.render(
        doc=doc,
        css=jinja2.utils.markupsafe.Markup(css),
        script=jinja2.utils.markupsafe.Markup(script),
        style_hash=_csp_hash(css),
        script_hash=_csp_hash(script),
        svgs=svgs,
        fmt=format_value,
        sort_key=_sort_key,
        version=__version__,
    )


def render_markdown(doc: ReportDocument) -> str:
    lines = [
        f"# {_md_text(doc.business_name)} — assetkit report",
        "",
        f"Period {doc.period} · amounts in {doc.reporting_currency} · generated {doc.generated_at}"
        + (" · buyer identities redacted" if doc.redacted else ""),
        "",
        "## Summary",
        "",
    ]
    lines += [f"- **{_md_text(k.label)}**: {_md_text(k.value)}" + (f" ({_md_text(k.detail)})" if k.detail else "")
              for k in doc.key_figures]
    for section in doc.sections:
        lines += ["", f"## {_md_text(section.title)}", ""]
        if section.takeaway:
            lines += [f"**{_md_text(section.takeaway)}**", ""]
        if section.missing:
            lines += [f"> {_md_text(section.missing)}", ""]
        if section.actions:
            lines += [f"{i}. {_md_text(a['text'])} — {_md_text(a['money'])} ([details]({a['href']}))"
                      for i, a in enumerate(section.actions, 1)] + [""]
        lines += [p for para in section.paragraphs for p in (_md_text(para), "")]
        for chart in section.charts:
            lines += [f"*Chart (in the HTML report): {_md_text(chart.title)} — {_md_text(chart.description)}*", ""]
        for table in section.tables:
            anchor = f'<a id="{table.anchor}"></a>' if table.anchor else ""
            lines += [f"### {anchor}{_md_text(table.title)}", "", markdown_table(table.header, table.rows), ""]
            if table.note:
                lines += [f"_{_md_text(table.note)}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_json(doc: ReportDocument) -> str:
    return dumps(json_envelope("report", doc.to_dict(), doc.reporting_currency))


def _md_text(text: str) -> str:
    """User text in Markdown: no raw HTML, no link/emphasis syntax from buyer data."""
    out = str(text).replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "[]*_`|":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


__all__ = ["render_html", "render_markdown", "render_json", "format_value"]
