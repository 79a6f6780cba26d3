"""The "description of the transaction(s)" both filings open with (791.307(c), 791.310(c)): the
transactions and their decisions, the parties, the VCS hardware or covered software with its
PRC/Russia nexus, the vehicles, and the data flows of the items at issue. Shared by
s791_307_application and s791_310_advisory.
"""

from __future__ import annotations

from cvrule.filings.evidence import RunEvidence
from cvrule.filings.filing import FilingItem, FilingTransaction, make_item
from cvrule.filings.risk import RiskFinding, register_findings

__all__ = ["data_flows_item", "findings", "overview_data", "parties_item", "transactions", "vehicles_data"]

_NEXUS_ROLES = ("designed_by", "developed_by", "manufactured_by", "supplied_by", "maintained_by")


def transactions(evidence: RunEvidence) -> list[FilingTransaction]:
    found = []
    for view in evidence.views:
        d = view.decision
        found.append(FilingTransaction(
            id=d.transaction, kind=d.kind, date=d.date, outcome=d.outcome.value, cites=list(d.cites),
            reasons=[r.says for r in d.because.because] or [d.because.says],
            open_questions=sorted({m.question for m in d.missing_facts})))
    return found


def parties_item(evidence: RunEvidence, answers, key: str, cite: str, title: str) -> FilingItem:
    parties = evidence.parties()
    run = f"run {evidence.assessment.run_id}: parties (nexus status and path)"
    gaps = []
    no_ids = [p["name"] for p in parties if not p["identifiers"]]
    if no_ids:
        gaps.append(("party_identifiers", "corporate identifiers (LEI, registry number, DUNS, USCC...) of "
                     + "; ".join(no_ids)))
    unknown = [p["name"] for p in parties if p["nexus"] in ("unresolved", "indeterminate")]
    no_chain = [p["name"] for p in parties if not p["ownership_chain"] and p["nexus"] != "linked"]
    if unknown or no_chain:
        names = list(dict.fromkeys(unknown + no_chain))
        gaps.append(("beneficial_ownership", "information sufficient to identify the ultimate beneficial ownership "
                     "(who ultimately holds the voting interest, and who controls) of " + "; ".join(names)))
    sources = [run] + (["workspace store: parties and ownership facts"] if evidence.store is not None else [])
    return make_item(key, cite, title, answers, data=parties, sources=sources, gaps=gaps)


def overview_data(evidence: RunEvidence) -> tuple[list[dict], list[str]]:
    """The items at issue with their nexus: who designs, develops, manufactures, supplies, maintains them."""
    parties = {p.ref: p for p in evidence.assessment.parties}
    items, sources = [], []
    for component in evidence.components_at_issue():
        by_role: dict[str, list[str]] = {}
        for role in component.roles:
            party = parties.get(role.party)
            status = party.linkage if party else "unresolved"
            by_role.setdefault(role.role, []).append(f"{role.written} ({status})")
        items.append({
            "id": component.id, "name": component.name, "type": component.type, "version": component.version,
            "purl": component.purl, "ecu": component.ecu, "count": component.count, "nexus": component.linkage,
            "classification": dict(sorted(component.classification.items())),
            "persons": {role: sorted(set(names)) for role, names in sorted(by_role.items()) if role in _NEXUS_ROLES},
        })
        sources.append(f"{component.source} {component.location}")
    return items, sources


def vehicles_data(evidence: RunEvidence) -> list[dict]:
    return evidence.vehicles()


def data_flows_item(evidence: RunEvidence, answers, key: str, cite: str, title: str) -> FilingItem:
    if evidence.register is None:
        return make_item(key, cite, title, answers, gaps=[(
            "data_flows", "a data-flow and remote-access register for the items at issue (docs/dataflows.md), "
            "given with --dataflows")])
    flows = [item.model_dump(mode="json", exclude_none=True) for item in evidence.flow_items()]
    parties = evidence.register.parties
    used = sorted({f["operator"] for i in flows for f in i.get("flows", ())}
                  | {f["hosting"] for i in flows for f in i.get("flows", ()) if f.get("hosting")}
                  | {a["by"] for i in flows for a in i.get("remote_access", ())})
    data = {"items": flows, "parties": {k: parties[k].model_dump(mode="json", exclude_none=True) for k in used}}
    gaps = [] if flows else [("data_flows", "the register has no entry for the items at issue: add their data flows "
                                            "and remote access (docs/dataflows.md)")]
    return make_item(key, cite, title, answers, data=data if flows else None, sources=["data-flow register"],
                     gaps=gaps)


def findings(evidence: RunEvidence, covered: tuple[str, ...]) -> list[RiskFinding]:
    if evidence.register is None:
        return []
    return register_findings(evidence.register, evidence.assessment, covered, evidence.store,
                             items=evidence.flow_items())
