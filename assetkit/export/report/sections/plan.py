"""The report's "plan vs actual" section: the saved migration plan's targets against the data.

Built from `plan_vs_actual` (assetkit.analysis.plan); without a saved plan it raises
NotEnoughData, which the report shows as a missing section with the hint to run `assetkit plan`.
Register it in build.py's `_section_builders` as ("plan", "Plan vs actual", plan_section).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assetkit.export.output import format_percent, format_value
from assetkit.export.report.model import Section, Table

if TYPE_CHECKING:
    from assetkit.export.report.build import ReportContext

LABELS = {"fee_share": "Fee share", "off_platform_share": "Off-platform revenue share",
          "owned_contact_share": "Buyers with an owned contact", "own_site_inquiries_per_month": "Own-site inquiries a month"}


def _fmt(metric: str, value: Any) -> str:
    if value is None:
        return "–"
    return format_value(value, 1) if metric == "own_site_inquiries_per_month" else format_percent(value)


def plan_section(ctx: "ReportContext") -> Section:
    from assetkit.analysis.plan import plan_vs_actual

    check = plan_vs_actual(ctx.con, ctx.config, as_of=ctx.until)
    judged = [r for r in check.rows if r.status in ("ahead", "on track", "behind")]
    behind = [r for r in judged if r.status == "behind"]
    if not judged:
        takeaway = f"The plan starting {check.start} has no target due or running on {check.as_of} yet."
    elif behind:
        names = ", ".join(sorted({LABELS[r.metric].lower() for r in behind}))
        takeaway = f"{len(behind)} of {len(judged)} running or due targets are behind plan: {names}."
    else:
        takeaway = f"All {len(judged)} running or due targets are on track or ahead of plan."
    rows = [[r.phase, LABELS[r.metric], r.due_date.isoformat(), _fmt(r.metric, r.baseline), _fmt(r.metric, r.target),
             _fmt(r.metric, r.expected), _fmt(r.metric, r.actual), r.status] for r in check.rows]
    table = Table(f"Plan {check.plan_id} (from {check.start}) on {check.as_of}",
                  ["Phase", "Metric", "Due", "Baseline", "Target", "Expected now", "Actual", "Status"], rows,
                  [False, False, False, True, True, True, True, False],
                  note="Expected now: where a straight line from the phase's start to its target says the metric "
                       "should be; tolerance a tenth of the planned move (docs/plan.md).")
    ctx.results["plan"] = check
    return Section(key="plan", title="Plan vs actual", takeaway=takeaway, paragraphs=list(check.notes),
                   tables=[table], data=check.to_dict())
