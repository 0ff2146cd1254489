"""Expected value of a buyer's next occasion, fitted or shrunk within comparable groups.

One pooled spend prior misleads a business that sells on very different platforms: a $57
Etsy buyer pulled toward a $1,078 pooled mean is predicted to spend 12x what they do. So,
with buyers on more than one platform (the platform of their latest occasion), spend is
estimated per platform:

- Gamma-Gamma fitted on the platform's own repeat buyers, when there are at least
  MIN_SPEND_BUYERS of them with a positive mean and the fit is identified (q > 1);
- otherwise each buyer's average occasion value shrunk toward the platform's mean (2
  pseudo-occasions), the platform's mean itself shrunk toward the whole business's mean with
  GROUP_PSEUDO_OCCASIONS pseudo-occasions (so a platform with three orders borrows strength,
  one with three hundred speaks for itself).

With a single platform this is the pooled model it always was (Gamma-Gamma, else the shrunk
average). The method of every group is reported (`spend_model.groups`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assetkit.analysis.clv import gammagamma
from assetkit.analysis.clv.cache import cached_fit
from assetkit.analysis.clv.result import SpendModel
from assetkit.analysis.clv.summary import Summary
from assetkit.analysis.clv.value import population_aov, shrunk_aov

MIN_SPEND_BUYERS = 10
BUYER_PSEUDO_OCCASIONS = 2.0
GROUP_PSEUDO_OCCASIONS = 10.0


def _gamma_gamma(x: np.ndarray, m: np.ndarray, usable: np.ndarray):
    """The fit and its parameters when identified with q > 1, else (fit or None, None)."""
    if usable.sum() < MIN_SPEND_BUYERS:
        return None, None
    fit = cached_fit("gamma_gamma", gammagamma.fit_gamma_gamma, x[usable], m[usable])
    theta = fit.theta()
    return fit, (theta if fit.diagnostics.identified and theta[1] > 1 else None)


def fit_spend(s: Summary) -> SpendModel:
    """Expected spend per buyer: pooled with one platform, within platforms with several."""
    repeat = s.frequency > 0
    usable = repeat & (s.monetary > 0)
    excluded = int((repeat & ~usable).sum())
    m = np.where(repeat, np.maximum(np.nan_to_num(s.monetary), 0.0), 0.0)
    labels = s.last_platform.astype(str)
    groups = np.unique(labels)
    if groups.size <= 1:
        return _pooled(s, usable, excluded, m)
    occasions = s.frequency + 1
    pop = population_aov(s.aov, occasions)
    spend = np.zeros(s.n)
    rows: list[dict[str, Any]] = []
    for g in groups:
        sel = labels == g
        fit, theta = _gamma_gamma(s.frequency[sel], m[sel], usable[sel])
        n_used = int(usable[sel].sum())
        if theta is not None:
            spend[sel] = gammagamma.expected_spend(theta, s.frequency[sel], m[sel])
            method = "gamma_gamma"
            prior = float(theta[0] * theta[2] / (theta[1] - 1))
        else:
            n_occ = float(occasions[sel].sum())
            own = population_aov(s.aov[sel], occasions[sel])
            prior = (own * n_occ + GROUP_PSEUDO_OCCASIONS * pop) / (n_occ + GROUP_PSEUDO_OCCASIONS)
            spend[sel] = shrunk_aov(s.aov[sel], occasions[sel], prior, BUYER_PSEUDO_OCCASIONS)
            method = "shrunk_within_group"
        rows.append({"group": str(g), "method": method, "n_buyers": int(sel.sum()), "n_repeat_used": n_used,
                     "prior_mean_spend": prior,
                     "gamma_gamma": None if fit is None else {"params": fit.params,
                                                              "identified": fit.diagnostics.identified}})
    methods = sorted({str(r["method"]) for r in rows})
    note = ("spend estimated within each platform (the platform of the buyer's latest occasion): "
            "Gamma-Gamma where the platform's own repeat buyers identify it, else each buyer's average "
            f"shrunk toward the platform's mean ({BUYER_PSEUDO_OCCASIONS:g} pseudo-occasions), the platform's "
            f"mean shrunk toward the business's ({GROUP_PSEUDO_OCCASIONS:g} pseudo-occasions)")
    return SpendModel("within_platform", None, spend, int(usable.sum()), excluded, None, None,
                      groups=rows, note=note + "; methods used: " + ", ".join(methods))


def _pooled(s: Summary, usable: np.ndarray, excluded: int, m: np.ndarray) -> SpendModel:
    """One group: Gamma-Gamma on all repeat buyers, else the shrunk average (as before)."""
    fit, theta = _gamma_gamma(s.frequency, m, usable)
    if theta is not None:
        corr = float(np.corrcoef(s.frequency[usable], s.monetary[usable])[0, 1]) if usable.sum() > 2 else None
        return SpendModel("gamma_gamma", fit, gammagamma.expected_spend(theta, s.frequency, m),
                          int(usable.sum()), excluded, None, corr)
    reason = ("the Gamma-Gamma fit is not identified (q ≤ 1 or singular Hessian)" if fit is not None else
              f"only {int(usable.sum())} repeat buyers with a positive mean value (< {MIN_SPEND_BUYERS})")
    return SpendModel("shrunk_average", None, shrunk_aov(s.aov, s.frequency + 1), int(usable.sum()), excluded,
                      f"{reason}; used each buyer's average occasion value shrunk toward the "
                      "population mean with 2 pseudo-occasions", None)


def calibration(labels: np.ndarray, predicted_year: np.ndarray, last_year: np.ndarray) -> list[dict]:
    """Per group: predicted revenue of the next 12 months against what the same buyers paid in
    the 12 months up to the calibration end; `ratio` = predicted / paid (None when nothing was paid)."""
    labels = labels.astype(str)
    rows = []
    for g in np.unique(labels):
        sel = labels == g
        pred, paid = float(predicted_year[sel].sum()), float(last_year[sel].sum())
        rows.append({"group": str(g), "n_buyers": int(sel.sum()), "predicted_next_12_months": pred,
                     "paid_last_12_months": paid, "ratio": pred / paid if paid > 0 else None})
    return sorted(rows, key=lambda r: -r["paid_last_12_months"])
