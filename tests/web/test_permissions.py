"""Every route, for every role: a logged-out user gets nothing (pages redirect to the sign-in page,
the rest answers 401), a role below the one a route needs gets 403, a change made with a session
cookie but without the session's CSRF token gets 403, and a role that may gets past all three.

The table below names the role each route needs; a route added to the app without an entry here
fails `test_every_route_has_a_permission_entry`."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from conftest import USERS, install_run, login, make_app, page_csrf
from cvrule.accounts import ROLES, create_token, role_at_least
from cvrule.store import Store
from cvrule.workspace import Workspace

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/healthz"), ("GET", "/api/openapi.json")}

NEEDS = {
    ("GET", "/"): "viewer",
    ("GET", "/runs"): "viewer",
    ("GET", "/runs/{run_id}"): "viewer",
    ("GET", "/runs/{run_id}/lines/{line}/{model_year}"): "viewer",
    ("GET", "/runs/{run_id}/decisions/{transaction:path}"): "viewer",
    ("GET", "/runs/{run_id}/components/{component_id:path}"): "viewer",
    ("GET", "/runs/{run_id}/parties/{ref:path}"): "viewer",
    ("GET", "/runs/{run_id}/deadlines"): "viewer",
    ("GET", "/runs/{run_id}/downloads"): "viewer",
    ("GET", "/runs/{run_id}/files/{name:path}"): "viewer",
    ("GET", "/review"): "viewer",
    ("POST", "/review/{candidate_id}"): "analyst",
    ("GET", "/uploads"): "viewer",
    ("POST", "/uploads"): "analyst",
    ("POST", "/assess"): "analyst",
    ("GET", "/jobs/{job_id}"): "viewer",
    ("GET", "/audit"): "analyst",
    ("GET", "/admin/users"): "admin",
    ("POST", "/admin/users"): "admin",
    ("POST", "/admin/users/{name}/role"): "admin",
    ("POST", "/admin/users/{name}/disable"): "admin",
    ("POST", "/admin/users/{name}/enable"): "admin",
    ("GET", "/account"): "viewer",
    ("POST", "/account/tokens"): "viewer",
    ("POST", "/account/tokens/{token_id}/revoke"): "viewer",
    ("POST", "/logout"): "viewer",
    ("GET", "/api/docs"): "viewer",
    ("GET", "/api/me"): "viewer",
    ("GET", "/api/runs"): "viewer",
    ("GET", "/api/runs/{run_id}"): "viewer",
    ("GET", "/api/runs/{run_id}/decisions"): "viewer",
    ("GET", "/api/runs/{run_id}/decisions/{transaction:path}"): "viewer",
    ("GET", "/api/runs/{run_id}/explanations/{transaction:path}"): "viewer",
    ("GET", "/api/runs/{run_id}/parties"): "viewer",
    ("GET", "/api/runs/{run_id}/parties/{ref:path}"): "viewer",
    ("GET", "/api/runs/{run_id}/components/{component_id:path}"): "viewer",
    ("GET", "/api/runs/{run_id}/deadlines"): "viewer",
    ("GET", "/api/runs/{run_id}/reports"): "viewer",
    ("GET", "/api/runs/{run_id}/reports/{name:path}"): "viewer",
    ("GET", "/api/review"): "viewer",
    ("POST", "/api/review/{candidate_id}/confirm"): "analyst",
    ("POST", "/api/review/{candidate_id}/reject"): "analyst",
    ("POST", "/api/ingest"): "analyst",
    ("POST", "/api/assess"): "analyst",
    ("GET", "/api/jobs/{job_id}"): "viewer",
    ("GET", "/api/audit"): "analyst",
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory, store_template, run_templates):
    root = tmp_path_factory.mktemp("permissions") / "ws"
    shutil.copytree(store_template, root)
    install_run(root, run_templates.before, age_seconds=60)
    with Store(root / "cvrule.duckdb") as store:
        tokens = {role: create_token(store, name, "tests")[1] for role, name in USERS.items()}
    app = make_app(Workspace(root), run_templates)
    assessment = run_templates.after_assessment
    values = {
        "run_id": run_templates.before.name,
        "line": "setouchi-harbor",
        "model_year": "2027",
        "transaction:path": "harbor-my2027-import",
        "component_id:path": assessment.components[0].id,
        "ref:path": assessment.parties[0].ref,
        "name:path": "assessment.json",
        "job_id": "0000000000000000",
        "candidate_id": "nonexistent",
        "name": "nobody",
        "token_id": "000000000000",
    }
    clients = {role: _client(app, role) for role in ROLES}
    yield app, values, tokens, clients
    for client in clients.values():
        client.close()


def _client(app, role: str) -> TestClient:
    client = TestClient(app)
    assert login(client, USERS[role]).status_code == 303
    return client


def _flat(routes):
    """Routes and the routes of included routers (kept as lazy `_IncludedRouter`s by recent FastAPI)."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        else:
            yield route


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in _flat(app.routes):
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def _url(path: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        path = path.replace("{" + key + "}", value)
    assert "{" not in path, path
    return path


CASES = sorted(NEEDS)


def test_every_route_has_a_permission_entry(setup):
    app = setup[0]
    routes = _routes(app)
    assert routes - set(NEEDS) - PUBLIC == set(), "routes without a permission entry in this test"
    assert set(NEEDS) - routes == set(), "entries for routes the app does not have"


@pytest.mark.parametrize("method,path", CASES)
def test_logged_out_gets_nothing(setup, method, path):
    app, values, _, _ = setup
    with TestClient(app) as anonymous:
        response = anonymous.request(method, _url(path, values), follow_redirects=False)
    if path.startswith("/api/"):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    elif method == "GET":
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    else:
        assert response.status_code == 401
    assert "harbor" not in response.text.lower()


@pytest.mark.parametrize("method,path", [c for c in CASES if c[0] == "POST"])
def test_a_change_without_the_csrf_token_is_refused(setup, method, path):
    app, values, _, clients = setup
    response = clients["admin"].request(method, _url(path, values), data={"reason": "x"}, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize("method,path", CASES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_may_with_a_session(setup, method, path, role):
    app, values, _, clients = setup
    client = _client(app, role) if path == "/logout" else clients[role]
    headers = {"X-CSRF-Token": page_csrf(client)} if method == "POST" else {}
    response = client.request(method, _url(path, values), headers=headers, follow_redirects=False)
    if role_at_least(role, NEEDS[(method, path)]):
        assert response.status_code not in (401, 403), response.text[:500]
        assert response.status_code < 500, response.text[:500]
    else:
        assert response.status_code == 403, response.text[:500]


@pytest.mark.parametrize("method,path", [c for c in CASES if c[1].startswith("/api/")])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_may_with_a_token(setup, method, path, role):
    app, values, tokens, _ = setup
    with TestClient(app) as client:  # no cookie: a script
        response = client.request(method, _url(path, values), headers={"Authorization": f"Bearer {tokens[role]}"},
                                  follow_redirects=False)
    if role_at_least(role, NEEDS[(method, path)]):
        assert response.status_code not in (401, 403) and response.status_code < 500, response.text[:500]
    else:
        assert response.status_code == 403


def test_a_viewer_cannot_confirm_a_supplier_link(setup):
    app, _, tokens, clients = setup
    candidate = clients["viewer"].get("/api/review").json()[0]["id"]
    response = clients["viewer"].post(f"/review/{candidate}", data={"action": "confirm", "csrf_token": page_csrf(clients["viewer"])},
                                      follow_redirects=False)
    assert response.status_code == 403
    api = clients["viewer"].post(f"/api/review/{candidate}/confirm", json={"reason": "no"},
                                 headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert api.status_code == 403
    assert any(c["id"] == candidate for c in clients["viewer"].get("/api/review").json()), "still waiting"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer cvr_000000000000_" + "A" * 43, "Basic dmVyYTpwdw==", "Bearer"])
def test_a_bad_token_is_not_a_session(setup, header):
    app, _, _, clients = setup
    # a bad Authorization header is never silently replaced by the cookie that came with it
    response = clients["admin"].get("/api/me", headers={"Authorization": header})
    assert response.status_code == 401


def test_static_files_and_health_need_no_sign_in(setup):
    app = setup[0]
    with TestClient(app) as anonymous:
        assert anonymous.get("/healthz").json()["ok"] is True
        script = anonymous.get("/static/htmx.min.js")
        assert script.status_code == 200 and script.text.startswith("var htmx")
        assert anonymous.get("/api/openapi.json").json()["info"]["title"] == "cvrule"
