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
