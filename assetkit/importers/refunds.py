"""Refund records → their orders' `refunded_amount`, whichever file came first.

Some exports report a refund apart from its order (Amazon settlement `Refund` rows). Such a
refund is stored once in `refunds` (its own id, so a re-import adds nothing) and is never an
order row: an extra order row would be counted as an order (cost per order too low). The
order it adjusts gets `refunded_amount` = the larger of what its own export says and the sum
of its refund records (both describe the same money), capped at its gross, and status
`refunded` when nothing is left. Recomputed from the stored records for the orders and
refunds of each batch, so the result does not depend on import order and a second run
changes nothing. A refund whose order is not imported (yet) waits in `refunds`; it is not
revenue of an order we do not have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb


def apply(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """Update the orders touched by this batch (new orders, or orders of new refunds) from
    their refund records; returns how many orders changed."""
    if scalar(con, "SELECT count(*) FROM (SELECT 1 FROM refunds LIMIT 1)") == 0:
        return 0
    touched = (f"SELECT order_id FROM refunds WHERE batch_id = {batch_id} "
               f"UNION SELECT order_id FROM orders WHERE batch_id = {batch_id}")
    changed = scalar(con, 
        "UPDATE orders SET refunded_amount = n.refunded, "
        "refunded_amount_rc = CASE WHEN orders.fx_rate IS NOT NULL THEN CAST(n.refunded * orders.fx_rate AS DECIMAL(18,4)) END, "
        "status = CASE WHEN orders.status <> 'cancelled' AND n.refunded >= orders.gross_amount AND orders.gross_amount > 0 "
        "THEN 'refunded' ELSE orders.status END "
        "FROM (SELECT o.order_id, least(o.gross_amount, greatest(o.refunded_amount, sum(r.amount))) AS refunded "
        f"      FROM refunds r JOIN orders o ON o.order_id = r.order_id AND o.currency = r.currency "
        f"      WHERE r.order_id IN ({touched}) GROUP BY o.order_id, o.gross_amount, o.refunded_amount) n "
        "WHERE orders.order_id = n.order_id AND orders.refunded_amount IS DISTINCT FROM n.refunded")
    return int(changed)
