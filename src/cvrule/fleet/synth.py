"""A deterministic synthetic fleet for the fleet-assessment benchmark (`cvrule synth fleet OUT
--components N --seed S`): a folder `load_manifest` and the ingest read, shaped like an OEM's.

- `fleet.yaml`: vehicle lines over model years 2026-2031, in four recurring shapes (an SUV; a
  level 3 sedan with a driverless-service operator; an imported crossover; a heavy-duty pickup
  over the GVWR limit), each with its ECUs by generation, and imports of spare telematics units;
- `boms/`: one CycloneDX 1.6 JSON BOM per ECU and generation: telematics unit, head unit,
  gateway, ADAS or ADS computer, corner radar, C-V2X unit and digital key per line; key fob and
  TPMS shared by the fleet. The root component is the ECU with the `cvrule:` classification
  properties of docs/assess.md; hardware parts carry radio functions, frequencies and firmware;
  the bulk are software packages at Android and Yocto Linux scale, with purls, hashes, licences,
  suppliers and dependencies. Proprietary packages carry `cvrule:created`; a few rows name no
  supplier;
- `ownership/suppliers.bods.json` (BODS 0.4) and `registers/supplier-master.csv` (the supplier
  register): the supplier pool of `synth_suppliers`, a set share of it linked.

The component rows (each BOM's root and every component, nested ones included) add up to exactly
the number asked for, spread over the BOMs by ECU kind; without `lines`, lines are added until no
BOM holds more than MAX_BOM_ROWS. BOMs are written a component at a time, so memory stays flat
at any size, and the same arguments give the same bytes.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import orjson

from cvrule.fleet.synth_suppliers import (
    SYLLABLES,
    Supplier,
    build_suppliers,
    synthetic_lei,
    write_ownership,
    write_supplier_register,
)

__all__ = ["ECU_KINDS", "MAX_BOM_ROWS", "SynthSummary", "synth_fleet"]

MODEL_YEARS = (2026, 2027, 2028, 2029, 2030, 2031)
MAX_BOM_ROWS = 250_000
"""About 150 MB of CycloneDX JSON: the largest BOM the generator writes when it chooses the lines."""
DEFAULT_LINES = 6
_ROWS_PER_BOM_AT_LEAST = 4
_NAMESPACE = uuid.UUID("6f1c1a52-5b0e-4d47-9a55-3c1e2f0d7a11")


@dataclass(frozen=True)
class Part:
    """A hardware part of an ECU; `rf` None leaves the radio properties out."""

    name: str
    rf: str | None = None
    max_rf_mhz: str | None = None
    passive: bool = False
    firmware: str | None = None


@dataclass(frozen=True)
class EcuKind:
    code: str
    title: str
    rf: str
    max_rf_mhz: str
    enables: str
    weight: float
    """Share of a line's component rows, split evenly over the generations."""
    platform: str
    """android | linux | autosar | rtos: what its software looks like."""
    parts: tuple[Part, ...]
    generations: tuple[tuple[int, ...], ...]
    fleet_wide: bool = False


_PAIRS = ((2026, 2027), (2028, 2029), (2030, 2031))
_HALVES = ((2026, 2027, 2028), (2029, 2030, 2031))
_LATE = ((2029, 2030, 2031),)
_SOC, _DRAM, _FLASH, _PMIC = Part("application processor", "", "0"), Part("LPDDR4X DRAM"), Part("eMMC 5.1 flash"), Part("power management IC")
_CAN, _ETH = Part("CAN FD transceiver"), Part("100BASE-T1 automotive Ethernet PHY")

