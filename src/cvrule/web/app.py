"""The web app: server-rendered pages (Jinja2 + htmx) and the REST API under `/api`, on one
workspace. `create_app` builds it; `cvrule serve` runs it with uvicorn.

Every route but `/login`, `/healthz`, `/static/*` and the OpenAPI document needs a signed-in
user or an API token (cvrule.web.auth); every change is audited under that user's name.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cvrule import __version__
from cvrule.errors import CvruleError, WorkspaceBusyError
from cvrule.web.auth import Forbidden, NotSignedIn, Principal, guard
from cvrule.web.csrf import CsrfFailed
from cvrule.web.render import page
from cvrule.web.services import NotFound, Refused
from cvrule.web.settings import WebSettings
from cvrule.web.state import AppState, StoreBusy
from cvrule.workspace import Workspace

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"

DESCRIPTION = (
    "The REST API of cvrule: assessment runs and their decisions under the BIS Connected Vehicles rule "
    "(15 CFR part 791 subpart D), explanations with citations, parties with their ownership paths, the review "
    "queue of supplier links, uploads of input files, assessments and reports."
)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                 b"script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
                                 b"form-action 'self'"),
]


class _Guard:
    """ASGI middleware: security headers on every answer, `no-store` on everything but static files,
    and a request body larger than the upload limit refused before it is read."""

    def __init__(self, app, max_body: int):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body:
                response = JSONResponse({"detail": f"the request is larger than {self.max_body:,} bytes "
                                                   "(CVRULE_WEB_MAX_UPLOAD_MB)"}, status_code=413)
                return await response(scope, receive, send)
        static = scope.get("path", "").startswith("/static/")

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _error(request: Request, status: int, title: str, message: str, headers: dict | None = None):
    if _is_api(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return page(request, "error.html.j2", status_code=status, title=title, message=message, status=status)


def create_app(workspace: Workspace | Path | str | None = None, settings: WebSettings | None = None,
               assessor=None) -> FastAPI:
    """The app on `workspace` (default ./cvrule-workspace or CVRULE_WORKSPACE). `assessor` replaces
    the fleet assessment (a callable `(workspace, on_stage=...) -> run folder`), for tests."""
    from cvrule.web.api import runs as api_runs
    from cvrule.web.api import work as api_work
    from cvrule.web.pages import admin, fleet, session, work

    space = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    state = AppState(space, settings or WebSettings.from_env(), assessor)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        state.close()

    app = FastAPI(title="cvrule", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.cvrule = state

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _: NotSignedIn):
        if _is_api(request):
            return JSONResponse({"detail": "not signed in: send an API token as `Authorization: Bearer TOKEN`"},
                                status_code=401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method == "GET":
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return _error(request, 401, "Not signed in", "Sign in first.", {"HX-Redirect": "/login"})

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden):
        return _error(request, 403, "Not allowed", error.message)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _: CsrfFailed):
        return _error(request, 403, "Form expired", "The form did not carry this session's CSRF token: reload the "
                                                    "page and try again.")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound):
        return _error(request, 404, "Not found", str(error))

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused):
        return _error(request, error.status, "Refused", str(error))

    @app.exception_handler(StoreBusy)
    @app.exception_handler(WorkspaceBusyError)
    async def busy(request: Request, error: CvruleError):
        return _error(request, 503, "Workspace busy", str(error), {"Retry-After": "10"})

    @app.exception_handler(CvruleError)
    async def cvrule_error(request: Request, error: CvruleError):
        return _error(request, 400, "Cannot do that", str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        if _is_api(request) or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=error.headers)
        return _error(request, error.status_code, "Not found" if error.status_code == 404 else "Error", str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError):
        if _is_api(request):
            return JSONResponse({"detail": _plain(error.errors())}, status_code=422)
        return _error(request, 422, "Not understood", "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                                 for e in error.errors()))

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True, "version": __version__}

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request, who: Principal = Depends(guard("viewer"))):
        return page(request, "api_docs.html.j2", spec=app.openapi())

    for router in (session.router, fleet.router, work.router, admin.router):
        app.include_router(router)
    app.include_router(api_runs.router, prefix="/api")
    app.include_router(api_work.router, prefix="/api")
    _secure_openapi(app)
    app.add_middleware(_Guard, max_body=int(state.settings.max_upload_mb * 1_000_000) + 10_000_000)
    return app


def _plain(errors: list) -> list:
    """Validation errors as JSON can carry them (the input echoed back may be bytes or an object)."""
    out = []
    for error in errors:
        out.append({k: (v if k != "input" and k != "ctx" else str(v)[:200]) for k, v in error.items()})
    return out


def _secure_openapi(app: FastAPI) -> None:
    """Say in the OpenAPI document that every operation needs a bearer token."""
    build = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer", "description": "An API token: `cvrule user token NAME` or the account page"}
        schema["security"] = [{"bearer": []}]
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                operation.setdefault("responses", {}).update({
                    "401": {"description": "Not signed in"}, "403": {"description": "The role does not allow it"}})
        return schema

    app.openapi = openapi
