"""Budget-shift scenarios: what moving part of the platform ad budget to owned channels does.

Public API (pure functions; the engine needs no database):
    build_baseline(con, config, as_of=None) -> Baseline
    load_assumptions(path | None, overrides, config=None) -> Assumptions
    run_scenario(baseline, assumptions, months=36, runs=1000, seed=0) -> ScenarioResult
    compare_shifts(baseline, assumptions, shifts, months, runs, seed) -> Comparison
    sensitivity(baseline, assumptions, months) -> Sensitivity
    scenario_report(con, config, ...) -> ScenarioReport   (everything the CLI shows, one call)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assetkit.analysis.scenario.assumptions import Assumptions, Dist, load_assumptions, template_text
from assetkit.analysis.scenario.baseline import Baseline, ChannelBaseline, build_baseline
from assetkit.analysis.scenario.simulate import (
    Comparison,
    ScenarioResult,
    Sensitivity,
    compare_shifts,
    run_scenario,
    sensitivity,
)

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

__all__ = [
    "Assumptions", "Baseline", "ChannelBaseline", "Comparison", "Dist", "ScenarioReport", "ScenarioResult",
    "Sensitivity", "build_baseline", "compare_shifts", "load_assumptions", "run_scenario", "scenario_report",
    "sensitivity", "template_text",
]


@dataclass
class ScenarioReport:
    """What `assetkit scenario` prints: baseline first, then result + tornado, or a comparison."""

    baseline: Baseline
    assumptions: Assumptions
    result: ScenarioResult | None
    sensitivity: Sensitivity | None
    comparison: Comparison | None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.to_dict(),
            "assumptions": self.assumptions.to_dict(),
            "result": self.result.to_dict() if self.result else None,
            "sensitivity": self.sensitivity.to_dict() if self.sensitivity else None,
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "warnings": list(self.warnings),
        }


def _rule_warnings(baseline: Baseline) -> list[str]:
    """Say which platform rules keep buyers from being invited, or make the move cost a fee."""
    from assetkit.analysis.platform_rules import rule_for

    out = []
    for c in baseline.channels:
        rule = rule_for(c.platform) if c.kind == "platform" else None
        if rule is None or not c.restricted_repeat_share:
            continue
        share = f"{c.restricted_repeat_share:.0%} of {c.label}'s repeat revenue"
        if rule.rule == "forbidden":
            out.append(f"{share} is from buyers {c.platform} forbids moving off-platform: the programme does not "
                       f"invite them ({rule.sources[0]})")
        else:
            out.append(f"{share} is from buyers inside {c.platform}'s {rule.months}-month rule: moving them pays its "
                       f"conversion fee ({rule.fee_share_of_annual_revenue:.0%} of a year's revenue), booked as "
                       f"platform cost ({rule.sources[0]})")
    return out


_MAJOR_CURRENCIES = {"EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "SGD"}


def scenario_report(
    con: duckdb.DuckDBPyConnection,
    config: Config | None = None,
    *,
    assumptions_path: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    shifts: Sequence[float] | None = None,
    programmes: Sequence[int] | None = None,
    months: int = 36,
    runs: int = 1000,
    seed: int = 0,
    as_of: dt.date | None = None,
) -> ScenarioReport:
    """Baseline from the data, then one shift in detail (with tornado) or several compared.

    `shifts` are shares (0.2 = 20 %); one value sets the shift, several give a comparison table.
    `programmes` are 0/1 settings of the owned-channel programme; one sets it, both (0 and 1)
    give a comparison table (with every shift).
    """
    baseline = build_baseline(con, config, as_of)
    over = dict(overrides or {})
    if shifts is not None and len(shifts) == 1:
        over["shift"] = shifts[0]
    if programmes is not None and len(programmes) == 1:
        over["programme"] = programmes[0]
    assumptions = load_assumptions(assumptions_path, over, config)
    warnings = list(baseline.warnings)
    cost_keys = ("site_build_cost", "content_cost", "owned_running_cost")
    warnings += _rule_warnings(baseline)
    if baseline.currency not in _MAJOR_CURRENCIES and all(assumptions.sources[k] == "template" for k in cost_keys):
        warnings.append(
            f"the default one-off and running costs are EUR/USD-sized; in {baseline.currency} set "
            "site_build_cost, content_cost and owned_running_cost in your assumptions file"
        )
    if not any(c.kind == "platform" and (c.fees.get("advertising", 0) + c.spend) > 0 for c in baseline.channels):
        warnings.append("no platform ad budget found (advertising fees or spend on a marketplace): the shift "
                        "moves nothing, and only the owned channel's costs remain")
    if (shifts is not None and len(shifts) > 1) or (programmes is not None and len(programmes) > 1):
        levels = list(shifts) if shifts is not None else [assumptions["shift"].central()]
        comparison = compare_shifts(baseline, assumptions, levels, months, runs, seed,
                                    programmes if programmes is not None and len(programmes) > 1 else None)
        return ScenarioReport(baseline, assumptions, None, None, comparison, tuple(warnings))
    result = run_scenario(baseline, assumptions, months, runs, seed)
    return ScenarioReport(baseline, assumptions, result, sensitivity(baseline, assumptions, months), None,
                          tuple(warnings))
