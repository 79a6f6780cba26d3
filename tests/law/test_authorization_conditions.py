"""Conditions of specific authorizations (791.307): the edges the case files do not reach."""

from __future__ import annotations

import json
from datetime import date

from cvrule.cases import load_case, run_case
from cvrule.model import Outcome

BASE = {
    "parties": {
        "lakeshore": {"name": "Lakeshore Telematics Inc.", "kind": "organization", "country": "US"},
        "pearl-river": {"name": "Pearl River Wireless Technology Co., Ltd.", "kind": "organization", "country": "CN"},
    },
    "items": {
        "lte-module": {"type": "hardware", "name": "5G module", "rf": ["cellular"], "max_rf_mhz": 3800, "passive": False,
                       "model_year": 2031, "designed_by": ["pearl-river"], "manufactured_by": ["pearl-river"]},
    },
}


def _decide(law, tmp_path, day: date, condition, from_: str | None = "2029-11-30"):
    auth = {"kind": "specific", "id": "SA-1", "holder": "lakeshore", "transactions": ["imp"], "conditions": [condition]}
    if from_ is not None:
        auth["from"] = from_
    case = {
        "name": "A case built by the test for one condition",
        **BASE,
        "transactions": {"imp": {"kind": "import_vcs_hardware", "actor": "lakeshore", "item": "lte-module",
                                 "date": day.isoformat()}},
        "authorizations": [auth],
        "expect": {"imp": {"outcome": "authorized"}},
    }
    path = tmp_path / f"case-{day.isoformat()}.yaml"
    path.write_text(json.dumps(case), encoding="utf-8")  # JSON is YAML
    [decision] = run_case(load_case(path), law)
    return decision


def test_a_plain_text_condition_is_always_met(law, tmp_path):
    assert _decide(law, tmp_path, date(2035, 1, 1), "Provisioned in the United States").outcome is Outcome.authorized


def test_without_evidence_the_cadence_counts_from_the_first_day_and_quarterly_keeps_to_month_ends(law, tmp_path):
    audit = {"id": "audit", "text": "Quarterly audit", "cadence": "quarterly"}
    assert _decide(law, tmp_path, date(2030, 2, 28), audit).outcome is Outcome.authorized  # due 2030-02-28
    late = _decide(law, tmp_path, date(2030, 3, 1), audit)
    assert late.outcome is Outcome.prohibited
    assert any("audit" in step.says and step.cite == "791.307" and step.holds is False for step in late.because.walk())


def test_evidence_after_the_evaluation_date_does_not_count(law, tmp_path):
    audit = {"id": "audit", "text": "Audit", "cadence": 30, "evidence": [{"date": "2030-06-01", "what": "report"}]}
    assert _decide(law, tmp_path, date(2030, 1, 15), audit).outcome is Outcome.prohibited


def test_an_unknown_cadence_or_no_day_to_count_from_is_indeterminate(law, tmp_path):
    odd = _decide(law, tmp_path, date(2030, 1, 15), {"id": "audit", "text": "Audit", "cadence": "fortnightly"})
    assert odd.outcome is Outcome.indeterminate
    assert [m.fact for m in odd.missing_facts] == ["authorizations.0.conditions.0.cadence"]
    unanchored = _decide(law, tmp_path, date(2030, 1, 15), {"id": "audit", "text": "Audit", "cadence": 30}, from_=None)
    assert unanchored.outcome is Outcome.indeterminate
    assert [m.fact for m in unanchored.missing_facts] == ["authorizations.0.conditions.0.evidence"]
