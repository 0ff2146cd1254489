"""One SQL statement per trigger: which buyers are due which action, with the numbers why.

Every statement returns the same columns — buyer_id, event (what fired: an inquiry, an order,
or 'invite'), event_at, product, platform, value (expected value in the reporting currency)
and numbers (a STRUCT of the figures the reason quotes) — and only sees data up to `$as_of`,
so a run for a past date gives the due list of that day.

Expected values are deliberately simple and documented in docs/follow-ups.md: a lead is
worth the historical conversion rate × average order value × gross margin; a repeat buyer
their own average order × margin; a buyer at risk the value lost if they have gone
(CLV if alive − CLV); an invite a year of the platform's fees on that buyer's revenue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetkit.store.sql import rows

if TYPE_CHECKING:
    import duckdb

# Non-cancelled orders up to as_of with net revenue in the reporting currency.
ORDERS = """(SELECT order_id, buyer_id, ordered_at, channel, platform, product,
        CAST(coalesce(gross_amount_rc, 0) - coalesce(refunded_amount_rc, 0) AS DOUBLE) AS net
    FROM orders WHERE status <> 'cancelled' AND ordered_at <= $as_of)"""

_ORDER_SINCE = "EXISTS (SELECT 1 FROM {o} o WHERE o.buyer_id = i.buyer_id AND o.ordered_at >= i.received_at)"

REFERENCE = f"""
WITH o AS {ORDERS},
i AS (SELECT * FROM inquiries WHERE received_at <= $as_of),
conv AS (SELECT i.first_response_at IS NOT NULL AS answered,
        EXISTS (SELECT 1 FROM o WHERE o.buyer_id = i.buyer_id AND o.ordered_at >= i.received_at
                AND o.ordered_at <= i.received_at + INTERVAL 180 DAY) AS converted
    FROM i),
days AS (SELECT buyer_id, count(DISTINCT CAST(ordered_at AS DATE)) AS n FROM o
    WHERE buyer_id IS NOT NULL GROUP BY 1)
SELECT
    (SELECT coalesce(avg(net), 0) FROM o) AS aov,
    (SELECT median(net) FROM o WHERE net > 0) AS median_order,
    (SELECT coalesce(avg(CAST(converted AS DOUBLE)), 0) FROM conv) AS conversion,
    (SELECT coalesce(avg(CAST(converted AS DOUBLE)) FILTER (WHERE answered), 0) FROM conv) AS conversion_answered,
    (SELECT coalesce(avg(CAST(n >= 2 AS DOUBLE)), 0) FROM days) AS repeat_rate
"""

_SQL: dict[str, str] = {
    "unanswered_inquiry": f"""
WITH o AS {ORDERS}
SELECT i.buyer_id, i.inquiry_id AS event, i.received_at AS event_at, i.product, i.platform,
    $conversion * $aov * $margin AS value,
    {{'hours_open': round(epoch($as_of - i.received_at) / 3600.0, 1),
      'threshold_hours': CAST($hours AS DOUBLE)}} AS numbers
FROM inquiries i
WHERE i.received_at <= $as_of - to_seconds(CAST($hours AS DOUBLE) * 3600)
  AND i.received_at > $as_of - to_seconds(CAST($max_days AS DOUBLE) * 86400)
  AND (i.first_response_at IS NULL OR i.first_response_at > $as_of)
  AND NOT {_ORDER_SINCE.format(o='o')}
""",
    "quote_no_order": f"""
WITH o AS {ORDERS}
SELECT i.buyer_id, i.inquiry_id AS event, i.received_at AS event_at, i.product, i.platform,
    $conversion_answered * $aov * $margin AS value,
    {{'days_since_answer': CAST(floor(epoch($as_of - i.first_response_at) / 86400) AS DOUBLE),
      'threshold_days': CAST($days AS DOUBLE)}} AS numbers
FROM inquiries i
WHERE i.buyer_id IS NOT NULL AND i.received_at <= $as_of
  AND i.first_response_at <= $as_of - to_seconds(CAST($days AS DOUBLE) * 86400)
  AND i.first_response_at > $as_of - to_seconds(CAST($max_days AS DOUBLE) * 86400)
  AND NOT {_ORDER_SINCE.format(o='o')}
QUALIFY row_number() OVER (PARTITION BY i.buyer_id ORDER BY i.received_at DESC, i.inquiry_id) = 1
""",
    "overdue_repeat": f"""
WITH o AS {ORDERS},
d AS (SELECT buyer_id, CAST(ordered_at AS DATE) AS day, sum(net) AS net, max(ordered_at) AS ts,
        arg_max(order_id, ordered_at) AS last_order, arg_max(platform, ordered_at) AS platform
    FROM o WHERE buyer_id IS NOT NULL GROUP BY ALL),
g AS (SELECT *, day - lag(day) OVER (PARTITION BY buyer_id ORDER BY day) AS gap FROM d),
b AS (SELECT buyer_id, count(*) AS n, CAST(median(gap) AS DOUBLE) AS median_gap, max(day) AS last_day,
        arg_max(last_order, day) AS last_order, max(ts) AS last_at, arg_max(platform, day) AS platform,
        avg(net) AS avg_value
    FROM g GROUP BY buyer_id),
s AS (SELECT *, CAST(CAST($as_of AS DATE) - last_day AS DOUBLE) AS since FROM b)
SELECT buyer_id, last_order AS event, last_at AS event_at, NULL AS product, platform,
    avg_value * $margin AS value,
    {{'days_since_last_order': since, 'median_gap_days': median_gap, 'order_days': CAST(n AS DOUBLE),
      'factor': CAST($factor AS DOUBLE)}} AS numbers
