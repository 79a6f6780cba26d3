"""CycloneDX 1.2-1.7, JSON and XML: what each file gives, that JSON and XML copies and spec
versions of one BOM give the same facts, which broken files are refused and which are read.

Which `invalid-*` files are accepted, and why: a parser is not a schema validator. It refuses a
file when something it keeps cannot be read (a component without a name or type, a type
CycloneDX does not define, an empty or repeated bom-ref, a dependency without a ref, a property
value without a name, a wrong namespace or bomFormat, a JSON or XML syntax error). It accepts a
file whose only fault lies in something it does not keep or keeps as text without interpreting
it; each such case is listed in ACCEPTED_INVALID with the reason.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import Counter
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import CORPUS, DATA, corpus_files
from cvrule.errors import InputError
from cvrule.ingest import cyclonedx
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import ItemFact, ItemLink, PartyFact, RoleMention
from cvrule.ingest.limits import Limits

SAMPLES = DATA / "cyclonedx"
JSON, XML = cyclonedx.FORMATS
NS = "http://cyclonedx.org/schema/bom/"


def read(path: Path) -> tuple:
    fmt = JSON if path.suffix == ".json" else XML
    parsed = fmt.parse(path, Limits())
    return parsed.source, list(parsed.facts)


def of(facts: list, kind: type) -> list:
    return [fact for fact in facts if type(fact) is kind]


def items(facts: list) -> dict[str, ItemFact]:
    return {fact.key: fact for fact in of(facts, ItemFact)}


def links(facts: list, relation: str) -> set[tuple[str, str]]:
    return {(fact.parent, fact.child) for fact in of(facts, ItemLink) if fact.relation == relation}


def mentions(facts: list) -> set[tuple[str, str, str]]:
    return {(fact.item, fact.role, fact.name) for fact in of(facts, RoleMention)}


def without_locations(facts: list) -> Counter:
    """Facts as comparable tuples: locations dropped, and a key that is a location (a component
    without bom-ref) replaced by the component's name, since JSON pointers and XML paths differ."""
    by_location = {fact.key: fact.name for fact in of(facts, ItemFact) if fact.key == fact.location}

    def key(value: str) -> str:
        return f"<{by_location[value]}>" if value in by_location else value

    result: Counter = Counter()
    for fact in facts:
        fields = {name: getattr(fact, name) for name in fact.__slots__ if name != "location"}
        for name in ("key", "item", "parent", "child"):
            if name in fields:
                fields[name] = key(fields[name])
        result[(type(fact).__name__, repr(sorted(fields.items())))] += 1
    return result


def write(tmp_path: Path, doc: object, name: str = "bom.json") -> Path:
    path = tmp_path / name
    path.write_bytes(doc if isinstance(doc, bytes) else orjson.dumps(doc))
    return path


