"""BG/NBD (Fader, Hardie & Lee 2005) and modified BG/NBD (Batislam et al. 2007).

Purchase rate λ ~ Gamma(r, α) (α in model time units); after each purchase (BG/NBD) or also at
the first one (MBG/NBD) the buyer drops out with probability p ~ Beta(a, b). The likelihood is
the lifetimes/Hardie form in log space:

    ℓ = lnΓ(r+x) − lnΓ(r) + r ln α + lnΓ(a+b) + lnΓ(b+x+k) − lnΓ(b) − lnΓ(a+b+x+k)
        + logaddexp(−(r+x) ln(α+T),  [x>0 or MBG]·(ln a − ln(b+x+k−1) − (r+x) ln(α+t_x)))

with k = 0 (BG/NBD) or 1 (MBG/NBD). The gradient is analytic (digamma and the softmax weights
of the two logaddexp terms), so a fit costs a few dozen passes over the unique rows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1

from assetkit.analysis.clv.mle import Fit, maximise
from assetkit.analysis.clv.rfm import Rfm, merge

NAMES = ("r", "alpha", "a", "b")
SCREEN_ROWS = 20_000  # above this many unique rows, starting points are screened on a subsample


def _terms(theta: np.ndarray, x, t_x, T, modified: bool):
    r, alpha, a, b = theta
    k = 1.0 if modified else 0.0
    has_b = (x > 0) | modified
    la = -(r + x) * np.log(alpha + T)
    bx1 = np.where(has_b, b + x + k - 1, 1.0)
    lb = np.where(has_b, np.log(a) - np.log(bx1) - (r + x) * np.log(alpha + t_x), -np.inf)
    top = np.logaddexp(la, lb)
    ll = (gammaln(r + x) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + x + k)
          - gammaln(b) - gammaln(a + b + x + k) + top)
    return ll, la, lb, top, bx1, has_b


def loglik(params, x, t_x, T, modified: bool = False) -> np.ndarray:
    """Per-buyer log-likelihood at natural-scale params (r, alpha, a, b)."""
    theta = np.asarray(params, float)
    with np.errstate(divide="ignore"):
        return _terms(theta, np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float),
                      modified)[0]


def _nll(phi: np.ndarray, d: Rfm, modified: bool) -> tuple[float, np.ndarray]:
    """Mean NLL and its gradient in log θ. Special functions of x alone are evaluated once
    per distinct count and gathered (x takes few values even at a million buyers)."""
    theta = np.exp(phi)
    r, alpha, a, b = theta
    x, t_x, T, w = d.x, d.t_x, d.T, d.w
    xu, xi = d.counts()
    k = 1.0 if modified else 0.0
    has_b = (x > 0) | modified
    l_at = np.log(alpha + T)
    l_atx = np.log(alpha + t_x)
    bx1 = np.where(has_b, b + x + k - 1, 1.0)
    la = -(r + x) * l_at
    lb = np.where(has_b, np.log(a) - np.log(bx1) - (r + x) * l_atx, -np.inf)
    top = np.logaddexp(la, lb)
    by_x = (gammaln(r + xu) + gammaln(b + xu + k) - gammaln(a + b + xu + k))[xi]
    const = -gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b)
    ll = by_x + const + top
    wa = np.exp(la - top)
    wb = np.where(has_b, np.exp(lb - top), 0.0)
    psi_rx, psi_bx, psi_abx = (digamma(r + xu)[xi], digamma(b + xu + k)[xi], digamma(a + b + xu + k)[xi])
    dr = psi_rx - digamma(r) + np.log(alpha) - wa * l_at - wb * l_atx
    dalpha = r / alpha - (r + x) * (wa / (alpha + T) + wb / (alpha + t_x))
    dab = digamma(a + b) - psi_abx
    da = dab + wb / a
    db = dab + psi_bx - digamma(b) - wb / bx1
    W = d.n
    grad = np.array([np.dot(w, g) for g in (dr, dalpha, da, db)]) * theta
    return -float(np.dot(w, ll)) / W, -grad / W


def _fit(name: str, x, t_x, T, weights, modified: bool) -> tuple[Fit, Rfm]:
    d = merge(x, t_x, T, weights)
    scale = float(d.T.max()) or 1.0
    ds = Rfm(d.x, d.t_x / scale, d.T / scale, d.w, d.inverse)
    rate = max(float(np.dot(ds.w, ds.x) / max(np.dot(ds.w, ds.T), 1e-9)), 1e-3)
    starts = [np.log([1.0, 1.0 / rate, 1.0, 1.0]), np.log([0.3, 0.3 / rate, 0.8, 2.5]),
              np.zeros(4), np.log([2.0, 2.0 / rate, 0.5, 5.0])]
    screen = None
    if ds.x.size > SCREEN_ROWS:
        sub = ds.subsample(SCREEN_ROWS, np.random.default_rng(0))
        screen = lambda p: _nll(p, sub, modified)  # noqa: E731
    fit = maximise(name, NAMES, lambda p: _nll(p, ds, modified), starts, ds.n, screen)
    delta = np.array([0.0, np.log(scale), 0.0, 0.0])
    fit.shift(delta, float(np.dot(d.w, loglik(np.exp(fit.phi + delta), d.x, d.t_x, d.T, modified))))
    return fit, d


def fit_bgnbd(x, t_x, T, weights=None) -> Fit:
    """Fit BG/NBD on repeat occasions x, recency t_x and age T (all in one time unit)."""
    return _fit("bgnbd", x, t_x, T, weights, False)[0]


def fit_mbgnbd(x, t_x, T, weights=None) -> Fit:
    """Fit the modified BG/NBD (dropout possible right after the first purchase)."""
    return _fit("mbgnbd", x, t_x, T, weights, True)[0]


def log_odds_dead(params, x, t_x, T, modified: bool = False) -> np.ndarray:
    r, alpha, a, b = params
    k = 1.0 if modified else 0.0
    has_b = (x > 0) | modified
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.log(a) - np.log(np.where(has_b, b + x + k - 1, 1.0))
             + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    return np.where(has_b, z, -np.inf)


def p_alive(params, x, t_x, T, modified: bool = False) -> np.ndarray:
    """P(still active | history); BG/NBD gives 1 for buyers without repeats (a model artefact)."""
    return expit(-log_odds_dead(params, np.asarray(x, float), np.asarray(t_x, float),
                                np.asarray(T, float), modified))


def _one_minus_tail(a, c_minus_r, c, z, log1mz):
    """1 − (1−z)^(r+x) ₂F₁(r+x, b'; c; z), through Euler's transformation.

    The raw ₂F₁ grows like (1−z)^(c−r−x−b') and overflows for heavy buyers while the power
    underflows (inf·0 = NaN); transformed, the power is (1−z)^(a−1) and the ₂F₁ has small
    upper parameters (c−r−x, a−1), so it stays near 1 for any x.
    """
    return 1 - np.exp((a - 1) * log1mz) * hyp2f1(c_minus_r, a - 1, c, z)


def expected_conditional(params, t, x, t_x, T, modified: bool = False) -> np.ndarray:
    """E[occasions in (T, T+t] | x, t_x, T]; `t` broadcasts against the buyers (e.g. shape (K,1))."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    t = np.asarray(t, float)
    k = 1.0 if modified else 0.0
    c = a + b + x + k - 1
    log1mz = np.log(alpha + T) - np.log(alpha + T + t)
    z = t / (alpha + T + t)
    num = c / (a - 1) * _one_minus_tail(a, c - r - x, c, z, log1mz)
    return num * p_alive(params, x, t_x, T, modified)


def expected_new(params, t, modified: bool = False) -> np.ndarray:
    """E[X(t)] for a buyer just acquired: repeat occasions over the next t."""
    r, alpha, a, b = params
    t = np.asarray(t, float)
    z = t / (alpha + t)
    log1mz = np.log(alpha) - np.log(alpha + t)
    if modified:
        return b / (a - 1) * _one_minus_tail(a, a + b - r, a + b, z, log1mz)
    return (a + b - 1) / (a - 1) * _one_minus_tail(a, a + b - 1 - r, a + b - 1, z, log1mz)
