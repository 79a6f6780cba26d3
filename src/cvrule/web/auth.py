"""Who is asking: a signed session cookie (pages) or an API token (`Authorization: Bearer cvr_...`).

The session cookie holds the user's name, their `session_version` and a random session id,
signed with the app's secret (itsdangerous) and dated: it is refused when its signature is
wrong, when it is older than CVRULE_WEB_SESSION_HOURS, and when the user's password, role or
standing changed since (the version no longer matches). Someone not signed in still gets a
cookie with only a session id, so that the sign-in form carries a CSRF token too. The cookie is
HttpOnly and SameSite=Lax, Secure when CVRULE_WEB_SECURE_COOKIES is set.

`guard(role)` is the one dependency every protected route takes: not signed in -> 401 (pages:
a redirect to the sign-in page), a form or htmx request without the session's CSRF token ->
403, a role below the one needed -> 403.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cvrule.accounts import role_at_least
from cvrule.store.users import UserRow
from cvrule.web.csrf import check_csrf, csrf_token
from cvrule.web.state import AppState

__all__ = ["COOKIE", "Forbidden", "NotSignedIn", "Principal", "guard", "principal", "session_cookie", "session_id"]

COOKIE = "cvrule_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class NotSignedIn(Exception):
    """No valid session or token."""


class Forbidden(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    via: str
    """session | token"""
    sid: str | None = None

    def may(self, role: str) -> bool:
        return role_at_least(self.role, role)


def _serializer(state: AppState) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(state.secret, salt="cvrule.web.session")


def state_of(request: Request) -> AppState:
    return request.app.state.cvrule


def read_cookie(request: Request) -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 4096:
        return None
    state = state_of(request)
    try:
        payload = _serializer(state).loads(raw, max_age=int(state.settings.session_hours * 3600))
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) and isinstance(payload.get("s"), str) else None


def session_cookie(state: AppState, user: UserRow | None) -> str:
    """A new signed cookie value: for `user`, or anonymous; always with a fresh session id."""
    payload = {"s": secrets.token_urlsafe(16)}
    if user is not None:
        payload.update(u=user.name, v=user.session_version)
    return _serializer(state).dumps(payload)


def session_id(request: Request) -> str | None:
    payload = read_cookie(request)
    return payload["s"] if payload else None


def principal(request: Request) -> Principal | None:
    """The signed-in user of this request, or None (cached on the request)."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    found = _principal(request)
    request.state.principal = found
    return found


def _principal(request: Request) -> Principal | None:
    state = state_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = state.accounts().user_for_token(token.strip(), state.settings.token_days)
        return Principal(user.name, user.role, "token") if user is not None else None
    payload = read_cookie(request)
    if not payload or "u" not in payload:
        return None
    user = state.accounts().users.get(payload["u"])
    if user is None or user.disabled or not secrets.compare_digest(str(payload.get("v")), user.session_version):
        return None
    if state.session_ended(payload["s"]):
        return None
    return Principal(user.name, user.role, "session", payload["s"])


def guard(role: str):
    """The dependency of a route that needs `role` (and, for a change made from a page, CSRF)."""

    async def dependency(request: Request) -> Principal:
        who = principal(request)
        if who is None:
            raise NotSignedIn()
        if request.method not in SAFE_METHODS and who.via == "session":
            await check_csrf(request, csrf_token(state_of(request).secret, who.sid or ""))
        if not who.may(role):
            raise Forbidden(f"this needs the {role} role; {who.name} is {who.role}")
        return who

    dependency.__name__ = f"needs_{role}"
    return dependency
