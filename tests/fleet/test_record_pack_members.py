"""The record pack of a fleet assessment stores its inputs as they are (no deflating of gigabytes of
JSON: they are kept content-addressed in the evidence store already) and deflates what cvrule
writes; it is still one deterministic zip that verifies, with the run's own assessment bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cvrule.fleet.assess import assess
from cvrule.report.recordpack import read_record_pack, write_record_pack

DEMO = Path(__file__).parents[2] / "examples" / "demo-fleet"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return assess(DEMO, out=tmp_path_factory.mktemp("pack") / "out", formats=("json",))


def test_inputs_are_stored_and_what_cvrule_writes_is_deflated(run):
    with zipfile.ZipFile(run.record_pack) as pack:
        infos = pack.infolist()
    inputs = [i for i in infos if i.filename.startswith("inputs/")]
    assert len(inputs) == len({i.sha256 for i in run.assessment.inputs})
    assert all(i.compress_type == zipfile.ZIP_STORED and i.compress_size == i.file_size for i in inputs)
    own = [i for i in infos if not i.filename.startswith("inputs/")]
    assert own and all(i.compress_type == zipfile.ZIP_DEFLATED for i in own)


def test_the_pack_holds_the_bytes_of_the_run_folder_and_verifies(run, tmp_path):
    with zipfile.ZipFile(run.record_pack) as pack:
        assert pack.read("assessment.json") == (run.run_dir / "assessment.json").read_bytes()
    read = read_record_pack(run.record_pack, tmp_path / "restored")
    assert read.assessment.to_json() == (run.run_dir / "assessment.json").read_bytes()


def test_writing_the_pack_again_gives_the_same_bytes(run, tmp_path):
    from cvrule.workspace import Workspace

    evidence = Workspace(run.out / "workspace").evidence
    again = write_record_pack(run.assessment, evidence, None, tmp_path / "again.zip")
    assert again.read_bytes() == run.record_pack.read_bytes()
