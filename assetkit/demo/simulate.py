"""Build the whole demo world from one seed: buyers, orders, inquiries, leads.

Everything is drawn from one `numpy.random.Generator` in a fixed order, so a seed always
gives the same world (and the writers turn the same world into byte-identical files).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assetkit.demo.model import (
    Buyer,
    Calendar,
    Order,
    World,
    assign_status,
    choose_movers,
    draw_segment,
    load_business,
    make_people,
    sample_day_seconds,
)

B2B_SEGMENTS = ("alibaba", "indiamart")


def _price(biz: dict[str, Any], usd: float, currency: str, retail: bool) -> float:
    value = usd * biz["price_fx"][currency]
    return round(max(round(value) - 0.01, 0.99), 2) if retail and currency != "USD" else round(value, 2)


def _lines(rng: np.random.Generator, w: World, platform: str, segment: str, value: float,
           currency: str) -> list[tuple[str, int, float]]:
    """Turn an order value into catalogue lines priced for the platform and currency."""
    wholesale = segment in B2B_SEGMENTS
    skus = [p["sku"] for p in w.biz["products"] if platform in p["channels"]
            and (wholesale or p["retail"] > 0)]
    n_lines = 1 if platform in B2B_SEGMENTS else int(min(3, 1 + rng.poisson(0.4)))
    chosen = rng.choice(len(skus), size=n_lines, replace=False)
    lines = []
    for j in chosen:
        p = w.products[skus[j]]
        if wholesale:
            markup = 1.15 if platform == "shopify" else 1.0
            unit = _price(w.biz, p["wholesale"] * markup, currency, retail=False)
            qty = max(p["moq"], int(round(value / n_lines / unit / 10.0)) * 10)
        else:
            unit = _price(w.biz, p["retail"], currency, retail=True)
            qty = int(min(12, max(1, round(value / n_lines / unit))))
        lines.append((p["sku"], qty, unit))
    return lines


def _segment_orders(rng: np.random.Generator, w: World, segment: str, cum: dict[str, np.ndarray],
                    key0: int) -> tuple[list[Buyer], list[Order], Any]:
    biz, cal = w.biz, w.cal
    params = biz["segments"][segment]
    launch = cal.day(biz["period"]["site_launch"])
    people = make_people(rng, biz, segment, params["n"], len(w.buyers),
                         companies=segment in B2B_SEGMENTS or segment == "upwork", taken=w.emails)
    kind = "retail" if segment in ("etsy", "shopify") else "b2b"
    draw = draw_segment(rng, params, cal, cum[kind], params["n"], launch if segment == "shopify" else 0)
    for b, day in choose_movers(rng, draw, params["mover_share"], launch).items():
        people[b].moved_day = day
    secs = sample_day_seconds(rng, len(draw.order_day), 0.0)
    orders = []
    for i, (b, day, value) in enumerate(zip(draw.order_buyer, draw.order_day, draw.order_value)):
        person = people[int(b)]
        moved = person.moved_day is not None and day >= person.moved_day
        platform = "shopify" if moved else segment
        value = value * 0.6 if moved and segment in B2B_SEGMENTS else value
        currency = person.currency if platform != "etsy" else "USD"
        if segment == "upwork":
            orders.append(Order(key0 + i, "upwork", person.idx, int(day), cal.epoch(day) + int(secs[i]),
                                "USD", [("service", 1, round(float(value), 2))]))
            continue
        lines = _lines(rng, w, platform, segment, float(value), currency)
        orders.append(Order(key0 + i, platform, person.idx, int(day), cal.epoch(day) + int(secs[i]),
                            currency, lines))
    return people, orders, draw


def _amazon_orders(rng: np.random.Generator, w: World, cum: np.ndarray, key0: int) -> list[Order]:
    """Anonymous Amazon orders: Amazon never tells the seller who the buyer is."""
    biz, cal = w.biz, w.cal
    daily = np.diff(cum)
    lam = biz["fees"]["amazon"]["orders_per_day"] * daily / daily[:365].mean()
    eu_start = cal.day(biz["period"]["amazon_eu_start"])
    lam_eu = np.where(np.arange(cal.n_days) >= eu_start, lam / 3.0, 0.0)
    orders: list[Order] = []
    for market, rate, currency in (("US", lam, "USD"), ("DE", lam_eu, "EUR")):
        days = np.repeat(np.arange(cal.n_days), rng.poisson(rate))
        secs = sample_day_seconds(rng, len(days), 0.0)
        skus = [p["sku"] for p in biz["products"] if "amazon" in p["channels"]]
        n_lines = np.where(rng.uniform(size=len(days)) < 0.85, 1, 2)
        qty = rng.choice([1, 1, 1, 1, 2, 2, 3], size=(len(days), 2))
        pick = rng.integers(0, len(skus), size=(len(days), 2))
        for i, day in enumerate(days):
            lines = []
            for j in range(n_lines[i]):
                sku = skus[(pick[i, 0] + j) % len(skus)]
                unit = _price(biz, w.products[sku]["retail"], currency, retail=True)
                lines.append((sku, int(qty[i, j]), unit))
            orders.append(Order(key0 + len(orders), "amazon", None, int(day),
                                cal.epoch(day) + int(secs[i]), currency, lines, meta={"market": market}))
    orders.sort(key=lambda o: (o.ts, o.key))
    return orders


def build_world(seed: int) -> World:
    """The complete demo business for one seed."""
    biz = load_business()
    rng = np.random.default_rng(seed)
    period = biz["period"]
    cal = Calendar(period["start"], period["end"])
    w = World(biz, cal)
    growth = biz["yearly_growth"]
    cum = {"b2b": cal.cumulative_weights(biz["seasonality"]["b2b"], growth),
           "retail": cal.cumulative_weights(biz["seasonality"]["retail"], growth)}
    draws = {}
    for segment in ("alibaba", "indiamart", "etsy", "shopify", "upwork"):
        people, orders, draws[segment] = _segment_orders(rng, w, segment, cum, 100_000 * (len(draws) + 1))
        w.buyers.extend(people)
        w.orders.extend(orders)
    w.orders.extend(_amazon_orders(rng, w, cum["retail"], 900_000))
    last = cal.n_days - 1
    for o in w.orders:
        if o.platform in ("amazon", "shopify") and o.day >= last - 2:
            o.status = "pending"
    assign_status(rng, [o for o in w.orders if o.status != "pending" and o.platform != "upwork"], 0.03, 0.04)
    _shipping_and_discounts(rng, w)
    from assetkit.demo.inquiries import build_inquiries
    w.inquiries = build_inquiries(rng, w, draws, cum["b2b"])
    return w


def _shipping_and_discounts(rng: np.random.Generator, w: World) -> None:
    """Shipping charged and coupons used, by platform and buyer."""
    u = rng.uniform(size=(len(w.orders), 3))
    for o, (a, b, c) in zip(w.orders, u):
        buyer = w.buyers[o.buyer] if o.buyer is not None else None
        domestic = buyer is not None and buyer.country == "US"
        if o.platform == "etsy":
            o.shipping = round(4.5 + 3.5 * a, 2) if domestic else round(12 + 6 * a, 2)
            o.discount = round(0.1 * o.subtotal, 2) if b < 0.12 else 0.0
            o.meta["coupon"] = "SAVE10" if o.discount else ""
        elif o.platform == "shopify":
            wholesale = buyer is not None and buyer.segment in B2B_SEGMENTS
            o.shipping = round(45 + 75 * a, 2) if wholesale else (0.0 if o.subtotal >= 75 else 6.0)
            rate, code = (0.05, "REORDER5") if wholesale else (0.10, "WELCOME10")
            o.discount = round(rate * o.subtotal, 2) if b < 0.15 else 0.0
            o.meta["coupon"] = code if o.discount else ""
        o.meta["u"] = float(c)
