"""The store: each file is one transaction; unchanged files are no-ops; a changed file replaces
its own facts and nothing else; a failure writes nothing; every input is kept as evidence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cvrule.errors import InputError
from cvrule.ingest.facts import ItemFact, PartyFact, SourceInfo
from cvrule.ingest.load import ingest_paths
from cvrule.store import Store
from cvrule.workspace import Workspace, sha256_file

CASES = Path(__file__).parents[1] / "cases"
WIFI = CASES / "791_302" / "russian-made-wifi-module-for-model-year-2031-is-prohibited.yaml"
GERMAN = CASES / "791_302" / "german-tcu-with-only-german-parties-is-allowed-with-a-declaration.yaml"


@pytest.fixture
def space(tmp_path) -> Workspace:
    return Workspace(tmp_path / "ws")


def _copy(tmp_path: Path, source: Path, name: str) -> Path:
    target = tmp_path / "inputs" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _parties(space: Workspace) -> list[str]:
    with Store(space.store_path) as store:
        return sorted(r["name"] for r in store.rows("parties"))


def test_a_case_file_loads_as_facts_with_their_locations(space, tmp_path):
    path = _copy(tmp_path, WIFI, "wifi.yaml")
    [outcome] = ingest_paths(space, [path])
    assert outcome.outcome == "loaded" and outcome.format == "cvrule-case" and outcome.facts > 0
    with Store(space.store_path) as store:
        items = store.rows("items")
        mentions = store.rows("role_mentions")
    assert items and all(row["location"].startswith("items.") for row in items)
    assert all(row["party"] for row in mentions)


def test_re_ingesting_an_unchanged_file_is_a_no_op(space, tmp_path):
    path = _copy(tmp_path, WIFI, "wifi.yaml")
    ingest_paths(space, [path])
    with Store(space.store_path) as store:
        before = store.counts()
    [again] = ingest_paths(space, [path])
    assert again.outcome == "unchanged"
    with Store(space.store_path) as store:
        assert store.counts() == before


def test_a_changed_file_replaces_its_own_facts_and_nothing_else(space, tmp_path):
    wifi = _copy(tmp_path, WIFI, "wifi.yaml")
    german = _copy(tmp_path, GERMAN, "german.yaml")
    ingest_paths(space, [wifi, german])
    german_parties = set(_parties(space)) - set(_names_in(WIFI))
    text = wifi.read_text()
    wifi.write_text(text.replace("name: Lakeshore", "name: Lakeshore Renamed", 1) if "name: Lakeshore" in text else text + "\n# edited\n")
    [outcome] = ingest_paths(space, [wifi])
    assert outcome.outcome == "loaded"
    after = set(_parties(space))
    assert german_parties <= after
    with Store(space.store_path) as store:
        assert store.counts()["sources"] == 2
        assert len(store.rows("sources")) == 2


def _names_in(case: Path) -> list[str]:
    from cvrule.cases import load_case

    return [p.name for p in load_case(case).scenario.parties.values()]


def test_a_failure_part_way_through_a_file_writes_nothing(space, tmp_path):
    space.create()

    def facts():
        yield PartyFact("a", "First Co.", "/0")
        yield ItemFact("i", "Item", "/1", "hardware")
        raise InputError("broken.json", "/2", "expected an object")

    with Store(space.store_path) as store:
        with pytest.raises(InputError):
            store.ingest("broken.json", "f" * 64, 10, lambda: (SourceInfo("test"), facts()))
        assert store.counts() == {k: 0 for k in store.counts()}
        assert store.source_of("broken.json") is None


def test_a_bad_file_is_reported_and_the_other_files_still_load(space, tmp_path):
    good = _copy(tmp_path, WIFI, "wifi.yaml")
    bad = tmp_path / "inputs" / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [')
    notes = tmp_path / "inputs" / "notes.txt"
    notes.write_text("not an input format")
    outcomes = {Path(o.path).name: o for o in ingest_paths(space, [tmp_path / "inputs"])}
    assert outcomes["wifi.yaml"].outcome == "loaded"
    assert outcomes["bad.json"].outcome == "failed" and "bad.json" in outcomes["bad.json"].message
    # documentation found in a folder is skipped, not an error (tests/ingest/test_folders.py)
    assert outcomes["notes.txt"].outcome == "skipped" and "skipped: not an input" in outcomes["notes.txt"].message
    assert "Traceback" not in outcomes["bad.json"].message
    with Store(space.store_path) as store:
        log = store.rows("ingest_log")
    assert {row["outcome"] for row in log} == {"loaded", "failed", "skipped"}


def test_the_same_content_under_two_paths_is_stored_once_and_survives_a_change_to_one(space, tmp_path):
    first = _copy(tmp_path, WIFI, "first.yaml")
    second = _copy(tmp_path, WIFI, "second.yaml")
    outcomes = ingest_paths(space, [first, second])
    assert [o.outcome for o in outcomes] == ["loaded", "same-content"]
    with Store(space.store_path) as store:
        once = store.counts()
    assert once["sources"] == 2  # two paths ...
    first.write_text(GERMAN.read_text())
    ingest_paths(space, [first])
    assert set(_names_in(WIFI)) <= set(_parties(space))  # ... the second still holds the original facts


def test_every_loaded_input_is_kept_as_evidence_under_its_hash(space, tmp_path):
    path = _copy(tmp_path, WIFI, "wifi.yaml")
    [outcome] = ingest_paths(space, [path])
    kept = space.evidence_path(outcome.source_id)
    assert kept.read_bytes() == path.read_bytes()
    assert sha256_file(kept)[0] == outcome.source_id
