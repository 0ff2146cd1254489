"""RFM segments, lifecycle stages and marketplace-to-owned migration candidates.

Built on `analyse_clv` (P(alive), predicted value, platform fee share per buyer), so every
segment carries value, not just scores. Definitions (documented in docs/clv.md):

- RFM: R = days since the last occasion (reversed), F = occasions, M = net revenue to date;
  each scored 1–5 by percentile rank (ties share a score). Names from the R×F map in
  data/segments.yaml.
- Lifecycle: prospect (inquiry, no order) · first-time · repeat · at risk · lost. At risk/lost
  when P(alive) falls below a threshold OR the overdue ratio (days since last occasion ÷ the
  buyer's mean gap between occasions, or the population median gap for buyers with fewer than
  three occasions) passes one. BG/NBD gives P(alive) = 1 to one-time buyers by construction, so
  for them the overdue ratio decides.
- Migration candidates: buyers first acquired through a marketplace, ranked by the discounted
  platform fees their predicted future revenue would pay (what moving them to an owned channel
  saves), with whether we hold an email or phone to reach them. Platform rules
  (assetkit/data/platform_rules.yaml) apply: buyers met on a platform that forbids moving them
  (eBay, Amazon, Etsy) are left out and counted in the notes; buyers inside a conversion-fee
  rule (Upwork, first 24 months) stay, flagged, valued net of the fee.
- Segment P(alive): BG/NBD gives a one-time buyer P(alive) = 1 by construction (no repeat, no
  evidence of dropout), so a segment's mean over all buyers reads as "everyone is alive" for
  Hibernating buyers. Segments report `mean_p_alive_repeat` (repeat buyers only, None without
  any) and `active_share` (buyers neither at risk nor lost, where the overdue ratio also counts).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from assetkit.errors import ConfigError, NotEnoughData
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

STAGES = ("prospect", "first-time", "repeat", "at risk", "lost")


def load_rules(config: Config | None = None) -> dict:
    """Packaged segment map and thresholds, with `clv: {segments: …}` overrides from the config file."""
    import yaml

    rules = yaml.safe_load(resources.files("assetkit.analysis").joinpath("data/segments.yaml").read_text("utf-8"))
    override = (config.section("clv") if config is not None else {}).get("segments")
    if override is not None and not isinstance(override, dict):
        raise ConfigError("clv.segments must be a mapping", hint="e.g. clv: {segments: {p_alive_lost: 0.1}}")
    for key, value in (override or {}).items():
        if key == "rfm_map":
            rules["rfm_map"] = value
        elif key in rules["lifecycle"]:
            try:
                rules["lifecycle"][key] = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"clv.segments.{key} must be a number, got {value!r}") from None
        else:
            raise ConfigError(f"unknown key clv.segments.{key}",
                              hint=f"known keys: rfm_map, {', '.join(rules['lifecycle'])}")
    return rules


def quintile_scores(values: np.ndarray) -> np.ndarray:
    """1–5 by percentile rank; tied values share a score (small bases have many ties)."""
    from scipy.stats import rankdata

    if values.size == 0:
        return np.zeros(0, int)
    pct = rankdata(values, method="average") / values.size
    return np.clip(np.ceil(pct * 5 - 1e-9), 1, 5).astype(int)


def name_segments(r: np.ndarray, f: np.ndarray, rfm_map: list[dict]) -> np.ndarray:
    codes = np.char.add(r.astype(str), f.astype(str))
    out = np.full(codes.size, "Other", dtype=object)
    for code in np.unique(codes):
        for rule in rfm_map:
            if re.fullmatch(rule["pattern"], code):
                out[codes == code] = rule["segment"]
                break
    return out


def lifecycle(occasions: np.ndarray, p_alive: np.ndarray, overdue: np.ndarray, th: dict) -> np.ndarray:
    stage = np.where(occasions >= 2, "repeat", "first-time").astype(object)
    stage[(p_alive < th["p_alive_at_risk"]) | (overdue >= th["overdue_at_risk"])] = "at risk"
    stage[(p_alive < th["p_alive_lost"]) | (overdue >= th["overdue_lost"])] = "lost"
    return stage


@dataclass
class SegmentsResult:
    as_of: dt.date
    clv_method: str
    clv_note: str | None
    thresholds: dict
    buyers: dict[str, np.ndarray]
    segments: list[dict]
    stages: list[dict]
    prospects: int
    migration: list[dict]
    notes: list[str] = field(default_factory=list)

    def buyer_rows(self) -> list[dict]:
        keys = list(self.buyers)
        return [{k: _py(v) for k, v in zip(keys, vals)} for vals in zip(*self.buyers.values())]

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "clv_method": self.clv_method, "clv_note": self.clv_note,
                "thresholds": self.thresholds, "segments": self.segments, "lifecycle": self.stages,
                "prospects": self.prospects, "migration_candidates": self.migration,
                "notes": list(self.notes), "buyers": self.buyer_rows()}


def _py(v):
    if isinstance(v, (float, np.floating)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _summaries(labels: np.ndarray, order: tuple[str, ...] | None, cols: dict[str, np.ndarray]) -> list[dict]:
    keys = order or tuple(sorted(set(labels.tolist())))
    n = max(labels.size, 1)
    out = []
    for key in keys:
        sel = labels == key
        if not sel.any():
            continue
        clv, fee_saved = cols["clv"][sel], cols["fee_saved"][sel]
        repeat = sel & cols["repeat"]
        out.append({"name": key, "n_buyers": int(sel.sum()), "share": float(sel.sum() / n),
                    "mean_p_alive": float(cols["p_alive"][sel].mean()),
                    "mean_p_alive_repeat": float(cols["p_alive"][repeat].mean()) if repeat.any() else None,
                    "active_share": float(cols["active"][sel].mean()),
                    "mean_clv": float(clv.mean()), "total_clv": float(clv.sum()),
                    "platform_fee_at_stake": float(fee_saved.sum()),
                    "on_platform_share": float(cols["on_platform"][sel].mean())})
    return out


def analyse_segments(con: duckdb.DuckDBPyConnection, config: Config | None = None, until: dt.date | str | None = None,
                     time_unit: str = "week", model: str = "bgnbd", horizon: float | None = None,
                     top: int | None = None) -> SegmentsResult:
    """Score, name and stage every buyer; list marketplace buyers worth moving to an owned channel."""
    from assetkit.analysis.clv import analyse_clv, summary_from_orders

    rules = load_rules(config)
    th = rules["lifecycle"]
    notes: list[str] = []
    try:
        clv = analyse_clv(con, config, until=until, time_unit=time_unit, horizon=horizon, model=model)
        b = clv.buyers
        s = b.summary
        p_alive, value, fee_saved, fee_share = b.p_alive, b.clv, b.fee_saved, b.fee_share
        method, note = clv.method, clv.method_reason or clv.method_note
    except NotEnoughData as exc:
        s = summary_from_orders(con, until=until, time_unit=time_unit)  # raises if there are no orders
        p_alive = np.ones(s.n)
        value = fee_saved = fee_share = np.zeros(s.n)
        method, note = "none", f"no CLV: {exc.message}"
        notes.append("no predicted value: stages come from the overdue ratio alone")
    # Whole days: T and recency are days / unit length, so multiplying back leaves float noise
    # (870.0000000000001); occasions are calendar days, so the difference is an integer.
    days = np.rint(s.T * _unit(time_unit) - s.recency * _unit(time_unit))
    occasions = s.frequency + 1
    mean_gap = np.where(s.frequency > 0, s.recency * _unit(time_unit) / np.maximum(s.frequency, 1), np.nan)
    repeaters = mean_gap[s.frequency > 0]
    pop_gap = float(np.median(repeaters)) if repeaters.size else float(th["default_gap_days"])
    if not repeaters.size:
        notes.append(f"nobody has bought twice: the typical gap is assumed to be {pop_gap:g} days")
    gap = np.where(s.frequency >= 2, mean_gap, pop_gap)
    overdue = days / np.maximum(gap, 1.0)
    r, f, m = quintile_scores(-days), quintile_scores(occasions), quintile_scores(s.total)
    segment = name_segments(r, f, rules["rfm_map"])
    stage = lifecycle(occasions, p_alive, overdue, th)
    on_platform = fee_share > 0
    cols = {"clv": value, "fee_saved": fee_saved, "p_alive": p_alive, "on_platform": on_platform,
            "repeat": occasions >= 2, "active": np.isin(stage, ("first-time", "repeat"))}
    seg_order = tuple(rule["segment"] for rule in rules["rfm_map"])
    prospects = _prospects(con)
    stages = [{"name": "prospect", "n_buyers": prospects}] + _summaries(stage, STAGES[1:], cols)
    buyers = {"buyer_id": s.buyer_id, "r": r, "f": f, "m": m,
              "rfm": np.char.add(np.char.add(r.astype(str), f.astype(str)), m.astype(str)).astype(object),
              "segment": segment, "stage": stage, "p_alive": p_alive, "overdue_ratio": overdue,
              "days_since_last": days, "occasions": occasions, "revenue_to_date": s.total, "clv": value,
              "variable_fee_share": fee_share, "fee_share": fee_share, "fee_saved": fee_saved,
              "first_channel": s.first_channel,
              "first_platform": s.first_platform, "platform": s.last_platform}
    revenue = b.discounted_revenue if method != "none" else np.zeros(s.n)
    migration, left_out = _migration(con, s, value, fee_saved, fee_share, p_alive, stage, top, revenue,
                                     _unit(time_unit))
    notes += left_out
    return SegmentsResult(s.until, method, note, dict(th), buyers, _summaries(segment, seg_order, cols),
                          stages, prospects, migration, notes)


def _unit(time_unit: str) -> float:
    from assetkit.analysis.clv.rfm import unit_days

    return unit_days(time_unit)


def _prospects(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, """
        SELECT count(DISTINCT buyer_id) FROM inquiries
        WHERE buyer_id IS NOT NULL AND buyer_id NOT IN (
            SELECT buyer_id FROM orders WHERE status <> 'cancelled' AND buyer_id IS NOT NULL)
    """))


def _rules(s, revenue: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per buyer: the label of the platform rule that restricts moving them (None if none),
    whether it forbids the move, and the conversion fee it charges (its share of the buyer's
    predicted next-year revenue). The relationship starts at the buyer's first occasion."""
    from assetkit.analysis.platform_rules import rule_for

    label = np.full(s.n, None, dtype=object)
    forbidden = np.zeros(s.n, bool)
    fee = np.zeros(s.n)
    platforms = s.first_platform.astype(str)
    age_days = np.rint(s.T * unit)
    for platform in np.unique(platforms):
        rule = rule_for(platform)
        if rule is None or (rule.effective_from is not None and s.until < rule.effective_from):
            continue
        sel = platforms == platform
        if rule.months is not None:
            sel &= age_days < rule.months * 30.4375
        label[sel] = rule.label()
        forbidden[sel] = rule.rule == "forbidden"
        fee[sel] = rule.fee_share_of_annual_revenue * revenue[sel]
    return label, forbidden, fee