ECU_KINDS: dict[str, EcuKind] = {kind.code: kind for kind in (
    EcuKind("tcu", "telematics control unit", "cellular,gnss", "3800", "vcs", 0.17, "linux", (
        _SOC, Part("LTE-A/5G NR cellular module", "cellular,gnss", "3800", firmware="modem-firmware"),
        Part("multi-band GNSS receiver", "gnss", "1610", firmware="gnss-firmware"), Part("eUICC"), _DRAM, _FLASH,
        _PMIC, _CAN, _ETH, Part("6-axis inertial sensor"), Part("backup battery", passive=True),
        Part("cellular antenna array", "cellular", "3800", passive=True), Part("GNSS patch antenna", "gnss", "1610", passive=True),
        Part("housing and connectors", passive=True)), _PAIRS),
    EcuKind("ivi", "infotainment head unit", "wifi,bluetooth,gnss", "5895", "vcs", 0.40, "android", (
        Part("infotainment SoC", "", "0"), Part("Wi-Fi 6 and Bluetooth 5.3 combo module", "wifi,bluetooth", "5895", firmware="wlan-bt-firmware"),
        Part("GNSS receiver", "gnss", "1610", firmware="gnss-firmware"), Part("LPDDR5 DRAM"), Part("UFS 3.1 storage"), _PMIC,
        Part("display serializer"), Part("audio DSP", firmware="dsp-firmware"), _CAN, _ETH,
        Part("housing and heat sink", passive=True)), _PAIRS),
    EcuKind("gateway", "central gateway", "", "0", "none", 0.07, "autosar", (
        Part("gateway microcontroller", "", "0", firmware="bootloader"), Part("automotive Ethernet switch", "", "0"),
        _CAN, Part("LIN transceiver"), Part("hardware security module", firmware="hsm-firmware"),
        Part("housing", passive=True)), _HALVES),
    EcuKind("adas", "ADAS domain controller (SAE level 2)", "", "0", "none", 0.17, "linux", (
        Part("vision SoC", "", "0"), Part("safety microcontroller", "", "0", firmware="safety-firmware"), Part("LPDDR5 DRAM"),
        Part("NOR flash"), Part("camera deserializer"), _ETH, Part("housing and cooling plate", passive=True)), _HALVES),
    EcuKind("adcu", "automated driving computer (SAE level 3)", "", "0", "ads", 0.17, "linux", (
        Part("AI SoC (primary)", "", "0"), Part("AI SoC (redundant)", "", "0"),
        Part("safety microcontroller", "", "0", firmware="safety-firmware"), Part("LPDDR5 DRAM"), Part("NVMe storage"),
        Part("camera deserializer"), _ETH, Part("housing and liquid cooling plate", passive=True)), _HALVES),
    EcuKind("radar", "77 GHz corner radar", "radar", "81000", "none", 0.03, "rtos", (
        Part("77 GHz radar MMIC", "radar", "81000", firmware="dsp-firmware"), Part("radar microcontroller", "", "0"),
        Part("radome and bracket", passive=True)), _HALVES),
    EcuKind("v2x", "C-V2X on-board unit", "v2x,gnss", "5925", "vcs", 0.05, "linux", (
        Part("C-V2X PC5 radio module", "v2x", "5925", firmware="v2x-firmware"), Part("GNSS receiver", "gnss", "1610"),
        Part("hardware security module"), Part("housing", passive=True)), _LATE),
    EcuKind("dkey", "UWB and Bluetooth LE digital key module", "uwb,bluetooth,nfc,vehicle_access", "7987.2", "vcs", 0.015,
            "rtos", (Part("UWB transceiver", "uwb", "7987.2", firmware="uwb-firmware"),
                     Part("Bluetooth LE SoC", "bluetooth", "2480", firmware="ble-firmware"),
                     Part("NFC controller", "nfc", "13.56"), Part("enclosure and gasket", passive=True)), _LATE),
    EcuKind("fob", "remote keyless entry fob", "vehicle_access", "433.92", "none", 0.003, "rtos", (
        Part("sub-GHz transmitter", "vehicle_access", "433.92", firmware="fob-firmware"),
        Part("shell, key blade and battery holder", passive=True)), _HALVES, fleet_wide=True),
    EcuKind("tpms", "tire pressure monitoring sensor set", "tpms", "433.92", "none", 0.003, "rtos", (
        Part("wheel sensor module", "tpms", "433.92", firmware="sensor-firmware"), Part("valve stem kit", passive=True)),
        (MODEL_YEARS,), fleet_wide=True),
)}

_MODELS = ("Ridge", "Summit", "Pike", "Hauler", "Mesa", "Cove", "Fjord", "Atlas", "Bluff", "Cinder", "Drift", "Ember",
           "Flint", "Glacier", "Harbor", "Inlet", "Juniper", "Kestrel", "Lumen", "Marsh", "Nimbus", "Orca", "Prairie", "Quarry")
