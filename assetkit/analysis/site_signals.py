"""Own-site signals: which pages, sources and countries bring visitors and inquiries, and the
monthly trend of own-site traffic and own-site inquiries (the content assets' performance).

Analytics exports come at different grains (daily totals, per page, per source, per country,
or GA4 rows combining several), so each `visits` row is classed by which of page, source and
country it carries. Monthly traffic uses the coarsest grain present that month (site totals,
then sources, then countries, then pages), because summing visitors over pages counts a
visitor once per page they saw. When two tools were imported (Plausible and GA4), only the
one with the most pageviews is used, so the same visit is never counted twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.errors import NotEnoughData
from assetkit.store.sql import rows

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

GRAINS = ("site totals", "sources", "countries", "pages", "pages by source/country")
_V = """(SELECT v.*, b.platform AS tool,
        CASE WHEN v.page IS NULL AND v.source IS NULL AND v.country IS NULL THEN 0
             WHEN v.page IS NULL AND v.country IS NULL THEN 1
             WHEN v.page IS NULL AND v.source IS NULL THEN 2
             WHEN v.source IS NULL AND v.country IS NULL THEN 3 ELSE 4 END AS grain
    FROM visits v JOIN import_batches b USING (batch_id)
    WHERE b.platform = $tool AND ($since IS NULL OR v.visit_date >= $since)
      AND ($until IS NULL OR v.visit_date <= $until))"""
_INQ = """(SELECT * FROM inquiries WHERE channel = 'own_site'
    AND ($since IS NULL OR CAST(received_at AS DATE) >= $since)
    AND ($until IS NULL OR CAST(received_at AS DATE) <= $until))"""


@dataclass
class SiteSignals:
    """Everything `assetkit site-signals` reports; shares are fractions."""

    since: dt.date | None
    until: dt.date | None
    tool: str | None
    tools: list[str]
    totals: dict[str, Any]
    monthly: list[dict[str, Any]]
    pages: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    countries: list[dict[str, Any]]
    products: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _per_1000(inquiries: int | None, visitors: int | None) -> float | None:
    return round(1000.0 * inquiries / visitors, 2) if inquiries is not None and visitors else None


def analyse_site_signals(con: duckdb.DuckDBPyConnection, config: Config | None = None, since: dt.date | str | None = None,
                         until: dt.date | str | None = None, top: int = 20) -> SiteSignals:
    """Pages, sources, countries and months of own-site traffic and inquiries.

    Raises NotEnoughData when neither analytics exports nor own-site inquiries are imported.
    """
    from assetkit.analysis.plan.metrics import parse_date

    lo, hi = parse_date(since, "--since"), parse_date(until, "--until")
    tools = rows(con, "SELECT b.platform AS tool, sum(coalesce(v.pageviews, 0)) AS pv, count(*) AS n FROM visits v "
                       "JOIN import_batches b USING (batch_id) GROUP BY 1 ORDER BY pv DESC, n DESC, tool", {})
    params = {"since": lo, "until": hi, "tool": tools[0]["tool"] if tools else None, "top": top}
    n_inq = rows(con, f"SELECT count(*) AS n FROM {_INQ}", params)[0]["n"]
    if not tools and not n_inq:
        raise NotEnoughData("no website analytics and no own-site inquiries imported",
                            hint="import a Plausible CSV export, a GA4 report CSV (with a Date dimension) "
                                 "or your RFQ form's submissions; see docs/site-signals.md")
    notes = []
    if len(tools) > 1:
        notes.append(f"analytics from {', '.join(t['tool'] for t in tools)} imported; figures use "
                     f"{tools[0]['tool']} only (most pageviews), so no visit is counted twice")
    if not tools:
        notes.append("no website analytics imported: traffic columns are empty")
    monthly = rows(con, f"""
        WITH m AS (SELECT CAST(date_trunc('month', visit_date) AS DATE) AS month, grain,
                          sum(visitors) AS visitors, sum(pageviews) AS pageviews FROM {_V} GROUP BY ALL),
        t AS (SELECT month, min(grain) AS grain, arg_min(visitors, grain) AS visitors,
                     arg_min(pageviews, grain) FILTER (WHERE pageviews IS NOT NULL) AS pageviews
              FROM m GROUP BY month),
        i AS (SELECT CAST(date_trunc('month', received_at) AS DATE) AS month, count(*) AS inquiries,
                     count(DISTINCT buyer_id) AS inquirers FROM {_INQ} GROUP BY 1)
        SELECT month, CAST(visitors AS BIGINT) AS visitors, CAST(pageviews AS BIGINT) AS pageviews, grain,
               coalesce(i.inquiries, 0) AS inquiries, coalesce(i.inquirers, 0) AS inquirers
        FROM t FULL JOIN i USING (month) ORDER BY month""", params)
    for m in monthly:
        grain = m.pop("grain")
        m["traffic_from"] = GRAINS[grain] if grain is not None else None
        m["inquiries_per_1000_visitors"] = _per_1000(m["inquiries"], m["visitors"])
    pages = rows(con, f"""
        WITH p AS (SELECT page, sum(visitors) AS visitors, sum(pageviews) AS pageviews, sum(events) AS events
                   FROM {_V} WHERE page IS NOT NULL GROUP BY page),
        i AS (SELECT page, count(*) AS inquiries FROM {_INQ} WHERE page IS NOT NULL GROUP BY page)
        SELECT page, CAST(visitors AS BIGINT) AS visitors, CAST(pageviews AS BIGINT) AS pageviews,
               CAST(events AS BIGINT) AS events, coalesce(i.inquiries, 0) AS inquiries
        FROM p FULL JOIN i USING (page)
        ORDER BY coalesce(i.inquiries, 0) DESC, coalesce(pageviews, 0) DESC, page LIMIT $top""", params)
    sources = rows(con, f"""
        SELECT source, CAST(sum(visitors) AS BIGINT) AS visitors, CAST(sum(pageviews) AS BIGINT) AS pageviews,
               sum(visitors) / sum(sum(visitors)) OVER () AS share
        FROM {_V} WHERE source IS NOT NULL AND grain IN (1, 4) GROUP BY source
        ORDER BY visitors DESC NULLS LAST, source LIMIT $top""", params)
    countries = rows(con, f"""
        WITH c AS (SELECT country, sum(visitors) AS visitors FROM {_V}
                   WHERE country IS NOT NULL AND grain IN (2, 4) GROUP BY country),
        i AS (SELECT upper(country) AS country, count(*) AS inquiries FROM {_INQ} WHERE country IS NOT NULL GROUP BY 1)
        SELECT country, CAST(visitors AS BIGINT) AS visitors, coalesce(i.inquiries, 0) AS inquiries
        FROM c FULL JOIN i USING (country)
        ORDER BY coalesce(visitors, 0) + 1000 * coalesce(i.inquiries, 0) DESC, country LIMIT $top""", params)
    for row in (*pages, *countries):
        row["inquiries_per_1000_visitors"] = _per_1000(row["inquiries"], row["visitors"])
    products = rows(con, f"""
        SELECT coalesce(nullif(trim(product), ''), '(none)') AS product, count(*) AS inquiries,
               count(DISTINCT buyer_id) AS buyers, CAST(sum(quantity) AS DOUBLE) AS quantity
        FROM {_INQ} GROUP BY 1 ORDER BY inquiries DESC, product LIMIT $top""", params)
    totals = {"visitors": sum(m["visitors"] or 0 for m in monthly),
              "pageviews": sum(m["pageviews"] or 0 for m in monthly),
              "own_site_inquiries": int(n_inq), "months": len(monthly)}
    totals["inquiries_per_1000_visitors"] = _per_1000(totals["own_site_inquiries"], totals["visitors"])
    return SiteSignals(lo, hi, params["tool"], [t["tool"] for t in tools], totals, monthly, pages, sources,
                       countries, products, notes)
