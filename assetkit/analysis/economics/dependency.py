"""Platform dependency: each platform's share of revenue and of new buyers, and how
concentrated revenue is across channels and platforms (Herfindahl-Hirschman index).

HHI = sum of squared shares in percent, 0-10,000: 10,000 means everything comes through one
channel; below 1,500 is usually read as unconcentrated, above 2,500 as highly concentrated
(the US merger-guideline bands, used here only as a reading aid).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetkit.analysis.economics._common import as_float, run, share
from assetkit.analysis.economics.base import Prepared

if TYPE_CHECKING:
    import duckdb


def hhi(shares: list[float]) -> float | None:
    """Sum of squared percentage shares; None without any share."""
    return sum((100 * s) ** 2 for s in shares) if shares else None


def analyse(con: duckdb.DuckDBPyConnection, prep: Prepared) -> dict[str, Any]:
    rows = run(con, """
        SELECT platform, channel, sum(revenue) AS revenue, sum(new_buyers) AS new_buyers
        FROM _ak_econ_om GROUP BY ALL
    """, prep.params)

    def table(key: str) -> list[dict[str, Any]]:
        groups: dict[str, list[float]] = {}
        for r in rows:
            g = groups.setdefault(r[key], [0.0, 0])
            g[0] += as_float(r["revenue"]) or 0.0
            g[1] += int(r["new_buyers"])
        revenue = sum(max(v[0], 0.0) for v in groups.values())
        buyers = sum(v[1] for v in groups.values())
        return sorted(({key: k, "revenue": v[0], "revenue_share": share(max(v[0], 0.0), revenue),
                        "new_buyers": v[1], "new_buyer_share": share(v[1], buyers)}
                       for k, v in groups.items()), key=lambda r: (-r["revenue"], r[key]))

    platforms, channels = table("platform"), table("channel")
    return {
        "platforms": platforms,
        "channels": channels,
        "hhi_channels": hhi([r["revenue_share"] for r in channels if r["revenue_share"] is not None]),
        "hhi_platforms": hhi([r["revenue_share"] for r in platforms if r["revenue_share"] is not None]),
    }
