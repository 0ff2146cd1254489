"""Site content and configuration: analytics, RFQ form, FAQ from inquiries, products fallback,
config validation, user templates, the Hugo flavour and the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from assetkit.config import Config, parse_config
from assetkit.errors import ConfigError
from assetkit.export.site import build_site
from assetkit.export.site.settings import parse_site_settings
from tests.helpers.site import Page, html_pages, make_store, site_config, site_yaml


def _build(tmp_path: Path, config: Config, **kwargs) -> tuple[Path, object]:
    store = make_store(tmp_path / "db.duckdb", **{k: kwargs.pop(k) for k in ("products", "inquiries") if k in kwargs})
    try:
        result = build_site(store.con, config, tmp_path / "site", **kwargs)
    finally:
        store.close()
    return tmp_path / "site", result


@pytest.mark.parametrize(("analytics", "marker"), [
    ({"provider": "plausible"}, 'data-domain="www.acme.example" src="https://plausible.io/js/script.js"'),
    ({"provider": "umami", "website_id": "4fb7fa4c-5b46-438d-94b3-3a8fb9bc2e8b"},
     'data-website-id="4fb7fa4c-5b46-438d-94b3-3a8fb9bc2e8b" src="https://cloud.umami.is/script.js"'),
    ({"provider": "ga4", "measurement_id": "G-TEST1234"}, 'src="https://www.googletagmanager.com/gtag/js?id=G-TEST1234"'),
])
def test_analytics_snippet_exactly_once_per_page(tmp_path: Path, analytics: dict, marker: str) -> None:
    root, result = _build(tmp_path, site_config(analytics=analytics))
    assert result.analytics == analytics["provider"]
    for rel, path in html_pages(root).items():
        text = path.read_text()
        assert text.count(marker) == 1, rel
        assert text.count("<script src=") + text.count("<script defer") + text.count("<script async") == (
            2 if analytics["provider"] == "ga4" else 1), rel
    csp = (root / "_headers").read_text()
    origin = {"plausible": "https://plausible.io", "umami": "https://cloud.umami.is",
              "ga4": "https://www.googletagmanager.com"}[analytics["provider"]]
    assert f"script-src 'self' {origin};" in csp
    if analytics["provider"] == "ga4":
        consent = (root / "assets/ga4-consent.js").read_text()
        assert '"G-TEST1234"' in consent and consent.count('"denied"') == 4
        assert consent.index('"consent", "default"') < consent.index('"config"')
        home = (root / "en/index.html").read_text()
        assert home.index("ga4-consent.js\"></script>") < home.index("<script async src=\"https://www.googletagmanager")
        assert "Consent Mode" in (root / "de/privacy.html").read_text()


def test_no_analytics_when_disabled(tmp_path: Path) -> None:
    root, result = _build(tmp_path, site_config(analytics="none"))
    assert result.analytics == "none"
    for rel, path in html_pages(root).items():
        assert "<script src" not in path.read_text() and "defer" not in path.read_text(), rel
    assert not (root / "assets/ga4-consent.js").exists()


def test_rfq_form_fields_labels_honeypot_and_action(tmp_path: Path) -> None:
    root, _ = _build(tmp_path, site_config())
    for rel in ("en/rfq.html", "de/products/steel-valve-dn50.html"):
        page = Page((root / rel).read_text())
        form = page.find("form")[0]
        assert form["action"] == "https://forms.example.net/f/abc" and form["method"] == "post"
        labels = {a["for"] for a in page.find("label")}
        for field in ("product", "quantity", "incoterm", "destination", "company", "country", "email", "message"):
            control = [a for t, a in page.tags if t in ("input", "select", "textarea") and a.get("name") == field]
            assert control and control[0]["id"] in labels, (rel, field)
        honeypot = page.find("input", name="website")[0]
        assert honeypot["tabindex"] == "-1" and page.find("div", **{"class": "hp", "aria-hidden": "true"})
    product = (root / "de/products/steel-valve-dn50.html").read_text()
    assert '<option value="Steel Valve DN50" selected>' in product
    assert " selected>" not in (root / "en/rfq.html").read_text()


def test_faq_from_most_frequent_topics_without_buyer_identity(tmp_path: Path) -> None:
    root, result = _build(tmp_path, site_config())
    counts = {t["topic"]: t["inquiries"] for t in result.faq_topics}
    assert counts == {"moq": 3, "samples": 2, "certifications": 1}  # hand-counted over i1..i5
    assert [t["topic"] for t in result.faq_topics] == ["moq", "samples", "certifications"]
    faq = (root / "en/faq.html").read_text()
    assert faq.index("minimum order quantity") < faq.index("order samples") < faq.index("certifications do")
    assert "start at 100 pcs" in faq  # lowest MOQ in the catalogue
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "Secretname" not in text and "hans@importer.de" not in text and "Importer GmbH" not in text


def test_faq_defaults_without_inquiries_and_products_fallback_to_orders(tmp_path: Path) -> None:
    root, result = _build(tmp_path, site_config(), products=False, inquiries=False)
    assert result.inquiries_scanned == 0 and [t["inquiries"] for t in result.faq_topics] == [0, 0, 0, 0]
    assert result.products_source == "orders" and result.products == 2  # Ceramic Mug (2 spellings) + Etsy Mug
    assert sorted(p.name for p in (root / "en/products").iterdir()) == ["ceramic-mug.html", "etsy-mug.html"]


@pytest.mark.parametrize(("change", "key"), [
    ({"domain": None}, "site.domain"),
    ({"domain": "ftp://x.example"}, "site.domain"),
    ({"domain": "https://x.example/shop"}, "site.domain"),
    ({"languages": ["en", "english"]}, "site.languages[1]"),
    ({"languages": ["en", "en"]}, "site.languages"),
    ({"rfq_endpoint": "javascript:alert(1)"}, "site.rfq_endpoint"),
    ({"rfq_endpoint": None}, "site.rfq_endpoint"),
    ({"analytics": {"provider": "matomo"}}, "site.analytics.provider"),
    ({"analytics": {"provider": "ga4", "measurement_id": "UA-1"}}, "site.analytics.measurement_id"),
    ({"analytics": {"provider": "umami"}}, "site.analytics.website_id"),
    ({"analytics": {"provider": "plausible", "script_url": "http://p.example/s.js"}}, "site.analytics.script_url"),
    ({"contact": {"email": "not-an-email"}}, "site.contact.email"),
    ({"applications": [{"text": "no title"}]}, "site.applications[0]"),
    ({"faq_max": 0}, "site.faq_max"),
    ({"founded": "long ago"}, "site.founded"),
])
def test_config_errors_name_the_key(change: dict, key: str) -> None:
    config = site_yaml()
    config["site"].update(change)
    with pytest.raises(ConfigError) as err:
        parse_site_settings(parse_config(config))
    assert key in str(err.value)


def test_reads_the_section_from_a_real_config_and_falls_back_to_business_name() -> None:
    config = parse_config({"business": {"name": "Yarn & Co"}, "site": {
        "domain": "yarn.example", "rfq_endpoint": "https://f.example/x", "languages": ["en"]}})
    settings = parse_site_settings(config)
    assert settings.company == "Yarn & Co" and settings.base_url == "https://yarn.example"
    with pytest.raises(ConfigError, match="site.company"):
        parse_site_settings(parse_config({"site": {"domain": "y.example", "rfq_endpoint": "https://f.example"}}))


def test_user_template_folder_overrides_a_page(tmp_path: Path) -> None:
    templates = tmp_path / "mine"
    templates.mkdir()
    (templates / "about.html").write_text(
        "{% extends 'base.html' %}{% block main %}<h1>Our story</h1><p>{{ site.company }}</p>{% endblock %}")
    root, _ = _build(tmp_path, site_config(), template_dir=templates)
    assert "<h1>Our story</h1>" in (root / "en/about.html").read_text()
    assert "<h1>Our story</h1>" not in (root / "en/quality.html").read_text()


def test_hugo_flavor_writes_a_content_tree(tmp_path: Path) -> None:
    root, result = _build(tmp_path, site_config(hostile=False, analytics={"provider": "ga4", "measurement_id": "G-AB12CD34"}),
                          flavor="hugo")
    assert result.flavor == "hugo"
    config = yaml.safe_load((root / "hugo.yaml").read_text())
    assert config["defaultContentLanguage"] == "en" and set(config["languages"]) == {"en", "de"}
    assert config["markup"]["goldmark"]["renderer"]["unsafe"] is False
    keys = {}
    for lang in ("en", "de"):
        for path in (root / "content" / lang).rglob("*.md"):
            matter = yaml.safe_load(path.read_text().split("---\n")[1])
            keys.setdefault(matter["translationKey"], set()).add(lang)
    assert all(langs == {"en", "de"} for langs in keys.values()) and "product-steel-valve-dn50" in keys
    products = yaml.safe_load((root / "data/products.yaml").read_text())
    assert [p["slug"] for p in products] == ["ball-valve", "brass-fitting", "steel-valve-dn50"]
    assert (root / "layouts/_default/baseof.html").exists() and (root / "static/assets/ga4-consent.js").exists()
    if shutil.which("hugo"):
        done = subprocess.run(["hugo", "--quiet", "-d", str(tmp_path / "public")], cwd=root,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        page = Page((tmp_path / "public/de/products/steel-valve-dn50.html").read_text())
        alternates = {a["hreflang"] for a in page.find("link", rel="alternate")}
        assert alternates == {"en", "de", "x-default"}
        assert page.find("meta", name="description")


def test_hugo_front_matter_round_trips_hostile_text(tmp_path: Path) -> None:
    root, _ = _build(tmp_path, site_config(hostile=True), flavor="hugo")
    matter = yaml.safe_load((root / "content/en/about.md").read_text().split("---\n")[1])
    assert matter["paragraphs"] == ["Family business {{ 7*7 }}{% raw %}"]


def test_cli_export_site(cli, tmp_path: Path) -> None:
    make_store(tmp_path / "db.duckdb").close()
    (tmp_path / "assetkit.yaml").write_text(yaml.safe_dump(site_yaml()))
    result = cli("--db", str(tmp_path / "db.duckdb"), "export", "site", str(tmp_path / "out"), "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["kind"] == "site" and payload["languages"] == ["en", "de"] and payload["products"] == 3
    bad = cli("--db", str(tmp_path / "db.duckdb"), "export", "site", str(tmp_path / "out2"), "--flavor", "hugo",
              "--templates", str(tmp_path / "missing"))
    assert bad.exit_code == 2 and "does not exist" in bad.output


def test_cli_export_site_config_error_exit_2(run_cli, tmp_path: Path) -> None:
    make_store(tmp_path / "db.duckdb").close()
    (tmp_path / "assetkit.yaml").write_text("site:\n  domain: acme.example\n  company: {name: Acme}\n")
    done = run_cli("--db", "db.duckdb", "export", "site", "out", cwd=tmp_path)
    assert done.returncode == 2 and "site.rfq_endpoint" in done.stderr and "Traceback" not in done.stderr


def test_every_missing_key_is_listed_at_once_and_a_preview_builds_with_marked_placeholders(tmp_path: Path) -> None:
    """Issue 18: one message naming every missing key; --preview builds with placeholders that
    cannot be published by accident (reserved .invalid domain, banner, noindex, robots disallow)."""
    bare = parse_config({"site": {"languages": ["en"]}})
    with pytest.raises(ConfigError) as err:
        parse_site_settings(bare)
    assert all(key in str(err.value) for key in ("site.company", "site.domain", "site.rfq_endpoint"))
    assert "--preview" in (err.value.hint or "")
    root, result = _build(tmp_path, bare, preview=True)
    assert result.placeholders == ["site.company", "site.domain", "site.rfq_endpoint"]
    home = (root / "en/index.html").read_text()
    assert 'class="preview-banner"' in home and '<meta name="robots" content="noindex, nofollow">' in home
    assert "https://preview.invalid" in home
    assert 'action="https://preview.invalid/' in (root / "en/rfq.html").read_text()
    assert "Disallow: /" in (root / "robots.txt").read_text()
    assert any("PREVIEW" in w for w in result.warnings)


def test_a_complete_config_builds_no_preview_marks(tmp_path: Path) -> None:
    root, result = _build(tmp_path, site_config())
    assert result.placeholders == []
    assert "preview-banner" not in (root / "en/index.html").read_text()
    assert "Disallow: /" not in (root / "robots.txt").read_text()


def test_faq_states_only_configured_or_catalogue_facts(tmp_path: Path) -> None:
    """Issue 18: no "Yes, samples are available", "OEM possible" or MOQ nobody stated: such answers
    are marked placeholders naming the key, and the seller's own site.faq answer is used as written."""
    config = site_yaml()
    config["site"].pop("certifications", None)
    config["site"]["faq_max"] = 30
    root, result = _build(tmp_path, parse_config(config), products=False)  # catalogue from orders: no MOQ, no lead time
    faq = (root / "en/faq.html").read_text()
    for claim in ("Samples are available", "OEM and private-label orders are possible", "start at",
                  "lead time is", "T/T", "We quote EXW"):
        assert claim not in faq, claim
    assert "[TO FILL IN before publishing: write your answer in assetkit.yaml under site.faq.samples]" in faq
    assert {"site.faq.samples", "site.faq.moq"} <= {f"site.faq.{k}" for k in result.faq_to_fill}
    config["site"]["faq"] = {"samples": "Free samples for orders over 500 pcs & more."}
    root, result = _build(tmp_path / "again", parse_config(config), products=False)
    faq = (root / "en/faq.html").read_text()
    assert "Free samples for orders over 500 pcs &amp; more." in faq and "samples" not in result.faq_to_fill


def test_incoterms_answer_only_when_the_seller_lists_incoterms() -> None:
    from assetkit.export.site.content import FaqTopic
    from assetkit.export.site.pages import faq_entries

    shipping = FaqTopic("shipping", 1, {"en": "Incoterms?"}, {"en": "We quote {incoterms}."}, ("incoterms",))
    facts = {"incoterms": "FOB, CIF"}
    s = {"faq_placeholder": "[fill {key}]"}
    default = parse_site_settings(site_config())
    assert faq_entries(default, [], [shipping], s, facts, "en") == [("Incoterms?", "[fill site.faq.shipping]")]
    stated = parse_site_settings(site_config(incoterms=["FOB", "CIF"]))
    assert faq_entries(stated, [], [shipping], s, facts, "en") == [("Incoterms?", "We quote FOB, CIF.")]
