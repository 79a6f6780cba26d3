"""The pages that change the workspace: the review queue, uploads, assessments and their jobs."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from cvrule.web.auth import Principal, guard, state_of
from cvrule.web.render import page
from cvrule.web.runs import inputs_folder
from cvrule.web.services import NotFound, Refused, decide_candidate, review_queue, start_assessment, start_upload

router = APIRouter(include_in_schema=False)


@router.get("/review")
def review(request: Request, who: Principal = Depends(guard("viewer"))):
    return page(request, "review.html.j2", candidates=review_queue(state_of(request)), error=None)


@router.post("/review/{candidate_id}")
def decide(request: Request, candidate_id: str, action: str = Form(""), reason: str = Form(""),
           who: Principal = Depends(guard("analyst"))):
    state = state_of(request)
    htmx = request.headers.get("hx-request") == "true"
    candidate = next((c for c in review_queue(state) if c.id == candidate_id), None)
    if candidate is None:
        raise NotFound(f"no candidate {candidate_id!r} waiting for review")
    try:
        done = decide_candidate(state, who.name, candidate_id, action, reason)
    except Refused as error:
        if htmx:
            return page(request, "review_item.html.j2", status_code=200, c=candidate, done=None, error=str(error))
        return page(request, "review.html.j2", status_code=error.status, candidates=review_queue(state), error=str(error))
    if htmx:
        return page(request, "review_item.html.j2", c=candidate, done=done, error=None)
    return RedirectResponse("/review", status_code=303)


def _inputs(request: Request) -> list[tuple[str, int, str]]:
    folder = inputs_folder(state_of(request).workspace)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            changed = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M")
            out.append((relative.as_posix(), path.stat().st_size, changed))
    return out


@router.get("/uploads")
def uploads(request: Request, who: Principal = Depends(guard("viewer"))):
    return page(request, "uploads.html.j2", jobs=state_of(request).jobs.recent(), inputs=_inputs(request), error=None)


@router.post("/uploads")
def upload(request: Request, files: list[UploadFile] | None = None, folder: str = Form(""), replace: bool = Form(False),
           assess: bool = Form(False), who: Principal = Depends(guard("analyst"))):
    state = state_of(request)
    try:
        job = start_upload(state, who.name, [(f.filename or "", f.file) for f in files or []], folder or None, replace, assess)
    except Refused as error:
        return page(request, "uploads.html.j2", status_code=error.status, jobs=state.jobs.recent(),
                    inputs=_inputs(request), error=str(error))
    if request.headers.get("hx-request") == "true":
        return page(request, "job.html.j2", status_code=202, job=job)
    return RedirectResponse("/uploads", status_code=303)


@router.post("/assess")
def assess(request: Request, who: Principal = Depends(guard("analyst"))):
    job = start_assessment(state_of(request), who.name)
    if request.headers.get("hx-request") == "true":
        return page(request, "job.html.j2", status_code=202, job=job)
    return RedirectResponse("/uploads", status_code=303)


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: str, who: Principal = Depends(guard("viewer"))):
    found = state_of(request).jobs.get(job_id)
    if found is None:
        raise NotFound(f"no job {job_id!r} (jobs are kept until the server stops)")
    if request.headers.get("hx-request") == "true":
        return page(request, "job.html.j2", job=found)
    return page(request, "uploads.html.j2", jobs=[found], inputs=_inputs(request), error=None)
