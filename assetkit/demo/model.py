"""Simulate the demo business: buyers, their orders and the anonymous Amazon order stream.

The simulation is platform-neutral; `writers_*` turn it into each platform's real export
format. Buyer behaviour follows the assumptions the CLV models make (Gamma-distributed
purchase rates, exponential lifetimes, Gamma spend), so the analyses have structure to find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from importlib import resources
from typing import Any

import numpy as np
import yaml

from assetkit.slugs import slug

DAY_SECONDS = 86_400


def load_business() -> dict[str, Any]:
    """The demo business as data (business.yaml next to this module)."""
    text = resources.files("assetkit.demo").joinpath("business.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def ascii_slug(text: str, sep: str = ".") -> str:
    """Lower-case ASCII form of a name, for invented e-mail addresses (Yılmaz → yilmaz)."""
    return slug(text, sep)


@dataclass(frozen=True)
class Calendar:
    """Day indices over the demo period; day 0 is the first day."""

    start: date
    end: date

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    def day(self, d: date) -> int:
        return (d - self.start).days

    def date(self, i: int) -> date:
        return self.start + timedelta(days=int(i))

    def epoch(self, i: int) -> int:
        """UTC seconds at midnight of day i."""
        return (self.start - date(1970, 1, 1)).days * DAY_SECONDS + int(i) * DAY_SECONDS

    def cumulative_weights(self, season: list[float], growth: float) -> np.ndarray:
        """Cumulative daily intensity (seasonality x yearly growth), prefixed with 0."""
        days = np.arange(self.n_days)
        months = np.array([self.date(i).month for i in days])
        w = np.asarray(season)[months - 1] * growth ** (days / 365.0)
        return np.concatenate([[0.0], np.cumsum(w)])


def sample_days(rng: np.random.Generator, cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Draw one day in [lo, hi] per element, proportional to the daily intensity."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    u = rng.uniform(cum[lo], cum[hi + 1])
    return np.clip(np.searchsorted(cum, u, side="right") - 1, lo, hi)


def sample_day_seconds(rng: np.random.Generator, n: int, local_offset_h: float) -> np.ndarray:
    """Seconds after UTC midnight for events in local business hours (08:00-20:00)."""
    local = rng.uniform(8 * 3600, 20 * 3600, n)
    return np.mod(local - local_offset_h * 3600, DAY_SECONDS).astype(np.int64)


@dataclass
class Buyer:
    """One real customer (or lead) of the demo business."""

    idx: int
    segment: str
    ref: str
    first: str
    last: str
    company: str
    email: str
    phone: str
    country: str
    city: str
    state: str
    zip: str
    street: str
    currency: str
    moved_day: int | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _unique(email: str, taken: set[str]) -> str:
    """Distinct people never share an address; a second 'Sarah Taylor' gets 'sarah.taylor2'."""
    local, domain = email.split("@")
    n, out = 1, email
    while out in taken:
        n += 1
        out = f"{local}{n}@{domain}"
    taken.add(out)
    return out


def make_people(rng: np.random.Generator, biz: dict[str, Any], segment: str, n: int,
                start_idx: int, companies: bool, taken: set[str]) -> list[Buyer]:
    """Invent n people in the segment's country mix, with companies for B2B segments.

    `taken` holds every e-mail address already handed out, so addresses stay unique."""
    mix = biz["country_mix"][segment]
    codes = list(mix)
    weights = np.array([mix[c] for c in codes], dtype=float)
    country = rng.choice(len(codes), size=n, p=weights / weights.sum())
    picks = rng.integers(0, 1 << 40, size=(n, 7))
    out = []
    for i in range(n):
        code = codes[country[i]]
        c = biz["countries"][code]
        names = biz["names"][c["names"]]
        first = names["first"][picks[i, 0] % len(names["first"])]
        last = names["last"][picks[i, 1] % len(names["last"])]
        city, state, zipc = c["cities"][picks[i, 2] % len(c["cities"])]
        company = ""
        if companies:
            word = biz["company_words"][picks[i, 3] % len(biz["company_words"])]
            kind = biz["company_kinds"][picks[i, 4] % len(biz["company_kinds"])]
            company = f"{word} {kind} {biz['company_suffix'][code]}"
            email = f"{ascii_slug(first)}.{ascii_slug(last)}@{ascii_slug(word + kind, '')}-{code.lower()}.example"
        else:
            email = f"{ascii_slug(first, '')}{ascii_slug(last, '')}{picks[i, 5] % 90 + 10}@mail.example"
        email = _unique(email, taken)
        phone = f"+{c['dial']}-{picks[i, 6] % 9_000_000_000 + 1_000_000_000}"
        street = f"{picks[i, 5] % 180 + 1} {['Main', 'Market', 'Station', 'Park', 'Harbour'][picks[i, 3] % 5]} Street"
        ref = f"{segment[:3]}{start_idx + i:05d}"
        out.append(Buyer(start_idx + i, segment, ref, first, last, company, email, phone, code,
                         city, state, zipc, street, c["currency"]))
    return out


@dataclass
class Order:
    """One order before formatting: lines are (sku, quantity, unit price in `currency`)."""

    key: int
    platform: str
    buyer: int | None
    day: int
    ts: int
    currency: str
    lines: list[tuple[str, int, float]]
    status: str = "completed"
    refund_share: float = 0.0
    shipping: float = 0.0
    discount: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def subtotal(self) -> float:
        return round(sum(q * p for _, q, p in self.lines), 2)


@dataclass
class SegmentDraw:
    """Per-buyer timing and per-order (buyer, day, value) draws for one segment."""

    first_contact: np.ndarray
    first_order: np.ndarray
    end: np.ndarray
    order_buyer: np.ndarray
    order_day: np.ndarray
    order_value: np.ndarray


def draw_segment(rng: np.random.Generator, params: dict[str, Any], cal: Calendar, cum: np.ndarray,
                 n: int, lo_day: int) -> SegmentDraw:
    """Heavy-tailed repeat buying: rate ~ Gamma, lifetime ~ Exp, spend ~ Gamma-Gamma."""
    last = cal.n_days - 1
    # Buyers already trading when the exports begin make first contact in the first two months.
    existing = rng.uniform(size=n) < params.get("existing_share", 0.0)
    contact = sample_days(rng, cum, np.full(n, lo_day), np.where(existing, lo_day + 60, last - 20))
    lag = rng.integers(params["lag_days"][0], params["lag_days"][1] + 1, n)
    first = contact + lag
    life = rng.exponential(params["life_years"] * 365.0, n)
    end = np.minimum(first + life, last).astype(np.int64)
    rate = rng.gamma(params["rate_shape"], params["rate_scale"], n)
    valid = first <= last
    span = np.where(valid, np.maximum(end - first, 0), 0)
    n_rep = rng.poisson(rate * span / 365.0)
    idx = np.arange(n)
    rep_buyer = np.repeat(idx, n_rep)
    rep_day = sample_days(rng, cum, np.minimum(first[rep_buyer] + 1, last), end[rep_buyer])
    buyers = np.concatenate([idx[valid], rep_buyer])
    days = np.concatenate([first[valid], rep_day])
    mean_value = rng.gamma(params["value_shape"], params["value_mean"] / params["value_shape"], n)
    value = rng.gamma(4.0, mean_value[buyers] / 4.0)
    order = np.lexsort((buyers, days))
    return SegmentDraw(contact, first, end, buyers[order], days[order], value[order])


def choose_movers(rng: np.random.Generator, draw: SegmentDraw, share: float, launch: int) -> dict[int, int]:
    """Pick buyers who later order on the own site; returns buyer index -> move day."""
    has_order = np.isin(np.arange(len(draw.first_order)), draw.order_buyer)
    lo = np.maximum(draw.first_order + 30, launch + 30)
    candidates = np.flatnonzero(has_order & (draw.end - lo > 60))
    k = min(len(candidates), int(round(share * len(draw.first_order))))
    if k == 0:
        return {}
    chosen = np.sort(rng.choice(candidates, size=k, replace=False))
    move = rng.integers(lo[chosen], draw.end[chosen] - 30)
    return {int(b): int(d) for b, d in zip(chosen, move)}


def assign_status(rng: np.random.Generator, orders: list[Order], cancel_p: float, refund_p: float) -> None:
    """Mark a few orders cancelled or refunded (30 % of refunds are partial)."""
    u = rng.uniform(size=len(orders))
    partial = rng.uniform(0.2, 0.5, len(orders))
    is_partial = rng.uniform(size=len(orders)) < 0.3
    for o, ui, part, isp in zip(orders, u, partial, is_partial):
        if ui < cancel_p:
            o.status = "cancelled"
        elif ui < cancel_p + refund_p:
            o.status = "refunded"
            o.refund_share = float(round(part, 2)) if isp else 1.0


@dataclass
class Inquiry:
    """A lead, RFQ or message; `response_ts` is None when nobody answered."""

    key: int
    platform: str
    channel: str
    person: Buyer
    ts: int
    sku: str
    quantity: int
    unit: str
    message: str
    response_ts: int | None
    query_type: str = "W"


@dataclass
class World:
    """The simulated business: what every writer formats. Buyer `idx` indexes `buyers`."""

    biz: dict[str, Any]
    cal: Calendar
    buyers: list[Buyer] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    inquiries: list[Inquiry] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)

    @cached_property
    def products(self) -> dict[str, dict[str, Any]]:
        return {p["sku"]: p for p in self.biz["products"]}

    def year(self, day: int) -> int:
        return self.cal.date(day).year

    def orders_on(self, platform: str) -> list[Order]:
        return [o for o in self.orders if o.platform == platform]
