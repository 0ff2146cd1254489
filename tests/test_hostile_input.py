"""Bad input and careless paths (issue 17): nothing lost, nothing broken, no secret leaked.

One test (or a few) per case of docs/reliability.md's "Hostile and careless input" table.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assetkit.store import open_store
from tests.helpers.paths import REPO, SAMPLES


def etsy_file(path: Path, rows: int, edit_row: int | None = None, edit: tuple[str, str] = ("", "")) -> Path:
    """An Etsy orders export of `rows` distinct orders (no quotes anywhere), one row edited."""
    header, _, template = (SAMPLES / "etsy_sold_orders.csv").read_text(encoding="utf-8").splitlines()[:3]
    lines = [header]
    for i in range(rows):
        row = template.replace("3201000002", str(3201000001 + i * 7)).replace("900000002", str(900000001 + i))
        lines.append(row.replace(*edit) if i == edit_row else row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- 2: a quote that never closes -------------------------------------------------------------

@pytest.mark.parametrize("edit", [("Bo Customer", '"Bo Customer'), ("MUG-BLUE-12", '"MUG-BLUE-12')],
                         ids=["mid-row", "last-field"])
@pytest.mark.parametrize("rows", [2000, 6000], ids=["python-path", "fast-path-size"])
def test_unclosed_quote_loses_only_its_own_line(tmp_path: Path, edit: tuple[str, str], rows: int) -> None:
    from assetkit.importers import import_file

    path = etsy_file(tmp_path / "orders.csv", rows, edit_row=500, edit=edit)
    with open_store(tmp_path / "a.duckdb") as store:
        result = import_file(store, path)
        (orders,) = store.query("SELECT count(*) FROM orders")[0]
        line, reason = store.query("SELECT line, reason FROM rejects")[0]
    assert result.rows_read == rows and result.loaded == rows - 1 and result.rejected == 1
    assert orders == rows - 1
    assert line == 502 and "quote opened on this line is never closed" in reason


def test_multiline_quoted_field_is_still_one_record(tmp_path: Path) -> None:
    from assetkit.importers import import_file

    path = etsy_file(tmp_path / "orders.csv", 50, edit_row=10, edit=("99 Sample Road", '"99 Sample\nRoad"'))
    with open_store(tmp_path / "a.duckdb") as store:
        result = import_file(store, path)
        (street,) = store.query("SELECT count(*) FROM orders")[0]
    assert result.rows_read == 50 and result.loaded == 50 and result.rejected == 0 and street == 50


# --- 4: never write over the database, its WAL, the configuration or an input file ------------

def test_report_never_replaces_the_database_config_or_an_input(cli, tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "etsy_sold_orders.csv", tmp_path / "orders.csv")
    (tmp_path / "assetkit.yaml").write_text("reporting_currency: USD\n", encoding="utf-8")
    assert cli("import", "orders.csv").exit_code == 0
    kept = {name: (tmp_path / name).read_bytes() for name in ("assetkit.duckdb", "assetkit.yaml", "orders.csv")}
    for target in ("assetkit.duckdb", "assetkit.duckdb.wal", "./assetkit.yaml", "orders.csv", str(tmp_path / "orders.csv")):
        result = cli("report", "--out", target)
        assert result.exit_code == 2 and "refusing to write the report" in result.output, result.output
    for name, data in kept.items():
        assert (tmp_path / name).read_bytes() == data
    assert not (tmp_path / "assetkit.duckdb.wal").exists()
    os.symlink(tmp_path / "assetkit.duckdb", tmp_path / "innocent.html")
    assert cli("report", "--out", "innocent.html").exit_code == 2
    assert cli("export", "crm", "assetkit.yaml", "--target", "csv").exit_code == 2
    assert (tmp_path / "assetkit.yaml").read_bytes() == kept["assetkit.yaml"]
    assert cli("report", "--out", "report.html").exit_code == 0


# --- 8: formula injection through a bare CR ---------------------------------------------------

def test_csv_quotes_line_breaks_and_neutralises_formulas_after_them() -> None:
    import csv
    import io

    from assetkit.export.output import write_csv_safe

    buffer = io.StringIO()
    write_csv_safe([["Acme\r=cmd|' /C calc'!A0", 3], ["ok\n  +SUM(A1)", "a\r\n@x"]], ["name", "n"], buffer)
    text = buffer.getvalue()
    for reader in (csv.reader(io.StringIO(text, newline="")), csv.reader(io.StringIO(text))):
        rows = list(reader)
        assert len(rows) == 3, rows  # no row was split at the CR
        cells = [line for row in rows for cell in row for line in cell.splitlines()]
        assert not [c for c in cells if c.lstrip(" ")[:1] in ("=", "+", "-", "@")], cells
    # a spreadsheet-style reader that splits records at any line break outside quotes sees no formula
    outside = "".join(part for i, part in enumerate(text.split('"')) if i % 2 == 0)
    assert not [line for line in outside.splitlines() if line.lstrip(" ")[:1] in ("=", "+", "-", "@")]


# --- 4, 6, 13: the pipeline -------------------------------------------------------------------

def _pipeline(root: Path, outputs: str) -> Path:
    from tests.helpers.pipeline import make_pipeline

    path = make_pipeline(root, with_outputs=False)
    path.write_text("database: assetkit.duckdb\ninbox: [inbox/]\n" + outputs, encoding="utf-8")
    return path


@pytest.mark.parametrize(("outputs", "key"), [
    ("outputs: {dir: ../elsewhere}\n", "outputs.report (html)"),
    ("outputs: {tables: {dir: ../../tmp/t}}\n", "outputs.tables"),
    ("outputs: {tables: {dir: .}}\n", "outputs.tables"),
    ("outputs: {crm: {target: csv, file: assetkit.duckdb}}\n", "outputs.crm.file"),
    ("outputs: {crm: {target: csv, file: pipeline.yaml}}\n", "outputs.crm.file"),
    ("outputs: {site: {dir: inbox/site}}\n", "outputs.site"),
])
def test_pipeline_outputs_stay_in_their_folder_and_off_the_database(tmp_path: Path, outputs: str, key: str) -> None:
    from assetkit.errors import ConfigError
    from assetkit.pipeline.spec import load_pipeline

    with pytest.raises(ConfigError) as info:
        load_pipeline(_pipeline(tmp_path, outputs))
    assert f"'{key}'" in info.value.message


def test_pipeline_output_placed_by_an_absolute_path_is_allowed(tmp_path: Path) -> None:
    from assetkit.pipeline.spec import load_pipeline

    elsewhere = tmp_path.parent / f"{tmp_path.name}-reports"
    spec = load_pipeline(_pipeline(tmp_path, f"outputs: {{dir: {elsewhere}}}\n"))
    assert spec.outputs.dir == elsewhere


@pytest.mark.slow
def test_symlinked_tables_folder_fails_that_output_only_and_later_runs_work(run_cli, tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, "outputs: {report: {formats: [json]}, tables: {dir: out/tables}}\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "keep.txt").write_text("mine", encoding="utf-8")
    os.symlink(tmp_path / "precious", tmp_path / "out" / "tables")
    for attempt in range(2):
        result = run_cli("run", str(pipeline), "--log", "runs.jsonl", cwd=tmp_path)
        assert result.returncode == 1 and "internal error" not in result.stderr, result.stderr
        summary = json.loads((tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
        outputs = {o["output"]: o for o in summary["outputs"]}
        assert outputs["report"]["status"] == "written"
        assert outputs["tables"]["status"] == "failed" and "symbolic link" in outputs["tables"]["error"]
        assert summary["files_imported"] == (4 if attempt == 0 else 0)
    assert (tmp_path / "out" / "tables").is_symlink()
    assert (tmp_path / "precious" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_symlink_in_the_inbox_is_not_followed(run_cli, tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, "outputs: {report: {formats: []}}\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("-----BEGIN PRIVATE KEY----- s3cr3t\n", encoding="utf-8")
    secret.chmod(0o600)
    os.symlink(secret, tmp_path / "inbox" / "leads.csv")
    private = tmp_path / "inbox" / "private.csv"
    private.write_text("s3cr3t-header,other\n1,2\n", encoding="utf-8")
    private.chmod(0o600)
    result = run_cli("run", str(pipeline), cwd=tmp_path)
    summary = json.loads(result.stdout)
    failed = {Path(f["path"]).name: f for f in summary["files"] if f["status"] == "failed"}
    assert "symbolic link" in failed["leads.csv"]["error"]
    assert "s3cr3t" not in result.stdout.replace("s3cr3t-header", "")
    note = tmp_path / "failed" / "leads.csv.error.txt"
    assert "s3cr3t" not in note.read_text(encoding="utf-8")
    assert (tmp_path / "failed" / "leads.csv").is_symlink() and secret.exists()
    private_note = tmp_path / "failed" / "private.csv.error.txt"
    assert private_note.stat().st_mode & 0o077 == 0  # quotes the header: as private as the file


def test_busy_run_still_writes_its_log_line(run_cli, tmp_path: Path) -> None:
    from assetkit.store.lock import StoreLock

    pipeline = _pipeline(tmp_path, "outputs: {report: {formats: []}}\n")
    with StoreLock(tmp_path / "assetkit.duckdb", wait_seconds=0):
        result = run_cli("run", str(pipeline), "--wait", "0.3", "--log", "runs.jsonl", cwd=tmp_path)
    assert result.returncode == 75
    line = json.loads((tmp_path / "runs.jsonl").read_text(encoding="utf-8"))
    assert line["event"] == "assetkit.run" and line["ok"] is False and line["exit_code"] == 75
    assert "in use" in line["error"]


# --- 7: errors quote a few hundred characters at most -----------------------------------------

@pytest.mark.parametrize("megabytes", [5, pytest.param(50, marks=pytest.mark.long)])
def test_a_huge_unknown_line_gives_a_short_error_quickly(run_cli, tmp_path: Path, megabytes: int) -> None:
    import time

    pipeline = _pipeline(tmp_path, "outputs: {report: {formats: []}}\n")
    (tmp_path / "inbox" / "huge.csv").write_text("a," + "x" * (megabytes << 20) + "\n1,2\n", encoding="utf-8")
    began = time.monotonic()
    result = run_cli("run", str(pipeline), "--log", "runs.jsonl", cwd=tmp_path, timeout=120)
    assert time.monotonic() - began < 60
    assert result.returncode == 1
    note = (tmp_path / "failed" / "huge.csv.error.txt").read_text(encoding="utf-8")
    log = (tmp_path / "runs.jsonl").read_text(encoding="utf-8")
    assert "no import profile recognises" in note and "more characters" in note
    assert len(note) < 2000 and len(log) < 20000
    direct = run_cli("import", str(tmp_path / "failed" / "huge.csv"), cwd=tmp_path, timeout=120)
    assert direct.returncode == 1 and len(direct.stderr) < 3000 and "internal error" not in direct.stderr


def test_error_messages_are_cut() -> None:
    from assetkit.errors import SourceError, quote_excerpt

    assert quote_excerpt("x" * 1000).startswith("x" * 200) and len(quote_excerpt("x" * 10**6)) < 260
    assert len(str(SourceError("bad value " + "y" * 10**6, path="f.csv"))) < 2100


# --- 12: temporary copies next to the database, permissions from the umask ---------------------

def test_python_path_copy_lives_beside_the_database_and_is_cleaned(tmp_path: Path, monkeypatch) -> None:
    from assetkit.importers import import_file, reading

    seen: list[str] = []
    original = reading.scratch_file

    def spy(con):  # noqa: ANN001
        fd, name = original(con)
        seen.append(name)
        return fd, name

    monkeypatch.setattr(reading, "scratch_file", spy)
    data = tmp_path / "data"
    data.mkdir()
    latin = tmp_path / "orders.csv"
    latin.write_bytes((SAMPLES / "etsy_sold_orders.csv").read_bytes().replace(b"Ann Buyer", "Ann Büyer".encode("cp1252")))
    leftover = data / ".a.duckdb.scratch-killed.csv"
    with open_store(data / "a.duckdb") as store:
        assert not leftover.exists()
        leftover.write_text("plaintext from a killed import", encoding="utf-8")
        assert import_file(store, latin).loaded == 3
    assert seen and all(Path(n).parent == data for n in seen) and not any(Path(n).exists() for n in seen)
    with open_store(data / "a.duckdb"):
        assert not leftover.exists()  # the next start removes what a killed import left


def test_outputs_follow_the_umask(cli, tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "etsy_sold_orders.csv", tmp_path / "orders.csv")
    assert cli("import", "orders.csv").exit_code == 0
    old = os.umask(0o077)
    try:
        assert cli("report", "--out", "r.html").exit_code == 0
        assert cli("export", "crm", "crm.csv", "--target", "csv").exit_code == 0
        assert cli("export", "tables", "tables").exit_code == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "r.html", tmp_path / "crm.csv", tmp_path / "tables", tmp_path / "tables" / "orders.parquet"):
        assert path.stat().st_mode & 0o077 == 0, path
    old = os.umask(0o022)
    try:
        assert cli("report", "--out", "r.html").exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o644


# --- 13: a field over 2 MB --------------------------------------------------------------------

@pytest.mark.parametrize("quoted", [False, True])
def test_a_field_over_two_megabytes_loads(tmp_path: Path, quoted: bool) -> None:
    from assetkit.importers import import_file

    note = "B" * 3_000_000
    path = etsy_file(tmp_path / "orders.csv", 3, edit_row=1, edit=("Bo Customer", f'"{note}"' if quoted else note))
    with open_store(tmp_path / "a.duckdb") as store:
        result = import_file(store, path)
        (longest,) = store.query("SELECT max(length(name)) FROM buyers")[0]
    assert result.loaded == 3 and longest == 3_000_000


# --- 13: clear errors instead of "internal error" ---------------------------------------------

def test_json_nested_a_thousand_levels_names_the_file(cli, tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 1000 + "]" * 1000, encoding="utf-8")
    text = (SAMPLES / "indiamart_leads_api_v2.json").read_text(encoding="utf-8")
    (tmp_path / "deep_value.json").write_text(text.replace('"QUERY_MESSAGE":', '"QUERY_MESSAGE": ' + "[" * 1000 + "]" * 1000 + ', "x":', 1), encoding="utf-8")
    for name in ("deep.json", "deep_value.json"):
        result = cli("import", name)
        assert result.exit_code == 1 and "internal error" not in result.output, result.output
        assert f"{name}: the JSON is nested too deeply" in " ".join(result.output.split())


def _damage(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.seek(size // 3)
        fh.write(os.urandom(size // 2))


@pytest.mark.slow
def test_a_damaged_database_is_named_by_db_check_and_by_commands(run_cli, tmp_path: Path) -> None:
    from tests.helpers.pipeline import GOOD

    for name in GOOD[:3]:
        assert run_cli("import", str(SAMPLES / name), cwd=tmp_path).returncode == 0
    _damage(tmp_path / "assetkit.duckdb")
    check = run_cli("db", "check", cwd=tmp_path)
    assert check.returncode in (1, 0) and "internal error" not in check.stderr, check.stderr
    assert "damaged" in check.stdout + check.stderr and check.returncode == 1
    report = run_cli("report", "--out", "r.html", cwd=tmp_path)
    assert report.returncode == 1 and "internal error" not in report.stderr
    assert "damaged" in report.stderr and "backup" in report.stderr


def _without_root_override() -> list[str]:
    """A command prefix under which root obeys file permissions (tests usually run as root here)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: file permissions cannot be enforced")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


