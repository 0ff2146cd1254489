"""Platform rules on moving a buyer off the platform, as data (assetkit/data/platform_rules.yaml).

Upwork charges a Conversion Fee for taking a client met there off-platform in the first 24
months; eBay, Amazon and Etsy forbid using the platform to divert buyers. Migration lists
(segments), follow-up drafts, the CRM file and the scenario read the rules from here, so a
rule that changes is one edit of the YAML, not of four modules.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources

import yaml

RULES = ("conversion_fee", "forbidden")


@dataclass(frozen=True)
class PlatformRule:
    platform: str
    rule: str  # conversion_fee | forbidden
    months: int | None  # from the start of the relationship; None = for as long as it lasts
    summary: str
    sources: tuple[str, ...]
    fee_share_of_annual_revenue: float = 0.0
    effective_from: dt.date | None = None
    consequence: str = ""

    def applies(self, relationship_start: dt.date | None, on: dt.date) -> bool:
        """Whether a relationship that began on `relationship_start` is still restricted on `on`."""
        if self.effective_from is not None and on < self.effective_from:
            return False
        if self.months is None or relationship_start is None:
            return True
        return (on - relationship_start).days < self.months * 30.4375

    def label(self) -> str:
        """A short flag for tables and the CRM file."""
        span = f" for {self.months} months" if self.months else ""
        if self.rule == "conversion_fee":
            return f"{self.platform}: conversion fee{span} ({self.fee_share_of_annual_revenue:.0%} of a year's revenue)"
        return f"{self.platform}: moving buyers off-platform forbidden{span}"


@functools.lru_cache(maxsize=1)
def rules() -> dict[str, PlatformRule]:
    """platform -> its rule, from the shipped YAML (validated)."""
    text = resources.files("assetkit.data").joinpath("platform_rules.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)["platforms"]
    out = {}
    for platform, spec in data.items():
        if spec["rule"] not in RULES:
            raise ValueError(f"platform_rules.yaml: {platform}: unknown rule {spec['rule']!r}")
        out[platform] = PlatformRule(
            platform=platform, rule=spec["rule"], months=spec.get("months"), summary=spec["summary"],
            sources=tuple(spec["sources"]), fee_share_of_annual_revenue=float(spec.get("fee_share_of_annual_revenue") or 0),
            effective_from=spec.get("effective_from"), consequence=spec.get("consequence", ""))
    return out


def rule_for(platform: str | None) -> PlatformRule | None:
    return rules().get((platform or "").lower())


def restriction(platform: str | None, relationship_start: dt.date | None, on: dt.date) -> PlatformRule | None:
    """The rule that restricts moving this buyer off `platform` on `on`, or None."""
    rule = rule_for(platform)
    return rule if rule is not None and rule.applies(relationship_start, on) else None
