"""Matching one query against many targets: blocking, scoring, analyst judgements, decisions.

Order of evidence: identifiers first (exact lookups, always candidates), then names through the
blocking index. Analyst judgements override scores: a confirmed pair is linked (method
`analyst`), a rejected pair is dropped before anything else sees it, so it never comes back.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from cvrule.resolve.algorithms import ALGORITHMS
from cvrule.resolve.identifiers import STRONG_SCHEMES
from cvrule.resolve.index import TargetIndex, target_forms
from cvrule.resolve.model import Candidate, Feature, Query, Target
from cvrule.resolve.names import NameForm
from cvrule.resolve.settings import ResolveSettings

__all__ = ["Judgements", "Matcher", "Outcome", "candidate_id", "match_all"]

PARALLEL_FROM = 2000
"""Fewer subjects than this are matched in the calling process (starting workers costs more)."""


def candidate_id(subject_key: str, target_ref: str) -> str:
    """A candidate's stable id: the same subject and target give the same id in every run."""
    return hashlib.sha256(f"{subject_key}\x1f{target_ref}".encode()).hexdigest()[:12]


@dataclass
class Judgements:
    """Analyst decisions in force, from the append-only log (later decisions override earlier ones)."""

    confirmed: dict[str, dict[str, object]] = field(default_factory=dict)
    """subject key -> target ref -> the judgement row."""
    rejected: dict[str, dict[str, object]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    """target ref -> names an analyst added."""

    @classmethod
    def from_rows(cls, rows: Iterable) -> Judgements:
        found = cls()
        for row in rows:
            if row.action == "alias" and row.alias:
                found.aliases.setdefault(row.target_ref, []).append(row.alias)
                continue
            if not row.subject_key:
                continue
            if row.action == "confirm":
                found.rejected.get(row.subject_key, {}).pop(row.target_ref, None)
                found.confirmed.setdefault(row.subject_key, {})[row.target_ref] = row
            elif row.action == "reject":
                found.confirmed.get(row.subject_key, {}).pop(row.target_ref, None)
                found.rejected.setdefault(row.subject_key, {})[row.target_ref] = row
        return found


@dataclass
class Outcome:
    """What became of one subject: linked to a target, waiting for review, or unresolved."""

    status: str
    """linked | review | unresolved"""
    chosen: Candidate | None
    reason: str
    candidates: list[Candidate]


class Matcher:
    def __init__(self, targets: Sequence[Target], settings: ResolveSettings | None = None,
                 judgements: Judgements | None = None):
        self.settings = settings or ResolveSettings()
        self.algorithm = ALGORITHMS[self.settings.algorithm]
        self.judgements = judgements or Judgements()
        self.index = TargetIndex(targets, self.settings.block_max_df)
        self._by_ref: dict[str, list[int]] = {}
        for position, target in enumerate(self.index.targets):
            self._by_ref.setdefault(target.ref, []).append(position)

    def query_forms(self, query: Query) -> list[NameForm]:
        names = list(query.names)
        if query.organization_hint:
            names.append(query.organization_hint)
        weight, rare = self.index.weight, self.index.rare_weight
        return [form for form in target_forms([name for name in names if name and name.strip()])
                if not form.part or any(weight(token) >= rare for token in form.tokens)]

    def match(self, query: Query, subject_key: str = "", limit: int | None = None,
              floor: float = 0.0, explain: int | None = None) -> list[Candidate]:
        """Candidates for a query, best first, each with its decision; the best `explain` of them
        (all by default) carry their features."""
        forms = self.query_forms(query)
        positions = self.index.identifier_hits(query)
        positions += self.index.candidates(forms, limit or self.settings.candidates)
        if forms and not any(form.legal_forms for form in forms):
            for form in forms:  # a bare brand: every party whose name holds it is a rival
                positions += self.index.containing(form.tokens)
        confirmed = self.judgements.confirmed.get(subject_key, {}) if subject_key else {}
        rejected = self.judgements.rejected.get(subject_key, {}) if subject_key else {}
        for ref in confirmed:
            positions += self._by_ref.get(ref, [])
        scored: list[tuple[float, bool, str, str, int, str]] = []
        seen: set[int] = set()
        targets, target_forms = self.index.targets, self.index.forms
        for position in positions:
            if position in seen:
                continue
            seen.add(position)
            target = targets[position]
            if target.ref in rejected:
                continue
            score, method, _ = self.algorithm.score(query, forms, target, target_forms[position], self.index.weight,
                                                    explain=False, rare=self.index.rare_weight,
                                                    very_rare=self.index.very_rare_weight)
            if target.ref in confirmed:
                score, method = 1.0, "analyst"
            elif score < floor:
                continue
            scored.append((-score, method != "analyst", target.ref, target.source_id, position, method))
        scored.sort()
        out: list[Candidate] = []
        budget = len(scored) if explain is None else explain
        for rank, (negative, _, ref, _, position, method) in enumerate(scored):
            target = targets[position]
            features: list[Feature] = []
            if rank < budget:
                _, _, features = self.algorithm.score(query, forms, target, target_forms[position], self.index.weight,
                                                      rare=self.index.rare_weight,
                                                      very_rare=self.index.very_rare_weight)
                judgement = confirmed.get(ref)
                if judgement is not None:
                    features.insert(0, Feature(
                        "analyst_confirmed", 1.0, subject_key, ref,
                        f"confirmed by {judgement.actor} on {judgement.judged_at:%Y-%m-%d}: "
                        f"{judgement.reason or 'no reason given'}",
                    ))
            contains = any(q.tokens and set(q.tokens) <= set(t.tokens) for q in forms if not q.part
                           for t in target_forms[position] if not t.part)
            out.append(Candidate(target, -negative, self.decision(-negative), method, features,
                                 candidate_id(subject_key, ref) if subject_key else "", contains))
        return out

    def decision(self, score: float) -> str:
        if score >= self.settings.link_threshold:
            return "link"
        if score >= self.settings.review_threshold:
            return "review"
        return "none"

    def decide(self, candidates: list[Candidate], query: Query | None = None) -> Outcome:
        """The outcome for a subject from its ranked candidates.

        Linking needs one clear winner: a rival above the link threshold within the ambiguity
        margin, or (for a name without a legal form, such as a brand) another party whose name
        contains every word of it, sends the subject to review instead.
        """
        settings = self.settings
        if not candidates:
            return Outcome("unresolved", None, "no candidate found", candidates)
        top = candidates[0]
        if top.method == "analyst":
            return Outcome("linked", top, "confirmed by an analyst", candidates)
        if top.score < settings.review_threshold:
            return Outcome("unresolved", None, f"best candidate {top.target.name!r} scores {top.score:.2f}, "
                           f"below the review threshold {settings.review_threshold:.2f}", candidates)
        if top.score >= settings.link_threshold:
            rivals = [c for c in candidates[1:]
                      if c.score >= settings.link_threshold and top.score - c.score < settings.ambiguity_margin
                      and not same_entity(top.target, c.target)]
            if rivals:
                return Outcome("review", top, f"ambiguous: {top.target.name!r} ({top.score:.2f}) and "
                               f"{rivals[0].target.name!r} ({rivals[0].score:.2f}) both score above the link threshold",
                               candidates)
            if top.method == "name" and query is not None and self._brand_only(query):
                sharing = [c for c in candidates[1:] if c.contains_query and c.score >= settings.review_threshold * 0.5
                           and not same_entity(top.target, c.target)]
                if sharing:
                    return Outcome("review", top, f"ambiguous: the name is also part of {sharing[0].target.name!r}; "
                                   "a legal form, country or identifier would tell them apart", candidates)
            how = "identifier" if top.method == "identifier" else "name"
            return Outcome("linked", top, f"{how} match scoring {top.score:.2f}", candidates)
        return Outcome("review", top, f"best candidate scores {top.score:.2f}, between the review "
                       f"({settings.review_threshold:.2f}) and link ({settings.link_threshold:.2f}) thresholds",
                       candidates)


    def _brand_only(self, query: Query) -> bool:
        forms = self.query_forms(query)
        return bool(forms) and not any(form.legal_forms for form in forms)


def same_entity(left: Target, right: Target) -> bool:
    """The same party seen in two sources: same reference, or a strong identifier in common."""
    if left.ref == right.ref:
        return True
    for scheme in STRONG_SCHEMES:
        if left.identifiers.values.get(scheme, set()) & right.identifiers.values.get(scheme, set()):
            return True
    return False


_WORKER: tuple[Matcher, int, float] | None = None


def _match_chunk(chunk: list[tuple[str, Query]]) -> list[Outcome]:
    matcher, keep, floor = _WORKER
    alike: dict[Hashable, Outcome] = {}
    return [_match_one(matcher, key, query, keep, floor, alike) for key, query in chunk]


def _match_one(matcher: Matcher, key: str, query: Query, keep: int, floor: float,
               alike: dict[Hashable, Outcome] | None = None) -> Outcome:
    """The outcome of one subject; `alike` holds the outcomes of subjects already matched, by
    what their outcome depends on (`_what_counts`), so that subjects differing only in what no
    target can meet are matched once."""
    counts = _what_counts(matcher, key, query) if alike is not None else None
    if counts is not None and counts in alike:
        return _as_subject(alike[counts], key)
    found = matcher.match(query, key, explain=keep, floor=floor) if (query.names or query.identifiers.values) else []
    outcome = matcher.decide(found, query)
    outcome.candidates = found[:keep]
    if counts is not None:
        alike[counts] = outcome
    return outcome


def _what_counts(matcher: Matcher, key: str, query: Query) -> Hashable | None:
    """Everything of a subject its outcome depends on, but its key (which only names its
    candidates): its names, country, organization hint, strong identifiers and the domains some
    target has. Two subjects (e.g. one supplier named with two package namespaces of which no
    party has the domain) with the same are matched alike. None for a subject an analyst judged
    (the judgement is of its key)."""
    judgements = matcher.judgements
    if key in judgements.confirmed or key in judgements.rejected:
        return None
    values = query.identifiers.values
    strong = tuple((scheme, tuple(sorted(values[scheme]))) for scheme in STRONG_SCHEMES if values.get(scheme))
    known = matcher.index.by_identifier
    domains = tuple(sorted(d for d in values.get("domain", ()) if ("domain", d) in known))
    matched = bool(query.names or values)  # `_match_one` matches nothing else
    return matched, query.names, query.country, query.organization_hint, strong, domains


def _as_subject(outcome: Outcome, key: str) -> Outcome:
    """Another subject's outcome, its candidates named for subject `key`."""
    def named(candidate: Candidate) -> Candidate:
        return dataclasses.replace(candidate, candidate_id=candidate_id(key, candidate.target.ref) if key else "")

    candidates = [named(c) for c in outcome.candidates]
    chosen = outcome.chosen
    if chosen is not None:
        same = [mine for theirs, mine in zip(outcome.candidates, candidates) if theirs is chosen]
        chosen = same[0] if same else named(chosen)
    return Outcome(outcome.status, chosen, outcome.reason, candidates)


def match_all(matcher: Matcher, subjects: Sequence[tuple[str, Query]], keep: int = 3, floor: float = 0.0,
              workers: int | None = None, progress=None) -> list[Outcome]:
    """The outcome of every subject, in order, each with its best `keep` candidates explained.

    Large batches are spread over worker processes (fork: the index is shared, not copied).
    """
    import gc
    import multiprocessing
    import os

    global _WORKER
    wanted = workers if workers is not None else matcher.settings.workers
    if wanted <= 0:
        wanted = min(os.cpu_count() or 1, 4)
    if wanted <= 1 or len(subjects) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        out = []
        alike: dict[Hashable, Outcome] = {}
        for done, (key, query) in enumerate(subjects, start=1):
            out.append(_match_one(matcher, key, query, keep, floor, alike))
            if progress and (done % 1000 == 0 or done == len(subjects)):
                progress(done, len(subjects))
        return out
    size = max(200, len(subjects) // (wanted * 8))
    chunks = [list(subjects[i:i + size]) for i in range(0, len(subjects), size)]
    _WORKER = (matcher, keep, floor)
    gc.collect()
    gc.freeze()  # the collector must not touch (and so copy) the shared index in every worker
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(wanted) as pool:
            out: list[Outcome] = []
            for result in pool.imap(_match_chunk, chunks):
                out.extend(result)
                if progress:
                    progress(len(out), len(subjects))
    finally:
        _WORKER = None
        gc.unfreeze()
    return out
