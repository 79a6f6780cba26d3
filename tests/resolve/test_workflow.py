"""A resolution run over a workspace: outcomes stored with reasons, screening flags, analyst
decisions audited and applied on every later run, work left to do, the per-item answer the
fleet assessment uses, and the commands."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.ingest.facts import ItemFact, ListEntry, PartyFact, RoleMention, SourceInfo
from cvrule.resolve import (
    ReviewError, add_alias, confirm, match_name, pending, reject, resolutions_by_item, resolve_store, work_to_do,
)
from cvrule.store import Store
from cvrule.store.resolution import ResolutionStore
from cvrule.workspace import Workspace

PARTIES = [
    PartyFact("5493001KJTIIGC8Y1R12", "Quectel Wireless Solutions Co., Ltd.", "/p/0", country="CN",
              aliases=["上海移远通信技术股份有限公司"], identifiers={"uscc": "91310000677833266F", "url": "www.quectel.com"}),
    PartyFact("ftm-gazprom", "Gazprom PJSC", "/p/1", country="RU", identifiers={"inn": "7736050003"}),
    PartyFact("ftm-bosch", "Robert Bosch GmbH", "/p/2", country="DE"),
    PartyFact("ftm-tsmc", "Taiwan Semiconductor Manufacturing Company Limited", "/p/3", country="TW"),
    PartyFact("ftm-fibocom", "Fibocom Wireless Inc.", "/p/4", country="CN"),
]
BOM = [
    ItemFact("tcu", "Telematics control unit", "/c/0", "hardware"),
    ItemFact("modem", "LTE module", "/c/1", "hardware"),
    ItemFact("fw", "Modem firmware", "/c/2", "software", purl="pkg:maven/com.quectel.fw/modem@1.0"),
    RoleMention("tcu", "manufactured_by", "ROBERT BOSCH G.M.B.H.", "/c/0/manufacturer", country="DE"),
    RoleMention("modem", "manufactured_by", "上海移遠通信技術股份有限公司", "/c/1/manufacturer"),
    RoleMention("modem", "supplied_by", "Robert Bosch GmbH", "/c/1/supplier", country="Germany"),
    RoleMention("fw", "developed_by", "Quectel", "/c/2/author"),
    RoleMention("fw", "supplied_by", "Fibocom Wireless Inc", "/c/2/supplier", country="CN"),
    RoleMention("tcu", "supplied_by", "Acme Widgets", "/c/0/supplier"),
    RoleMention("modem", "designed_by", "ПАО «Газпром»", "/c/1/designer", country="RU"),
    RoleMention("tcu", "developed_by", "Taiwan Semiconductor Manufacturing Co Ltd", "/c/0/dev", country="CN"),
]
LIST = [
    ListEntry("el-1", "Entity List", "Fibocom Wireless Inc.", "/l/0", countries=["China"], aliases=["Fibocom"]),
    ListEntry("sdn-1", "SDN", "Banco Nacional de Cuba", "/l/1", countries=["CU"]),
]


def _load(store: Store, path: str, digest: str, facts) -> None:
    store.ingest(path, digest * 64, 1, lambda: (SourceInfo("test"), list(facts)))


@pytest.fixture
def space(tmp_path) -> Workspace:
    space = Workspace(tmp_path / "ws").create()
    with Store(space.store_path) as store:
        _load(store, "registry.json", "a", PARTIES)
        _load(store, "bom.json", "b", BOM)
        _load(store, "lists.csv", "c", LIST)
    return space


def _by_item(store):
    return {(r.item, r.role): r for rows in resolutions_by_item(store).values() for r in rows}


def test_a_run_links_by_identifier_and_name_and_explains_the_rest(space):
    with Store(space.store_path) as store:
        report = resolve_store(store, actor="tester")
        counts = report.counts
        assert counts["mentions"] == 8
        assert counts["linked_identifier"] + counts["linked_name"] >= 4
        roles = _by_item(store)
    assert roles[("tcu", "manufactured_by")].party_ref == "ftm-bosch"
    assert roles[("modem", "manufactured_by")].party_ref == "5493001KJTIIGC8Y1R12"
    assert roles[("modem", "designed_by")].party_ref == "ftm-gazprom"
    unknown = roles[("tcu", "supplied_by")]
    assert unknown.status == "unresolved" and unknown.party_ref is None and unknown.reason
    taiwan = roles[("tcu", "developed_by")]
    assert taiwan.status == "unresolved" and taiwan.pending_review  # TW party, CN mention: an analyst decides


def test_the_package_url_points_at_the_developer(space):
    with Store(space.store_path) as store:
        resolve_store(store)
        developer = _by_item(store)[("fw", "developed_by")]
    assert developer.status == "resolved" and developer.party_ref == "5493001KJTIIGC8Y1R12"


def test_screening_hits_are_flags_with_their_explanation(space):
    with Store(space.store_path) as store:
        report = resolve_store(store)
        roles = _by_item(store)
    assert report.counts["screening_flags"] >= 1
    flag = next(f for f in report.flags if f["list_name"] == "Entity List")
    assert json.loads(flag["features"])[0]["candidate"]
    assert roles[("fw", "supplied_by")].flags and roles[("fw", "supplied_by")].flags[0]["list"] == "Entity List"
    assert not any(f["list_name"] == "SDN" for f in report.flags)


def test_work_to_do_names_whom_to_ask_for_what(space):
    with Store(space.store_path) as store:
        resolve_store(store)
        work = work_to_do(store)
    ask = [w for w in work if w.kind == "ask_supplier"]
    assert any("Acme Widgets" in w.what and "LEI" in w.what for w in ask)
    assert any(w.kind == "review_screening" and "cvrule review --confirm" in w.what for w in work)


def test_analyst_decisions_are_audited_and_applied_on_every_later_run(space):
    with Store(space.store_path) as store:
        resolve_store(store)
        taiwan = _by_item(store)[("tcu", "developed_by")]
        confirm(store, taiwan.candidate_id, "ana", "checked: TSMC writes its country as China here")
        assert _by_item(store)[("tcu", "developed_by")].status == "resolved"
        resolve_store(store)  # a later run keeps it
        again = _by_item(store)[("tcu", "developed_by")]
        assert again.status == "resolved" and again.method == "analyst" and again.party_ref == "ftm-tsmc"

        flag = next(r for r in pending(store) if r["purpose"] == "screening")
        with pytest.raises(ReviewError):
            reject(store, flag["candidate_id"], "ana", "")
        reject(store, flag["candidate_id"], "ana", "different company")
        resolve_store(store)
        assert all(r["candidate_id"] != flag["candidate_id"] for r in pending(store))
        rows = ResolutionStore(store).judgements()
        assert [(r.action, r.actor) for r in rows] == [("confirm", "ana"), ("reject", "ana")]
        assert rows[1].reason == "different company" and rows[1].prev_hash == rows[0].hash
        assert ResolutionStore(store).verify_judgements() == []


def test_tampering_with_the_judgement_log_is_detected(space):
    with Store(space.store_path) as store:
        resolve_store(store)
        taiwan = _by_item(store)[("tcu", "developed_by")]
        confirm(store, taiwan.candidate_id, "ana", "ok")
        store._con.execute("UPDATE resolution_judgements SET actor = 'mallory'")
        assert ResolutionStore(store).verify_judgements()


def test_an_alias_added_by_an_analyst_is_matched_from_then_on(space):
    with Store(space.store_path) as store:
        resolve_store(store)
        assert _by_item(store)[("tcu", "supplied_by")].status == "unresolved"
        add_alias(store, "ftm-bosch", "Acme Widgets", "ana", "Acme is Bosch's trading name in the US")
        resolve_store(store)
        assert _by_item(store)[("tcu", "supplied_by")].party_ref == "ftm-bosch"
        with pytest.raises(ReviewError):
            add_alias(store, "no-such-party", "X", "ana")


def test_match_name_ranks_parties_and_list_entries(space):
    with Store(space.store_path) as store:
        found = match_name(store, "Fibocom Wireless", "CN")
    kinds = {c.target.kind for c in found}
    assert kinds == {"party", "list_entry"}
    assert found[0].decision in ("link", "review") and found[0].features


runner = CliRunner()


def test_cli_resolve_review_and_match(space):
    ws = str(space.root)
    result = runner.invoke(app, ["resolve", "--workspace", ws, "--todo"])
    assert result.exit_code == 0, result.output
    assert "linked" in result.output and "FLAG" in result.output and "TODO ask" in result.output
    result = runner.invoke(app, ["resolve", "--workspace", ws, "--json"])
    payload = json.loads(result.output)
    assert payload["counts"]["mentions"] == 8
    result = runner.invoke(app, ["review", "--workspace", ws, "--json"])
    waiting = json.loads(result.output)
    assert waiting
    candidate = waiting[0]["candidate_id"]
    result = runner.invoke(app, ["review", "--workspace", ws, "--reject", candidate])
    assert result.exit_code == 2 and "reason" in result.output
    result = runner.invoke(app, ["review", "--workspace", ws, "--reject", candidate, "--reason", "not them", "--by", "ana"])
    assert result.exit_code == 0 and "rejected" in result.output
    result = runner.invoke(app, ["review", "--workspace", ws, "--confirm", "000000000000"])
    assert result.exit_code == 2 and "no candidate" in result.output
    result = runner.invoke(app, ["match", "Quectel Wireless Solutions Company Limited", "--country", "CN",
                                 "--workspace", ws, "--json"])
    assert result.exit_code == 0, result.output
    top = json.loads(result.output)["candidates"][0]
    assert {"id", "name", "score", "decision", "features"} <= set(top)
    assert top["decision"] == "link" and top["ref"] == "5493001KJTIIGC8Y1R12"
    result = runner.invoke(app, ["match", "上海移远", "--workspace", ws])
    assert result.exit_code == 0 and "Quectel" in result.output


def test_cli_without_a_workspace_says_so(tmp_path):
    result = runner.invoke(app, ["resolve", "--workspace", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no workspace" in result.output


def test_match_lists_a_party_loaded_from_several_files_once(tmp_path):
    import shutil
    from pathlib import Path

    from cvrule.ingest.load import ingest_paths
    from cvrule.resolve.lookup import match_name
    from cvrule.store import Store
    from cvrule.workspace import Workspace

    case = Path(__file__).parents[1] / "cases" / "791_302" / "russian-made-wifi-module-for-model-year-2031-is-prohibited.yaml"
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copyfile(case, inputs / "a.yaml")
    (inputs / "b.yaml").write_text(case.read_text() + "\n# a second file with the same parties\n")
    space = Workspace(tmp_path / "ws")
    ingest_paths(space, [inputs])
    with Store(space.store_path) as store:
        party = store.rows("parties")[0]
        found = match_name(store, party["name"])
    refs = [(c.target.kind, c.target.ref) for c in found]
    assert len(refs) == len(set(refs)) and (("party", party["key"]) in refs)
