"""The scenario baseline: the last 12 months per channel and platform, from the stored data.

Every figure is a monthly average over the window (total / months covered, counted from the
first day of the month of the first order inside the window), so a business with 7 months
of history is not compared against 12 months of costs. Definitions follow
design.md: net revenue = gross_amount_rc - refunded_amount_rc for status <> 'cancelled';
fees are positive costs by fee_type; an order is a repeat when its buyer already bought on an
earlier day (buyer-day occasions, design.md "CLV conventions"). The queries are
self-contained for now; they will later be pointed at the shared fees/CLV modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.analysis import platform_rules
from assetkit.analysis.economics._common import refund_adjustment
from assetkit.analysis.economics.platform_cost import platform_cost
from assetkit.config import Config
from assetkit.errors import NotEnoughData

if TYPE_CHECKING:
    import duckdb

MIN_MONTHS_WITH_ORDERS = 3
DAYS_PER_MONTH = 30.4375
PLATFORM_CHANNELS = frozenset({"marketplace"})
OWNED_CHANNELS = frozenset({"own_site", "email", "social", "direct", "seo", "content", "website"})


@dataclass(frozen=True)
class ChannelBaseline:
    """One channel (and platform, if any), monthly averages in the reporting currency."""

    channel: str
    platform: str | None = None
    kind: str = "other"  # platform | owned | other
    revenue: float = 0.0
    orders: float = 0.0
    buyers: int = 0
    repeat_share: float = 0.0  # share of revenue from buyers' repeat occasions
    fees: dict[str, float] = field(default_factory=dict)  # fee_type -> monthly amount
    spend: float = 0.0
    inquiries: float = 0.0
    conversion: float | None = None  # converted / decided inquiries within the conversion window (as funnel)
    # Platform rules (assetkit/data/platform_rules.yaml): the share of this channel's repeat
    # revenue from buyers the platform still restricts at as_of, and what the rule is.
    restricted_repeat_share: float = 0.0
    move_rule: str | None = None  # None | conversion_fee | forbidden
    conversion_fee: float = 0.0  # share of a year's revenue, paid once per moved buyer

    @property
    def label(self) -> str:
        return f"{self.channel}:{self.platform}" if self.platform else self.channel

    @property
    def platform_cost(self) -> float:
        return sum(self.fees.values())

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["label"] = self.label
        out["platform_cost"] = self.platform_cost
        return out


@dataclass(frozen=True)
class Baseline:
    """What the business looks like now; constructible by hand for tests and what-ifs."""

    channels: tuple[ChannelBaseline, ...]
    currency: str = Config.reporting_currency
    as_of: dt.date | None = None
    window_start: dt.date | None = None
    months_covered: float = 12.0
    months_with_orders: int = 12
    repeat_buyer_rate: float | None = None
    warnings: tuple[str, ...] = ()
    conversion_window_days: int = 180

    @property
    def revenue(self) -> float:
        return sum(c.revenue for c in self.channels)

    @property
    def platform_cost(self) -> float:
        return sum(c.platform_cost for c in self.channels)

    @property
    def spend(self) -> float:
        return sum(c.spend for c in self.channels)

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "window_start": self.window_start.isoformat() if self.window_start else None,
            "months_covered": self.months_covered,
            "months_with_orders": self.months_with_orders,
            "repeat_buyer_rate": self.repeat_buyer_rate,
            "conversion_window_days": self.conversion_window_days,
            "monthly_totals": {"revenue": self.revenue, "platform_cost": self.platform_cost, "spend": self.spend},
            "channels": [c.to_dict() for c in self.channels],
            "warnings": list(self.warnings),
        }


def classify(channel: str, platform: str | None, marketplaces: set[str]) -> str:
    """platform / owned / other, from design.md's channel taxonomy."""
    if channel in PLATFORM_CHANNELS or (platform is not None and platform in marketplaces):
        return "platform"
    return "owned" if channel in OWNED_CHANNELS else "other"


_WINDOW = "ordered_at >= $start AND ordered_at < $end AND status <> 'cancelled'"

_ORDERS_SQL = f"""
WITH firsts AS (
    SELECT buyer_id, min(ordered_at::DATE) AS first_day FROM orders
    WHERE status <> 'cancelled' AND buyer_id IS NOT NULL GROUP BY buyer_id
)
SELECT o.channel, o.platform,
       sum(o.gross_amount_rc - coalesce(o.refunded_amount_rc, 0))::DOUBLE AS revenue,
       count(*) FILTER (WHERE NOT {refund_adjustment('o.')}) AS orders,
       count(DISTINCT o.buyer_id) AS buyers,
       coalesce(sum(CASE WHEN o.ordered_at::DATE > f.first_day
                    THEN o.gross_amount_rc - coalesce(o.refunded_amount_rc, 0) END), 0)::DOUBLE AS repeat_revenue
FROM orders o LEFT JOIN firsts f USING (buyer_id)
WHERE o.ordered_at >= $start AND o.ordered_at < $end AND o.status <> 'cancelled'
  AND o.gross_amount_rc IS NOT NULL
GROUP BY ALL ORDER BY ALL
"""

