"""One-off lookups: a name (and optionally a country or identifiers) against a workspace's parties
and loaded screening lists, ranked, each candidate with its decision and explanation."""

from __future__ import annotations

from cvrule.resolve.model import Candidate
from cvrule.resolve.run import load_matchers
from cvrule.resolve.settings import ResolveSettings
from cvrule.resolve.subjects import mention_query
from cvrule.store import Store

__all__ = ["match_name"]


def match_name(store: Store, name: str, country: str | None = None, identifiers: dict[str, str] | None = None,
               settings: ResolveSettings | None = None, limit: int = 10) -> list[Candidate]:
    """Ranked candidates among parties and list entries (analyst judgements applied)."""
    settings = settings or ResolveSettings.from_env()
    party_matcher, list_matcher, _ = load_matchers(store, settings)
    key, query = mention_query(name, country)
    for scheme, value in (identifiers or {}).items():
        query.identifiers.add(scheme, value)
    found = party_matcher.match(query, key) + list_matcher.match(query, key)
    found = [c for c in found if c.score >= settings.review_threshold / 2]
    found.sort(key=lambda c: (-c.score, c.target.kind, c.target.ref, c.target.source_id))
    # One row per stable reference: the same party key loaded from several files is one candidate
    # (its id is the same, so listing it twice would make `review --confirm ID` ambiguous).
    unique: dict[tuple[str, str], Candidate] = {}
    for candidate in found:
        unique.setdefault((candidate.target.kind, candidate.target.ref), candidate)
    return list(unique.values())[:limit]
