"""A resolution run keeps each written form's outcome once (`resolution_forms`) and the view
`resolution_mentions` gives every mention of the files it read its form's outcome: a large fleet's
millions of mentions are not written again per run."""

from __future__ import annotations

import shutil

import duckdb

from cvrule.ingest.load import ingest_paths
from cvrule.resolve import ResolveSettings, resolve_store
from cvrule.store import Store
from cvrule.store.resolution import ResolutionStore
from cvrule.store.schema import MIGRATIONS
from cvrule.workspace import Workspace

from conftest import REPO

BOMS = REPO / "examples" / "demo-fleet" / "boms"
SETTINGS = ResolveSettings(workers=1)


def _space(tmp_path, *names: str) -> Workspace:
    folder = tmp_path / "inputs"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(BOMS / name, folder / name)
    space = Workspace(tmp_path / "ws")
    ingest_paths(space, [folder])
    return space


def _mentions(store: Store) -> list[tuple]:
    return store._con.execute("SELECT * EXCLUDE (run_id) FROM resolution_mentions ORDER BY ALL").fetchall()


def test_a_run_writes_each_form_once_and_the_view_gives_every_mention_its_outcome(tmp_path):
    space = _space(tmp_path, "lakeshore-lt5-tcu.cdx.json", "corvina-civ7-ivi-2028.cdx.json")
    with Store(space.store_path) as store:
        report = resolve_store(store, SETTINGS)
        con = store._con
        [(forms,)] = con.execute("SELECT count(*) FROM resolution_forms").fetchall()
        [(mentions, runs)] = con.execute("SELECT count(*), count(DISTINCT run_id) FROM resolution_mentions").fetchall()
        [(written_ways,)] = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT name, role FROM role_mentions)").fetchall()
        [(role_mentions,)] = con.execute("SELECT count(*) FROM role_mentions").fetchall()
    assert mentions == role_mentions == report.counts["mentions"]
    assert runs == 1
    assert written_ways <= forms < mentions  # one row per way of writing a party, not per mention


def test_a_file_loaded_after_the_run_has_no_results_until_the_next_run(tmp_path):
    space = _space(tmp_path, "lakeshore-lt5-tcu.cdx.json")
    with Store(space.store_path) as store:
        resolve_store(store, SETTINGS)
        before = _mentions(store)
    late = tmp_path / "late"
    late.mkdir()
    shutil.copy(BOMS / "kitakaze-cgw3-gateway.cdx.json", late)
    ingest_paths(space, [late])
    with Store(space.store_path) as store:
        assert _mentions(store) == before  # the results are the run's: nothing of the new file yet
        resolve_store(store, SETTINGS)
        after = _mentions(store)
        [(role_mentions,)] = store._con.execute("SELECT count(*) FROM role_mentions").fetchall()
    assert set(before) < set(after) and len(after) == role_mentions


def test_a_judgement_relinks_every_mention_of_its_subject_at_once(tmp_path):
    space = _space(tmp_path, "lakeshore-lt5-tcu.cdx.json", "corvina-civ7-ivi-2028.cdx.json")
    with Store(space.store_path) as store:
        resolve_store(store, SETTINGS)
        resolution = ResolutionStore(store)
        [(subject, count)] = store._con.execute(
            "SELECT subject_key, count(*) FROM resolution_mentions WHERE method IS DISTINCT FROM 'file' "
            "GROUP BY subject_key HAVING count(*) > 1 ORDER BY count(*) DESC, subject_key LIMIT 1").fetchall()
        resolution.relink_subject(subject, None, "unresolved", None, "rejected by an analyst")
        rows = resolution.mention_results("WHERE subject_key = ?", [subject])
    assert len(rows) == count
    assert {(row["status"], row["party_ref"], row["reason"]) for row in rows} == {
        ("unresolved", None, "rejected by an analyst")}


def test_a_store_with_per_mention_results_opens_with_the_view_and_the_next_run_fills_it(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for number, script in enumerate(MIGRATIONS[:-1], start=1):
        for statement in filter(str.strip, script.split(";")):
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?)", [number])
    con.execute("INSERT INTO resolution_mentions (run_id, source_id, item, role, subject_key, status) "
                "VALUES ('old-run', 'src', 'item', 'supplied_by', 'key', 'linked')")
    con.close()
    with Store(path) as store:
        kinds = dict(store._con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_name LIKE 'resolution_%'"
        ).fetchall())
        assert kinds["resolution_mentions"] == "VIEW" and kinds["resolution_forms"] == "BASE TABLE"
        assert _mentions(store) == []  # derived data of the old run: the next run writes it anew
