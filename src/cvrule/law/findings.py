"""Three-valued findings: yes, no or unknown, each with its reason and the facts it lacks."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Iterable

from cvrule.law.parameters import Param
from cvrule.model import FactRef, MissingFact, ParamRef, Reason

__all__ = ["Finding", "all_of", "fact", "missing", "param_ref", "reason"]


# Decisions build hundreds of thousands of reasons on a large fleet: each parameter's reference
# is made once per parameter, not once per reason.

_REFS: dict[int, ParamRef] = {}


def fact(*path: object) -> FactRef:
    """A reference to the fact at a key path, e.g. fact("items", "tcu", "rf")."""
    return FactRef(path=".".join(map(str, path)))


def param_ref(param: Param) -> ParamRef:
    """The reference of a parameter value; one per parameter (parameters are immutable, and a
    reference is never changed once made)."""
    known = _REFS.get(id(param))
    if known is not None:
        return known
    data = param.as_json()
    ref = ParamRef(
        name=param.label,
        value=data["value"],
        cite=param.cite,
        status=param.status.value,
        effective=param.effective,
        source=param.source,
    )
    _REFS[id(param)] = ref
    weakref.finalize(param, _REFS.pop, id(param), None)  # gone with its parameter, before the id can be reused
    return ref


def reason(
    says: str,
    holds: bool | None = True,
    cite: str | None = None,
    facts: Iterable[FactRef] = (),
    params: Iterable[Param] = (),
    because: Iterable[Reason] = (),
) -> Reason:
    return Reason(
        says=says,
        holds=holds,
        cite=cite,
        facts=list(facts),
        parameters=[param_ref(p) for p in params],
        because=list(because),
    )


def missing(path: str, question: str) -> MissingFact:
    return MissingFact(fact=path, question=question)


@dataclass
class Finding:
    """The answer to one legal question: True, False or None (unknown)."""

    value: bool | None
    reason: Reason
    missing: list[MissingFact] = field(default_factory=list)

    @classmethod
    def unknown(cls, why: Reason, *gaps: MissingFact) -> Finding:
        why.holds = None
        return cls(None, why, list(gaps))


def all_of(says_yes: str, says_no: str, cite: str | None, parts: list[Finding]) -> Finding:
    """Three-valued AND: any False decides; all True holds; otherwise unknown."""
    falses = [p for p in parts if p.value is False]
    if falses:
        return Finding(False, reason(says_no, False, cite, because=[f.reason for f in falses]))
    unknowns = [p for p in parts if p.value is None]
    if unknowns:
        gaps = [gap for p in unknowns for gap in p.missing]
        return Finding(None, reason(says_yes, None, cite, because=[p.reason for p in parts]), gaps)
    return Finding(True, reason(says_yes, True, cite, because=[p.reason for p in parts]))
