"""What one prohibition says about one transaction, and how several are combined."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cvrule.law.attribution import item_nexus, role_parties
from cvrule.law.context import Context
from cvrule.law.findings import Finding, reason
from cvrule.law.s791_301.persons import Linkage
from cvrule.model import Item, MissingFact, Outcome, Reason

__all__ = ["Prong", "cfr_order", "judge_items", "unless_exempt", "worst"]

# The order in which prongs' outcomes prevail when a transaction meets several prohibitions.
_PRECEDENCE = [Outcome.prohibited, Outcome.indeterminate, Outcome.allowed, Outcome.exempt, Outcome.out_of_scope]


@dataclass
class Prong:
    """The result of applying one prohibition (with its exemption) to a transaction."""

    prohibition: str
    outcome: Outcome
    reason: Reason
    cites: list[str]
    missing: list[MissingFact] = field(default_factory=list)
    implicated: list[str] = field(default_factory=list)
    """Role parties that are or may be linked and so cause the prohibition."""
    items_cleared_by_supplier_list: bool = True
    """Whether an approved supplier listing of the implicated parties can authorize it (GA 3)."""
    foreign: bool | None = False


def worst(outcomes: list[Outcome]) -> Outcome:
    return min(outcomes, key=_PRECEDENCE.index)


def cfr_order(cite: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.()]+", cite) if p)


def judge_items(
    ctx: Context, prohibition: str, subject: str, pairs: list[tuple[Item, Finding]]
) -> Prong:
    """Apply a prohibition to items: prohibited when a covered item has a linked role party."""
    prohibited, unsure, gaps, implicated, set_aside = [], [], [], [], []
    foreign: bool | None = False
    for item, covered in pairs:
        nexus = item_nexus(item, ctx, prohibition)
        if covered.value is False:
            if nexus.linkage is not Linkage.not_linked:
                set_aside.append(reason(f"{item.name} is not {subject}, so its PRC/Russia ties do not matter here",
                                        False, prohibition, because=[covered.reason, nexus.reason]))
            continue
        if nexus.foreign is True:
            foreign = True
        elif nexus.foreign is None and foreign is False:
            foreign = None
        if nexus.linkage is Linkage.not_linked:
            continue
        step = reason(f"{item.name}", covered.value and (True if nexus.linkage is Linkage.linked else None),
                      prohibition, because=[covered.reason, nexus.reason])
        if covered.value is True and nexus.linkage is Linkage.linked:
            step.says = f"{item.name} is {subject} with a PRC/Russia nexus"
            prohibited.append(step)
            implicated.extend(nexus.linked_parties)
        else:
            step.holds = None
            step.says = f"{item.name} may be {subject} with a PRC/Russia nexus"
            unsure.append(step)
            gaps.extend(covered.missing + nexus.missing)
            implicated.extend(p for p in _unsure_parties(item, ctx))
    if prohibited:
        return Prong(prohibition, Outcome.prohibited,
                     reason(f"{subject} with a PRC/Russia nexus is involved", True, prohibition, because=prohibited + unsure + set_aside),
                     [prohibition], gaps, list(dict.fromkeys(implicated)), foreign=foreign)
    if unsure:
        return Prong(prohibition, Outcome.indeterminate,
                     reason(f"whether {subject} with a PRC/Russia nexus is involved cannot be told", None, prohibition, because=unsure + set_aside),
                     [prohibition], gaps, list(dict.fromkeys(implicated)), foreign=foreign)
    examined = [c.reason for _, c in pairs if c.value is not False] + set_aside
    return Prong(prohibition, Outcome.allowed,
                 reason(f"no {subject} with a PRC/Russia nexus is involved", False, prohibition,
                        because=examined or [reason(f"there is no {subject}", False, prohibition)]),
                 [prohibition], foreign=foreign)


def unless_exempt(prong: Prong, exemption: Finding) -> Prong:
    """The prong judged without its exemption, given why the exemption does not (or may not) apply.

    When whether the exemption applies is unknown, an outcome the exemption would replace
    (prohibited or allowed, where it would be exempt) is indeterminate.
    """
    prong.reason.because.append(exemption.reason)
    if exemption.value is None and prong.outcome in (Outcome.prohibited, Outcome.allowed):
        prong.outcome = Outcome.indeterminate
        prong.reason.holds = None
        prong.missing.extend(exemption.missing)
    return prong


def _unsure_parties(item: Item, ctx: Context) -> list[str]:
    return [r.party for r in role_parties(item, ctx) if ctx.persons.linkage(r.party) is not Linkage.not_linked]
