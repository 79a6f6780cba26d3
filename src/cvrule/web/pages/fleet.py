"""The pages of an assessment run: the verdict matrix, a line and model year, a decision, a
component, a party with its ownership graph, the deadlines and the downloads."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse

from cvrule.web.auth import Principal, guard, state_of
from cvrule.web.graph import svg
from cvrule.web.render import page
from cvrule.web.services import NotFound, party_graph, run_or_404
from cvrule.web.views import (
    component_decisions,
    deadlines,
    decision_parties,
    find_decision,
    party_components,
    party_decisions,
    why_rows,
)

router = APIRouter(include_in_schema=False)
viewer = Depends(guard("viewer"))


@router.get("/")
def home(request: Request, who: Principal = viewer):
    state = state_of(request)
    if state.runs.get("latest") is None:
        return page(request, "empty.html.j2", message="No assessment has been run in this workspace yet. Upload a fleet "
                    "manifest (fleet.yaml) and its BOMs and ownership files, or run `cvrule assess`.")
    return fleet(request, "latest", who)


@router.get("/runs")
def runs(request: Request, who: Principal = viewer):
    return page(request, "runs.html.j2", runs=state_of(request).runs.runs())


@router.get("/runs/{run_id}")
def fleet(request: Request, run_id: str, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    return page(request, "matrix.html.j2", run=run, data=state.runs.data(run), runs=state.runs.runs())


@router.get("/runs/{run_id}/lines/{line}/{model_year}")
def line(request: Request, run_id: str, line: str, model_year: int, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    data = state.runs.data(run)
    group = next((g for g in data.groups if g.line == line and g.model_year == model_year), None)
    if group is None:
        raise NotFound(f"no vehicle line {line!r} with model year {model_year} in this run")
    vehicles = [v for v in data.assessment.vehicles if v.line == line and v.model_year == model_year]
    return page(request, "line.html.j2", run=run, data=data, group=group, vehicles=vehicles)


@router.get("/runs/{run_id}/decisions/{transaction:path}")
def decision(request: Request, run_id: str, transaction: str, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    data = state.runs.data(run)
    view = find_decision(data.assessment, transaction)
    if view is None:
        raise NotFound(f"no transaction {transaction!r} in this run")
    parties = decision_parties(data, view)
    linked = [p for p in parties if p.linkage in ("linked", "indeterminate")]
    components = [c for c in (data.component(i) for i in view.components) if c is not None]
    return page(request, "decision.html.j2", run=run, data=data, view=view, d=view.decision, components=components,
                linked_parties=linked, other_parties=[p for p in parties if p not in linked], why_rows=why_rows)


@router.get("/runs/{run_id}/components/{component_id:path}")
def component(request: Request, run_id: str, component_id: str, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    data = state.runs.data(run)
    found = data.component(component_id)
    if found is None:
        raise NotFound(f"no component {component_id!r} in this run")
    return page(request, "component.html.j2", run=run, data=data, c=found, roles=found.roles,
                ecu=data.component(found.ecu) if found.ecu else None,
                decisions=component_decisions(data.assessment, found.id))


@router.get("/runs/{run_id}/parties/{ref:path}")
def party(request: Request, run_id: str, ref: str, as_of: date | None = None, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    data = state.runs.data(run)
    found = data.party(ref)
    if found is None:
        raise NotFound(f"no party {ref!r} in this run")
    decisions = party_decisions(data, found.ref)
    days = sorted({v.decision.evaluated_on for v in decisions}, reverse=True)
    graph, dates = party_graph(state, data.assessment, found, days, as_of)
    return page(request, "party.html.j2", run=run, data=data, p=found, graph=graph, svg=svg(graph), dates=dates,
                chains=graph.path(), components=party_components(data.assessment, found.ref), decisions=decisions,
                why_rows=why_rows)


@router.get("/runs/{run_id}/deadlines")
def deadlines_page(request: Request, run_id: str, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    return page(request, "deadlines.html.j2", run=run, items=deadlines(state.runs.assessment(run)))


@router.get("/runs/{run_id}/downloads")
def downloads(request: Request, run_id: str, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    return page(request, "downloads.html.j2", run=run, files=state.runs.files(run))


@router.get("/runs/{run_id}/files/{name:path}")
def download(request: Request, run_id: str, name: str, who: Principal = viewer):
    state = state_of(request)
    run = run_or_404(state, run_id)
    if run_id == "latest":
        return RedirectResponse(f"/runs/{run.id}/files/{quote(name)}", status_code=307)
    path = state.runs.file_path(run, name)
    if path is None:
        raise NotFound(f"no file {name!r} in run {run.id[:12]}")
    return FileResponse(path, filename=path.name, content_disposition_type="attachment")