@pytest.mark.slow
def test_a_read_only_database_serves_reading_commands(tmp_path: Path) -> None:
    import subprocess
    import sys

    prefix = _without_root_override()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert subprocess.run([sys.executable, "-m", "assetkit", "import", str(SAMPLES / "etsy_sold_orders.csv")],
                          cwd=tmp_path, env=env, capture_output=True).returncode == 0
    (tmp_path / "assetkit.duckdb").chmod(0o444)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, sys.executable, "-m", "assetkit", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    check = run("db", "check")
    assert check.returncode == 0 and "OK" in check.stdout, check.stderr
    assert run("report", "--format", "json", "--out", "r.json").returncode == 0
    write = run("import", str(SAMPLES / "shopify_orders.csv"))
    assert write.returncode == 1 and "read-only" in write.stderr and "internal error" not in write.stderr


@pytest.mark.slow
def test_a_reading_command_says_it_is_waiting(run_cli, tmp_path: Path) -> None:
    from assetkit.store.lock import StoreLock

    assert run_cli("import", str(SAMPLES / "etsy_sold_orders.csv"), cwd=tmp_path).returncode == 0
    with StoreLock(tmp_path / "assetkit.duckdb", wait_seconds=0):
        result = run_cli("--wait", "1", "db", "check", cwd=tmp_path)
    assert result.returncode == 75
    assert "waiting up to 1 s for the database" in result.stderr


