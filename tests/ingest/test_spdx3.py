"""SPDX 3 JSON-LD and Catena-X CX-0158-1: streamed element by element; agents defined late still
name their packages; compliance.icts.* fields become attestations; bad files give one InputError."""

from __future__ import annotations

import csv
import tracemalloc
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from cvrule.errors import InputError
from cvrule.ingest import spdx2, spdx3
from cvrule.ingest.base import read_head
from cvrule.ingest.facts import Attestation, ItemFact, ItemLink, PartyFact, RoleMention
from cvrule.ingest.limits import Limits

DATA = Path(__file__).parents[1] / "data"
CORPUS = Path(__file__).parents[3] / "shared" / "corpus"
SPDX3 = DATA / "spdx-3" / "3.0.1"
CX_SAMPLE = DATA / "cx-0158-1" / "1.1.0" / "tcu-5g.cx-0158-1.spdx3.json"
NS = "https://sbom.example-telematics.de/cx/tcu5g-4.2.1#"
FORMATS = {f.name: f for f in spdx2.FORMATS + spdx3.FORMATS}
CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"


def parse(path: Path, fmt: str = "spdx-3-jsonld") -> tuple:
    parsed = FORMATS[fmt].parse(path, Limits())
    facts = list(parsed.facts)
    return parsed.source, facts


def sniffed(path: Path) -> list[str]:
    head = read_head(path)
    return [name for name, fmt in FORMATS.items() if fmt.sniff(head, path)]


def of(facts: list, kind: type) -> list:
    return [f for f in facts if isinstance(f, kind)]


def graph_file(tmp_path: Path, elements: list, name: str = "doc.spdx3.json") -> Path:
    path = tmp_path / name
    path.write_bytes(orjson.dumps({"@context": CONTEXT, "@graph": elements}))
    return path


def package(key: str, **fields) -> dict:
    return {"type": "software_Package", "spdxId": key, "creationInfo": "_:c", "name": key.rsplit(":", 1)[-1], **fields}


def relationship(kind: str, source: str, targets: list[str], **fields) -> dict:
    return {"type": "Relationship", "spdxId": f"urn:rel:{source}:{kind}:{len(targets)}", "creationInfo": "_:c",
            "relationshipType": kind, "from": source, "to": targets, **fields}


# --- SPDX 3 -----------------------------------------------------------------------------------


def test_example13_gives_packages_suppliers_agents_and_links():
    source, facts = parse(SPDX3 / "example13.spdx3.json")
    assert (source.format, source.format_version, source.created) == ("spdx-3-jsonld", "3.0.1", "2024-05-02T00:00:00Z")
    items = {f.name: f for f in of(facts, ItemFact)}
    assert set(items) == {"Acme Application", "npm-elliptic", "alpine:latest", "openssl"}
    assert (items["openssl"].version, items["openssl"].component_type, items["openssl"].item_type) == ("3.0.4", "library", "software")
    assert items["alpine:latest"].component_type == "container"
    parties = {p.key: p for p in of(facts, PartyFact)}
    assert {(p.name, p.kind) for p in parties.values()} == {
        ("Application Owner Jane Doe", "individual"), ("Acme Company", "organization"),
        ("Fedor Indutny", "individual"), ("Alpine Linux", "organization")}
    assert parties["urn:jane-doe-1@acme.com-4fe40e24-20e3-11ee-be56-0242ac120002"].identifiers == {"email": "jane-doe-1@acme.com"}
    suppliers = {(items_by_key(facts)[m.item].name, m.name, m.party in parties) for m in of(facts, RoleMention)}
    assert suppliers == {("Acme Application", "Acme Company", True), ("npm-elliptic", "Fedor Indutny", True), ("alpine:latest", "Alpine Linux", True)}
    links = {(items_by_key(facts).get(l.parent, l.parent).__class__.__name__ == "ItemFact" and items_by_key(facts)[l.parent].name,
              items_by_key(facts)[l.child].name, l.relation) for l in of(facts, ItemLink)}
    assert links == {("Acme Application", "npm-elliptic", "contains"), ("Acme Application", "alpine:latest", "depends_on"),
                     ("alpine:latest", "openssl", "contains"), (False, "Acme Application", "describes")}


