"""15 CFR 791.306, General authorizations.

VCS hardware importers and connected vehicle manufacturers may rely on a general authorization
to engage in an otherwise prohibited transaction if they meet its conditions and are not
restricted: none is available to a party owned by, controlled by, or subject to the
jurisdiction or direction of the PRC or Russia. (e) Within 30 days of discovering a change in
circumstance, a party relying on one must assess whether it still qualifies; a new owner or
controller of the holder or of a party in the transaction, after the day reliance began
(`relied_from`), is such a change. The catalogue of general authorizations (GA 1 limited use,
GA 2 temporary importation, GA 3 approved supplier list) is data: `parameters/authorizations.yaml`.
"""

from __future__ import annotations

from datetime import date, timedelta

from cvrule.law.attribution import role_parties
from cvrule.law.context import Context
from cvrule.law.findings import Finding, fact, reason
from cvrule.law.prohibition import Prong
from cvrule.law.s791_301.persons import Linkage
from cvrule.law.s791_301.vehicles import item_tree, vehicle_items
from cvrule.model import ApprovedSupplier, GeneralAuthorization, Outcome, Transaction

__all__ = ["approved_supplier_list", "general_authorization"]

CITE = "791.306"


def general_authorization(ctx: Context, txn: Transaction) -> list[Finding]:
    """Each general authorization the actor relies on for this transaction, and whether it covers it."""
    found = []
    for i, auth in enumerate(ctx.scenario.authorizations):
        if not isinstance(auth, GeneralAuthorization) or auth.holder != txn.actor:
            continue
        if auth.transactions is not None and txn.id not in auth.transactions:
            continue
        found.append(_general(ctx, txn, auth, i))
    return found


def _general(ctx: Context, txn: Transaction, auth: GeneralAuthorization, index: int) -> Finding:
    where = fact("authorizations", index)
    catalogue = ctx.edition.param("general_authorizations")
    terms = catalogue.value.get(auth.id)
    if terms is None:
        issued = ", ".join(sorted(catalogue.value)) or "none"
        return Finding(False, reason(f"{auth.id} is not a general authorization in force (in force: {issued})", False, CITE, [where], [catalogue]))
    title = f"{auth.id} ({terms.title})"
    if txn.kind.value not in terms.transaction_kinds:
        return Finding(False, reason(f"{title} does not cover a {txn.kind.value} transaction", False, CITE, [where], [catalogue]))
    if txn.purpose.value not in terms.purposes:
        allowed = ", ".join(terms.purposes)
        return Finding(False, reason(
            f"{title} covers only {allowed}; this transaction is for {txn.purpose.value}",
            False, CITE, [where, fact("transactions", txn.id, "purpose")], [catalogue]))
    eligible = _eligible(ctx, txn.actor, title, where)
    if eligible.value is not True:
        return eligible
    because = [eligible.reason]
    reassessment = _reassessment(ctx, txn, auth, title, where)
    if reassessment is not None:
        if reassessment.value is False:
            return reassessment
        because.append(reassessment.reason)
    return Finding(True, reason(
        f"{title} covers this transaction: purpose {txn.purpose.value}, and {ctx.party_name(txn.actor)} is not linked",
        True, CITE, [where], [catalogue], because=because))


def _eligible(ctx: Context, party: str, title: str, where) -> Finding:
    status = ctx.persons.status(party)
    if status.linkage is Linkage.linked:
        return Finding(False, reason(f"{title} is not available to {ctx.party_name(party)}, which is linked to the PRC or Russia",
                                     False, CITE, [where], because=[status.reason]))
    if status.linkage is Linkage.indeterminate:
        return Finding(None, reason(f"whether {ctx.party_name(party)} may rely on {title} depends on whether it is linked",
                                    None, CITE, [where], because=[status.reason]), status.missing)
    return Finding(True, status.reason)


def _reassessment(ctx: Context, txn: Transaction, auth: GeneralAuthorization, title: str, where) -> Finding | None:
    """Every change in circumstance up to the transaction date must be reassessed within the
    reassessment days; until then reliance continues."""
    changes = _changes(ctx, txn, auth, where)
    if not changes:
        return None
    days = ctx.edition.param("ga_reassessment_days")
    held = []
    for changed, what, facts in changes:
        due = changed + timedelta(days=days.value)
        if auth.reassessed is not None and changed <= auth.reassessed <= due:
            held.append(reason(
                f"{what} on {changed.isoformat()} was reassessed on {auth.reassessed.isoformat()}, "
                f"within {days.value} days", True, "791.306(e)", facts, [days]))
        elif txn.date <= due:
            held.append(reason(
                f"{what} on {changed.isoformat()} must be reassessed by {due.isoformat()}; "
                "the transaction falls within that window", True, "791.306(e)", facts, [days]))
        else:
            return Finding(False, reason(
                f"reliance on {title} lapsed: {what} on {changed.isoformat()} called for a reassessment "
                f"by {due.isoformat()}, and none was recorded",
                False, "791.306(e)", facts, [days]))
    if len(held) == 1:
        return Finding(True, held[0])
    return Finding(True, reason(f"every change in circumstance affecting {title} is reassessed or within its window",
                                True, "791.306(e)", [where], [days], because=held))


