"""Shared fixtures for the CLV and segments tests: rows inserted straight into the schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from assetkit.store import open_store
from tests.helpers.paths import DATA

CDNOW = DATA / "CDNOW_sample.txt"


def new_store(tmp_path: Path):
    return open_store(tmp_path / "t.duckdb")


def insert_orders(con, rows: list[tuple]) -> None:
    """rows: (order_id, buyer_id, 'YYYY-MM-DD', amount[, platform[, channel[, status[, refunded]]]])."""
    full = []
    for i, row in enumerate(rows):
        oid, buyer, day, amount, *rest = row
        platform = rest[0] if len(rest) > 0 else "own_site"
        channel = rest[1] if len(rest) > 1 else "own_site"
        status = rest[2] if len(rest) > 2 else "completed"
        refunded = rest[3] if len(rest) > 3 else 0.0
        full.append((str(oid), platform, channel, str(oid), buyer, f"{day} 12:00:00+00", status,
                     float(amount), float(refunded), i + 1))
    cols = list(zip(*full))
    # Parallel lists unnested side by side: one statement, no per-row round trips.
    con.execute("""
        INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status,
                            currency, gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc,
                            batch_id, source_line)
        SELECT o, p, c, o, b, CAST(ts AS TIMESTAMPTZ), st, 'USD', a, r, a, r, 1, l
        FROM (SELECT unnest(?::VARCHAR[]) o, unnest(?::VARCHAR[]) p, unnest(?::VARCHAR[]) c,
                     unnest(?::VARCHAR[]) b, unnest(?::VARCHAR[]) ts, unnest(?::VARCHAR[]) st,
                     unnest(?::DOUBLE[]) a, unnest(?::DOUBLE[]) r, unnest(?::INTEGER[]) l)""",
                [list(cols[0]), list(cols[1]), list(cols[2]), list(cols[4]), list(cols[5]), list(cols[6]),
                 list(cols[7]), list(cols[8]), list(cols[9])])


def insert_buyers(con, rows: list[tuple]) -> None:
    """rows: (buyer_id, first_channel, first_platform, email, phone)."""
    con.executemany("INSERT INTO buyers (buyer_id, first_channel, first_platform, email, phone) "
                    "VALUES (?, ?, ?, ?, ?)", rows)


def insert_fees(con, rows: list[tuple]) -> None:
    """rows: (fee_id, platform, 'YYYY-MM-DD', fee_type, amount)."""
    con.executemany(
        "INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, batch_id, "
        "source_line) VALUES (?, ?, CAST(? AS TIMESTAMPTZ), ?, 'USD', ?, ?, 1, 1)",
        [(f, p, d, t, a, a) for f, p, d, t, a in rows])


def cdnow_rows() -> list[tuple]:
    """The CDNOW sample (2,357 buyers, Jan 1997–Jun 1998) as order rows."""
    raw = np.loadtxt(CDNOW, dtype=str)
    days = [f"{s[:4]}-{s[4:6]}-{s[6:]}" for s in raw[:, 2]]
    return [(f"o{i}", f"c{int(c):04d}", d, float(v)) for i, (c, d, v) in enumerate(zip(raw[:, 1], days, raw[:, 4]))]


def load_cdnow(tmp_path: Path):
    store = new_store(tmp_path)
    insert_orders(store.con, cdnow_rows())
    return store


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def shop_store(tmp_path, n_repeat=40, zero_value=0):
    """Marketplace and own-site buyers with known fees; `zero_value` repeat buyers get free samples."""
    store = new_store(tmp_path)
    rng = np.random.default_rng(7)
    orders, buyers = [], []
    start = dt.date(2023, 1, 1)
    for i in range(120):
        platform = "alibaba" if i % 2 else "own_site"
        channel = "marketplace" if i % 2 else "own_site"
        first = start + dt.timedelta(days=int(rng.integers(0, 200)))
        n = int(rng.integers(2, 6)) if i < n_repeat else 1
        for k in range(n):
            day = first + dt.timedelta(days=int(k * rng.integers(20, 60)))
            amount = 0.0 if (i < zero_value and k > 0) else float(rng.integers(50, 500))
            orders.append((f"o{i}-{k}", f"b{i:03d}", day.isoformat(), amount, platform, channel))
        buyers.append((f"b{i:03d}", channel, platform, f"b{i}@x.com" if i % 3 else None, None))
    insert_orders(store.con, orders)
    insert_buyers(store.con, buyers)
    total_ali = sum(o[3] for o in orders if o[4] == "alibaba")
    insert_fees(store.con, [("f1", "alibaba", "2023-06-01", "commission", 0.08 * total_ali),
                            ("f2", "alibaba", "2023-01-01", "membership", 3000.0)])
    return store