def items_by_key(facts: list) -> dict:
    return {f.key: f for f in of(facts, ItemFact)}


def test_compact_iri_documents_keep_their_ids_as_written():
    _, facts = parse(SPDX3 / "sbom-output.spdx.json")
    [item] = of(facts, ItemFact)
    assert item.key.startswith("o:") or ":" in item.key
    assert [l.child for l in of(facts, ItemLink)] == [item.key]


@pytest.mark.parametrize("purpose, item_type", [
    ("device", "hardware"), ("firmware", "software"), ("application", "software"), ("library", "software"),
    ("operatingSystem", "software"), ("container", "software"), ("data", "unknown"), ("other", "unknown"), (None, "unknown"),
])
def test_primary_purpose_gives_the_item_type(tmp_path, purpose, item_type):
    fields = {"software_primaryPurpose": purpose} if purpose else {}
    [item] = of(parse(graph_file(tmp_path, [package("urn:p:a", **fields)]))[1], ItemFact)
    assert (item.item_type, item.component_type) == (item_type, purpose)


def test_an_agent_defined_after_its_package_still_names_the_supplier(tmp_path):
    elements = [
        package("urn:p:modem-fw", suppliedBy="urn:agent:maker", originatedBy=["urn:agent:maker", "urn:agent:nowhere"]),
        {"type": "Organization", "spdxId": "urn:agent:maker", "creationInfo": "_:c", "name": "Example Modules Co."},
    ]
    facts = parse(graph_file(tmp_path, elements))[1]
    mentions = [(m.role, m.name, m.party, m.location) for m in of(facts, RoleMention)]
    assert mentions == [
        ("supplied_by", "Example Modules Co.", "urn:agent:maker", "/@graph/0/suppliedBy"),
        ("originated_by", "Example Modules Co.", "urn:agent:maker", "/@graph/0/originatedBy/0"),
        # an agent the file never defines: named by its id
        ("originated_by", "urn:agent:nowhere", "urn:agent:nowhere", "/@graph/0/originatedBy/1"),
    ]


def test_relationships_before_their_packages_link_them_and_links_to_files_are_left_out(tmp_path):
    elements = [
        relationship("contains", "urn:p:a", ["urn:p:b", "urn:f:1"]),
        relationship("dependsOn", "urn:p:b", ["urn:p:c"], type="LifecycleScopedRelationship", scope="runtime"),
        relationship("dependsOn", "urn:p:b", ["urn:p:test-lib"], type="LifecycleScopedRelationship", scope="test"),
        relationship("hasDeclaredLicense", "urn:p:a", ["urn:lic:1"]),
        relationship("contains", "urn:p:a", ["urn:p:b"]),
        package("urn:p:a"), package("urn:p:b"), package("urn:p:c"), package("urn:p:test-lib"),
        {"type": "software_File", "spdxId": "urn:f:1", "creationInfo": "_:c", "name": "a.c"},
        relationship("hasDynamicLink", "urn:p:c", ["urn:p:a"]),
    ]
    facts = parse(graph_file(tmp_path, elements))[1]
    links = [(l.parent, l.child, l.relation, l.location) for l in of(facts, ItemLink)]
    assert links == [
        ("urn:p:c", "urn:p:a", "depends_on", "/@graph/10/to/0"),
        ("urn:p:a", "urn:p:b", "contains", "/@graph/0/to/0"),
        ("urn:p:b", "urn:p:c", "depends_on", "/@graph/1/to/0"),
    ]


def test_utf16_spdx3_is_read(tmp_path):
    path = tmp_path / "utf16.spdx3.json"
    path.write_bytes(b"\xff\xfe" + orjson.dumps({"@context": CONTEXT, "@graph": [package("urn:p:\u00e4")]}).decode().encode("utf-16-le"))
    assert sniffed(path) == ["spdx-3-jsonld"]
    assert [f.key for f in of(parse(path)[1], ItemFact)] == ["urn:p:\u00e4"]


