"""The audit log (analysts and admins) and the users (admins)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Form, Request

from cvrule.accounts import ROLES, AccountError, add_user, set_disabled, set_role
from cvrule.store.users import UserTables
from cvrule.web.auth import Principal, guard, state_of
from cvrule.web.render import page
from cvrule.web.services import audit_entries

router = APIRouter(include_in_schema=False)
PAGE = 100


def _detail(entry) -> str:
    text = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 240 else text[:237] + "..."


@router.get("/audit")
def audit(request: Request, action: str | None = None, before: int | None = None,
          who: Principal = Depends(guard("analyst"))):
    entries = audit_entries(state_of(request), action, before, PAGE + 1)
    return page(request, "audit.html.j2", entries=entries[:PAGE], more=len(entries) > PAGE, action=action, detail=_detail)


def _users(request: Request, status_code: int = 200, error: str | None = None, message: str | None = None):
    with state_of(request).store() as store:
        users = UserTables(store).users()
    return page(request, "users.html.j2", status_code=status_code, users=users, roles=ROLES, error=error, message=message)


@router.get("/admin/users")
def users(request: Request, who: Principal = Depends(guard("admin"))):
    return _users(request)


def _change(request: Request, work, message: str):
    state = state_of(request)
    try:
        state.write(work)
    except AccountError as error:
        return _users(request, 400, error=str(error))
    state.accounts_changed()
    return _users(request, message=message)


@router.post("/admin/users")
def add(request: Request, name: str = Form(""), role: str = Form("viewer"), password: str = Form(""),
        who: Principal = Depends(guard("admin"))):
    return _change(request, lambda store: add_user(store, name, role, password, actor=who.name), f"added {name} ({role})")


@router.post("/admin/users/{name}/role")
def role(request: Request, name: str, role: str = Form(""), who: Principal = Depends(guard("admin"))):
    if name == who.name and role != "admin":
        return _users(request, 400, error="you cannot take the admin role from yourself; ask another admin")
    return _change(request, lambda store: set_role(store, name, role, actor=who.name), f"{name} is now {role}")


@router.post("/admin/users/{name}/disable")
def disable(request: Request, name: str, who: Principal = Depends(guard("admin"))):
    if name == who.name:
        return _users(request, 400, error="you cannot disable yourself")
    return _change(request, lambda store: set_disabled(store, name, True, actor=who.name), f"{name} is disabled")


@router.post("/admin/users/{name}/enable")
def enable(request: Request, name: str, who: Principal = Depends(guard("admin"))):
    return _change(request, lambda store: set_disabled(store, name, False, actor=who.name), f"{name} is enabled")
