"""`cvrule case run` and `cvrule case test` as a user runs them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CASES, TESTS
from cvrule.cli import app

runner = CliRunner()
HK_CASE = CASES / "791_301" / "persons" / "three-level-holding-chain-from-prc-state-links-irish-developer.yaml"
SNAPSHOT = TESTS / "snapshots" / "three-level-holding-chain.json"


def _run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_explain_shows_the_chain_from_component_to_linked_party_with_a_cfr_paragraph_at_each_step():
    result = _run("case", "run", str(HK_CASE), "--explain")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    chain = [
        "is covered software with a PRC/Russia nexus",
        "is developed by Liffey Connected Software Limited",
        "hold 80% of the voting interest",
        "hold 70% of the voting interest",
        "is organized in HK, a covered jurisdiction",
    ]
    positions = []
    for words in chain:
        hits = [i for i, line in enumerate(lines) if words in line]
        assert hits, f"{words!r} missing from the explanation"
        line = lines[hits[0]]
        assert "[791." in line, f"no CFR paragraph on: {line}"
        positions.append(hits[0])
    assert positions == sorted(positions), "the chain must read from the component down to the linked party"
    assert "outcome: PROHIBITED" in result.output


def test_case_run_json_is_stable(tmp_path):
    result = _run("case", "run", str(HK_CASE), "--json")
    assert result.exit_code == 0
    payload = json.loads(result.output)
    payload["parameters"]["directory"] = "<bundled>"
    for case in payload["cases"]:
        case["file"] = Path(case["file"]).name
        for decision in case["decisions"]:
            _strip_sources(decision["because"])
    rendered = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("CVRULE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(rendered)
    assert SNAPSHOT.read_text() == rendered, "JSON changed; if on purpose, rerun with CVRULE_UPDATE_SNAPSHOTS=1"


def _strip_sources(step: dict) -> None:
    for fact in step["facts"]:
        fact["source"] = Path(fact["source"]).name
    for child in step["because"]:
        _strip_sources(child)


def test_case_test_reports_each_failure_and_ends_with_the_count_line(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(HK_CASE.read_text())
    bad = tmp_path / "bad.yaml"
    bad.write_text(HK_CASE.read_text().replace("outcome: prohibited", "outcome: allowed"))
    result = _run("case", "test", str(tmp_path))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1] == "1 passed, 1 failed"
    assert any("bad.yaml" in line and "outcome expected allowed, got prohibited" in line for line in lines)


def test_case_test_passes_on_the_legal_suite():
    result = _run("case", "test", str(CASES))
    assert result.exit_code == 0, result.output
    passed = int(result.output.strip().splitlines()[-1].split()[0])
    assert passed >= 80 and result.output.strip().endswith(f"{passed} passed, 0 failed")


def test_a_malformed_case_file_gets_one_clear_error_naming_file_key_path_and_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(HK_CASE.read_text().replace("kind: organization", "kind: company", 1))
    result = _run("case", "test", str(broken))
    assert result.exit_code == 1
    assert "broken.yaml: parties." in result.output and ".kind (line " in result.output
    assert "'company' is not one of" in result.output
    assert "Traceback" not in result.output


def test_case_run_exits_2_on_an_unreadable_case_and_still_runs_the_others(tmp_path):
    (tmp_path / "a.yaml").write_text(HK_CASE.read_text())
    (tmp_path / "b.yaml").write_text("name: [unclosed\n")
    result = runner.invoke(app, ["case", "run", str(tmp_path)])
    assert result.exit_code == 2
    assert "b.yaml: line 2, column 1: not valid YAML" in result.output
    assert "PROHIBITED" in result.output


def test_parameters_lists_every_parameter_with_its_status():
    result = _run("parameters", "--as-of", "2029-01-01")
    assert result.exit_code == 0
    for name in ("legacy_software_cutoff", "gvwr_limit_lbs", "covered_jurisdictions"):
        assert name in result.output
    assert "interpretation" in result.output and "verified" in result.output


@pytest.mark.parametrize("args", [["parameters", "--as-of", "2029-13-01"]])
def test_bad_dates_on_the_command_line_are_clear_errors(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "expected a date as YYYY-MM-DD" in result.output
