"""Risk findings of a data-flow register (cvrule.filings.dataflows) against an assessment.

Each party of the register is matched to a party the assessment saw (an identifier equal to
the party's `lei:` reference, else the same folded name); failing that, and when a workspace
store is given, to the ownership data by `cvrule.resolve.match_name` (a party found there but
not in the run is judged by its country alone). Hosting and processing countries are compared
with the covered jurisdictions parameter (791.300(a)) on the evaluation date; a flow whose
hosting country is not stated (a CycloneDX service without `cvrule:hosted_in`, say) is a
`hosting_unknown` finding to review.

A finding is risk information for the filing and the team; it is not a legal outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cvrule.filings.dataflows import DataFlowRegister, FlowItem, RegisterParty
from cvrule.fleet.result import Assessment, FindingKind, PartyView, RiskFinding  # noqa: F401 (re-exported)
from cvrule.resolve.names import simple_fold

__all__ = ["FindingKind", "PartyStatus", "RiskFinding", "covered_jurisdictions", "party_status", "register_findings"]


@dataclass(frozen=True)
class PartyStatus:
    name: str
    linkage: str
    """linked | indeterminate | not_linked | unresolved"""
    how: str
    why: tuple[str, ...] = ()


def party_status(party: RegisterParty, assessment: Assessment, covered: tuple[str, ...], store=None) -> PartyStatus:
    """The nexus status of a register party, and how it was found."""
    view = _in_assessment(party, assessment)
    if view is not None:
        return PartyStatus(view.name, view.linkage, f"party {view.ref} of run {assessment.run_id}", tuple(view.why))
    if store is not None:
        from cvrule.resolve import match_name

        candidates = [c for c in match_name(store, party.name, party.country, party.identifiers, limit=3)
                      if c.target.kind == "party" and c.decision == "link"]
        if candidates:
            target = candidates[0].target
            for view in assessment.parties:
                if view.ref == target.ref or view.ref.endswith(f":{target.key}"):
                    return PartyStatus(view.name, view.linkage, f"matched to {view.ref} (score {candidates[0].score:.2f})",
                                       tuple(view.why))
            country = _store_country(store, target.source_id, target.key)
            if country in covered:
                return PartyStatus(target.name, "linked", f"matched to {target.ref} of the ownership data (score "
                                   f"{candidates[0].score:.2f}), organized in {country}",
                                   (f"{target.name} is organized in {country}, a covered jurisdiction (791.300(a))",))
            return PartyStatus(target.name, "unresolved", f"matched to {target.ref} of the ownership data, which this "
                               "run did not assess")
    if party.country in covered:
        return PartyStatus(party.name, "linked", f"the register gives country {party.country}",
                           (f"{party.name} is organized in {party.country}, a covered jurisdiction (791.300(a))",))
    return PartyStatus(party.name, "unresolved", "matches no party of the run or the ownership data")


def _in_assessment(party: RegisterParty, assessment: Assessment) -> PartyView | None:
    refs = {f"{scheme}:{value}" for scheme, value in party.identifiers.items()}
    for view in assessment.parties:
        if view.ref in refs:
            return view
    folded = simple_fold(party.name)
    named = [view for view in assessment.parties if simple_fold(view.name) == folded]
    return named[0] if len(named) == 1 else None


def _store_country(store, source_id: str, key: str) -> str | None:
    rows = store.rows("parties", "WHERE source_id = ? AND key = ?", [source_id, key])
    return rows[0]["country"] if rows else None


def register_findings(register: DataFlowRegister, assessment: Assessment, covered: tuple[str, ...], store=None,
                      items: list[FlowItem] | None = None) -> list[RiskFinding]:
    """The findings of the register's items (all, or `items`), in register order."""
    statuses: dict[str, PartyStatus] = {}

    def status(key: str) -> PartyStatus:
        if key not in statuses:
            statuses[key] = party_status(register.parties[key], assessment, covered, store)
        return statuses[key]

    findings: list[RiskFinding] = []
    for item in items if items is not None else register.items:
        base = {"bom": item.bom, "component": item.component}
        for flow in item.flows:
            data = ", ".join(flow.data)
            for key in filter(None, (flow.operator, flow.hosting)):
                found = status(key)
                role = "operates" if key == flow.operator else "hosts"
                finding = _party_finding("operator", found, role, f"{flow.function} ({data}) at {flow.endpoint}")
                if finding:
                    findings.append(RiskFinding(**base, entry=flow.id, party=found.name, party_status=found.linkage,
                                                why=list(found.why), **finding))
            countries = sorted({c for c in flow.hosted_in + flow.processed_in if c in covered})
            if countries:
                findings.append(RiskFinding(
                    **base, kind="hosted_in_covered_jurisdiction", severity="high", entry=flow.id, countries=countries,
                    says=f"{flow.function} sends {data} to {flow.endpoint}, hosted or processed in "
                         f"{', '.join(countries)}: a covered jurisdiction (791.300(a))"))
            if not flow.hosted_in:
                findings.append(RiskFinding(
                    **base, kind="hosting_unknown", severity="review", entry=flow.id,
                    says=f"{flow.function} sends {data} to {flow.endpoint}; where it is hosted is not stated: ask "
                         "the operator where the endpoint is hosted and where the data is processed"))
        for access in item.remote_access:
            found = status(access.by)
            finding = _party_finding("remote_access_by", found, "can", f"{access.capability} the vehicle via {access.path}")
            if finding:
                findings.append(RiskFinding(**base, entry=access.id, party=found.name, party_status=found.linkage,
                                            why=list(found.why), **finding))
            countries = sorted(c for c in set(access.hosted_in) if c in covered)
            if countries:
                findings.append(RiskFinding(
                    **base, kind="remote_access_from_covered_jurisdiction", severity="high", entry=access.id,
                    countries=countries, says=f"{access.capability} of the vehicle is issued from {', '.join(countries)} "
                                              f"via {access.path}: a covered jurisdiction (791.300(a))"))
    return findings


def _party_finding(prefix: str, found: PartyStatus, verb: str, what: str) -> dict | None:
    if found.linkage == "linked":
        return {"kind": f"{prefix}_linked", "severity": "high",
                "says": f"{found.name} {verb} {what} and is linked to the PRC or Russia ({found.how})"}
    if found.linkage == "indeterminate":
        return {"kind": f"{prefix}_indeterminate", "severity": "review",
                "says": f"{found.name} {verb} {what}; whether it is linked to the PRC or Russia cannot be told "
                        f"({found.how})"}
    if found.linkage == "unresolved":
        return {"kind": f"{prefix}_unknown", "severity": "review",
                "says": f"{found.name} {verb} {what}; who it is is not known ({found.how}): ask for its ownership"}
    return None


def covered_jurisdictions(law, day: date) -> tuple[str, ...]:
    return tuple(law.edition(day)["covered_jurisdictions"])