_SHAPES = (  # years, GVWR, SAE level, ECUs of the line
    (MODEL_YEARS, 6100, 2, ("tcu", "ivi", "gateway", "adas", "radar", "dkey")),
    (MODEL_YEARS[2:], 5400, 3, ("tcu", "ivi", "gateway", "adcu", "radar", "v2x", "dkey")),
    (MODEL_YEARS, 4700, 2, ("tcu", "ivi", "gateway", "adas", "radar", "v2x")),
    (MODEL_YEARS[1:], 11500, 2, ("tcu", "ivi", "gateway", "adas")),
)
_MANUFACTURER = ("fleet-oem", "Synthia Motors, Inc.")
_IMPORTER = ("fleet-importer", "Synthia Import Services LLC")
_ADS_OPERATOR = ("fleet-mobility", "Synthia Mobility LLC")

_OSI = (("Apache-2.0", 30), ("MIT", 15), ("BSD-3-Clause", 10), ("GPL-2.0-only", 9), ("LGPL-2.1-or-later", 7),
        ("BSD-2-Clause", 5), ("GPL-3.0-or-later", 3), ("MPL-2.0", 3), ("ISC", 3), ("Zlib", 1), ("LGPL-3.0-only", 2),
        ("EPL-2.0", 1), ("Apache-2.0 OR MIT", 5), ("GPL-2.0-only WITH Linux-syscall-note", 2), ("", 4))
_OSI_NAMES = tuple(name for name, _ in _OSI)
_OSI_CUMULATIVE = tuple(accumulate(weight for _, weight in _OSI))
_STEMS = tuple(a + b for a in SYLLABLES for b in SYLLABLES) + tuple(a + b + c for a in SYLLABLES[:20] for b in SYLLABLES for c in SYLLABLES[20:])
_AUTOSAR = ("Com", "PduR", "CanIf", "CanTp", "Dcm", "Dem", "NvM", "Fee", "EthIf", "SoAd", "SecOC", "Crypto", "WdgM", "BswM", "EcuM")


@dataclass(frozen=True)
class SynthSummary:
    """What `synth_fleet` wrote."""

    out_dir: Path
    seed: int
    lines: int
    boms: int
    components: int
    """Component rows in all BOMs: each root and every component, nested ones included."""
    bytes_written: int
    largest_bom_bytes: int
    largest_bom_rows: int
    suppliers: int
    linked_suppliers: int
    unknown_suppliers: int
    linked_rows: int
    """Component rows whose supplier is linked."""
    no_supplier_rows: int
    ownership_statements: int


@dataclass(frozen=True)
class _Line:
    id: str
    model: str
    years: tuple[int, ...]
    gvwr_lbs: int
    ads_level: int
    shape: int
    ecus: tuple[str, ...]


@dataclass(frozen=True)
class _BomPlan:
    file: str
    kind: EcuKind
    generation: tuple[int, ...]
    weight: float


@dataclass
class _Tally:
    rows: int = 0
    linked_rows: int = 0
    no_supplier_rows: int = 0


class _Pool:
    """The supplier pool as BOMs draw from it: a few suppliers named very often, most rarely (Zipf)."""

    def __init__(self, suppliers: list[Supplier]):
        self.suppliers = suppliers
        self.entities = [supplier.entity() for supplier in suppliers]
        self.linked = [supplier.link is not None for supplier in suppliers]
        self.cumulative = list(accumulate(1.0 / (rank + 8) ** 0.9 for rank in range(len(suppliers))))

    def pick(self, rnd: random.Random) -> int:
        return bisect_right(self.cumulative, rnd.random() * self.cumulative[-1])


def _lines(count: int) -> list[_Line]:
    lines = []
    for index in range(count):
        model = _MODELS[index % len(_MODELS)] + (f" {index // len(_MODELS) + 1}" if index >= len(_MODELS) else "")
        years, gvwr, level, ecus = _SHAPES[index % len(_SHAPES)]
        lines.append(_Line(model.lower().replace(" ", "-"), model, years, gvwr, level, index % len(_SHAPES), ecus))
    return lines


def _plans(lines: list[_Line]) -> tuple[list[_BomPlan], dict[str, list[tuple[_BomPlan, tuple[int, ...]]]]]:
    """Every BOM to write, and per line the BOMs it carries with their model years."""
    plans: list[_BomPlan] = []
    carried: dict[str, list[tuple[_BomPlan, tuple[int, ...]]]] = {line.id: [] for line in lines}
    for kind in ECU_KINDS.values():
        if not kind.fleet_wide:
            continue
        for generation in kind.generations:
            plan = _BomPlan(f"boms/fleet-{kind.code}-{generation[0]}.cdx.json", kind, generation, kind.weight / len(kind.generations))
            plans.append(plan)
            for line in lines:
                years = tuple(year for year in generation if year in line.years)
                if years:
                    carried[line.id].append((plan, years))
    for line in lines:
        for code in line.ecus:
            kind = ECU_KINDS[code]
            for generation in kind.generations:
                years = tuple(year for year in generation if year in line.years)
                if years:
                    plan = _BomPlan(f"boms/{line.id}-{code}-{years[0]}.cdx.json", kind, years, kind.weight / len(kind.generations))
                    plans.append(plan)
                    carried[line.id].append((plan, years))
    return plans, carried


