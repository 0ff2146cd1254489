"""Identity resolution: one buyer across platforms, recorded in `buyer_identities`.

A row's buyer is, in order: the buyer already known under the same normalised email (on
any platform), the buyer already linked to the same platform account, the buyer already
known under the same company and country, or a new buyer whose id is a hash of the
strongest evidence (so the same person in two files of one run gets one id). Within a file,
rows sharing a platform account share the account's email. Accounts are keyed by the row's
platform (a generic export's `platform` column, else the profile's), and a new buyer's
first platform and channel are those of their earliest row. All set-based SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.importers.parsing import quote, substitute
from assetkit.importers.registry import Profile

if TYPE_CHECKING:
    import duckdb


def resolve(con: duckdb.DuckDBPyConnection, profile: Profile) -> bool:
    """Build `ak_bid(__line, buyer_id)` for the valid rows; False when the profile has no buyer."""
    if not profile.buyer:
        return False
    b = {k: substitute(v, profile) for k, v in profile.buyer.items()}

    def get(key: str) -> str:
        return f"CAST(({b[key]}) AS VARCHAR)" if key in b else "CAST(NULL AS VARCHAR)"

    at = f"CAST(({b['at']}) AS TIMESTAMPTZ)" if "at" in b else "CAST(NULL AS TIMESTAMPTZ)"
    email = f"lower(trim({get('email')}))"
    platform = f"coalesce({get('platform')}, {quote(profile.platform)})"
    channel = f"coalesce({get('channel')}, {quote(profile.channel)})"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ak_bk AS SELECT __line, "
        f"CASE WHEN regexp_full_match({email}, '[^@\\s]+@[^@\\s]+\\.[^@\\s]+') THEN {email} END AS email_norm, "
        f"nullif(trim({get('ref')}), '') AS ref, nullif(trim({get('name')}), '') AS name, "
        f"nullif(trim({get('company')}), '') AS company, nullif(trim({get('country')}), '') AS country, "
        f"nullif(trim({get('phone')}), '') AS phone, {at} AS at, {platform} AS plat, {channel} AS chan FROM ak_ok")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ak_bk2 AS SELECT *, coalesce(ref, 'email:' || email_norm, "
        "'company:' || lower(company) || '|' || coalesce(country, '')) AS pref FROM ak_bk "
        "WHERE coalesce(email_norm, ref, company) IS NOT NULL")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ak_res AS "
        "WITH ids AS (SELECT plat, pref, min(email_norm) AS email_norm, min(company) AS company, "
        "upper(min(country)) AS country FROM ak_bk2 GROUP BY plat, pref), "
        "em AS (SELECT email_norm, min(buyer_id) AS buyer_id FROM ("
        "  SELECT email_norm, buyer_id FROM buyer_identities WHERE email_norm IS NOT NULL "
        "  UNION ALL SELECT lower(trim(email)), buyer_id FROM buyers WHERE email IS NOT NULL) GROUP BY 1), "
        "cm AS (SELECT lower(trim(company)) AS company_norm, upper(country) AS country, min(buyer_id) AS buyer_id "
        "  FROM buyers WHERE company IS NOT NULL AND country IS NOT NULL GROUP BY 1, 2) "
        "SELECT ids.plat, ids.pref, ids.email_norm, coalesce(em.buyer_id, ex.buyer_id, cm.buyer_id, "
        "'b' || substr(md5(coalesce('e:' || ids.email_norm, "
        "'r:' || ids.plat || ':' || ids.pref)), 1, 15)) AS buyer_id, ex.buyer_id IS NOT NULL AS known "
        "FROM ids LEFT JOIN em USING (email_norm) "
        "LEFT JOIN buyer_identities ex ON ex.platform = ids.plat AND ex.platform_ref = ids.pref "
        "LEFT JOIN cm ON cm.company_norm = lower(ids.company) AND cm.country = ids.country")
    con.execute("CREATE OR REPLACE TEMP TABLE ak_bid AS SELECT k.__line, r.buyer_id FROM ak_bk2 k "
                "JOIN ak_res r USING (plat, pref)")
    return True


def store(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """Insert new buyers and identities for lines that were not quarantined; returns new buyers."""
    keep = "k.__line NOT IN (SELECT line FROM ak_rej)"
    agg = (f"SELECT r.buyer_id, any_value(k.name) AS name, any_value(k.company) AS company, "
           f"min(k.email_norm) AS email, any_value(k.phone) AS phone, any_value(k.country) AS country, "
           f"min(k.at) AS first_seen_at, first(k.chan ORDER BY k.at NULLS LAST, k.__line) AS chan, "
           f"first(k.plat ORDER BY k.at NULLS LAST, k.__line) AS plat "
           f"FROM ak_bk2 k JOIN ak_res r USING (plat, pref) WHERE {keep} GROUP BY r.buyer_id")
    con.execute(f"CREATE OR REPLACE TEMP TABLE ak_bnew AS {agg}")
    new = con.execute(
        f"INSERT INTO buyers SELECT buyer_id, name, company, email, phone, country, first_seen_at, "
        f"chan, plat, {batch_id} FROM ak_bnew ON CONFLICT DO NOTHING").fetchone()[0]
    # A buyer seen earlier here than anywhere before: this row's platform becomes where they came from.
    con.execute(
        "UPDATE buyers SET first_seen_at = n.first_seen_at, first_channel = n.chan, "
        "first_platform = n.plat FROM ak_bnew n WHERE buyers.buyer_id = n.buyer_id "
        "AND n.first_seen_at < coalesce(buyers.first_seen_at, TIMESTAMPTZ '9999-12-31')")
    con.execute(
        f"INSERT INTO buyer_identities SELECT DISTINCT ON (r.plat, r.pref) r.plat, r.pref, r.buyer_id, r.email_norm, "
        f"{batch_id} FROM ak_res r JOIN ak_bk2 k USING (plat, pref) WHERE {keep} ON CONFLICT DO NOTHING")
    return int(new)