def test_the_reader_streams_with_memory_bounded_by_one_element(tmp_path):
    files = [{"type": "software_File", "spdxId": f"urn:f:{i}", "creationInfo": "_:c", "name": f"src/file-{i:06}.c",
              "software_copyrightText": "Copyright Example Telematics GmbH " * 4} for i in range(30_000)]
    path = graph_file(tmp_path, [package("urn:p:first")] + files + [package("urn:p:last")])
    size = path.stat().st_size
    tracemalloc.start()
    try:
        facts = FORMATS["spdx-3-jsonld"].parse(path, Limits()).facts
        keys = [f.key for f in facts if isinstance(f, ItemFact)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert keys == ["urn:p:first", "urn:p:last"]
    assert size > 7_000_000
    assert peak < size / 8


BAD = [
    (b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "software_Package", "spdxId": "urn:a"', "/@graph/0", "not valid JSON"),
    (orjson.dumps({"@context": CONTEXT, "@graph": ["urn:a"]}), "/@graph/0", "element object"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [{"spdxId": "urn:a"}]}), "/@graph/0/type", "type"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [{"type": "software_Package", "name": "a"}]}), "/@graph/0/spdxId", "spdxId"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [package("urn:a", name=["a"])]}), "/@graph/0/name", "expected a text"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [package("urn:a", suppliedBy=7)]}), "/@graph/0/suppliedBy", "element id"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [package("urn:a", externalIdentifier=["pkg:x"])]}), "/@graph/0/externalIdentifier/0", "ExternalIdentifier"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [relationship("contains", "urn:a", ["urn:b"], **{"from": ["urn:a", "urn:c"]})]}), "/@graph/0/from", "one element id"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [{"type": "Relationship", "spdxId": "urn:r", "from": "urn:a", "to": ["urn:b"]}]}), "/@graph/0/relationshipType", "relationship type"),
    (orjson.dumps({"@context": CONTEXT, "@graph": [{"type": "Organization", "spdxId": "urn:o", "compliance.icts.countryOfOrigin": {"code": "CN"}}]}), "/@graph/0/compliance.icts.countryOfOrigin", "compliance.icts.countryOfOrigin"),
    (orjson.dumps({"@context": CONTEXT, "elements": []}), "/", "@graph"),
    (b"not JSON content\n", "/@graph/0", "not valid JSON"),
]


@pytest.mark.parametrize("content, location, message", BAD)
def test_bad_spdx3_gives_one_input_error_with_its_location(tmp_path, content, location, message):
    path = tmp_path / "bad.spdx3.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        parse(path)
    assert error.value.location == location
    assert message in error.value.message


def test_an_over_long_graph_is_refused_at_the_limit(tmp_path):
    path = graph_file(tmp_path, [package(f"urn:p:{i}") for i in range(5)])
    with pytest.raises(InputError, match="max_elements=3"):
        list(FORMATS["spdx-3-jsonld"].parse(path, Limits(max_elements=3)).facts)


# --- Catena-X CX-0158-1 -----------------------------------------------------------------------


def test_cx_0158_1_sample_is_sniffed_as_cx_and_plain_spdx3_is_not():
    assert sniffed(CX_SAMPLE) == ["cx-0158-1"]
    for path in sorted(SPDX3.glob("*.json*")):
        assert sniffed(path) == ["spdx-3-jsonld"], path


