"""Analyses leave no working table behind on the caller's connection (issue 23 item 4): a
report runs many of them on one connection, and a table left over from one could be read by
the next under its fixed name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assetkit.store import open_store
from assetkit.store.sql import working_tables
from tests.helpers.report import build_database


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    return build_database(tmp_path_factory.mktemp("wt"))


def _temps(con) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1").fetchall()]


def test_working_tables_are_dropped_also_on_an_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "w.duckdb") as store:
        with pytest.raises(ZeroDivisionError), working_tables(store.con, "_ak_a", "_ak_b"):
            store.con.execute("CREATE TEMP TABLE _ak_a AS SELECT 1 AS x")
            1 / 0  # noqa: B018 - the error the context must survive
        assert _temps(store.con) == []


@pytest.mark.parametrize("analysis", ["fees", "funnel", "follow-ups", "platform cost"])
def test_an_analysis_leaves_no_temp_table(database: Path, analysis: str) -> None:
    from assetkit.analysis.economics import analyse_fees, analyse_funnel
    from assetkit.analysis.economics.platform_cost import platform_cost
    from assetkit.analysis.followups import due_actions
    from assetkit.config import Config

    run = {"fees": lambda con: analyse_fees(con, None),
           "funnel": lambda con: analyse_funnel(con, None),
           "follow-ups": lambda con: due_actions(con, None),
           "platform cost": lambda con: platform_cost(con, Config(), dt.date(2020, 1, 1), dt.date(2030, 1, 1))}[analysis]
    with open_store(database) as store:
        run(store.con)
        assert _temps(store.con) == []
