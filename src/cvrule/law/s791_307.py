"""15 CFR 791.307, Specific authorizations.

BIS may grant a VCS hardware importer or connected vehicle manufacturer a specific
authorization for an otherwise prohibited transaction. It authorizes only its holder, only the
transactions it names, only while granted and within its validity window.
"""

from __future__ import annotations

from cvrule.law.context import Context
from cvrule.law.findings import Finding, fact, reason
from cvrule.model import AuthorizationStatus, SpecificAuthorization, Transaction

__all__ = ["specific_authorization"]

CITE = "791.307"


def specific_authorization(ctx: Context, txn: Transaction) -> list[Finding]:
    """Each specific authorization that names this transaction or is held by its actor."""
    found = []
    for i, auth in enumerate(ctx.scenario.authorizations):
        if not isinstance(auth, SpecificAuthorization):
            continue
        if txn.id not in auth.transactions and auth.holder != txn.actor:
            continue
        found.append(_check(ctx, txn, auth, i))
    return found


def _check(ctx: Context, txn: Transaction, auth: SpecificAuthorization, index: int) -> Finding:
    where = fact("authorizations", index)
    if txn.id not in auth.transactions:
        return Finding(False, reason(f"specific authorization {auth.id} does not name transaction {txn.id}", False, CITE, [where]))
    if auth.holder != txn.actor:
        return Finding(False, reason(
            f"specific authorization {auth.id} is held by {ctx.party_name(auth.holder)}, not by {ctx.party_name(txn.actor)}",
            False, CITE, [where]))
    if auth.status is not AuthorizationStatus.granted:
        return Finding(False, reason(f"specific authorization {auth.id} is {auth.status.value}, not granted", False, CITE, [where]))
    if auth.from_ is not None and txn.date < auth.from_:
        return Finding(False, reason(f"specific authorization {auth.id} is valid only from {auth.from_.isoformat()}", False, CITE, [where]))
    if auth.to is not None and txn.date > auth.to:
        return Finding(False, reason(f"specific authorization {auth.id} expired on {auth.to.isoformat()}", False, CITE, [where]))
    return Finding(True, reason(f"specific authorization {auth.id}, granted to {ctx.party_name(auth.holder)}, covers this transaction",
                                True, CITE, [where]))