def test_cx_0158_1_agent_fields_become_attestations_and_party_countries():
    source, facts = parse(CX_SAMPLE, "cx-0158-1")
    assert (source.format, source.format_version, source.document_name) == ("cx-0158-1", "3.0.1", "TCU-5G connectivity unit 4.2.1 - Car SBOM (ICTS)")
    parties = {p.key.removeprefix(NS): p for p in of(facts, PartyFact)}
    maker = parties["agent-shenzhen-modules"]
    assert (maker.name, maker.kind, maker.country, maker.jurisdiction_raw) == ("Example Wireless Modules (Shenzhen) Co., Ltd.", "organization", "CN", "CN")
    tier1 = parties["agent-example-telematics"]
    assert (tier1.country, tier1.identifiers) == ("DE", {"bpnl": "BPNL00000003EXMP", "email": "sbom@example-telematics.de"})
    person = parties["agent-erika-mustermann"]
    assert (person.kind, person.country) == ("individual", "DE")
    assert parties["agent-openssl"].identifiers == {"url": "https://openssl-foundation.org"}
    said = {(a.subject.removeprefix(NS), a.field): a for a in of(facts, Attestation)}
    assert said["agent-shenzhen-modules", "isCoveredEntity"].value == "true"
    assert said["agent-shenzhen-modules", "underForeignDirection"].value == "true"
    assert said["agent-shenzhen-modules", "countryOfOrigin"].value == "CN"
    assert said["agent-shenzhen-modules", "jurisdiction"].value == "CN"
    assert said["agent-shenzhen-modules", "legalAddress"].value.startswith("1 Example Road")
    assert said["agent-example-telematics", "isCoveredEntity"].value == "false"
    assert said["agent-erika-mustermann", "nationality"].value == "DE"
    assert said["agent-erika-mustermann", "isCoveredEntity"].location == "/@graph/5/compliance.icts.isCoveredEntity"
    assert said["agent-shenzhen-modules", "isCoveredEntity"].location == "/@graph/14/extension/0/compliance.icts.isCoveredEntity"
    assert said["agent-shenzhen-modules", "isCoveredEntity"].signed_off_by == "mailto:erika.mustermann@example-telematics.de"
    assert said["agent-openssl", "isCoveredEntity"].signed_off_by is None


def test_cx_0158_1_document_and_package_fields_become_attestations():
    facts = parse(CX_SAMPLE, "cx-0158-1")[1]
    said = {(a.subject.removeprefix(NS), a.field): a.value for a in of(facts, Attestation)}
    assert {field for subject, field in said if subject == "document"} == {
        "version", "isCompliant", "assessmentUri", "containsCoveredArtifact", "reasoning", "signature", "signedOffBy", "mail"}
    assert said["pkg-modem-firmware", "reasoning"] == "covered"
    assert said["pkg-openssl", "reasoning"] == "opensource"
    assert said["pkg-tcu-firmware", "reasoning"] == "not-covered"
    assert said["pkg-tcu", "containsCoveredArtifact"] == "true"
    every_field = {field for _, field in said}
    assert {"isCoveredEntity", "countryOfOrigin", "jurisdiction", "underForeignDirection", "reasoning", "signedOffBy",
            "version", "isCompliant", "nationality", "legalAddress", "signature", "mail", "assessmentUri",
            "containsCoveredArtifact"} <= every_field


def test_cx_0158_1_items_tree_and_late_supplier():
    facts = parse(CX_SAMPLE, "cx-0158-1")[1]
    items = {f.key.removeprefix(NS): f for f in of(facts, ItemFact)}
    assert {k: v.item_type for k, v in items.items()} == {
        "pkg-tcu": "hardware", "pkg-tcu-firmware": "software", "pkg-modem-module": "hardware",
        "pkg-modem-firmware": "software", "pkg-openssl": "software"}
    assert items["pkg-modem-firmware"].purl == "pkg:generic/example-wireless/ewm-5g20-modem-firmware@02.118.00"
    assert items["pkg-openssl"].cpe == "cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*"
    supplied = {(m.item.removeprefix(NS), m.role): (m.name, m.country) for m in of(facts, RoleMention)}
    # The modem maker is defined after the packages it supplies; its mentions still carry its name and country.
    assert supplied["pkg-modem-firmware", "supplied_by"] == ("Example Wireless Modules (Shenzhen) Co., Ltd.", "CN")
    assert supplied["pkg-modem-module", "supplied_by"] == ("Example Wireless Modules (Shenzhen) Co., Ltd.", "CN")
    assert supplied["pkg-openssl", "originated_by"] == ("OpenSSL Software Foundation", "US")
    links = {(l.parent.removeprefix(NS), l.child.removeprefix(NS), l.relation) for l in of(facts, ItemLink)}
    assert links == {("sbom", "pkg-tcu", "describes"), ("pkg-tcu", "pkg-tcu-firmware", "contains"),
                     ("pkg-tcu", "pkg-modem-module", "contains"), ("pkg-modem-module", "pkg-modem-firmware", "contains"),
                     ("pkg-tcu-firmware", "pkg-openssl", "depends_on")}


