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
    from assetkit.export.report.model import ReportContext

LABELS = {"fee_share": "Fee share", "off_platform_share": "Off-platform revenue share",
          "owned_contact_share": "Buyers with an owned contact", "own_site_inquiries_per_month": "Own-site inquiries a month"}


def _fmt(metric: str, value: Any) -> str:
    if value is None:
        return "–"
    return format_value(value, 1) if metric == "own_site_inquiries_per_month" else format_percent(value)


def plan_section(ctx: ReportContext) -> Section:
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
    paragraphs = [_baseline_label(ctx, check.plan_id)] + list(check.notes)
    return Section(key="plan", title="Plan vs actual", takeaway=takeaway, paragraphs=[p for p in paragraphs if p],
                   tables=[table], data=check.to_dict())


def _baseline_label(ctx: ReportContext, plan_id: int) -> str:
    """Which period the plan's baseline covers, so its fee share is not mistaken for the headline's."""
    import json

    row = ctx.con.execute("SELECT document FROM plans WHERE plan_id = ?", [plan_id]).fetchone()
    if row is None:
        return ""
    doc = json.loads(row[0])
    return (f"Baselines are measured over the {doc.get('window_days')} days to {doc.get('baseline_as_of')} "
            "(fee share there: platform cost ÷ gross revenue of all platforms in those days), so they differ "
            "from the whole-window and latest-year shares in Platform costs. The plan moves "
            f"{float(doc.get('shift') or 0):.0%} of the platform ad budget.")
