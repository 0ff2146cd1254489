"""Issue 18, a newcomer's first hour, through typer's runner at 80 and 200 columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import economics as fx
from tests.helpers.economics import economics_db  # noqa: F401 - the session fixture

SAMPLES = Path(__file__).parent / "samples"


def run(*args: str, columns: int = 80):
    from typer.testing import CliRunner

    from assetkit.cli import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns), "NO_COLOR": "1"})


@pytest.fixture
def business(isolated: Path, economics_db: Path) -> Path:  # noqa: F811
    fx.copy_to(economics_db, isolated / "assetkit.duckdb")
    (isolated / "assetkit.yaml").write_text(yaml.safe_dump(fx.YAML), encoding="utf-8")
    return isolated


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("command", [("fees",), ("funnel",), ("status",), ("scenario", "--runs", "200")])
def test_tables_fit_the_terminal_without_cutting_a_cell(business, command, columns) -> None:
    result = run(*command, columns=columns)
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    too_wide = [line for line in result.output.splitlines() if len(line) > columns]
    assert not too_wide, too_wide[:3]


def test_narrow_tables_name_what_they_leave_out_and_wide_shows_everything(business) -> None:
    narrow = run("fees", columns=80).output
    assert "more column(s):" in narrow and "--wide shows them" in narrow
    assert "fee share" in narrow.split("Effective take rate")[0]  # an essential column stays
    wide = run("fees", "--wide", columns=80).output
    assert "more column(s)" not in wide and "net revenue" in wide.split("Effective take rate")[0]


def test_a_very_narrow_terminal_stacks_rows_instead_of_cutting(business) -> None:
    from rich.console import Console

    from assetkit.export.output import rich_table, set_wide

    set_wide(False)
    table = rich_table("T", ["buyer", "company", "revenue"], [("b1", "Sialkot Surgical Works", 1234.5)],
                       numeric=[False, False, True], priority=["company", "revenue"])
    console = Console(width=20, record=True, no_color=True)
    console.print(table)
    text = console.export_text()
    assert "▸ b1" in text and "revenue  1,234.50" in text and "…" not in text


def test_years_never_print_with_a_thousands_separator(business) -> None:
    from rich.console import Console

    from assetkit.export.output import rich_table, set_wide

    set_wide(False)
    console = Console(width=80, record=True, no_color=True)
    console.print(rich_table(None, ["year", "orders"], [(2023, 1234)], numeric=[True, True]))
    text = console.export_text()
    assert "2023" in text and "2,023" not in text and "1,234" in text


def test_global_options_work_after_the_command(business) -> None:
    Path("elsewhere").mkdir()
    Path("assetkit.duckdb").rename("elsewhere/shop.duckdb")
    result = run("fees", "--db", "elsewhere/shop.duckdb", "--config", "assetkit.yaml", "-q", columns=200)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Platforms took EUR 864")


def test_init_and_one_shopify_export_charge_no_other_platform(isolated) -> None:
    """The template's examples are commented out: a Shopify-only seller pays no Alibaba membership."""
    assert run("init").exit_code == 0
    assert run("import", str(SAMPLES / "shopify_orders.csv")).exit_code == 0
    data = json.loads(run("fees", "--format", "json", columns=200).stdout)
    assert {p["platform"] for p in data["periods"]} == {"shopify"}
    assert all(p["fees"]["membership"] == 0 for p in data["periods"])


def test_a_config_next_to_the_database_is_found_and_named(business) -> None:
    Path("shop").mkdir()
    Path("assetkit.duckdb").rename("shop/assetkit.duckdb")
    Path("assetkit.yaml").rename("shop/assetkit.yaml")
    result = run("--db", "shop/assetkit.duckdb", "fees", columns=200)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Platforms took EUR 864")  # the EUR config next to it, not USD defaults
    told = run("--db", "shop/assetkit.duckdb", "fees", "-v", columns=200)
    assert "shop/assetkit.yaml (found next to the database)" in told.stderr
    Path("shop/assetkit.yaml").unlink()
    bare = run("--db", "shop/assetkit.duckdb", "fees", "--verbose", columns=200)
    assert "none found next to shop/assetkit.duckdb" in bare.stderr and "USD" in bare.stdout


def test_import_of_a_missing_file_creates_no_database(isolated) -> None:
    result = run("import", "nope.csv")
    assert result.exit_code == 2 and "not found: nope.csv" in result.output
    assert not Path("assetkit.duckdb").exists()