def test_a_full_disk_is_a_clear_message_and_keeps_the_old_report(cli, tmp_path: Path, monkeypatch) -> None:
    import errno

    from assetkit import atomic

    shutil.copy(SAMPLES / "etsy_sold_orders.csv", tmp_path / "orders.csv")
    assert cli("import", "orders.csv").exit_code == 0
    assert cli("report", "--out", "r.html").exit_code == 0
    before = (tmp_path / "r.html").read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    result = cli("report", "--out", "r.html")
    assert result.exit_code == 1 and "disk is full" in result.output and "internal error" not in result.output
    assert (tmp_path / "r.html").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".r.html")]


def test_duckdb_full_disk_and_damage_messages_are_explained() -> None:
    import duckdb

    from assetkit.errors import explain_failure

    full = explain_failure(duckdb.IOException('Could not write file "x.duckdb.wal": No space left on device'))
    assert full is not None and "disk is full" in full.message
    damaged = explain_failure(duckdb.Error("Corrupt database file: computed checksum 1 does not match stored checksum 2"))
    assert damaged is not None and "damaged" in damaged.message
    assert explain_failure(duckdb.BinderException("Referenced column x not found")) is None


# --- 14: NUL bytes and bidirectional overrides ------------------------------------------------

RLO = "\u202e"