def _apportion(total: int, weights: list[float], floor: int) -> list[int]:
    """Split `total` by weight (largest remainder), each share at least `floor`."""
    spare = total - floor * len(weights)
    whole = sum(weights)
    exact = [spare * weight / whole for weight in weights]
    shares = [math.floor(value) for value in exact]
    for index in sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))[: spare - sum(shares)]:
        shares[index] += 1
    return [floor + share for share in shares]


def _layout(components: int, lines: int | None) -> tuple[list[_Line], list[_BomPlan], dict, list[int]]:
    count = lines or DEFAULT_LINES
    while True:
        fleet_lines = _lines(count)
        plans, carried = _plans(fleet_lines)
        if components < _ROWS_PER_BOM_AT_LEAST * len(plans):
            raise ValueError(f"{components} component rows are too few for {len(plans)} BOMs "
                             f"(at least {_ROWS_PER_BOM_AT_LEAST * len(plans)})")
        rows = _apportion(components, [plan.weight for plan in plans], _ROWS_PER_BOM_AT_LEAST)
        if lines is not None or max(rows) <= MAX_BOM_ROWS:
            return fleet_lines, plans, carried, rows
        count += 1


def synth_fleet(out_dir: Path, components: int, seed: int, lines: int | None = None, *, suppliers: int = 3000,
                linked_share: float = 0.08, unknown_share: float = 0.01, no_supplier_share: float = 0.02) -> SynthSummary:
    """Write a synthetic fleet of `components` component rows into `out_dir` (new or empty).

    `linked_share` and `unknown_share` are the shares of the `suppliers` pool that are linked and
    unknown (exactly, after rounding); `no_supplier_share` the share of open-source rows that name
    no supplier at all."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise ValueError(f"{out_dir} is not empty: synth fleet writes into a new or empty folder")
    if suppliers < 10:
        raise ValueError("the supplier pool needs at least 10 suppliers")
    fleet_lines, plans, carried, rows = _layout(components, lines)
    pool = _Pool(build_suppliers(suppliers, seed, linked_share, unknown_share))
    for folder in ("boms", "ownership", "registers"):
        (out_dir / folder).mkdir(parents=True, exist_ok=True)

    rnd = random.Random(f"cvrule-synth-fleet:{seed}")
    fleet_parties = [(key, name, synthetic_lei(rnd)) for key, name in (_MANUFACTURER, _IMPORTER, _ADS_OPERATOR)]
    tier1 = _tier1s(pool, rnd, plans)
    tally, largest = _Tally(), (0, 0)
    for number, (plan, count) in enumerate(zip(plans, rows)):
        maker = tier1[number]
        bom = _write_bom(out_dir / plan.file, plan, count, maker, pool, seed, tally, no_supplier_share)
        largest = max(largest, (bom, count))
    manifest = _manifest(fleet_lines, carried, fleet_parties)
    (out_dir / "fleet.yaml").write_text(manifest, encoding="utf-8")
    statements = write_ownership(out_dir / "ownership" / "suppliers.bods.json", pool.suppliers, seed, fleet_parties)
    write_supplier_register(out_dir / "registers" / "supplier-master.csv", pool.suppliers)
    written = sum(path.stat().st_size for path in out_dir.rglob("*") if path.is_file())
    return SynthSummary(
        out_dir=out_dir, seed=seed, lines=len(fleet_lines), boms=len(plans), components=tally.rows,
        bytes_written=written, largest_bom_bytes=largest[0], largest_bom_rows=largest[1], suppliers=suppliers,
        linked_suppliers=sum(pool.linked), unknown_suppliers=sum(not s.known for s in pool.suppliers),
        linked_rows=tally.linked_rows, no_supplier_rows=tally.no_supplier_rows, ownership_statements=statements,
    )


def _tier1s(pool: _Pool, rnd: random.Random, plans: list[_BomPlan]) -> list[int]:
    """The ECU maker of each BOM, from a few dozen known suppliers. The first key fob's maker is
    organized in a linked country and the first telematics unit's owned from one (when the pool
    has such suppliers), so every fleet has both cases to find."""
    known = [index for index, supplier in enumerate(pool.suppliers) if supplier.known]
    makers = rnd.sample(known, min(len(known), 40))
    chosen = [rnd.choice(makers) for _ in plans]
    for code, link in (("fob", "organized"), ("tcu", "owned")):
        supplier = next((index for index in known if pool.suppliers[index].link == link), None)
        plan = next((number for number, plan in enumerate(plans) if plan.kind.code == code), None)
        if supplier is not None and plan is not None:
            chosen[plan] = supplier
    return chosen


# --- one BOM ----------------------------------------------------------------------------------


def _slug(supplier: Supplier) -> str:
    return supplier.domain.split(".")[1]


def _day(rnd: random.Random, first_year: int) -> str:
    """A design or build date two or three years before a generation's first model year."""
    return f"{first_year - rnd.choice((2, 2, 3))}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"


