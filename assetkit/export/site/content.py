"""What the site shows, read from the database: the catalogue and the FAQ topics.

Products come from the `products` table (deduplicated across platforms by SKU, else by name);
when it is empty, from the products seen in order_items/orders, so a seller with only order
exports still gets a catalogue. FAQ topics are counted over imported inquiries with the
patterns in faq_topics.yaml: only the counts leave the database, never a buyer's words or name.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from assetkit.slugs import slug as ascii_slug

if TYPE_CHECKING:
    import duckdb

SLUG_MAX = 60
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


@dataclass(frozen=True)
class Product:
    slug: str
    name: str
    sku: str = ""
    category: str = ""
    description: str = ""
    specs: tuple[tuple[str, str], ...] = ()
    moq: float | None = None
    moq_unit: str = ""
    lead_time_days: int | None = None
    image_url: str = ""
    source: str = "products"
    price: Decimal | None = None  # list price in `currency` (Offer in JSON-LD only when both are known)
    currency: str = ""
    updated: str = ""  # YYYY-MM-DD (UTC) the catalogue row was imported: the sitemap's lastmod


@dataclass(frozen=True)
class FaqTopic:
    key: str
    inquiries: int
    question: dict[str, str] = field(default_factory=dict)
    answer: dict[str, str] = field(default_factory=dict)
    needs: tuple[str, ...] = ()  # facts the drafted answer states (see pages.faq_entries)


def slugify(text: str, taken: set[str]) -> str:
    """An ASCII slug (transliterated, assetkit.slugs) that cannot leave its folder (no dots,
    slashes or empty names), unique in `taken`."""
    slug = ascii_slug(text, "-", SLUG_MAX)
    if slug in _WINDOWS_RESERVED:  # con.html cannot be created on Windows
        slug += "-item"
    if not slug:
        slug = "product-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def parse_specs(raw: str | None) -> tuple[tuple[str, str], ...]:
    """Specs as (name, value) rows: a JSON object, or `name: value` items split by ; or newlines."""
    if not raw or not raw.strip():
        return ()
    try:
        data = json.loads(raw)
        if isinstance(data, dict):
            return tuple((str(k), str(v)) for k, v in data.items())
    except ValueError:
        pass
    rows = []
    for item in re.split(r"[;\n|]+", raw):
        if item.strip():
            name, sep, value = item.partition(":")
            rows.append((name.strip(), value.strip()) if sep else ("", item.strip()))
    return tuple(rows)


_CATALOGUE_SQL = """
WITH ranked AS (
    SELECT *, row_number() OVER (
        PARTITION BY coalesce(nullif(trim(sku), ''), lower(trim(name)))
        ORDER BY (description IS NOT NULL)::INT + (specs IS NOT NULL)::INT + (moq IS NOT NULL)::INT
                 + (lead_time_days IS NOT NULL)::INT + (image_url IS NOT NULL)::INT DESC, product_id
    ) AS rn
    FROM products WHERE trim(name) <> ''
)
SELECT name, coalesce(sku, ''), coalesce(category, ''), coalesce(description, ''), specs,
       moq::DOUBLE, coalesce(moq_unit, ''), lead_time_days, coalesce(image_url, ''), 'products',
       price, upper(coalesce(trim(currency), '')),
       coalesce(strftime(b.finished_at AT TIME ZONE 'UTC', '%Y-%m-%d'), '')
FROM ranked LEFT JOIN import_batches b USING (batch_id) WHERE rn = 1 ORDER BY lower(name), sku
"""

_ORDERED_SQL = """
WITH seen AS (
    SELECT trim(product) AS name, nullif(trim(sku), '') AS sku FROM order_items
    WHERE product IS NOT NULL AND trim(product) <> ''
    UNION ALL
    SELECT trim(product), NULL FROM orders WHERE product IS NOT NULL AND trim(product) <> ''
)
SELECT min(name), coalesce(min(sku), ''), '', '', NULL, NULL, '', NULL, '', 'orders', NULL, '', ''
FROM seen GROUP BY lower(name) ORDER BY lower(min(name))
"""


def load_products(con: duckdb.DuckDBPyConnection) -> list[Product]:
    rows = con.execute(_CATALOGUE_SQL).fetchall() or con.execute(_ORDERED_SQL).fetchall()
    taken: set[str] = set()
    return [
        Product(slug=slugify(r[0], taken), name=r[0].strip(), sku=r[1], category=r[2], description=r[3],
                specs=parse_specs(r[4]), moq=r[5], moq_unit=r[6], lead_time_days=r[7], image_url=r[8],
                source=r[9], price=r[10], currency=r[11], updated=r[12])
        for r in rows
    ]


def _topic_data() -> list[dict[str, Any]]:
    text = resources.files("assetkit.export.site").joinpath("faq_topics.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["topics"]


def faq_topics(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[list[FaqTopic], int]:
    """The most asked topics (count desc), and the number of inquiries scanned.

    With no inquiry matching any topic the `default: true` topics are returned with count 0.
    """
    topics = _topic_data()
    patterns = ["(" + "|".join(t["patterns"]) + ")" for t in topics]
    counts = ", ".join(f"count(*) FILTER (WHERE regexp_matches(txt, ${i + 1}))" for i in range(len(topics)))
    sql = (f"SELECT count(*), {counts} FROM (SELECT lower(coalesce(subject, '') || ' ' || "
           f"coalesce(message, '') || ' ' || coalesce(inquiry_type, '')) AS txt FROM inquiries)")
    total, *hits = con.execute(sql, patterns).fetchone()
    ranked = sorted(zip(topics, hits), key=lambda th: (-th[1], topics.index(th[0])))
    chosen = [(t, n) for t, n in ranked if n > 0][:limit]
    if not chosen:
        chosen = [(t, 0) for t in topics if t.get("default")][:limit]
    return [FaqTopic(t["key"], int(n), dict(t["question"]), dict(t["answer"]), tuple(t.get("needs") or ()))
            for t, n in chosen], int(total)
