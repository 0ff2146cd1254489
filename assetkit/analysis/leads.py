"""Intent scores for open inquiries, so sales calls the serious buyers first.

An inquiry is open when its buyer has placed no (non-cancelled) order since it arrived. Each
open inquiry gets the points of every rule that fires (rules: lead_rules.py and the shipped
assetkit/data/lead_rules.yaml), a grade with the next action, and the list of rules fired.
All rules are evaluated in one SQL statement over a feature table, never row by row; regular
expressions are passed as parameters and run by DuckDB's RE2, the engine that validated them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assetkit.analysis.lead_rules import Rule, RuleSet, load_rules
from assetkit.errors import ConfigError
from assetkit.store.sql import scalar

if TYPE_CHECKING:
    import duckdb

    from assetkit.config import Config

_FEATURES = """
WITH last_order AS (
    SELECT buyer_id, max(ordered_at) AS last_at FROM orders
    WHERE status <> 'cancelled' AND ordered_at <= $as_of AND buyer_id IS NOT NULL GROUP BY buyer_id
),
open_inq AS ({scope}),
cat AS (SELECT lower(trim(name)) AS name, lower(trim(sku)) AS sku, moq FROM products WHERE trim(name) <> ''),
asked AS (SELECT DISTINCT product_key FROM open_inq WHERE product_key <> ''),
matched_key AS (  -- each distinct product text is matched once against the catalogue
    SELECT a.product_key, max(c.moq) AS moq FROM asked a JOIN cat c
      ON a.product_key = c.name OR a.product_key = c.sku OR contains(a.product_key, c.name)
    GROUP BY a.product_key
),
matched AS (
    SELECT q.inquiry_id, mk.product_key IS NOT NULL AS in_catalogue, mk.moq
    FROM open_inq q LEFT JOIN matched_key mk USING (product_key)
),
prior AS (
    SELECT q.inquiry_id,
        (SELECT count(*) FROM inquiries p WHERE p.buyer_id = q.buyer_id AND p.received_at < q.received_at) AS prior_inquiries,
        (SELECT count(*) FROM orders o WHERE o.buyer_id = q.buyer_id AND o.status <> 'cancelled'
            AND o.ordered_at < q.received_at) AS prior_orders
    FROM open_inq q
)
SELECT q.inquiry_id, q.platform, q.received_at, q.buyer_id,
    coalesce(b.company, b.name, '') AS buyer, coalesce(q.country, b.country, '') AS country,
    coalesce(q.product, '') AS product, q.quantity::DOUBLE AS quantity, m.moq::DOUBLE AS moq, m.in_catalogue,
    lower(trim(coalesce(b.email, ''))) AS email, lower(split_part(trim(b.email), '@', 2)) AS email_domain,
    nullif(trim(b.phone), '') IS NOT NULL AS has_phone,
    lower(coalesce(q.message, '')) AS message, lower(coalesce(q.subject, '')) AS subject,
    lower(coalesce(q.subject, '') || ' ' || coalesce(q.message, '')) AS text,
    length(trim(coalesce(q.message, ''))) AS message_length,
    q.quantity::DOUBLE / nullif(m.moq::DOUBLE, 0) AS quantity_to_moq,
    epoch(q.first_response_at - q.received_at) / 3600.0 AS response_hours,
    epoch(q.as_at - q.received_at) / 86400.0 AS days_open,
    CASE WHEN q.first_response_at IS NULL OR q.first_response_at > q.as_at
         THEN epoch(q.as_at - q.received_at) / 86400.0 END AS days_unanswered,
    p.prior_orders, p.prior_inquiries, q.channel, coalesce(q.unit, '') AS unit, q.as_at
