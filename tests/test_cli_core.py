"""init, status, error exits and start-up weight, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path


def test_init_writes_config_and_database(cli) -> None:
    result = cli("init")
    assert result.exit_code == 0, result.output
    assert Path("assetkit.yaml").exists()
    assert Path("assetkit.duckdb").exists()
    again = cli("init")
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert "--force" in again.output
    assert cli("init", "--force").exit_code == 0


def test_status_on_an_empty_database(cli) -> None:
    assert cli("init").exit_code == 0
    text = cli("status")
    assert text.exit_code == 0
    assert "Nothing imported yet" in text.output
    data = json.loads(cli("status", "--format", "json").stdout)
    assert data["kind"] == "status"
    assert data["holdings"] == []
    assert data["schema_version"] >= 1
    assert {"assetkit_version", "generated_at", "reporting_currency"} <= set(data)


def test_status_counts_rows_per_platform_and_kind(cli) -> None:
    from assetkit.store import open_store

    with open_store("assetkit.duckdb") as store:
        store.con.execute(
            "INSERT INTO import_batches VALUES (1, 'x.csv', 'x.csv', 'abc', 'etsy', 'orders', 'etsy_sold_orders', "
            "'utf-8', 2, 2, 0, 0, now(), now(), '0.1.0')")
        store.con.execute(
            "INSERT INTO orders (order_id, platform, channel, source_order_id, ordered_at, status, currency, "
            "gross_amount, batch_id, source_line) VALUES "
            "('etsy:1', 'etsy', 'marketplace', '1', '2024-03-02 00:00:00+00', 'completed', 'USD', 10, 1, 2),"
            "('etsy:2', 'etsy', 'marketplace', '2', '2024-05-02 00:00:00+00', 'completed', 'USD', 12, 1, 3)")
    data = json.loads(cli("status", "--format", "json").stdout)
    assert data["holdings"] == [{"platform": "etsy", "kind": "orders", "rows": 2,
                                 "first": "2024-03-02T00:00:00+00:00", "last": "2024-05-02T00:00:00+00:00"}]
    assert data["batches"][0]["file_name"] == "x.csv"
    assert data["rows_without_fx"] == 2
    assert "fx import" in cli("status").output


def test_status_without_database_exits_2_with_hint(run_cli, tmp_path: Path) -> None:
    result = run_cli("status", cwd=tmp_path)
    assert result.returncode == 2  # a configuration error (README: exit 2), not a failed operation
    assert result.stderr.startswith("Error: no database at")
    assert "Traceback" not in result.stderr


def test_bad_config_exits_2_naming_the_key(run_cli, tmp_path: Path) -> None:
    (tmp_path / "assetkit.yaml").write_text("gross_margin: 7\n", encoding="utf-8")
    result = run_cli("status", cwd=tmp_path)
    assert result.returncode == 2
    assert "'gross_margin'" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(run_cli, tmp_path: Path) -> None:
    (tmp_path / "assetkit.yaml").write_text("gross_margin: 7\n", encoding="utf-8")
    result = run_cli("--debug", "status", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_unknown_option_is_a_usage_error(run_cli, tmp_path: Path) -> None:
    result = run_cli("status", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2


def test_busy_database_exits_75_naming_the_holder(run_cli, tmp_path: Path) -> None:
    from assetkit.store.lock import StoreLock

    db = tmp_path / "assetkit.duckdb"
    with StoreLock(db, wait_seconds=0):
        result = run_cli("--wait", "0.2", "init", cwd=tmp_path)
    assert result.returncode == 75
    assert "pid" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_does_not_import_heavy_modules(run_cli, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.helpers.paths import REPO

    code = (
        "import sys\n"
        "sys.argv = ['assetkit', '--help']\n"
        "from assetkit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('duckdb', 'polars', 'numpy', 'scipy', 'jinja2', 'pandas', 'yaml') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert "Usage" in out.stdout
    assert "HEAVY=\n" in out.stdout, out.stdout[-300:]


def test_every_command_has_help_text() -> None:
    import typer.main

    from assetkit.cli import app

    group = typer.main.get_command(app)
    for name, command in group.commands.items():
        assert (command.help or "").strip(), f"command {name} has no help"
        sub = getattr(command, "commands", None)
        for sub_name, sub_command in (sub or {}).items():
            assert (sub_command.help or "").strip(), f"command {name} {sub_name} has no help"


def test_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.helpers.paths import REPO

    proc = subprocess.Popen([sys.executable, "-m", "assetkit", "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    proc.stdout.close()  # the reader went away before a line was read
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err
    assert "internal error" not in err