def test_unreadable_and_unknown_files_are_named_and_profiles_listed_once(isolated) -> None:
    odd = Path("odd")
    odd.mkdir()
    (odd / "exports.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (odd / "statement.pdf").write_bytes(b"%PDF-1.4")
    (odd / "logo.png").write_bytes(b"\x89PNG\r\n")
    (odd / "a.csv").write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    (odd / "b.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = run("import", "odd", columns=200)
    assert result.exit_code == 1
    assert "Skipped 3 file(s)" in result.stderr
    assert all(name in result.stderr for name in ("exports.zip", "statement.pdf", "logo.png"))
    assert result.stderr.count("Profiles tried (") == 1
    assert "woocommerce_analytics_orders" in result.stderr and "upwork_transactions_v3" in result.stderr
    assert "Imported" not in result.stdout  # no table of zeros before the errors


@pytest.mark.parametrize(("name", "content", "message"), [
    ("logo.png", b"\x89PNG\r\n\x1a\n\x00", "PNG image"),
    ("old.xls", b"\xd0\xcf\x11\xe0\x00\x00", "cannot open the workbook"),
    ("empty.csv", b"", "empty"),
    ("mystery.csv", b"what,is,this\n1,2,3\n", "none of the columns"),
])
def test_map_on_odd_files_fails_clearly(isolated, name, content, message) -> None:
    Path(name).write_bytes(content)
    result = run("map", name, columns=200)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_validation_messages_and_help_read_plainly(isolated) -> None:
    bad = run("status", "--format", "xyz", columns=200)
    assert bad.exit_code == 2 and "Value error" not in bad.output and "'xyz' is not a choice" in bad.output
    assert "must be 1 or more" in run("leads", "--limit", "0", columns=200).output
    for command in (["import"], ["leads"], ["fees"], ["scenario"], ["export", "site"], ["fx", "import"], []):
        text = run(*command, "--help", columns=200).output
        assert "<list[" not in text and "range>" not in text and "<str>" not in text and "<path>" not in text, command


@pytest.mark.parametrize(("command", "offered"), [
    ("status", "[text|json]"), ("rejects", "[text|json]"), ("platforms", "[text|json]"), ("import", "[text|json]"),
    ("clv", "[text|json|csv]"), ("leads", "[text|json|csv]"), ("segments", "[text|json|csv]"),
    ("fees", "[text|json|csv|md]"), ("scenario", "[text|json|csv|md]"),
])
def test_each_format_option_offers_exactly_what_the_command_renders(isolated, command, offered) -> None:
    assert offered in run(command, "--help", columns=200).output
    refused = {"[text|json]": "csv", "[text|json|csv]": "md"}.get(offered)
    if refused:
        assert run(command, "--format", refused, columns=200).exit_code == 2


def test_no_database_is_a_configuration_error(isolated) -> None:
    result = run("fees", columns=200)
    assert result.exit_code == 2 and "no database at" in result.output


@pytest.mark.slow
def test_long_commands_show_progress_on_a_terminal_only(business) -> None:
    """report shows which section it is building when stderr is a terminal; piped, it stays quiet."""
    import os
    import subprocess
    import sys

    from tests.helpers.paths import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    master, slave = os.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "assetkit", "report", "--format", "md", "--out", "r.md"],
                              stdout=subprocess.PIPE, stderr=slave, env=env, timeout=300)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    assert done.returncode == 0
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert "building the report: Platform costs" in terminal
    piped = subprocess.run([sys.executable, "-m", "assetkit", "report", "--format", "md", "--out", "r2.md"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert piped.returncode == 0 and "building the report" not in piped.stderr


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in run("--help", columns=200).output
    shown = run("--show-completion", "bash", columns=200)
    assert shown.exit_code == 0 and "_assetkit_completion" in shown.output


def test_approximate_exchange_rates_are_counted_at_import_and_in_the_report(isolated) -> None:
    """Issue 18: a new database converts with bundled approximate rates; say so, and how to load real ones."""
    Path("orders.csv").write_text(
        "order_id,order_date,buyer_id,amount,currency\nA1,2024-03-01,b1,100.00,EUR\nA2,2024-03-04,b2,50.00,EUR\n"
        "A3,2024-04-02,b1,70.00,USD\n", encoding="utf-8")
    imported = run("import", "orders.csv", "--platform", "generic", "--kind", "orders", columns=200)
    assert imported.exit_code == 0, imported.output
    assert "2 of 2 amounts in another currency were converted with assetkit's bundled approximate" in imported.stdout
    assert "assetkit fx fetch" in imported.stdout and "fx import" in imported.stdout
    assert run("report", "--format", "md", "--out", "r.md", columns=200).exit_code == 0
    assert "bundled approximate exchange rates" in Path("r.md").read_text(encoding="utf-8")
    Path("eurofxref-hist.csv").write_text("Date,USD,\n2024-03-04,1.0850,\n2024-03-01,1.0800,\n", encoding="utf-8")
    assert run("fx", "import", "eurofxref-hist.csv", columns=200).exit_code == 0
    again = run("fees", columns=200)
    assert "approximate" not in again.output  # real ECB rates replaced the bundled ones for these days
