"""Exports shaped after what real files showed (issue 16, docs/platforms.md): each imports to
the totals the platform's own arithmetic gives, computed here independently with the csv
module (never with assetkit's code), and a second import changes nothing.

Per file: orders, completed orders, gross of non-cancelled orders (tax excluded, after
discounts, shipping included), refunded total, platform fees per currency.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from assetkit.importers import import_paths
from assetkit.store import open_store

HERE = Path(__file__).parent
EXPORTS = HERE / "data" / "exports"
SAMPLES = HERE / "samples"
CENT = Decimal("0.01")


def d(text: str | None) -> Decimal:
    """A money cell as Etsy/Amazon write it: currency symbols, `--` and blanks read as 0."""
    cleaned = (text or "").replace("$", "").replace("€", "").replace("£", "").replace(" ", "").strip()
    return Decimal(cleaned) if cleaned not in ("", "--") else Decimal(0)


def read_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def figures(con, platform: str) -> dict:
    """What assetkit stored, in the five figures issue 16 asks for."""
    orders, completed, gross, refunded = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'completed'), "
        "coalesce(sum(gross_amount) FILTER (WHERE status <> 'cancelled'), 0), coalesce(sum(refunded_amount), 0) "
        "FROM orders WHERE platform = ?", [platform]).fetchone()
    fees = dict(con.execute("SELECT currency, sum(amount) FROM platform_fees WHERE platform = ? GROUP BY 1",
                            [platform]).fetchall())
    return {"orders": orders, "completed": completed, "gross": Decimal(gross).quantize(CENT),
            "refunded": Decimal(refunded).quantize(CENT), "fees": {k: Decimal(v).quantize(CENT) for k, v in fees.items()}}


def load(tmp_path: Path, *files: Path, **options):
    store = open_store(tmp_path / "t.duckdb")
    results = [r for f in files for r in import_paths(store, [f], **options)]
    for r in results:
        assert r.ok, r.error
    return store, results


# --- Etsy Sold Orders --------------------------------------------------------------------

def etsy_orders_golden(path: Path, delimiter: str = ",") -> dict:
    """Gross = Order Value - Discount Amount + Shipping (Etsy's pre-tax amount; the hidden
    tax Etsy collects is inside Order Total); an order is adjusted when an Adjusted column is
    not zero; its refund (tax excluded) = (Order Net + Card Processing Fees) - (Adjusted Net
    Order Amount + Adjusted Card Processing Fees), taken out of the seller-collected Sales Tax
    pro rata. The card fee is the only fee in the file."""
    rows = read_rows(path, delimiter)
    g = {k.casefold(): k for k in rows[0]}

    def v(row: dict, *names: str) -> Decimal:
        for n in names:
            if n.casefold() in g:
                return d(row[g[n.casefold()]])
        raise KeyError(names)

    out = {"orders": 0, "completed": 0, "gross": Decimal(0), "refunded": Decimal(0), "fees": {}}
    for r in rows:
        gross = v(r, "Order Value") - v(r, "Discount Amount") + v(r, "Shipping", "Delivery")
        adjusted = any(v(r, c) != 0 for c in ("Adjusted Order Total", "Adjusted Card Processing Fees",
                                             "Adjusted Net Order Amount"))
        refund = Decimal(0)
        if adjusted:
            basis = v(r, "Order Net") + v(r, "Card Processing Fees")
            refund = min(gross, (basis - v(r, "Adjusted Net Order Amount") - v(r, "Adjusted Card Processing Fees"))
                         * gross / basis)
        out["orders"] += 1
        out["completed"] += not (adjusted and refund >= gross)
        out["gross"] += gross
        out["refunded"] += refund
        ccy = r[g["currency"]]
        out["fees"][ccy] = out["fees"].get(ccy, Decimal(0)) + v(r, "Card Processing Fees")
    out["gross"], out["refunded"] = out["gross"].quantize(CENT), out["refunded"].quantize(CENT)
    out["fees"] = {k: x.quantize(CENT) for k, x in out["fees"].items()}
    return out


@pytest.mark.parametrize("name,delimiter", [("EtsySoldOrders2025-12.csv", ","),
                                            ("EtsySoldOrders2025-12 resaved.csv", "\t")])
def test_etsy_sold_orders_zero_adjusted_is_not_a_refund_and_hidden_tax_is_not_revenue(
        tmp_path: Path, name: str, delimiter: str) -> None:
    path = EXPORTS / name
    golden = etsy_orders_golden(path, delimiter)
    assert golden == {"orders": 5, "completed": 4, "gross": Decimal("199.50"), "refunded": Decimal("58.00"),
                      "fees": {"USD": Decimal("7.51")}}
    store, (result,) = load(tmp_path, path)
    with store:
        assert (result.loaded, result.rejected, result.skipped) == (5, 0, 0)
        assert figures(store.con, "etsy") == golden
        again = import_paths(store, [path])[0]
        assert again.loaded == 0
        assert figures(store.con, "etsy") == golden


def test_etsy_resaved_copy_of_the_same_month_adds_nothing(tmp_path: Path) -> None:
    original, resaved = EXPORTS / "EtsySoldOrders2025-12.csv", EXPORTS / "EtsySoldOrders2025-12 resaved.csv"
    store, results = load(tmp_path, original, resaved)
    with store:
        assert results[1].loaded == 0
        assert results[1].duplicate == 5
        assert figures(store.con, "etsy") == etsy_orders_golden(original)


# --- Etsy statement, and Sold Orders + statement ------------------------------------------

SKIPPED_TYPES = {"Sale", "Deposit", "Tax", "Refund", "Buyer Fee"}


def etsy_statement_golden(path: Path) -> dict:
    """Etsy's cost = -(Fees & Taxes) of every row that is not a sale, deposit, refund,
    sales tax collected, or a fee the buyer paid (Buyer Fee); VAT rows are Etsy's VAT on its
    own fees (fee_vat)."""
    fees: dict[str, Decimal] = {}
    vat = Decimal(0)
    for r in read_rows(path):
        if r["Type"] in SKIPPED_TYPES:
            continue
        amount = -d(r["Fees & Taxes"])
        fees[r["Currency"]] = fees.get(r["Currency"], Decimal(0)) + amount
        vat += amount if r["Type"] == "VAT" else 0
    return {"fees": {k: v.quantize(CENT) for k, v in fees.items()}, "vat": vat.quantize(CENT)}


def test_etsy_statement_rows_buyer_fee_skipped_vat_shipping_share_and_save(tmp_path: Path) -> None:
    path = EXPORTS / "etsy_statement_2025_12.csv"
    golden = etsy_statement_golden(path)
    assert golden["fees"] == {"USD": Decimal("18.33")}
    store, (result,) = load(tmp_path, path)
    with store:
        rows = sum(1 for _ in read_rows(path))
        skipped = sum(1 for r in read_rows(path) if r["Type"] in SKIPPED_TYPES)
        assert (result.rows_read, result.rejected, result.skipped) == (rows, 0, skipped)
        assert figures(store.con, "etsy")["fees"] == golden["fees"]
        types = dict(store.con.execute("SELECT fee_type, sum(amount) FROM fees GROUP BY 1").fetchall())
        assert types["fulfilment"] == Decimal("4.85")  # the USPS label bought on Etsy
        assert types["advertising"] == Decimal("3.00") - Decimal("1.30")  # Etsy Ads less the Share & Save credit
        # two identical transaction fee lines stay two
        assert store.con.execute("SELECT count(*) FROM fees WHERE amount = 1.46").fetchone()[0] == 2


def test_etsy_statement_uk_long_dates_without_comma(tmp_path: Path) -> None:
    """UK statements write `31 March 2023` (no comma): every row is read, none quarantined."""
    path = EXPORTS / "etsy_statement_2023_3_uk.csv"
    golden = etsy_statement_golden(path)
    store, (result,) = load(tmp_path, path)
    with store:
        assert (result.rows_read, result.rejected) == (sum(1 for _ in read_rows(path)), 0)
        assert figures(store.con, "etsy")["fees"] == golden["fees"]
        vat = store.con.execute("SELECT sum(amount) FROM fees WHERE fee_type = 'fee_vat'").fetchone()[0]
        assert vat == golden["vat"]
        assert store.con.execute("SELECT min(incurred_at)::DATE FROM fees").fetchone()[0].isoformat() == "2023-03-01"


def test_etsy_statement_identity_survives_a_resave_that_changes_titles(tmp_path: Path) -> None:
    store, results = load(tmp_path, EXPORTS / "etsy_statement_2025_12.csv", EXPORTS / "etsy_statement_2025_12 copy.csv")
    with store:
        assert results[1].loaded == 0
        assert results[1].rejected == 0
        assert figures(store.con, "etsy")["fees"] == etsy_statement_golden(EXPORTS / "etsy_statement_2025_12.csv")["fees"]


def test_etsy_vat_on_fees_is_a_cost_of_its_own_type(tmp_path: Path) -> None:
    path = EXPORTS / "etsy_statement_2022_01_eu.csv"
    golden = etsy_statement_golden(path)
    store, (result,) = load(tmp_path, path)
    with store:
        assert result.rejected == 0
        assert figures(store.con, "etsy")["fees"] == golden["fees"] == {"EUR": Decimal("3.70")}
        (vat,) = store.con.execute("SELECT sum(amount) FROM fees WHERE fee_type = 'fee_vat'").fetchone()
        assert vat == golden["vat"] == Decimal("0.64")


@pytest.mark.parametrize("statement_first", [False, True], ids=["orders-first", "statement-first"])
def test_etsy_processing_fee_counted_once_whatever_the_import_order(tmp_path: Path, statement_first: bool) -> None:
    orders, statement = EXPORTS / "EtsySoldOrders2025-12.csv", EXPORTS / "etsy_statement_2025_12.csv"
    files = (statement, orders) if statement_first else (orders, statement)
    store, _ = load(tmp_path, *files)
    with store:
        # The statement is the ledger: Etsy's cost is exactly the statement's.
        assert figures(store.con, "etsy")["fees"] == etsy_statement_golden(statement)["fees"]
        # Both files imported again: nothing changes.
        import_paths(store, [orders, statement])
        assert figures(store.con, "etsy")["fees"] == etsy_statement_golden(statement)["fees"]
        # The copies stay stored (nothing lost), marked as copies of the statement.
        assert store.con.execute("SELECT count(*) FROM fees WHERE copy_of = 'etsy_statement'").fetchone()[0] == 5


def test_etsy_card_fee_counts_for_orders_no_statement_covers(tmp_path: Path) -> None:
    statement = tmp_path / "etsy_statement_part.csv"
    rows = [r for r in csv.reader((EXPORTS / "etsy_statement_2025_12.csv").open(encoding="utf-8-sig"))
            if "3900000105" not in r[3]]
    with statement.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    store, _ = load(tmp_path, EXPORTS / "EtsySoldOrders2025-12.csv", statement)
    with store:
        expected = etsy_statement_golden(statement)["fees"]["USD"] + Decimal("1.02")  # order 105's card fee
        assert figures(store.con, "etsy")["fees"] == {"USD": expected}


# --- Amazon All Orders (UK/EU) ----------------------------------------------------------

def vat_free(row: dict[str, str], price: str, tax: str, vat_exclusive: str) -> Decimal:
    """The VAT-exclusive column when the file has one, else price - tax (VAT marketplaces)."""
    return d(row[vat_exclusive]) if row.get(vat_exclusive) else d(row[price]) - d(row[tax])


def amazon_orders_golden(path: Path) -> dict:
    """Per order: VAT-exclusive item, shipping and gift-wrap prices (else price - tax on a
    VAT marketplace) minus the promotion discounts (positive in UK/EU files, negative in
    older ones: their size is subtracted). Orders without a price are orders with no revenue."""
    orders: dict[str, dict] = {}
    for r in read_rows(path, "\t"):
        o = orders.setdefault(r["amazon-order-id"], {"status": r["order-status"], "gross": Decimal(0)})
        o["gross"] += (vat_free(r, "item-price", "item-tax", "vat-exclusive-item-price")
                       + vat_free(r, "shipping-price", "shipping-tax", "vat-exclusive-shipping-price")
                       + vat_free(r, "gift-wrap-price", "gift-wrap-tax", "vat-exclusive-giftwrap-price")
                       - abs(d(r["item-promotion-discount"])) - abs(d(r["ship-promotion-discount"])))
    live = [o for o in orders.values() if o["status"] != "Cancelled"]
    return {"orders": len(orders), "completed": sum(o["status"] == "Shipped" for o in orders.values()),
            "gross": sum((o["gross"] for o in live), Decimal(0)).quantize(CENT), "refunded": Decimal("0.00"),
            "fees": {}}


@pytest.mark.parametrize("name,gross", [("amazon_all_orders_uk.txt", "48.00"),
                                        ("amazon_all_orders_de_2024.txt", "21.62")])
def test_amazon_all_orders_vat_excluded_discounts_subtracted_priceless_orders_kept(
        tmp_path: Path, name: str, gross: str) -> None:
    path = EXPORTS / name
    golden = amazon_orders_golden(path)
    assert golden["gross"] == Decimal(gross)
    store, (result,) = load(tmp_path, path)
    with store:
        assert result.rejected == 0
        assert figures(store.con, "amazon") == golden
        if name.endswith("uk.txt"):
            rows = store.con.execute("SELECT status, gross_amount, currency FROM orders WHERE order_id IN "
                                     "('amazon:202-1000003-1000003', 'amazon:S02-1000004-1000004') "
                                     "ORDER BY order_id").fetchall()
            assert rows == [("cancelled", 0, "GBP"), ("completed", 0, "GBP")]


# --- Amazon settlement: refunds are not orders; Flat File V1 ------------------------------

def test_settlement_refund_is_a_refund_record_not_an_order(tmp_path: Path) -> None:
    store, _ = load(tmp_path, SAMPLES / "amazon_settlement_v2.tsv")
    with store:
        con = store.con
        assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == 1  # the one sale, not the refund
        assert con.execute("SELECT order_id, amount FROM refunds").fetchall() == [
            ("amazon:112-7654321-1234567", Decimal("19.99"))]


@pytest.mark.parametrize("refund_first", [True, False], ids=["refund-first", "order-first"])
def test_a_refund_adjusts_its_order_whichever_file_comes_first(tmp_path: Path, refund_first: bool) -> None:
    settlement = SAMPLES / "amazon_settlement_v1.tsv"
    orders = tmp_path / "all_orders.txt"  # the refunded order 701-… as the All Orders report lists it
    header = (SAMPLES / "amazon_all_orders.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    values = {"amazon-order-id": "701-5555555-6666666", "purchase-date": "2024-02-20T10:00:00+00:00",
              "order-status": "Shipped", "fulfillment-channel": "Amazon", "sales-channel": "Amazon.ca",
              "currency": "CAD", "item-price": "29.99", "item-tax": "3.90", "quantity": "1"}
    orders.write_text("\t".join(header) + "\n" + "\t".join(values.get(h, "") for h in header) + "\n", encoding="utf-8")
    files = (settlement, orders) if refund_first else (orders, settlement)
    store, _ = load(tmp_path, *files)
    with store:
        row = store.con.execute("SELECT status, gross_amount, refunded_amount FROM orders "
                                "WHERE order_id = 'amazon:701-5555555-6666666'").fetchone()
        assert row == ("refunded", Decimal("29.99"), Decimal("29.99"))
        import_paths(store, [settlement, orders])
        assert store.con.execute("SELECT count(*) FROM orders").fetchone()[0] == 3


AMOUNT_COLUMNS = ("shipment-fee-amount", "order-fee-amount", "price-amount", "item-related-fee-amount",
                  "misc-fee-amount", "other-fee-amount", "promotion-amount", "direct-payment-amount", "other-amount")
FEE_COLUMNS = ("shipment-fee-amount", "order-fee-amount", "item-related-fee-amount", "misc-fee-amount",
               "other-fee-amount")


def settlement_v1_golden(path: Path) -> dict:
    """Orders = distinct order ids of `Order` rows; gross = their non-tax price amounts plus
    promotions; refunds = -(non-tax price + promotion) of `Refund` rows (capped at the
    order's gross when the order is in the file); fees = -(every fee column) per currency."""
    rows = read_rows(path, "\t")
    summary, body = rows[0], rows[1:]
    currency = summary["currency"]
    sales: dict[str, Decimal] = {}
    refunds: dict[str, Decimal] = {}
    fees = Decimal(0)
    for r in body:
        price = d(r["price-amount"]) if "tax" not in r["price-type"].lower() else Decimal(0)
        money = price + d(r["promotion-amount"])
        if r["transaction-type"] == "Order":
            sales[r["order-id"]] = sales.get(r["order-id"], Decimal(0)) + money
        elif r["transaction-type"] == "Refund":
            refunds[r["order-id"]] = refunds.get(r["order-id"], Decimal(0)) - money
        fees -= sum(d(r[c]) for c in FEE_COLUMNS)
    refunded = sum(min(v, sales[k]) for k, v in refunds.items() if k in sales)
    return {"orders": len(sales), "completed": sum(refunds.get(k, 0) < v for k, v in sales.items()),
            "gross": sum(sales.values(), Decimal(0)).quantize(CENT), "refunded": Decimal(refunded).quantize(CENT),
            "fees": {currency: fees.quantize(CENT)},
            "checksum": (sum(d(r[c]) for r in body for c in AMOUNT_COLUMNS), d(summary["total-amount"]))}


def test_settlement_flat_file_v1_one_order_over_several_rows(tmp_path: Path) -> None:
    path = SAMPLES / "amazon_settlement_v1.tsv"
    golden = settlement_v1_golden(path)
    rows_sum, total = golden.pop("checksum")
    assert rows_sum == total  # the file's own checksum: every row sums to total-amount
    assert golden == {"orders": 2, "completed": 1, "gross": Decimal("89.97"), "refunded": Decimal("29.99"),
                      "fees": {"CAD": Decimal("65.83")}}
    store, (result,) = load(tmp_path, path)
    with store:
        assert result.profile == "amazon_settlement_v1"
        assert result.rejected == 0
        assert figures(store.con, "amazon") == golden
        (vat,) = store.con.execute("SELECT sum(amount) FROM fees WHERE fee_type = 'fee_vat'").fetchone()
        assert vat == Decimal("5.50")  # HST on the subscription, GST on advertising
        # every stored amount reconciles with the summary's total-amount
        (stored,) = store.con.execute(
            "SELECT (SELECT sum(gross_amount + coalesce(tax_amount, 0)) FROM orders) "
            "- (SELECT sum(amount) FROM refunds) - (SELECT sum(amount) FROM fees)").fetchone()
        refund_tax = Decimal("-3.90")  # the tax refunded with 702-…: not revenue, not a fee
        other = Decimal("-10.00")  # other-amount (a reserve): moves money, not a fee
        assert stored + refund_tax + other == total
        again = import_paths(store, [path])[0]
        assert again.loaded == 0


# --- Shopify stores, Upwork Connects -----------------------------------------------------

def test_two_shopify_stores_keep_every_order(tmp_path: Path) -> None:
    a, b = SAMPLES / "shopify_orders.csv", EXPORTS / "shopify_orders_store_b.csv"
    names = {r["Name"] for r in read_rows(a)} | {"b" + r["Name"] for r in read_rows(b)}
    store, results = load(tmp_path, a, b)
    with store:
        assert [r.loaded for r in results] == [3, 3]
        assert store.con.execute("SELECT count(*) FROM orders WHERE platform = 'shopify'").fetchone()[0] == len(names)


def shopify_golden(path: Path) -> dict:
    """Shopify's arithmetic on the first line of each order: gross = Total - Taxes (Total =
    Subtotal + Shipping + Taxes, or Subtotal + Shipping when prices include tax; Subtotal is
    after discounts); an order with `Cancelled at` is cancelled whatever its Financial Status."""
    first: dict[str, dict[str, str]] = {}
    for r in read_rows(path):
        first.setdefault(r["Name"], r)
    live = [r for r in first.values() if not r["Cancelled at"]]
    return {"orders": len(first),
            "completed": sum(r["Financial Status"] in ("paid", "partially_refunded") for r in live),
            "gross": sum((d(r["Total"]) - d(r["Taxes"]) for r in live), Decimal(0)),
            "refunded": sum((min(d(r["Refunded Amount"]), d(r["Total"]) - d(r["Taxes"])) for r in first.values()),
                            Decimal(0)),
            "cancelled": len(first) - len(live)}


def test_shopify_cancelled_and_refunded_order_is_cancelled_tax_included_prices(tmp_path: Path) -> None:
    """Real exports refund a cancelled order (`refunded` + `Cancelled at`): it is a cancelled
    order, not revenue; tax-included stores (Total = Subtotal + Shipping) lose their tax too."""
    path = EXPORTS / "shopify_orders_2021_cancelled_refunded.csv"
    golden = shopify_golden(path)
    store, _ = load(tmp_path, path)
    with store:
        got = figures(store.con, "shopify")
        cancelled = store.con.execute("SELECT count(*) FROM orders WHERE status = 'cancelled'").fetchone()[0]
    assert {k: got[k] for k in ("orders", "completed", "gross", "refunded")} == {
        k: golden[k] for k in ("orders", "completed", "gross", "refunded")}
    assert cancelled == golden["cancelled"]


def test_shopify_buyers_without_email_are_known_by_phone(tmp_path: Path) -> None:
    """Cash-on-delivery stores (Pakistan, Egypt …) leave Email empty: the buyer is the billing
    (else shipping) phone, its digits only, so `0300-1234567` and `03001234567` are one buyer."""
    path = EXPORTS / "shopify_orders_cod_no_email.csv"
    rows = read_rows(path)
    keys = {r["Email"] or "".join(ch for ch in (r["Billing Phone"] or r["Shipping Phone"]) if ch.isdigit())
            for r in rows}
    store, _ = load(tmp_path, path)
    with store:
        without, buyers = store.con.execute(
            "SELECT count(*) FILTER (WHERE buyer_id IS NULL), count(DISTINCT buyer_id) FROM orders").fetchone()
    assert (without, buyers) == (0, len(keys))


def test_shopify_tip_is_not_revenue(tmp_path: Path) -> None:
    """A tip is a `Tip` line (no shipping) inside Total but outside Subtotal: Total =
    Subtotal + Shipping + Taxes + tip. Gross (goods and shipping after discounts, no tax) is
    Subtotal + Shipping for these tax-added orders."""
    path = EXPORTS / "shopify_orders_2023_tip.csv"
    rows = read_rows(path)
    tips: dict[str, Decimal] = {}
    for r in rows:
        if r["Lineitem name"] == "Tip" and r["Lineitem requires shipping"] == "false":
            tips[r["Name"]] = tips.get(r["Name"], Decimal(0)) + d(r["Lineitem price"]) * d(r["Lineitem quantity"])
    heads = [r for r in rows if r["Total"]]
    for r in heads:  # the export's own checksum
        assert d(r["Total"]) == d(r["Subtotal"]) + d(r["Shipping"]) + d(r["Taxes"]) + tips.get(r["Name"], Decimal(0))
    golden = sum((d(r["Subtotal"]) + d(r["Shipping"]) for r in heads), Decimal(0))
    assert tips  # the fixture has a tip
    store, _ = load(tmp_path, path)
    with store:
        assert figures(store.con, "shopify")["gross"] == golden


def test_shopify_exports_without_order_ids_need_the_store(tmp_path: Path) -> None:
    def without_id(src: Path, dst: Path) -> Path:
        rows = list(csv.reader(src.open(encoding="utf-8")))
        i = rows[0].index("Id")
        with dst.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([r[:i] + r[i + 1:] for r in rows])
        return dst

    a = without_id(SAMPLES / "shopify_orders.csv", tmp_path / "a.csv")
    b = without_id(EXPORTS / "shopify_orders_store_b.csv", tmp_path / "b.csv")
    store = open_store(tmp_path / "s.duckdb")
    with store:
        import_paths(store, [a], store_name="pottery-one.myshopify.com")
        import_paths(store, [b], store_name="pottery-two.myshopify.com")
        ids = [r[0] for r in store.con.execute("SELECT order_id FROM orders ORDER BY 1").fetchall()]
        assert ids == ["shopify:pottery-one.myshopify.com:#1001", "shopify:pottery-one.myshopify.com:#1002",
                       "shopify:pottery-two.myshopify.com:#1001", "shopify:pottery-two.myshopify.com:#1002"]
        items = store.con.execute("SELECT count(*) FROM order_items").fetchone()[0]
        assert items == 6


def test_woocommerce_order_numbers_are_per_store(tmp_path: Path) -> None:
    sample = SAMPLES / "woocommerce_analytics_orders.csv"
    copy = tmp_path / "other_store.csv"
    shutil.copy(sample, copy)
    store = open_store(tmp_path / "w.duckdb")
    with store:
        first = import_paths(store, [sample], store_name="shop-one")[0]
        second = import_paths(store, [copy], store_name="shop-two")[0]
        assert second.loaded == first.loaded > 0


def test_upwork_connects_without_ref_id_is_a_platform_cost(tmp_path: Path) -> None:
    path = EXPORTS / "upwork_transactions_connects.csv"
    rows = read_rows(path)
    golden = -sum(d(r["Amount $"]) for r in rows if r["Transaction Type"] in ("Service Fee", "Connects"))
    store, (result,) = load(tmp_path, path)
    with store:
        assert result.rejected == 0
        assert figures(store.con, "upwork")["fees"] == {"USD": golden.quantize(CENT)} == {"USD": Decimal("65.00")}
        assert store.con.execute("SELECT fee_type FROM fees WHERE fee_id = 'upwork:txn:900000105'").fetchone() == (
            "advertising",)


def test_etsy_sold_orders_older_layout_without_buyer_columns_is_recognised(tmp_path: Path) -> None:
    """Real 2019/2020 exports (`Date Shipped`, `Ship City` …, no `Buyer User ID` or names) are
    Sold Orders too: detection must not require the buyer columns (it did, so they were refused)."""
    path = EXPORTS / "EtsySoldOrders2019 no buyer columns.csv"
    golden = etsy_orders_golden(path)
    assert golden["orders"] == 3
    assert golden["refunded"] > 0
    store, (result,) = load(tmp_path, path)
    with store:
        assert result.profile == "etsy_sold_orders"
        assert (result.loaded, result.rejected) == (3, 0)
        assert figures(store.con, "etsy") == golden


# --- Etsy Sold Order Items alone, and with Sold Orders ------------------------------------

def etsy_items_golden(path: Path) -> dict:
    """An order is its item rows: Σ Item Total + Order Shipping - Discount Amount - Shipping
    Discount (order-level columns, the same on each of its rows), sales tax excluded."""
    orders: dict[str, dict] = {}
    for r in read_rows(path):
        o = orders.setdefault(r["Order ID"], {"items": Decimal(0), "ship": d(r["Order Shipping"]),
                                              "disc": d(r["Discount Amount"]) + d(r["Shipping Discount"])})
        o["items"] += d(r["Item Total"])
    gross = sum(o["items"] + o["ship"] - o["disc"] for o in orders.values())
    return {"orders": len(orders), "completed": len(orders), "gross": Decimal(gross).quantize(CENT),
            "refunded": Decimal(0).quantize(CENT), "fees": {}}


def test_etsy_items_alone_make_their_orders(tmp_path: Path) -> None:
    items = SAMPLES / "etsy_sold_order_items.csv"
    store, (result,) = load(tmp_path, items)
    assert result.rejected == 0
    assert figures(store.con, "etsy") == etsy_items_golden(items)
    assert store.query("SELECT count(*) FROM order_items")[0][0] == 3


@pytest.mark.parametrize("items_first", [True, False], ids=["items-first", "orders-first"])
def test_etsy_sold_orders_replace_orders_built_from_items(tmp_path: Path, items_first: bool) -> None:
    from assetkit.store.maintenance import check_database

    items, orders = SAMPLES / "etsy_sold_order_items.csv", SAMPLES / "etsy_sold_orders.csv"
    store, _ = load(tmp_path, *((items, orders) if items_first else (orders, items)))
    assert figures(store.con, "etsy") == figures(load(tmp_path / "alone", orders)[0].con, "etsy")
    # every order comes from the Sold Orders file, the ledger of orders
    assert store.query("SELECT DISTINCT b.profile FROM orders o JOIN import_batches b USING (batch_id)") == [
        ("etsy_sold_orders",)]
    assert store.query("SELECT count(*) FROM order_items")[0][0] == 3
    assert check_database(store).ok, check_database(store).problems
    again = import_paths(store, [items, orders], store_name=None)
    assert sum(r.loaded for r in again) == 0
