"""What the pages and the API show of an assessment, beyond what the reports already compute
(cvrule.report.views): one decision and the parties it turned on, a component's decisions, a
party's components, and the deadlines. Plain Python over the `Assessment`; no web framework.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cvrule.fleet.result import Assessment, ComponentView, DecisionView, PartyView
from cvrule.model import Reason
from cvrule.report.views import ReportData, decision_sort_key, linkage_rank

__all__ = [
    "Deadline",
    "component_decisions",
    "deadlines",
    "decision_parties",
    "find_decision",
    "party_components",
    "party_decisions",
    "why_rows",
]


def find_decision(assessment: Assessment, transaction: str) -> DecisionView | None:
    return next((v for v in assessment.decisions if v.decision.transaction == transaction), None)


def decision_parties(data: ReportData, view: DecisionView) -> list[PartyView]:
    """The parties a decision turned on: the manufacturer of its vehicle, the parties of the
    components whose nexus it turned on, and the party responsible for it, worst first."""
    refs: list[str] = []
    if view.vehicle:
        vehicle = next((v for v in data.assessment.vehicles if v.id == view.vehicle), None)
        if vehicle is not None:
            refs.append(vehicle.manufacturer)
    for component_id in view.components:
        component = data.component(component_id)
        if component is not None:
            refs += [role.party for role in component.roles]
    names = {view.decision.responsible_name, view.decision.actor}
    refs += [p.ref for p in data.assessment.parties if p.name in names or p.ref in names]
    found = [data.party(ref) for ref in dict.fromkeys(refs)]
    parties = [p for p in found if p is not None]
    return sorted(parties, key=lambda p: (linkage_rank(p.linkage), p.name.casefold(), p.ref))


def component_decisions(assessment: Assessment, component_id: str) -> list[DecisionView]:
    found = [v for v in assessment.decisions if component_id in v.components or v.item == component_id]
    return sorted(found, key=decision_sort_key)


def party_components(assessment: Assessment, ref: str) -> list[tuple[ComponentView, list[str]]]:
    """The components a party has a role in, with its roles there."""
    out = []
    for component in assessment.components:
        roles = sorted({r.role for r in component.roles if r.party == ref})
        if roles:
            out.append((component, roles))
    return sorted(out, key=lambda pair: (linkage_rank(pair[0].linkage), pair[0].name.casefold(), pair[0].id))


def party_decisions(data: ReportData, ref: str) -> list[DecisionView]:
    return sorted((v for v in data.assessment.decisions if any(p.ref == ref for p in decision_parties(data, v))),
                  key=decision_sort_key)


_CITED = re.compile(r"\[([^\]]+)\]\s*(.*)")


def why_rows(lines: list[str]) -> list[tuple[int, str | None, str]]:
    """Explanation lines -> (depth from the indent, the citation in brackets if any, the words)."""
    rows = []
    for line in lines:
        text = line.lstrip(" ")
        depth = (len(line) - len(text)) // 2
        found = _CITED.fullmatch(text)
        rows.append((depth, found.group(1), found.group(2)) if found else (depth, None, text))
    return rows


@dataclass(frozen=True)
class Deadline:
    due: date
    kind: str
    """declaration | ga-reassessment | authorization-expiry | authorization-start"""
    title: str
    detail: str
    cite: str
    transactions: tuple[str, ...]
    model_year: int | None = None
    filer: str | None = None

    def days_left(self, today: date) -> int:
        return (self.due - today).days


_DATE = r"(\d{4}-\d{2}-\d{2})"
_PATTERNS = (
    # (kind, cite prefix, pattern over a reason's words, title)
    ("ga-reassessment", "791.306(e)", re.compile(rf"must be reassessed by {_DATE}"), "General authorization: reassess"),
    ("ga-reassessment", "791.306(e)", re.compile(rf"called for a reassessment by {_DATE}"), "General authorization lapsed"),
    ("authorization-expiry", "791.307", re.compile(rf"expired on {_DATE}"), "Specific authorization expired"),
    ("authorization-expiry", "791.307", re.compile(rf"(?:valid|expires?) (?:until|through|to) {_DATE}"),
     "Specific authorization expires"),
    ("authorization-start", "791.307", re.compile(rf"valid only from {_DATE}"), "Specific authorization not yet valid"),
)


def deadlines(assessment: Assessment) -> list[Deadline]:
    """Declarations of Conformity due (791.305), general-authorization reassessments due within
    30 days of a change in circumstance (791.306(e)) and specific authorizations' validity
    windows (791.307), as the decisions state them; soonest first."""
    out = [
        Deadline(o.due, "declaration", f"Declaration of Conformity, {o.filer_name}",
                 f"{o.role.replace('_', ' ')}" + (f", model year {o.model_year}" if o.model_year else ""),
                 "791.305", tuple(o.transactions), o.model_year, o.filer_name)
        for o in assessment.obligations
    ]
    found: dict[tuple, list[str]] = {}
    for view in assessment.decisions:
        for step in view.decision.because.walk():
            out_kind = _match(step)
            if out_kind is None:
                continue
            kind, title, day = out_kind
            key = (day, kind, title, step.says, step.cite or "")
            found.setdefault(key, []).append(view.decision.transaction)
    for (day, kind, title, says, cite), transactions in found.items():
        out.append(Deadline(day, kind, title, says, cite, tuple(sorted(set(transactions)))))
    return sorted(out, key=lambda d: (d.due, d.kind, d.title, d.transactions))


def _match(step: Reason) -> tuple[str, str, date] | None:
    for kind, cite, pattern, title in _PATTERNS:
        if not (step.cite or "").startswith(cite):
            continue
        hit = pattern.search(step.says)
        if hit:
            try:
                return kind, title, date.fromisoformat(hit.group(1))
            except ValueError:
                return None
    return None
