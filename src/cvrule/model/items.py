"""Items: hardware and software, the roles parties play for them, and their parts."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, StrictBool

from cvrule.model._base import Id, Strict

__all__ = [
    "ROLES",
    "Installation",
    "Item",
    "ItemType",
    "RadioFunction",
    "SoftwareKind",
    "Update",
    "VehicleFunction",
]


class ItemType(StrEnum):
    hardware = "hardware"
    software = "software"


class RadioFunction(StrEnum):
    cellular = "cellular"
    wifi = "wifi"
    bluetooth = "bluetooth"
    satellite = "satellite"
    gnss = "gnss"
    v2x = "v2x"
    uwb = "uwb"
    nfc = "nfc"
    vehicle_access = "vehicle_access"
    tpms = "tpms"
    radar = "radar"
    lidar = "lidar"
    camera = "camera"
    audio = "audio"


class VehicleFunction(StrEnum):
    """What a piece of software enables at the vehicle level."""

    vcs = "vcs"
    ads = "ads"
    none = "none"


class SoftwareKind(StrEnum):
    application = "application"
    middleware = "middleware"
    system = "system"
    firmware = "firmware"


class Installation(StrEnum):
    oem = "oem"
    aftermarket = "aftermarket"


class Update(Strict):
    """A dated alteration of an item (an OTA update, a patch) by a party."""

    by: Id
    date: date


ROLES = ("designed_by", "developed_by", "manufactured_by", "supplied_by", "maintained_by")


class Item(Strict):
    """A hardware or software item of a vehicle's bill of materials."""

    id: Id
    type: ItemType
    name: str = Field(min_length=1)
    # hardware
    rf: tuple[RadioFunction, ...] | None = None
    max_rf_mhz: float | None = Field(default=None, ge=0)
    installation: Installation = Installation.oem
    passive: StrictBool | None = None
    model_year: int | None = Field(default=None, ge=1900, le=2200)
    contains: tuple[Id, ...] = ()
    # software
    runs_on: Id | None = None
    enables: tuple[VehicleFunction, ...] | None = None
    software_kind: SoftwareKind | None = None
    open_source: StrictBool | None = None
    modified_for_proprietary: StrictBool = False
    created: date | None = None
    # roles (791.302(a), 791.303(a), 791.1(a)(1))
    designed_by: tuple[Id, ...] = ()
    developed_by: tuple[Id, ...] = ()
    manufactured_by: tuple[Id, ...] = ()
    supplied_by: tuple[Id, ...] = ()
    maintained_by: tuple[Id, ...] = ()
    updates: tuple[Update, ...] = ()

    @property
    def is_hardware(self) -> bool:
        return self.type is ItemType.hardware

    def role_parties(self, role: str) -> tuple[Id, ...]:
        return getattr(self, role)
