"""Vehicle classes: the commercial-vehicle rule (over 10,000 lb GVWR, announced but not published)
can bring a new class with its own model-year dates as data only. A hypothetical parameter set
adds a `commercial` class in scope from a date, with software prohibited from model year 2030
and hardware from 2033; every bundled case decides exactly as before, a heavy truck is judged
by the commercial dates on both sides of each, a passenger car still by the passenger dates,
and no Python file had to change."""

from __future__ import annotations

import filecmp
import shutil
from datetime import date, timedelta
from itertools import takewhile
from pathlib import Path

import pytest

from conftest import CASES
from cvrule.cases import load_case, run_case
from cvrule.errors import CvruleError
from cvrule.law import Law, explain
from cvrule.law.parameters import DEFAULT_PARAMETERS_DIR
from cvrule.model import Decision, Outcome

COMMERCIAL_RULE_EFFECTIVE = date(2028, 1, 1)
COMMERCIAL_GVWR_AT_MOST = 80000
COMMERCIAL_SOFTWARE_FIRST_MY = 2030
COMMERCIAL_HARDWARE_FIRST_MY = 2033
PASSENGER_SOFTWARE_FIRST_MY = 2027

SOURCE = """      cite: "{cite}"
      source: Hypothetical commercial-vehicle rule (test data only).
      status: interpretation
"""


def _value(value: str, cite: str, vehicle_class: str | None = None) -> str:
    text = f"    - effective: {COMMERCIAL_RULE_EFFECTIVE.isoformat()}\n"
    if vehicle_class:
        text += f"      vehicle_class: {vehicle_class}\n"
    return text + f"      value: {value}\n" + SOURCE.format(cite=cite)


# The hypothetical rule, parameter by parameter: (file, parameter, the value added beside the old
# ones). The GVWR limit of the passenger rule stays as it is: the new class brings its vehicles in.
HYPOTHETICAL = [
    ("scope.yaml", "vehicle_classes",
     _value(f"{{gvwr_over_lbs: 10000, gvwr_at_most_lbs: {COMMERCIAL_GVWR_AT_MOST}}}", "791.301", "commercial")),
    ("dates.yaml", "software_prohibition_first_model_year",
     _value(str(COMMERCIAL_SOFTWARE_FIRST_MY), "791.308(b)", "commercial")),
    ("dates.yaml", "hardware_prohibition_first_model_year",
     _value(str(COMMERCIAL_HARDWARE_FIRST_MY), "791.308(a)(2)", "commercial")),
]


def _add_value(path: Path, parameter: str, value: str) -> None:
    """Append a dated value to the end of a parameter's list of values."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{parameter}:\n") + 1
    heading, *rest = text[start:].splitlines(keepends=True)
    body = takewhile(lambda line: line.startswith(" ") or not line.strip(), rest)
    end = start + len(heading) + sum(len(line) for line in body)
    path.write_text(text[:end] + value + text[end:], encoding="utf-8")


def _parameters_with(tmp_path: Path, additions: list[tuple[str, str, str]]) -> Path:
    target = tmp_path / "parameters"
    shutil.copytree(DEFAULT_PARAMETERS_DIR, target)
    for file, parameter, value in additions:
        _add_value(target / file, parameter, value)
    return target


@pytest.fixture
def grown_dir(tmp_path) -> Path:
    return _parameters_with(tmp_path, HYPOTHETICAL)


@pytest.fixture
def grown(grown_dir) -> Law:
    return Law.load(grown_dir)


def _decide_all(law: Law, paths: list[Path]) -> dict[tuple[str, str], Decision]:
    return {(str(path.relative_to(CASES)), d.transaction): d for path in paths for d in run_case(load_case(path), law)}


# -- the hypothetical is data only ----------------------------------------------------------------


def test_the_hypothetical_is_data_only_added_beside_the_old_values(grown_dir, grown, law):
    # Only YAML files differ from the bundled parameters, and only the two edited ones.
    compared = filecmp.dircmp(DEFAULT_PARAMETERS_DIR, grown_dir)
    assert not compared.left_only and not compared.right_only
    assert sorted(compared.diff_files) == ["dates.yaml", "scope.yaml"]
    assert all(p.suffix == ".yaml" for p in grown_dir.iterdir())
    # No new parameter, so no new type in the code: the same names, each old value kept as it was.
    assert grown.names() == law.names()
    for name in law.names():
        assert [p for p in grown.history(name) if p in law.history(name)] == list(law.history(name)), name
    added = {p.label for name in grown.names() for p in grown.history(name) if p not in law.history(name)}
    assert added == {
        "vehicle_classes[commercial]",
        "software_prohibition_first_model_year[commercial]",
        "hardware_prohibition_first_model_year[commercial]",
    }


def test_the_hypothetical_leaves_every_bundled_decision_exactly_as_it_was(grown, law):
    paths = sorted(CASES.rglob("*.yaml"))
    before = _decide_all(law, paths)
    after = _decide_all(grown, paths)
    assert before.keys() == after.keys()
    changed = [key for key, decision in before.items() if after[key].model_dump_json() != decision.model_dump_json()]
    assert not changed, f"decisions changed by adding a vehicle class: {changed}"


# -- a heavy truck by the commercial dates, a passenger car by the passenger dates ----------------

CASE = """
name: {name}
parties:
  importer:
    name: Plains Freight Trucks Inc.
    kind: organization
    country: US
  hanbit:
    name: Hanbit Motors Co., Ltd.
    kind: organization
    country: KR
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
    model_year: {model_year}
    designed_by: [{hardware_by}]
    manufactured_by: [{hardware_by}]
{software}vehicles:
  vehicle:
    make: Plains
    model: {model}
    model_year: {model_year}
{gvwr}    public_roads: true
    completed: true
    ads: false
    manufacturer: importer
    items: [{items}]
