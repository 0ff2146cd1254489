"""A small hand-checkable business for the platform-economics tests (tests/test_economics*.py).

Reporting currency EUR. Every expected figure in the tests is worked out by hand from the rows
below; the comments give the arithmetic. Rows are inserted straight into the schema of
assetkit/store/migrations.py through open_store, as an importer would leave them.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from assetkit.config import parse_config
from assetkit.store import open_store

BUYERS = [
    ("b1", "Alice", "Alpha GmbH", "DE"),
    ("b2", "Bob", "Bravo Inc", "US"),
    ("b3", "Chen", "Charlie Ltd", "CN"),
    ("b4", "Dora", "=HYPERLINK(\"x\")", "FR"),
]

# order_id, platform, channel, buyer, ordered_at, status, currency, gross, refunded, gross_rc, refunded_rc, product, country
ORDERS = [
    ("o1", "etsy", "marketplace", "b1", "2024-03-10 10:00:00+00", "completed", "EUR", 100, 0, 100, 0, "Mug", "DE"),
    # USD order, partly refunded: revenue 200 - 20 = 180 EUR
    ("o2", "etsy", "marketplace", "b1", "2024-06-05 10:00:00+00", "completed", "USD", 220, 22, 200, 20, "Mug", "DE"),
    ("o3", "amazon", "marketplace", "b2", "2024-07-15 10:00:00+00", "completed", "EUR", 300, 0, 300, 0, "Lamp", "US"),
    # `refunded` status with no refund amount: a full refund, revenue 0
    ("o4", "amazon", "marketplace", "b2", "2025-02-10 10:00:00+00", "refunded", "EUR", 50, 0, 50, 0, "Lamp", "US"),
    ("o5", "shopify", "own_site", "b1", "2025-03-01 10:00:00+00", "completed", "EUR", 400, 0, 400, 0, "Mug", "DE"),
    # GBP order: 85 GBP = 100 EUR
    ("o6", "amazon", "marketplace", "b3", "2025-04-20 10:00:00+00", "completed", "GBP", 85, 0, 100, 0, "Lamp", "CN"),
    ("o7", "amazon", "marketplace", "b3", "2025-05-20 10:00:00+00", "cancelled", "EUR", 999, 0, 999, 0, "Lamp", "CN"),
    ("o8", "etsy", "marketplace", "b4", "2025-06-01 10:00:00+00", "completed", "EUR", 150, 0, 150, 0, "Mug", "FR"),
    ("o9", "etsy", "marketplace", "b1", "2025-07-01 10:00:00+00", "completed", "EUR", 250, 0, 250, 0, "Mug", "DE"),
]

# fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id
FEES = [
    ("f1", "etsy", "2024-03-10 10:00:00+00", "Transaction fee", "EUR", 6.5, 6.5, "o1"),
    ("f2", "etsy", "2024-03-10 10:00:00+00", "processing", "EUR", 3.25, 3.25, "o1"),
    ("f3", "etsy", "2024-06-05 10:00:00+00", "transaction", "USD", 14.30, 13.0, "o2"),
    ("f4", "etsy", "2024-06-30 10:00:00+00", "listing", "EUR", 2.0, 2.0, None),
    ("f5", "amazon", "2024-07-15 10:00:00+00", "referral", "EUR", 45.0, 45.0, "o3"),
    ("f6", "amazon", "2024-07-31 10:00:00+00", "subscription", "EUR", 39.99, 39.99, None),
    ("f7", "amazon", "2025-02-10 10:00:00+00", "commission", "EUR", 7.5, 7.5, "o4"),
    ("f8", "amazon", "2025-02-12 10:00:00+00", "refund_commission", "EUR", -6.0, -6.0, "o4"),
    ("f9", "amazon", "2025-04-20 10:00:00+00", "commission", "GBP", 12.75, 15.0, "o6"),
    ("f10", "etsy", "2025-06-01 10:00:00+00", "transaction", "EUR", 9.75, 9.75, "o8"),
    ("f11", "etsy", "2025-07-01 10:00:00+00", "transaction", "EUR", 16.25, 16.25, "o9"),
    # a platform with fees but no sales
    ("f12", "indiamart", "2025-01-15 10:00:00+00", "membership", "EUR", 500.0, 500.0, None),
    ("f13", "etsy", "2025-06-15 10:00:00+00", "Etsy Ads", "EUR", 30.0, 30.0, None),
]

# spend_id, channel, platform, period_start, period_end, currency, amount, amount_rc
SPEND = [
    # 62 days, 31 in Dec 2024 and 31 in Jan 2025
    ("s1", "marketplace", "amazon", "2024-12-01", "2025-01-31", "EUR", 62.0, 62.0),
    ("s2", "own_site", None, "2025-01-01", "2025-03-31", "EUR", 90.0, 90.0),
]

# inquiry_id, platform, channel, buyer, received_at, product, country, first_response_at
INQUIRIES = [
    ("i1", "etsy", "marketplace", "b1", "2024-03-01 08:00:00+00", "Mug", "DE", "2024-03-01 10:00:00+00"),
    # o3 follows 187 days later: outside the 180-day window, not converted
    ("i2", "amazon", "marketplace", "b2", "2024-01-10 08:00:00+00", "Lamp", "US", "2024-01-10 18:00:00+00"),
    ("i3", "shopify", "own_site", "b1", "2025-02-20 08:00:00+00", "Mug", "DE", "2025-02-20 09:00:00+00"),
    ("i4", "indiamart", "marketplace", None, "2025-01-20 08:00:00+00", "Lamp", "IN", None),
    ("i5", "indiamart", "marketplace", "b3", "2025-04-01 08:00:00+00", "Lamp", "CN", "2025-04-02 14:00:00+00"),
    ("i6", "etsy", "marketplace", "b4", "2025-06-20 08:00:00+00", "Mug", "FR", "2025-06-20 12:00:00+00"),
]

# an annual membership of 120 EUR from 2024-07-01 to 2025-06-30: 184 days in 2024, 181 in 2025
YAML: dict[str, Any] = {
    "reporting_currency": "EUR",
    "gross_margin": 0.4,
    "recurring_fees": [
        {"platform": "etsy", "fee_type": "membership", "amount": 120, "currency": "EUR",
         "period": "year", "start": "2024-07-01", "end": "2025-06-30"},
    ],
}
CONFIG = parse_config(YAML)


def build(path: Path, *, orders: bool = True) -> Path:
    """Create the fixture database at `path` (orders=False leaves the orders table empty)."""
    with open_store(path) as store, store.transaction() as con:
        con.executemany("INSERT INTO buyers (buyer_id, name, company, country) VALUES (?, ?, ?, ?)", BUYERS)
        if orders:
            con.executemany(
                """INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at,
                   status, currency, gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc,
                   product, country, batch_id, source_line)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)""",
                [(r[0], r[1], r[2], r[0], *r[3:], n) for n, r in enumerate(ORDERS, 2)])
        con.executemany(
            """INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc,
               order_id, batch_id, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2, ?)""",
            [(*r, n) for n, r in enumerate(FEES, 2)])
        con.executemany(
            """INSERT INTO spend (spend_id, channel, platform, period_start, period_end, currency, amount,
               amount_rc, batch_id, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 3, ?)""",
            [(*r, n) for n, r in enumerate(SPEND, 2)])
        con.executemany(
            """INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at,
               product, country, first_response_at, batch_id, source_line)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 4, ?)""",
            [(r[0], r[1], r[2], r[0], *r[3:], n) for n, r in enumerate(INQUIRIES, 2)])
    return path


@pytest.fixture(scope="session")
def economics_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture database, built once per test session; tests work on copies (`copy_to`)."""
    return build(tmp_path_factory.mktemp("economics") / "fixture.duckdb")


def copy_to(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target
