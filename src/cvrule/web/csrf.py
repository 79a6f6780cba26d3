"""CSRF protection of forms and htmx requests made with a session cookie.

The token is an HMAC of the session id under the app's secret: nothing to store, different for
every session, and it changes when the session does (at sign-in). Forms carry it in a hidden
`csrf_token` field; htmx sends it in the `X-CSRF-Token` header (set once on the page body). A
request authenticated by an API token carries no cookie a browser could send on its own, so it
needs none.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

__all__ = ["CsrfFailed", "HEADER", "FIELD", "check_csrf", "csrf_token"]

HEADER = "x-csrf-token"
FIELD = "csrf_token"


class CsrfFailed(Exception):
    """A change was asked for without this session's CSRF token."""


def csrf_token(secret: str, sid: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get(HEADER)
    if given is None:
        kind = request.headers.get("content-type", "")
        if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                form = await request.form()
            except Exception:  # a malformed body: no token to be found in it
                form = {}
            value = form.get(FIELD)
            given = value if isinstance(value, str) else None
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise CsrfFailed()
