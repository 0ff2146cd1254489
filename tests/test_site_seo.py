"""Structure and SEO lint of the generated site: head items, hreflang, sitemap, links, JSON-LD."""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assetkit.export.site import build_site
from tests.helpers.site import Page, html_pages, make_store, site_config

BASE = "https://www.acme.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    tmp = tmp_path_factory.mktemp("seo")
    store = make_store(tmp / "db.duckdb")
    try:
        result = build_site(store.con, site_config(analytics="plausible", languages=("en", "de", "fr")), tmp / "site")
    finally:
        store.close()
    return tmp / "site", result


def _parsed(root: Path) -> dict[str, Page]:
    return {rel: Page(path.read_text(encoding="utf-8")) for rel, path in html_pages(root).items()}


def _url_to_rel(url: str) -> str:
    assert url.startswith(BASE + "/"), url
    rel = url[len(BASE) + 1:]
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def test_expected_pages_exist_per_language(site) -> None:
    root, result = site
    pages = html_pages(root)
    for lang in ("en", "de", "fr"):
        for name in ("index", "products", "applications", "about", "quality", "faq", "rfq", "privacy", "404"):
            assert f"{lang}/{name}.html" in pages
        assert {f"{lang}/products/steel-valve-dn50.html", f"{lang}/products/brass-fitting.html",
                f"{lang}/products/ball-valve.html"} <= set(pages)
    assert "index.html" in pages and "404.html" in pages
    assert result.products == 3 and result.products_source == "products"  # the duplicate BV-1 row folded
    assert any("fr" in w for w in result.warnings)  # French interface text falls back to English


def test_every_indexable_page_has_the_head_items(site) -> None:
    root, _ = site
    parsed = _parsed(root)
    titles, descriptions = {}, {}
    for rel, page in parsed.items():
        html = page.find("html")[0]
        assert html.get("lang"), rel
        title = "".join(t for t in page.text if t.strip())  # sanity: page has text
        assert title
        heads = [t for t in page.tags if t[0] == "title"]
        assert len(heads) == 1, rel
        description = page.meta("name", "description")
        assert description, rel
        csp = page.meta("http-equiv", "Content-Security-Policy")
        assert csp and "'unsafe-inline'" not in csp and "script-src 'self'" in csp, rel
        assert page.find("link", rel="icon"), rel
        assert page.find("link", rel="stylesheet"), rel
        if rel.endswith("404.html"):
            assert page.meta("name", "robots") == "noindex"
            continue
        canonical = page.find("link", rel="canonical")
        assert len(canonical) == 1 and canonical[0]["href"].startswith(BASE + "/"), rel
        assert _url_to_rel(canonical[0]["href"]) == rel
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert page.meta("property", prop), (rel, prop)
        alternates = {a["hreflang"]: a["href"] for a in page.find("link", rel="alternate")}
        assert set(alternates) == {"en", "de", "fr", "x-default"}, rel
        assert canonical[0]["href"] in alternates.values()
        descriptions.setdefault(description, []).append(rel)
        titles.setdefault(_title(root / rel), []).append(rel)
    assert all(len(v) == 1 for v in titles.values()), [v for v in titles.values() if len(v) > 1]
    assert all(len(v) == 1 for v in descriptions.values() if not v[0].endswith("index.html")), descriptions


def _title(path: Path) -> str:
    return re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8")).group(1)


def test_hreflang_is_reciprocal_with_x_default(site) -> None:
    root, _ = site
    parsed = _parsed(root)
    for rel, page in parsed.items():
        if rel.endswith("404.html"):
            continue
        own = page.find("link", rel="canonical")[0]["href"]
        alternates = {a["hreflang"]: a["href"] for a in page.find("link", rel="alternate")}
        for lang, href in alternates.items():
            other = parsed[_url_to_rel(href)]
            back = {a["hreflang"]: a["href"] for a in other.find("link", rel="alternate")}
            assert back == alternates, (rel, lang)
            assert own in back.values()
    home = {a["hreflang"]: a["href"] for a in parsed["de/index.html"].find("link", rel="alternate")}
    assert home["x-default"] == BASE + "/"
    product = {a["hreflang"]: a["href"] for a in parsed["fr/about.html"].find("link", rel="alternate")}
    assert product["x-default"] == BASE + "/en/about.html"


