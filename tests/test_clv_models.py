"""CLV model fits: CDNOW golden values, hand-derived likelihoods, synthetic recovery, traps."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special, stats

from assetkit.analysis.clv import betageo, gammagamma, pareto
from assetkit.analysis.clv.summary import summary_from_orders
from tests.helpers.clv import load_cdnow

PUBLISHED = {  # Fader, Hardie & Lee 2005; BTYDplus for MBG/NBD; weeks
    "bgnbd": ({"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, -9582.43),
    "pnbd": ({"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, -9594.98),
    "mbgnbd": ({"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}, -9582.14),
}
FITTERS = {"bgnbd": betageo.fit_bgnbd, "pnbd": pareto.fit_pnbd, "mbgnbd": betageo.fit_mbgnbd}


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    store = load_cdnow(tmp_path_factory.mktemp("cdnow"))
    s = summary_from_orders(store.con, until="1997-09-30", time_unit="week")
    store.close()
    return s


def test_cdnow_summary_matches_the_published_calibration_data(cdnow):
    assert cdnow.n == 2357
    assert int((cdnow.frequency > 0).sum()) == 946
    # Customer 1 of the paper's data: x=2, t_x=30.43, T=38.86 weeks, mean repeat value 22.35.
    assert cdnow.frequency[0] == 2
    assert cdnow.recency[0] == pytest.approx(30.43, abs=0.005)
    assert cdnow.T[0] == pytest.approx(38.86, abs=0.005)
    assert cdnow.monetary[0] == pytest.approx(22.345, abs=1e-9)  # published rounded: 22.35


@pytest.mark.parametrize("model", ["bgnbd", "pnbd", "mbgnbd"])
def test_cdnow_fit_reproduces_published_parameters(cdnow, model):
    fit = FITTERS[model](cdnow.frequency, cdnow.recency, cdnow.T)
    published, ll = PUBLISHED[model]
    for name, value in published.items():
        assert fit.params[name] == pytest.approx(value, abs=0.0005 + 1e-3 * value), name
    assert fit.log_likelihood == pytest.approx(ll, abs=0.01)
    assert fit.diagnostics.identified and fit.diagnostics.grad_norm < 1e-4


def test_cdnow_bgnbd_standard_errors_and_worked_example(cdnow):
    fit = betageo.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.T)
    ses = fit.diagnostics.standard_errors
    for name, se in {"r": 0.0126, "alpha": 0.378, "a": 0.186, "b": 0.705}.items():
        assert ses[name] == pytest.approx(se, rel=0.01), name
    theta = fit.theta()
    # The paper's worked example: x=2, t_x=30.43, T=38.86 → E[Y(39)] = 1.226, P(alive) = 0.727.
    assert betageo.expected_conditional(theta, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)
    assert betageo.p_alive(theta, 2, 30.43, 38.86) == pytest.approx(0.727, abs=5e-4)
    assert betageo.expected_new(theta, 52) == pytest.approx(1.444, abs=5e-4)


def test_cdnow_gamma_gamma_reproduces_published_parameters(cdnow):
    rep = cdnow.frequency > 0
    fit = gammagamma.fit_gamma_gamma(cdnow.frequency[rep], cdnow.monetary[rep])
    p = fit.params
    assert p["p"] == pytest.approx(6.25, abs=0.005)
    assert p["q"] == pytest.approx(3.74, abs=0.005)
    assert p["v"] == pytest.approx(15.44, abs=0.005)
    assert fit.log_likelihood == pytest.approx(-4055.92, abs=0.01)
    assert p["p"] * p["v"] / (p["q"] - 1) == pytest.approx(35.17, abs=0.01)


def test_fit_is_invariant_to_the_time_unit(cdnow):
    weeks = betageo.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.T)
    days = betageo.fit_bgnbd(cdnow.frequency, cdnow.recency * 7, cdnow.T * 7)
    assert days.params["alpha"] == pytest.approx(7 * weeks.params["alpha"], rel=1e-5)
    for k in ("r", "a", "b"):
        assert days.params[k] == pytest.approx(weeks.params[k], rel=1e-5)


# Hand-derived likelihoods: integrate the individual-level likelihood over the mixing laws
# with Gauss quadrature whose weight functions are exactly the Gamma and Beta densities.

def _gamma_nodes(shape, rate, n=80):
    u, w = special.roots_genlaguerre(n, shape - 1)
    return u / rate, w / w.sum()


def _beta_nodes(a, b, n=80):
    z, w = special.roots_jacobi(n, b - 1, a - 1)
    return (1 + z) / 2, w / w.sum()


def _bg_individual(lam, p, x, t_x, T, modified):
    if modified:  # dropout possible at the first purchase too
        return (1 - p) ** (x + 1) * lam**x * np.exp(-lam * T) + p * (1 - p) ** x * lam**x * np.exp(-lam * t_x)
    body = lam**x * (1 - p) ** x * np.exp(-lam * T)
    return body + (x > 0) * p * (1 - p) ** (x - 1) * lam**x * np.exp(-lam * t_x)


@pytest.mark.parametrize("modified", [False, True])
@pytest.mark.parametrize("x,t_x,T", [(0, 0.0, 5.0), (2, 3.0, 5.0), (4, 4.5, 6.0)])
def test_beta_geometric_likelihood_matches_numerical_integration(modified, x, t_x, T):
    r, alpha, a, b = 0.8, 2.5, 1.3, 2.2
    lam, wl = _gamma_nodes(r, alpha)
    p, wp = _beta_nodes(a, b)
    val = wl @ _bg_individual(lam[:, None], p[None, :], x, t_x, T, modified) @ wp
    assert betageo.loglik((r, alpha, a, b), x, t_x, T, modified) == pytest.approx(np.log(val), abs=1e-6)


@pytest.mark.parametrize("params", [(0.8, 2.5, 1.3, 1.2), (0.8, 1.2, 1.3, 2.5)])  # α ≥ β and α < β
@pytest.mark.parametrize("x,t_x,T", [(0, 0.0, 5.0), (3, 2.0, 5.0)])
def test_pareto_likelihood_matches_numerical_integration(params, x, t_x, T):
    r, alpha, s, beta = params

    def individual(mu, lam):
        tot = lam + mu
        return lam**x * (np.exp(-tot * T) + mu / tot * (np.exp(-tot * t_x) - np.exp(-tot * T)))

    lam, wl = _gamma_nodes(r, alpha)
    mu, wm = _gamma_nodes(s, beta)
    val = wl @ individual(mu[None, :], lam[:, None]) @ wm
    assert pareto.loglik(params, x, t_x, T) == pytest.approx(np.log(val), abs=1e-6)


def test_gamma_gamma_likelihood_matches_numerical_integration():
    p, q, v, x, m = 3.0, 4.0, 10.0, 3.0, 7.5
    val, _ = integrate.quad(lambda nu: x * stats.gamma.pdf(x * m, p * x, scale=1 / nu)
                            * stats.gamma.pdf(nu, q, scale=1 / v), 0, 50)
    assert gammagamma.loglik((p, q, v), x, m) == pytest.approx(np.log(val), abs=1e-8)


def test_pareto_heavy_buyers_do_not_overflow():
    params = (0.55, 10.6, 0.61, 11.7)
    x = np.array([300.0, 1000.0, 5000.0])
    ll = pareto.loglik(params, x, np.array([38.0, 38.5, 38.8]), np.full(3, 38.86))
    pa = pareto.p_alive(params, x, np.array([38.0, 38.5, 38.8]), np.full(3, 38.86))
    assert np.all(np.isfinite(ll)) and np.all((pa > 0) & (pa <= 1))
    # Same trap with α < β (the other hypergeometric branch).
    ll2 = pareto.loglik((0.55, 2.0, 0.61, 11.7), x, np.array([38.0, 38.5, 38.8]), np.full(3, 38.86))
    assert np.all(np.isfinite(ll2))


def test_pareto_expectation_is_continuous_through_s_equal_one():
    near = pareto.expected_conditional((0.5, 10.0, 1.0 + 1e-6, 12.0), 20.0, 2, 10.0, 30.0)
    at = pareto.expected_conditional((0.5, 10.0, 1.0, 12.0), 20.0, 2, 10.0, 30.0)
    assert near == pytest.approx(at, rel=1e-5)


def test_no_repeat_buyers_give_diagnostics_not_an_exception():
    fit = betageo.fit_bgnbd(np.zeros(50), np.zeros(50), np.linspace(1, 30, 50))
    assert not fit.diagnostics.identified
    assert fit.diagnostics.warnings


def test_weights_equal_repeated_rows(cdnow):
    x, t_x, T = cdnow.frequency[:300], cdnow.recency[:300], cdnow.T[:300]
    once = betageo.fit_bgnbd(np.r_[x, x], np.r_[t_x, t_x], np.r_[T, T])
    weighted = betageo.fit_bgnbd(x, t_x, T, weights=np.full(300, 2.0))
    for k in once.params:
        assert weighted.params[k] == pytest.approx(once.params[k], rel=1e-5)


@pytest.mark.parametrize("modified", [False, True])
def test_expectations_equal_the_raw_published_formulas(modified):
    """The Euler-transformed forms agree with the textbook expressions where those are finite."""
    r, alpha, a, b = 0.525, 6.183, 0.891, 1.614
    x, t_x, T, t = np.array([0.0, 1, 3, 7]), np.array([0.0, 5, 20, 30]), np.full(4, 38.86), 39.0
    k = 1 if modified else 0
    z = t / (alpha + T + t)
    raw = ((a + b + x + k - 1) / (a - 1)
           * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(r + x, b + x + k, a + b + x + k - 1, z)))
    raw = raw * betageo.p_alive((r, alpha, a, b), x, t_x, T, modified)
    assert np.allclose(betageo.expected_conditional((r, alpha, a, b), t, x, t_x, T, modified), raw, rtol=1e-10)
    zn = t / (alpha + t)
    new_raw = ((b if modified else a + b - 1) / (a - 1)
               * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b + k, a + b - 1 + k, zn)))
    assert betageo.expected_new((r, alpha, a, b), t, modified) == pytest.approx(new_raw, rel=1e-10)


def test_heavy_buyers_get_finite_predictions():
    params = (0.243, 4.414, 0.793, 2.426)
    x = np.array([500.0, 5000.0, 50000.0])
    e = betageo.expected_conditional(params, 52.0, x, np.full(3, 100.0), np.full(3, 100.0))
    assert np.all(np.isfinite(e)) and np.all(np.diff(e) > 0)
    e = pareto.expected_conditional((0.553, 10.578, 0.606, 11.669), 52.0, x, np.full(3, 100.0), np.full(3, 100.0))
    assert np.all(np.isfinite(e)) and np.all(np.diff(e) > 0)


@pytest.mark.parametrize("modified", [False, True])
def test_bg_analytic_gradient_and_shared_terms_match_direct_computation(cdnow, modified):
    from assetkit.analysis.clv.mle import fd_gradient
    from assetkit.analysis.clv.rfm import merge

    d = merge(cdnow.frequency, cdnow.recency, cdnow.T)
    lay = betageo._Layout(d, modified)
    phi = np.log([0.4, 3.0, 0.9, 1.7])
    f, g = betageo._nll(phi, lay, modified)
    direct = -np.dot(d.w, betageo.loglik(np.exp(phi), d.x, d.t_x, d.T, modified)) / d.n
    assert f == pytest.approx(direct, rel=1e-12)
    assert np.allclose(g, fd_gradient(lambda p: betageo._nll(p, lay, modified)[0], phi), atol=1e-7)


def test_gamma_gamma_analytic_gradient(cdnow):
    from assetkit.analysis.clv.mle import fd_gradient

    rep = cdnow.frequency > 0
    nll = gammagamma._nll_factory(cdnow.frequency[rep], cdnow.monetary[rep] / 20, np.ones(int(rep.sum())))
    phi = np.log([4.0, 3.0, 0.8])
    assert np.allclose(nll(phi)[1], fd_gradient(lambda p: nll(p)[0], phi), atol=1e-7)
