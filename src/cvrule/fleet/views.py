"""The assessment as data (`cvrule.fleet.result.Assessment`) from a decided fleet scenario: one
view per vehicle, decision, component (or group of software the law treats alike) and party,
and one Declaration of Conformity obligation per filer, role and model year."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from cvrule.fleet.components import BomComponents
from cvrule.fleet.persons import UNRESOLVED, NexusPersons
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
from cvrule.fleet.scenario import FleetScenario
from cvrule.law.s791_301.vehicles import item_tree
from cvrule.model import ROLES, Decision, Outcome, ParamRef

__all__ = ["assessment_of"]


def assessment_of(*, run_id: str, fleet: str, as_of: date | None, engine: str, version: str, digest: str,
                  inputs: list[InputFile], built: FleetScenario, boms: dict[str, BomComponents],
                  decisions: list[Decision], persons: NexusPersons, resolutions: dict[str, str]) -> Assessment:
    scenario = built.scenario
    parties = _parties(built, persons, resolutions)
    linkage = {p.ref: p.linkage for p in parties}
    components = _components(built, linkage)
    by_id = {c.id: c for c in components}
    vehicles = _vehicles(built, boms)
    views = []
    for decision in decisions:
        line, year, vehicle, item = built.txn_place[decision.transaction]
        _sources(decision, built)
        views.append(DecisionView(decision=decision, line=line, model_year=year, vehicle=vehicle, item=item,
                                  components=_turned_on(decision, built, by_id, vehicle, item)))
    counts: dict[str, int] = {
        "components": sum(b.total for b in boms.values()),
        "components_relevant": len(components),
        "parties": len(parties),
        "transactions": len(decisions),
        "vehicles": len(vehicles),
    }
    for decision in decisions:
        key = f"by_outcome:{decision.outcome.value}"
        counts[key] = counts.get(key, 0) + 1
    found: dict[str, ParamRef] = {}
    for decision in decisions:
        for param in decision.interpretations:
            found.setdefault(param.name, param)
    del scenario
    return Assessment(
        run_id=run_id, fleet=fleet, as_of=as_of, engine=engine, cvrule_version=version, parameters_sha256=digest,
        inputs=inputs, vehicles=vehicles, decisions=views, components=components, parties=parties,
        obligations=_obligations(views), interpretations=[found[k] for k in sorted(found)], counts=counts,
    )


def _parties(built: FleetScenario, persons: NexusPersons, resolutions: dict[str, str]) -> list[PartyView]:
    views = []
    for node, party in sorted(built.scenario.parties.items()):
        if node.startswith(UNRESOLVED):
            linkage, basis, why = "unresolved", None, [persons.status(node).reason.says]
        else:
            status = persons.linkage(node)
            linkage = status.value
            basis = persons.basis(node)
            why = persons.explanation(node)
        views.append(PartyView(ref=node, name=party.name, country=party.country, linkage=linkage, basis=basis,
                               why=why, resolution=resolutions.get(node)))
    return views


def _components(built: FleetScenario, linkage: dict[str, str]) -> list[ComponentView]:
    views = []
    roots = {}
    for iid, item in built.scenario.items.items():
        for part in item.contains:
            roots.setdefault(part, iid)
    for iid, item in built.scenario.items.items():
        row, _ = built.item_rows[iid]
        ecu = iid
        while ecu in roots:
            ecu = roots[ecu]
        roles = []
        for role in ROLES:
            for node in item.role_parties(role):
                roles.append(RoleView(role=role, party=node, written=_written(row, role, node)))
        marks = {linkage.get(r.party, "unresolved") for r in roles}
        if "linked" in marks:
            status = "linked"
        elif "indeterminate" in marks:
            status = "indeterminate"
        elif "unresolved" in marks or not roles:
            status = "unresolved"
        else:
            status = "not_linked"
        views.append(ComponentView(
            id=iid, name=item.name, type=item.type.value, ecu=ecu, source=built.item_file[iid], location=row.location,
            version=row.version, purl=row.purl, count=row.count, classification=built.classification[iid],
            linkage=status, roles=roles))
    return views


def _written(row, role: str, node: str) -> str:
    for ref in row.roles:
        if ref.role == role and ref.node == node:
            return ref.written
    return node


def _vehicles(built: FleetScenario, boms: dict[str, BomComponents]) -> list[VehicleView]:
    views = []
    for vid, vehicle in built.scenario.vehicles.items():
        line, year = built.vehicle_line[vid]
        files = {built.item_rows[root][1].source_id for root in vehicle.items}
        views.append(VehicleView(id=vid, line=line, make=vehicle.make, model=vehicle.model, trim=vehicle.trim,
                                 model_year=year, manufacturer=vehicle.manufacturer, ecus=list(vehicle.items),
                                 components=sum(boms[f].total for f in files)))
    return views


def _sources(decision: Decision, built: FleetScenario) -> None:
    """Point each fact about an item at the file it was read from."""
    for step in decision.because.walk():
        for ref in step.facts:
            if ref.path.startswith("items.") and ref.source is None:
                rest = ref.path[len("items."):]
                iid = _item_of(rest, built.item_file)
                if iid is not None:
                    ref.source = built.item_file[iid]


def _item_of(rest: str, ids) -> str | None:
    if rest in ids:
        return rest
    cut = rest
    while "." in cut:
        cut = cut.rsplit(".", 1)[0]
        if cut in ids:
            return cut
    return None


def _turned_on(decision: Decision, built: FleetScenario, by_id: dict[str, ComponentView], vehicle: str | None,
               item: str | None) -> list[str]:
    """The components whose nexus (linked, indeterminate or unresolved) the decision's reasons name."""
    if decision.outcome in (Outcome.out_of_scope, Outcome.exempt):
        return []
    scenario = built.scenario
    roots = scenario.vehicles[vehicle].items if vehicle else ((item,) if item else ())
    tree = {e.item.id for e in item_tree(scenario, roots)}
    named: set[str] = set()
    for step in decision.because.walk():
        for ref in step.facts:
            if ref.path.startswith("items."):
                iid = _item_of(ref.path[len("items."):], tree)
                if iid is not None:
                    named.add(iid)
    return [iid for iid in sorted(named) if by_id[iid].linkage != "not_linked"]


def _obligations(views: list[DecisionView]) -> list[Obligation]:
    groups: dict[tuple, list[Decision]] = defaultdict(list)
    years: dict[tuple, int | None] = {}
    for view in views:
        decision = view.decision
        if not decision.declaration_required or decision.responsible is None or decision.declaration_due is None:
            continue
        key = (decision.responsible, decision.responsible_role or "", view.model_year)
        groups[key].append(decision)
        years[key] = view.model_year
    found = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], k[2] if k[2] is not None else 0)):
        decisions = groups[key]
        found.append(Obligation(filer=key[0], filer_name=decisions[0].responsible_name or key[0], role=key[1],
                                model_year=years[key], due=min(d.declaration_due for d in decisions),
                                transactions=sorted(d.transaction for d in decisions)))
    return found

