"""15 CFR 791.308, Exemptions: the model-year and date thresholds before which the
prohibitions do not apply and no Declaration of Conformity is required.

(a) VCS hardware importers: (1) hardware not associated with a vehicle model year imported
before 2029-01-01; (2) hardware associated with a model year before 2030, imported as part of
a connected vehicle of a model year before 2030, or imported for repair or warranty of such a
vehicle. (b) Connected vehicle manufacturers: completed connected vehicles of a model year
before 2027 with covered software. (c) Linked connected vehicle manufacturers: model years
before 2027 (text read only in part; an interpretation). Each is an exception to its
prohibition: the prohibition is the rule, the exemption overrides it.
"""

from __future__ import annotations

from cvrule.law.findings import fact, reason
from cvrule.law.parameters import Edition
from cvrule.model import Item, Purpose, Reason, Transaction, Vehicle

__all__ = [
    "ads_service_exemption",
    "hardware_exemption",
    "sales_ban_exemption",
    "software_exemption",
    "vehicle_hardware_exemption",
]


def hardware_exemption(
    edition: Edition, txn: Transaction, item: Item, vehicle: Vehicle | None
) -> tuple[bool, Reason]:
    """791.308(a): whether this import of VCS hardware is exempt."""
    first_my = edition.param("hardware_prohibition_first_model_year")
    if vehicle is not None and vehicle.model_year < first_my.value:
        if txn.purpose in (Purpose.repair, Purpose.warranty) and txn.item is not None:
            return True, reason(
                f"the hardware is imported for {txn.purpose.value} of a connected vehicle of model year "
                f"{vehicle.model_year}, before {first_my.value}",
                True, "791.308(a)(2)", [fact("transactions", txn.id, "purpose"), fact("vehicles", vehicle.id, "model_year")], [first_my])
        return True, reason(
            f"the hardware is imported as part of a connected vehicle of model year {vehicle.model_year}, "
            f"before {first_my.value}",
            True, "791.308(a)(2)", [fact("vehicles", vehicle.id, "model_year")], [first_my])
    if item.model_year is not None:
        if item.model_year < first_my.value:
            return True, reason(
                f"{item.name} is associated with model year {item.model_year}, before {first_my.value}",
                True, "791.308(a)(2)", [fact("items", item.id, "model_year")], [first_my])
        return False, reason(
            f"{item.name} is associated with model year {item.model_year}, not before {first_my.value}: "
            "no 791.308(a) exemption",
            False, "791.308(a)(2)", [fact("items", item.id, "model_year")], [first_my])
    if vehicle is not None:
        return False, reason(
            f"{item.name} is for a vehicle of model year {vehicle.model_year}, not before {first_my.value}: "
            "no 791.308(a) exemption",
            False, "791.308(a)(2)", [fact("vehicles", vehicle.id, "model_year")], [first_my])
    from_date = edition.param("hardware_without_model_year_from")
    before = txn.date < from_date.value
    words = "before" if before else "on or after"
    return before, reason(
        f"{item.name} is not associated with a model year and is imported on {txn.date.isoformat()}, "
        f"{words} {from_date.value.isoformat()}",
        before, "791.308(a)(1)", [fact("items", item.id, "model_year"), fact("transactions", txn.id, "date")], [from_date])


def vehicle_hardware_exemption(edition: Edition, vehicle: Vehicle) -> tuple[bool, Reason]:
    """791.308(a)(2): VCS hardware imported as part of a connected vehicle before the first model year."""
    return _model_year_exemption(edition, vehicle, "hardware_prohibition_first_model_year", "791.308(a)(2)")


def _model_year_exemption(
    edition: Edition, vehicle: Vehicle, parameter: str, cite: str
) -> tuple[bool, Reason]:
    first_my = edition.param(parameter)
    before = vehicle.model_year < first_my.value
    words = "before" if before else "not before"
    tail = "" if before else ": no exemption"
    return before, reason(
        f"the {vehicle.make} {vehicle.model} is of model year {vehicle.model_year}, {words} {first_my.value}{tail}",
        before, cite, [fact("vehicles", vehicle.id, "model_year")], [first_my])


def software_exemption(edition: Edition, vehicle: Vehicle) -> tuple[bool, Reason]:
    """791.308(b): completed connected vehicles before the first covered-software model year."""
    return _model_year_exemption(edition, vehicle, "software_prohibition_first_model_year", "791.308(b)")


def sales_ban_exemption(edition: Edition, vehicle: Vehicle) -> tuple[bool, Reason]:
    """791.308(c): sales by linked manufacturers before the first sales-ban model year."""
    return _model_year_exemption(edition, vehicle, "sales_ban_first_model_year", "791.308(c)")


def ads_service_exemption(edition: Edition, vehicle: Vehicle) -> tuple[bool, Reason]:
    """791.304 second sentence: start model year of the ADS commercial services ban (interpretation)."""
    return _model_year_exemption(edition, vehicle, "ads_service_ban_first_model_year", "791.308(c)")

