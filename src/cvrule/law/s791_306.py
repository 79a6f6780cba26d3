"""15 CFR 791.306, General authorizations.

VCS hardware importers and connected vehicle manufacturers may rely on a general authorization
to engage in an otherwise prohibited transaction if they meet its conditions and are not
restricted: none is available to a party owned by, controlled by, or subject to the
jurisdiction or direction of the PRC or Russia. (e) Within 30 days of discovering a change in
circumstance, a party relying on one must assess whether it still qualifies. The catalogue of
general authorizations (GA 1 limited use, GA 2 temporary importation, GA 3 approved supplier
list) is data: `parameters/authorizations.yaml`.
"""

from __future__ import annotations

from datetime import timedelta

from cvrule.law.context import Context
from cvrule.law.findings import Finding, fact, reason
from cvrule.law.prohibition import Prong
from cvrule.law.s791_301.persons import Linkage
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
    changed = auth.circumstance_changed
    if changed is None or changed > txn.date:
        return None
    days = ctx.edition.param("ga_reassessment_days")
    due = changed + timedelta(days=days.value)
    if auth.reassessed is not None and changed <= auth.reassessed <= due:
        return Finding(True, reason(
            f"a change in circumstance on {changed.isoformat()} was reassessed on {auth.reassessed.isoformat()}, "
            f"within {days.value} days", True, "791.306(e)", [where], [days]))
    if txn.date <= due:
        return Finding(True, reason(
            f"a change in circumstance on {changed.isoformat()} must be reassessed by {due.isoformat()}; "
            "the transaction falls within that window", True, "791.306(e)", [where], [days]))
    return Finding(False, reason(
        f"reliance on {title} lapsed: a change in circumstance on {changed.isoformat()} called for a reassessment "
        f"by {due.isoformat()}, and none was recorded",
        False, "791.306(e)", [where], [days]))


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
