"""The scenario engine without a database: invariants, a hand-computed toy case, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetkit.analysis.scenario import Baseline, ChannelBaseline, load_assumptions, run_scenario
from assetkit.analysis.scenario.assumptions import KEYS
from assetkit.analysis.scenario.engine import channel_arrays, project
from tests.helpers.scenario import BASE

# Every assumption fixed: the two-channel toy case computed by hand below.
TOY_NUMBERS = {
    "shift": 0.2, "shift_ramp_months": 1, "platform_ad_roas": 2, "platform_ad_saturation": 1,
    "platform_adstock": 0, "owned_roas": 2, "owned_saturation": 1, "owned_adstock": 0,
    "owned_half_life_months": 1, "migration_reach": 0.5, "migration_conversion": 0.2, "migration_loss": 0.1,
    "fee_reduction": 0.5, "owned_clv_uplift": 2, "own_site_fee_rate": 0.03, "site_build_cost": 1000,
    "content_cost": 300, "owned_running_cost": 100, "gross_margin": 0.5, "discount_rate": 0,
}
TOY = Baseline(channels=(
    ChannelBaseline("marketplace", "plat", "platform", revenue=10000, repeat_share=0.5,
                    fees={"commission": 1000, "advertising": 1000}),
))


def test_toy_two_channel_case_by_hand() -> None:
    """Month 1 (all values exact fractions):
    cut = 0.2 * 1000 = 200 -> u = 0.2; ad revenue = min(10000, 2 * 1000) = 2000;
    ad loss = 2000 * 1 * 0.2 / (1 + 1 - 0.2) = 2000/9. maturity = 1 - 0.5^1 = 0.5, reach 0.25;
    approached = (10000 - 2000/9) * 0.5 * 0.25 = 11000/9; moved 2200/9, lost 1100/9;
    platform revenue change -5300/9, fees 0.1 * (-5300/9) - 200 (ads no longer billed).
    Own site: uplift 1.5 -> migrated revenue 3300/9, fees 2200/9*0.1*1.5*0.5 = 165/9;
    new business first orders 2*200*1000/1200*0.5 = 500/3 (repeat compounding starts at
    month 1 so total = first), times uplift 1.5 = 250, fees 0.03 * 250 = 7.5;
    spend 200 moved + 100 running + 1000 site + 300/3 content = 1400.
    GP change = 0.5*(-5300/9 + 3300/9 + 250) - (-530/9 - 200 + 165/9 + 7.5) - 1400 = -1153.0556.
    Month 2: maturity 0.75, uplift 1.75, approached 16500/9, repeat rate 0.5 so new business
    = (0.5 * 500/3 + 250) * 1.75 = 583.33; spend 400 -> GP change 54.0278."""
    a = load_assumptions(None, TOY_NUMBERS)
    r = run_scenario(TOY, a, months=4, runs=3, seed=1)
    assert r.labels == ("marketplace:plat", "own_site")
    diff = r.projection["difference"]
    assert diff[0] == pytest.approx(-1153.0555556, abs=1e-6)
    assert diff[1] == pytest.approx(54.0277778, abs=1e-6)
    base, scen = r.projection["baseline"], r.projection["scenario"]
    assert base["revenue_by_channel"][0] == [10000, 0]
    assert scen["revenue_by_channel"][0] == pytest.approx([10000 - 5300 / 9, 3300 / 9 + 250])
    assert scen["platform_cost"][0] == pytest.approx(2000 - 530 / 9 - 200)
    assert scen["spend"][0] == pytest.approx(1400)
    assert r.projection["cumulative_difference"][1] == pytest.approx(-1153.0555556 + 54.0277778)
    assert r.projection["npv"] == pytest.approx(sum(diff))  # discount rate 0


def test_shift_zero_gives_exactly_zero_difference_in_every_run() -> None:
    a = load_assumptions(None, {"shift": 0, "programme": 0})
    r = run_scenario(BASE, a, months=36, runs=500, seed=3)
    assert np.all(r.outcome.diff == 0.0) and np.all(r.outcome.npv == 0.0)
    assert r.projection["difference"] == [0.0] * 36
    assert r.projection["scenario"]["revenue_by_channel"] == r.projection["baseline"]["revenue_by_channel"]
    assert r.break_even["p50"] == 0


def test_no_uncertainty_collapses_to_the_deterministic_projection() -> None:
    numbers = {k: v.central() for k, v in load_assumptions(None).values.items()}
    a = load_assumptions(None, numbers)
    assert not any(a[k].uncertain for k in KEYS)
    r = run_scenario(BASE, a, months=36, runs=200, seed=5)
    det = np.array(r.projection["cumulative_difference"])
    for band in ("p10", "p50", "p90"):
        np.testing.assert_allclose(r.bands["cumulative_difference"][band], det, rtol=1e-12, atol=1e-9)
    assert np.ptp(r.outcome.npv) == pytest.approx(0, abs=1e-9)
    assert r.npv["p50"] == pytest.approx(r.projection["npv"], rel=1e-12)


def test_same_seed_identical_other_seed_differs() -> None:
    a = load_assumptions(None)
    one, two = run_scenario(BASE, a, runs=300, seed=11), run_scenario(BASE, a, runs=300, seed=11)
    assert one.to_dict() == two.to_dict()
    other = run_scenario(BASE, a, runs=300, seed=12)
    assert other.npv != one.npv
    assert other.projection == one.projection  # the central projection does not depend on the seed


def test_channels_add_up_every_month() -> None:
    r = run_scenario(BASE, load_assumptions(None), months=24, runs=50, seed=2)
    for side in ("baseline", "scenario"):
        d = r.projection[side]
        np.testing.assert_allclose(np.sum(d["revenue_by_channel"], axis=1), d["revenue"], rtol=1e-12)
        np.testing.assert_allclose(np.sum(d["gross_profit_by_channel"], axis=1), d["gross_profit"], rtol=1e-12)
    d = r.projection
    np.testing.assert_allclose(np.subtract(d["scenario"]["gross_profit"], d["baseline"]["gross_profit"]),
                               d["difference"], atol=1e-6)
    np.testing.assert_allclose(np.cumsum(d["difference"]), d["cumulative_difference"], atol=1e-6)
    # per run, too: the deltas summed over channels are the difference the Monte Carlo reports
    ch = channel_arrays(BASE)
    params = load_assumptions(None).sample(50, 2)
    deltas = project(ch, params, 24)
    np.testing.assert_allclose(deltas.gross_profit.sum(axis=2), r.outcome.diff, rtol=1e-12)
    gm = params["gross_margin"][:, None, None]
    np.testing.assert_allclose(deltas.gross_profit, deltas.revenue * gm - deltas.fees - deltas.spend)


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0, 1), high=st.floats(0, 1), shift=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_more_fee_reduction_never_lowers_the_result(low: float, high: float, shift: float, seed: int) -> None:
    low, high = sorted((low, high))
    a = load_assumptions(None, {"shift": shift})
    lo = run_scenario(BASE, a.replace(fee_reduction=low), months=24, runs=20, seed=seed)
    hi = run_scenario(BASE, a.replace(fee_reduction=high), months=24, runs=20, seed=seed)
    assert np.all(hi.outcome.npv >= lo.outcome.npv)
    assert np.all(hi.outcome.cumulative[:, -1] >= lo.outcome.cumulative[:, -1])


def test_break_even_month_is_after_the_last_deficit() -> None:
    r = run_scenario(TOY, load_assumptions(None, TOY_NUMBERS), months=36, runs=1)
    cum = np.array(r.projection["cumulative_difference"])
    month = r.projection["break_even_month"]
    assert month is not None and cum[month - 2] < 0 and np.all(cum[month - 1:] >= 0)


def test_sampling_matches_the_assumed_distributions() -> None:
    a = load_assumptions(None, {"owned_roas": {"triangular": [1, 2, 4]},
                                "gross_margin": {"normal": {"mean": 0.3, "sd": 0.1, "low": 0.2, "high": 0.35}},
                                "migration_reach": {"uniform": [0.1, 0.3]}})
    draws = a.sample(40000, 9)
    assert draws["owned_roas"].mean() == pytest.approx(7 / 3, rel=0.01)
    assert draws["owned_roas"].min() >= 1 and draws["owned_roas"].max() <= 4
    assert draws["gross_margin"].min() >= 0.2 and draws["gross_margin"].max() <= 0.35
    assert draws["migration_reach"].mean() == pytest.approx(0.2, rel=0.01)
    # a key's draws depend only on (seed, key): changing another assumption leaves them alone
    other = load_assumptions(None, {"owned_roas": 3.0, "migration_reach": {"uniform": [0.1, 0.3]}}).sample(40000, 9)
    np.testing.assert_array_equal(other["migration_reach"], draws["migration_reach"])


@pytest.mark.parametrize("programme", [0, 1])
def test_result_is_continuous_in_the_shift(programme: int) -> None:
    """A 0.1 % shift (about 4 a month here) must move the NPV by a sliver of what 20 % does:
    the one-off programme costs and the invitation of existing buyers are the programme's,
    not the shift's. Central projection and Monte Carlo median alike."""
    a = load_assumptions(None, {"programme": programme})
    res = {s: run_scenario(BASE, a.replace(shift=s), months=36, runs=400, seed=2) for s in (0, 0.001, 0.01, 0.2)}
    for npv in (lambda r: r.projection["npv"], lambda r: r.npv["p50"]):
        effect = npv(res[0.2]) - npv(res[0])
        assert abs(effect) > 0
        assert abs(npv(res[0.001]) - npv(res[0])) < 0.05 * abs(effect)
        assert abs(npv(res[0.01]) - npv(res[0])) < 0.2 * abs(effect)


