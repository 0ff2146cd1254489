"""`assetkit export site DIR`: a static multilingual website skeleton the seller owns.

Library entry point: `build_site(con, config, out_dir, flavor="html", template_dir=None)`.
It reads the catalogue and inquiry topics from the database, validates the `site:` section of
assetkit.yaml, plans the pages (pages.py), renders them (html.py) or lays out a Hugo project
(hugo.py), and writes the result atomically (writer.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.errors import UsageError

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

FLAVORS = ("html", "hugo")


@dataclass
class SiteResult:
    out_dir: str
    flavor: str
    languages: list[str]
    pages: int
    files: int
    products: int
    products_source: str  # "products" table, "orders" fallback, or "none"
    faq_topics: list[dict[str, Any]]
    inquiries_scanned: int
    analytics: str
    warnings: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # preview build: keys filled with placeholders
    faq_to_fill: list[str] = field(default_factory=list)  # FAQ topics shown as "to fill in" (site.faq.<topic>)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_site(con: duckdb.DuckDBPyConnection, config: Config | None, out_dir: str | Path, flavor: str = "html",
               template_dir: str | Path | None = None, preview: bool = False) -> SiteResult:
    """Generate the site into `out_dir` (replaced atomically) and describe what was written.

    `preview=True` builds even when site.domain / site.rfq_endpoint / the company are missing,
    with marked placeholders (a banner on every page, noindex, robots.txt disallowing all).
    """
    from assetkit.export.guard import protected_paths
    from assetkit.export.site.content import faq_topics, load_products
    from assetkit.export.site.html import environment, render_site
    from assetkit.export.site.pages import load_strings, plan_pages
    from assetkit.export.site.settings import parse_site_settings
    from assetkit.export.site.writer import write_tree

    if flavor not in FLAVORS:
        raise UsageError(f"unknown site flavor {flavor!r}; choose one of {', '.join(FLAVORS)}")
    if template_dir is not None and not Path(template_dir).is_dir():
        raise UsageError(f"template folder {template_dir} does not exist")
    settings = parse_site_settings(config, preview=preview)
    products = load_products(con)
    topics, scanned = faq_topics(con, settings.faq_max)
    strings, warnings = load_strings(settings)
    pages = plan_pages(settings, products, topics, strings)
    env = environment(Path(template_dir) if template_dir is not None else None)
    files = render_site(env, settings, pages, products, strings)
    if flavor == "hugo":
        from assetkit.export.site.hugo import hugo_files

        files = hugo_files(settings, pages, products, strings, files)
    if not products:
        warnings.append("no products found (import a product listing or orders): the catalogue pages are empty")
    placeholder = strings[settings.default_language]["faq_placeholder"].split("{key}")[0]
    to_fill = [t.key for t, (_, answer) in zip(topics, _default_faq(pages, settings)) if answer.startswith(placeholder)]
    if to_fill:
        warnings.append("FAQ answers to fill in before publishing (nothing is claimed that you did not configure): "
                        + ", ".join(f"site.faq.{key}" for key in to_fill))
    if settings.preview:
        warnings.append("PREVIEW build with placeholders for " + ", ".join(settings.placeholders)
                        + ": every page carries a banner and noindex, robots.txt disallows all; not for publishing")
    write_tree(Path(out_dir), files, flavor, protected_paths(con, config))
    return SiteResult(
        out_dir=str(out_dir), flavor=flavor, languages=list(settings.languages),
        pages=len(pages) if flavor == "html" else sum(1 for f in files if f.startswith("content/")),
        files=len(files), products=len(products),
        products_source=products[0].source if products else "none",
        faq_topics=[{"topic": t.key, "inquiries": t.inquiries} for t in topics],
        inquiries_scanned=scanned, analytics=settings.analytics.provider, warnings=warnings,
        placeholders=list(settings.placeholders), faq_to_fill=to_fill,
    )


def _default_faq(pages: list[Any], settings: Any) -> list[tuple[str, str]]:
    """The FAQ entries of the default language's FAQ page."""
    return next((p.context["faq"] for p in pages if p.key == "faq" and p.lang == settings.default_language), [])
