"""Record packs (791.312): a deterministic zip of the assessment, the parameter files and every
input; read back only after every member checks out against MANIFEST.json, and refused, naming
the pack and the member, when anything is off."""

from __future__ import annotations

import hashlib
import stat
import zipfile
from datetime import date
from pathlib import Path

import orjson
import pytest

from builders_records import VEHICLE_CASE, assessment_from_case
from cvrule.errors import InputError, ParameterError
from cvrule.fleet.result import Assessment
from cvrule.law import DEFAULT_PARAMETERS_DIR
from cvrule.report.recordpack import PackLimits, parameters_digest, read_record_pack, write_record_pack


@pytest.fixture
def built(law, tmp_path):
    evidence = tmp_path / "evidence"
    result = assessment_from_case(VEHICLE_CASE, law, evidence)
    return result.assessment, evidence, result.boms


@pytest.fixture
def pack(built, tmp_path) -> Path:
    assessment, evidence, _ = built
    return write_record_pack(assessment, evidence, None, tmp_path / "records" / "pack.zip")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rewrite(source: Path, target: Path, change, *, fix_manifest: bool = False, infos: list[zipfile.ZipInfo] = ()) -> Path:
    """A copy of a pack with its members changed by `change(dict) -> dict`; with fix_manifest the
    manifest is made to agree with the new members (so that the check under test is another one)."""
    content = change(members(source))
    if fix_manifest:
        manifest = orjson.loads(content["MANIFEST.json"])
        manifest["members"] = [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                               for name, data in content.items() if name != "MANIFEST.json"]
        content["MANIFEST.json"] = orjson.dumps(manifest)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in content.items():
            archive.writestr(name, data)
        for info in infos:
            archive.writestr(info, b"payload")
    return target


def refused(path: Path, into: Path, match: str, limits: PackLimits | None = None) -> InputError:
    with pytest.raises(InputError, match=match) as caught:
        read_record_pack(path, into, limits)
    assert caught.value.file == str(path)
    assert not into.exists(), "a refused pack leaves nothing behind"
    if into.parent.exists():
        assert not [p for p in into.parent.iterdir() if p.name.startswith(f".{into.name}.incoming-")]
    return caught.value


# -- writing -------------------------------------------------------------------------------------


def test_two_packs_of_the_same_assessment_are_byte_identical(built, tmp_path):
    assessment, evidence, _ = built
    first = write_record_pack(assessment, evidence, None, tmp_path / "one.zip")
    second = write_record_pack(assessment, evidence, DEFAULT_PARAMETERS_DIR, tmp_path / "elsewhere" / "two.zip")
    assert first.read_bytes() == second.read_bytes()


def test_members_have_a_fixed_order_timestamp_and_permissions(built, tmp_path):
    assessment, evidence, boms = built
    path = write_record_pack(assessment, evidence, None, tmp_path / "pack.zip")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    parameters = sorted(f"parameters/{p.name}" for p in DEFAULT_PARAMETERS_DIR.glob("*.yaml"))
    inputs = sorted(f"inputs/{hashlib.sha256(b).hexdigest()}" for b in boms.values())
    assert names == ["assessment.json", "edition.json", *parameters, *inputs, "MANIFEST.json"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {stat.S_IMODE(i.external_attr >> 16) for i in infos} == {0o644}
    assert all(stat.S_ISREG(i.external_attr >> 16) for i in infos)
    dated = write_record_pack(assessment.model_copy(update={"as_of": date(2029, 10, 1)}), evidence, None, tmp_path / "dated.zip")
    with zipfile.ZipFile(dated) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2029, 10, 1, 0, 0, 0)}


