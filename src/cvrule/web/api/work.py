"""`/api/me`, `/api/review`, `/api/ingest`, `/api/assess`, `/api/jobs`, `/api/audit`: who one is,
and the changes (analysts), each audited under the caller's name."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile

from cvrule.web.api.schemas import AuditEntryOut, CandidateOut, JobOut, JudgementOut, Me, ReasonIn
from cvrule.web.auth import Principal, guard, state_of
from cvrule.web.jobs import Job
from cvrule.web.services import NotFound, audit_entries, decide_candidate, review_queue, start_assessment, start_upload

router = APIRouter()
WAIT_SECONDS = 600.0


@router.get("/me", tags=["account"], summary="Who the caller is")
def me(who: Principal = Depends(guard("viewer"))) -> Me:
    return Me(name=who.name, role=who.role, via=who.via)


@router.get("/review", tags=["review"], summary="The candidates waiting for an analyst")
def list_review(request: Request, who: Principal = Depends(guard("viewer"))) -> list[CandidateOut]:
    return [CandidateOut(**vars(c)) for c in review_queue(state_of(request))]


@router.post("/review/{candidate_id}/confirm", tags=["review"], summary="Confirm a candidate link (analyst)")
def confirm(request: Request, candidate_id: str, body: ReasonIn | None = None,
            who: Principal = Depends(guard("analyst"))) -> JudgementOut:
    return JudgementOut(**decide_candidate(state_of(request), who.name, candidate_id, "confirm", body.reason if body else None))


@router.post("/review/{candidate_id}/reject", tags=["review"], summary="Reject a candidate link, with a reason (analyst)")
def reject(request: Request, candidate_id: str, body: ReasonIn, who: Principal = Depends(guard("analyst"))) -> JudgementOut:
    return JudgementOut(**decide_candidate(state_of(request), who.name, candidate_id, "reject", body.reason))


def _job(job: Job, response: Response, poll: bool = False) -> JobOut:
    response.status_code = 200 if job.over or poll else 202
    if not job.over and not poll:
        response.headers["Location"] = f"/api/jobs/{job.id}"
    return JobOut(**job.as_json())


@router.post("/ingest", tags=["work"], status_code=202, summary="Upload input files, read them and assess again (analyst)",
             description="Each file is kept in the workspace's inputs folder under its name (in `folder` when given); "
                         "one that cannot be read is not kept, and the job names the file, the place in it and what "
                         "was expected. A different file of a name already there is refused unless `replace`. "
                         "Answers 202 with the job to follow at /api/jobs/{id}, or 200 with the finished job when `wait`.")
def ingest(request: Request, response: Response, files: list[UploadFile] = File(...), folder: str | None = Form(None),
           replace: bool = Form(False), assess: bool = Form(True), wait: bool = Query(False),
           who: Principal = Depends(guard("analyst"))) -> JobOut:
    state = state_of(request)
    job = start_upload(state, who.name, [(f.filename or "", f.file) for f in files], folder, replace, assess)
    if wait:
        state.jobs.wait(job, WAIT_SECONDS)
    return _job(job, response)


@router.post("/assess", tags=["work"], status_code=202, summary="Assess the workspace's inputs again (analyst)")
def assess(request: Request, response: Response, wait: bool = Query(False),
           who: Principal = Depends(guard("analyst"))) -> JobOut:
    state = state_of(request)
    job = start_assessment(state, who.name)
    if wait:
        state.jobs.wait(job, WAIT_SECONDS)
    return _job(job, response)


@router.get("/jobs/{job_id}", tags=["work"], summary="An upload or assessment job: its stage, progress and per-file results")
def get_job(request: Request, response: Response, job_id: str, who: Principal = Depends(guard("viewer"))) -> JobOut:
    found = state_of(request).jobs.get(job_id)
    if found is None:
        raise NotFound(f"no job {job_id!r} (jobs are kept until the server stops)")
    return _job(found, response, poll=True)


@router.get("/audit", tags=["audit"], summary="The audit log, newest first (analyst)")
def get_audit(request: Request, action: str | None = Query(None, max_length=100), before: int | None = Query(None, ge=1),
              limit: int = Query(100, ge=1, le=1000), who: Principal = Depends(guard("analyst"))) -> list[AuditEntryOut]:
    return [AuditEntryOut(**e.as_json()) for e in audit_entries(state_of(request), action, before, limit)]