def _version(rnd: random.Random) -> str:
    return f"{rnd.randint(0, 12)}.{rnd.randint(0, 40)}.{rnd.randint(0, 30)}"


def _write_bom(path: Path, plan: _BomPlan, rows: int, maker_index: int, pool: _Pool, seed: int, tally: _Tally,
               no_supplier_share: float) -> int:
    """Write one BOM of exactly `rows` component rows; return its size in bytes."""
    rnd = random.Random(f"cvrule-synth-fleet:{seed}:{plan.file}")
    writer = _BomRows(rnd, plan, pool, maker_index, tally, no_supplier_share)
    with open(path, "wb") as handle:
        handle.write(writer.header(path.name, seed))
        writer.write_components(handle, rows)
        writer.write_dependencies(handle, random.Random(f"cvrule-synth-fleet:{seed}:{plan.file}:dependencies"))
        handle.write(b"\n]}\n")
        return handle.tell()


class _BomRows:
    """The component rows of one BOM, made in order: the ECU, its parts with their firmware, then
    the software (the operating systems first)."""

    def __init__(self, rnd: random.Random, plan: _BomPlan, pool: _Pool, maker_index: int, tally: _Tally,
                 no_supplier_share: float):
        self.rnd, self.plan, self.kind, self.pool, self.tally = rnd, plan, plan.kind, pool, tally
        self.no_supplier_share = no_supplier_share
        self.maker_index = maker_index
        self.maker = pool.suppliers[maker_index]
        self.first_year = plan.generation[0]
        self.parts: list[str] = []
        self.software = 0

    def supplier(self, index: int | None, row: dict) -> dict:
        """Name the supplier of a row and count it."""
        if index is None:
            self.tally.no_supplier_rows += 1
        else:
            row["supplier"] = self.pool.entities[index]
            self.tally.linked_rows += self.pool.linked[index]
        self.tally.rows += 1
        return row

    def header(self, name: str, seed: int) -> bytes:
        kind, rnd, maker = self.kind, self.rnd, self.maker
        manufacturer = self.maker_index if rnd.random() < 0.7 else self.pool.pick(rnd)
        part_number = f"{kind.code.upper()}-{rnd.randint(100, 999)}"
        root = self.supplier(self.maker_index, {"type": "device", "bom-ref": "ecu"})
        root["manufacturer"] = self.pool.entities[manufacturer]
        root["authors"] = [{"name": maker.name, "email": f"sbom@{maker.domain.removeprefix('www.')}"}]
        root.update({
            "name": f"{part_number} {kind.title}", "version": f"HW-{chr(65 + _generation_index(self.plan))}{rnd.randint(1, 4)}",
            "description": f"{kind.title} for model years {self.plan.generation[0]}-{self.plan.generation[-1]}",
            "properties": [{"name": "cvrule:rf", "value": kind.rf}, {"name": "cvrule:max_rf_mhz", "value": kind.max_rf_mhz},
                           {"name": "cvrule:passive", "value": "false"}, {"name": "cvrule:enables", "value": kind.enables}],
        })
        document = {
            "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat": "CycloneDX", "specVersion": "1.6",
            "serialNumber": f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{seed}/{name}')}", "version": 1,
            "metadata": {
                "timestamp": f"{self.first_year - 1}-{rnd.randint(1, 6):02d}-{rnd.randint(1, 28):02d}T08:00:00Z",
                "lifecycles": [{"phase": "build"}],
                "tools": {"components": [{"type": "application", "name": "cvrule-synth-fleet", "version": "1"}]},
                "component": root, "supplier": self.pool.entities[self.maker_index],
            },
        }
        return orjson.dumps(document)[:-1] + b',"components":['

    def write_components(self, handle, rows: int) -> None:
        parts = list(self.hardware(rows - 1))  # the root is written in the header
        software = rows - 1 - sum(1 + len(part.get("components", ())) for part in parts)
        _write_array(handle, (orjson.dumps(row) for row in parts), first=True)
        _write_array(handle, (orjson.dumps(row) for row in self.software_rows(software)), first=not parts)

    def hardware(self, budget: int):
        rnd = self.rnd
        for number, part in enumerate(self.kind.parts):
            if budget < 1:
                return
            vendor = self.pool.pick(rnd)
            row = self.supplier(vendor, {"type": "device", "bom-ref": f"h{number}"})
            row["manufacturer"] = self.pool.entities[vendor]
            row.update({"name": f"{rnd.choice(SYLLABLES).upper()}{rnd.randint(10, 99)} {part.name}",
                        "version": f"{chr(65 + rnd.randint(0, 3))}{rnd.randint(0, 9)}"})
            properties = []
            if part.rf is not None:
                properties += [{"name": "cvrule:rf", "value": part.rf}, {"name": "cvrule:max_rf_mhz", "value": part.max_rf_mhz}]
            properties.append({"name": "cvrule:passive", "value": "true" if part.passive else "false"})
            row["properties"] = properties
            budget -= 1
            self.parts.append(f"h{number}")
            if part.firmware and budget >= 1:
                row["components"] = [self.firmware(vendor, f"h{number}-fw", part.firmware)]
                budget -= 1
            yield row

    def firmware(self, vendor: int, ref: str, title: str) -> dict:
        rnd, supplier = self.rnd, self.pool.suppliers[vendor]
        name, version = f"{_slug(supplier)}-{title}", _version(rnd)
        row = self.supplier(vendor, {"type": "firmware", "bom-ref": ref})
        row.update({"name": name, "version": version, "hashes": [{"alg": "SHA-256", "content": f"{rnd.getrandbits(256):064x}"}],
                    "licenses": [{"expression": supplier.licence_ref}], "purl": f"pkg:generic/{_slug(supplier)}/{name}@{version}",
                    "properties": [{"name": "cvrule:created", "value": _day(rnd, self.first_year)}]})
        return row

    def software_rows(self, budget: int):
        proprietary = 0.5 if self.kind.platform in ("autosar", "rtos") else 0.06
        for number in range(budget):
            self.software = number + 1
            if number < len(_BASE[self.kind.platform]):
                yield self.base(number)
            elif self.rnd.random() < proprietary:
                yield self.proprietary(number)
            else:
                yield self.open_source(number)

    def base(self, number: int) -> dict:
        """The operating system, kernel or basic software the rest runs on."""
        name, ctype, licence = _BASE[self.kind.platform][number]
        rnd = self.rnd
        vendor = self.maker_index if licence.startswith("LicenseRef") else self.pool.pick(rnd)
        version = _version(rnd)
        row = self.supplier(vendor, {"type": ctype, "bom-ref": f"s{number}"})
        licence = self.maker.licence_ref if licence.startswith("LicenseRef") else licence
        row.update({"name": name, "version": version, "hashes": [{"alg": "SHA-256", "content": f"{rnd.getrandbits(256):064x}"}],
                    "licenses": [{"license": {"id": licence}} if not licence.startswith("LicenseRef") else {"expression": licence}],
                    "purl": f"pkg:generic/{name}@{version}"})
        return row

    def proprietary(self, number: int) -> dict:
        rnd = self.rnd
        vendor = self.maker_index if rnd.random() < 0.6 else self.pool.pick(rnd)
        supplier = self.pool.suppliers[vendor]
        ctype = rnd.choice(("application", "library", "library", "firmware") if self.kind.platform in ("autosar", "rtos")
                           else ("application", "application", "library", "library", "framework"))
        if self.kind.platform == "autosar":
            stem = f"{rnd.choice(_AUTOSAR)}_{rnd.choice(_STEMS)}"
        else:
            stem = f"{_slug(supplier).rsplit('-', 1)[0]}-{rnd.choice(_STEMS)}"
        version = _version(rnd)
        row = self.supplier(vendor, {"type": ctype, "bom-ref": f"s{number}"})
        row["authors"] = [{"name": supplier.name}]
        properties = [{"name": "cvrule:created", "value": _day(rnd, self.first_year)}]
        if rnd.random() < 0.5:
            properties.append({"name": "cvrule:open_source", "value": "false"})
        if ctype == "application" and self.kind.enables != "none" and rnd.random() < 0.2:
            properties.append({"name": "cvrule:enables", "value": self.kind.enables})
        row.update({"name": stem, "version": version, "hashes": [{"alg": "SHA-256", "content": f"{rnd.getrandbits(256):064x}"}],
                    "licenses": [{"expression": supplier.licence_ref}], "purl": f"pkg:generic/{_slug(supplier)}/{stem}@{version}",
                    "properties": properties})
        return row

    def open_source(self, number: int) -> dict:
        rnd = self.rnd
        draw = rnd.random()
        if draw < 0.45:
            vendor: int | None = self.maker_index
        elif draw < 1 - self.no_supplier_share:
            vendor = self.pool.pick(rnd)
        else:
            vendor = None
        ctype, name, group, version, purl = _PACKAGES[self.kind.platform](rnd)
        row = self.supplier(vendor, {"type": ctype, "bom-ref": f"s{number}"})
        if group:
            row["group"] = group
        row.update({"name": name, "version": version, "hashes": [{"alg": "SHA-256", "content": f"{rnd.getrandbits(256):064x}"}]})
        licence = _OSI_NAMES[bisect_right(_OSI_CUMULATIVE, rnd.random() * _OSI_CUMULATIVE[-1])]
        if licence:
            row["licenses"] = [{"expression": licence}] if " " in licence else [{"license": {"id": licence}}]
        row["purl"] = purl
        if rnd.random() < 0.01:
            row["properties"] = [{"name": "cvrule:modified_for_proprietary", "value": "true"},
                                 {"name": "cvrule:created", "value": _day(rnd, self.first_year)}]
        return row

    def write_dependencies(self, handle, rnd: random.Random) -> None:
        """The ECU depends on its parts and base software; most packages on one to three earlier ones."""
        handle.write(b'\n],"dependencies":[')
        base = [f"s{n}" for n in range(min(self.software, len(_BASE[self.kind.platform])))]
        _write_array(handle, (orjson.dumps(entry) for entry in self.dependencies(rnd, self.parts + base)), first=True)

    def dependencies(self, rnd: random.Random, ecu_needs: list[str]):
        yield {"ref": "ecu", "dependsOn": ecu_needs}
        for number in range(1, self.software):
            if rnd.random() < 0.6:
                targets = sorted({number - rnd.randint(1, min(number, 2000)) for _ in range(rnd.randint(1, 3))})
                yield {"ref": f"s{number}", "dependsOn": [f"s{n}" for n in targets]}