def test_the_manifest_lists_every_member_with_its_hash_and_size_and_the_run(pack, built):
    assessment, _, _ = built
    content = members(pack)
    manifest = orjson.loads(content["MANIFEST.json"])
    assert manifest["run_id"] == assessment.run_id and manifest["cvrule_record_pack"] == 1
    listed = {m["path"]: m for m in manifest["members"]}
    assert set(listed) == set(content) - {"MANIFEST.json"}
    for name, data in content.items():
        if name != "MANIFEST.json":
            assert listed[name] == {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert content["assessment.json"] == assessment.to_json()
    edition = orjson.loads(content["edition.json"])
    assert edition["parameters_sha256"] == assessment.parameters_sha256
    assert edition["rule"]["federal_register"].startswith("90 FR 5360")
    assert edition["record_retention"]["value"] == 10 and edition["record_retention"]["status"] == "verified"
    assert edition["keep_until"] == "2039-09-01"


def test_writing_refuses_parameters_the_assessment_was_not_decided_under(built, tmp_path):
    assessment, evidence, _ = built
    changed = tmp_path / "parameters"
    changed.mkdir()
    for source in DEFAULT_PARAMETERS_DIR.glob("*.yaml"):
        (changed / source.name).write_bytes(source.read_bytes() + (b"\n" if source.name == "dates.yaml" else b""))
    with pytest.raises(ParameterError, match="not the ones assessment run"):
        write_record_pack(assessment, evidence, changed, tmp_path / "pack.zip")
    assert not (tmp_path / "pack.zip").exists()


def test_writing_refuses_missing_or_altered_evidence_without_leaving_a_partial_zip(built, tmp_path):
    assessment, evidence, boms = built
    digest = hashlib.sha256(boms["boms/tcu-my2030.cdx.json"]).hexdigest()
    (evidence / digest[:2] / digest).write_bytes(b"tampered")
    with pytest.raises(InputError, match="does not hash to its name"):
        write_record_pack(assessment, evidence, None, tmp_path / "out" / "pack.zip")
    (evidence / digest[:2] / digest).unlink()
    with pytest.raises(InputError, match="is not in the evidence store"):
        write_record_pack(assessment, evidence, None, tmp_path / "out" / "pack.zip")
    assert list((tmp_path / "out").iterdir()) == []


# -- reading back ----------------------------------------------------------------------------------


def test_a_pack_reads_back_to_the_same_assessment_bytes_parameters_and_inputs(pack, built, tmp_path):
    assessment, _, boms = built
    read = read_record_pack(pack, tmp_path / "restored")
    assert read.run_id == assessment.run_id
    assert read.assessment_path.read_bytes() == assessment.to_json()
    assert read.assessment == assessment
    assert Assessment.from_json(read.assessment_path.read_bytes()).to_json() == assessment.to_json()
    restored = {p.name: p.read_bytes() for p in read.parameters_dir.glob("*.yaml")}
    assert restored == {p.name: p.read_bytes() for p in DEFAULT_PARAMETERS_DIR.glob("*.yaml")}
    assert parameters_digest(list(restored.items())) == assessment.parameters_sha256
    for data in boms.values():
        assert read.input_path(hashlib.sha256(data).hexdigest()).read_bytes() == data
    assert read.edition["parameters_sha256"] == assessment.parameters_sha256


def test_into_an_existing_empty_folder_is_fine_but_not_over_files(pack, tmp_path):
    (tmp_path / "empty").mkdir()
    read_record_pack(pack, tmp_path / "empty")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    with pytest.raises(InputError, match="not an empty folder"):
        read_record_pack(pack, tmp_path / "busy")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    text = tmp_path / "pack.zip"
    text.write_text("assessment: not a zip\n")
    refused(text, tmp_path / "out", "is not a zip file")
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    refused(empty, tmp_path / "out", "is not a zip file")
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    refused(truncated, tmp_path / "out", "is not a zip file")
    with pytest.raises(InputError, match="does not exist"):
        read_record_pack(tmp_path / "nowhere.zip", tmp_path / "out")


def test_a_member_whose_bytes_differ_from_the_manifest_is_refused(pack, tmp_path):
    def tamper(content):
        data = orjson.loads(content["assessment.json"])
        data["fleet"] = "someone else's fleet"
        content["assessment.json"] = orjson.dumps(data)
        return content

    error = refused(rewrite(pack, tmp_path / "bad.zip", tamper), tmp_path / "out", "assessment.json: member is")
    assert error.location == "assessment.json"

    def same_size(content):
        name = next(n for n in content if n.startswith("inputs/"))
        data = bytearray(content[name])
        data[-2] ^= 0x01
        content[name] = bytes(data)
        return content

    refused(rewrite(pack, tmp_path / "flip.zip", same_size), tmp_path / "out", "SHA-256 is .*MANIFEST.json says")


def test_a_member_missing_from_the_pack_is_refused(pack, tmp_path):
    victim = next(n for n in members(pack) if n.startswith("inputs/"))
    error = refused(rewrite(pack, tmp_path / "bad.zip", lambda c: {k: v for k, v in c.items() if k != victim}),
                    tmp_path / "out", "missing from the pack")
    assert error.location == victim


def test_a_member_not_in_the_manifest_is_refused(pack, tmp_path):
    error = refused(rewrite(pack, tmp_path / "bad.zip", lambda c: {**c, "inputs/notes.txt": b"extra"}),
                    tmp_path / "out", "not listed in MANIFEST.json")
    assert error.location == "inputs/notes.txt"


@pytest.mark.parametrize("name", ["../evil.txt", "inputs/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt",
                                  "inputs\\..\\..\\evil.txt", "inputs//evil.txt", "./evil.txt"])
def test_member_paths_that_could_escape_are_refused(pack, tmp_path, name):
    info = zipfile.ZipInfo(name)
    error = refused(rewrite(pack, tmp_path / "bad.zip", lambda c: c, infos=[info]), tmp_path / "sub" / "out", "member path refused")
    assert error.location == name
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "sub" / "evil.txt").exists()


