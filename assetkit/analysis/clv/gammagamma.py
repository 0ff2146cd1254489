"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999).

A buyer's occasion values are Gamma(p, ν) with ν ~ Gamma(q, γ); only the number of repeat
occasions x > 0 and their mean value m̄ enter. Per repeat buyer:

    ℓ = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(x m̄ + γ)

`γ` is stored under the key `v` (as lifetimes names it) and documented as γ. Buyers without
repeats, or whose mean repeat value is not positive (free samples, full refunds), are left out
of the fit; the caller reports how many.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from assetkit.analysis.clv.mle import Fit, maximise

NAMES = ("p", "q", "v")
SCREEN_ROWS = 5_000  # above this many buyers, starting points are screened on a subsample


def loglik(params, x, m) -> np.ndarray:
    p, q, v = params
    x = np.asarray(x, float)
    m = np.asarray(m, float)
    return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def fit_gamma_gamma(x, m, weights=None) -> Fit:
    """Fit on repeat buyers (x > 0, m > 0); raises ValueError if other rows are passed."""
    x = np.asarray(x, float)
    m = np.asarray(m, float)
    if np.any(x <= 0) or np.any(~(m > 0)):
        raise ValueError("Gamma-Gamma needs repeat buyers with a positive mean value only")
    w = np.ones_like(x) if weights is None else np.asarray(weights, float)
    scale = float(np.median(m)) or 1.0  # fit in units of the median spend, then restate γ
    ms = m / scale
    W = float(w.sum())
    starts = [np.log([2.0, 3.0, 2.0]), np.zeros(3), np.log([5.0, 5.0, 5.0])]
    screen = None
    if x.size > SCREEN_ROWS:
        idx = np.random.default_rng(0).choice(x.size, SCREEN_ROWS, replace=False, p=w / W)
        screen = _nll_factory(x[idx], ms[idx], np.full(SCREEN_ROWS, W / SCREEN_ROWS))
    fit = maximise("gamma_gamma", NAMES, _nll_factory(x, ms, w), starts, W, screen)
    delta = np.array([0.0, 0.0, np.log(scale)])
    fit.shift(delta, float(np.dot(w, loglik(np.exp(fit.phi + delta), x, m))))
    return fit


def _nll_factory(x: np.ndarray, ms: np.ndarray, w: np.ndarray):
    """Mean NLL and gradient in log θ; special functions once per distinct count x."""
    W = float(w.sum())
    lx = np.log(x)
    lm = np.log(ms)
    xu, xi = np.unique(x, return_inverse=True)
    xlm = x * lm

    def nll(phi: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, v = np.exp(phi)
        px = p * x
        xmv = x * ms + v
        l_xmv = np.log(xmv)
        pxu = p * xu
        ll = ((gammaln(pxu + q) - gammaln(pxu))[xi] - gammaln(q) + q * np.log(v)
              + p * xlm - lm + px * lx - (px + q) * l_xmv)
        common = digamma(pxu + q)[xi]
        dp = x * (common - digamma(pxu)[xi] + lm + lx - l_xmv)
        dq = common - digamma(q) + np.log(v) - l_xmv
        dv = q / v - (px + q) / xmv
        grad = np.array([np.dot(w, g) for g in (dp, dq, dv)]) * np.array([p, q, v])
        return -float(np.dot(w, ll)) / W, -grad / W

    return nll


def expected_spend(params, x, m) -> np.ndarray:
    """E[value of an occasion | x, m̄]: credibility blend of pγ/(q−1) and the buyer's own mean.

    Buyers with x = 0 get the population mean pγ/(q−1) (which needs q > 1).
    """
    p, q, v = params
    x = np.asarray(x, float)
    m = np.where(x > 0, np.asarray(m, float), 0.0)
    return p * (v + x * m) / (p * x + q - 1)
