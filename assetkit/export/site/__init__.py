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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_site(con: duckdb.DuckDBPyConnection, config: Any, out_dir: str | Path, flavor: str = "html",
               template_dir: str | Path | None = None) -> SiteResult:
    """Generate the site into `out_dir` (replaced atomically) and describe what was written."""
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
    settings = parse_site_settings(config)
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
    write_tree(Path(out_dir), files, flavor, protected_paths(con, config))
    return SiteResult(
        out_dir=str(out_dir), flavor=flavor, languages=list(settings.languages),
        pages=len(pages) if flavor == "html" else sum(1 for f in files if f.startswith("content/")),
        files=len(files), products=len(products),
        products_source=products[0].source if products else "none",
        faq_topics=[{"topic": t.key, "inquiries": t.inquiries} for t in topics],
        inquiries_scanned=scanned, analytics=settings.analytics.provider, warnings=warnings,
    )
