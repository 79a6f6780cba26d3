"""The pages as a browser gets them (server-rendered HTML): the matrix, a line, a decision with
its reasons and ownership path, a component, a party with its graph, deadlines, downloads, the
review queue (htmx), uploads (htmx, with progress) and the audit log."""

from __future__ import annotations

import re
import time

from conftest import MERIDIAN, MERIDIAN_DECISION, csrf_of, fresh_sbom, install_run, signed_in
from cvrule.fleet.result import Assessment


def test_the_matrix_shows_each_line_and_model_year_with_its_worst_outcome(app, run_templates):
    page = signed_in(app, "viewer").get("/")
    assert page.status_code == 200
    cells = re.findall(r'data-outcome="(\w+)" href="/runs/[^/]+/lines/([^/]+)/(\d+)"', page.text)
    assert ("prohibited", "setouchi-harbor", "2027") in cells
    assert ("exempt", "setouchi-harbor", "2026") in cells
    assert not any(line == "daehan-kestrel" for _, line, _ in cells)
    assert "Upload" not in page.text or "Uploads" in page.text


def test_a_line_and_model_year_lists_its_transactions(app, run_templates):
    page = signed_in(app, "viewer").get(f"/runs/{run_templates.before.name}/lines/setouchi-harbor/2028")
    assert page.status_code == 200
    assert "harbor-my2028-import-batch-a" in page.text and "harbor-my2028-import-batch-b" in page.text


def test_a_prohibited_decision_shows_its_reasons_citations_and_ownership_path(app, workspace, run_templates):
    install_run(workspace.root, run_templates.after)
    page = signed_in(app, "viewer").get(f"/runs/latest/decisions/{MERIDIAN_DECISION}")
    assert page.status_code == 200
    assert 'class="badge o-prohibited"' in page.text
    assert '<span class="cite">791.302' in page.text
    path = page.text.split('id="ownership-path"')[1]
    assert "Meridian Telematics Manufacturing (Ireland) Limited" in path and "Harbourline Holdings Limited" in path
    assert f'/parties/{MERIDIAN}' in path


def test_a_party_page_draws_its_ownership_graph_as_inline_svg(app, workspace, run_templates):
    install_run(workspace.root, run_templates.after)
    page = signed_in(app, "viewer").get(f"/runs/latest/parties/{MERIDIAN}")
    assert page.status_code == 200
    svg = page.text.split('<div class="graph-wrap">')[1].split("</div>")[0]
    assert svg.startswith("<svg") and "<script" not in svg
    nodes = re.findall(r'data-node="([^"]+)"', svg)
    assert MERIDIAN in nodes and "lei:CVRL00HARBOURLINE146" in nodes and "lei:CVRL00MERIDIANSGP113" in nodes
    assert 'class="node linked"' in svg
    assert "From the nexus evidence as of 2027-07-01" in page.text
    assert "Harbourline Holdings Limited" in page.text.split('id="path"')[1]


def test_a_component_lists_its_parties_and_what_cvrule_read(app, workspace, run_templates):
    install_run(workspace.root, run_templates.after)
    page = signed_in(app, "viewer").get("/runs/latest/components/meridian:mt200")
    assert page.status_code == 200 and "manufactured by" in page.text and "Meridian Telematics Manufacturing (Ireland) Ltd" in page.text


def test_deadlines_and_downloads(app, workspace, run_templates):
    install_run(workspace.root, run_templates.after)
    client = signed_in(app, "viewer")
    deadlines = client.get("/runs/latest/deadlines")
    assert deadlines.status_code == 200 and "Declaration of Conformity" in deadlines.text
    due = re.findall(r'<td class="mono">(\d{4}-\d{2}-\d{2})</td>', deadlines.text)
    assert due and due == sorted(due)
    downloads = client.get("/runs/latest/downloads")
    links = re.findall(r'class="download" href="([^"]+)"', downloads.text)
    assert any(link.endswith("/reports/report.pdf") for link in links)
    assert any(link.endswith("/record-pack.zip") for link in links)
    pdf = client.get(next(link for link in links if link.endswith("report.pdf")))
    assert pdf.content.startswith(b"%PDF")


def test_review_confirm_from_the_page_with_htmx_replaces_the_candidate(app, workspace):
    client = signed_in(app, "analyst")
    page = client.get("/review")
    candidate = re.search(r'id="candidate-(\w+)" data-purpose="link"', page.text).group(1)
    response = client.post(f"/review/{candidate}", data={"action": "confirm", "reason": "checked the filing"},
                           headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(page.text)})
    assert response.status_code == 200 and "Confirmed" in response.text and "<html" not in response.text
    assert f'id="candidate-{candidate}"' not in client.get("/review").text
    rejected = client.post(f"/review/{candidate}", data={"action": "reject", "reason": ""},
                           headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(page.text)})
    assert rejected.status_code == 404


