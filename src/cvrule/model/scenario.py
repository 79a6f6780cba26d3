"""A scenario: the facts about parties, items, vehicles and transactions that decisions rest on."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field

from cvrule.model._base import Id, Strict
from cvrule.model.authorizations import Authorization
from cvrule.model.items import Item
from cvrule.model.parties import Control, Employment, Ownership, Party
from cvrule.model.transactions import Transaction
from cvrule.model.vehicles import Vehicle

__all__ = ["Scenario", "dangling_references"]


class Scenario(Strict):
    parties: dict[Id, Party] = Field(default_factory=dict)
    ownership: tuple[Ownership, ...] = ()
    control: tuple[Control, ...] = ()
    employment: tuple[Employment, ...] = ()
    items: dict[Id, Item] = Field(default_factory=dict)
    vehicles: dict[Id, Vehicle] = Field(default_factory=dict)
    transactions: dict[Id, Transaction] = Field(default_factory=dict)
    authorizations: tuple[Authorization, ...] = ()

    @cached_property
    def parents(self) -> dict[str, tuple[str, ...]]:
        """For each item, the items that contain it directly."""
        found: dict[str, list[str]] = {}
        for item in self.items.values():
            for part in item.contains:
                found.setdefault(part, []).append(item.id)
        return {k: tuple(v) for k, v in found.items()}


def dangling_references(scenario: Scenario) -> list[tuple[tuple, str]]:
    """Every reference to an id the scenario does not define, as (key path, message)."""
    problems: list[tuple[tuple, str]] = []

    def need(kind: str, table: dict, ref: str | None, path: tuple) -> None:
        if ref is not None and ref not in table:
            problems.append((path, f"{ref!r} is not one of the {kind} defined in '{kind}'"))

    parties, items, vehicles = scenario.parties, scenario.items, scenario.vehicles
    for i, edge in enumerate(scenario.ownership):
        need("parties", parties, edge.owner, ("ownership", i, "owner"))
        need("parties", parties, edge.owned, ("ownership", i, "owned"))
    for i, edge in enumerate(scenario.control):
        need("parties", parties, edge.by, ("control", i, "by"))
        need("parties", parties, edge.over, ("control", i, "over"))
    for i, edge in enumerate(scenario.employment):
        need("parties", parties, edge.person, ("employment", i, "person"))
        need("parties", parties, edge.employer, ("employment", i, "employer"))
    for item_id, item in items.items():
        for role in ("designed_by", "developed_by", "manufactured_by", "supplied_by", "maintained_by"):
            for j, ref in enumerate(item.role_parties(role)):
                need("parties", parties, ref, ("items", item_id, role, j))
        for j, update in enumerate(item.updates):
            need("parties", parties, update.by, ("items", item_id, "updates", j, "by"))
        for j, ref in enumerate(item.contains):
            need("items", items, ref, ("items", item_id, "contains", j))
        need("items", items, item.runs_on, ("items", item_id, "runs_on"))
    for vehicle_id, vehicle in vehicles.items():
        need("parties", parties, vehicle.manufacturer, ("vehicles", vehicle_id, "manufacturer"))
        for j, ref in enumerate(vehicle.items):
            need("items", items, ref, ("vehicles", vehicle_id, "items", j))
    for txn_id, txn in scenario.transactions.items():
        need("parties", parties, txn.actor, ("transactions", txn_id, "actor"))
        need("items", items, txn.item, ("transactions", txn_id, "item"))
        need("vehicles", vehicles, txn.vehicle, ("transactions", txn_id, "vehicle"))
        need("vehicles", vehicles, txn.in_vehicle, ("transactions", txn_id, "in_vehicle"))
    for i, auth in enumerate(scenario.authorizations):
        if auth.kind == "approved_supplier":
            need("parties", parties, auth.party, ("authorizations", i, "party"))
        else:
            need("parties", parties, auth.holder, ("authorizations", i, "holder"))
            for j, ref in enumerate(auth.transactions or ()):
                need("transactions", scenario.transactions, ref, ("authorizations", i, "transactions", j))
    return problems
