"""The REST API through FastAPI's TestClient: runs, decisions with their reasons and citations,
explanations with ownership paths, parties with their graph from the nexus evidence, deadlines,
reports, the review queue, uploads with per-file errors, assessments, and the audit log."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from conftest import MERIDIAN, MERIDIAN_DECISION, USERS, fresh_sbom, wait_job
from cvrule.accounts import create_token
from cvrule.store import Store, audit


@pytest.fixture
def api(app, workspace):
    """A client with an analyst's API token, and the admin's and viewer's tokens."""
    with Store(workspace.store_path) as store:
        tokens = {role: create_token(store, name, "tests")[1] for role, name in USERS.items()}
    app.state.cvrule.accounts_changed()
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {tokens['analyst']}"
    client.tokens = tokens
    return client


def _entries(workspace, action):
    with Store(workspace.store_path) as store:
        return audit.entries(store, action=action)


def test_runs_list_newest_first_and_latest_is_an_alias(api, run_templates):
    runs = api.get("/api/runs").json()
    assert [r["id"] for r in runs] == [run_templates.before.name]
    latest = api.get("/api/runs/latest").json()
    assert latest["id"] == run_templates.before.name
    lines = {row["line"] for row in latest["matrix"]}
    assert "setouchi-harbor" in lines and "daehan-kestrel" not in lines
    assert latest["matrix"][0]["cells"] and latest["outcomes"]["prohibited"] >= 1
    assert api.get("/api/runs/no-such-run").status_code == 404


def test_decisions_filter_and_one_decision_carries_its_reasons(api):
    prohibited = api.get("/api/runs/latest/decisions", params={"outcome": "prohibited"}).json()
    assert prohibited and all(d["outcome"] == "prohibited" for d in prohibited)
    harbor = api.get("/api/runs/latest/decisions", params={"line": "setouchi-harbor", "model_year": 2027}).json()
    assert [d["transaction"] for d in harbor] == ["harbor-my2027-import"]
    one = api.get("/api/runs/latest/decisions/harbor-my2027-import").json()
    assert one["decision"]["outcome"] == "prohibited" and "791.303(a)" in " ".join(one["decision"]["cites"])
    assert one["decision"]["because"]["because"], "the reasons tree"
    assert api.get("/api/runs/latest/decisions/nope").status_code == 404
    assert api.get("/api/runs/latest/decisions", params={"outcome": "maybe"}).status_code == 422


def test_an_explanation_names_the_cfr_paragraph_of_every_step_and_the_ownership_path(api, workspace, run_templates):
    from conftest import install_run

    install_run(workspace.root, run_templates.after)
    found = api.get(f"/api/runs/latest/explanations/{MERIDIAN_DECISION}").json()
    assert found["outcome"] == "prohibited" and "791.302" in found["text"]
    meridian = next(p for p in found["parties"] if p["ref"] == MERIDIAN)
    assert meridian["linkage"] == "linked" and any("Harbourline" in line for line in meridian["why"])


def test_a_party_comes_with_its_graph_from_the_nexus_and_the_path_that_links_it(api, workspace, run_templates):
    from conftest import install_run

    install_run(workspace.root, run_templates.after)
    party = api.get(f"/api/runs/latest/parties/{MERIDIAN}").json()
    graph = party["graph"]
    assert graph["source"] == "nexus" and graph["as_of"] == "2027-07-01"
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    assert names[MERIDIAN].startswith("Meridian Telematics Manufacturing")
    assert any(e["held"] == MERIDIAN and e["holder"] == "lei:CVRL00MERIDIANSGP113" and e["label"] == "100%" for e in graph["edges"])
    chains = [[names[n] for n in chain] for chain in graph["paths"]]
    assert any(chain[-1] == "Harbourline Holdings Limited" for chain in chains)
    assert MERIDIAN_DECISION in party["decisions"] and party["components"] == ["meridian:mt200"]
    linked = api.get("/api/runs/latest/parties", params={"linkage": "linked"}).json()
    assert linked and all(p["linkage"] == "linked" for p in linked)


