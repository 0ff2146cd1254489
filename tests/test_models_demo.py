"""Issue #19's acceptance checks on the demo business itself (seed 7), imported once.

- continuity: a 0.1 % shift moves the NPV by under 5 % of what 0 -> 20 % does;
- one platform cost: the scenario's Etsy (every platform's) cost equals `assetkit fees`'s over
  the baseline window, within 3 % (in fact exactly);
- calibration: no platform's predicted next-12-month revenue is over 2.5x or under 0.4x what its
  buyers paid in the last 12 months.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assetkit.config import load_config

pytestmark = pytest.mark.slow  # generating and importing the demo business takes most of a minute


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from assetkit.demo.generate import generate_demo
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    folder = tmp_path_factory.mktemp("demo")
    manifest = generate_demo(folder / "exports", seed=7)
    (folder / "assetkit.yaml").write_text(manifest.config_yaml, encoding="utf-8")
    config = load_config(folder / "assetkit.yaml")
    store = open_store(Path(folder) / "assetkit.duckdb")
    import_paths(store, [folder / "exports"], config=config)
    yield store, config
    store.close()


def test_npv_is_continuous_in_the_shift_on_the_demo(demo) -> None:
    from assetkit.analysis.scenario import scenario_report

    store, config = demo
    for programme in ([1], [0]):
        rows = scenario_report(store.con, config, shifts=[0, 0.001, 0.2], programmes=programme,
                               runs=1000).comparison.rows
        npv = [r["npv_p50"] for r in rows]
        assert abs(npv[1] - npv[0]) < 0.05 * abs(npv[2] - npv[0]), (programme, npv)


def test_platform_cost_is_the_same_in_fees_and_scenario_on_the_demo(demo) -> None:
    from assetkit.analysis.economics.fees import analyse_fees
    from assetkit.analysis.scenario import build_baseline

    store, config = demo
    b = build_baseline(store.con, config)
    fees = {p["platform"]: p["platform_cost"]
            for p in analyse_fees(store.con, config, since=b.window_start, until=b.as_of).platforms}
    assert fees["etsy"] > 0
    for platform, cost in fees.items():
        scen = sum(c.platform_cost for c in b.channels if c.platform == platform) * b.months_covered
        assert scen == pytest.approx(cost, rel=0.03), platform


def test_calibration_per_platform_on_the_demo(demo) -> None:
    from assetkit.analysis.clv import analyse_clv

    store, config = demo
    table = analyse_clv(store.con, config).calibration
    assert {r["group"] for r in table} >= {"alibaba", "etsy", "indiamart", "upwork"}
    for row in table:
        assert 0.4 <= row["ratio"] <= 2.5, row
