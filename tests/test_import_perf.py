"""Fast paths of the importer: re-import short-circuit (same bytes, profile and version are not
parsed again, yet counted exactly as a full re-import), run-wide settings, buyer platforms."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assetkit.errors import SourceError
from assetkit.importers import import_file, import_paths
from assetkit.store import open_store
from assetkit.store.maintenance import check_database

SAMPLES = Path(__file__).parent / "samples"
ROWS = ("order_id,order_date,buyer_id,buyer_email,amount,currency,fee,status\n"
        "A1,2024-03-01,u1,a@example.com,10.00,USD,1.00,paid\n"
        "A2,2024-13-45,u2,b@example.com,5,USD,,paid\n"          # rejected: bad date
        "A3,2024-03-02,u3,c@example.com,12.00,USD,,paid\n"
        "A1,2024-03-01,u1,a@example.com,10.00,USD,1.00,paid\n")  # duplicate inside the file


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "t.duckdb") as s:
        yield s


def counts(r) -> tuple:
    return (r.profile, r.rows_read, r.loaded, r.duplicate, r.rejected, r.skipped, r.error)


def test_same_bytes_twice_reuse_the_first_batch_with_the_counts_a_full_reimport_gives(store, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(ROWS, encoding="utf-8")
    first = import_file(store, path)
    assert counts(first) == ("generic_orders", 4, 2, 1, 1, 0, None)
    assert first.reused_batch is None
    second = import_file(store, path)
    assert second.reused_batch == first.batch_id
    assert second.batch_id != first.batch_id
    # One byte more (a trailing blank line) means a different sha256: the full path runs and
    # must agree with the short-circuit on every count.
    changed = tmp_path / "o2.csv"
    changed.write_bytes(path.read_bytes() + b"\n")
    full = import_file(store, changed)
    assert full.reused_batch is None
    # The same bytes again: the quarantined row is already stored, so it is a duplicate now.
    assert counts(second) == ("generic_orders", 4, 0, 4, 0, 0, None)
    assert second.rejects == []
    # Other bytes under another name: its bad row is quarantined for that file.
    assert counts(full) == ("generic_orders", 4, 0, 3, 1, 0, None)
    assert [(x.line, x.column) for x in full.rejects] == [(3, "order_date")]
    per_batch = dict(store.query("SELECT batch_id, count(*) FROM rejects GROUP BY 1"))
    assert per_batch == {first.batch_id: 1, full.batch_id: 1}
    assert store.query("SELECT count(*) FROM orders")[0][0] == 2
    assert check_database(store).ok, check_database(store).problems


def test_skipped_rows_are_counted_again_and_the_database_checks(store, tmp_path: Path) -> None:
    sample = SAMPLES / "amazon_settlement_v2.tsv"
    first = import_file(store, sample)
    assert first.skipped > 0
    copy = tmp_path / "again.tsv"
    shutil.copy(sample, copy)
    again = import_paths(store, [copy])[0]
    assert again.reused_batch == first.batch_id
    assert (again.rows_read, again.loaded, again.skipped, again.rejected) == (first.rows_read, 0, first.skipped, 0)
    assert again.duplicate == first.loaded + first.duplicate + first.rejected
    assert store.query("SELECT rows_skipped FROM import_batch_counts WHERE batch_id = ?", [again.batch_id]) == [(first.skipped,)]
    assert check_database(store).ok, check_database(store).problems


def test_strict_with_earlier_rejects_and_dry_run_take_the_usual_routes(store, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(ROWS, encoding="utf-8")
    import_file(store, path)
    with pytest.raises(SourceError, match="--strict refuses"):
        import_file(store, path, strict=True)
    batches = store.query("SELECT count(*) FROM import_batches")[0][0]
    dry = import_file(store, path, dry_run=True)
    assert dry.reused_batch is not None
    assert dry.duplicate == 4
    assert store.query("SELECT count(*) FROM import_batches")[0][0] == batches


def test_a_user_mapping_never_reuses(store, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("ref,when,total,ccy\nX1,2024-01-02,5.00,USD\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: orders\nplatform: alibaba\ncolumns:\n  order_id: ref\n  order_date: when\n"
                       "  amount: total\n  currency: ccy\n", encoding="utf-8")
    import_file(store, path, mapping=mapping)
    again = import_file(store, path, mapping=mapping)
    assert again.reused_batch is None
    assert (again.loaded, again.duplicate) == (0, 1)


def test_generic_rows_name_the_buyers_platform_and_channel(store, tmp_path: Path) -> None:
    """A generic export's `platform` column is where the buyer was met, not 'generic'."""
    path = tmp_path / "g.csv"
    path.write_text("order_id,order_date,buyer_id,buyer_email,amount,currency,platform\n"
                    "G1,2024-02-01,acme,,10.00,USD,Alibaba\n"
                    "G2,2024-01-05,zed,zed@example.com,7.00,USD,madeinchina\n"
                    "G3,2024-03-01,zed,zed@example.com,7.00,USD,alibaba\n"
                    "G4,2024-03-02,solo,,3.00,USD,\n", encoding="utf-8")
    r = import_file(store, path)
    assert (r.loaded, r.rejected, r.new_buyers) == (4, 0, 3)
    buyers = dict((ref, (plat, chan)) for ref, plat, chan in store.query(
        "SELECT i.platform_ref, b.first_platform, b.first_channel FROM buyers b "
        "JOIN buyer_identities i USING (buyer_id) WHERE i.platform_ref IN ('acme', 'zed', 'solo')"))
    # zed's earliest row (2024-01-05) came through madeinchina; a row without a platform is generic.
    assert buyers == {"acme": ("alibaba", "marketplace"), "zed": ("madeinchina", "marketplace"),
                      "solo": ("generic", "other")}
    identities = store.query("SELECT platform, platform_ref FROM buyer_identities ORDER BY 1, 2")
    assert identities == [("alibaba", "acme"), ("alibaba", "zed"), ("generic", "solo"), ("madeinchina", "zed")]