def test_levers_apart_and_together() -> None:
    a = load_assumptions(None)
    r = run_scenario(BASE, a, months=36, runs=200, seed=1)
    assert r.levers["both"]["npv_central"] == pytest.approx(r.projection["npv"])
    assert r.levers["both"]["npv_p50"] == pytest.approx(r.npv["p50"])
    alone = run_scenario(BASE, a.replace(shift=0), months=36, runs=200, seed=1)
    assert r.levers["programme_only"]["npv_p50"] == pytest.approx(alone.npv["p50"])
    off = run_scenario(BASE, a.replace(programme=0), months=36, runs=200, seed=1)
    assert r.levers["shift_only"]["npv_central"] == pytest.approx(off.projection["npv"])
    # without the programme nothing is spent on a site: month 1 spend is the moved budget only
    assert off.projection["scenario"]["spend"][0] < r.projection["scenario"]["spend"][0] - 1000


def test_platform_rules_stop_or_charge_the_move() -> None:
    """Buyers a platform forbids moving are never invited; moving buyers inside a conversion-fee
    rule pays the fee (once, 12 x the monthly revenue moved x the fee share) as platform cost."""
    plain = ChannelBaseline("marketplace", "p", "platform", revenue=10000, repeat_share=0.5,
                            fees={"commission": 1000, "advertising": 1000})
    numbers = {**TOY_NUMBERS, "shift": 0.0, "programme": 1}
    a = load_assumptions(None, numbers)

    def month1(channel: ChannelBaseline) -> dict:
        return run_scenario(Baseline(channels=(channel,)), a, months=3, runs=2, seed=0).projection

    free = month1(plain)
    forbidden = month1(ChannelBaseline(**{**plain.__dict__, "move_rule": "forbidden", "restricted_repeat_share": 1.0}))
    half = month1(ChannelBaseline(**{**plain.__dict__, "move_rule": "forbidden", "restricted_repeat_share": 0.5}))
    moved = free["scenario"]["revenue_by_channel"][0][1] - 0.0
    assert moved > 0
    assert forbidden["scenario"]["revenue_by_channel"][0] == pytest.approx([10000, 0])
    assert half["scenario"]["revenue_by_channel"][0][1] == pytest.approx(moved / 2)
    fee = month1(ChannelBaseline(**{**plain.__dict__, "move_rule": "conversion_fee", "restricted_repeat_share": 1.0,
                                    "conversion_fee": 0.12}))
    # month 1: moved revenue (before uplift) is 10000 * 0.5 * reach 0.25 * conversion 0.2 = 250
    assert fee["scenario"]["platform_cost"][0] - free["scenario"]["platform_cost"][0] == pytest.approx(250 * 12 * 0.12)
    assert fee["npv"] < free["npv"]
