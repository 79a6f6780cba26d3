"""Decide a transaction: scope, then the prohibitions with their exemptions, then
authorizations, then the Declaration of Conformity and records that the outcome calls for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from cvrule.law.context import Context
from cvrule.law.findings import Finding, fact, reason
from cvrule.law.parameters import Law
from cvrule.law.prohibition import Prong, cfr_order, worst
from cvrule.law.s791_301.vehicles import is_completed, is_connected_vehicle
from cvrule.law.s791_302 import vcs_hardware_import, vcs_hardware_in_vehicle_import
from cvrule.law.s791_303 import covered_software_import, covered_software_sale
from cvrule.law.s791_304 import ads_commercial_service_ban, linked_manufacturer_sales_ban
from cvrule.law.s791_305 import declaration, filer_role
from cvrule.law.s791_306 import approved_supplier_list, general_authorization
from cvrule.law.s791_307 import specific_authorization
from cvrule.law.s791_312 import retention
from cvrule.model import Decision, MissingFact, Outcome, ParamRef, Reason, Scenario, Transaction, TransactionKind

__all__ = ["decide", "decide_all"]


PersonsOn = Callable[[date], object]
"""The persons analysis to use on a date (an object with `status`, `linkage`, `employment_note`)."""


def decide_all(scenario: Scenario, law: Law, as_of: date | None = None, persons: PersonsOn | None = None) -> list[Decision]:
    return [decide(scenario, txn_id, law, as_of, persons) for txn_id in scenario.transactions]


def decide(scenario: Scenario, txn_id: str, law: Law, as_of: date | None = None,
           persons: PersonsOn | None = None) -> Decision:
    txn = scenario.transactions[txn_id]
    day = as_of or txn.date
    headline = f"{txn.id}: {txn.kind.value.replace('_', ' ')} by {scenario.parties[txn.actor].name} on {txn.date.isoformat()}"
    start = law.in_force_from()
    rule_start = law.edition(max(day, start)).param("rule_effective_date")
    if day < rule_start.value or txn.date < rule_start.value:
        why = reason(f"subpart D took effect on {rule_start.value.isoformat()}, after this transaction", False, "791.300",
                     [fact("transactions", txn.id, "date")], [rule_start])
        return _decision(txn, day, Outcome.out_of_scope, [why], headline, ["791.300"], [], False, None, None)
    ctx = Context(scenario, law.edition(day), day, persons(day) if persons is not None else None)
    in_force = reason(f"subpart D has been in effect since {rule_start.value.isoformat()}", True, "791.300",
                      [fact("transactions", txn.id, "date")], [rule_start])

    scope, prongs = _prongs(ctx, txn)
    steps: list[Reason] = [in_force] + [s.reason for s in scope]
    cites: list[str] = ["791.301"] if scope else []
    if any(s.value is False for s in scope) or not prongs:
        return _decision(txn, day, Outcome.out_of_scope, steps, headline, cites, [], False, None, None)
    outcome = worst([p.outcome for p in prongs])
    steps += [p.reason for p in prongs]
    cites += [c for p in prongs for c in p.cites]
    gaps = [g for p in prongs if p.outcome is Outcome.indeterminate for g in p.missing]
    scope_unknown = [s for s in scope if s.value is None]
    if scope_unknown and outcome in (Outcome.prohibited, Outcome.allowed, Outcome.indeterminate):
        outcome = Outcome.indeterminate
        gaps = [g for s in scope_unknown for g in s.missing] + gaps

    authorized_by = None
    if outcome in (Outcome.prohibited, Outcome.indeterminate):
        outcome, authorized_by, auth_steps, auth_cites, auth_gaps = _authorize(ctx, txn, prongs, outcome)
        steps += auth_steps
        cites += auth_cites
        if outcome is Outcome.indeterminate:
            gaps += auth_gaps

    doc = declaration(ctx, txn, outcome, authorized_by)
    steps.append(doc.reason)
    if doc.required:
        cites.append("791.305")
    until, kept = retention(ctx, txn, doc.required, authorized_by is not None)
    if kept is not None:
        steps.append(kept)
        cites.append(kept.cite)
    if outcome is not Outcome.indeterminate:
        gaps = []
    return _decision(txn, day, outcome, steps, headline, cites, gaps, doc.required, doc.due, until,
                     scenario.parties[txn.actor].name)


def _prongs(ctx: Context, txn: Transaction) -> tuple[list[Finding], list[Prong]]:
    scenario = ctx.scenario
    if txn.kind is TransactionKind.import_vcs_hardware:
        return [], [vcs_hardware_import(ctx, txn)]
    vehicle = scenario.vehicles[txn.vehicle]
    scope = [is_connected_vehicle(scenario, vehicle, ctx.edition)]
    if txn.kind is TransactionKind.import_vehicle:
        return scope, [covered_software_import(ctx, vehicle), vcs_hardware_in_vehicle_import(ctx, txn, vehicle)]
    scope.append(is_completed(vehicle))
    resale = _resale(ctx, txn)
    if resale is not None:
        scope.append(resale)
    if txn.kind is TransactionKind.sell_vehicle:
        return scope, [covered_software_sale(ctx, vehicle), linked_manufacturer_sales_ban(ctx, txn, vehicle)]
    return scope, [ads_commercial_service_ban(ctx, txn, vehicle)]


def _resale(ctx: Context, txn: Transaction) -> Finding | None:
    vehicle = ctx.scenario.vehicles[txn.vehicle]
    if vehicle.first_sold_in_us is None or vehicle.first_sold_in_us >= txn.date:
        return None
    resales = ctx.edition.param("resales_in_scope")
    if resales.value:
        return None
    return Finding(False, reason(
        f"the vehicle was first sold at retail in the US on {vehicle.first_sold_in_us.isoformat()}: this is a resale, "
        "not a sale by a connected vehicle manufacturer",
        False, "791.303(b)", [fact("vehicles", vehicle.id, "first_sold_in_us")], [resales]))


def _authorize(ctx: Context, txn: Transaction, prongs: list[Prong], outcome: Outcome):
    candidates: list[tuple[str, Finding]] = [("general", f) for f in general_authorization(ctx, txn)]
    supplier = approved_supplier_list(ctx, txn, prongs)
    if supplier is not None:
        candidates.append(("general", supplier))
    candidates += [("specific", f) for f in specific_authorization(ctx, txn)]
    steps = [f.reason for _, f in candidates]
    cites = [f.reason.cite for _, f in candidates if f.reason.cite]
    gaps = [g for _, f in candidates if f.value is None for g in f.missing]
    for kind, finding in candidates:
        if finding.value is True:
            return Outcome.authorized, kind, steps, cites, []
    if any(f.value is None for _, f in candidates):
        return Outcome.indeterminate, None, steps, cites, gaps
    return outcome, None, steps, cites, gaps


def _decision(txn, day, outcome, steps, headline, cites, gaps, declared, due, until, scenario_name=None) -> Decision:
    root = reason(f"{headline}: {outcome.value.replace('_', ' ')}", _holds(outcome), None, because=steps)
    cites = cites + [step.cite for step in root.walk() if step.cite and step.holds is not False]
    unique_gaps: dict[str, MissingFact] = {}
    for gap in gaps:
        unique_gaps.setdefault(gap.fact + "\0" + gap.question, gap)
    return Decision(
        transaction=txn.id,
        kind=txn.kind.value,
        actor=txn.actor,
        date=txn.date,
        evaluated_on=day,
        outcome=outcome,
        declaration_required=declared,
        responsible=txn.actor if outcome is not Outcome.out_of_scope else None,
        responsible_name=scenario_name if outcome is not Outcome.out_of_scope else None,
        responsible_role=filer_role(txn) if outcome is not Outcome.out_of_scope else None,
        cites=sorted(set(cites), key=cfr_order),
        interpretations=_interpretations(root),
        missing_facts=list(unique_gaps.values()),
        declaration_due=due,
        records_until=until,
        because=root,
    )


def _holds(outcome: Outcome) -> bool | None:
    if outcome is Outcome.prohibited:
        return True
    if outcome is Outcome.indeterminate:
        return None
    return False


def _interpretations(root: Reason) -> list[ParamRef]:
    found: dict[str, ParamRef] = {}
    for step in root.walk():
        for param in step.parameters:
            if param.status == "interpretation":
                found.setdefault(param.name, param)
    return [found[name] for name in sorted(found)]
