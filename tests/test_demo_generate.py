"""The demo generator: determinism, exact real-format headers, parseability, row counts, and the
business properties the analyses rely on (movers, rising fees, repeat buyers, deliberate mess).

Expected headers are copied from the formats document (shared/formats/README.md), not from the
generator, so a drift in either is caught."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from assetkit.config import parse_config
from assetkit.demo import generate_demo
from assetkit.errors import UsageError

DOC_HEADERS = {
    "amazon_settlement_v2": "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\tadjustment-id\tshipment-id\tmarketplace-name\tamount-type\tamount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\torder-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\tquantity-purchased\tpromotion-id",
    "amazon_all_orders": "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\titem-promotion-discount\tship-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\tpromotion-ids\tis-business-order\tpurchase-order-number\tprice-designation",
    "etsy_sold_orders": "Sale Date,Order ID,Buyer User ID,Full Name,First Name,Last Name,Number of Items,Payment Method,Date Shipped,Street 1,Street 2,Ship City,Ship State,Ship Zipcode,Ship Country,Currency,Order Value,Coupon Code,Coupon Details,Discount Amount,Shipping Discount,Shipping,Sales Tax,Order Total,Status,Card Processing Fees,Order Net,Adjusted Order Total,Adjusted Card Processing Fees,Adjusted Net Order Amount,Buyer,Order Type,Payment Type,InPerson Discount,InPerson Location,SKU",
    "etsy_sold_order_items": "Sale Date,Item Name,Buyer,Quantity,Price,Coupon Code,Coupon Details,Discount Amount,Shipping Discount,Order Shipping,Order Sales Tax,Item Total,Currency,Transaction ID,Listing ID,Date Paid,Date Shipped,Ship Name,Ship Address1,Ship Address2,Ship City,Ship State,Ship Zipcode,Ship Country,Order ID,Variations,Order Type,Listings Type,Payment Type,InPerson Discount,InPerson Location,VAT Paid by Buyer,SKU",
    "etsy_statement": "Date,Type,Title,Info,Currency,Amount,Fees & Taxes,Net,Tax Details",
    "shopify_orders": "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References",
    "upwork_transactions_v2": "Date,Transaction ID,Transaction Type,Transaction Summary,Transaction Summary Details,Description 1,Description 2,Description 3,Agency,Freelancer,Team,Account Name,PO,Ref ID,Amount $,Amount in local currency,Currency,Current Balance $,Payment Method",
    "generic_inquiries": "inquiry_id,received_at,platform,channel,buyer_name,buyer_company,buyer_email,buyer_phone,buyer_country,product,quantity,unit,message,first_response_at",
    "generic_orders": "order_id,order_date,platform,channel,buyer_id,buyer_name,buyer_company,buyer_email,buyer_country,product,quantity,amount,currency,status",
    "generic_fees": "fee_id,date,platform,fee_type,amount,currency,order_id,description",
    "generic_spend": "spend_id,period_start,period_end,channel,platform,amount,currency,description",
    "generic_products": "sku,name,category,description,specs,moq,moq_unit,lead_time_days,price,currency",
}
LEAD_KEYS = ("UNIQUE_QUERY_ID, QUERY_TYPE, QUERY_TIME, SENDER_NAME, SENDER_MOBILE, SENDER_EMAIL, "
             "SUBJECT, SENDER_COMPANY, SENDER_ADDRESS, SENDER_CITY, SENDER_STATE, SENDER_PINCODE, "
             "SENDER_COUNTRY_ISO, SENDER_MOBILE_ALT, SENDER_PHONE, SENDER_PHONE_ALT, SENDER_EMAIL_ALT, "
             "QUERY_PRODUCT_NAME, QUERY_MESSAGE, QUERY_MCAT_NAME, CALL_DURATION, RECEIVER_MOBILE").split(", ")
BOM_FORMATS = {"etsy_statement", "upwork_transactions_v2"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo") / "exports"
    t0 = time.perf_counter()
    manifest = generate_demo(out, seed=7)
    return manifest, time.perf_counter() - t0


def read_table(path: Path, fmt: str) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (fmt in BOM_FORMATS), path
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if fmt.startswith("amazon") else ","))


def records(demo_manifest, fmt: str) -> list[dict[str, str]]:
    out = []
    for f in demo_manifest.files:
        if f.format == fmt:
            rows = read_table(demo_manifest.out_dir / f.path, fmt)
            out += [dict(zip(rows[0], r), _file=f.path) for r in rows[1:]]
    return out


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_fast_and_sized(demo) -> None:
    manifest, seconds = demo
    assert seconds < 5.0
    assert 300 <= manifest.stats["buyers"] <= 500
    assert 2_000 <= manifest.rows() <= 40_000
    assert {f.platform for f in manifest.files} == {"alibaba", "indiamart", "amazon", "etsy", "shopify",
                                                    "upwork", "generic"}


def test_same_seed_gives_identical_bytes(demo, tmp_path: Path) -> None:
    manifest, _ = demo
    again = generate_demo(tmp_path / "again", seed=7)
    assert digest(manifest.out_dir) == digest(again.out_dir)
    assert again.to_dict()["files"] == manifest.to_dict()["files"]
    other = generate_demo(tmp_path / "other", seed=8)
    assert digest(other.out_dir) != digest(manifest.out_dir)


def test_headers_are_exactly_the_documented_ones(demo) -> None:
    manifest, _ = demo
    seen = set()
    for f in manifest.files:
        path = manifest.out_dir / f.path
        if f.format == "indiamart_leads_api_v2":
            continue
        sep = "\t" if f.format.startswith("amazon") else ","
        first_line = path.read_bytes().decode("utf-8-sig").split("\n", 1)[0]
        assert first_line == DOC_HEADERS[f.format], f.path
        assert len(first_line.split(sep)) == {"amazon_settlement_v2": 24, "amazon_all_orders": 32,
                                              "etsy_sold_orders": 36, "etsy_sold_order_items": 33,
                                              "shopify_orders": 79, "upwork_transactions_v2": 19,
                                              "etsy_statement": 9}.get(f.format, len(first_line.split(sep)))
        seen.add(f.format)
    assert seen == set(DOC_HEADERS)


def test_every_file_parses_and_counts_match_the_manifest(demo) -> None:
    manifest, _ = demo
    on_disk = {str(p.relative_to(manifest.out_dir)) for p in manifest.out_dir.rglob("*") if p.is_file()}
    assert on_disk - {".assetkit-demo"} == {f.path for f in manifest.files}
    for f in manifest.files:
        path = manifest.out_dir / f.path
        if f.format == "indiamart_leads_api_v2":
            payload = json.loads(path.read_text("utf-8"))
            assert list(payload) == ["CODE", "STATUS", "MESSAGE", "TOTAL_RECORDS", "RESPONSE"]
            assert payload["CODE"] == 200 and payload["TOTAL_RECORDS"] == len(payload["RESPONSE"]) == f.rows
            assert all(list(lead) == LEAD_KEYS for lead in payload["RESPONSE"])
            assert all(isinstance(v, str) for lead in payload["RESPONSE"] for v in lead.values())
            continue
        rows = read_table(path, f.format)
        assert len(rows) - 1 == f.rows, f.path
        assert all(len(r) == len(rows[0]) for r in rows), f.path


def test_value_formats_follow_the_platforms(demo) -> None:
    manifest, _ = demo
    settlements = records(manifest, "amazon_settlement_v2")
    us = [r for r in settlements if r["settlement-id"].startswith("14")]
    eu = [r for r in settlements if r["settlement-id"].startswith("24")]
    assert us and eu
    datetime.strptime(us[0]["settlement-start-date"], "%Y-%m-%d %H:%M:%S UTC")
    datetime.strptime(eu[0]["settlement-start-date"], "%d.%m.%Y %H:%M:%S UTC")
    assert all("," in r["amount"] and "." not in r["amount"] for r in eu if r["amount"])
    for r in records(manifest, "amazon_all_orders")[:50]:
        assert datetime.fromisoformat(r["purchase-date"]).utcoffset().total_seconds() == 0
    for r in records(manifest, "etsy_sold_orders"):
        datetime.strptime(r["Sale Date"], "%m/%d/%y")
    statement = records(manifest, "etsy_statement")
    assert all(r["Amount"] == "--" or r["Amount"].lstrip("-").startswith("$") for r in statement)
    for r in records(manifest, "shopify_orders"):
        if r["Created at"]:
            assert datetime.strptime(r["Created at"], "%Y-%m-%d %H:%M:%S %z").utcoffset().total_seconds() == 5 * 3600
    for r in records(manifest, "upwork_transactions_v2"):
        datetime.strptime(r["Date"], "%b %d, %Y")
    lead = json.loads((manifest.out_dir / "indiamart/leads_2024-02.json").read_text("utf-8"))["RESPONSE"][0]
    datetime.strptime(lead["QUERY_TIME"], "%Y-%m-%d %H:%M:%S")


def test_settlement_summary_row_and_fee_rows(demo) -> None:
    manifest, _ = demo
    for f in manifest.files:
        if f.format != "amazon_settlement_v2":
            continue
        rows = read_table(manifest.out_dir / f.path, f.format)
        header, summary, lines = rows[0], rows[1], rows[2:]
        assert all(summary[:6]) and not any(summary[6:])
        assert all(r[0] == summary[0] and not any(r[1:6]) for r in lines)
        amount = header.index("amount")
        total = sum(float(r[amount].replace(",", ".")) for r in lines)
        assert float(summary[4].replace(",", ".")) == pytest.approx(total, abs=0.005)
        for r in lines:
            if r[header.index("amount-description")] in ("FBAPerUnitFulfillmentFee", "RefundCommission",
                                                          "Subscription Fee"):
                assert r[amount].startswith("-")


def test_shopify_multi_line_orders_fill_order_fields_once(demo) -> None:
    manifest, _ = demo
    rows = records(manifest, "shopify_orders")
    counts = Counter(r["Name"] for r in rows)
    assert any(n > 1 for n in counts.values())
    seen: set[str] = set()
    for r in rows:
        if r["Name"] in seen:
            filled = {k for k, v in r.items() if v and k != "_file"}
            assert filled <= {"Name", "Email", "Lineitem quantity", "Lineitem name", "Lineitem price",
                              "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable",
                              "Lineitem fulfillment status", "Vendor", "Lineitem discount"}
        else:
            assert r["Total"] and r["Created at"]
        seen.add(r["Name"])
    assert {"paid", "refunded", "voided"} <= {r["Financial Status"] for r in rows}


def _first_dates_by_email(manifest) -> tuple[dict[str, str], dict[str, str]]:
    market: dict[str, str] = {}
    for r in records(manifest, "generic_orders") + records(manifest, "generic_inquiries"):
        if r.get("platform") in ("alibaba", "indiamart"):
            day = (r.get("order_date") or r.get("received_at", ""))[:10]
            if r["buyer_email"] and _is_date(day):
                market[r["buyer_email"]] = min(market.get(r["buyer_email"], "9999"), day)
    for f in manifest.files:
        if f.format == "indiamart_leads_api_v2":
            for lead in json.loads((manifest.out_dir / f.path).read_text("utf-8"))["RESPONSE"]:
                if lead["SENDER_EMAIL"]:
                    e = lead["SENDER_EMAIL"]
                    market[e] = min(market.get(e, "9999"), lead["QUERY_TIME"][:10])
    site: dict[str, str] = {}
    for r in records(manifest, "shopify_orders"):
        if r["Created at"]:
            site[r["Email"]] = min(site.get(r["Email"], "9999"), r["Created at"][:10])
    return market, site


def test_some_buyers_move_from_marketplaces_to_the_own_site(demo) -> None:
    manifest, _ = demo
    market, site = _first_dates_by_email(manifest)
    movers = [e for e in site if e in market]
    assert len(movers) >= 10
    assert all(market[e] < site[e] for e in movers)
    assert manifest.stats["movers_to_own_site"] == len(movers)


def _share_by_year(fees: dict[int, float], revenue: dict[int, float]) -> list[float]:
    return [fees[y] / revenue[y] for y in (2024, 2025, 2026)]


def test_platform_fees_rise_year_over_year(demo) -> None:
    manifest, _ = demo
    fee, rev = defaultdict(float), defaultdict(float)
    for r in records(manifest, "amazon_settlement_v2"):
        if r["amount"] and r["settlement-id"].startswith("14"):
            year, value = int(r["posted-date"][:4]), float(r["amount"])
            if r["amount-description"] == "Principal":
                rev[("amazon", year)] += value
            else:
                fee[("amazon", year)] -= value
    for r in records(manifest, "etsy_statement"):
        year = int(r["Date"][-4:])
        if r["Type"] == "Sale":
            rev[("etsy", year)] += float(r["Amount"].replace("$", ""))
        elif r["Type"] in ("Fee", "Marketing"):
            fee[("etsy", year)] -= float(r["Net"].replace("$", ""))
    for r in records(manifest, "upwork_transactions_v2"):
        year, value = int(r["Date"][-4:]), float(r["Amount $"])
        if r["Transaction Type"] in ("Hourly", "Fixed-price"):
            rev[("upwork", year)] += value
        elif r["Transaction Type"] == "Service Fee":
            fee[("upwork", year)] -= value
    usd = [r for r in records(manifest, "generic_orders") if r["currency"] == "USD" and r["amount"]]
    for r in usd:
        if r["platform"] == "alibaba" and _is_date(r["order_date"]):
            rev[("alibaba", int(r["order_date"][:4]))] += float(r["amount"])
    for r in records(manifest, "generic_fees"):
        if r["platform"] == "alibaba" and r["currency"] == "USD":
            fee[("alibaba", int(r["date"][:4]))] += float(r["amount"])
    for platform in ("amazon", "etsy", "upwork", "alibaba"):
        shares = [fee[(platform, y)] / rev[(platform, y)] for y in (2024, 2025, 2026)]
        assert shares[0] < shares[1] < shares[2], (platform, shares)
    p4p = defaultdict(float)
    for r in records(manifest, "generic_spend"):
        if r["platform"] == "alibaba":
            p4p[int(r["period_start"][:4])] += float(r["amount"])
    assert p4p[2024] < p4p[2025] < p4p[2026] * 12 / 10
    config = parse_config(yaml.safe_load(manifest.config_yaml))
    gold = [f.amount for f in config.recurring_fees if f.platform == "alibaba"]
    assert gold == sorted(gold) and len(set(gold)) == len(gold) >= 3
    assert config.business_name == "Sialkot Surgical Works" and config.reporting_currency == "USD"


def _is_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def test_repeat_buyers_are_heavy_tailed_and_inquiries_come_first(demo) -> None:
    manifest, _ = demo
    orders = [r for r in records(manifest, "generic_orders") if r["platform"] == "alibaba"]
    per_buyer = Counter(r["buyer_email"] for r in orders)
    counts = sorted(per_buyer.values(), reverse=True)
    assert counts[-1] == 1 and counts[0] >= 8
    top = sum(counts[: max(1, len(counts) // 10)])
    assert top / sum(counts) > 0.3
    inquiries = [r for r in records(manifest, "generic_inquiries") if r["platform"] == "alibaba"]
    first_inquiry: dict[str, str] = {}
    for r in inquiries:
        first_inquiry[r["buyer_email"]] = min(first_inquiry.get(r["buyer_email"], "9999"), r["received_at"][:10])
    for email in per_buyer:
        dates = [r["order_date"] for r in orders if r["buyer_email"] == email and _is_date(r["order_date"])]
        first_order = min(dates, default="9999")
        assert first_inquiry[email] <= first_order
    converted = len(per_buyer) / len({r["buyer_email"] for r in inquiries})
    assert 0.08 < converted < 0.4
    answered = [r for r in inquiries if r["first_response_at"]]
    assert 0.85 < len(answered) / len(inquiries) < 0.99
    assert all(r["first_response_at"] > r["received_at"] for r in answered)


def test_currencies_refunds_and_cancellations(demo) -> None:
    manifest, _ = demo
    generic = records(manifest, "generic_orders")
    assert {"USD", "EUR", "GBP"} <= {r["currency"] for r in generic}
    assert {"completed", "cancelled", "refunded"} <= {r["status"] for r in generic}
    assert {"USD", "EUR"} <= {r["currency"] for r in records(manifest, "amazon_all_orders")}
    assert "Refund" in {r["transaction-type"] for r in records(manifest, "amazon_settlement_v2")}
    assert "Cancelled" in {r["order-status"] for r in records(manifest, "amazon_all_orders")}
    assert "Refund" in {r["Type"] for r in records(manifest, "etsy_statement")}


def _record_at(path: Path, line: int) -> tuple[list[str], list[str] | None]:
    """The record starting at physical `line`, and the record before it."""
    reader = csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline=""))
    previous, start = None, 1
    for row in reader:
        if start == line:
            return row, previous
        previous, start = row, reader.line_num + 1
    raise AssertionError(f"no record starts at line {line}")


def test_messy_rows_are_where_the_manifest_says(demo) -> None:
    manifest, _ = demo
    issues = Counter(m.issue for m in manifest.messy)
    assert {"duplicate_row", "bad_date", "empty_amount", "formula_injection", "html_in_text",
            "multiline_field", "duplicate_across_files"} <= set(issues)
    for m in manifest.messy:
        path = manifest.out_dir / m.path
        if path.suffix == ".json":
            leads = json.loads(path.read_text("utf-8"))["RESPONSE"]
            lead = leads[m.line]
            if m.issue == "html_in_text":
                assert "<script>" in lead["QUERY_MESSAGE"]
            else:
                month = m.detail.split("leads_")[1].split(".json")[0]
                prev = json.loads((path.parent / f"leads_{month}.json").read_text("utf-8"))["RESPONSE"]
                assert lead == prev[-1]
            continue
        row, previous = _record_at(path, m.line)
        if m.issue == "duplicate_row":
            assert row == previous
        elif m.issue == "bad_date":
            with pytest.raises(ValueError):
                datetime.strptime(row[1], "%Y-%m-%d")
        elif m.issue == "empty_amount":
            assert row[11] == ""
        elif m.issue == "formula_injection":
            assert any(v.startswith("=") for v in row)
        elif m.issue == "html_in_text":
            assert any("<script>" in v or "onerror=" in v for v in row)
        elif m.issue == "multiline_field":
            assert any("\n" in v for v in row)


def test_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError):
        generate_demo(tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_example_script_writes_the_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_demo_data", Path(__file__).parents[1] / "examples" / "make_demo_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(tmp_path / "out"), "--seed", "3", "--manifest"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["seed"] == 3 and sum(f["rows"] for f in printed["files"]) > 2_000
    assert (tmp_path / "out" / "shopify" / "orders_export_1.csv").exists()


def test_identical_across_processes_with_other_hash_seeds(demo, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    manifest, _ = demo
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, str(repo / "examples" / "make_demo_data.py"), str(tmp_path / "p"), "--seed", "7"],
                   env=env, check=True, capture_output=True, timeout=120)
    assert digest(tmp_path / "p") == digest(manifest.out_dir)
