"""Per-buyer frequency/recency/age arrays, with identical rows merged into weights.

The likelihoods only depend on (x, t_x, T), so buyers sharing those values are one row with a
weight. Small businesses' data in whole days collapses a lot (the trick users found in
lifetimes #419); fits and predictions run on the unique rows and are broadcast back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375}


def unit_days(time_unit: str) -> float:
    """Length of a model time unit in days (a month is 30.4375 days, a week 7)."""
    try:
        return UNIT_DAYS[time_unit]
    except KeyError:
        from assetkit.errors import UsageError

        raise UsageError(f"unknown time unit {time_unit!r}",
                         hint="use one of: day, week, month") from None


@dataclass
class Rfm:
    """Unique (x, t_x, T) rows, their weights, and the map back to each buyer."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    w: np.ndarray
    inverse: np.ndarray

    @property
    def n(self) -> float:
        return float(self.w.sum())

    def expand(self, values: np.ndarray) -> np.ndarray:
        """Per-unique-row values → per-buyer values (trailing axes kept)."""
        return values[..., self.inverse] if values.ndim > 1 else values[self.inverse]


def merge(x, t_x, T, weights=None) -> Rfm:
    """Validate and merge identical rows; weights multiply (pre-aggregated inputs are allowed)."""
    x = np.asarray(x, float)
    t_x = np.asarray(t_x, float)
    T = np.asarray(T, float)
    if not (x.shape == t_x.shape == T.shape) or x.ndim != 1:
        raise ValueError("frequency, recency and T must be 1-D arrays of the same length")
    if x.size == 0:
        from assetkit.errors import NotEnoughData

        raise NotEnoughData("no buyers to fit", hint="import orders first")
    bad = (x < 0) | (t_x < 0) | (T < t_x) | ((x == 0) & (t_x != 0)) | ~np.isfinite(x + t_x + T)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} rows violate 0 ≤ recency ≤ T (recency 0 when frequency 0)")
    w = np.ones_like(x) if weights is None else np.asarray(weights, float)
    stacked = np.stack([x, t_x, T], axis=1)
    uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
    wu = np.bincount(inverse.ravel(), weights=w, minlength=len(uniq))
    return Rfm(uniq[:, 0].copy(), uniq[:, 1].copy(), uniq[:, 2].copy(), wu, inverse.ravel())
