"""15 CFR 791.304, Related prohibited transactions.

Connected vehicle manufacturers owned by, controlled by, or subject to the jurisdiction or
direction of the PRC or Russia may not knowingly sell in the United States completed connected
vehicles that incorporate VCS hardware or covered software, whatever the nexus of those
components; nor offer commercial services in the United States that use completed connected
vehicles incorporating an ADS. Exemption: 791.308(c) (model year, an interpretation).
"""

from __future__ import annotations

from cvrule.law.context import Context
from cvrule.law.findings import Finding, reason
from cvrule.law.prohibition import Prong, unless_exempt
from cvrule.law.s791_301.persons import Linkage
from cvrule.law.s791_301.vehicles import has_ads
from cvrule.law.s791_308 import ads_service_exemption, sales_ban_exemption
from cvrule.model import Outcome, Transaction, Vehicle

__all__ = ["ads_commercial_service_ban", "linked_manufacturer_sales_ban"]

CITE = "791.304"


def linked_manufacturer_sales_ban(ctx: Context, txn: Transaction, vehicle: Vehicle) -> Prong:
    exemption = sales_ban_exemption(ctx.edition, vehicle)
    if exemption.value:
        why = exemption.reason
        return Prong(CITE, Outcome.exempt, reason("the sale is exempt from 791.304", True, why.cite, because=[why]), [CITE, why.cite],
                     items_cleared_by_supplier_list=False)
    return _manufacturer_nexus(ctx, txn, vehicle, "selling", exemption)


def ads_commercial_service_ban(ctx: Context, txn: Transaction, vehicle: Vehicle) -> Prong:
    ads = has_ads(vehicle, ctx.edition)
    if ads.value is False:
        return Prong(CITE, Outcome.out_of_scope,
                     reason("the vehicle has no automated driving system, so the service is outside 791.304", False, "791.301", because=[ads.reason]),
                     ["791.301"], items_cleared_by_supplier_list=False)
    exemption = ads_service_exemption(ctx.edition, vehicle)
    if exemption.value:
        why = exemption.reason
        return Prong(CITE, Outcome.exempt, reason("the service is exempt from 791.304", True, why.cite, because=[why]), [CITE, why.cite],
                     items_cleared_by_supplier_list=False)
    prong = _manufacturer_nexus(ctx, txn, vehicle, "offering commercial services with", exemption)
    if ads.value is None and prong.outcome is Outcome.prohibited:
        prong.outcome = Outcome.indeterminate
        prong.reason.holds = None
        prong.missing.extend(ads.missing)
    prong.reason.because.insert(0, ads.reason)
    return prong


def _manufacturer_nexus(ctx: Context, txn: Transaction, vehicle: Vehicle, act: str, exemption: Finding) -> Prong:
    return unless_exempt(_nexus_of_manufacturer(ctx, txn, vehicle, act), exemption)


def _nexus_of_manufacturer(ctx: Context, txn: Transaction, vehicle: Vehicle, act: str) -> Prong:
    parties = list(dict.fromkeys([txn.actor, vehicle.manufacturer]))
    statuses = [ctx.persons.status(p) for p in parties]
    linked = [s for s in statuses if s.linkage is Linkage.linked]
    unsure = [s for s in statuses if s.linkage is Linkage.indeterminate]
    vehicle_words = f"{vehicle.make} {vehicle.model} MY{vehicle.model_year}"
    if linked:
        return Prong(CITE, Outcome.prohibited,
                     reason(f"a connected vehicle manufacturer linked to the PRC or Russia is {act} {vehicle_words}",
                            True, CITE, because=[s.reason for s in linked]),
                     [CITE], implicated=[s.party for s in linked], items_cleared_by_supplier_list=False,
                     foreign=True)
    if unsure:
        return Prong(CITE, Outcome.indeterminate,
                     reason(f"whether the manufacturer {act} {vehicle_words} is linked to the PRC or Russia cannot be told",
                            None, CITE, because=[s.reason for s in unsure]),
                     [CITE], [g for s in unsure for g in s.missing], [s.party for s in unsure],
                     items_cleared_by_supplier_list=False)
    return Prong(CITE, Outcome.allowed,
                 reason(f"neither the seller nor the manufacturer of {vehicle_words} is linked to the PRC or Russia",
                        False, CITE, because=[s.reason for s in statuses]),
                 [CITE], items_cleared_by_supplier_list=False)
