"""Assessments for the Declaration, CX-0158-1 and record pack tests, built without the fleet
pipeline: a legal case file is decided by `cvrule.law`, and its vehicles, items and parties are
turned into the views of `cvrule.fleet.result` the way the pipeline would.

Each hardware item a vehicle lists (or an imported item) is an ECU with its own CycloneDX BOM;
its parts and the software running on it are components of that BOM. The BOM files are written
as inputs, and kept in an evidence store (`<sha[:2]>/<sha>`) when one is given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import orjson

from cvrule.cases.casefile import load_case
from cvrule.fleet.result import (
    Assessment,
    ComponentView,
    DecisionView,
    InputFile,
    Obligation,
    PartyView,
    RoleView,
    VehicleView,
)
from cvrule.law import Law, decide_all
from cvrule.law.s791_301.persons import Persons
from cvrule.law.s791_301.vehicles import item_tree
from cvrule.model import ROLES, Item, ParamRef, Scenario

CASES = Path(__file__).parents[1] / "cases"
VEHICLE_CASE = CASES / "791_302" / "vehicle-with-prc-tcu-is-prohibited-for-my2030-and-allowed-for-my2029.yaml"
"""Daehan Motor America imports Kestrel MY2029 (allowed, Declaration) and MY2030 (prohibited: PRC TCU)."""
CLEAN_CASE = CASES / "791_303" / "clean-korean-my2028-vehicle-is-allowed-with-a-declaration.yaml"
HARDWARE_CASE = CASES / "791_305" / "hardware-importer-is-responsible-for-the-declaration.yaml"
SPECIFIC_CASE = CASES / "791_305" / "specifically-authorized-import-still-needs-a-declaration.yaml"

_RANK = {"linked": 0, "indeterminate": 1, "unresolved": 2, "not_linked": 3}


@dataclass
class Built:
    assessment: Assessment
    boms: dict[str, bytes]
    """Input path -> the bytes of the BOM file."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep(evidence: Path, data: bytes) -> Path:
    digest = sha256(data)
    target = evidence / digest[:2] / digest
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def assessment_from_case(path: Path, law: Law, evidence: Path | None = None) -> Built:
    case = load_case(path)
    scenario = case.scenario
    decisions = decide_all(scenario, law, case.as_of)
    day = case.as_of or max(t.date for t in scenario.transactions.values())
    persons = Persons(scenario, law.edition(day), day)

    parties = [_party(scenario, persons, pid) for pid in sorted(scenario.parties)]
    linkage = {p.ref: p.linkage for p in parties}

    roots = _roots(scenario)
    boms: dict[str, bytes] = {}
    components: list[ComponentView] = []
    for root in roots:
        tree = [entry.item for entry in item_tree(scenario, (root,))]
        source = f"boms/{root}.cdx.json"
        boms[source] = _cyclonedx(scenario, tree)
        for index, item in enumerate(tree):
            components.append(_component(item, root, source, index, linkage, scenario))

    inputs = [InputFile(path=p, sha256=sha256(b), size=len(b), format="cyclonedx-json") for p, b in sorted(boms.items())]
    if evidence is not None:
        for data in boms.values():
            keep(evidence, data)

    vehicles = [
        VehicleView(
            id=v.id, line=f"{v.make}-{v.model}".lower(), make=v.make, model=v.model, trim=v.trim,
            model_year=v.model_year, manufacturer=v.manufacturer,
            ecus=[i for i in v.items if i in roots],
            components=len(item_tree(scenario, v.items)),
        )
        for v in (scenario.vehicles[k] for k in sorted(scenario.vehicles))
    ]
    by_component = {c.id: c for c in components}
    views = []
    for decision in decisions:
        txn = scenario.transactions[decision.transaction]
        vehicle = scenario.vehicles[txn.vehicle] if txn.vehicle else None
        year = vehicle.model_year if vehicle else (
            scenario.vehicles[txn.in_vehicle].model_year if txn.in_vehicle else scenario.items[txn.item].model_year)
        tree = item_tree(scenario, vehicle.items if vehicle else (txn.item,))
        involved = [e.item.id for e in tree if by_component[e.item.id].linkage in ("linked", "indeterminate")]
        views.append(DecisionView(
            decision=decision, line=f"{vehicle.make}-{vehicle.model}".lower() if vehicle else None,
            model_year=year, vehicle=txn.vehicle, item=txn.item, components=involved,
        ))

    groups: dict[tuple, list] = {}
    for view in views:
        d = view.decision
        if d.declaration_required:
            groups.setdefault((d.responsible, d.responsible_role, view.model_year), []).append(d)
    obligations = [
        Obligation(filer=filer, filer_name=scenario.parties[filer].name, role=role, model_year=year,
                   due=min(d.declaration_due for d in group), transactions=sorted(d.transaction for d in group))
        for (filer, role, year), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0))
    ]
    interpretations: dict[str, ParamRef] = {}
    for d in decisions:
        for p in d.interpretations:
            interpretations.setdefault(p.name, p)

    run = sha256(path.read_bytes() + law.digest.encode() + str(case.as_of).encode())
    assessment = Assessment(
        run_id=run, fleet=case.name[:60], as_of=case.as_of, engine="reference", cvrule_version="0.1.0",
        parameters_sha256=law.digest, inputs=inputs, vehicles=vehicles, decisions=views,
        components=components, parties=parties, obligations=obligations,
        interpretations=[interpretations[k] for k in sorted(interpretations)],
        counts={"components": len(components)},
    )
    return Built(assessment, boms)


