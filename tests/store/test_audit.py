"""The audit log: every writing operation appends one entry in the transaction of its writes, the
entries chain by hash, and a store that predates the log gets a baseline of what it holds."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cvrule.errors import InputError
from cvrule.ingest.facts import PartyFact, SourceInfo
from cvrule.ingest.load import ingest_paths
from cvrule.store import Store, audit
from cvrule.store.schema import AUDIT_MIGRATION, MIGRATIONS
from cvrule.workspace import Workspace

CASES = Path(__file__).parents[1] / "cases"
WIFI = CASES / "791_302" / "russian-made-wifi-module-for-model-year-2031-is-prohibited.yaml"


@pytest.fixture
def space(tmp_path) -> Workspace:
    return Workspace(tmp_path / "ws")


def test_append_chains_entries_and_verify_accepts_the_chain(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        first = audit.append(store, "ana", "assess", "run-1", {"vehicles": 12, "as_of": date(2030, 1, 1)})
        second = audit.append(store._con, None, "assess", "run-2", {})
        [start] = audit.entries(store, action="audit-start")  # the log's own first entry
        assert start.prev_hash == audit.GENESIS and first.prev_hash == start.hash and second.prev_hash == first.hash
        assert (first.seq, second.seq) == (2, 3)
        assert first.detail == {"as_of": "2030-01-01", "vehicles": 12}
        assert audit.head(store) == (3, second.hash)
        report = audit.verify(store)
        assert report.ok and report.entries == 3
        assert [e.subject for e in audit.entries(store, action="assess")] == ["run-1", "run-2"]


def test_an_entry_appended_in_a_rolled_back_transaction_is_gone_with_it(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        before = audit.head(store)
        with pytest.raises(RuntimeError):
            with store.transaction():
                audit.append(store, "ana", "assess", "run-1", {})
                raise RuntimeError("the assessment failed half way")
        assert audit.head(store) == before


def test_a_failed_ingest_leaves_no_audit_entry(tmp_path):
    def facts():
        yield PartyFact("a", "First Co.", "/0")
        raise InputError("broken.json", "/1", "expected an object")

    with Store(tmp_path / "s.duckdb") as store:
        before = audit.head(store)
        with pytest.raises(InputError):
            store.ingest("broken.json", "f" * 64, 10, lambda: (SourceInfo("test"), facts()))
        assert audit.head(store) == before


def test_every_writing_operation_is_audited(space, tmp_path):
    from cvrule.engine.pipeline import nexus_workspace
    from cvrule.law import Law
    from cvrule.resolve import add_alias, resolve_store

    copy = tmp_path / "in" / "wifi.yaml"
    copy.parent.mkdir()
    copy.write_bytes(WIFI.read_bytes())
    twin = tmp_path / "in" / "twin.yaml"
    twin.write_bytes(WIFI.read_bytes())
    [loaded, same] = ingest_paths(space, [copy, twin])
    with Store(space.store_path) as store:
        resolve_store(store, actor="ana")
        party = store.rows("parties")[0]["key"]
        add_alias(store, party, "Another Name", "ana", "seen on an invoice")
    nexus_workspace(space, date(2030, 1, 1), Law.load())
    with Store(space.store_path) as store:
        found = audit.entries(store)
        assert [e.action for e in found] == ["audit-start", "ingest", "ingest", "resolve", "review.alias", "nexus"]
        ingest = found[1]
        assert ingest.subject == loaded.source_id
        assert ingest.detail["path"] == loaded.path and ingest.detail["facts"] == loaded.facts
        assert ingest.detail["format"] == "cvrule-case" and set(ingest.detail["digest"]) >= {"parties", "items"}
        assert found[2].detail["outcome"] == "same-content"
        assert found[3].actor == "ana" and found[3].detail["counts"]["mentions"] > 0
        assert found[4].detail["judgement"] == 1 and found[4].detail["reason"] == "seen on an invoice"
        assert found[5].subject == "2030-01-01" and found[5].detail["engine"] == "duckdb"
        assert audit.verify(store).ok


def test_a_store_from_before_the_audit_log_gets_a_baseline_of_what_it_holds(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    for number, script in enumerate(MIGRATIONS[:AUDIT_MIGRATION - 1], start=1):
        for statement in filter(str.strip, script.split(";")):
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?)", [number])
    source = hashlib.sha256(b"old").hexdigest()
    con.execute("INSERT INTO sources VALUES (?, 'test', NULL, NULL, NULL, 3, 1, now())", [source])
    con.execute("INSERT INTO source_paths VALUES ('/old.json', ?, now())", [source])
    con.execute("INSERT INTO parties (source_id, key, name, kind, country, location) VALUES (?, 'p', 'Old Co.', 'organization', 'CN', '/0')", [source])
    con.close()
    with Store(path) as store:
        [start, baseline] = audit.entries(store)
        assert start.action == "audit-start" and baseline.action == "baseline" and baseline.subject == source
        assert audit.verify(store).ok and audit.verify(store).sources == 1
        store._con.execute("UPDATE parties SET country = 'DE'")
        problems = [str(p) for p in audit.verify(store).problems]
    assert problems == [f"facts: source {source[:16]}: parties changed since audit entry 2 recorded them"]


# -- the fact digest: version 2, and version 1 still verified -----------------------------------------

def _edge_facts(order: int = 1) -> list:
    """Facts with the values a digest can trip on: nulls and empty text, lists with and without
    entries, unicode, a NUL byte, floats (-0.0, NaN), dates, and rows sharing a location."""
    from cvrule.ingest.facts import ItemFact, OwnershipFact

    facts = [
        PartyFact("a", "Ünïcode Co. 株式会社", "/0", country="CN", aliases=["A", "", "B\x00C"],
                  identifiers={"lei": "529900T8BM49AURSDO55"}),
        PartyFact("b", "", "/1", aliases=[]),
        PartyFact("c", "Same Place Ltd.", "/dup", country="DE"),
        PartyFact("d", "Same Place Ltd.", "/dup", country="FR"),
        PartyFact("e", "Same Place Ltd.", "/dup", country="FR", aliases=["x"]),
        OwnershipFact("a", "b", "/o/0", share_min=-0.0, share_max=float("nan"), start=date(2020, 1, 1)),
        OwnershipFact("a", "c", "/o/1", share_min=0.0, share_max=50.5, direct=None, end=date(1969, 12, 31)),
        ItemFact("m", "Module", "/i/0", "hardware", model_year=2031, licenses=["MIT", "Apache-2.0"],
                 properties={"fn": "modem"}, modified=True),
        ItemFact("n", "Other", "/i/1", "software"),
    ]
    return facts[::order]


def _recorded(store, source_id: str) -> dict[str, str]:
    [entry] = [e for e in audit.entries(store, action="ingest") if e.subject == source_id]
    return entry.detail["digest"]


def test_the_digest_recorded_at_ingest_is_the_one_the_store_gives_back(tmp_path, monkeypatch):
    """The ingest digests the Arrow columns it inserts (version 2) without reading them back; read
    back from the store they give the same digest, written in one batch or many, in any order, next
    to other sources, read one source at a time or in groups."""
    from cvrule.store import database

    with Store(tmp_path / "s.duckdb") as store:
        store.ingest("a.json", "a" * 64, 1, lambda: (SourceInfo("test"), iter(_edge_facts())))
        monkeypatch.setattr(database, "_CHUNK", 2)
        store.ingest("b.json", "b" * 64, 1, lambda: (SourceInfo("test"), iter(_edge_facts(-1))))
        recorded = _recorded(store, "a" * 64)
        assert set(recorded) == {"parties", "ownership", "items"}
        assert all(value.startswith("v2:") and len(value.split(":")[2]) == 64 for value in recorded.values())
        assert _recorded(store, "b" * 64) == recorded
        assert audit.fact_digests(store, "a" * 64) == {"a" * 64: recorded}
        monkeypatch.setattr(audit, "_ROWS_AT_ONCE", 3)  # each source a group of its own
        assert audit.fact_digests(store) == {"a" * 64: recorded, "b" * 64: recorded}
        assert audit.fact_count(recorded) == len(_edge_facts())
        assert audit.verify(store).ok


@pytest.mark.parametrize("change, table", [
    ("UPDATE parties SET country = 'US' WHERE key = 'c'", "parties"),
    ("UPDATE parties SET aliases = ['A', 'B\x00C', ''] WHERE key = 'a'", "parties"),
    ("UPDATE ownership SET share_max = 50.50000000000001 WHERE owned = 'c'", "ownership"),
    ("UPDATE ownership SET valid_to = NULL WHERE owned = 'c'", "ownership"),
    ("UPDATE items SET modified = false WHERE key = 'm'", "items"),
    ("UPDATE parties SET country = CASE key WHEN 'c' THEN 'FR' ELSE 'DE' END WHERE key IN ('c', 'd')", "parties"),
    ("DELETE FROM parties WHERE key = 'e'", "parties"),
    ("INSERT INTO items (source_id, key, name, item_type, location) VALUES ('" + "a" * 64 + "', 'x', 'X', 'software', '/i/9')", "items"),
    ("INSERT INTO parties SELECT * FROM parties WHERE key = 'b'", "parties"),
])
def test_a_changed_deleted_added_or_swapped_fact_fails_verification(tmp_path, change, table):
    """Version 2 catches a value changed (even by one bit of a float, or a list reordered), values swapped
    between rows, a row deleted, a row added and a row repeated, and names the table."""
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest("a.json", "a" * 64, 1, lambda: (SourceInfo("test"), iter(_edge_facts())))
        assert audit.verify(store).ok
        store._con.execute(change)
        problems = [str(p) for p in audit.verify(store).problems]
    assert problems == [f"facts: source {'a' * 16}: {table} changed since audit entry 2 recorded them"]


def _ingest_as_version_1(store, source_id: str) -> None:
    """What cvrule wrote before version 2: the facts, and the version 1 digest of them."""
    store._write_facts(source_id, iter(_edge_facts()), None)
    store._con.execute("INSERT INTO sources VALUES (?, 'test', NULL, NULL, NULL, 1, ?, now())",
                       [source_id, len(_edge_facts())])
    store._point("old.json", source_id)
    audit.append(store, None, "ingest", source_id, {
        "path": "old.json", "outcome": "loaded", "facts": len(_edge_facts()),
        "digest": audit.fact_digests(store, source_id, version=1)[source_id]})


def test_a_digest_of_version_1_is_still_verified(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        with store.transaction():
            _ingest_as_version_1(store, "a" * 64)
        store.ingest("b.json", "b" * 64, 1, lambda: (SourceInfo("test"), iter(_edge_facts())))
        old, new = _recorded(store, "a" * 64), _recorded(store, "b" * 64)
        assert audit.digest_version(old) == 1 and audit.digest_version(new) == 2
        assert audit.fact_count(old) == audit.fact_count(new) == len(_edge_facts())
        report = audit.verify(store)
        assert report.ok and report.sources == 2
        store._con.execute("UPDATE items SET name = 'Changed' WHERE key = 'm'")
        problems = [str(p) for p in audit.verify(store).problems]
    assert problems == [f"facts: source {'a' * 16}: items changed since audit entry 2 recorded them",
                        f"facts: source {'b' * 16}: items changed since audit entry 3 recorded them"]


def test_version_2_reads_text_the_same_however_arrow_lays_it_out():
    """A null may hold bytes in Arrow, an array may be a slice or large strings: the digest is the
    same for the same values."""
    import numpy as np
    import pyarrow as pa

    from cvrule.store.schema import FACT_TABLES

    table = FACT_TABLES["Attestation"]
    values = ["s", None, "v", None, "ünï"]
    plain = pa.table({sql: pa.array(values if sql != "location" else [f"/{i}" for i in range(5)], pa.string())
                      for _, sql, _ in table.columns})
    offsets = np.array([0, 1, 4, 5, 5, 10], dtype=np.int32)  # the first null holds "xyz"
    odd = pa.StringArray.from_buffers(5, pa.py_buffer(offsets), pa.py_buffer(b"sxyzv\xc3\xbcn\xc3\xaf"),
                                      pa.array([True, False, True, False, True]).buffers()[1])
    assert odd.to_pylist() == values
    laid_out = plain.set_column(plain.schema.get_field_index("value"), "value", odd)
    sliced = pa.concat_tables([plain.slice(0, 2), plain.slice(2)])
    large = plain.cast(pa.schema([(name, pa.large_string()) for name in plain.column_names]))
    digests = {audit._canonical_digest(table, rows) for rows in (plain, laid_out, sliced, large)}
    assert len(digests) == 1
    assert audit._canonical_digest(table, plain.slice(1)) not in digests
