"""Monte Carlo over the assumptions, the deterministic projection, sensitivity and shift comparison.

`run_scenario` draws every assumption `runs` times (vectorised), projects all runs at once and
summarises: P10/P50/P90 per month, break-even month distribution, P(break-even by 12/24/36),
NPV of the difference. Break-even is the first month from which the cumulative difference
stays at or above zero until the end of the horizon, i.e. the month after the last month with
a deficit (0 when it is never negative; months+1 = not reached), so a J-curve that dips again
late does not count as paid back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assetkit.analysis.scenario.assumptions import KEYS, UNSOURCED, Assumptions
from assetkit.analysis.scenario.baseline import Baseline
from assetkit.analysis.scenario.engine import (
    PHASES,
    ChannelArrays,
    Deltas,
    channel_arrays,
    monthly_discount,
    project,
)

if TYPE_CHECKING:
    import numpy as np

QUANTILES = (10, 50, 90)
MAX_CELLS = 16_000_000  # runs x months x channels; each working array is 8 bytes a cell
BREAK_EVEN_BY = (12, 24, 36)


@dataclass
class Outcome:
    """Per-run results of one engine call (R runs)."""

    diff: np.ndarray  # (R, T) monthly gross-profit difference
    cumulative: np.ndarray  # (R, T)
    npv: np.ndarray  # (R,)
    break_even: np.ndarray  # (R,) month, 0 = never behind, T+1 = not within the horizon


def evaluate(ch: ChannelArrays, params: dict[str, np.ndarray], months: int) -> tuple[Deltas, Outcome]:
    """Project every run in `params`, then the per-run difference, NPV and break-even month."""
    import numpy as np

    deltas = project(ch, params, months)
    diff = deltas.gross_profit.sum(axis=2)
    cum = np.cumsum(diff, axis=1)
    disc = (1 + monthly_discount(params["discount_rate"]))[:, None] ** -np.arange(1, months + 1)
    npv = (diff * disc).sum(axis=1)
    behind = cum < 0
    last_behind = months - np.argmax(behind[:, ::-1], axis=1)  # 1-based month of the last deficit
    be = np.where(behind.any(axis=1), last_behind + 1, 0)
    return deltas, Outcome(diff, cum, npv, be)


def _pct(x: np.ndarray) -> dict[str, Any]:
    import numpy as np

    q = np.percentile(x, QUANTILES, axis=0)
    return {f"p{k}": v.tolist() for k, v in zip(QUANTILES, q)}


def _be_stats(be: np.ndarray, months: int) -> dict[str, Any]:
    import numpy as np

    q = np.percentile(be, QUANTILES, method="inverted_cdf")
    within = {str(m): float((be <= m).mean()) for m in BREAK_EVEN_BY if m <= months}
    if months not in BREAK_EVEN_BY:
        within[str(months)] = float((be <= months).mean())
    counts = np.bincount(be, minlength=months + 2)
    return {
        **{f"p{k}": (int(v) if v <= months else None) for k, v in zip(QUANTILES, q)},
        "probability_within": within,
        "histogram": {"month": list(range(months + 1)) + ["later"], "runs": counts.tolist()},
    }


@dataclass
class ScenarioResult:
    """Baseline and scenario month by month (central assumptions) plus Monte Carlo ranges."""

    months: int
    runs: int
    seed: int
    shift: float
    currency: str
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    projection: dict[str, Any]  # deterministic, per month and channel
    bands: dict[str, Any]  # P10/P50/P90 per month
    npv: dict[str, float]
    break_even: dict[str, Any]
    platform_cost_change: dict[str, float]  # share change of platform fees over the horizon
    outcome: Outcome = field(repr=False)
    programme: bool = True
    levers: dict[str, dict[str, float]] = field(default_factory=dict)  # NPV of each lever alone and both

    def to_dict(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "runs": self.runs,
            "seed": self.seed,
            "shift": self.shift,
            "programme": self.programme,
            "levers": self.levers,
            "currency": self.currency,
            "channels": [{"label": lb, "kind": k} for lb, k in zip(self.labels, self.kinds)],
            "phases": [{"name": n, "first_month": lo, "last_month": min(hi, self.months)} for n, lo, hi in PHASES
                       if lo <= self.months],
            "projection": self.projection,
            "bands": self.bands,
            "npv": self.npv,
            "break_even": self.break_even,
            "platform_cost_change": self.platform_cost_change,
        }


def _projection(ch: ChannelArrays, deltas: Deltas, gm: float, months: int) -> dict[str, Any]:
    """The central-assumption projection as plain lists: month x channel, baseline and scenario."""
    import numpy as np

    base = {
        "revenue": np.broadcast_to(ch.revenue, (months, len(ch.labels))),
        "fees": np.broadcast_to(ch.fees, (months, len(ch.labels))),
        "spend": np.broadcast_to(ch.spend, (months, len(ch.labels))),
    }
    base["gross_profit"] = base["revenue"] * gm - base["fees"] - base["spend"]
    scen = {k: base[k] + getattr(deltas, k)[0] for k in base}
    plat = ch.is_platform
    out: dict[str, Any] = {"month": list(range(1, months + 1))}
    for name, d in (("baseline", base), ("scenario", scen)):
        out[name] = {
            "revenue_by_channel": d["revenue"].tolist(),
            "revenue": d["revenue"].sum(axis=1).tolist(),
            "platform_cost": d["fees"][:, plat].sum(axis=1).tolist(),
            "fees": d["fees"].sum(axis=1).tolist(),
            "spend": d["spend"].sum(axis=1).tolist(),
            "gross_profit_by_channel": d["gross_profit"].tolist(),
            "gross_profit": d["gross_profit"].sum(axis=1).tolist(),
        }
    diff = deltas.gross_profit[0].sum(axis=1)
    out["difference"] = diff.tolist()
    out["cumulative_difference"] = np.cumsum(diff).tolist()
    return out


def run_scenario(
    baseline: Baseline, assumptions: Assumptions, months: int = 36, runs: int = 1000, seed: int = 0
) -> ScenarioResult:
    """Project baseline and scenario; Monte Carlo with `runs` seeded draws of the assumptions."""
    import numpy as np

    from assetkit.errors import UsageError

    if months < 1 or runs < 1:
        raise UsageError(f"months and runs must be at least 1 (got months={months}, runs={runs})")
    ch = channel_arrays(baseline)
    if runs * months * len(ch.labels) > MAX_CELLS:
        raise UsageError(
            f"{runs:,} runs x {months} months x {len(ch.labels)} channels is too large to hold in memory",
            hint=f"use at most {MAX_CELLS // (months * len(ch.labels)):,} runs for this horizon",
        )
    central = assumptions.central()
    det, det_out = evaluate(ch, central, months)
    params = assumptions.sample(runs, seed)
    deltas, out = evaluate(ch, params, months)
    plat = ch.is_platform
    base_rev, base_fees = ch.revenue.sum(), ch.fees.sum()
    gm = params["gross_margin"][:, None]
    base_gp = base_rev * gm - base_fees - ch.spend.sum()
    scen_rev = base_rev + deltas.revenue.sum(axis=2)
    plat_base = ch.fees[plat].sum()
    plat_scen = plat_base + deltas.fees[:, :, plat].sum(axis=2)
    change = np.divide(plat_scen.sum(axis=1) - plat_base * months, plat_base * months) if plat_base else np.zeros(runs)
    bands = {
        "revenue": _pct(scen_rev),
        "platform_cost": _pct(plat_scen),
        "gross_profit": _pct(base_gp + out.diff),
        "baseline_gross_profit": _pct(np.broadcast_to(base_gp, out.diff.shape)),
        "difference": _pct(out.diff),
        "cumulative_difference": _pct(out.cumulative),
        "revenue_by_channel": {f"p{k}": v.tolist() for k, v in
                               zip(QUANTILES, np.percentile(ch.revenue + deltas.revenue, QUANTILES, axis=0))},
    }
    q = np.percentile(out.npv, QUANTILES)
    levers = _levers(ch, central, params, months)
    return ScenarioResult(
        months=months,
        runs=runs,
        seed=seed,
        shift=float(central["shift"][0]),
        currency=baseline.currency,
        labels=ch.labels,
        kinds=ch.kinds,
        projection={**_projection(ch, det, float(central["gross_margin"][0]), months),
                    "npv": float(det_out.npv[0]), "break_even_month": _be_month(int(det_out.break_even[0]), months)},
        bands=bands,
        npv={"p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2]), "mean": float(out.npv.mean())},
        break_even=_be_stats(out.break_even, months),
        platform_cost_change={f"p{k}": float(v) for k, v in zip(QUANTILES, np.percentile(change, QUANTILES))},
        outcome=out,
        programme=bool(central["programme"][0] > 0),
        levers=levers,
    )


def _levers(ch: ChannelArrays, central: dict[str, np.ndarray], params: dict[str, np.ndarray],
            months: int) -> dict[str, dict[str, float]]:
    """NPV (central projection and Monte Carlo P10/P50/P90) of the programme alone, the shift
    alone and both, with the same draws: what each lever contributes, and how they interact
    (the programme invites fewer buyers when the shift has cost the platform some revenue)."""
    import numpy as np

    shift = float(central["shift"][0])
    out = {}
    for name, prog, sh in (("programme_only", 1.0, 0.0), ("shift_only", 0.0, shift), ("both", 1.0, shift)):
        c = {**central, "programme": np.array([prog]), "shift": np.array([sh])}
        r = len(params["shift"])
        p = {**params, "programme": np.full(r, prog), "shift": np.full(r, sh)}
        npv = evaluate(ch, p, months)[1].npv
        q = np.percentile(npv, QUANTILES)
        out[name] = {"shift": sh, "programme": bool(prog), "npv_central": float(evaluate(ch, c, months)[1].npv[0]),
                     **{f"npv_p{k}": float(v) for k, v in zip(QUANTILES, q)}}
    return out


def _be_month(value: int, months: int) -> int | None:
    return value if value <= months else None


@dataclass(frozen=True)
class SensitivityRow:
    key: str
    low_value: float
    high_value: float
    npv_low: float
    npv_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_high - self.npv_low)

    @property
    def published_source(self) -> bool:
        """False for assumptions no published study backs (template.yaml says which)."""
        return self.key not in UNSOURCED

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "low_value": self.low_value, "high_value": self.high_value,
                "npv_low": self.npv_low, "npv_high": self.npv_high, "swing": self.swing,
                "published_source": self.published_source}


@dataclass(frozen=True)
class Sensitivity:
    """Tornado: NPV with one assumption at its P10 / P90 and all others central."""

    npv_central: float
    rows: tuple[SensitivityRow, ...]
    # The central NPV with owned_clv_uplift = 1 (no uplift): how much of the result rests on
    # an assumption with no published source.
    npv_without_uplift: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"npv_central": self.npv_central, "npv_without_uplift": self.npv_without_uplift,
                "quantiles": [10, 90], "rows": [r.to_dict() for r in self.rows]}


def sensitivity(baseline: Baseline, assumptions: Assumptions, months: int = 36) -> Sensitivity:
    """One engine call with 1 + 2K parameter rows (K uncertain assumptions), ranked by swing."""
    import numpy as np

    keys = [k for k in KEYS if assumptions[k].uncertain]
    central = assumptions.central()
    params = {k: np.repeat(central[k], 2 + 2 * len(keys)) for k in KEYS}
    for i, key in enumerate(keys):
        params[key][1 + 2 * i] = assumptions[key].ppf_scalar(0.1)
        params[key][2 + 2 * i] = assumptions[key].ppf_scalar(0.9)
    params["owned_clv_uplift"][-1] = 1.0  # last row: everything central, no uplift
    _, out = evaluate(channel_arrays(baseline), params, months)
    rows = [
        SensitivityRow(key, float(params[key][1 + 2 * i]), float(params[key][2 + 2 * i]),
                       float(out.npv[1 + 2 * i]), float(out.npv[2 + 2 * i]))
        for i, key in enumerate(keys)
    ]
    rows.sort(key=lambda r: (-r.swing, r.key))
    return Sensitivity(float(out.npv[0]), tuple(rows), float(out.npv[-1]))


@dataclass(frozen=True)
class Comparison:
    """One row per shift level, same seed (common random numbers) for a fair comparison."""

    months: int
    rows: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"months": self.months, "rows": list(self.rows)}


def compare_shifts(
    baseline: Baseline, assumptions: Assumptions, shifts: Sequence[float], months: int = 36,
    runs: int = 1000, seed: int = 0, programmes: Sequence[int] | None = None,
) -> Comparison:
    """NPV P10/P50/P90, break-even P50 and P(break-even by 24) for each shift (shares, 0.2 = 20 %)
    and each programme setting (default: the assumptions' own), all with the same draws."""
    rows = []
    levels = programmes if programmes is not None else [int(assumptions["programme"].central())]
    for prog in levels:
        for s in shifts:
            rows.append(_compare_row(baseline, assumptions.replace(shift=s, programme=prog), months, runs, seed))
    return Comparison(months, tuple(rows))


def _compare_row(baseline: Baseline, assumptions: Assumptions, months: int, runs: int, seed: int) -> dict[str, Any]:
    res = run_scenario(baseline, assumptions, months, runs, seed)
    return {
        "shift": res.shift,
        "programme": res.programme,
        "npv_p10": res.npv["p10"],
        "npv_p50": res.npv["p50"],
        "npv_p90": res.npv["p90"],
        "break_even_p50": res.break_even["p50"],
        "p_break_even_by_24": float((res.outcome.break_even <= 24).mean()) if months >= 24 else None,
    }
