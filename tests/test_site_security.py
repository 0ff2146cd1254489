"""Hostile input: the XSS corpus in every field renders inert; no slug or path escapes DIR;
the site folder is swapped atomically and a foreign folder is never replaced."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetkit.errors import AssetkitError, UsageError
from assetkit.export.site import build_site
from assetkit.export.site.content import slugify
from assetkit.export.site.html import safe_url
from assetkit.export.site.writer import MARKER, _target, write_tree
from tests.helpers.site import XSS, Page, html_pages, make_store, site_config

ALLOWED_SCRIPT_SRC = ("https://plausible.io/", "https://cloud.umami.is/", "https://www.googletagmanager.com/")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("xss")
    store = make_store(tmp / "db.duckdb", hostile=True)
    try:
        build_site(store.con, site_config(hostile=True, analytics="plausible"), tmp / "site")
    finally:
        store.close()
    return tmp / "site"


def test_xss_corpus_renders_inert_on_every_page(hostile_site: Path) -> None:
    pages = html_pages(hostile_site)
    assert len(pages) > 20
    for rel, path in pages.items():
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        for tag, attrs in page.tags:
            assert tag != "img" or attrs.get("src", "").startswith("https://"), (rel, attrs)
            assert not [k for k in attrs if k.startswith("on")], (rel, tag, attrs)
            for key in ("href", "src", "action", "content"):
                value = (attrs.get(key) or "").replace(" ", "").lower()
                assert not value.startswith("javascript:"), (rel, tag, attrs)
        for attrs, body in page.scripts:
            if attrs.get("type") == "application/ld+json":
                assert "</script" not in body.lower() and "<" not in body
                json.loads(body)  # still valid JSON, hostile text kept as data
            else:
                assert attrs.get("src", "").startswith(ALLOWED_SCRIPT_SRC) and not body.strip(), (rel, attrs)
        # the payloads survive as visible text, escaped in the markup
        assert "<script>alert" not in text and "onerror=alert(1)>" not in text
    product = Page((hostile_site / "en/products/steel-valve-dn50-script-alert-1-script.html").read_text())
    assert XSS["script"] in "".join(product.text)
    about = Page((hostile_site / "en/about.html").read_text())
    assert "{{ 7*7 }}{% raw %}" in "".join(about.text)  # user text is never template source


def test_hostile_text_cannot_break_sitemap_or_headers(hostile_site: Path) -> None:
    import xml.etree.ElementTree as ET

    ET.parse(hostile_site / "sitemap.xml")
    headers = (hostile_site / "_headers").read_text()
    assert "<" not in headers and "javascript" not in headers


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html,<script>", "vbscript:x", "//evil.example/x", "\\\\evil/x",
                                 "file:///etc/passwd"])
def test_safe_url_rejects_dangerous_schemes(url: str) -> None:
    assert safe_url(url) == "#"


@pytest.mark.parametrize("url", ["https://a.example/x?y=1", "http://a.example", "mailto:a@b.example",
                                 "tel:+4930123", "../en/index.html", "products/a.html", "#rfq-form", "/en/"])
def test_safe_url_keeps_allowed_urls(url: str) -> None:
    assert safe_url(url) == url


@pytest.mark.parametrize("name", ["../../etc/passwd", "..", "/abs/path", "a/../../b", "C:\\Windows\\x",
                                  "名前", ".hidden", "con", "a" * 300, "..\\..\\x"])
def test_slugs_stay_inside_their_folder(name: str) -> None:
    slug = slugify(name, set())
    assert slug and "/" not in slug and "\\" not in slug and ".." not in slug and not slug.startswith(".")
    assert len(slug) <= 60


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=8))
def test_slugs_are_safe_and_unique(names: list[str]) -> None:
    taken: set[str] = set()
    slugs = [slugify(n, taken) for n in names]
    assert len(set(slugs)) == len(slugs)
    assert all(s and all(c.isascii() and (c.isalnum() or c == "-") for c in s) for s in slugs)


def test_traversal_product_names_write_only_inside_dir(tmp_path: Path) -> None:
    store = make_store(tmp_path / "db.duckdb", products=False)
    store.con.execute(
        "INSERT INTO products (product_id, name, batch_id, source_line) VALUES "
        "('a', '../../../outside', 1, 1), ('b', '/etc/passwd', 1, 2), ('c', '..', 1, 3), ('d', '....//x', 1, 4)")
    out = tmp_path / "nested" / "site"
    before = {p.name for p in tmp_path.iterdir()}
    try:
        build_site(store.con, site_config(), out)
    finally:
        store.close()
    assert {p.name for p in tmp_path.iterdir()} - before == {"nested"}
    assert sorted(p.name for p in (tmp_path / "nested").iterdir()) == ["site"]
    products = sorted(p.name for p in (out / "en" / "products").iterdir())
    assert products == ["etc-passwd.html", "outside.html", "product-" + products[2][8:], "x.html"]


@pytest.mark.parametrize("rel", ["../x", "/etc/x", "a/../../b", "a/./b", "", "a\\..\\b"])
def test_writer_refuses_paths_outside_root(tmp_path: Path, rel: str) -> None:
    with pytest.raises(AssetkitError):
        _target(tmp_path, rel)


def test_writer_replaces_its_own_site_and_refuses_foreign_folders(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_tree(out, {"a.html": "one", "sub/b.html": "two"}, "html")
    assert (out / MARKER).exists() and (out / "sub/b.html").read_text() == "two"
    write_tree(out, {"c.html": "three"}, "html")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "c.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging or old folders left behind
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "thesis.doc").write_text("precious")
    with pytest.raises(UsageError, match="not written by assetkit"):
        write_tree(foreign, {"a.html": "x"}, "html")
    assert (foreign / "thesis.doc").read_text() == "precious"


def test_failed_render_leaves_the_old_site_untouched(tmp_path: Path) -> None:
    store = make_store(tmp_path / "db.duckdb")
    out = tmp_path / "site"
    try:
        build_site(store.con, site_config(), out)
        before = (out / "en/index.html").read_text()
        templates = tmp_path / "tpl"
        templates.mkdir()
        (templates / "about.html").write_text("{% extends 'base.html' %}{% block main %}{{ no_such_variable }}{% endblock %}")
        with pytest.raises(Exception, match="no_such_variable"):  # StrictUndefined
            build_site(store.con, site_config(), out, template_dir=templates)
    finally:
        store.close()
    assert (out / "en/index.html").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


@pytest.mark.parametrize(("name", "expected"), [
    ("Größe M Schere", "grosse-m-schere"), ("Łódź Tote", "lodz-tote"), ("手术剪刀 17cm", "shoushujiandao-17cm"),
    ("Ножницы хирургические", "nozhnitsy-khirurgicheskie"), ("Café Crème", "cafe-creme"), ("CON", "con-item"),
])
def test_slugs_transliterate_every_script(name: str, expected: str) -> None:
    assert slugify(name, set()) == expected


def test_site_and_demo_share_one_slug_function() -> None:
    from assetkit.demo.model import ascii_slug
    from assetkit.slugs import slug

    assert ascii_slug("Zeynep Yılmaz") == slug("Zeynep Yılmaz", ".") == "zeynep.yilmaz"
    assert slugify("Zeynep Yılmaz", set()) == slug("Zeynep Yılmaz") == "zeynep-yilmaz"


@pytest.mark.parametrize("image_url", [
    "https://img.example.com/a.jpg;form-action https://evil.example",
    "https://img.example.com;form-action https://evil.example/x.jpg",
    "https://img.example.com form-action https://evil.example",
    "https://user:pw@evil.example/x.jpg; script-src *",
    "https://img.example.com,https://evil.example/x.jpg",
])
def test_only_plain_origins_enter_the_csp(tmp_path: Path, image_url: str) -> None:
    store = make_store(tmp_path / "db.duckdb")
    try:
        store.con.execute("UPDATE products SET image_url = ? WHERE product_id = 'p1'", [image_url])
        build_site(store.con, site_config(), tmp_path / "site")
    finally:
        store.close()
    headers = (tmp_path / "site" / "_headers").read_text(encoding="utf-8")
    metas = [m for page in html_pages(tmp_path / "site").values() for m in re.findall(
        r'http-equiv="Content-Security-Policy" content="([^"]*)"', page.read_text(encoding="utf-8"))]
    assert metas
    for policy in [*metas, headers]:
        assert "evil.example" not in policy and "script-src *" not in policy
        assert policy.count("form-action") == 1


def test_csp_origin_keeps_scheme_host_and_port_only() -> None:
    from assetkit.export.site.settings import csp_origin

    assert csp_origin("https://img.example.com:8443/a/b.jpg?x=1#y") == "https://img.example.com:8443"
    assert csp_origin("https://IMG.Example.com/a.jpg") == "https://img.example.com"
    for bad in ("https://a.example;x", "javascript:alert(1)", "https://a b", "https://u@a.example", "https://", ""):
        assert csp_origin(bad) is None
