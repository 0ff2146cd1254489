"""Draw buyers from each model's generative process (tests, benchmarks, demo data).

Vectorised over buyers; the loop runs over purchase rounds until every buyer is dead or past
T, so the cost is (max repeat count) × n, not per buyer.
"""

from __future__ import annotations

import numpy as np


def _rounds(lam: np.ndarray, T: np.ndarray, alive: np.ndarray, p_drop: np.ndarray | None,
            death: np.ndarray | None, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = lam.size
    x = np.zeros(n)
    t_x = np.zeros(n)
    t = np.zeros(n)
    end = T if death is None else np.minimum(T, death)
    active = alive.copy()
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1.0 / lam[idx])
        buys = t[idx] <= end[idx]
        hit = idx[buys]
        x[hit] += 1
        t_x[hit] = t[hit]
        active[idx[~buys]] = False
        if p_drop is not None:
            active[hit[rng.random(hit.size) < p_drop[hit]]] = False
    return x, t_x


def simulate_betageo(params, T, rng: np.random.Generator, modified: bool = False):
    """(x, t_x) for buyers of age T under BG/NBD (or MBG/NBD with `modified`)."""
    r, alpha, a, b = params
    T = np.asarray(T, float)
    lam = rng.gamma(r, 1.0 / alpha, T.size)
    p = rng.beta(a, b, T.size)
    alive = rng.random(T.size) >= p if modified else np.ones(T.size, bool)
    return _rounds(lam, T, alive, p, None, rng)


def simulate_pnbd(params, T, rng: np.random.Generator):
    """(x, t_x) under Pareto/NBD: Poisson purchases until an exponential lifetime ends."""
    r, alpha, s, beta = params
    T = np.asarray(T, float)
    lam = rng.gamma(r, 1.0 / alpha, T.size)
    mu = rng.gamma(s, 1.0 / beta, T.size)
    death = rng.exponential(1.0 / mu)
    return _rounds(lam, T, np.ones(T.size, bool), None, death, rng)


def simulate_spend(params, x, rng: np.random.Generator) -> np.ndarray:
    """Mean value of x occasions per buyer under Gamma-Gamma (NaN where x = 0)."""
    p, q, v = params
    x = np.asarray(x, float)
    nu = rng.gamma(q, 1.0 / v, x.size)
    total = rng.gamma(np.maximum(p * x, 1e-12), 1.0 / nu)
    return np.where(x > 0, total / np.maximum(x, 1), np.nan)
