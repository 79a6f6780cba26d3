"""Declaration of Conformity packages (15 CFR 791.305): one folder per filer, role and model year.

A Declaration is how connected vehicle manufacturers and VCS hardware importers tell BIS that
they have done supply chain due diligence and that no prohibited transaction has knowingly
occurred (791.300(b)). The codified text of 791.305 was not read (RULE.md section 4), so the
content of a Declaration here is the list RULE.md gives, item by item, each marked `verified`
(it rests on codified text that was read) or `interpretation` (it rests on secondary sources),
filled from the assessment where cvrule knows it and left "to be completed by the filer" where
it cannot (signature, contact, the filer's own diligence).

cvrule never drafts a conformity statement over a prohibited or indeterminate transaction:
such transactions of the filer and model year are listed first, as blocking, and the
certification item then says it cannot be made.

Each folder `declarations/<filer>-MY<year>/` holds:

    declaration.json      every content item, machine-readable
    declaration.md        the same for people
    declaration.html      the same as a standalone page
    attachments/<path>    the input HBOM/SBOM files of the vehicles and items covered,
                          copied from the evidence store under their original names
    attachments/SHA256SUMS  their SHA-256 (`sha256sum -c SHA256SUMS` checks them)

Everything is deterministic: the same assessment gives the same bytes.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import orjson
from anyascii import anyascii

from cvrule.errors import ParameterError
from cvrule.fleet.result import (
    Assessment,
    ComponentView,
    DecisionView,
    InputFile,
    Obligation,
    PartyView,
    VehicleView,
)
from cvrule.law.parameters import Law
from cvrule.model import Outcome, ParamRef, Reason
from cvrule.report.evidence import EvidenceStore

__all__ = [
    "BLOCKING_OUTCOMES",
    "CONTENT",
    "ContentSpec",
    "TO_BE_COMPLETED",
    "declaration_data",
    "declaration_folder_names",
    "slug",
    "write_declarations",
]

DECLARATION_FORMAT = 1
TO_BE_COMPLETED = "to be completed by the filer"
BLOCKING_OUTCOMES = (Outcome.prohibited, Outcome.indeterminate)
"""Outcomes a Declaration can never cover with a statement of conformity."""

Status = Literal["verified", "interpretation"]


@dataclass(frozen=True)
class ContentSpec:
    """One content item of a Declaration: what it is, where RULE.md says so, and how sure that is."""

    key: str
    title: str
    rule: str
    """Where the reference (shared/reference/RULE.md) says it, with its source tag."""
    status: Status
    filled_by: Literal["cvrule", "filer", "cvrule and filer"]


CONTENT: tuple[ContentSpec, ...] = (
    ContentSpec("purpose", "What this Declaration communicates to BIS",
                "RULE.md 1.1(b) and 4: 791.300(b) [CFR]", "verified", "cvrule"),
    ContentSpec("filer", "Filer: identity",
                "RULE.md 4, Who files: 791.300(b) [CFR]; Content: 'basic information about the company' [SEC RVIA, cut off]",
                "interpretation", "cvrule and filer"),
    ContentSpec("filer_role", "Filer: role (connected vehicle manufacturer or VCS hardware importer)",
                "RULE.md 4, Who files: 791.300(b) [CFR]", "verified", "cvrule"),
    ContentSpec("us_person", "Filer: a U.S. person",
                "RULE.md 2.4 and 4, Who files: U.S. persons [SEC BIS FAQ 2025-07-25]", "interpretation", "cvrule and filer"),
    ContentSpec("filing_channel", "Where it is filed: BIS CARS",
                "RULE.md 4, Who files: CARS [SEC BIS FAQ 2025-07-25]", "interpretation", "filer"),
    ContentSpec("period", "Model year (or calendar year) covered",
                "RULE.md 4, Timing: 'for each model or calendar year', annual [SEC RVIA, vxlabs]; UNCONFIRMED",
                "interpretation", "cvrule"),
    ContentSpec("due_date", "When it is due",
                "RULE.md 4, Timing: 'at least 60 days prior to first sale or importation' [SEC Honigman]; parameter declaration_lead_days",
                "interpretation", "cvrule"),
    ContentSpec("covered_products", "Vehicles and VCS hardware covered",
                "RULE.md 4, Timing (MY2027+ vehicles) [SEC]; make, model and trim as in 791.307(c)(3) and 791.310(c)(5)-(6) [CFR-partial]",
                "interpretation", "cvrule"),
    ContentSpec("transactions", "Transactions covered",
                "RULE.md 4, Trigger [SEC Honigman]; 791.308 exemptions and GA excuse [CFR, BIS]; parameters declaration_*",
                "interpretation", "cvrule"),
    ContentSpec("foreign_interest", "Why a Declaration is needed: the foreign interest",
                "RULE.md 2.9 and 4, Trigger: 'any foreign interest ... even if [it] does not involve the PRC or Russia' [SEC Honigman]",
                "interpretation", "cvrule"),
    ContentSpec("not_covered", "Transactions of this filer and model year that need no Declaration",
                "RULE.md 4: 791.308(a)-(c) exemptions [CFR]; general authorizations [BIS GA page]",
                "verified", "cvrule"),
    ContentSpec("due_diligence", "Supply chain due diligence conducted",
                "RULE.md 1.1(b) and 4: 791.300(b) [CFR] (that it is declared); its content: NPRM 'evidence of due diligence' [SEC]",
                "interpretation", "cvrule and filer"),
    ContentSpec("supply_chain", "Parties in the VCS hardware and covered software, and their status",
                "RULE.md 2.10 (791.301 'owned by, controlled by, or subject to the jurisdiction or direction of'), "
                "3 (791.302-.304 nexus) [CFR]; as Declaration content UNCONFIRMED",
                "interpretation", "cvrule"),
    ContentSpec("bills_of_materials", "Hardware and software bills of materials (HBOM, SBOM)",
                "RULE.md 4, Content: NPRM required an HBOM or SBOM [SEC]; 2.11 and 7.3: kept, maybe not submitted [SEC, UNCONFIRMED]",
                "interpretation", "cvrule and filer"),
    ContentSpec("third_party_assessments", "Third-party assessments and other evidence of due diligence",
                "RULE.md 4, Content: NPRM 'evidence of due diligence (e.g. third-party assessments)' [SEC]; 7.3(b) third-party assessors [CFR]",
                "interpretation", "filer"),
    ContentSpec("certification", "Certification that no prohibited transaction has knowingly occurred",
                "RULE.md 1.1(b) and 4: 791.300(b) [CFR] (its substance); exact certification language UNCONFIRMED",
                "interpretation", "cvrule and filer"),
    ContentSpec("interpretations", "Legal parameters relied on that are interpretations",
                "not a Declaration item in RULE.md 4: cvrule discloses the unverified parameters its decisions used "
                "(RULE.md, 'Legal parameters the engine holds as data', status column)", "interpretation", "cvrule"),
    ContentSpec("records", "Records kept 10 years after each transaction",
                "RULE.md 7.3: 791.312(a) [CFR]", "verified", "cvrule"),
    ContentSpec("signatory", "Signatory: name, title, signature, date",
                "RULE.md 4: 'signatory requirements are UNCONFIRMED'", "interpretation", "filer"),
    ContentSpec("contact", "Contact: name, title, telephone, email, address",
                "RULE.md 4, Content: 'basic information about the company' [SEC RVIA, cut off]; cf. 791.310(c)(1)-(2) [CFR-partial]",
                "interpretation", "filer"),
    ContentSpec("updates", "Updates when facts change",
                "RULE.md 4 and 7.5: updates on change UNCONFIRMED ('within 60 days' in one low-reliability note)",
                "interpretation", "filer"),
    ContentSpec("validity", "Validity period",
                "RULE.md 4: validity period UNCONFIRMED", "interpretation", "filer"),
    ContentSpec("false_statements", "Notice on false statements",
                "RULE.md 7.4: 18 U.S.C. 1001 (stated in the DOJ rule; for this subpart UNCONFIRMED)", "interpretation", "cvrule"),
)
"""Every content item of a Declaration, in the order it is shown."""

_CITE = "791.305"
_SAFE_PART = re.compile(r"^\w[\w .+@=(),-]*$")
"""A path part written as it is: starts with a letter or digit (no '..', no hidden file)."""


def slug(text: str, limit: int = 60) -> str:
    """A readable folder or file name part: ASCII, lower case, words joined by '-'."""
    folded = anyascii(text).lower()
    cut = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:limit].strip("-")
    return cut or "x"


def write_declarations(
    assessment: Assessment,
    workspace_evidence_dir: Path | str | EvidenceStore | None,
    out_dir: Path | str,
    *,
    law: Law | None = None,
) -> list[Path]:
    """Write one Declaration of Conformity package per obligation under `out_dir/declarations/`,
    and return the paths of the files written, in order.

    `workspace_evidence_dir` is a workspace's evidence store (`<workspace>/evidence`, every input
    kept as `<sha[:2]>/<sha>`); without it the BOMs are listed by hash but not attached. `law`
    (a `cvrule.law.Law`) is used only to read the home jurisdiction for the U.S. person check;
    by default the parameters in force are loaded and used when they are the assessment's.
    Each folder is written whole or not at all.
    """
    out = Path(out_dir) / "declarations"
    evidence = workspace_evidence_dir
    if evidence is not None and not isinstance(evidence, EvidenceStore):
        evidence = EvidenceStore(evidence)
    home = _home_jurisdiction(assessment, law)
    index = _Index(assessment)
    written: list[Path] = []
    names = declaration_folder_names(assessment)
    placed: dict[str, Path] = {}
    for obligation, name in zip(assessment.obligations, names):
        data, attachments = declaration_data(assessment, obligation, evidence is not None, home, index)
        written += _write_folder(out, name, data, attachments, evidence, placed)
    return written


def declaration_folder_names(assessment: Assessment) -> list[str]:
    """`<filer>-MY<year>` per obligation, in the assessment's order; a filer declaring in two
    roles for one model year gets the role added, so that every name is unique."""
    bases = [f"{slug(o.filer_name)}-{_period_tag(assessment, o)}" for o in assessment.obligations]
    counts = Counter(bases)
    names = [f"{base}-{slug(o.role)}" if counts[base] > 1 else base for base, o in zip(bases, assessment.obligations)]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return unique


# -- what one Declaration holds ----------------------------------------------------------------


@dataclass
class _Attachment:
    input: InputFile
    name: str
    """Path under attachments/."""


class _Index:
    """The assessment's views by key, built once for all its Declarations."""

    def __init__(self, assessment: Assessment):
        self.decisions = {view.decision.transaction: view for view in assessment.decisions}
        self.by_filer: dict[tuple, list[DecisionView]] = {}
        for view in assessment.decisions:
            key = (view.decision.responsible, view.decision.responsible_role, view.model_year)
            self.by_filer.setdefault(key, []).append(view)
        self.vehicles = {v.id: v for v in assessment.vehicles}
        self.components = {c.id: c for c in assessment.components}
        self.by_ecu: dict[str, list[ComponentView]] = {}
        for component in assessment.components:
            if component.ecu is not None:
                self.by_ecu.setdefault(component.ecu, []).append(component)
        self.parties = {p.ref: p for p in assessment.parties}
        self.inputs = {i.path: i for i in assessment.inputs}


