"""The web layer's plain parts: upload names, the ownership graph (from `cvrule why` lines and as
SVG), deadlines read from the decisions, and the run index."""

from __future__ import annotations

from datetime import date

import pytest

from cvrule.model import Decision, Outcome, Reason
from cvrule.web.graph import Edge, Graph, Node, graph_from_why, svg
from cvrule.web.runs import RunIndex
from cvrule.web.uploads import UploadError, check_name
from cvrule.web.views import deadlines, why_rows
from cvrule.workspace import Workspace

WHY = """\
Meridian Telematics Manufacturing (Ireland) Limited [lei:IRL]: LINKED to the PRC or Russia (15 CFR 791.301)
  because linked holders hold 100% of the voting interest in it, a majority (more than 50%)
    [majority_share = 50%; 791.301; interpretation; since 2025-03-17]
  - ownership: Meridian Telematics Pte. Ltd. holds 100% (source aba8ba929183, /6/recordDetails/interests/1)
    Meridian Telematics Pte. Ltd. [lei:SGP]: LINKED to the PRC or Russia (15 CFR 791.301)
      because linked holders hold 100% of the voting interest in Meridian Telematics Pte. Ltd., a majority
      - control: Harbourline Holdings Limited has board majority control (source aba8ba929183, /5/x)
        Harbourline Holdings Limited [lei:HK]: LINKED to the PRC or Russia (15 CFR 791.301)
          because Harbourline Holdings Limited is organized in HK, a covered jurisdiction
      - ownership: Harbourline Holdings Limited holds 100% (source aba8ba929183, /5/y)
        Harbourline Holdings Limited [lei:HK]: LINKED to the PRC or Russia (15 CFR 791.301)
          (explained above)
""".splitlines()


@pytest.mark.parametrize("name,folder,expected", [
    ("tcu.cdx.json", None, "tcu.cdx.json"),
    ("tcu.cdx.json", "boms", "boms/tcu.cdx.json"),
    ("boms/tcu.cdx.json", None, "boms/tcu.cdx.json"),
    ("ivi 7.spdx.json", "boms/2028", "boms/2028/ivi 7.spdx.json"),
    ("a\\b.json", None, "a/b.json"),
])
def test_upload_names_keep_their_folders(name, folder, expected):
    assert check_name(name, folder) == expected


@pytest.mark.parametrize("name,folder", [
    ("", None), ("../x.json", None), ("x.json", ".."), ("/etc/passwd", None), ("x.json", "/tmp"), (".env", None),
    ("a/./b.json", None), ("a//b.json", None), ("x\x00.json", None), ("x.json", "a/b/c/d/e/f/g"), (" x.json", None),
    ("con:x", None), ("x" * 300, None),
])
def test_upload_names_that_could_escape_or_hide_are_refused(name, folder):
    with pytest.raises(UploadError):
        check_name(name, folder)


def test_the_graph_is_read_from_why_lines():
    graph = graph_from_why("lei:IRL", "Meridian Telematics Manufacturing (Ireland) Limited", "linked", WHY)
    assert set(graph.nodes) == {"lei:IRL", "lei:SGP", "lei:HK"}
    edges = {(e.holder, e.held): e.label for e in graph.edges}
    assert edges == {("lei:SGP", "lei:IRL"): "100%", ("lei:HK", "lei:SGP"): "100%, board majority control"}
    assert [[n.id for n in chain] for chain in graph.path()] == [["lei:IRL", "lei:SGP", "lei:HK"]]


def test_the_svg_is_deterministic_escaped_and_points_down():
    graph = Graph("b", date(2027, 7, 1))
    graph.nodes = {"b": Node("b", "Held <b>&</b>", "linked", "majority"),
                   "a": Node("a", "<script>alert(1)</script>", "linked", "organized", 1),
                   "c": Node("c", "Maybe Co", "indeterminate", "country_unknown", 1)}
    graph.edges = [Edge("a", "b", "ownership", "60%"), Edge("c", "b", "control", "veto control", False)]
    drawn = svg(graph)
    assert drawn == svg(graph)
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn and "Held &lt;b&gt;&amp;&lt;/b&gt;" in drawn
    assert 'stroke-dasharray="5 4"' in drawn
    assert drawn.index('data-node="a"') > drawn.index("<g class=\"edge\"")


