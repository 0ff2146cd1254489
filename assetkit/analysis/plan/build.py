"""`build_plan`: the seller's three-phase plan from their data and the chosen scenario.

Targets come from the scenario's central projection where it models the metric: the fee share
moves by the projection's relative change in platform cost per unit of platform revenue, the
off-platform share by the projection's change in owned/other revenue share, own-site inquiries
grow with the projected owned-channel revenue. The scenario does not model contacts, so the
owned-contact target is a stated step-up per phase (assetkit.yaml `plan:` may change it).
Baselines are always measured from the data (metrics.py), never taken from the model.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from assetkit.analysis.plan.metrics import (
    DIRECTION,
    METRICS,
    WINDOW_DAYS,
    data_end,
    measure,
    parse_date,
)
from assetkit.errors import ConfigError, NotEnoughData
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

PHASES = (("foundation", 0, 3), ("enablement", 3, 12), ("ecosystem", 12, 36))  # (name, from month, to month)
CONTACT_GAIN = (0.10, 0.25, 0.40)
INQUIRY_FLOOR = (2.0, 8.0, 20.0)
INVITE_FIRST = 10


@dataclass
class Target:
    phase: str
    metric: str
    due_date: dt.date
    direction: str
    baseline: float | None
    target: float
    basis: str


@dataclass
class Phase:
    name: str
    start: dt.date
    end: dt.date
    budget_to_move_per_month: float
    steps: list[str]


@dataclass
class Plan:
    plan_id: int | None
    start: dt.date
    baseline_as_of: dt.date
    window_days: int
    shift: float
    currency: str
    platform_ad_budget_per_month: float
    budget_to_move_per_month: float
    baseline: dict[str, float | None]
    phases: list[Phase]
    targets: list[Target]
    invite_first: list[dict[str, Any]]
    scenario_npv: dict[str, float] | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clipped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _steps(con: duckdb.DuckDBPyConnection, baseline: dict[str, float | None]) -> dict[str, list[str]]:
    import yaml

    data = yaml.safe_load(resources.files("assetkit").joinpath("data", "plan_steps.yaml").read_text(encoding="utf-8"))
    facts = {
        "has_visits": scalar(con, "SELECT count(*) > 0 FROM visits"),
        "has_own_site_inquiries": scalar(con, "SELECT count(*) > 0 FROM inquiries WHERE channel = 'own_site'"),
        "has_own_site_orders": scalar(con, "SELECT count(*) > 0 FROM orders WHERE channel = 'own_site'"),
        "has_products": scalar(con, "SELECT count(*) > 0 FROM products"),
        "has_owned_contacts": (baseline["owned_contact_share"] or 0) >= 0.5,
    }
    out: dict[str, list[str]] = {}
    for name, _, _ in PHASES:
        out[name] = [s["text"] for s in data.get(name, []) if not facts.get(s.get("unless", ""), False)]
    return out


def _series(projection: dict[str, Any], kinds: tuple[str, ...], month: int) -> dict[str, float]:
    """Platform revenue, platform cost, owned+other revenue share and owned revenue in one month
    (0 = today's baseline) of the central projection."""
    key, idx = ("baseline", 0) if month == 0 else ("scenario", month - 1)
    p = projection[key]
    rev = p["revenue_by_channel"][idx]
    platform_rev = sum(v for v, k in zip(rev, kinds) if k == "platform")
    owned_rev = sum(v for v, k in zip(rev, kinds) if k == "owned")
    total = sum(rev)
    return {"fee_ratio": p["platform_cost"][idx] / platform_rev if platform_rev > 0 else None,
            "off_share": (total - platform_rev) / total if total > 0 else None, "owned_rev": owned_rev}


def window_days(config: Config | None) -> int:
    """Trailing days each metric is measured over (assetkit.yaml `plan: {window_days: N}`)."""
    section = config.section("plan") if config is not None else {}
    value = section.get("window_days", WINDOW_DAYS)
    if not isinstance(value, int) or isinstance(value, bool) or not 28 <= value <= 366:
        raise ConfigError(f"plan.window_days is {value!r}", hint="use a whole number of days from 28 to 366, e.g. 91")
    return value


def _settings(config: Config | None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    section = config.section("plan") if config is not None else {}
    gain = tuple(section.get("owned_contact_gain", CONTACT_GAIN))
    floor = tuple(section.get("own_site_inquiries", INQUIRY_FLOOR))
    for key, value in (("owned_contact_gain", gain), ("own_site_inquiries", floor)):
        if len(value) != 3 or not all(isinstance(v, int | float) and v >= 0 for v in value):
            raise ConfigError(f"plan.{key} must be three numbers >= 0, one per phase",
                              hint=f"e.g. plan: {{{key}: {list(CONTACT_GAIN if key.startswith('owned') else INQUIRY_FLOOR)}}}")
    return gain, floor


def _targets(baseline: dict[str, float | None], result: Any, start: dt.date,
             gain: tuple[float, ...], floor: tuple[float, ...]) -> list[Target]:
    base = _series(result.projection, result.kinds, 0)
    out = []
    for i, (name, _, to_month) in enumerate(PHASES):
        due = add_months(start, to_month)
        s = _series(result.projection, result.kinds, min(to_month, result.months))
        fee = baseline["fee_share"]
        if fee is not None and base["fee_ratio"] and s["fee_ratio"] is not None:
            out.append(Target(name, "fee_share", due, "down", fee, fee * s["fee_ratio"] / base["fee_ratio"],
                              "scenario: relative change of platform cost per platform revenue"))
        off = baseline["off_platform_share"]
        if base["off_share"] is not None and s["off_share"] is not None:
            out.append(Target(name, "off_platform_share", due, "up", off,
                              min(1.0, max(0.0, (off or 0.0) + s["off_share"] - base["off_share"])),
                              "scenario: change in revenue share outside marketplaces"))
        contact = baseline["owned_contact_share"]
        out.append(Target(name, "owned_contact_share", due, "up", contact, min(0.95, max(contact or 0.0, 0.0) + gain[i]),
                          f"assetkit assumption: +{gain[i]:.0%} of active buyers with an owned contact"))
        inq = baseline["own_site_inquiries_per_month"] or 0.0
        growth = s["owned_rev"] / base["owned_rev"] if base["owned_rev"] > 0 else None
        value = max(floor[i], inq * growth) if growth is not None else max(floor[i], inq)
        out.append(Target(name, "own_site_inquiries_per_month", due, "up", inq, value,
                          "scenario: grows with projected owned-channel revenue, at least "
                          f"{floor[i]:g} a month"))
    return out


def build_plan(con: duckdb.DuckDBPyConnection, config: Config | None = None, shift: float | None = None,
               start: dt.date | str | None = None, runs: int = 200, seed: int = 0) -> Plan:
    """The plan (not saved; see save_plan). `shift` is a share (0.2 = 20 %), default the scenario's."""
    from assetkit.analysis.followups import migration_candidates
    from assetkit.analysis.followups.rules import load_rules
    from assetkit.analysis.scenario import scenario_report

    end = data_end(con)
    if end is None:
        raise NotEnoughData("no orders, inquiries or visits imported: a plan needs a measured starting point",
                            hint="import your marketplace exports first (assetkit import FILE)")
    begin = parse_date(start, "--start") or end + dt.timedelta(days=1)
    as_of = min(end, begin - dt.timedelta(days=1))
    relay = load_rules(None).relay_domains
    window = window_days(config)
    baseline = measure(con, as_of, relay, window, config)
    report = scenario_report(con, config, shifts=[shift] if shift is not None else None, months=36, runs=runs,
                             seed=seed, as_of=as_of)
    result = report.result
    ads = sum(c.fees.get("advertising", 0.0) + c.spend for c in report.baseline.channels if c.kind == "platform")
    moved = ads * result.shift
    ramp = float(report.assumptions["shift_ramp_months"].central())
    gain, floor = _settings(config)
    steps = _steps(con, baseline)
    phases = []
    for name, lo, hi in PHASES:
        # the ramp reaches the full shift after `ramp` months; the foundation phase shows its average
        months = range(lo + 1, hi + 1)
        avg = sum(moved * min(1.0, m / ramp) for m in months) / len(months)
        phases.append(Phase(name, add_months(begin, lo), add_months(begin, hi), round(avg, 2), steps[name]))
    notes = list(report.warnings)
    if ads == 0:
        notes.append("no platform advertising found: there is no budget to move; the plan relies on "
                     "inviting buyers and on the own site's organic reach")
    return Plan(None, begin, as_of, window, float(result.shift), result.currency, round(ads, 2), round(moved, 2), baseline,
                phases, _targets(baseline, result, begin, gain, floor), migration_candidates(con, as_of, INVITE_FIRST, config),
                dict(result.npv), notes)


def save_plan(con: duckdb.DuckDBPyConnection, plan: Plan) -> int:
    """Store the plan and its targets; returns the new plan_id (the latest plan is the active one)."""
    from assetkit.jsonable import to_jsonable

    plan_id = int(scalar(con, "SELECT nextval('plan_id_seq')"))
    plan.plan_id = plan_id
    con.execute("INSERT INTO plans VALUES (?, now(), ?, ?, ?, ?, ?, ?)",
                [plan_id, plan.start, plan.baseline_as_of, plan.shift, plan.currency,
                 plan.budget_to_move_per_month, json.dumps(to_jsonable(plan.to_dict()))])
    con.executemany("INSERT INTO plan_targets VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(plan_id, t.phase, t.metric, t.due_date, t.direction, t.baseline, t.target) for t in plan.targets])
    return plan_id


__all__ = ["DIRECTION", "METRICS", "PHASES", "Phase", "Plan", "Target", "add_months", "build_plan", "save_plan"]
