"""The Hugo flavour: a content tree an owner keeps editing by hand.

The same page plan as the HTML flavour becomes `content/<lang>/…` files whose YAML front matter
(written with yaml.safe_dump, so no user text can break out of it) carries `translationKey`,
title, description and the page data; the bodies are left empty for the owner. User text is
rendered by the shipped layouts through Go's html/template, which escapes it by context; raw
HTML in Markdown stays disabled (goldmark `unsafe: false`).

Both flavours describe one site at the same URLs: `uglyURLs` gives `<lang>/page.html`, the
product list is pinned to `<lang>/products.html` (Hugo 0.168 would write it to
`<lang>/products/index.html`), and Hugo's root redirect is replaced by the HTML flavour's
language chooser and root 404 page (rendered by Jinja with autoescape, copied to `static/`).
Hugo writes the breadcrumb JSON-LD itself from its permalinks, so the breadcrumb names the URLs
Hugo actually wrote. Needs Hugo 0.158 or later (`label`, `hugo.Data`).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from assetkit.export.site.content import Product
from assetkit.export.site.html import content_security_policy
from assetkit.export.site.locales import og_locale
from assetkit.export.site.pages import Page
from assetkit.export.site.settings import LOGO_PATH, SiteSettings

MENU = ("products", "applications", "about", "quality", "faq", "rfq")
STATIC = ("assets/style.css", "favicon.svg", "_headers", "assets/ga4-consent.js", LOGO_PATH,
          "index.html", "404.html")  # the root chooser and root 404 page come from the HTML flavour


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def _content_path(page: Page) -> str | None:
    lang, _, rest = page.path.partition("/")
    if page.key.startswith("404") or page.path == "index.html":
        return None  # Hugo renders 404 and the home page from layouts
    if rest == "index.html":
        return f"content/{lang}/_index.md"
    if rest == "products.html":
        return f"content/{lang}/products/_index.md"
    return f"content/{lang}/{rest.removesuffix('.html')}.md"


def _front_matter(page: Page, settings: SiteSettings, strings: dict[str, str]) -> dict[str, Any]:
    key = page.key.split(":", 1)[-1] if page.key.startswith("product:") else page.key
    matter: dict[str, Any] = {"title": page.title, "description": page.description,
                              "translationKey": page.key.replace(":", "-"),
                              "kind": "product" if page.key.startswith("product:") else key}
    if key == "products":
        matter["url"] = f"/{page.path}"  # where the HTML flavour has it, and the JSON-LD and links point
    if page.lastmod:
        matter["lastmod"] = page.lastmod
    jsonld = [item for item in page.jsonld if item.get("@type") != "BreadcrumbList"]  # layouts/partials/head.html
    if jsonld:
        matter["jsonld"] = jsonld
    product: Product | None = page.context.get("product")
    if product is not None:
        matter.update(name=product.name, sku=product.sku, summary=product.description, moq=product.moq,
                      moq_unit=product.moq_unit, lead_time_days=product.lead_time_days,
                      specs=[list(row) for row in product.specs])
        if product.image_url.startswith("https://"):
            matter["image"] = product.image_url
        return matter
    matter["heading"] = strings.get(f"{key}_title", settings.company)
    if key == "home":
        matter["lead"] = settings.localized(settings.tagline, page.lang) or strings["home_intro"]
    elif key == "faq":
        matter["faq"] = [{"question": q, "answer": a} for q, a in page.context["faq"]]
    elif key == "quality":
        matter["paragraphs"] = [settings.localized(settings.quality, page.lang) or strings["quality_intro"]]
        matter["list"] = list(settings.certifications)
    elif key == "about":
        matter["paragraphs"] = [settings.localized(settings.about, page.lang)
                                or settings.localized(settings.description, page.lang) or settings.company]
    elif key == "applications":
        matter["paragraphs"] = [strings["applications_intro"]]
        matter["list"] = [settings.localized(a["title"], page.lang) for a in settings.applications]
    elif key == "privacy":
        matter["paragraphs"] = [f"{strings['privacy_controller']} {settings.company}", strings["privacy_form"]]
    return matter


def hugo_files(settings: SiteSettings, pages: list[Page], products: list[Product],
               strings: dict[str, dict[str, str]], static: dict[str, str | bytes]) -> dict[str, str | bytes]:
    """Every file of the Hugo project as {relative path: text, or bytes for the logo}."""
    files: dict[str, str | bytes] = {}
    for page in pages:
        path = _content_path(page)
        if path is not None:
            files[path] = "---\n" + _dump(_front_matter(page, settings, strings[page.lang])) + "---\n"
    languages = {
        lang: {"label": lang.upper(), "weight": i + 1, "contentDir": f"content/{lang}",
               "menus": {"main": [{"name": strings[lang][f"nav_{key}"], "pageRef": f"/{key}", "weight": j + 1}
                                  for j, key in enumerate(MENU)]}}
        for i, lang in enumerate(settings.languages)
    }
    files["hugo.yaml"] = _dump({
        "baseURL": settings.base_url + "/",
        "title": settings.company,
        "defaultContentLanguage": settings.default_language,
        "defaultContentLanguageInSubdir": True,
        "disableDefaultLanguageRedirect": True,  # static/index.html is the language chooser instead
        "enableRobotsTXT": True,
        "disableKinds": ["taxonomy", "term", "rss"],  # the HTML flavour has no feeds either
        "uglyURLs": True,  # same URLs as the HTML flavour (page.html), so JSON-LD and links agree
        "params": {"defaultLanguage": settings.default_language},
        "markup": {"goldmark": {"renderer": {"unsafe": False}}},
        "languages": languages,
    })
    files["data/site.yaml"] = _dump({
        "company": settings.company, "address": settings.address, "email": settings.email,
        "phone": settings.phone, "certifications": list(settings.certifications),
        "incoterms": list(settings.incoterms), "rfq_endpoint": settings.rfq_endpoint,
        "csp": content_security_policy(settings, products, header=False),
        "root_url": settings.base_url + "/", "preview": settings.preview,
        "locales": {lang: og_locale(lang) for lang in settings.languages if og_locale(lang)},
        "analytics": {"provider": settings.analytics.provider, "script_url": settings.analytics.script_url,
                      "site_id": settings.analytics.site_id},
    })
    files["data/products.yaml"] = _dump([
        {"slug": p.slug, "name": p.name, "sku": p.sku, "category": p.category, "moq": p.moq,
         "moq_unit": p.moq_unit, "lead_time_days": p.lead_time_days} for p in products])
    files["data/strings.yaml"] = _dump(strings)
    layouts = resources.files("assetkit.export.site").joinpath("templates", "hugo", "layouts")
    for entry in _walk(layouts, "layouts"):
        files[entry[0]] = entry[1]
    for name in STATIC:
        if name in static:
            files[f"static/{name}"] = static[name]
    return files


def _walk(folder: Any, prefix: str) -> list[tuple[str, str]]:
    found = []
    for child in folder.iterdir():
        if child.is_dir():
            found += _walk(child, f"{prefix}/{child.name}")
        elif child.name.endswith((".html", ".txt", ".xml")):
            found.append((f"{prefix}/{child.name}", child.read_text(encoding="utf-8")))
    return found
