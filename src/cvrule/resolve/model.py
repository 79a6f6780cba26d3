"""What resolution works on and what it returns: queries, targets, candidates and their features."""

from __future__ import annotations

from dataclasses import dataclass, field

from cvrule.resolve.identifiers import Identifiers

__all__ = ["Candidate", "Feature", "Query", "Target"]


@dataclass(slots=True)
class Feature:
    """One piece of evidence for or against a candidate (nomenklatura's FeatureResult)."""

    name: str
    """e.g. lei_match, name, country_mismatch, legal_form_mismatch, analyst_confirmed."""
    score: float
    """Similarity in 0..1 for evidence, or the (negative) adjustment for a qualifier."""
    query: str | None
    """The value on the query side that produced it."""
    candidate: str | None
    """The value on the candidate side."""
    detail: str
    """How: which rule, which normalization steps."""

    def as_json(self) -> dict:
        return {"feature": self.name, "score": round(self.score, 4), "query": self.query,
                "candidate": self.candidate, "detail": self.detail}


@dataclass(slots=True)
class Target:
    """Something a query can be linked to: a party of the ownership data or a screening-list entry."""

    ref: str
    """Stable reference across re-ingests: the party's own key (LEI, FtM id, BODS record id), or
    "<list name>:<entry key>" for a list entry."""
    kind: str
    """party | list_entry"""
    source_id: str
    key: str
    name: str
    names: tuple[str, ...]
    """The name and every alias."""
    countries: tuple[str, ...] = ()
    identifiers: Identifiers = field(default_factory=Identifiers)
    list_name: str | None = None
    programs: tuple[str, ...] = ()


@dataclass(slots=True)
class Query:
    """What is known about the thing to resolve: a supplier as a BOM names it, or a party to screen."""

    names: tuple[str, ...]
    country: str | None = None
    identifiers: Identifiers = field(default_factory=Identifiers)
    organization_hint: str | None = None
    """An organization name from a package URL namespace (pkg:github/quectel/...)."""


@dataclass(slots=True)
class Candidate:
    """A target scored against a query, with the decision its score earns and why."""

    target: Target
    score: float
    decision: str
    """link | review | none"""
    method: str
    """identifier | name | analyst"""
    features: list[Feature]
    candidate_id: str = ""
    contains_query: bool = False
    """Every word of the query's name is among the words of one of the target's names."""

    def as_json(self) -> dict:
        target = self.target
        out = {
            "id": self.candidate_id,
            "ref": target.ref,
            "kind": target.kind,
            "name": target.name,
            "source_id": target.source_id,
            "countries": list(target.countries),
            "score": round(self.score, 4),
            "decision": self.decision,
            "method": self.method,
            "features": [f.as_json() for f in self.features],
        }
        if target.list_name:
            out["list"] = target.list_name
            out["programs"] = list(target.programs)
        return out
