"""Data flows from CycloneDX `services` (docs/dataflows.md): a flow per data entry with the
provider as operator, the flow's direction turned to the vehicle's side, hosting countries from
cvrule properties or else not stated (a `hosting_unknown` finding); the same register from the
JSON and the XML form; registers merged with clashing party keys kept apart."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.errors import InputError
from cvrule.filings.dataflows import DataFlowRegister, load_register
from cvrule.filings.dataflows_cyclonedx import data_kinds, merge_registers, register_from_cyclonedx
from cvrule.filings.risk import register_findings
from cvrule.fleet.result import Assessment, PartyView

DATA = Path(__file__).resolve().parents[1] / "data" / "dataflows"
DEMO_REGISTER = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet" / "dataflows.yaml"
COVERED = ("CN", "RU")

runner = CliRunner()


def _assessment(*parties: PartyView) -> Assessment:
    return Assessment(run_id="test-run", fleet="test", as_of=date(2030, 1, 1), engine="test", cvrule_version="0",
                      parameters_sha256="0", inputs=[], vehicles=[], decisions=[], components=[],
                      parties=list(parties), obligations=[], interpretations=[])


def _flows(register: DataFlowRegister) -> dict:
    return {flow.id: flow for item in register.items for flow in item.flows}


def test_a_cyclonedx_1_4_json_bom_gives_a_flow_per_data_entry_of_each_service():
    path = DATA / "lt9-tcu-1.4.cdx.json"
    register = register_from_cyclonedx(path)
    assert [(item.bom, item.component) for item in register.items] == [
        (str(path), "connected services"), (str(path), "firmware over the air")]
    connected = register.items[0]
    assert connected.lines == ("ridge",) and connected.model_years == (2032, 2033)
    flows = _flows(register)
    assert {i: (f.data, f.direction) for i, f in flows.items()} == {
        "lt9-connected-services#1": (("location",), "outbound"),      # inbound to the service: the vehicle sends
        "lt9-connected-services#2": (("identifiers",), "outbound"),   # PII
        "lt9-connected-services#3": (("commands",), "inbound"),       # outbound from the service
        "lt9-fota": (("diagnostics",), "both"),                       # telemetry, bi-directional
    }
    first = flows["lt9-connected-services#1"]
    assert first.endpoint == "https://telematics.cascadia-motors.example/v2"
    assert first.hosted_in == ("US",) and first.processed_in == ("US",)
    assert register.parties[first.operator].name == "Cascadia Motors, Inc."
    nimbus = register.parties[flows["lt9-fota"].operator]
    assert (nimbus.name, nimbus.country, nimbus.identifiers) == (
        "Shenzhen Nimbus Cloud Technology Co., Ltd.", "CN", {"uscc": "91440300MA5NBC7T44"})
    assert [(a.capability, register.parties[a.by].name) for item in register.items for a in item.remote_access] == [
        ("remote_start", "Cascadia Motors, Inc."), ("unlock", "Cascadia Motors, Inc."),
        ("update", "Shenzhen Nimbus Cloud Technology Co., Ltd.")]


def test_a_cyclonedx_1_6_json_bom_reads_named_data_flows_custodians_destinations_and_nested_services():
    register = register_from_cyclonedx(DATA / "ivi-voice-1.6.cdx.json")
    flows = _flows(register)
    voice = flows["voice-assistant"]
    assert voice.function == "voice assistant: voice queries"
    assert voice.data == ("cabin_audio",) and voice.direction == "outbound"
    assert voice.endpoint == "https://voice.corvina.example/query"  # no endpoints: the URL destination
    assert register.parties[voice.operator].model_dump() == {"name": "Corvina Voice GmbH", "country": "DE",
                                                             "identifiers": {}}
    assert register.parties[voice.hosting].name == "Bluecloud Hosting GmbH"  # the data's custodian
    assert voice.hosted_in == ()
    nested = flows["speech-to-text"]  # endpoints but no data: one flow of data `other`
    assert (nested.data, nested.direction, nested.endpoint) == (("other",), "both", "https://stt.corvina.example")
    assert nested.operator == voice.operator  # the same provider is one party


def test_the_xml_form_of_a_bom_gives_the_same_register_as_its_json_form():
    from_json = register_from_cyclonedx(DATA / "ivi-voice-1.6.cdx.json")
    from_xml = register_from_cyclonedx(DATA / "ivi-voice-1.6.cdx.xml")
    assert from_xml.parties == from_json.parties
    assert [i.model_copy(update={"bom": "x"}) for i in from_xml.items] == \
           [i.model_copy(update={"bom": "x"}) for i in from_json.items]
    assert {item.bom for item in from_xml.items} == {str(DATA / "ivi-voice-1.6.cdx.xml")}


def test_a_bom_without_services_gives_no_register():
    assert register_from_cyclonedx(DATA / "no-services-1.5.cdx.json") is None


@pytest.mark.parametrize(("classification", "kinds"), [
    ("PII", ("identifiers",)), ("Location", ("location",)), ("vehicle telemetry", ("diagnostics",)),
    ("diagnostic trouble codes", ("diagnostics",)), ("driving_behaviour", ("driving_behaviour",)),
    ("public", ("other",)), ("partner-data", ("other",)), (None, ("other",)),
])
def test_a_classification_names_a_data_kind_only_where_it_clearly_says(classification, kinds):
    assert data_kinds(classification) == kinds


def test_a_service_without_a_hosting_country_is_a_hosting_unknown_finding_to_review():
    register = register_from_cyclonedx(DATA / "ivi-voice-1.6.cdx.json")
    findings = register_findings(register, _assessment(), COVERED)
    unknown = [f for f in findings if f.kind == "hosting_unknown"]
    assert [(f.entry, f.severity) for f in unknown] == [("voice-assistant", "review"), ("speech-to-text", "review")]
    assert "ask the operator where the endpoint is hosted and where the data is processed" in unknown[0].says


def test_a_prc_linked_provider_is_an_operator_linked_finding():
    register = register_from_cyclonedx(DATA / "lt9-tcu-1.4.cdx.json")
    findings = register_findings(register, _assessment(), COVERED)
    kinds = {(f.kind, f.entry, f.party) for f in findings}
    nimbus = "Shenzhen Nimbus Cloud Technology Co., Ltd."
    assert ("operator_linked", "lt9-fota", nimbus) in kinds
    assert ("remote_access_by_linked", "lt9-fota:update", nimbus) in kinds
    assert ("hosted_in_covered_jurisdiction", "lt9-fota", None) in kinds
    assert not [f for f in findings if f.kind == "hosting_unknown"]  # every service says where it is hosted


def test_a_provider_the_run_found_linked_is_an_operator_linked_finding_whatever_its_stated_country():
    linked = PartyView(ref="lei:CVRL00CORVINAVOICE01", name="Corvina Voice GmbH", country="DE", linkage="linked",
                       why=["Corvina Voice GmbH is owned by a PRC company"])
    register = register_from_cyclonedx(DATA / "ivi-voice-1.6.cdx.json")
    findings = register_findings(register, _assessment(linked), COVERED)
    operator = [f for f in findings if f.kind == "operator_linked" and f.party == "Corvina Voice GmbH"]
    assert [f.entry for f in operator] == ["voice-assistant", "speech-to-text"]
    assert operator[0].why == ["Corvina Voice GmbH is owned by a PRC company"]


@pytest.mark.parametrize(("service", "where", "says"), [
    ({"name": "x", "data": [{"flow": "sideways", "classification": "PII"}]}, "/services/0/data/0/flow",
     "expected one of inbound, outbound, bi-directional, unknown"),
    ({"name": "x", "endpoints": ["https://x.example"],
      "properties": [{"name": "cvrule:hosted_in", "value": "CN,Atlantis"}]},
     "/services/0/properties", "cvrule:hosted_in: expected ISO 3166 country codes"),
    ({"name": "x", "properties": [{"name": "cvrule:remote_access", "value": "teleport"}]}, "/services/0/properties",
     "cvrule:remote_access: expected capabilities"),
    ({"endpoints": ["https://x.example"]}, "/services/0/name", "expected a value"),
    ({"name": "x", "data": "PII"}, "/services/0/data", "expected an array"),
])
def test_a_bad_service_is_refused_naming_the_file_and_the_place(tmp_path, service, where, says):
    bom = tmp_path / "bad.cdx.json"
    bom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "services": [service]}))
    with pytest.raises(InputError) as caught:
        register_from_cyclonedx(bom)
    assert (caught.value.file, caught.value.location) == (str(bom), where)
    assert says in caught.value.message


def test_a_file_that_is_not_a_cyclonedx_bom_is_refused(tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"spdxVersion": "SPDX-2.3"}')
    with pytest.raises(InputError, match="expected a CycloneDX BOM"):
        register_from_cyclonedx(other)


def test_merged_registers_keep_clashing_party_keys_apart_and_rename_their_references():
    demo = load_register(DEMO_REGISTER)
    clash = DataFlowRegister.model_validate({
        "cvrule_dataflows": 1,
        "parties": {"cascadia": demo.parties["cascadia"],  # the same party: merged
                    "nimbus-ota": {"name": "Nimbus OTA Holdings (HK) Limited", "country": "HK"}},  # another
        "items": [{"bom": "boms/x.cdx.json", "flows": [{"id": "x", "function": "f", "data": ["other"],
                                                        "endpoint": "e", "operator": "nimbus-ota"}],
                   "remote_access": [{"id": "y", "capability": "update", "by": "cascadia", "path": "p"}]}]})
    merged = merge_registers(demo, clash)
    assert list(merged.parties) == [*demo.parties, "nimbus-ota-2"]
    assert merged.parties["nimbus-ota"] == demo.parties["nimbus-ota"]
    assert merged.parties["nimbus-ota-2"].name == "Nimbus OTA Holdings (HK) Limited"
    assert merged.items[:-1] == demo.items
    assert merged.items[-1].flows[0].operator == "nimbus-ota-2"
    assert merged.items[-1].remote_access[0].by == "cascadia"
    assert not merged.undefined_parties()


def test_the_dataflows_command_merges_a_register_and_the_services_of_a_bom(tmp_path):
    run = tmp_path / "assessment.json"
    run.write_bytes(_assessment().to_json())
    result = runner.invoke(app, ["authorization", "dataflows", str(DEMO_REGISTER), str(DATA / "ivi-voice-1.6.cdx.xml"),
                                 str(DATA / "no-services-1.5.cdx.json"), "--run", str(run), "--json"])
    assert result.exit_code == 1, result.output  # the demo's Nimbus FOTA is hosted in China: a high finding
    findings = json.loads(result.stdout)
    assert ("hosted_in_covered_jurisdiction", "nimbus-fota") in {(f["kind"], f["entry"]) for f in findings}
    assert {f["entry"] for f in findings if f["kind"] == "hosting_unknown"} == {"voice-assistant", "speech-to-text"}


def test_a_bom_is_read_for_services_only_when_its_bytes_name_them(tmp_path):
    from cvrule.fleet.dataflows import _mentions_services

    assert _mentions_services(DATA / "ivi-voice-1.6.cdx.json") and _mentions_services(DATA / "ivi-voice-1.6.cdx.xml")
    assert not _mentions_services(DATA / "no-services-1.5.cdx.json")
    padded = tmp_path / "padded.json"  # a byte-order mark and blank lines before the JSON
    padded.write_bytes(b"\xef\xbb\xbf\n\n  " + (DATA / "ivi-voice-1.6.cdx.json").read_bytes())
    assert _mentions_services(padded)
    other = tmp_path / "other.json"  # "services" in a JSON file that is no CycloneDX BOM
    other.write_text('{"services": []}')
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert not _mentions_services(other) and not _mentions_services(empty)
