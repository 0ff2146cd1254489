"""Amazon Seller Central exports: Settlement Flat File V2 (one file per 14-day settlement,
summary row first, fees as negative rows) and the All Orders report (one row per item).

US files use ISO dates and dot decimals; the Amazon.de (EU unified account) settlements use
`DD.MM.YYYY HH:MM:SS UTC` and comma decimals, as the real German reports do."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from assetkit.demo.files import DemoFile, money, money_eu, scramble, utc, write_table
from assetkit.demo.model import DAY_SECONDS, Order, World

SETTLEMENT_HEADER = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
    "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
    "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id",
    "posted-date", "posted-date-time", "order-item-code", "merchant-order-item-id",
    "merchant-adjustment-item-id", "sku", "quantity-purchased", "promotion-id",
)
ALL_ORDERS_HEADER = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax",
    "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
    "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
    "promotion-ids", "is-business-order", "purchase-order-number", "price-designation",
)
MARKETS = {"US": ("Amazon.com", "USD", "112"), "DE": ("Amazon.de", "EUR", "302")}
WINDOW_OFFSET = 8 * 3600 + 52 * 60 + 26          # settlements close at 08:52:26 UTC
ALNUM = "BCDFGHJKLMNPQRSTVWXYZbcdfghjkmnpqrstvwxyz0123456789"


def order_id(o: Order) -> str:
    prefix = MARKETS[o.meta["market"]][2]
    return f"{prefix}-{scramble(o.key, 7, 1)}-{scramble(o.key, 7, 2)}"


def _alnum(key: int, n: int) -> str:
    x, out = key * 2_654_435_761 + 12_345, []
    for _ in range(n):
        x, r = divmod(x * 31 + 7, len(ALNUM))
        out.append(ALNUM[r])
    return "".join(out)


class _Fmt:
    """Date and number formats of one marketplace's settlement file."""

    def __init__(self, market: str) -> None:
        self.eu = market != "US"

    def ts(self, t: int) -> str:
        d = utc(t)
        return d.strftime("%d.%m.%Y %H:%M:%S UTC" if self.eu else "%Y-%m-%d %H:%M:%S UTC")

    def day(self, t: int) -> str:
        return utc(t).strftime("%d.%m.%Y" if self.eu else "%Y-%m-%d")

    def amount(self, x: float) -> str:
        return money_eu(x) if self.eu else money(x)


def _order_events(w: World, o: Order) -> list[tuple[int, str, list[tuple[str, str, float, str, int]]]]:
    """(posted ts, transaction type, [(amount-type, description, amount, sku, qty)])."""
    fees = w.biz["fees"]["amazon"]
    year = w.year(o.day)
    fx = w.biz["price_fx"][o.currency]
    shipped = o.ts + int((0.3 + 1.7 * o.meta["u"]) * DAY_SECONDS)
    rows, refund = [], []
    for sku, qty, unit in o.lines:
        principal = round(qty * unit, 2)
        commission = round(max(fees["referral"][year] * principal, fees["referral_min"] * qty), 2)
        rows += [("ItemPrice", "Principal", principal, sku, qty),
                 ("ItemFees", "Commission", -commission, sku, qty),
                 ("ItemFees", "FBAPerUnitFulfillmentFee", -round(fees["fba_per_unit"][year] * fx * qty, 2), sku, qty)]
        if o.status == "refunded":
            back = round(commission * o.refund_share, 2)
            refund += [("ItemPrice", "Principal", -round(principal * o.refund_share, 2), sku, qty),
                       ("ItemFees", "Commission", back, sku, qty),
                       ("ItemFees", "RefundCommission", -min(round(fees["refund_admin"] * back, 2), 5.0), sku, qty)]
    events = [(shipped, "Order", rows)]
    if refund:
        events.append((shipped + int((5 + 20 * o.meta["u"]) * DAY_SECONDS), "Refund", refund))
    return events


