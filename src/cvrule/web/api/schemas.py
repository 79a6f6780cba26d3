"""The shapes of the API's answers (beside the assessment's own models, which it returns as they are)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from cvrule.fleet.result import PartyView
from cvrule.model import Outcome

__all__ = [
    "AuditEntryOut",
    "CandidateOut",
    "DeadlineOut",
    "DecisionSummary",
    "Explanation",
    "GraphEdgeOut",
    "GraphNodeOut",
    "GraphOut",
    "JobFileOut",
    "JobOut",
    "JudgementOut",
    "MatrixRowOut",
    "Me",
    "PartyDetail",
    "ReasonIn",
    "RunDetail",
    "RunFileOut",
    "RunSummary",
]


class Me(BaseModel):
    name: str
    role: Literal["viewer", "analyst", "admin"]
    via: Literal["session", "token"]


class RunSummary(BaseModel):
    id: str
    modified: datetime
    fleet: str
    as_of: date | None
    decisions: int
    counts: dict[str, int]


class MatrixRowOut(BaseModel):
    line: str
    title: str
    cells: dict[str, Outcome] = Field(description="model year -> the worst outcome of its transactions")


class RunDetail(RunSummary):
    engine: str
    cvrule_version: str
    parameters_sha256: str
    inputs: int
    outcomes: dict[str, int]
    matrix: list[MatrixRowOut]


class DecisionSummary(BaseModel):
    transaction: str
    kind: str
    actor: str
    date: date
    outcome: Outcome
    declaration_required: bool
    declaration_due: date | None
    responsible_name: str | None
    cites: list[str]
    line: str | None
    model_year: int | None


class Explanation(BaseModel):
    transaction: str
    outcome: Outcome
    text: str = Field(description="The decision step by step, with the CFR paragraph of every step")
    parties: list[PartyView] = Field(description="The parties it turned on, with the path that links each")


class GraphNodeOut(BaseModel):
    id: str
    name: str
    linkage: str
    basis: str | None


class GraphEdgeOut(BaseModel):
    holder: str
    held: str
    relation: str
    label: str
    certain: bool


class GraphOut(BaseModel):
    root: str
    as_of: date | None
    source: Literal["nexus", "explanation"]
    truncated: bool
    nodes: list[GraphNodeOut]
    edges: list[GraphEdgeOut]
    paths: list[list[str]] = Field(description="Each chain of party ids from this party up to one linked on its own facts")


class PartyDetail(BaseModel):
    party: PartyView
    graph: GraphOut
    components: list[str]
    decisions: list[str]


class DeadlineOut(BaseModel):
    due: date
    kind: str
    title: str
    detail: str
    cite: str
    transactions: list[str]
    model_year: int | None
    filer: str | None


class RunFileOut(BaseModel):
    name: str
    size: int
    kind: str
    url: str


class CandidateOut(BaseModel):
    id: str
    purpose: str
    decision: str
    score: float
    subject: str
    subject_country: str | None
    target: str
    target_ref: str
    target_countries: list[str]
    list_name: str | None
    features: list[dict[str, Any]]


class ReasonIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000, description="Why (kept in the audit log; needed to reject)")


class JudgementOut(BaseModel):
    candidate_id: str
    action: Literal["confirm", "reject"]
    actor: str
    judgement: int
    subject_key: str | None
    target_ref: str
    reason: str | None


class JobFileOut(BaseModel):
    name: str
    outcome: str
    message: str | None
    format: str | None
    facts: int


class JobOut(BaseModel):
    id: str
    kind: Literal["upload", "assess"]
    actor: str
    state: Literal["queued", "running", "succeeded", "failed"]
    stage: str
    done: int
    total: int
    run_id: str | None
    error: str | None
    created: str
    finished: str | None
    files: list[JobFileOut]


class AuditEntryOut(BaseModel):
    seq: int
    logged_at: str
    actor: str
    action: str
    subject: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str
