"""CX-0158-1 export: one SPDX 3.0.1 JSON-LD SBOM per ECU with compliance.icts.* fields from
cvrule's decisions, read back by cvrule's own CX-0158-1 reader with the same attestations, in
deterministic bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest

from builders_records import VEHICLE_CASE, assessment_from_case
from cvrule.fleet.result import ComponentView, PartyView, RoleView
from cvrule.ingest.detect import detect
from cvrule.ingest.facts import Attestation, ItemFact, ItemLink, PartyFact, RoleMention
from cvrule.ingest.limits import Limits
from cvrule.report.cx0158 import EXTENSION_TYPE, ICTS_VERSION, package_reasoning, write_cx0158


def read_back(path: Path) -> list:
    fmt = detect(path)
    assert fmt.name == "cx-0158-1"
    return list(fmt.parse(path, Limits()).facts)


def of(facts: list, kind: type) -> list:
    return [f for f in facts if isinstance(f, kind)]


def local(spdx_id: str) -> str:
    return spdx_id.rsplit(":", 1)[-1]


@pytest.fixture
def fleet(law):
    """The Kestrel case, its MY2030 TCU given more parts and parties of every status."""
    built = assessment_from_case(VEHICLE_CASE, law)
    assessment = built.assessment.model_copy(update={"as_of": date(2029, 10, 1)})
    parties = assessment.parties + [
        PartyView(ref="lei:5493001KJTIIGC8Y1R12", name="Nordlicht Software AG", country="DE", linkage="not_linked"),
        PartyView(ref="spree", name="Spree Fahrzeugsoftware GmbH", country="DE", linkage="indeterminate", basis="review_control",
                  why=["a party that is or may be linked has control over Spree that may amount to control"]),
        PartyView(ref="mention:9f2c", name="ACME modem firmware team", linkage="unresolved"),
        PartyView(ref="volga", name="Volga Telematics Holding AG", country="CH", linkage="linked", basis="majority"),
    ]
    extra = [
        ComponentView(id="openssl", name="openssl", type="software", ecu="tcu-my2030", source="boms/tcu-my2030.cdx.json",
                      location="/components/1", version="3.0.13", purl="pkg:generic/openssl@3.0.13",
                      classification={"open_source": "true (licence Apache-2.0)", "software_kind": "middleware (CycloneDX type library)"},
                      linkage="linked", roles=[RoleView(role="supplied_by", party="pearl-river", written="Pearl River")]),
        ComponentView(id="modem-fw", name="modem firmware", type="software", ecu="tcu-my2030", source="boms/tcu-my2030.cdx.json",
                      location="/components/2", version="02.118", classification={"software_kind": "firmware (CycloneDX type firmware)"},
                      linkage="linked", roles=[RoleView(role="developed_by", party="volga", written="Volga Telematics")]),
        ComponentView(id="nav/app", name="navigation client", type="software", ecu="tcu-my2030", source="boms/tcu-my2030.cdx.json",
                      location="/components/3", classification={"software_kind": "application (property cvrule:software_kind)"},
                      linkage="indeterminate",
                      roles=[RoleView(role="developed_by", party="spree", written="Spree"),
                             RoleView(role="supplied_by", party="lei:5493001KJTIIGC8Y1R12", written="Nordlicht")]),
        ComponentView(id="dsp", name="DSP firmware blob", type="software", ecu="tcu-my2030", source="boms/tcu-my2030.cdx.json",
                      location="/components/4", linkage="unresolved",
                      roles=[RoleView(role="supplied_by", party="mention:9f2c", written="ACME modem firmware team")]),
    ]
    return assessment.model_copy(update={"parties": parties, "components": assessment.components + extra})


def test_one_sbom_per_ecu_read_back_as_cx_0158_1(fleet, tmp_path):
    written = write_cx0158(fleet, tmp_path)
    assert [p.parent for p in written] == [tmp_path / "cx-0158-1"] * 2
    assert all(p.name.endswith(".cx-0158-1.spdx3.json") for p in written)
    roots = set()
    for path in written:
        facts = read_back(path)
        described = [l.child for l in of(facts, ItemLink) if l.relation == "describes"]
        assert len(described) == 1
        roots.add(local(described[0]))
    assert roots == {"pkg-tcu-my2029", "pkg-tcu-my2030"}


def _document_of(written: list[Path], root: str) -> tuple[Path, list]:
    for path in written:
        facts = read_back(path)
        if any(local(l.child) == root for l in of(facts, ItemLink) if l.relation == "describes"):
            return path, facts
    raise AssertionError(root)


def test_agents_carry_the_party_status_and_read_back_as_the_same_attestations(fleet, tmp_path):
    _, facts = _document_of(write_cx0158(fleet, tmp_path), "pkg-tcu-my2030")
    said = {(local(a.subject), a.field): a.value for a in of(facts, Attestation)}
    agents = {local(a.subject) for a in of(facts, Attestation) if local(a.subject).startswith("agent-")}
    expected = {
        # linked by place of organization: covered, direction not stated
        "agent-pearl-river": {"version": ICTS_VERSION, "isCoveredEntity": "true", "isCompliant": "false",
                              "countryOfOrigin": "CN", "jurisdiction": "CN"},
        # linked through a majority holding: covered and under foreign direction
        "agent-volga": {"version": ICTS_VERSION, "isCoveredEntity": "true", "isCompliant": "false",
                        "countryOfOrigin": "CH", "jurisdiction": "CH", "underForeignDirection": "true"},
        "agent-hanbit-soft": {"version": ICTS_VERSION, "isCoveredEntity": "false", "isCompliant": "true",
                              "countryOfOrigin": "KR", "jurisdiction": "KR", "underForeignDirection": "false"},
        f"agent-{quote('lei:5493001KJTIIGC8Y1R12', safe='')}": {
            "version": ICTS_VERSION, "isCoveredEntity": "false", "isCompliant": "true",
            "countryOfOrigin": "DE", "jurisdiction": "DE", "underForeignDirection": "false"},
        # indeterminate and unresolved: isCoveredEntity left out, not guessed
        "agent-spree": {"version": ICTS_VERSION, "countryOfOrigin": "DE", "jurisdiction": "DE"},
        f"agent-{quote('mention:9f2c', safe='')}": {"version": ICTS_VERSION},
    }
    assert agents == set(expected)
    for agent, fields in expected.items():
        assert {f: v for (s, f), v in said.items() if s == agent} == fields, agent
    parties = {local(p.key): p for p in of(facts, PartyFact)}
    assert parties["agent-pearl-river"].country == "CN"
    assert parties[f"agent-{quote('lei:5493001KJTIIGC8Y1R12', safe='')}"].identifiers == {"lei": "5493001KJTIIGC8Y1R12"}
    assert parties[f"agent-{quote('mention:9f2c', safe='')}"].kind == "unknown"


def test_packages_carry_the_reasoning_of_the_standard_and_the_cfr_cites(fleet, tmp_path):
    path, facts = _document_of(write_cx0158(fleet, tmp_path), "pkg-tcu-my2030")
    said = {(local(a.subject), a.field): a.value for a in of(facts, Attestation)}
    reasoning = {s: v for (s, f), v in said.items() if f == "reasoning"}
    assert reasoning == {
        "document": "covered",
        "pkg-tcu-my2030": "covered",             # PRC maker
        "pkg-connect-app-my2030": "not-covered",  # Korean developer, not linked
        "pkg-openssl": "opensource",              # linked supplier, unmodified open source
        "pkg-modem-fw": "not-covered",            # linked developer, firmware exclusion
        f"pkg-{quote('nav/app', safe='')}": "undefined",
        "pkg-dsp": "undefined",
    }
    allowed = {"opensource", "legacy", "not-covered", "empty", "direct-submission", "covered", "undefined"}
    assert set(reasoning.values()) <= allowed
    assert said["pkg-tcu-my2030", "containsCoveredArtifact"] == "true"
    assert said["pkg-tcu-my2030", "isCompliant"] == "false"
    assert said["document", "isCompliant"] == "false" and said["document", "containsCoveredArtifact"] == "true"
    assert said["document", "assessmentUri"] == f"urn:cvrule:run:{fleet.run_id}"
    assert ("pkg-dsp", "isCompliant") not in said and ("pkg-dsp", "containsCoveredArtifact") not in said
    graph = orjson.loads(path.read_bytes())["@graph"]
    comments = {local(e["spdxId"]): e.get("comment", "") for e in graph if "spdxId" in e}
    assert "791.302(a)" in comments["pkg-tcu-my2030"] and "15 CFR 791.301" in comments["pkg-tcu-my2030"]
    assert "organized in CN" in comments["agent-pearl-river"]
    for element in graph:
        for extension in element.get("extension", []):
            assert extension["type"] == EXTENSION_TYPE
            assert all(k == "type" or k.startswith("compliance.icts.") for k in extension)


def test_items_suppliers_and_tree_survive_the_round_trip(fleet, tmp_path):
    _, facts = _document_of(write_cx0158(fleet, tmp_path), "pkg-tcu-my2030")
    items = {local(i.key): i for i in of(facts, ItemFact)}
    components = {c.id: c for c in fleet.components if c.ecu == "tcu-my2030"}
    assert {local(k) for k in items} == {f"pkg-{quote(c, safe='')}" for c in components}
    for cid, component in components.items():
        item = items[f"pkg-{quote(cid, safe='')}"]
        assert (item.name, item.item_type, item.version, item.purl) == (component.name, component.type, component.version, component.purl)
    assert items["pkg-modem-fw"].component_type == "firmware"
    assert items["pkg-openssl"].component_type == "library"
    mentions = {(local(m.item), m.role): m.name for m in of(facts, RoleMention)}
    assert mentions["pkg-tcu-my2030", "supplied_by"] == "Pearl River Wireless Technology Co., Ltd."
    assert mentions["pkg-modem-fw", "originated_by"] == "Volga Telematics Holding AG"
    assert mentions["pkg-dsp", "supplied_by"] == "ACME modem firmware team"
    links = {(local(l.parent), local(l.child)) for l in of(facts, ItemLink) if l.relation == "contains"}
    assert links == {("pkg-tcu-my2030", f"pkg-{quote(c, safe='')}") for c in components if c != "tcu-my2030"}


def test_the_export_is_deterministic_and_dated_only_by_the_assessment(fleet, tmp_path):
    first = write_cx0158(fleet, tmp_path / "a")
    second = write_cx0158(fleet, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second))
    for path in first:
        [creation] = [e for e in orjson.loads(path.read_bytes())["@graph"] if e["type"] == "CreationInfo"]
        assert creation["created"] == "2029-10-01T00:00:00Z"
    undated = write_cx0158(fleet.model_copy(update={"as_of": None}), tmp_path / "c")
    [creation] = [e for e in orjson.loads(undated[0].read_bytes())["@graph"] if e["type"] == "CreationInfo"]
    assert creation["created"] == "2029-09-01T00:00:00Z"  # the latest evaluation date


def test_reasoning_follows_linkage_and_classification():
    def component(linkage: str, **classification: str) -> ComponentView:
        return ComponentView(id="c", name="c", type="software", source="s", location="/", linkage=linkage,
                             classification=classification)

    assert package_reasoning(component("linked")) == "covered"
    assert package_reasoning(component("linked", open_source="true (licence MIT)")) == "opensource"
    assert package_reasoning(component("linked", open_source="true (x)", modified_for_proprietary="true (pedigree)")) == "covered"
    assert package_reasoning(component("linked", software_kind="firmware (x)")) == "not-covered"
    assert package_reasoning(component("linked", software_kind="system (x)")) == "covered"
    assert package_reasoning(component("not_linked")) == "not-covered"
    assert package_reasoning(component("indeterminate")) == "undefined"
    assert package_reasoning(component("unresolved")) == "undefined"
