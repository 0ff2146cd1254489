"""`analyse_clv`: summary → purchase and spend models (or the heuristic) → value per buyer.

Small businesses are the normal case. With fewer than `min_repeat_buyers` repeat buyers, or
when the purchase model is not identified (parameter at a bound, singular Hessian), the
result switches to the documented heuristic and says why. Intervals: Hessian-based parameter
draws for fitted models by default, or (`intervals="bootstrap"`) refits on buyers resampled
with replacement (bootstrap.py); a bootstrap of the population priors for the heuristic.
Every interval is given for the total and for the totals by channel and platform.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from assetkit.analysis.clv import betageo, gammagamma, pareto
from assetkit.analysis.clv.bootstrap import model_bootstrap
from assetkit.analysis.clv.cache import cached_fit
from assetkit.analysis.clv.groups import by_group, group_intervals, holdout_check, top
from assetkit.analysis.clv.mle import Fit
from assetkit.analysis.clv.result import BuyerValues, ClvResult, SpendModel
from assetkit.analysis.clv.rfm import merge, unit_days
from assetkit.analysis.clv.spend import calibration, fit_spend
from assetkit.analysis.clv.summary import Summary, summary_from_orders
from assetkit.analysis.clv.value import (
    YEAR_DAYS,
    alive,
    cumulative,
    discounted_occasions,
    fee_shares,
    heuristic_prior,
    heuristic_rates,
    population_aov,
    shrunk_aov,
    step_grid,
)
from assetkit.config import Config
from assetkit.errors import ConfigError, NotEnoughData, UsageError

if TYPE_CHECKING:
    import duckdb

MODELS = {"bgnbd": betageo.fit_bgnbd, "mbgnbd": betageo.fit_mbgnbd, "pnbd": pareto.fit_pnbd}
PARAM_UNITS = {"r": "shape", "alpha": "{unit}s (scale of the purchase rate)", "a": "shape", "b": "shape",
               "s": "shape", "beta": "{unit}s (scale of the dropout rate)"}
MIN_REPEAT_BUYERS = 30
INTERVAL_WORK = 1e7  # hypergeometric evaluations allowed for interval draws


CLV_KEYS = ("min_repeat_buyers", "interval_draws", "bootstrap_refits", "segments")
INTERVALS = ("hessian", "bootstrap")


def _settings(config: Config) -> tuple[float, float, int, int, int]:
    """Margin, annual discount rate and the `clv:` section's knobs, validated."""
    section = config.section("clv")
    unknown = sorted(set(section) - set(CLV_KEYS))
    if unknown:
        raise ConfigError(f"unknown key clv.{unknown[0]}", hint=f"known keys: {', '.join(CLV_KEYS)}")
    try:
        min_repeat = int(section.get("min_repeat_buyers", MIN_REPEAT_BUYERS))
        draws = int(section.get("interval_draws", 100))
        refits = int(section.get("bootstrap_refits", 100))
    except (TypeError, ValueError):
        raise ConfigError("clv.min_repeat_buyers, clv.interval_draws and clv.bootstrap_refits must be "
                          "whole numbers") from None
    if min_repeat < 1 or draws < 0 or refits < 0:
        raise ConfigError("clv.min_repeat_buyers must be ≥ 1, clv.interval_draws and clv.bootstrap_refits ≥ 0")
    return (float(config.gross_margin), float(config.discount_rate),
            min_repeat, draws, refits)


