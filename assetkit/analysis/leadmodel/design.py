"""From feature columns to the standardised design matrix, and from weights back to words.

A column is numeric (log-scaled counts and sizes), a flag (0/1) or one level of a category
(platform, channel, country, product, language) that was common enough in training. Columns
are standardised with the training mean and spread, so a weight is "log-odds per typical
difference" and a row's contribution w * (x - mean) / sd reads as "how much this feature moves
this inquiry away from the average inquiry" — the words in every explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assetkit.analysis.leadmodel.features import ModelSettings

Columns = dict[str, np.ndarray]
CATEGORIES = ("platform", "channel", "country", "product", "language")


def _num(a: np.ndarray) -> np.ndarray:
    """A numeric column as float with NaN for missing (DuckDB hands back masked arrays)."""
    if isinstance(a, np.ma.MaskedArray):
        return np.ma.filled(a.astype(float), np.nan)
    return np.asarray(a, dtype=float)


def _flag(a: np.ndarray) -> np.ndarray:
    if isinstance(a, np.ma.MaskedArray):
        a = np.ma.filled(a, False)
    return np.asarray(a, dtype=bool).astype(float)


def _text(a: np.ndarray) -> np.ndarray:
    if isinstance(a, np.ma.MaskedArray):
        a = np.ma.filled(a, "")
    return np.where(a == None, "", a).astype(str)  # noqa: E711 - elementwise: `is None` would test the array


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 or x == int(x) else f"{x:,.1f}"


@dataclass
class Column:
    name: str
    values: Callable[[Columns], np.ndarray]
    words: Callable[[Columns, int, bool], str]  # (columns, row, is the row above the mean?)
    level: bool = False  # a category level: explained only for the rows that have it


def _numeric(key: str, describe: Callable[[float, Columns, int], str], missing: str) -> Column:
    def values(c: Columns) -> np.ndarray:
        v = _num(c[key])
        return np.where(np.isfinite(v), np.log1p(np.clip(v, 0, None)), 0.0)

    def words(c: Columns, i: int, _: bool) -> str:
        v = _num(c[key][i:i + 1])[0]
        return describe(v, c, i) if np.isfinite(v) else missing
    return Column(key, values, words)


def _flag_col(key: str, on: str, off: str) -> Column:
    return Column(key, lambda c: _flag(c[key]), lambda c, i, _: on if _flag(c[key][i:i + 1])[0] else off)


def _ratio_col() -> Column:
    def values(c: Columns) -> np.ndarray:
        v = _num(c["quantity_to_moq"])
        return np.where(np.isfinite(v) & (v > 0), np.log(np.clip(v, 1e-3, 1e4)), 0.0)

    def words(c: Columns, i: int, _: bool) -> str:
        v = _num(c["quantity_to_moq"][i:i + 1])[0]
        return f"quantity {_fmt(v)}x MOQ" if np.isfinite(v) and v > 0 else "no MOQ to compare"
    return Column("quantity_to_moq", values, words)


def base_columns(st: ModelSettings) -> list[Column]:
    def qty(v: float, c: Columns, i: int) -> str:
        unit = _text(c["unit"][i:i + 1])[0].lower()
        return f"quantity {_fmt(v)}{' ' + unit if unit else ''}"

    cols = [
        _numeric("quantity", qty, "no quantity"),
        _flag_col("quantity_missing", "no quantity stated", "quantity stated"),
        _ratio_col(),
        _numeric("message_length", lambda v, c, i: f"message {_fmt(v)} characters", "no message"),
        _flag_col("answered", "answered", "no reply yet"),
        _numeric("response_hours", lambda v, c, i: f"first reply after {_fmt(v)} h", "no reply time yet"),
        _numeric("prior_orders", lambda v, c, i: f"{_fmt(v)} earlier order(s)", "no earlier orders"),
        _numeric("prior_inquiries", lambda v, c, i: f"{_fmt(v)} earlier inquiry(ies)", "no earlier inquiries"),
        _flag_col("free_mail", "free mail", "no free-mail address"),
        _flag_col("company_domain", "company e-mail domain", "no company e-mail domain"),
        _flag_col("no_contact", "no e-mail or phone", "contact details given"),
        _flag_col("has_phone", "phone given", "no phone"),
        _flag_col("in_catalogue", "product in catalogue", "product not in catalogue"),
        _flag_col("target_market", "target market", "outside target markets"),
    ]
    cols += [_flag_col(f"sig_{k}", label, f"no {label}") for k, (label, _) in st.text_signals.items()]
    return cols


def _level(category: str, level: str) -> Column:
    return Column(f"{category}={level}", lambda c: (_text(c[category]) == level).astype(float),
                  lambda c, i, _: f"{category} {level}", level=True)


def prepare(c: Columns) -> Columns:
    """Derived columns every design needs (same for training and scoring rows)."""
    out = dict(c)
    out["quantity_missing"] = ~np.isfinite(_num(c["quantity"]))
    return out


@dataclass
class Design:
    columns: list[Column]
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    sd: np.ndarray = field(default_factory=lambda: np.ones(0))

    @classmethod
    def fit(cls, train: Columns, st: ModelSettings) -> Design:
        """Columns for the common category levels of `train`, standardised on `train`."""
        cols = base_columns(st)
        for cat in CATEGORIES:
            values, counts = np.unique(_text(train[cat]), return_counts=True)
            keep = [(n, v) for v, n in zip(values, counts) if v and n >= st.min_level_count]
            cols += [_level(cat, v) for _, v in sorted(keep, key=lambda x: (-x[0], x[1]))[:st.top_levels]]
        design = cls(cols)
        raw = design.raw(train)
        design.mean, sd = raw.mean(axis=0), raw.std(axis=0)
        design.sd = np.where(sd > 1e-12, sd, 1.0)
        return design

    def raw(self, c: Columns) -> np.ndarray:
        return np.column_stack([col.values(c) for col in self.columns]) if self.columns else np.zeros((0, 0))

    def matrix(self, c: Columns) -> np.ndarray:
        return (self.raw(c) - self.mean) / self.sd

    def explain(self, c: Columns, z: np.ndarray, coef: np.ndarray, rows: list[int], top: int = 3
                ) -> list[list[dict[str, Any]]]:
        """The `top` contributions (log-odds vs the average inquiry) of each row in `rows`, in words.
        Absent category levels are not named (their weight is spread over every other level)."""
        contrib = z[rows] * coef
        for j, col in enumerate(self.columns):
            if col.level:
                contrib[:, j] = np.where(z[rows, j] > 0, contrib[:, j], 0.0)
        order = np.argsort(-np.abs(contrib), axis=1)[:, :top]
        out = []
        for k, i in enumerate(rows):
            items = []
            for j in order[k]:
                if abs(contrib[k, j]) < 0.005:
                    continue
                col = self.columns[j]
                items.append({"feature": col.name, "text": col.words(c, i, z[i, j] > 0),
                              "contribution": round(float(contrib[k, j]), 2)})
            out.append(items)
        return out

    def weights(self, coef: np.ndarray, top: int = 20) -> list[dict[str, Any]]:
        """The model card's feature list: standardised weights, largest first."""
        order = np.argsort(-np.abs(coef))[:top]
        return [{"feature": self.columns[j].name, "weight": round(float(coef[j]), 3)} for j in order]


def why_text(items: list[dict[str, Any]]) -> str:
    """'quantity 5,000 pcs: +0.9; free mail: -0.4' (contributions in log-odds)."""
    return "; ".join(f"{x['text']}: {round(x['contribution'], 1):+g}" for x in items)
