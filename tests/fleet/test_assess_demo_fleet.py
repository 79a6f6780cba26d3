"""`cvrule assess` on the demo fleet gives the outcomes derived by hand in
examples/demo-fleet/EXPECTED.md, writes every report, and replays to the same bytes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from cvrule.cli import app
from cvrule.fleet.assess import assess
from cvrule.fleet.compare import compare
from cvrule.fleet.replay import replay
from cvrule.fleet.result import matrix
from cvrule.model import Outcome

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo-fleet"
EXPECTED = (DEMO / "EXPECTED.md").read_text()
FAST = ("html", "json", "csv", "sarif", "xlsx")  # the PDF is checked in tests/report


def _table(after_heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after a heading of EXPECTED.md."""
    text = EXPECTED[EXPECTED.index(after_heading):]
    rows = []
    for line in text.splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip().strip("*`") for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-out")
    return assess(DEMO, out=out, formats=FAST)


def test_the_verdict_matrix_is_the_one_derived_by_hand(run):
    rows = _table("## Summary: line x model year")
    header = [c for c in EXPECTED[EXPECTED.index("| line | 2026"):].splitlines()[0].strip("|").split("|")]
    years = [int(y) for y in header[1:]]
    got = matrix(run.assessment)
    for row in rows:
        line = row[0].split()[0].strip("`")
        for year, cell in zip(years, row[1:]):
            if cell == "-":
                assert year not in got[line], (line, year)
            else:
                assert got[line][year].value == cell, (line, year)


def test_every_hardware_import_of_the_manifest_is_decided_as_expected(run):
    decided = {v.decision.transaction: v.decision for v in run.assessment.decisions}
    rows = _table("## The manifest's imports of VCS hardware")
    assert len(rows) == 8
    for row in rows:
        txn, outcome, declared = row[0], row[3], row[4]
        assert decided[txn].outcome.value == outcome, txn
        assert decided[txn].declaration_required is (declared == "yes"), txn


def test_indeterminate_decisions_say_exactly_what_is_missing(run):
    for view in run.assessment.decisions:
        decision = view.decision
        if decision.outcome is Outcome.indeterminate:
            assert decision.missing_facts, decision.transaction
            assert view.components, decision.transaction
        else:
            assert not decision.missing_facts, decision.transaction
    pike = next(v.decision for v in run.assessment.decisions if v.decision.transaction == "pike-my2030-import")
    assert any("Veloxa RF Solutions" in m.question for m in pike.missing_facts)
    summit = next(v.decision for v in run.assessment.decisions if v.decision.transaction == "summit-my2028-sale")
    assert any("Rheinfeld Automotive Systems GmbH" in m.question for m in summit.missing_facts)
    assert any("Hexagram Perception" in m.question for m in summit.missing_facts)


def test_a_prohibited_sale_names_the_linked_component_and_its_ownership_path(run):
    view = next(v for v in run.assessment.decisions if v.decision.transaction == "ridge-my2027-sale")
    assert view.decision.outcome is Outcome.prohibited
    assert "791.303(b)" in view.decision.cites
    components = {c.id: c for c in run.assessment.components}
    names = {components[c].name for c in view.components}
    assert "mt-connect" in names
    says = [step.says for step in view.decision.because.walk()]
    assert any("Harbourline Holdings Limited" in s for s in says), "the path to the Hong Kong holding is shown"
    sources = {ref.source for step in view.decision.because.walk() for ref in step.facts if ref.path.startswith("items.")}
    assert "boms/meridian-mt200-tcu.cdx.json" in sources


def test_legacy_software_does_not_prohibit_but_its_rebuild_does(run):
    outcome = {v.decision.transaction: v.decision.outcome for v in run.assessment.decisions}
    assert outcome["pike-my2027-import"] is Outcome.allowed      # routeguide-nav 2.3.7, built 2025-11-20
    assert outcome["pike-my2028-import"] is Outcome.prohibited   # the same app rebuilt 2026-09-14
    components = [c for c in run.assessment.components if c.name == "routeguide-nav"]
    assert {c.classification.get("created", "")[:10] for c in components} >= {"2025-11-20", "2026-09-14"}


def test_the_hive7_sbom_of_2933_packages_is_decided_in_a_few_groups(run):
    hive = [c for c in run.assessment.components if c.source == "boms/hanbit-hive7-ivi.spdx.json"]
    assert sum(c.count for c in hive) == 2933
    assert len(hive) < 40
    android = next(c for c in hive if c.name.startswith("Android Automotive OS"))
    assert android.classification["enables"].startswith("vcs (inherited from the ECU")


def test_every_report_and_the_record_pack_are_written(run):
    names = {p.name for p in run.out.iterdir()}
    assert {"report.html", "report.xlsx", "decisions.csv", "components.csv", "assessment.json", "report.sarif",
            "declarations", "cx-0158-1", f"record-pack-{run.assessment.run_id}.zip"} <= names
    html = (run.out / "report.html").read_text()
    assert "Verdict matrix" in html and "Cascadia Motors" in html
    assert (run.run_dir / "assessment.json").read_bytes() == run.assessment.to_json()
    filers = {(o.filer_name, o.model_year) for o in run.assessment.obligations}
    assert ("Cascadia Motors, Inc.", 2027) in filers and ("Cascadia Import Services LLC", 2031) in filers