FROM open_inq q
JOIN matched m USING (inquiry_id)
JOIN prior p USING (inquiry_id)
LEFT JOIN buyers b ON b.buyer_id = q.buyer_id
"""

# Which inquiries the feature table holds, and the moment (`as_at`) each is seen at.
SCOPES = {
    # open: no order from the buyer at or after the inquiry (up to as_of), seen at as_of
    "open": """SELECT i.*, lower(trim(coalesce(i.product, ''))) AS product_key, $as_of AS as_at FROM inquiries i
    LEFT JOIN last_order l ON l.buyer_id = i.buyer_id
    WHERE i.received_at <= $as_of AND (l.last_at IS NULL OR l.last_at < i.received_at)""",
    # history: every inquiry up to as_of, seen `$seen_days` after it arrived (the learned model's
    # training rows: the timing rules then judge each inquiry as it looked a few days in)
    "history": """SELECT i.*, lower(trim(coalesce(i.product, ''))) AS product_key,
        least(i.received_at + to_days(CAST($seen_days AS INTEGER)), $as_of) AS as_at
    FROM inquiries i WHERE i.received_at <= $as_of""",
}

_SIGNALS = {
    "business_email": "email LIKE '%@%.%' AND NOT list_contains($free, email_domain)",
    "free_mail": "list_contains($free, email_domain)",
    "no_contact": "email NOT LIKE '%@%' AND NOT has_phone",
    "target_market": "list_contains($markets, upper(trim(country)))",
    "existing_customer": "prior_orders > 0",
    "repeat_inquirer": "prior_inquiries > 0",
    "product_in_catalogue": "in_catalogue",
    "product_not_in_catalogue": "product <> '' AND NOT in_catalogue AND $catalogue_size > 0",
    "quantity_at_or_above_moq": "quantity >= moq",
    "quantity_below_moq": "quantity < moq",
    "answered": "days_unanswered IS NULL",
    "unanswered": "days_unanswered IS NOT NULL",
}


@dataclass
class LeadScore:
    inquiry_id: str
    platform: str
    received_at: str
    buyer_id: str | None
    buyer: str  # company, else the contact's name
    country: str
    product: str
    quantity: float | None
    score: float
    grade: str
    next_action: str
    days_open: float
    answered: bool
    rules_fired: list[dict[str, Any]] = field(default_factory=list)
    # set by assetkit.analysis.leadmodel.learned_leads: P(order), what it came from, and the
    # top contributions in words ({feature, text, contribution})
    probability: float | None = None
    scored_by: str = "rules"
    why: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class LeadsResult:
    as_of: str
    rules_source: str
    rules_version: int
    open_inquiries: int
    total_inquiries: int
    leads: list[LeadScore]
    model: dict[str, Any] | None = None  # the learned model's card (leadmodel), when it was run

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _condition(rule: Rule, params: dict[str, Any], n: int) -> str:
    """A SQL boolean for the rule; values travel as named parameters, never as SQL text."""
    if rule.type == "flag":
        sql = _SIGNALS[rule.signal]
    elif rule.type == "text":
        column = "email" if rule.field == "email" else rule.field
        column = f"lower({column})" if rule.field == "product" else column
        params[f"p{n}"] = "(?i)(" + "|".join(rule.patterns) + ")"
        sql = f"regexp_matches({column}, $p{n})"
    else:
        parts = []
        if rule.min is not None:
            params[f"lo{n}"] = float(rule.min)
            parts.append(f"{rule.metric} >= $lo{n}")
        if rule.max is not None:
            params[f"hi{n}"] = float(rule.max)
            parts.append(f"{rule.metric} < $hi{n}")
        sql = " AND ".join(parts)
    return f"coalesce(({sql}), false)"


def _check_patterns(con: duckdb.DuckDBPyConnection, rules: RuleSet) -> None:
    import duckdb

    for index, rule in enumerate(rules.rules):
        for pattern in rule.patterns:
            try:
                con.execute("SELECT regexp_matches('', ?)", [pattern]).fetchone()
            except duckdb.Error as exc:
                raise ConfigError(f"{rules.source}: rule {rule.id!r} (#{index + 1}): invalid regular expression "
                                  f"{pattern!r}: {exc}") from None


def _target_markets(config: Config | None) -> list[str]:
    markets = config.target_markets if config is not None else ()
    return [str(m).strip().upper() for m in markets]


def scored_sql(con: duckdb.DuckDBPyConnection, config: Config | None, rules: RuleSet, as_of: datetime,
               scope: str = "open") -> tuple[str, dict[str, Any]]:
    """SQL (`WITH f …, s AS (…)`, to be followed by a SELECT from `s`) and its parameters: the
    feature table of the inquiries in `scope` (SCOPES) with each rule's flag r<n>, `score`,
    `disqualified`, `fired` (rule ids), `grade` and `action` (the grade's action)."""
    params: dict[str, Any] = {
        "as_of": as_of, "free": list(rules.free_mail_domains), "markets": _target_markets(config),
        "catalogue_size": scalar(con, "SELECT count(*) FROM products"),
    }
    # each rule is evaluated once into a boolean column r<n>; score, fired list and
    # disqualification are then computed from those columns
    flags = ", ".join(f"{_condition(rule, params, n)} AS r{n}" for n, rule in enumerate(rules.rules))
    fired = ", ".join(f"CASE WHEN r{n} THEN '{r.id}' END" for n, r in enumerate(rules.rules))
    score = " + ".join(f"CASE WHEN r{n} THEN {r.points!r} ELSE 0 END" for n, r in enumerate(rules.rules))
    disq = " OR ".join([f"r{n}" for n, r in enumerate(rules.rules) if r.disqualify] or ["false"])
    grade_sql, action_sql = "CASE", "CASE"
    for n, grade in enumerate(rules.grades):
        params[f"g{n}"], params[f"gs{n}"], params[f"ga{n}"] = grade.grade, grade.min_score, grade.action
        grade_sql += f" WHEN score >= $gs{n} THEN $g{n}"
        action_sql += f" WHEN score >= $gs{n} THEN $ga{n}"
    sql = f"""
    WITH f AS ({_FEATURES.format(scope=SCOPES[scope])}),
    b AS (SELECT *, {flags} FROM f),
    g AS (SELECT *, ({score}) AS score, ({disq}) AS disqualified,
                 list_filter([{fired}], lambda x: x IS NOT NULL) AS fired FROM b),
    s AS (SELECT *, {grade_sql} ELSE '-' END AS grade, {action_sql} ELSE '' END AS action FROM g)
    """
    return sql, params


def used_params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the statement names (DuckDB rejects unused named parameters)."""
    used = set(re.findall(r"\$(\w+)", sql))
    return {k: v for k, v in params.items() if k in used}


def score_leads(con: duckdb.DuckDBPyConnection, config: Config | None, rules_path: str | Path | None = None,
                as_of: datetime | None = None) -> LeadsResult:
    """Score every inquiry still open at `as_of` (default: now), best first."""
    rules = load_rules(rules_path)
    _check_patterns(con, rules)
    as_of = as_of or datetime.now(UTC)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    sql, params = scored_sql(con, config, rules, as_of)
    params.update({"dq_action": rules.disqualified_action, "prefix": rules.unanswered_prefix})
    sql += """
    SELECT inquiry_id, platform, strftime(received_at, '%Y-%m-%dT%H:%M:%SZ'), buyer_id, buyer, country,
        product, quantity, score, CASE WHEN disqualified THEN 'X' ELSE grade END AS grade,
        CASE WHEN disqualified THEN $dq_action
             ELSE (CASE WHEN days_unanswered IS NOT NULL
                        THEN replace($prefix, '{days}', floor(days_unanswered)::BIGINT::VARCHAR) ELSE '' END)
                  || action END AS next_action,
        round(days_open, 1), days_unanswered IS NULL, fired
    FROM s ORDER BY disqualified, score DESC, received_at, inquiry_id
    """
    rows = con.execute(sql, used_params(sql, params)).fetchall()
    total = scalar(con, "SELECT count(*) FROM inquiries WHERE received_at <= ?", [as_of])
    points = {rule.id: rule.points for rule in rules.rules}
    leads = [LeadScore(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], float(r[8]), r[9], r[10], float(r[11]),
                       bool(r[12]), [{"id": x, "points": points[x]} for x in r[13]]) for r in rows]
    return LeadsResult(as_of.astimezone(UTC).isoformat(), rules.source, rules.version,
                       len(leads), int(total), leads)
