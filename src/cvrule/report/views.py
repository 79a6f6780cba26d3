"""What every report shows, computed once from an `Assessment`: the matrix rows, the decisions
grouped by line and model year, the open questions, the components and parties in the order a
reviewer wants them, and the dates of the deadline timeline.

Everything here is ordered explicitly, so that the reports built on it are deterministic.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from cvrule.fleet.result import OUTCOME_ORDER, Assessment, ComponentView, DecisionView, PartyView, matrix
from cvrule.model import Decision, Outcome, ParamRef, Reason

__all__ = [
    "LINKAGE_ORDER",
    "PROHIBITION_SECTIONS",
    "Cell",
    "Group",
    "MatrixRow",
    "Question",
    "ReportData",
    "TimelineRow",
    "anchor",
    "build",
    "decision_sort_key",
    "key_step",
    "linkage_rank",
    "outcome_label",
    "outcome_rank",
    "report_date",
    "value_text",
]

LINKAGE_ORDER = ("linked", "indeterminate", "unresolved", "not_linked")
"""Worst first: the order of the components and parties tables."""

OUTCOME_LABELS = {
    Outcome.prohibited: "Prohibited",
    Outcome.indeterminate: "Indeterminate",
    Outcome.authorized: "Authorized",
    Outcome.exempt: "Exempt",
    Outcome.allowed: "Allowed",
    Outcome.out_of_scope: "Out of scope",
}

OUTCOME_MEANINGS = {
    Outcome.prohibited: "a 791.302-.304 prohibition applies; no exemption or authorization covers it",
    Outcome.indeterminate: "facts are missing or the law is unsettled: a person must decide or ask BIS (791.310)",
    Outcome.authorized: "would be prohibited, but a general, approved-supplier or specific authorization covers it",
    Outcome.exempt: "within a 791.308 date exemption: no authorization and no Declaration needed",
    Outcome.allowed: "in scope and not prohibited",
    Outcome.out_of_scope: "not a connected vehicle, not VCS hardware, or not an in-scope transaction",
}

LINKAGE_LABELS = {
    "linked": "Linked",
    "indeterminate": "Indeterminate",
    "unresolved": "Unresolved",
    "not_linked": "Not linked",
}

LINKAGE_MEANINGS = {
    "linked": "owned by, controlled by or subject to the jurisdiction or direction of the PRC or Russia (791.301)",
    "indeterminate": "may be linked: a person must decide",
    "unresolved": "a name in a BOM that no known party matched",
    "not_linked": "no link to the PRC or Russia on the facts known",
}


PROHIBITION_SECTIONS = ("791.302", "791.303", "791.304")
"""The sections whose steps say why a transaction is prohibited (used to pick the one line
that sums up a prohibited decision)."""


def key_step(decision: Decision) -> Reason:
    """The top-level step that sums a decision up in one line: for a prohibited one the
    prohibition that applies, for an indeterminate one the step that cannot be told;
    otherwise the root."""
    steps = decision.because.because
    if decision.outcome is Outcome.prohibited:
        for step in steps:
            if step.holds is True and (step.cite or "").startswith(PROHIBITION_SECTIONS):
                return step
    if decision.outcome is Outcome.indeterminate:
        for step in steps:
            if step.holds is None:
                return step
    return decision.because


def value_text(value: object) -> str:
    """A legal parameter's value as a reader would write it: true, [a, b], {GA-1: ...}, 2026-03-17."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def outcome_label(outcome: Outcome | str) -> str:
    return OUTCOME_LABELS[Outcome(outcome)]


def outcome_rank(outcome: Outcome | str) -> int:
    return OUTCOME_ORDER.index(Outcome(outcome))


def linkage_rank(linkage: str) -> int:
    return LINKAGE_ORDER.index(linkage)


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def anchor(prefix: str, *parts: object) -> str:
    """An HTML id for a thing: readable, and unique because a hash is added whenever the
    readable part had to drop characters."""
    raw = "/".join(str(p) for p in parts)
    slug = _UNSAFE.sub("-", raw).strip("-") or "x"
    if slug != raw:
        slug += "-" + hashlib.sha256(raw.encode()).hexdigest()[:6]
    return f"{prefix}-{slug}"


def report_date(assessment: Assessment) -> date:
    """The one date a report may stamp on itself (PDF and XLSX metadata): the evaluation date,
    else the latest date a decision was evaluated on (1980-01-01, the ZIP epoch, when there is
    no decision). Never the clock."""
    if assessment.as_of is not None:
        return assessment.as_of
    days = [view.decision.evaluated_on for view in assessment.decisions]
    return max(days) if days else date(1980, 1, 1)


