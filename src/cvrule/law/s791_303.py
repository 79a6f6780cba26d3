"""15 CFR 791.303, Prohibited covered software transactions.

(a) Connected vehicle manufacturers may not knowingly import into the United States completed
connected vehicles that incorporate covered software designed, developed, manufactured or
supplied by persons owned by, controlled by, or subject to the jurisdiction or direction of the
PRC or Russia; (b) nor knowingly sell such vehicles within the United States. (c) The
citizenship of employees or contractors alone does not establish the nexus. Exemption:
791.308(b), vehicles before model year 2027.
"""

from __future__ import annotations

from cvrule.law.context import Context
from cvrule.law.findings import reason
from cvrule.law.prohibition import Prong, judge_items, unless_exempt
from cvrule.law.s791_301.software import is_covered_software
from cvrule.law.s791_301.vehicles import has_ads, is_completed, vehicle_items
from cvrule.law.s791_308 import software_exemption
from cvrule.model import Outcome, Vehicle

__all__ = ["covered_software_import", "covered_software_sale"]

SUBJECT = "covered software"


def covered_software_import(ctx: Context, vehicle: Vehicle) -> Prong:
    """791.303(a): importing a completed connected vehicle with covered software."""
    return _covered_software(ctx, vehicle, "791.303(a)")


def covered_software_sale(ctx: Context, vehicle: Vehicle) -> Prong:
    """791.303(b): selling a completed connected vehicle with covered software."""
    return _covered_software(ctx, vehicle, "791.303(b)")


def _covered_software(ctx: Context, vehicle: Vehicle, cite: str) -> Prong:
    completed = is_completed(vehicle)
    if completed.value is False:
        return Prong(cite, Outcome.out_of_scope,
                     reason(f"{cite} reaches only completed connected vehicles", False, "791.301", because=[completed.reason]),
                     ["791.301"])
    exemption = software_exemption(ctx.edition, vehicle)
    if exemption.value:
        why = exemption.reason
        return Prong(cite, Outcome.exempt,
                     reason(f"the vehicle is exempt from {cite}", True, why.cite, because=[why]), [cite, why.cite])
    ads = has_ads(vehicle, ctx.edition)
    software = [e.item for e in vehicle_items(ctx.scenario, vehicle) if not e.item.is_hardware]
    pairs = [(item, is_covered_software(item, ctx.edition, ctx.persons, ctx.day, ads)) for item in software]
    prong = unless_exempt(judge_items(ctx, cite, SUBJECT, pairs), exemption)
    if completed.value is None and prong.outcome is Outcome.prohibited:
        prong.outcome = Outcome.indeterminate
        prong.reason.holds = None
        prong.reason.because.insert(0, completed.reason)
        prong.missing.extend(completed.missing)
    return prong