def _write_array(handle, items, first: bool) -> None:
    """Write JSON array items one a line, in batches; `first` when nothing precedes them in the array."""
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) == 4096:
            handle.write((b"\n" if first else b",\n") + b",\n".join(batch))
            batch.clear()
            first = False
    if batch:
        handle.write((b"\n" if first else b",\n") + b",\n".join(batch))


def _generation_index(plan: _BomPlan) -> int:
    return next((n for n, generation in enumerate(plan.kind.generations) if plan.generation[0] in generation), 0)


_BASE = {  # name, CycloneDX type, licence ("LicenseRef" for the ECU maker's own)
    "android": (("android-automotive-os", "operating-system", "Apache-2.0"), ("linux", "operating-system", "GPL-2.0-only"),
                ("u-boot", "firmware", "GPL-2.0-or-later")),
    "linux": (("linux", "operating-system", "GPL-2.0-only"), ("poky", "operating-system", "MIT"),
              ("u-boot", "firmware", "GPL-2.0-or-later")),
    "autosar": (("autosar-classic-bsw", "operating-system", "LicenseRef"), ("bootloader", "firmware", "LicenseRef")),
    "rtos": (("zephyr", "operating-system", "Apache-2.0"), ("mcuboot", "firmware", "Apache-2.0")),
}


