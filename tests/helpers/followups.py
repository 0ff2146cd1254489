"""A small business where each follow-up rule fires for one buyer and not for another.

as_of = 2025-07-01 12:00 UTC. Reporting currency EUR, gross margin 0.4. Comments give the
numbers each rule sees; tests/test_followups*.py check them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assetkit.store import open_store

AS_OF = "2025-07-01T12:00:00+00:00"
CONFIG: dict[str, Any] = {"reporting_currency": "EUR", "gross_margin": 0.4, "business": {"name": "Acme Tools"}}

# buyer_id, name, company, email, phone, country
BUYERS = [
    ("b_inq", "Ina Weber", "Alpha GmbH", "ina@alpha.de", None, "DE"),
    ("b_fast", "Fred", None, "fred@example.com", None, "US"),
    ("b_old", "Olga", None, None, "+7 900", "RU"),
    ("b_quote", "Quinn", "Quote Co", "quinn@quote.example", None, "US"),
    ("b_qord", "Quincy", None, "quincy@q.example", None, "US"),
    ("b_rep", "Rosa Díaz", "Rosa SL", "rosa@rosa.es", None, "ES"),
    ("b_rep_ok", "Rik", None, "rik@rik.nl", None, "NL"),
    ("b_own", "Otto", None, "otto@otto.de", None, "DE"),
    ("b_new", "Nadia", None, "nadia@nadia.fr", None, "FR"),
    ("b_new_old", "Noah", None, None, None, "GB"),
    ("b_relay", "Ray", None, "abc123@marketplace.amazon.com", None, "US"),
]

# order_id, platform, channel, buyer, ordered_at, status, net (EUR)
ORDERS = [
    # b_rep: every 30 days, last 2025-04-01 -> 91 days since > 1.5 x 30, <= 6 x 30: overdue
    ("r1", "alibaba", "marketplace", "b_rep", "2025-01-01 10:00:00+00", "completed", 100),
    ("r2", "alibaba", "marketplace", "b_rep", "2025-01-31 10:00:00+00", "completed", 100),
    ("r3", "alibaba", "marketplace", "b_rep", "2025-03-02 10:00:00+00", "completed", 100),
    ("r4", "alibaba", "marketplace", "b_rep", "2025-04-01 10:00:00+00", "completed", 100),
    # b_rep_ok: gaps 30, 30, 20 (median 30), last 2025-06-20 -> 11 days: not overdue
    ("k1", "shopify", "own_site", "b_rep_ok", "2025-04-01 10:00:00+00", "completed", 200),
    ("k2", "shopify", "own_site", "b_rep_ok", "2025-05-01 10:00:00+00", "completed", 200),
    ("k3", "shopify", "own_site", "b_rep_ok", "2025-05-31 10:00:00+00", "completed", 200),
    ("k4", "shopify", "own_site", "b_rep_ok", "2025-06-20 10:00:00+00", "completed", 200),
    # b_qord ordered after its answered inquiry: no quote follow-up
    ("q1", "indiamart", "marketplace", "b_qord", "2025-06-15 10:00:00+00", "completed", 50),
    # b_own buys on the own site only: never a migration candidate
    ("w1", "shopify", "own_site", "b_own", "2025-05-10 10:00:00+00", "completed", 80),
    # b_new: one order 6 days ago -> thank-you; b_new_old: one order in March -> no
    ("n1", "shopify", "own_site", "b_new", "2025-06-25 10:00:00+00", "completed", 60),
    ("n2", "shopify", "own_site", "b_new_old", "2025-03-01 10:00:00+00", "completed", 60),
    ("x1", "shopify", "own_site", "b_new_old", "2025-03-05 10:00:00+00", "cancelled", 60),
    ("y1", "indiamart", "marketplace", "b_relay", "2025-02-01 10:00:00+00", "completed", 40),
    ("y2", "indiamart", "marketplace", "b_relay", "2025-06-01 10:00:00+00", "completed", 40),
]

# fee_id, platform, incurred_at, amount_rc: alibaba 60 on 400 revenue = 15 %; indiamart 13 on 130 = 10 %
# (platforms that allow moving buyers off-platform: see assetkit/data/platform_rules.yaml)
FEES = [
    ("f1", "alibaba", "2025-02-01 10:00:00+00", 60.0),
    ("f2", "indiamart", "2025-06-15 10:00:00+00", 13.0),
]

# inquiry_id, platform, channel, buyer, received_at, product, first_response_at
INQUIRIES = [
    ("i_inq", "shopify", "own_site", "b_inq", "2025-06-29 12:00:00+00", "Torque wrench", None),  # 48 h open
    ("i_fast", "shopify", "own_site", "b_fast", "2025-06-30 20:00:00+00", "Drill", None),  # 16 h open
    ("i_old", "indiamart", "marketplace", "b_old", "2025-04-01 08:00:00+00", "Saw", None),  # 91 days: lost
    ("i_quote", "alibaba", "marketplace", "b_quote", "2025-06-10 08:00:00+00", "Vise",
     "2025-06-11 08:00:00+00"),  # answered 20 days ago, no order
    ("i_quote2", "alibaba", "marketplace", "b_quote", "2025-06-27 08:00:00+00", "Vise",
     "2025-06-28 08:00:00+00"),  # answered 3 days ago: too early
    ("i_qord", "indiamart", "marketplace", "b_qord", "2025-06-01 08:00:00+00", "Clamp", "2025-06-02 08:00:00+00"),
]


def build(path: Path, buyers: list[tuple] | None = None) -> Path:
    with open_store(path) as store, store.transaction() as con:
        con.executemany("INSERT INTO buyers (buyer_id, name, company, email, phone, country) VALUES (?, ?, ?, ?, ?, ?)",
                        buyers or BUYERS)
        con.executemany(
            """INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status,
               currency, gross_amount, gross_amount_rc, refunded_amount_rc, batch_id, source_line)
               VALUES (?, ?, ?, ?, ?, ?, ?, 'EUR', ?, ?, 0, 1, ?)""",
            [(r[0], r[1], r[2], r[0], r[3], r[4], r[5], r[6], r[6], n) for n, r in enumerate(ORDERS, 2)])
        con.executemany(
            """INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, batch_id,
               source_line) VALUES (?, ?, ?, 'commission', 'EUR', ?, ?, 2, ?)""",
            [(r[0], r[1], r[2], r[3], r[3], n) for n, r in enumerate(FEES, 2)])
        con.executemany(
            """INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at,
               product, first_response_at, batch_id, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 3, ?)""",
            [(r[0], r[1], r[2], r[0], *r[3:], n) for n, r in enumerate(INQUIRIES, 2)])
    return path