transactions:
  import:
    kind: import_vehicle
    actor: importer
    vehicle: vehicle
    date: {date}
    purpose: production
"""

PRC_SOFTWARE = """  telematics-app:
    type: software
    name: Pearl River fleet connect client 4.0
    runs_on: tcu
    enables: [vcs]
    software_kind: application
    open_source: false
    modified_for_proprietary: false
    created: 2026-10-05
    developed_by: [pearl-river]
    supplied_by: [pearl-river]
"""

TRUCK_GVWR = 33000
CAR_GVWR = 5200


def _import(tmp_path: Path, law: Law, *, model_year: int, gvwr: float | None, prc: str,
            on: date = date(2028, 6, 1)) -> Decision:
    """Decide the import of a vehicle whose PRC part is its telematics `software` or `hardware`."""
    text = CASE.format(
        name=f"Import of a MY{model_year} vehicle with PRC telematics {prc}",
        model="Hauler 8" if gvwr and gvwr > CAR_GVWR else "Ranger",
        model_year=model_year,
        gvwr="" if gvwr is None else f"    gvwr_lbs: {gvwr}\n",
        hardware_by="pearl-river" if prc == "hardware" else "hanbit",
        software=PRC_SOFTWARE if prc == "software" else "",
        items="tcu, telematics-app" if prc == "software" else "tcu",
        date=on.isoformat(),
    )
    path = tmp_path / f"vehicle-{model_year}-{gvwr}-{prc}-{on.isoformat()}.yaml"
    path.write_text(text, encoding="utf-8")
    [decision] = run_case(load_case(path), law)
    return decision


def _parameters(decision: Decision) -> dict[str, object]:
    return {p.name: p.value for step in decision.because.walk() for p in step.parameters}


@pytest.mark.parametrize(
    ("model_year", "outcome"),
    [(COMMERCIAL_SOFTWARE_FIRST_MY - 1, Outcome.exempt), (COMMERCIAL_SOFTWARE_FIRST_MY, Outcome.prohibited)],
    ids=["MY2029-exempt", "MY2030-prohibited"],
)
def test_a_heavy_truck_with_prc_software_is_judged_by_the_commercial_software_date(tmp_path, grown, model_year, outcome):
    decision = _import(tmp_path, grown, model_year=model_year, gvwr=TRUCK_GVWR, prc="software")
    assert decision.outcome is outcome
    used = _parameters(decision)
    assert used["software_prohibition_first_model_year[commercial]"] == COMMERCIAL_SOFTWARE_FIRST_MY
    assert "software_prohibition_first_model_year" not in used  # the passenger (all-classes) date is not read
    assert used["vehicle_classes[commercial]"] == {"gvwr_over_lbs": 10000, "gvwr_at_most_lbs": COMMERCIAL_GVWR_AT_MOST}
    assert "software_prohibition_first_model_year[commercial]" in {p.name for p in decision.interpretations}
    assert "for commercial vehicles" in explain(decision)
    if outcome is Outcome.prohibited:
        assert "791.303(a)" in decision.cites
    else:
        assert "791.308(b)" in decision.cites


@pytest.mark.parametrize(
    ("model_year", "outcome"),
    [(COMMERCIAL_HARDWARE_FIRST_MY - 1, Outcome.allowed), (COMMERCIAL_HARDWARE_FIRST_MY, Outcome.prohibited)],
    ids=["MY2032-allowed", "MY2033-prohibited"],
)
def test_a_heavy_truck_with_a_prc_telematics_unit_is_judged_by_the_commercial_hardware_date(tmp_path, grown, model_year, outcome):
    decision = _import(tmp_path, grown, model_year=model_year, gvwr=TRUCK_GVWR, prc="hardware")
    assert decision.outcome is outcome
    used = _parameters(decision)
    assert used["hardware_prohibition_first_model_year[commercial]"] == COMMERCIAL_HARDWARE_FIRST_MY
    assert "hardware_prohibition_first_model_year" not in used
    exempt = [s for s in decision.because.walk() if s.says == "the VCS hardware in the vehicle is exempt from 791.302(a)"]
    assert bool(exempt) is (outcome is Outcome.allowed)


@pytest.mark.parametrize(
    ("model_year", "outcome"),
    [(PASSENGER_SOFTWARE_FIRST_MY - 1, Outcome.exempt), (PASSENGER_SOFTWARE_FIRST_MY, Outcome.prohibited)],
    ids=["MY2026-exempt", "MY2027-prohibited"],
)
def test_a_passenger_car_is_still_judged_by_the_dates_for_all_classes(tmp_path, grown, law, model_year, outcome):
    decision = _import(tmp_path, grown, model_year=model_year, gvwr=CAR_GVWR, prc="software")
    assert decision.outcome is outcome
    used = _parameters(decision)
    assert used["software_prohibition_first_model_year"] == PASSENGER_SOFTWARE_FIRST_MY
    assert not any("[" in name for name in used), "no class-specific value is read for a passenger car"
    bundled = _import(tmp_path, law, model_year=model_year, gvwr=CAR_GVWR, prc="software")
    assert decision.model_dump_json() == bundled.model_dump_json()


@pytest.mark.parametrize(
    ("gvwr", "outcome"),
    [(10000, Outcome.prohibited), (10001, Outcome.exempt)],
    ids=["10000-lb-passenger-prohibited", "10001-lb-commercial-exempt"],
)
def test_the_class_boundary_falls_between_10000_and_10001_lb(tmp_path, grown, gvwr, outcome):
    # MY2028 software: prohibited for a passenger vehicle (from 2027), exempt for a commercial one (from 2030).
    decision = _import(tmp_path, grown, model_year=2028, gvwr=gvwr, prc="software")
    assert decision.outcome is outcome


@pytest.mark.parametrize(
    ("on", "outcome"),
    [(COMMERCIAL_RULE_EFFECTIVE - timedelta(days=1), Outcome.out_of_scope), (COMMERCIAL_RULE_EFFECTIVE, Outcome.prohibited)],
    ids=["day-before-out-of-scope", "first-day-prohibited"],
)
def test_the_commercial_class_is_in_scope_from_its_effective_date(tmp_path, grown, on, outcome):
    decision = _import(tmp_path, grown, model_year=COMMERCIAL_SOFTWARE_FIRST_MY, gvwr=TRUCK_GVWR, prc="software", on=on)
    assert decision.outcome is outcome


def test_under_the_bundled_law_the_heavy_truck_is_out_of_scope(tmp_path, law):
    decision = _import(tmp_path, law, model_year=COMMERCIAL_SOFTWARE_FIRST_MY, gvwr=TRUCK_GVWR, prc="software")
    assert decision.outcome is Outcome.out_of_scope


# -- unknown GVWR stays unknown ---------------------------------------------------------------------


def test_an_unknown_gvwr_leaves_the_date_exemption_unknown_where_the_classes_differ(tmp_path, grown, law):
    # MY2028: prohibited for a passenger car (from 2027), exempt for a truck (from 2030).
    decision = _import(tmp_path, grown, model_year=2028, gvwr=None, prc="software")
    assert decision.outcome is Outcome.indeterminate
    unsure = [s for s in decision.because.walk() if s.cite == "791.308(b)" and s.holds is None]
    assert unsure and "differs by vehicle class" in unsure[0].says
    assert {p.name for p in unsure[0].parameters} == {
        "software_prohibition_first_model_year", "software_prohibition_first_model_year[commercial]"}
    assert "vehicles.vehicle.gvwr_lbs" in {m.fact for m in decision.missing_facts}
    # The bundled law: indeterminate as before (the scope is unknown), the exemption decided.
    bundled = _import(tmp_path, law, model_year=2028, gvwr=None, prc="software")
    assert bundled.outcome is Outcome.indeterminate
    assert not [s for s in bundled.because.walk() if s.cite == "791.308(b)" and s.holds is None]


def test_an_unknown_gvwr_does_not_matter_where_every_class_decides_alike(tmp_path, grown, law):
    # MY2033: neither software nor hardware is exempt for any class; the decision reads as it does
    # under the bundled law.
    decision = _import(tmp_path, grown, model_year=COMMERCIAL_HARDWARE_FIRST_MY, gvwr=None, prc="software")
    bundled = _import(tmp_path, law, model_year=COMMERCIAL_HARDWARE_FIRST_MY, gvwr=None, prc="software")
    assert decision.outcome is Outcome.indeterminate
    assert decision.model_dump_json() == bundled.model_dump_json()


# -- clear errors for malformed class data ----------------------------------------------------------


@pytest.mark.parametrize(
    ("additions", "message"),
    [
        ([("dates.yaml", "software_prohibition_first_model_year", _value("2030", "791.308(b)", "comercial"))],
         r"dates.yaml: software_prohibition_first_model_year.values\[1\].vehicle_class: unknown vehicle class "
         r"'comercial' \(classes defined in vehicle_classes: passenger\)"),
        ([("dates.yaml", "legacy_software_cutoff", _value("2027-01-01", "791.301", "passenger"))],
         r"dates.yaml: legacy_software_cutoff.values\[1\].vehicle_class: legacy_software_cutoff is not given per "
         r"vehicle class \(parameters that may be: ads_service_ban_first_model_year, "),
        ([("scope.yaml", "vehicle_classes", _value("{gvwr_over_lbs: 9000}", "791.301", "heavy"))],
         r"scope.yaml: vehicle_classes: on 2028-01-01 the classes heavy \(GVWR over 9,000 lb\) and passenger "
         r"\(GVWR up to 10,000 lb\) overlap"),
        ([("scope.yaml", "vehicle_classes", _value("{gvwr_over_lbs: 10000}", "791.301"))],
         r"scope.yaml: vehicle_classes.values\[1\]: every value of vehicle_classes names its class"),
        ([("scope.yaml", "vehicle_classes", _value("{gvwr_over_lbs: 20000, gvwr_at_most_lbs: 10000}", "791.301", "odd"))],
         r"scope.yaml: vehicle_classes.values\[1\].value: .*gvwr_at_most_lbs must be greater than gvwr_over_lbs"),
        ([("scope.yaml", "vehicle_classes", _value("{gvwr_over: 10000}", "791.301", "typo"))],
         r"scope.yaml: vehicle_classes.values\[1\].value.gvwr_over: unknown key \(expected: gvwr_over_lbs, gvwr_at_most_lbs\)"),
    ],
    ids=["unknown-class", "parameter-not-per-class", "overlapping-classes", "class-unnamed", "empty-range", "unknown-range-key"],
)
def test_malformed_class_data_is_rejected_with_file_and_key(tmp_path, additions, message):
    directory = _parameters_with(tmp_path, additions)
    with pytest.raises(CvruleError, match=message):
        Law.load(directory)


def test_a_parameter_given_only_for_one_class_is_rejected(tmp_path):
    directory = _parameters_with(tmp_path, [])
    path = directory / "dates.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  values:\n    - effective: 2025-03-17\n      value: 2030\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, "  values:\n    - effective: 2025-03-17\n      vehicle_class: passenger\n      value: 2030\n"))
    with pytest.raises(CvruleError, match=r"dates.yaml: hardware_prohibition_first_model_year: needs a value for all vehicle classes"):
        Law.load(directory)


# -- code health of the bundled class data ----------------------------------------------------------


def test_on_every_date_the_bundled_classes_lie_within_the_gvwr_limit(law):
    days = sorted({p.effective for name in ("vehicle_classes", "gvwr_limit_lbs") for p in law.history(name)})
    for day in days:
        edition = law.edition(day)
        limit = edition["gvwr_limit_lbs"]
        for definition in edition.per_class("vehicle_classes"):
            upper = definition.value.gvwr_at_most_lbs
            assert upper is not None and upper <= limit, (day, definition.label)
