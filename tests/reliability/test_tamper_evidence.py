"""Someone edits the store behind cvrule's back (with duckdb, as anyone with the file can):
`cvrule audit verify` says so, names the first entry tampered with, and exits 1."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest
from typer.testing import CliRunner

import crashing
from cvrule.cli import app
from cvrule.ingest.load import ingest_paths
from cvrule.store import Store, audit
from cvrule.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A workspace after ingest, resolve, two analyst judgements and a nexus run."""
    from datetime import date

    from cvrule.engine.pipeline import nexus_workspace
    from cvrule.law import Law
    from cvrule.resolve import add_alias, resolve_store

    space = Workspace(tmp_path_factory.mktemp("pristine") / "ws")
    ingest_paths(space, [crashing.CASES / "791_302"])
    with Store(space.store_path) as store:
        resolve_store(store, actor="ana")
        keys = [row["key"] for row in store.rows("parties")][:2]
        add_alias(store, keys[0], "Alias One", "ana", "from the invoice")
        add_alias(store, keys[1], "Alias Two", "bob", "from the contract")
    nexus_workspace(space, date(2030, 1, 1), Law.load())
    return space


@pytest.fixture
def space(pristine, tmp_path):
    copy = Workspace(tmp_path / "ws").create()
    copy.store_path.write_bytes(pristine.store_path.read_bytes())
    return copy


def _sql(space: Workspace, *statements: str) -> None:
    con = duckdb.connect(str(space.store_path))
    for statement in statements:
        con.execute(statement)
    con.close()


def _verify(space: Workspace, *extra: str):
    return runner.invoke(app, ["audit", "verify", "--workspace", str(space.root), *extra])


def test_an_untouched_workspace_verifies(space):
    result = _verify(space)
    assert result.exit_code == 0, result.output
    assert "OK: nothing was changed behind cvrule's back" in result.output


def test_an_edited_entry_is_named(space):
    _sql(space, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 4")
    result = _verify(space)
    assert result.exit_code == 1
    assert "TAMPERED: audit log: entry 4 (" in result.output and "was changed after it was written" in result.output


def test_an_entry_edited_with_its_hash_recomputed_breaks_the_chain_at_the_next(space):
    con = duckdb.connect(str(space.store_path))
    seq, logged_at, actor, action, subject, detail, prev = con.execute(
        "SELECT seq, logged_at, actor, action, subject, detail, prev_hash FROM audit_log WHERE seq = 3").fetchone()
    forged = audit._entry_hash(seq, logged_at, "mallory", action, subject, detail, prev)
    con.execute("UPDATE audit_log SET actor = 'mallory', hash = ? WHERE seq = 3", [forged])
    con.close()
    result = _verify(space)
    assert result.exit_code == 1
    assert "TAMPERED: audit log: entry 4 does not follow entry 3" in result.output


def test_a_removed_entry_is_named(space):
    _sql(space, "DELETE FROM audit_log WHERE seq = 5")
    result = _verify(space)
    assert result.exit_code == 1 and "TAMPERED: audit log: entry 5 is missing before entry 6" in result.output


def test_an_edited_fact_is_caught_by_its_digest(space):
    _sql(space, "UPDATE parties SET country = 'DE' WHERE country IN ('RU', 'CN')")
    result = _verify(space)
    assert result.exit_code == 1 and "parties changed since audit entry" in result.output


def test_a_fact_deleted_or_added_is_caught(space):
    _sql(space, "DELETE FROM role_mentions WHERE rowid = (SELECT min(rowid) FROM role_mentions)")
    assert "role_mentions changed since audit entry" in _verify(space).output


def test_a_source_slipped_in_behind_cvrules_back_is_caught(space):
    fake = hashlib.sha256(b"fake").hexdigest()
    _sql(space, f"INSERT INTO sources VALUES ('{fake}', 'test', NULL, NULL, NULL, 1, 1, now())",
         f"INSERT INTO parties (source_id, key, name, location) VALUES ('{fake}', 'x', 'Clean Co.', '/0')")
    result = _verify(space)
    assert result.exit_code == 1 and f"source {fake[:16]} has no audit entry" in result.output


def test_an_edited_judgement_is_caught(space):
    _sql(space, "UPDATE resolution_judgements SET reason = 'no reason' WHERE seq = 1")
    result = _verify(space)
    assert result.exit_code == 1 and "judgement log: judgement 1: content does not match its hash" in result.output


def test_a_judgement_log_rewritten_consistently_is_caught_by_the_audit_log(space):
    """Rewrite judgement 2 and recompute its hash: its own chain is valid again, but it is not the
    judgement the audit log recorded."""
    from cvrule.store.resolution import _row_hash

    con = duckdb.connect(str(space.store_path))
    row = con.execute("SELECT * FROM resolution_judgements WHERE seq = 2").fetchone()
    columns = [d[0] for d in con.description]
    body = dict(zip(columns, row))
    body["actor"] = "mallory"
    prev = body.pop("prev_hash")
    body.pop("hash")
    con.execute("UPDATE resolution_judgements SET actor = 'mallory', hash = ? WHERE seq = 2", [_row_hash(prev, body)])
    con.close()
    result = _verify(space)
    assert result.exit_code == 1
    assert "judgement log: judgement 2 is not the one audit entry" in result.output


def test_entries_cut_off_the_end_are_caught_against_a_recorded_head(space):
    recorded = json.loads(_verify(space, "--json").output)["head"]
    _sql(space, "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
         "DELETE FROM party_status", "DELETE FROM party_status_evidence", "DELETE FROM nexus_runs")
    assert _verify(space).exit_code == 0  # a shorter chain is still a chain ...
    result = _verify(space, "--head", recorded)
    assert result.exit_code == 1 and "of the recorded head is missing" in result.output  # ... unless one kept its head


def test_verify_json_names_the_first_tampered_entry(space):
    _sql(space, "UPDATE audit_log SET detail = '{}' WHERE seq = 2", "UPDATE audit_log SET actor = 'x' WHERE seq = 6")
    payload = json.loads(_verify(space, "--json").output)
    assert payload["ok"] is False and payload["first_tampered"]["seq"] == 2
    assert len(payload["problems"]) >= 2


def test_audit_log_lists_and_filters_entries(space):
    result = runner.invoke(app, ["audit", "log", "--workspace", str(space.root)])
    assert result.exit_code == 0
    assert " ingest " in result.output and " resolve " in result.output and " nexus " in result.output
    reviews = json.loads(runner.invoke(app, ["audit", "log", "--workspace", str(space.root), "--action", "review",
                                             "--json"]).output)
    assert [(e["action"], e["actor"]) for e in reviews] == [("review.alias", "ana"), ("review.alias", "bob")]
    last = runner.invoke(app, ["audit", "log", "--workspace", str(space.root), "--last", "1"])
    assert last.output.strip().endswith("1 entries") and " nexus " in last.output