def test_a_second_run_on_the_same_inputs_has_the_same_id_and_bytes(run, tmp_path):
    again = assess(DEMO, out=tmp_path / "out", formats=("json",))
    assert again.assessment.run_id == run.assessment.run_id
    assert again.assessment.to_json() == run.assessment.to_json()


def test_replay_of_the_record_pack_gives_the_same_bytes(run):
    result = replay(run.record_pack)
    assert result.same, result.comparison
    assert result.run_id == run.assessment.run_id


def test_diff_names_the_new_owner_behind_a_changed_decision(run, tmp_path):
    """Veloxa RF Solutions appears in the ownership data, owned by a Russian company: the Pike
    MY2030 decisions go from indeterminate to prohibited, and the diff says why."""
    folder = tmp_path / "fleet"
    shutil.copytree(DEMO, folder)
    register = folder / "ownership" / "registers" / "veloxa-register.csv"
    header = (DEMO / "ownership" / "registers" / "corvina-supplier-register.csv").read_text().splitlines()[0]
    columns = header.split(",")

    def row(**values):
        return ",".join(values.get(c, "") for c in columns)

    register.write_text("\n".join([
        header,
        row(record="party", id="veloxa", name="Veloxa RF Solutions", kind="organization", country="US"),
        row(record="party", id="volna", name="AO Volna Radio", kind="organization", country="RU"),
        row(record="ownership", owner="volna", owned="veloxa", voting_pct="100"),
    ]) + "\n")
    after = assess(folder, out=tmp_path / "out", formats=("json",))
    changes = {c.transaction: c for c in compare(run.assessment, after.assessment).decisions}
    assert changes["pike-my2030-import"].before == "indeterminate"
    assert changes["pike-my2030-import"].after == "prohibited"
    assert any("Veloxa RF Solutions" in line for line in changes["pike-my2030-import"].because)
    assert "ridge-my2027-sale" not in changes


def test_the_command_prints_the_matrix_and_gates_on_prohibited(tmp_path):
    result = CliRunner().invoke(app, ["assess", str(DEMO), "--out", str(tmp_path / "out"), "--json", "--report", "json"])
    assert result.exit_code == 1, result.output  # prohibited and indeterminate transactions: the gate closes
    summary = orjson.loads(result.stdout[result.stdout.index("{"):])
    assert summary["matrix"]["ridge"]["2027"] == "prohibited"
    assert summary["matrix"]["hauler"]["2031"] == "out_of_scope"
    assert re.fullmatch(r"[0-9a-f]{24}", summary["run_id"])


def test_a_folder_without_a_manifest_is_refused_clearly(tmp_path):
    result = CliRunner().invoke(app, ["assess", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no fleet manifest" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_run_that_applied_a_judgement_keeps_it_in_its_pack_and_replays_to_the_same_bytes(run, tmp_path):
    """An analyst rejects a link that resolution made: the next run differs (and so does its id);
    its record pack holds the judgement, and the replay in a fresh workspace applies it again."""
    import zipfile

    from cvrule.resolve.review import reject
    from cvrule.store import Store
    from cvrule.workspace import Workspace

    space = Workspace(tmp_path / "workspace")
    assess(DEMO, out=tmp_path / "first", workspace=space, formats=("json",))
    with Store(space.store_path) as store:
        [(candidate,)] = store._con.execute("""
            SELECT min(candidate_id) FROM resolution_mentions
            WHERE status = 'linked' AND method = 'name' AND candidate_id IS NOT NULL""").fetchall()
        reject(store, candidate, "analyst@example.com", "not the same company: other country")
    judged = assess(DEMO, out=tmp_path / "second", workspace=space, formats=("json",))
    assert judged.assessment.run_id != run.assessment.run_id
    assert judged.assessment.to_json() != run.assessment.to_json()
    with zipfile.ZipFile(judged.record_pack) as pack:
        log = orjson.loads(pack.read("judgements.json"))["judgements"]
    assert [(j["action"], j["actor"], j["reason"]) for j in log] == [
        ("reject", "analyst@example.com", "not the same company: other country")]
    result = replay(judged.record_pack)
    assert result.same, result.comparison
    assert result.run_id == judged.assessment.run_id


def test_assessing_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    """The collector is paused while the fleet is resolved, decided and written
    (cvrule.ingest.collector), and only then: on again afterwards, or still off if it was."""
    import gc

    assert gc.isenabled()
    assess(DEMO, out=tmp_path / "on", formats=("json",))
    assert gc.isenabled()
    gc.disable()
    try:
        assess(DEMO, out=tmp_path / "off", formats=("json",))
        assert not gc.isenabled()
    finally:
        gc.enable()