def _model_path(model: str, fit: Fit, d, s: Summary, spend: SpendModel, ends, discount,
                n_draws: int, rng: np.random.Generator, refits: int | None = None) -> dict:
    """Predictions from a fitted model, with Hessian-based parameter draws for intervals, or
    with `refits` bootstrap refits instead."""
    theta = fit.theta()
    occ_u, disc_u = discounted_occasions(model, theta, d, ends, discount)
    out = {"expected": d.expand(occ_u), "disc_occ": d.expand(disc_u),
           "p_alive": d.expand(alive(model, theta, d)), "sims": [], "interval_method": None}
    if refits is not None:
        out["sims"], out["interval_method"], skipped = model_bootstrap(
            model, MODELS[model], d, s, spend, ends, discount, refits, rng)
        if skipped:
            out["interval_skipped"] = skipped
        return out
    # Cap the work at ~1e7 hypergeometric evaluations; data that large pins the parameters
    # down so tightly that the intervals would be narrow anyway (the SEs are still reported).
    draws = min(n_draws, int(INTERVAL_WORK // max(d.x.size * ends.size, 1)))
    if fit.cov_phi is None:
        out["interval_skipped"] = "no intervals: the Hessian is singular"
        return out
    if draws < 20:
        out["interval_skipped"] = (f"no per-buyer intervals: {d.x.size:,} distinct buyer histories make "
                                   "parameter uncertainty negligible; see the parameters' standard errors")
        return out
    out["interval_method"] = f"Hessian parameter draws ({draws}), purchase and spend models"
    gg = spend.fit
    gg_phi = (rng.multivariate_normal(gg.phi, gg.cov_phi, size=draws)
              if gg is not None and gg.cov_phi is not None else None)
    m_obs = np.where(s.frequency > 0, np.maximum(np.nan_to_num(s.monetary), 0.0), 0.0)
    for i, phi in enumerate(rng.multivariate_normal(fit.phi, fit.cov_phi, size=draws)):
        dd = d.expand(discounted_occasions(model, np.exp(phi), d, ends, discount)[1])
        m = spend.spend if gg_phi is None else gammagamma.expected_spend(np.exp(gg_phi[i]), s.frequency, m_obs)
        out["sims"].append(dd * m)
    return out


def _heuristic_path(s: Summary, spend: SpendModel, ends, discount, rng: np.random.Generator) -> dict:
    """Shrunk-rate heuristic; intervals from re-estimating the population priors on
    bootstrap resamples of buyers (the per-buyer histories stay fixed)."""
    widths = np.diff(ends, prepend=0.0)
    horizon_weight = float(discount @ widths)
    prior = heuristic_prior(s.frequency, s.T)
    lam, p_act = heuristic_rates(s.frequency, s.recency, s.T, prior)
    out = {"expected": lam * p_act * ends[-1], "disc_occ": lam * p_act * horizon_weight,
           "p_alive": p_act, "lam": lam, "sims": [], "interval_method": "bootstrap over buyers (200)"}
    occasions = s.frequency + 1
    pooled_average = spend.name == "shrunk_average"
    for _ in range(200):
        idx = rng.integers(0, s.n, s.n)
        lam_b, p_b = heuristic_rates(s.frequency, s.recency, s.T, heuristic_prior(s.frequency[idx], s.T[idx]))
        m = (shrunk_aov(s.aov, occasions, population_aov(s.aov[idx], occasions[idx])) if pooled_average
             else spend.spend)
        out["sims"].append(lam_b * p_b * horizon_weight * m)
    return out


def analyse_clv(con: duckdb.DuckDBPyConnection, config: Config | None = None, until: dt.date | str | None = None,
                time_unit: str = "week", horizon: float | None = None, model: str = "bgnbd",
                seed: int = 0, intervals: str = "hessian") -> ClvResult:
    """Fit, predict and value every buyer. `horizon` is in `time_unit` (default: one year).
    `intervals`: "hessian" (parameter draws) or "bootstrap" (refits on resampled buyers)."""
    if model not in MODELS:
        raise UsageError(f"unknown model {model!r}", hint="use one of: bgnbd, pnbd, mbgnbd")
    if intervals not in INTERVALS:
        raise UsageError(f"unknown interval method {intervals!r}", hint="use hessian or bootstrap")
    days = unit_days(time_unit)
    horizon_units = float(horizon) if horizon is not None else 365.25 / days
    if horizon_units <= 0:
        raise UsageError("the horizon must be positive", hint="e.g. --horizon 52 with --time-unit week")
    margin, rate, min_repeat, n_draws, n_refits = _settings(config or Config())
    s = summary_from_orders(con, until=until, time_unit=time_unit)
    n_repeat = int((s.frequency > 0).sum())
    if n_repeat == 0:
        raise NotEnoughData(
            f"none of the {s.n} buyers has bought on two different days by {s.until}, so repeat "
            "buying cannot be estimated at all",
            hint="wait for repeat orders, or import a longer order history")
    d = merge(s.frequency, s.recency, s.T)
    ends_days, discount = step_grid(horizon_units * days, rate)
    ends = ends_days / days
    spend = fit_spend(s)
    warnings: list[str] = []
    fit: Fit | None = None
    reason = None
    if n_repeat < min_repeat:
        reason = f"only {n_repeat} repeat buyers (< {min_repeat}): too few to fit {model} honestly"
    else:
        fit = cached_fit(model, MODELS[model], s.frequency, s.recency, s.T)
        warnings += fit.diagnostics.warnings
        if not fit.diagnostics.identified:
            detail = fit.diagnostics.warnings[0] if fit.diagnostics.warnings else fit.diagnostics.method
            reason = f"the {model} fit is not identified by this data: {detail}"
    rng = np.random.default_rng(seed)
    if reason is None:
        path = _model_path(model, fit, d, s, spend, ends, discount, n_draws, rng,
                           n_refits if intervals == "bootstrap" else None)
        method, note = "model", f"{model} maximum likelihood; spend: {spend.name}"
        year = d.expand(cumulative(model, fit.theta(), np.array([YEAR_DAYS / days]), d)[-1])
    else:
        path = _heuristic_path(s, spend, ends, discount, rng)
        method = "heuristic"
        note = ("repeat rate per buyer shrunk toward the pooled rate (Gamma-Poisson posterior mean, "
                "prior weight = median buyer age); P(active) = exp(−rate × time since last occasion); "
                f"spend: {spend.name}")
        year = path["lam"] * path["p_alive"] * (YEAR_DAYS / days)
    fees = fee_shares(con)
    platforms, which = np.unique(s.last_platform.astype(str), return_inverse=True)
    fee = np.array([fees.get(p, {}).get("variable_fee_share", 0.0) for p in platforms])[which]
    factor = margin - fee
    revenue = path["disc_occ"] * spend.spend
    clv = factor * revenue
    low = high = interval_total = stack = None
    if path["sims"]:
        stack = np.array(path["sims"]) * factor
        low, high = np.percentile(stack, 5, axis=0), np.percentile(stack, 95, axis=0)
        totals = stack.sum(axis=1)
        interval_total = (float(np.percentile(totals, 5)), float(np.percentile(totals, 95)))
    holdout = None
    if s.holdout_days > 0:
        h = s.holdout_days / days
        if method == "model":
            pred = d.expand(discounted_occasions(model, fit.theta(), d, np.array([h]), np.ones(1))[0])
        else:
            pred = path["lam"] * path["p_alive"] * h
        holdout = holdout_check(s.frequency, s.first_channel, pred, s.holdout_occasions, s.holdout_days, days)
    if path.get("interval_skipped"):
        warnings.append(path["interval_skipped"])
    if s.orders_without_fx:
        warnings.append(f"{s.orders_without_fx} orders have no amount in the reporting currency "
                        "(missing FX rate); they count as occasions but add no value")
    if s.orders_without_buyer:
        warnings.append(f"{s.orders_without_buyer} orders have no buyer and are left out")
    if spend.n_excluded:
        warnings.append(f"{spend.n_excluded} repeat buyers have a mean repeat value ≤ 0 (free samples, "
                        "refunds) and were left out of the spend model")
    buyers = BuyerValues(s, path["expected"], path["p_alive"], spend.spend, revenue, clv, fee,
                         fee * revenue, low, high)
    cols = {"buyer_id": s.buyer_id, "clv": clv, "clv_low": low if low is not None else np.full(s.n, np.nan),
            "clv_high": high if high is not None else np.full(s.n, np.nan), "p_alive": path["p_alive"],
            "expected_occasions": path["expected"], "first_channel": s.first_channel,
            "platform": s.last_platform}
    return ClvResult(
        model=model, method=method, method_reason=reason, method_note=note, time_unit=time_unit,
        unit_days=days, until=s.until, data_end=s.data_end, horizon=horizon_units,
        fit=fit, param_units={k: v.format(unit=time_unit) for k, v in PARAM_UNITS.items()},
        spend=spend, n_buyers=s.n, n_repeat_buyers=n_repeat, gross_margin=margin,
        discount_rate=rate, fee_shares=fees, buyers=buyers, holdout=holdout,
        by_channel=group_intervals(by_group(s.first_channel, clv, {"fee_saved": fee * revenue}),
                                   s.first_channel, stack),
        by_platform=group_intervals(by_group(s.first_platform, clv, {"fee_saved": fee * revenue}),
                                    s.first_platform, stack),
        top_buyers=top(clv, cols), interval_method=path["interval_method"],
        interval_total=interval_total, warnings=warnings,
        calibration=calibration(s.last_platform, year * spend.spend, s.last_year),
    )
