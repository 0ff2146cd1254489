"""Learned lead scoring: recovers known drivers and beats the rules on a time split when the
data has signal; keeps the rules when it has none or too little history; reasons in words;
`leads --explain` and the model card in JSON. Also the metric helpers against brute force."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assetkit.analysis.leadmodel import learned_leads
from assetkit.analysis.leadmodel.logistic import fit_logistic
from assetkit.analysis.leadmodel.metrics import auc, precision_at
from assetkit.config import Config
from tests.helpers.learning import AS_OF, lead_store


@pytest.fixture(scope="module")
def signal(tmp_path_factory: pytest.TempPathFactory):
    with lead_store(tmp_path_factory.mktemp("signal") / "db.duckdb", signal=True) as store:
        yield learned_leads(store.con, Config(), as_of=AS_OF)


@pytest.fixture(scope="module")
def noise(tmp_path_factory: pytest.TempPathFactory):
    with lead_store(tmp_path_factory.mktemp("noise") / "db.duckdb", signal=False) as store:
        yield learned_leads(store.con, Config(), as_of=AS_OF)


def test_model_recovers_the_known_drivers(signal) -> None:
    _, model = signal
    weights = {f["feature"]: f["weight"] for f in model.card["features"]}
    assert weights["country=DE"] > 0.2 and weights["quantity"] > 0.1 and weights["free_mail"] < 0
    top = [f["feature"] for f in model.card["features"][:4]]
    assert "country=DE" in top and ("quantity" in top or "quantity_to_moq" in top)
    for noise_feature in ("sig_price", "message_length"):  # messages are a coin flip here
        assert abs(weights.get(noise_feature, 0.0)) < 0.1


def test_model_beats_the_rules_on_the_newest_inquiries_and_is_used(signal) -> None:
    result, model = signal
    card = model.card
    m, r = card["metrics"]["model"], card["metrics"]["rules"]
    assert model.use == "model" and card["used"] == "model"
    assert m["roc_auc"] > r["roc_auc"] + 0.05 and card["auc_difference_95"][0] > 0
    assert m["precision_top_decile"] > r["precision_top_decile"]
    assert m["brier"] < r["brier"]
    assert card["train"]["window"][1] <= card["test"]["window"][0]  # time split: older trains, newest tests
    assert card["train"]["inquiries"] + card["test"]["inquiries"] == card["labelled_inquiries"]
    probs = [x.probability for x in result.leads if x.grade != "X"]
    assert probs == sorted(probs, reverse=True) and all(x.scored_by == "model" for x in result.leads)
    assert sum(b["n"] for b in m["reliability"]) == card["test"]["inquiries"]


def test_every_score_lists_its_reasons_in_words(signal) -> None:
    from assetkit.analysis.leadmodel.design import why_text

    result, _ = signal
    best = result.leads[0]
    assert best.why and all({"feature", "text", "contribution"} <= set(x) for x in best.why)
    text = why_text(best.why)
    assert "country DE: +" in text  # the best open lead is German: that is what the model learned
    assert all(abs(a["contribution"]) >= abs(b["contribution"]) for a, b in zip(best.why, best.why[1:]))


def test_no_signal_keeps_the_rules(noise) -> None:
    result, model = noise
    assert model.use == "rules" and "does not beat the rules" in model.reason
    assert all(x.scored_by == "rules" for x in result.leads)
    assert "metrics" in model.card  # the comparison is still shown


def test_too_little_history_keeps_the_rules(tmp_path: Path) -> None:
    with lead_store(tmp_path / "db.duckdb", n=150) as store:
        result, model = learned_leads(store.con, Config(), as_of=AS_OF)
    assert model.use == "rules" and "too little history" in model.reason
    assert "150 labelled inquiries (needs 200)" in model.reason
    assert all(x.probability is None for x in result.leads)  # no calibration either


def test_leads_explain_and_model_card_json(tmp_path: Path, cli) -> None:
    db = tmp_path / "db.duckdb"
    lead_store(db).close()
    out = cli("--db", str(db), "leads", "--as-of", "2024-12-31", "--format", "json", "--limit", "3")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    card = doc["model"]
    assert {"data_window", "labelled_inquiries", "conversions", "train", "test", "metrics", "features",
            "used", "reason"} <= set(card)
    assert doc["leads"][0]["why"] and doc["leads"][0]["scored_by"] == "model"
    wanted = doc["leads"][0]["inquiry_id"]
    text = cli("--db", str(db), "leads", "--as-of", "2024-12-31", "--explain", wanted)
    assert text.exit_code == 0, text.output
    assert wanted in text.output and "log-odds" in text.output and "Model vs rules" in text.output
    missing = cli("--db", str(db), "leads", "--as-of", "2024-12-31", "--explain", "nope")
    assert missing.exit_code == 2 and "matches no open inquiry" in missing.output
    table = cli("--db", str(db), "leads", "--as-of", "2024-12-31", "--format", "csv", "--limit", "2")
    assert table.output.splitlines()[0].endswith("probability,scored_by,why")


def test_auc_and_top_decile_match_brute_force() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500).astype(float)
    s = rng.integers(0, 6, 500) + y  # many ties, like rule points
    pos, neg = s[y == 1], s[y == 0]
    brute = ((pos[:, None] > neg).sum() + 0.5 * (pos[:, None] == neg).sum()) / (len(pos) * len(neg))
    assert auc(y, s) == pytest.approx(brute)
    # tied scores at the cut count at their group's average rate
    y2, s2 = np.array([1, 0, 1, 0, 0.0]), np.array([3, 2, 2, 2, 1.0])
    assert precision_at(y2, s2, share=0.4) == pytest.approx((1 + 1 / 3) / 2)


def test_logistic_fit_matches_the_generating_weights() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(20_000, 3))
    p = 1 / (1 + np.exp(-(0.5 + x @ np.array([1.0, -2.0, 0.0]))))
    fit = fit_logistic(x, (rng.uniform(size=len(p)) < p).astype(float), lam=1e-3)
    assert fit.intercept == pytest.approx(0.5, abs=0.08)
    assert fit.coef == pytest.approx([1.0, -2.0, 0.0], abs=0.08)
