"""`cvrule synth fleet`: the synthetic fleet of the assessment benchmark is deterministic, is read
by cvrule's own manifest reader and parsers, and has the size and linked share it was asked for."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.fleet.manifest import load_manifest
from cvrule.fleet.synth import MAX_BOM_ROWS, synth_fleet
from cvrule.ingest.detect import detect
from cvrule.ingest.facts import ItemFact, OwnershipFact, PartyFact, RoleMention
from cvrule.ingest.limits import Limits
from cvrule.model.items import RadioFunction

ROWS = 20_000
LINKED_JURISDICTIONS = {"CN", "HK", "RU"}  # what the generator is asked to link to: test data, not law


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _facts(path: Path, limits: Limits | None = None):
    fmt = detect(path)
    return fmt, list(fmt.parse(path, limits or Limits()).facts)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "fleet"
    return out, synth_fleet(out, ROWS, seed=7)


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_bytes(fleet, tmp_path):
    out, _ = fleet
    again, other = tmp_path / "again", tmp_path / "other"
    synth_fleet(again, ROWS, seed=7)
    synth_fleet(other, ROWS, seed=8)
    assert _digest(again) == _digest(out)
    assert _digest(other) != _digest(out)


def test_the_fleet_manifest_is_accepted_and_names_every_bom_written(fleet):
    out, summary = fleet
    manifest = load_manifest(out / "fleet.yaml")
    assert len(manifest.lines) == summary.lines
    assert {year for line in manifest.lines for year in line.model_years} == set(range(2026, 2032))
    written = {path.relative_to(out).as_posix() for path in (out / "boms").glob("*.cdx.json")}
    assert set(manifest.bom_files()) == written
    assert len(written) == summary.boms


def test_every_file_parses_with_cvrule_ingest_and_the_component_rows_are_the_number_asked_for(fleet):
    out, summary = fleet
    rows, formats = 0, Counter()
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "fleet.yaml"):
        fmt, facts = _facts(path)
        formats[fmt.name] += 1
        rows += sum(isinstance(fact, ItemFact) for fact in facts)
    assert formats == {"cyclonedx-json": summary.boms, "bods": 1, "supplier-register-csv": 1}
    assert abs(rows - ROWS) <= ROWS / 100
    assert rows == summary.components


def test_a_bom_reads_the_same_streamed_as_loaded_whole(fleet):
    out, summary = fleet
    biggest = max((out / "boms").glob("*.cdx.json"), key=lambda p: p.stat().st_size)
    _, whole = _facts(biggest)
    _, streamed = _facts(biggest, Limits(stream_above_bytes=0))
    assert whole == streamed
    assert summary.largest_bom_bytes == biggest.stat().st_size and summary.largest_bom_rows <= MAX_BOM_ROWS


def test_every_ecu_is_classified_with_the_assessment_vocabulary(fleet):
    out, _ = fleet
    radio = {function.value for function in RadioFunction}
    for path in sorted((out / "boms").glob("*.cdx.json")):
        _, facts = _facts(path)
        root = next(fact for fact in facts if isinstance(fact, ItemFact) and fact.key == "ecu")
        assert root.item_type == "hardware"
        assert set(filter(None, root.properties["cvrule:rf"].split(","))) <= radio, path.name
        assert float(root.properties["cvrule:max_rf_mhz"]) >= 0
        assert root.properties["cvrule:enables"] in {"vcs", "ads", "none"}
        kinds = Counter(fact.item_type for fact in facts if isinstance(fact, ItemFact))
        assert kinds["hardware"] >= 2 and kinds["software"] > kinds["hardware"], path.name


def _linked(key: str, parties: dict[str, PartyFact], owners: dict[str, list[tuple[str, float]]], seen=()) -> bool:
    party = parties[key]
    if party.country in LINKED_JURISDICTIONS or party.headquarters in LINKED_JURISDICTIONS:
        return True
    return any(share > 0.5 and owner not in seen and _linked(owner, parties, owners, (*seen, key))
               for owner, share in owners[key])


@pytest.mark.parametrize("linked_share", [0.08, 0.25])
def test_the_linked_share_of_the_supplier_pool_is_what_was_asked(linked_share, tmp_path):
    out = tmp_path / "fleet"
    summary = synth_fleet(out, 2_000, seed=3, suppliers=1000, linked_share=linked_share, unknown_share=0.01)
    _, register = _facts(out / "registers" / "supplier-master.csv")
    _, ownership = _facts(out / "ownership" / "suppliers.bods.json")
    parties = {fact.key: fact for fact in ownership if isinstance(fact, PartyFact)}
    owners: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for fact in ownership:
        if isinstance(fact, OwnershipFact) and fact.interest == "shareholding":
            owners[fact.owned].append((fact.owner, fact.share_min))
    pool = [fact.key for fact in register if isinstance(fact, PartyFact)]
    assert len(pool) == 1000 - 10  # the unknown suppliers are in neither the register nor the ownership data
    linked = sum(_linked(key, parties, owners) for key in pool)
    assert linked == round(1000 * linked_share) == summary.linked_suppliers
    through_ownership = sum(parties[key].country not in LINKED_JURISDICTIONS and _linked(key, parties, owners) for key in pool)
    assert through_ownership > 0


def test_some_rows_name_a_supplier_nobody_has_data_on_and_some_name_none(fleet):
    out, summary = fleet
    _, register = _facts(out / "registers" / "supplier-master.csv")
    known = {fact.name for fact in register if isinstance(fact, PartyFact)}
    named, rows_without = set(), 0
    for path in sorted((out / "boms").glob("*.cdx.json")):
        _, facts = _facts(path)
        supplied = {fact.item for fact in facts if isinstance(fact, RoleMention) and fact.role == "supplied_by"}
        named |= {fact.name for fact in facts if isinstance(fact, RoleMention) and fact.role == "supplied_by"}
        rows_without += sum(isinstance(fact, ItemFact) and fact.key not in supplied for fact in facts)
    assert named - known
    assert rows_without == summary.no_supplier_rows > 0


def test_the_command_writes_a_fleet_and_refuses_a_folder_that_is_not_empty(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["synth", "fleet", str(tmp_path / "fleet"), "--components", "3000", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "3,000 component rows" in result.output
    load_manifest(tmp_path / "fleet" / "fleet.yaml")
    again = runner.invoke(app, ["synth", "fleet", str(tmp_path / "fleet"), "--components", "3000"])
    assert again.exit_code == 2 and "not empty" in again.output
