"""Report rendering: escaping, CSP, Markdown safety, redaction — independent of the analyses."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

from assetkit.export.report.model import Chart, KeyFigure, ReportDocument, Section, Table
from assetkit.export.report.redact import Redactor
from assetkit.export.report.render import render_html, render_json, render_markdown

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</script><script>alert(2)</script>",
    "<svg onload=alert(3)>",
    "'; DROP TABLE orders; --",
]


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):  # noqa: ANN001
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):  # noqa: ANN001
        if self._in_script:
            self.scripts.append(data)


def _doc(text: str) -> ReportDocument:
    data = [{"channel": text, "value": 1.0}, {"channel": "own_site", "value": 2.0}]
    section = Section(
        key="s1", title=f"Title {text}", takeaway=f"Takeaway {text}", paragraphs=[f"Para {text}"],
        tables=[Table(f"Table {text}", ["name", "amount"], [[text, 1.5], ["b", 2]], numeric=[False, True],
                      note=f"note {text}")],
        charts=[Chart(f"Chart {text}", {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
                                        "data": {"values": data}, "mark": "bar",
                                        "encoding": {"y": {"field": "channel", "type": "nominal"},
                                                     "x": {"field": "value", "type": "quantitative"}}},
                      f"Bars {text}")],
        data={"buyer": text},
    )
    return ReportDocument(text, "USD", "2024-01-01 to 2024-12-31", "2024-12-31 00:00 UTC", False,
                          [KeyFigure(f"Label {text}", text, f"detail {text}")], [section])


def test_xss_corpus_renders_inert_in_html() -> None:
    for text in XSS:
        html = render_html(_doc(text))
        parser = Collector()
        parser.feed(html)
        tags = [t for t, _ in parser.tags]
        assert tags.count("script") == 1, text  # only our own sorting script
        assert "img" not in tags, text
        for tag, attrs in parser.tags:
            assert not any(name.startswith("on") for name in attrs), (text, tag, attrs)
            for name in ("href", "src"):
                assert not (attrs.get(name) or "").lower().startswith("javascript:"), text
        assert "alert" not in "".join(parser.scripts)


def test_csp_hashes_match_the_inline_style_and_script() -> None:
    html = render_html(_doc("x"))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    for body in (style, script):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"sha256-{digest}" in csp
    assert "http://" not in html.replace("http://www.w3.org/", "") and "https://" not in html


def test_chart_is_inline_svg_with_alt_text() -> None:
    html = render_html(_doc("x"))
    assert re.search(r'<svg role="img" aria-label="Bars x"', html)


def test_chart_figures_use_valid_aria_named_by_their_heading() -> None:
    """A <figure> with a <figcaption> allows no role but doc-example (ARIA in HTML): the figure
    keeps its own role and is named by its heading."""
    parser = Collector()
    parser.feed(render_html(_doc("x")))
    figures = [a for t, a in parser.tags if t == "figure"]
    ids = {a.get("id") for t, a in parser.tags if t == "h3"}
    assert figures and all("role" not in a and a["aria-labelledby"] in ids for a in figures)


def test_report_asks_search_engines_not_to_index_it() -> None:
    """The report holds the seller's private figures: a copy left on a web server stays out of search."""
    parser = Collector()
    parser.feed(render_html(_doc("x")))
    assert ("meta", {"name": "robots", "content": "noindex"}) in parser.tags


def test_markdown_escapes_html_and_markup() -> None:
    md = render_markdown(_doc("<script>alert(1)</script> [link](javascript:x) | pipe"))
    assert "<script>" not in md
    assert not re.search(r"(?<!\\)\]\(javascript:", md)  # brackets escaped: no link
    assert "&lt;script&gt;" in md


def test_json_carries_envelope_and_sections() -> None:
    data = json.loads(render_json(_doc("x")))
    assert data["kind"] == "report" and data["reporting_currency"] == "USD"
    assert data["sections"]["s1"]["tables"][0]["rows"][0] == ["x", 1.5]
    assert data["summary"][0]["value"] == "x"


def test_redactor_replaces_whole_words_case_insensitively() -> None:
    red = Redactor({"Ann Buyer": "Buyer 1", "ann@example.com": "buyer-1@redacted.invalid", "Al": "Buyer 2"})
    assert red("Order from ANN BUYER (ann@example.com)") == "Order from Buyer 1 (buyer-1@redacted.invalid)"
    assert red("Alibaba and Al") == "Alibaba and Buyer 2"
    assert red({"rows": [["Ann Buyer", 3]]}) == {"rows": [["Buyer 1", 3]]}
