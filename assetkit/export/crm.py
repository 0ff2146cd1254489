"""`assetkit export crm`: the buyers worth keeping, as an import file for the seller's own CRM.

One row per contactable buyer (an email or a phone; the others are only counted) with company,
country, platform of origin, B2B lifecycle stage, RFM segment, predicted CLV, P(alive), last
order, lead score (with P(order) and its reasons), recommended next products and the platform
rule that restricts moving the buyer off-platform (Upwork's conversion fee, eBay/Amazon/Etsy's
ban: platform_rules.yaml), under the column names each CRM's importer expects (crm_columns.yaml,
docs/crm.md). Model values come from the caller through `enrich` (buyer_id -> {clv, p_alive,
segment, lifecycle_stage}); without them a historical fallback is used and labelled in the
`value_basis` column. Every text cell is neutralised against formula injection; phone numbers
are written in E.164 (`+4930123456`, which no spreadsheet or CRM runs as a formula) instead of
being prefixed with an apostrophe that a CRM would store verbatim. `write_definitions`
(crm_properties.py) writes the custom properties/fields the file needs next to it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assetkit.config import Config
from assetkit.errors import UsageError

if TYPE_CHECKING:
    import duckdb

TARGETS = ("hubspot", "salesforce", "csv")
STAGES = ("inquiry", "first_order", "repeat", "key_account", "at_risk", "churned")
# The customer-value model (analysis/segments.py) names its stages for people; the CRM file uses
# the documented stages above, which the shipped dropdown properties accept.
MODEL_STAGES = {"prospect": "inquiry", "first-time": "first_order", "repeat": "repeat", "at risk": "at_risk",
                "lost": "churned"}
AT_RISK_DAYS, CHURNED_DAYS = 365, 730  # days since the last order
KEY_ACCOUNT_MIN_ORDERS, KEY_ACCOUNT_TOP_SHARE = 3, 0.10  # ≥3 orders and in the top 10% by revenue
HISTORICAL = "historical (no CLV model)"
PREDICTED = "predicted"

_BUYERS_SQL = f"""
WITH enrich_rows AS (
    SELECT unnest($e_id::VARCHAR[]) AS buyer_id, unnest($e_clv::DOUBLE[]) AS clv,
        unnest($e_p_alive::DOUBLE[]) AS p_alive, unnest($e_segment::VARCHAR[]) AS segment,
        unnest($e_stage::VARCHAR[]) AS lifecycle_stage
),
lead_rows AS (  -- the buyer's best open inquiry: its points, P(order) and reasons
    SELECT buyer_id, max(score) AS lead_score, max(p) AS lead_probability,
        arg_max(why, coalesce(p, score)) AS lead_why FROM (
        SELECT unnest($l_id::VARCHAR[]) AS buyer_id, unnest($l_score::DOUBLE[]) AS score,
            unnest($l_p::DOUBLE[]) AS p, unnest($l_why::VARCHAR[]) AS why) GROUP BY buyer_id
),
rec_rows AS (
    SELECT unnest($r_id::VARCHAR[]) AS buyer_id, unnest($r_text::VARCHAR[]) AS next_products
),
rule_rows AS (
    SELECT unnest($r_platform::VARCHAR[]) AS platform, unnest($r_label::VARCHAR[]) AS rule_label,
        unnest($r_months::DOUBLE[]) AS rule_months
),
o AS (
    SELECT buyer_id, count(*) AS order_count, max(ordered_at) AS last_order, min(ordered_at) AS first_order,
        sum(coalesce(gross_amount_rc, 0) - coalesce(refunded_amount_rc, 0)) AS revenue,
        arg_min(platform, ordered_at) AS first_order_platform
    FROM orders WHERE status <> 'cancelled' AND buyer_id IS NOT NULL GROUP BY buyer_id
),
b AS (
    SELECT b.*, coalesce(o.order_count, 0) AS order_count, o.last_order, coalesce(o.revenue, 0) AS revenue,
        o.first_order_platform, o.first_order,
        CASE WHEN o.order_count > 0 THEN percent_rank() OVER (PARTITION BY o.order_count > 0 ORDER BY o.revenue) END AS pr
    FROM buyers b LEFT JOIN o USING (buyer_id)
),
staged AS (
    SELECT *, CASE
        WHEN order_count = 0 THEN 'inquiry'
        WHEN date_diff('day', last_order, $as_of) > {CHURNED_DAYS} THEN 'churned'
        WHEN date_diff('day', last_order, $as_of) > {AT_RISK_DAYS} THEN 'at_risk'
        WHEN order_count >= {KEY_ACCOUNT_MIN_ORDERS} AND pr >= {1 - KEY_ACCOUNT_TOP_SHARE} THEN 'key_account'
        WHEN order_count >= 2 THEN 'repeat'
        ELSE 'first_order' END AS historical_stage,
        coalesce(regexp_matches(email, '\\S'), false) OR coalesce(regexp_matches(phone, '\\S'), false) AS contactable
    FROM b
)
SELECT s.buyer_id, trim(coalesce(s.name, '')) AS name,
    coalesce(nullif(regexp_extract(trim(s.name), '^(.*\\S)\\s+\\S+$', 1), ''), '') AS first_name,
    coalesce(nullif(regexp_extract(trim(s.name), '(\\S+)$', 1), ''), nullif(trim(s.company), ''),
             nullif(split_part(trim(s.email), '@', 1), ''), '(unknown)') AS last_name,
    coalesce(trim(s.email), '') AS email, coalesce(trim(s.phone), '') AS phone,
    coalesce(s.company, '') AS company, coalesce(s.country, '') AS country,
    coalesce(s.first_platform, s.first_order_platform, s.first_channel, '') AS platform,
    -- the model says whether a buyer is still active; the top-revenue rule makes an active repeat
    -- buyer a key account (the model has no such stage)
    CASE WHEN e.lifecycle_stage = 'repeat' AND s.historical_stage = 'key_account' THEN 'key_account'
         ELSE coalesce(e.lifecycle_stage, s.historical_stage) END AS lifecycle_stage,
    coalesce(e.segment, '') AS rfm_segment,
    round(e.clv, 2) AS predicted_clv, round(e.p_alive, 4) AS p_alive,
    strftime(s.last_order, '%Y-%m-%d') AS last_order_date, s.order_count,
    round(s.revenue::DOUBLE, 2) AS historical_revenue,
    l.lead_score, round(l.lead_probability, 4) AS lead_probability, coalesce(l.lead_why, '') AS lead_why,
    coalesce(r.next_products, '') AS next_products,
    CASE WHEN e.buyer_id IS NOT NULL THEN '{PREDICTED}' ELSE '{HISTORICAL}' END AS value_basis,
    coalesce(CASE WHEN pr.rule_months IS NULL OR date_diff('day', s.first_order, $as_of) < pr.rule_months * 30.4375
                  THEN pr.rule_label END, '') AS platform_rule,
    s.contactable
