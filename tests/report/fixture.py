"""A realistic `Assessment` for the report tests, built without the fleet pipeline.

The decisions are real: each comes from deciding a transaction of a legal case file in
tests/cases with the bundled law. Around them, this module invents what the fleet pipeline
would add: the vehicle line and model year of each transaction, the BOM file and JSON pointer
each item came from, and the party references. The parties' linkage and its explanation come
from the law's own person analysis of each case on its evaluation date.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cvrule.cases import load_case, run_case
from cvrule.cases.casefile import CaseFile
from cvrule.fleet.result import (
    Assessment,
    ComponentView,
    DecisionView,
    InputFile,
    Obligation,
    PartyView,
    RoleView,
    VehicleView,
)
from cvrule.law import Law
from cvrule.law.s791_301.persons import Persons
from cvrule.model import Decision, Reason

__all__ = ["FLEET", "SNAPSHOTS", "build_assessment", "check_snapshot"]

TESTS = Path(__file__).resolve().parent.parent
CASES = TESTS / "cases"


@dataclass(frozen=True)
class Entry:
    case: str
    """Path under tests/cases."""
    transaction: str
    """The transaction id in the case."""
    renamed: str
    """Its id in the fleet (case ids repeat across cases)."""
    line: str | None


FLEET: tuple[Entry, ...] = (
    # Setouchi Harbor: exempt MY2026, prohibited MY2027, authorized + allowed MY2028 (worst: authorized)
    Entry("791_303/prc-telematics-software-import-is-exempt-for-my2026-and-prohibited-for-my2027.yaml",
          "import-harbor-2026", "harbor-my2026-import", "setouchi-harbor"),
    Entry("791_303/prc-telematics-software-import-is-exempt-for-my2026-and-prohibited-for-my2027.yaml",
          "import-harbor-2027", "harbor-my2027-import", "setouchi-harbor"),
    Entry("791_305/specifically-authorized-import-still-needs-a-declaration.yaml",
          "import-harbor-2028", "harbor-my2028-import-batch-a", "setouchi-harbor"),
    Entry("791_305/declaration-is-due-60-days-before-the-first-import-of-the-model-year.yaml",
          "first-shipment", "harbor-my2028-import-batch-b", "setouchi-harbor"),
    # Daehan Kestrel: allowed MY2029, prohibited MY2030 (the PRC TCU)
    Entry("791_302/vehicle-with-prc-tcu-is-prohibited-for-my2030-and-allowed-for-my2029.yaml",
          "import-kestrel-2029", "kestrel-my2029-import", "daehan-kestrel"),
    Entry("791_302/vehicle-with-prc-tcu-is-prohibited-for-my2030-and-allowed-for-my2029.yaml",
          "import-kestrel-2030", "kestrel-my2030-import", "daehan-kestrel"),
    # Cascade Trailhead MY2028: one import indeterminate (board seat), one prohibited (HK developer)
    Entry("791_301/persons/chinese-minority-board-seat-is-indeterminate.yaml",
          "import-trailhead", "trailhead-my2028-import-connected", "cascade-trailhead"),
    Entry("791_301/persons/hong-kong-developer-is-linked.yaml",
          "import-trailhead", "trailhead-my2028-import-premium", "cascade-trailhead"),
    # Nordvik Aurora: sold by the US arm of a PRC-owned maker
    Entry("791_304/us-subsidiary-of-prc-owned-automaker-cannot-sell-my2027-but-my2026-is-exempt.yaml",
          "sell-aurora-2026", "aurora-my2026-sale", "nordvik-aurora"),
    Entry("791_304/us-subsidiary-of-prc-owned-automaker-cannot-sell-my2027-but-my2026-is-exempt.yaml",
          "sell-aurora-2027", "aurora-my2027-sale", "nordvik-aurora"),
    # Prairie Plainsman: all-US MY2028, MY2030 sale with PRC hardware but clean software
    Entry("791_303/all-us-my2028-vehicle-is-allowed-without-a-declaration.yaml",
          "import-plainsman", "plainsman-my2028-import", "prairie-plainsman"),
    Entry("791_303/sale-of-us-built-my2030-vehicle-with-prc-hardware-and-clean-software-is-allowed.yaml",
          "sell-plainsman", "plainsman-my2030-sale", "prairie-plainsman"),
    # Cascade Courier: GVWR unknown
    Entry("791_301/vehicles/unknown-gvwr-is-indeterminate.yaml", "sell-courier", "courier-my2028-sale", "cascade-courier"),
    # Hanbit Titan HD 3500: over the GVWR limit
    Entry("791_301/vehicles/gvwr-of-10001-lb-is-out-of-scope.yaml", "import-titan", "titan-hd-my2028-import", "hanbit-titan-hd"),
    # Meridian Transit L4 robotaxi service by a US operator
    Entry("791_304/robotaxi-service-by-us-operator-with-us-vehicles-is-allowed.yaml",
          "robotaxi-service", "transit-l4-my2028-service", "meridian-transit-l4"),
    # Imports of VCS hardware, not tied to a line
    Entry("791_302/russian-made-wifi-module-for-model-year-2031-is-prohibited.yaml",
          "import-wifi-modules", "wifi-module-nr-w6-import", None),
    Entry("791_302/module-with-unknown-manufacturer-is-indeterminate.yaml",
          "import-antennas", "antenna-fat-s3-import", None),
    Entry("791_305/ga1-authorized-hardware-import-needs-no-declaration.yaml",
          "import-test-samples", "prw-n5-test-samples-import", None),
    Entry("791_302/module-without-model-year-is-exempt-until-2028-12-31-and-prohibited-from-2029-01-01.yaml",
          "import-last-day-of-2028", "prw-l4-stock-import-2028", None),
    Entry("791_301/vcs/bluetooth-tpms-sensor-is-not-vcs.yaml", "import-parts", "tpms-xh-p24-import", None),
)

ROLES = ("designed_by", "developed_by", "manufactured_by", "supplied_by", "maintained_by")

WRITTEN = {
    # how a BOM spelled a party, where it differs from the party's registered name
    "Wuhan Lianyun Intelligent Technology Co., Ltd.": "WUHAN LIANYUN INTELLIGENT TECH CO LTD",
}


def build_assessment(law: Law) -> Assessment:
    builder = _Builder(law)
    for entry in FLEET:
        builder.add(entry)
    return builder.finish()


def _prefix(case: str) -> str:
    return hashlib.sha256(case.encode()).hexdigest()[:8]


class _Builder:
    def __init__(self, law: Law):
        self.law = law
        self.cases: dict[str, tuple[CaseFile, list[Decision]]] = {}
        self.decisions: list[DecisionView] = []
        self.components: dict[str, ComponentView] = {}
        self.parties: dict[str, PartyView] = {}
        self.party_ref: dict[tuple[str, str], str] = {}
        self.vehicles: dict[str, VehicleView] = {}
        self.files: dict[str, list[str]] = defaultdict(list)

    def _case(self, name: str) -> tuple[CaseFile, list[Decision]]:
        if name not in self.cases:
            case = load_case(CASES / name)
            decisions = run_case(case, self.law)
            for decision in decisions:
                for step in decision.because.walk():
                    for ref in step.facts:
                        ref.source = f"cases/{name}"
            self.cases[name] = (case, decisions)
        return self.cases[name]

    def add(self, entry: Entry) -> None:
        case, decisions = self._case(entry.case)
        original = next(d for d in decisions if d.transaction == entry.transaction)
        decision = _renamed(original, entry.renamed)
        txn = case.scenario.transactions[entry.transaction]
        persons = Persons(case.scenario, self.law.edition(decision.evaluated_on), decision.evaluated_on)
        prefix = _prefix(entry.case)

        if txn.vehicle is not None:
            vehicle = case.scenario.vehicles[txn.vehicle]
            roots = list(vehicle.items)
            model_year = vehicle.model_year
        else:
            roots = [txn.item]
            model_year = case.scenario.items[txn.item].model_year
        folder = entry.line or "imports"
        component_ids = []
        for root in roots:
            source = f"boms/{folder}/{root}.cdx.json"
            for index, (item_id, ecu) in enumerate(_tree(case, root)):
                location = "/metadata/component" if index == 0 else f"/components/{index - 1}"
                component_ids.append(self._component(case, persons, prefix, item_id, ecu, source, location, decision))
        if txn.vehicle is not None and entry.line is not None:
            vid = f"{entry.line}-{model_year}"
            if vid not in self.vehicles:
                self.vehicles[vid] = VehicleView(
                    id=vid, line=entry.line, make=vehicle.make, model=vehicle.model, trim=vehicle.trim,
                    model_year=model_year, manufacturer=self._party(case, persons, prefix, vehicle.manufacturer),
                    ecus=[f"{prefix}:{r}" for r in vehicle.items], components=len(component_ids),
                )
        self._party(case, persons, prefix, txn.actor)
        relevant = [cid for cid in dict.fromkeys(component_ids) if self.components[cid].linkage in ("linked", "indeterminate")]
        self.decisions.append(DecisionView(
            decision=decision,
            line=entry.line,
            model_year=model_year,
            vehicle=f"{entry.line}-{model_year}" if txn.vehicle is not None and entry.line else None,
            item=f"{prefix}:{txn.item}" if txn.item else None,
            components=relevant,
        ))

    def _component(self, case, persons, prefix, item_id, ecu, source, location, decision) -> str:
        cid = f"{prefix}:{item_id}"
        if cid in self.components:
            return cid
        item = case.scenario.items[item_id]
        roles = []
        for role in ROLES:
            for pid in getattr(item, role):
                roles.append(self._role(case, persons, prefix, role, pid))
        for update in item.updates:
            roles.append(self._role(case, persons, prefix, "maintained_by", update.by))
        linkages = {self.parties[r.party].linkage for r in roles}
        if "linked" in linkages:
            linkage = "linked"
        elif "indeterminate" in linkages or any(m.fact.startswith(f"items.{item_id}.") for m in decision.missing_facts):
            linkage = "indeterminate"
        elif not roles:
            linkage = "unresolved"
        else:
            linkage = "not_linked"
        self.components[cid] = ComponentView(
            id=cid,
            name=item.name,
            type=item.type.value,
            ecu=f"{prefix}:{ecu}" if ecu != item_id else None,
            source=source,
            location=location,
            purl=f"pkg:generic/{item_id}" if item.type.value == "software" else None,
            classification=_classification(case, item),
            linkage=linkage,
            roles=roles,
        )
        self.files[source].append(cid)
        return cid

    def _role(self, case, persons, prefix, role, pid) -> RoleView:
        ref = self._party(case, persons, prefix, pid)
        name = case.scenario.parties[pid].name
        return RoleView(role=role, party=ref, written=WRITTEN.get(name, name))

    def _party(self, case, persons, prefix, pid) -> str:
        party = case.scenario.parties[pid]
        status = persons.status(pid)
        linkage = status.linkage.value
        key = (party.name, linkage)
        if key in self.party_ref:
            return self.party_ref[key]
        ref = f"{prefix}:{pid}"
        self.party_ref[key] = ref
        self.parties[ref] = PartyView(
            ref=ref,
            name=party.name,
            country=party.country,
            linkage=linkage,
            why=_why_lines(status.reason),
            resolution="identifier (LEI)" if party.identifiers.get("lei") else (
                "name, score 0.93 (transliteration and legal-form match)" if party.name in WRITTEN else None),
        )
        return ref

    def finish(self) -> Assessment:
        decisions = sorted(self.decisions, key=lambda v: v.decision.transaction)
        inputs = [
            InputFile(path=path, sha256=hashlib.sha256(("\n".join(ids) + path).encode()).hexdigest(),
                      size=2048 + 731 * len(ids), format="cyclonedx-1.6-json")
            for path, ids in sorted(self.files.items())
        ]
        manifest = hashlib.sha256(b"fleet.yaml").hexdigest()
        inputs.append(InputFile(path="fleet.yaml", sha256=manifest, size=1873, format="cvrule-fleet"))
        inputs.sort(key=lambda f: f.path)
        interpretations = {}
        for view in decisions:
            for param in view.decision.interpretations:
                interpretations.setdefault((param.name, param.effective), param)
        counts: dict[str, int] = {"components": len(self.components) * 9, "components_relevant": len(self.components)}
        for view in decisions:
            key = f"by_outcome:{view.decision.outcome.value}"
            counts[key] = counts.get(key, 0) + 1
        run = hashlib.sha256("".join(f.sha256 for f in inputs).encode() + self.law.digest.encode()).hexdigest()
        return Assessment(
            run_id=run,
            fleet="Cascadia demo fleet, model years 2026-2031",
            as_of=None,
            engine="duckdb",
            cvrule_version="0.1.0",
            parameters_sha256=self.law.digest,
            inputs=inputs,
            vehicles=sorted(self.vehicles.values(), key=lambda v: v.id),
            decisions=decisions,
            components=sorted(self.components.values(), key=lambda c: c.id),
            parties=sorted(self.parties.values(), key=lambda p: p.ref),
            obligations=_obligations(decisions, self),
            interpretations=sorted(interpretations.values(), key=lambda p: (p.name, p.effective)),
            counts=dict(sorted(counts.items())),
        )


def _renamed(decision: Decision, new_id: str) -> Decision:
    root = decision.because.model_copy(update={"says": decision.because.says.replace(decision.transaction, new_id, 1)})
    return decision.model_copy(update={"transaction": new_id, "because": root})


def _tree(case: CaseFile, root: str) -> list[tuple[str, str]]:
    """The item and what it contains, depth first, then the software that runs on any of them."""
    items = case.scenario.items
    found: list[tuple[str, str]] = []

    def walk(item_id: str) -> None:
        if any(i == item_id for i, _ in found):
            return
        found.append((item_id, root))
        for child in items[item_id].contains:
            walk(child)

    walk(root)
    hosts = {i for i, _ in found}
    for item_id, item in items.items():
        if item.runs_on in hosts and all(i != item_id for i, _ in found):
            found.append((item_id, root))
    return found


def _classification(case: CaseFile, item) -> dict[str, str]:
    fields = ("rf", "max_rf_mhz", "passive", "installation", "model_year") if item.type.value == "hardware" else (
        "enables", "software_kind", "open_source", "modified_for_proprietary", "created")
    out = {}
    for name in fields:
        value = getattr(item, name)
        if value is None:
            out[name] = "unknown (not given)"
            continue
        if isinstance(value, tuple):
            value = ", ".join(v.value if hasattr(v, "value") else str(v) for v in value) or "none"
        elif hasattr(value, "value"):
            value = value.value
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            value = str(int(value))
        line = case.line_of(f"items.{item.id}.{name}")
        out[name] = f"{value} (property cvrule:{name})" if line else f"{value} (default)"
    return out


def _why_lines(reason: Reason, depth: int = 0) -> list[str]:
    cite = f"[{reason.cite}] " if reason.cite else ""
    lines = [f"{'  ' * depth}{cite}{reason.says}"]
    for child in reason.because:
        lines.extend(_why_lines(child, depth + 1))
    return lines


def _obligations(decisions: list[DecisionView], builder: _Builder) -> list[Obligation]:
    grouped: dict[tuple, list[Decision]] = defaultdict(list)
    for view in decisions:
        d = view.decision
        if d.declaration_required and d.declaration_due and d.responsible:
            grouped[(d.responsible_name, d.responsible_role, view.model_year)].append(d)
    out = []
    for (name, role, model_year), items in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)):
        filer = next((ref for (n, _), ref in builder.party_ref.items() if n == name), name)
        out.append(Obligation(
            filer=filer, filer_name=name, role=role, model_year=model_year,
            due=min(d.declaration_due for d in items), transactions=sorted(d.transaction for d in items),
        ))
    return out


SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def check_snapshot(name: str, data: bytes) -> None:
    """Compare with tests/report/snapshots/NAME byte for byte; rewrite it instead when
    CVRULE_UPDATE_SNAPSHOTS is set. A failure names the first lines that differ."""
    path = SNAPSHOTS / name
    if os.environ.get("CVRULE_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no snapshot {name}: run the tests with CVRULE_UPDATE_SNAPSHOTS=1 to make it"
    expected = path.read_bytes()
    if expected == data:
        return
    old = expected.decode("utf-8", "replace").splitlines()
    new = data.decode("utf-8", "replace").splitlines()
    diff = list(itertools.islice(difflib.unified_diff(old, new, "snapshot", "rendered", lineterm="", n=1), 40))
    raise AssertionError(f"{name} changed; if on purpose, rerun with CVRULE_UPDATE_SNAPSHOTS=1\n" + "\n".join(diff))
