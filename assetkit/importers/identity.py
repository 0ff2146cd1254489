"""Identity resolution: one buyer across platforms, recorded in `buyer_identities`.

A row's buyer is, in order: the buyer already known under the same normalised email (on
any platform), the buyer already linked to the same platform account, the buyer already
known under the same company and country, or a new buyer whose id is a hash of the
strongest evidence (so the same person in two files of one run gets one id). Within a file,
rows sharing a platform account share the account's email. Accounts are keyed by the row's
platform (a generic export's `platform` column, else the profile's), and a new buyer's
first platform and channel are those of their earliest row.

Each row's account key (`__plat`, `__pref`) is computed while the fields are typed
(`key_levels`, part of `ak_rows`), so resolving is one aggregate over the rows into a table
with one row per account (`ak_res`), and rows find their buyer by a join against that small
table instead of a million-row join on line numbers. All set-based SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assetkit.importers.parsing import substitute
from assetkit.importers.registry import Profile
from assetkit.store.sql import quote_literal, scalar

if TYPE_CHECKING:
    import duckdb

KEY_COLUMNS = ("__plat", "__pref", "__email", "__bcompany", "__bcountry")


def _expressions(profile: Profile) -> dict[str, str]:
    b = {k: substitute(v, profile) for k, v in profile.buyer.items()}

    def get(key: str) -> str:
        return f"CAST(({b[key]}) AS VARCHAR)" if key in b else "CAST(NULL AS VARCHAR)"

    return {
        "email": f"lower(trim({get('email')}))",
        "ref": f"nullif(trim({get('ref')}), '')",
        "name": f"nullif(trim({get('name')}), '')",
        "company": f"nullif(trim({get('company')}), '')",
        "country": f"nullif(trim({get('country')}), '')",
        "phone": f"nullif(trim({get('phone')}), '')",
        "at": f"CAST(({b['at']}) AS TIMESTAMPTZ)" if "at" in b else "CAST(NULL AS TIMESTAMPTZ)",
        "platform": f"coalesce({get('platform')}, {quote_literal(profile.platform)})",
        "channel": f"coalesce({get('channel')}, {quote_literal(profile.channel)})",
    }


def key_levels(profile: Profile) -> list[list[str]]:
    """Select items adding KEY_COLUMNS to the typed rows, as two projection levels over the
    profile's fields; [] when the profile has no buyer. `__pref` is the account: the platform
    ref, else the email, else company + country; NULL when the row names no buyer."""
    if not profile.buyer:
        return []
    e = _expressions(profile)
    email = e["email"]
    first = [f"CASE WHEN regexp_full_match({email}, '[^@\\s]+@[^@\\s]+\\.[^@\\s]+') THEN {email} END AS __email",
             f"{e['ref']} AS __bref", f"{e['company']} AS __bcompany", f"{e['country']} AS __bcountry",
             f"{e['platform']} AS __plat"]
    second = ["CASE WHEN coalesce(__email, __bref, __bcompany) IS NOT NULL THEN coalesce(__bref, 'email:' || __email, "
              "'company:' || lower(__bcompany) || '|' || coalesce(__bcountry, '')) END AS __pref"]
    return [first, second]


def _earliest(e: dict[str, str], line: str = "__line") -> str:
    """The earliest row (undated rows last, then file order) names where the buyer came from:
    arg_min over one NULL-free number, time then line (an ordered aggregate sorts every
    group, a struct key costs ~4x the number)."""
    return f"(CAST(coalesce(epoch_us({e['at']}), 9223372036854775807) AS HUGEINT) * 4294967296 + {line})"


def resolve(con: duckdb.DuckDBPyConnection, profile: Profile) -> bool:
    """Build `ak_res(plat, pref, email_norm, buyer_id, known)`, one row per account of the
    valid rows (`ak_ok`); False when the profile has no buyer."""
    if not profile.buyer:
        return False
    e = _expressions(profile)
    # What `collect` keeps of each buyer, per account already: when no row of the slice is
    # quarantined, the buyers are these few rows grouped again, not every row joined back.
    details = (f"any_value({e['name']}) AS b_name, any_value(__bcompany) AS b_company, any_value({e['phone']}) AS b_phone, "
               f"any_value(__bcountry) AS b_country, min({e['at']}) AS b_first, min({_earliest(e)}) AS b_earliest, "
               f"arg_min({e['channel']}, {_earliest(e)}) AS b_chan")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ak_res AS "
        "WITH ids AS (SELECT __plat AS plat, __pref AS pref, min(__email) AS email_norm, min(__bcompany) AS company, "
        f"upper(min(__bcountry)) AS country, {details} FROM ak_ok WHERE __pref IS NOT NULL GROUP BY __plat, __pref), "
        "em AS (SELECT email_norm, min(buyer_id) AS buyer_id FROM ("
        "  SELECT email_norm, buyer_id FROM buyer_identities WHERE email_norm IS NOT NULL "
        "  UNION ALL SELECT lower(trim(email)), buyer_id FROM buyers WHERE email IS NOT NULL) GROUP BY 1), "
        "cm AS (SELECT lower(trim(company)) AS company_norm, upper(country) AS country, min(buyer_id) AS buyer_id "
        "  FROM buyers WHERE company IS NOT NULL AND country IS NOT NULL GROUP BY 1, 2) "
        "SELECT ids.plat, ids.pref, ids.email_norm, coalesce(em.buyer_id, ex.buyer_id, cm.buyer_id, "
        "'b' || substr(md5(coalesce('e:' || ids.email_norm, "
        "'r:' || ids.plat || ':' || ids.pref)), 1, 15)) AS buyer_id, ex.buyer_id IS NOT NULL AS known, "
        "b_name, b_company, b_phone, b_country, b_first, b_earliest, b_chan "
        "FROM ids LEFT JOIN em USING (email_norm) "
        "LEFT JOIN buyer_identities ex ON ex.platform = ids.plat AND ex.platform_ref = ids.pref "
        "LEFT JOIN cm ON cm.company_norm = lower(ids.company) AND cm.country = ids.country")
    return True


def rows_with_buyer_sql(has_buyer: bool) -> str:
    """The valid rows with their `buyer_id` (NULL when the row names none)."""
    if not has_buyer:
        return "SELECT *, CAST(NULL AS VARCHAR) AS buyer_id FROM ak_ok"
    return ("SELECT ak_ok.*, r.buyer_id FROM ak_ok LEFT JOIN ak_res r "
            "ON r.plat = ak_ok.__plat AND r.pref = ak_ok.__pref")


def begin(con: duckdb.DuckDBPyConnection) -> None:
    """File-level accumulators: what each slice learnt about buyers (`ak_bacc`) and accounts
    (`ak_iacc`). Buyers are written once per file (`store`), so every slice resolves against
    the same stored state, exactly as the whole file would, and no slice updates rows an
    earlier slice wrote (repeated UPDATEs of the same rows in one transaction grow slower
    each time: 15 s per slice at 10M rows)."""
    con.execute("CREATE OR REPLACE TEMP TABLE ak_bacc (buyer_id VARCHAR, name VARCHAR, company VARCHAR, email VARCHAR, "
                "phone VARCHAR, country VARCHAR, first_seen_at TIMESTAMPTZ, earliest HUGEINT, "
                "chan VARCHAR, plat VARCHAR)")
    con.execute("CREATE OR REPLACE TEMP TABLE ak_iacc (plat VARCHAR, pref VARCHAR, buyer_id VARCHAR, email_norm VARCHAR)")


def collect(con: duckdb.DuckDBPyConnection, profile: Profile, any_rejects: bool) -> None:
    """Add this slice's buyers and accounts, from rows that were not quarantined."""
    e = _expressions(profile)
    keep = " AND k.__line NOT IN (SELECT line FROM ak_rej)" if any_rejects else ""
    if any_rejects:
        rows = f"ak_ok k JOIN ak_res r ON r.plat = k.__plat AND r.pref = k.__pref WHERE true{keep}"
        earliest = _earliest(e, "k.__line")
        con.execute(
            f"INSERT INTO ak_bacc SELECT r.buyer_id, any_value({e['name']}), any_value(k.__bcompany), min(k.__email), "
            f"any_value({e['phone']}), any_value(k.__bcountry), min({e['at']}), min({earliest}), "
            f"arg_min({e['channel']}, {earliest}), arg_min(k.__plat, {earliest}) FROM {rows} GROUP BY r.buyer_id")
    else:
        con.execute(
            "INSERT INTO ak_bacc SELECT buyer_id, any_value(b_name), any_value(b_company), min(email_norm), "
            "any_value(b_phone), any_value(b_country), min(b_first), min(b_earliest), arg_min(b_chan, b_earliest), "
            "arg_min(plat, b_earliest) FROM ak_res GROUP BY buyer_id")
    # Every account in ak_res has valid rows; with quarantined rows, only accounts that keep one.
    kept = (" WHERE EXISTS (SELECT 1 FROM ak_ok k WHERE k.__plat = r.plat AND k.__pref = r.pref"
            f"{keep})") if any_rejects else ""
    con.execute(f"INSERT INTO ak_iacc SELECT r.plat, r.pref, r.buyer_id, r.email_norm FROM ak_res r{kept}")


