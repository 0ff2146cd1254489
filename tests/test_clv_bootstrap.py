"""`intervals="bootstrap"`: refits on buyers resampled with replacement, seeded and capped."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assetkit.analysis.clv import analyse_clv, betageo, bootstrap
from assetkit.config import Config
from assetkit.errors import ConfigError, UsageError
from tests.helpers.clv import load_cdnow


def cfg(**clv):
    return Config(gross_margin=0.35, discount_rate=0.10, raw={"clv": clv})


@pytest.fixture(scope="module")
def cdnow_store(tmp_path_factory):
    store = load_cdnow(tmp_path_factory.mktemp("boot"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def boot(cdnow_store):
    return analyse_clv(cdnow_store.con, cfg(bootstrap_refits=40), until="1997-09-30", intervals="bootstrap")


def test_bootstrap_interval_covers_the_estimate_and_agrees_with_the_hessian(cdnow_store, boot):
    hess = analyse_clv(cdnow_store.con, cfg(), until="1997-09-30")
    assert boot.interval_method.startswith("bootstrap over buyers (40 refits")
    assert boot.total_clv == pytest.approx(hess.total_clv, rel=1e-12)  # point estimates do not change
    low, high = boot.interval_total
    assert low < boot.total_clv < high
    # CDNOW has 2,357 buyers: the likelihood is close to quadratic, so both methods must agree
    # on the width to within a factor of two (Hessian: about ±8% of the total).
    h_low, h_high = hess.interval_total
    assert 0.5 < (high - low) / (h_high - h_low) < 2.0
    ok = ~np.isnan(boot.buyers.clv_low)
    assert ok.all() and np.all(boot.buyers.clv_low <= boot.buyers.clv_high)


def test_channel_totals_carry_intervals(boot):
    for rows in (boot.by_channel, boot.by_platform):
        assert rows
        for g in rows:
            assert g["total_low"] <= g["total"] <= g["total_high"]
    assert sum(g["total"] for g in boot.by_channel) == pytest.approx(boot.total_clv)


def test_bootstrap_is_seeded(cdnow_store, boot):
    again = analyse_clv(cdnow_store.con, cfg(bootstrap_refits=40), until="1997-09-30", intervals="bootstrap")
    other = analyse_clv(cdnow_store.con, cfg(bootstrap_refits=40), until="1997-09-30", intervals="bootstrap",
                        seed=1)
    assert again.interval_total == boot.interval_total
    assert other.interval_total != boot.interval_total


def test_resampling_by_counts_equals_refitting_the_copies(cdnow_store, boot):
    """The weights the bootstrap passes are the same fit as physically repeating the buyers."""
    s = boot.buyers.summary
    counts = np.random.default_rng(3).multinomial(s.n, np.full(s.n, 1 / s.n))
    idx = np.repeat(np.arange(s.n), counts)
    copies = betageo.fit_bgnbd(s.frequency[idx], s.recency[idx], s.T[idx])
    keep = counts > 0
    weighted = betageo.fit_bgnbd(s.frequency[keep], s.recency[keep], s.T[keep], weights=counts[keep])
    for k, v in copies.params.items():
        assert weighted.params[k] == pytest.approx(v, rel=1e-6)


def test_refit_budget_skips_with_a_reason(cdnow_store, monkeypatch):
    monkeypatch.setattr(bootstrap, "REFIT_ROWS", 1000.0)
    res = analyse_clv(cdnow_store.con, cfg(), until="1997-09-30", intervals="bootstrap")
    assert res.interval_total is None and res.interval_method is None
    assert any(w.startswith("no bootstrap intervals") for w in res.warnings)
    assert all(g["total_low"] is None for g in res.by_channel)


def test_too_few_refits_configured_says_so(cdnow_store):
    res = analyse_clv(cdnow_store.con, cfg(bootstrap_refits=5), until="1997-09-30", intervals="bootstrap")
    assert res.interval_total is None
    assert any("clv.bootstrap_refits is 5" in w for w in res.warnings)


def test_bad_interval_arguments(cdnow_store):
    with pytest.raises(UsageError):
        analyse_clv(cdnow_store.con, cfg(), intervals="jackknife")
    with pytest.raises(ConfigError):
        analyse_clv(cdnow_store.con, cfg(bootstrap_refits=-1))


def test_cli_option(cli, tmp_path):
    load_cdnow(tmp_path).close()
    db = str(tmp_path / "t.duckdb")
    res = cli("--db", db, "clv", "--until", "1997-09-30", "--intervals", "bootstrap", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["interval"]["method"].startswith("bootstrap over buyers")
    assert doc["by_channel"][0]["total_low"] <= doc["by_channel"][0]["total"] <= doc["by_channel"][0]["total_high"]
    bad = cli("--db", db, "clv", "--intervals", "nope")
    assert bad.exit_code == 2
