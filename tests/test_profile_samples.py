"""A new marketplace is one profile, one sample and its golden result (docs/development.md):
this fails when a shipped profile has no golden sample and is not checked another way.

Golden samples are tests/samples/* (tests/golden/*.json, tests/test_import_golden.py) and the
analytics and RFQ files (tests/data/analytics/golden/, tests/test_site_signals.py); each golden
file records the profile that read its sample.
"""

from __future__ import annotations

import json

from assetkit.importers.registry import builtin_profiles
from tests.helpers.paths import REPO

# Profiles checked by other means than a golden file, and where.
CHECKED_ELSEWHERE = {
    "ebay_transactions": "tests/test_import_ebay_transactions.py: against eBay's arithmetic, computed independently",
    "generic_fees": "the generic formats: written by tests/helpers/economics.py and the demo, checked by their tests",
    "generic_inquiries": "the generic formats (as generic_fees)",
    "generic_orders": "the generic formats (as generic_fees)",
    "generic_products": "the generic formats (as generic_fees)",
    "generic_spend": "the generic formats (as generic_fees)",
}


def _golden_profiles() -> set[str]:
    found = {json.loads(p.read_text(encoding="utf-8"))["result"]["profile"]
             for p in (REPO / "tests" / "golden").glob("*.json")}
    analytics = json.loads((REPO / "tests" / "data" / "analytics" / "golden" / "analytics_import.json")
                           .read_text(encoding="utf-8"))
    return found | {f["profile"] for f in analytics["files"].values()}


def test_every_shipped_profile_has_a_golden_sample() -> None:
    shipped = {p.name for p in builtin_profiles()}
    missing = sorted(shipped - _golden_profiles() - set(CHECKED_ELSEWHERE))
    assert not missing, (f"profiles without a golden sample: {missing}; add tests/samples/<name>.<ext> and run "
                         "pytest --regen tests/test_import_golden.py (docs/development.md)")


def test_the_exceptions_are_shipped_profiles_without_a_golden_sample() -> None:
    shipped = {p.name for p in builtin_profiles()}
    assert set(CHECKED_ELSEWHERE) <= shipped
    assert not set(CHECKED_ELSEWHERE) & _golden_profiles(), "a profile listed as checked elsewhere now has a golden sample"
