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
from tests.conftest import REPO

SAMPLES = REPO / "tests" / "samples"


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
