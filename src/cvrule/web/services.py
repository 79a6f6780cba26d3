"""What the pages and the API do, once: the handlers of both only translate HTTP into these calls
and their results into HTML or JSON. Each change is audited under the signed-in user's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from cvrule.errors import CvruleError
from cvrule.fleet.result import Assessment, PartyView
from cvrule.store import audit
from cvrule.web.graph import Graph, graph_from_store, graph_from_why
from cvrule.web.jobs import FileResult, Job
from cvrule.web.runs import Run
from cvrule.web.state import AppState
from cvrule.web.uploads import Staged, UploadError, check_name, stage

__all__ = [
    "NotFound",
    "Refused",
    "audit_entries",
    "decide_candidate",
    "party_graph",
    "review_queue",
    "run_or_404",
    "start_assessment",
    "start_upload",
]

MAX_FILES = 200


class NotFound(CvruleError):
    """What was asked for is not there (a run, a decision, a candidate...)."""


class Refused(CvruleError):
    """A request that cannot be carried out as asked; the message says why (HTTP 400/409)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def run_or_404(state: AppState, run_id: str) -> Run:
    run = state.runs.get(run_id)
    if run is None:
        if run_id == "latest":
            raise NotFound("no assessment has been run in this workspace yet: upload a fleet manifest and its "
                           "files, or run `cvrule assess`")
        raise NotFound(f"no run {run_id!r} in this workspace")
    return run


# -- the review queue ----------------------------------------------------------------------------------

@dataclass
class Candidate:
    id: str
    purpose: str
    """link (a supplier name to a party) | screening (a party to a list entry)"""
    decision: str
    score: float
    subject: str
    subject_country: str | None
    target: str
    target_ref: str
    target_countries: list[str]
    list_name: str | None
    features: list[dict]


def review_queue(state: AppState) -> list[Candidate]:
    from cvrule.resolve import pending

    with state.store() as store:
        rows = pending(store)
    return [Candidate(r["candidate_id"], r["purpose"], r["decision"], float(r["score"]), r["subject_name"] or "",
                      r.get("subject_country"), r["target_name"] or "", r["target_ref"], list(r.get("target_countries") or []),
                      r.get("list_name"), list(r.get("features") or [])) for r in rows]


def decide_candidate(state: AppState, actor: str, candidate_id: str, action: str, reason: str | None) -> dict:
    """Confirm or reject a candidate; the judgement and its audit entry are one transaction."""
    from cvrule.resolve import ReviewError, confirm, reject

    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > 2000:
        raise Refused("a reason may have at most 2,000 characters")
    if action not in ("confirm", "reject"):
        raise Refused(f"unknown action {action!r}: expected confirm or reject")
    with state.store() as store:
        from cvrule.store.resolution import ResolutionStore

        found = ResolutionStore(store).candidate(candidate_id)
        if found is None:
            raise NotFound(f"no candidate {candidate_id!r} in the last resolution run")
        if found["status"] != "open":
            raise Refused(f"candidate {candidate_id!r} was already decided ({found['status']})", 409)
        try:
            if action == "confirm":
                row = store.retrying(lambda: confirm(store, candidate_id, actor, reason))
            else:
                row = store.retrying(lambda: reject(store, candidate_id, actor, reason or ""))
        except ReviewError as error:
            raise Refused(str(error)) from None
    return {"candidate_id": candidate_id, "action": action, "actor": actor, "judgement": row.seq,
            "subject_key": row.subject_key, "target_ref": row.target_ref, "reason": row.reason}


# -- uploads and assessments ----------------------------------------------------------------------------

def start_upload(state: AppState, actor: str, files: Iterable[tuple[str, BinaryIO]], folder: str | None,
                 replace: bool, assess: bool) -> Job:
    """Stage the uploaded files (names checked, sizes bounded) and queue the job that reads them."""
    files = list(files)
    if not files:
        raise Refused("no file was uploaded: choose one or more files")
    if len(files) > MAX_FILES:
        raise Refused(f"{len(files)} files in one upload; at most {MAX_FILES}")
    job_id = state.jobs.new_id()
    staging = state.jobs.staging(job_id)
    limit = int(state.settings.max_upload_mb * 1_000_000)
    staged: list[Staged] = []
    rejected: list[FileResult] = []
    seen: set[str] = set()
    for filename, stream in files:
        try:
            name = check_name(filename, folder)
            if name in seen:
                raise UploadError(f"{name}: given twice in this upload")
            seen.add(name)
            staged.append(stage(stream, name, staging, limit))
        except UploadError as error:
            rejected.append(FileResult(filename or "(no name)", "refused", str(error)))
    return state.jobs.submit_upload(job_id, actor, staged, rejected, replace, assess)


def start_assessment(state: AppState, actor: str) -> Job:
    return state.jobs.submit_assess(actor)


# -- the audit log ----------------------------------------------------------------------------------------

def audit_entries(state: AppState, action: str | None = None, before: int | None = None, limit: int = 100):
    """The newest `limit` entries (optionally of one action, and before a sequence number), newest first."""
    if limit <= 0:
        return []
    with state.store() as store:
        if before is None:
            found = audit.entries(store, action=action or None, last=limit)
        else:
            found = [e for e in audit.entries(store, action=action or None) if e.seq < before][-limit:]
    return list(reversed(found))


# -- a party's graph --------------------------------------------------------------------------------------

def party_graph(state: AppState, assessment: Assessment, party: PartyView, days: list[date],
                wanted: date | None = None) -> tuple[Graph, list[date]]:
    """The party's graph from the nexus evidence on `wanted` (or the first of `days`, the dates the
    decisions about it were made on, or the latest nexus run) when the store has it; otherwise from
    the explanation the assessment kept. Also returns the dates the store has a result for."""
    from cvrule.store import nexus_tables

    candidates = list(dict.fromkeys([d for d in [wanted, assessment.as_of, *days] if d is not None]))
    available: list[date] = []
    try:
        with state.store() as store:
            latest = nexus_tables.last_run(store)
            if latest is not None and latest not in candidates:
                candidates.append(latest)
            available = [d for d in candidates if nexus_tables.run_summary(store, d) is not None]
            for day in available:
                graph = graph_from_store(store, day, party.ref)
                if graph is not None:
                    return graph, sorted(available)
    except CvruleError:
        pass
    return graph_from_why(party.ref, party.name, party.linkage, party.why), sorted(available)
