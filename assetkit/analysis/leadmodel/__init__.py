"""Learned lead scoring: the rules' ranking, replaced by a model fitted on the seller's own
outcomes when (and only when) that model ranks the newest inquiries better.

`learned_leads` is `score_leads` plus, for every open inquiry, a probability of becoming an
order, what it came from (`model` or calibrated `rules`), the top reasons in words, and the
model card. docs/leads.md, "Learned scoring".
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import duckdb

    from assetkit.analysis.leadmodel.learn import LeadModel
    from assetkit.analysis.leads import LeadsResult
    from assetkit.config import Config


def window_days(config: Config | None) -> int:
    """The funnel's conversion window (assetkit.yaml funnel: conversion_window_days, else 180)."""
    from assetkit.analysis.economics.funnel import DEFAULT_WINDOW_DAYS

    section = config.section("funnel") if config is not None else {}
    return int(section.get("conversion_window_days", DEFAULT_WINDOW_DAYS))


def learned_leads(con: duckdb.DuckDBPyConnection, config: Config | None, rules_path: str | Path | None = None,
                  as_of: datetime | None = None, top: int = 3) -> tuple[LeadsResult, LeadModel]:
    """Open inquiries scored, ranked by the model when it won on the time split, else by the rules."""
    from assetkit.analysis.lead_rules import load_rules
    from assetkit.analysis.leadmodel.design import prepare
    from assetkit.analysis.leadmodel.features import load_features
    from assetkit.analysis.leadmodel.learn import learn_lead_model
    from assetkit.analysis.leads import score_leads

    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    result = score_leads(con, config, rules_path=rules_path, as_of=as_of)
    rules = load_rules(rules_path)
    lm = learn_lead_model(con, config, rules, as_of, window_days(config))
    result.model = lm.card
    if not result.leads:
        return result, lm
    if lm.use == "model" and lm.design is not None and lm.model is not None:
        cols = prepare(load_features(con, config, rules, as_of, "open", window_days(config)))
        z = lm.design.matrix(cols)
        p = lm.model.predict(z)
        why = lm.design.explain(cols, z, lm.model.coef, list(range(len(p))), top)
        by_id = {str(i): k for k, i in enumerate(cols["inquiry_id"])}
        for lead in result.leads:
            k = by_id[lead.inquiry_id]
            lead.probability, lead.scored_by, lead.why = round(float(p[k]), 4), "model", why[k]
        result.leads.sort(key=lambda x: (x.grade == "X", -(x.probability or 0.0), x.received_at, x.inquiry_id))
        return result, lm
    p_rules = lm.rules_probability(np.array([x.score for x in result.leads], float))
    for k, lead in enumerate(result.leads):
        lead.probability = None if p_rules is None else round(float(p_rules[k]), 4)
        fired = sorted(lead.rules_fired, key=lambda r: -abs(r["points"]))[:top]
        lead.why = [{"feature": r["id"], "text": r["id"].replace("_", " "), "contribution": r["points"]}
                    for r in fired]
    return result, lm
