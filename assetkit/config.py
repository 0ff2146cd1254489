"""assetkit.yaml: the seller's settings, validated with messages that name the key.

Precedence for every setting is: command-line option > environment variable > this file >
built-in default. The file is optional; `assetkit init` writes a commented one. Sections owned
by other parts of assetkit (site, leads, scenario …) are kept as plain dicts and read through
`Config.section(name)`, so each module validates its own keys.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetkit.errors import ConfigError

FEE_TYPES = (
    "commission", "payment", "listing", "membership", "advertising",
    "fulfilment", "service", "other",
)
PERIODS = ("month", "quarter", "year")
CHANNELS = ("marketplace", "own_site", "referral", "exhibition", "social", "email", "direct", "other")
SECTIONS = (
    "site", "crm", "leads", "scenario", "fees", "funnel", "cohorts", "clv", "follow_ups", "plan", "report",
)
TOP_LEVEL_KEYS = (
    "business", "reporting_currency", "gross_margin", "discount_rate", "recurring_fees",
    "target_markets", "database",
) + SECTIONS
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class RecurringFee:
    """A fee no export shows (annual membership, booth), spread evenly over its period."""

    platform: str
    fee_type: str
    amount: float
    currency: str
    period: str
    start: dt.date
    end: dt.date | None = None
    description: str = ""


@dataclass(frozen=True)
class Config:
    business_name: str = "My business"
    reporting_currency: str = "USD"
    gross_margin: float = 0.35
    discount_rate: float = 0.10
    recurring_fees: tuple[RecurringFee, ...] = ()
    target_markets: tuple[str, ...] = ()
    database: str | None = None
    # `fees: {reclaim_tax_on_fees: true}`: a VAT-registered seller reclaims the VAT/GST a
    # platform charges on its own fees, so it is not a cost for them (docs/metrics.md).
    reclaim_tax_on_fees: bool = False
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def section(self, name: str) -> dict[str, Any]:
        """A sub-section of the file (e.g. `site`), empty when absent."""
        value = self.raw.get(name) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"{self._where()}: '{name}' must be a mapping of keys to values",
                              hint=f"see `assetkit init` for an example of the '{name}' section")
        return value

    def _where(self) -> str:
        return str(self.path) if self.path else "configuration"


def load_config(path: Path | None) -> Config:
    """Read and validate `path`; None gives the defaults."""
    if path is None:
        return Config()
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist",
                          hint="create one with `assetkit init`, or drop --config / ASSETKIT_CONFIG") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}",
                          hint="check indentation and quoting; `assetkit init --force` writes a fresh example") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys to values")
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    where = str(path) if path else "configuration"
    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}'",
                          hint="allowed top-level keys: " + ", ".join(TOP_LEVEL_KEYS))
    business = data.get("business") or {}
    if not isinstance(business, dict):
        raise ConfigError(f"{where}: 'business' must be a mapping with a 'name'")
    currency = str(data.get("reporting_currency", "USD")).upper()
    if not _CURRENCY.match(currency):
        raise ConfigError(f"{where}: 'reporting_currency' is {data.get('reporting_currency')!r}",
                          hint="use a three-letter ISO 4217 code such as USD, EUR, GBP, INR, CNY")
    gross_margin = _fraction(data, "gross_margin", 0.35, where, low=0.0, high=1.0, low_open=True)
    discount_rate = _fraction(data, "discount_rate", 0.10, where, low=0.0, high=1.0, high_open=True)
    fees = tuple(_recurring_fee(item, i, where) for i, item in enumerate(data.get("recurring_fees") or []))
    markets = data.get("target_markets") or []
    if not isinstance(markets, list) or not all(isinstance(m, str) and len(m) == 2 for m in markets):
        raise ConfigError(f"{where}: 'target_markets' must be a list of two-letter country codes",
                          hint="for example: target_markets: [US, DE, AE]")
    database = data.get("database")
    fees_section = data.get("fees") or {}
    reclaim = fees_section.get("reclaim_tax_on_fees", False) if isinstance(fees_section, dict) else False
    if not isinstance(reclaim, bool):
        raise ConfigError(f"{where}: 'fees.reclaim_tax_on_fees' is {reclaim!r}",
                          hint="true if you are VAT-registered and reclaim the VAT platforms charge on their fees, else false")
    return Config(
        business_name=str(business.get("name") or "My business"),
        reporting_currency=currency,
        gross_margin=gross_margin,
        discount_rate=discount_rate,
        recurring_fees=fees,
        target_markets=tuple(m.upper() for m in markets),
        database=str(database) if database else None,
        reclaim_tax_on_fees=reclaim,
        path=path,
        raw=data,
    )


def _fraction(data: dict[str, Any], key: str, default: float, where: str, *, low: float, high: float,
              low_open: bool = False, high_open: bool = False) -> float:
    value = data.get(key, default)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            value = float(value.strip()[:-1]) / 100
        except ValueError:
            pass
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok:
        ok = (value > low if low_open else value >= low) and (value < high if high_open else value <= high)
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ConfigError(f"{where}: '{key}' is {value!r}",
                          hint=f"use a fraction in {lo}{low:g}, {high:g}{hi}, e.g. {default} (or '{default * 100:g}%')")
    return float(value)


def _recurring_fee(item: Any, index: int, where: str) -> RecurringFee:
    key = f"recurring_fees[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: '{key}' must be a mapping with platform, fee_type, amount, currency, period, start")
    missing = [k for k in ("platform", "amount", "period", "start") if k not in item]
    if missing:
        raise ConfigError(f"{where}: '{key}' lacks '{missing[0]}'",
                          hint="each recurring fee needs platform, amount, period (month|quarter|year) and start (YYYY-MM-DD)")
    fee_type = str(item.get("fee_type", "membership"))
    if fee_type not in FEE_TYPES:
        raise ConfigError(f"{where}: '{key}.fee_type' is {fee_type!r}", hint="allowed: " + ", ".join(FEE_TYPES))
    period = str(item["period"])
    if period not in PERIODS:
        raise ConfigError(f"{where}: '{key}.period' is {period!r}", hint="allowed: " + ", ".join(PERIODS))
    amount = item["amount"]
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0:
        raise ConfigError(f"{where}: '{key}.amount' is {amount!r}", hint="use a positive number in the fee's currency")
    currency = str(item.get("currency", "USD")).upper()
    if not _CURRENCY.match(currency):
        raise ConfigError(f"{where}: '{key}.currency' is {item.get('currency')!r}", hint="use a three-letter ISO code")
    start = _date(item["start"], f"{key}.start", where)
    end = _date(item["end"], f"{key}.end", where) if item.get("end") else None
    if end is not None and end < start:
        raise ConfigError(f"{where}: '{key}.end' is before its start")
    return RecurringFee(str(item["platform"]).lower(), fee_type, float(amount), currency, period, start, end,
                        str(item.get("description", "")))


def _date(value: Any, key: str, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: '{key}' is {value!r}", hint="write dates as YYYY-MM-DD") from None
