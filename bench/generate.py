"""Seeded generator of the large inputs every benchmark shares, cached under bench/data/.

Everything is computed in DuckDB SQL from the row number and a salted hash (no Python loop over
rows, no thread-order dependence), so a given (seed, size) always gives the same bytes and a
10M-row export takes seconds. Files are named by kind, size and seed and written to a temporary
name first: a rerun reuses a complete file and never picks up a half-written one.

- `orders_csv(n, seed)`: orders export in assetkit's generic orders format (order_id, order_date,
  buyer_id, buyer_email, buyer_country, product, quantity, amount, currency, fee, status) with
  heavy-tailed repeat buying: buyer index floor(n/50 · u³), so a few buyers place thousands of
  orders and most place a handful (~200k buyers at 10M rows).
- `orders_csv(n, seed, start=n // 2)`: the overlapping export (half old orders, half new).
- `inquiries_csv(n, seed)`, `fees_csv(n, seed)`: generic inquiries (n/5) and fees (n/10, linked to
  orders) for the same buyers and orders.
- `orders_xlsx(n, seed)`: the same rows as `orders_csv(n, seed)` in an .xlsx workbook (text as
  inline strings, quantity/amount/fee as numbers), the sheet XML written by DuckDB.
- `store("economics" | "cohorts", n, seed)`: a ready assetkit store for the analysis benchmarks
  (platforms, channels, refunds, cancellations, fees, spend, inquiries), built straight in SQL
  since they time the analysis, not the import.

    PYTHONPATH=. python bench/generate.py --rows 1000000 10000000
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# h(i, salt): a deterministic pseudo-random BIGINT in [0, 1e9+7); u(i, salt): uniform in [0, 1).
MACROS = """
CREATE OR REPLACE TEMP MACRO h(a, b) AS CAST(hash(a, b + {salt}) % 1000000007 AS BIGINT);
CREATE OR REPLACE TEMP MACRO u(a, b) AS (hash(a, b + {salt}) % 1000003) / 1000003.0;
"""

ORDERS = """
COPY (
  SELECT 'A' || lpad(CAST(i AS VARCHAR), 9, '0') AS order_id,
         strftime(DATE '2022-01-01' + CAST(h(i, 1) % 1400 AS INTEGER), '%Y-%m-%d') AS order_date,
         'b' || b AS buyer_id, 'buyer' || b || '@example.com' AS buyer_email,
         ['US', 'DE', 'GB', 'IN', 'CN', 'JP', 'AU', 'CA', 'FR', 'BR'][1 + b % 10] AS buyer_country,
         ['LED Panel', 'Copper Bottle', 'Steel Flask', 'Ceramic Mug', 'Vase, Large'][1 + h(i, 2) % 5] AS product,
         1 + h(i, 3) % 9 AS quantity, CAST((500 + h(i, 4) % 499500) / 100 AS DECIMAL(12, 2)) AS amount,
         ['USD', 'USD', 'USD', 'EUR', 'GBP', 'INR'][1 + b % 6] AS currency,
         CAST(h(i, 5) % 5000 / 100 AS DECIMAL(12, 2)) AS fee,
         CASE WHEN h(i, 6) % 40 = 0 THEN 'cancelled' ELSE 'completed' END AS status
  FROM (SELECT i, CAST(floor({buyers} * pow(u(i, 0), 3)) AS BIGINT) AS b FROM range({start}, {stop}) t(i))
  ORDER BY i
) TO '{path}' (HEADER, DELIMITER ',')
"""

INQUIRIES = """
COPY (
  SELECT 'Q' || lpad(CAST(i AS VARCHAR), 9, '0') AS inquiry_id,
         strftime(t, '%Y-%m-%d %H:%M:%S') AS received_at, 'b' || b AS buyer_id,
         'buyer' || b || '@example.com' AS buyer_email,
         ['US', 'DE', 'GB', 'IN', 'CN', 'JP', 'AU', 'CA', 'FR', 'BR'][1 + b % 10] AS country,
         ['LED Panel', 'Copper Bottle', 'Steel Flask', 'Ceramic Mug', 'Vase, Large'][1 + h(i, 12) % 5] AS product,
         CASE WHEN h(i, 13) % 5 > 0 THEN strftime(t + to_seconds(CAST(h(i, 14) % 172800 AS BIGINT)),
                                                  '%Y-%m-%d %H:%M:%S') END AS first_response_at
  FROM (SELECT i, CAST(floor({buyers} * pow(u(i, 10), 2)) AS BIGINT) AS b,
               TIMESTAMP '2022-01-01' + to_seconds(CAST(h(i, 11) % (1400 * 86400) AS BIGINT)) AS t
        FROM range({stop}) t(i))
  ORDER BY i
) TO '{path}' (HEADER, DELIMITER ',')
"""

FEES = """
COPY (
  SELECT 'F' || lpad(CAST(i AS VARCHAR), 9, '0') AS fee_id,
         strftime(DATE '2022-01-01' + CAST(h(o, 1) % 1400 AS INTEGER), '%Y-%m-%d') AS date,
         'generic' AS platform, ['advertising', 'shipping', 'commission'][1 + h(i, 21) % 3] AS fee_type,
         CAST(h(i, 22) % 3000 / 100 AS DECIMAL(12, 2)) AS amount, 'USD' AS currency,
         'A' || lpad(CAST(o AS VARCHAR), 9, '0') AS order_id, 'generated fee ' || i AS description
  FROM (SELECT i, h(i, 20) % {orders} AS o FROM range({stop}) t(i))
  ORDER BY i
) TO '{path}' (HEADER, DELIMITER ',')
"""


def _cached(name: str, build: Callable[[Path], None]) -> Path:
    """Return DATA/name, building it (to a temporary name, then renamed) only when missing."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / name
    if path.exists():
        return path
    tmp = path.with_name(path.name + ".partial")
    for stale in DATA.glob(tmp.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    build(tmp)
    tmp.rename(path)
    for extra in DATA.glob(tmp.name + "*"):  # the store's .wal/.lock files
        extra.unlink()
    print(f"  generated {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s",
          flush=True)
    return path


def _copy(sql: str, seed: int, **values: object) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        import duckdb

        con = duckdb.connect()
        con.execute(MACROS.format(salt=seed * 1000))
        con.execute(sql.format(path=str(path).replace("'", "''"), **values))
        con.close()

    return build


def orders_csv(n: int, seed: int = 7, start: int = 0) -> Path:
    """n orders with ids start..start+n-1 (buyers as for an n-row export starting at 0)."""
    tag = f"_from{start}" if start else ""
    return _cached(f"orders_{n}{tag}_s{seed}.csv",
                   _copy(ORDERS, seed, buyers=max(n // 50, 1), start=start, stop=start + n))


def inquiries_csv(n_orders: int, seed: int = 7) -> Path:
    return _cached(f"inquiries_{n_orders}_s{seed}.csv",
                   _copy(INQUIRIES, seed, buyers=max(n_orders // 50, 1), stop=n_orders // 5))


def fees_csv(n_orders: int, seed: int = 7) -> Path:
    return _cached(f"fees_{n_orders}_s{seed}.csv", _copy(FEES, seed, orders=n_orders, stop=n_orders // 10))


SHEET_XML = """
COPY (
  SELECT '<row r="' || k || '">' || list_reduce(list_transform(list_zip({letters}, [
           order_id, order_date, buyer_id, buyer_email, buyer_country, product, quantity, amount, currency, fee,
           status], [0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0]), lambda x: '<c r="' || x[1] || k || '"'
           || CASE WHEN x[3] = 1 THEN '><v>' || x[2] || '</v></c>'
                   ELSE ' t="inlineStr"><is><t>' || replace(replace(x[2], '&', '&amp;'), '<', '&lt;')
                        || '</t></is></c>' END), lambda a, b: a || b) || '</row>'
  FROM (SELECT *, 1 + row_number() OVER (ORDER BY order_id) AS k FROM read_csv('{csv}', all_varchar = true))
  ORDER BY k
) TO '{path}' (HEADER false, QUOTE '', DELIMITER '\x01')
"""
_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet'
    '+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="orders" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
COLUMNS = ("order_id", "order_date", "buyer_id", "buyer_email", "buyer_country", "product", "quantity", "amount",
           "currency", "fee", "status")


def orders_xlsx(n: int, seed: int = 7) -> Path:
    """The rows of orders_csv(n, seed) as an .xlsx workbook with one sheet."""
    import zipfile

    csv_path = orders_csv(n, seed)

    def build(path: Path) -> None:
        import duckdb

        rows = path.with_name(path.name + ".rows")
        letters = [chr(65 + i) for i in range(len(COLUMNS))]
        duckdb.execute(SHEET_XML.format(csv=str(csv_path).replace("'", "''"), path=str(rows).replace("'", "''"),
                                        letters=letters))
        header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{name}</t></is></c>' for c, name in zip(letters, COLUMNS))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
            for name, text in _XLSX_PARTS.items():
                book.writestr(name, text)
            with book.open("xl/worksheets/sheet1.xml", "w") as sheet, rows.open("rb") as body:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
                            b'org/spreadsheetml/2006/main"><sheetData><row r="1">' + header.encode() + b"</row>")
                while chunk := body.read(1 << 22):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
        rows.unlink()

    return _cached(f"orders_{n}_s{seed}.xlsx", build)


def store(kind: str, n: int, seed: int = 7) -> Path:
    """An assetkit store holding n generated orders for the analysis benchmarks (see stores.py)."""
    from stores import GENERATORS

    def build(path: Path) -> None:
        from assetkit.store import open_store

        with open_store(path) as st:
            st.con.execute(MACROS.format(salt=seed * 1000))
            for statement in GENERATORS[kind](n).split(";"):
                if statement.strip():
                    st.con.execute(statement)
            st.checkpoint()

    return _cached(f"{kind}_{n}_s{seed}.duckdb", build)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for n in args.rows:
        for path in (orders_csv(n, args.seed), orders_csv(n, args.seed, start=n // 2), inquiries_csv(n, args.seed),
                     fees_csv(n, args.seed), store("economics", n, args.seed), store("cohorts", n, args.seed)):
            print(path)


if __name__ == "__main__":
    main()
