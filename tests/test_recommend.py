"""Recommendations: co-purchase beats popularity where baskets have structure (and is used),
popularity is kept where they do not, reasons quote the numbers, and follow-up drafts carry them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assetkit.analysis.recommend import recommend
from tests.helpers.learning import AS_OF, GROUPS, POPULAR, basket_store

RULES = """version: 1
rules:
  - {id: thank_first_order, trigger: first_order_thanks, after_days: 1, within_days: 14}
"""


@pytest.fixture(scope="module")
def baskets(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("baskets") / "db.duckdb"
    basket_store(path).close()
    return path


def test_co_purchase_beats_popularity_and_is_used(baskets: Path) -> None:
    from assetkit.store import open_store

    with open_store(baskets) as store:
        recs = recommend(store.con, AS_OF)
    hold = recs.card["holdout"]
    assert recs.method == "co-purchase"
    assert hold["test_buyers"] >= 300 and hold["hit_rate_co_purchase"] > hold["hit_rate_popularity"] + 0.3
    group_of = {item: g for g, items in GROUPS.items() for item in items}
    for items in list(recs.by_buyer.values())[:50]:
        top = items[0]
        # the best suggestion comes from the buyer's own group, explained by a product they bought
        assert top["product"] in group_of and top["bought"] in group_of
        assert group_of[top["product"]] == group_of[top["bought"]]
        assert top["reason"].startswith(f"bought {top['bought']}; ") and f"buyers also ordered {top['product']}" in top["reason"]


def test_without_structure_popularity_stays(tmp_path: Path) -> None:
    """Everyone buys the same popular product plus one random other: nothing to learn from pairs."""
    import numpy as np

    from tests.helpers.learning import insert_columns
    from tests.helpers.site import fresh_store

    rng = np.random.default_rng(5)
    items = [f"Item {k}" for k in range(30)]
    rows = {"order_id": [], "buyer_id": [], "product": []}
    for b in range(300):
        for k, item in enumerate([POPULAR, items[int(rng.integers(0, 30))]]):
            rows["order_id"].append(f"o{b}-{k}")
            rows["buyer_id"].append(f"b{b}")
            rows["product"].append(item)
    n = len(rows["order_id"])
    with fresh_store(tmp_path / "db.duckdb") as store:
        insert_columns(store.con, "orders", {**rows, "ordered_at": [AS_OF.replace(month=6, day=1 + i % 28) for i in range(n)],
                                      "platform": "shopify", "channel": "own_site", "source_order_id": rows["order_id"],
                                      "status": "completed", "currency": "USD", "gross_amount": 10.0,
                                      "batch_id": 1, "source_line": list(range(1, n + 1))})
        recs = recommend(store.con, AS_OF)
    assert recs.method == "popularity" and "did not beat" in recs.reason
    first = next(iter(recs.by_buyer.values()))[0]
    assert first["bought"] is None and "of your buyers ordered" in first["reason"]


def test_first_order_thanks_draft_carries_recommendations(baskets: Path, tmp_path: Path) -> None:
    import shutil
    from datetime import timedelta

    from assetkit.analysis.followups import due_actions
    from assetkit.config import Config
    from assetkit.store import open_store
    from tests.helpers.learning import insert_columns

    db = tmp_path / "db.duckdb"
    shutil.copyfile(baskets, db)
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    with open_store(db) as store:
        insert_columns(store.con, "buyers", {"buyer_id": ["new"], "name": ["Nora"], "email": ["nora@firm.example"]})
        insert_columns(store.con, "orders", {"order_id": ["o-new"], "buyer_id": ["new"], "product": ["Bolt"],
                                      "ordered_at": [AS_OF - timedelta(days=5)], "platform": "shopify",
                                      "channel": "own_site", "source_order_id": ["o-new"], "status": "completed",
                                      "currency": "USD", "gross_amount": 100.0, "gross_amount_rc": [100.0],
                                      "batch_id": 1, "source_line": [9999]})
        due = due_actions(store.con, Config(), rules_path=rules, as_of=AS_OF)
    action = next(a for a in due.actions if a.buyer_id == "new")
    top = action.recommendations[0]
    assert top["product"] in GROUPS["B"] and top["bought"] == "Bolt"
    assert f"- {top['product']} (often ordered with Bolt)" in action.body
    assert action.numbers["cross_sell_value"] == pytest.approx(top["share"] * top["typical_value"] * 0.35)
    assert "could also order" in action.reason
    assert top["product"] in action.csv_row()[-1]
