"""The demo fleet in examples/demo-fleet: every input file is read as the format it claims to be,
the manifest loads and names only files that exist, the generated files are what their
generators write, the identifiers carry valid check digits, the supplier names resolve to the
ownership data (all but the suppliers meant to stay unknown), and the ownership data gives the
hard-case parties the status README.md describes. Deterministic, no network.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from stdnum import lei as lei_number
from stdnum.cn import uscc as uscc_number
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

from cvrule.fleet.manifest import load_manifest
from cvrule.ingest.detect import detect
from cvrule.ingest.limits import Limits

FLEET = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet"
TOOLS = FLEET / "tools"

FORMATS = {
    "boms/alpenrad-ts7-tpms.cdx.json": "cyclonedx-json",
    "boms/cascadia-adcu2-ads.cdx.json": "cyclonedx-json",
    "boms/corvina-civ7-ivi-2026.cdx.xml": "cyclonedx-xml",
    "boms/corvina-civ7-ivi-2028.cdx.json": "cyclonedx-json",
    "boms/corvina-civ7-ivi-2030.cdx.json": "cyclonedx-json",
    "boms/daesan-dtu4-tcu.cdx.xml": "cyclonedx-xml",
    "boms/formosa-fmr77-radar.cdx.json": "cyclonedx-json",
    "boms/hanbit-hive7-ivi.spdx.json": "spdx-2-json",
    "boms/lakeshore-lt5-tcu.cdx.json": "cyclonedx-json",
    "boms/meridian-mt200-tcu.cdx.json": "cyclonedx-json",
    "boms/nordlys-nv4-adas.cdx.json": "cyclonedx-json",
    "boms/northgate-ndk2-uwb-key.cdx.json": "cyclonedx-json",
    "boms/northgate-nk433-fob.cdx.json": "cyclonedx-json",
    "boms/rheinfeld-adx3-adcu.cx-0158-1.spdx3.json": "cx-0158-1",
    "boms/kitakaze-cgw3-gateway.cdx.json": "cyclonedx-json",
    "boms/veloxa-vx9-v2x.cdx.json": "cyclonedx-json",
    "ownership/bods/rigaroute.bods.json": "bods",
    "ownership/bods/meridian-group.bods.json": "bods",
    "ownership/bods/nimbus-ota.bods.jsonl": "bods",
    "ownership/ftm/rheinfeld.ftm.json": "ftm",
    "ownership/gleif/lei-records.xml": "gleif-lei-xml",
    "ownership/gleif/relationships.xml": "gleif-rr-xml",
    "ownership/gleif/reporting-exceptions.xml": "gleif-repex-xml",
    "ownership/registers/cascadia-tier2-register.xlsx": "supplier-register-xlsx",
    "ownership/registers/corvina-supplier-register.csv": "supplier-register-csv",
    "screening/csl-extract.json": "csl-json",
}
NOT_INPUTS = {"fleet.yaml", "dataflows.yaml", "README.md", "EXPECTED.md", "tools/make_ivi_sbom.py", "tools/make_registers.py"}
UNKNOWN_SUPPLIERS = {"Veloxa RF Solutions", "Quillbit Automotive Software", "Sonique Labs"}
# Named only by the CX-0158-1 SBOM's own agent record (no country, no identifier): a BOM's party
# records are no resolution targets (cvrule.resolve.run), so the mention stays unresolved; the
# nexus still decides the agent record itself (indeterminate, country unknown).
BOM_ONLY_SUPPLIERS = {"Hexagram Perception"}


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(f"demo_fleet_{name}", TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_file_of_the_folder_is_accounted_for():
    found = {path.relative_to(FLEET).as_posix() for path in FLEET.rglob("*")
             if path.is_file() and "__pycache__" not in path.parts}
    assert found == set(FORMATS) | NOT_INPUTS


def test_the_folder_stays_small():
    assert sum(path.stat().st_size for path in FLEET.rglob("*") if path.is_file()) < 3_000_000


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_input_is_read_as_its_format(name):
    path = FLEET / name
    fmt = detect(path)
    assert fmt.name == FORMATS[name]
    parsed = fmt.parse(path, Limits())
    facts = list(parsed.facts)
    assert facts, f"{name} gave no facts"
    assert parsed.source.format == FORMATS[name]


def test_the_manifest_loads_and_names_existing_boms():
    manifest = load_manifest(FLEET / "fleet.yaml")
    assert manifest.cvrule_fleet == 1
    assert {line.id for line in manifest.lines} == {"ridge", "summit", "pike", "hauler"}
    named = set(manifest.bom_files())
    for name in named:
        assert (FLEET / name).is_file(), name
    boms = {name for name in FORMATS if name.startswith("boms/")}
    assert named == boms, "every BOM in boms/ is built into some line, and only those"
    years = {year for line in manifest.lines for year in line.model_years}
    assert years == set(range(2026, 2032))
    assert [line.ads_level for line in manifest.lines if line.id == "summit"] == [3]
    assert [line.gvwr_lbs for line in manifest.lines if line.id == "hauler"] == [11500]
    assert [line.importer.name for line in manifest.lines if line.importer] == ["Cascadia Import Services LLC"]


def test_the_ivi_generator_reproduces_the_committed_sbom(tmp_path):
    tool = _tool("make_ivi_sbom")
    out = tmp_path / "ivi.spdx.json"
    tool.main(["make_ivi_sbom.py", str(out)])
    assert out.read_bytes() == (FLEET / "boms" / "hanbit-hive7-ivi.spdx.json").read_bytes()
    document = json.loads(out.read_bytes())
    assert 2800 <= len(document["packages"]) <= 3200
    purposes = {package["primaryPackagePurpose"] for package in document["packages"]}
    assert {"LIBRARY", "APPLICATION", "OPERATING-SYSTEM", "FIRMWARE", "DEVICE"} <= purposes


def test_the_register_generator_reproduces_the_committed_registers(tmp_path):
    from cvrule.ingest.register import FORMATS as REGISTER_FORMATS

    tool = _tool("make_registers")
    tool.main(["make_registers.py", str(tmp_path)])
    committed = FLEET / "ownership" / "registers"
    assert (tmp_path / tool.CSV).read_bytes() == (committed / tool.CSV).read_bytes()
    xlsx = next(f for f in REGISTER_FORMATS if f.name == "supplier-register-xlsx")

    def facts(path: Path) -> list:
        return [(type(f).__name__, *(getattr(f, s) for s in f.__slots__ if s != "location"))
                for f in xlsx.parse(path, Limits()).facts]

    assert facts(tmp_path / tool.XLSX) == facts(committed / tool.XLSX)


_LEI = re.compile(r"\bCVRL00[0-9A-Z]{14}\b")
_USCC = re.compile(r"\b9[0-9A-HJ-NPQRTUWXY]{17}\b")


def test_identifiers_carry_valid_check_digits():
    text = "\n".join(path.read_text(encoding="utf-8", errors="ignore") for path in FLEET.rglob("*")
                     if path.is_file() and path.suffix in (".json", ".jsonl", ".xml", ".csv", ".yaml", ".py"))
    leis = set(_LEI.findall(text))
    assert len(leis) >= 18
    assert all(lei_number.is_valid(value) for value in leis), sorted(v for v in leis if not lei_number.is_valid(v))
    usccs = set(_USCC.findall(text))
    assert len(usccs) == 4
    assert all(uscc_number.is_valid(value) for value in usccs)
    assert inn_number.is_valid("7704123450") and "7704123450" in text
    assert ogrn_number.is_valid("1127746123450") and "1127746123450" in text


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from cvrule.ingest.load import ingest_paths
    from cvrule.workspace import Workspace

    space = Workspace(tmp_path_factory.mktemp("demo-fleet") / "ws")
    outcomes = ingest_paths(space, [FLEET / name for name in sorted(FORMATS)])
    failed = [(o.path, o.message) for o in outcomes if o.outcome == "failed"]
    assert not failed
    return space


def test_supplier_names_resolve_except_the_unknown_ones(workspace):
    from cvrule.resolve import resolve_store
    from cvrule.store import Store
    from cvrule.store.resolution import ResolutionStore

    with workspace.lock("test"), Store(workspace.store_path) as store:
        report = resolve_store(store, actor="test")
        rows = ResolutionStore(store).mention_results()
    assert report.counts["review"] == 0
    unresolved = {row["name"] for row in rows if row["status"] != "linked"}
    assert unresolved == UNKNOWN_SUPPLIERS | BOM_ONLY_SUPPLIERS
    flagged = {flag["target_name"] for flag in report.flags}
    assert flagged == {"Dongguan Qianyue Precision Electronics Co., Ltd."}


@pytest.mark.parametrize("name, linkage", [
    ("Meridian Telematics Pte. Ltd.", "linked"),
    ("lei:CVRL00MERIDIANIRL294", "linked"),
    ("lei:CVRL00HARBOURLINE146", "linked"),
    ("Nimbus OTA Services Ltd", "linked"),
    ("Rigaroute Software SIA", "linked"),
    ("Dongguan Qianyue Precision Electronics Co., Ltd.", "linked"),
    ("Suzhou Lanchip Microelectronics Co., Ltd.", "linked"),
    ("Rheinfeld Automotive Systems GmbH", "indeterminate"),
    ("Hexagram Perception", "indeterminate"),
    ("Hanbit Infotainment Co., Ltd.", "not_linked"),
    ("Daesan Mobility Electronics Co., Ltd.", "not_linked"),
    ("Corvina Infotainment S.r.l.", "not_linked"),
    ("Lakeshore Telematics, Inc.", "not_linked"),
    ("Formosa Millimeter-Wave Technology Co., Ltd.", "not_linked"),
    ("lei:CVRL00CASCADIAMTR150", "not_linked"),
])
def test_the_ownership_data_gives_the_hard_cases_their_status(workspace, name, linkage):
    from cvrule.engine.pipeline import nexus_workspace
    from cvrule.law import Law
    from cvrule.store import Store
    from cvrule.store.nexus_tables import find_nodes

    day = date(2027, 7, 1)
    with Store(workspace.store_path) as store:
        found = find_nodes(store, name, day)
    if not found:
        nexus_workspace(workspace, day, Law.load())
        with Store(workspace.store_path) as store:
            found = find_nodes(store, name, day)
    assert [row["linkage"] for row in found] == [linkage]
