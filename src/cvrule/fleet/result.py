"""An assessment as data: every decision of a fleet with the vehicles, components and parties
behind it. Reports, Declarations of Conformity, CX-0158-1 exports and record packs are all
rendered from this one structure, and it is what a record pack keeps.

It is deterministic: the same inputs, parameters and evaluation date give the same bytes
(`to_json`); nothing in it depends on the clock or the machine.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from cvrule.ingest import collector
from cvrule.model import Decision, Outcome, ParamRef

__all__ = [
    "Assessment",
    "AuthorizationView",
    "ComponentView",
    "ConditionView",
    "DecisionView",
    "InputFile",
    "Obligation",
    "OUTCOME_ORDER",
    "PartyView",
    "FindingKind",
    "RiskFinding",
    "RoleView",
    "VehicleView",
    "matrix",
]

OUTCOME_ORDER: tuple[Outcome, ...] = (
    Outcome.prohibited, Outcome.indeterminate, Outcome.authorized, Outcome.exempt, Outcome.allowed, Outcome.out_of_scope,
)
"""Worst first: a matrix cell shows the worst outcome of its transactions."""

Linkage = Literal["linked", "indeterminate", "not_linked", "unresolved"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputFile(_Data):
    path: str
    """Relative to the assessed folder, with forward slashes."""
    sha256: str
    size: int
    format: str


class PartyView(_Data):
    """A party as the assessment saw it: its status on the evaluation date and the path that proves it."""

    ref: str
    """The nexus node (`lei:...` or `<file hash prefix>:<key>`), or `mention:<hash>` for a name no party matched."""
    name: str
    country: str | None = None
    linkage: Linkage
    basis: str | None = None
    why: list[str] = Field(default_factory=list)
    """The explanation lines of `cvrule why`, down to the parties linked on their own facts."""
    resolution: str | None = None
    """How the BOM's text was linked to this party (method, score), when it was."""


class RoleView(_Data):
    role: str
    """supplied_by | manufactured_by | developed_by | designed_by | maintained_by"""
    party: str
    """A PartyView ref."""
    written: str
    """The name as the file wrote it."""


class ComponentView(_Data):
    """A component that matters to the law (VCS hardware, software that may be covered, or
    anything with a party that is or may be linked), or a group of equivalent ones."""

    id: str
    name: str
    type: Literal["hardware", "software"]
    ecu: str | None = None
    """The root item (ECU) it belongs to."""
    source: str
    """Input path it came from."""
    location: str
    version: str | None = None
    purl: str | None = None
    count: int = 1
    """How many components of the file it stands for (a group of software the law treats alike)."""
    classification: dict[str, str] = Field(default_factory=dict)
    """What cvrule read or derived (rf, max_rf_mhz, enables, software_kind, open_source, created, ...)
    and from where, e.g. {"software_kind": "firmware (CycloneDX type firmware)"}."""
    linkage: Linkage
    roles: list[RoleView] = Field(default_factory=list)


class VehicleView(_Data):
    id: str
    line: str
    make: str
    model: str
    trim: str | None = None
    model_year: int
    manufacturer: str
    """A PartyView ref."""
    ecus: list[str] = Field(default_factory=list)
    """ComponentView ids of its root items."""
    components: int = 0
    """All components of its BOMs, relevant to the law or not."""


class DecisionView(_Data):
    decision: Decision
    line: str | None = None
    model_year: int | None = None
    vehicle: str | None = None
    item: str | None = None
    components: list[str] = Field(default_factory=list)
    """ComponentView ids whose nexus the decision turned on (linked or indeterminate)."""


class Obligation(_Data):
    """A Declaration of Conformity to file: one per filer, role and model year (791.305)."""

    filer: str
    filer_name: str
    role: str
    model_year: int | None
    due: date
    transactions: list[str]


