"""Signing in, sessions, API tokens, the signing secret and the audit of each: no default secret
or password, passwords and tokens kept only as hashes, sessions that end when the user changes."""

from __future__ import annotations

import os
import stat
import time

import pytest
from fastapi.testclient import TestClient

from conftest import PASSWORD, csrf_of, login, make_app, signed_in
from cvrule.accounts import AccountError, add_user, create_token, set_disabled, set_password, set_role
from cvrule.store import Store, audit
from cvrule.web.settings import SECRET_FILE, SettingsError, WebSettings, load_secret


def _entries(workspace, action):
    with Store(workspace.store_path) as store:
        return audit.entries(store, action=action)


def test_signing_in_sets_a_protected_session_cookie_and_is_audited(app, workspace):
    client = TestClient(app)
    response = login(client, "ana")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert client.get("/api/me").json() == {"name": "ana", "role": "analyst", "via": "session"}
    [entry] = _entries(workspace, "web.login")
    assert entry.actor == "ana" and entry.detail["client"]


def test_a_wrong_password_is_refused_and_audited_without_the_password(app, workspace):
    client = TestClient(app)
    response = login(client, "ana", "not the password")
    assert response.status_code == 401 and "Wrong user name or password" in response.text
    assert login(client, "nobody", "whatever it is").status_code == 401
    failed = _entries(workspace, "web.login-failed")
    assert [e.subject for e in failed] == ["ana", "nobody"]
    assert all("not the password" not in str(e.detail) for e in failed)
    assert client.get("/api/me").status_code == 401


def test_the_sign_in_form_needs_its_csrf_token(app):
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"name": "ana", "password": PASSWORD})
    assert response.status_code == 403


def test_too_many_failed_sign_ins_are_refused_for_a_while(workspace, run_templates):
    app = make_app(workspace, run_templates, login_attempts=3)
    client = TestClient(app)
    for _ in range(3):
        assert login(client, "ana", "wrong password!").status_code == 401
    assert login(client, "ana").status_code == 429, "even the right password, for now"
    assert len(_entries(workspace, "web.login-failed")) == 3


