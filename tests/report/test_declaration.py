"""Declaration of Conformity packages: one folder per filer and model year holding every content
item RULE.md lists, each marked verified or interpretation; the BOMs attached with their
SHA-256; and never a statement of conformity over a prohibited or indeterminate transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

from builders_records import (
    CASES,
    CLEAN_CASE,
    HARDWARE_CASE,
    SPECIFIC_CASE,
    VEHICLE_CASE,
    assessment_from_case,
    keep,
)
from cvrule.errors import InputError
from cvrule.fleet.result import InputFile
from cvrule.report.declaration import CONTENT, TO_BE_COMPLETED, declaration_folder_names, slug, write_declarations

INDETERMINATE_CASE = CASES / "791_301" / "persons" / "chinese-minority-board-seat-is-indeterminate.yaml"


def load(folder: Path) -> dict:
    return orjson.loads((folder / "declaration.json").read_bytes())


def items_of(data: dict) -> dict[str, dict]:
    return {item["key"]: item for item in data["items"]}


@pytest.fixture
def kestrel(law, tmp_path):
    """Daehan Motor America: Kestrel MY2029 allowed, MY2030 prohibited (PRC TCU); both need a Declaration."""
    evidence = tmp_path / "evidence"
    built = assessment_from_case(VEHICLE_CASE, law, evidence)
    return built, evidence


def test_one_folder_per_obligation_with_json_markdown_html_and_attachments(kestrel, tmp_path):
    built, evidence = kestrel
    written = write_declarations(built.assessment, evidence, tmp_path / "out")
    root = tmp_path / "out" / "declarations"
    assert sorted(p.name for p in root.iterdir()) == ["daehan-motor-america-inc-MY2029", "daehan-motor-america-inc-MY2030"]
    for folder in root.iterdir():
        names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        assert {"declaration.json", "declaration.md", "declaration.html", "attachments/SHA256SUMS"} <= names
    assert all(p.is_file() for p in written)
    assert set(written) == {p for p in root.rglob("*") if p.is_file()}


def test_every_content_item_is_present_in_order_with_its_source_and_status(kestrel, tmp_path):
    built, evidence = kestrel
    write_declarations(built.assessment, evidence, tmp_path)
    for folder in (tmp_path / "declarations").iterdir():
        data = load(folder)
        assert [item["key"] for item in data["items"]] == [spec.key for spec in CONTENT]
        for item, spec in zip(data["items"], CONTENT):
            assert item["status"] in ("verified", "interpretation")
            assert item["status"] == spec.status and item["rule"] == spec.rule and item["rule"]
            if spec.filled_by == "filer":
                assert item["to_be_completed_by_the_filer"], spec.key
            if spec.filled_by == "cvrule":
                assert item["value"] is not None, spec.key


def test_only_items_resting_on_codified_text_are_marked_verified():
    # RULE.md section 4: 791.305 was not read; only 791.300(b), 791.308 (with the BIS GA page)
    # and 791.312 support a Declaration item directly.
    assert {spec.key for spec in CONTENT if spec.status == "verified"} == {"purpose", "filer_role", "not_covered", "records"}
    for spec in CONTENT:
        if spec.status == "verified":
            assert "[CFR]" in spec.rule, spec.key
        assert spec.rule.startswith("RULE.md") or "RULE.md" in spec.rule


def test_what_cvrule_cannot_know_is_left_to_the_filer(kestrel, tmp_path):
    built, evidence = kestrel
    write_declarations(built.assessment, evidence, tmp_path)
    data = load(tmp_path / "declarations" / "daehan-motor-america-inc-MY2029")
    items = items_of(data)
    for key in ("signatory", "contact", "validity", "third_party_assessments"):
        assert items[key]["value"] is None
        assert items[key]["to_be_completed_by_the_filer"]
    assert items["signatory"]["to_be_completed_by_the_filer"] == ["name", "title", "signature", "date"]
    markdown = (tmp_path / "declarations" / "daehan-motor-america-inc-MY2029" / "declaration.md").read_text()
    assert markdown.count(f"**{TO_BE_COMPLETED}:**") == sum(len(i["to_be_completed_by_the_filer"]) for i in data["items"])


def test_a_prohibited_transaction_blocks_the_declaration_and_no_conformity_is_claimed(kestrel, tmp_path):
    built, evidence = kestrel
    write_declarations(built.assessment, evidence, tmp_path)
    folder = tmp_path / "declarations" / "daehan-motor-america-inc-MY2030"
    data = load(folder)
    assert data["state"] == "blocked"
    assert data["state_explained"].startswith("NOT READY TO FILE")
    [blocking] = data["blocking"]
    assert (blocking["transaction"], blocking["outcome"], blocking["in_this_declaration"]) == ("import-kestrel-2030", "prohibited", True)
    assert "791.302(a)" in blocking["cites"]
    assert any("Pearl River Wireless" in p for c in blocking["components"] for p in c["parties"])
    certification = items_of(data)["certification"]["value"]
    assert certification["statement"] is None and "import-kestrel-2030" in certification["cannot_be_made"]
    markdown = (folder / "declaration.md").read_text()
    assert "**State:** BLOCKED" in markdown and "## Blocking transactions" in markdown
    assert markdown.index("## Blocking transactions") < markdown.index("## Content")
    assert "declares that it has conducted" not in markdown
    page = (folder / "declaration.html").read_text()
    assert 'class="banner blocked" role="alert"' in page and "declares that it has conducted" not in page


def test_a_clean_model_year_gets_a_draft_certification_for_the_filer(kestrel, tmp_path):
    built, evidence = kestrel
    write_declarations(built.assessment, evidence, tmp_path)
    data = load(tmp_path / "declarations" / "daehan-motor-america-inc-MY2029")
    assert data["state"] == "draft" and data["blocking"] == []
    items = items_of(data)
    assert "no transaction prohibited by 15 CFR 791.302 through 791.304 has knowingly occurred" in items["certification"]["value"]["statement"]
    assert items["filer"]["value"]["name"] == "Daehan Motor America Inc."
    assert items["filer_role"]["value"] == "connected vehicle manufacturer"
    assert items["period"]["value"] == {"model_year": 2029}
    assert items["due_date"]["value"]["due"] == "2028-07-03"
    assert items["due_date"]["value"]["lead_days"] == 60
    assert items["due_date"]["value"]["parameter"]["status"] == "interpretation"
    [vehicle] = items["covered_products"]["value"]["vehicles"]
    assert (vehicle["make"], vehicle["model"], vehicle["model_year"]) == ("Daehan", "Kestrel", 2029)
    [txn] = items["transactions"]["value"]
    assert (txn["transaction"], txn["outcome"], txn["blocking"]) == ("import-kestrel-2029", "allowed", False)
    assert items["records"]["value"]["until"] == [{"transaction": "import-kestrel-2029", "keep_until": "2038-09-01"}]
    [reasons] = items["foreign_interest"]["value"]
    assert reasons["transaction"] == "import-kestrel-2029"
    assert any("Pearl River Wireless Technology Co., Ltd.: CN" in line for line in reasons["because"])
    statuses = {row["party"]: row["status"] for row in items["supply_chain"]["value"]}
    assert statuses == {"Pearl River Wireless Technology Co., Ltd.": "linked", "Hanbit Connected Software Co., Ltd.": "not_linked"}
    assert items["us_person"]["value"]["check"] == "the filer is organized in US according to the assessment"
    assert {p["name"] for p in items["interpretations"]["value"]} >= {"declaration_lead_days", "declaration_requires_foreign_interest"}


def test_the_boms_of_the_covered_vehicles_are_attached_under_their_names_with_their_hashes(kestrel, tmp_path):
    built, evidence = kestrel
    write_declarations(built.assessment, evidence, tmp_path)
    folder = tmp_path / "declarations" / "daehan-motor-america-inc-MY2029"
    attached = {p.relative_to(folder / "attachments").as_posix() for p in (folder / "attachments").rglob("*") if p.is_file()}
    assert attached == {"SHA256SUMS", "boms/tcu-my2029.cdx.json"}
    content = (folder / "attachments" / "boms" / "tcu-my2029.cdx.json").read_bytes()
    assert content == built.boms["boms/tcu-my2029.cdx.json"]
    digest = hashlib.sha256(content).hexdigest()
    assert (folder / "attachments" / "SHA256SUMS").read_text() == f"{digest}  boms/tcu-my2029.cdx.json\n"
    [row] = items_of(load(folder))["bills_of_materials"]["value"]
    assert row == {"file": "attachments/boms/tcu-my2029.cdx.json", "input": "boms/tcu-my2029.cdx.json",
                   "format": "cyclonedx-json", "sha256": digest, "size": len(content), "attached": True}


def test_an_input_attached_to_several_packages_is_copied_once_and_never_linked_to_the_evidence_store(kestrel, tmp_path):
    built, evidence = kestrel
    first = built.assessment.obligations[0]
    other = first.model_copy(update={"filer_name": "Daehan Import Services LLC"})
    twice = built.assessment.model_copy(update={"obligations": [first, other]})
    write_declarations(twice, evidence, tmp_path)
    root = tmp_path / "declarations"
    a, b = (root / name / "attachments" / "boms" / "tcu-my2029.cdx.json"
            for name in ("daehan-motor-america-inc-MY2029", "daehan-import-services-llc-MY2029"))
    assert a.read_bytes() == b.read_bytes() == built.boms["boms/tcu-my2029.cdx.json"]
    assert a.stat().st_ino == b.stat().st_ino  # one copy, two names
    digest = hashlib.sha256(a.read_bytes()).hexdigest()
    assert (evidence / digest[:2] / digest).stat().st_ino != a.stat().st_ino  # a report file is never the evidence itself


def test_without_an_evidence_store_the_boms_are_listed_by_hash_for_the_filer_to_attach(kestrel, tmp_path):
    built, _ = kestrel
    write_declarations(built.assessment, None, tmp_path)
    folder = tmp_path / "declarations" / "daehan-motor-america-inc-MY2029"
    assert not (folder / "attachments").exists()
    item = items_of(load(folder))["bills_of_materials"]
    assert [row["attached"] for row in item["value"]] == [False]
    assert item["value"][0]["sha256"] == hashlib.sha256(built.boms["boms/tcu-my2029.cdx.json"]).hexdigest()
    assert any("attach" in todo for todo in item["to_be_completed_by_the_filer"])


def test_an_altered_or_missing_evidence_file_is_refused_and_nothing_is_left_behind(kestrel, tmp_path):
    built, evidence = kestrel
    digest = hashlib.sha256(built.boms["boms/tcu-my2030.cdx.json"]).hexdigest()
    (evidence / digest[:2] / digest).write_bytes(b"tampered")
    with pytest.raises(InputError, match="does not hash to its name"):
        write_declarations(built.assessment, evidence, tmp_path / "out")
    (evidence / digest[:2] / digest).unlink()
    with pytest.raises(InputError, match="is not in the evidence store"):
        write_declarations(built.assessment, evidence, tmp_path / "out")
    leftovers = [p.name for p in (tmp_path / "out" / "declarations").iterdir()]
    assert leftovers == ["daehan-motor-america-inc-MY2029"]  # the complete one; no staging folder, no partial MY2030


def test_the_same_assessment_gives_the_same_bytes(kestrel, tmp_path):
    built, evidence = kestrel
    first = write_declarations(built.assessment, evidence, tmp_path / "a")
    second = write_declarations(built.assessment, evidence, tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second))
    # and writing again over an existing package replaces it whole
    again = write_declarations(built.assessment, evidence, tmp_path / "a")
    assert again == first


def test_an_indeterminate_transaction_blocks_and_names_the_missing_facts(law, tmp_path):
    built = assessment_from_case(INDETERMINATE_CASE, law, tmp_path / "evidence")
    write_declarations(built.assessment, tmp_path / "evidence", tmp_path)
    [folder] = (tmp_path / "declarations").iterdir()
    assert folder.name == "cascade-motor-company-MY2028"
    data = load(folder)
    assert data["state"] == "blocked"
    [blocking] = data["blocking"]
    assert blocking["outcome"] == "indeterminate" and blocking["missing_facts"]
    assert "1 indeterminate transaction(s)" in data["state_explained"]
    assert items_of(data)["certification"]["value"]["statement"] is None
    assert "missing: `" in (folder / "declaration.md").read_text()


def test_a_blocking_decision_outside_the_obligation_still_blocks_it(kestrel, tmp_path):
    built, evidence = kestrel
    assessment = built.assessment
    # Move the prohibited MY2030 import out of its obligation: it is still the filer's, same role and model year.
    obligations = [o if o.model_year != 2030 else o.model_copy(update={"transactions": []}) for o in assessment.obligations]
    write_declarations(assessment.model_copy(update={"obligations": obligations}), evidence, tmp_path)
    data = load(tmp_path / "declarations" / "daehan-motor-america-inc-MY2030")
    assert data["state"] == "blocked"
    assert [(b["transaction"], b["in_this_declaration"]) for b in data["blocking"]] == [("import-kestrel-2030", False)]


def test_a_vcs_hardware_importer_declares_the_hardware_it_imports(law, tmp_path):
    built = assessment_from_case(HARDWARE_CASE, law, tmp_path / "evidence")
    write_declarations(built.assessment, tmp_path / "evidence", tmp_path)
    folder = tmp_path / "declarations" / "brightwater-automotive-electronics-inc-MY2031"
    items = items_of(load(folder))
    assert items["filer_role"]["value"] == "VCS hardware importer"
    assert [h["name"] for h in items["covered_products"]["value"]["vcs_hardware"]] == ["Telematics control unit HME-T7"]
    assert items["covered_products"]["value"]["vehicles"] == []
    assert (folder / "attachments" / "boms" / "tcu.cdx.json").is_file()


def test_a_specifically_authorized_import_is_declared_with_its_authorization(law, tmp_path):
    built = assessment_from_case(SPECIFIC_CASE, law)
    write_declarations(built.assessment, None, tmp_path)
    [folder] = (tmp_path / "declarations").iterdir()
    data = load(folder)
    assert data["state"] == "draft"
    [txn] = items_of(data)["transactions"]["value"]
    assert txn["outcome"] == "authorized" and txn["authorization"] and "791.307" in " ".join(txn["cites"])


def test_a_foreign_filer_is_warned_that_declarations_are_filed_by_us_persons(law, tmp_path):
    built = assessment_from_case(CLEAN_CASE, law)
    assessment = built.assessment
    parties = [p.model_copy(update={"country": "KR"}) if p.ref == "daehan-us" else p for p in assessment.parties]
    write_declarations(assessment.model_copy(update={"parties": parties}), None, tmp_path, law=law)
    [folder] = (tmp_path / "declarations").iterdir()
    check = items_of(load(folder))["us_person"]
    assert check["value"]["check"].startswith("WARNING: the filer's country is KR, not US")
    assert check["value"]["home_jurisdiction"]["status"] == "verified"


def test_an_unsafe_input_path_is_attached_under_its_hash_and_file_name(kestrel, tmp_path):
    built, evidence = kestrel
    assessment = built.assessment
    renamed = {"boms/tcu-my2029.cdx.json": "../../outside/tcu.cdx.json"}
    inputs = [InputFile(**{**i.model_dump(), "path": renamed.get(i.path, i.path)}) for i in assessment.inputs]
    components = [c.model_copy(update={"source": renamed.get(c.source, c.source)}) for c in assessment.components]
    write_declarations(assessment.model_copy(update={"inputs": inputs, "components": components}), evidence, tmp_path / "out")
    folder = tmp_path / "out" / "declarations" / "daehan-motor-america-inc-MY2029"
    digest = hashlib.sha256(built.boms["boms/tcu-my2029.cdx.json"]).hexdigest()
    assert (folder / "attachments" / f"{digest[:12]}-tcu.cdx.json").is_file()
    assert not (tmp_path / "outside").exists() and not (tmp_path / "out" / "outside").exists()


def test_folder_names_are_unique_when_a_filer_declares_in_two_roles(kestrel):
    built, _ = kestrel
    assessment = built.assessment
    first = assessment.obligations[0]
    twin = first.model_copy(update={"role": "VCS hardware importer"})
    names = declaration_folder_names(assessment.model_copy(update={"obligations": [first, twin]}))
    assert names == ["daehan-motor-america-inc-MY2029-connected-vehicle-manufacturer",
                     "daehan-motor-america-inc-MY2029-vcs-hardware-importer"]
    without_year = first.model_copy(update={"model_year": None})
    assert declaration_folder_names(assessment.model_copy(update={"obligations": [without_year]})) == ["daehan-motor-america-inc-CY2028"]


def test_slugs_are_ascii_and_readable():
    assert slug("Example Wireless Modules (Shenzhen) Co., Ltd.") == "example-wireless-modules-shenzhen-co-ltd"
    assert slug("深圳无线模块有限公司") == "shenzhenwuxianmokuaiyouxiangongsi"
    assert slug("***") == "x"


def test_evidence_kept_by_the_workspace_is_what_the_builder_keeps(tmp_path):
    # The builder stores evidence the way cvrule.workspace.Workspace.keep does: <sha[:2]>/<sha>.
    from cvrule.workspace import Workspace

    workspace = Workspace(tmp_path / "ws").create()
    source = tmp_path / "bom.json"
    source.write_bytes(b"{}")
    digest = hashlib.sha256(b"{}").hexdigest()
    assert workspace.keep(source, digest) == keep(tmp_path / "ws" / "evidence", b"{}")