class ConditionView(_Data):
    """Where one condition of a specific authorization stands on the monitoring day (791.307)."""

    id: str
    text: str
    cadence: str | None = None
    state: str
    """met | due | overdue | broken | no_cadence | no_start | unknown_cadence"""
    last_evidence: date | None = None
    """The last evidence on record up to the monitoring day (none: counted from the first day)."""
    due: date | None = None
    """When the next evidence is due."""
    overdue_from: date | None = None
    broken_on: date | None = None


class AuthorizationView(_Data):
    """An authorization held or relied on, as the fleet manifest records it, and its standing on
    the monitoring day."""

    id: str
    kind: Literal["specific", "general", "approved_supplier"]
    party: str
    """The holder (or the approved supplier), as a PartyView ref or manifest node."""
    party_name: str
    status: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    """A specific authorization's last valid day; the day an approved supplier leaves the list."""
    transactions: list[str] = Field(default_factory=list)
    on: date
    """The monitoring day: the evaluation date, else the latest transaction date."""
    standing: str
    """in_force | expires_soon | expired | not_yet | not_granted | conditions_overdue | condition_broken | relied_on"""
    says: str
    conditions: list[ConditionView] = Field(default_factory=list)
    reassess_by: date | None = None
    """For general authorizations: when a recorded change in circumstance must be reassessed (791.306)."""


FindingKind = Literal["operator_linked", "operator_indeterminate", "operator_unknown", "hosted_in_covered_jurisdiction",
                      "remote_access_by_linked", "remote_access_by_indeterminate", "remote_access_by_unknown",
                      "remote_access_from_covered_jurisdiction", "hosting_unknown"]


class RiskFinding(_Data):
    """A risk finding of the data-flow and remote-access register (docs/dataflows.md,
    cvrule.filings.risk): beside the legal outcome, never part of it."""

    kind: FindingKind
    severity: Literal["high", "review"]
    bom: str
    component: str | None = None
    entry: str
    """The flow's or remote access's id."""
    party: str | None = None
    party_status: str | None = None
    countries: list[str] = Field(default_factory=list)
    says: str
    why: list[str] = Field(default_factory=list)
    """The party's nexus path, as the assessment explained it."""


class Assessment(_Data):
    cvrule_assessment: Literal[1] = 1
    run_id: str
    """A hash of the inputs, the parameters and the evaluation date: the same run has the same id."""
    fleet: str
    as_of: date | None = None
    engine: str
    cvrule_version: str
    parameters_sha256: str
    inputs: list[InputFile]
    vehicles: list[VehicleView]
    decisions: list[DecisionView]
    components: list[ComponentView]
    parties: list[PartyView]
    obligations: list[Obligation]
    interpretations: list[ParamRef]
    """Every interpretation some decision relied on."""
    counts: dict[str, int] = Field(default_factory=dict)
    """components, components_relevant, by_outcome:<outcome>, ..."""
    authorizations: list[AuthorizationView] = Field(default_factory=list)
    """Authorizations the manifest records, with their conditions' standing (monitoring)."""
    findings: list[RiskFinding] = Field(default_factory=list)
    """Risk findings of the data-flow register and the BOMs' services; they change no decision."""

    def to_json(self) -> bytes:
        with collector.paused():  # millions of fresh containers and no cycles: 5x faster without it
            return orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> Assessment:
        return cls.model_validate(orjson.loads(data))


def matrix(assessment: Assessment) -> dict[str, dict[int, Outcome]]:
    """line -> model year -> the worst outcome of its transactions."""
    cells: dict[str, dict[int, Outcome]] = {}
    for view in assessment.decisions:
        if view.line is None or view.model_year is None:
            continue
        row = cells.setdefault(view.line, {})
        current = row.get(view.model_year)
        outcome = view.decision.outcome
        if current is None or OUTCOME_ORDER.index(outcome) < OUTCOME_ORDER.index(current):
            row[view.model_year] = outcome
    return cells
