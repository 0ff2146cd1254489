"""What each active buyer is likely to order next, from what the seller's other buyers bought.

Item-to-item co-purchase: for products X and Y, share(X -> Y) = buyers of X who also ordered
Y / buyers of X. A buyer's candidates are the products they have not ordered yet, scored by
the sum of share(X -> Y) over the products X they did order; the reason quotes the strongest
X ("bought X; 40% of X buyers also ordered Y").

Validated before use: every buyer with two or more products loses the product they started
ordering last; shares are recomputed without those, and the hidden product must appear in the
buyer's top `k`. If co-purchase does not find more of them than "the most popular products
they have not ordered", the popularity list is used instead, and the card says so.

Products are identified by catalogue SKU when an order line or product text matches the
catalogue (as the lead rules match inquiries), else by the product text itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import duckdb

ACTIVE_DAYS = 365  # an active buyer ordered within this many days (the CRM's at-risk threshold)
MIN_TEST_BUYERS = 20  # fewer buyers with 2+ products: co-purchase cannot be validated
MAX_PRODUCTS = 3000  # products in the pair counts (the most ordered; 3000^2 shares = 72 MB)

_PURCHASES = """
WITH o AS (
    SELECT order_id, buyer_id, ordered_at, product,
        CAST(coalesce(gross_amount_rc, 0) - coalesce(refunded_amount_rc, 0) AS DOUBLE) AS net
    FROM orders WHERE status <> 'cancelled' AND buyer_id IS NOT NULL AND ordered_at <= $as_of
),
lines AS (  -- order lines where the export has them, else the order's own product
    SELECT o.order_id, o.buyer_id, o.ordered_at, coalesce(nullif(trim(i.sku), ''), i.product) AS raw,
        o.net * coalesce(CAST(i.amount AS DOUBLE) / nullif(sum(CAST(i.amount AS DOUBLE)) OVER (PARTITION BY o.order_id), 0),
                         1.0 / count(*) OVER (PARTITION BY o.order_id)) AS value
    FROM o JOIN order_items i USING (order_id)
    UNION ALL
    SELECT o.order_id, o.buyer_id, o.ordered_at, o.product, o.net FROM o
    WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.order_id)
),
cat AS (SELECT lower(trim(sku)) AS sku, lower(trim(name)) AS name, trim(name) AS display, sku AS code
        FROM products WHERE trim(name) <> ''),
raws AS (SELECT DISTINCT lower(trim(raw)) AS k FROM lines WHERE trim(coalesce(raw, '')) <> ''),
matched AS (  -- each distinct product text matched once against the catalogue
    SELECT r.k, min(c.code) AS code, arg_min(c.display, c.code) AS display FROM raws r JOIN cat c
      ON r.k = c.sku OR r.k = c.name OR contains(r.k, c.name)
    GROUP BY r.k
),
keyed AS (
    SELECT l.buyer_id, l.order_id, l.ordered_at, l.value,
        coalesce('sku:' || m.code, lower(trim(l.raw))) AS item, coalesce(m.display, trim(l.raw)) AS display
    FROM lines l LEFT JOIN matched m ON m.k = lower(trim(l.raw))
    WHERE trim(coalesce(l.raw, '')) <> ''
)
SELECT buyer_id, item, any_value(display) AS display, min(ordered_at) AS first_at, max(ordered_at) AS last_at,
    sum(value) AS value, count(DISTINCT order_id) AS orders
FROM keyed GROUP BY buyer_id, item ORDER BY buyer_id, item
"""


@dataclass
class Recommendations:
    as_of: str
    method: str  # co-purchase | popularity | none
    reason: str
    card: dict[str, Any]
    by_buyer: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _matrix(b_idx: np.ndarray, i_idx: np.ndarray, shape: tuple[int, int]) -> Any:
    """Sparse buyer x product 0/1 matrix (a 100k-buyer store would not fit densely)."""
    from scipy.sparse import csr_matrix

    return csr_matrix((np.ones(len(b_idx)), (b_idx, i_idx)), shape=shape)


def _shares(m: Any) -> np.ndarray:
    """share[x, y] = buyers of x who also bought y / buyers of x (0 on the diagonal)."""
    co = np.asarray((m.T @ m).toarray(), dtype=float)
    n = np.diag(co).copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n[:, None] > 0, co / n[:, None], 0.0)
    np.fill_diagonal(share, 0.0)
    return share


def _top(scores: np.ndarray, owned: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best not-owned items per row (−1 where fewer remain)."""
    s = np.where(owned, -np.inf, scores)
    k = min(k, s.shape[1])
    idx = np.argpartition(-s, k - 1, axis=1)[:, :k]  # the k best, unordered (no full sort per row)
    best = np.take_along_axis(s, idx, axis=1)
    rank = np.lexsort((idx, -best), axis=1)  # best first; equal scores by product index
    idx, best = np.take_along_axis(idx, rank, axis=1), np.take_along_axis(best, rank, axis=1)
    return np.where(np.isfinite(best), idx, -1)


