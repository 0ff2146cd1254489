"""Inquiries that precede orders: Alibaba inquiries, IndiaMART leads, own-site RFQs.

Every converting buyer's first order is preceded by an inquiry on the same platform; most
inquiries never convert (the funnel analysis needs both). Response times improve slowly as
the business learns, and some inquiries are never answered.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assetkit.demo.model import Buyer, Inquiry, World, make_people, sample_day_seconds, sample_days

LEADS_PER_BUYER = {"alibaba": 4.0, "indiamart": 7.0}
QUERY_TYPES = (("W", 0.55), ("B", 0.25), ("P", 0.12), ("BIZ", 0.05), ("WA", 0.03))


def _first_orders(w: World, platform: str) -> dict[int, Any]:
    first: dict[int, Any] = {}
    for o in w.orders:
        if o.platform == platform and o.buyer is not None and o.buyer not in first:
            first[o.buyer] = o
    return first


class _Maker:
    """Shared random draws for a batch of inquiries (vectorised, then zipped)."""

    def __init__(self, rng: np.random.Generator, w: World, platform: str, channel: str) -> None:
        self.rng, self.w, self.platform, self.channel = rng, w, platform, channel
        self.skus = [p["sku"] for p in w.biz["products"] if platform in p["channels"]
                     or (platform == "shopify" and "alibaba" in p["channels"])]

    def make(self, people: list[Buyer], days: np.ndarray, skus: list[str] | None,
             qtys: list[int] | None, key0: int, median_h: float) -> list[Inquiry]:
        rng, w, n = self.rng, self.w, len(people)
        secs = sample_day_seconds(rng, n, 0.0)
        pick = rng.integers(0, len(self.skus), n)
        mult = rng.choice([1, 2, 4, 10], size=n)
        tpl = rng.integers(0, len(w.biz["messages"]), n)
        years = days / 365.0
        delay_h = rng.lognormal(np.log(median_h * 0.82 ** years), 0.9)
        answered = rng.uniform(size=n) > 0.07
        qtype_u = rng.uniform(size=n)
        cuts = np.cumsum([p for _, p in QUERY_TYPES])
        out = []
        for i, person in enumerate(people):
            sku = skus[i] if skus else self.skus[pick[i]]
            product = w.products[sku]
            qty = qtys[i] if qtys else int(product["moq"] * mult[i])
            ts = w.cal.epoch(days[i]) + int(secs[i])
            resp = ts + int(delay_h[i] * 3600) if answered[i] else None
            country = w.biz["countries"][person.country]["name"]
            msg = w.biz["messages"][tpl[i]].format(product=product["name"], qty=qty,
                                                   unit=product["moq_unit"].lower(), country=country)
            qt = QUERY_TYPES[int(np.searchsorted(cuts, qtype_u[i]))][0]
            out.append(Inquiry(key0 + i, self.platform, self.channel, person, ts, sku, qty,
                               product["moq_unit"], msg, resp, qt))
        return out


def _platform_inquiries(rng: np.random.Generator, w: World, platform: str, draw: Any,
                        cum: np.ndarray, key0: int) -> list[Inquiry]:
    seg_people = [b for b in w.buyers if b.segment == platform]
    offset = seg_people[0].idx
    first = _first_orders(w, platform)
    buyers = [b for b in seg_people if b.idx in first]
    days = np.array([min(int(draw.first_contact[b.idx - offset]), first[b.idx].day) for b in buyers])
    maker = _Maker(rng, w, platform, "marketplace")
    out = maker.make(buyers, days, [first[b.idx].lines[0][0] for b in buyers],
                     [first[b.idx].lines[0][1] for b in buyers], key0, 6.0)
    repeats = [o for o in w.orders if o.platform == platform and o.buyer is not None
               and first[o.buyer] is not o]
    keep = rng.uniform(size=len(repeats)) < 0.3
    repeats = [o for o, k in zip(repeats, keep) if k]
    lag = rng.integers(1, 9, len(repeats))
    out += maker.make([w.buyers[o.buyer] for o in repeats],
                      np.maximum(np.array([o.day for o in repeats], dtype=np.int64) - lag, 0),
                      [o.lines[0][0] for o in repeats], [o.lines[0][1] for o in repeats],
                      key0 + len(out), 6.0)
    n_leads = int(LEADS_PER_BUYER[platform] * len(seg_people))
    strangers = make_people(rng, w.biz, platform, n_leads, 50_000 + key0 // 100, companies=True,
                            taken=w.emails)
    lead_days = sample_days(rng, cum, np.zeros(n_leads), np.full(n_leads, w.cal.n_days - 1))
    out += maker.make(strangers, lead_days, None, None, key0 + len(out), 6.0)
    return out


def _site_rfqs(rng: np.random.Generator, w: World, key0: int) -> list[Inquiry]:
    """RFQ form on the own site: movers ask before their first site order, plus new leads."""
    first = _first_orders(w, "shopify")
    movers = [b for b in w.buyers if b.moved_day is not None and b.idx in first
              and b.segment in ("alibaba", "indiamart")]
    asked = [b for b, u in zip(movers, rng.uniform(size=len(movers))) if u < 0.6]
    lag = rng.integers(2, 11, len(asked))
    days = np.maximum(np.array([first[b.idx].day for b in asked], dtype=np.int64) - lag, 0)
    maker = _Maker(rng, w, "shopify", "own_site")
    out = maker.make(asked, days, [first[b.idx].lines[0][0] for b in asked],
                     [first[b.idx].lines[0][1] for b in asked], key0, 2.0)
    seo = w.cal.day(w.biz["period"]["seo_start"])
    n = 80
    strangers = make_people(rng, w.biz, "shopify", n, 70_000, companies=True, taken=w.emails)
    lead_days = rng.integers(seo, w.cal.n_days, n)
    out += maker.make(strangers, np.sort(lead_days), None, None, key0 + len(out), 2.0)
    return out


def build_inquiries(rng: np.random.Generator, w: World, draws: dict[str, Any],
                    cum_b2b: np.ndarray) -> list[Inquiry]:
    """All inquiries of the demo world, sorted by time."""
    out = _platform_inquiries(rng, w, "alibaba", draws["alibaba"], cum_b2b, 1_000_000)
    out += _platform_inquiries(rng, w, "indiamart", draws["indiamart"], cum_b2b, 2_000_000)
    out += _site_rfqs(rng, w, 3_000_000)
    out.sort(key=lambda q: (q.ts, q.key))
    return out
