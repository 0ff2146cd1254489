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
    theta = np.exp(phi)
    r, alpha, a, b = theta
    x, t_x, T, w = d.x, d.t_x, d.T, d.w
    k = 1.0 if modified else 0.0
    ll, la, lb, top, bx1, has_b = _terms(theta, x, t_x, T, modified)
    wa = np.exp(la - top)
    wb = np.where(has_b, np.exp(lb - top), 0.0)
    dr = digamma(r + x) - digamma(r) + np.log(alpha) - wa * np.log(alpha + T) - wb * np.log(alpha + t_x)
    dalpha = r / alpha - (r + x) * (wa / (alpha + T) + wb / (alpha + t_x))
    dab = digamma(a + b) - digamma(a + b + x + k)
    da = dab + wb / a
    db = dab + digamma(b + x + k) - digamma(b) - wb / bx1
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
    fit = maximise(name, NAMES, lambda p: _nll(p, ds, modified), starts, ds.n)
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


def expected_conditional(params, t, x, t_x, T, modified: bool = False) -> np.ndarray:
    """E[occasions in (T, T+t] | x, t_x, T]; `t` broadcasts against the buyers (e.g. shape (K,1))."""
    r, alpha, a, b = params
    x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
    t = np.asarray(t, float)
    k = 1.0 if modified else 0.0
    z = t / (alpha + T + t)
    hyp = hyp2f1(r + x, b + x + k, a + b + x + k - 1, z)
    # ((α+T)/(α+T+t))^(r+x) in log space: the raw power underflows for heavy buyers.
    powr = np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t)))
    num = (a + b + x + k - 1) / (a - 1) * (1 - powr * hyp)
    return num * p_alive(params, x, t_x, T, modified)


def expected_new(params, t, modified: bool = False) -> np.ndarray:
    """E[X(t)] for a buyer just acquired: repeat occasions over the next t."""
    r, alpha, a, b = params
    t = np.asarray(t, float)
    powr = np.exp(r * (np.log(alpha) - np.log(alpha + t)))
    if modified:
        return b / (a - 1) * (1 - powr * hyp2f1(r, b + 1, a + b, t / (alpha + t)))
    return (a + b - 1) / (a - 1) * (1 - powr * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