def _chunks(n: int, width: int) -> list[slice]:
    """Row blocks of about 4M cells, so dense per-block work stays small at any store size."""
    step = max(1, 4_000_000 // max(width, 1))
    return [slice(i, min(n, i + step)) for i in range(0, n, step)]


def _scores(m: Any, share: np.ndarray, pop: np.ndarray, rows: np.ndarray, k: int, method: str) -> np.ndarray:
    out = np.empty((len(rows), min(k, m.shape[1])), dtype=np.int64)
    for part in _chunks(len(rows), m.shape[1]):
        mr = m[rows[part]]
        owned = mr.toarray() > 0
        base = (np.broadcast_to(pop, owned.shape) if method == "popularity"
                else np.asarray(mr @ share) + 1e-9 * pop)  # popularity breaks ties
        out[part] = _top(base, owned, k)
    return out


def _holdout(b_idx: np.ndarray, i_idx: np.ndarray, first_at: np.ndarray, shape: tuple[int, int],
             k: int) -> dict[str, Any]:
    """Hit rate at k of co-purchase and of popularity on each buyer's last-started product."""
    counts = np.bincount(b_idx, minlength=shape[0])
    order = np.lexsort((first_at, b_idx))  # by buyer, then by when each product was first ordered
    last = order[np.r_[b_idx[order][1:] != b_idx[order][:-1], True]]  # each buyer's last-started pair
    held = last[counts[b_idx[last]] >= 2]
    if len(held) < MIN_TEST_BUYERS:
        return {"test_buyers": len(held), "k": k}
    keep = np.ones(len(b_idx), bool)
    keep[held] = False
    train = _matrix(b_idx[keep], i_idx[keep], shape)
    test, hidden = b_idx[held], i_idx[held]
    share, pop = _shares(train), np.asarray(train.mean(axis=0)).ravel()
    co = _scores(train, share, pop, test, k, "co-purchase")
    popular = _scores(train, share, pop, test, k, "popularity")
    return {"test_buyers": len(held), "k": k,
            "hit_rate_co_purchase": round(float((co == hidden[:, None]).any(axis=1).mean()), 4),
            "hit_rate_popularity": round(float((popular == hidden[:, None]).any(axis=1).mean()), 4)}


def recommend(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None, k: int = 5,
              active_days: int = ACTIVE_DAYS, buyers: list[str] | None = None) -> Recommendations:
    """Up to `k` products per active buyer (or per buyer in `buyers`), with the reason and a
    typical order value of each."""
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    cols = con.execute(_PURCHASES, {"as_of": as_of}).fetchnumpy()
    stamp = as_of.astimezone(UTC).isoformat()
    ids, b_idx = np.unique(cols["buyer_id"].astype(str), return_inverse=True) if len(cols["item"]) else (
        np.array([], str), np.array([], int))
    items, i_idx = np.unique(cols["item"].astype(str), return_inverse=True) if len(cols["item"]) else (
        np.array([], str), np.array([], int))
    if len(items) < 2:
        return Recommendations(stamp, "none", "fewer than two products ordered: nothing to recommend",
                               {"buyers": len(ids), "products": len(items)})
    if len(items) > MAX_PRODUCTS:  # the rarest products are left out of the pair counts
        kept = np.sort(np.argsort(-np.bincount(i_idx), kind="stable")[:MAX_PRODUCTS])
        remap = np.full(len(items), -1)
        remap[kept] = np.arange(len(kept))
        pairs = remap[i_idx] >= 0
        cols = {key: v[pairs] for key, v in cols.items()}
        b_idx, i_idx, items = b_idx[pairs], remap[i_idx[pairs]], items[kept]
    shape = (len(ids), len(items))
    m = _matrix(b_idx, i_idx, shape)
    check = _holdout(b_idx, i_idx, _epoch(cols["first_at"]), shape, k)
    card = {"buyers": len(ids), "products": len(items), "holdout": check,
            "active_days": active_days}
    if "hit_rate_co_purchase" not in check:
        method = "popularity"
        reason = (f"only {check['test_buyers']} buyers ordered two or more products (co-purchase needs "
                  f"{MIN_TEST_BUYERS} to be checked); recommending your most popular products")
    elif check["hit_rate_co_purchase"] > check["hit_rate_popularity"]:
        method = "co-purchase"
        reason = (f"co-purchase found the product each of {check['test_buyers']} buyers started ordering last "
                  f"in its top {k} for {check['hit_rate_co_purchase']:.0%} of them, the most popular products "
                  f"for {check['hit_rate_popularity']:.0%}")
    else:
        method = "popularity"
        reason = (f"co-purchase did not beat the most popular products on the holdout (hit rate at {k}: "
                  f"{check['hit_rate_co_purchase']:.0%} vs {check['hit_rate_popularity']:.0%}); recommending "
                  "the most popular products")
    card.update({"method": method, "reason": reason})
    display = {it: d for it, d in zip(cols["item"].astype(str), cols["display"].astype(str))}
    names = np.array([display[it] for it in items])
    value = _typical_value(cols, i_idx, len(items))
    last = np.full(len(ids), -np.inf)
    np.maximum.at(last, b_idx, _epoch(cols["last_at"]))
    active = (np.flatnonzero(np.isin(ids, np.asarray(buyers, dtype=str))) if buyers is not None
              else np.flatnonzero(last >= as_of.timestamp() - active_days * 86400.0))
    share, pop = _shares(m), np.asarray(m.mean(axis=0)).ravel()
    top = _scores(m, share, pop, active, k, method)
    by_buyer = _explain(m, share, pop, names, value, ids, active, top, method)
    return Recommendations(stamp, method, reason, card, by_buyer)


def _epoch(a: np.ndarray) -> np.ndarray:
    return a.astype("datetime64[us]").astype(np.int64) / 1e6


def _typical_value(cols: dict[str, np.ndarray], i_idx: np.ndarray, n: int) -> np.ndarray:
    """Median value a buyer spent on each product per order (reporting currency)."""
    per_order = np.asarray(cols["value"], float) / np.maximum(np.asarray(cols["orders"], float), 1)
    order = np.lexsort((per_order, i_idx))
    starts = np.searchsorted(i_idx[order], np.arange(n))
    ends = np.searchsorted(i_idx[order], np.arange(n), side="right")
    mid_lo, mid_hi = (starts + ends - 1) // 2, (starts + ends) // 2
    sorted_vals = per_order[order]
    return (sorted_vals[mid_lo] + sorted_vals[mid_hi]) / 2


def _explain(m: Any, share: np.ndarray, pop: np.ndarray, names: np.ndarray, value: np.ndarray,
             buyers: np.ndarray, rows: np.ndarray, top: np.ndarray, method: str) -> dict[str, list[dict[str, Any]]]:
    """The reason of each recommendation: the bought product X with the highest share(X -> Y)."""
    out: dict[str, list[dict[str, Any]]] = {}
    safe = np.where(top >= 0, top, 0)
    best_x = np.zeros_like(top)
    best_share = np.zeros(top.shape)
    if method == "co-purchase":
        for part in _chunks(len(rows), m.shape[1]):
            owned = m[rows[part]].toarray() > 0
            span = np.arange(owned.shape[0])
            for j in range(top.shape[1]):  # a handful of columns, each vectorised over buyers
                cand = np.where(owned, share[:, safe[part, j]].T, -1.0)
                best_x[part, j] = np.argmax(cand, axis=1)
                best_share[part, j] = cand[span, best_x[part, j]]
    for r, b in enumerate(rows):  # output records for the buyers listed
        recs = []
        for j, y in enumerate(top[r]):
            if y < 0:
                continue
            if method == "co-purchase" and best_share[r, j] > 0:
                x = best_x[r, j]
                text = f"bought {names[x]}; {best_share[r, j]:.0%} of {names[x]} buyers also ordered {names[y]}"
                chance, bought = float(best_share[r, j]), str(names[x])
            else:
                text = f"{pop[y]:.0%} of your buyers ordered {names[y]}"
                chance, bought = float(pop[y]), None
            recs.append({"product": str(names[y]), "reason": text, "bought": bought, "share": round(chance, 4),
                         "typical_value": round(float(value[y]), 2)})
        if recs:
            out[str(buyers[b])] = recs
    return out
