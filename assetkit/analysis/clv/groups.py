"""Group summaries of per-buyer predictions: by channel/platform, holdout check, top buyers."""

from __future__ import annotations

import numpy as np

FREQ_BINS = ("0", "1", "2", "3", "4", "5", "6+")


def by_group(labels: np.ndarray, values: np.ndarray, extra: dict[str, np.ndarray] | None = None) -> list[dict]:
    """Mean, median, total and count of `values` per label, largest total first."""
    keys, inv = np.unique(labels.astype(str), return_inverse=True)
    out = []
    for i, key in enumerate(keys):
        v = values[inv == i]
        row = {"group": str(key), "n_buyers": int(v.size), "mean": float(v.mean()),
               "median": float(np.median(v)), "total": float(v.sum())}
        for name, arr in (extra or {}).items():
            row[name] = float(arr[inv == i].sum())
        out.append(row)
    return sorted(out, key=lambda r: -r["total"])


def group_intervals(rows: list[dict], labels: np.ndarray, stack: np.ndarray | None) -> list[dict]:
    """Add a 90% interval of each group's total (`total_low`, `total_high`) from simulated
    per-buyer values `stack` (draws × buyers); None when there are no draws."""
    labels = labels.astype(str)
    for row in rows:
        if stack is None:
            row["total_low"] = row["total_high"] = None
            continue
        totals = stack[:, labels == row["group"]].sum(axis=1)
        row["total_low"], row["total_high"] = (float(v) for v in np.percentile(totals, [5, 95]))
    return rows


def holdout_check(frequency: np.ndarray, channel: np.ndarray, predicted: np.ndarray,
                  actual: np.ndarray, holdout_days: int, unit_days: float) -> dict:
    """Predicted vs actual holdout occasions in total, by calibration frequency and by channel."""
    fbin = np.where(frequency >= 6, "6+", frequency.astype(int).astype(str))

    def rows(labels: np.ndarray, order: tuple[str, ...] | None = None) -> list[dict]:
        keys = order or tuple(np.unique(labels.astype(str)))
        out = []
        for key in keys:
            sel = labels.astype(str) == key
            if not sel.any():
                continue
            out.append({"group": key, "n_buyers": int(sel.sum()),
                        "predicted": float(predicted[sel].sum()), "actual": float(actual[sel].sum())})
        return out

    total_p, total_a = float(predicted.sum()), float(actual.sum())
    return {
        "holdout_days": holdout_days,
        "holdout_length": holdout_days / unit_days,
        "n_buyers": int(predicted.size),
        "predicted": total_p,
        "actual": total_a,
        "error_pct": (100.0 * (total_p - total_a) / total_a) if total_a > 0 else None,
        "mae_per_buyer": float(np.mean(np.abs(predicted - actual))),
        "by_frequency": rows(fbin, FREQ_BINS),
        "by_channel": rows(channel),
    }


def top(order_by: np.ndarray, columns: dict[str, np.ndarray], k: int = 10) -> list[dict]:
    """The k rows with the largest `order_by`, as plain dicts."""
    idx = np.argsort(-order_by, kind="stable")[:k]
    return [{name: _plain(arr[i]) for name, arr in columns.items()} for i in idx]


def _plain(v):
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
