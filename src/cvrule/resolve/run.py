"""A resolution run over a workspace: link every role mention, screen what was named, store it all.

1. Read the judgements in force, the parties (plus analyst aliases), the list entries and the
   role mentions.
2. A mention whose file links it to a party of the same file is linked to it (method `file`),
   unless the file is a bill of materials (`subjects.is_bom_format`): a BOM's own party record
   (a CycloneDX supplier with a `bom-ref`, an SPDX 3 or CX-0158-1 agent) is not an ownership
   party and is never a target; it lends the mention its identifiers and country instead.
3. Every other distinct mention (same name, country and identifiers) is matched once against
   the parties of ownership data, registers and case files: identifiers first, then names; the
   outcome is `linked`, `review` or `unresolved`, with the reason. Mentions are handled as a set
   in the database (`ResolutionStore.mention_forms`): only the distinct forms they are written in
   come to Python, and each mention's result is written by joining it to its form's outcome.
   Subjects that differ only in what no target can meet (a domain no party has, as many package
   namespaces give) are matched once, each getting the outcome under its own key (`match_all`).
4. Screening: every distinct mention and every party a mention was linked to is matched against
   the list entries; candidates scoring at least `screening_threshold` are risk flags.
5. The run's results replace the previous run's, in one transaction.
"""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import orjson

from cvrule.resolve.identifiers import purl_hints
from cvrule.resolve.matcher import Judgements, Matcher, Outcome, match_all
from cvrule.resolve.model import Candidate, Query, Target
from cvrule.resolve.settings import ResolveSettings
from cvrule.resolve.subjects import is_bom_format, list_target, mention_query, party_hints, party_query, party_target
from cvrule.store import Store
from cvrule.store.resolution import MentionOutcome, ResolutionStore

__all__ = ["RunReport", "current_actor", "load_matchers", "resolve_store"]

KEEP_CANDIDATES = 3
"""Candidates stored per subject (with decision `none` too, to explain what was not linked)."""


def current_actor() -> str:
    """Who is acting: CVRULE_USER, or the operating-system user."""
    try:
        return os.environ.get("CVRULE_USER") or getpass.getuser()
    except Exception:  # no user name available (some containers)
        return "unknown"


@dataclass
class RunReport:
    run_id: str
    counts: dict[str, int] = field(default_factory=dict)
    """mentions, linked_file, linked_identifier, linked_name, linked_analyst, review, unresolved,
    screening_flags, subjects, parties, list_entries."""
    flags: list[dict] = field(default_factory=list)
    seconds: float = 0.0


def load_matchers(store: Store, settings: ResolveSettings) -> tuple[Matcher, Matcher, Judgements]:
    """The party matcher and the screening-list matcher over a workspace, judgements applied."""
    party_matcher, list_matcher, judgements, _ = _load(store, settings)
    return party_matcher, list_matcher, judgements


def _bom_sources(store: Store) -> set[str]:
    return {row["source_id"] for row in store.rows("sources") if is_bom_format(row["format"])}


def _load(store: Store, settings: ResolveSettings) -> tuple[Matcher, Matcher, Judgements, dict[tuple[str, str], tuple]]:
    """The two matchers and the judgements, and the party records of BOMs by (source, key): those
    are no targets (see the module docstring)."""
    resolution = ResolutionStore(store)
    judgements = Judgements.from_rows(resolution.judgements())
    boms = _bom_sources(store)
    parties, bom_parties = [], {}
    for row in resolution.parties():
        if row[0] in boms:
            bom_parties[(row[0], row[1])] = row
        else:
            parties.append(party_target(row, judgements.aliases.get(row[1])))
    entries = []
    for row in resolution.list_entries():
        entries.append(list_target(row, judgements.aliases.get(f"{row[2]}:{row[1]}")))
    return Matcher(parties, settings, judgements), Matcher(entries, settings, judgements), judgements, bom_parties



def _candidate_row(run_id: str, purpose: str, subject_key: str, query: Query, rank: int, candidate: Candidate,
                   status: str, written: dict[int, tuple[list, str]] | None = None) -> dict:
    """`written`: the features already serialized, by list (subjects matched alike share them)."""
    target = candidate.target
    features = written.get(id(candidate.features)) if written is not None else None
    if features is None or features[0] is not candidate.features:
        features = (candidate.features, orjson.dumps([f.as_json() for f in candidate.features]).decode())
        if written is not None:
            written[id(candidate.features)] = features
    return {
        "run_id": run_id, "candidate_id": candidate.candidate_id, "purpose": purpose, "subject_key": subject_key,
        "subject_name": " / ".join(query.names) if query.names else None, "subject_country": query.country,
        "target_ref": target.ref, "target_kind": target.kind, "target_source_id": target.source_id,
        "target_name": target.name, "target_countries": list(target.countries), "list_name": target.list_name,
        "programs": list(target.programs), "rank": rank, "score": round(candidate.score, 6),
        "decision": candidate.decision, "method": candidate.method, "status": status,
        "features": features[1],
    }


