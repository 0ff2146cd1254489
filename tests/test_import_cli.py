"""CLI: import/platforms/rejects/map, exit codes, JSON, and no traceback on bad input."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


def test_import_folder_json_summary_and_rejects(cli, tmp_path: Path) -> None:
    bad = tmp_path / "in" / "orders.csv"
    bad.parent.mkdir()
    bad.write_text("order_id,order_date,amount,currency\nA1,2024-01-02,5,USD\nA2,yesterday,5,USD\n", encoding="utf-8")
    (tmp_path / "in" / "notes.md").write_text("not an export", encoding="utf-8")
    done = cli("import", str(tmp_path / "in"), "--format", "json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    (f,) = data["files"]
    assert (f["rows_read"], f["loaded"], f["rejected"], f["profile"]) == (2, 1, 1, "generic_orders")
    shown = cli("rejects", "--format", "json")
    rows = json.loads(shown.stdout)["rejects"]
    assert rows[0]["line"] == 3
    assert rows[0]["column"] == "order_date"
    assert rows[0]["raw"] == "yesterday"
    assert rows[0]["file"].endswith("orders.csv")
    text = cli("rejects")
    assert "yesterday" in text.stdout
    assert "order_date" in text.stdout


def test_dry_run_and_strict_exit_codes(cli, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("order_id,order_date,amount,currency\nA1,2024-01-02,5,USD\nA2,bad,5,USD\n", encoding="utf-8")
    dry = cli("import", str(path), "--dry-run")
    assert dry.exit_code == 0
    assert "Dry run" in dry.stdout
    strict = cli("import", str(path), "--strict")
    assert strict.exit_code == 1
    assert "line 3" in strict.output
    assert "order_date" in strict.output
    assert "Traceback" not in strict.output
    status = cli("status", "--format", "json")
    assert json.loads(status.stdout)["holdings"] == []


def test_bad_inputs_give_messages_not_tracebacks(run_cli, tmp_path: Path) -> None:
    unknown = tmp_path / "weird.csv"
    unknown.write_text("alpha;beta;gamma\n1;2;3\n", encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"CODE": 200, "RESPONSE": [', encoding="utf-8")
    missing = run_cli("--db", str(tmp_path / "x.duckdb"), "import", str(unknown), str(tmp_path / "none.csv"))
    assert missing.returncode == 2
    assert "not found: " in missing.stderr
    assert "none.csv" in missing.stderr
    assert not (tmp_path / "x.duckdb").exists()  # checked before the database is created
    done = run_cli("--db", str(tmp_path / "x.duckdb"), "import", str(unknown), str(broken))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "weird.csv: no import profile recognises this file; header found: [alpha, beta, gamma]" in done.stderr
    assert "broken.json" in done.stderr
    assert "invalid JSON" in done.stderr
    bad_map = tmp_path / "m.yaml"
    bad_map.write_text("kind: inquiries\nplatform: alibaba\ncolumns:\n  inquiry_id: A\n  recieved_at: B\n", encoding="utf-8")
    done = run_cli("--db", str(tmp_path / "x.duckdb"), "import", str(unknown), "--mapping", str(bad_map))
    assert done.returncode == 2
    assert "columns.recieved_at: unknown field" in done.stderr


def test_platforms_lists_every_profile_with_signature(cli) -> None:
    data = json.loads(cli("platforms", "--format", "json").stdout)
    names = {p["profile"] for p in data["profiles"]}
    assert {"amazon_settlement_v2", "amazon_all_orders", "amazon_transactions_daterange", "etsy_sold_orders",
            "etsy_sold_order_items", "etsy_statement", "shopify_orders", "woocommerce_analytics_orders",
            "upwork_transactions_legacy", "upwork_transactions_v2", "upwork_transactions_v3", "ebay_orders",
            "indiamart_leads", "tradeindia_inquiries", "generic_orders", "generic_inquiries", "generic_fees",
            "generic_spend", "generic_products"} <= names
    shopify = next(p for p in data["profiles"] if p["profile"] == "shopify_orders")
    assert shopify["channel"] == "own_site"
    assert "Lineitem quantity" in shopify["signature"]


def test_map_proposes_a_chinese_mapping_that_imports(cli, tmp_path: Path) -> None:
    export = tmp_path / "alibaba.csv"
    export.write_text("询盘编号,日期,买家,公司名称,国家,邮箱,产品,数量,内容\n"
                      "RFQ-1,2024-03-05 10:00:00,Li Wei,Shenzhen Co,China,li@example.cn,LED Panel,500 pcs,Price?\n"
                      "RFQ-2,2024-03-06 11:00:00,Ana,Acme SA,Spain,ana@example.es,LED Strip,20,Catalogue\n",
                      encoding="gb18030")
    out = tmp_path / "alibaba.yaml"
    done = cli("map", str(export), "--out", str(out))
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert "kind: inquiries" in text
    assert 'inquiry_id: "询盘编号"' in text
    assert 'buyer_email: "邮箱"' in text
    assert 'received_at: "日期"' in text
    assert 'quantity: "数量"' in text
    out.write_text(text.replace("platform: other", "platform: alibaba").replace("timezone: UTC", "timezone: Asia/Shanghai"),
                   encoding="utf-8")
    imported = cli("import", str(export), "--mapping", str(out), "--format", "json")
    f = json.loads(imported.stdout)["files"][0]
    assert (f["loaded"], f["rejected"], f["platform"]) == (2, 0, "alibaba")
    from assetkit.store import open_store

    with open_store("assetkit.duckdb") as store:
        rows = store.query("SELECT inquiry_id, quantity, CAST(received_at AS VARCHAR) FROM inquiries ORDER BY 1")
    assert rows[0][0] == "alibaba:RFQ-1"
    assert float(rows[0][1]) == 500
    assert rows[0][2].startswith("2024-03-05 02:00:00")