@dataclass
class Cell:
    line: str
    model_year: int
    outcome: Outcome
    decisions: list[DecisionView]
    anchor: str

    @property
    def counts(self) -> list[tuple[Outcome, int]]:
        tally: dict[Outcome, int] = defaultdict(int)
        for view in self.decisions:
            tally[view.decision.outcome] += 1
        return [(o, tally[o]) for o in OUTCOME_ORDER if tally[o]]


@dataclass
class MatrixRow:
    line: str
    title: str
    cells: dict[int, Cell]

    @property
    def worst(self) -> Outcome:
        return min((c.outcome for c in self.cells.values()), key=outcome_rank)


@dataclass
class Group:
    """Decisions shown together: one line and model year, or the transactions of no line."""

    title: str
    anchor: str
    decisions: list[DecisionView]
    line: str | None = None
    model_year: int | None = None


@dataclass
class Question:
    """A missing fact and the decisions waiting on its answer."""

    fact: str
    question: str
    transactions: list[str] = field(default_factory=list)


@dataclass
class TimelineMark:
    day: date
    kind: str
    """"due" (Declaration of Conformity due), "start" (first import or sale of the model year),
    "evidence" (a condition's next evidence due) or "expires" (an authorization ends, or a
    general authorization's reassessment is due)."""
    label: str
    outcome: Outcome


@dataclass
class TimelineRow:
    label: str
    marks: list[TimelineMark]
    labelled: bool = True
    """Whether each mark is labelled on the chart (model years are; single transactions are not)."""


@dataclass
class InterpretationUse:
    param: ParamRef
    transactions: list[str]


@dataclass
class ReportData:
    assessment: Assessment
    years: list[int]
    rows: list[MatrixRow]
    groups: list[Group]
    questions: list[Question]
    components: list[ComponentView]
    parties: list[PartyView]
    party_by_ref: dict[str, PartyView]
    component_by_id: dict[str, ComponentView]
    interpretations: list[InterpretationUse]
    timeline: list[TimelineRow]
    outcome_counts: list[tuple[Outcome, int]]
    decision_anchor: dict[str, str]
    component_countries: dict[str, list[str]]

    def party(self, ref: str) -> PartyView | None:
        return self.party_by_ref.get(ref)

    def component(self, component_id: str) -> ComponentView | None:
        return self.component_by_id.get(component_id)


def decision_sort_key(view: DecisionView) -> tuple:
    return (
        view.line is None,
        view.line or "",
        view.model_year if view.model_year is not None else 0,
        outcome_rank(view.decision.outcome),
        view.decision.date,
        view.decision.transaction,
    )


def build(assessment: Assessment) -> ReportData:
    line_titles = _line_titles(assessment)
    cells = matrix(assessment)
    years = sorted({my for row in cells.values() for my in row})
    by_cell: dict[tuple[str, int], list[DecisionView]] = defaultdict(list)
    for view in assessment.decisions:
        if view.line is not None and view.model_year is not None:
            by_cell[(view.line, view.model_year)].append(view)
    rows = []
    for line in sorted(cells):
        row_cells = {}
        for my, outcome in sorted(cells[line].items()):
            decisions = sorted(by_cell[(line, my)], key=decision_sort_key)
            row_cells[my] = Cell(line, my, outcome, decisions, anchor("cell", line, my))
        rows.append(MatrixRow(line, line_titles.get(line, line), row_cells))

    groups = [
        Group(f"{row.title}, model year {cell.model_year}", cell.anchor, cell.decisions, row.line, cell.model_year)
        for row in rows for cell in row.cells.values()
    ]
    loose = sorted((v for v in assessment.decisions if v.line is None or v.model_year is None), key=decision_sort_key)
    if loose:
        groups.append(Group("Transactions not tied to a vehicle line", "cell-other", loose))

    components = sorted(assessment.components, key=lambda c: (linkage_rank(c.linkage), c.name.casefold(), c.id))
    parties = sorted(assessment.parties, key=lambda p: (linkage_rank(p.linkage), p.name.casefold(), p.ref))
    party_by_ref = {p.ref: p for p in assessment.parties}
    decision_anchor = {v.decision.transaction: anchor("d", v.decision.transaction) for v in assessment.decisions}

    tally: dict[Outcome, int] = defaultdict(int)
    for view in assessment.decisions:
        tally[view.decision.outcome] += 1

    return ReportData(
        assessment=assessment,
        years=years,
        rows=rows,
        groups=groups,
        questions=_questions(assessment),
        components=components,
        parties=parties,
        party_by_ref=party_by_ref,
        component_by_id={c.id: c for c in assessment.components},
        interpretations=_interpretation_uses(assessment),
        timeline=_timeline(assessment, rows, line_titles),
        outcome_counts=[(o, tally[o]) for o in OUTCOME_ORDER if tally[o]],
        decision_anchor=decision_anchor,
        component_countries={c.id: _countries(c, party_by_ref) for c in assessment.components},
    )