@pytest.mark.parametrize("rows", [3, 6000], ids=["python-path", "fast-path-size"])
def test_nul_bytes_are_not_stored(tmp_path: Path, rows: int) -> None:
    from assetkit.importers import import_file

    path = etsy_file(tmp_path / "orders.csv", rows, edit_row=1, edit=("Bo Customer", "Bo\x00 Cus\x00tomer"))
    with open_store(tmp_path / "a.duckdb") as store:
        assert import_file(store, path).loaded == rows
        names = [n for (n,) in store.query("SELECT name FROM buyers")]
    assert "Bo Customer" in names and not [n for n in names if "\x00" in (n or "")]


def test_nul_in_json_is_not_stored(tmp_path: Path) -> None:
    from assetkit.importers import import_file

    text = (SAMPLES / "indiamart_leads_api_v2.json").read_text(encoding="utf-8")
    record = json.loads(text)
    record["RESPONSE"][0]["SENDER_NAME"] = "Ra\u0000vi"
    (tmp_path / "leads.json").write_text(json.dumps(record), encoding="utf-8")
    with open_store(tmp_path / "a.duckdb") as store:
        import_file(store, tmp_path / "leads.json")
        names = [n for (n,) in store.query("SELECT name FROM buyers")]
    assert "Ravi" in names and not [n for n in names if "\x00" in (n or "")]