@dataclass
class _Scope:
    """What one obligation covers, gathered from the assessment."""

    assessment: Assessment
    index: _Index
    obligation: Obligation
    covered: list[DecisionView]
    related: list[DecisionView]
    """Decisions of the same filer, role and model year outside the obligation."""
    blocking: list[DecisionView]
    vehicles: list[VehicleView]
    items: list[ComponentView]
    components: list[ComponentView]
    parties: list[PartyView]
    attachments: list[_Attachment]
    missing_sources: list[str] = field(default_factory=list)


def declaration_data(
    assessment: Assessment, obligation: Obligation, attach: bool = True, home: ParamRef | None = None,
    index: _Index | None = None,
) -> tuple[dict[str, Any], list[_Attachment]]:
    """The content of one Declaration (what declaration.json holds) and the BOMs to attach."""
    scope = _scope(assessment, obligation, index or _Index(assessment))
    values = _Values(scope, attach, home)
    items = []
    for spec in CONTENT:
        value, to_complete = getattr(values, spec.key)()
        items.append({
            "key": spec.key,
            "title": spec.title,
            "rule": spec.rule,
            "status": spec.status,
            "filled_by": spec.filled_by,
            "value": value,
            "to_be_completed_by_the_filer": to_complete,
        })
    blocked = bool(scope.blocking)
    data = {
        "cvrule_declaration": DECLARATION_FORMAT,
        "title": "Declaration of Conformity (15 CFR 791.305): draft prepared by cvrule for the filer",
        "state": "blocked" if blocked else "draft",
        "state_explained": _state_words(scope),
        "filer": obligation.filer_name,
        "role": obligation.role,
        "model_year": obligation.model_year,
        "due": obligation.due.isoformat(),
        "blocking": [_blocking_entry(scope, view) for view in scope.blocking],
        "items": items,
        "provenance": {
            "run_id": assessment.run_id,
            "fleet": assessment.fleet,
            "as_of": assessment.as_of.isoformat() if assessment.as_of else None,
            "cvrule_version": assessment.cvrule_version,
            "engine": assessment.engine,
            "parameters_sha256": assessment.parameters_sha256,
        },
    }
    return data, scope.attachments


