"""Hand-computed fixture shared by the cohorts tests (rows inserted straight into the schema).

Buyers (window_months=1 makes a buyer's run rate equal to their revenue of the month):
- A marketplace/alibaba: Jan 100 (fee 10), Feb 150, Mar 120, Jun 80
- D marketplace/alibaba: Jan 50, Mar 50
- B own_site (no buyers.first_channel: taken from the first order): Feb 200, May 100
- C referral: Mar 50 cancelled (ignored), Apr 70 with 20 refunded, May 90 fully refunded
  (status refunded, no amount) carrying a fee of 5
Plus an order without buyer and an unlinked alibaba membership fee of 30 in January.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assetkit.store import open_store

ORDER_COLUMNS = ("order_id", "platform", "channel", "source_order_id", "buyer_id", "ordered_at", "status",
                 "currency", "gross_amount", "refunded_amount", "gross_amount_rc", "refunded_amount_rc",
                 "batch_id", "source_line")


def add_orders(con, rows) -> None:
    """rows: (order_id, buyer_id, platform, channel, day, gross, refunded, status)."""
    con.executemany(
        f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) VALUES ({', '.join('?' * len(ORDER_COLUMNS))})",
        [(oid, platform, channel, oid, buyer, dt.datetime.fromisoformat(f"{day}T12:00:00+00:00"), status,
          "EUR", gross, refunded, gross, refunded, 1, i + 1)
         for i, (oid, buyer, platform, channel, day, gross, refunded, status) in enumerate(rows)])


def add_fees(con, rows) -> None:
    """rows: (fee_id, platform, day, fee_type, amount, order_id)."""
    con.executemany(
        "INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id, "
        "batch_id, source_line) VALUES (?, ?, ?, ?, 'EUR', ?, ?, ?, 1, ?)",
        [(fid, platform, dt.datetime.fromisoformat(f"{day}T12:00:00+00:00"), ftype, amount, amount, oid, i + 1)
         for i, (fid, platform, day, ftype, amount, oid) in enumerate(rows)])


def add_buyers(con, rows) -> None:
    """rows: (buyer_id, first_channel, first_platform)."""
    con.executemany("INSERT INTO buyers (buyer_id, first_channel, first_platform) VALUES (?, ?, ?)", rows)


def build_fixture(path: Path):
    store = open_store(path)
    con = store.con
    add_buyers(con, [("A", "marketplace", "alibaba"), ("D", "marketplace", "alibaba"), ("B", None, None),
                     ("C", "referral", None)])
    add_orders(con, [
        ("a1", "A", "alibaba", "marketplace", "2024-01-10", 100, 0, "completed"),
        ("a2", "A", "alibaba", "marketplace", "2024-02-10", 150, 0, "completed"),
        ("a3", "A", "alibaba", "marketplace", "2024-03-10", 120, 0, "completed"),
        ("a4", "A", "alibaba", "marketplace", "2024-06-10", 80, 0, "completed"),
        ("d1", "D", "alibaba", "marketplace", "2024-01-05", 50, 0, "completed"),
        ("d2", "D", "alibaba", "marketplace", "2024-03-05", 50, 0, "completed"),
        ("b1", "B", "own_site", "own_site", "2024-02-20", 200, 0, "completed"),
        ("b2", "B", "own_site", "own_site", "2024-05-20", 100, 0, "pending"),
        ("c0", "C", "own_site", "referral", "2024-03-15", 50, 0, "cancelled"),
        ("c1", "C", "own_site", "referral", "2024-04-15", 70, 20, "completed"),
        ("c2", "C", "own_site", "referral", "2024-05-15", 90, 0, "refunded"),
        ("x1", None, "alibaba", "marketplace", "2024-02-01", 999, 0, "completed"),
    ])
    add_fees(con, [
        ("f1", "alibaba", "2024-01-10", "commission", 10, "a1"),
        ("f2", "alibaba", "2024-01-01", "membership", 30, None),
        ("f3", "own_site", "2024-05-15", "payment", 5, "c2"),
        ("f4", "own_site", "2024-03-15", "payment", 2, "c0"),
    ])
    return store
