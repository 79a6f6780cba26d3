"""Scope ready to grow: a commercial-vehicle rule (vehicles over 10,000 lb GVWR, announced but not
published) is new dated data beside the old, not a code change. A hypothetical parameter set
that raises the GVWR limit from a future date leaves every existing decision as it was, except
the heavy vehicles it is meant to bring in, and brings a heavy truck into scope."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import CASES
from cvrule.cases import load_case, run_case
from cvrule.law import Law
from cvrule.law.parameters import DEFAULT_PARAMETERS_DIR
from cvrule.model import Outcome

COMMERCIAL_RULE_EFFECTIVE = date(2027, 9, 1)
COMMERCIAL_GVWR_LIMIT = 80000  # the heaviest Class 8 truck

HYPOTHETICAL_VALUE = f"""    - effective: {COMMERCIAL_RULE_EFFECTIVE.isoformat()}
      value: {COMMERCIAL_GVWR_LIMIT}
      cite: "791.301"
      source: >-
        Hypothetical commercial-vehicle rule (test data only): vehicles over 10,000 lb GVWR up to
        Class 8 become connected vehicles.
      status: interpretation
"""

HEAVY_TRUCK_CASE = """
name: A Class 8 truck with a PRC telematics unit is out of scope under the bundled law
parties:
  plains:
    name: Plains Freight Trucks Inc.
    kind: organization
    country: US
  pearl-river:
    name: Pearl River Wireless Technology Co., Ltd.
    kind: organization
    country: CN
items:
  tcu:
    type: hardware
    name: Telematics control unit PRW-T9
    rf: [cellular, gnss]
    max_rf_mhz: 3800
    passive: false
    model_year: 2031
    designed_by: [pearl-river]
    manufactured_by: [pearl-river]
    supplied_by: [pearl-river]
vehicles:
  hauler-2031:
    make: Plains
    model: Hauler 8
    model_year: 2031
    gvwr_lbs: 80000
    public_roads: true
    completed: true
    manufacturer: plains
    items: [tcu]
transactions:
  import-hauler:
    kind: import_vehicle
    actor: plains
    vehicle: hauler-2031
    date: 2030-10-01
    purpose: production
expect:
  import-hauler:
    outcome: out_of_scope
"""


def _commercial_vehicle_law(tmp_path: Path) -> Law:
    """A copy of the bundled parameters with a new dated GVWR limit added beside the old value."""
    target = tmp_path / "parameters"
    shutil.copytree(DEFAULT_PARAMETERS_DIR, target)
    scope = target / "scope.yaml"
    text = scope.read_text(encoding="utf-8")
    start = text.index("\ngvwr_limit_lbs:")
    end = text.index("\n", text.index("status:", start)) + 1
    scope.write_text(text[:end] + HYPOTHETICAL_VALUE + text[end:], encoding="utf-8")
    return Law.load(target)


def _decide(law: Law, paths: list[Path]) -> dict[tuple[str, str], object]:
    return {(path.name, d.transaction): d for path in paths for d in run_case(load_case(path), law)}


@pytest.fixture(scope="module")
def case_files() -> list[Path]:
    return sorted(CASES.rglob("*.yaml"))


def test_the_hypothetical_value_is_added_beside_the_old_one(tmp_path, law):
    grown = _commercial_vehicle_law(tmp_path)
    history = grown.history("gvwr_limit_lbs")
    assert history[:-1] == law.history("gvwr_limit_lbs")
    assert (history[-1].effective, history[-1].value) == (COMMERCIAL_RULE_EFFECTIVE, COMMERCIAL_GVWR_LIMIT)
    assert set(grown.names()) == set(law.names())


def test_adding_it_changes_no_existing_decision_except_the_heavy_vehicles_it_brings_in(tmp_path, law, case_files):
    before = _decide(law, case_files)
    after = _decide(_commercial_vehicle_law(tmp_path), case_files)
    assert before.keys() == after.keys()
    # Judged before the new value takes effect: the very same decisions, byte for byte.
    for key, decision in before.items():
        if decision.evaluated_on < COMMERCIAL_RULE_EFFECTIVE:
            assert after[key].model_dump_json() == decision.model_dump_json(), key
    # From then on only decisions about vehicles over the old limit may change.
    flipped = {key: after[key].outcome.value for key in before if after[key].outcome != before[key].outcome}
    assert flipped == {("gvwr-of-10001-lb-is-out-of-scope.yaml", "import-titan"): "prohibited"}
    for key in flipped:
        weights = [step for step in before[key].because.walk()
                   if any(p.name == "gvwr_limit_lbs" for p in step.parameters) and step.holds is False]
        assert weights, f"{key} changed but was not out of scope by weight"
    for key, decision in before.items():
        if key not in flipped:
            assert (after[key].declaration_required, after[key].cites) == (decision.declaration_required, decision.cites), key


def test_the_new_parameter_brings_a_heavy_truck_into_scope(tmp_path, law):
    case = tmp_path / "heavy-truck.yaml"
    case.write_text(HEAVY_TRUCK_CASE, encoding="utf-8")
    [bundled] = run_case(load_case(case), law)
    assert bundled.outcome is Outcome.out_of_scope
    [grown] = run_case(load_case(case), _commercial_vehicle_law(tmp_path))
    assert grown.outcome is Outcome.prohibited
    assert "791.302(a)" in grown.cites
    used = {p.name: p for step in grown.because.walk() for p in step.parameters}
    assert used["gvwr_limit_lbs"].value == COMMERCIAL_GVWR_LIMIT
    assert any(p.name == "gvwr_limit_lbs" for p in grown.interpretations)