FROM staged s
LEFT JOIN rule_rows pr ON pr.platform = lower(coalesce(s.first_platform, s.first_order_platform))
LEFT JOIN enrich_rows e USING (buyer_id)
LEFT JOIN lead_rows l USING (buyer_id)
LEFT JOIN rec_rows r USING (buyer_id)
ORDER BY s.revenue DESC, s.buyer_id
"""


@dataclass
class CrmResult:
    target: str
    path: str
    definitions: list[str]  # the custom property / field definition files written next to `path`
    exported: int
    not_contactable: int
    value_basis: str  # predicted, historical, or mixed
    columns: list[str]
    reporting_currency: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def crm_columns() -> dict[str, Any]:
    text = resources.files("assetkit.export").joinpath("crm_columns.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _enrich_lists(enrich: Mapping[str, Mapping[str, Any]] | None) -> dict[str, list[Any]]:
    """Column lists for the `enrich_rows` CTE (passed as list parameters, unnested in SQL)."""
    items = list((enrich or {}).items())
    return {
        "e_id": [str(k) for k, _ in items],
        "e_clv": [_float(v.get("clv")) for _, v in items],
        "e_p_alive": [_float(v.get("p_alive")) for _, v in items],
        "e_segment": [None if v.get("segment") is None else str(v["segment"]) for _, v in items],
        "e_stage": [crm_stage(v.get("lifecycle_stage")) for _, v in items],
    }


def crm_stage(stage: Any) -> str | None:
    """A documented stage (STAGES) from either vocabulary; UsageError for anything else."""
    if stage is None:
        return None
    text = str(stage).strip()
    if text in STAGES:
        return text
    if text.lower() in MODEL_STAGES:
        return MODEL_STAGES[text.lower()]
    raise UsageError(f"unknown lifecycle stage {text[:40]!r}; use one of {', '.join(STAGES)}")


_NOT_PHONE = re.compile(r"[^0-9+()./\-\s]")


def crm_phone(raw: Any, country: Any) -> str:
    """A phone as E.164 where it parses (`country`, ISO alpha-2, for numbers without a country
    code); else its digits after a `+`/`00` prefix, or as written without formula-leading
    characters. Text that is not phone-shaped (letters, =, @ …) is returned unchanged for the
    formula guard to neutralise."""
    import phonenumbers

    text = "" if raw is None else str(raw).strip()
    digits = re.sub(r"\D", "", text)
    if not text or _NOT_PHONE.search(text) or not 6 <= len(digits) <= 17:
        return text
    region = str(country).strip().upper() if country and len(str(country).strip()) == 2 else None
    try:
        number = phonenumbers.parse(text, region)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    if text.startswith(("+", "00")):
        return "+" + digits.removeprefix("00") if text.startswith("00") else "+" + digits
    return text.lstrip("+-=@ ")


def _rule_lists() -> dict[str, list[Any]]:
    """Platform rules on moving a buyer off-platform (platform_rules.yaml), for the `platform_rule`
    column: a buyer met on such a platform is flagged while the rule lasts."""
    from assetkit.analysis.platform_rules import rules

    items = list(rules().values())
    return {"r_platform": [r.platform for r in items], "r_label": [r.label() for r in items],
            "r_months": [None if r.months is None else float(r.months) for r in items]}


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _lead_lists(con: duckdb.DuckDBPyConnection, config: Config, as_of: datetime) -> dict[str, list[Any]]:
    """Scores of open inquiries with their buyer (default lead rules, or the learned model when it
    beat them), with P(order) and the reasons in words; the SQL keeps each buyer's best."""
    from assetkit.analysis.leadmodel import learned_leads
    from assetkit.analysis.leadmodel.design import why_text

    leads = [x for x in learned_leads(con, config, as_of=as_of)[0].leads if x.buyer_id is not None]
    return {"l_id": [x.buyer_id for x in leads], "l_score": [x.score for x in leads],
            "l_p": [x.probability for x in leads], "l_why": [why_text(x.why) for x in leads]}


