"""15 CFR 791.301: covered software and its exclusions.

Covered software is software-based components, including application, middleware and system
software, executed by the primary processing unit of an item that directly enables a VCS or
ADS function at the vehicle level. Excluded: firmware (programmed to control, configure and
communicate with a hardware device; operating systems and system software are not firmware),
open-source software not modified for proprietary purposes, and legacy software designed,
developed or supplied before the cut-off and not altered afterwards by a linked person.
"""

from __future__ import annotations

from datetime import date

from cvrule.law.findings import Finding, all_of, fact, missing, reason
from cvrule.law.parameters import Edition
from cvrule.law.s791_301.persons import Linkage, Persons
from cvrule.model import Installation, Item, VehicleFunction

__all__ = ["is_covered_software"]

CITE = "791.301"


def is_covered_software(
    item: Item, edition: Edition, persons: Persons, day: date, vehicle_has_ads: Finding | None
) -> Finding:
    if item.is_hardware:
        return Finding(False, reason(f"{item.name} is hardware, not software", False, CITE))
    if item.installation is Installation.aftermarket:
        aftermarket = edition.param("aftermarket_items_in_scope")
        if not aftermarket.value:
            return Finding(
                False,
                reason(f"{item.name} is aftermarket software, outside covered software", False, CITE,
                       [fact("items", item.id, "installation")], [aftermarket]),
            )
    return all_of(
        f"{item.name} is covered software",
        f"{item.name} is not covered software",
        CITE,
        [
            _enables(item, vehicle_has_ads),
            _not_firmware(item, edition),
            _not_open_source(item, edition),
            _not_legacy(item, edition, persons, day),
        ],
    )


def _enables(item: Item, vehicle_has_ads: Finding | None) -> Finding:
    where = fact("items", item.id, "enables")
    if item.enables is None:
        return Finding.unknown(
            reason(f"what {item.name} enables at the vehicle level is not known", None, CITE, [where]),
            missing(f"items.{item.id}.enables", f"Does {item.name} enable a connectivity (VCS) or automated driving (ADS) function?"),
        )
    if VehicleFunction.vcs in item.enables:
        return Finding(True, reason(f"{item.name} enables a vehicle connectivity system function", True, CITE, [where]))
    if VehicleFunction.ads in item.enables:
        if vehicle_has_ads is None:
            return Finding(True, reason(f"{item.name} enables an automated driving system function", True, CITE, [where]))
        if vehicle_has_ads.value is True:
            return Finding(True, reason(f"{item.name} enables the vehicle's automated driving system", True, CITE, [where], because=[vehicle_has_ads.reason]))
        if vehicle_has_ads.value is False:
            return Finding(False, reason(
                f"{item.name} serves driving automation, but the vehicle has no automated driving system",
                False, CITE, [where], because=[vehicle_has_ads.reason]))
        return Finding(None, reason(f"{item.name} serves driving automation; whether the vehicle has an ADS is not known",
                                    None, CITE, [where], because=[vehicle_has_ads.reason]), vehicle_has_ads.missing)
    return Finding(False, reason(f"{item.name} enables no VCS or ADS function", False, CITE, [where]))


def _not_firmware(item: Item, edition: Edition) -> Finding:
    where = fact("items", item.id, "software_kind")
    if item.software_kind is None:
        return Finding.unknown(
            reason(f"whether {item.name} is firmware is not known", None, CITE, [where]),
            missing(f"items.{item.id}.software_kind", f"Is {item.name} application, middleware, system software or firmware?"),
        )
    kinds = edition.param("firmware_software_kinds")
    if item.software_kind.value in kinds.value:
        return Finding(False, reason(f"{item.name} is firmware, which is not covered software", False, CITE, [where], [kinds]))
    return Finding(True, reason(f"{item.name} is {item.software_kind.value} software, not firmware", True, CITE, [where], [kinds]))


def _not_open_source(item: Item, edition: Edition) -> Finding:
    where = fact("items", item.id, "open_source")
    if item.open_source is None:
        return Finding.unknown(
            reason(f"whether {item.name} is open-source software is not known", None, CITE, [where]),
            missing(f"items.{item.id}.open_source", f"Is {item.name} open-source software, and was it modified for proprietary purposes?"),
        )
    if not item.open_source:
        return Finding(True, reason(f"{item.name} is not open-source software", True, CITE, [where]))
    excluded = edition.param("open_source_excluded")
    modified = fact("items", item.id, "modified_for_proprietary")
    if item.modified_for_proprietary:
        return Finding(True, reason(f"{item.name} is open source modified for proprietary purposes, so not excluded", True, CITE, [where, modified], [excluded]))
    if excluded.value:
        return Finding(False, reason(f"{item.name} is open-source software not modified for proprietary purposes", False, CITE, [where, modified], [excluded]))
    return Finding(True, reason(f"open-source software is not excluded under the parameters in force", True, CITE, [where], [excluded]))


def _not_legacy(item: Item, edition: Edition, persons: Persons, day: date) -> Finding:
    cutoff = edition.param("legacy_software_cutoff")
    where = fact("items", item.id, "created")
    if item.created is None:
        return Finding.unknown(
            reason(f"when {item.name} was designed or developed is not known", None, CITE, [where], [cutoff]),
            missing(f"items.{item.id}.created", f"When was {item.name} designed or developed (before {cutoff.value.isoformat()} it may be legacy software)?"),
        )
    if item.created >= cutoff.value:
        return Finding(True, reason(
            f"{item.name} was created on {item.created.isoformat()}, on or after the legacy cut-off of {cutoff.value.isoformat()}",
            True, CITE, [where], [cutoff]))
    alterations = [
        (i, update) for i, update in enumerate(item.updates) if cutoff.value <= update.date <= day
    ]
    linked = [(i, u) for i, u in alterations if persons.linkage(u.by) is Linkage.linked]
    if linked:
        i, update = linked[0]
        return Finding(True, reason(
            f"{item.name} predates the legacy cut-off but was altered on {update.date.isoformat()} by a linked person",
            True, "791.1(a)(1)", [where, fact("items", item.id, "updates", i)], [cutoff],
            because=[persons.status(update.by).reason]))
    unsure = [(i, u) for i, u in alterations if persons.linkage(u.by) is Linkage.indeterminate]
    if unsure:
        i, update = unsure[0]
        status = persons.status(update.by)
        return Finding(None, reason(
            f"{item.name} predates the legacy cut-off but was altered on {update.date.isoformat()} by a party whose status is unknown",
            None, CITE, [where, fact("items", item.id, "updates", i)], [cutoff], because=[status.reason]), status.missing)
    return Finding(False, reason(
        f"{item.name} is legacy software: created on {item.created.isoformat()}, before {cutoff.value.isoformat()}, "
        "and not altered since by a linked person",
        False, CITE, [where], [cutoff]))
