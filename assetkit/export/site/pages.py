"""The page plan of the static site: which pages exist per language, their paths, titles,
descriptions, alternates and structured data. Rendering (html.py) and the Hugo tree (hugo.py)
both consume this plan, so the two flavours always describe the same site.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from assetkit.export.site.content import FaqTopic, Product
from assetkit.export.site.settings import SiteSettings

SECTIONS = ("products", "applications", "about", "quality", "faq", "rfq", "privacy")
DESCRIPTION_MAX = 155


@dataclass
class Page:
    key: str  # translation key shared by the language versions of one page
    lang: str
    path: str  # posix path relative to the site root
    template: str
    title: str
    description: str
    indexable: bool = True
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    alternates: list[tuple[str, str]] = field(default_factory=list)
    lastmod: str = ""  # YYYY-MM-DD when the page's catalogue data was imported; '' when unknown

    @property
    def depth(self) -> int:
        return self.path.count("/")


def load_strings(settings: SiteSettings) -> tuple[dict[str, dict[str, str]], list[str]]:
    """UI strings per site language (English fallback per key) and the list of fallbacks used."""
    text = resources.files("assetkit.export.site").joinpath("strings.yaml").read_text(encoding="utf-8")
    shipped: dict[str, dict[str, str]] = yaml.safe_load(text)
    result, warnings = {}, []
    for lang in settings.languages:
        merged = dict(shipped["en"])
        merged.update(shipped.get(lang.split("-")[0], {}))
        merged.update(shipped.get(lang, {}))
        merged.update({k: str(v) for k, v in (settings.strings.get(lang) or {}).items()})
        missing = [k for k in shipped["en"] if k not in shipped.get(lang.split("-")[0], {})
                   and k not in (settings.strings.get(lang) or {})]
        if missing and lang != "en":
            warnings.append(f"site language {lang!r}: {len(missing)} interface texts fall back to English "
                            f"(add them under site.strings.{lang})")
        result[lang] = merged
    return result, warnings


def url_for(settings: SiteSettings, path: str) -> str:
    """Absolute URL of a page; index pages are addressed by their folder."""
    if path == "index.html":
        return settings.base_url + "/"
    if path.endswith("/index.html"):
        return f"{settings.base_url}/{path[: -len('index.html')]}"
    return f"{settings.base_url}/{path}"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"


def _facts(settings: SiteSettings, products: list[Product], s: Mapping[str, str]) -> dict[str, str]:
    moqs = [p for p in products if p.moq]
    lead = [p.lead_time_days for p in products if p.lead_time_days]
    low = min(moqs, key=lambda p: p.moq) if moqs else None
    return {
        "company": settings.company,
        "moq": f"{low.moq:g} {low.moq_unit}".strip() if low else s["on_request"],
        "lead_time": (f"{min(lead)}–{max(lead)} {s['days']}" if lead and min(lead) != max(lead)
                      else f"{lead[0]} {s['days']}" if lead else s["on_request"]),
        "certifications": ", ".join(settings.certifications) or s["no_certifications"],
        "incoterms": ", ".join(settings.incoterms),
        "email": settings.email or s["nav_rfq"],
    }


def faq_entries(settings: SiteSettings, products: list[Product], topics: list[FaqTopic],
                s: Mapping[str, str], facts: Mapping[str, str], lang: str) -> list[tuple[str, str]]:
    """(question, answer) per topic, stating only what the seller configured or the catalogue says.

    The seller's own answer (site.faq.<topic>) wins. A drafted answer is used only when every fact
    it `needs` is known (an MOQ or lead time in the catalogue, certifications or Incoterms in
    site:); a topic whose answer would be a claim nobody made ("samples are available") needs
    the seller's own answer. Anything else is a visibly marked placeholder naming the key to fill.
    """
    known = {
        "moq": any(p.moq for p in products),
        "lead_time": any(p.lead_time_days for p in products),
        "certifications": bool(settings.certifications),
        "incoterms": settings.incoterms_configured,
        "own_answer": False,
    }
    entries = []
    for topic in topics:
        question = topic.question.get(lang) or topic.question["en"]
        own = settings.faq_answers.get(topic.key)
        if own:
            answer = settings.localized(own, lang)
        elif all(known.get(need, False) for need in topic.needs):
            answer = (topic.answer.get(lang) or topic.answer["en"]).format_map(facts)
        else:
            answer = s["faq_placeholder"].format(key=f"site.faq.{topic.key}")
        entries.append((question, answer))
    return entries


def _org(settings: SiteSettings, lang: str) -> dict[str, Any]:
    """Organization with the seller's raster logo and marketplace shops (`sameAs`) when configured;
    the shipped favicon is a generic mark, not the seller's logo, so it is never claimed as one."""
    org: dict[str, Any] = {"@context": "https://schema.org", "@type": "Organization", "name": settings.company,
                           "url": settings.base_url + "/"}
    description = settings.localized(settings.description, lang)
    for key, value in (("logo", settings.logo), ("description", description), ("email", settings.email),
                       ("telephone", settings.phone), ("address", settings.address),
                       ("foundingDate", str(settings.founded) if settings.founded else ""),
                       ("sameAs", list(settings.storefronts))):
        if value:
            org[key] = value
    return org


