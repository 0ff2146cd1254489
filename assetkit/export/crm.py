"""`assetkit export crm`: the buyers worth keeping, as an import file for the seller's own CRM.

One row per contactable buyer (an email or a phone; the others are only counted) with company,
country, platform of origin, B2B lifecycle stage, RFM segment, predicted CLV, P(alive), last
order and lead score, under the column names each CRM's importer expects (crm_columns.yaml,
docs/crm.md). Model values come from the caller through `enrich` (buyer_id -> {clv, p_alive,
segment, lifecycle_stage}); without them a historical fallback is used and labelled in the
`value_basis` column. Every text cell is neutralised against formula injection.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assetkit.errors import UsageError

if TYPE_CHECKING:
    import duckdb

TARGETS = ("hubspot", "salesforce", "csv")
STAGES = ("inquiry", "first_order", "repeat", "key_account", "at_risk", "churned")
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
lead_rows AS (
    SELECT buyer_id, max(score) AS lead_score FROM (
        SELECT unnest($l_id::VARCHAR[]) AS buyer_id, unnest($l_score::DOUBLE[]) AS score) GROUP BY buyer_id
),
o AS (
    SELECT buyer_id, count(*) AS order_count, max(ordered_at) AS last_order,
        sum(coalesce(gross_amount_rc, 0) - coalesce(refunded_amount_rc, 0)) AS revenue,
        arg_min(platform, ordered_at) AS first_order_platform
    FROM orders WHERE status <> 'cancelled' AND buyer_id IS NOT NULL GROUP BY buyer_id
),
b AS (
    SELECT b.*, coalesce(o.order_count, 0) AS order_count, o.last_order, coalesce(o.revenue, 0) AS revenue,
        o.first_order_platform,
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
    coalesce(e.lifecycle_stage, s.historical_stage) AS lifecycle_stage,
    coalesce(e.segment, '') AS rfm_segment,
    round(e.clv, 2) AS predicted_clv, round(e.p_alive, 4) AS p_alive,
    strftime(s.last_order, '%Y-%m-%d') AS last_order_date, s.order_count,
    round(s.revenue::DOUBLE, 2) AS historical_revenue,
    l.lead_score,
    CASE WHEN e.buyer_id IS NOT NULL THEN '{PREDICTED}' ELSE '{HISTORICAL}' END AS value_basis,
    s.contactable
FROM staged s
LEFT JOIN enrich_rows e USING (buyer_id)
LEFT JOIN lead_rows l USING (buyer_id)
ORDER BY s.revenue DESC, s.buyer_id
"""


@dataclass
class CrmResult:
    target: str
    path: str
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
        "e_stage": [None if v.get("lifecycle_stage") is None else str(v["lifecycle_stage"]) for _, v in items],
    }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _lead_lists(con: duckdb.DuckDBPyConnection, config: Any, as_of: datetime) -> dict[str, list[Any]]:
    """Scores of open inquiries with their buyer (default lead rules); the SQL keeps each buyer's best."""
    from assetkit.analysis.leads import score_leads

    leads = [x for x in score_leads(con, config, as_of=as_of).leads if x.buyer_id is not None]
    return {"l_id": [x.buyer_id for x in leads], "l_score": [x.score for x in leads]}


def export_crm(con: duckdb.DuckDBPyConnection, config: Any, target: str, out: str | Path,
               enrich: Mapping[str, Mapping[str, Any]] | None = None,
               as_of: datetime | None = None) -> CrmResult:
    """Write the CRM import file for `target` to `out` (atomically) and report the counts."""
    from assetkit.export.atomic import write_text_atomic
    from assetkit.export.guard import protected_paths, refuse_protected
    from assetkit.export.output import write_csv_safe

    if target not in TARGETS:
        raise UsageError(f"unknown CRM target {target!r}; choose one of {', '.join(TARGETS)}")
    refuse_protected(Path(out), protected_paths(con, config), option="the CRM file")
    spec = crm_columns()[target]
    as_of = as_of or datetime.now(UTC)
    params = {"as_of": as_of, **_enrich_lists(enrich), **_lead_lists(con, config, as_of)}
    relation = con.execute(_BUYERS_SQL, params)
    names = [d[0] for d in relation.description]
    rows = relation.fetchall()
    index = {name: i for i, name in enumerate(names)}
    lifecycle_map = spec.get("lifecycle") or {}
    fields = list(spec["columns"])
    contactable = [r for r in rows if r[index["contactable"]]]

    def cell(row: tuple[Any, ...], name: str) -> Any:
        if name == "lifecycle_crm":
            stage = row[index["lifecycle_stage"]]
            return lifecycle_map.get(stage, stage if not lifecycle_map else
                                     ("customer" if row[index["order_count"]] else "lead"))
        return row[index[name]]

    buffer = io.StringIO()
    write_csv_safe(([cell(r, f) for f in fields] for r in contactable), [spec["columns"][f] for f in fields], buffer)
    path = write_text_atomic(Path(out), buffer.getvalue())
    bases = {r[index["value_basis"]] for r in contactable}
    basis = "mixed" if len(bases) > 1 else (PREDICTED if bases == {PREDICTED} else "historical")
    currency = getattr(config, "reporting_currency", None) or (
        config.get("reporting_currency") if isinstance(config, Mapping) else None) or "USD"
    return CrmResult(target, str(path), len(contactable), len(rows) - len(contactable), basis,
                     [spec["columns"][f] for f in fields], currency)


def model_enrichment(con: duckdb.DuckDBPyConnection, config: Any) -> dict[str, dict[str, Any]] | None:
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
