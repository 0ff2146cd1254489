"""Parameter recovery from each model's own generative process, and the simulators' sanity."""

from __future__ import annotations

import numpy as np
import pytest

from assetkit.analysis.clv import betageo, gammagamma, pareto
from assetkit.analysis.clv.simulate import (
    simulate_betageo,
    simulate_pnbd,
    simulate_spend,
)

N = 20000


def _ages(rng):
    return np.round(rng.uniform(20, 60, N) * 7) / 7  # weeks since the first purchase, whole days


def _close(fit, truth, names, rel):
    for name, value in zip(names, truth):
        assert fit.params[name] == pytest.approx(value, rel=rel), (name, fit.params)


def test_bgnbd_recovers_its_parameters():
    rng = np.random.default_rng(1)
    T = _ages(rng)
    truth = (0.5, 5.0, 0.8, 2.5)
    x, t_x = simulate_betageo(truth, T, rng)
    fit = betageo.fit_bgnbd(x, t_x, T)
    _close(fit, truth, ("r", "alpha", "a", "b"), 0.2)
    assert fit.diagnostics.identified


def test_mbgnbd_recovers_its_parameters():
    rng = np.random.default_rng(2)
    T = _ages(rng)
    truth = (0.6, 6.0, 0.9, 1.6)
    x, t_x = simulate_betageo(truth, T, rng, modified=True)
    _close(betageo.fit_mbgnbd(x, t_x, T), truth, ("r", "alpha", "a", "b"), 0.2)


def test_pnbd_recovers_its_parameters():
    rng = np.random.default_rng(3)
    T = _ages(rng)
    truth = (0.6, 10.0, 0.7, 12.0)
    x, t_x = simulate_pnbd(truth, T, rng)
    # Whole days, as the store records them: identical rows merge and the fit stays quick.
    T, t_x = np.round(T * 7) / 7, np.round(t_x * 7) / 7
    fit = pareto.fit_pnbd(x, t_x, T)
    # r and α are pinned by purchases; s and β (dropout) are weakly identified in 60 weeks.
    _close(fit, truth[:2], ("r", "alpha"), 0.15)
    assert fit.params["s"] / fit.params["beta"] == pytest.approx(truth[2] / truth[3], rel=0.3)


def test_gamma_gamma_recovers_its_parameters():
    rng = np.random.default_rng(4)
    x = rng.integers(1, 8, N).astype(float)
    truth = (6.0, 4.0, 15.0)
    m = simulate_spend(truth, x, rng)
    fit = gammagamma.fit_gamma_gamma(x, m)
    _close(fit, truth, ("p", "q", "v"), 0.15)


def test_new_buyer_expectations_match_simulation():
    """E[X(t)] of the models agrees with the mean repeat count of simulated buyers of age t."""
    rng = np.random.default_rng(5)
    truth = (0.5, 5.0, 0.8, 2.5)
    T = np.full(N, 40.0)
    x_all, _ = simulate_betageo(truth, T + 30.0, rng)
    assert x_all.mean() == pytest.approx(float(betageo.expected_new(truth, 70.0)), rel=0.05)
    x_p, _ = simulate_pnbd((0.6, 10.0, 0.7, 12.0), T, rng)
    assert x_p.mean() == pytest.approx(float(pareto.expected_new((0.6, 10.0, 0.7, 12.0), 40.0)), rel=0.05)