def _offer(product: Product, page_url: str) -> dict[str, Any] | None:
    """An Offer only with a price in a known currency: Google reports an Offer without `price` as an
    error, so an MOQ alone makes none. The MOQ is the least quantity the price applies to."""
    if product.price is None or not re.fullmatch(r"[A-Z]{3}", product.currency):
        return None
    offer: dict[str, Any] = {"@type": "Offer", "price": format(product.price.normalize(), "f"),
                             "priceCurrency": product.currency, "url": page_url}
    if product.moq:
        offer["eligibleQuantity"] = {"@type": "QuantitativeValue", "minValue": product.moq}
        if product.moq_unit:
            offer["eligibleQuantity"]["unitText"] = product.moq_unit
    return offer


def _faq_ld(entries: list[tuple[str, str]], placeholder: str) -> list[dict[str, Any]]:
    """FAQPage of the answered questions; a "to fill in" placeholder is not an answer to publish."""
    marker = placeholder.split("{key}")[0]
    answered = [(q, a) for q, a in entries if not a.startswith(marker)]
    if not answered:
        return []
    return [{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in answered]}]


def _product_ld(settings: SiteSettings, product: Product, page_url: str, lang: str,
                strings: Mapping[str, str]) -> list[dict[str, Any]]:
    item: dict[str, Any] = {"@context": "https://schema.org", "@type": "Product", "name": product.name,
                            "url": page_url, "brand": {"@type": "Brand", "name": settings.company}}
    image = product.image_url if product.image_url.startswith("https://") else ""
    for key, value in (("sku", product.sku), ("category", product.category),
                       ("description", product.description), ("image", image),
                       ("offers", _offer(product, page_url))):
        if value:
            item[key] = value
    home = url_for(settings, f"{lang}/index.html")
    crumbs = [(strings["nav_home"], home), (strings["nav_products"], url_for(settings, f"{lang}/products.html")),
              (product.name, page_url)]
    breadcrumb = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": i + 1, "name": name, "item": url} for i, (name, url) in enumerate(crumbs)]}
    return [item, breadcrumb]


