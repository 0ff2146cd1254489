"""Assumption files: the template, layering, validation errors that name the key; tornado and compare."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assetkit.analysis.scenario import (
    compare_shifts,
    load_assumptions,
    sensitivity,
    template_text,
)
from assetkit.analysis.scenario.assumptions import KEYS, Dist
from assetkit.config import parse_config
from assetkit.errors import ConfigError
from tests.helpers.scenario import BASE


def test_template_is_valid_yaml_with_every_key_commented() -> None:
    text = template_text()
    data = yaml.safe_load(text)
    assert list(data) == list(KEYS)
    lines = text.splitlines()
    for key in KEYS:
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        assert lines[at - 1].startswith("#"), f"{key} has no comment above it"
    a = load_assumptions(None)
    assert set(a.sources.values()) == {"template"}
    assert a["migration_conversion"] == Dist("triangular", (0.05, 0.15, 0.3))


def test_layers_config_then_file_then_overrides(tmp_path: Path) -> None:
    config = parse_config({"gross_margin": 0.4, "scenario": {"owned_roas": 1.1}})
    f = tmp_path / "a.yaml"
    f.write_text("owned_roas: {uniform: [1, 3]}\nshift: 0.3\n", encoding="utf-8")
    a = load_assumptions(f, {"shift": 0.1}, config)
    assert a["gross_margin"] == Dist("number", (0.4,)) and a.sources["gross_margin"] == "config"
    assert a["owned_roas"] == Dist("uniform", (1.0, 3.0)) and a.sources["owned_roas"] == "file"
    assert a["shift"].central() == 0.1 and a.sources["shift"] == "override"
    assert a.sources["discount_rate"] == "template"  # not set in the config file
    assert load_assumptions(None, None, parse_config({"scenario": {"owned_roas": 1.1}}))["owned_roas"].central() == 1.1


@pytest.mark.parametrize(("body", "message"), [
    ("shift: 20\n", "shift: 20 is out of range [0, 1]"),
    ("owned_roas: lots\n", "owned_roas: expected a number, found 'lots'"),
    ("migration_loss: {triangular: [0.3, 0.1, 0.5]}\n", "migration_loss: triangular values must be in order"),
    ("fee_reduction: {triangular: [0.1, 0.2]}\n", "fee_reduction: triangular takes a list of 3 numbers"),
    ("owned_adstock: {beta: [1, 2]}\n", "owned_adstock: unknown distribution 'beta'"),
    ("gross_margin: {normal: {mean: 0.3}}\n", "gross_margin: normal takes {mean, sd, low, high}"),
    ("gross_margin: {normal: {mean: 0.3, sd: 0.1, low: 0.5, high: 0.2}}\n", "gross_margin: normal needs sd >= 0"),
    ("site_build: 100\n", "unknown assumption 'site_build'"),
    ("shift: {uniform: [0.1, 0.2], triangular: [0, 1, 2]}\n", "shift: a distribution has exactly one of"),
    ("- 1\n- 2\n", "expected key: value lines"),
    ("shift: [\n", "is not valid YAML"),
])
def test_validation_errors_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_assumptions(f)
    assert message in str(err.value) and str(f) in str(err.value)
    assert err.value.exit_code == 2


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read assumptions file"):
        load_assumptions(tmp_path / "nope.yaml")


def test_truncated_normal_and_quantiles() -> None:
    d = Dist("normal", (0.3, 0.1, 0.25, 0.5))
    assert d.central() == 0.3
    assert 0.25 <= d.ppf_scalar(0.0) and d.ppf_scalar(1.0) <= 0.5 and d.ppf_scalar(0.5) > 0.3
    tri = Dist("triangular", (0.0, 0.0, 1.0))
    assert tri.ppf_scalar(0.75) == pytest.approx(0.5)  # 1 - sqrt(0.25)
    assert not Dist("triangular", (2.0, 2.0, 2.0)).uncertain and Dist("uniform", (1.0, 2.0)).uncertain


def test_sensitivity_ranks_by_swing_and_skips_fixed_assumptions() -> None:
    a = load_assumptions(None)
    s = sensitivity(BASE, a, months=36)
    keys = [r.key for r in s.rows]
    assert "shift" not in keys and "own_site_fee_rate" not in keys  # fixed numbers: no swing
    assert set(keys) == {k for k in KEYS if a[k].uncertain}
    swings = [r.swing for r in s.rows]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0
    roas = next(r for r in s.rows if r.key == "owned_roas")
    assert roas.npv_high > roas.npv_low  # a better owned channel helps
    site = next(r for r in s.rows if r.key == "site_build_cost")
    assert site.npv_high < site.npv_low
    # fixing the top assumption at its central value removes it from the tornado
    top = s.rows[0].key
    fixed = sensitivity(BASE, a.replace(**{top: a[top].central()}), months=36)
    assert top not in [r.key for r in fixed.rows]
    assert fixed.npv_central == pytest.approx(s.npv_central)


def test_compare_shifts_rows_and_shift_zero_is_neutral() -> None:
    a = load_assumptions(None)
    comp = compare_shifts(BASE, a, [0, 0.1, 0.2, 0.5], months=36, runs=300, seed=4, programmes=[0, 1])
    assert [(r["programme"], r["shift"]) for r in comp.rows] == [
        (p, s) for p in (False, True) for s in (0, 0.1, 0.2, 0.5)]
    programme_alone = comp.rows[4]
    assert programme_alone["npv_p50"] != 0  # the programme costs and earns without any shift
    zero = comp.rows[0]
    assert zero["npv_p50"] == zero["npv_p10"] == 0 and zero["break_even_p50"] == 0
    assert zero["p_break_even_by_24"] == 1.0
    for row in comp.rows[1:]:
        assert row["npv_p10"] <= row["npv_p50"] <= row["npv_p90"]
        assert 0 <= row["p_break_even_by_24"] <= 1
    assert compare_shifts(BASE, a, [0.2], months=12, runs=50).rows[0]["p_break_even_by_24"] is None
    assert [r["programme"] for r in compare_shifts(BASE, a, [0, 0.2], months=12, runs=50).rows] == [True, True]


def test_programme_is_a_switch_not_a_distribution(tmp_path: Path) -> None:
    assert load_assumptions(None, {"programme": 0})["programme"].central() == 0.0
    for bad in (0.5, {"uniform": [0, 1]}):
        with pytest.raises(ConfigError, match="programme: expected 0 \\(off\\) or 1"):
            load_assumptions(None, {"programme": bad})


def test_adding_a_key_left_every_older_key_with_its_draws() -> None:
    """programme was added after the others: it draws from the last stream, so a seed still
    gives the draws it gave before (shift_ramp_months, the second stream, checked by value)."""
    import numpy as np

    a = load_assumptions(None, {"shift_ramp_months": {"uniform": [1, 2]}})
    u = np.random.default_rng(np.random.SeedSequence(5).spawn(len(KEYS))[1]).random(4)
    assert a.sample(4, 5)["shift_ramp_months"] == pytest.approx(1 + u)


def test_sensitivity_marks_unsourced_assumptions_and_the_npv_without_uplift() -> None:
    a = load_assumptions(None)
    s = sensitivity(BASE, a, months=36)
    by_key = {r.key: r for r in s.rows}
    assert not by_key["owned_clv_uplift"].published_source and by_key["fee_reduction"].published_source
    assert s.to_dict()["rows"][0]["published_source"] in (True, False)
    no_uplift = sensitivity(BASE, a.replace(owned_clv_uplift=1.0), months=36)
    assert s.npv_without_uplift == pytest.approx(no_uplift.npv_central)
    assert s.npv_without_uplift < s.npv_central