def _line_titles(assessment: Assessment) -> dict[str, str]:
    titles: dict[str, str] = {}
    for vehicle in sorted(assessment.vehicles, key=lambda v: (v.line, v.model_year, v.id)):
        titles.setdefault(vehicle.line, f"{vehicle.make} {vehicle.model}")
    return titles


def _questions(assessment: Assessment) -> list[Question]:
    found: dict[tuple[str, str], Question] = {}
    for view in sorted(assessment.decisions, key=decision_sort_key):
        for missing in view.decision.missing_facts:
            key = (missing.fact, missing.question)
            question = found.setdefault(key, Question(missing.fact, missing.question))
            if view.decision.transaction not in question.transactions:
                question.transactions.append(view.decision.transaction)
    return sorted(found.values(), key=lambda q: (-len(q.transactions), q.fact, q.question))


def _interpretation_uses(assessment: Assessment) -> list[InterpretationUse]:
    uses = []
    for param in sorted(assessment.interpretations, key=lambda p: (p.name, p.effective)):
        relying = sorted(
            v.decision.transaction for v in assessment.decisions
            if any(p.name == param.name and p.effective == param.effective for p in v.decision.interpretations)
        )
        uses.append(InterpretationUse(param, relying))
    return uses


def _timeline(assessment: Assessment, rows: list[MatrixRow], titles: dict[str, str]) -> list[TimelineRow]:
    """One row per line: when each model year is first imported or sold, and when its
    Declaration of Conformity is due; one more row for the transactions of no line."""
    result = []
    for row in rows:
        marks = []
        for my, cell in row.cells.items():
            start = min(v.decision.date for v in cell.decisions)
            marks.append(TimelineMark(start, "start", f"MY{my}", cell.outcome))
        for obligation in assessment.obligations:
            if _obligation_line(obligation.transactions, assessment) == row.line:
                outcome = _worst_of(obligation.transactions, assessment)
                label = f"MY{obligation.model_year}" if obligation.model_year else "Declaration"
                marks.append(TimelineMark(obligation.due, "due", label, outcome))
        result.append(TimelineRow(row.title, sorted(marks, key=lambda m: (m.day, m.kind, m.label))))
    loose = []
    for view in assessment.decisions:
        if view.line is None or view.model_year is None:
            loose.append(TimelineMark(view.decision.date, "start", view.decision.transaction, view.decision.outcome))
    for obligation in assessment.obligations:
        if _obligation_line(obligation.transactions, assessment) is None:
            label = obligation.transactions[0] if len(obligation.transactions) == 1 else f"MY{obligation.model_year}"
            loose.append(TimelineMark(obligation.due, "due", label, _worst_of(obligation.transactions, assessment)))
    if loose:
        result.append(TimelineRow("Other transactions", sorted(loose, key=lambda m: (m.day, m.kind, m.label)), labelled=False))
    held = _authorization_marks(assessment)
    if held:
        result.append(TimelineRow("Authorizations", sorted(held, key=lambda m: (m.day, m.kind, m.label)), labelled=False))
    return [r for r in result if r.marks]


_STATE_OUTCOME = {"overdue": Outcome.prohibited, "broken": Outcome.prohibited, "due": Outcome.indeterminate,
                  "no_start": Outcome.indeterminate, "unknown_cadence": Outcome.indeterminate}


def _authorization_marks(assessment: Assessment) -> list[TimelineMark]:
    """When each condition's next evidence is due ("evidence") and when each authorization
    expires or must be reassessed ("expires")."""
    marks = []
    for auth in assessment.authorizations:
        for condition in auth.conditions:
            if condition.due is not None:
                outcome = _STATE_OUTCOME.get(condition.state, Outcome.authorized)
                marks.append(TimelineMark(condition.due, "evidence", f"{auth.id} {condition.id}", outcome))
        ends = auth.valid_to if auth.kind != "general" else auth.reassess_by
        if ends is not None:
            outcome = Outcome.prohibited if auth.standing == "expired" else Outcome.authorized
            marks.append(TimelineMark(ends, "expires", auth.id, outcome))
    return marks


def _obligation_line(transactions: list[str], assessment: Assessment) -> str | None:
    lines = {v.line for v in assessment.decisions if v.decision.transaction in transactions}
    return next(iter(lines)) if len(lines) == 1 else None


def _worst_of(transactions: list[str], assessment: Assessment) -> Outcome:
    outcomes = [v.decision.outcome for v in assessment.decisions if v.decision.transaction in transactions]
    return min(outcomes, key=outcome_rank) if outcomes else Outcome.allowed


def _countries(component: ComponentView, parties: dict[str, PartyView]) -> list[str]:
    countries = set()
    for role in component.roles:
        party = parties.get(role.party)
        countries.add(party.country if party is not None and party.country else "unknown")
    return sorted(countries)