def _roots(scenario: Scenario) -> list[str]:
    found: list[str] = []
    for vehicle in scenario.vehicles.values():
        found += [i for i in vehicle.items if scenario.items[i].is_hardware]
    for txn in scenario.transactions.values():
        if txn.item:
            found.append(txn.item)
    return sorted(set(found))


def _party(scenario: Scenario, persons: Persons, pid: str) -> PartyView:
    status = persons.status(pid)
    party = scenario.parties[pid]
    return PartyView(
        ref=pid, name=party.name, country=party.country, linkage=status.linkage.value,
        basis="organized" if status.linkage.value == "linked" and party.country in ("CN", "HK", "MO", "RU") else None,
        why=[step.says for step in status.reason.walk()],
    )


def _component(item: Item, root: str, source: str, index: int, linkage: dict[str, str], scenario: Scenario) -> ComponentView:
    roles = [RoleView(role=role, party=pid, written=scenario.parties[pid].name)
             for role in ROLES for pid in item.role_parties(role)]
    worst = min((linkage[r.party] for r in roles), key=lambda l: _RANK[l], default="indeterminate")
    classification = {}
    if item.software_kind:
        classification["software_kind"] = f"{item.software_kind.value} (case file)"
    if item.open_source is not None:
        classification["open_source"] = f"{'true' if item.open_source else 'false'} (case file)"
    if item.rf:
        classification["rf"] = ",".join(r.value for r in item.rf) + " (case file)"
    return ComponentView(
        id=item.id, name=item.name, type=item.type.value, ecu=root, source=source,
        location="/metadata/component" if index == 0 else f"/components/{index - 1}",
        version=None, purl=f"pkg:generic/{item.id}@1.0" if not item.is_hardware else None,
        classification=classification, linkage=worst, roles=roles,
    )


def _cyclonedx(scenario: Scenario, tree: list[Item]) -> bytes:
    def component(item: Item) -> dict:
        supplier = item.supplied_by[0] if item.supplied_by else None
        entry = {"type": "device" if item.is_hardware else "application", "bom-ref": item.id, "name": item.name}
        if supplier:
            entry["supplier"] = {"name": scenario.parties[supplier].name}
        return entry

    root, parts = tree[0], tree[1:]
    document = {
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": {"component": component(root)},
        "components": [component(p) for p in parts],
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def with_as_of(assessment: Assessment, day: date) -> Assessment:
    return assessment.model_copy(update={"as_of": day})
