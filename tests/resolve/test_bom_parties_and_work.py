"""What a BOM says of its own suppliers is not ownership data: a BOM's party records are no
resolution targets and no file links, the mention is resolved against ownership data, registers
and lists like any name (with the identifiers the BOM gives). And the work left is listed once
per subject and once per screening hit, however many mentions raise it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.ingest.facts import ItemFact, ListEntry, PartyFact, RoleMention, SourceInfo
from cvrule.resolve import match_name, resolutions_by_item, resolve_store, work_to_do
from cvrule.resolve.subjects import is_bom_format
from cvrule.store import Store
from cvrule.workspace import Workspace

LEI = "5493001KJTIIGC8Y1R12"
runner = CliRunner()


def _load(store: Store, path: str, digest: str, fmt: str, facts) -> None:
    store.ingest(path, digest * 64, 1, lambda: (SourceInfo(fmt), list(facts)))


def _roles(store) -> dict:
    return {(r.source_id[:1], r.item, r.role): r for rows in resolutions_by_item(store).values() for r in rows}


@pytest.fixture
def boms(tmp_path) -> Workspace:
    space = Workspace(tmp_path / "ws").create()
    with Store(space.store_path) as store:
        _load(store, "owners.json", "a", "bods", [
            PartyFact("bods-acme", "Acme Telematics Ltd", "/0", country="GB"),
        ])
        _load(store, "lei.xml", "b", "gleif-lei-xml", [
            PartyFact(LEI, "Quectel Wireless Solutions Co., Ltd.", "/0", country="CN", identifiers={"lei": LEI}),
        ])
        # a CycloneDX supplier with a bom-ref: the BOM's own record of the party
        _load(store, "tcu.cdx.json", "c", "cyclonedx-json", [
            PartyFact("supplier-1", "Acme Telematics Ltd", "/metadata/supplier", country="GB"),
            ItemFact("tcu", "TCU", "/components/0", "hardware"),
            RoleMention("tcu", "supplied_by", "Acme Telematics Ltd", "/components/0/supplier", party="supplier-1"),
        ])
        # a CX-0158-1 agent with an LEI, named otherwise than in GLEIF
        _load(store, "adcu.cx.json", "d", "cx-0158-1", [
            PartyFact("urn:agent-q", "QWS modem team", "/@graph/1", identifiers={"lei": LEI}),
            ItemFact("modem-fw", "Modem firmware", "/@graph/2", "software"),
            RoleMention("modem-fw", "supplied_by", "QWS modem team", "/@graph/2/suppliedBy", party="urn:agent-q"),
        ])
        # a supplier register links its own rows to its own parties: that link stands
        _load(store, "register.csv", "e", "supplier-register-csv", [
            PartyFact("reg-bosch", "Robert Bosch GmbH", "/row/1", country="DE"),
            ItemFact("radar", "Radar", "/row/1", "hardware"),
            RoleMention("radar", "manufactured_by", "Robert Bosch GmbH", "/row/1/manufacturer", party="reg-bosch"),
        ])
    return space


def test_bom_formats_are_cyclonedx_spdx_and_catena_x():
    assert all(map(is_bom_format, ["cyclonedx-json", "cyclonedx-xml", "spdx-2-tag-value", "spdx-3-jsonld", "cx-0158-1"]))
    assert not any(map(is_bom_format, ["bods", "gleif-rr-xml", "ftm", "supplier-register-csv", "csl-json", None]))


def test_a_boms_own_party_record_is_no_resolution_target_and_no_file_link(boms):
    with Store(boms.store_path) as store:
        report = resolve_store(store)
        roles = _roles(store)
        candidates = match_name(store, "Acme Telematics Ltd", None, {}, limit=10)
    acme = roles[("c", "tcu", "supplied_by")]
    assert acme.status == "resolved" and acme.method == "name" and acme.party_ref == "bods-acme"
    quectel = roles[("d", "modem-fw", "supplied_by")]
    assert quectel.status == "resolved" and quectel.method == "identifier" and quectel.party_ref == LEI
    bosch = roles[("e", "radar", "manufactured_by")]
    assert bosch.method == "file" and bosch.party_ref == "reg-bosch"
    assert report.counts["linked_file"] == 1
    assert {c.target.ref for c in candidates} == {"bods-acme"}  # never the BOM's record "supplier-1"


def test_a_boms_party_record_stays_in_the_store_for_its_attestations(boms):
    with Store(boms.store_path) as store:
        resolve_store(store)
        keys = {row["key"] for row in store.rows("parties")}
    assert {"supplier-1", "urn:agent-q"} <= keys


@pytest.fixture
def many_mentions(tmp_path) -> Workspace:
    space = Workspace(tmp_path / "ws").create()
    with Store(space.store_path) as store:
        _load(store, "bom.json", "a", "cyclonedx-json", [
            *(ItemFact(f"part-{i}", f"Part {i}", f"/c/{i}", "hardware") for i in range(3)),
            *(RoleMention(f"part-{i}", "manufactured_by", "Acme Widgets", f"/c/{i}/manufacturer") for i in range(3)),
            RoleMention("part-0", "supplied_by", "Acme Widgets", "/c/0/supplier"),
            RoleMention("part-1", "supplied_by", "Fibocom Wireless Inc.", "/c/1/supplier", country="CN"),
            RoleMention("part-2", "supplied_by", "Fibocom Wireless Inc.", "/c/2/supplier", country="CN",
                        url="https://www.fibocom.com"),
        ])
        _load(store, "lists.json", "b", "csl-json", [
            ListEntry("el-1", "Entity List", "Fibocom Wireless Inc.", "/l/0", countries=["CN"]),
        ])
    return space


def test_the_work_left_is_one_ask_per_subject_and_one_decision_per_screening_hit(many_mentions):
    with Store(many_mentions.store_path) as store:
        resolve_store(store)
        work = work_to_do(store)
    asks = [w for w in work if w.kind == "ask_supplier"]
    acme = [w for w in asks if "'Acme Widgets'" in w.what]
    assert len(acme) == 1 and acme[0].mentions == 4
    assert "4 mentions" in acme[0].what and "'part-0', 'part-1', 'part-2'" in acme[0].what
    hits = [w for w in work if w.kind == "review_screening"]
    assert len(hits) == 1 and hits[0].mentions == 2 and len(hits[0].candidate_ids) == 2
    result = runner.invoke(app, ["resolve", "--todo", "--workspace", str(many_mentions.root)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum("TODO" in line and "Acme Widgets" in line for line in lines) == 1
    assert sum("TODO" in line and "Entity List" in line for line in lines) == 1
    assert sum("FLAG" in line for line in lines) == 1