# Spend rows cover a period; the part inside the window counts, pro rata by days. Spend that
# names a platform is that platform's ad cost and comes with the platform cost (below).
_SPEND_SQL = """
SELECT channel, platform,
       sum(amount_rc * (least(period_end, $end::DATE - 1) - greatest(period_start, $start::DATE) + 1)
           / (period_end - period_start + 1))::DOUBLE
FROM spend
WHERE period_end >= $start::DATE AND period_start < $end::DATE AND amount_rc IS NOT NULL
  AND period_end >= period_start AND platform IS NULL
GROUP BY ALL ORDER BY ALL
"""

# Repeat revenue per channel from buyers whose relationship with a rule-bound platform is
# still inside the rule's period at as_of ($months < 0: the rule lasts the whole relationship).
_RESTRICTED_SQL = """
WITH r AS (SELECT unnest($platforms) AS platform, unnest($months) AS months),
firsts AS (SELECT buyer_id, min(ordered_at::DATE) AS first_day FROM orders
           WHERE status <> 'cancelled' AND buyer_id IS NOT NULL GROUP BY buyer_id),
on_platform AS (SELECT buyer_id, platform, min(ordered_at::DATE) AS since FROM orders
                WHERE status <> 'cancelled' AND buyer_id IS NOT NULL GROUP BY ALL)
SELECT o.channel, o.platform,
       coalesce(sum(o.gross_amount_rc - coalesce(o.refunded_amount_rc, 0)), 0)::DOUBLE
FROM orders o JOIN r USING (platform) JOIN firsts f USING (buyer_id) JOIN on_platform p USING (buyer_id, platform)
WHERE o.ordered_at >= $start AND o.ordered_at < $end AND o.status <> 'cancelled'
  AND o.gross_amount_rc IS NOT NULL AND o.ordered_at::DATE > f.first_day
  AND (r.months < 0 OR p.since > $as_of - CAST(round(r.months * 30.4375) AS INTEGER))
GROUP BY ALL
"""

# Conversion as `assetkit funnel` defines it: an order by the inquiry's buyer within the
# conversion window; inquiries whose window has not ended by the end are pending and left out.
_INQUIRIES_SQL = """
WITH i AS (
    SELECT i.channel, i.platform, i.received_at,
           EXISTS (SELECT 1 FROM orders o WHERE o.buyer_id = i.buyer_id AND o.status <> 'cancelled'
                     AND o.ordered_at >= i.received_at AND o.ordered_at < i.received_at + to_days($window)
                     AND o.ordered_at < $end) AS converted
    FROM inquiries i WHERE i.received_at >= $start AND i.received_at < $end)
SELECT channel, platform, count(*) AS n, count(*) FILTER (WHERE converted) AS converted,
       count(*) FILTER (WHERE converted OR received_at + to_days($window) <= $end) AS decided
FROM i GROUP BY ALL ORDER BY ALL
"""

_REPEAT_BUYERS_SQL = f"""
WITH days AS (SELECT DISTINCT buyer_id, ordered_at::DATE AS d FROM orders
              WHERE buyer_id IS NOT NULL AND status <> 'cancelled' AND ordered_at < $end)
SELECT count(*) FILTER (WHERE n > 1), count(*) FROM (
    SELECT buyer_id, count(*) AS n FROM days GROUP BY buyer_id
    HAVING buyer_id IN (SELECT buyer_id FROM orders WHERE {_WINDOW}))
"""


def _window(con: duckdb.DuckDBPyConnection, as_of: dt.date | None) -> tuple[dt.date, dt.datetime, dt.datetime]:
    if as_of is None:
        row = con.execute("SELECT max(ordered_at)::DATE FROM orders WHERE status <> 'cancelled'").fetchone()
        if row is None or row[0] is None:
            raise NotEnoughData(
                "scenario needs order history, and there are no orders in the database",
                hint="import your order exports first: assetkit import FILE (or try assetkit demo)",
            )
        as_of = row[0]
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
    start = end.replace(year=end.year - 1) if not (end.month == 2 and end.day == 29) else end - dt.timedelta(days=366)
    return as_of, start, end


