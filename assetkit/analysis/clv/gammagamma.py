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
    lx = np.log(x)
    lm = np.log(ms)

    def nll(phi: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, v = np.exp(phi)
        px = p * x
        xmv = x * ms + v
        ll = loglik((p, q, v), x, ms)
        common = digamma(px + q)
        dp = x * (common - digamma(px) + lm + lx - np.log(xmv))
        dq = common - digamma(q) + np.log(v) - np.log(xmv)
        dv = q / v - (px + q) / xmv
        grad = np.array([np.dot(w, g) for g in (dp, dq, dv)]) * np.array([p, q, v])
        return -float(np.dot(w, ll)) / W, -grad / W

    starts = [np.log([2.0, 3.0, 2.0]), np.zeros(3), np.log([5.0, 5.0, 5.0])]
    fit = maximise("gamma_gamma", NAMES, nll, starts, W)
    delta = np.array([0.0, 0.0, np.log(scale)])
    fit.shift(delta, float(np.dot(w, loglik(np.exp(fit.phi + delta), x, m))))
    return fit


def expected_spend(params, x, m) -> np.ndarray:
    """E[value of an occasion | x, m̄]: credibility blend of pγ/(q−1) and the buyer's own mean.

    Buyers with x = 0 get the population mean pγ/(q−1) (which needs q > 1).
    """
    p, q, v = params
    x = np.asarray(x, float)
    m = np.where(x > 0, np.asarray(m, float), 0.0)
    return p * (v + x * m) / (p * x + q - 1)
