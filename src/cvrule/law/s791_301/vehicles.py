"""15 CFR 791.301: connected vehicle, completed connected vehicle, automated driving system.

A connected vehicle is driven or drawn by mechanical power, made primarily for public roads,
not operated only on rails, at or under the GVWR limit, and integrates onboard networked
hardware that communicates by radio (here: it has VCS hardware). A vehicle over the GVWR limit
is one only if it falls in a vehicle class in force: a later rule reaching heavier vehicles
adds a class. A vehicle's class (passenger; any class a later rule adds) is the class its GVWR
falls in; the model-year thresholds of 791.308 may differ by class. The prohibitions of 791.303
and 791.304 reach only completed connected vehicles. An ADS performs the entire dynamic
driving task on a sustained basis (SAE level 3 and above, a parameter).
"""

from __future__ import annotations

from dataclasses import dataclass

from cvrule.law.findings import Finding, all_of, fact, missing, reason
from cvrule.law.parameters import Edition, Param
from cvrule.law.s791_301.vcs import is_vcs_hardware
from cvrule.model import Item, Reason, Scenario, Vehicle

__all__ = [
    "VehicleClass",
    "VehicleItem",
    "has_ads",
    "is_completed",
    "is_connected_vehicle",
    "item_tree",
    "vehicle_class",
    "vehicle_items",
]

CITE = "791.301"


@dataclass(frozen=True)
class VehicleItem:
    """An item of a vehicle with the chain of items it is a part of (outermost first)."""

    item: Item
    within: tuple[Item, ...]


@dataclass(frozen=True)
class VehicleClass:
    """The vehicle class a vehicle is of: its definition, or none; or, when its GVWR is not
    known, every class it may be of."""

    definition: Param | None
    """The class the vehicle's GVWR falls in; None: in no class, or the GVWR is not known."""
    known: bool
    candidates: tuple[Param, ...] = ()
    """When the GVWR is not known: the definitions of the classes in force."""
    reason: Reason | None = None

    @property
    def name(self) -> str | None:
        return self.definition.vehicle_class if self.definition is not None else None


def vehicle_class(vehicle: Vehicle, edition: Edition) -> VehicleClass:
    """The class of `vehicle` by its gross vehicle weight rating, among the classes in force."""
    classes = edition.per_class("vehicle_classes")
    name = f"{vehicle.make} {vehicle.model} MY{vehicle.model_year}"
    where = fact("vehicles", vehicle.id, "gvwr_lbs")
    if vehicle.gvwr_lbs is None:
        return VehicleClass(None, False, tuple(classes), reason(
            f"the GVWR of {name} is not known, so neither is its vehicle class", None, CITE, [where], classes))
    for definition in classes:
        if definition.value.holds(vehicle.gvwr_lbs):
            return VehicleClass(definition, True, reason=reason(
                f"{name} has a GVWR of {vehicle.gvwr_lbs:,.0f} lb: a {definition.vehicle_class} vehicle "
                f"({definition.value.words()})", True, CITE, [where], [definition]))
    return VehicleClass(None, True, reason=reason(
        f"{name} has a GVWR of {vehicle.gvwr_lbs:,.0f} lb, in no vehicle class", False, CITE, [where], classes))


def vehicle_items(scenario: Scenario, vehicle: Vehicle) -> list[VehicleItem]:
    """The vehicle's items, their parts at any depth, and software running on any of them."""
    return item_tree(scenario, vehicle.items)


def item_tree(scenario: Scenario, roots: tuple[str, ...] | list[str]) -> list[VehicleItem]:
    """The items `roots`, their parts at any depth, and software running on any of them."""
    found: dict[str, VehicleItem] = {}

    def visit(item_id: str, within: tuple[Item, ...]) -> None:
        if item_id in found or any(outer.id == item_id for outer in within):
            return
        item = scenario.items[item_id]
        found[item_id] = VehicleItem(item, within)
        for part in item.contains:
            visit(part, within + (item,))

    for item_id in roots:
        visit(item_id, ())
    grew = True
    while grew:
        grew = False
        for item in scenario.items.values():
            if item.id not in found and item.runs_on in found:
                visit(item.id, ())
                grew = True
    return list(found.values())


def is_connected_vehicle(scenario: Scenario, vehicle: Vehicle, edition: Edition) -> Finding:
    name = f"{vehicle.make} {vehicle.model} MY{vehicle.model_year}"
    return all_of(
        f"{name} is a connected vehicle",
        f"{name} is not a connected vehicle",
        CITE,
        [
            _public_roads(vehicle, name),
            _weight(vehicle, name, edition),
            _connectivity(scenario, vehicle, name, edition),
        ],
    )


