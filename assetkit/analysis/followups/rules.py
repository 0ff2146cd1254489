"""Follow-up rules: the YAML vocabulary, loaded and validated.

Rules are data (assetkit/data/followup_rules.yaml ships a commented default) so a seller can
change thresholds without code. Like the lead rules, every validation error names the file
and the rule, because the file is edited by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assetkit.analysis.lead_rules import ID_RE, is_number, rule_label
from assetkit.errors import ConfigError

# trigger -> {parameter: default}
TRIGGERS: dict[str, dict[str, float]] = {
    "unanswered_inquiry": {"hours": 24, "max_days": 30},
    "quote_no_order": {"days": 7, "max_days": 90},
    "overdue_repeat": {"factor": 1.5, "min_orders": 3, "max_factor": 6},
    "clv_at_risk": {"top_share": 0.2, "max_p_alive": 0.5},
    "migration_invite": {"min_orders": 1, "min_fee_saved": 0},
    "first_order_thanks": {"after_days": 1, "within_days": 14},
}
_SHARES = {"top_share", "max_p_alive"}
_COMMON = {"id", "trigger", "template", "enabled", "description", "limit"}


@dataclass(frozen=True)
class FollowUpRule:
    id: str
    trigger: str
    params: Mapping[str, float]
    template: str
    limit: int | None = None  # at most this many actions of the rule per run, most valuable first

    def __getitem__(self, key: str) -> float:
        return self.params[key]


@dataclass(frozen=True)
class FollowUpRules:
    source: str
    rules: tuple[FollowUpRule, ...]
    priority_high: float = 2.0
    priority_medium: float = 0.5
    relay_domains: tuple[str, ...] = ()
    languages: Mapping[str, str] = field(default_factory=dict)  # country -> language


def _rule(raw: Any, index: int, where: str, seen: set[str]) -> FollowUpRule | None:
    rule_id, label = rule_label(raw, index, where, seen, "id and trigger")
    trigger = raw.get("trigger")
    if trigger not in TRIGGERS:
        raise ConfigError(f"{label}: trigger must be one of {', '.join(TRIGGERS)}, got {trigger!r}")
    defaults = TRIGGERS[trigger]
    unknown = set(raw) - _COMMON - set(defaults)
    if unknown:
        raise ConfigError(f"{label}: unknown key(s) {', '.join(sorted(map(str, unknown)))} for trigger {trigger}",
                          hint=f"{trigger} takes {', '.join(sorted(set(defaults) | _COMMON))}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{label}: enabled must be true or false")
    params: dict[str, float] = {}
    for key, default in defaults.items():
        value = raw.get(key, default)
        if not is_number(value) or value < 0:
            raise ConfigError(f"{label}: {key} must be a number >= 0, got {value!r}")
        if key in _SHARES and not 0 < value <= 1:
            raise ConfigError(f"{label}: {key} must be a share in (0, 1], got {value!r}",
                              hint="write 0.2 for 20 %")
        params[key] = float(value)
    ordered = {"unanswered_inquiry": ("hours", "max_days", 24.0), "quote_no_order": ("days", "max_days", 1.0),
               "overdue_repeat": ("factor", "max_factor", 1.0),
               "first_order_thanks": ("after_days", "within_days", 1.0)}.get(trigger)
    if ordered and params[ordered[1]] * ordered[2] <= params[ordered[0]]:
        raise ConfigError(f"{label}: {ordered[1]} ({params[ordered[1]]:g}) must be above {ordered[0]} "
                          f"({params[ordered[0]]:g})")
    if trigger == "overdue_repeat" and params["min_orders"] < 2:
        raise ConfigError(f"{label}: min_orders must be at least 2 (a rhythm needs one gap between orders)")
    template = raw.get("template", trigger)
    if not isinstance(template, str) or not ID_RE.match(template):
        raise ConfigError(f"{label}: template must be a lower_snake_case name, got {template!r}")
    limit = raw.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ConfigError(f"{label}: limit must be a whole number >= 1, got {limit!r}")
    return FollowUpRule(rule_id, trigger, params, template, limit) if enabled else None


def parse_rules(data: Any, where: str) -> FollowUpRules:
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list) or not data["rules"]:
        raise ConfigError(f"{where}: expected a mapping with a non-empty `rules:` list")
    seen: set[str] = set()
    rules = tuple(r for i, raw in enumerate(data["rules"]) if (r := _rule(raw, i, where, seen)) is not None)
    prio = data.get("priority") or {}
    high, medium = prio.get("high", 2.0), prio.get("medium", 0.5)
    if not (is_number(high) and is_number(medium) and 0 <= medium <= high):
        raise ConfigError(f"{where}: priority needs numbers high >= medium >= 0, got {prio!r}")
    relay = data.get("relay_domains") or []
    if not isinstance(relay, list) or not all(isinstance(d, str) for d in relay):
        raise ConfigError(f"{where}: relay_domains must be a list of domains")
    languages: dict[str, str] = {}
    for lang, countries in (data.get("languages") or {}).items():
        if not isinstance(lang, str) or not isinstance(countries, list) or not all(
                isinstance(c, str) and len(c) == 2 for c in countries):
            raise ConfigError(f"{where}: languages.{lang} must be a list of two-letter country codes")
        languages.update({c.upper(): lang.lower() for c in countries})
    return FollowUpRules(where, rules, float(high), float(medium),
                         tuple(d.lower().strip() for d in relay), languages)


def load_rules(path: str | Path | None = None) -> FollowUpRules:
    """Read and validate a rules file; None means the shipped default."""
    from assetkit.yamlfile import load_yaml

    data, where = load_yaml(path, "followup_rules.yaml", "follow-up rules")
    return parse_rules(data, where)