def build_baseline(con: duckdb.DuckDBPyConnection, config: Config | None = None, as_of: dt.date | None = None) -> Baseline:
    """Aggregate the 12 months up to `as_of` (default: the last order) per channel and platform.

    Raises NotEnoughData (exit 3) with fewer than MIN_MONTHS_WITH_ORDERS calendar months of orders.
    """
    config = config or Config()
    as_of, start, end = _window(con, as_of)
    p = {"start": start, "end": end}
    months_row = con.execute(
        f"SELECT count(DISTINCT date_trunc('month', ordered_at)), date_trunc('month', min(ordered_at))::DATE "
        f"FROM orders WHERE {_WINDOW}", p
    ).fetchone()
    n_months, first_day = (months_row or (0, None))
    if n_months < MIN_MONTHS_WITH_ORDERS or first_day is None:
        raise NotEnoughData(
            f"scenario needs orders in at least {MIN_MONTHS_WITH_ORDERS} calendar months of the 12 up to "
            f"{as_of.isoformat()}; found {n_months}",
            hint="import more order history (older exports), or pass an earlier --as-of",
        )
    months = min(12.0, ((end.date() - max(first_day, start.date())).days) / DAYS_PER_MONTH)
    warnings: list[str] = []
    missing = con.execute(f"SELECT count(*) FROM orders WHERE {_WINDOW} AND gross_amount_rc IS NULL", p).fetchone()
    if missing and missing[0]:
        warnings.append(f"{missing[0]} orders lack a reporting-currency amount (no FX rate) and are left out")

    orders = con.execute(_ORDERS_SQL, p).fetchall()
    # Platform cost exactly as `assetkit fees` counts it over the same days (one definition).
    cost = platform_cost(con, config, start.date(), as_of)
    fee_rows = dict(cost.by_category)
    warnings += cost.notes
    spend_rows = con.execute(_SPEND_SQL, p).fetchall()
    rules = platform_rules.rules()
    restricted = {(ch, pl): v for ch, pl, v in con.execute(_RESTRICTED_SQL, {
        **p, "as_of": as_of, "platforms": list(rules),
        "months": [float(r.months) if r.months is not None else -1.0 for r in rules.values()]}).fetchall()}
    from assetkit.analysis.economics.funnel import DEFAULT_WINDOW_DAYS

    window = int(config.section("funnel").get("conversion_window_days", DEFAULT_WINDOW_DAYS))
    inq_rows = con.execute(_INQUIRIES_SQL, {**p, "window": window}).fetchall()
    rep = con.execute(_REPEAT_BUYERS_SQL, p).fetchone() or (0, 0)

    marketplaces = {pl for ch, pl, *_ in orders if ch in PLATFORM_CHANNELS and pl}
    keys: dict[tuple[str, str | None], dict[str, Any]] = {}

    def row(channel: str, platform: str | None) -> dict[str, Any]:
        return keys.setdefault((channel, platform), {"fees": {}, "spend": 0.0, "inq": 0, "conv": 0, "decided": 0})

    for ch, pl, revenue, n, buyers, repeat in orders:
        row(ch, pl).update(revenue=revenue, orders=n, buyers=buyers, repeat=repeat)
    # Fees belong to a platform: spread over that platform's channels by revenue share.
    for (pl, ft), total in fee_rows.items():
        targets = [k for k in keys if k[1] == pl and keys[k].get("revenue", 0) > 0]
        if not targets:
            targets = [("marketplace", pl)]
        weight = sum(keys.get(k, {}).get("revenue", 0) for k in targets) or 1.0
        for k in targets:
            share = keys.get(k, {}).get("revenue", 0) / weight if len(targets) > 1 else 1.0
            fees = row(*k)["fees"]
            fees[ft] = fees.get(ft, 0.0) + total * share
    def match(channel: str, platform: str | None) -> tuple[str, str | None]:
        """A spend/inquiry row without a platform joins the one order channel of that name."""
        if platform in marketplaces:
            return ("marketplace", platform)
        same = [k for k in keys if k[0] == channel]
        return same[0] if platform is None and len(same) == 1 else (channel, platform)

    for ch, pl, total in spend_rows:
        row(*match(ch, pl))["spend"] += total
    for ch, pl, n, conv, decided in inq_rows:
        r = row(*match(ch, pl))
        r["inq"] += n
        r["conv"] += conv
        r["decided"] += decided

    channels = tuple(
        ChannelBaseline(
            channel=ch,
            platform=pl,
            kind=classify(ch, pl, marketplaces),
            revenue=v.get("revenue", 0.0) / months,
            orders=v.get("orders", 0) / months,
            buyers=v.get("buyers", 0),
            repeat_share=(v.get("repeat", 0.0) / v["revenue"]) if v.get("revenue", 0) > 0 else 0.0,
            fees={ft: amt / months for ft, amt in sorted(v["fees"].items())},
            spend=v["spend"] / months,
            inquiries=v["inq"] / months,
            conversion=(v["conv"] / v["decided"]) if v["decided"] else None,
            restricted_repeat_share=(restricted.get((ch, pl), 0.0) / v["repeat"]) if v.get("repeat", 0) > 0 else 0.0,
            move_rule=rules[pl].rule if pl in rules else None,
            conversion_fee=rules[pl].fee_share_of_annual_revenue if pl in rules else 0.0,
        )
        for (ch, pl), v in sorted(keys.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
    )
    for c in channels:
        if c.spend > 0 and c.revenue == 0 and c.kind == "other":
            warnings.append(f"{c.label}: spend of {c.spend:,.0f} a month with no orders on that channel: buyers met "
                            "there are recorded under the channel they ordered through, so the scenario carries "
                            "this spend unchanged and attributes no revenue to it")
    return Baseline(
        channels=channels,
        currency=config.reporting_currency,
        as_of=as_of,
        window_start=start.date(),
        months_covered=months,
        months_with_orders=int(n_months),
        repeat_buyer_rate=(rep[0] / rep[1]) if rep[1] else None,
        warnings=tuple(warnings),
        conversion_window_days=window,
    )