def _scope(assessment: Assessment, obligation: Obligation, index: _Index) -> _Scope:
    covered = [index.decisions[t] for t in obligation.transactions if t in index.decisions]
    chosen = set(obligation.transactions)
    related = [
        view for view in index.by_filer.get((obligation.filer, obligation.role, obligation.model_year), [])
        if view.decision.transaction not in chosen
    ]
    blocking = [v for v in covered + related if v.decision.outcome in BLOCKING_OUTCOMES]
    blocking.sort(key=lambda v: (_OUTCOME_RANK[v.decision.outcome], v.decision.date, v.decision.transaction))

    vehicles_by_id = index.vehicles
    components_by_id = index.components
    vehicles: dict[str, VehicleView] = {}
    items: dict[str, ComponentView] = {}
    roots: set[str] = set()
    wanted: set[str] = set()
    for view in covered:
        if view.vehicle and view.vehicle in vehicles_by_id:
            vehicle = vehicles_by_id[view.vehicle]
            vehicles[vehicle.id] = vehicle
            roots.update(vehicle.ecus)
        if view.item:
            roots.add(view.item)
            if view.item in components_by_id:
                items[view.item] = components_by_id[view.item]
        wanted.update(view.components)
    chosen_components = {c.id: c for root in roots for c in index.by_ecu.get(root, [])}
    for cid in sorted(roots | wanted):
        if cid in components_by_id:
            chosen_components.setdefault(cid, components_by_id[cid])
    components = list(chosen_components.values())
    party_refs = {role.party for c in components for role in c.roles}
    parties = sorted((index.parties[r] for r in party_refs if r in index.parties),
                     key=lambda p: (_LINKAGE_RANK.get(p.linkage, 9), p.name, p.ref))

    inputs_by_path = index.inputs
    sources = sorted({c.source for c in components})
    chosen_inputs = [inputs_by_path[s] for s in sources if s in inputs_by_path]
    missing = [s for s in sources if s not in inputs_by_path]
    return _Scope(
        assessment, index, obligation, covered, related, blocking,
        sorted(vehicles.values(), key=lambda v: (v.line, v.model_year, v.id)),
        sorted(items.values(), key=lambda c: c.id),
        sorted(components, key=lambda c: (c.ecu or c.id, c.id)),
        parties, _attachment_names(chosen_inputs), missing,
    )


