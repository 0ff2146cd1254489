"""Render the page plan to static HTML with Jinja2.

Safety rules (docs/site.md, reliability.md): autoescape for html/xml with StrictUndefined, every
attribute quoted, every URL through `safe_url` (http, https, mailto, tel or relative only),
JSON-LD only through `|tojson`, no inline script or style, and a Content-Security-Policy both
in a meta tag and in the `_headers` file (which can also carry frame-ancestors).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assetkit.export.output import isolate_bidi
from assetkit.export.site.content import Product
from assetkit.export.site.locales import og_locale
from assetkit.export.site.pages import Page, url_for
from assetkit.export.site.settings import LOGO_PATH, SiteSettings, csp_origin

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
STATIC_ASSETS = ("assets/style.css", "favicon.svg")
SITEMAP_MAX_URLS, SITEMAP_MAX_BYTES = 50_000, 45_000_000  # protocol limits: 50,000 URLs, 50 MB
GA4_CONNECT = ("https://*.google-analytics.com", "https://*.analytics.google.com", "https://*.googletagmanager.com")


def safe_url(value: Any) -> str:
    """The URL if its scheme is allowed (or it is relative), else '#'.

    Browsers drop ASCII whitespace and control characters inside a scheme (`java\\tscript:`), so
    the check runs on the URL with those removed.
    """
    text = str(value or "").strip()
    probe = re.sub(r"[\x00-\x20\x7f]", "", text)
    if probe.startswith("//") or "\\" in probe[:8]:
        return "#"
    scheme = urlsplit(probe).scheme.lower() if ":" in probe.split("/", 1)[0] else ""
    if scheme and scheme not in SAFE_SCHEMES:
        return "#"
    return text


def _origins(urls: list[str]) -> list[str]:
    """The https origins of product images; a URL that is not a plain one adds nothing."""
    return sorted({o for o in map(csp_origin, urls) if o and o.startswith("https://")})


def content_security_policy(settings: SiteSettings, products: list[Product], *, header: bool) -> str:
    """A strict policy: only our own files plus the analytics, image and form origins configured."""
    analytics = settings.analytics
    script = ["'self'"] + ([analytics.origin] if analytics.provider != "none" else [])
    connect = ["'self'"] + ([analytics.origin] if analytics.provider in ("plausible", "umami") else [])
    img = ["'self'", "data:"] + _origins([p.image_url for p in products])
    if analytics.provider == "ga4":
        connect += list(GA4_CONNECT)
        img += ["https://*.google-analytics.com", "https://*.googletagmanager.com"]
    form = csp_origin(settings.rfq_endpoint) or "'none'"
    directives = [
        "default-src 'none'",
        "script-src " + " ".join(script),
        "style-src 'self'",
        "img-src " + " ".join(img),
        "connect-src " + " ".join(connect),
        "font-src 'self'",
        "manifest-src 'self'",
        f"form-action {form}",
        "base-uri 'none'",
        "object-src 'none'",
    ]
    if header:  # meta CSP ignores these
        directives += ["frame-ancestors 'none'"]
    return "; ".join(directives)


def environment(template_dir: Path | None) -> Any:
    """Jinja environment: user templates (if given) first, then the shipped ones."""
    import jinja2

    loaders: list[Any] = [jinja2.PackageLoader("assetkit.export.site", "templates")]
    if template_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(template_dir)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=isolate_bidi,
    )
    env.filters["safe_url"] = safe_url
    env.filters["og_locale"] = og_locale
    return env


def _sitemaps(env: Any, settings: SiteSettings, pages: list[Page]) -> dict[str, str]:
    """sitemap.xml, split under a sitemap index when a file would pass 50,000 URLs or ~50 MB."""
    per_url = 200 + 150 * (len(settings.languages) + 1)  # bytes of one <url> with its alternates
    size = max(1, min(SITEMAP_MAX_URLS, SITEMAP_MAX_BYTES // per_url))
    chunks = [pages[i:i + size] for i in range(0, len(pages), size)]
    template = env.get_template("sitemap.xml")
    if len(chunks) == 1:
        return {"sitemap.xml": template.render(site=settings, pages=pages, url_for=url_for)}
    files = {f"sitemap-{n}.xml": template.render(site=settings, pages=chunk, url_for=url_for)
             for n, chunk in enumerate(chunks, 1)}
    files["sitemap.xml"] = env.get_template("sitemap_index.xml").render(site=settings, parts=list(files))
    return files


def render_site(env: Any, settings: SiteSettings, pages: list[Page], products: list[Product],
                strings: dict[str, dict[str, str]]) -> dict[str, str | bytes]:
    """Every output file of the HTML flavour as {relative path: text, or bytes for the logo}."""
    meta_csp = content_security_policy(settings, products, header=False)
    files: dict[str, str | bytes] = {}
    lang_homes = [(lang, f"{lang}/index.html") for lang in settings.languages]
    versions: dict[str, dict[str, str]] = {}
    for page in pages:
        if page.path != "index.html":
            versions.setdefault(page.key, {})[page.lang] = page.path
    for page in pages:
        root = "/" if page.key.startswith("404") else "../" * page.depth
        siblings = versions.get(page.key, {})
        files[page.path] = env.get_template(page.template).render(
            page=page, site=settings, s=strings[page.lang], lang=page.lang, root=root,
            canonical=url_for(settings, page.path), csp=meta_csp, products=products,
            language_links=[(lang, siblings.get(lang, home)) for lang, home in lang_homes],
            analytics=settings.analytics, **page.context,
        )
    files.update(_sitemaps(env, settings, [p for p in pages if p.indexable]))
    files["robots.txt"] = env.get_template("robots.txt").render(site=settings)
    files["_headers"] = env.get_template("headers.txt").render(  # HSTS only where a browser heeds it
        csp=content_security_policy(settings, products, header=True), https=settings.base_url.startswith("https://"))
    if settings.logo_png:
        files[LOGO_PATH] = settings.logo_png
    for asset in STATIC_ASSETS:
        files[asset] = env.get_template(asset).render()
    if settings.analytics.provider == "ga4":
        files["assets/ga4-consent.js"] = env.get_template("ga4-consent.js").render(
            measurement_id=settings.analytics.site_id)
    return files
