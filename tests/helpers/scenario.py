"""Scenario inputs: a four-channel baseline for the engine, and a hand-made database for
build_baseline whose every monthly figure is worked out in tests/test_scenario_baseline.py."""

from __future__ import annotations

from pathlib import Path

from assetkit.analysis.scenario import Baseline, ChannelBaseline
from assetkit.store import open_store

BASE = Baseline(channels=(
    ChannelBaseline("marketplace", "alibaba", "platform", revenue=40000, repeat_share=0.5,
                    fees={"membership": 500, "advertising": 2000, "commission": 2000}),
    ChannelBaseline("marketplace", "amazon", "platform", revenue=20000, repeat_share=0.3,
                    fees={"commission": 3000, "advertising": 1000}, spend=500),
    ChannelBaseline("own_site", "shopify", "owned", revenue=5000, repeat_share=0.4, fees={"payment": 150}, spend=200),
    ChannelBaseline("exhibition", None, "other", revenue=8000, spend=1000),
))

BATCH = ("INSERT INTO import_batches VALUES (1, 'x.csv', 'x.csv', 'abc', 'mixed', 'orders', 'test', "
         "'utf-8', 1, 1, 0, 0, now(), now(), '0.1.0')")


def insert_order(con, oid, platform, channel, buyer, day, amount, status="completed", refunded=0.0):
    con.execute(
        "INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency, "
        "gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc, batch_id, source_line) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'EUR', ?, ?, ?, ?, 1, 1)",
        [oid, platform, channel, oid, buyer, f"{day} 10:00:00+00", status, amount, refunded, amount, refunded])


def make_db(path: Path, months: int = 12) -> Path:
    """alibaba (marketplace): buyer b1 1000 each month, b2 500 once; own site: b3 200 quarterly;
    a cancelled and a fully refunded order; fees, spend and inquiries for 2024."""
    with open_store(path) as store, store.transaction() as con:
        con.execute(BATCH)
        for m in range(1, months + 1):
            insert_order(con, f"a{m}", "alibaba", "marketplace", "b1", f"2024-{m:02d}-10", 1000.0)
            con.execute("INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, "
                        "batch_id, source_line) VALUES (?, 'alibaba', ?, 'commission', 'EUR', 50, 50, 1, 1), "
                        "(?, 'alibaba', ?, 'advertising', 'EUR', 100, 100, 1, 1)",
                        [f"fc{m}", f"2024-{m:02d}-10 00:00:00+00", f"fa{m}", f"2024-{m:02d}-11 00:00:00+00"])
        insert_order(con, "b2-1", "alibaba", "marketplace", "b2", "2024-01-20", 500.0)
        insert_order(con, "cx", "alibaba", "marketplace", "b2", "2024-02-20", 9999.0, status="cancelled")
        insert_order(con, "rf", "alibaba", "marketplace", None, "2024-01-21", 300.0, status="refunded", refunded=300.0)
        for m in (m for m in (3, 6, 9, 12) if m <= months):
            insert_order(con, f"s{m}", "shopify", "own_site", "b3", f"2024-{m:02d}-05", 200.0)
        con.execute("INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, "
                    "batch_id, source_line) VALUES ('mem', 'alibaba', '2024-01-02 00:00:00+00', 'membership', "
                    "'EUR', 1200, 1200, 1, 1), ('old', 'alibaba', '2023-06-01 00:00:00+00', 'membership', "
                    "'EUR', 5000, 5000, 1, 1)")
        con.execute("INSERT INTO spend (spend_id, channel, platform, period_start, period_end, currency, amount, "
                    "amount_rc, batch_id, source_line) VALUES "
                    "('sp1', 'marketplace', 'alibaba', '2024-01-01', '2024-12-31', 'EUR', 1200, 1200, 1, 1), "
                    "('sp2', 'own_site', NULL, '2024-01-01', '2024-06-30', 'EUR', 600, 600, 1, 1), "
                    "('sp3', 'own_site', NULL, '2024-12-01', '2025-01-30', 'EUR', 600, 600, 1, 1)")
        for i, (buyer, day) in enumerate([("b1", "2024-01-01"), ("b1", "2024-05-01"), (None, "2024-05-02"),
                                          ("zz", "2024-06-01")]):
            con.execute("INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, "
                        "received_at, batch_id, source_line) VALUES (?, 'alibaba', 'marketplace', ?, ?, ?, 1, 1)",
                        [f"i{i}", f"i{i}", buyer, f"{day} 00:00:00+00"])
    return path