def _attachment_names(inputs: list[InputFile]) -> list[_Attachment]:
    """Each input under its original relative path; a path that is not safe to write (or that
    two inputs share) falls back to `<sha256 prefix>-<file name>`."""
    found: list[_Attachment] = []
    taken: set[str] = set()
    for entry in sorted(inputs, key=lambda i: (i.path, i.sha256)):
        parts = entry.path.replace("\\", "/").split("/")
        name = "/".join(parts)
        if not all(_SAFE_PART.match(part) for part in parts) or name.lower() in taken or name == "SHA256SUMS":
            base = re.sub(r"[^\w.+@=-]+", "_", parts[-1]).lstrip(".") or "input"
            name = f"{entry.sha256[:12]}-{base}"
        taken.add(name.lower())
        found.append(_Attachment(entry, name))
    return found


_OUTCOME_RANK = {outcome: rank for rank, outcome in enumerate(
    (Outcome.prohibited, Outcome.indeterminate, Outcome.authorized, Outcome.exempt, Outcome.allowed, Outcome.out_of_scope))}
_LINKAGE_RANK = {"linked": 0, "indeterminate": 1, "unresolved": 2, "not_linked": 3}


def _state_words(scope: _Scope) -> str:
    if scope.blocking:
        counts = Counter(v.decision.outcome.value for v in scope.blocking)
        what = " and ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items(), key=lambda kv: _OUTCOME_RANK[Outcome(kv[0])]))
        return (
            f"NOT READY TO FILE. {what} transaction(s) of this filer and model year: a Declaration of Conformity "
            "cannot state that no prohibited transaction has knowingly occurred while any of them stands. Resolve "
            "each one first (change the supply chain, obtain an authorization under 791.306-791.307, establish the "
            "missing facts, or ask BIS for an advisory opinion under 791.310), then assess again."
        )
    return (
        "Draft for the filer: cvrule found no prohibited or indeterminate transaction of this filer and model year. "
        f"The items marked '{TO_BE_COMPLETED}' must be completed, and the whole checked by the filer, before filing."
    )


def _blocking_entry(scope: _Scope, view: DecisionView) -> dict[str, Any]:
    decision = view.decision
    components = scope.index.components
    parties = scope.index.parties
    involved = []
    for cid in view.components:
        component = components.get(cid)
        if component is None:
            continue
        involved.append({
            "component": component.name,
            "source": component.source,
            "linkage": component.linkage,
            "parties": [
                f"{role.role.replace('_', ' ')}: {parties[role.party].name if role.party in parties else role.written} "
                f"({parties[role.party].linkage if role.party in parties else 'unresolved'})"
                for role in component.roles
            ],
        })
    return {
        "transaction": decision.transaction,
        "kind": decision.kind,
        "date": decision.date.isoformat(),
        "outcome": decision.outcome.value,
        "subject": _subject(scope.index, view),
        "summary": decision.because.says,
        "cites": decision.cites,
        "missing_facts": [{"fact": m.fact, "question": m.question} for m in decision.missing_facts],
        "components": involved,
        "in_this_declaration": decision.transaction in scope.obligation.transactions,
    }


def _subject(index: _Index, view: DecisionView) -> str:
    if view.vehicle:
        vehicle = index.vehicles.get(view.vehicle)
        return _vehicle_name(vehicle) if vehicle else view.vehicle
    if view.item:
        component = index.components.get(view.item)
        if component is None:
            return view.item
        return component.name + (f" {component.version}" if component.version else "")
    return view.decision.transaction


def _vehicle_name(vehicle: VehicleView) -> str:
    trim = f" {vehicle.trim}" if vehicle.trim else ""
    return f"{vehicle.make} {vehicle.model}{trim}, model year {vehicle.model_year}"


def _steps(reason: Reason, cite: str) -> list[str]:
    return [step.says for step in reason.walk() if step.cite == cite]


def _param(views: Iterable[DecisionView], name: str) -> ParamRef | None:
    for view in views:
        for step in view.decision.because.walk():
            for param in step.parameters:
                if param.name == name:
                    return param
    return None