def test_a_cycle_does_not_loop():
    graph = Graph("a", None)
    graph.nodes = {n: Node(n, n.upper(), "linked") for n in "abc"}
    graph.edges = [Edge("b", "a", "ownership", "50%"), Edge("c", "b", "ownership", "50%"), Edge("a", "c", "ownership", "50%")]
    assert svg(graph).startswith("<svg") and graph.path() == [[graph.nodes["a"], graph.nodes["b"], graph.nodes["c"]]]


def _decision(steps: list[Reason]) -> Decision:
    return Decision(transaction="t1", kind="import_vcs_hardware", actor="a", date=date(2029, 1, 10),
                    evaluated_on=date(2029, 1, 10), outcome=Outcome.authorized, declaration_required=False,
                    because=Reason(says="t1", because=steps))


def test_deadlines_come_from_obligations_and_the_dated_steps_of_authorizations(run_templates):
    assessment = run_templates.after_assessment
    found = deadlines(assessment)
    assert [d.kind for d in found if d.kind == "declaration"] and found == sorted(found, key=lambda d: (d.due, d.kind, d.title, d.transactions))
    view = assessment.decisions[0]
    steps = [
        Reason(says="a change in circumstance on 2029-01-02 must be reassessed by 2029-02-01; the transaction falls "
                    "within that window", cite="791.306(e)"),
        Reason(says="specific authorization SA-1 expired on 2028-12-31", holds=False, cite="791.307"),
    ]
    extra = assessment.model_copy(update={"obligations": [], "decisions": [view.model_copy(update={"decision": _decision(steps)})]})
    kinds = [(d.kind, d.due.isoformat()) for d in deadlines(extra)]
    assert kinds == [("authorization-expiry", "2028-12-31"), ("ga-reassessment", "2029-02-01")]


def test_why_rows_read_indent_and_citation():
    assert why_rows(["[791.301] A is linked", "  [791.301] B is organized in CN", "  plain"]) == [
        (0, "791.301", "A is linked"), (1, "791.301", "B is organized in CN"), (1, None, "plain")]


def test_the_run_index_lists_newest_first_and_refuses_odd_ids(tmp_path, run_templates):
    from conftest import install_run

    space = Workspace(tmp_path / "ws").create()
    install_run(space.root, run_templates.before, age_seconds=100)
    install_run(space.root, run_templates.after)
    (space.root / "runs" / ".out-123").mkdir()
    index = RunIndex(space)
    assert [r.id for r in index.runs()] == [run_templates.after.name, run_templates.before.name]
    assert index.get("latest").id == run_templates.after.name
    assert index.get("../runs") is None and index.get("nope") is None
    names = [f.name for f in index.files(index.get("latest"))]
    assert names[0].startswith("reports/") and "assessment.json" in names
    assert index.file_path(index.get("latest"), "../../cvrule.duckdb") is None
    assert index.assessment(index.get("latest")) is index.assessment(index.get("latest")), "parsed once"


def test_the_assessment_seam_runs_assess_on_the_inputs_and_files_the_reports_into_the_run(tmp_path, monkeypatch):
    import types

    from cvrule.fleet import assess as assess_module
    from cvrule.web.runs import run_assessment

    space = Workspace(tmp_path / "ws").create()
    seen = {}

    def fake_assess(folder, *, out, workspace, on_stage):
        seen.update(folder=folder, workspace=workspace)
        run_dir = workspace.root / "runs" / "r1"
        run_dir.mkdir(parents=True)
        (run_dir / "assessment.json").write_text("{}")
        out.mkdir(parents=True)
        (out / "report.pdf").write_bytes(b"%PDF")
        (out / "declarations" / "acme-MY2030").mkdir(parents=True)
        (out / "declarations" / "acme-MY2030" / "declaration.md").write_text("x")
        (out / "record-pack-r1.zip").write_bytes(b"PK")
        on_stage("write", 1, 1)
        return types.SimpleNamespace(run_dir=run_dir)

    monkeypatch.setattr(assess_module, "assess", fake_assess)
    stages = []
    run_dir = run_assessment(space, on_stage=lambda *a: stages.append(a))
    assert seen["folder"] == space.root / "inputs" and seen["workspace"] is space
    assert (run_dir / "reports" / "report.pdf").read_bytes() == b"%PDF"
    assert (run_dir / "declarations" / "acme-MY2030" / "declaration.md").exists()
    assert not (run_dir / "reports" / "record-pack-r1.zip").exists()
    assert not list((space.root / "runs").glob(".out-*")), "the scratch folder is gone"
    assert stages == [("write", 1, 1)]
