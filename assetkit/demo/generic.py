"""Files in assetkit's generic canonical formats (design.md, "generic formats"): Alibaba
inquiries and Trade Assurance orders (no verified export exists), IndiaMART deals closed off
platform, own-site RFQs, and the seller's own ledgers of fees, marketing spend and products.

Deliberate mess lives here (bad date, empty amount, duplicated row, formula-like name, HTML
and a line break inside a message) and is reported as `MessyRow`s."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from assetkit.demo import amazon, etsy, shopify
from assetkit.demo.files import (
    DemoFile,
    MessyRow,
    money,
    physical_lines,
    scramble,
    utc,
    write_table,
)
from assetkit.demo.model import Inquiry, Order, World

INQUIRY_HEADER = ("inquiry_id", "received_at", "platform", "channel", "buyer_name", "buyer_company",
                  "buyer_email", "buyer_phone", "buyer_country", "product", "quantity", "unit",
                  "message", "first_response_at")
ORDER_HEADER = ("order_id", "order_date", "platform", "channel", "buyer_id", "buyer_name",
                "buyer_company", "buyer_email", "buyer_country", "product", "quantity", "amount",
                "currency", "status")
FEE_HEADER = ("fee_id", "date", "platform", "fee_type", "amount", "currency", "order_id", "description")
SPEND_HEADER = ("spend_id", "period_start", "period_end", "channel", "platform", "amount", "currency",
                "description")
PRODUCT_HEADER = ("sku", "name", "category", "description", "specs", "moq", "moq_unit",
                  "lead_time_days", "price", "currency")
FORMULA_NAME = '=HYPERLINK("http://evil.example/q","Quote")'
SCRIPT = '<script>alert("inquiry")</script> '


def _iso(ts: int) -> str:
    return utc(ts).isoformat()


def buyer_ref(w: World, idx: int) -> str:
    b = w.buyers[idx]
    return f"{b.country.lower()}{scramble(idx, 10, 8)}" if b.segment == "alibaba" else f"im{scramble(idx, 8, 8)}"


def order_ref(o: Order) -> str:
    return f"{'28' if o.platform == 'alibaba' else 'IM-'}{scramble(o.key, 14 if o.platform == 'alibaba' else 6, 9)}"


def _inquiries(root: Path, w: World, platform: str, rel: str) -> tuple[DemoFile, list[MessyRow]]:
    qs: list[Inquiry] = [q for q in w.inquiries if q.platform == platform]
    rows = [[f"{'AL' if platform == 'alibaba' else 'RFQ'}-{q.key}", _iso(q.ts), q.platform, q.channel,
             q.person.name, q.person.company, q.person.email, q.person.phone, q.person.country,
             w.products[q.sku]["name"], str(q.quantity), q.unit, q.message,
             _iso(q.response_ts) if q.response_ts else ""] for q in qs]
    messy = []
    if platform == "alibaba":
        rows[15][4] = FORMULA_NAME
        rows[30][12] = SCRIPT + rows[30][12]
        rows[45][12] = "Dear sir,\n" + rows[45][12]
        lines = physical_lines(rows)
        messy = [MessyRow(rel, lines[15], "formula_injection", "buyer_name starts with '='"),
                 MessyRow(rel, lines[30], "html_in_text", "message starts with a <script> snippet"),
                 MessyRow(rel, lines[45], "multiline_field", "message holds a line break (quoted)")]
    n = write_table(root, rel, INQUIRY_HEADER, rows)
    return DemoFile(rel, platform, "inquiries", "generic_inquiries", n), messy


def _orders(root: Path, w: World, platform: str, rel: str) -> tuple[DemoFile, list[MessyRow]]:
    rows = []
    for o in w.orders_on(platform):
        b = w.buyers[o.buyer]
        sku, qty, _ = o.lines[0]
        rows.append([order_ref(o), utc(o.ts).strftime("%Y-%m-%d"), platform, "marketplace", buyer_ref(w, b.idx),
                     b.name, b.company, b.email, b.country, w.products[sku]["name"], str(qty),
                     money(o.subtotal), o.currency, o.status])
    messy = []
    if platform == "alibaba":
        rows[40][1] = rows[40][1][:4] + "-02-30"
        rows[60][11] = ""
        rows.insert(21, list(rows[20]))
        messy = [MessyRow(rel, 23, "duplicate_row", "exact copy of line 22"),
                 MessyRow(rel, 43, "bad_date", "order_date is February 30"),
                 MessyRow(rel, 63, "empty_amount", "amount is empty")]
    return DemoFile(rel, platform, "orders", "generic_orders", write_table(root, rel, ORDER_HEADER, rows)), messy


def _fees(root: Path, w: World, rel: str) -> DemoFile:
    rows: list[tuple[int, list[str]]] = []
    for o in w.orders_on("alibaba"):
        if o.status != "cancelled":
            rate = w.biz["fees"]["alibaba"]["trade_assurance"][w.year(o.day)]
            rows.append((o.ts, [f"TA-{order_ref(o)}", utc(o.ts).strftime("%Y-%m-%d"), "alibaba", "commission",
                                money(round(rate * o.subtotal, 2)), o.currency, order_ref(o),
                                f"Trade Assurance transaction service fee {rate:.1%}"]))
    names = shopify.order_names(w)
    sp = w.biz["fees"]["shopify"]
    for o in w.orders_on("shopify"):
        if o.status in ("completed", "refunded") and shopify.payment_method(w, o) == "Shopify Payments":
            total = o.subtotal - o.discount + o.shipping
            fee = round(sp["payments_pct"][w.year(o.day)] * total + sp["payments_fixed"], 2)
            rows.append((o.ts, [f"SP-{names[o.key][1:]}", utc(o.ts).strftime("%Y-%m-%d"), "shopify", "payment",
                                money(fee), o.currency, names[o.key], "Shopify Payments processing fee"]))
    launch = w.cal.day(w.biz["period"]["site_launch"])
    for day in range(launch, w.cal.n_days):
        d = w.cal.date(day)
        if d.day == 1:
            rows.append((w.cal.epoch(day), [f"PLAN-{d:%Y%m}", f"{d:%Y-%m-%d}", "shopify", "membership",
                                            money(sp["plan_monthly"]), "USD", "", "Shopify Basic plan"]))
    rows.sort(key=lambda r: (r[0], r[1][0]))
    return DemoFile(rel, "generic", "fees", "generic_fees", write_table(root, rel, FEE_HEADER, [r for _, r in rows]))


def _month_end(d: date, cap: date) -> date:
    nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return min(nxt - timedelta(days=1), cap)


def _spend(root: Path, w: World, rel: str) -> DemoFile:
    fees = w.biz["fees"]
    sales = amazon.monthly_sales(w)
    ads = etsy.ads_by_month(w)
    rows = []
    seo = w.cal.day(w.biz["period"]["seo_start"])
    for day in range(w.cal.n_days):
        d = w.cal.date(day)
        if d.day != 1:
            continue
        month, year = f"{d:%Y-%m}", d.year
        noise = 0.85 + 0.3 * int(scramble(day, 4, 10)) / 10_000
        lines = [("P4P", "marketplace", "alibaba", fees["alibaba"]["p4p_monthly"][year] * noise, "USD",
                  "Alibaba Keywords Advertising (P4P) top-ups")]
        for market, currency in (("US", "USD"), ("DE", "EUR")):
            if (market, month) in sales:
                lines.append((f"SP{market}", "marketplace", "amazon",
                              fees["amazon_ads_share"][year] * sales[(market, month)] * noise, currency,
                              f"Amazon Sponsored Products ({market}), billed to card"))
        lines.append(("ETSYADS", "marketplace", "etsy", ads[month], "USD", "Etsy Ads (also on the Etsy statement)"))
        if day >= seo:
            lines.append(("SEO", "own_site", "", fees["seo_monthly"][year] * noise, "USD",
                          "SEO content and blog articles for the own site"))
        end = f"{_month_end(d, w.cal.end):%Y-%m-%d}"
        rows += [[f"SP-{d:%Y%m}-{code}", f"{d:%Y-%m-%d}", end, channel, platform, money(amount), currency, text]
                 for code, channel, platform, amount, currency, text in lines]
    for ex in fees["exhibitions"]:
        day_text = f"{ex['date']:%Y-%m-%d}"
        rows.append([f"EX-{ex['date']:%Y%m%d}", day_text, day_text, "exhibition", "",
                     money(ex["amount"]), ex["currency"], ex["name"]])
    rows.sort(key=lambda r: (r[1], r[0]))
    return DemoFile(rel, "generic", "spend", "generic_spend", write_table(root, rel, SPEND_HEADER, rows))


def _products(root: Path, w: World, rel: str) -> DemoFile:
    rows = [[p["sku"], p["name"], p["category"],
             f"{p['name']} made in Sialkot; {p['specs'].split(',')[0]}. Reusable, autoclavable, CE marked.",
             p["specs"], str(p["moq"]), p["moq_unit"], str(p["lead_time_days"]), money(p["wholesale"]), "USD"]
            for p in w.biz["products"]]
    return DemoFile(rel, "generic", "products", "generic_products", write_table(root, rel, PRODUCT_HEADER, rows))


def write_generic(root: Path, w: World) -> tuple[list[DemoFile], list[MessyRow]]:
    files, messy = [], []
    for fn, platform, rel in ((_inquiries, "alibaba", "alibaba/inquiries.csv"),
                              (_orders, "alibaba", "alibaba/orders.csv"),
                              (_orders, "indiamart", "indiamart/orders.csv"),
                              (_inquiries, "shopify", "website/rfq_inquiries.csv")):
        f, m = fn(root, w, platform, rel)
        files.append(f)
        messy += m
    files += [_fees(root, w, "ledger/fees.csv"), _spend(root, w, "ledger/spend.csv"),
              _products(root, w, "catalogue/products.csv")]
    return files, messy
