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
SCREEN_ROWS = 5_000  # above this many unique rows, starting points are screened on a subsample


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


class _Layout:
    """Row groupings reused by every likelihood evaluation of one data set.

    Terms that depend on x alone or on T alone are summed per distinct value with aggregated
    weights; only rows that carry the dropout term (x > 0, or all rows for MBG/NBD) need
    per-row work, and for those the logarithms are gathered from per-distinct-value tables.
    """

    def __init__(self, d: Rfm, modified: bool) -> None:
        w = d.w
        self.W = d.n
        self.xu, xi = np.unique(d.x, return_inverse=True)
        self.Tu, Ti = np.unique(d.T, return_inverse=True)
        self.Wx = np.bincount(xi, weights=w, minlength=self.xu.size)
        self.WT = np.bincount(Ti, weights=w, minlength=self.Tu.size)
        self.WxT = np.bincount(Ti, weights=w * d.x, minlength=self.Tu.size)
        h = np.ones(d.x.size, bool) if modified else d.x > 0
        self.tu, ti = np.unique(d.t_x[h], return_inverse=True)
        self.w_h, self.x_h = w[h], d.x[h]
        self.xi_h, self.Ti_h, self.ti_h = xi[h], Ti[h], ti


def _nll(phi: np.ndarray, lay: _Layout, modified: bool) -> tuple[float, np.ndarray]:
    """Mean NLL and its gradient in log θ (see `_Layout` for how the work is shared)."""
    theta = np.exp(phi)
    r, alpha, a, b = theta
    k = 1.0 if modified else 0.0
    W, xu, Wx = lay.W, lay.xu, lay.Wx
    l_at_u = np.log(alpha + lay.Tu)
    inv_at_u = 1.0 / (alpha + lay.Tu)
    # Part shared by every row: lnΓ terms by distinct x, −(r+x)·ln(α+T) by distinct T.
    ll = (np.dot(Wx, gammaln(r + xu) + gammaln(b + xu + k) - gammaln(a + b + xu + k))
          + W * (-gammaln(r) + r * np.log(alpha) + gammaln(a + b) - gammaln(b))
          - r * np.dot(lay.WT, l_at_u) - np.dot(lay.WxT, l_at_u))
    psi_abx = np.dot(Wx, digamma(a + b + xu + k))
    dr = np.dot(Wx, digamma(r + xu)) + W * (np.log(alpha) - digamma(r)) - np.dot(lay.WT, l_at_u)
    dalpha = W * r / alpha - r * np.dot(lay.WT, inv_at_u) - np.dot(lay.WxT, inv_at_u)
    da = W * digamma(a + b) - psi_abx
    db = W * (digamma(a + b) - digamma(b)) + np.dot(Wx, digamma(b + xu + k)) - psi_abx
    # Rows with the dropout term: ℓ gains softplus(z), z = ln a − ln(b+x+k−1) − (r+x)(ln(α+t_x) − ln(α+T)).
    w_h, rx_h = lay.w_h, r + lay.x_h
    l_at = l_at_u[lay.Ti_h]
    l_atx = np.log(alpha + lay.tu)[lay.ti_h]
    bx1_u = b + xu + k - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        l_bx1_u = np.log(bx1_u)
    z = np.log(a) - l_bx1_u[lay.xi_h] - rx_h * (l_atx - l_at)
    wb = expit(z)
    wwb = w_h * wb
    ll += -np.dot(w_h, np.log(expit(-z)))
    dr += np.dot(wwb, l_at - l_atx)
    dalpha += np.dot(wwb * rx_h, inv_at_u[lay.Ti_h] - (1.0 / (alpha + lay.tu))[lay.ti_h])
    swb = wwb.sum()
    da += swb / a
    with np.errstate(divide="ignore"):
        db -= np.dot(wwb, (1.0 / bx1_u)[lay.xi_h])
    grad = np.array([dr, dalpha, da, db]) * theta
    return -float(ll) / W, -grad / W


def _fit(name: str, x, t_x, T, weights, modified: bool) -> tuple[Fit, Rfm]:
    d = merge(x, t_x, T, weights)
    scale = float(d.T.max()) or 1.0
    ds = Rfm(d.x, d.t_x / scale, d.T / scale, d.w, d.inverse)
    rate = max(float(np.dot(ds.w, ds.x) / max(np.dot(ds.w, ds.T), 1e-9)), 1e-3)
    starts = [np.log([1.0, 1.0 / rate, 1.0, 1.0]), np.log([0.3, 0.3 / rate, 0.8, 2.5]),
              np.zeros(4), np.log([2.0, 2.0 / rate, 0.5, 5.0])]
    screen = None
    if ds.x.size > SCREEN_ROWS:
        sub = _Layout(ds.subsample(SCREEN_ROWS, np.random.default_rng(0)), modified)
        screen = lambda p: _nll(p, sub, modified)  # noqa: E731 - None when the data is small enough
    full = _Layout(ds, modified)
    fit = maximise(name, NAMES, lambda p: _nll(p, full, modified), starts, ds.n, screen)
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
