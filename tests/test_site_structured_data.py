"""Structured data and signals search engines and browsers read (issue 20, item 6): FAQPage,
Product offers, Organization sameAs and logo, sitemap lastmod, og:locale, the quote form's
placeholder option, and the HSTS / COOP headers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assetkit.config import Config, parse_config
from assetkit.errors import ConfigError
from assetkit.export.site import build_site
from assetkit.export.site.locales import og_locale
from assetkit.export.site.settings import parse_site_settings
from tests.helpers.site import XSS, Page, make_store, site_config, site_yaml

BASE = "https://www.acme.example"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)  # a signature and header are all that is read


def _build(tmp: Path, config: Config, *, hostile: bool = False, prepare=None) -> Path:
    store = make_store(tmp / "db.duckdb", hostile=hostile)
    try:
        if prepare is not None:
            prepare(store.con)
        build_site(store.con, config, tmp / "site")
    finally:
        store.close()
    return tmp / "site"


def _ld(root: Path, rel: str) -> dict[str, dict]:
    page = Page((root / rel).read_text(encoding="utf-8"))
    blocks = [json.loads(body) for attrs, body in page.scripts if attrs.get("type") == "application/ld+json"]
    return {b["@type"]: b for b in blocks}


def _priced(con) -> None:
    con.execute("UPDATE products SET price = 12.5, currency = 'eur' WHERE product_id = 'p1'")
    con.execute("UPDATE products SET price = 3, currency = 'euro' WHERE product_id = 'p2'")  # not ISO 4217
    con.execute("UPDATE products SET price = 1200, currency = 'USD' WHERE product_id = 'p3'")


def test_faq_page_carries_faqpage_json_ld_of_the_answered_questions_only(tmp_path: Path) -> None:
    root = _build(tmp_path, site_config())
    for lang in ("en", "de"):
        faq = _ld(root, f"{lang}/faq.html")["FAQPage"]
        entries = {q["name"]: q["acceptedAnswer"]["text"] for q in faq["mainEntity"]}
        assert all(q["@type"] == "Question" and q["acceptedAnswer"]["@type"] == "Answer" for q in faq["mainEntity"])
        assert entries and not any("site.faq." in a for a in entries.values())  # no placeholder published
    entries = {q["name"]: q["acceptedAnswer"]["text"] for q in _ld(root, "en/faq.html")["FAQPage"]["mainEntity"]}
    assert any("100 pcs" in a for a in entries.values())  # the drafted MOQ answer (catalogue fact)
    assert not any("sample" in q.lower() for q in entries)  # samples has no answer yet: a placeholder
    assert "samples" in (root / "en/faq.html").read_text()  # … which the page itself still shows


def test_no_faqpage_when_every_answer_is_a_placeholder(tmp_path: Path) -> None:
    config = site_yaml()
    config["site"].pop("certifications")
    store = make_store(tmp_path / "db.duckdb", products=False)
    try:
        build_site(store.con, parse_config(config), tmp_path / "site")
    finally:
        store.close()
    assert "FAQPage" not in _ld(tmp_path / "site", "en/faq.html")


def test_product_offers_price_currency_and_moq_as_eligible_quantity(tmp_path: Path) -> None:
    root = _build(tmp_path, site_config(), prepare=_priced)
    valve = _ld(root, "en/products/steel-valve-dn50.html")["Product"]
    assert valve["image"] == "https://img.example.com/valve.jpg"
    assert valve["offers"] == {"@type": "Offer", "price": "12.5", "priceCurrency": "EUR",
                               "url": f"{BASE}/en/products/steel-valve-dn50.html",
                               "eligibleQuantity": {"@type": "QuantitativeValue", "minValue": 100.0, "unitText": "pcs"}}
    fitting = _ld(root, "en/products/brass-fitting.html")["Product"]  # "euro" is no currency code
    assert "offers" not in fitting and "image" not in fitting
    ball = _ld(root, "en/products/ball-valve.html")["Product"]["offers"]  # a price, but no MOQ
    assert ball == {"@type": "Offer", "price": "1200", "priceCurrency": "USD",
                    "url": f"{BASE}/en/products/ball-valve.html"}


def test_organization_same_as_storefronts_and_a_png_logo(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    shops = ["https://acme.en.alibaba.com/", "https://www.etsy.com/shop/Acme"]
    root = _build(tmp_path, site_config(storefronts=shops, logo=str(logo)))
    org = _ld(root, "de/index.html")["Organization"]
    assert org["sameAs"] == shops and org["logo"] == f"{BASE}/assets/logo.png"
    assert (root / "assets/logo.png").read_bytes() == PNG
    plain = _build(tmp_path / "plain", site_config())
    org = _ld(plain, "en/index.html")["Organization"]
    assert "sameAs" not in org and "logo" not in org  # the shipped favicon is not the seller's logo
    assert not (plain / "assets/logo.png").exists()
    remote = parse_site_settings(site_config(logo="https://cdn.acme.example/logo.png"))
    assert remote.logo == "https://cdn.acme.example/logo.png" and remote.logo_png == b""


def test_logo_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand/logo.png").write_bytes(PNG)
    config = parse_config(site_yaml(logo="brand/logo.png"), path=tmp_path / "assetkit.yaml")
    assert parse_site_settings(config).logo_png == PNG


@pytest.mark.parametrize(("change", "message"), [
    ({"storefronts": ["javascript:alert(1)"]}, "site.storefronts[0]"),
    ({"storefronts": ["https://ok.example", "ftp://shop.example"]}, "site.storefronts[1]"),
    ({"logo": "/nonexistent/logo.png"}, "site.logo: cannot read"),
    ({"logo": "http://cdn.example/logo.png"}, "site.logo must be an https URL"),
    ({"logo": "https://cdn.example/logo.svg"}, "site.logo must be an https URL"),
])
def test_bad_storefronts_and_logos_name_the_key(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_site_settings(site_config(**change))


def test_a_logo_that_is_not_png_is_refused(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_text("<svg/>")
    with pytest.raises(ConfigError, match="is not a PNG file"):
        parse_site_settings(site_config(logo=str(tmp_path / "logo.png")))


def test_hostile_storefront_text_stays_data_in_json_ld(tmp_path: Path) -> None:
    shop = "https://shop.example/" + XSS["json_break"].replace(" ", "")
    root = _build(tmp_path, site_config(storefronts=[shop]))
    body = next(b for a, b in Page((root / "en/index.html").read_text()).scripts if "Organization" in b)
    assert "<" not in body and json.loads(body)["sameAs"] == [shop]


def test_sitemap_lastmod_is_the_utc_date_the_catalogue_was_imported(tmp_path: Path) -> None:
    def batch(con) -> None:
        con.execute("INSERT INTO import_batches VALUES (1, 'p.csv', 'p.csv', 'x', 'alibaba', 'products', 'p', NULL, "
                    "4, 4, 0, 0, TIMESTAMPTZ '2024-03-01 23:00:00-05', TIMESTAMPTZ '2024-03-01 23:30:00-05', 't')")

    root = _build(tmp_path, site_config(), prepare=batch)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    lastmod = {u.find("s:loc", ns).text: (u.find("s:lastmod", ns).text if u.find("s:lastmod", ns) is not None else None)
               for u in ET.parse(root / "sitemap.xml").getroot().findall("s:url", ns)}
    for rel in ("en/products/steel-valve-dn50.html", "de/products/ball-valve.html", "en/", "de/products.html"):
        assert lastmod[f"{BASE}/{rel}"] == "2024-03-02", rel  # 23:30 at UTC-5 is the 2nd in UTC
    assert lastmod[f"{BASE}/en/about.html"] is None  # no date known: none claimed
    assert lastmod[f"{BASE}/"] is None
    unknown = _build(tmp_path / "unknown", site_config())  # products without an import batch
    assert "<lastmod>" not in (unknown / "sitemap.xml").read_text()


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "de_DE"), ("en", "en_US"), ("fr", "fr_FR"), ("pt-BR", "pt_BR"), ("zh", "zh_CN"), ("sw", ""),
])
def test_og_locale_has_a_territory(lang: str, expected: str) -> None:
    assert og_locale(lang) == expected


def test_pages_carry_og_locale_and_its_alternates(tmp_path: Path) -> None:
    root = _build(tmp_path, site_config(languages=("de", "en", "sw")))
    de = Page((root / "de/about.html").read_text())
    assert de.meta("property", "og:locale") == "de_DE"
    assert [a["content"] for a in de.find("meta", property="og:locale:alternate")] == ["en_US"]
    sw = Page((root / "sw/about.html").read_text())
    assert sw.meta("property", "og:locale") is None  # no guessed territory
    assert Page((root / "en/index.html").read_text()).meta("property", "og:locale") == "en_US"


def test_every_required_select_starts_with_an_empty_option(tmp_path: Path) -> None:
    """W3C: a required single-choice <select> needs a placeholder first option with value ""."""
    root = _build(tmp_path, site_config())
    for rel in ("en/rfq.html", "de/products/steel-valve-dn50.html", "en/products/ball-valve.html"):
        tags = Page((root / rel).read_text()).tags
        start = next(i for i, (t, a) in enumerate(tags) if t == "select" and "required" in a)
        assert tags[start + 1][0] == "option" and tags[start + 1][1]["value"] == "", rel
    assert '<option value="Steel Valve DN50" selected>' in (root / "de/products/steel-valve-dn50.html").read_text()


def test_headers_add_hsts_on_https_and_coop(tmp_path: Path) -> None:
    headers = (_build(tmp_path, site_config()) / "_headers").read_text().splitlines()
    assert "  Strict-Transport-Security: max-age=31536000" in headers
    assert "  Cross-Origin-Opener-Policy: same-origin" in headers
    plain = _build(tmp_path / "http", site_config(domain="http://www.acme.example"))
    text = (plain / "_headers").read_text()
    assert "Strict-Transport-Security" not in text and "Cross-Origin-Opener-Policy: same-origin" in text
