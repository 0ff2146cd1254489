"""One report fits the full-data CLV model once (the holdout validation fit is separate)."""

from __future__ import annotations

import numpy as np
import pytest

from assetkit.analysis.clv import analyse, analyse_clv, cache
from assetkit.analysis.segments import analyse_segments
from assetkit.config import parse_config
from assetkit.export.report.build import build_report
from tests.helpers.clv import load_cdnow


@pytest.fixture(scope="module")
def cdnow_store(tmp_path_factory):
    store = load_cdnow(tmp_path_factory.mktemp("cache"))
    yield store
    store.close()


@pytest.fixture
def counted(monkeypatch):
    """Record every purchase-model fit by the fingerprint of the data it ran on."""
    cache.clear()
    calls: list[str] = []
    real = analyse.MODELS["bgnbd"]

    def fit(x, t_x, T):
        calls.append(cache.fingerprint(x, t_x, T))
        return real(x, t_x, T)

    monkeypatch.setitem(analyse.MODELS, "bgnbd", fit)
    yield calls
    cache.clear()


def test_a_report_fits_the_full_data_model_once(cdnow_store, counted):
    build_report(cdnow_store.con, parse_config({}))
    # Customer value and segments share the full-data fit; the holdout validation (data cut
    # 182 days earlier) and the Do-next follow-ups (buyers as of today, not as of the last
    # order) are the only other ones. Without the cache the full-data fit ran twice.
    assert len(counted) == 3
    assert len(set(counted)) == 3
    full = analyse.summary_from_orders(cdnow_store.con)
    assert cache.fingerprint(full.frequency, full.recency, full.T) in counted


def test_cached_results_are_identical_and_independent(cdnow_store, counted):
    first = analyse_clv(cdnow_store.con, parse_config({}))
    first.fit.diagnostics.warnings.append("changed by the caller")
    analyse_segments(cdnow_store.con, parse_config({}))
    again = analyse_clv(cdnow_store.con, parse_config({}))
    assert len(counted) == 1
    assert "changed by the caller" not in again.fit.diagnostics.warnings
    assert again.fit.params == first.fit.params
    assert np.array_equal(again.buyers.clv, first.buyers.clv)
    assert np.array_equal(again.buyers.p_alive, first.buyers.p_alive)


def test_different_data_is_a_different_fit(cdnow_store, counted):
    analyse_clv(cdnow_store.con, parse_config({}), time_unit="week")
    analyse_clv(cdnow_store.con, parse_config({}), time_unit="day")
    analyse_clv(cdnow_store.con, parse_config({}), until="1997-09-30")
    assert len(counted) == 3


def test_fingerprint_sees_every_value():
    a = np.arange(5.0)
    b = a.copy()
    b[3] += 1e-12
    assert cache.fingerprint(a, a) != cache.fingerprint(a, b)
    assert cache.fingerprint(a, a) == cache.fingerprint(a.copy(), a.copy())
    assert cache.fingerprint(a[:4], a) != cache.fingerprint(a, a[:4])
