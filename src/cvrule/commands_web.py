"""`cvrule serve` and `cvrule user`: the web app and its accounts on the command line (thin: they
translate options into calls to cvrule.web and cvrule.accounts). Registered by `register`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from cvrule.errors import CvruleError

__all__ = ["register"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

user_app = typer.Typer(help="Manage the users of the web app and the API: roles viewer, analyst, admin.",
                       no_args_is_help=True)

WorkspaceOption = Annotated[
    Optional[Path],
    typer.Option("--workspace", help="Workspace folder (default ./cvrule-workspace or CVRULE_WORKSPACE)."),
]


def _fail(message: str, code: int = 2):
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def serve_command(
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (default loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web app and the REST API (/api, OpenAPI document at /api/openapi.json) on a workspace.

    Sign in with a user made by `cvrule user add`. Session cookies are signed with CVRULE_SECRET, or
    with a secret generated into the workspace (file web-secret, mode 0600). Settings: docs/web.md.
    """
    import uvicorn

    from cvrule.web import WebSettings, create_app
    from cvrule.workspace import Workspace

    space = Workspace(workspace)
    try:
        app = create_app(space, WebSettings.from_env())
    except CvruleError as error:
        _fail(str(error))
    with app.state.cvrule.store() as store:
        from cvrule.store.users import UserTables

        if not UserTables(store).users():
            err.print(f"note: no user yet; add one with `cvrule user add NAME --role admin --workspace {space.root}`",
                      markup=False)
    out.print(f"cvrule serving workspace {space.root} on http://{host}:{port}/ (Ctrl-C stops it)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)


def _store(workspace: Path | None):
    from cvrule.store import Store
    from cvrule.workspace import Workspace

    space = Workspace(workspace).create()
    try:
        return space, Store(space.store_path)
    except CvruleError as error:
        _fail(str(error))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Again", hide_input=True)
    if first != second:
        _fail("the two passwords differ")
    return first


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")]


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user name (letters, digits, . _ @ -).")],
    role: Annotated[str, typer.Option("--role", help="viewer, analyst or admin.")] = "viewer",
    password_stdin: PasswordStdin = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Add a user; the password is asked for (or read from standard input) and kept only as an Argon2id hash."""
    from cvrule.accounts import add_user

    password = _password(password_stdin)
    space, store = _store(workspace)
    try:
        with space.lock(), store:
            add_user(store, name, role, password)
    except CvruleError as error:
        _fail(str(error))
    out.print(f"added {name} ({role}) to {space.root}", markup=False)


@user_app.command("password")
def user_password(
    name: Annotated[str, typer.Argument(help="The user name.")],
    password_stdin: PasswordStdin = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Set a user's password (their sessions end)."""
    from cvrule.accounts import set_password

    password = _password(password_stdin)
    space, store = _store(workspace)
    try:
        with space.lock(), store:
            set_password(store, name, password)
    except CvruleError as error:
        _fail(str(error))
    out.print(f"password of {name} changed", markup=False)


@user_app.command("role")
def user_role(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[str, typer.Argument(help="viewer, analyst or admin.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Give a user another role (their sessions end)."""
    from cvrule.accounts import set_role

    space, store = _store(workspace)
    try:
        with space.lock(), store:
            set_role(store, name, role)
    except CvruleError as error:
        _fail(str(error))
    out.print(f"{name} is now {role}", markup=False)


@user_app.command("disable")
def user_disable(
    name: Annotated[str, typer.Argument(help="The user name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable the user again instead.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Disable a user: their sessions and API tokens stop working at once."""
    from cvrule.accounts import set_disabled

    space, store = _store(workspace)
    try:
        with space.lock(), store:
            set_disabled(store, name, not enable)
    except CvruleError as error:
        _fail(str(error))
    out.print(f"{name} is {'enabled' if enable else 'disabled'}", markup=False)


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Argument(help="The user name.")],
    label: Annotated[Optional[str], typer.Option("--label", help="What the token is for.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Make an API token for a user and print it (once: only its hash is kept)."""
    from cvrule.accounts import create_token

    space, store = _store(workspace)
    try:
        with space.lock(), store:
            row, token = create_token(store, name, label)
    except CvruleError as error:
        _fail(str(error))
    err.print(f"token {row.token_id} for {name}; send it as `Authorization: Bearer TOKEN`", markup=False)
    out.print(token, markup=False)


@user_app.command("list")
def user_list(workspace: WorkspaceOption = None) -> None:
    """List the users: name, role, standing and live API tokens."""
    from cvrule.store.users import UserTables

    _, store = _store(workspace)
    with store:
        tables = UserTables(store)
        users = tables.users()
        tokens = tables.tokens()
    for user in users:
        live = sum(1 for t in tokens if t.user_name == user.name and t.revoked_at is None)
        out.print(f"{user.name}  {user.role}  {'disabled' if user.disabled else 'active'}  {live} tokens", markup=False)
    out.print(f"{len(users)} users", markup=False)


def register(app: typer.Typer) -> None:
    """Add `serve` and the `user` command group to the app."""
    app.command("serve")(serve_command)
    app.add_typer(user_app, name="user")
