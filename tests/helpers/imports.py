"""Shared helpers for the importer tests: canonical dumps of what an import stored."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

TABLES = {
    "orders": "order_id",
    "order_items": "order_id, line_no",
    "refunds": "refund_id",
    "fees": "fee_id",
    "inquiries": "inquiry_id",
    "spend": "spend_id",
    "products": "product_id",
    "buyers": "buyer_id",
    "buyer_identities": "platform, platform_ref",
    "rejects": "line",
}
VOLATILE = {"batch_id"}


def plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def dump(con) -> dict[str, list[dict[str, Any]]]:
    """Every canonical row, minus batch ids, ordered by key: comparable across runs."""
    con.execute("SET TimeZone = 'UTC'")
    out = {}
    for table, key in TABLES.items():
        cur = con.execute(f"SELECT * FROM {table} ORDER BY {key}")
        names = [d[0] for d in cur.description]
        rows = [{n: plain(v) for n, v in zip(names, row) if n not in VOLATILE} for row in cur.fetchall()]
        if rows:
            out[table] = rows
    return out


def counts(result) -> dict[str, Any]:
    return {k: getattr(result, k) for k in ("profile", "rows_read", "loaded", "duplicate", "rejected",
                                            "skipped", "fx_missing", "error")}
