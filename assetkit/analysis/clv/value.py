"""From a fitted purchase model to discounted, margin- and fee-aware value per buyer.

Units: the model works in its time unit; the horizon and discounting work in days. Cash flows
are placed at the end of each 30.4375-day month of the horizon (the last step may be partial)
and discounted continuously in time with the ANNUAL rate: factor (1+d)^(−days/365.25). The
value of a buyer is

    discounted revenue_i = m_i · Σ_k ΔE[Y_i(t_k)] · (1+d)^(−t_k/365.25)
    CLV_i               = (gross margin − fee share of the buyer's platform) · discounted revenue_i
    fee saved_i         = fee share · discounted revenue_i    (what moving the buyer would save)

Fees are a share of revenue, margin is a share of revenue, so both come off the same base;
CLV can be negative where the platform takes more than the margin, and is then shown as such.
The heuristic (too few repeat buyers to fit) uses a Gamma-Poisson shrunk rate with no dropout
model other than the chance that a buyer at that rate would have been silent so long.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from assetkit.analysis.clv import betageo, pareto
from assetkit.analysis.clv.rfm import Rfm

if TYPE_CHECKING:
    import duckdb

MONTH_DAYS = 30.4375
YEAR_DAYS = 365.25
FIXED_FEE_TYPES = ("membership", "advertising")


def step_grid(horizon_days: float, annual_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Month-end step times in days (last one partial) and their discount factors."""
    k = max(int(np.ceil(horizon_days / MONTH_DAYS - 1e-9)), 1)
    ends = np.minimum(np.arange(1, k + 1) * MONTH_DAYS, horizon_days)
    return ends, (1.0 + annual_rate) ** (-ends / YEAR_DAYS)


def cumulative(model: str, params, t: np.ndarray, d: Rfm) -> np.ndarray:
    """E[occasions in (T, T+t]] for each step t (rows) and unique buyer row (columns)."""
    t = np.asarray(t, float)[:, None]
    if model == "pnbd":
        return pareto.expected_conditional(params, t, d.x, d.t_x, d.T)
    return betageo.expected_conditional(params, t, d.x, d.t_x, d.T, modified=model == "mbgnbd")


def alive(model: str, params, d: Rfm) -> np.ndarray:
    if model == "pnbd":
        return pareto.p_alive(params, d.x, d.t_x, d.T)
    return betageo.p_alive(params, d.x, d.t_x, d.T, modified=model == "mbgnbd")


def discounted_occasions(model: str, params, d: Rfm, ends_units: np.ndarray,
                         discount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(expected occasions over the horizon, discounted expected occasions) per unique row."""
    cum = cumulative(model, params, ends_units, d)
    inc = np.diff(cum, axis=0, prepend=0.0)
    return cum[-1], discount @ inc


def heuristic_prior(x: np.ndarray, T: np.ndarray) -> tuple[float, float]:
    """Pooled repeat rate Σx/ΣT and prior weight α₀ = median T (one typical buyer's history)."""
    return float(x.sum() / max(T.sum(), 1e-12)), float(np.median(T)) or 1.0


def heuristic_rates(x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                    prior: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Shrunk repeat rate λ_i = (x_i + rate·α₀)/(T_i + α₀) (a Gamma-Poisson posterior mean) and
    P(active) = exp(−λ_i·(T_i − t_x,i)), the chance a buyer at that rate stays silent so long."""
    pooled, alpha0 = prior
    lam = (x + pooled * alpha0) / (T + alpha0)
    return lam, np.exp(-lam * (T - t_x))


def population_aov(aov: np.ndarray, occasions: np.ndarray) -> float:
    return float(np.nansum(aov * occasions) / max(occasions.sum(), 1))


def shrunk_aov(aov: np.ndarray, occasions: np.ndarray, pop: float | None = None, k: float = 2.0) -> np.ndarray:
    """Average occasion value shrunk toward the population mean with k pseudo-occasions."""
    pop = population_aov(aov, occasions) if pop is None else pop
    est = (np.nan_to_num(aov) * occasions + k * pop) / (occasions + k)
    return np.maximum(est, 0.0)


def fee_shares(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float]]:
    """Per platform: revenue, variable fees, all fees, the **variable fee share** and the fee share.

    Variable fees (every fee category but membership and advertising, as fee_types.yaml maps
    the stored fee_type) scale with each order, so they are what a buyer costs on the platform
    and what moving them saves; membership and advertising are fixed or acquisition costs.
    `all_fee_share` is the fee rows alone over all history; `assetkit fees`'s fee share (platform
    cost, with recurring fees and ad spend, over a window) is the one to quote (docs/metrics.md).
    """
    from assetkit.analysis.economics.schedules import category_of

    revenue = dict(con.execute(
        "SELECT platform, CAST(sum(gross_amount_rc - coalesce(refunded_amount_rc, 0)) AS DOUBLE) FROM orders "
        "WHERE status <> 'cancelled' GROUP BY 1").fetchall())
    fees: dict[str, list[float]] = {}
    for platform, fee_type, amount in con.execute(
            "SELECT platform, fee_type, CAST(coalesce(sum(amount_rc), 0) AS DOUBLE) FROM platform_fees GROUP BY 1, 2").fetchall():
        var_all = fees.setdefault(platform, [0.0, 0.0])
        var_all[1] += amount
        if category_of(str(fee_type)) not in FIXED_FEE_TYPES:
            var_all[0] += amount
    out = {}
    for platform in sorted(set(revenue) | set(fees)):
        rev = revenue.get(platform) or 0.0
        var_fees, all_fees = fees.get(platform, [0.0, 0.0])
        out[platform] = {"revenue": rev, "variable_fees": var_fees, "all_fees": all_fees,
                         "variable_fee_share": _share(var_fees, rev), "all_fee_share": _share(all_fees, rev)}
    return out


def _share(fee: float, revenue: float) -> float:
    """Fees as a share of revenue, clipped to [0, 1]; 0 for a platform without revenue."""
    return min(max(fee / revenue, 0.0), 1.0) if revenue > 0 else 0.0