def test_next_only_goes_to_a_page_of_this_site(app):
    client = TestClient(app)
    for target, expected in [("/review", "/review"), ("//evil.example/", "/"), ("https://evil.example/", "/"),
                             ("/\\evil.example", "/")]:
        client.cookies.clear()
        page = client.get("/login")
        response = client.post("/login", data={"name": "vera", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                               "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected


def test_signing_out_ends_the_session_and_is_audited(app, workspace):
    client = signed_in(app, "viewer")
    token = csrf_of(client.get("/account").text)
    old = client.cookies.get("cvrule_session")
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401
    assert _entries(workspace, "web.logout")[0].actor == "vera"
    copied = TestClient(app)
    copied.cookies.set("cvrule_session", old)
    assert copied.get("/api/me").status_code == 401, "a copy of the signed-out cookie is no session either"


def test_a_session_ends_when_the_password_role_or_standing_changes(app, workspace):
    client = signed_in(app, "viewer")
    assert client.get("/api/me").status_code == 200
    with Store(workspace.store_path) as store:
        set_role(store, "vera", "analyst", actor="adam")
    app.state.cvrule.accounts_changed()
    assert client.get("/api/me").status_code == 401
    client = signed_in(app, "analyst")
    with Store(workspace.store_path) as store:
        set_password(store, "ana", "another long password", actor="ana")
    app.state.cvrule.accounts_changed()
    assert client.get("/api/me").status_code == 401
    assert login(TestClient(app), "ana", "another long password").status_code == 303
    with Store(workspace.store_path) as store:
        set_disabled(store, "ana", True, actor="adam")
    app.state.cvrule.accounts_changed()
    assert login(TestClient(app), "ana", "another long password").status_code == 401


def test_a_forged_or_foreign_cookie_is_no_session(app, workspace, run_templates, tmp_path):
    client = signed_in(app, "admin")
    value = client.cookies.get("cvrule_session")
    forged = TestClient(app)
    forged.cookies.set("cvrule_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert forged.get("/api/me").status_code == 401
    other = make_app(workspace, run_templates, secret="x" * 40)  # another secret: cookies of the first do not pass
    foreign = TestClient(other)
    foreign.cookies.set("cvrule_session", value)
    assert foreign.get("/api/me").status_code == 401


def test_tokens_are_kept_only_as_hashes_and_can_be_revoked(app, workspace):
    with Store(workspace.store_path) as store:
        row, token = create_token(store, "ana", "ci")
        stored = store._con.execute("SELECT * FROM api_tokens").fetchall()
        hashes = store._con.execute("SELECT password_hash FROM users").fetchall()
    assert token not in str(stored) and row.token_sha256 != token
    assert all(h[0].startswith("$argon2id$") for h in hashes) and PASSWORD not in str(hashes)
    app.state.cvrule.accounts_changed()
    client = TestClient(app)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["via"] == "token"
    browser = signed_in(app, "analyst")
    page = browser.get("/account")
    assert f"cvr_{row.token_id}_" in page.text and token not in page.text
    assert browser.post(f"/account/tokens/{row.token_id}/revoke", data={"csrf_token": csrf_of(page.text)},
                        follow_redirects=False).status_code == 303
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert [e.action for e in _entries(workspace, "token")][-2:] == ["token.create", "token.revoke"]


def test_a_token_made_on_the_account_page_is_shown_once(app):
    client = signed_in(app, "viewer")
    page = client.get("/account")
    made = client.post("/account/tokens", data={"label": "laptop", "csrf_token": csrf_of(page.text)})
    token = made.text.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("cvr_")
    assert token not in client.get("/account").text
    assert TestClient(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "vera"


def test_accounts_refuse_weak_passwords_bad_names_and_roles(workspace):
    with Store(workspace.store_path) as store:
        with pytest.raises(AccountError, match="at least 10"):
            add_user(store, "bob", "viewer", "short")
        with pytest.raises(AccountError, match="user name"):
            add_user(store, "../bob", "viewer", PASSWORD)
        with pytest.raises(AccountError, match="role"):
            add_user(store, "bob", "root", PASSWORD)
        with pytest.raises(AccountError, match="already exists"):
            add_user(store, "ana", "viewer", PASSWORD)


def test_there_is_no_default_secret(tmp_path):
    with pytest.raises(SettingsError, match="at least 32"):
        load_secret(WebSettings(secret="short"), tmp_path)
    first = load_secret(WebSettings(), tmp_path)
    assert len(first) >= 32 and load_secret(WebSettings(), tmp_path) == first
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = tmp_path / "other"
    assert load_secret(WebSettings(), other) != first, "each workspace makes its own"
    os.chmod(path, 0o644)
    with pytest.raises(SettingsError, match="chmod 600"):
        load_secret(WebSettings(), tmp_path)


def test_settings_come_from_cvrule_environment_variables():
    settings = WebSettings.from_env({"CVRULE_WEB_SESSION_HOURS": "2", "CVRULE_WEB_SECURE_COOKIES": "true",
                                     "CVRULE_WEB_MAX_UPLOAD_MB": "5", "CVRULE_SECRET": "s" * 40})
    assert settings.session_hours == 2 and settings.secure_cookies and settings.max_upload_mb == 5
    with pytest.raises(SettingsError, match="CVRULE_WEB_SESSION_HOURS"):
        WebSettings.from_env({"CVRULE_WEB_SESSION_HOURS": "soon"})


def test_pages_send_security_headers(app):
    client = signed_in(app, "viewer")
    response = client.get("/")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_a_request_larger_than_the_upload_limit_is_refused_before_it_is_read(workspace, run_templates):
    app = make_app(workspace, run_templates, max_upload_mb=0.001)
    client = signed_in(app, "analyst")
    response = client.post("/api/ingest", headers={"content-length": str(50_000_000)}, content=b"x")
    assert response.status_code == 413


def test_a_session_ends_when_its_hours_are_over(app, monkeypatch):
    client = signed_in(app, "admin")
    assert client.get("/api/me").status_code == 200
    later = time.time() + app.state.cvrule.settings.session_hours * 3600 + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert client.get("/api/me").status_code == 401


def test_an_api_token_stops_working_when_its_days_are_over(app, workspace):
    with Store(workspace.store_path) as store:
        _, token = create_token(store, "ana", "ci")
    app.state.cvrule.accounts_changed()
    bearer = {"Authorization": f"Bearer {token}"}
    assert TestClient(app).get("/api/me", headers=bearer).status_code == 200
    with Store(workspace.store_path) as store:  # made 91 days ago; tokens work for 90 (CVRULE_WEB_TOKEN_DAYS)
        store._con.execute("UPDATE api_tokens SET created_at = created_at - INTERVAL 91 DAY")
    app.state.cvrule.accounts_changed()
    assert TestClient(app).get("/api/me", headers=bearer).status_code == 401