def _mention_outcome(key: str, outcome: Outcome) -> MentionOutcome:
    """The result of the mentions of a subject that resolution links by matching."""
    chosen = outcome.chosen
    method = None
    if outcome.status == "linked":
        method = chosen.method if chosen.method in ("identifier", "analyst") else "name"
    return MentionOutcome(
        subject_key=key, status=outcome.status, method=method,
        party_ref=chosen.target.ref if chosen else None, party_source_id=chosen.target.source_id if chosen else None,
        party_name=chosen.target.name if chosen else None, score=round(chosen.score, 6) if chosen else None,
        candidate_id=chosen.candidate_id if chosen else None, reason=outcome.reason,
    )


def resolve_store(store: Store, settings: ResolveSettings | None = None, actor: str | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> RunReport:
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    settings = settings or ResolveSettings.from_env()
    resolution = ResolutionStore(store)
    run_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    party_matcher, list_matcher, _, bom_parties = _load(store, settings)
    hints = {where: party_hints(row) for where, row in bom_parties.items()}
    # A package URL counts only through what `purl_hints` finds in its namespace, and the subject
    # key only through the domain: mentions differing in the rest are one form (WrittenMention).
    domains = {namespace: found[0] for namespace in resolution.purl_namespaces()
               if any(found := purl_hints(namespace))}
    mentions = resolution.mention_forms(hints, domains)

    subjects: dict[str, Query] = {}
    form_keys: list[str] = []
    for form in mentions.forms:
        key, query = mention_query(*form.written())
        subjects.setdefault(key, query)
        form_keys.append(key)

    outcomes: dict[str, Outcome] = {}
    candidate_rows: list[dict] = []
    written: dict[int, tuple[list, str]] = {}
    items = list(subjects.items())
    report = (lambda done, total: progress("linking", done, total)) if progress else None
    for (key, query), outcome in zip(items, match_all(party_matcher, items, KEEP_CANDIDATES, progress=report)):
        outcomes[key] = outcome
        for rank, candidate in enumerate(outcome.candidates, start=1):
            status = "confirmed" if candidate.method == "analyst" else "open"
            candidate_rows.append(_candidate_row(run_id, "link", key, query, rank, candidate, status, written))

    counts = {"mentions": sum(form.file_linked + form.matched for form in mentions.forms),
              "subjects": len(subjects), "parties": len(party_matcher.index), "list_entries": len(list_matcher.index),
              "linked_file": 0, "linked_identifier": 0, "linked_name": 0, "linked_analyst": 0, "review": 0,
              "unresolved": 0}
    by_key = {key: _mention_outcome(key, outcome) for key, outcome in outcomes.items()}
    form_outcomes = [by_key[key] for key in form_keys]
    linked_targets: dict[str, Target] = {}
    for form, result in zip(mentions.forms, form_outcomes):
        counts["linked_file"] += form.file_linked
        counts[f"linked_{result.method}" if result.status == "linked" else result.status] += form.matched
        if result.status == "linked" and form.matched:
            chosen = outcomes[result.subject_key].chosen
            linked_targets.setdefault(chosen.target.ref, chosen.target)
    file_parties = resolution.file_linked_parties(hints)
    file_reasons = {party: f"the file links this mention to its party {party!r}" for _, party in file_parties}

    # Screening: what the files name, and the parties they were linked to.
    flags: list[dict] = []
    if len(list_matcher.index):
        screen: dict[str, Query] = dict(subjects)
        for target in party_matcher.index.targets:
            if target.ref in linked_targets or (target.source_id, target.key) in file_parties:
                key, query = party_query(target)
                screen.setdefault(key, query)
        items = [(key, query) for key, query in screen.items() if query.names or query.identifiers.values]
        report = (lambda done, total: progress("screening", done, total)) if progress else None
        outcomes_screened = match_all(list_matcher, items, keep=1_000_000, floor=settings.screening_threshold,
                                      progress=report)
        for (key, query), outcome in zip(items, outcomes_screened):
            for rank, hit in enumerate(outcome.candidates, start=1):
                status = "confirmed" if hit.method == "analyst" else "open"
                row = _candidate_row(run_id, "screening", key, query, rank, hit, status, written)
                candidate_rows.append(row)
                flags.append(row)
    counts["screening_flags"] = len(flags)

    finished = datetime.now(timezone.utc).replace(tzinfo=None)
    run = {"run_id": run_id, "started_at": started, "finished_at": finished, "actor": actor or current_actor(),
           "algorithm": settings.algorithm, "settings": settings.as_dict(), "counts": counts}
    resolution.write_run(run, mentions, form_outcomes, file_reasons, candidate_rows)
    return RunReport(run_id, counts, flags, (finished - started).total_seconds())
