"""Signing in and out, and one's own API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from cvrule.accounts import AccountError, check_password, create_token, revoke_token
from cvrule.store.users import UserTables
from cvrule.web.auth import COOKIE, Principal, guard, principal, session_cookie, session_id, state_of
from cvrule.web.csrf import check_csrf, csrf_token
from cvrule.web.render import page

router = APIRouter(include_in_schema=False)


def _set_cookie(request: Request, response: Response, value: str) -> None:
    state = state_of(request)
    response.set_cookie(COOKIE, value, max_age=int(state.settings.session_hours * 3600), httponly=True,
                        samesite="lax", secure=state.settings.secure_cookies, path="/")


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no host, no `//`), else the fleet page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or "\n" in target:
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/"):
    if principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    sid = session_id(request)
    if sid is None:
        # a cookie with only a session id, so that the form carries a CSRF token
        value = session_cookie(state_of(request), None)
        request.cookies[COOKIE] = value
        response = page(request, "login.html.j2", next=_safe_next(next), error=None, name=None)
        _set_cookie(request, response, value)
        return response
    return page(request, "login.html.j2", next=_safe_next(next), error=None, name=None)


@router.post("/login")
async def login(request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")):
    state = state_of(request)
    await check_csrf(request, csrf_token(state.secret, session_id(request) or ""))
    client = request.client.host if request.client else "unknown"
    keys = [f"user:{name.casefold()}", f"client:{client}"]
    if state.login_refused(keys):  # not audited: nothing changed, and a flood must not grow the log
        return page(request, "login.html.j2", status_code=429, next=_safe_next(next), name=name,
                    error="Too many failed sign-ins: wait 15 minutes and try again.")
    user = state.accounts(fresh=True).users.get(name)
    if not check_password(user, password[:1024]):
        state.login_failed(keys)
        state.record(name[:64] or "-", "web.login-failed", name[:64] or None, {"client": client})
        return page(request, "login.html.j2", status_code=401, next=_safe_next(next), name=name,
                    error="Wrong user name or password (or the account is disabled).")
    state.login_succeeded(keys)
    state.record(user.name, "web.login", user.name, {"client": client})
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_cookie(request, response, session_cookie(state, user))  # a new session id: no fixation
    return response


@router.post("/logout")
def logout(request: Request, who: Principal = Depends(guard("viewer"))):
    state = state_of(request)
    if who.sid:
        state.end_session(who.sid)
    state.record(who.name, "web.logout", who.name, {})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _tokens(request: Request, who: Principal):
    state = state_of(request)
    with state.store() as store:
        return UserTables(store).tokens(who.name)


@router.get("/account")
def account(request: Request, who: Principal = Depends(guard("viewer"))):
    return page(request, "account.html.j2", tokens=_tokens(request, who), new_token=None, error=None)


@router.post("/account/tokens")
def make_token(request: Request, label: str = Form(""), who: Principal = Depends(guard("viewer"))):
    state = state_of(request)
    try:
        _, token = state.write(lambda store: create_token(store, who.name, label, actor=who.name))
    except AccountError as error:
        return page(request, "account.html.j2", status_code=400, tokens=_tokens(request, who), new_token=None, error=str(error))
    state.accounts_changed()
    return page(request, "account.html.j2", tokens=_tokens(request, who), new_token=token, error=None)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: str, who: Principal = Depends(guard("viewer"))):
    state = state_of(request)
    try:
        state.write(lambda store: revoke_token(store, token_id, actor=who.name, owner=who.name))
    except AccountError as error:
        return page(request, "account.html.j2", status_code=404, tokens=_tokens(request, who), new_token=None, error=str(error))
    state.accounts_changed()
    return RedirectResponse("/account", status_code=303)
