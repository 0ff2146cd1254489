"""Ranking and calibration measures for the model-vs-rules comparison, vectorised.

Rule scores are coarse (many inquiries share one score), so ties are handled exactly: AUC
counts a tie as half, and the top-decile precision takes the tied group at its average rate
(what random tie-breaking gives in expectation) instead of whatever order a sort left.
"""

from __future__ import annotations

import math

import numpy as np


def _midranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given their average rank."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse]


def auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC (Mann-Whitney with mid-ranks); None when only one class is present."""
    y = np.asarray(y, float)
    pos = y.sum()
    neg = len(y) - pos
    if not (pos and neg):
        return None
    return float(((_midranks(score) * y).sum() - pos * (pos + 1) / 2) / (pos * neg))


def precision_at(y: np.ndarray, score: np.ndarray, share: float = 0.1) -> float:
    """Share of converters among the top `share` by score (ties at the cut at their average rate)."""
    k = max(1, math.ceil(share * len(y)))
    cut = np.sort(score)[::-1][k - 1]
    above, tied = score > cut, score == cut
    return float((y[above].sum() + (k - above.sum()) * y[tied].mean()) / k)


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Predicted vs observed conversion in equal-count bins of the predicted probability."""
    order = np.argsort(p, kind="stable")
    out = []
    for part in np.array_split(order, min(bins, len(p))):
        if len(part):
            out.append({"n": len(part), "predicted": round(float(p[part].mean()), 4),
                        "observed": round(float(y[part].mean()), 4)})
    return out


def auc_difference(y: np.ndarray, a: np.ndarray, b: np.ndarray, resamples: int,
                   seed: int = 0) -> tuple[float, float]:
    """2.5% and 97.5% quantiles of AUC(a) - AUC(b) over paired bootstrap resamples of the test set."""
    rng = np.random.default_rng(seed)
    n = len(y)
    diff = []
    for _ in range(resamples):  # one vectorised AUC pair per resample
        idx = rng.integers(0, n, size=n)
        a_auc, b_auc = auc(y[idx], a[idx]), auc(y[idx], b[idx])
        if a_auc is not None and b_auc is not None:
            diff.append(a_auc - b_auc)
    if not diff:
        return (float("nan"), float("nan"))
    return float(np.quantile(diff, 0.025)), float(np.quantile(diff, 0.975))
