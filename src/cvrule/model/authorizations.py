"""Authorizations a party holds or relies on: specific (791.307), general (791.306), and the
approved supplier list (GA No. 3)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from cvrule.model._base import Id, Strict

__all__ = [
    "ApprovedSupplier",
    "Authorization",
    "AuthorizationCondition",
    "AuthorizationStatus",
    "ConditionEvidence",
    "GeneralAuthorization",
    "SpecificAuthorization",
]


class AuthorizationStatus(StrEnum):
    granted = "granted"
    pending = "pending"
    denied = "denied"


class ConditionEvidence(Strict):
    """One record showing a condition was kept: an audit report, a log review."""

    date: date
    what: str = Field(min_length=1)


class AuthorizationCondition(Strict):
    """A condition of a specific authorization, monitored on a cadence."""

    id: Id
    text: str = Field(min_length=1)
    cadence: Annotated[int, Field(gt=0)] | Annotated[str, Field(min_length=1)] | None = None
    """Days between evidence records, or a named cadence (`quarterly`); none: nothing to monitor."""
    evidence: tuple[ConditionEvidence, ...] = ()
    broken_on: date | None = None
    """The day the condition was found broken."""


class SpecificAuthorization(Strict):
    kind: Literal["specific"]
    id: Id
    holder: Id
    transactions: tuple[Id, ...] = Field(min_length=1)
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    status: AuthorizationStatus = AuthorizationStatus.granted
    conditions: tuple[AuthorizationCondition | str, ...] = ()
    """Structured conditions, or plain text (a condition with no cadence, always met)."""


class GeneralAuthorization(Strict):
    kind: Literal["general"]
    id: Id
    """The general authorization relied on, by its catalogue id (GA-1, GA-2)."""
    holder: Id
    transactions: tuple[Id, ...] | None = None
    """The transactions relying on it; none named: every transaction of the holder."""
    circumstance_changed: date | None = None
    reassessed: date | None = None
    relied_from: date | None = None
    """The day reliance began: from then on, a change of ownership or control of the holder or of a
    party in the transaction (a supplier's new owner) is itself a change in circumstance."""


class ApprovedSupplier(Strict):
    kind: Literal["approved_supplier"]
    party: Id
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    """Removal from the list (exclusive)."""

    def listed_on(self, day: date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (self.to is None or day < self.to)


Authorization = Annotated[
    SpecificAuthorization | GeneralAuthorization | ApprovedSupplier, Field(discriminator="kind")
]
