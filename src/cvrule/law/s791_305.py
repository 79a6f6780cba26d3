"""15 CFR 791.305, Declarations of Conformity (codified text not read; see RULE.md section 4).

Connected vehicle manufacturers and VCS hardware importers declare to BIS that they have done
supply chain due diligence and that no prohibited transaction has knowingly occurred. Here a
Declaration must cover an in-scope transaction that is not exempt under 791.308 and not
authorized by a general authorization, when any foreign (non-US) person has an interest in its
VCS hardware or covered software; it is due a lead time before the model year's first import
or sale. The trigger, the lead time and what authorizations excuse are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cvrule.law.attribution import role_parties
from cvrule.law.context import Context
from cvrule.law.findings import fact, reason
from cvrule.law.s791_301.software import is_covered_software
from cvrule.law.s791_301.vcs import is_vcs_hardware
from cvrule.law.s791_301.vehicles import has_ads, item_tree, vehicle_items
from cvrule.model import Item, Outcome, Reason, Transaction, TransactionKind

__all__ = ["Declaration", "declaration", "filer_role"]

CITE = "791.305"


@dataclass
class Declaration:
    required: bool
    reason: Reason
    due: date | None = None


def filer_role(txn: Transaction) -> str:
    if txn.kind is TransactionKind.import_vcs_hardware:
        return "VCS hardware importer"
    return "connected vehicle manufacturer"


def declaration(ctx: Context, txn: Transaction, outcome: Outcome, authorized_by: str | None) -> Declaration:
    role = f"{ctx.party_name(txn.actor)} as {filer_role(txn)}"
    if outcome in (Outcome.out_of_scope, Outcome.exempt):
        return Declaration(False, reason(f"no Declaration of Conformity: the transaction is {outcome.value.replace('_', ' ')}", False, CITE))
    if authorized_by == "general":
        excused = ctx.edition.param("declaration_excused_by_general_authorization")
        if excused.value:
            return Declaration(False, reason("no Declaration of Conformity: a general authorization covers the transaction", False, CITE, params=[excused]))
    if authorized_by == "specific":
        excused = ctx.edition.param("declaration_excused_by_specific_authorization")
        if excused.value:
            return Declaration(False, reason("no Declaration of Conformity: a specific authorization covers the transaction", False, CITE, params=[excused]))
    trigger = ctx.edition.param("declaration_requires_foreign_interest")
    if trigger.value:
        foreign, parties = foreign_interest(ctx, txn)
        if foreign is False:
            return Declaration(False, reason(
                "no Declaration of Conformity: no foreign person has an interest in the VCS hardware or covered software",
                False, CITE, params=[trigger]))
        words = "a foreign person has an interest" if foreign else "whether a foreign person has an interest is not known"
        because = [reason(f"{words} in the VCS hardware or covered software ({', '.join(parties)})", foreign, CITE, params=[trigger])]
    else:
        because = []
    due = _due(ctx, txn)
    lead = ctx.edition.param("declaration_lead_days")
    return Declaration(True, reason(
        f"{role} must file a Declaration of Conformity covering this transaction, due {due.isoformat()} "
        f"({lead.value} days before the first import or sale of the model year)",
        True, CITE, [fact("transactions", txn.id)], [lead], because), due)


def foreign_interest(ctx: Context, txn: Transaction) -> tuple[bool | None, list[str]]:
    """Whether a non-US party plays a role for the transaction's VCS hardware or covered software."""
    home = ctx.edition.param("home_jurisdiction").value
    answer: bool | None = False
    names: list[str] = []
    for item in _relevant_items(ctx, txn):
        for role in role_parties(item, ctx):
            country = ctx.scenario.parties[role.party].country
            if country is None:
                answer = None if answer is False else answer
                names.append(f"{ctx.party_name(role.party)}: country unknown")
            elif country != home:
                answer = True
                names.append(f"{ctx.party_name(role.party)}: {country}")
    return answer, list(dict.fromkeys(names))


def _relevant_items(ctx: Context, txn: Transaction) -> list[Item]:
    if txn.item is not None:
        entries = [e for e in item_tree(ctx.scenario, (txn.item,)) if e.item.is_hardware]
        return [e.item for e in entries if is_vcs_hardware(e.item, ctx.edition, e.within).value is not False]
    vehicle = ctx.scenario.vehicles[txn.vehicle]
    ads = has_ads(vehicle, ctx.edition)
    found = []
    for entry in vehicle_items(ctx.scenario, vehicle):
        if entry.item.is_hardware:
            relevant = is_vcs_hardware(entry.item, ctx.edition, entry.within).value is not False
        else:
            relevant = is_covered_software(entry.item, ctx.edition, ctx.persons, ctx.day, ads).value is not False
        if relevant:
            found.append(entry.item)
    return found


def _due(ctx: Context, txn: Transaction) -> date:
    """Lead time before the earliest transaction of the same filer and model year."""
    key = _model_year_key(ctx, txn)
    first = min(
        (t.date for t in ctx.scenario.transactions.values()
         if t.actor == txn.actor and _model_year_key(ctx, t) == key),
        default=txn.date,
    )
    lead = ctx.edition.param("declaration_lead_days")
    return first - timedelta(days=lead.value)


def _model_year_key(ctx: Context, txn: Transaction) -> tuple[str, int]:
    if txn.vehicle is not None:
        return ("model_year", ctx.scenario.vehicles[txn.vehicle].model_year)
    if txn.in_vehicle is not None:
        return ("model_year", ctx.scenario.vehicles[txn.in_vehicle].model_year)
    item = ctx.scenario.items[txn.item]
    if item.model_year is not None:
        return ("model_year", item.model_year)
    return ("calendar_year", txn.date.year)