def test_run_settings_are_restored_and_the_memory_cap_only_lowers(store, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "o.csv"
    path.write_text(ROWS, encoding="utf-8")
    default = store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    seen = []
    import_paths(store, [path], progress=lambda p: seen.append(
        store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
    assert store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
    store.con.execute("SET memory_limit = '2.5GiB'")
    import_paths(store, [path], progress=lambda p: seen.append(
        store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
    assert seen == ["953.6 MiB", "953.6 MiB"]  # the 1GB cap while importing
    assert store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "2.5 GiB"
    monkeypatch.setenv("ASSETKIT_IMPORT_MEMORY", "8GB")
    import_paths(store, [path], progress=lambda p: seen.append(
        store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
    assert seen[-1] == "2.5 GiB"  # never raised
    # The optimizer, switched off for small files, is back on after the file.
    plan = store.con.execute("EXPLAIN SELECT * FROM orders WHERE 1 = 0").fetchall()
    assert "Empty Result" in str(plan)  # constant folding: the optimizer at work


def test_a_file_that_does_not_fit_under_the_cap_runs_again_uncapped(store, tmp_path: Path, monkeypatch) -> None:
    import duckdb

    from assetkit.importers import engine

    path = tmp_path / "o.csv"
    path.write_text(ROWS, encoding="utf-8")
    limits, real = [], engine._import_one

    def flaky(st, *args):
        limits.append(st.con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        if len(limits) == 1:
            raise duckdb.OutOfMemoryException("could not allocate block")
        return real(st, *args)

    default = store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    monkeypatch.setattr(engine, "_import_one", flaky)
    (r,) = import_paths(store, [path])
    # The limit reads back rounded, so setting it again may land 0.1 GiB lower.
    assert limits[0] == "953.6 MiB"
    assert engine._bytes(limits[1]) >= 0.99 * engine._bytes(default)
    assert len(limits) == 2
    assert r.ok
    assert r.loaded == 2
    assert store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
    assert store.query("SELECT count(*) FROM import_batches") == [(1,)]


def test_a_full_reimport_of_the_same_file_adds_no_reject(store, tmp_path: Path) -> None:
    """Parsed afresh (a run naming its store never reuses), the same file's bad rows are the
    rows already quarantined: counted as duplicates, not stored twice."""
    path = tmp_path / "o.csv"
    path.write_text(ROWS, encoding="utf-8")
    first = import_file(store, path)
    again = import_file(store, path, store_name="shop")
    assert again.reused_batch is None
    assert (again.rejected, again.rejects) == (0, [])
    assert store.query("SELECT count(*) FROM rejects")[0][0] == first.rejected == 1
    assert check_database(store).ok, check_database(store).problems


def test_the_same_file_name_with_a_new_bad_row_quarantines_only_the_new_one(store, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(ROWS, encoding="utf-8")
    import_file(store, path)
    path.write_text(ROWS + "A9,2024-02-30,u9,z@example.com,3,USD,,paid\n", encoding="utf-8")
    again = import_file(store, path)
    assert [(x.line, x.raw) for x in again.rejects] == [(6, "2024-02-30")]
    assert store.query("SELECT count(*) FROM rejects")[0][0] == 2
