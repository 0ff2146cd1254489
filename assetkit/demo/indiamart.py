"""IndiaMART Lead Manager CRM API v2 responses, one saved pull per month
(`indiamart/leads_<YYYY-MM>.json`): the five-key envelope with the 22 lead keys, QUERY_TIME in
IST without an offset, `<br>` inside messages, empty strings rather than nulls."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from assetkit.demo.files import DemoFile, MessyRow, scramble, utc, write_json
from assetkit.demo.model import Inquiry, World

LEAD_KEYS = (
    "UNIQUE_QUERY_ID", "QUERY_TYPE", "QUERY_TIME", "SENDER_NAME", "SENDER_MOBILE", "SENDER_EMAIL",
    "SUBJECT", "SENDER_COMPANY", "SENDER_ADDRESS", "SENDER_CITY", "SENDER_STATE", "SENDER_PINCODE",
    "SENDER_COUNTRY_ISO", "SENDER_MOBILE_ALT", "SENDER_PHONE", "SENDER_PHONE_ALT", "SENDER_EMAIL_ALT",
    "QUERY_PRODUCT_NAME", "QUERY_MESSAGE", "QUERY_MCAT_NAME", "CALL_DURATION", "RECEIVER_MOBILE",
)
SUBJECTS = {"W": "Requirement for {p}", "B": "Buy lead for {p}", "P": "Call from buyer",
            "BIZ": "Enquiry for {p}", "WA": "WhatsApp enquiry for {p}"}
SCRIPT_MESSAGE = "<script>alert('lead')</script>Need price list<br>Quantity: 200 Piece"
OVERLAP_MONTH = "2025-03"   # this month's last lead is pulled again in the next month's file


def lead_id(q: Inquiry) -> str:
    return str(2_400_000_000 + q.key - 2_000_000)


def _lead(w: World, q: Inquiry, converting: set[int]) -> dict[str, str]:
    p, b = w.products[q.sku], q.person
    qtype = q.query_type
    if q.person.idx in converting and qtype in ("P", "WA"):
        qtype = "W"       # a buyer who later orders left an e-mail address
    call = qtype == "P"
    individual = b.idx not in converting and (b.idx % 10) < 3
    msg = f"I want to buy {p['name']}.<br>Quantity: {q.quantity} {q.unit}<br>{q.message}"
    return {
        "UNIQUE_QUERY_ID": lead_id(q), "QUERY_TYPE": qtype,
        "QUERY_TIME": utc(q.ts, 5.5).strftime("%Y-%m-%d %H:%M:%S"), "SENDER_NAME": b.name,
        "SENDER_MOBILE": b.phone, "SENDER_EMAIL": "" if call else b.email,
        "SUBJECT": SUBJECTS[qtype].format(p=p["name"]), "SENDER_COMPANY": "" if individual else b.company,
        "SENDER_ADDRESS": f"{b.street},  {b.city}, {b.state + ', ' if b.state else ''}{b.zip}",
        "SENDER_CITY": b.city, "SENDER_STATE": b.state, "SENDER_PINCODE": b.zip,
        "SENDER_COUNTRY_ISO": b.country, "SENDER_MOBILE_ALT": "", "SENDER_PHONE": "",
        "SENDER_PHONE_ALT": "", "SENDER_EMAIL_ALT": "",
        "QUERY_PRODUCT_NAME": "" if call else p["name"], "QUERY_MESSAGE": "" if call else msg,
        "QUERY_MCAT_NAME": "" if call else p["category"],
        "CALL_DURATION": str(30 + int(scramble(q.key, 3)) % 400) if call else "",
        "RECEIVER_MOBILE": "9876500042" if call else "",
    }


def write_indiamart(root: Path, w: World) -> tuple[list[DemoFile], list[MessyRow]]:
    converting = {o.buyer for o in w.orders if o.buyer is not None
                  and w.buyers[o.buyer].segment == "indiamart"}
    months: dict[str, list[dict[str, str]]] = defaultdict(list)
    for q in w.inquiries:
        if q.platform == "indiamart":
            months[utc(q.ts, 5.5).strftime("%Y-%m")].append(_lead(w, q, converting))
    messy: list[MessyRow] = []
    keys = sorted(months)
    first_month = months[keys[1]]
    first_month[3]["QUERY_MESSAGE"] = SCRIPT_MESSAGE
    messy.append(MessyRow(f"indiamart/leads_{keys[1]}.json", 3, "html_in_text",
                          "QUERY_MESSAGE holds a <script> snippet (RESPONSE index 3)"))
    nxt = keys[keys.index(OVERLAP_MONTH) + 1]
    months[nxt].insert(0, dict(months[OVERLAP_MONTH][-1]))
    messy.append(MessyRow(f"indiamart/leads_{nxt}.json", 0, "duplicate_across_files",
                          f"RESPONSE index 0 repeats the last lead of leads_{OVERLAP_MONTH}.json"))
    files = []
    for month in keys:
        leads = months[month]
        payload: dict[str, Any] = {"CODE": 200, "STATUS": "SUCCESS", "MESSAGE": "",
                                   "TOTAL_RECORDS": len(leads), "RESPONSE": leads}
        rel = f"indiamart/leads_{month}.json"
        write_json(root, rel, payload)
        files.append(DemoFile(rel, "indiamart", "inquiries", "indiamart_leads_api_v2", len(leads)))
    return files, messy
