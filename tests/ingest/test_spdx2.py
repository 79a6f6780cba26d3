"""SPDX 2 readers: JSON, YAML, tag-value and XML give the same facts; real files parse; bad ones
give one InputError with a location; sniffing claims SPDX 2 files and no others."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvrule.errors import InputError
from cvrule.ingest import spdx2, spdx3
from cvrule.ingest.base import read_head
from cvrule.ingest.facts import ItemFact, ItemLink, RoleMention
from cvrule.ingest.limits import Limits

DATA = Path(__file__).parents[1] / "data"
CORPUS = Path(__file__).parents[3] / "shared" / "corpus"
SPDX2 = DATA / "spdx-2"
FORMATS = {f.name: f for f in spdx2.FORMATS + spdx3.FORMATS}


def parse(path: Path, fmt: str) -> tuple:
    parsed = FORMATS[fmt].parse(path, Limits())
    return parsed.source, list(parsed.facts)


def without_locations(facts: list) -> list[str]:
    return sorted(repr(replace(fact, location="")) for fact in facts)


def sniffed(path: Path) -> list[str]:
    head = read_head(path)
    return [name for name, fmt in FORMATS.items() if fmt.sniff(head, path)]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def minimal_json(**changes) -> dict:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "doc",
        "dataLicense": "CC0-1.0",
        "documentNamespace": "https://example.com/doc",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: test"]},
        "packages": [{"SPDXID": "SPDXRef-A", "name": "a", "downloadLocation": "NOASSERTION"}],
    }
    doc.update(changes)
    return doc


# --- the same document in every serialization ------------------------------------------------


SAME_DOCUMENT_SETS = [
    pytest.param(
        [(SPDX2 / "2.3/SPDXJSONExample-v2.3.spdx.json", "spdx-2-json"),
         (SPDX2 / "2.3/SPDXYAMLExample-v2.3.spdx.yaml", "spdx-2-yaml"),
         (SPDX2 / "2.3/SPDXTagExample-v2.3.spdx", "spdx-2-tag-value"),
         (SPDX2 / "2.3/SPDXXMLExample-v2.3.spdx.xml", "spdx-2-xml")],
        id="spdx-2.3-example-in-tests-data",
    ),
]
if CORPUS.is_dir():
    SAME_DOCUMENT_SETS += [
        pytest.param(
            [(CORPUS / "spdx-spec/examples/SPDXJSONExample-v2.2.spdx.json", "spdx-2-json"),
             (CORPUS / "spdx-spec/examples/SPDXTagExample-v2.2.spdx", "spdx-2-tag-value"),
             (CORPUS / "spdx-spec/examples/SPDXXMLExample-v2.2.spdx.xml", "spdx-2-xml")],
            id="spdx-2.2-spec-example",
        ),
        pytest.param(
            [(CORPUS / "spdx-tools-python/data/SPDXJSONExample-UTF-16.spdx.json", "spdx-2-json"),
             (CORPUS / "spdx-tools-python/data/SPDXYAMLExample-UTF-16.spdx.yaml", "spdx-2-yaml"),
             (CORPUS / "spdx-tools-python/data/SPDXTagExample-UTF-16.spdx", "spdx-2-tag-value"),
             (CORPUS / "spdx-tools-python/data/SPDXXMLExample-UTF-16.spdx.xml", "spdx-2-xml")],
            id="spdx-2.2-utf16-example",
        ),
    ]


@pytest.mark.parametrize("files", SAME_DOCUMENT_SETS)
def test_the_same_document_in_json_yaml_tag_value_and_xml_gives_the_same_facts(files):
    results = [parse(path, fmt) for path, fmt in files]
    first_source, first_facts = results[0]
    assert first_facts
    for (path, fmt), (source, facts) in zip(files, results):
        assert source.format == fmt
        assert (source.format_version, source.document_name, source.created) == (
            first_source.format_version, first_source.document_name, first_source.created), path
        assert without_locations(facts) == without_locations(first_facts), path


def test_the_spdx_2_3_example_gives_its_packages_suppliers_and_relationships():
    source, facts = parse(SPDX2 / "2.3/SPDXJSONExample-v2.3.spdx.json", "spdx-2-json")
    assert (source.format_version, source.document_name, source.created) == ("SPDX-2.3", "SPDX-Tools-v2.0", "2010-01-29T18:30:22Z")
    items = {f.key: f for f in facts if isinstance(f, ItemFact)}
    assert set(items) == {"SPDXRef-Package", "SPDXRef-fromDoap-1", "SPDXRef-fromDoap-0", "SPDXRef-Saxon"}
    glibc = items["SPDXRef-Package"]
    assert (glibc.name, glibc.version, glibc.component_type, glibc.item_type) == ("glibc", "2.11.1", "SOURCE", "software")
    assert glibc.cpe == "cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*"
    assert glibc.licenses == ["(LGPL-2.0-only AND LicenseRef-3)", "(LGPL-2.0-only OR LicenseRef-3)"]
    assert glibc.location == "/packages/0"
    assert items["SPDXRef-fromDoap-0"].purl == "pkg:maven/org.apache.jena/apache-jena@3.12.0"
    mentions = {(m.item, m.role): m for m in facts if isinstance(m, RoleMention)}
    assert set(mentions) == {("SPDXRef-Package", "supplied_by"), ("SPDXRef-Package", "originated_by")}
    supplier = mentions["SPDXRef-Package", "supplied_by"]
    assert (supplier.name, supplier.email, supplier.party, supplier.location) == ("Jane Doe", "jane.doe@example.com", None, "/packages/0/supplier")
    originator = mentions["SPDXRef-Package", "originated_by"]
    assert (originator.name, originator.email) == ("ExampleCodeInspect", "contact@example.com")
    links = {(l.parent, l.child, l.relation) for l in facts if isinstance(l, ItemLink)}
    # DESCRIBES SPDXRef-File and CONTAINS/GENERATED_FROM to files are not item links.
    assert links == {("SPDXRef-DOCUMENT", "SPDXRef-Package", "describes"), ("SPDXRef-Package", "SPDXRef-Saxon", "depends_on")}


def test_tag_value_facts_are_located_by_line_number():
    _, facts = parse(SPDX2 / "2.3/SPDXTagExample-v2.3.spdx", "spdx-2-tag-value")
    lines = (SPDX2 / "2.3/SPDXTagExample-v2.3.spdx").read_text().splitlines()
    glibc = next(f for f in facts if isinstance(f, ItemFact) and f.key == "SPDXRef-Package")
    supplier = next(f for f in facts if isinstance(f, RoleMention) and f.role == "supplied_by")
    link = next(f for f in facts if isinstance(f, ItemLink) and f.relation == "depends_on")
    assert lines[int(glibc.location.split()[1]) - 1] == "PackageName: glibc"
    assert lines[int(supplier.location.split()[1]) - 1].startswith("PackageSupplier: Person: Jane Doe")
    assert lines[int(link.location.split()[1]) - 1] == "Relationship: SPDXRef-Package DYNAMIC_LINK SPDXRef-Saxon"
    assert glibc.description.startswith("The GNU C Library defines functions")


def test_tag_value_multi_line_text_is_one_value(tmp_path):
    path = write(tmp_path, "multi.spdx", "\n".join([
        "SPDXVersion: SPDX-2.3", "DataLicense: CC0-1.0", "SPDXID: SPDXRef-DOCUMENT", "DocumentName: d",
        "DocumentComment: <text>first line", "PackageName: not a tag here", "</text>",
        "PackageName: ecu-firmware", "SPDXID: SPDXRef-fw", "PrimaryPackagePurpose: FIRMWARE",
        "PackageDescription: <text>Telematics", "unit firmware</text>",
        "PackageSupplier: Organization: Example Telematics GmbH (sbom@example.com)",
        "PackageOriginator: NOASSERTION",
        "ExternalRef: PACKAGE-MANAGER purl pkg:generic/ecu-firmware@1.0",
    ]) + "\n")
    _, facts = parse(path, "spdx-2-tag-value")
    item = facts[0]
    assert (item.key, item.name, item.description, item.item_type, item.purl) == (
        "SPDXRef-fw", "ecu-firmware", "Telematics\nunit firmware", "software", "pkg:generic/ecu-firmware@1.0")
    assert item.location == "line 8"
    assert [(m.role, m.name, m.email, m.location) for m in facts[1:]] == [
        ("supplied_by", "Example Telematics GmbH", "sbom@example.com", "line 13")]


def test_tag_value_relationships_written_before_the_packages_still_link_them():
    _, facts = parse(SPDX2 / "2.3/pause.spdx", "spdx-2-tag-value")
    assert sum(isinstance(f, ItemFact) for f in facts) == 4
    links = [f for f in facts if isinstance(f, ItemLink)]
    assert sorted(l.relation for l in links) == ["contains", "contains", "contains", "describes"]


# --- field mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize("purpose, item_type", [
    ("DEVICE", "hardware"), ("FIRMWARE", "software"), ("APPLICATION", "software"), ("LIBRARY", "software"),
    ("OPERATING-SYSTEM", "software"), ("OPERATING_SYSTEM", "software"), ("CONTAINER", "software"),
    ("OTHER", "unknown"), (None, "unknown"),
])
def test_primary_package_purpose_gives_the_item_type(tmp_path, purpose, item_type):
    package = {"SPDXID": "SPDXRef-A", "name": "a"}
    if purpose:
        package["primaryPackagePurpose"] = purpose
    path = write(tmp_path, "p.spdx.json", orjson.dumps(minimal_json(packages=[package])))
    item = parse(path, "spdx-2-json")[1][0]
    assert item.item_type == item_type
    assert item.component_type == (purpose.replace("_", "-") if purpose else None)


@pytest.mark.parametrize("text, expected", [
    ("Organization: ExampleCodeInspect (contact@example.com)", ("organization", "ExampleCodeInspect", "contact@example.com")),
    ("Person: Jane Doe (jane.doe@example.com)", ("individual", "Jane Doe", "jane.doe@example.com")),
    ("Organization: ExampleCodeInspect ()", ("organization", "ExampleCodeInspect", None)),
    ("Organization: Example Inc.", ("organization", "Example Inc.", None)),
    ("Organization: Example Wireless (Shenzhen) Co., Ltd.", ("organization", "Example Wireless (Shenzhen) Co., Ltd.", None)),
    ("Organization: Quectel (Shanghai) (sales@quectel.example)", ("organization", "Quectel (Shanghai)", "sales@quectel.example")),
    ("Microsoft/GitHub", ("unknown", "Microsoft/GitHub", None)),
    ("NOASSERTION", None),
    ("NONE", None),
    ("Organization: ", None),
])
def test_supplier_and_originator_lines_are_read_as_kind_name_and_email(text, expected):
    assert spdx2.parse_party(text) == expected


def test_inverse_relationships_are_turned_round_and_links_to_files_are_left_out(tmp_path):
    packages = [{"SPDXID": f"SPDXRef-{n}", "name": n} for n in ("A", "B", "C", "D")]
    relationships = [
        ("SPDXRef-B", "CONTAINED_BY", "SPDXRef-A"),
        ("SPDXRef-C", "DEPENDENCY_OF", "SPDXRef-A"),
        ("SPDXRef-D", "RUNTIME_DEPENDENCY_OF", "SPDXRef-C"),
        ("SPDXRef-A", "DESCRIBED_BY", "SPDXRef-DOCUMENT"),
        ("SPDXRef-A", "CONTAINS", "SPDXRef-File-1"),
        ("SPDXRef-A", "DEPENDS_ON", "DocumentRef-other:SPDXRef-X"),
        ("SPDXRef-A", "BUILD_DEPENDENCY_OF", "SPDXRef-D"),
        ("SPDXRef-A", "CONTAINS", "NOASSERTION"),
        ("SPDXRef-B", "CONTAINED_BY", "SPDXRef-A"),
    ]
    doc = minimal_json(
        packages=packages,
        files=[{"SPDXID": "SPDXRef-File-1", "fileName": "./a.c"}],
        documentDescribes=["SPDXRef-A"],
        relationships=[{"spdxElementId": a, "relationshipType": t, "relatedSpdxElement": b} for a, t, b in relationships],
    )
    facts = parse(write(tmp_path, "r.spdx.json", orjson.dumps(doc)), "spdx-2-json")[1]
    links = [(l.parent, l.child, l.relation, l.location) for l in facts if isinstance(l, ItemLink)]
    assert links == [
        ("SPDXRef-DOCUMENT", "SPDXRef-A", "describes", "/documentDescribes/0"),
        ("SPDXRef-A", "SPDXRef-B", "contains", "/relationships/0"),
        ("SPDXRef-A", "SPDXRef-C", "depends_on", "/relationships/1"),
        ("SPDXRef-C", "SPDXRef-D", "depends_on", "/relationships/2"),
    ]


def test_noassertion_supplier_names_nobody(tmp_path):
    package = {"SPDXID": "SPDXRef-A", "name": "a", "supplier": "NOASSERTION", "originator": "NOASSERTION"}
    facts = parse(write(tmp_path, "n.spdx.json", orjson.dumps(minimal_json(packages=[package]))), "spdx-2-json")[1]
    assert [type(f).__name__ for f in facts] == ["ItemFact"]


def test_yaml_keeps_versions_and_dates_as_written(tmp_path):
    path = write(tmp_path, "v.spdx.yaml", "\n".join([
        "spdxVersion: SPDX-2.3", "SPDXID: SPDXRef-DOCUMENT", "name: doc", "dataLicense: CC0-1.0",
        "creationInfo:", "  created: 2024-01-01T00:00:00Z", "packages:",
        "- SPDXID: SPDXRef-A", "  name: a", "  versionInfo: 1.10", "  releaseDate: 2024-02-01T00:00:00Z",
    ]) + "\n")
    source, facts = parse(path, "spdx-2-yaml")
    assert source.created == "2024-01-01T00:00:00Z"
    assert (facts[0].version, facts[0].properties["releaseDate"]) == ("1.10", "2024-02-01T00:00:00Z")


# --- bad input --------------------------------------------------------------------------------


BAD_JSON = [
    (b'{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "d", "packages": {}}', "/packages", "expected a list"),
    (orjson.dumps(minimal_json(packages=["glibc"])), "/packages/0", "expected a package object"),
    (orjson.dumps(minimal_json(packages=[{"name": "a"}])), "/packages/0/SPDXID", "SPDXID"),
    (orjson.dumps(minimal_json(packages=[{"SPDXID": "SPDXRef-A"}])), "/packages/0/name", "package name"),
    (orjson.dumps(minimal_json(packages=[{"SPDXID": "SPDXRef-A", "name": "a", "supplier": 7}])), "/packages/0/supplier", "expected a text"),
    (orjson.dumps(minimal_json(packages=[{"SPDXID": "SPDXRef-A", "name": "a", "versionInfo": ["1"]}])), "/packages/0/versionInfo", "expected a text"),
    (orjson.dumps(minimal_json(packages=[{"SPDXID": "SPDXRef-A", "name": "a", "primaryPackagePurpose": "CAR"}])), "/packages/0/primaryPackagePurpose", "expected one of"),
    (orjson.dumps(minimal_json(packages=[{"SPDXID": "SPDXRef-A", "name": "a", "externalRefs": "pkg:x"}])), "/packages/0/externalRefs", "list of external references"),
    (orjson.dumps(minimal_json(packages=[{"SPDXID": "SPDXRef-A", "name": "a", "externalRefs": [{"referenceType": "purl"}]}])), "/packages/0/externalRefs/0", "referenceLocator"),
    (orjson.dumps(minimal_json(relationships=[{"spdxElementId": "SPDXRef-A", "relationshipType": "DESCRIBE", "relatedSpdxElement": "SPDXRef-A"}])), "/relationships/0", "relationship type"),
    (orjson.dumps(minimal_json(relationships=[["SPDXRef-A", "CONTAINS"]])), "/relationships/0", "relationship object"),
    (orjson.dumps(minimal_json(spdxVersion="SPDX-3.0")), "/spdxVersion", "SPDX 2 version"),
    (orjson.dumps(minimal_json(name=None)), "/name", "document name"),
    (b'{"SPDXID": "SPDXRef-DOCUMENT", "name": "d"', "line 1, column", "not valid JSON"),
    (b"[1, 2]", "/", "document object"),
]


@pytest.mark.parametrize("content, location, message", BAD_JSON)
def test_bad_spdx_2_json_gives_one_input_error_with_its_location(tmp_path, content, location, message):
    with pytest.raises(InputError) as error:
        parse(write(tmp_path, "bad.spdx.json", content), "spdx-2-json")
    assert error.value.location.startswith(location)
    assert message in error.value.message


HEADER = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\n"
BAD_TAG_VALUE = [
    ("DataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\n", "line 1", "SPDXVersion"),
    ("b'SPDXVersion: SPDX-2.2\nSPDXID: SPDXRef-DOCUMENT\n", "line 1", "'Tag: value'"),
    (HEADER + "PackageName: a\nSPDXID: SPDXRef-A\nPackageColour: red\n", "line 7", "unknown SPDX 2 tag"),
    (HEADER + "PackageVersion: 1.0\n", "line 5", "before any PackageName"),
    (HEADER + "FileName: ./a.c\nSPDXID: SPDXRef-F\nPackageSupplier: Organization: X\n", "line 7", "inside the FileName section begun at line 5"),
    (HEADER + "PackageName: a\nSPDXID: SPDXRef-A\nPackageDescription: <text>never closed\n", "line 7", "never closed"),
    (HEADER + "Relationship: SPDXRef-A CONTAINS\n", "line 5", "Relationship"),
    (HEADER + "Relationship: SPDXRef-A CONTAIN SPDXRef-B\n", "line 5", "relationship type"),
    (HEADER + "PackageName: a\nSPDXID: SPDXRef-A\nExternalRef: SECURITY cpe23Type\n", "line 7", "ExternalRef"),
    (HEADER + "PackageName: a\nPackageVersion: 1\n", "line 5", "SPDXID"),
    (HEADER + "PackageName: a\nSPDXID: SPDXRef-A\nSPDXID: SPDXRef-B\n", "line 7", "second SPDXID"),
    ("SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nPackageName: a\n", "line 1", "DocumentName"),
    ("SPDXVersion: SPDX-3.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\n", "line 1", "SPDX 2 version"),
]


@pytest.mark.parametrize("content, location, message", BAD_TAG_VALUE)
def test_bad_tag_value_gives_one_input_error_with_its_line(tmp_path, content, location, message):
    with pytest.raises(InputError) as error:
        parse(write(tmp_path, "bad.spdx", content), "spdx-2-tag-value")
    assert error.value.location == location
    assert message in error.value.message


def test_tag_value_that_is_not_utf8_is_an_input_error(tmp_path):
    path = write(tmp_path, "latin1.spdx", HEADER.encode() + "PackageName: B\xe4r\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        parse(path, "spdx-2-tag-value")


def test_invalid_yaml_gives_its_line_and_column(tmp_path):
    path = write(tmp_path, "bad.spdx.yaml", 'spdxVersion: "SPDX-2.3"\nSPDXID: SPDXRef-DOCUMENT\nname: "a "quoted" word"\n')
    with pytest.raises(InputError) as error:
        parse(path, "spdx-2-yaml")
    assert error.value.location.startswith("line 3, column")


def test_spdx_rdf_is_refused_with_a_clear_error_not_misread():
    path = SPDX2 / "2.2/invalid_creation_info.rdf.xml"
    assert sniffed(path) == ["spdx-2-rdf"]
    with pytest.raises(InputError, match="RDF/XML serialization, which cvrule does not read"):
        parse(path, "spdx-2-rdf")


def test_a_document_id_other_than_spdxref_document_is_still_read(tmp_path):
    doc = minimal_json(SPDXID="2523a554-3e57-4f28-a7b6-4b2281670ac8", documentDescribes=["SPDXRef-A"])
    facts = parse(write(tmp_path, "b.spdx.json", orjson.dumps(doc)), "spdx-2-json")[1]
    assert [(l.parent, l.child) for l in facts if isinstance(l, ItemLink)] == [("2523a554-3e57-4f28-a7b6-4b2281670ac8", "SPDXRef-A")]


def test_the_sbom_utility_invalid_spdx_id_sample_is_an_input_error():
    with pytest.raises(InputError) as error:
        parse(SPDX2 / "2.2/test-spdx-spdx-id-invalid.json", "spdx-2-json")
    assert error.value.location == "/name"


def test_files_that_are_no_spdx_document_are_refused_by_each_reader(tmp_path):
    not_json = write(tmp_path, "invalid.spdx.json", "not JSON content\n")
    other_json = write(tmp_path, "other.spdx.json", '{\n    "invalid json content": false\n}\n')
    for path in (not_json, other_json):
        assert sniffed(path) == []
        for fmt in ("spdx-2-json", "spdx-2-yaml", "spdx-2-tag-value", "spdx-2-xml"):
            with pytest.raises(InputError):
                parse(path, fmt)


# --- samples and sniffing ---------------------------------------------------------------------

SAMPLE_FORMATS = {
    "SPDXJSONExample-v2.3.spdx.json": "spdx-2-json", "chainguard.spdx.json": "spdx-2-json",
    "SPDXYAMLExample-v2.3.spdx.yaml": "spdx-2-yaml", "SPDXSBOMExampleMissingSupplierName.spdx.yml": "spdx-2-yaml",
    "SPDXTagExample-v2.3.spdx": "spdx-2-tag-value", "pause.spdx": "spdx-2-tag-value",
    "SPDXTagExample-UTF-16.spdx": "spdx-2-tag-value", "app.spdx.tag": "spdx-2-tag-value",
    "SPDXXMLExample-v2.3.spdx.xml": "spdx-2-xml", "invalid_creation_info.rdf.xml": "spdx-2-rdf",
    "test-spdx-spdx-id-invalid.json": "spdx-2-json",
}


@pytest.mark.parametrize("path", sorted(SPDX2.glob("*/*.*")), ids=lambda p: p.name)
def test_each_sample_is_sniffed_as_its_format_only(path):
    assert sniffed(path) == [SAMPLE_FORMATS[path.name]]


@pytest.mark.parametrize("path", sorted(p for p in DATA.glob("*/*/*.*") if "spdx-2" not in p.parts), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_spdx_2_sniffers_do_not_claim_other_formats_samples(path):
    assert not [name for name in sniffed(path) if name.startswith("spdx-2")]


# --- the shared corpus ------------------------------------------------------------------------


def corpus_rows() -> list[dict[str, str]]:
    if not CORPUS.is_dir():
        return []
    with open(CORPUS / "SOURCES.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def expected_format(row: dict[str, str]) -> str | None:
    detected, path = row["detected_format"], row["corpus_path"]
    if detected.startswith("SPDX JSON") or detected in ("JSON object (SPDXID)", "JSON object (Document)"):
        return "spdx-2-json"
    if detected.startswith("SPDX YAML"):
        return "spdx-2-yaml"
    if detected.startswith("SPDX tag-value") or path.endswith("MetaSpdxscanner/python3-pyyaml-6.0.spdx.tag"):
        return "spdx-2-tag-value"
    if detected.startswith("SPDX 2.x XML"):
        return "spdx-2-xml"
    if detected.startswith("SPDX RDF/XML"):
        return "spdx-2-rdf"
    if detected.startswith("SPDX 3"):
        return "spdx-3-jsonld"
    return None


# Files the corpus lists as valid or deficient that are not SPDX 2.2/2.3 documents we can read,
# each with the reason it is refused.
REFUSED = {
    "spdx-spec/examples/SPDXYAMLExample-2.2.spdx.yaml": "line 324",  # unescaped quotes in a "..." scalar: not YAML
    "spdx-ntia-conformance-checker/doc_fest/MetaSpdxscanner/python3-pyyaml-6.0.spdx.tag": "line 1",  # a Python b'...' repr
    "cyclonedx-sbom-utility/test/config/test-spdx-spdx-version-missing.json": "/spdxVersion",  # an sbom-utility config stub
    "spdx-ntia-conformance-checker/data/missing_component_name/SPDXJsonExample.json": "/Document",  # pre-2.2 spdx-tools layout
    "spdx-ntia-conformance-checker/data/missing_unique_identifiers/SPDXJSONExample-v2.3.spdx.json": "/packages/0/SPDXID",
}

SPDX2_ROWS = [row for row in corpus_rows() if (expected_format(row) or "").startswith("spdx-2")]


@pytest.mark.parametrize("row", SPDX2_ROWS, ids=lambda row: row["corpus_path"])
def test_every_spdx_2_corpus_file_parses_or_is_refused_with_one_input_error(row):
    path = CORPUS / row["corpus_path"]
    fmt = expected_format(row)
    refused = row["purpose"].startswith("invalid") or fmt == "spdx-2-rdf" or row["corpus_path"] in REFUSED
    if refused:
        with pytest.raises(InputError) as error:
            list(parse(path, fmt)[1])
        if row["corpus_path"] in REFUSED:
            assert error.value.location.startswith(REFUSED[row["corpus_path"]])
    else:
        source, facts = parse(path, fmt)
        assert source.format_version.startswith("SPDX-2.")
        assert all(f.location for f in facts)


@pytest.mark.parametrize("row", corpus_rows(), ids=lambda row: row["corpus_path"])
def test_sniffing_picks_the_spdx_format_of_each_corpus_file_and_no_other(row):
    path = CORPUS / row["corpus_path"]
    expected = expected_format(row)
    assert sniffed(path) == ([expected] if expected else [])


@pytest.mark.parametrize("path, counts", [
    ("protobom-testdata/pkg/formats/testdata/nginx.spdx", {"ItemFact": 1185, "RoleMention": 1128, "ItemLink": 1185}),
    ("protobom-testdata/pkg/formats/testdata/nginx.spdx.json", {"ItemFact": 1185, "ItemLink": 1185}),
    ("spdx-ntia-conformance-checker/doc_fest/Kubernetes/kubernetes-time.spdx.tag", {"ItemFact": 125, "ItemLink": 125}),
    ("spdx-ntia-conformance-checker/doc_fest/ZephyrWest/build.spdx.tag", {"ItemFact": 53, "ItemLink": 1}),
    ("spdx-ntia-conformance-checker/doc_fest/Philips/keyclock_sbom.json", {"ItemFact": 148, "ItemLink": 155}),
    ("spdx-ntia-conformance-checker/data/real_world_sboms/spdx_sample_09.spdx", {"ItemFact": 66, "RoleMention": 61, "ItemLink": 94}),
])
def test_large_real_files_give_the_counts_their_content_has(corpus, path, counts):
    fmt = "spdx-2-json" if path.endswith(".json") else "spdx-2-tag-value"
    facts = parse(corpus / path, fmt)[1]
    found: dict[str, int] = {}
    for fact in facts:
        found[type(fact).__name__] = found.get(type(fact).__name__, 0) + 1
    assert found == counts


def test_nginx_tag_value_names_debian_maintainers_as_suppliers(corpus):
    facts = parse(corpus / "protobom-testdata/pkg/formats/testdata/nginx.spdx", "spdx-2-tag-value")[1]
    adduser = next(f for f in facts if isinstance(f, RoleMention) and f.name == "Debian Adduser Developers")
    assert adduser.email == "adduser@packages.debian.org"
    item = next(f for f in facts if isinstance(f, ItemFact) and f.key == adduser.item)
    assert item.name == "adduser"


def test_microsoft_sbom_tool_supplier_without_prefix_is_kept_as_written(corpus):
    facts = parse(corpus / "protobom-testdata/pkg/formats/testdata/linux-x64-manifest.spdx.json", "spdx-2-json")[1]
    assert "Microsoft/GitHub" in {f.name for f in facts if isinstance(f, RoleMention)}


# --- round trip -------------------------------------------------------------------------------

NAME = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x17F, blacklist_characters="()"), min_size=1, max_size=20).map(str.strip).filter(bool)
PURPOSES = st.sampled_from([None, "DEVICE", "FIRMWARE", "APPLICATION", "LIBRARY", "OPERATING-SYSTEM", "OTHER"])
SUPPLIER = st.one_of(
    st.just("NOASSERTION"),
    st.tuples(st.sampled_from(["Organization", "Person"]), NAME, st.one_of(st.none(), st.emails())),
)
RELATIONS = st.sampled_from(["CONTAINS", "CONTAINED_BY", "DEPENDS_ON", "DEPENDENCY_OF", "GENERATED_FROM"])


@st.composite
def spdx_documents(draw):
    count = draw(st.integers(1, 6))
    packages = []
    for index in range(count):
        package = {"SPDXID": f"SPDXRef-P{index}", "name": draw(NAME), "versionInfo": draw(NAME), "downloadLocation": "NOASSERTION"}
        purpose = draw(PURPOSES)
        if purpose:
            package["primaryPackagePurpose"] = purpose
        supplier = draw(SUPPLIER)
        package["supplier"] = supplier if isinstance(supplier, str) else f"{supplier[0]}: {supplier[1]}" + (f" ({supplier[2]})" if supplier[2] else "")
        packages.append(package)
    ids = [p["SPDXID"] for p in packages]
    relationships = [
        {"spdxElementId": draw(st.sampled_from(ids)), "relationshipType": draw(RELATIONS), "relatedSpdxElement": draw(st.sampled_from(ids))}
        for _ in range(draw(st.integers(0, 6)))
    ]
    return minimal_json(packages=packages, relationships=relationships)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=spdx_documents())
def test_a_random_spdx_2_3_json_document_parses_back_to_what_it_was_built_from(tmp_path, doc):
    facts = parse(write(tmp_path, "random.spdx.json", orjson.dumps(doc)), "spdx-2-json")[1]
    items = [(f.key, f.name, f.version, f.component_type) for f in facts if isinstance(f, ItemFact)]
    assert items == [(p["SPDXID"], p["name"], p["versionInfo"], p.get("primaryPackagePurpose")) for p in doc["packages"]]
    suppliers = [(m.item, m.name, m.email) for m in facts if isinstance(m, RoleMention)]
    expected_suppliers = []
    for p in doc["packages"]:
        if p["supplier"] != "NOASSERTION":
            body = p["supplier"].split(": ", 1)[1]
            name, _, email = body.partition(" (")
            expected_suppliers.append((p["SPDXID"], name, email[:-1] or None))
    assert suppliers == expected_suppliers
    turned = {"CONTAINS": ("contains", False), "CONTAINED_BY": ("contains", True), "DEPENDS_ON": ("depends_on", False), "DEPENDENCY_OF": ("depends_on", True)}
    expected_links = []
    for r in doc["relationships"]:
        if r["relationshipType"] in turned:
            relation, inverse = turned[r["relationshipType"]]
            parent, child = (r["relatedSpdxElement"], r["spdxElementId"]) if inverse else (r["spdxElementId"], r["relatedSpdxElement"])
            if (parent, child, relation) not in expected_links:
                expected_links.append((parent, child, relation))
    assert [(l.parent, l.child, l.relation) for l in facts if isinstance(l, ItemLink)] == expected_links