def _changes(ctx: Context, txn: Transaction, auth: GeneralAuthorization, where) -> list[tuple[date, str, list]]:
    """The changes in circumstance on or before the transaction date: the one recorded, and with
    `relied_from` every change of ownership or control after it of the holder, the parties in
    the transaction, or anyone above them in the ownership and control chain."""
    found = []
    if auth.circumstance_changed is not None and auth.circumstance_changed <= txn.date:
        found.append((auth.circumstance_changed, "a change in circumstance", [where]))
    if auth.relied_from is not None:
        found += _ownership_changes(ctx, txn, auth.relied_from)
    return sorted(found, key=lambda change: change[0])


def _ownership_changes(ctx: Context, txn: Transaction, since: date) -> list[tuple[date, str, list]]:
    scenario = ctx.scenario
    in_data = getattr(ctx.persons, "ownership_changes", None)
    if in_data is not None:  # a fleet: the changes are in the workspace's ownership data, not the scenario
        return in_data(_transaction_parties(ctx, txn), since, txn.date)
    watched = _upstream(scenario, _transaction_parties(ctx, txn))
    found = []
    for i, stake in enumerate(scenario.ownership):
        if stake.owned in watched:
            where = [fact("ownership", i)]
            owner, owned = ctx.party_name(stake.owner), ctx.party_name(stake.owned)
            if stake.from_ is not None and since < stake.from_ <= txn.date:
                found.append((stake.from_, f"a change in circumstance ({owner} acquired an interest in {owned})", where))
            if stake.to is not None and since < stake.to <= txn.date:
                found.append((stake.to, f"a change in circumstance (the interest of {owner} in {owned} ended)", where))
    for i, link in enumerate(scenario.control):
        if link.over in watched:
            where = [fact("control", i)]
            by, over = ctx.party_name(link.by), ctx.party_name(link.over)
            if link.from_ is not None and since < link.from_ <= txn.date:
                found.append((link.from_, f"a change in circumstance ({by} gained {link.kind.value} control over {over})", where))
            if link.to is not None and since < link.to <= txn.date:
                found.append((link.to, f"a change in circumstance (the {link.kind.value} control of {by} over {over} ended)", where))
    return found


def _transaction_parties(ctx: Context, txn: Transaction) -> set[str]:
    scenario = ctx.scenario
    parties = {txn.actor}
    if txn.item is not None:
        entries = item_tree(scenario, [txn.item])
    else:
        vehicle = scenario.vehicles[txn.vehicle]
        parties.add(vehicle.manufacturer)
        entries = vehicle_items(scenario, vehicle)
    for entry in entries:
        parties.update(role.party for role in role_parties(entry.item, ctx))
    parties.discard(None)
    return parties


def _upstream(scenario, parties: set[str]) -> set[str]:
    """The parties and everyone who has ever held an interest in or control over them, at any depth."""
    edges = [(s.owner, s.owned) for s in scenario.ownership] + [(c.by, c.over) for c in scenario.control]
    watched = set(parties)
    grew = True
    while grew:
        grew = False
        for above, below in edges:
            if below in watched and above not in watched:
                watched.add(above)
                grew = True
    return watched


def approved_supplier_list(ctx: Context, txn: Transaction, prongs: list[Prong]) -> Finding | None:
    """GA 3: whether the approved supplier list covers every party that causes the prohibitions."""
    blocking = [p for p in prongs if p.outcome in (Outcome.prohibited, Outcome.indeterminate)]
    listings = [(i, a) for i, a in enumerate(ctx.scenario.authorizations) if isinstance(a, ApprovedSupplier)]
    if not blocking or not listings:
        return None
    in_force = ctx.edition.param("approved_supplier_list_in_force")
    title = "GA-3 (Approved Supplier List)"
    if not in_force.value:
        return Finding(False, reason(f"{title} was not in force", False, CITE, params=[in_force]))
    if any(not p.items_cleared_by_supplier_list for p in blocking):
        return Finding(False, reason(f"{title} cannot authorize a sale by a linked manufacturer (791.304)", False, CITE, params=[in_force]))
    parties = list(dict.fromkeys(p for prong in blocking for p in prong.implicated))
    if not parties or any(not prong.implicated for prong in blocking):
        return Finding(False, reason(f"{title} cannot cover parties that are not known", False, CITE, params=[in_force]))
    steps, covered = [], True
    for party in parties:
        listed = [(i, a) for i, a in listings if a.party == party and a.listed_on(txn.date)]
        if listed:
            steps.append(reason(f"{ctx.party_name(party)} is on the approved supplier list on {txn.date.isoformat()}", True, CITE,
                                [fact("authorizations", listed[0][0])]))
        else:
            covered = False
            steps.append(reason(f"{ctx.party_name(party)} is not on the approved supplier list on {txn.date.isoformat()}", False, CITE))
    if not covered:
        return Finding(False, reason(f"{title} does not cover every linked supplier", False, CITE, params=[in_force], because=steps))
    eligible = _eligible(ctx, txn.actor, title, fact("transactions", txn.id, "actor"))
    if eligible.value is not True:
        return eligible
    return Finding(True, reason(f"{title} covers every linked supplier, and {ctx.party_name(txn.actor)} is not linked",
                                True, CITE, params=[in_force], because=steps + [eligible.reason]))