def test_sitemap_lists_every_indexable_page_and_robots_points_to_it(site) -> None:
    root, _ = site
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(root / "sitemap.xml")
    locs = {_url_to_rel(e.text) for e in tree.getroot().findall("s:url/s:loc", ns)}
    indexable = {rel for rel in html_pages(root) if not rel.endswith("404.html")}
    assert locs == indexable
    robots = (root / "robots.txt").read_text()
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.splitlines()


def test_no_broken_internal_links(site) -> None:
    root, _ = site
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    checked = 0
    for rel, page in _parsed(root).items():
        ids = {a.get("id") for _, a in page.tags if a.get("id")}
        for _tag, attrs in page.tags:
            for attr in ("href", "src", "action"):
                link = attrs.get(attr)
                if not link or re.match(r"^(https?|mailto|tel):", link):
                    continue
                target, _, fragment = link.partition("#")
                if not target:
                    assert fragment in ids, (rel, link)
                    continue
                resolved = (target.lstrip("/") if target.startswith("/")
                            else posixpath.normpath(posixpath.join(posixpath.dirname(rel), target)))
                assert resolved in files, (rel, link)
                checked += 1
    assert checked > 500


def test_json_ld_parses_with_required_fields(site) -> None:
    root, _ = site
    parsed = _parsed(root)
    for rel, page in parsed.items():
        blocks = [json.loads(body) for attrs, body in page.scripts if attrs.get("type") == "application/ld+json"]
        types = [b["@type"] for b in blocks]
        if rel.endswith("/index.html") and rel != "index.html":
            org = blocks[types.index("Organization")]
            assert org["name"] == "Acme Valves" and org["url"] == BASE + "/" and org["@context"] == "https://schema.org"
        if "/products/" in rel:
            product = blocks[types.index("Product")]
            assert product["name"] and product["url"] == BASE + "/" + rel
            crumbs = blocks[types.index("BreadcrumbList")]["itemListElement"]
            assert [c["position"] for c in crumbs] == [1, 2, 3]
            assert all(c["item"].startswith(BASE + "/") and c["name"] for c in crumbs)
            assert crumbs[-1]["item"] == product["url"]
    valve = next(json.loads(b) for a, b in parsed["en/products/steel-valve-dn50.html"].scripts
                 if a.get("type") == "application/ld+json")
    assert valve["sku"] == "SV-50" and valve["image"] == "https://img.example.com/valve.jpg"


def test_headers_file_has_strict_csp(site) -> None:
    root, _ = site
    headers = (root / "_headers").read_text()
    assert "frame-ancestors 'none'" in headers and "default-src 'none'" in headers
    assert "form-action https://forms.example.net" in headers
    assert "img-src 'self' data: https://img.example.com" in headers
    assert "unsafe-inline" not in headers and "unsafe-eval" not in headers
    assert (root / "favicon.svg").read_text().startswith("<svg")


def test_no_inline_scripts_or_styles(site) -> None:
    root, _ = site
    for rel, page in _parsed(root).items():
        for attrs, body in page.scripts:
            assert attrs.get("src") or attrs.get("type") == "application/ld+json", rel
            if attrs.get("src"):
                assert not body.strip()
        assert not page.find("style")
        assert not [a for _, a in page.tags if "style" in a], rel
        assert not [k for _, a in page.tags for k in a if k.startswith("on")], rel


def test_large_sites_get_a_sitemap_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetkit.export.site import html

    monkeypatch.setattr(html, "SITEMAP_MAX_URLS", 10)
    store = make_store(tmp_path / "db.duckdb")
    try:
        build_site(store.con, site_config(), tmp_path / "site")
    finally:
        store.close()
    root = tmp_path / "site"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.parse(root / "sitemap.xml").getroot()
    parts = [e.text for e in index.findall("s:sitemap/s:loc", ns)]
    assert index.tag.endswith("sitemapindex") and len(parts) == 3  # 25 indexable pages, 10 per file
    locs = set()
    for url in parts:
        urls = ET.parse(root / url.rsplit("/", 1)[1]).getroot().findall("s:url/s:loc", ns)
        assert len(urls) <= 10
        locs |= {_url_to_rel(e.text) for e in urls}
    assert locs == {rel for rel in html_pages(root) if not rel.endswith("404.html")}
