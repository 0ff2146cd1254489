"""docs/cli.md is generated from the commands' own --help; this test fails when it is stale.

Regenerate with: pytest --regen tests/test_cli_reference.py (or ASSETKIT_REGEN_DOCS=1)
"""

from __future__ import annotations

import pytest

from tests.helpers.paths import REPO

DOC = REPO / "docs" / "cli.md"


def _commands():  # noqa: ANN202 - yields (path, click command)
    import typer.main

    from assetkit.cli import app

    root = typer.main.get_command(app)

    def walk(cmd, path):  # noqa: ANN001, ANN202
        yield path, cmd
        for name in sorted(getattr(cmd, "commands", {}) or {}):
            yield from walk(cmd.commands[name], [*path, name])

    yield from walk(root, [])


def render_reference() -> str:
    from typer.testing import CliRunner

    from assetkit.cli import app

    runner = CliRunner()
    parts = ["# Command-line reference", "",
             "Generated from `assetkit … --help` by `tests/test_cli_reference.py` "
             "(`pytest --regen tests/test_cli_reference.py` regenerates it).", ""]
    for path, _ in _commands():
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"},
                               prog_name="assetkit")
        assert result.exit_code == 0, (path, result.output)
        title = " ".join(["assetkit", *path])
        parts += [f"## `{title}`", "", "```text", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


def test_cli_reference_is_current(regen) -> None:
    text = render_reference()
    if regen("ASSETKIT_REGEN_DOCS"):
        DOC.write_text(text, encoding="utf-8")
        pytest.skip("docs/cli.md regenerated: review the diff")
    assert DOC.exists(), "docs/cli.md is missing: pytest --regen tests/test_cli_reference.py"
    assert DOC.read_text(encoding="utf-8") == text, \
        "docs/cli.md is stale: pytest --regen tests/test_cli_reference.py, then review the diff"
