"""A small business whose every user-controlled field carries hostile text, imported for real.

Used by the report tests: 60 buyers over 16 months on two marketplaces and the own site, with
repeat buying, fees, spend and inquiries; names, companies, products, countries' cities and
messages hold an XSS corpus and PII that `--redact` must remove.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

XSS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "</script><script>alert(2)</script>",
    "<svg onload=alert(3)>",
    "{{7*7}} ${7*7} <!-- -->",
]


def buyer_fields(i: int) -> dict[str, str]:
    evil = XSS[i % len(XSS)]
    return {
        "buyer_name": f"Buyer{i:02d} Surname{i:02d} {evil}" if i % 3 == 0 else f"Buyer{i:02d} Surname{i:02d}",
        "buyer_company": f"Company{i:02d} Ltd {evil}" if i % 4 == 0 else f"Company{i:02d} Ltd",
        "buyer_email": f"buyer{i:02d}@company{i:02d}.example",
        "buyer_phone": f"+1-555-01{i:02d}",
    }


def write_fixture(folder: Path, seed: int = 3) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = dt.date(2024, 1, 1)
    orders, inquiries, fees, spend = [], [], [], []
    for i in range(60):
        platform, channel = [("alibaba", "marketplace"), ("indiamart", "marketplace"), ("website", "own_site")][i % 3]
        b = buyer_fields(i)
        day = start + dt.timedelta(days=rng.randrange(0, 300))
        inquiries.append({"inquiry_id": f"Q{i}", "received_at": (day - dt.timedelta(days=5)).isoformat() + " 09:00:00",
                          "platform": platform, "channel": channel, "buyer_name": b["buyer_name"],
                          "buyer_company": b["buyer_company"], "buyer_email": b["buyer_email"],
                          "buyer_phone": b["buyer_phone"], "buyer_country": ["US", "DE", "AE"][i % 3],
                          "product": f"Scalpel {XSS[i % len(XSS)]}", "quantity": "100",
                          "message": f"Need quote. {XSS[(i + 1) % len(XSS)]} call {b['buyer_phone']}",
                          "first_response_at": (day - dt.timedelta(days=4)).isoformat() + " 10:00:00"})
        for k in range(1 + (i % 5 == 0) * 6 + (i % 2)):
            when = day + dt.timedelta(days=45 * k + rng.randrange(0, 10))
            if when > dt.date(2025, 4, 30):
                break
            oid = f"{platform[:2].upper()}-{i}-{k}"
            amount = round(rng.uniform(200, 2500), 2)
            orders.append({"order_id": oid, "order_date": when.isoformat(), "platform": platform, "channel": channel,
                           "buyer_name": b["buyer_name"], "buyer_company": b["buyer_company"],
                           "buyer_email": b["buyer_email"], "buyer_country": ["US", "DE", "AE"][i % 3],
                           "product": f"Forceps {XSS[k % len(XSS)]}", "quantity": "10", "amount": f"{amount:.2f}",
                           "currency": "USD", "status": "completed"})
            if platform != "website":
                fees.append({"fee_id": f"F-{oid}", "date": when.isoformat(), "platform": platform,
                             "fee_type": "commission", "amount": f"{amount * 0.05:.2f}", "currency": "USD",
                             "order_id": oid, "description": f"commission {XSS[0]}"})
    for m in range(16):
        month = dt.date(2024 + m // 12, m % 12 + 1, 1)
        end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        spend.append({"spend_id": f"S{m}", "period_start": month.isoformat(), "period_end": end.isoformat(),
                      "channel": "marketplace", "platform": "alibaba", "amount": "300.00", "currency": "USD",
                      "description": f"P4P {XSS[1]}"})
    for name, rows in (("orders.csv", orders), ("inquiries.csv", inquiries), ("fees.csv", fees), ("spend.csv", spend)):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return folder


def build_database(root: Path) -> Path:
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    data = write_fixture(root / "exports")
    db = root / "assetkit.duckdb"
    with open_store(db) as store:
        results = import_paths(store, [data])
    failed = [r for r in results if not r.ok]
    assert not failed, failed
    return db
