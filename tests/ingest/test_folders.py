"""Ingesting a folder: formats are found by content, and what is plainly not an input (a fleet
manifest, documentation, code) is skipped when found in a folder but refused when named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.errors import InputError
from cvrule.ingest.detect import NotAnInput, detect
from cvrule.ingest.load import ingest_paths
from cvrule.workspace import Workspace

DATA = Path(__file__).parents[1] / "data"
DEMO_FLEET = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet"
runner = CliRunner()

SPDX_IN_A_SCRIPT = '''"""Write an SPDX document."""
import json

DOCUMENT = {
    "spdxVersion": "SPDX-2.3",
    "dataLicense": "CC0-1.0",
    "SPDXID": "SPDXRef-DOCUMENT",
    "documentNamespace": "https://example.com/doc",
    "creationInfo": {"created": "2026-01-01T00:00:00Z"},
}
print(json.dumps(DOCUMENT))
'''

SPDX_IN_A_PAGE = """How to write SPDX YAML

    spdxVersion: SPDX-2.3
    dataLicense: CC0-1.0
    SPDXID: SPDXRef-DOCUMENT
"""

FLEET_MANIFEST = """# a fleet
cvrule_fleet: 1
name: Test fleet
lines: []
transactions: []
"""


@pytest.mark.parametrize("name, text", [("make_sbom.py", SPDX_IN_A_SCRIPT), ("notes.txt", SPDX_IN_A_PAGE),
                                        ("make_sbom.yaml", SPDX_IN_A_SCRIPT)])
def test_spdx_yaml_is_detected_by_content_not_by_keys_quoted_in_other_text(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError):
        detect(path)


def test_spdx_yaml_documents_are_still_detected():
    for path in sorted((DATA / "spdx-2").glob("*/*.y*ml")):
        assert detect(path).name == "spdx-2-yaml", path


def test_detecting_a_file_imports_no_format_module_after_the_one_that_claims_it():
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from cvrule.ingest.detect import detect; "
            "print(detect(Path(sys.argv[1])).name, *(m for m in sys.modules if m.startswith('cvrule.ingest.')))")
    sbom = DATA / "spdx-2" / "2.3" / "SPDXJSONExample-v2.3.spdx.json"
    name, *modules = subprocess.run([sys.executable, "-c", code, str(sbom)], capture_output=True, text=True,
                                    check=True).stdout.split()
    assert name == "spdx-2-json" and "cvrule.ingest.spdx2" in modules
    later = {"cvrule.ingest.bods", "cvrule.ingest.gleif", "cvrule.ingest.ftm", "cvrule.ingest.screening",
             "cvrule.ingest.register", "cvrule.ingest.casefile"}
    assert not later & set(modules)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    (folder / "tools").mkdir(parents=True)
    (folder / "fleet.yaml").write_text(FLEET_MANIFEST)
    (folder / "README.md").write_text("# Inputs\n\nspdxVersion: SPDX-2.3\n")
    (folder / "tools" / "make_sbom.py").write_text(SPDX_IN_A_SCRIPT)
    (folder / "tools" / "__init__.py").write_text("")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    sbom = DATA / "spdx-2" / "2.3" / "SPDXYAMLExample-v2.3.spdx.yaml"
    (folder / sbom.name).write_bytes(sbom.read_bytes())
    return folder


def test_ingesting_a_folder_skips_a_fleet_manifest_documentation_and_code(tmp_path):
    folder = _folder(tmp_path)
    outcomes = {Path(o.path).name: o for o in ingest_paths(Workspace(tmp_path / "ws"), [folder])}
    assert outcomes["SPDXYAMLExample-v2.3.spdx.yaml"].outcome == "loaded"
    skipped = {name: o.message for name, o in outcomes.items() if o.outcome == "skipped"}
    assert sorted(skipped) == ["README.md", "__init__.py", "fleet.yaml", "logo.png", "make_sbom.py"]
    assert "skipped: not an input (a cvrule fleet manifest)" in skipped["fleet.yaml"]
    assert "skipped: not an input (documentation or code)" in skipped["make_sbom.py"]


def test_a_named_file_that_is_not_an_input_is_still_an_error(tmp_path):
    folder = _folder(tmp_path)
    for name in ("fleet.yaml", "README.md", "tools/make_sbom.py"):
        [outcome] = ingest_paths(Workspace(tmp_path / "ws"), [folder / name])
        assert outcome.outcome == "failed", name
    with pytest.raises(NotAnInput, match="fleet manifest"):
        detect(folder / "fleet.yaml")
    (folder / "unknown.json").write_text('{"hello": "world"}')
    [outcome] = ingest_paths(Workspace(tmp_path / "ws"), [folder])[-1:]  # sorted: unknown.json comes last
    assert Path(outcome.path).name == "unknown.json" and outcome.outcome == "failed"  # not plainly docs or code


def test_the_demo_fleet_folder_ingests_every_input_with_no_error(tmp_path):
    result = runner.invoke(app, ["ingest", str(DEMO_FLEET), "--workspace", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output and "error" not in result.output
    assert "26 loaded, 6 skipped" in result.output
