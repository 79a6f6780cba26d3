"""Filings drafted from the demo fleet's assessment: a specific authorization application
(791.307(c)) and an advisory opinion request (791.310) with every item present or listed as
missing, the same bytes each time; the data-flow register's errors and its risk findings."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.errors import InputError
from cvrule.filings import load_answers, load_register
from cvrule.fleet.assess import assess

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet"
REGISTER = DEMO / "dataflows.yaml"
APPLICATION_ITEMS = {f"791.307(c)({n})" for n in range(1, 9)}
ADVISORY_ITEMS = {"791.310(a)", "791.310(c)(1)", "791.310(c)(2)", "791.310(c)(3)", "791.310(c)(4)", "791.310(c)(5)",
                  "791.310(c)(7)"}

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-out")
    return assess(DEMO, out=out, formats=("json",))


def _draft(run, tmp_path, *args: str, command: str = "draft") -> tuple[dict, Path]:
    out = tmp_path / "filings"
    result = runner.invoke(app, ["authorization", command, *args, "--run", str(run.run_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.json"))
    assert len(files) == 1, files
    return orjson.loads(files[0].read_bytes()), out


def _cites(filing: dict) -> set[str]:
    return {part.strip() for item in filing["items"] for part in item["cite"].split(",")}


def _every_item_present_or_missing(filing: dict) -> None:
    for item in filing["items"]:
        if item["status"] == "complete":
            assert not item["missing"], item["key"]
        else:
            assert item["missing"], item["key"]
            assert all(gap["provide"] for gap in item["missing"]), item["key"]
        if item["data"] is not None:
            assert item["sources"], f"{item['key']}: data without a source"


def test_an_application_for_a_prohibited_sale_holds_every_item_of_791_307c(run, tmp_path):
    filing, _ = _draft(run, tmp_path, "ridge-my2027-sale", "--dataflows", str(REGISTER), "--format", "json")
    assert filing["kind"] == "specific_authorization_application"
    assert [t["outcome"] for t in filing["transactions"]] == ["prohibited"]
    assert APPLICATION_ITEMS <= _cites(filing)
    _every_item_present_or_missing(filing)
    items = {item["key"]: item for item in filing["items"]}
    assert filing["applicant"]["name"] == "Cascadia Motors, Inc."
    assert filing["applicant"]["role"] == "connected vehicle manufacturer"
    parties = {p["name"]: p for p in items["parties"]["data"]}
    meridian = parties["Meridian Telematics Pte. Ltd."]
    assert meridian["nexus"] == "linked"
    assert meridian["identifiers"]["lei"] == "CVRL00MERIDIANSGP113"
    assert any("Harbourline Holdings Limited" in line for line in meridian["ownership_chain"])
    assert any("Harbourline" in line for line in meridian["nexus_path"])
    overview = {c["name"]: c for c in items["vcs_overview"]["data"]}
    assert "Meridian Telematics Pte. Ltd. (linked)" in overview["mt-connect"]["persons"]["developed_by"]
    assert [g["key"] for g in items["vcs_overview"]["missing"]] == ["assembly_and_packaging"]
    assert items["vehicles"]["data"] == [{"vehicle": "ridge-2027", "line": "ridge", "make": "Cascadia",
                                          "model": "Ridge EV", "trim": None, "model_year": 2027,
                                          "manufacturer": "lei:CVRL00CASCADIAMTR150"}]
    for key in ("government_access", "security_standards", "mitigation"):
        assert items[key]["status"] == "missing"
    flows = items["data_flows"]["data"]["items"]
    assert [f["id"] for item in flows for f in item["flows"]] == ["mt-connect-cloud"]


def test_an_application_for_an_import_of_vcs_hardware_names_the_vehicles_it_goes_into(run, tmp_path):
    filing, _ = _draft(run, tmp_path, "mt200-spares-2029", "--format", "json")
    assert filing["applicant"]["role"] == "VCS hardware importer"
    _every_item_present_or_missing(filing)
    items = {item["key"]: item for item in filing["items"]}
    lines = {(v["line"], v["model_year"]) for v in items["vehicles"]["data"]}
    assert ("ridge", 2029) in lines and ("hauler", 2027) in lines
    assert items["data_flows"]["status"] == "missing"  # no --dataflows given
    assert {f["path"] for f in items["supporting_documents"]["data"]} == {"boms/meridian-mt200-tcu.cdx.json"}


def test_the_same_run_gives_the_same_bytes(run, tmp_path):
    args = ["ridge-my2030-sale", "--dataflows", str(REGISTER)]
    _, first = _draft(run, tmp_path / "a", *args)
    _, second = _draft(run, tmp_path / "b", *args)
    for name in ("application-ridge-my2030-sale.json", "application-ridge-my2030-sale.pdf"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "application-ridge-my2030-sale.pdf").read_bytes().startswith(b"%PDF")


def test_answers_fill_the_items_no_data_gives(run, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("cvrule_answers: 1\nanswers:\n"
                       "  security_standards: ISO/SAE 21434 CSMS; UN R155 and R156\n"
                       "  tara: [{title: LT-5 TARA, revision: C}]\n")
    filing, _ = _draft(run, tmp_path, "ridge-my2030-sale", "--answers", str(answers), "--format", "json")
    items = {item["key"]: item for item in filing["items"]}
    assert items["security_standards"]["status"] == "complete"
    assert items["security_standards"]["answers"]["security_standards"]["source"] == "answers.yaml, line 3"
    assert items["supporting_documents"]["status"] == "complete"
    assert items["supporting_documents"]["answers"]["tara"]["value"] == [{"title": "LT-5 TARA", "revision": "C"}]
    assert "answers.yaml" in filing["inputs"]


def test_an_advisory_opinion_request_holds_the_items_of_791_310(run, tmp_path):
    filing, _ = _draft(run, tmp_path, "summit-my2028-sale", "--format", "json", command="advisory")
    assert filing["kind"] == "advisory_opinion_request"
    assert filing["title"].startswith("Advisory Opinion Request: Cascadia Motors, Inc.")
    assert ADVISORY_ITEMS <= _cites(filing)
    _every_item_present_or_missing(filing)
    items = {item["key"]: item for item in filing["items"]}
    assert items["submitter"]["status"] == "missing"
    question = items["questions"]["data"][0]
    assert question["outcome"] == "indeterminate" and question["transaction"] == "summit-my2028-sale"
    assert any(p["name"] == "Rheinfeld Automotive Systems GmbH" and p["nexus"] == "indeterminate"
               for p in items["parties"]["data"])


def test_an_unknown_transaction_is_refused(run, tmp_path):
    result = runner.invoke(app, ["authorization", "draft", "no-such-sale", "--run", str(run.run_dir),
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "no-such-sale" in result.output


def test_the_nimbus_ota_service_is_a_finding_though_the_lt5_hardware_is_clean(run, tmp_path):
    filing, _ = _draft(run, tmp_path, "ridge-my2030-sale", "--dataflows", str(REGISTER), "--format", "json")
    findings = filing["findings"]
    kinds = {(f["kind"], f["entry"], f["party"]) for f in findings}
    assert ("operator_linked", "nimbus-fota", "Nimbus OTA Services Ltd") in kinds
    assert ("operator_linked", "nimbus-fota", "Shenzhen Nimbus Cloud Technology Co., Ltd.") in kinds
    assert ("remote_access_by_linked", "nimbus-ota-update", "Nimbus OTA Services Ltd") in kinds
    hosted = [f for f in findings if f["kind"] == "hosted_in_covered_jurisdiction"]
    assert [(f["entry"], f["countries"]) for f in hosted] == [("nimbus-fota", ["CN"])]
    # Cascadia's own US telematics backend and remote start are clean: no finding.
    assert not [f for f in findings if f["entry"].startswith("lt5-")]
    # The legal outcome is the law's, not the findings'.
    assert [t["outcome"] for t in filing["transactions"]] == ["prohibited"]


def test_the_dataflows_command_reports_findings_and_exits_1_on_a_high_one(run):
    result = runner.invoke(app, ["authorization", "dataflows", str(REGISTER), "--run", str(run.run_dir), "--json"])
    assert result.exit_code == 1, result.output
    findings = orjson.loads(result.stdout)
    assert {f["entry"] for f in findings} == {"nimbus-fota", "nimbus-ota-update", "mt-connect-cloud", "mt200-fota"}


def test_the_register_is_an_input_of_the_run_but_not_ingested_as_law_facts(run):
    formats = {f.path: f.format for f in run.assessment.inputs}
    assert formats["dataflows.yaml"] == "cvrule-dataflows"  # kept in the run id and the record pack
    assert not run.problems  # not read as a BOM or an ownership file


@pytest.mark.parametrize("text, location", [
    ("cvrule_dataflows: 1\nitems:\n  - bom: boms/x.json\n    flows:\n      - id: f\n        function: t\n"
     "        data: [location]\n        endpoint: e\n        operator: nobody\n        hosted_in: [US]\n",
     "items"),
    ("cvrule_dataflows: 1\nparties: {}\nitems:\n  - bom: boms/x.json\n    flows:\n      - id: f\n        function: t\n"
     "        data: [telepathy]\n", "items.0.flows.0.data.0 (line 8)"),
    ("cvrule_dataflows: 1\nparties:\n  p: {name: P, country: china}\nitems: []\n", "parties.p.country (line 3)"),
    ("cvrule_dataflows: 1\nitems: [\n", "line 3"),
])
def test_a_bad_register_names_the_file_and_the_place(tmp_path, text, location):
    path = tmp_path / "dataflows.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        load_register(path)
    assert error.value.file == str(path)
    assert location in (error.value.location or ""), error.value


def test_a_bad_answers_file_names_the_key_and_the_line(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("cvrule_answers: 1\nanswers:\n  tara: T\n  colour: blue\n")
    with pytest.raises(InputError) as error:
        load_answers(path, {"tara"})
    assert error.value.location == "answers.colour (line 4)"


def test_the_demo_register_loads():
    register = load_register(REGISTER)
    assert "nimbus-ota" in register.parties
