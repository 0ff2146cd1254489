"""The seller's three-phase migration plan and its check against the data.

Public API:
    build_plan(con, config=None, shift=None, start=None, runs=200, seed=0) -> Plan
    save_plan(con, plan) -> int
    plan_vs_actual(con, config=None, as_of=None, plan_id=None) -> PlanCheck
    measure(con, on, relay_domains=()) -> dict   (the four plan metrics on a date)
"""

from assetkit.analysis.plan.build import (
           Phase,
           Plan,
           Target,
           add_months,
           build_plan,
           save_plan,
)
from assetkit.analysis.plan.check import PlanCheck, TargetCheck, judge, plan_vs_actual
from assetkit.analysis.plan.metrics import METRICS, measure

__all__ = ["METRICS", "Phase", "Plan", "PlanCheck", "Target", "TargetCheck", "add_months", "build_plan", "judge",
           "measure", "plan_vs_actual", "save_plan"]
