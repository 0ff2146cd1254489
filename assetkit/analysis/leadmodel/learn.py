"""Learn from the seller's own outcomes which inquiries become orders, and use that only when
it ranks the newest inquiries better than the rules do.

Steps: label every past inquiry with the funnel's conversion; split by time (the newest
`test_share` is the test set); choose the L2 strength on the newest fifth of the training rows;
fit; compare with the rules' points on the same test rows (ROC AUC, precision in the top
decile, Brier score after calibrating the points); keep the model only when the paired
bootstrap says its AUC is higher (the 2.5% bound of the difference above zero) and its
top-decile precision is not lower. The deployed model is refitted on all labelled rows with
the chosen strength. Everything is written into a model card (data window, sizes, metrics,
weights) that `assetkit leads --format json` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from assetkit.analysis.leadmodel import metrics
from assetkit.analysis.leadmodel.design import Columns, Design, prepare
from assetkit.analysis.leadmodel.features import (
    ModelSettings,
    load_features,
    model_settings,
)
from assetkit.analysis.leadmodel.logistic import Logistic, fit_logistic, platt, sigmoid

if TYPE_CHECKING:
    import duckdb

    from assetkit.analysis.lead_rules import RuleSet
    from assetkit.config import Config


@dataclass
class LeadModel:
    """The decision (`use` = 'model' or 'rules') with the fitted pieces and the model card."""

    use: str
    reason: str
    card: dict[str, Any]
    design: Design | None = None
    model: Logistic | None = None
    rules_calibration: tuple[float, float] | None = None  # sigmoid(a + b * points)
    notes: list[str] = field(default_factory=list)

    def rules_probability(self, points: np.ndarray) -> np.ndarray | None:
        if self.rules_calibration is None:
            return None
        a, b = self.rules_calibration
        return sigmoid(a + b * points)


def _subset(c: Columns, mask: np.ndarray) -> Columns:
    return {k: v[mask] for k, v in c.items()}


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(float(epoch), UTC).date().isoformat()


def _fit(train: Columns, st: ModelSettings, lam: float) -> tuple[Design, Logistic]:
    design = Design.fit(train, st)
    return design, fit_logistic(design.matrix(train), np.asarray(train["label"], float), lam)


def _choose_lambda(train: Columns, st: ModelSettings) -> float:
    """The L2 strength with the best AUC on the newest fifth of the training rows."""
    n = len(train["label"])
    cut = int(n * 0.8)
    fit_part, val = _subset(train, np.arange(n) < cut), _subset(train, np.arange(n) >= cut)
    yv = np.asarray(val["label"], float)
    if yv.sum() == 0 or yv.sum() == len(yv):
        return st.lambdas[len(st.lambdas) // 2]
    best, best_auc = st.lambdas[0], -1.0
    for lam in st.lambdas:
        design, model = _fit(fit_part, st, lam)
        score = metrics.auc(yv, model.logit(design.matrix(val))) or 0.0
        if score > best_auc + 1e-9:
            best, best_auc = lam, score
    return best


def _side(y: np.ndarray, score: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    return {"roc_auc": None if (a := metrics.auc(y, score)) is None else round(a, 4),
            "precision_top_decile": round(metrics.precision_at(y, score), 4),
            "brier": round(metrics.brier(y, p), 4), "reliability": metrics.reliability(y, p)}


def learn_lead_model(con: duckdb.DuckDBPyConnection, config: Config | None, rules: RuleSet, as_of: datetime,
                     window_days: int) -> LeadModel:
    st = model_settings()
    cols = load_features(con, config, rules, as_of, "history", window_days)
    pending = np.asarray(cols["pending"], bool)
    data = prepare(_subset(cols, ~pending))
    y = np.asarray(data["label"], float)
    n, pos = len(y), int(y.sum())
    card: dict[str, Any] = {
        "target": f"an order by the same buyer within {window_days} days of the inquiry (the funnel's conversion)",
        "labelled_inquiries": n, "conversions": pos, "pending_inquiries": int(pending.sum()),
        "data_window": [_day(data["t"][0]), _day(data["t"][-1])] if n else None,
        "seen_days": st.seen_days,
    }
    points = np.asarray(data["score"], float)
    if n < st.min_labelled or pos < st.min_conversions:  # too few outcomes to calibrate the points either
        reason = (f"too little history to learn from: {n} labelled inquiries (needs {st.min_labelled}) and "
                  f"{pos} conversions (needs {st.min_conversions}); the rules rank the leads")
        return LeadModel("rules", reason, {**card, "used": "rules", "reason": reason})
    calibration = platt(points, y)
    cut = round(n * (1 - st.test_share))
    is_test = np.arange(n) >= cut
    train, test = _subset(data, ~is_test), _subset(data, is_test)
    yt = np.asarray(test["label"], float)
    card["train"] = {"inquiries": int(cut), "conversions": int(y[:cut].sum()),
                     "window": [_day(train["t"][0]), _day(train["t"][-1])]}
    card["test"] = {"inquiries": int(n - cut), "conversions": int(yt.sum()),
                    "window": [_day(test["t"][0]), _day(test["t"][-1])]}
    if yt.sum() == 0 or yt.sum() == len(yt) or y[:cut].sum() == 0:
        reason = "the newest inquiries (test set) or the older ones hold only one outcome; the rules rank the leads"
        return LeadModel("rules", reason, {**card, "used": "rules", "reason": reason}, rules_calibration=calibration)
    lam = _choose_lambda(train, st)
    design, model = _fit(train, st, lam)
    z_test = design.matrix(test)
    p_model = model.predict(z_test)
    rule_points = np.asarray(test["score"], float)
    a, b = platt(np.asarray(train["score"], float), y[:cut])
    p_rules = sigmoid(a + b * rule_points)
    lo, hi = metrics.auc_difference(yt, p_model, rule_points, st.bootstrap)
    side = {"model": _side(yt, p_model, p_model), "rules": _side(yt, rule_points, p_rules)}
    card.update({"l2_strength": lam, "base_rate_test": round(float(yt.mean()), 4), "metrics": side,
                 "auc_difference_95": [round(lo, 4), round(hi, 4)] if np.isfinite(lo) else None})
    better_auc = np.isfinite(lo) and lo > 0
    not_worse_top = side["model"]["precision_top_decile"] >= side["rules"]["precision_top_decile"]
    if better_auc and not_worse_top:
        use = "model"
        reason = (f"the model ranks the newest {n - cut} inquiries better than the rules: ROC AUC "
                  f"{side['model']['roc_auc']:.3f} vs {side['rules']['roc_auc']:.3f} (difference "
                  f"{lo:+.3f} to {hi:+.3f}), top-decile precision {side['model']['precision_top_decile']:.0%} vs "
                  f"{side['rules']['precision_top_decile']:.0%}")
    else:
        use = "rules"
        why = ("its AUC is not clearly higher (difference {lo:+.3f} to {hi:+.3f})" if not better_auc
               else "its top-decile precision is lower").format(lo=lo, hi=hi)
        reason = (f"the model does not beat the rules on the newest {n - cut} inquiries ({why}: AUC "
                  f"{side['model']['roc_auc']:.3f} vs {side['rules']['roc_auc']:.3f}, top-decile precision "
                  f"{side['model']['precision_top_decile']:.0%} vs {side['rules']['precision_top_decile']:.0%}); "
                  "the rules rank the leads")
    # the deployed model learns from every labelled inquiry, with the strength chosen above
    design, model = _fit(data, st, lam)
    card.update({"used": use, "reason": reason, "features": design.weights(model.coef)})
    return LeadModel(use, reason, card, design, model, calibration)