def test_icts_fields_written_as_full_iris_or_lists_are_read(tmp_path):
    elements = [{"type": "Organization", "spdxId": "urn:o", "name": "O",
                 "https://example.org/ext#compliance.icts.countryOfOrigin": "CN-GD",
                 "extension": {"type": "urn:ext", "compliance.icts.signedOffBy": ["mailto:a@example.com", "mailto:b@example.com"]}}]
    facts = parse(graph_file(tmp_path, elements), "cx-0158-1")[1]
    [party] = of(facts, PartyFact)
    assert (party.country, party.jurisdiction_raw) == ("CN", "CN-GD")
    assert [(a.field, a.value, a.signed_off_by) for a in of(facts, Attestation)] == [
        ("countryOfOrigin", "CN-GD", "mailto:a@example.com"),
        ("signedOffBy", "mailto:a@example.com", "mailto:a@example.com"),
        ("signedOffBy", "mailto:b@example.com", "mailto:a@example.com")]


# --- the shared corpus ------------------------------------------------------------------------


def corpus_rows() -> list[dict[str, str]]:
    if not CORPUS.is_dir():
        return []
    with open(CORPUS / "SOURCES.tsv", newline="") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["detected_format"].startswith("SPDX 3")]


@pytest.mark.parametrize("row", corpus_rows(), ids=lambda row: row["corpus_path"])
def test_every_spdx3_corpus_file_is_sniffed_and_parses(row):
    path = CORPUS / row["corpus_path"]
    assert sniffed(path) == ["spdx-3-jsonld"]
    source, facts = parse(path)
    assert source.format_version in ("3.0.0", "3.0.1")
    assert all(f.location.startswith("/@graph/") for f in facts)
    items = {f.key for f in of(facts, ItemFact)}
    for link in of(facts, ItemLink):
        assert link.child in items


@pytest.mark.parametrize("path, counts", [
    ("spdx3-viz-samples/jenkins/org.jenkins-ci.main_jenkins-parent-2.572-SNAPSHOT.spdx3.json-ld.json",
     {"PartyFact": 51, "ItemFact": 88, "RoleMention": 49, "ItemLink": 80}),
    ("yocto-vulnscout-examples/example/spdx3/core-image-minimal-qemux86-64.rootfs.spdx.json", {"ItemFact": 142, "PartyFact": 1, "ItemLink": 23}),
    ("spdx3-viz-samples/zephyr/build.jsonld", {"PartyFact": 1, "ItemFact": 141, "ItemLink": 324}),
    ("spdx3-viz-samples/linux/sbom-source.spdx.json", {"PartyFact": 1}),
    ("sbomqs-testdata/testdata/fixtures/spdx3-no-supplier.json", {"PartyFact": 2, "ItemFact": 2, "ItemLink": 2}),
])
def test_real_spdx3_files_give_the_counts_their_content_has(corpus, path, counts):
    found: dict[str, int] = {}
    for fact in parse(corpus / path)[1]:
        found[type(fact).__name__] = found.get(type(fact).__name__, 0) + 1
    assert found == counts


def test_jenkins_maven_packages_name_their_organizations(corpus):
    facts = parse(corpus / "spdx3-viz-samples/jenkins/org.jenkins-ci.main_jenkins-parent-2.572-SNAPSHOT.spdx3.json-ld.json")[1]
    organizations = {p.key: p.name for p in of(facts, PartyFact) if p.kind == "organization"}
    assert len(organizations) == 49
    mentions = of(facts, RoleMention)
    assert all(m.party in organizations and m.name == organizations[m.party] for m in mentions)
    assert all(item.purl and item.purl.startswith("pkg:maven/") for item in of(facts, ItemFact) if item.key != of(facts, ItemFact)[0].key)


def test_spdx3_sniffers_claim_no_spdx2_or_other_samples():
    for path in sorted(p for p in DATA.glob("*/*/*.*") if "spdx-3" not in p.parts and "cx-0158-1" not in p.parts):
        assert not {"spdx-3-jsonld", "cx-0158-1"} & set(sniffed(path)), path


def test_facts_compare_equal_without_locations_across_a_reparse():
    first = sorted(repr(replace(f, location="")) for f in parse(CX_SAMPLE, "cx-0158-1")[1])
    second = sorted(repr(replace(f, location="")) for f in parse(CX_SAMPLE, "spdx-3-jsonld")[1])
    assert first == second
