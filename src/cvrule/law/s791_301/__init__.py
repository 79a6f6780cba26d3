"""15 CFR 791.301, Definitions: the classifiers for vehicles, VCS, VCS hardware, ADS, covered
software, and persons owned by, controlled by or subject to the jurisdiction or direction of the
PRC or Russia."""

from cvrule.law.s791_301.persons import Linkage, PartyStatus, Persons
from cvrule.law.s791_301.software import is_covered_software
from cvrule.law.s791_301.vcs import has_vcs_function, is_vcs_hardware
from cvrule.law.s791_301.vehicles import VehicleItem, has_ads, is_completed, is_connected_vehicle, item_tree, vehicle_items

__all__ = [
    "Linkage",
    "PartyStatus",
    "Persons",
    "VehicleItem",
    "has_ads",
    "has_vcs_function",
    "is_completed",
    "is_connected_vehicle",
    "is_covered_software",
    "is_vcs_hardware",
    "item_tree",
    "vehicle_items",
]