def store(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """Insert the file's new buyers and accounts, fill in known buyers; returns new buyers."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ak_bnew AS SELECT buyer_id, any_value(name) AS name, any_value(company) AS company, "
        "min(email) AS email, any_value(phone) AS phone, any_value(country) AS country, "
        "min(first_seen_at) AS first_seen_at, arg_min(chan, earliest) AS chan, arg_min(plat, earliest) AS plat "
        "FROM ak_bacc GROUP BY buyer_id")
    new = scalar(con, 
        f"INSERT INTO buyers SELECT buyer_id, name, company, email, phone, country, first_seen_at, "
        f"chan, plat, {batch_id} FROM ak_bnew ON CONFLICT DO NOTHING")
    # A known buyer's missing details are filled in from this file, never overwritten.
    details = ("name", "company", "email", "phone", "country")
    fill = ", ".join(f"{c} = coalesce(buyers.{c}, n.{c})" for c in details)
    gaps = " OR ".join(f"(buyers.{c} IS NULL AND n.{c} IS NOT NULL)" for c in details)
    con.execute(f"UPDATE buyers SET {fill} FROM ak_bnew n WHERE buyers.buyer_id = n.buyer_id AND ({gaps})")
    # A buyer seen earlier here than anywhere before: this row's platform becomes where they came from.
    con.execute(
        "UPDATE buyers SET first_seen_at = n.first_seen_at, first_channel = n.chan, "
        "first_platform = n.plat FROM ak_bnew n WHERE buyers.buyer_id = n.buyer_id "
        "AND n.first_seen_at < coalesce(buyers.first_seen_at, TIMESTAMPTZ '9999-12-31')")
    # Per account the least buyer id the slices gave it (a hash aggregate, not a sort).
    con.execute(
        f"INSERT INTO buyer_identities SELECT plat, pref, min(buyer_id), arg_min_null(email_norm, buyer_id), {batch_id} "
        "FROM ak_iacc GROUP BY plat, pref ON CONFLICT DO NOTHING")
    return int(new)
