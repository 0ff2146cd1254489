"""The definitions behind `assetkit cohorts`, resolved once and recorded in every result.

Recurring-revenue numbers are only comparable when their definitions are known: ChartMogul,
Baremetrics and Stripe disagree on the churn denominator and on whether reactivated revenue
counts towards net revenue retention (docs/metrics.md). A `CohortSpec` fixes every
such choice; it is built from (lowest to highest priority) the assetkit defaults, a named preset
from presets.yaml, the `cohorts:` section of assetkit.yaml, and explicit arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from assetkit.errors import ConfigError, UsageError

PERIODS = ("month", "quarter")
CHURN_DENOMINATORS = ("start", "start_plus_new")
UNLINKED_FEE_RULES = ("exclude", "pro_rata_month")


@lru_cache(maxsize=1)
def presets() -> dict[str, dict[str, Any]]:
    """The named definition presets shipped as data (presets.yaml)."""
    import yaml

    text = resources.files("assetkit.analysis.recurring").joinpath("presets.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class CohortSpec:
    """Every definitional choice of a cohorts/recurring-revenue run (see docs/metrics.md)."""

    preset: str = "assetkit"
    period: str = "month"
    churn_k: float = 2.0
    window_months: int = 12
    fallback_gap_days: float | None = None
    churn_denominator: str = "start"
    reactivation_in_nrr: bool = True
    reactivation_window_months: int | None = None
    nrr_horizon_months: int = 12
    unlinked_fees: str = "exclude"
    min_cohort_size: int = 10

    def validate(self) -> CohortSpec:
        """Reject impossible values with a message naming the option (exit 2)."""
        checks = (
            (self.period in PERIODS, f"period must be one of {', '.join(PERIODS)}, not {self.period!r}"),
            (self.churn_k > 0, f"churn_k must be positive, not {self.churn_k}"),
            (self.window_months >= 1, f"window_months must be at least 1, not {self.window_months}"),
            (self.fallback_gap_days is None or self.fallback_gap_days > 0,
             f"fallback_gap_days must be positive, not {self.fallback_gap_days}"),
            (self.churn_denominator in CHURN_DENOMINATORS,
             f"churn_denominator must be one of {', '.join(CHURN_DENOMINATORS)}, not {self.churn_denominator!r}"),
            (self.reactivation_window_months is None or self.reactivation_window_months >= 1,
             f"reactivation_window_months must be at least 1, not {self.reactivation_window_months}"),
            (self.nrr_horizon_months >= 1, f"nrr_horizon_months must be at least 1, not {self.nrr_horizon_months}"),
            (self.unlinked_fees in UNLINKED_FEE_RULES,
             f"unlinked_fees must be one of {', '.join(UNLINKED_FEE_RULES)}, not {self.unlinked_fees!r}"),
            (self.min_cohort_size >= 1, f"min_cohort_size must be at least 1, not {self.min_cohort_size}"),
        )
        for ok, message in checks:
            if not ok:
                raise UsageError(message, hint="see docs/metrics.md, section 'Cohorts and recurring revenue'")
        return self

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["preset_description"] = presets()[self.preset]["description"]
        return out


_FIELDS = {f.name: f for f in fields(CohortSpec)}
_CASTS: dict[str, Any] = {
    "churn_k": float, "window_months": int, "fallback_gap_days": float, "nrr_horizon_months": int,
    "reactivation_window_months": int, "min_cohort_size": int, "reactivation_in_nrr": bool,
}


def _coerce(name: str, value: Any, origin: str) -> Any:
    if name not in _FIELDS or name == "preset":
        raise ConfigError(f"{origin}: unknown cohorts option {name!r}",
                          hint=f"known options: {', '.join(n for n in _FIELDS if n != 'preset')}")
    if value is None or name not in _CASTS:
        return value
    if _CASTS[name] is bool and not isinstance(value, bool):
        raise ConfigError(f"{origin}: {name} must be true or false, not {value!r}")
    try:
        return _CASTS[name](value)
    except (TypeError, ValueError):
        raise ConfigError(f"{origin}: {name} must be a number, not {value!r}") from None


def resolve_spec(section: Mapping[str, Any] | None = None, preset: str | None = None,
                 **overrides: Any) -> CohortSpec:
    """Defaults < preset < config section < explicit overrides (None means 'not given')."""
    section = dict(section or {})
    name = preset or section.pop("preset", None) or "assetkit"
    section.pop("preset", None)
    if name not in presets():
        raise UsageError(f"unknown cohorts preset {name!r}", hint=f"choose one of {', '.join(presets())}")
    values = {k: v for k, v in presets()[name].items() if k != "description"}
    values.update({k: _coerce(k, v, "assetkit.yaml cohorts") for k, v in section.items()})
    values.update({k: _coerce(k, v, "argument") for k, v in overrides.items() if v is not None})
    return replace(CohortSpec(preset=name), **values).validate()
