"""Etsy exports: EtsySoldOrders<year>.csv (one row per order), EtsySoldOrderItems<year>.csv
(one row per item) and the monthly statement etsy_statement_<year>_<month>.csv (UTF-8 BOM,
currency symbols inside values, `--` for empty, fees as separate negative rows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from assetkit.demo.files import DemoFile, long_date, money, scramble, utc, write_table
from assetkit.demo.model import DAY_SECONDS, Order, World, ascii_slug

ORDERS_HEADER = (
    "Sale Date", "Order ID", "Buyer User ID", "Full Name", "First Name", "Last Name",
    "Number of Items", "Payment Method", "Date Shipped", "Street 1", "Street 2", "Ship City",
    "Ship State", "Ship Zipcode", "Ship Country", "Currency", "Order Value", "Coupon Code",
    "Coupon Details", "Discount Amount", "Shipping Discount", "Shipping", "Sales Tax", "Order Total",
    "Status", "Card Processing Fees", "Order Net", "Adjusted Order Total",
    "Adjusted Card Processing Fees", "Adjusted Net Order Amount", "Buyer", "Order Type",
    "Payment Type", "InPerson Discount", "InPerson Location", "SKU",
)
ITEMS_HEADER = (
    "Sale Date", "Item Name", "Buyer", "Quantity", "Price", "Coupon Code", "Coupon Details",
    "Discount Amount", "Shipping Discount", "Order Shipping", "Order Sales Tax", "Item Total",
    "Currency", "Transaction ID", "Listing ID", "Date Paid", "Date Shipped", "Ship Name",
    "Ship Address1", "Ship Address2", "Ship City", "Ship State", "Ship Zipcode", "Ship Country",
    "Order ID", "Variations", "Order Type", "Listings Type", "Payment Type", "InPerson Discount",
    "InPerson Location", "VAT Paid by Buyer", "SKU",
)
STATEMENT_HEADER = ("Date", "Type", "Title", "Info", "Currency", "Amount", "Fees & Taxes", "Net",
                    "Tax Details")


def receipt_id(o: Order) -> str:
    return str(3_100_000_000 + (o.key % 100_000) * 997)


def listing_id(w: World, sku: str) -> str:
    return str(1_500_000_000 + list(w.products).index(sku) * 7_919)


def title(w: World, sku: str) -> str:
    p = w.products[sku]
    return p.get("etsy_title") or p["name"]


def username(w: World, o: Order) -> str:
    b = w.buyers[o.buyer]
    return f"{ascii_slug(b.first, '')}{ascii_slug(b.last, '')[:1]}{b.idx % 97}"


def ads_by_month(w: World) -> dict[str, float]:
    """Etsy Ads charges per YYYY-MM, shared with the spend ledger (the same money)."""
    out = {}
    for day in range(w.cal.n_days):
        d = w.cal.date(day)
        if d.day == 1:
            noise = 0.8 + 0.4 * int(scramble(day, 4, 9)) / 10_000
            out[d.strftime("%Y-%m")] = round(w.biz["fees"]["etsy"]["ads_monthly"][d.year] * noise, 2)
    return out


def _amounts(w: World, o: Order) -> dict[str, float]:
    fees = w.biz["fees"]["etsy"]
    year = w.year(o.day)
    buyer = w.buyers[o.buyer]
    taxable = o.subtotal - o.discount + o.shipping
    tax = round(taxable * (0.06 + 0.03 * o.meta["u"]), 2) if buyer.country == "US" else 0.0
    total = round(taxable + tax, 2)
    card = round(fees["processing_pct"][year] * total + fees["processing_fixed"], 2)
    kept = 1.0 if o.status == "completed" else 1.0 - (o.refund_share if o.status == "refunded" else 1.0)
    adj_total = round(total * kept, 2)
    adj_card = round(fees["processing_pct"][year] * adj_total + fees["processing_fixed"], 2)
    return {"tax": tax, "total": total, "card": card, "adj_total": adj_total, "adj_card": adj_card}


def _orders_rows(w: World, orders: list[Order]) -> tuple[dict[int, list[list[str]]], dict[int, list[list[str]]]]:
    by_year_o: dict[int, list[list[str]]] = defaultdict(list)
    by_year_i: dict[int, list[list[str]]] = defaultdict(list)
    for n, o in enumerate(orders):
        b, a = w.buyers[o.buyer], _amounts(w, o)
        sale = utc(o.ts).strftime("%m/%d/%y")
        ship_ts = o.ts + (1 + int(3 * o.meta["u"])) * DAY_SECONDS
        shipped = "" if o.status == "cancelled" else utc(ship_ts).strftime("%m/%d/%y")
        adjusted = o.status != "completed"
        country = w.biz["countries"][b.country]["name"]
        coupon = (o.meta["coupon"], "10% off entire order") if o.meta["coupon"] else ("", "")
        by_year_o[w.year(o.day)].append([
            sale, receipt_id(o), str(900_000_000 + b.idx * 37), b.name, b.first, b.last,
            str(sum(q for _, q, _ in o.lines)), "PayPal" if o.meta["u"] < 0.2 else "Other", shipped,
            b.street, "", b.city, b.state, b.zip, country, "USD", money(o.subtotal), *coupon,
            money(o.discount) if o.discount else "0", "0", money(o.shipping), money(a["tax"]) if a["tax"] else "0",
            money(a["total"]), "", money(a["card"]), money(a["total"] - a["card"]),
            money(a["adj_total"]) if adjusted else "", money(-a["adj_card"]) if adjusted else "",
            money(a["adj_total"] - a["adj_card"]) if adjusted else "", username(w, o), "online",
            "online_cc", "", "", ",".join(s for s, _, _ in o.lines)])
        for j, (sku, qty, unit) in enumerate(o.lines):
            by_year_i[w.year(o.day)].append([
                sale, title(w, sku), username(w, o), str(qty), money(unit), *coupon,
                money(o.discount) if o.discount else "0", "0", money(o.shipping),
                money(a["tax"]) if a["tax"] else "0", money(qty * unit), "USD",
                str(4_100_000_000 + n * 11 + j), listing_id(w, sku), sale, shipped, b.name, b.street, "",
                b.city, b.state, b.zip, country, receipt_id(o),
                "Finish:Satin" if "BT" in sku else "", "online", "listing", "online_cc", "", "", "", sku])
    return by_year_o, by_year_i


def _usd(x: float) -> str:
    x = round(x, 2) + 0.0
    return f"-${-x:.2f}" if x < 0 else f"${x:.2f}"


def _statement_rows(w: World, orders: list[Order]) -> list[tuple[int, list[str]]]:
    """(ts, row) for every statement line, before deposits are added."""
    fees = w.biz["fees"]["etsy"]
    out: list[tuple[int, list[str]]] = []

    def fee(t: int, kind: str, text: str, info: str, amount: float) -> None:
        out.append((t, [kind, text, info, "USD", "--", _usd(-amount), _usd(-amount), "--"]))

    for o in orders:
        year, a, rid = w.year(o.day), _amounts(w, o), receipt_id(o)
        t = o.ts
        total = _usd(a["total"])
        out.append((t, ["Sale", f"Payment for Order #{rid}", "", "USD", total, "--", total, "--"]))
        rate = fees["transaction"][year]
        for sku, qty, unit in o.lines:
            fee(t, "Fee", f"Transaction fee: {title(w, sku)}", f"Listing #{listing_id(w, sku)}",
                round(rate * qty * unit, 2))
        if o.shipping:
            fee(t, "Fee", "Transaction fee: Shipping", f"Order #{rid}", round(rate * o.shipping, 2))
        fee(t, "Fee", "Processing fee", f"Order #{rid}", a["card"])
        for sku, _, _ in o.lines:
            fee(t, "Fee", "Listing fee", f"Listing #{listing_id(w, sku)}", fees["listing"])
        if fees["regulatory"][year]:
            fee(t, "Fee", "Regulatory operating fee", f"Order #{rid}",
                round(fees["regulatory"][year] * (o.subtotal - o.discount + o.shipping), 2))
        if o.meta["u"] > 1.0 - fees["offsite_share"][year]:
            fee(t, "Marketing", "Fee for sale made through Offsite Ads", f"Order #{rid}",
                min(round(fees["offsite_rate"] * a["total"], 2), 100.0))
        if o.status != "completed":
            back = a["total"] - a["adj_total"]
            rt = t + (1 if o.status == "cancelled" else 4 + int(10 * o.meta["u"])) * DAY_SECONDS
            out.append((rt, ["Refund", f"Refund to buyer for Order #{rid}", "", "USD", _usd(-back), "--",
                             _usd(-back), "--"]))
            credit = round(rate * back, 2)
            fee(rt, "Fee", f"Credit for transaction fee on Order #{rid}", f"Order #{rid}", -credit)
            fee(rt, "Fee", f"Credit for processing fee on Order #{rid}", f"Order #{rid}",
                -round(a["card"] - a["adj_card"], 2))
    for month, amount in ads_by_month(w).items():
        d = datetime.strptime(month + "-28", "%Y-%m-%d")
        t = w.cal.epoch(w.cal.day(d.date())) + 3600
        if t < w.cal.epoch(w.cal.n_days):
            fee(t, "Marketing", "Etsy Ads", "", amount)
    return out


def write_etsy(root: Path, w: World) -> list[DemoFile]:
    orders = w.orders_on("etsy")
    files = []
    by_year_o, by_year_i = _orders_rows(w, orders)
    for year in sorted(by_year_o):
        for name, fmt, header, rows_of in (("EtsySoldOrders", "etsy_sold_orders", ORDERS_HEADER, by_year_o),
                                           ("EtsySoldOrderItems", "etsy_sold_order_items", ITEMS_HEADER, by_year_i)):
            rel = f"etsy/{name}{year}.csv"
            files.append(DemoFile(rel, "etsy", "orders", fmt, write_table(root, rel, header, rows_of[year])))
    rows = sorted(_statement_rows(w, orders), key=lambda r: r[0])
    months: dict[str, list[list[str]]] = defaultdict(list)
    balance, last_deposit = 0.0, ""
    for t, row in rows:
        d = utc(t)
        key = d.strftime("%Y_%m")
        if d.day in (1, 15) and d.strftime("%F") != last_deposit and balance > 0:
            text = f"{_usd(balance)} sent to your bank account"
            months[key].append([long_date(d), "Deposit", text, "", "USD", "--", "--", "--", "--"])
            balance, last_deposit = 0.0, d.strftime("%F")
        if row[-2] != "--":
            balance += float(row[-2].replace("$", ""))
        months[key].append([long_date(d), *row])
    for key in sorted(months):
        rel = f"etsy/etsy_statement_{key}.csv"
        n = write_table(root, rel, STATEMENT_HEADER, months[key], bom=True)
        files.append(DemoFile(rel, "etsy", "fees", "etsy_statement", n))
    return files
