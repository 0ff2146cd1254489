"""The fee data files shipped in assetkit/data: fee-type categories and published schedules.

Platforms change their rates often, so rates and category names are data with dates and
source URLs (assetkit/data/fee_schedules.yaml, fee_types.yaml), never constants in code.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from typing import Any

import yaml

CATEGORIES = ("commission", "payment", "listing", "membership", "advertising", "fulfilment",
              "service", "other")
CHECKED_CATEGORIES = ("commission", "service")


def _load(name: str) -> dict[str, Any]:
    text = resources.files("assetkit.data").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@functools.lru_cache(maxsize=1)
def fee_types() -> dict[str, dict[str, Any]]:
    """category -> {fixed: bool, aliases: [...]}, in report order."""
    data = _load("fee_types.yaml")["categories"]
    unknown = set(data) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"fee_types.yaml: unknown categories {sorted(unknown)}")
    return {name: data[name] for name in CATEGORIES}


def alias_rows() -> list[tuple[str, str, bool]]:
    """(normalised fee_type, category, fixed) rows for a SQL mapping table."""
    return [(alias, cat, bool(spec.get("fixed")))
            for cat, spec in fee_types().items() for alias in spec["aliases"]]


def normalise_fee_type(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_")


def category_of(fee_type: str) -> str:
    """The report category of a fee_type value (`other` when unknown)."""
    key = normalise_fee_type(fee_type)
    for alias, cat, _fixed in alias_rows():
        if alias == key:
            return cat
    return "other"


def is_fixed(category: str) -> bool:
    return bool(fee_types()[category].get("fixed"))


@functools.lru_cache(maxsize=1)
def schedules() -> tuple[dict[str, Any], ...]:
    data = _load("fee_schedules.yaml")
    for entry in data["schedules"]:
        if not entry.get("source"):
            raise ValueError(f"fee_schedules.yaml: {entry['platform']} entry has no source URL")
    return tuple(data["schedules"])


def _in_effect(entry: dict[str, Any], on: dt.date) -> bool:
    start, end = entry.get("effective_from"), entry.get("effective_to")
    return (start is None or start <= on) and (end is None or on <= end)


def published_rate_range(platform: str, category: str, on: dt.date) -> tuple[float, float, str] | None:
    """(lowest, highest, source URL) of the published percentage rates of `category` on
    `platform` in effect on `on`; None when assetkit knows no such rate."""
    rates: list[float] = []
    source = ""
    for entry in schedules():
        if entry["platform"] != platform.lower() or not _in_effect(entry, on):
            continue
        for fee in entry["fees"]:
            if category_of(fee["fee_type"]) != category:
                continue
            for key in ("rate", "rate_min", "rate_max"):
                if fee.get(key) is not None:
                    rates.append(float(fee[key]))
                    source = entry["source"]
    if not rates:
        return None
    return min(rates), max(rates), source


def published_plans(platform: str, on: dt.date) -> list[dict[str, Any]]:
    """The recurring plans (per month/quarter/year) `platform` publishes, in effect on `on`."""
    return [{"name": fee["name"], "amount": fee["fixed"], "currency": fee["currency"],
             "period": fee["per"], "source": entry["source"]}
            for entry in schedules() if entry["platform"] == platform.lower() and _in_effect(entry, on)
            for fee in entry["fees"] if fee.get("plan") and fee.get("per") in ("month", "quarter", "year")]
