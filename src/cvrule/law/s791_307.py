"""15 CFR 791.307, Specific authorizations.

BIS may grant a VCS hardware importer or connected vehicle manufacturer a specific
authorization for an otherwise prohibited transaction. It authorizes only its holder, only the
transactions it names, only while granted and within its validity window, and only while its
conditions are kept. A condition with a monitoring cadence is, on the evaluation date, met
(evidence is current), due (its evidence falls due, within the grace days), overdue (past its
cadence and the grace days since the last evidence, or since the first day of the
authorization) or broken (`broken_on`). A broken condition ends reliance; an overdue one ends it
or puts it in doubt, as `overdue_condition_voids_authorization` says. A condition given as plain
text has no cadence and is always met.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from cvrule.law.context import Context
from cvrule.law.findings import Finding, all_of, fact, missing, reason
from cvrule.model import AuthorizationCondition, AuthorizationStatus, SpecificAuthorization, Transaction

__all__ = ["ConditionSchedule", "condition_schedule", "condition_status", "specific_authorization"]

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
    covers = f"specific authorization {auth.id}, granted to {ctx.party_name(auth.holder)}, covers this transaction"
    monitored = [(k, c) for k, c in enumerate(auth.conditions) if isinstance(c, AuthorizationCondition)]
    if not monitored:
        return Finding(True, reason(covers, True, CITE, [where]))
    kept = all_of(f"the conditions of specific authorization {auth.id} are kept",
                  f"specific authorization {auth.id} no longer authorizes: a condition is not kept",
                  CITE, [condition_status(ctx, auth, index, k, c) for k, c in monitored])
    if kept.value is True:
        return Finding(True, reason(covers, True, CITE, [where], because=[kept.reason]))
    if kept.value is None:
        return Finding(None, reason(f"whether specific authorization {auth.id} still authorizes depends on its conditions",
                                    None, CITE, [where], because=[kept.reason]), kept.missing)
    return kept


@dataclass(frozen=True)
class ConditionSchedule:
    """Where one monitored condition stands on a day: `state` is met, due, overdue, broken,
    no_cadence (nothing to monitor), no_start (no evidence and no first day to count from) or
    unknown_cadence; with the last evidence (or the authorization's first day), when the next
    evidence is due and when it is overdue."""

    state: str
    last: date | None = None
    evidence_on_record: bool = False
    due: date | None = None
    overdue_from: date | None = None


def condition_schedule(edition, auth: SpecificAuthorization, condition: AuthorizationCondition,
                       day: date) -> ConditionSchedule:
    """The schedule of one condition on `day`, under the edition's cadence and grace parameters."""
    if condition.broken_on is not None and condition.broken_on <= day:
        return ConditionSchedule("broken")
    if condition.cadence is None:
        return ConditionSchedule("no_cadence")
    records = [e.date for e in condition.evidence if e.date <= day]
    last = max(records) if records else auth.from_
    if last is None:
        return ConditionSchedule("no_start")
    due = _next_due(edition, condition.cadence, last)
    if due is None:
        return ConditionSchedule("unknown_cadence", last, bool(records))
    overdue_from = due + timedelta(days=edition.param("condition_grace_days").value + 1)
    state = "met" if day < due else "due" if day < overdue_from else "overdue"
    return ConditionSchedule(state, last, bool(records), due, overdue_from)


def condition_status(ctx: Context, auth: SpecificAuthorization, auth_index: int, index: int,
                     condition: AuthorizationCondition) -> Finding:
    """Whether one condition is met or due (True), overdue or broken (False, or None when overdue only puts it in doubt)."""
    where = fact("authorizations", auth_index, "conditions", index)
    label = f"condition {condition.id} of specific authorization {auth.id} ({condition.text})"
    schedule = condition_schedule(ctx.edition, auth, condition, ctx.day)
    if schedule.state == "broken":
        return Finding(False, reason(f"{label} was broken on {condition.broken_on.isoformat()}", False, CITE, [where]))
    if schedule.state == "no_cadence":
        return Finding(True, reason(f"{label} is met: it has no monitoring cadence", True, CITE, [where]))
    if schedule.state == "no_start":
        return Finding.unknown(
            reason(f"{label} has no evidence and the authorization no first day to count its cadence from", None, CITE, [where]),
            missing(f"authorizations.{auth_index}.conditions.{index}.evidence",
                    f"When was {condition.id} of {auth.id} last shown to be kept?"))
    if schedule.state == "unknown_cadence":
        names = ctx.edition.param("condition_cadence_months")
        known = ", ".join(sorted(names.value))
        return Finding.unknown(
            reason(f"{label} has cadence {condition.cadence!r}, which is not a known cadence (known: {known})",
                   None, CITE, [where], [names]),
            missing(f"authorizations.{auth_index}.conditions.{index}.cadence",
                    f"How often must {condition.id} of {auth.id} be shown to be kept?"))
    last, due, overdue_from = schedule.last, schedule.due, schedule.overdue_from
    cadence = _cadence_words(condition.cadence)
    since = (f"last evidence on {last.isoformat()}" if schedule.evidence_on_record
             else f"no evidence since the authorization's first day {last.isoformat()}")
    grace = ctx.edition.param("condition_grace_days")
    params = [grace] + ([ctx.edition.param("condition_cadence_months")] if isinstance(condition.cadence, str) else [])
    if schedule.state == "met":
        return Finding(True, reason(f"{label} is met: {cadence}, {since}, next evidence due {due.isoformat()}",
                                    True, CITE, [where], params))
    if schedule.state == "due":
        return Finding(True, reason(f"{label} is due: {cadence}, {since}, evidence due {due.isoformat()} "
                                    f"and overdue from {overdue_from.isoformat()}", True, CITE, [where], params))
    voids = ctx.edition.param("overdue_condition_voids_authorization")
    says = f"{label} is overdue: {cadence}, {since}, evidence was due {due.isoformat()} and is overdue since {overdue_from.isoformat()}"
    if voids.value:
        return Finding(False, reason(says, False, CITE, [where], params + [voids]))
    return Finding.unknown(
        reason(says, None, CITE, [where], params + [voids]),
        missing(f"authorizations.{auth_index}.conditions.{index}.evidence",
                f"Was {condition.id} of {auth.id} kept after {last.isoformat()}? Record the evidence."))


def _cadence_words(cadence: int | str) -> str:
    return f"evidence every {cadence} days" if isinstance(cadence, int) else f"evidence {cadence}"


def _next_due(edition, cadence: int | str, last: date) -> date | None:
    if isinstance(cadence, int):
        return last + timedelta(days=cadence)
    months = edition.param("condition_cadence_months").value.get(cadence)
    if months is None:
        return None
    due = last
    for _ in range(months):
        due = _one_month_later(due, last.day)
    return due


def _one_month_later(day: date, wanted_day: int) -> date:
    """The same day of the next month, or that month's last day when it is shorter."""
    first_of_next = day.replace(day=1) + timedelta(days=monthrange(day.year, day.month)[1])
    return first_of_next.replace(day=min(wanted_day, monthrange(first_of_next.year, first_of_next.month)[1]))
