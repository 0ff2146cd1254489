"""SQL that fills an assetkit store for the analysis benchmarks (used by generate.store).

Built straight in SQL with generate.MACROS' seeded h()/u() (deterministic, thread-order free),
since these benchmarks time the analysis, not the import. Heavy-tailed buyers throughout.
"""

from __future__ import annotations


def economics(n: int) -> str:
    """Four platforms, refunds, cancellations, USD orders converted to EUR, one fee per
    marketplace order plus monthly unlinked fees, weekly spend, n/5 inquiries."""
    nb = max(n // 50, 1)
    return f"""
    INSERT INTO buyers (buyer_id, name, country, first_seen_at)
       SELECT 'b' || i, 'Buyer ' || i, ['US', 'DE', 'IN', 'AE', 'GB', 'CN'][1 + h(i, 1) % 6],
              TIMESTAMPTZ '2020-01-01' FROM range({nb}) t(i);
    INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency,
                        gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc, product, country,
                        batch_id, source_line)
       SELECT 'o' || i, p, CASE WHEN p = 'shopify' THEN 'own_site' WHEN h(i, 9) % 10 = 0 THEN 'referral'
                                ELSE 'marketplace' END,
              'o' || i, 'b' || CAST(floor({nb} * pow((h(i, 2) % 1000003) / 1000003.0, 3)) AS BIGINT),
              TIMESTAMPTZ '2020-01-01' + to_seconds(CAST(h(i, 3) % (5 * 365 * 86400) AS BIGINT)),
              CASE WHEN h(i, 4) % 50 = 0 THEN 'cancelled' WHEN h(i, 4) % 50 = 1 THEN 'refunded'
                   ELSE 'completed' END,
              'USD', g, CASE WHEN h(i, 4) % 50 = 2 THEN g / 2 ELSE 0 END,
              g * 0.9, CASE WHEN h(i, 4) % 50 = 2 THEN g * 0.45 ELSE 0 END,
              'P' || h(i, 5) % 200, 'US', 1, i
       FROM (SELECT i, ['amazon', 'etsy', 'alibaba', 'shopify'][1 + h(i, 0) % 4] AS p,
                    CAST(10 + h(i, 6) % 50000 / 100.0 AS DECIMAL(18,4)) AS g FROM range({n}) t(i)) x;
    INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id,
                      batch_id, source_line)
       SELECT 'f' || order_id, platform, ordered_at, ['commission', 'payment', 'fba'][1 + h(source_line, 0) % 3],
              'USD', gross_amount * 0.1, gross_amount_rc * 0.1, order_id, 2, source_line
       FROM orders WHERE platform <> 'shopify';
    INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id,
                      batch_id, source_line)
       SELECT 'm' || i, ['amazon', 'etsy'][1 + i % 2], TIMESTAMPTZ '2020-01-15' + to_months(CAST(i // 2 AS INTEGER)),
              'subscription', 'EUR', 39.99, 39.99, NULL, 3, i FROM range(120) t(i);
    INSERT INTO spend (spend_id, channel, platform, period_start, period_end, currency, amount, amount_rc,
                       batch_id, source_line)
       SELECT 's' || i, CASE WHEN i % 3 = 0 THEN 'own_site' ELSE 'marketplace' END,
              CASE WHEN i % 3 = 0 THEN NULL ELSE ['amazon', 'alibaba'][1 + i % 2] END,
              DATE '2020-01-01' + CAST(i * 7 AS INTEGER), DATE '2020-01-01' + CAST(i * 7 + 29 AS INTEGER),
              'EUR', 500, 500, 4, i FROM range(250) t(i);
    INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at, product,
                           country, first_response_at, batch_id, source_line)
       SELECT 'i' || i, p, CASE WHEN p = 'shopify' THEN 'own_site' ELSE 'marketplace' END, 'i' || i,
              'b' || CAST(floor({nb} * pow((h(i, 12) % 1000003) / 1000003.0, 2)) AS BIGINT), t,
              'P' || h(i, 13) % 200, ['US', 'DE', 'IN', 'AE'][1 + h(i, 14) % 4],
              CASE WHEN h(i, 15) % 5 > 0 THEN t + to_seconds(CAST(h(i, 16) % 172800 AS BIGINT)) END, 5, i
       FROM (SELECT i, ['amazon', 'etsy', 'alibaba', 'shopify'][1 + h(i, 10) % 4] AS p,
                    TIMESTAMPTZ '2020-01-01' + to_seconds(CAST(h(i, 11) % (5 * 365 * 86400) AS BIGINT)) AS t
             FROM range({n} // 5) t(i)) x
    """


def cohorts(n: int) -> str:
    """Four acquisition channels, 5% cancelled, 3% refunded, a commission on every marketplace
    order and monthly unlinked membership fees; n/50 buyers (200k at 10M orders)."""
    nb = max(n // 50, 1)
    return f"""
    INSERT INTO buyers (buyer_id, first_channel, first_platform)
    SELECT 'b' || i, ['marketplace', 'marketplace', 'own_site', 'referral'][1 + i % 4],
           CASE i % 4 WHEN 0 THEN 'alibaba' WHEN 1 THEN 'indiamart' END
    FROM range({nb}) t(i);
    INSERT INTO orders (order_id, platform, channel, source_order_id, buyer_id, ordered_at, status, currency,
                        gross_amount, refunded_amount, gross_amount_rc, refunded_amount_rc, batch_id, source_line)
    SELECT 'o' || i, CASE b % 4 WHEN 0 THEN 'alibaba' WHEN 1 THEN 'indiamart' ELSE 'own_site' END,
           CASE WHEN b % 4 < 2 THEN 'marketplace' WHEN b % 4 = 2 THEN 'own_site' ELSE 'referral' END,
           'o' || i, 'b' || b,
           TIMESTAMPTZ '2022-01-01 00:00:00+00' + to_days(CAST(start + u(i, 33) * (1095 - start) AS INTEGER)),
           CASE WHEN r < 0.05 THEN 'cancelled' WHEN r < 0.08 THEN 'refunded' ELSE 'completed' END,
           'USD', amount, CASE WHEN r > 0.97 THEN amount / 4 ELSE 0 END, amount,
           CASE WHEN r > 0.97 THEN amount / 4 ELSE 0 END, 1, i
    FROM (SELECT i, b, hash(b) % 1000 AS start, u(i, 31) AS r, CAST(50 + u(i, 32) * 2000 AS DECIMAL(18,4)) AS amount
          FROM (SELECT i, CAST(floor({nb} * pow(u(i, 30), 2)) AS BIGINT) AS b FROM range({n}) t(i)));
    INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id, batch_id,
                      source_line)
    SELECT 'f' || order_id, platform, ordered_at, 'commission', 'USD', gross_amount * 0.05, gross_amount * 0.05,
           order_id, 1, 1
    FROM orders WHERE channel = 'marketplace';
    INSERT INTO fees (fee_id, platform, incurred_at, fee_type, currency, amount, amount_rc, order_id, batch_id,
                      source_line)
    SELECT 'm' || p || m, p, TIMESTAMPTZ '2022-01-01 00:00:00+00' + to_months(CAST(m AS INTEGER)), 'membership',
           'USD', 250, 250, NULL, 1, 1
    FROM (VALUES ('alibaba'), ('indiamart')) v(p), range(36) t(m)
    """


GENERATORS = {"economics": economics, "cohorts": cohorts}
