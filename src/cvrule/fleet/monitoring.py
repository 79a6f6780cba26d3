"""Monitoring the authorizations a fleet holds or relies on (fleet manifest `authorizations:`):
where each stands on the monitoring day, which conditions of a specific authorization are due,
overdue or broken (791.307), and when a general authorization's change in circumstance must be
reassessed (791.306).

The law decides each transaction on its own date (a lapsed authorization makes it `prohibited`
again); this is the team's view of the same facts on one day: the evaluation date, else the
latest transaction date. It never reads the clock.
"""

from __future__ import annotations

from datetime import date, timedelta

from cvrule.fleet.result import AuthorizationView, ConditionView
from cvrule.law.s791_307 import condition_schedule
from cvrule.model import AuthorizationCondition, AuthorizationStatus, Scenario

__all__ = ["EXPIRY_WARNING_DAYS", "authorization_views"]

EXPIRY_WARNING_DAYS = 90
"""A specific authorization that expires within this many days of the monitoring day is shown as
expiring soon (a reporting setting, not law)."""


def authorization_views(scenario: Scenario, edition_on, day: date, names: dict[str, str]) -> list[AuthorizationView]:
    """One view per authorization of the scenario, in manifest order. `edition_on(day)` gives the
    law in force on a day; `names` maps nodes to party names."""
    edition = edition_on(day)
    views = []
    for auth in scenario.authorizations:
        if auth.kind == "approved_supplier":
            views.append(_approved_supplier(auth, day, names))
        elif auth.kind == "general":
            views.append(_general(auth, day, names, edition))
        else:
            views.append(_specific(auth, day, names, edition))
    return views


def _specific(auth, day: date, names: dict[str, str], edition) -> AuthorizationView:
    conditions = [_condition(auth, c, day, edition) for c in auth.conditions if isinstance(c, AuthorizationCondition)]
    conditions += [ConditionView(id=f"text-{n + 1}", text=c, state="no_cadence")
                   for n, c in enumerate(auth.conditions) if isinstance(c, str)]
    title = f"Specific authorization {auth.id}"
    states = {c.state for c in conditions}
    if auth.status is not AuthorizationStatus.granted:
        standing, says = "not_granted", f"{title} is {auth.status.value}: it authorizes nothing"
    elif auth.from_ is not None and day < auth.from_:
        standing, says = "not_yet", f"{title} authorizes from {auth.from_.isoformat()}"
    elif auth.to is not None and auth.to < day:
        standing, says = "expired", (f"{title} was valid until {auth.to.isoformat()}: the transactions it named are "
                                     "not authorized after that day")
    elif "broken" in states:
        broken = ", ".join(c.id for c in conditions if c.state == "broken")
        standing, says = "condition_broken", f"{title} no longer authorizes: condition {broken} was broken"
    elif "overdue" in states:
        late = ", ".join(f"{c.id} (overdue since {c.overdue_from.isoformat()})" for c in conditions if c.state == "overdue")
        voids = edition.param("overdue_condition_voids_authorization").value
        effect = "no longer authorizes" if voids else "may no longer authorize"
        standing, says = "conditions_overdue", f"{title} {effect}: evidence overdue for {late}"
    elif auth.to is not None and (auth.to - day).days <= EXPIRY_WARNING_DAYS:
        standing, says = "expires_soon", f"{title} is in force and valid until {auth.to.isoformat()}"
    else:
        standing, says = "in_force", f"{title} is in force" + (f" until {auth.to.isoformat()}" if auth.to else "")
    due = [c for c in conditions if c.state == "due"]
    if due and standing in ("in_force", "expires_soon"):
        says += "; evidence due now for " + ", ".join(f"{c.id} (by {c.overdue_from - timedelta(days=1)})" for c in due)
    return AuthorizationView(
        id=auth.id, kind="specific", party=auth.holder, party_name=names.get(auth.holder, auth.holder),
        status=auth.status.value, valid_from=auth.from_, valid_to=auth.to, transactions=list(auth.transactions), on=day,
        standing=standing, says=says, conditions=conditions)


def _condition(auth, condition: AuthorizationCondition, day: date, edition) -> ConditionView:
    schedule = condition_schedule(edition, auth, condition, day)
    return ConditionView(
        id=condition.id, text=condition.text, cadence=None if condition.cadence is None else str(condition.cadence),
        state=schedule.state, last_evidence=schedule.last if schedule.evidence_on_record else None,
        due=schedule.due, overdue_from=schedule.overdue_from,
        broken_on=condition.broken_on if schedule.state == "broken" else None)


def _general(auth, day: date, names: dict[str, str], edition) -> AuthorizationView:
    title = f"Reliance on {auth.id}"
    reassess_by = None
    if auth.circumstance_changed is not None and auth.circumstance_changed <= day:
        reassess_by = auth.circumstance_changed + timedelta(days=edition.param("ga_reassessment_days").value)
        if auth.reassessed is not None and auth.circumstance_changed <= auth.reassessed <= reassess_by:
            standing = "relied_on"
            says = (f"{title}: the change in circumstance of {auth.circumstance_changed.isoformat()} was reassessed "
                    f"on {auth.reassessed.isoformat()}")
        elif day <= reassess_by:
            standing = "expires_soon"
            says = (f"{title}: a change in circumstance on {auth.circumstance_changed.isoformat()} must be reassessed "
                    f"by {reassess_by.isoformat()} (791.306)")
        else:
            standing = "expired"
            says = (f"{title} lapsed: the change in circumstance of {auth.circumstance_changed.isoformat()} was not "
                    f"reassessed by {reassess_by.isoformat()} (791.306)")
    else:
        standing, says = "relied_on", f"{title}: no change in circumstance recorded"
    return AuthorizationView(
        id=auth.id, kind="general", party=auth.holder, party_name=names.get(auth.holder, auth.holder),
        transactions=list(auth.transactions or ()), on=day, standing=standing, says=says, reassess_by=reassess_by)


def _approved_supplier(auth, day: date, names: dict[str, str]) -> AuthorizationView:
    name = names.get(auth.party, auth.party)
    if auth.listed_on(day):
        standing = "expires_soon" if auth.to is not None and (auth.to - day).days <= EXPIRY_WARNING_DAYS else "in_force"
        says = f"{name} is on the approved supplier list" + (f" until {auth.to.isoformat()}" if auth.to else "")
    elif auth.from_ is not None and day < auth.from_:
        standing, says = "not_yet", f"{name} is on the approved supplier list from {auth.from_.isoformat()}"
    else:
        standing, says = "expired", f"{name} left the approved supplier list on {auth.to.isoformat()}"
    return AuthorizationView(
        id=f"approved-supplier:{auth.party}", kind="approved_supplier", party=auth.party, party_name=name,
        valid_from=auth.from_, valid_to=auth.to, on=day, standing=standing, says=says)
