"""Who an item is "designed, developed, manufactured, or supplied by" (791.302(a), 791.303(a)),
including whoever operates, maintains, repairs, updates or services it (791.1(a)(1)).

An item has a PRC/Russia nexus when any party in one of these roles is linked; it is cleared
only when every such party is known not to be linked and the roles the diligence policy
requires (`roles_required_to_clear`) are known.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cvrule.law.context import Context
from cvrule.law.findings import fact, missing, reason
from cvrule.law.s791_301.persons import Linkage
from cvrule.model import ROLES, FactRef, Item, MissingFact, Reason

__all__ = ["ItemNexus", "item_nexus", "role_parties"]

_ROLE_WORDS = {
    "designed_by": "designed by",
    "developed_by": "developed by",
    "manufactured_by": "manufactured by",
    "supplied_by": "supplied by",
    "maintained_by": "maintained by",
}
_ROLE_CITE = {"maintained_by": "791.1(a)(1)"}


@dataclass(frozen=True)
class RoleParty:
    party: str
    words: str
    where: FactRef
    cite: str | None


@dataclass
class ItemNexus:
    linkage: Linkage
    reason: Reason
    missing: list[MissingFact] = field(default_factory=list)
    linked_parties: list[str] = field(default_factory=list)
    foreign: bool | None = False
    """Whether a non-US party (or one of unknown country) plays a role for the item."""


def role_parties(item: Item, ctx: Context) -> list[RoleParty]:
    found = []
    for role in ROLES:
        for j, party in enumerate(item.role_parties(role)):
            found.append(RoleParty(party, _ROLE_WORDS[role], fact("items", item.id, role, j), _ROLE_CITE.get(role)))
    for j, update in enumerate(item.updates):
        if update.date <= ctx.day:
            found.append(RoleParty(update.by, f"updated on {update.date.isoformat()} by", fact("items", item.id, "updates", j), "791.1(a)(1)"))
    return found


def item_nexus(item: Item, ctx: Context, cite: str) -> ItemNexus:
    roles = role_parties(item, ctx)
    home = ctx.edition.param("home_jurisdiction")
    countries = [ctx.scenario.parties[r.party].country for r in roles]
    foreign: bool | None = False
    if any(c is not None and c != home.value for c in countries):
        foreign = True
    elif any(c is None for c in countries):
        foreign = None

    linked = [r for r in roles if ctx.persons.linkage(r.party) is Linkage.linked]
    if linked:
        because = [_role_reason(item, r, ctx, True, cite) for r in linked]
        parties = list(dict.fromkeys(r.party for r in linked))
        return ItemNexus(
            Linkage.linked,
            reason(f"{item.name} has a PRC/Russia nexus", True, cite, because=because),
            linked_parties=parties,
            foreign=foreign,
        )
    unsure = [r for r in roles if ctx.persons.linkage(r.party) is Linkage.indeterminate]
    gaps: list[MissingFact] = []
    because = [_role_reason(item, r, ctx, None, cite) for r in unsure]
    for r in unsure:
        gaps.extend(ctx.persons.status(r.party).missing)
    required = ctx.edition.param("roles_required_to_clear")
    for group in required.value.get(item.type.value, ()):
        if not any(item.role_parties(role) for role in group):
            verbs = " or ".join(_ROLE_WORDS[role].removesuffix(" by") for role in group)
            because.append(reason(f"nobody is known to have {verbs} {item.name}", None, cite,
                                  [fact("items", item.id, group[0])], [required]))
            gaps.append(missing(f"items.{item.id}.{group[0]}", f"Who {verbs} {item.name}?"))
    if because:
        return ItemNexus(
            Linkage.indeterminate,
            reason(f"whether {item.name} has a PRC/Russia nexus cannot be told", None, cite, because=because),
            _unique(gaps),
            foreign=foreign,
        )
    cleared = [_role_reason(item, r, ctx, False, cite) for r in roles]
    return ItemNexus(
        Linkage.not_linked,
        reason(f"no party that designed, developed, manufactured, supplied or maintains {item.name} is linked", False, cite, because=cleared),
        foreign=foreign,
    )


def _role_reason(item: Item, role: RoleParty, ctx: Context, holds: bool | None, cite: str) -> Reason:
    status = ctx.persons.status(role.party)
    because = [status.reason]
    if holds is False:
        note = ctx.persons.employment_note(role.party)
        if note is not None and note not in status.reason.because:
            because.append(note)
    return reason(
        f"{item.name} is {role.words} {ctx.party_name(role.party)}",
        holds,
        role.cite or cite,
        [role.where],
        because=because,
    )


def _unique(gaps: list[MissingFact]) -> list[MissingFact]:
    seen: dict[str, MissingFact] = {}
    for gap in gaps:
        seen.setdefault(gap.fact + "\0" + gap.question, gap)
    return list(seen.values())
