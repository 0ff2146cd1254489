"""`plan_vs_actual`: the saved plan's targets against what the data shows.

Per target: a phase that is over is judged on the metric measured at its due date against
its target; the running phase on the metric today against where a straight line from the
phase's starting value to its target says it should be by now; later phases are `pending`.
The tolerance is a tenth of the planned move (at least 1 point for shares, 0.5 inquiries a
month), so small noise does not flip a verdict.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.analysis.plan.metrics import WINDOW_DAYS, data_end, measure, parse_date
from assetkit.errors import NotEnoughData

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

MIN_TOLERANCE = {"fee_share": 0.01, "off_platform_share": 0.01, "owned_contact_share": 0.01,
                 "own_site_inquiries_per_month": 0.5}


@dataclass
class TargetCheck:
    phase: str
    metric: str
    direction: str
    phase_start: dt.date
    due_date: dt.date
    baseline: float | None
    target: float
    expected: float | None  # where the metric should be on measured_on
    actual: float | None
    measured_on: dt.date
    status: str  # ahead | on track | behind | pending | no data


@dataclass
class PlanCheck:
    plan_id: int
    created_at: dt.datetime
    start: dt.date
    as_of: dt.date
    rows: list[TargetCheck]
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def judge(metric: str, direction: str, start_value: float | None, target: float, expected: float | None,
          actual: float | None) -> str:
    """ahead / on track / behind, with the tolerance described in the module docstring."""
    if actual is None or expected is None:
        return "no data"
    tol = max(0.1 * abs(target - (start_value if start_value is not None else target)), MIN_TOLERANCE[metric])
    gap = (actual - expected) * (1 if direction == "up" else -1)
    if gap > tol:
        return "ahead"
    return "behind" if gap < -tol else "on track"


def plan_vs_actual(con: duckdb.DuckDBPyConnection, config: Config | None = None, as_of: dt.date | str | None = None,
                   plan_id: int | None = None) -> PlanCheck:
    """Compare the latest saved plan (or `plan_id`) with the data up to `as_of` (default: the data's end)."""
    from assetkit.analysis.followups.rules import load_rules

    asked = parse_date(as_of, "--as-of")
    row = con.execute("SELECT plan_id, created_at, start_date, document FROM plans "
                      "WHERE $id IS NULL OR plan_id = $id ORDER BY plan_id DESC LIMIT 1", {"id": plan_id}).fetchone()
    if row is None:
        raise NotEnoughData("no saved plan" + (f" with id {plan_id}" if plan_id else ""),
                            hint="build and save one with `assetkit plan`")
    pid, created, start, document = row
    window = int(json.loads(document).get("window_days", WINDOW_DAYS))
    day = asked or data_end(con) or start
    relay = load_rules(None).relay_domains
    targets = con.execute("SELECT phase, metric, due_date, direction, baseline, target FROM plan_targets "
                          "WHERE plan_id = ? ORDER BY due_date, metric", [pid]).fetchall()
    cache: dict[dt.date, dict[str, float | None]] = {}

    def at(d: dt.date) -> dict[str, float | None]:
        if d not in cache:
            cache[d] = measure(con, d, relay, window, config)
        return cache[d]

    previous: dict[str, tuple[dt.date, float | None]] = {}
    rows = []
    for phase, metric, due, direction, baseline, target in targets:
        begin, begin_value = previous.get(metric, (start, baseline))
        if begin_value is None:  # nothing measured at the start: shares that should rise start from 0
            begin_value = 0.0 if direction == "up" else None
        previous[metric] = (due, target)
        if day < begin:
            rows.append(TargetCheck(phase, metric, direction, begin, due, baseline, target, None,
                                    at(day)[metric], day, "pending"))
            continue
        on = min(day, due)
        share = (on - begin).days / max((due - begin).days, 1)
        expected = None if begin_value is None else begin_value + (target - begin_value) * share
        actual = at(on)[metric]
        rows.append(TargetCheck(phase, metric, direction, begin, due, baseline, target, expected, actual, on,
                                judge(metric, direction, begin_value, target, expected, actual)))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    notes = []
    if day < start:
        notes.append(f"the plan starts on {start}; nothing is due yet")
    end = data_end(con)
    if end is not None and end < day:
        notes.append(f"the data ends on {end}: import newer exports for a fair check")
    return PlanCheck(pid, created, start, day, rows, counts, notes)
