"""A pipeline folder over good sample exports, for the `assetkit run`, reliability and hostile-input tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers.paths import SAMPLES

GOOD = ("etsy_sold_orders.csv", "shopify_orders.csv", "upwork_transactions_v2.csv", "indiamart_leads_api_v2.json")


def make_pipeline(root: Path, with_outputs: bool = True) -> Path:
    """A pipeline over an inbox holding the GOOD samples; without outputs it only imports."""
    (root / "inbox").mkdir(parents=True, exist_ok=True)
    for name in GOOD:
        shutil.copy(SAMPLES / name, root / "inbox" / name)
    path = root / "pipeline.yaml"
    outputs = ("outputs:\n  dir: out/\n  report: {formats: [html, json]}\n  tables: {dir: out/tables, format: csv}\n"
               if with_outputs else "outputs: {report: {formats: []}}\n")
    path.write_text("database: assetkit.duckdb\ninbox: [inbox/]\n" + outputs, encoding="utf-8")
    return path
