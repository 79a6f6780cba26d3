"""The legal parameters the nexus reads (15 CFR 791.301, `law/parameters/persons.yaml` and
`jurisdictions.yaml`), taken from an edition of the law and turned into what the SQL needs.

Shares are fixed-point decimals: a share of 0.1 is held as 100,000,000 units of 10^-9, so
sums are exact and both engines agree to the unit. The thresholds come from the parameter
files only; nothing here knows a number or a country of the law.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cvrule.law.parameters import Edition, Param

__all__ = ["SHARE_UNITS", "NexusPolicy", "share_units"]

SHARE_UNITS = 1_000_000_000
"""Units of one whole share (100 %)."""


def share_units(share: float) -> int:
    return int(round(share * SHARE_UNITS))


@dataclass(frozen=True)
class NexusPolicy:
    """What the fixpoints need from the law on one day, with the parameters it came from."""

    day: date
    covered: tuple[str, ...]
    majority: int
    dominant: int
    review: int
    controlling: tuple[str, ...]
    reviewing: tuple[str, ...]
    equity_stands_for_voting: bool
    headquarters_defaults_to_country: bool
    residence_defaults_to_citizenship: bool
    us_permanent_residents_excepted: bool
    params: dict[str, Param]

    @classmethod
    def from_edition(cls, edition: Edition) -> NexusPolicy:
        names = [
            "covered_jurisdictions", "majority_share", "dominant_minority_share", "review_share",
            "controlling_indicators", "review_indicators", "equity_stands_for_voting",
            "headquarters_defaults_to_country", "residence_defaults_to_citizenship",
            "us_permanent_residents_excepted",
        ]
        params = {name: edition.param(name) for name in names}
        value = {name: p.value for name, p in params.items()}
        return cls(
            day=edition.day,
            covered=tuple(value["covered_jurisdictions"]),
            majority=share_units(value["majority_share"]),
            dominant=share_units(value["dominant_minority_share"]),
            review=share_units(value["review_share"]),
            controlling=tuple(value["controlling_indicators"]),
            reviewing=tuple(k for k in value["review_indicators"] if k not in value["controlling_indicators"]),
            equity_stands_for_voting=bool(value["equity_stands_for_voting"]),
            headquarters_defaults_to_country=bool(value["headquarters_defaults_to_country"]),
            residence_defaults_to_citizenship=bool(value["residence_defaults_to_citizenship"]),
            us_permanent_residents_excepted=bool(value["us_permanent_residents_excepted"]),
            params=params,
        )
