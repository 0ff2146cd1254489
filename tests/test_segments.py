"""RFM scoring, lifecycle stages, migration candidates and `assetkit segments`."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetkit.analysis.segments import (
    analyse_segments,
    lifecycle,
    load_rules,
    name_segments,
    quintile_scores,
)
from assetkit.config import Config
from assetkit.errors import ConfigError
from tests.helpers.clv import insert_orders, new_store, shop_store


def cfg(**segments):
    return Config(gross_margin=0.3, discount_rate=0.1, raw={"clv": {"segments": segments}})


def test_quintiles_of_distinct_values_and_ties():
    assert list(quintile_scores(np.arange(10.0))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert len(set(quintile_scores(np.ones(7)))) == 1  # all tied: one shared score


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200))
@settings(max_examples=60, deadline=None)
def test_quintiles_are_monotone_and_in_range(values):
    v = np.array(values)
    q = quintile_scores(v)
    assert q.min() >= 1 and q.max() <= 5
    order = np.argsort(v, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)


def test_every_rf_pair_has_a_conventional_name():
    rules = load_rules()
    r, f = np.repeat(np.arange(1, 6), 5), np.tile(np.arange(1, 6), 5)
    names = name_segments(r, f, rules["rfm_map"])
    assert "Other" not in set(names)
    pick = dict(zip(zip(r, f), names))
    assert pick[(5, 5)] == "Champions" and pick[(1, 1)] == "Hibernating" and pick[(1, 5)] == "Can't Lose Them"
    assert pick[(2, 3)] == "At Risk" and pick[(4, 4)] == "Loyal" and pick[(5, 1)] == "New Customers"


def test_lifecycle_rules():
    th = load_rules()["lifecycle"]
    stage = lifecycle(np.array([1, 3, 3, 3, 1]), np.array([1.0, 0.9, 0.4, 0.1, 1.0]),
                      np.array([0.5, 1.0, 1.0, 1.0, 5.0]), th)
    assert list(stage) == ["first-time", "repeat", "at risk", "lost", "lost"]


def test_config_overrides_are_checked():
    assert load_rules(cfg(p_alive_lost=0.05))["lifecycle"]["p_alive_lost"] == 0.05
    with pytest.raises(ConfigError):
        load_rules(cfg(bogus=1))
    with pytest.raises(ConfigError):
        load_rules(cfg(p_alive_lost="high"))


def test_segments_on_a_shop(tmp_path):
    store = shop_store(tmp_path, n_repeat=60)
    store.con.execute("INSERT INTO inquiries (inquiry_id, platform, channel, source_inquiry_id, buyer_id, received_at, "
                      "batch_id, source_line) VALUES ('i1', 'alibaba', 'marketplace', 'i1', 'prospect-1', now(), 1, 1), "
                      "('i2', 'alibaba', 'marketplace', 'i2', 'b001', now(), 1, 2)")
    res = analyse_segments(store.con, cfg())
    assert res.prospects == 1  # b001 has ordered, so only the inquiry-only buyer is a prospect
    assert sum(g["n_buyers"] for g in res.segments) == 120
    assert sum(g["n_buyers"] for g in res.stages[1:]) == 120
    mig = res.migration
    assert len(mig) == 60 and all(m["first_platform"] == "alibaba" for m in mig)
    values = [m["value_of_moving"] for m in mig]
    assert values == sorted(values, reverse=True) and values[0] > 0
    assert all(m["value_of_moving"] == pytest.approx(0.08 / 0.22 * m["clv"]) for m in mig)
    emails = {m["buyer_id"]: m["has_email"] for m in mig}
    assert emails["b003"] is False and emails["b001"] is True  # every third buyer has no email
    doc = res.to_dict()
    assert len(doc["buyers"]) == 120 and {"segment", "stage", "rfm", "p_alive"} <= set(doc["buyers"][0])
    store.close()


def test_segments_without_repeat_buyers_still_score(tmp_path):
    store = new_store(tmp_path)
    insert_orders(store.con, [("a", "b1", "2024-01-01", 10.0), ("b", "b2", "2024-03-01", 50.0),
                              ("c", "b3", "2024-05-01", 20.0)])
    res = analyse_segments(store.con, cfg())
    assert res.clv_method == "none" and res.notes
    assert {b["stage"] for b in res.buyer_rows()} <= {"first-time", "at risk", "lost"}
    store.close()


def test_segments_cli_formats(cli, tmp_path):
    store = shop_store(tmp_path, n_repeat=60)
    store.con.execute("UPDATE buyers SET company = '=HYPERLINK(\"x\")' WHERE buyer_id = 'b001'")
    store.close()
    db = str(tmp_path / "t.duckdb")
    text = cli("--db", db, "segments", "--top", "5")
    assert text.exit_code == 0, text.output
    assert "RFM segments" in text.stdout and "Migration candidates" in text.stdout
    doc = json.loads(cli("--db", db, "segments", "--format", "json").stdout)
    assert doc["kind"] == "segments" and doc["migration_candidates"]
    rows = list(csv.DictReader(io.StringIO(cli("--db", db, "segments", "--format", "csv").stdout)))
    assert len(rows) == 60
    assert [r["company"] for r in rows if r["buyer_id"] == "b001"] == ["'=HYPERLINK(\"x\")"]


def test_platform_rules_exclude_or_flag_migration_candidates(tmp_path):
    """Buyers met on Etsy (moving them is forbidden) leave the list, with a note; buyers met on
    Upwork within 24 months stay, flagged, valued net of the conversion fee."""
    store = shop_store(tmp_path, n_repeat=60)
    plain = {m["buyer_id"]: m for m in analyse_segments(store.con, cfg()).migration}
    store.con.execute("UPDATE buyers SET first_platform = 'upwork' WHERE buyer_id IN ('b001', 'b003')")
    store.con.execute("UPDATE buyers SET first_platform = 'etsy' WHERE buyer_id IN ('b005', 'b007')")
    res = analyse_segments(store.con, cfg())
    mig = {m["buyer_id"]: m for m in res.migration}
    assert "b005" not in mig and "b007" not in mig and len(mig) == len(plain) - 2
    assert any("2 buyer(s) first met on etsy" in n for n in res.notes)
    up = mig["b001"]
    assert up["platform_rule"].startswith("upwork: conversion fee for 24 months")
    b = res.buyers
    i = list(b["buyer_id"]).index("b001")
    assert up["conversion_fee"] == pytest.approx(0.12 * b["clv"][i] / (0.3 - b["fee_share"][i]))
    assert up["value_of_moving"] == pytest.approx(plain["b001"]["value_of_moving"] - up["conversion_fee"])
    assert mig["b009"]["platform_rule"] is None and mig["b009"]["conversion_fee"] == 0
    values = [m["value_of_moving"] for m in res.migration]
    assert values == sorted(values, reverse=True)
    store.close()


def test_segment_p_alive_does_not_read_one_time_buyers_as_alive(tmp_path):
    store = shop_store(tmp_path, n_repeat=60)
    res = analyse_segments(store.con, cfg())
    rows = res.buyer_rows()
    for seg in res.segments:
        members = [r for r in rows if r["segment"] == seg["name"]]
        repeat = [r["p_alive"] for r in members if r["occasions"] >= 2]
        assert seg["mean_p_alive_repeat"] == (pytest.approx(np.mean(repeat)) if repeat else None)
        assert seg["active_share"] == pytest.approx(np.mean([r["stage"] in ("first-time", "repeat")
                                                             for r in members]))
    # days since the last occasion are whole days, without float noise
    assert all(float(r["days_since_last"]).is_integer() for r in rows)
    store.close()
