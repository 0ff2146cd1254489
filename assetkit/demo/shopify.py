"""The own site's Shopify Orders -> Export CSV: 79 columns, one row per line item, order-level
fields only on the first line, dates as `YYYY-MM-DD HH:MM:SS +0500` (store in Asia/Karachi)."""

from __future__ import annotations

from pathlib import Path

from assetkit.demo.files import DemoFile, MessyRow, money, scramble, utc, write_table
from assetkit.demo.model import DAY_SECONDS, Order, World
from assetkit.demo.simulate import B2B_SEGMENTS

HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level", "Source",
    "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name",
    "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value", "Phone",
    "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name", "Payment ID",
    "Payment Terms Name", "Next Payment Due At", "Payment References",
)
PROVINCES = {"TX": "Texas", "IL": "Illinois", "FL": "Florida", "CO": "Colorado", "OH": "Ohio",
             "OR": "Oregon", "ON": "Ontario", "AB": "Alberta", "NSW": "New South Wales",
             "WA": "Western Australia"}
FORMULA_NAME = '=HYPERLINK("http://evil.example/x","Open invoice")'
HTML_NOTE = "<img src=x onerror=alert(1)>Please ship before Friday"


def is_wholesale(w: World, o: Order) -> bool:
    return w.buyers[o.buyer].segment in B2B_SEGMENTS


def payment_method(w: World, o: Order) -> str:
    """How the buyer paid; only Shopify Payments orders carry processing fees."""
    if is_wholesale(w, o):
        return "Bank Deposit" if o.meta["u"] < 0.6 else "Shopify Payments"
    return "PayPal Express Checkout" if o.meta["u"] < 0.15 else "Shopify Payments"


def order_names(w: World) -> dict[int, str]:
    """Order key -> Shopify order name (#1001 ...), numbered by creation time."""
    orders = sorted(w.orders_on("shopify"), key=lambda o: (o.ts, o.key))
    return {o.key: f"#{1001 + n}" for n, o in enumerate(orders)}


def store_time(ts: int, offset_h: int) -> str:
    return utc(ts, offset_h).strftime("%Y-%m-%d %H:%M:%S %z")


def _order_rows(w: World, o: Order, n: int, name: str, offset: int) -> list[list[str]]:
    b = w.buyers[o.buyer]
    wholesale = is_wholesale(w, o)
    total = round(o.subtotal - o.discount + o.shipping, 2)
    refunded = round(total * o.refund_share, 2) if o.status == "refunded" else 0.0
    fin = {"cancelled": "voided", "pending": "pending"}.get(o.status, "paid")
    if o.status == "refunded":
        fin = "refunded" if o.refund_share >= 1.0 else "partially_refunded"
    done = o.status in ("completed", "refunded")
    paid = store_time(o.ts + 60, offset) if fin != "pending" else ""
    province = b.state if b.country in ("US", "CA", "AU") else ""
    ref = f"c{scramble(o.key, 11, 7)}.1"
    pay = payment_method(w, o)
    address = {"Name": b.name, "Street": b.street, "Address1": b.street, "Address2": "",
               "Company": b.company, "City": b.city, "Zip": b.zip, "Province": province,
               "Country": b.country, "Phone": b.phone if wholesale else ""}
    first = {
        "Name": name, "Email": b.email, "Financial Status": fin, "Paid at": paid,
        "Fulfillment Status": "fulfilled" if done else "unfulfilled",
        "Fulfilled at": store_time(o.ts + 2 * DAY_SECONDS, offset) if done else "",
        "Accepts Marketing": "yes" if (o.key * 7) % 10 < 4 else "no", "Currency": o.currency,
        "Subtotal": money(o.subtotal - o.discount), "Shipping": money(o.shipping), "Taxes": "0.00",
        "Total": money(total), "Discount Code": o.meta["coupon"], "Discount Amount": money(o.discount),
        "Shipping Method": "DHL Express Worldwide" if wholesale
        else ("Standard International" if o.shipping else "Free Shipping"),
        "Created at": store_time(o.ts, offset), "Notes": "", "Note Attributes": "",
        "Cancelled at": store_time(o.ts + 3 * 3600, offset) if o.status == "cancelled" else "",
        "Payment Method": pay, "Payment Reference": ref, "Refunded Amount": money(refunded),
        "Outstanding Balance": money(total) if fin == "pending" else "0.00",
        "Id": str(5_500_000_000_000 + n * 7_919), "Tags": "wholesale" if wholesale else "",
        "Risk Level": "Low", "Source": "web", "Payment ID": ref, "Payment References": ref,
        "Billing Province Name": PROVINCES.get(province, ""),
        "Shipping Province Name": PROVINCES.get(province, ""),
    }
    for k, v in address.items():
        first[f"Billing {k}"] = first[f"Shipping {k}"] = v
    rows = []
    for j, (sku, qty, unit) in enumerate(o.lines):
        line = {"Name": name, "Email": b.email, "Lineitem quantity": str(qty),
                "Lineitem name": w.products[sku]["name"], "Lineitem price": money(unit),
                "Lineitem compare at price": "", "Lineitem sku": sku, "Lineitem requires shipping": "true",
                "Lineitem taxable": "true", "Lineitem fulfillment status": "fulfilled" if done else "pending",
                "Vendor": w.biz["business"]["name"],
                "Lineitem discount": money(o.discount if j == 0 else 0.0)}
        fields = {**first, **line} if j == 0 else line
        rows.append([fields.get(h, "") for h in HEADER])
    return rows


def write_shopify(root: Path, w: World) -> tuple[list[DemoFile], list[MessyRow]]:
    rel = "shopify/orders_export_1.csv"
    offset = w.biz["business"]["utc_offset_hours"]
    names = order_names(w)
    orders = sorted(w.orders_on("shopify"), key=lambda o: (o.ts, o.key))
    rows: list[list[str]] = []
    messy: list[MessyRow] = []
    for n, o in enumerate(orders):
        start = len(rows)
        rows += _order_rows(w, o, n, names[o.key], offset)
        if n == 7:
            rows[start][HEADER.index("Billing Name")] = FORMULA_NAME
            messy.append(MessyRow(rel, start + 2, "formula_injection", "Billing Name starts with '='"))
        if n == 12:
            rows[start][HEADER.index("Notes")] = HTML_NOTE
            messy.append(MessyRow(rel, start + 2, "html_in_text", "Notes holds an <img onerror> snippet"))
    n_rows = write_table(root, rel, HEADER, rows)
    return [DemoFile(rel, "shopify", "orders", "shopify_orders", n_rows)], messy
