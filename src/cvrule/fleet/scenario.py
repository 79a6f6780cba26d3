"""A fleet as one scenario the law can decide: the manifest's lines and model years become
vehicles, the root component of each BOM becomes an item of the vehicles it goes into, the
components below it its parts and software, and the manifest's parties and BOM roles become the
parties the persons analysis speaks about (nexus nodes).

What the manifest says of a root item (rf, max_rf_mhz, enables, passive) wins over the file;
each different set of such statements (and each model year an import names) is its own
variant of the file's items, so two lines may say different things of the same file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from cvrule.fleet.components import BomComponents, ComponentRow
from pydantic import TypeAdapter

from cvrule.fleet.manifest import BomRef, FleetAuthorization, FleetManifest, FleetParty, Line
from cvrule.fleet.persons import UNRESOLVED
from cvrule.law.parameters import Edition
from cvrule.law.s791_301.vcs import has_vcs_function
from cvrule.model import (
    Authorization,
    Installation,
    Item,
    ItemType,
    Party,
    PartyKind,
    RadioFunction,
    Scenario,
    SoftwareKind,
    Transaction,
    TransactionKind,
    Vehicle,
    VehicleFunction,
)

__all__ = ["FleetScenario", "PartyInfo", "Variant", "build_scenario", "fleet_party_key"]

_KINDS = {k.value for k in PartyKind}


@dataclass(frozen=True)
class Variant:
    """One way a BOM file goes into the fleet: the manifest's statements on its root, and the
    model year an import associates it with."""

    source_id: str
    rf: tuple[RadioFunction, ...] | None = None
    max_rf_mhz: float | None = None
    enables: tuple[VehicleFunction, ...] | None = None
    passive: bool | None = None
    model_year: int | None = None

    @classmethod
    def of(cls, source_id: str, ref: BomRef | None, model_year: int | None = None) -> Variant:
        if ref is None:
            return cls(source_id, model_year=model_year)
        return cls(source_id, ref.rf, ref.max_rf_mhz, ref.enables, ref.passive, model_year)


@dataclass
class PartyInfo:
    node: str
    name: str
    kind: str = "organization"
    country: str | None = None


@dataclass
class FleetScenario:
    scenario: Scenario
    item_rows: dict[str, tuple[ComponentRow, Variant]]
    """Item id -> the component row it was made from, and its variant."""
    classification: dict[str, dict[str, str]]
    """Item id -> what was read or derived, and from where."""
    item_file: dict[str, str]
    """Item id -> the input path of its file."""
    vehicle_line: dict[str, tuple[str, int]]
    txn_place: dict[str, tuple[str | None, int | None, str | None, str | None]]
    """Transaction id -> (line, model year, vehicle id, item id)."""
    written: dict[str, str] = field(default_factory=dict)


def fleet_party_key(party: FleetParty) -> str:
    """The node a manifest party stands for when no party of the data matches it."""
    text = f"{party.name.casefold()}|{party.country or ''}"
    return UNRESOLVED + hashlib.sha256(text.encode()).hexdigest()[:16]


def build_scenario(manifest: FleetManifest, boms: dict[str, BomComponents], bom_sources: dict[str, str],
                   paths: dict[str, str], actors: dict[str, str], parties: dict[str, PartyInfo],
                   edition: Edition) -> FleetScenario:
    """`bom_sources`: manifest BOM path -> source id; `paths`: source id -> input path;
    `actors`: manifest party name -> node; `parties`: node -> what the data says of it."""
    builder = _Builder(boms, paths, edition)
    vehicles: dict[str, Vehicle] = {}
    transactions: dict[str, Transaction] = {}
    vehicle_line: dict[str, tuple[str, int]] = {}
    txn_place: dict[str, tuple] = {}

    for line in manifest.lines:
        maker = actors[(line.manufacturer or manifest.manufacturer).name]
        for year in line.model_years:
            roots = [builder.root(Variant.of(bom_sources[ref.file], ref)) for ref in line.boms
                     if ref.model_years is None or year in ref.model_years]
            vid = f"{line.id}-{year}"
            vehicles[vid] = _vehicle(line, year, vid, maker, roots)
            vehicle_line[vid] = (line.id, year)
            for kind, actor, suffix in _derived(manifest, line):
                tid = f"{line.id}-my{year}-{suffix}"
                transactions[tid] = Transaction(id=tid, kind=kind, actor=actors[actor.name] if actor else maker,
                                                vehicle=vid, date=line.first_day(year))
                txn_place[tid] = (line.id, year, vid, None)

    for declared in manifest.transactions:
        actor = actors[declared.actor.name]
        vid = f"{declared.line}-{declared.model_year}" if declared.line and declared.model_year else None
        if vid is not None and vid not in vehicles:
            vid = None
        if declared.kind is TransactionKind.import_vcs_hardware:
            ref = _bom_ref(manifest, declared.line, declared.bom)
            variant = Variant.of(bom_sources[declared.bom], ref, None if vid else declared.model_year)
            item = builder.root(variant)
            transactions[declared.id] = Transaction(id=declared.id, kind=declared.kind, actor=actor, item=item,
                                                    in_vehicle=vid, date=declared.date, purpose=declared.purpose)
            txn_place[declared.id] = (declared.line, declared.model_year, vid, item)
        else:
            transactions[declared.id] = Transaction(id=declared.id, kind=declared.kind, actor=actor, vehicle=vid,
                                                    date=declared.date, purpose=declared.purpose)
            txn_place[declared.id] = (declared.line, declared.model_year, vid, None)

    authorizations = tuple(_authorization(auth, actors) for auth in manifest.authorizations)
    nodes = set(actors.values()) | {v.manufacturer for v in vehicles.values()}
    for item in builder.items.values():
        for role in ("designed_by", "developed_by", "manufactured_by", "supplied_by", "maintained_by"):
            nodes.update(item.role_parties(role))
    scenario_parties = {}
    for node in sorted(nodes):
        info = parties.get(node) or PartyInfo(node, builder.written.get(node, node))
        kind = PartyKind(info.kind) if info.kind in _KINDS else PartyKind.organization
        country = info.country if info.country and len(info.country) == 2 and info.country.isalpha() else None
        scenario_parties[node] = Party(id=node, name=info.name, kind=kind,
                                       country=country.upper() if country else None)
    scenario = Scenario(parties=scenario_parties, items=builder.items, vehicles=vehicles, transactions=transactions,
                        authorizations=authorizations)
    return FleetScenario(scenario, builder.rows, builder.classification, builder.files, vehicle_line, txn_place,
                         builder.written)


def _authorization(auth: FleetAuthorization, actors: dict[str, str]) -> Authorization:
    """A manifest authorization with its parties as nexus nodes."""
    data = auth.model_dump(by_alias=True, exclude_none=True)
    if auth.kind == "approved_supplier":
        data["party"] = actors[auth.party.name]
    else:
        data["holder"] = actors[auth.holder.name]
    return _AUTHORIZATION.validate_python(data)


_AUTHORIZATION = TypeAdapter(Authorization)


def _derived(manifest: FleetManifest, line: Line):
    """(kind, actor, id suffix) of each transaction derived for a model year of the line."""
    actors = {"sale": (TransactionKind.sell_vehicle, None),
              "import": (TransactionKind.import_vehicle, line.importer),
              "ads-service": (TransactionKind.ads_commercial_service, line.ads_service)}
    for suffix in manifest.derived_suffixes(line):
        yield *actors[suffix], suffix


def _bom_ref(manifest: FleetManifest, line_id: str | None, file: str) -> BomRef | None:
    """What the manifest says of a file's root: on the named line, else on the first line naming it."""
    lines = [line for line in manifest.lines if line.id == line_id] + list(manifest.lines)
    for line in lines:
        for ref in line.boms:
            if ref.file == file:
                return ref
    return None


