"""SARIF: valid SARIF 2.1.0, prohibited is an error and indeterminate a warning, each result
says why with its CFR paragraphs and points at the input file and the component in it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from cvrule.model import Outcome
from cvrule.report.sarif import render_sarif
from fixture import build_assessment, check_snapshot

SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json"


@pytest.fixture(scope="module")
def assessment(law):
    return build_assessment(law)


@pytest.fixture(scope="module")
def sarif(assessment) -> dict:
    return json.loads(render_sarif(assessment))


def test_snapshot(assessment):
    check_snapshot("report.sarif.json", render_sarif(assessment))


def test_it_is_valid_sarif_2_1_0(sarif):
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    assert sarif["version"] == "2.1.0"


def test_the_schema_rejects_what_sarif_does_not_allow(sarif):
    """The vendored subset schema is strict enough to catch a wrong level or an invented property."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    wrong_level = json.loads(json.dumps(sarif))
    wrong_level["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(wrong_level))
    invented = json.loads(json.dumps(sarif))
    invented["runs"][0]["results"][0]["severity"] = "high"
    assert list(validator.iter_errors(invented))


def test_the_driver_is_cvrule_with_one_rule_per_gating_outcome(assessment, sarif):
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "cvrule"
    assert driver["version"] == assessment.cvrule_version
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in driver["rules"]} == {
        "prohibited": "error", "indeterminate": "warning"}


def test_prohibited_is_an_error_indeterminate_a_warning_and_nothing_else_is_reported(assessment, sarif):
    results = sarif["runs"][0]["results"]
    rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    by_txn = {r["partialFingerprints"]["cvruleTransaction/v1"]: r
              for r in results if "cvruleTransaction/v1" in r["partialFingerprints"]}
    for view in assessment.decisions:
        d = view.decision
        result = by_txn.get(d.transaction)
        if d.outcome is Outcome.prohibited:
            assert result["level"] == "error" and result["ruleId"] == "prohibited"
        elif d.outcome is Outcome.indeterminate:
            assert result["level"] == "warning" and result["ruleId"] == "indeterminate"
        else:
            assert result is None, f"{d.transaction} is {d.outcome.value}: no result"
            continue
        assert rules[result["ruleIndex"]] == result["ruleId"]
        for cite in d.cites:
            assert cite in result["message"]["text"]
        assert result["locations"][0]["logicalLocations"][0]["name"] == d.transaction


def test_an_indeterminate_result_asks_the_missing_questions(assessment, sarif):
    results = {r["partialFingerprints"].get("cvruleTransaction/v1"): r for r in sarif["runs"][0]["results"]}
    for view in assessment.decisions:
        if view.decision.outcome is Outcome.indeterminate:
            text = results[view.decision.transaction]["message"]["text"]
            for missing in view.decision.missing_facts:
                assert missing.question in text


def test_offending_components_are_located_in_their_input_file(assessment, sarif):
    results = [r for r in sarif["runs"][0]["results"] if "cvruleComponent/v1" in r["partialFingerprints"]]
    components = {c.id: c for c in assessment.components}
    gating = {cid for v in assessment.decisions if v.decision.outcome in (Outcome.prohibited, Outcome.indeterminate)
              for cid in v.components}
    assert {r["partialFingerprints"]["cvruleComponent/v1"] for r in results} == gating
    artifacts = [a["location"]["uri"] for a in sarif["runs"][0]["artifacts"]]
    for result in results:
        component = components[result["partialFingerprints"]["cvruleComponent/v1"]]
        location = result["locations"][0]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uri"] == component.source
        assert artifacts[artifact["index"]] == component.source
        assert location["logicalLocations"][0]["fullyQualifiedName"] == component.location
        assert component.name in result["message"]["text"]
        worst = "error" if any(v.decision.outcome is Outcome.prohibited for v in assessment.decisions
                               if component.id in v.components) else "warning"
        assert result["level"] == worst


def test_a_clean_fleet_has_no_results(assessment):
    clean = assessment.model_copy(update={"decisions": [
        v for v in assessment.decisions if v.decision.outcome not in (Outcome.prohibited, Outcome.indeterminate)]})
    assert json.loads(render_sarif(clean))["runs"][0]["results"] == []