def _android_package(rnd: random.Random) -> tuple[str, str, str | None, str, str]:
    stem, version, draw = rnd.choice(_STEMS), _version(rnd), rnd.random()
    if draw < 0.30:
        group = rnd.choice(("androidx.", "com.google.android.", "org.jetbrains.", "io.")) + rnd.choice(_STEMS)
        return "library", stem, group, version, f"pkg:maven/{group}/{stem}@{version}"
    if draw < 0.60:
        return "library", f"lib{stem}", None, version, f"pkg:generic/aosp/lib{stem}@{version}"
    if draw < 0.75:
        name = f"com.{rnd.choice(_STEMS)}.{stem}"
        return "application", name, None, version, f"pkg:generic/aosp/{name}@{version}"
    if draw < 0.85:
        name = f"android.hardware.{stem}-V{rnd.randint(1, 4)}"
        return "framework", name, None, version, f"pkg:generic/aosp/{name}@{version}"
    return "library", stem, None, version, f"pkg:github/{rnd.choice(_STEMS)}/{stem}@{version}"


def _linux_package(rnd: random.Random) -> tuple[str, str, str | None, str, str]:
    stem, version, draw = rnd.choice(_STEMS), _version(rnd), rnd.random()
    if draw < 0.55:
        name = rnd.choice(("lib{}", "{}", "lib{}", "{}-utils", "python3-{}", "gstreamer1.0-plugins-{}", "kernel-module-{}",
                           "perl-module-{}")).format(stem)
        return ("application" if name == stem or name.endswith("-utils") else "library"), name, None, version, f"pkg:generic/{name}@{version}"
    if draw < 0.70:
        return "library", stem, None, version, f"pkg:pypi/{stem}@{version}"
    if draw < 0.80:
        return "library", stem, None, version, f"pkg:cargo/{stem}@{version}"
    if draw < 0.88:
        return "library", stem, None, version, f"pkg:golang/github.com/{rnd.choice(_STEMS)}/{stem}@v{version}"
    if draw < 0.96:
        return "library", stem, None, version, f"pkg:npm/{stem}@{version}"
    return "container", f"{stem}-service", None, version, f"pkg:oci/{stem}-service@sha256%3A{rnd.getrandbits(128):032x}"


