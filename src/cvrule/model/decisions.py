"""Decisions as data: an outcome, the obligations it carries, and the tree of reasons behind it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Decision", "FactRef", "MissingFact", "Outcome", "ParamRef", "Reason"]


class Outcome(StrEnum):
    prohibited = "prohibited"
    """A 791.302-.304 prohibition applies and nothing exempts or authorizes it."""
    exempt = "exempt"
    """Within a 791.308 date exemption: no authorization and no Declaration needed."""
    authorized = "authorized"
    """Would be prohibited, but a general, approved-supplier or specific authorization covers it."""
    allowed = "allowed"
    """In scope and not prohibited."""
    out_of_scope = "out_of_scope"
    """Not a connected vehicle, not VCS hardware, or not an in-scope transaction."""
    indeterminate = "indeterminate"
    """Facts are missing or the law is unsettled for them: a person must decide."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactRef(_Data):
    """A fact a reason rests on: its key path in the scenario, and where it came from."""

    path: str
    source: str | None = None
    line: int | None = None


class ParamRef(_Data):
    """A legal parameter a reason rests on."""

    name: str
    value: Any
    cite: str
    status: str
    effective: date
    source: str


class MissingFact(_Data):
    """A fact that, once known, could change the decision."""

    fact: str
    question: str


class Reason(_Data):
    """One step of the reasoning: what it says, whether it holds, and what it rests on."""

    says: str
    holds: bool | None = True
    """True, False, or None when it cannot be told from the facts."""
    cite: str | None = None
    facts: list[FactRef] = Field(default_factory=list)
    parameters: list[ParamRef] = Field(default_factory=list)
    because: list[Reason] = Field(default_factory=list)

    def walk(self):
        """This step and every step below it, depth first, each before its children (a stack,
        not nested generators: the trees of a fleet's decisions hold millions of steps)."""
        stack = [self]
        while stack:
            step = stack.pop()
            yield step
            stack.extend(reversed(step.because))


class Decision(_Data):
    """The decision on one transaction."""

    transaction: str
    kind: str
    actor: str
    date: date
    evaluated_on: date
    outcome: Outcome
    declaration_required: bool
    responsible: str | None = None
    """The party that bears the obligation (its id), and its name."""
    responsible_name: str | None = None
    responsible_role: str | None = None
    cites: list[str] = Field(default_factory=list)
    interpretations: list[ParamRef] = Field(default_factory=list)
    missing_facts: list[MissingFact] = Field(default_factory=list)
    declaration_due: date | None = None
    records_until: date | None = None
    because: Reason