def _migration(con, s, value, fee_saved, fee_share, p_alive, stage, top: int | None, revenue: np.ndarray,
               unit: float) -> tuple[list[dict], list[str]]:
    label, forbidden, conversion_fee = _rules(s, revenue, unit)
    net = fee_saved - conversion_fee
    market = s.first_channel == "marketplace"
    notes = []
    for platform in np.unique(s.first_platform[market & forbidden].astype(str)):
        n = int((market & forbidden & (s.first_platform.astype(str) == platform)).sum())
        notes.append(f"{n} buyer(s) first met on {platform} are not migration candidates: {platform}'s terms "
                     "forbid moving buyers off the platform (assetkit/data/platform_rules.yaml)")
    sel = np.flatnonzero(market & ~forbidden)
    sel = sel[np.argsort(-net[sel], kind="stable")]
    if top is not None:
        sel = sel[:top]
    ids = [str(v) for v in s.buyer_id[sel]]
    info = {}
    if ids:
        rows = con.execute("SELECT buyer_id, name, company, country FROM buyers WHERE buyer_id IN "
                           "(SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()
        info = {row[0]: row[1:] for row in rows}
    out = []
    for rank, i in enumerate(sel, 1):
        name, company, country = info.get(str(s.buyer_id[i]), (None, None, None))
        email, phone = bool(s.has_email[i]), bool(s.has_phone[i])
        out.append({"rank": rank, "buyer_id": str(s.buyer_id[i]), "name": name, "company": company,
                    "country": country, "first_platform": str(s.first_platform[i]),
                    "current_platform": str(s.last_platform[i]),
                    "already_direct": bool(fee_share[i] == 0), "stage": str(stage[i]),
                    "p_alive": float(p_alive[i]), "clv": float(value[i]),
                    "variable_fee_share": float(fee_share[i]), "fee_share": float(fee_share[i]),
                    "value_of_moving": float(net[i]), "platform_rule": label[i],
                    "conversion_fee": float(conversion_fee[i]), "has_email": email, "has_phone": phone,
                    "contact": "+".join(k for k, v in (("email", email), ("phone", phone)) if v) or "none"})
    return out, notes