def _embedded_package(rnd: random.Random) -> tuple[str, str, str | None, str, str]:
    stem, version = rnd.choice(_STEMS), _version(rnd)
    return "library", stem, None, version, f"pkg:generic/{stem}@{version}"


_PACKAGES = {"android": _android_package, "linux": _linux_package, "autosar": _embedded_package, "rtos": _embedded_package}


# --- the manifest -----------------------------------------------------------------------------


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are)."""
    return json.dumps(text, ensure_ascii=False)


def _manifest(lines: list[_Line], carried: dict, parties: list[tuple[str, str, str]]) -> str:
    (_, maker, maker_lei), (_, importer, importer_lei), (_, operator, operator_lei) = parties
    out = [
        "# A synthetic fleet written by `cvrule synth fleet`; every company in it is fictional.",
        "cvrule_fleet: 1",
        f"name: {_q(f'Synthia Motors model years 2026-2031, {len(lines)} lines')}",
        f"manufacturer: {{name: {_q(maker)}, country: US, identifiers: {{lei: {maker_lei}}}}}",
        "lines:",
    ]
    transactions = []
    for line in lines:
        out += [f"  - id: {line.id}", "    make: Synthia", f"    model: {_q(line.model)}",
                f"    model_years: [{', '.join(map(str, line.years))}]", f"    gvwr_lbs: {line.gvwr_lbs}",
                f"    ads_level: {line.ads_level}", '    introduction: "07-01"']
        if line.shape == 1:
            out.append(f"    ads_service: {{name: {_q(operator)}, country: US, identifiers: {{lei: {operator_lei}}}}}")
        if line.shape == 2:
            out.append(f"    importer: {{name: {_q(importer)}, country: US, identifiers: {{lei: {importer_lei}}}}}")
        out.append("    boms:")
        for plan, years in carried[line.id]:
            out += [f"      - file: {plan.file}", f"        model_years: [{', '.join(map(str, years))}]"]
            if plan.kind.code == "tcu" and years[0] == line.years[0]:
                transactions.append((line, plan, years[0]))
    out.append("transactions:" if transactions else "transactions: []")
    for line, plan, year in transactions:
        out += [f"  - id: {line.id}-tcu-spares-{year}", "    kind: import_vcs_hardware",
                f"    actor: {{name: {_q(maker)}, country: US, identifiers: {{lei: {maker_lei}}}}}",
                f"    bom: {plan.file}", f"    line: {line.id}", f"    model_year: {year}", f"    date: {year - 1}-09-01",
                "    purpose: production"]
    return "\n".join(out) + "\n"
