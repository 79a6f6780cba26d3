"""What one evaluation works with: the scenario, the law in force, and party statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cvrule.law.parameters import Edition
from cvrule.law.s791_301.persons import Persons
from cvrule.model import Scenario

__all__ = ["Context"]


@dataclass
class Context:
    scenario: Scenario
    edition: Edition
    day: date
    """The evaluation date: the law in force and the ownership facts as of this day."""
    persons: Persons | None = field(default=None)
    """Who is linked on `day`: by default the reference analysis of the scenario's own parties;
    a fleet assessment passes the nexus engine's results (`cvrule.fleet.persons.NexusPersons`)."""

    def __post_init__(self) -> None:
        if self.persons is None:
            self.persons = Persons(self.scenario, self.edition, self.day)

    def party_name(self, party_id: str) -> str:
        return self.scenario.parties[party_id].name