def is_completed(vehicle: Vehicle) -> Finding:
    name = f"{vehicle.make} {vehicle.model} MY{vehicle.model_year}"
    where = fact("vehicles", vehicle.id, "completed")
    if vehicle.completed is None:
        return Finding.unknown(
            reason(f"whether {name} is a completed vehicle is not known", None, CITE, [where]),
            missing(f"vehicles.{vehicle.id}.completed", f"Is {name} a completed vehicle (not an incomplete or multistage vehicle)?"),
        )
    if vehicle.completed:
        return Finding(True, reason(f"{name} is a completed vehicle", True, CITE, [where]))
    return Finding(False, reason(f"{name} is not a completed vehicle", False, CITE, [where]))


def has_ads(vehicle: Vehicle, edition: Edition) -> Finding:
    name = f"{vehicle.make} {vehicle.model} MY{vehicle.model_year}"
    if vehicle.ads_level is not None:
        level = edition.param("ads_min_sae_level")
        holds = vehicle.ads_level >= level.value
        words = "has" if holds else "has no"
        return Finding(holds, reason(
            f"{name} {words} an automated driving system: SAE level {vehicle.ads_level} (ADS from level {level.value})",
            holds, CITE, [fact("vehicles", vehicle.id, "ads_level")], [level]))
    if vehicle.ads is not None:
        words = "has" if vehicle.ads else "has no"
        return Finding(vehicle.ads, reason(f"{name} {words} an automated driving system", vehicle.ads, CITE, [fact("vehicles", vehicle.id, "ads")]))
    return Finding.unknown(
        reason(f"whether {name} has an automated driving system is not known", None, CITE, [fact("vehicles", vehicle.id, "ads")]),
        missing(f"vehicles.{vehicle.id}.ads", f"Does {name} have an automated driving system (SAE level 3 or above)?"),
    )


def _public_roads(vehicle: Vehicle, name: str) -> Finding:
    if vehicle.rail_only:
        return Finding(False, reason(f"{name} operates only on rails", False, CITE, [fact("vehicles", vehicle.id, "rail_only")]))
    where = fact("vehicles", vehicle.id, "public_roads")
    if vehicle.public_roads is None:
        return Finding.unknown(
            reason(f"whether {name} is made primarily for public roads is not known", None, CITE, [where]),
            missing(f"vehicles.{vehicle.id}.public_roads", f"Is {name} manufactured primarily for use on public streets, roads and highways?"),
        )
    if vehicle.public_roads:
        return Finding(True, reason(f"{name} is made primarily for public roads", True, CITE, [where]))
    return Finding(False, reason(f"{name} is not made primarily for public roads", False, CITE, [where]))


def _weight(vehicle: Vehicle, name: str, edition: Edition) -> Finding:
    where = fact("vehicles", vehicle.id, "gvwr_lbs")
    limit = edition.param("gvwr_limit_lbs")
    if vehicle.gvwr_lbs is None:
        return Finding.unknown(
            reason(f"the GVWR of {name} is not known", None, CITE, [where], [limit]),
            missing(f"vehicles.{vehicle.id}.gvwr_lbs", f"What is the gross vehicle weight rating of {name}?"),
        )
    within = vehicle.gvwr_lbs <= limit.value
    words = "at or under" if within else "over"
    says = f"{name} has a GVWR of {vehicle.gvwr_lbs:,.0f} lb, {words} the {limit.value:,.0f} lb limit"
    if not within:
        found = vehicle_class(vehicle, edition)
        if found.definition is not None:
            return Finding(True, reason(
                f"{says}, but a {found.name} vehicle ({found.definition.value.words()}), a class in scope",
                True, CITE, [where], [limit, found.definition]))
    return Finding(within, reason(says, within, CITE, [where], [limit]))


def _connectivity(scenario: Scenario, vehicle: Vehicle, name: str, edition: Edition) -> Finding:
    findings = [
        is_vcs_hardware(entry.item, edition, entry.within)
        for entry in vehicle_items(scenario, vehicle)
        if entry.item.is_hardware
    ]
    yes = [f for f in findings if f.value is True]
    if yes:
        return Finding(True, reason(f"{name} integrates VCS hardware that communicates by radio", True, CITE, because=[yes[0].reason]))
    unsure = [f for f in findings if f.value is None]
    if unsure:
        return Finding(None, reason(f"whether {name} has VCS hardware is not known", None, CITE, because=[f.reason for f in unsure]),
                       [gap for f in unsure for gap in f.missing])
    return Finding(False, reason(f"{name} has no VCS hardware: it does not communicate by radio over the threshold", False, CITE,
                                 [fact("vehicles", vehicle.id, "items")], because=[f.reason for f in findings]))