def test_bidi_overrides_are_isolated_in_html(cli, tmp_path: Path) -> None:
    from assetkit.export.output import isolate_bidi

    assert isolate_bidi(f"Acme{RLO}gpj.exe") == "\u2068Acmegpj.exe\u2069"
    assert isolate_bidi("\u2069" + RLO + "x") == "\u2068x\u2069"  # a stray PDI cannot end the isolate early
    assert isolate_bidi("plain") == "plain" and isolate_bidi(3) == 3
    path = etsy_file(tmp_path / "orders.csv", 3, edit_row=0, edit=("Bo Customer", f"Bo {RLO}remotsuC"))
    assert cli("import", str(path)).exit_code == 0
    assert cli("report", "--out", "r.html").exit_code == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert RLO not in html


def test_bidi_overrides_are_isolated_on_site_pages(tmp_path: Path) -> None:
    from assetkit.export.site import build_site
    from tests.helpers.site import html_pages, make_store, site_config

    store = make_store(tmp_path / "db.duckdb")
    try:
        store.con.execute("UPDATE products SET name = ? WHERE product_id = 'p1'", [f"Valve {RLO}lmth.exe"])
        build_site(store.con, site_config(), tmp_path / "site")
    finally:
        store.close()
    pages = "".join(p.read_text(encoding="utf-8") for p in html_pages(tmp_path / "site").values())
    assert RLO not in pages and "\u2068Valve lmth.exe\u2069" in pages


