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


# A BOM touching every column the CycloneDX parser fills: a party with identifiers, repeated
# properties and a group (properties JSON), duplicate licenses, a model year, nesting, pedigree,
# authors and dependencies.
ROWS_BOM = {
    "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:00000000-0000-4000-8000-00000000000a",
    "metadata": {"timestamp": "2026-03-01T00:00:00Z",
                 "component": {"type": "device", "bom-ref": "tcu", "name": "TCU", "version": "B2",
                               "properties": [{"name": "cdx:automotive:modelYear", "value": "2027"}]},
                 "supplier": {"name": "Tier 1 GmbH", "address": {"country": "DE"}}},
    "components": [
        {"type": "device", "bom-ref": f"m{n}", "name": f"module {n}", "group": "acme", "version": "A1",
         "supplier": {"bom-ref": f"org-{n % 3}", "name": f"Supplier {n % 3}", "url": ["https://s.example"],
                      "contact": [{"email": "sales@s.example"}], "address": {"country": "China"}},
         "licenses": [{"license": {"id": "MIT"}}, {"expression": "MIT"}, {"license": {"name": "Custom"}}],
         "properties": [{"name": "fn", "value": "modem"}, {"name": "fn", "value": "gnss"}],
         "authors": [{"name": "Greg", "email": "greg@k.example"}], "publisher": "kernel.org",
         "components": [{"type": "firmware", "name": f"firmware {n}", "cpe": "cpe:2.3:o:x:y:1:*:*:*:*:*:*:*",
                         "pedigree": {"patches": [{"type": "backport"}]}}]}
        for n in range(12)
    ],
    "dependencies": [{"ref": "tcu", "dependsOn": [f"m{n}" for n in range(12)]}],
}


@pytest.mark.parametrize("chunk", [5, 50_000])
def test_facts_handed_over_as_rows_are_stored_as_the_same_facts_given_as_records(space, tmp_path, monkeypatch, chunk):
    """The CycloneDX parser hands its facts over as FactRows; the store writes them exactly as it
    writes the same facts given one record at a time (how other parsers hand theirs over)."""
    import orjson

    from cvrule.ingest.cyclonedx import parse_json
    from cvrule.ingest.facts import FactStream
    from cvrule.ingest.limits import Limits
    from cvrule.store import audit, database

    monkeypatch.setattr(database, "_CHUNK", chunk)
    path = tmp_path / "bom.json"
    path.write_bytes(orjson.dumps(ROWS_BOM))
    as_rows = parse_json(path, Limits())
    assert isinstance(as_rows.facts, FactStream)
    records = list(parse_json(path, Limits()).facts)
    space.create()
    with Store(space.store_path) as store:
        store.ingest("rows.json", "a" * 64, 1, lambda: (as_rows.source, as_rows.facts))
        store.ingest("records.json", "b" * 64, 1, lambda: (as_rows.source, iter(records)))
        digests = audit.fact_digests(store)
        items = store.rows("items", "WHERE source_id = ?", ["a" * 64])
        parties = store.rows("parties", "WHERE source_id = ?", ["a" * 64])
    assert digests["a" * 64] == digests["b" * 64]
    assert set(digests["a" * 64]) == {"items", "parties", "role_mentions", "item_links"}
    module = next(row for row in items if row["key"] == "m0")
    assert orjson.loads(module["properties"]) == {"cyclonedx:group": "acme", "fn": "modem", "fn#2": "gnss"}
    assert (module["licenses"], module["model_year"]) == (["MIT", "Custom"], None)
    assert {row["key"]: orjson.loads(row["identifiers"]) for row in parties}["org-0"] == {
        "url": "https://s.example", "email": "sales@s.example"}


def test_writing_facts_leaves_the_garbage_collector_as_it_found_it(space):
    import gc

    space.create()
    with Store(space.store_path) as store:
        assert gc.isenabled()
        store.ingest("a.json", "a" * 64, 1, lambda: (SourceInfo("test"), iter([PartyFact("a", "A Co.", "/0")])))
        assert gc.isenabled()

        def broken():
            yield PartyFact("b", "B Co.", "/0")
            raise InputError("b.json", "/1", "expected an object")

        with pytest.raises(InputError):
            store.ingest("b.json", "b" * 64, 1, lambda: (SourceInfo("test"), broken()))
        assert gc.isenabled()


@pytest.mark.parametrize("field, value", [("description", "d" * 300), ("licenses", [{"expression": "L" * 300}])])
def test_a_text_over_the_limit_is_refused_at_its_fact_however_the_facts_arrive(space, tmp_path, field, value):
    import orjson

    from cvrule.ingest.cyclonedx import parse_json
    from cvrule.ingest.limits import Limits

    components = [{"type": "library", "name": f"c{n}"} for n in range(4)]
    components[2][field] = value
    path = tmp_path / "bom.json"
    path.write_bytes(orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components}))
    space.create()
    with Store(space.store_path) as store:
        for name, facts in (("rows", lambda: parse_json(path, Limits()).facts),
                            ("records", lambda: iter(list(parse_json(path, Limits()).facts)))):
            with pytest.raises(InputError, match="over the limit max_string_bytes=200") as refused:
                store.ingest(name, name * 32, 1, lambda: (SourceInfo("test"), facts()), max_string_bytes=200)
            assert refused.value.location == "/components/2"
            assert f"{field} is 300 bytes long" in str(refused.value)


def test_two_stores_of_one_file_in_one_process_see_the_same_database(space):
    space.create()
    with Store(space.store_path) as first, Store(space.store_path) as second:
        first.ingest("a.json", "a" * 64, 1, lambda: (SourceInfo("test"), [PartyFact("a", "A Co.", "/0")]))
        assert [row["name"] for row in second.rows("parties")] == ["A Co."]
    with Store(space.store_path) as again:  # the file is closed and opened afresh
        assert again.counts()["parties"] == 1


def test_the_store_file_is_written_in_row_groups_of_65536_rows_and_released_on_close(space):
    import duckdb

    space.create()
    facts = [PartyFact(f"p{n}", f"Party {n}", f"/{n}") for n in range(70_000)]
    with Store(space.store_path) as store:
        store.ingest("many.json", "m" * 64, 1, lambda: (SourceInfo("test"), facts))
        [(groups,)] = store._con.execute(
            "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('parties')").fetchall()
    assert groups == 2
    con = duckdb.connect(str(space.store_path))  # no lock or attachment left behind in this process
    assert con.execute("SELECT count(*) FROM parties").fetchone() == (70_000,)
    con.close()
