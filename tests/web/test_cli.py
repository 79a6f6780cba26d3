"""`cvrule user` and `cvrule serve` from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from conftest import free_port
from cvrule.cli import app
from cvrule.store import Store, audit
from cvrule.store.users import UserTables

runner = CliRunner()


def test_user_add_reads_the_password_from_stdin_and_keeps_only_its_hash(tmp_path):
    space = tmp_path / "ws"
    result = runner.invoke(app, ["user", "add", "olga", "--role", "analyst", "--password-stdin", "--workspace", str(space)],
                           input="a very long password\n")
    assert result.exit_code == 0, result.output
    with Store(space / "cvrule.duckdb") as store:
        user = UserTables(store).user("olga")
        [entry] = audit.entries(store, action="user.add")
    assert user.role == "analyst" and user.password_hash.startswith("$argon2id$")
    assert "a very long password" not in user.password_hash and entry.subject == "olga"
    again = runner.invoke(app, ["user", "add", "olga", "--password-stdin", "--workspace", str(space)], input="another long one\n")
    assert again.exit_code == 2 and "already exists" in again.output
    weak = runner.invoke(app, ["user", "add", "pete", "--password-stdin", "--workspace", str(space)], input="short\n")
    assert weak.exit_code == 2 and "at least 10" in weak.output
    bad_role = runner.invoke(app, ["user", "add", "pete", "--role", "root", "--password-stdin", "--workspace", str(space)],
                             input="a long enough password\n")
    assert bad_role.exit_code == 2 and "role" in bad_role.output


def test_user_add_asks_twice_without_stdin(tmp_path):
    space = tmp_path / "ws"
    result = runner.invoke(app, ["user", "add", "olga", "--workspace", str(space)], input="a long password x\na long password y\n")
    assert result.exit_code == 2 and "differ" in result.output


def test_user_token_role_disable_and_list(tmp_path):
    space = tmp_path / "ws"
    runner.invoke(app, ["user", "add", "olga", "--password-stdin", "--workspace", str(space)], input="a very long password\n")
    token = runner.invoke(app, ["user", "token", "olga", "--label", "ci", "--workspace", str(space)])
    assert token.exit_code == 0 and token.stdout.strip().startswith("cvr_")
    assert runner.invoke(app, ["user", "role", "olga", "admin", "--workspace", str(space)]).exit_code == 0
    assert runner.invoke(app, ["user", "disable", "olga", "--workspace", str(space)]).exit_code == 0
    listed = runner.invoke(app, ["user", "list", "--workspace", str(space)])
    assert "olga  admin  disabled  1 tokens" in listed.stdout and "1 users" in listed.stdout
    assert runner.invoke(app, ["user", "role", "nobody", "viewer", "--workspace", str(space)]).exit_code == 2


def test_serve_answers_on_loopback_and_asks_for_a_sign_in(tmp_path):
    space = tmp_path / "ws"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CVRULE_")}
    process = subprocess.Popen([sys.executable, "-c", "from cvrule.cli import app; app()", "serve", "--workspace", str(space), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                assert time.monotonic() < deadline, "cvrule serve did not start"
                time.sleep(0.2)
        assert health.json()["ok"] is True
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 303
        assert httpx.get(f"http://127.0.0.1:{port}/api/runs", timeout=5).status_code == 401
        assert oct((space / "web-secret").stat().st_mode & 0o777) == "0o600"
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "no user yet" in output