def bom(*components: dict, **top: object) -> dict:
    return {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": list(components), **top}


# --- the samples shipped with the tests -------------------------------------------------------


def test_the_two_formats_are_registered_by_name():
    assert [fmt.name for fmt in cyclonedx.FORMATS] == ["cyclonedx-json", "cyclonedx-xml"]


def test_an_hbom_gives_hardware_items_with_their_suppliers():
    source, facts = read(SAMPLES / "1.4" / "bom.json")
    assert (source.format, source.format_version, source.document_name) == ("cyclonedx-json", "1.4",
                                                                            "pcie-sata-adaptor-board")
    found = items(facts)
    doc = orjson.loads((SAMPLES / "1.4" / "bom.json").read_bytes())
    assert len(found) == len(doc["components"]) + 1
    assert {item.item_type for item in found.values()} == {"hardware"}
    board = found["pcie-sata-adaptor-board"]
    assert board.component_type == "device" and board.version == "rev-1"
    assert board.properties == {cyclonedx.GROUP_PROPERTY: "uk.ac.cam.cl"}
    assert links(facts, "describes") == {("urn:uuid:e8c355aa-2142-4084-a8c7-6d42c8610ba2", "pcie-sata-adaptor-board")}
    assert found["molex-47155-4001"].properties["cdx:device:gs1:gtin-12"] == "822348522712"
    supplied = {(m.item, m.name, m.url) for m in of(facts, RoleMention) if m.role == "supplied_by"}
    assert ("PCIE-098-02-F-D-EMS2", "Samtec", "https://www.samtec.com/") in supplied
    assert {name for _, name, _ in supplied} == {c["supplier"]["name"] for c in doc["components"]}


def test_the_json_and_xml_copies_of_a_spec_example_give_the_same_facts():
    pairs = sorted(SAMPLES.glob("*/valid-*.json"))
    assert len(pairs) >= 7
    for path in pairs:
        json_source, json_facts = read(path)
        xml_source, xml_facts = read(path.with_suffix(".xml"))
        assert json_facts or "manufacturer" in path.name, path.name
        assert without_locations(json_facts) == without_locations(xml_facts), path.name
        assert (json_source.format_version, json_source.document_name, json_source.created) == (
            xml_source.format_version, xml_source.document_name, xml_source.created)


def test_a_full_bom_gives_every_role_and_not_the_boms_own_manufacturer():
    for suffix in (".json", ".xml"):
        source, facts = read(SAMPLES / "1.6" / f"valid-bom-1.6{suffix}")
        assert source.created == "2020-04-13T20:20:39+00:00"
        library = "pkg:maven/com.example/myapplication@1.0.0?packaging=war"
        product = next(fact.key for fact in of(facts, ItemFact) if "metadata" in fact.location)
        assert mentions(facts) >= {
            (product, "supplied_by", "Acme, Inc."),
            (product, "authored_by", "Acme Super Heros"),
            (library, "supplied_by", "Example, Inc."),
            (library, "manufactured_by", "Example-2, Inc."),
            (library, "authored_by", "Anthony Edward Stark"),
            ("pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar", "published_by", "Acme Inc"),
        }
        # metadata.manufacturer (1.6+) made the BOM, not the product
        assert not [m for m in of(facts, RoleMention) if m.item == product and m.role == "manufactured_by"]
        supplier = next(m for m in of(facts, RoleMention) if m.item == library and m.role == "supplied_by")
        assert (supplier.url, supplier.email) == ("https://example.com", "support@example.com")
        assert items(facts)[library].cpe == "cpe:/a:example:myapplication:1.0.0"
        assert links(facts, "depends_on") == {("pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar", library)}


def test_the_deprecated_metadata_manufacture_names_the_product_maker():
    for suffix in (".json", ".xml"):
        _, facts = read(SAMPLES / "1.7" / f"valid-metadata-manufacture-1.7{suffix}")
        (mention,) = of(facts, RoleMention)
        # no metadata.component: the maker of the product the BOM describes is named on the document
        assert (mention.item, mention.role, mention.name) == (
            "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "manufactured_by", "Acme, Inc. // deprecated")
        assert (mention.party, mention.url, mention.email) == (
            "manufacturer-1", "https://example.com", "professional.services@example.com")
        (party,) = of(facts, PartyFact)
        assert (party.key, party.name, party.identifiers["url"]) == ("manufacturer-1", "Acme, Inc. // deprecated",
                                                                     "https://example.com")
        _, facts = read(SAMPLES / "1.7" / f"valid-metadata-manufacturer-1.7{suffix}")
        assert facts == []


def test_nested_components_are_items_contained_in_their_parent():
    _, facts = read(SAMPLES / "1.7" / "valid-assembly-1.7.json")
    found = items(facts)
    assert sorted(item.name for item in found.values()) == ["acme-library-a", "acme-library-b"]
    assert links(facts, "contains") == {("/components/0", "/components/0/components/0")}


def test_dependencies_are_depends_on_links_between_bom_refs():
    for suffix in (".json", ".xml"):
        _, facts = read(SAMPLES / "1.7" / f"valid-dependency-1.7{suffix}")
        assert set(items(facts)) == {"library-a", "library-b", "library-c"}
        assert links(facts, "depends_on") == {("library-b", "library-c")}


def test_a_patched_component_is_modified():
    for suffix in (".json", ".xml"):
        _, facts = read(SAMPLES / "1.7" / f"valid-patch-1.7{suffix}")
        assert [item.modified for item in of(facts, ItemFact)] == [True]


def test_component_types_map_to_hardware_software_or_unknown():
    _, facts = read(SAMPLES / "1.7" / "valid-component-types-1.7.json")
    kinds = {item.component_type: item.item_type for item in of(facts, ItemFact)}
    assert kinds["device"] == "hardware"
    assert {kinds[name] for name in ("application", "library", "framework", "container", "operating-system",
                                     "firmware", "file")} == {"software"}
    assert kinds["data"] == "unknown"
    assert cyclonedx._item_type("platform") == "software"  # "a runtime environment which ... executes software"
    assert cyclonedx._item_type("device-driver") == "software"
    assert cyclonedx._item_type("machine-learning-model") == "unknown"
    assert cyclonedx._item_type("cryptographic-asset") == "unknown"


REFUSED_SAMPLES = {
    "invalid-component-ref-1.7.json": ("/components/1/bom-ref", "non-empty bom-ref"),
    "invalid-component-ref-1.7.xml": ("/bom[1]/components[1]/component[1]/components[1]/component[2]", "already used"),
    "invalid-component-type-1.7.json": ("/components/0/type", "not a CycloneDX type"),
    "invalid-dependency-1.7.json": ("/dependencies/0", "ref of a component"),
    "invalid-dependency-1.7.xml": ("/bom[1]/dependencies[1]/dependency[1]", "ref of a component"),
    "invalid-empty-component-1.7.xml": ("/bom[1]/components[1]/component[1]", "component name"),
    "invalid-namespace-1.7.xml": ("/bom[1]", "namespace"),
    "invalid-properties-1.7.xml": ("/bom[1]/components[1]/component[1]/properties[1]/property[1]", "property name"),
    "cdx-1-3-syntax-err-1.json": ("line 6, column 18", "not valid JSON"),
}


@pytest.mark.parametrize("name", sorted(REFUSED_SAMPLES))
def test_a_broken_sample_is_refused_with_its_location(name):
    (path,) = SAMPLES.glob(f"*/{name}")
    with pytest.raises(InputError) as error:
        read(path)
    location, message = REFUSED_SAMPLES[name]
    assert (error.value.file, error.value.location) == (str(path), location)
    assert message in error.value.message


def test_a_schema_invalid_sample_whose_fault_is_not_kept_is_read():
    _, facts = read(SAMPLES / "1.7" / "invalid-hash-alg-1.7.json")  # hashes are not read
    assert [item.name for item in of(facts, ItemFact)] == ["acme-library"]
    _, facts = read(SAMPLES / "1.7" / "invalid-license-missing-id-and-name-1.7.json")  # an empty license states nothing
    assert [item.licenses for item in of(facts, ItemFact)] == [[]]


# --- facts a compliance team relies on --------------------------------------------------------

VEHICLE_JSON = {
    "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000001",
    "version": 1,
    "metadata": {
        "timestamp": "2026-03-01T00:00:00Z",
        "component": {"type": "device", "bom-ref": "tcu", "name": "Telematics Control Unit", "version": "B2",
                      "manufacturer": {"name": "Example Tier 1 GmbH", "address": {"country": "Germany"}},
                      "properties": [{"name": "cdx:automotive:modelYear", "value": "2027"}]},
        "manufacturer": {"name": "SBOM Tool Vendor Inc."},
    },
    "components": [
        {"type": "device", "bom-ref": "modem", "name": "LTE module EG25", "version": "A1",
         "supplier": {"bom-ref": "org-q", "name": "Example Modem Co., Ltd.", "url": ["https://modem.example"],
                      "contact": [{"name": "Sales", "email": "sales@modem.example"}],
                      "address": {"country": "China", "locality": "Shanghai"}},
         "properties": [{"name": "vehicle:model-year", "value": "MY2027"}, {"name": "cdx:device:function", "value": "modem"},
                        {"name": "cdx:device:function", "value": "gnss"}],
         "components": [{"type": "firmware", "name": "EG25 firmware", "version": "R07",
                         "purl": "pkg:generic/eg25-firmware@R07", "cpe": "cpe:2.3:o:example:eg25:r07:*:*:*:*:*:*:*",
                         "licenses": [{"license": {"id": "LicenseRef-proprietary"}}],
                         "pedigree": {"ancestors": [{"type": "firmware", "name": "upstream"}],
                                      "patches": [{"type": "backport"}]}}]},
        {"type": "operating-system", "bom-ref": "os", "name": "Linux", "version": "6.1", "author": "Linus",
         "publisher": "kernel.org", "authors": [{"name": "Greg", "email": "greg@kernel.example"}],
         "licenses": [{"expression": "GPL-2.0-only WITH Linux-syscall-note"}], "modified": False,
         "properties": [{"name": "Model_Year", "value": "2030"}]},
    ],
    "dependencies": [{"ref": "tcu", "dependsOn": ["modem", "os"]}, {"ref": "os"}],
}

VEHICLE_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<cdx:bom xmlns:cdx="{NS}1.6" serialNumber="urn:uuid:00000000-0000-4000-8000-000000000001" version="1">
  <cdx:metadata>
    <cdx:timestamp>2026-03-01T00:00:00Z</cdx:timestamp>
    <cdx:component type="device" bom-ref="tcu">
      <cdx:manufacturer><cdx:name>Example Tier 1 GmbH</cdx:name><cdx:address><cdx:country>Germany</cdx:country></cdx:address></cdx:manufacturer>
      <cdx:name>Telematics Control Unit</cdx:name>
      <cdx:version>B2</cdx:version>
      <cdx:properties><cdx:property name="cdx:automotive:modelYear">2027</cdx:property></cdx:properties>
    </cdx:component>
    <cdx:manufacturer><cdx:name>SBOM Tool Vendor Inc.</cdx:name></cdx:manufacturer>
  </cdx:metadata>
  <cdx:components>
    <cdx:component type="device" bom-ref="modem">
      <cdx:supplier bom-ref="org-q">
        <cdx:name>Example Modem Co., Ltd.</cdx:name>
        <cdx:address><cdx:country>China</cdx:country><cdx:locality>Shanghai</cdx:locality></cdx:address>
        <cdx:url>https://modem.example</cdx:url>
        <cdx:contact><cdx:name>Sales</cdx:name><cdx:email>sales@modem.example</cdx:email></cdx:contact>
      </cdx:supplier>
      <cdx:name>LTE module EG25</cdx:name>
      <cdx:version>A1</cdx:version>
      <cdx:properties>
        <cdx:property name="vehicle:model-year">MY2027</cdx:property>
        <cdx:property name="cdx:device:function">modem</cdx:property>
        <cdx:property name="cdx:device:function">gnss</cdx:property>
      </cdx:properties>
      <cdx:components>
        <cdx:component type="firmware">
          <cdx:name>EG25 firmware</cdx:name>
          <cdx:version>R07</cdx:version>
          <cdx:licenses><cdx:license><cdx:id>LicenseRef-proprietary</cdx:id></cdx:license></cdx:licenses>
          <cdx:cpe>cpe:2.3:o:example:eg25:r07:*:*:*:*:*:*:*</cdx:cpe>
          <cdx:purl>pkg:generic/eg25-firmware@R07</cdx:purl>
          <cdx:pedigree>
            <cdx:ancestors><cdx:component type="firmware"><cdx:name>upstream</cdx:name></cdx:component></cdx:ancestors>
            <cdx:patches><cdx:patch type="backport"/></cdx:patches>
          </cdx:pedigree>
        </cdx:component>
      </cdx:components>
    </cdx:component>
    <cdx:component type="operating-system" bom-ref="os">
      <cdx:authors><cdx:author><cdx:name>Greg</cdx:name><cdx:email>greg@kernel.example</cdx:email></cdx:author></cdx:authors>
      <cdx:author>Linus</cdx:author>
      <cdx:publisher>kernel.org</cdx:publisher>
      <cdx:name>Linux</cdx:name>
      <cdx:version>6.1</cdx:version>
      <cdx:licenses><cdx:expression>GPL-2.0-only WITH Linux-syscall-note</cdx:expression></cdx:licenses>
      <cdx:modified>false</cdx:modified>
      <cdx:properties><cdx:property name="Model_Year">2030</cdx:property></cdx:properties>
    </cdx:component>
  </cdx:components>
  <cdx:dependencies>
    <cdx:dependency ref="tcu"><cdx:dependency ref="modem"/><cdx:dependency ref="os"/></cdx:dependency>
    <cdx:dependency ref="os"/>
  </cdx:dependencies>
</cdx:bom>
"""


@pytest.fixture(params=["json", "xml"])
def vehicle(request, tmp_path) -> list:
    if request.param == "json":
        return read(write(tmp_path, VEHICLE_JSON))[1]
    path = tmp_path / "bom.xml"
    path.write_text(VEHICLE_XML, encoding="utf-8")
    assert XML.sniff(path.read_bytes(), path) and not JSON.sniff(path.read_bytes(), path)
    return read(path)[1]


def test_a_supplier_country_is_normalized_and_its_bom_ref_becomes_a_party(vehicle):
    (supplier,) = [m for m in of(vehicle, RoleMention) if m.role == "supplied_by"]
    assert (supplier.item, supplier.name, supplier.country_raw, supplier.country) == (
        "modem", "Example Modem Co., Ltd.", "China", "CN")
    assert (supplier.party, supplier.url, supplier.email) == ("org-q", "https://modem.example", "sales@modem.example")
    (party,) = of(vehicle, PartyFact)
    assert (party.key, party.name, party.country, party.kind) == ("org-q", "Example Modem Co., Ltd.", "CN", "organization")
    assert party.identifiers == {"url": "https://modem.example", "email": "sales@modem.example"}


def test_the_product_maker_is_its_manufacturer_not_the_boms(vehicle):
    makers = {(m.item, m.name, m.country) for m in of(vehicle, RoleMention) if m.role == "manufactured_by"}
    assert makers == {("tcu", "Example Tier 1 GmbH", "DE")}
    assert ("urn:uuid:00000000-0000-4000-8000-000000000001", "tcu") in links(vehicle, "describes")


def test_a_model_year_property_gives_the_model_year_when_it_is_a_year(vehicle):
    found = items(vehicle)
    assert found["tcu"].model_year == 2027
    assert found["modem"].model_year is None  # "MY2027" is not a year
    assert found["os"].model_year == 2030


def test_nested_firmware_is_contained_patched_and_licensed(vehicle):
    found = items(vehicle)
    (firmware,) = [item for item in found.values() if item.name == "EG25 firmware"]
    assert ("modem", firmware.key) in links(vehicle, "contains")
    assert (firmware.item_type, firmware.modified, firmware.licenses) == ("software", True, ["LicenseRef-proprietary"])
    assert (firmware.purl, firmware.cpe) == ("pkg:generic/eg25-firmware@R07", "cpe:2.3:o:example:eg25:r07:*:*:*:*:*:*:*")
    assert "upstream" not in {item.name for item in found.values()}  # a pedigree ancestor is not part of the BOM
    assert found["os"].modified is False
    assert found["os"].licenses == ["GPL-2.0-only WITH Linux-syscall-note"]


def test_repeated_property_names_keep_every_value(vehicle):
    assert items(vehicle)["modem"].properties == {"vehicle:model-year": "MY2027", "cdx:device:function": "modem",
                                                  "cdx:device:function#2": "gnss"}


def test_authors_and_publisher_are_role_mentions(vehicle):
    assert {(m.role, m.name, m.email) for m in of(vehicle, RoleMention) if m.item == "os"} == {
        ("authored_by", "Linus", None), ("authored_by", "Greg", "greg@kernel.example"), ("published_by", "kernel.org", None)}
    assert links(vehicle, "depends_on") == {("tcu", "modem"), ("tcu", "os")}


def test_every_fact_has_a_location(vehicle):
    assert all(fact.location for fact in vehicle)


def test_json_and_xml_of_the_vehicle_bom_agree(tmp_path):
    path = tmp_path / "bom.xml"
    path.write_text(VEHICLE_XML, encoding="utf-8")
    assert without_locations(read(write(tmp_path, VEHICLE_JSON))[1]) == without_locations(read(path)[1])


def test_reading_a_bom_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    import gc

    good, bad = write(tmp_path, VEHICLE_JSON), write(tmp_path, {**VEHICLE_JSON, "components": [{"type": "library"}]}, "bad.json")
    assert gc.isenabled()
    read(good)
    assert gc.isenabled()
    with pytest.raises(InputError, match="expected a component name"):
        read(bad)
    assert gc.isenabled()
    gc.disable()
    try:
        read(good)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_json_in_utf16_or_with_a_byte_order_mark_is_read(tmp_path):
    text = orjson.dumps(VEHICLE_JSON).decode()
    for name, data in (("utf8bom.json", b"\xef\xbb\xbf" + text.encode()), ("utf16.json", text.encode("utf-16"))):
        path = write(tmp_path, data, name)
        assert JSON.sniff(data[:65536], path)
        assert len(of(read(path)[1], ItemFact)) == 4


def test_nulls_and_empty_strings_are_missing_data_not_errors(tmp_path):
    doc = bom({"type": "library", "name": "", "version": None, "supplier": None, "properties": None,
               "licenses": [{"license": {}}], "components": None, "purl": ""}, metadata=None, dependencies=None)
    (item,) = of(read(write(tmp_path, doc))[1], ItemFact)
    assert (item.name, item.version, item.purl, item.licenses) == ("", None, None, [])


def test_an_entity_without_a_name_is_named_by_its_contact_or_url(tmp_path):
    doc = bom({"type": "device", "name": "x", "supplier": {"contact": [{"email": "a@b.example"}]},
               "manufacturer": {"url": ["https://maker.example"]}})
    assert {(m.role, m.name) for m in of(read(write(tmp_path, doc))[1], RoleMention)} == {
        ("supplied_by", "a@b.example"), ("manufactured_by", "https://maker.example")}


BROKEN_JSON = [
    ([1, 2], "/", "JSON object"),
    ({"specVersion": "1.6"}, "/", "bomFormat"),
    (bom(specVersion="1.8"), "/specVersion", "1.2, 1.3"),
    (bom(specVersion=1.4), "/specVersion", "specVersion"),
    (bom(metadata="none"), "/metadata", "an object"),
    (bom(metadata={"component": "x"}), "/metadata/component", "a component"),
    (bom(metadata={"supplier": "Acme"}), "/metadata/supplier", "an organization"),
    (bom(components={"type": "library"}), "/components", "an array"),
    (bom({"type": "library"}), "/components/0", "component name"),
    (bom({"name": "x"}), "/components/0", "component type"),
    (bom({"type": "gadget", "name": "x"}), "/components/0/type", "not a CycloneDX type"),
    (bom({"type": "library", "name": 7}), "/components/0/name", "a string"),
    (bom({"type": "library", "name": "x", "version": 1.0}), "/components/0/version", "a string"),
    (bom({"type": "library", "name": "x", "bom-ref": ""}), "/components/0/bom-ref", "non-empty"),
    (bom({"type": "library", "name": "x", "bom-ref": 3}), "/components/0/bom-ref", "a string"),
    (bom({"type": "library", "name": "x", "bom-ref": "a"}, {"type": "library", "name": "y", "bom-ref": "a"}),
     "/components/1/bom-ref", "already used by the component at /components/0"),
    (bom({"type": "library", "name": "x", "components": [{"type": "library", "name": "y", "bom-ref": ""}]}),
     "/components/0/components/0/bom-ref", "non-empty"),
    (bom({"type": "library", "name": "x", "supplier": "Acme"}), "/components/0/supplier", "an organization"),
    (bom({"type": "library", "name": "x", "supplier": {"url": "https://a"}}), "/components/0/supplier/url", "an array"),
    (bom({"type": "library", "name": "x", "supplier": {"url": [1]}}), "/components/0/supplier/url/0", "URL"),
    (bom({"type": "library", "name": "x", "supplier": {"address": {"country": ["CN"]}}}),
     "/components/0/supplier/address/country", "a string"),
    (bom({"type": "library", "name": "x", "authors": [{"name": 1}]}), "/components/0/authors/0/name", "a string"),
    (bom({"type": "library", "name": "x", "properties": [{"name": "n", "value": 2027}]}),
     "/components/0/properties/0/value", "a string"),
    (bom({"type": "library", "name": "x", "properties": [{"value": "v"}]}), "/components/0/properties/0", "property name"),
    (bom({"type": "library", "name": "x", "properties": ["a=b"]}), "/components/0/properties/0", "a property"),
    (bom({"type": "library", "name": "x", "licenses": ["MIT"]}), "/components/0/licenses/0", "a license choice"),
    (bom({"type": "library", "name": "x", "licenses": [{"license": {"id": 5}}]}),
     "/components/0/licenses/0/license/id", "a string"),
    (bom({"type": "library", "name": "x", "modified": "yes"}), "/components/0/modified", "true or false"),
    (bom({"type": "library", "name": "x", "pedigree": {"patches": {}}}), "/components/0/pedigree/patches", "an array"),
    (bom(dependencies=[{"dependsOn": ["a"]}]), "/dependencies/0", "ref of a component"),
    (bom(dependencies=[{"ref": "a", "dependsOn": [""]}]), "/dependencies/0/dependsOn/0", "ref of a component"),
    (bom(dependencies=[{"ref": "a", "dependsOn": "b"}]), "/dependencies/0/dependsOn", "an array"),
]


@pytest.mark.parametrize(("doc", "location", "message"), BROKEN_JSON, ids=[case[1] + " " + case[2] for case in BROKEN_JSON])
def test_json_that_cannot_be_read_is_refused_at_its_location(tmp_path, doc, location, message):
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as error:
        read(path)
    assert (error.value.file, error.value.location) == (str(path), location)
    assert message in error.value.message


BROKEN_XML = [
    (f'<foo xmlns="{NS}1.6"/>', "/foo[1]", "<bom> root"),
    (f'<bom xmlns="{NS}1.9"/>', "/bom[1]", "namespace"),
    ('<bom xmlns="http://example.com/bom"/>', "/bom[1]", "namespace"),
    (f'<bom xmlns="{NS}1.6"><components><component type="library"><name><b>x</b></name></component></components></bom>',
     "/bom[1]/components[1]/component[1]/name[1]/b[1]", "expected text"),
    (f'<bom xmlns="{NS}1.6"><components><component type="library"><name>x</name><modified>yes</modified>'
     "</component></components></bom>", "/bom[1]/components[1]/component[1]/modified[1]", "true or false"),
    (f'<bom xmlns="{NS}1.6"><components><component type="library"><name>x</name></component>'
     '<component type="library"><name>x</name></component></components>'
     '<dependencies><dependency ref="a"><dependency ref="b"><dependency/></dependency></dependency></dependencies></bom>',
     "/bom[1]/dependencies[1]/dependency[1]/dependency[1]/dependency[1]", "ref"),
    (f'<bom xmlns="{NS}1.6"><components><component type="library"><name>x</name>', "line 1, column", "not well-formed"),
    (f'<!DOCTYPE bom [<!ENTITY e "x">]><bom xmlns="{NS}1.6"/>', "prolog", "entity"),
]


@pytest.mark.parametrize(("text", "location", "message"), BROKEN_XML, ids=[case[2] for case in BROKEN_XML])
def test_xml_that_cannot_be_read_is_refused_at_its_location(tmp_path, text, location, message):
    path = tmp_path / "bom.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read(path)
    assert error.value.file == str(path)
    assert error.value.location.startswith(location)
    assert message in error.value.message


def test_the_sniffers_claim_cyclonedx_only(tmp_path):
    path = tmp_path / "x"
    cdx_json = b'\xef\xbb\xbf {\n  "bomFormat" : "CycloneDX", "specVersion": "1.5"}'
    cdx_schema_first = b'{"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "metadata": {}}'
    cdx_xml = f'<?xml version="1.0"?>\n<!-- made by hand -->\n<bom xmlns="{NS}1.5" version="1"/>'.encode()
    assert JSON.sniff(cdx_json, path) and JSON.sniff(cdx_schema_first, path) and XML.sniff(cdx_xml, path)
    assert not XML.sniff(cdx_json, path) and not JSON.sniff(cdx_xml, path)
    others = [
        b'{"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "comment": "not bomFormat CycloneDX"}',
        b'[{"bomFormat": "CycloneDX"}]',
        b'{"bomFormat": "SPDX"}',
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:bom="{NS}1.6"/>'.encode(),
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b"SPDXVersion: SPDX-2.3\n",
        b"",
    ]
    for head in others:
        assert not JSON.sniff(head, path) and not XML.sniff(head, path), head


# --- the shared corpus ------------------------------------------------------------------------


def _rows() -> list[dict]:
    if not CORPUS.is_dir():
        return []
    with open(CORPUS / "SOURCES.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _rows()
NOT_CYCLONEDX = {
    # bomFormat "foo": SOURCES calls it CycloneDX JSON 1.2 after its specVersion, but it is not a CycloneDX BOM
    "cyclonedx-sbom-utility/test/config/test-cdx-bom-format-invalid.json",
    # bomFormat "AnotherFormat" and no CycloneDX $schema: nothing says CycloneDX (the 1.6, 1.7 copies carry a $schema)
    "cyclonedx-specification/test-resources/1.2/invalid-bomformat-1.2.json",
    "cyclonedx-specification/test-resources/1.3/invalid-bomformat-1.3.json",
    "cyclonedx-specification/test-resources/1.4/invalid-bomformat-1.4.json",
    "cyclonedx-specification/test-resources/1.5/invalid-bomformat-1.5.json",
}
BROKEN_CYCLONEDX_JSON = {
    # SOURCES calls them malformed JSON; they are CycloneDX BOMs with a syntax error, so the CycloneDX
    # parser is the one to say where the error is
    "cyclonedx-sbom-utility/test/cyclonedx/1.3/cdx-1-3-syntax-err-1.json",
    "cyclonedx-sbom-utility/test/cyclonedx/1.3/cdx-1-3-syntax-err-2.json",
}
MISTAGGED_VALID = {
    # {"bomFormat": "CycloneDX"} alone: sbom-utility's own test expects UnsupportedSchemaError for it
    "cyclonedx-sbom-utility/test/config/test-cdx-spec-version-missing.json",
}


def _expected_format(row: dict) -> str | None:
    if row["corpus_path"] in NOT_CYCLONEDX or row["purpose"].startswith("schema"):
        return None
    if row["corpus_path"] in BROKEN_CYCLONEDX_JSON:
        return "cyclonedx-json"
    if row["detected_format"].startswith("CycloneDX JSON"):
        return "cyclonedx-json"
    if row["detected_format"].startswith("CycloneDX XML"):
        return "cyclonedx-xml"
    return None


def test_sniffing_picks_cyclonedx_for_its_corpus_files_and_nothing_else(corpus):
    wrong = []
    for row in ROWS:
        path = corpus / row["corpus_path"]
        with open(path, "rb") as handle:
            head = handle.read(65536)
        claimed = [fmt.name for fmt in cyclonedx.FORMATS if fmt.sniff(head, path)]
        expected = _expected_format(row)
        if claimed != ([expected] if expected else []):
            wrong.append((row["corpus_path"], row["detected_format"], claimed))
    assert not wrong, "\n".join(map(str, wrong))
    assert sum(1 for row in ROWS if _expected_format(row)) > 700


def _valid_rows() -> list[dict]:
    return [row for row in ROWS if _expected_format(row) and row["purpose"].startswith("valid")
            and row["corpus_path"] not in MISTAGGED_VALID]


def _json_counts(doc: dict) -> tuple[int, int, int]:
    """(components, nested components, dependsOn entries), counted straight from the document."""
    def walk(components: list, nested: bool) -> tuple[int, int]:
        total, inner = 0, 0
        for component in components or []:
            below = walk(component.get("components"), True)
            total, inner = total + 1 + below[0], inner + (1 if nested else 0) + below[1]
        return total, inner
    metadata = doc.get("metadata") or {}
    top = [metadata["component"]] if metadata.get("component") else []
    meta_total, meta_inner = walk(top, False)
    total, inner = walk(doc.get("components"), False)
    depends = sum(len(entry.get("dependsOn") or []) for entry in doc.get("dependencies") or [])
    return meta_total + total, meta_inner + inner, depends


def _xml_counts(path: Path) -> tuple[int, int, int]:
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    ns = {"b": etree.QName(root).namespace}

    def walk(parent, nested: bool) -> tuple[int, int]:
        total, inner = 0, 0
        for component in parent.findall("b:components/b:component", ns):
            below = walk(component, True)
            total, inner = total + 1 + below[0], inner + (1 if nested else 0) + below[1]
        return total, inner

    total, inner = walk(root, False)
    for component in root.findall("b:metadata/b:component", ns):
        below = walk(component, True)
        total, inner = total + 1 + below[0], inner + below[1]
    depends = len(root.findall("b:dependencies/b:dependency//b:dependency", ns))
    return total, inner, depends


@pytest.mark.parametrize("row", _valid_rows(), ids=lambda row: row["corpus_path"])
def test_every_valid_corpus_file_gives_one_item_per_component(row):
    path = CORPUS / row["corpus_path"]
    source, facts = read(path)
    version = re.search(r"\d\.\d", row["detected_format"])
    assert source.format == _expected_format(row)
    assert version is None or source.format_version == version.group(0)
    if path.suffix == ".json":
        expected = _json_counts(orjson.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf")))
    else:
        expected = _xml_counts(path)
    found = (len(of(facts, ItemFact)), len(of(facts, ItemLink)) - len(links(facts, "describes"))
             - sum(1 for fact in of(facts, ItemLink) if fact.relation == "depends_on"),
             sum(1 for fact in of(facts, ItemLink) if fact.relation == "depends_on"))
    assert found == expected
    assert all(fact.location for fact in facts)
    assert {item.item_type for item in of(facts, ItemFact)} <= {"hardware", "software", "unknown"}


# A schema-invalid file is accepted when its fault lies only in what the parser does not keep,
# or keeps as text without interpreting it.
ACCEPTED_INVALID = {
    "invalid-component-swid": "swid is not read",
    "invalid-hash-alg": "hashes are not read",
    "invalid-hash-md5": "hashes are not read",
    "invalid-hash-sha1": "hashes are not read",
    "invalid-hash-sha256": "hashes are not read",
    "invalid-hash-sha512": "hashes are not read",
    "invalid-issue-type": "what a patch resolves is not read",
    "invalid-patch-type": "only that a patch exists is read (it marks the component modified), not its type",
    "invalid-scope": "scope is not read",
    "invalid-serialnumber": "the serial number is kept as the document key, as written",
    "invalid-service-data": "services are not read",
    "invalid-metadata-timestamp": "the timestamp is kept as text, as written",
    "invalid-metadata-license": "the BOM's own license is not read",
    "invalid-metadata-distribution": "distribution constraints are not read",
    "invalid-citations": "citations are not read",
    "invalid-license-id": "license ids are kept as written; checking them against the SPDX list is not parsing",
    "invalid-license-encoding": "license text is not read",
    "invalid-license-choice": "a license and an expression side by side are both still readable",
    "invalid-license-declared-concluded-mix": "both the declared and the concluded licenses are readable",
    "invalid-license-id-count": "each id of a license is readable",
    "invalid-license-name-count": "each name of a license is readable",
    "invalid-license-missing-id-and-name": "an empty license states nothing; it is skipped",
    "invalid-component-external-version-and-range": "versionRange is not read",
    "invalid-component-versionRange-non-external-explicit": "versionRange and isExternal are not read",
    "invalid-component-versionRange-non-external-implicit": "versionRange and isExternal are not read",
    "informal-invalid-component-versionRange-non-external-explicit": "versionRange and isExternal are not read",
    "informal-invalid-component-versionRange-non-external-implicit": "versionRange and isExternal are not read",
    "cdx-1-2-invalid-license-name-has-expression": "a license name is kept as written",
    "cdx-1-3-invalid-license-choice-oneof": "a license and an expression side by side are both still readable",
    "cdx-1-3-invalid-spdx-license-id": "license ids are kept as written",
    "cdx-1-4-invalid-email-format": "e-mail addresses are kept as written",
    "cdx-1-4-license-policy-invalid-license-name": "license names are kept as written (a policy concern)",
    "cdx-1-4-license-policy-invalid-spdx-id": "license ids are kept as written (a policy concern)",
    "cdx-1-4-invalid-sbom.cdx": "syft wrote empty license objects; they state nothing and are skipped",
    "cdx-1-6-invalid-sbom.cdx": "its faults are null vulnerability justifications; vulnerabilities are not read",
}


def _case(path: Path) -> str:
    return re.sub(r"-1\.\d$", "", path.name.removesuffix(".json").removesuffix(".xml"))


def _invalid_files() -> list[Path]:
    paths = [CORPUS / row["corpus_path"] for row in ROWS
             if row["purpose"].startswith("invalid") and row["corpus_path"] not in MISTAGGED_VALID
             and (_expected_format(row) or row["corpus_path"] in NOT_CYCLONEDX)]
    return paths + [CORPUS / path for path in sorted(MISTAGGED_VALID)]


@pytest.mark.parametrize("path", _invalid_files(), ids=lambda path: str(path.relative_to(CORPUS)))
def test_every_invalid_corpus_file_is_refused_with_a_location_or_accepted_for_a_stated_reason(path):
    if _case(path) in ACCEPTED_INVALID:
        _, facts = read(path)
        assert all(fact.location for fact in facts)
        return
    with pytest.raises(InputError) as error:
        read(path)
    assert error.value.file == str(path)
    assert error.value.location, "the error must say where"


def test_the_invalid_corpus_files_cover_every_accepted_case(corpus):
    cases = {_case(path) for path in _invalid_files()}
    assert set(ACCEPTED_INVALID) <= cases
    refused = cases - set(ACCEPTED_INVALID)
    assert {"invalid-bomformat", "invalid-component-ref", "invalid-component-type", "invalid-dependency",
            "invalid-empty-component", "invalid-missing-component-type", "invalid-namespace", "invalid-properties",
            "cdx-1-3-syntax-err-1", "cdx-1-3-syntax-err-2"} <= refused


LARAVEL = "cyclonedx-bom-examples/SBOM/laravel-7.12.0"


def _laravel_view(facts: list) -> tuple:
    return (
        sorted((item.key, item.name, item.version, item.purl, item.component_type, tuple(item.licenses))
               for item in of(facts, ItemFact)),
        sorted((link.parent, link.child, link.relation) for link in of(facts, ItemLink)),
        sorted(mentions(facts)),
    )


def test_the_laravel_bom_gives_the_same_facts_in_every_version_and_syntax(corpus):
    views = {}
    for version in ("1.2", "1.3", "1.4"):
        json_facts = read(corpus / LARAVEL / f"bom.{version}.json")[1]
        xml_facts = read(corpus / LARAVEL / f"bom.{version}.xml")[1]
        assert without_locations(json_facts) == without_locations(xml_facts), version
        views[version] = _laravel_view(json_facts)
    assert views["1.2"] == views["1.3"] == views["1.4"]
    item_rows, link_rows, mention_rows = views["1.2"]
    assert len(item_rows) == 63
    assert ("laravel/framework-7.30.6.0", "framework", "v7.30.6", "pkg:composer/laravel/framework@v7.30.6",
            "library", ("MIT",)) in {row[:6] for row in item_rows}
    assert Counter(relation for *_, relation in link_rows) == Counter({"depends_on": len(link_rows) - 1, "describes": 1})
    assert ("document", "cyclonedx/cyclonedx-php-composer-demo-dev-master", "describes") in link_rows
    assert mention_rows and {role for _, role, _ in mention_rows} == {"authored_by"}


def test_the_laravel_bom_in_cyclonedx_1_1_xml_is_read_too(corpus):
    source, facts = read(corpus / LARAVEL / "bom.1.1.xml")
    assert source.format_version == "1.1"
    names_1_1 = sorted((item.name, item.version) for item in of(facts, ItemFact))
    names_1_2 = sorted((item.name, item.version) for item in of(read(corpus / LARAVEL / "bom.1.2.xml")[1], ItemFact)
                       if "metadata" not in item.location)
    assert names_1_1 == names_1_2


TWINS = [path for path in corpus_files("cyclonedx-bom-examples/SBOM/**/*bom*.xml") if path.with_suffix(".json").exists()]


@pytest.mark.parametrize("path", TWINS, ids=lambda path: str(path.relative_to(CORPUS)))
def test_real_xml_boms_match_their_json_twins(path):
    """Compared on keys, names, versions, purls and links between components: the twins were
    generated separately (serial numbers differ, and keycloak's product type and one dropwizard
    license differ in the files themselves), and XML pretty-printing indents multi-line text."""
    def view(facts: list) -> tuple:
        return ({(item.key, item.name, item.version, item.purl) for item in of(facts, ItemFact)},
                links(facts, "contains"), links(facts, "depends_on"))
    xml_view, json_view = view(read(path)[1]), view(read(path.with_suffix(".json"))[1])
    assert xml_view == json_view
    assert xml_view[0]


# --- round trip ---------------------------------------------------------------------------------

COUNTRIES = ["China", "CN", "Germany", "DE", "United States", "Taiwan", "Atlantis", "CN-GD"]
PROPERTY_NAMES = ["cdx:device:function", "cdx:automotive:modelYear", "vehicle:model-year", "Model_Year", "sku", "x"]

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
maybe_text = st.one_of(st.none(), st.just(""), text)
supplier = st.fixed_dictionaries({"name": text}, optional={
    "url": st.lists(text, max_size=2), "address": st.fixed_dictionaries({"country": st.sampled_from(COUNTRIES)})})
prop = st.fixed_dictionaries({"name": st.sampled_from(PROPERTY_NAMES)},
                             optional={"value": st.one_of(text, st.integers(1990, 2040).map(str))})
leaf = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(cyclonedx.COMPONENT_TYPES)), "name": st.text(max_size=12)},
    optional={"version": maybe_text, "purl": maybe_text, "supplier": supplier, "manufacturer": supplier,
              "properties": st.lists(prop, max_size=4), "bom-ref": st.just("")})
component = st.recursive(leaf, lambda children: st.builds(lambda c, kids: {**c, "components": kids}, leaf,
                                                            st.lists(children, max_size=3)), max_leaves=8)


def _number_refs(components: list, counter: list) -> None:
    """Gives every component that asked for a bom-ref (drawn as "") a unique one."""
    for c in components:
        if "bom-ref" in c:
            counter[0] += 1
            c["bom-ref"] = f"ref-{counter[0]}"
        _number_refs(c.get("components", []), counter)


def _expected(components: list, where: str, out: dict) -> list[str]:
    keys = []
    for index, c in enumerate(components):
        at = f"{where}/{index}"
        key = c.get("bom-ref", at)
        keys.append(key)
        props: dict[str, str] = {}
        for p in c.get("properties", []):
            name, n = p["name"], 1
            while (name if n == 1 else f"{name}#{n}") in props:
                n += 1
            props[name if n == 1 else f"{name}#{n}"] = p.get("value", "")
        years = [int(p["value"]) for p in c.get("properties", []) if re.search("model[-_]?year", p["name"], re.I)
                 and re.fullmatch(r"[0-9]{4}", p.get("value", "").strip())]
        out["items"][key] = (c["name"], c.get("version") or None, c.get("purl") or None, c["type"],
                             "hardware" if c["type"] == "device" else "unknown" if c["type"] in
                             ("data", "machine-learning-model", "cryptographic-asset") else "software",
                             props, years[0] if years else None)
        for role, field in (("supplied_by", "supplier"), ("manufactured_by", "manufacturer")):
            if field in c:
                country = c[field].get("address", {}).get("country")
                url = next((u for u in c[field].get("url", []) if u), None)
                out["mentions"].add((key, role, c[field]["name"], country, normalize_country(country), url))
        for child in _expected(c.get("components", []), f"{at}/components", out):
            out["contains"].add((key, child))
    return keys


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(components=st.lists(component, max_size=4), data=st.data())
def test_a_random_bom_written_with_orjson_parses_back_to_its_facts(components, data):
    _number_refs(components, [0])
    expected: dict = {"items": {}, "mentions": set(), "contains": set()}
    keys = _expected(components, "/components", expected)
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(keys)), max_size=4)) if keys else []
    doc = bom(*components, dependencies=[{"ref": a, "dependsOn": [b]} for a, b in pairs])
    with tempfile.TemporaryDirectory() as folder:
        facts = read(write(Path(folder), doc))[1]
    found = {item.key: (item.name, item.version, item.purl, item.component_type, item.item_type, item.properties,
                        item.model_year) for item in of(facts, ItemFact)}
    assert found == expected["items"]
    assert {(m.item, m.role, m.name, m.country_raw, m.country, m.url) for m in of(facts, RoleMention)} == expected["mentions"]
    assert links(facts, "contains") == expected["contains"]
    assert [(link.parent, link.child) for link in of(facts, ItemLink) if link.relation == "depends_on"] == pairs