def _settlements(root: Path, w: World, market: str, orders: list[Order], first_day: int) -> list[DemoFile]:
    fees = w.biz["fees"]["amazon"]
    name, currency, _ = MARKETS[market]
    fmt = _Fmt(market)
    start0 = w.cal.epoch(first_day) + WINDOW_OFFSET
    period_end = w.cal.epoch(w.cal.n_days)
    n_windows = int((period_end - start0) // (14 * DAY_SECONDS))
    buckets: dict[int, list[tuple[int, int, list[str]]]] = defaultdict(list)
    units: dict[int, int] = defaultdict(int)

    def put(t: int, row: dict[str, str]) -> None:
        k = int((t - start0) // (14 * DAY_SECONDS))
        if 0 <= k < n_windows:
            buckets[k].append((t, len(buckets[k]), [row.get(h, "") for h in SETTLEMENT_HEADER]))

    for o in orders:
        if o.status in ("pending", "cancelled"):
            continue
        oid, ship = order_id(o), _alnum(o.key, 9)
        for t, ttype, lines in _order_events(w, o):
            if ttype == "Order":
                units[int((t - start0) // (14 * DAY_SECONDS))] += sum(q for _, q, _ in o.lines)
            for j, (atype, desc, amount, sku, qty) in enumerate(lines):
                refund = ttype == "Refund"
                put(t, {"transaction-type": ttype, "order-id": oid, "marketplace-name": name,
                        "adjustment-id": f"amzn1.adj.{scramble(o.key, 6, 3)}" if refund else "",
                        "shipment-id": "" if refund else ship, "amount-type": atype,
                        "amount-description": desc, "amount": fmt.amount(amount), "fulfillment-id": "AFN",
                        "posted-date": fmt.day(t), "posted-date-time": fmt.ts(t),
                        "order-item-code": "" if refund else scramble(o.key * 3 + j // 3, 14, 4),
                        "sku": sku, "quantity-purchased": "" if refund else str(qty)})
    for day in range(first_day, w.cal.n_days):
        if w.cal.date(day).day == 1:
            t = w.cal.epoch(day)
            sub = fees["subscription"] if market == "US" else 39.0
            put(t, {"transaction-type": "other-transaction", "amount-type": "other-transaction",
                    "amount-description": "Subscription Fee", "amount": fmt.amount(-sub),
                    "posted-date": fmt.day(t), "posted-date-time": fmt.ts(t)})
    files = []
    for k in range(n_windows):
        s, e = start0 + k * 14 * DAY_SECONDS, start0 + (k + 1) * 14 * DAY_SECONDS
        rate = fees["placement_per_unit"][utc(s).year] * w.biz["price_fx"][currency]
        if rate and units[k]:
            t = e - DAY_SECONDS
            put(t, {"transaction-type": "other-transaction", "amount-type": "other-transaction",
                    "amount-description": "FBA Inbound Placement Service Fee",
                    "amount": fmt.amount(-round(rate * units[k], 2)),
                    "posted-date": fmt.day(t), "posted-date-time": fmt.ts(t)})
        sid = str((14_300_000_000 if market == "US" else 24_100_000_000) + k * 161_803 + int(scramble(k, 3, 5)))
        rows = [r for _, _, r in sorted(buckets[k])]
        total = sum(float(r[14].replace(",", ".")) for r in rows)
        for r in rows:
            r[0] = sid
        summary = [sid, fmt.ts(s), fmt.ts(e), fmt.ts(e + 2 * DAY_SECONDS), fmt.amount(total), currency]
        summary += [""] * (len(SETTLEMENT_HEADER) - len(summary))
        rel = f"amazon/settlement_{sid}.txt"
        n = write_table(root, rel, SETTLEMENT_HEADER, [summary] + rows, delimiter="\t")
        files.append(DemoFile(rel, "amazon", "orders+fees", "amazon_settlement_v2", n))
    return files


def _all_orders(root: Path, w: World, rng: np.random.Generator, market: str,
                orders: list[Order]) -> list[DemoFile]:
    name, currency, _ = MARKETS[market]
    country = w.biz["countries"][market]
    u = rng.uniform(size=(len(orders), 4))
    by_year: dict[int, list[list[str]]] = defaultdict(list)
    for o, (a, b, c, d) in zip(orders, u):
        city, state, zipc = country["cities"][int(a * len(country["cities"]))]
        business = b < 0.06
        status = {"cancelled": "Cancelled", "pending": "Pending"}.get(o.status, "Shipped")
        updated = o.ts + int((0.3 if status != "Shipped" else 6 + 34 * c) * 3600)
        tax_rate = 0.19 / 1.19 if market == "DE" else 0.06 + 0.03 * d
        for sku, qty, unit in o.lines:
            price = round(qty * unit, 2)
            cancelled = status == "Cancelled"
            item_status = {"Shipped": "Shipped", "Cancelled": "Cancelled"}.get(status, "Unshipped")
            by_year[w.year(o.day)].append([
                order_id(o), "", utc(o.ts).isoformat(), utc(updated).isoformat(), status, "Amazon", name,
                "", "", "Expedited" if c < 0.2 else "Standard",
                f"{w.products[sku]['name']} - Sialkot Surgical Works, Stainless Steel", sku,
                "B0" + _alnum(hash_sku(sku), 8).upper(), item_status, "0" if cancelled else str(qty),
                currency, "" if cancelled else money(price), "" if cancelled else money(price * tax_rate),
                "" if cancelled else "0.00", "" if cancelled else "0.00", "", "", "", "",
                city.upper(), state, zipc, market, "", "true" if business else "false",
                f"PO-{scramble(o.key, 4, 6)}" if business else "", "Business Price" if business else ""])
    files = []
    for year, rows in sorted(by_year.items()):
        rel = f"amazon/All_Orders_{market}_{year}.txt"
        n = write_table(root, rel, ALL_ORDERS_HEADER, rows, delimiter="\t")
        files.append(DemoFile(rel, "amazon", "orders", "amazon_all_orders", n))
    return files


def hash_sku(sku: str) -> int:
    """A stable integer from a SKU (Python's hash() is salted per process)."""
    return int.from_bytes(sku.encode(), "big") % 1_000_003


def write_amazon(root: Path, w: World, rng: np.random.Generator) -> list[DemoFile]:
    files: list[DemoFile] = []
    for market in MARKETS:
        orders = [o for o in w.orders_on("amazon") if o.meta["market"] == market]
        first_day = 0 if market == "US" else w.cal.day(w.biz["period"]["amazon_eu_start"])
        files += _settlements(root, w, market, orders, first_day)
        files += _all_orders(root, w, rng, market, orders)
    return files


def monthly_sales(w: World) -> dict[tuple[str, str], float]:
    """Amazon item sales per (market, YYYY-MM): the base for sponsored-products spend."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    for o in w.orders_on("amazon"):
        if o.status != "cancelled":
            out[(o.meta["market"], utc(o.ts).strftime("%Y-%m"))] += o.subtotal
    return dict(out)