FROM s
WHERE n >= $min_orders AND median_gap > 0 AND since > $factor * median_gap AND since <= $max_factor * median_gap
""",
    "clv_at_risk": f"""
WITH o AS {ORDERS},
past AS (SELECT buyer_id, sum(net) AS revenue, arg_max(order_id, ordered_at) AS last_order,
        max(ordered_at) AS last_at, arg_max(platform, ordered_at) AS platform
    FROM o WHERE buyer_id IS NOT NULL GROUP BY 1),
ranked AS (SELECT *, row_number() OVER (ORDER BY revenue DESC, buyer_id) AS rank, count(*) OVER () AS n FROM past)
SELECT r.buyer_id, r.last_order AS event, r.last_at AS event_at, NULL AS product, r.platform,
    c.clv / greatest(c.p_alive, 0.01) - c.clv AS value,
    {{'past_revenue': r.revenue, 'revenue_rank': CAST(r.rank AS DOUBLE), 'p_alive': c.p_alive, 'clv': c.clv,
      'max_p_alive': CAST($max_p_alive AS DOUBLE)}} AS numbers
FROM ranked r JOIN _ak_fu_clv c USING (buyer_id)
WHERE r.rank <= ceil($top_share * r.n) AND c.p_alive < $max_p_alive
""",
    # candidates come from _ak_fu_mig (candidates.py: the segments module's list, or FALLBACK_MIGRATION)
    "migration_invite": f"""
WITH o AS {ORDERS},
b AS (SELECT buyer_id, count(*) AS n, max(ordered_at) AS last_at, bool_or(channel <> 'marketplace') AS any_owned
    FROM o WHERE buyer_id IS NOT NULL GROUP BY 1)
SELECT m.buyer_id, 'invite' AS event, b.last_at AS event_at, NULL AS product, m.platform, m.value,
    {{'value_of_moving': m.value, 'fee_share': m.fee_share, 'orders': CAST(b.n AS DOUBLE)}} AS numbers
FROM _ak_fu_mig m JOIN b USING (buyer_id)
WHERE NOT b.any_owned AND b.n >= $min_orders AND m.value >= $min_fee_saved AND m.value > 0
  AND NOT EXISTS (SELECT 1 FROM actions_done a WHERE a.kind = 'migration_invite' AND a.buyer_id = m.buyer_id)
""",
    "first_order_thanks": f"""
WITH o AS {ORDERS},
b AS (SELECT buyer_id, count(*) AS n, any_value(order_id) AS order_id, max(ordered_at) AS ts,
        any_value(platform) AS platform, any_value(product) AS product, sum(net) AS net
    FROM o WHERE buyer_id IS NOT NULL GROUP BY 1)
SELECT buyer_id, order_id AS event, ts AS event_at, product, platform,
    $aov * $margin * $repeat_rate AS value,
    {{'days_since_order': CAST(floor(epoch($as_of - ts) / 86400) AS DOUBLE), 'order_value': net}} AS numbers
FROM b
WHERE n = 1 AND ts <= $as_of - to_seconds(CAST($after_days AS DOUBLE) * 86400)
  AND ts > $as_of - to_seconds(CAST($within_days AS DOUBLE) * 86400)
""",
}

# The parameters each statement uses beyond the rule's own numbers.
# Without the segments module (or without a CLV fit): a year of the platform's fees on the
# buyer's last-12-month revenue, for buyers whose latest order came through a marketplace.
FALLBACK_MIGRATION = f"""
WITH o AS {ORDERS},
b AS (SELECT buyer_id, arg_max(channel, ordered_at) AS last_channel, arg_max(platform, ordered_at) AS platform,
        coalesce(sum(net) FILTER (WHERE ordered_at > $as_of - INTERVAL 365 DAY), 0) AS revenue_12m
    FROM o WHERE buyer_id IS NOT NULL GROUP BY 1),
rev AS (SELECT platform, sum(net) AS revenue FROM o
    WHERE channel = 'marketplace' AND ordered_at > $as_of - INTERVAL 365 DAY GROUP BY 1),
cost AS (SELECT platform, sum(amount_rc) AS cost FROM platform_fees
    WHERE incurred_at <= $as_of AND incurred_at > $as_of - INTERVAL 365 DAY GROUP BY 1),
fs AS (SELECT platform, CAST(coalesce(cost.cost, 0) AS DOUBLE) / nullif(rev.revenue, 0) AS fee_share
    FROM rev LEFT JOIN cost USING (platform))
SELECT b.buyer_id, b.platform, b.revenue_12m * coalesce(fs.fee_share, 0) AS value, coalesce(fs.fee_share, 0) AS fee_share
FROM b LEFT JOIN fs USING (platform) WHERE b.last_channel = 'marketplace'
"""

_REF_KEYS = {
    "unanswered_inquiry": ("conversion", "aov", "margin"),
    "quote_no_order": ("conversion_answered", "aov", "margin"),
    "overdue_repeat": ("margin",),
    "clv_at_risk": (),
    "migration_invite": (),
    "first_order_thanks": ("aov", "margin", "repeat_rate"),
}


def reference(con: duckdb.DuckDBPyConnection, as_of: Any) -> dict[str, float]:
    """Business-wide figures the expected values use, measured up to as_of."""
    cur = con.execute(REFERENCE, {"as_of": as_of})
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    return {k: float(v) if v is not None else 0.0 for k, v in zip(names, row)}


def run_trigger(con: duckdb.DuckDBPyConnection, trigger: str, params: dict[str, float], as_of: Any,
                ref: dict[str, float]) -> list[dict[str, Any]]:
    """The due events of one trigger as dicts (one per action before de-duplication)."""
    args = {"as_of": as_of, **params, **{k: ref[k] for k in _REF_KEYS[trigger]}}
    return rows(con, _SQL[trigger], args)