class _Values:
    """The value of each content item (and what the filer must add), one method per CONTENT key."""

    def __init__(self, scope: _Scope, attach: bool, home: ParamRef | None):
        self.scope = scope
        self.attach = attach
        self.home = home
        self.obligation = scope.obligation
        self.filer_party = scope.index.parties.get(scope.obligation.filer)

    def purpose(self):
        return ("The filer tells BIS that it has conducted supply chain due diligence and that no prohibited "
                "transaction (15 CFR 791.302-791.304) has knowingly occurred (15 CFR 791.300(b)).", [])

    def filer(self):
        party = self.filer_party
        value = {
            "name": self.obligation.filer_name,
            "cvrule_party": self.obligation.filer,
            "country": party.country if party else None,
            "status": party.linkage if party else None,
        }
        return value, ["legal name as registered", "address", "corporate identifiers (e.g. EIN, DUNS, LEI)", "CARS account"]

    def filer_role(self):
        return self.obligation.role, []

    def us_person(self):
        country = self.filer_party.country if self.filer_party else None
        if self.home is None or country is None:
            words = (f"the assessment records the filer's country as {country}" if country
                     else "the assessment does not record the filer's country")
            return {"check": words, "home_jurisdiction": None}, ["confirm that the filer is a U.S. person"]
        if country == self.home.value:
            return {"check": f"the filer is organized in {country} according to the assessment",
                    "home_jurisdiction": self.home.model_dump(mode="json")}, ["confirm that the filer is a U.S. person"]
        return {
            "check": (f"WARNING: the filer's country is {country}, not {self.home.value}: Declarations are filed by U.S. "
                      "persons; a foreign entity's US subsidiary should register in CARS and file"),
            "home_jurisdiction": self.home.model_dump(mode="json"),
        }, ["name the U.S. person that files"]

    def filing_channel(self):
        return "BIS Compliance Application and Reporting System (CARS)", ["CARS registration of the filer"]

    def period(self):
        year = self.obligation.model_year
        if year is not None:
            return {"model_year": year}, []
        calendar = sorted({v.decision.date.year for v in self.scope.covered})
        return {"model_year": None, "calendar_years": calendar,
                "note": "hardware not associated with a model year: grouped by the calendar year of import"}, []

    def due_date(self):
        lead = _param(self.scope.covered, "declaration_lead_days")
        first = min((v.decision.date for v in self.scope.covered), default=None)
        return {
            "due": self.obligation.due.isoformat(),
            "first_import_or_sale": first.isoformat() if first else None,
            "lead_days": lead.value if lead else None,
            "parameter": lead.model_dump(mode="json") if lead else None,
        }, []

    def covered_products(self):
        vehicles = [{
            "vehicle": v.id, "line": v.line, "make": v.make, "model": v.model, "trim": v.trim,
            "model_year": v.model_year, "components": v.components,
            "ecus": [self._component_name(e) for e in v.ecus],
        } for v in self.scope.vehicles]
        hardware = [{
            "item": c.id, "name": c.name, "version": c.version, "purl": c.purl, "source": c.source,
        } for c in self.scope.items]
        to_complete = ["trim levels" for v in self.scope.vehicles if v.trim is None][:1]
        return {"vehicles": vehicles, "vcs_hardware": hardware}, to_complete

    def _component_name(self, component_id: str) -> str:
        component = self.scope.index.components.get(component_id)
        return component.name if component else component_id

    def transactions(self):
        rows = []
        for view in self.scope.covered:
            decision = view.decision
            rows.append({
                "transaction": decision.transaction,
                "kind": decision.kind,
                "date": decision.date.isoformat(),
                "subject": _subject(self.scope.index, view),
                "outcome": decision.outcome.value,
                "blocking": decision.outcome in BLOCKING_OUTCOMES,
                "cites": decision.cites,
                "authorization": [step.says for step in decision.because.walk()
                                  if decision.outcome is Outcome.authorized and step.holds is True
                                  and (step.cite or "").startswith(("791.306", "791.307"))],
                "records_until": decision.records_until.isoformat() if decision.records_until else None,
            })
        return rows, []

    def foreign_interest(self):
        rows = []
        for view in self.scope.covered:
            lines = _steps(view.decision.because, _CITE)
            rows.append({"transaction": view.decision.transaction, "because": lines})
        return rows, []

    def not_covered(self):
        rows = []
        for view in self.scope.related:
            if view.decision.outcome in BLOCKING_OUTCOMES:
                continue
            lines = _steps(view.decision.because, _CITE)
            rows.append({
                "transaction": view.decision.transaction,
                "date": view.decision.date.isoformat(),
                "outcome": view.decision.outcome.value,
                "because": lines[0] if lines else view.decision.because.says,
                "cites": view.decision.cites,
            })
        return rows, []

    def due_diligence(self):
        scope = self.scope
        linkages = Counter(p.linkage for p in scope.parties)
        day = scope.assessment.as_of.isoformat() if scope.assessment.as_of else "each transaction's date"
        value = {
            "by_cvrule": (
                "Every component of the bills of materials listed below was traced to the parties that designed, "
                "developed, manufactured, supplied or maintain it, and every such party through its ownership and "
                "control chain to the PRC (with Hong Kong and Macau) or Russia (15 CFR 791.301), as of "
                f"{day}; each transaction was then decided under 15 CFR 791.302-791.308."
            ),
            "run_id": scope.assessment.run_id,
            "cvrule_version": scope.assessment.cvrule_version,
            "inputs": len(scope.assessment.inputs),
            "bills_of_materials": len(scope.attachments) + len(scope.missing_sources),
            "components_in_vehicles": sum(v.components for v in scope.vehicles),
            "components_relevant": len(scope.components),
            "parties": {k: linkages.get(k, 0) for k in ("linked", "indeterminate", "unresolved", "not_linked")},
        }
        return value, [
            "the filer's own diligence: supplier questionnaires and certifications, contract clauses, audits, "
            "screening of new suppliers, and how changes of ownership are monitored",
        ]

    def supply_chain(self):
        components_of: dict[str, list[str]] = {}
        for component in self.scope.components:
            for role in component.roles:
                components_of.setdefault(role.party, []).append(f"{component.name} ({role.role.replace('_', ' ')})")
        rows = [{
            "party": p.name, "ref": p.ref, "country": p.country, "status": p.linkage, "basis": p.basis,
            "why": p.why, "resolution": p.resolution,
            "roles": sorted(set(components_of.get(p.ref, []))),
        } for p in self.scope.parties]
        return rows, []

    def bills_of_materials(self):
        rows = [{
            "file": f"attachments/{a.name}" if self.attach else None,
            "input": a.input.path,
            "format": a.input.format,
            "sha256": a.input.sha256,
            "size": a.input.size,
            "attached": self.attach,
        } for a in self.scope.attachments]
        rows += [{"file": None, "input": s, "format": None, "sha256": None, "size": None, "attached": False}
                 for s in self.scope.missing_sources]
        to_complete = []
        if not self.attach and rows:
            to_complete.append("attach the BOM files listed (no evidence store was given to cvrule)")
        if self.scope.missing_sources:
            to_complete.append("attach the BOMs whose files are not among the assessment's inputs")
        return rows, to_complete

    def third_party_assessments(self):
        return None, ["third-party assessments or audits relied on, with their reports (kept under 791.312)"]

    def certification(self):
        if self.scope.blocking:
            ids = ", ".join(v.decision.transaction for v in self.scope.blocking)
            return {
                "statement": None,
                "cannot_be_made": (f"cvrule does not draft a certification: transactions {ids} are prohibited or "
                                   "indeterminate (see 'blocking')"),
            }, []
        return {
            "statement": (
                f"{self.obligation.filer_name}, as {self.obligation.role}, declares that it has conducted supply chain "
                "due diligence for the transactions listed in this Declaration and that, to its knowledge, no "
                "transaction prohibited by 15 CFR 791.302 through 791.304 has knowingly occurred."
            ),
            "wording": "draft: the codified certification language of 791.305 was not read",
        }, ["check the wording against 15 CFR 791.305 and the CARS form"]

    def interpretations(self):
        found: dict[str, ParamRef] = {}
        for view in self.scope.covered:
            for param in view.decision.interpretations:
                found.setdefault(param.name, param)
        return [found[name].model_dump(mode="json") for name in sorted(found)], []

    def records(self):
        rows = [{"transaction": v.decision.transaction, "keep_until": v.decision.records_until.isoformat()}
                for v in self.scope.covered if v.decision.records_until]
        return {
            "what": ("all primary business records of each transaction: contracts, import records, commercial invoices, "
                     "bills of sale, corporate policy documentation, third-party compliance reports (791.312(a))"),
            "until": rows,
            "record_pack": "cvrule's record pack keeps the inputs, parameters and assessment of this run",
        }, []

    def signatory(self):
        return None, ["name", "title", "signature", "date"]

    def contact(self):
        return None, ["name", "title", "telephone", "email", "street address, city, state, country, postal code"]

    def updates(self):
        return ("cvrule cannot tell whether or when an update is due: 791.305 was not read. Assess again whenever a "
                "supplier, an ownership fact or a BOM changes."), ["the update duty and deadline under 791.305"]

    def validity(self):
        return None, ["the validity period under 791.305"]

    def false_statements(self):
        return ("A false statement in a Declaration may be a federal offence (18 U.S.C. 1001); penalties under IEEPA "
                "apply to violations of subpart D (791.316-791.320)."), []