def _recommendation_lists(con: duckdb.DuckDBPyConnection, as_of: datetime) -> dict[str, list[Any]]:
    """Up to three products each active buyer is likely to order next, each with its reason."""
    from assetkit.analysis.recommend import recommend

    recs = recommend(con, as_of).by_buyer
    return {"r_id": list(recs), "r_text": ["; ".join(f"{r['product']} ({r['reason']})" for r in items[:3])
                                           for items in recs.values()]}


def export_crm(con: duckdb.DuckDBPyConnection, config: Config | None, target: str, out: str | Path,
               enrich: Mapping[str, Mapping[str, Any]] | None = None,
               as_of: datetime | None = None) -> CrmResult:
    """Write the CRM import file for `target` to `out` (atomically) and report the counts."""
    from assetkit.atomic import write_text_atomic
    from assetkit.export.crm_properties import write_definitions
    from assetkit.export.guard import protected_paths, refuse_protected
    from assetkit.export.output import write_csv_safe

    if target not in TARGETS:
        raise UsageError(f"unknown CRM target {target!r}; choose one of {', '.join(TARGETS)}")
    config = config or Config()
    refuse_protected(Path(out), protected_paths(con, config), option="the CRM file")
    spec = crm_columns()[target]
    as_of = as_of or datetime.now(UTC)
    params = {"as_of": as_of, **_enrich_lists(enrich), **_lead_lists(con, config, as_of),
              **_recommendation_lists(con, as_of), **_rule_lists()}
    relation = con.execute(_BUYERS_SQL, params)
    names = [d[0] for d in relation.description]
    rows = relation.fetchall()
    index = {name: i for i, name in enumerate(names)}
    lifecycle_map = spec.get("lifecycle") or {}
    fields = list(spec["columns"])
    contactable = [r for r in rows if r[index["contactable"]]]

    def cell(row: tuple[Any, ...], name: str) -> Any:
        if name == "phone":
            return crm_phone(row[index["phone"]], row[index["country"]])
        if name == "lifecycle_crm":
            stage = row[index["lifecycle_stage"]]
            return lifecycle_map.get(stage, stage if not lifecycle_map else
                                     ("customer" if row[index["order_count"]] else "lead"))
        return row[index[name]]

    buffer = io.StringIO()
    write_csv_safe(([cell(r, f) for f in fields] for r in contactable), [spec["columns"][f] for f in fields], buffer)
    path = write_text_atomic(Path(out), buffer.getvalue())
    definitions = write_definitions(target, spec, STAGES, path)
    bases = {r[index["value_basis"]] for r in contactable}
    basis = "mixed" if len(bases) > 1 else (PREDICTED if bases == {PREDICTED} else "historical")
    return CrmResult(target, str(path), definitions, len(contactable), len(rows) - len(contactable), basis,
                     [spec["columns"][f] for f in fields], config.reporting_currency)


def model_enrichment(con: duckdb.DuckDBPyConnection, config: Config | None) -> dict[str, dict[str, Any]] | None:
    """Predicted CLV, P(alive), RFM segment and lifecycle stage per buyer, from `analyse_segments`.

    None when the data cannot support the model (the export then labels its values as historical).
    """
    from assetkit.analysis.segments import analyse_segments
    from assetkit.errors import NotEnoughData

    try:
        result = analyse_segments(con, config)
    except NotEnoughData:
        return None
    b = result.buyers
    return {
        str(buyer_id): {"clv": float(clv), "p_alive": float(p_alive), "segment": str(segment),
                        "lifecycle_stage": str(stage)}
        for buyer_id, clv, p_alive, segment, stage in zip(b["buyer_id"], b["clv"], b["p_alive"], b["segment"],
                                                          b["stage"])
    }
