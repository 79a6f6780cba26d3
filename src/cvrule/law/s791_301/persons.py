"""15 CFR 791.301: "person owned by, controlled by, or subject to the jurisdiction or direction
of" the PRC or Russia, the reference semantics for small cases.

A party is linked by jurisdiction (a covered government; an organization organized,
headquartered or with its principal place of business in a covered jurisdiction), as an
individual (a citizen or resident of one who is not a US permanent resident), through a
majority of its voting interest held by linked parties directly or through entities they
control, through a dominant minority or control indicators (engine policy in
`parameters/persons.yaml`), or as agent of or at the direction of a linked party. The
citizenship of employees never links on its own (791.302(b), 791.303(c)).

Status is three-valued. The linked set is the least fixpoint when parties of unknown status are
taken as not linked; the possibly-linked set is the least fixpoint when they are taken as
linked and review-level stakes and control count. Linked = the first; indeterminate = the
second less the first; everyone else is not linked. Cycles of holdings need no special case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from cvrule.law.findings import fact, missing, reason
from cvrule.law.parameters import Edition
from cvrule.model import MissingFact, Party, PartyKind, Reason, Scenario

__all__ = ["Linkage", "PartyStatus", "Persons"]

CITE = "791.301"


class Linkage(StrEnum):
    linked = "linked"
    not_linked = "not_linked"
    indeterminate = "indeterminate"


@dataclass
class PartyStatus:
    party: str
    linkage: Linkage
    reason: Reason
    missing: list[MissingFact] = field(default_factory=list)


@dataclass
class _Stake:
    """What one holder holds in one party on the evaluation date: a share range and its edges."""

    holder: str
    low: float = 0.0
    high: float = 0.0
    edges: list[int] = field(default_factory=list)
    gaps: list[MissingFact] = field(default_factory=list)


@dataclass
class _Basis:
    """Why a party entered a fixpoint set: the words, the facts, and the parties it rests on."""

    says: str
    facts: list = field(default_factory=list)
    params: list = field(default_factory=list)
    via: list[str] = field(default_factory=list)
    gaps: list[MissingFact] = field(default_factory=list)
    question: MissingFact | None = None


class Persons:
    """The linkage of every party of a scenario on one date."""

    def __init__(self, scenario: Scenario, edition: Edition, day: date):
        self.scenario = scenario
        self.edition = edition
        self.day = day
        self._covered = edition.param("covered_jurisdictions")
        self._stakes = self._collect_stakes()
        self._controls = self._collect_controls()
        self._base_linked: dict[str, _Basis] = {}
        self._base_unknown: dict[str, _Basis] = {}
        for party in scenario.parties.values():
            self._classify_base(party)
        self._linked = self._fixpoint_linked()
        self._possible = self._fixpoint_possible()
        self._cache: dict[str, PartyStatus] = {}

    # -- public -------------------------------------------------------------------------

    def status(self, party_id: str) -> PartyStatus:
        if party_id not in self._cache:
            self._cache[party_id] = self._status(party_id)
        return self._cache[party_id]

    def linkage(self, party_id: str) -> Linkage:
        if party_id in self._linked:
            return Linkage.linked
        if party_id in self._possible:
            return Linkage.indeterminate
        return Linkage.not_linked

    def employment_note(self, party_id: str) -> Reason | None:
        """Why covered-jurisdiction employees of `party_id` do not link it, if it has any."""
        notes = []
        for i, job in enumerate(self.scenario.employment):
            if job.employer != party_id:
                continue
            person = self.scenario.parties[job.person]
            if person.country in self._covered.value or person.residence in self._covered.value:
                notes.append(fact("employment", i))
        if not notes:
            return None
        return reason(
            f"{self._name(party_id)} employs or contracts citizens or residents of a covered "
            "jurisdiction; the citizenship of employees and contractors alone is never a nexus",
            True,
            "791.302(b)",
            facts=notes,
        )

    # -- facts on the evaluation date -----------------------------------------------------

    def _collect_stakes(self) -> dict[str, dict[str, _Stake]]:
        stakes: dict[str, dict[str, _Stake]] = {}
        equity_param = None
        for i, edge in enumerate(self.scenario.ownership):
            if not edge.holds_on(self.day):
                continue
            stake = stakes.setdefault(edge.owned, {}).setdefault(edge.owner, _Stake(edge.owner))
            stake.edges.append(i)
            if edge.voting is not None:
                low = high = edge.voting
            elif edge.equity is not None and (
                equity_param := equity_param or self.edition.param("equity_stands_for_voting")
            ).value:
                low = high = edge.equity
            else:
                low, high = 0.0, 1.0
                stake.gaps.append(
                    missing(
                        f"ownership.{i}.voting",
                        f"What voting interest does {self._name(edge.owner)} hold in "
                        f"{self._name(edge.owned)}?",
                    )
                )
            stake.low = min(1.0, stake.low + low)
            stake.high = min(1.0, stake.high + high)
        return stakes

    def _collect_controls(self) -> dict[str, list[int]]:
        controls: dict[str, list[int]] = {}
        for i, edge in enumerate(self.scenario.control):
            if edge.holds_on(self.day):
                controls.setdefault(edge.over, []).append(i)
        return controls

    def _name(self, party_id: str) -> str:
        return self.scenario.parties[party_id].name

    # -- jurisdiction and individuals ------------------------------------------------------

    def _classify_base(self, party: Party) -> None:
        pid, covered = party.id, self._covered
        if party.country is None:
            self._base_unknown[pid] = _Basis(
                f"the country of {party.name} is not known",
                facts=[fact("parties", pid, "country")],
                gaps=[missing(f"parties.{pid}.country", self._country_question(party))],
            )
            return
        if party.kind is PartyKind.government:
            if party.country in covered.value:
                self._base_linked[pid] = _Basis(
                    f"{party.name} is the government of {party.country}, a covered jurisdiction",
                    facts=[fact("parties", pid, "country")],
                    params=[covered],
                )
        elif party.kind is PartyKind.organization:
            self._classify_organization(party)
        else:
            self._classify_individual(party)
        if pid not in self._base_linked and not party.ownership_known:
            self._base_unknown[pid] = _Basis(
                f"the owners of {party.name} are not known",
                facts=[fact("parties", pid, "ownership_known")],
                gaps=[missing(f"parties.{pid}.ownership_known", f"Who owns {party.name}?")],
            )

    def _classify_organization(self, party: Party) -> None:
        pid, covered = party.id, self._covered
        places = [("organized", "country", party.country)]
        for label, key in (
            ("headquartered", "headquarters"),
            ("has its principal place of business", "principal_place_of_business"),
        ):
            value = getattr(party, key)
            if value is None:
                default = self.edition.param("headquarters_defaults_to_country")
                if not default.value:
                    self._base_unknown.setdefault(
                        pid,
                        _Basis(
                            f"where {party.name} {label} is not known",
                            facts=[fact("parties", pid, key)],
                            gaps=[missing(f"parties.{pid}.{key}", f"Where is {party.name} {label}?")],
                        ),
                    )
                continue
            places.append((label, key, value))
        for label, key, value in places:
            if value in covered.value:
                self._base_linked[pid] = _Basis(
                    f"{party.name} is {label} in {value}, a covered jurisdiction",
                    facts=[fact("parties", pid, key)],
                    params=[covered],
                )
                self._base_unknown.pop(pid, None)
                return

    def _classify_individual(self, party: Party) -> None:
        pid, covered = party.id, self._covered
        residence = party.residence
        residence_fact = fact("parties", pid, "residence")
        if residence is None:
            default = self.edition.param("residence_defaults_to_citizenship")
            if default.value:
                residence, residence_fact = party.country, fact("parties", pid, "country")
        ties = []
        if party.country in covered.value:
            ties.append((f"a citizen of {party.country}", fact("parties", pid, "country")))
        if residence is not None and residence in covered.value and residence != party.country:
            ties.append((f"a resident of {residence}", residence_fact))
        if not ties:
            if residence is None:
                self._base_unknown[pid] = _Basis(
                    f"where {party.name} resides is not known",
                    facts=[residence_fact],
                    gaps=[missing(f"parties.{pid}.residence", f"Where does {party.name} reside?")],
                )
            return
        if party.us_permanent_resident:
            excepted = self.edition.param("us_permanent_residents_excepted")
            if excepted.value:
                return
        words = " and ".join(t[0] for t in ties)
        self._base_linked[pid] = _Basis(
            f"{party.name} is {words}, a covered jurisdiction, and not a US permanent resident",
            facts=[t[1] for t in ties] + [fact("parties", pid, "us_permanent_resident")],
            params=[covered],
        )

    @staticmethod
    def _country_question(party: Party) -> str:
        if party.kind is PartyKind.individual:
            return f"Of which country is {party.name} a citizen?"
        if party.kind is PartyKind.government:
            return f"Which country's government is {party.name}?"
        return f"In which country is {party.name} organized?"

    # -- ownership and control: the two fixpoints --------------------------------------------

    def _fixpoint_linked(self) -> dict[str, _Basis]:
        linked = dict(self._base_linked)
        majority = self.edition.param("majority_share")
        dominant = self.edition.param("dominant_minority_share")
        controlling = self.edition.param("controlling_indicators")
        changed = True
        while changed:
            changed = False
            for pid in sorted(self.scenario.parties):
                if pid in linked:
                    continue
                basis = self._linked_by_holders(pid, linked, majority, dominant)
                basis = basis or self._by_control(pid, linked, controlling.value, [controlling], "")
                if basis is not None:
                    linked[pid] = basis
                    changed = True
        return linked

    def _linked_by_holders(self, pid, linked, majority, dominant) -> _Basis | None:
        stakes = self._stakes.get(pid, {})
        inside = [s for s in stakes.values() if s.holder in linked]
        if not inside:
            return None
        block = sum(s.low for s in inside)
        outside = max((s.high for s in stakes.values() if s.holder not in linked), default=0.0)
        facts = [fact("ownership", i) for s in inside for i in s.edges]
        holders = ", ".join(f"{self._name(s.holder)} {s.low:.0%}" for s in inside)
        name = self._name(pid)
        if block > majority.value:
            return _Basis(
                f"linked holders ({holders}) hold {block:.0%} of the voting interest in {name}, "
                f"a majority (more than {majority.value:.0%})",
                facts=facts,
                params=[majority],
                via=[s.holder for s in inside],
            )
        if block >= dominant.value and block > outside:
            return _Basis(
                f"linked holders ({holders}) hold {block:.0%} of the voting interest in {name}, "
                f"at least {dominant.value:.0%} and more than any other holder ({outside:.0%}): "
                "a dominant minority",
                facts=facts,
                params=[dominant],
                via=[s.holder for s in inside],
            )
        return None

    def _by_control(self, pid, inside_set, kinds, params, hedge) -> _Basis | None:
        for i in self._controls.get(pid, []):
            edge = self.scenario.control[i]
            if edge.by in inside_set and edge.kind.value in kinds:
                return _Basis(
                    f"{self._name(edge.by)} has {edge.kind.value.replace('_', ' ')} control over "
                    f"{self._name(pid)}{hedge}",
                    facts=[fact("control", i)],
                    params=params,
                    via=[edge.by],
                )
        return None

    def _fixpoint_possible(self) -> dict[str, _Basis]:
        possible = dict(self._linked)
        for pid, basis in self._base_unknown.items():
            possible.setdefault(pid, basis)
        majority = self.edition.param("majority_share")
        review = self.edition.param("review_share")
        controlling = self.edition.param("controlling_indicators")
        reviewing = self.edition.param("review_indicators")
        kinds = set(controlling.value) | set(reviewing.value)
        changed = True
        while changed:
            changed = False
            for pid in sorted(self.scenario.parties):
                if pid in possible:
                    continue
                basis = self._possible_by_holders(pid, possible, majority, review)
                basis = basis or self._possible_by_control(pid, possible, kinds, reviewing)
                if basis is not None:
                    possible[pid] = basis
                    changed = True
        return possible

    def _possible_by_holders(self, pid, possible, majority, review) -> _Basis | None:
        stakes = self._stakes.get(pid, {})
        inside = [s for s in stakes.values() if s.holder in possible]
        if not inside:
            return None
        block = sum(s.high for s in inside)
        if block < review.value:
            return None
        name = self._name(pid)
        holders = ", ".join(
            f"{self._name(s.holder)} {_share(s.low, s.high)}" for s in inside
        )
        basis = _Basis(
            f"holders that are or may be linked ({holders}) may hold up to {block:.0%} of the "
            f"voting interest in {name}, at least the review share of {review.value:.0%}",
            facts=[fact("ownership", i) for s in inside for i in s.edges],
            params=[review],
            via=[s.holder for s in inside],
            gaps=[gap for s in inside for gap in s.gaps],
        )
        sure = [s for s in inside if s.holder in self._linked]
        if sure and sum(s.low for s in sure) >= review.value:
            basis.question = missing(
                f"ownership.{sure[0].edges[0]}",
                f"Does the {sum(s.low for s in sure):.0%} voting interest of linked holders in "
                f"{name} amount to control (a dominant minority)? Under the configured policy it "
                "calls for review; a person must decide or ask BIS (791.310).",
            )
        return basis

    def _possible_by_control(self, pid, possible, kinds, reviewing) -> _Basis | None:
        basis = self._by_control(pid, possible, kinds, [reviewing], " (which may amount to control)")
        if basis is None:
            return None
        edge_index = int(basis.facts[0].path.split(".")[1])
        edge = self.scenario.control[edge_index]
        if edge.by in self._linked:
            basis.question = missing(
                f"control.{edge_index}",
                f"Does the {edge.kind.value.replace('_', ' ')} of {self._name(edge.by)} over "
                f"{self._name(pid)} amount to control? A person must decide or ask BIS (791.310).",
            )
        return basis

    # -- explanations ---------------------------------------------------------------------

    def _status(self, pid: str) -> PartyStatus:
        linkage = self.linkage(pid)
        name = self._name(pid)
        if linkage is Linkage.linked:
            why = self._explain(pid, self._linked, set())
            why.says = f"{name} is linked to the PRC or Russia: {why.says}"
            return PartyStatus(pid, linkage, why)
        if linkage is Linkage.indeterminate:
            why = self._explain(pid, self._possible, set())
            why.holds = None
            why.says = f"whether {name} is linked to the PRC or Russia cannot be told: {why.says}"
            return PartyStatus(pid, linkage, why, self._gaps(pid, set()))
        words = f"{name} is not owned by, controlled by or subject to the jurisdiction or direction of the PRC or Russia"
        because = self._clearance(pid)
        return PartyStatus(pid, linkage, reason(words, False, CITE, because=because))

    def _explain(self, pid: str, table: dict[str, _Basis], seen: set[str]) -> Reason:
        basis = table[pid]
        seen = seen | {pid}
        children = [
            self.status(v).reason if v not in seen else reason(f"{self._name(v)} (see above)")
            for v in basis.via
            if v != pid
        ]
        holds = True if table is self._linked else None
        return reason(basis.says, holds, CITE, basis.facts, basis.params, children)

    def _gaps(self, pid: str, seen: set[str]) -> list[MissingFact]:
        if pid in seen or pid in self._linked or pid not in self._possible:
            return []
        seen.add(pid)
        basis = self._possible[pid]
        gaps = list(basis.gaps)
        if basis.question is not None:
            gaps.append(basis.question)
        for via in basis.via:
            gaps.extend(self._gaps(via, seen))
        unique: dict[str, MissingFact] = {}
        for gap in gaps:
            unique.setdefault(gap.fact + gap.question, gap)
        return list(unique.values())

    def _clearance(self, pid: str) -> list[Reason]:
        party = self.scenario.parties[pid]
        where = {"organization": "organized in", "individual": "a citizen of", "government": "the government of"}
        out = [
            reason(
                f"{party.name} is {where[party.kind.value]} {party.country}, not a covered jurisdiction",
                False,
                CITE,
                [fact("parties", pid, "country")],
                [self._covered],
            )
        ]
        stakes = self._stakes.get(pid, {})
        small = [s for s in stakes.values() if s.holder in self._possible]
        if small:
            held = ", ".join(f"{self._name(s.holder)} {_share(s.low, s.high)}" for s in small)
            out.append(
                reason(
                    f"stakes of linked holders ({held}) are below the review share",
                    False,
                    CITE,
                    [fact("ownership", i) for s in small for i in s.edges],
                    [self.edition.param("review_share")],
                )
            )
        note = self.employment_note(pid)
        if note is not None:
            out.append(note)
        return out


def _share(low: float, high: float) -> str:
    return f"{low:.0%}" if low == high else f"{low:.0%}-{high:.0%}"
