"""A resolution run over a workspace: link every role mention, screen what was named, store it all.

1. Read the judgements in force, the parties (plus analyst aliases), the list entries and the
   role mentions.
2. A mention whose file links it to a party of the same file is linked to it (method `file`),
   unless the file is a bill of materials (`subjects.is_bom_format`): a BOM's own party record
   (a CycloneDX supplier with a `bom-ref`, an SPDX 3 or CX-0158-1 agent) is not an ownership
   party and is never a target; it lends the mention its identifiers and country instead.
3. Every other distinct mention (same name, country and identifiers) is matched once against
   the parties of ownership data, registers and case files: identifiers first, then names; the
   outcome is `linked`, `review` or `unresolved`, with the reason.
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

from cvrule.resolve.matcher import Judgements, Matcher, Outcome, match_all
from cvrule.resolve.model import Candidate, Query, Target
from cvrule.resolve.settings import ResolveSettings
from cvrule.resolve.subjects import is_bom_format, list_target, mention_query, party_hints, party_query, party_target
from cvrule.store import Store
from cvrule.store.resolution import ResolutionStore

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
                   status: str) -> dict:
    target = candidate.target
    return {
        "run_id": run_id, "candidate_id": candidate.candidate_id, "purpose": purpose, "subject_key": subject_key,
        "subject_name": " / ".join(query.names) if query.names else None, "subject_country": query.country,
        "target_ref": target.ref, "target_kind": target.kind, "target_source_id": target.source_id,
        "target_name": target.name, "target_countries": list(target.countries), "list_name": target.list_name,
        "programs": list(target.programs), "rank": rank, "score": round(candidate.score, 6),
        "decision": candidate.decision, "method": candidate.method, "status": status,
        "features": orjson.dumps([f.as_json() for f in candidate.features]).decode(),
    }


def _namespace(purl: str | None) -> str | None:
    """A package URL with its name and version cut off: only its type and namespace say who
    stands behind it (`purl_hints`), so mentions differing only in the package are one subject."""
    if not purl or not purl.startswith("pkg:"):
        return purl
    body = purl[4:].split("#", 1)[0].split("?", 1)[0].rstrip("/")
    return "pkg:" + body.rsplit("/", 1)[0] + "/_" if "/" in body else purl


def resolve_store(store: Store, settings: ResolveSettings | None = None, actor: str | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> RunReport:
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    settings = settings or ResolveSettings.from_env()
    resolution = ResolutionStore(store)
    run_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    party_matcher, list_matcher, _, bom_parties = _load(store, settings)
    mentions = resolution.mentions()
    for mention in mentions:
        if mention.party_in_file and (mention.source_id, mention.party_in_file) in bom_parties:
            mention.party_in_file = None  # a BOM's own party record: resolved like any name

    subjects: dict[str, Query] = {}
    mention_subject: list[str] = []
    seen: dict[tuple, str] = {}
    for mention in mentions:
        country, identifiers = party_hints(bom_parties.get((mention.source_id, mention.party or "")))
        written = (mention.name, mention.country or country, mention.url, mention.email, _namespace(mention.purl),
                   mention.role, identifiers)
        key = seen.get(written)
        if key is None:
            key, query = mention_query(*written)
            seen[written] = key
            subjects.setdefault(key, query)
        mention_subject.append(key)

    outcomes: dict[str, Outcome] = {}
    candidate_rows: list[dict] = []
    items = list(subjects.items())
    report = (lambda done, total: progress("linking", done, total)) if progress else None
    for (key, query), outcome in zip(items, match_all(party_matcher, items, KEEP_CANDIDATES, progress=report)):
        outcomes[key] = outcome
        for rank, candidate in enumerate(outcome.candidates, start=1):
            status = "confirmed" if candidate.method == "analyst" else "open"
            candidate_rows.append(_candidate_row(run_id, "link", key, query, rank, candidate, status))

    counts = {"mentions": len(mentions), "subjects": len(subjects), "parties": len(party_matcher.index),
              "list_entries": len(list_matcher.index), "linked_file": 0, "linked_identifier": 0,
              "linked_name": 0, "linked_analyst": 0, "review": 0, "unresolved": 0}
    mention_rows: list[dict] = []
    linked_targets: dict[str, Target] = {}
    for mention, key in zip(mentions, mention_subject):
        row = {"run_id": run_id, "source_id": mention.source_id, "item": mention.item, "role": mention.role,
               "name": mention.name, "location": mention.location, "subject_key": key}
        if mention.party_in_file:
            row.update(status="linked", method="file", party_ref=mention.party, party_source_id=mention.source_id,
                       party_name=None, score=1.0, candidate_id=None,
                       reason=f"the file links this mention to its party {mention.party!r}")
            counts["linked_file"] += 1
        else:
            outcome = outcomes[key]
            chosen = outcome.chosen
            if outcome.status == "linked":
                method = chosen.method if chosen.method in ("identifier", "analyst") else "name"
                counts[f"linked_{method}"] += 1
                linked_targets.setdefault(chosen.target.ref, chosen.target)
            else:
                method = None
                counts[outcome.status] += 1
            row.update(status=outcome.status, method=method,
                       party_ref=chosen.target.ref if chosen else None,
                       party_source_id=chosen.target.source_id if chosen else None,
                       party_name=chosen.target.name if chosen else None,
                       score=round(chosen.score, 6) if chosen else None,
                       candidate_id=chosen.candidate_id if chosen else None, reason=outcome.reason)
        mention_rows.append(row)

    # Screening: what the files name, and the parties they were linked to.
    flags: list[dict] = []
    if len(list_matcher.index):
        screen: dict[str, Query] = dict(subjects)
        file_parties = {(m.source_id, m.party) for m in mentions if m.party_in_file}
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
                row = _candidate_row(run_id, "screening", key, query, rank, hit, status)
                candidate_rows.append(row)
                flags.append(row)
    counts["screening_flags"] = len(flags)

    finished = datetime.now(timezone.utc).replace(tzinfo=None)
    run = {"run_id": run_id, "started_at": started, "finished_at": finished, "actor": actor or current_actor(),
           "algorithm": settings.algorithm, "settings": settings.as_dict(), "counts": counts}
    resolution.write_run(run, mention_rows, candidate_rows)
    return RunReport(run_id, counts, flags, (finished - started).total_seconds())
