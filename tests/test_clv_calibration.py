"""Spend within platforms, the per-platform calibration table and identification warnings.

A store with two very different platforms (a cheap craft marketplace and an expensive B2B
one): one pooled spend prior pulls the cheap platform's buyers toward the expensive one's
orders. The calibration table compares each platform's predicted next-12-month revenue with
what its buyers paid in the last 12 months.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from assetkit.analysis.clv import analyse_clv
from assetkit.analysis.clv.mle import maximise
from assetkit.config import Config
from tests.helpers.clv import insert_orders, new_store

START = dt.date(2023, 1, 1)
DAYS = 730


def cfg(**clv):
    return Config(gross_margin=0.4, discount_rate=0.1, raw={"clv": clv})


def _platform_rows(rng: np.random.Generator, platform: str, n: int, gap_days: float, value: float,
                   one_time_share: float) -> list[tuple]:
    """Buyers born uniformly over two years, ordering as a Poisson process until they drop out."""
    rows = []
    for b in range(n):
        birth = rng.uniform(0, DAYS)
        life = rng.exponential(400.0)
        t, k = birth, 0
        while t < min(DAYS, birth + life):
            amount = float(np.round(value * rng.lognormal(0, 0.3), 2))
            rows.append((f"{platform}-{b}-{k}", f"{platform}-{b}", (START + dt.timedelta(days=int(t))).isoformat(),
                         amount, platform, "marketplace"))
            k += 1
            if rng.random() < one_time_share and k == 1:
                break
            t += rng.exponential(gap_days * rng.gamma(2.0, 0.5))
    return rows


@pytest.fixture(scope="module")
def two_platform_store(tmp_path_factory):
    rng = np.random.default_rng(11)
    rows = (_platform_rows(rng, "craft", 400, 90, 45.0, 0.6)
            + _platform_rows(rng, "b2b", 60, 120, 6000.0, 0.3))
    store = new_store(tmp_path_factory.mktemp("two"))
    insert_orders(store.con, rows)
    yield store
    store.close()


def test_spend_is_estimated_within_each_platform(two_platform_store):
    res = analyse_clv(two_platform_store.con, cfg(), until=(START + dt.timedelta(days=DAYS - 1)).isoformat())
    assert res.spend.name == "within_platform"
    groups = {g["group"]: g for g in res.spend.to_dict()["groups"]}
    assert set(groups) == {"craft", "b2b"}
    assert groups["craft"]["prior_mean_spend"] < 100
    assert groups["b2b"]["prior_mean_spend"] > 1000
    craft = res.buyers.summary.last_platform == "craft"
    # no craft buyer is expected to spend anything like a B2B order
    assert res.buyers.expected_spend[craft].max() < 200


def test_calibration_table_per_platform_stays_near_last_year(two_platform_store):
    res = analyse_clv(two_platform_store.con, cfg(), until=(START + dt.timedelta(days=DAYS - 1)).isoformat())
    table = {r["group"]: r for r in res.to_dict(include_buyers=False)["calibration"]}
    assert set(table) == {"craft", "b2b"}
    s = res.buyers.summary
    for group, row in table.items():
        sel = s.last_platform == group
        assert row["paid_last_12_months"] == pytest.approx(float(s.last_year[sel].sum()))
        assert row["n_buyers"] == int(sel.sum())
        assert 0.4 <= row["ratio"] <= 2.5, (group, row)


def test_single_platform_keeps_the_pooled_gamma_gamma(tmp_path):
    rng = np.random.default_rng(3)
    store = new_store(tmp_path)
    insert_orders(store.con, _platform_rows(rng, "own", 300, 60, 80.0, 0.3))
    res = analyse_clv(store.con, cfg())
    assert res.spend.name in ("gamma_gamma", "shrunk_average") and res.spend.groups is None
    assert [r["group"] for r in res.calibration] == ["own"]
    store.close()


def test_a_parameter_whose_error_exceeds_its_value_is_not_identified():
    """A likelihood that pins r down (SE of log r 0.1) but not s (SE of log s 3): the fit
    converges at an interior point with a positive definite Hessian, yet s is not identified."""
    sd = np.array([0.1, 3.0])

    def nll(phi: np.ndarray) -> tuple[float, np.ndarray]:
        z = (phi - np.log([2.0, 4.7])) / sd
        return 0.5 * float(z @ z), z / sd

    fit = maximise("pnbd", ("r", "s"), nll, [np.zeros(2)], 1.0)
    d = fit.diagnostics
    assert fit.params["s"] == pytest.approx(4.7, rel=1e-4)
    assert d.converged and d.hessian_condition is not None
    assert not d.identified and d.unidentified == ["s"]
    assert "bgnbd" in d.suggestion and any("s = 4.7 ±" in w for w in d.warnings)
    out = d.to_dict()
    assert out["identified"] is False and out["unidentified_parameters"] == ["s"]
