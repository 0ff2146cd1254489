"""Result objects of the CLV analysis, with a stable `to_dict()` for JSON.

Every duration carries its unit; money is in the reporting currency; CLV is the residual
(future) value over the horizon, discounted, after gross margin and the platform's variable
fees — never past revenue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from assetkit.analysis.clv.mle import Fit
from assetkit.analysis.clv.summary import Summary

BUYER_COLUMNS = ("buyer_id", "frequency", "recency", "T", "monetary", "expected_occasions", "p_alive",
                 "expected_spend", "discounted_revenue", "clv", "clv_low", "clv_high", "variable_fee_share",
                 "fee_share",
                 "fee_saved", "platform", "first_channel", "first_platform", "has_email", "has_phone")


@dataclass
class SpendModel:
    """Expected value of a future occasion per buyer and how it was obtained."""

    name: str  # "gamma_gamma", "shrunk_average" (one platform) or "within_platform"
    fit: Fit | None
    spend: np.ndarray
    n_used: int
    n_excluded: int  # repeat buyers with mean repeat value ≤ 0, left out of the fit
    fallback_reason: str | None
    corr_frequency_value: float | None
    groups: list[dict] | None = None  # within_platform: the method and prior of each platform
    note: str | None = None

    def to_dict(self) -> dict:
        out = {"model": self.name, "n_buyers_used": self.n_used,
               "n_excluded_non_positive": self.n_excluded, "fallback_reason": self.fallback_reason,
               "corr_frequency_value": self.corr_frequency_value, "groups": self.groups, "note": self.note}
        if self.fit is not None:
            out.update(params=self.fit.params, log_likelihood=self.fit.log_likelihood,
                       param_notes={"v": "γ, the scale of the spend heterogeneity (currency)"},
                       population_mean_spend=_pop_mean(self.fit), diagnostics=self.fit.diagnostics.to_dict())
        return out


def _pop_mean(fit: Fit) -> float | None:
    p, q, v = fit.theta()
    return float(p * v / (q - 1)) if q > 1 else None


@dataclass
class BuyerValues:
    """Per-buyer inputs and predictions, as parallel arrays (1M buyers stay cheap)."""

    summary: Summary
    expected_occasions: np.ndarray
    p_alive: np.ndarray
    expected_spend: np.ndarray
    discounted_revenue: np.ndarray
    clv: np.ndarray
    fee_share: np.ndarray
    fee_saved: np.ndarray
    clv_low: np.ndarray | None
    clv_high: np.ndarray | None

    def column(self, name: str) -> np.ndarray:
        s = self.summary
        direct = {"frequency": s.frequency, "recency": s.recency, "T": s.T, "monetary": s.monetary,
                  "buyer_id": s.buyer_id, "platform": s.last_platform, "first_channel": s.first_channel,
                  "first_platform": s.first_platform, "has_email": s.has_email, "has_phone": s.has_phone}
        if name in direct:
            return direct[name]
        if name == "variable_fee_share":
            # the canonical name (docs/metrics.md glossary); `fee_share` is kept as an alias of it
            # for JSON schema 1 readers and will go with the next schema version
            return self.fee_share
        value = getattr(self, name)
        return np.full(s.n, np.nan) if value is None else value

    def rows(self) -> list[dict]:
        """One dict per buyer (for JSON/CSV); NaN becomes None."""
        cols = [self.column(c) for c in BUYER_COLUMNS]
        out = []
        for values in zip(*cols):
            out.append({k: _py(v) for k, v in zip(BUYER_COLUMNS, values)})
        return out


def _py(v):
    if isinstance(v, (float, np.floating)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


@dataclass
class ClvResult:
    model: str
    method: str  # "model" or "heuristic"
    method_reason: str | None
    method_note: str
    time_unit: str
    unit_days: float
    until: dt.date
    data_end: dt.date
    horizon: float
    fit: Fit | None
    param_units: dict[str, str]
    spend: SpendModel
    n_buyers: int
    n_repeat_buyers: int
    gross_margin: float
    discount_rate: float
    fee_shares: dict[str, dict[str, float]]
    buyers: BuyerValues
    holdout: dict | None
    by_channel: list[dict]
    by_platform: list[dict]
    top_buyers: list[dict]
    interval_method: str | None
    interval_total: tuple[float, float] | None
    warnings: list[str] = field(default_factory=list)
    calibration: list[dict] = field(default_factory=list)  # per platform: next 12 months vs last 12

    @property
    def params(self) -> dict[str, float] | None:
        return None if self.fit is None else self.fit.params

    @property
    def total_clv(self) -> float:
        return float(self.buyers.clv.sum())

    def assumptions(self) -> dict:
        return {
            "time_unit": self.time_unit, "unit_days": self.unit_days, "month_days": 30.4375,
            "horizon": self.horizon, "horizon_unit": self.time_unit,
            "horizon_days": self.horizon * self.unit_days,
            "gross_margin": self.gross_margin, "discount_rate_annual": self.discount_rate,
            "discounting": "month-end cash flows, factor (1+annual rate)^(−days/365.25)",
            "fees": "variable platform fees (all but membership and advertising) as a share of the "
                    "platform's net revenue, for the platform of each buyer's latest occasion",
            "clv_definition": "future value only: discounted expected revenue × (gross margin − fee share)",
            "occasions": "distinct buyer-days of non-cancelled orders; value = net revenue in reporting currency",
            "calibration_end": self.until.isoformat(),
        }

    def to_dict(self, include_buyers: bool = True) -> dict:
        out = {
            "model": self.model, "method": self.method, "method_reason": self.method_reason,
            "method_note": self.method_note, "time_unit": self.time_unit,
            "params": self.params, "param_units": {k: self.param_units[k] for k in (self.params or {})},
            "log_likelihood": None if self.fit is None else self.fit.log_likelihood,
            "diagnostics": None if self.fit is None else self.fit.diagnostics.to_dict(),
            "n_buyers": self.n_buyers, "n_repeat_buyers": self.n_repeat_buyers,
            "spend_model": self.spend.to_dict(), "assumptions": self.assumptions(),
            "fee_shares": self.fee_shares, "total_clv": self.total_clv,
            "interval": None if self.interval_total is None else {
                "method": self.interval_method, "level": 0.90,
                "total_clv_low": self.interval_total[0], "total_clv_high": self.interval_total[1]},
            "holdout": self.holdout, "calibration": self.calibration,
            "by_channel": self.by_channel, "by_platform": self.by_platform,
            "top_buyers": self.top_buyers, "warnings": list(self.warnings),
        }
        if include_buyers:
            out["buyers"] = self.buyers.rows()
        return out