def _period_tag(assessment: Assessment, obligation: Obligation) -> str:
    if obligation.model_year is not None:
        return f"MY{obligation.model_year}"
    dates = [v.decision.date for v in assessment.decisions if v.decision.transaction in set(obligation.transactions)]
    years = sorted({d.year for d in dates})
    return f"CY{years[0]}" if len(years) == 1 else "no-model-year"


def _home_jurisdiction(assessment: Assessment, law: Law | None) -> ParamRef | None:
    """The home jurisdiction parameter in force, when the parameters are the assessment's."""
    try:
        if law is None:
            law = Law.load()
        if law.digest != assessment.parameters_sha256:
            return None
        day = assessment.as_of or max((v.decision.evaluated_on for v in assessment.decisions), default=None)
        if day is None:
            return None
        param = law.edition(day).param("home_jurisdiction")
    except ParameterError:
        return None
    return ParamRef(name=param.name, value=param.value, cite=param.cite, status=param.status.value,
                    effective=param.effective, source=param.source)


# -- writing -------------------------------------------------------------------------------------


def _dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def _write_folder(out: Path, name: str, data: dict[str, Any], attachments: list[_Attachment],
                  evidence: EvidenceStore | None, placed: dict[str, Path]) -> list[Path]:
    """Write one package folder whole or not at all. `placed`: sha256 -> an attachment already
    written under `out` with that content; a package attaching the same input again gets a
    hard link to it instead of another copy (a fleet's packages share most of their BOMs)."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out, prefix=f".{name}.incoming-"))
    try:
        files: dict[str, bytes] = {
            "declaration.json": _dumps(data),
            "declaration.md": render_markdown(data).encode(),
            "declaration.html": render_html(data).encode(),
        }
        for relative, content in files.items():
            (staging / relative).write_bytes(content)
        sums = []
        here: dict[str, Path] = {}
        if evidence is not None:
            for attachment in attachments:
                target = staging / "attachments" / attachment.name
                sha = attachment.input.sha256
                if not _link(here.get(sha) or placed.get(sha), target):
                    _copy_evidence(evidence, attachment.input, target)
                    here[sha] = target
                sums.append(f"{sha}  {attachment.name}\n")
        if sums:
            (staging / "attachments" / "SHA256SUMS").write_text("".join(sums), encoding="utf-8")
        final = out / name
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for sha, target in here.items():
        placed[sha] = final / target.relative_to(staging)
    return sorted(p for p in final.rglob("*") if p.is_file())


def _link(existing: Path | None, target: Path) -> bool:
    """Hard-link `target` to an attachment written earlier in this run; False when there is none
    or the file system cannot (then the caller copies)."""
    if existing is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(existing, target)
    except OSError:
        return False
    return True


def _copy_evidence(evidence: EvidenceStore, entry: InputFile, target: Path) -> None:
    """Copy an input from the evidence store, checking that it still hashes to its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    evidence.copy_to(entry.sha256, target,
                     missing=f"input {entry.path} (sha256 {entry.sha256}) is not in the evidence store",
                     altered=f"does not hash to its name (input {entry.path}): the evidence store was altered")