def plan_pages(settings: SiteSettings, products: list[Product], topics: list[FaqTopic],
               strings: Mapping[str, Mapping[str, str]]) -> list[Page]:
    """Every page of every language, with reciprocal hreflang alternates and x-default."""
    pages: list[Page] = []
    company = settings.company
    catalogue_date = max((p.updated for p in products), default="")
    for lang in settings.languages:
        s = strings[lang]
        facts = _facts(settings, products, s)
        tagline = settings.localized(settings.tagline, lang) or s["home_intro"]
        description = settings.localized(settings.description, lang) or tagline

        def add(key: str, path: str, template: str, title: str, desc: str, lang: str = lang, lastmod: str = "",
                jsonld: list[dict[str, Any]] | None = None, **ctx: Any) -> Page:
            page = Page(key, lang, f"{lang}/{path}", template, title, _clip(desc), jsonld=jsonld or [], context=ctx,
                        lastmod=lastmod)
            pages.append(page)
            return page

        add("home", "index.html", "home.html", f"{company} – {tagline}", description, lastmod=catalogue_date,
            jsonld=[_org(settings, lang)])
        add("products", "products.html", "products.html", f"{s['products_title']} | {company}",
            f"{s['products_title']}: " + ", ".join(p.name for p in products[:12]) if products else s["products_intro"],
            lastmod=catalogue_date)
        for product in products:
            path = f"products/{product.slug}.html"
            title = f"{product.name} ({product.sku}) | {company}" if product.sku else f"{product.name} | {company}"
            desc = product.description or (f"{product.name}: {s['moq']} {facts['moq']}. {s['request_quote']} – {company}.")
            add(f"product:{product.slug}", path, "product.html", title, desc, lastmod=product.updated,
                jsonld=_product_ld(settings, product, url_for(settings, f"{lang}/{path}"), lang, s), product=product)
        add("applications", "applications.html", "applications.html", f"{s['applications_title']} | {company}",
            f"{s['applications_title']} – {company}: {s['applications_intro']} "
            + ", ".join(sorted({p.category for p in products if p.category})))
        add("about", "about.html", "about.html", f"{s['about_title']} | {company}",
            settings.localized(settings.about, lang) or f"{s['about_title']} – {company}. {description}")
        add("quality", "quality.html", "quality.html", f"{s['quality_title']} | {company}",
            f"{s['quality_title']} – {company}: {s['certifications']}: {facts['certifications']}.")
        faq = faq_entries(settings, products, topics, s, facts, lang)
        add("faq", "faq.html", "faq.html", f"{s['faq_title']} | {company}",
            f"{s['faq_intro']} " + " ".join(q for q, _ in faq), jsonld=_faq_ld(faq, s["faq_placeholder"]), faq=faq)
        add("rfq", "rfq.html", "rfq.html", f"{s['rfq_title']} | {company}", f"{s['rfq_intro']} – {company}")
        add("privacy", "privacy.html", "privacy.html", f"{s['privacy_title']} | {company}",
            f"{s['privacy_title']} – {company}")
        nf = add("404", "404.html", "404.html", f"{s['notfound_title']} | {company}", s["notfound_text"])
        nf.indexable = False
    default = settings.default_language
    root = Page("home", default, "index.html", "root.html",
                f"{company} – {strings[default]['choose_language']}",
                _clip(f"{company}: " + " · ".join(strings[lang]["choose_language"] for lang in settings.languages)))
    pages.append(root)
    notfound = Page("404-root", default, "404.html", "404.html", f"{strings[default]['notfound_title']} | {company}",
                    strings[default]["notfound_text"], indexable=False)
    pages.append(notfound)
    _disambiguate(settings, pages)
    _link_alternates(settings, pages)
    return pages


def _disambiguate(settings: SiteSettings, pages: list[Page]) -> None:
    """Keep titles and descriptions unique when a translation has the same text (untranslated names)."""
    default = {p.key: p for p in pages if p.lang == settings.default_language and p.path != "index.html"}
    for page in pages:
        first = default.get(page.key)
        if page.lang == settings.default_language or first is None or first is page:
            continue
        if page.title == first.title:
            page.title = f"{page.title} ({page.lang.upper()})"
        if page.description == first.description:
            page.description = _clip(f"({page.lang.upper()}) {page.description}")


def _link_alternates(settings: SiteSettings, pages: list[Page]) -> None:
    by_key: dict[str, dict[str, Page]] = {}
    for page in pages:
        if page.indexable and page.path != "index.html":
            by_key.setdefault(page.key, {})[page.lang] = page
    for page in pages:
        if not page.indexable:
            continue
        group = by_key[page.key]
        alternates = [(lang, url_for(settings, p.path)) for lang, p in group.items()]
        x_default = settings.base_url + "/" if page.key == "home" else url_for(settings, group[settings.default_language].path)
        page.alternates = alternates + [("x-default", x_default)]
