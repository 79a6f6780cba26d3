"""15 CFR 791.302, Prohibited VCS hardware transactions.

(a) VCS hardware importers may not knowingly import into the United States VCS hardware
designed, developed, manufactured or supplied by persons owned by, controlled by, or subject to
the jurisdiction or direction of the PRC or Russia. A connected vehicle manufacturer importing a
vehicle with VCS hardware installed imports that hardware too. (b) The citizenship of employees
or contractors alone does not establish the nexus. Exemptions: 791.308(a).
"""

from __future__ import annotations

from cvrule.law.context import Context
from cvrule.law.findings import reason
from cvrule.law.prohibition import Prong, judge_items, unless_exempt
from cvrule.law.s791_301.vcs import is_vcs_hardware
from cvrule.law.s791_301.vehicles import item_tree, vehicle_items
from cvrule.law.s791_308 import hardware_exemption, vehicle_hardware_exemption
from cvrule.model import Outcome, Transaction, Vehicle

__all__ = ["vcs_hardware_import", "vcs_hardware_in_vehicle_import"]

CITE = "791.302(a)"
SUBJECT = "VCS hardware"


def vcs_hardware_import(ctx: Context, txn: Transaction) -> Prong:
    """An import of VCS hardware on its own (or installed in `in_vehicle`)."""
    item = ctx.scenario.items[txn.item]
    vehicle = ctx.scenario.vehicles[txn.in_vehicle] if txn.in_vehicle else None
    entries = [e for e in item_tree(ctx.scenario, (item.id,)) if e.item.is_hardware]
    findings = [(e.item, is_vcs_hardware(e.item, ctx.edition, e.within)) for e in entries]
    root = findings[0][1]
    if root.value is False and not any(f.value for _, f in findings[1:]):
        return Prong(CITE, Outcome.out_of_scope,
                     reason(f"{item.name} is not VCS hardware, so its import is not a 791.302 transaction", False, "791.301", because=[root.reason]),
                     ["791.301"])
    if root.value is None and not any(f.value for _, f in findings[1:]):
        return Prong(CITE, Outcome.indeterminate,
                     reason(f"whether {item.name} is VCS hardware cannot be told", None, "791.301", because=[root.reason]),
                     ["791.301", CITE], root.missing)
    exemption = hardware_exemption(ctx.edition, txn, item, vehicle)
    if exemption.value:
        why = exemption.reason
        return Prong(CITE, Outcome.exempt, reason("the import is exempt from 791.302(a)", True, why.cite, because=[why]), [CITE, why.cite])
    return unless_exempt(judge_items(ctx, CITE, SUBJECT, findings), exemption)


def vcs_hardware_in_vehicle_import(ctx: Context, txn: Transaction, vehicle: Vehicle) -> Prong:
    """The VCS hardware installed in a connected vehicle being imported."""
    entries = [e for e in vehicle_items(ctx.scenario, vehicle) if e.item.is_hardware]
    findings = [(e.item, is_vcs_hardware(e.item, ctx.edition, e.within)) for e in entries]
    exemption = vehicle_hardware_exemption(ctx.edition, vehicle)
    if exemption.value:
        why = exemption.reason
        return Prong(CITE, Outcome.exempt,
                     reason("the VCS hardware in the vehicle is exempt from 791.302(a)", True, why.cite, because=[why]),
                     [CITE, why.cite])
    return unless_exempt(judge_items(ctx, CITE, SUBJECT, findings), exemption)
