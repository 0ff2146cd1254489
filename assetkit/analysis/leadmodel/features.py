"""Per-inquiry features and outcomes for the learned lead model, straight from the store.

The feature table is the lead rules' own (assetkit.analysis.leads.scored_sql), so the rules'
score and the model see exactly the same inquiries, judged at the same moment; the model adds
message signals (lead_model.yaml) and, for past inquiries, the outcome. Outcome = the funnel's
conversion: a non-cancelled order by the same buyer within the window after the inquiry;
an inquiry whose window has not ended (and no order yet) is pending and left out; one without
a buyer can never be matched and counts as not converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from assetkit.analysis.lead_rules import RuleSet
from assetkit.analysis.leads import scored_sql, used_params

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config


@dataclass(frozen=True)
class ModelSettings:
    min_labelled: int
    min_conversions: int
    test_share: float
    seen_days: int
    top_levels: int
    min_level_count: int
    lambdas: tuple[float, ...]
    bootstrap: int
    text_signals: dict[str, tuple[str, tuple[str, ...]]]  # name -> (label, patterns)
    languages: dict[str, tuple[str, ...]]


@lru_cache(maxsize=1)
def model_settings() -> ModelSettings:
    import yaml

    raw = yaml.safe_load(resources.files("assetkit.data").joinpath("lead_model.yaml").read_text("utf-8"))
    return ModelSettings(
        int(raw["min_labelled"]), int(raw["min_conversions"]), float(raw["test_share"]), int(raw["seen_days"]),
        int(raw["top_levels"]), int(raw["min_level_count"]), tuple(float(x) for x in raw["lambdas"]),
        int(raw["bootstrap"]),
        {k: (str(v["label"]), tuple(v["patterns"])) for k, v in raw["text_signals"].items()},
        {k: tuple(v) for k, v in raw["languages"].items()})


def _regex(patterns: tuple[str, ...]) -> str:
    return "(?i)(" + "|".join(patterns) + ")"


def load_features(con: duckdb.DuckDBPyConnection, config: Config | None, rules: RuleSet, as_of: datetime, scope: str,
                  window_days: int) -> dict[str, np.ndarray]:
    """Column arrays (one row per inquiry, oldest first) for `scope` 'open' or 'history'.

    'history' adds `label` (1 converted, 0 not) and `pending` (window still running, no order)."""
    st = model_settings()
    sql, params = scored_sql(con, config, rules, as_of, scope)
    params.update({"seen_days": st.seen_days, "window": window_days})
    signals = []
    for n, (name, (_, patterns)) in enumerate(st.text_signals.items()):
        params[f"ts{n}"] = _regex(patterns)
        signals.append(f"coalesce(regexp_matches(text, $ts{n}), false) AS sig_{name}")
    lang = "CASE"
    for n, (code, patterns) in enumerate(st.languages.items()):
        params[f"lg{n}"] = _regex(patterns)
        lang += f" WHEN regexp_matches(text, $lg{n}) THEN '{code}'"
    lang += " ELSE 'en' END"
    outcome = ""
    if scope == "history":
        sql += """, nxt AS (
            SELECT s.inquiry_id, min(o.ordered_at) AS first_order FROM s JOIN orders o
              ON o.buyer_id = s.buyer_id AND o.status <> 'cancelled' AND o.ordered_at >= s.received_at
             AND o.ordered_at < s.received_at + to_days(CAST($window AS INTEGER)) AND o.ordered_at <= $as_of
            GROUP BY s.inquiry_id)"""
        outcome = """, CAST(n.first_order IS NOT NULL AS INTEGER) AS label,
            n.first_order IS NULL AND s.buyer_id IS NOT NULL
              AND s.received_at + to_days(CAST($window AS INTEGER)) > $as_of AS pending"""
    sql += f"""
    SELECT s.inquiry_id, epoch(s.received_at) AS t, s.buyer_id, s.score, s.disqualified,
        coalesce(s.platform, '') AS platform, coalesce(s.channel, '') AS channel,
        upper(trim(s.country)) AS country, lower(trim(s.product)) AS product, s.unit,
        s.quantity, s.quantity_to_moq, s.message_length::DOUBLE AS message_length,
        CASE WHEN s.days_unanswered IS NULL THEN s.response_hours END AS response_hours,
        s.days_unanswered IS NULL AS answered, s.prior_orders::DOUBLE AS prior_orders,
        s.prior_inquiries::DOUBLE AS prior_inquiries,
        coalesce(list_contains($free, s.email_domain), false) AS free_mail,
        s.email LIKE '%@%.%' AND NOT coalesce(list_contains($free, s.email_domain), false) AS company_domain,
        s.email NOT LIKE '%@%' AND NOT s.has_phone AS no_contact, s.has_phone,
        coalesce(s.in_catalogue, false) AS in_catalogue,
        list_contains($markets, upper(trim(s.country))) AS target_market,
        {lang} AS language, {", ".join(signals)} {outcome}
    FROM s {"LEFT JOIN nxt n USING (inquiry_id)" if scope == "history" else ""}
    ORDER BY s.received_at, s.inquiry_id
    """
    return con.execute(sql, used_params(sql, params)).fetchnumpy()
