"""15 CFR 791.308, Exemptions: the model-year and date thresholds before which the
prohibitions do not apply and no Declaration of Conformity is required.

(a) VCS hardware importers: (1) hardware not associated with a vehicle model year imported
before 2029-01-01; (2) hardware associated with a model year before 2030, imported as part of
a connected vehicle of a model year before 2030, or imported for repair or warranty of such a
vehicle. (b) Connected vehicle manufacturers: completed connected vehicles of a model year
before 2027 with covered software. (c) Linked connected vehicle manufacturers: model years
before 2027 (text read only in part; an interpretation). Each is an exception to its
prohibition: the prohibition is the rule, the exemption overrides it.

The model-year thresholds are read for the vehicle's class (791.301, by GVWR): a class with
thresholds of its own (a later commercial-vehicle rule, say) is judged by them, every other
vehicle by the thresholds for all classes. When the GVWR is not known and the classes'
thresholds would decide differently, the exemption is unknown.
"""

from __future__ import annotations

from collections.abc import Callable

from cvrule.law.findings import Finding, fact, missing, reason
from cvrule.law.parameters import Edition, Param
from cvrule.law.s791_301.vehicles import vehicle_class
from cvrule.model import Item, Purpose, Reason, Transaction, Vehicle

__all__ = [
    "ads_service_exemption",
    "hardware_exemption",
    "sales_ban_exemption",
    "software_exemption",
    "vehicle_hardware_exemption",
]

Judge = Callable[[Param, str], tuple[bool, Reason]]
"""Whether an exemption holds under one threshold; the text says which vehicles it is for."""


def hardware_exemption(
    edition: Edition, txn: Transaction, item: Item, vehicle: Vehicle | None
) -> Finding:
    """791.308(a): whether this import of VCS hardware is exempt."""

    def judge(first_my: Param, of_class: str) -> tuple[bool, Reason]:
        first = f"{first_my.value}{of_class}"
        if vehicle is not None and vehicle.model_year < first_my.value:
            if txn.purpose in (Purpose.repair, Purpose.warranty) and txn.item is not None:
                return True, reason(
                    f"the hardware is imported for {txn.purpose.value} of a connected vehicle of model year "
                    f"{vehicle.model_year}, before {first}",
                    True, "791.308(a)(2)", [fact("transactions", txn.id, "purpose"), fact("vehicles", vehicle.id, "model_year")], [first_my])
            return True, reason(
                f"the hardware is imported as part of a connected vehicle of model year {vehicle.model_year}, "
                f"before {first}",
                True, "791.308(a)(2)", [fact("vehicles", vehicle.id, "model_year")], [first_my])
        if item.model_year is not None:
            if item.model_year < first_my.value:
                return True, reason(
                    f"{item.name} is associated with model year {item.model_year}, before {first}",
                    True, "791.308(a)(2)", [fact("items", item.id, "model_year")], [first_my])
            return False, reason(
                f"{item.name} is associated with model year {item.model_year}, not before {first}: "
                "no 791.308(a) exemption",
                False, "791.308(a)(2)", [fact("items", item.id, "model_year")], [first_my])
        if vehicle is not None:
            return False, reason(
                f"{item.name} is for a vehicle of model year {vehicle.model_year}, not before {first}: "
                "no 791.308(a) exemption",
                False, "791.308(a)(2)", [fact("vehicles", vehicle.id, "model_year")], [first_my])
        from_date = edition.param("hardware_without_model_year_from")
        before = txn.date < from_date.value
        words = "before" if before else "on or after"
        return before, reason(
            f"{item.name} is not associated with a model year and is imported on {txn.date.isoformat()}, "
            f"{words} {from_date.value.isoformat()}",
            before, "791.308(a)(1)", [fact("items", item.id, "model_year"), fact("transactions", txn.id, "date")], [from_date])

    return _by_vehicle_class(edition, vehicle, "hardware_prohibition_first_model_year", "791.308(a)", judge)


def vehicle_hardware_exemption(edition: Edition, vehicle: Vehicle) -> Finding:
    """791.308(a)(2): VCS hardware imported as part of a connected vehicle before the first model year."""
    return _model_year_exemption(edition, vehicle, "hardware_prohibition_first_model_year", "791.308(a)(2)")


def software_exemption(edition: Edition, vehicle: Vehicle) -> Finding:
    """791.308(b): completed connected vehicles before the first covered-software model year."""
    return _model_year_exemption(edition, vehicle, "software_prohibition_first_model_year", "791.308(b)")


def sales_ban_exemption(edition: Edition, vehicle: Vehicle) -> Finding:
    """791.308(c): sales by linked manufacturers before the first sales-ban model year."""
    return _model_year_exemption(edition, vehicle, "sales_ban_first_model_year", "791.308(c)")


def ads_service_exemption(edition: Edition, vehicle: Vehicle) -> Finding:
    """791.304 second sentence: start model year of the ADS commercial services ban (interpretation)."""
    return _model_year_exemption(edition, vehicle, "ads_service_ban_first_model_year", "791.308(c)")


def _model_year_exemption(edition: Edition, vehicle: Vehicle, parameter: str, cite: str) -> Finding:
    def judge(first_my: Param, of_class: str) -> tuple[bool, Reason]:
        before = vehicle.model_year < first_my.value
        words = "before" if before else "not before"
        tail = "" if before else ": no exemption"
        return before, reason(
            f"the {vehicle.make} {vehicle.model} is of model year {vehicle.model_year}, {words} {first_my.value}{of_class}{tail}",
            before, cite, [fact("vehicles", vehicle.id, "model_year")], [first_my])

    return _by_vehicle_class(edition, vehicle, parameter, cite, judge)


def _by_vehicle_class(edition: Edition, vehicle: Vehicle | None, parameter: str, cite: str, judge: Judge) -> Finding:
    """The exemption judged by the threshold for the vehicle's class (without a vehicle: for all classes)."""
    if vehicle is None:
        return Finding(*judge(edition.param(parameter), ""))
    found = vehicle_class(vehicle, edition)
    if found.known:
        threshold = edition.param(parameter, found.name)
        exempt, why = judge(threshold, _for_class(threshold))
        if threshold.vehicle_class is not None and found.reason is not None:
            why.because.append(found.reason)
        return Finding(exempt, why)
    thresholds = {p.label: p for p in [edition.param(parameter)]
                  + [edition.param(parameter, c.vehicle_class) for c in found.candidates]}
    judged = [(threshold, *judge(threshold, _for_class(threshold))) for threshold in thresholds.values()]
    if len({exempt for _, exempt, _ in judged}) == 1:
        _, exempt, why = judged[0]  # the threshold for all classes: the same answer for every class
        return Finding(exempt, why)
    name = f"{vehicle.make} {vehicle.model} MY{vehicle.model_year}"
    because = [found.reason] if found.reason is not None else []
    return Finding.unknown(
        reason(f"whether {name} is exempt cannot be told: its GVWR is not known, and the first model year differs by vehicle class",
               None, cite, [fact("vehicles", vehicle.id, "gvwr_lbs"), fact("vehicles", vehicle.id, "model_year")],
               [threshold for threshold, _, _ in judged], because + [why for _, _, why in judged]),
        missing(f"vehicles.{vehicle.id}.gvwr_lbs", f"What is the gross vehicle weight rating of {name}?"),
    )


def _for_class(threshold: Param) -> str:
    return "" if threshold.vehicle_class is None else f" for {threshold.vehicle_class} vehicles"
