"""`/api/runs`: the assessment runs and what they decided (read-only; the viewer role)."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse

from cvrule.fleet.result import ComponentView, DecisionView, PartyView
from cvrule.law import explain
from cvrule.model import Outcome
from cvrule.web.api.schemas import (
    DeadlineOut,
    DecisionSummary,
    Explanation,
    GraphEdgeOut,
    GraphNodeOut,
    GraphOut,
    MatrixRowOut,
    PartyDetail,
    RunDetail,
    RunFileOut,
    RunSummary,
)
from cvrule.web.auth import Principal, guard, state_of
from cvrule.web.runs import Run
from cvrule.web.services import NotFound, party_graph, run_or_404
from cvrule.web.views import deadlines, decision_parties, find_decision, party_components, party_decisions

router = APIRouter(prefix="/runs", tags=["runs"])
viewer = Depends(guard("viewer"))
RunId = "The run's id, or `latest`"


def _summary(state, run: Run) -> RunSummary:
    assessment = state.runs.assessment(run)
    return RunSummary(id=run.id, modified=run.modified, fleet=assessment.fleet, as_of=assessment.as_of,
                      decisions=len(assessment.decisions), counts=assessment.counts)


@router.get("", summary="List the assessment runs, newest first")
def list_runs(request: Request, who: Principal = viewer) -> list[RunSummary]:
    state = state_of(request)
    return [_summary(state, run) for run in state.runs.runs()]


@router.get("/{run_id}", summary="A run: its fleet, counts and verdict matrix")
def get_run(request: Request, run_id: str, who: Principal = viewer) -> RunDetail:
    state = state_of(request)
    run = run_or_404(state, run_id)
    data = state.runs.data(run)
    a = data.assessment
    return RunDetail(
        **_summary(state, run).model_dump(), engine=a.engine, cvrule_version=a.cvrule_version,
        parameters_sha256=a.parameters_sha256, inputs=len(a.inputs),
        outcomes={o.value: n for o, n in data.outcome_counts},
        matrix=[MatrixRowOut(line=row.line, title=row.title, cells={str(my): c.outcome for my, c in row.cells.items()})
                for row in data.rows],
    )


@router.get("/{run_id}/decisions", summary="The decisions of a run, filtered")
def list_decisions(request: Request, run_id: str, outcome: Outcome | None = None, line: str | None = None,
                   model_year: int | None = Query(None, ge=1900, le=2200),
                   limit: int = Query(1000, ge=1, le=10000), offset: int = Query(0, ge=0),
                   who: Principal = viewer) -> list[DecisionSummary]:
    state = state_of(request)
    run = run_or_404(state, run_id)
    views = [v for g in state.runs.data(run).groups for v in g.decisions]
    found = [v for v in views if (outcome is None or v.decision.outcome == outcome) and (line is None or v.line == line)
             and (model_year is None or v.model_year == model_year)]
    return [DecisionSummary(transaction=v.decision.transaction, kind=v.decision.kind, actor=v.decision.actor,
                            date=v.decision.date, outcome=v.decision.outcome,
                            declaration_required=v.decision.declaration_required,
                            declaration_due=v.decision.declaration_due, responsible_name=v.decision.responsible_name,
                            cites=v.decision.cites, line=v.line, model_year=v.model_year)
            for v in found[offset:offset + limit]]


def _decision(state, run_id: str, transaction: str):
    run = run_or_404(state, run_id)
    data = state.runs.data(run)
    view = find_decision(data.assessment, transaction)
    if view is None:
        raise NotFound(f"no transaction {transaction!r} in run {run.id[:12]}")
    return data, view


@router.get("/{run_id}/decisions/{transaction:path}", summary="One decision, with its reasons tree and citations")
def get_decision(request: Request, run_id: str, transaction: str, who: Principal = viewer) -> DecisionView:
    return _decision(state_of(request), run_id, transaction)[1]


@router.get("/{run_id}/explanations/{transaction:path}", summary="A decision explained step by step, with the ownership paths")
def get_explanation(request: Request, run_id: str, transaction: str, who: Principal = viewer) -> Explanation:
    data, view = _decision(state_of(request), run_id, transaction)
    return Explanation(transaction=view.decision.transaction, outcome=view.decision.outcome, text=explain(view.decision),
                       parties=decision_parties(data, view))


@router.get("/{run_id}/parties", summary="The parties of a run, worst first")
def list_parties(request: Request, run_id: str, linkage: str | None = Query(None, pattern="^(linked|indeterminate|not_linked|unresolved)$"),
                 who: Principal = viewer) -> list[PartyView]:
    state = state_of(request)
    data = state.runs.data(run_or_404(state, run_id))
    return [p for p in data.parties if linkage is None or p.linkage == linkage]


@router.get("/{run_id}/parties/{ref:path}", summary="A party with its ownership and control graph and linking paths")
def get_party(request: Request, run_id: str, ref: str, as_of: date | None = None, who: Principal = viewer) -> PartyDetail:
    state = state_of(request)
    data = state.runs.data(run_or_404(state, run_id))
    party = data.party(ref)
    if party is None:
        raise NotFound(f"no party {ref!r} in this run")
    decisions = party_decisions(data, party.ref)
    days = sorted({v.decision.evaluated_on for v in decisions}, reverse=True)
    graph, _ = party_graph(state, data.assessment, party, days, as_of)
    return PartyDetail(
        party=party,
        graph=GraphOut(root=graph.root, as_of=graph.as_of, source=graph.source, truncated=graph.truncated,
                       nodes=[GraphNodeOut(id=n.id, name=n.name, linkage=n.linkage, basis=n.basis) for n in graph.nodes.values()],
                       edges=[GraphEdgeOut(holder=e.holder, held=e.held, relation=e.relation, label=e.label, certain=e.certain)
                              for e in graph.edges],
                       paths=[[n.id for n in chain] for chain in graph.path()]),
        components=[c.id for c, _ in party_components(data.assessment, party.ref)],
        decisions=[v.decision.transaction for v in decisions],
    )


@router.get("/{run_id}/components/{component_id:path}", summary="A component with its parties and classification")
def get_component(request: Request, run_id: str, component_id: str, who: Principal = viewer) -> ComponentView:
    state = state_of(request)
    found = state.runs.data(run_or_404(state, run_id)).component(component_id)
    if found is None:
        raise NotFound(f"no component {component_id!r} in this run")
    return found


@router.get("/{run_id}/deadlines", summary="Declarations due, GA reassessments and authorization windows, soonest first")
def get_deadlines(request: Request, run_id: str, who: Principal = viewer) -> list[DeadlineOut]:
    state = state_of(request)
    assessment = state.runs.assessment(run_or_404(state, run_id))
    return [DeadlineOut(due=d.due, kind=d.kind, title=d.title, detail=d.detail, cite=d.cite, transactions=list(d.transactions),
                        model_year=d.model_year, filer=d.filer) for d in deadlines(assessment)]


@router.get("/{run_id}/reports", summary="The run's reports, Declarations of Conformity and record pack")
def list_reports(request: Request, run_id: str, who: Principal = viewer) -> list[RunFileOut]:
    state = state_of(request)
    run = run_or_404(state, run_id)
    return [RunFileOut(name=f.name, size=f.size, kind=f.kind, url=f"/api/runs/{run.id}/reports/{quote(f.name)}")
            for f in state.runs.files(run)]


@router.get("/{run_id}/reports/{name:path}", summary="Download one file of a run",
            response_class=FileResponse, responses={200: {"content": {"application/octet-stream": {}}}})
def get_report(request: Request, run_id: str, name: str, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    path = state.runs.file_path(run, name)
    if path is None:
        raise NotFound(f"no file {name!r} in run {run.id[:12]}")
    return FileResponse(path, filename=path.name, content_disposition_type="attachment")