# -- rendering -------------------------------------------------------------------------------------


def render_markdown(data: dict[str, Any]) -> str:
    """declaration.md: the banner, the blocking transactions, then every content item."""
    year = data["model_year"] if data["model_year"] is not None else "(no model year)"
    lines = [
        f"# {data['title']}",
        "",
        f"**Filer:** {_md(data['filer'])} ({_md(data['role'])})  ",
        f"**Model year:** {year}  ",
        f"**Due:** {data['due']}  ",
        f"**State:** {data['state'].upper()}",
        "",
        f"> {_md(data['state_explained'])}",
        "",
    ]
    if data["blocking"]:
        lines += ["## Blocking transactions", "",
                  "| transaction | outcome | date | subject | cites |", "|---|---|---|---|---|"]
        for entry in data["blocking"]:
            lines.append(f"| {_cell(entry['transaction'])} | **{entry['outcome'].upper()}** | {entry['date']} | "
                         f"{_cell(entry['subject'])} | {_cell(', '.join(entry['cites']))} |")
        lines.append("")
        for entry in data["blocking"]:
            lines += [f"### {_md(entry['transaction'])}: {entry['outcome']}", "", _md(entry["summary"]), ""]
            for gap in entry["missing_facts"]:
                lines.append(f"- missing: `{gap['fact']}`: {_md(gap['question'])}")
            for component in entry["components"]:
                lines.append(f"- {_md(component['component'])} ({component['linkage']}; {_md(component['source'])}): "
                             + "; ".join(_md(p) for p in component["parties"]))
            lines.append("")
    lines += ["## Content", "",
              "Each item names where the reference (RULE.md) says a Declaration holds it, and whether that rests on "
              "codified text that was read (verified) or on secondary sources (interpretation).", ""]
    for number, item in enumerate(data["items"], 1):
        lines += [f"### {number}. {_md(item['title'])}", "",
                  f"*{item['status']}*; source: {_md(item['rule'])}; filled by: {item['filled_by']}", ""]
        if item["value"] is not None:
            lines += _md_value(item["value"], 0)
            lines.append("")
        for todo in item["to_be_completed_by_the_filer"]:
            lines.append(f"- [ ] **{TO_BE_COMPLETED}:** {_md(todo)}")
        if item["to_be_completed_by_the_filer"]:
            lines.append("")
    provenance = data["provenance"]
    lines += ["---", "",
              f"Prepared by cvrule {_md(provenance['cvrule_version'])}, run `{provenance['run_id']}`, fleet "
              f"{_md(provenance['fleet'])}, parameters sha256 `{provenance['parameters_sha256']}`.", ""]
    return "\n".join(lines)