def test_a_symlink_member_is_refused(pack, tmp_path):
    info = zipfile.ZipInfo("inputs/link")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    refused(rewrite(pack, tmp_path / "bad.zip", lambda c: c, infos=[info]), tmp_path / "out", "symbolic link")


def test_a_zip_bomb_is_refused_by_ratio_and_by_total_size(pack, tmp_path):
    bomb = rewrite(pack, tmp_path / "bomb.zip", lambda c: {**c, "inputs/zeros": b"\0" * (16 * 1024**2)}, fix_manifest=True)
    refused(bomb, tmp_path / "out", "expands .* times")
    total = sum(len(v) for v in members(pack).values())
    refused(pack, tmp_path / "out", "more than .* bytes uncompressed", PackLimits(max_total_bytes=total - 1))
    refused(pack, tmp_path / "out", "over the limit of 1,000", PackLimits(max_member_bytes=1000))
    refused(pack, tmp_path / "out", "members, over the limit", PackLimits(max_members=3))


def test_a_pack_without_a_valid_manifest_is_refused(pack, tmp_path):
    refused(rewrite(pack, tmp_path / "none.zip", lambda c: {k: v for k, v in c.items() if k != "MANIFEST.json"}),
            tmp_path / "out", "MANIFEST.json: is missing")
    refused(rewrite(pack, tmp_path / "junk.zip", lambda c: {**c, "MANIFEST.json": b"{not json"}),
            tmp_path / "out", "MANIFEST.json: is not valid JSON")
    refused(rewrite(pack, tmp_path / "other.zip", lambda c: {**c, "MANIFEST.json": b'{"members": []}'}),
            tmp_path / "out", "cvrule_record_pack")


def test_an_input_not_stored_under_its_hash_is_refused(pack, tmp_path):
    def rename(content):
        name = next(n for n in content if n.startswith("inputs/"))
        content["inputs/" + "0" * 64] = content.pop(name)
        return content

    refused(rewrite(pack, tmp_path / "bad.zip", rename, fix_manifest=True), tmp_path / "out", "not stored under its SHA-256")


def test_parameters_that_are_not_the_assessments_are_refused_even_with_a_matching_manifest(pack, tmp_path):
    def edit(content):
        content["parameters/dates.yaml"] += b"\n# edited\n"
        return content

    refused(rewrite(pack, tmp_path / "bad.zip", edit, fix_manifest=True), tmp_path / "out",
            "parameter files are not the ones the assessment was decided under")


def test_an_assessment_of_another_run_is_refused(pack, tmp_path):
    def other_run(content):
        data = orjson.loads(content["assessment.json"])
        data["run_id"] = "f" * 64
        content["assessment.json"] = orjson.dumps(data)
        return content

    refused(rewrite(pack, tmp_path / "bad.zip", other_run, fix_manifest=True), tmp_path / "out", "but MANIFEST.json is for run")
