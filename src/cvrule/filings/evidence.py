"""What an assessment run (and its workspace's store, when at hand) says about the transactions
of a filing: the decisions, the parties with their identifiers and ownership chains, the items
at issue with who designs, develops, manufactures, supplies and maintains them, the vehicles
they go into, and the register's data flows of those items.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cvrule.errors import CvruleError
from cvrule.filings.dataflows import DataFlowRegister, FlowItem
from cvrule.fleet.result import Assessment, ComponentView, DecisionView, PartyView

__all__ = ["RunEvidence"]

_MAX_CHAIN = 12
_NOT_IDENTIFIERS = frozenset({"gleif_registration_status", "email", "bods", "ftm"})
"""Keys of a party's identifiers that identify a record or a mailbox, not the company."""


@dataclass
class RunEvidence:
    assessment: Assessment
    views: list[DecisionView]
    store: object | None = None
    register: DataFlowRegister | None = None
    _components: dict[str, ComponentView] = field(default_factory=dict)
    _parties: dict[str, PartyView] = field(default_factory=dict)

    @classmethod
    def of(cls, assessment: Assessment, transactions: list[str], store=None,
           register: DataFlowRegister | None = None) -> RunEvidence:
        if not transactions:
            raise CvruleError("name at least one transaction")
        by_id = {view.decision.transaction: view for view in assessment.decisions}
        unknown = [t for t in transactions if t not in by_id]
        if unknown:
            known = ", ".join(sorted(by_id)[:12])
            raise CvruleError(f"transaction {unknown[0]!r} is not in run {assessment.run_id} (it has: {known}, ...)")
        views = [by_id[t] for t in dict.fromkeys(transactions)]
        return cls(assessment, views, store, register,
                   {c.id: c for c in assessment.components}, {p.ref: p for p in assessment.parties})

    # -- the applicant and the parties ---------------------------------------------------------

    def applicant(self) -> dict[str, str | None]:
        first = self.views[0].decision
        ref = first.responsible or first.actor
        party = self._parties.get(ref)
        return {"ref": ref, "name": first.responsible_name or (party.name if party else ref),
                "role": first.responsible_role}

    def components_at_issue(self) -> list[ComponentView]:
        ids = dict.fromkeys(c for view in self.views for c in view.components)
        for view in self.views:
            if view.item:
                ids.setdefault(view.item, None)
        return [self._components[i] for i in ids if i in self._components]

    def parties(self) -> list[dict]:
        """Applicant, manufacturers of the vehicles, and every party behind an item at issue, with
        identifiers, status, the nexus path and the ownership chain."""
        roles: dict[str, set[str]] = {}
        for view in self.views:
            d = view.decision
            roles.setdefault(d.responsible or d.actor, set()).add(d.responsible_role or "actor")
        for vehicle in self.vehicles():
            roles.setdefault(vehicle["manufacturer"], set()).add("connected vehicle manufacturer")
        for component in self.components_at_issue():
            for role in component.roles:
                roles.setdefault(role.party, set()).add(f"{role.role.replace('_', ' ')} {component.name}")
        return [self._party(ref, sorted(what)) for ref, what in roles.items()]

    def _party(self, ref: str, roles: list[str]) -> dict:
        view = self._parties.get(ref)
        identifiers = self.identifiers(ref)
        return {"ref": ref, "name": view.name if view else ref, "country": view.country if view else None,
                "roles": roles, "identifiers": identifiers, "nexus": view.linkage if view else "unresolved",
                "nexus_basis": view.basis if view else None, "nexus_path": list(view.why) if view else [],
                "ownership_chain": self.ownership_chain(ref)}

    def _records(self, ref: str) -> list[dict]:
        if self.store is None or ref.startswith("mention:"):
            return []
        if ref.startswith("lei:"):
            lei = ref.split(":", 1)[1]
            return self.store.rows("parties", "WHERE json_extract_string(identifiers, '$.lei') = ? "
                                   "ORDER BY source_id, key", [lei])
        prefix, _, key = ref.partition(":")
        return self.store.rows("parties", "WHERE starts_with(source_id, ?) AND key = ? ORDER BY source_id",
                               [prefix, key])

    def identifiers(self, ref: str) -> dict[str, str]:
        found: dict[str, str] = {}
        if ref.startswith("lei:"):
            found["lei"] = ref.split(":", 1)[1]
        for row in self._records(ref):
            for scheme, value in json.loads(row["identifiers"] or "{}").items():
                if scheme not in _NOT_IDENTIFIERS:
                    found.setdefault(scheme, str(value))
        return dict(sorted(found.items()))

    def ownership_chain(self, ref: str) -> list[str]:
        """Who holds the party, and who holds them, up to the ultimate holders (from the store)."""
        lines: list[str] = []
        seen: set[tuple[str, str]] = set()

        def up(source_id: str, key: str, depth: int) -> None:
            if depth > _MAX_CHAIN or (source_id, key) in seen:
                return
            seen.add((source_id, key))
            rows = self.store.rows("ownership", "WHERE source_id = ? AND owned = ? AND direct "
                                   "ORDER BY interest, owner", [source_id, key])
            voting = [row for row in rows if row["interest"] == "voting"]
            for row in voting or [row for row in rows if row["interest"] == "shareholding"]:
                owner = self.store.rows("parties", "WHERE source_id = ? AND key = ?", [source_id, row["owner"]])
                name = owner[0]["name"] if owner else row["owner"]
                country = owner[0]["country"] if owner else None
                share = _share(row["share_min"], row["share_max"])
                line = f"{'  ' * depth}{name} ({country or 'country unknown'}) holds {share} ({row['interest']})"
                if line not in lines:
                    lines.append(line)
                    up(source_id, row["owner"], depth + 1)

        if self.store is not None:
            for record in self._records(ref):
                up(record["source_id"], record["key"], 0)
        return lines

    # -- vehicles -------------------------------------------------------------------------------

    def vehicles(self) -> list[dict]:
        """The vehicles of the transactions; for an import of VCS hardware, those its ECU goes into."""
        chosen: dict[str, dict] = {}
        by_id = {v.id: v for v in self.assessment.vehicles}
        for view in self.views:
            if view.vehicle and view.vehicle in by_id:
                wanted = [by_id[view.vehicle]]
            elif view.item:
                ecu = self._components.get(view.item)
                ecu_id = ecu.ecu if ecu and ecu.ecu else view.item
                wanted = [v for v in self.assessment.vehicles if ecu_id in v.ecus
                          and (view.line is None or v.line == view.line)
                          and (view.model_year is None or v.model_year == view.model_year)]
            else:
                wanted = []
            for vehicle in wanted:
                chosen[vehicle.id] = {"vehicle": vehicle.id, "line": vehicle.line, "make": vehicle.make,
                                      "model": vehicle.model, "trim": vehicle.trim, "model_year": vehicle.model_year,
                                      "manufacturer": vehicle.manufacturer}
        return sorted(chosen.values(), key=lambda v: (v["line"], v["model_year"]))

    # -- data flows -----------------------------------------------------------------------------

    def flow_items(self) -> list[FlowItem]:
        """The register's entries for the items at issue (same BOM, and same component when it
        names one), in the lines and model years of the transactions."""
        if self.register is None:
            return []
        at_issue = self.components_at_issue()
        sources = {c.source for c in at_issue}
        names = {(c.source, c.name) for c in at_issue}
        scopes = [(v.line, v.model_year) for v in self.views]
        chosen = []
        for item in self.register.items:
            if item.bom not in sources:
                continue
            if item.component is not None and (item.bom, item.component) not in names:
                continue
            if any(item.applies_to(line, year) for line, year in scopes):
                chosen.append(item)
        return chosen


def _share(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "an unknown share"
    if low == high or high is None:
        return f"{low:.0%}"
    if low is None:
        return f"up to {high:.0%}"
    return f"{low:.0%}-{high:.0%}"