def test_map_never_writes_over_the_export_it_reads(cli, tmp_path: Path) -> None:
    (tmp_path / "odd.csv").write_text("Kunde,Betrag,Datum\nA,1,2024-01-01\n", encoding="utf-8")
    before = (tmp_path / "odd.csv").read_bytes()
    result = cli("map", "odd.csv", "--out", "odd.csv")
    assert result.exit_code == 2 and "the export being mapped" in result.output
    assert (tmp_path / "odd.csv").read_bytes() == before
    assert cli("map", "odd.csv", "--kind", "orders", "--out", "odd.mapping.yaml").exit_code == 0


@pytest.mark.slow
def test_a_run_on_a_damaged_database_logs_a_clear_line(run_cli, tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path, "outputs: {report: {formats: [json]}}\n")
    assert run_cli("run", str(pipeline), cwd=tmp_path).returncode == 0
    _damage(tmp_path / "assetkit.duckdb")
    shutil.copy(SAMPLES / "etsy_sold_orders.csv", tmp_path / "inbox" / "again.csv")
    result = run_cli("run", str(pipeline), "--log", "runs.jsonl", cwd=tmp_path)
    assert result.returncode == 1 and "internal error" not in result.stderr, result.stderr
    line = json.loads((tmp_path / "runs.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert line["ok"] is False and "damaged" in json.dumps(line)


def test_a_multiline_message_with_commas_is_not_taken_for_a_runaway_quote(tmp_path: Path) -> None:
    from assetkit.importers import import_file

    path = etsy_file(tmp_path / "orders.csv", 20, edit_row=5,
                     edit=("99 Sample Road", '"99 Sample Road\nPrice, MOQ, lead time?\nthanks"'))
    with open_store(tmp_path / "a.duckdb") as store:
        result = import_file(store, path)
    assert result.loaded == 20 and result.rejected == 0


# --- 1: a date no business could have written -------------------------------------------------

@pytest.mark.parametrize("damaged", ["9999-12-31", "0001-01-01", "99999", "1970-01-01"])
def test_an_implausible_date_is_quarantined_and_every_analysis_answers(cli, tmp_path: Path, damaged: str) -> None:
    export = tmp_path / "orders.csv"
    export.write_text("order_id,order_date,buyer_email,amount,currency,fee\n"
                      "A1,2024-03-01,a@example.com,100.00,USD,5.00\n"
                      f"A2,{damaged},b@example.com,50.00,USD,2.00\n"
                      "A3,2024-05-02,a@example.com,70.00,USD,3.00\n", encoding="utf-8")
    db = str(tmp_path / "a.duckdb")
    imported = cli("--db", db, "import", str(export), "--format", "json")
    assert imported.exit_code == 0, imported.output
    rejects = cli("--db", db, "rejects", "--format", "json")
    rows = json.loads(rejects.output)["rejects"]
    assert [(r["line"], r["column"], r["raw"]) for r in rows] == [(3, "order_date", damaged)]
    assert "plausible window" in rows[0]["reason"]
    for command in (["fees"], ["cohorts"], ["report", "--out", str(tmp_path / "r.html")]):
        result = cli("--db", db, *command)
        assert result.exit_code == 0, (command, result.output)
        assert "internal error" not in result.output


def test_a_profile_states_when_its_platform_began(tmp_path: Path) -> None:
    """Etsy opened in 2005: an Etsy order dated 2001 is a damaged date, not an old order."""
    from assetkit.importers import import_file
    from assetkit.importers.registry import builtin_profiles

    etsy = next(p for p in builtin_profiles() if p.name == "etsy_sold_orders")
    assert etsy.earliest == "2005-01-01"
    path = etsy_file(tmp_path / "orders.csv", 3, edit_row=1, edit=("03/05/24", "03/05/01"))
    with open_store(tmp_path / "e.duckdb") as store:
        result = import_file(store, path)
    assert (result.loaded, result.rejected) == (2, 1)
    assert "2005-01-01" in result.rejects[0].reason
