"""Golden files: every sample export imports to the canonical result kept in tests/golden/.

Regenerate deliberately with `pytest --regen tests/test_import_golden.py` (or ASSETKIT_REGEN_GOLDEN=1)
(the tests then skip with a reminder to review `git diff tests/golden`); a missing or
different golden file fails, never silently passes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.imports import counts, dump

HERE = Path(__file__).parent
SAMPLES = sorted(p for p in (HERE / "samples").iterdir() if p.is_file())  # real/: own tests
GOLDEN = HERE / "golden"


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
@pytest.mark.parametrize("fast", [False, True], ids=["python-path", "fast-path"])
def test_sample_imports_to_its_golden_result(sample: Path, fast: bool, tmp_path: Path, regen) -> None:
    from assetkit.importers import import_paths
    from assetkit.store import open_store

    with open_store(tmp_path / "g.duckdb") as store:
        (result,) = import_paths(store, [sample], fast_min_bytes=0 if fast else 1 << 40)
        again = import_paths(store, [sample])[0]
        actual = {"result": counts(result), "tables": dump(store.con)}
    # Idempotent: the second import of the same file adds nothing (its quarantined rows are
    # known, so they count as duplicates too: a sample may show a row that must be rejected).
    assert again.loaded == 0
    assert again.duplicate == result.loaded + result.duplicate + result.rejected
    assert result.rows_read == result.loaded + result.duplicate + result.rejected + result.skipped
    golden = GOLDEN / (sample.name + ".json")
    if regen("ASSETKIT_REGEN_GOLDEN"):
        if not fast:
            golden.write_text(json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {golden.name}: review `git diff tests/golden` before committing")
    assert golden.exists(), f"no golden file for {sample.name}: run pytest --regen tests/test_import_golden.py and review it"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert actual == expected
