"""Parties and the ownership, control and employment ties between them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, StrictBool, model_validator

from cvrule.model._base import CountryCode, Id, Strict

__all__ = ["Control", "ControlKind", "Employment", "Ownership", "Party", "PartyKind"]


class PartyKind(StrEnum):
    organization = "organization"
    individual = "individual"
    government = "government"


class Party(Strict):
    """A person in the rule's sense: an organization, an individual or a government."""

    id: Id
    name: str = Field(min_length=1)
    kind: PartyKind
    country: CountryCode | None = None
    """Organization: where organized; individual: citizenship; government: whose."""
    headquarters: CountryCode | None = None
    principal_place_of_business: CountryCode | None = None
    residence: CountryCode | None = None
    us_permanent_resident: StrictBool = False
    identifiers: dict[str, str] = Field(default_factory=dict)
    ownership_known: StrictBool = True
    """False when the party's owners are not known: its status cannot be cleared."""


class _Dated(Strict):
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    """The day the interest ended (exclusive)."""

    @model_validator(mode="after")
    def _ordered(self):
        if self.from_ is not None and self.to is not None and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self

    def holds_on(self, day: date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (self.to is None or day < self.to)


class Ownership(_Dated):
    """A direct voting and/or equity interest of `owner` in `owned`, as shares from 0 to 1."""

    owner: Id
    owned: Id
    voting: float | None = Field(default=None, ge=0, le=1)
    equity: float | None = Field(default=None, ge=0, le=1)


class ControlKind(StrEnum):
    board_majority = "board_majority"
    board_seat = "board_seat"
    veto = "veto"
    special_share = "special_share"
    proxy = "proxy"
    contract = "contract"
    direction = "direction"
    agent = "agent"


class Control(_Dated):
    """Control of `over` by `by` without (or beside) ownership."""

    by: Id
    over: Id
    kind: ControlKind


class Employment(Strict):
    """An individual employed or contracted by an organization: never a nexus on its own."""

    person: Id
    employer: Id