def test_components_and_deadlines(api, run_templates):
    component = run_templates.after_assessment.components[0]
    found = api.get(f"/api/runs/latest/components/{component.id}")
    assert found.status_code == 200 and found.json()["id"] == component.id
    deadlines = api.get("/api/runs/latest/deadlines").json()
    assert deadlines and deadlines == sorted(deadlines, key=lambda d: d["due"])
    assert any(d["kind"] == "declaration" and d["cite"] == "791.305" for d in deadlines)


def test_every_report_and_the_record_pack_can_be_downloaded(api, workspace, run_templates):
    from conftest import install_run

    install_run(workspace.root, run_templates.after)
    files = {f["name"]: f for f in api.get("/api/runs/latest/reports").json()}
    assert {"reports/report.pdf", "reports/report.html", "reports/report.xlsx", "reports/report.sarif",
            "record-pack.zip", "assessment.json"} <= set(files)
    assert any(f["kind"] == "declaration" for f in files.values())
    pdf = api.get(files["reports/report.pdf"]["url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    for name in ("../cvrule.duckdb", "..%2Fcvrule.duckdb", "reports/../../../web-secret", "/etc/passwd"):
        assert api.get(f"/api/runs/latest/reports/{name}").status_code == 404


def test_review_confirm_is_audited_under_the_callers_name(api, workspace):
    queue = api.get("/api/review").json()
    link = next(c for c in queue if c["purpose"] == "link")
    assert link["features"] and link["subject"].startswith("Taiwan Semiconductor")
    refused = api.post(f"/api/review/{link['id']}/reject", json={"reason": "  "})
    assert refused.status_code == 400 and "reason" in refused.json()["detail"]
    done = api.post(f"/api/review/{link['id']}/confirm", json={"reason": "same company; TSMC's own filing"})
    assert done.status_code == 200 and done.json()["actor"] == "ana"
    assert all(c["id"] != link["id"] for c in api.get("/api/review").json())
    [entry] = _entries(workspace, "review.confirm")
    assert entry.actor == "ana" and entry.detail["reason"] == "same company; TSMC's own filing"
    assert api.post(f"/api/review/{link['id']}/confirm", json={}).status_code == 409
    assert api.post("/api/review/nonexistent/confirm", json={}).status_code == 404


def test_an_upload_is_read_kept_and_assessed_and_the_matrix_changes(api, workspace, run_templates):
    sbom = fresh_sbom()
    response = api.post("/api/ingest", params={"wait": "true"}, data={"folder": "boms"},
                        files=[("files", ("meridian-mt200-tcu.cdx.json", sbom, "application/json"))])
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["state"] == "succeeded", job
    assert job["files"] == [{"name": "boms/meridian-mt200-tcu.cdx.json", "outcome": "loaded", "message": None,
                             "format": "cyclonedx-json", "facts": job["files"][0]["facts"]}]
    assert (workspace.root / "inputs" / "boms" / "meridian-mt200-tcu.cdx.json").read_bytes() == sbom
    assert job["run_id"] == run_templates.after.name
    lines = {row["line"] for row in api.get("/api/runs/latest").json()["matrix"]}
    assert "daehan-kestrel" in lines
    [upload] = _entries(workspace, "web.upload")
    assert upload.actor == "ana" and upload.detail["files"][0]["outcome"] == "loaded"
    assert _entries(workspace, "web.assess")[0].subject == run_templates.after.name
    ingest = [e for e in _entries(workspace, "ingest") if e.detail.get("path", "").endswith("meridian-mt200-tcu.cdx.json")]
    assert ingest and ingest[-1].actor == "ana"


def test_a_bad_file_is_named_with_where_and_why_and_not_kept(api, workspace):
    broken = b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [ {"type": "library", "name": 7 '
    response = api.post("/api/ingest", params={"wait": "true"},
                        files=[("files", ("tcu.cdx.json", broken, "application/json")),
                               ("files", ("notes.bin", b"\x00\x01binary", "application/octet-stream"))])
    job = response.json()
    by_name = {f["name"]: f for f in job["files"]}
    assert by_name["tcu.cdx.json"]["outcome"] == "failed"
    assert by_name["tcu.cdx.json"]["message"].startswith("tcu.cdx.json")
    assert str(workspace.root) not in by_name["tcu.cdx.json"]["message"], "no server path in the message"
    assert by_name["notes.bin"]["outcome"] == "failed"
    assert not (workspace.root / "inputs" / "tcu.cdx.json").exists()
    assert not (workspace.root / "inputs" / "notes.bin").exists()
    assert app_assessor_calls(api) == 0, "nothing changed: no assessment"


def app_assessor_calls(client) -> int:
    return client.app.state.fake_assessor.calls


def test_a_different_file_of_the_same_name_is_refused_unless_replace(api, workspace):
    first = fresh_sbom("lakeshore-lt5-tcu.cdx.json")
    second = fresh_sbom("veloxa-vx9-v2x.cdx.json")
    upload = lambda data, **form: api.post("/api/ingest", params={"wait": "true"}, data={"assess": "false", **form},
                                           files=[("files", ("tcu.cdx.json", data, "application/json"))]).json()
    assert upload(first)["files"][0]["outcome"] == "loaded"
    again = upload(first)["files"][0]
    assert again["outcome"] == "unchanged"
    refused = upload(second)["files"][0]
    assert refused["outcome"] == "refused" and "replace" in refused["message"]
    assert (workspace.root / "inputs" / "tcu.cdx.json").read_bytes() == first
    replaced = upload(second, replace="true")["files"][0]
    assert replaced["outcome"] == "loaded"
    assert (workspace.root / "inputs" / "tcu.cdx.json").read_bytes() == second
    assert not list((workspace.root / "inputs").glob(".replaced-*"))


@pytest.mark.parametrize("name,folder", [("../escape.json", None), ("ok.json", "../.."), (".hidden.json", None),
                                         ("a/../../b.json", None), ("ok.json", "/etc"), ("ok.json", "a/.git")])
def test_file_names_cannot_leave_the_inputs_folder(api, workspace, name, folder):
    form = {"assess": "false"} | ({"folder": folder} if folder else {})
    job = api.post("/api/ingest", params={"wait": "true"}, data=form,
                   files=[("files", (name, b'{"a": 1}', "application/json"))]).json()
    assert job["files"][0]["outcome"] == "refused"
    assert not (workspace.root.parent / "escape.json").exists() and not (workspace.root / "b.json").exists()
    assert not (workspace.root / "inputs").exists() or not any((workspace.root / "inputs").rglob("*.json"))


def test_a_failed_assessment_says_why(api, workspace):
    api.app.state.fake_assessor.fail = "no fleet manifest: expected one of fleet.yaml, fleet.yml in the folder"
    response = api.post("/api/assess", params={"wait": "true"})
    job = response.json()
    assert job["state"] == "failed" and "no fleet manifest" in job["error"]
    started = api.post("/api/assess")
    assert started.status_code == 202 and started.headers["location"] == f"/api/jobs/{started.json()['id']}"
    assert wait_job(api, started.json()["id"])["state"] == "failed"


def test_audit_log_lists_newest_first(api, workspace):
    api.post("/api/assess", params={"wait": "true"})
    entries = api.get("/api/audit", params={"limit": 5}).json()
    assert len(entries) == 5 and entries[0]["seq"] > entries[-1]["seq"]
    assert entries[0]["action"] == "web.assess" and entries[0]["actor"] == "ana"
    older = api.get("/api/audit", params={"before": entries[-1]["seq"], "limit": 3}).json()
    assert [e["seq"] for e in older] == [entries[-1]["seq"] - 1, entries[-1]["seq"] - 2, entries[-1]["seq"] - 3]
    viewer = api.get("/api/audit", headers={"Authorization": f"Bearer {api.tokens['viewer']}"})
    assert viewer.status_code == 403


def test_the_openapi_document_describes_every_api_route_with_bearer_auth(api):
    spec = api.get("/api/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert all(path.startswith("/api/") for path in spec["paths"])
    assert {"/api/runs", "/api/ingest", "/api/assess", "/api/review/{candidate_id}/confirm",
            "/api/runs/{run_id}/explanations/{transaction}"} <= set(spec["paths"])
    json.dumps(spec)
