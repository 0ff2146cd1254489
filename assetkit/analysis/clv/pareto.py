"""Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie note 008), in log space.

λ ~ Gamma(r, α) purchase rate, μ ~ Gamma(s, β) dropout rate (α, β in model time units).

    L = Γ(r+x) α^r β^s / Γ(r) · { (α+T)^−(r+x) (β+T)^−s + s · J },
    J = ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ      (= A₀/(r+s+x) of note 008)

J is evaluated by the fixed-cost quadrature of `pnbd_integral` instead of scipy's ₂F₁: the
hypergeometric series needs ~1/(1−z) terms when one of α+t_x, β+t_x is far below the other,
which is where an optimiser goes on data without Pareto-identifiable dropout (s, β → ∞); scipy
then took seconds per call and returned NaN, and a 155k-buyer fit did not end in 5 minutes.
The quadrature gives the analytic gradient too, and s is bounded above (S_MAX): beyond it the
dropout rates are all but identical across buyers and the fit reports s at its bound.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln

from assetkit.analysis.clv.mle import LOG_BOUND, Fit, maximise
from assetkit.analysis.clv.pnbd_integral import Pairs, log_j
from assetkit.analysis.clv.rfm import Rfm, merge

NAMES = ("r", "alpha", "s", "beta")
SCREEN_ROWS = 10_000  # starting points are screened on a weighted subsample above this
S_MAX = 1000.0  # Gamma(s, β) dropout rates have a CV of 1/√s: 3 % here, the exponential limit
BOUNDS = [(-LOG_BOUND, LOG_BOUND), (-LOG_BOUND, LOG_BOUND), (-LOG_BOUND, float(np.log(S_MAX))),
          (-LOG_BOUND, LOG_BOUND)]
S_UNBOUNDED = ("s ran to its upper bound (s → ∞): buyers' dropout rates are indistinguishable, so "
               "this data cannot identify the Pareto/NBD dropout process; BG/NBD (--model bgnbd) "
               "is recommended")


def _parts(theta, x, t_x, T, grad: bool, pairs: Pairs | None = None):
    """Per-row log-likelihood and, with `grad`, its gradient in natural (r, α, s, β), (4, rows).
    `pairs` (built on the same rows) evaluates J from distinct pairs instead of row by row."""
    r, alpha, s, beta = (float(v) for v in theta)
    la_t, lb_t = np.log(alpha + T), np.log(beta + T)
    first = -(r + x) * la_t - s * lb_t
    lj = pairs.log_j(theta, grad) if pairs is not None else log_j(theta, x, t_x, T, grad)
    lj, dj = lj if grad else (lj, None)
    second = np.log(s) + lj
    ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(first, second)
    if not grad:
        return ll, None
    wa = expit(first - second)  # share of the "alive at T" term
    wb = 1.0 - wa
    g = np.stack([digamma(r + x) - digamma(r) + np.log(alpha) - wa * la_t + wb * dj[0],
                  r / alpha - wa * (r + x) / (alpha + T) + wb * dj[1],
                  np.log(beta) - wa * lb_t + wb * (1.0 / s + dj[2]),
                  s / beta - wa * s / (beta + T) + wb * dj[3]])
    return ll, g


def loglik(params, x, t_x, T) -> np.ndarray:
    """Per-buyer log-likelihood at natural-scale params (r, alpha, s, beta)."""
    x, t_x, T = (np.asarray(v, float) for v in np.broadcast_arrays(x, t_x, T))
    with np.errstate(divide="ignore"):
        return _parts(np.asarray(params, float), x, t_x, T, False)[0]


def fit_pnbd(x, t_x, T, weights=None) -> Fit:
    """Fit Pareto/NBD on repeat occasions x, recency t_x and age T (one time unit).

    The fit ends in bounded time whatever the data: each likelihood evaluation costs the same
    everywhere and every stage is bounded (see mle.py). When s reaches S_MAX the diagnostics
    list it in `at_bound` with a warning that recommends BG/NBD.
    """
    d = merge(x, t_x, T, weights)
    scale = float(d.T.max()) or 1.0
    ds = Rfm(d.x, d.t_x / scale, d.T / scale, d.w, d.inverse)
    nll = _nll_factory(ds)
    screen = _nll_factory(ds.subsample(SCREEN_ROWS, np.random.default_rng(0))) if ds.x.size > SCREEN_ROWS else None

    rate = max(float(np.dot(ds.w, ds.x) / max(np.dot(ds.w, ds.T), 1e-9)), 1e-3)
    starts = [np.log([1.0, 1.0 / rate, 1.0, 1.0]), np.log([0.5, 0.5 / rate, 0.5, 0.5]),
              np.zeros(4)]
    fit = maximise("pnbd", NAMES, nll, starts, ds.n, screen, BOUNDS)
    if "s" in fit.diagnostics.at_bound and fit.phi[2] > 0:
        fit.diagnostics.warnings.insert(0, S_UNBOUNDED)
    delta = np.array([0.0, np.log(scale), 0.0, np.log(scale)])
    fit.shift(delta, float(np.dot(d.w, loglik(np.exp(fit.phi + delta), d.x, d.t_x, d.T))))
    return fit


def _nll_factory(ds: Rfm):
    """Mean NLL and its gradient in log θ over the weighted unique rows."""
    W = ds.n
    pairs = Pairs(ds.x, ds.t_x, ds.T)

    def nll(phi: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(phi)
        with np.errstate(all="ignore"):
            ll, g = _parts(theta, ds.x, ds.t_x, ds.T, True, pairs)
        return -float(np.dot(ds.w, ll)) / W, -(g @ ds.w) * theta / W

    return nll


def p_alive(params, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = params
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    with np.errstate(divide="ignore"):
        z = np.log(s) + log_j(params, x, t_x, T) + (r + x) * np.log(alpha + T) + s * np.log(beta + T)
    return expit(-z)


def _decay(s, t, base):
    """[1 − (base/(base+t))^(s−1)] / (s−1), continuous through s = 1 (→ log(1 + t/base))."""
    lg = np.log1p(t / base)
    if abs(s - 1) < 1e-8:
        return lg
    return -np.expm1(-(s - 1) * lg) / (s - 1)


def expected_conditional(params, t, x, t_x, T) -> np.ndarray:
    """E[occasions in (T, T+t] | x, t_x, T]; `t` broadcasts against the buyers."""
    r, alpha, s, beta = params
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    t = np.asarray(t, float)
    rate = (r + x) * (beta + T) / (alpha + T)
    return p_alive(params, x, t_x, T) * rate * _decay(s, t, beta + T)


def expected_new(params, t) -> np.ndarray:
    r, alpha, s, beta = params
    return r * beta / alpha * _decay(s, np.asarray(t, float), beta)