def test_a_viewer_sees_the_review_queue_without_the_buttons(app):
    page = signed_in(app, "viewer").get("/review")
    assert 'data-purpose="link"' in page.text and "Confirm</button>" not in page.text


def test_an_upload_from_the_page_shows_its_progress_then_the_new_run(app, workspace, run_templates):
    client = signed_in(app, "analyst")
    page = client.get("/uploads")
    response = client.post("/uploads", data={"folder": "boms", "assess": "true", "csrf_token": csrf_of(page.text)},
                           files=[("files", ("meridian-mt200-tcu.cdx.json", fresh_sbom(), "application/json"))],
                           headers={"HX-Request": "true"})
    assert response.status_code == 202 and 'class="panel job' in response.text
    job = re.search(r'id="job-(\w+)"', response.text).group(1)
    deadline = time.monotonic() + 60
    while 'data-state="succeeded"' not in (fragment := client.get(f"/jobs/{job}", headers={"HX-Request": "true"}).text):
        assert 'hx-trigger="every 1s"' in fragment and time.monotonic() < deadline
        time.sleep(0.1)
    assert "boms/meridian-mt200-tcu.cdx.json" in fragment and "loaded" in fragment and "cyclonedx-json" in fragment
    assert f"/runs/{run_templates.after.name}" in fragment and "hx-trigger" not in fragment
    matrix = client.get("/").text
    assert "/lines/daehan-kestrel/2030" in matrix
    assert "boms/meridian-mt200-tcu.cdx.json" in client.get("/uploads").text


def test_a_failed_file_is_shown_with_its_error(app):
    client = signed_in(app, "analyst")
    page = client.get("/uploads")
    response = client.post("/uploads", data={"csrf_token": csrf_of(page.text)},
                           files=[("files", ("broken.json", b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": 3}',
                                             "application/json"))], follow_redirects=False)
    assert response.status_code == 303
    deadline = time.monotonic() + 30
    while "failed</td>" not in (text := client.get("/uploads").text) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "broken.json" in text and "failed</td>" in text


def test_the_audit_log_page(app):
    client = signed_in(app, "analyst")
    page = client.get("/audit")
    assert page.status_code == 200 and 'data-action="web.login"' in page.text
    filtered = client.get("/audit", params={"action": "web"})
    actions = set(re.findall(r'data-action="([^"]+)"', filtered.text))
    assert actions and all(a.startswith("web.") for a in actions)


def test_admins_add_users_from_the_page(app, workspace):
    client = signed_in(app, "admin")
    page = client.get("/admin/users")
    added = client.post("/admin/users", data={"name": "carol", "role": "viewer", "password": "carol's long password",
                                              "csrf_token": csrf_of(page.text)})
    assert added.status_code == 200 and "added carol" in added.text
    weak = client.post("/admin/users", data={"name": "dave", "role": "viewer", "password": "short",
                                             "csrf_token": csrf_of(page.text)})
    assert weak.status_code == 400 and "at least 10" in weak.text
    self_demote = client.post("/admin/users/adam/role", data={"role": "viewer", "csrf_token": csrf_of(page.text)})
    assert self_demote.status_code == 400


def test_text_from_files_is_escaped(app, workspace, run_templates):
    hostile = "<script>alert(1)</script> Evil & Co"
    assessment = Assessment.from_json((run_templates.after / "assessment.json").read_bytes())
    parties = [p.model_copy(update={"name": hostile}) if p.ref == MERIDIAN else p for p in assessment.parties]
    target = install_run(workspace.root, run_templates.after)
    (target / "assessment.json").write_bytes(assessment.model_copy(update={"parties": parties}).to_json())
    client = signed_in(app, "viewer")
    for url in (f"/runs/latest/parties/{MERIDIAN}", f"/runs/latest/decisions/{MERIDIAN_DECISION}"):
        text = client.get(url).text
        assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def test_unknown_things_are_404_pages(app):
    client = signed_in(app, "viewer")
    assert client.get("/runs/nope").status_code == 404
    assert client.get("/runs/latest/decisions/nope").status_code == 404
    assert client.get("/runs/latest/parties/nope").status_code == 404
    assert client.get("/no-such-page").status_code == 404
