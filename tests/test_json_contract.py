"""`--format json` is a contract: each command's document keeps its shape (issue 23).

The shape is every key path with the JSON types found there (lists merged over their items),
taken on a fixed fixture business (tests/helpers/report.py) and kept in tests/golden/json/.
A renamed, dropped or retyped field fails here before it breaks a user's script; a deliberate
change is regenerated with `pytest --regen tests/test_json_contract.py` (or ASSETKIT_REGEN_GOLDEN=1)
and reviewed in the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.report import build_database

GOLDEN = Path(__file__).parent / "golden" / "json"
COMMANDS = ["status", "fees", "funnel", "clv", "cohorts", "segments", "scenario", "leads", "follow-ups", "plan",
            "platforms", "rejects", "site-signals", "db check"]


def shape(value: Any) -> Any:
    """Keys (sorted) and JSON type names; a list is one merged shape of its items."""
    if isinstance(value, dict):
        return {str(k): shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = merge(merged, shape(item))
        return [merged] if value else []
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def merge(a: Any, b: Any) -> Any:
    """The shape that covers both: dicts key by key, lists item-wise, types as `a|b`."""
    if a is None:
        return b
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a.get(k, "absent"), b.get(k, "absent")) if k in a and k in b else
                merge(a.get(k), "absent") if k in a else merge("absent", b[k]) for k in sorted(set(a) | set(b))}
    if isinstance(a, list) and isinstance(b, list):
        return [merge(a[0] if a else None, b[0] if b else None)] if (a or b) else []
    if a == b:
        return a
    names = set()
    for part in (a, b):
        names.update(part.split("|") if isinstance(part, str) else [json.dumps(part, sort_keys=True)])
    return "|".join(sorted(names))


def test_shape_merges_items_and_types() -> None:
    doc = {"rows": [{"a": 1, "b": None}, {"a": 2.5, "b": "x", "c": True}], "n": 0}
    assert shape(doc) == {"n": "number", "rows": [{"a": "number", "b": "null|string", "c": "absent|boolean"}]}


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    return build_database(tmp_path_factory.mktemp("json"))


@pytest.mark.parametrize("command", COMMANDS)
def test_json_document_keeps_its_shape(cli, database: Path, command: str, regen) -> None:
    done = cli("--db", str(database), *command.split(), "--format", "json")
    assert done.exit_code == 0, done.output
    actual = shape(json.loads(done.stdout))
    golden = GOLDEN / f"{command.replace(' ', '_')}.json"
    if regen("ASSETKIT_REGEN_GOLDEN"):
        golden.write_text(json.dumps(actual, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {golden.name}: review `git diff tests/golden/json`")
    assert golden.exists(), f"no golden shape for {command}: run pytest --regen tests/test_json_contract.py and review it"
    assert actual == json.loads(golden.read_text(encoding="utf-8"))
