"""Lead scoring rules: the YAML vocabulary, loaded and validated.

Rules are data (assetkit/data/lead_rules.yaml ships a commented default) so a seller can tune
points without code. Every validation error names the file and the rule (`rule 'spam_markers'
(#22)`) and says what was expected, because a scoring file is edited by hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assetkit.errors import ConfigError

SIGNALS = ("business_email", "free_mail", "no_contact", "target_market", "existing_customer",
           "repeat_inquirer", "product_in_catalogue", "product_not_in_catalogue",
           "quantity_at_or_above_moq", "quantity_below_moq", "answered", "unanswered")
METRICS = ("message_length", "quantity", "quantity_to_moq", "response_hours", "days_open",
           "days_unanswered", "prior_orders", "prior_inquiries")
TEXT_FIELDS = ("text", "message", "subject", "product", "email")
TYPES = ("flag", "text", "threshold")
_KEYS = {"flag": {"signal"}, "text": {"patterns", "field"}, "threshold": {"metric", "min", "max"}}
_COMMON = {"id", "type", "points", "disqualify", "description"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Rule:
    id: str
    type: str
    points: float
    signal: str = ""
    patterns: tuple[str, ...] = ()
    field: str = "text"
    metric: str = ""
    min: float | None = None
    max: float | None = None
    disqualify: bool = False


@dataclass(frozen=True)
class Grade:
    grade: str
    min_score: float
    action: str


@dataclass(frozen=True)
class RuleSet:
    source: str
    version: int
    rules: tuple[Rule, ...]
    grades: tuple[Grade, ...]
    free_mail_domains: tuple[str, ...]
    disqualified_action: str
    unanswered_prefix: str


def is_number(value: Any) -> bool:
    """A finite int or float (YAML booleans are ints in Python, and are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def rule_label(raw: Any, index: int, where: str, seen: set[str], needs: str) -> tuple[str, str]:
    """Check a rule's `id` (lower_snake_case, unique in the file); return (id, label for messages).

    Shared by lead rules and follow-up rules so both files follow one grammar and one wording.
    """
    label = f"{where}: rule #{index + 1}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{label} must be a mapping with {needs}")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not ID_RE.match(rule_id):
        raise ConfigError(f"{label}: id must be lower_snake_case text, got {rule_id!r}")
    label = f"{where}: rule {rule_id!r} (#{index + 1})"
    if rule_id in seen:
        raise ConfigError(f"{label}: the id is used twice")
    seen.add(rule_id)
    return rule_id, label


def _rule(raw: Any, index: int, where: str, seen: set[str]) -> Rule:
    rule_id, label = rule_label(raw, index, where, seen, "id, type and points")
    kind = raw.get("type")
    if kind not in TYPES:
        raise ConfigError(f"{label}: type must be one of {', '.join(TYPES)}, got {kind!r}")
    unknown = set(raw) - _COMMON - _KEYS[kind]
    if unknown:
        raise ConfigError(f"{label}: unknown key(s) {', '.join(sorted(map(str, unknown)))} for a {kind} rule",
                          hint=f"a {kind} rule takes {', '.join(sorted(_KEYS[kind] | _COMMON))}")
    if not is_number(raw.get("points")):
        raise ConfigError(f"{label}: points must be a number, got {raw.get('points')!r}")
    if not isinstance(raw.get("disqualify", False), bool):
        raise ConfigError(f"{label}: disqualify must be true or false")
    common = {"id": rule_id, "type": kind, "points": float(raw["points"]),
              "disqualify": raw.get("disqualify", False)}
    if kind == "flag":
        if raw.get("signal") not in SIGNALS:
            raise ConfigError(f"{label}: signal must be one of {', '.join(SIGNALS)}, got {raw.get('signal')!r}")
        return Rule(signal=raw["signal"], **common)
    if kind == "text":
        patterns = raw.get("patterns")
        if isinstance(patterns, str):
            patterns = [patterns]
        if not patterns or not all(isinstance(p, str) and p for p in patterns):
            raise ConfigError(f"{label}: patterns must be a non-empty list of regular expressions")
        field = raw.get("field", "text")
        if field not in TEXT_FIELDS:
            raise ConfigError(f"{label}: field must be one of {', '.join(TEXT_FIELDS)}, got {field!r}")
        return Rule(patterns=tuple(patterns), field=field, **common)
    metric = raw.get("metric")
    if metric not in METRICS:
        raise ConfigError(f"{label}: metric must be one of {', '.join(METRICS)}, got {metric!r}")
    low, high = raw.get("min"), raw.get("max")
    if low is None and high is None:
        raise ConfigError(f"{label}: a threshold rule needs min, max or both")
    for key, value in (("min", low), ("max", high)):
        if value is not None and not is_number(value):
            raise ConfigError(f"{label}: {key} must be a number, got {value!r}")
    if low is not None and high is not None and low >= high:
        raise ConfigError(f"{label}: min ({low}) must be below max ({high})")
    return Rule(metric=metric, min=low, max=high, **common)


def parse_rules(data: Any, where: str) -> RuleSet:
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list) or not data["rules"]:
        raise ConfigError(f"{where}: expected a mapping with a non-empty `rules:` list")
    seen: set[str] = set()
    rules = tuple(_rule(raw, i, where, seen) for i, raw in enumerate(data["rules"]))
    grades_raw = data.get("grades") or [{"grade": "A", "min_score": 50, "action": "Call today"},
                                        {"grade": "B", "min_score": 25, "action": "Quote within 24 hours"},
                                        {"grade": "C", "min_score": -1e9, "action": "Standard reply"}]
    grades = []
    for i, g in enumerate(grades_raw):
        if not (isinstance(g, Mapping) and isinstance(g.get("grade"), str) and is_number(g.get("min_score"))
                and isinstance(g.get("action"), str)):
            raise ConfigError(f"{where}: grades[{i}] needs grade (text), min_score (number) and action (text)")
        grades.append(Grade(g["grade"], float(g["min_score"]), g["action"]))
    grades.sort(key=lambda g: -g.min_score)
    domains = data.get("free_mail_domains") or []
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise ConfigError(f"{where}: free_mail_domains must be a list of domains")
    version = data.get("version", 1)
    if not isinstance(version, int):
        raise ConfigError(f"{where}: version must be a whole number")
    return RuleSet(where, version, rules, tuple(grades), tuple(d.lower().strip() for d in domains),
                   str(data.get("disqualified_action", "Do not quote: disqualified")),
                   str(data.get("unanswered_prefix", "")))


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and validate a rules file; None means the shipped default."""
    from assetkit.yamlfile import load_yaml

    data, where = load_yaml(path, "lead_rules.yaml", "lead rules")
    return parse_rules(data, where)