def _md(text: Any) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", str(text)).replace("\n", " ")


def _cell(text: Any) -> str:
    return _md(text)


def _md_value(value: Any, depth: int) -> list[str]:
    pad = "  " * depth
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}- **{_md(key)}**:")
                lines += _md_value(item, depth + 1)
            elif isinstance(item, (dict, list)):
                lines.append(f"{pad}- **{_md(key)}**: (none)")
            else:
                lines.append(f"{pad}- **{_md(key)}**: {_md(_scalar(item))}")
        return lines
    if isinstance(value, list):
        if not value:
            return [f"{pad}- (none)"]
        lines = []
        for item in value:
            if isinstance(item, dict):
                sub = _md_value(item, depth + 1)
                first = sub[0].lstrip()
                lines.append(f"{pad}- {first[2:]}" if first.startswith("- ") else f"{pad}- {first}")
                lines += sub[1:]
            else:
                lines.append(f"{pad}- {_md(_scalar(item))}")
        return lines
    return [f"{pad}{_md(_scalar(value))}"]


def _scalar(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render_html(data: dict[str, Any]) -> str:
    """declaration.html: a standalone page with the same content as declaration.md."""
    e = html.escape
    year = data["model_year"] if data["model_year"] is not None else "(no model year)"
    blocked = data["state"] == "blocked"
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{e(data['title'])}: {e(data['filer'])} {e(str(year))}</title>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
        ".banner{padding:1em;border:2px solid;border-radius:4px}.blocked{border-color:#b00020;background:#fde7ea}"
        ".draft{border-color:#666;background:#f4f4f4}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.2em .5em;text-align:left}.status{font-style:italic;color:#444}.todo{color:#8a4b00}</style>",
        "</head>", "<body>",
        f"<h1>{e(data['title'])}</h1>",
        f"<p><b>Filer:</b> {e(data['filer'])} ({e(data['role'])})<br><b>Model year:</b> {e(str(year))}<br>"
        f"<b>Due:</b> {e(data['due'])}<br><b>State:</b> {e(data['state'].upper())}</p>",
        f'<p class="banner {"blocked" if blocked else "draft"}" role="{"alert" if blocked else "note"}">'
        f"{e(data['state_explained'])}</p>",
    ]
    if data["blocking"]:
        parts += ["<h2>Blocking transactions</h2>", "<table><tr><th>transaction</th><th>outcome</th><th>date</th>"
                  "<th>subject</th><th>cites</th><th>why</th></tr>"]
        for entry in data["blocking"]:
            gaps = "".join(f"<br>missing: <code>{e(g['fact'])}</code>: {e(g['question'])}" for g in entry["missing_facts"])
            parts.append(f"<tr><td>{e(entry['transaction'])}</td><td><b>{e(entry['outcome'].upper())}</b></td>"
                         f"<td>{e(entry['date'])}</td><td>{e(entry['subject'])}</td><td>{e(', '.join(entry['cites']))}</td>"
                         f"<td>{e(entry['summary'])}{gaps}</td></tr>")
        parts.append("</table>")
    parts.append("<h2>Content</h2>")
    for number, item in enumerate(data["items"], 1):
        parts += [f"<h3>{number}. {e(item['title'])}</h3>",
                  f'<p class="status">{e(item["status"])}; source: {e(item["rule"])}; filled by: {e(item["filled_by"])}</p>']
        if item["value"] is not None:
            parts.append(_html_value(item["value"]))
        if item["to_be_completed_by_the_filer"]:
            parts.append('<ul class="todo">' + "".join(
                f"<li><b>{e(TO_BE_COMPLETED)}:</b> {e(t)}</li>" for t in item["to_be_completed_by_the_filer"]) + "</ul>")
    provenance = data["provenance"]
    parts += [f"<hr><p>Prepared by cvrule {e(provenance['cvrule_version'])}, run <code>{e(provenance['run_id'])}</code>, "
              f"fleet {e(provenance['fleet'])}, parameters sha256 <code>{e(provenance['parameters_sha256'])}</code>.</p>",
              "</body>", "</html>", ""]
    return "\n".join(parts)


def _html_value(value: Any) -> str:
    e = html.escape
    if isinstance(value, dict):
        return "<ul>" + "".join(f"<li><b>{e(str(k))}</b>: {_html_value(v)}</li>" for k, v in value.items()) + "</ul>"
    if isinstance(value, list):
        if not value:
            return "(none)"
        return "<ul>" + "".join(f"<li>{_html_value(v)}</li>" for v in value) + "</ul>"
    return e(_scalar(value))