def _vehicle(line: Line, year: int, vid: str, maker: str, roots: list[str]) -> Vehicle:
    return Vehicle(id=vid, make=line.make, model=line.model, trim=line.trim, model_year=year,
                   gvwr_lbs=line.gvwr_lbs, public_roads=line.public_roads, completed=line.completed,
                   ads_level=line.ads_level, manufacturer=maker, items=tuple(dict.fromkeys(roots)))


class _Builder:
    def __init__(self, boms: dict[str, BomComponents], paths: dict[str, str], edition: Edition):
        self.boms, self.paths, self.edition = boms, paths, edition
        self.items: dict[str, Item] = {}
        self.rows: dict[str, tuple[ComponentRow, Variant]] = {}
        self.classification: dict[str, dict[str, str]] = {}
        self.files: dict[str, str] = {}
        self.written: dict[str, str] = {}
        self._roots: dict[Variant, str] = {}
        self._prefixes: dict[str, list[Variant]] = {}

    def root(self, variant: Variant) -> str:
        if variant not in self._roots:
            self._roots[variant] = self._build(variant)
        return self._roots[variant]

    def _prefix(self, variant: Variant) -> str:
        path = self.paths[variant.source_id]
        stem = path.rsplit("/", 1)[-1]
        for suffix in (".json", ".xml", ".yaml", ".yml", ".spdx", ".cdx", ".spdx3", ".cx-0158-1", ".tag", ".rdf"):
            stem = stem.removesuffix(suffix)
        seen = self._prefixes.setdefault(variant.source_id, [])
        if variant not in seen:
            seen.append(variant)
        n = seen.index(variant)
        return stem if n == 0 else f"{stem}~{n + 1}"

    def _build(self, variant: Variant) -> str:
        bom = self.boms[variant.source_id]
        prefix = self._prefix(variant)
        path = self.paths[variant.source_id]

        def item_id(key: str) -> str:
            local = key if len(key) <= 120 else hashlib.sha256(key.encode()).hexdigest()[:20]
            return f"{prefix}/{local}"

        rows = bom.rows
        root_row = next((r for r in rows if r.is_root), None)
        if root_row is None:
            root_row = ComponentRow(variant.source_id, bom.root, f"root of {path}", "hardware", bom.root, None, "/",
                                    None, None, 1, [], None, None, None, None, None, None, None, None, False, None,
                                    None, None, [])
            rows = [root_row] + rows
        children: dict[str, list[str]] = {}
        for row in rows:
            if not row.is_root:
                children.setdefault(row.parent or root_row.key, []).append(item_id(row.key))
        root_item = self._item(root_row, variant, item_id, children, path, None, True)
        root_enables = root_item.enables
        enables_from = self.classification[root_item.id].get("enables")
        if root_enables is None and has_vcs_function(root_item, self.edition).value is True:
            root_enables, enables_from = (VehicleFunction.vcs,), "vcs: its ECU has a VCS radio function"
        for row in rows:
            if not row.is_root:
                self._item(row, variant, item_id, children, path, (root_item.name, root_enables, enables_from), False)
        return root_item.id

    def _item(self, row: ComponentRow, variant: Variant, item_id, children, path: str, ecu, is_root: bool) -> Item:
        iid = item_id(row.key)
        said: dict[str, str] = {}
        hardware = row.type == "hardware"
        name = row.name if row.count == 1 else f"{row.name} and {row.count - 1} more software components like it"
        fields: dict = {"id": iid, "type": ItemType.hardware if hardware else ItemType.software, "name": name,
                        "contains": tuple(children.get(row.key, ()))}
        if hardware:
            rf = _radio(row.rf)
            if rf is not None:
                said["rf"] = f"{','.join(rf) or 'none'} (file)"
            max_mhz, passive = row.max_rf_mhz, row.passive
            if max_mhz is not None:
                said["max_rf_mhz"] = f"{max_mhz:g} (file)"
            if is_root:
                if variant.rf is not None:
                    rf, said["rf"] = variant.rf, f"{','.join(variant.rf) or 'none'} (manifest)"
                if variant.max_rf_mhz is not None:
                    max_mhz, said["max_rf_mhz"] = variant.max_rf_mhz, f"{variant.max_rf_mhz:g} (manifest)"
                if variant.passive is not None:
                    passive, said["passive"] = variant.passive, f"{variant.passive} (manifest)"
                if variant.model_year is not None:
                    fields["model_year"] = variant.model_year
                    said["model_year"] = f"{variant.model_year} (manifest transaction)"
            fields.update(rf=rf, max_rf_mhz=max_mhz, passive=passive)
            if row.model_year is not None and "model_year" not in fields:
                fields["model_year"], said["model_year"] = row.model_year, f"{row.model_year} (file)"
            enables = _enables(row.enables)
            if is_root and variant.enables is not None:
                enables, said["enables"] = variant.enables, f"{','.join(variant.enables)} (manifest)"
            elif enables is not None:
                said["enables"] = f"{','.join(enables)} (file)"
            fields["enables"] = enables
        else:
            enables = _enables(row.enables)
            if enables is not None:
                said["enables"] = f"{','.join(enables)} (file)"
            elif ecu is not None and ecu[1] is not None:
                enables = ecu[1]
                said["enables"] = f"{','.join(ecu[1])} (inherited from the ECU {ecu[0]}: {ecu[2]})"
            kind = SoftwareKind(row.software_kind) if row.software_kind in SoftwareKind._value2member_map_ else None
            if kind is not None:
                said["software_kind"] = f"{kind.value} ({row.kind_from})"
            if row.open_source is not None:
                said["open_source"] = f"{str(row.open_source).lower()} ({row.open_source_from})"
            if row.modified:
                said["modified_for_proprietary"] = "true (file)"
            if row.created is not None:
                said["created"] = f"{row.created.isoformat()} (file)" + (" (earliest of the group)" if row.count > 1 else "")
            fields.update(enables=enables, software_kind=kind, open_source=row.open_source,
                          modified_for_proprietary=bool(row.modified), created=row.created)
        if row.clean_sets > 1:
            said["parties"] = (f"{row.clean_sets} different sets of parties not linked to the PRC or Russia stand behind "
                               "these components; the roles name one of them (the law treats them alike)")
        if row.installation in ("oem", "aftermarket"):
            fields["installation"] = Installation(row.installation)
            said["installation"] = f"{row.installation} (file)"
        roles: dict[str, list[str]] = {}
        for ref in row.roles:
            roles.setdefault(ref.role, []).append(ref.node)
            self.written.setdefault(ref.node, ref.written)
        for role, nodes in roles.items():
            fields[role] = tuple(dict.fromkeys(nodes))
        item = Item(**fields)
        self.items[iid] = item
        self.rows[iid] = (row, variant)
        self.classification[iid] = said
        self.files[iid] = path
        return item


def _radio(text: str | None) -> tuple[RadioFunction, ...] | None:
    if text is None:
        return None
    words = [w.strip().lower() for w in text.replace(";", ",").split(",") if w.strip()]
    known = tuple(RadioFunction(w) for w in words if w in RadioFunction._value2member_map_)
    if words and not known:
        return None  # words cvrule does not know: the radio functions stay unknown
    return known


def _enables(text: str | None) -> tuple[VehicleFunction, ...] | None:
    if text is None:
        return None
    words = [w.strip().lower() for w in text.replace(";", ",").split(",") if w.strip()]
    known = tuple(VehicleFunction(w) for w in words if w in VehicleFunction._value2member_map_)
    return known or None


def evaluation_days(scenario: Scenario, as_of: date | None) -> list[date]:
    if as_of is not None:
        return [as_of]
    return sorted({t.date for t in scenario.transactions.values()})
