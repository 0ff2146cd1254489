"""Synthetic stores for the learned lead model and the recommendations, with known structure.

`lead_store`: n inquiries, one new buyer each, over two years; whether a buyer orders within
60 days depends on known features (`signal=True`: the buyer's country DE, a large quantity and
a company e-mail domain) or on nothing (`signal=False`: a coin with the same base rate).
`basket_store`: buyers in product groups who buy within their group, plus one product popular
with everyone, so co-purchase beats popularity by construction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tests.helpers.site import fresh_store

START = datetime(2022, 1, 1, tzinfo=UTC)
AS_OF = datetime(2024, 12, 31, tzinfo=UTC)


def insert_columns(con: Any, table: str, columns: dict[str, Any]) -> None:
    """Insert column lists (a scalar is repeated) with one statement: unnest of list parameters."""
    n = max(len(v) for v in columns.values() if isinstance(v, (list, np.ndarray)))
    params = {f"c{k}": (v.tolist() if isinstance(v, np.ndarray) else v if isinstance(v, list) else [v] * n)
              for k, v in enumerate(columns.values())}
    select = ", ".join(f"unnest($c{k})" for k in range(len(columns)))
    con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select}", params)


def true_logit(country: np.ndarray, qty: np.ndarray, free: np.ndarray) -> np.ndarray:
    return -1.6 + 1.8 * (country == "DE") + 1.2 * np.log10(qty / 100) - 1.0 * free


def lead_store(path: Path, n: int = 1500, signal: bool = True, seed: int = 1) -> Any:
    rng = np.random.default_rng(seed)
    store = fresh_store(path)
    con = store.con
    country = rng.choice(["DE", "US", "IN", "NG", "BR"], size=n)
    qty = np.round(10 ** rng.uniform(1.5, 4.5, n))
    free = rng.uniform(size=n) < 0.5
    p = 1 / (1 + np.exp(-true_logit(country, qty, free)))
    if not signal:
        p = np.full(n, p.mean())
    converted = rng.uniform(size=n) < p
    days = np.sort(rng.uniform(0, 700, n))
    received = [START + timedelta(days=float(d)) for d in days]
    ids = [f"b{i:05d}" for i in range(n)]
    insert_columns(con, "buyers", ({
        "buyer_id": ids, "name": [f"Buyer {i}" for i in range(n)], "country": country.tolist(),
        "email": [f"buyer{i}@{'gmail.com' if f else f'firm{i}.example'}" for i, f in enumerate(free)]}))
    messages = np.where(rng.uniform(size=n) < 0.5, "Please send your best price for this item, thanks.",
                        "Hello, we are interested in your product. Kindly send details and delivery time.")
    insert_columns(con, "inquiries", ({
        "inquiry_id": [f"q{i:05d}" for i in range(n)], "platform": "alibaba", "channel": "marketplace",
        "source_inquiry_id": [f"q{i:05d}" for i in range(n)], "buyer_id": ids, "received_at": received,
        "product": "Steel Valve", "quantity": qty, "unit": "pcs", "message": messages.tolist(),
        "country": country.tolist(), "first_response_at": [t + timedelta(hours=5) for t in received],
        "batch_id": 1, "source_line": np.arange(n) + 1}))
    who = np.flatnonzero(converted)
    insert_columns(con, "orders", ({
        "order_id": [f"o{i:05d}" for i in who], "platform": "alibaba", "channel": "marketplace",
        "source_order_id": [f"o{i:05d}" for i in who], "buyer_id": [ids[i] for i in who],
        "ordered_at": [received[i] + timedelta(days=float(rng.uniform(1, 60))) for i in who],
        "status": "completed", "currency": "USD", "gross_amount": 500.0, "gross_amount_rc": 500.0,
        "product": "Steel Valve", "batch_id": 1, "source_line": np.arange(len(who)) + 1}))
    con.execute("INSERT INTO products (product_id, sku, name, moq, batch_id, source_line) "
                "VALUES ('p1', 'SV-1', 'Steel Valve', 100, 1, 1)")
    return store


GROUPS = {"A": ["Anvil", "Axe", "Awl", "Adze", "Auger", "Angle"], "B": ["Bolt", "Brace", "Bit", "Buffer", "Blade", "Burr"],
          "C": ["Chisel", "Clamp", "Caliper", "Crimper", "Cutter", "Collet"],
          "D": ["Drill", "Die", "Dowel", "Driver", "Drum", "Duster"]}
POPULAR = "Popular Gloves"


def basket_store(path: Path, buyers: int = 400, seed: int = 2) -> Any:
    """Each buyer belongs to a group and orders 2-4 of its 6 products over time; 30% also order
    the popular product (which is therefore the most popular single product)."""
    rng = np.random.default_rng(seed)
    store = fresh_store(path)
    con = store.con
    names = list(GROUPS)
    rows: dict[str, list[Any]] = {"order_id": [], "buyer_id": [], "ordered_at": [], "product": []}
    for b in range(buyers):  # a test fixture's few hundred buyers, written once
        group = GROUPS[names[b % len(names)]]
        items = list(rng.permutation(group)[: rng.integers(2, 5)])
        if rng.uniform() < 0.3:
            items.insert(int(rng.integers(0, len(items) + 1)), POPULAR)
        for k, item in enumerate(items):
            rows["order_id"].append(f"o{b}-{k}")
            rows["buyer_id"].append(f"b{b:04d}")
            rows["ordered_at"].append(AS_OF - timedelta(days=300 - 40 * k - float(rng.uniform(0, 30))))
            rows["product"].append(item)
    n = len(rows["order_id"])
    insert_columns(con, "orders", ({
        **rows, "platform": "shopify", "channel": "own_site", "source_order_id": rows["order_id"],
        "status": "completed", "currency": "USD", "gross_amount": 100.0, "gross_amount_rc": 100.0,
        "batch_id": 1, "source_line": np.arange(n) + 1}))
    insert_columns(con, "buyers", ({"buyer_id": sorted(set(rows["buyer_id"])),
                                         "email": [f"{b}@firm.example" for b in sorted(set(rows["buyer_id"]))]}))
    return store
