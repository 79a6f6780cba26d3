"""Rendering pages: the Jinja2 templates of `cvrule/web/templates`, with what every page needs
(who is signed in, the CSRF token, the navigation, the outcome and linkage words and colours)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from cvrule import __version__
from cvrule.report.charts import LINKAGE_COLOURS, OUTCOME_COLOURS
from cvrule.report.views import LINKAGE_LABELS, LINKAGE_MEANINGS, OUTCOME_MEANINGS, outcome_label, value_text
from cvrule.web.auth import principal, session_id, state_of
from cvrule.web.csrf import csrf_token

__all__ = ["page", "templates"]

TEMPLATES = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATES))
env = templates.env
env.autoescape = True  # every template (they end in .j2, which select_autoescape would not escape)
env.trim_blocks = True
env.lstrip_blocks = True
env.filters["label"] = outcome_label
env.filters["value"] = value_text
env.filters["iso"] = lambda d: d.isoformat() if isinstance(d, (date, datetime)) else ("—" if d is None else str(d))
env.filters["seg"] = lambda text: quote(str(text), safe="")
env.filters["path"] = lambda text: quote(str(text), safe="/:@")
env.filters["size"] = lambda n: f"{n:,} B" if n < 10_000 else (f"{n / 1e3:,.0f} kB" if n < 10_000_000 else f"{n / 1e6:,.1f} MB")
env.filters["words"] = lambda text: str(text).replace("_", " ")
env.globals.update(
    version=__version__,
    outcome_colours={o.value: c for o, c in OUTCOME_COLOURS.items()},
    linkage_colours=LINKAGE_COLOURS,
    linkage_labels=LINKAGE_LABELS,
    linkage_meanings=LINKAGE_MEANINGS,
    outcome_meanings={o.value: m for o, m in OUTCOME_MEANINGS.items()},
    today=date.today,
)

NAV = (
    ("Fleet", "/", "viewer"),
    ("Deadlines", "/runs/latest/deadlines", "viewer"),
    ("Review", "/review", "viewer"),
    ("Uploads", "/uploads", "viewer"),
    ("Downloads", "/runs/latest/downloads", "viewer"),
    ("Audit log", "/audit", "analyst"),
    ("Users", "/admin/users", "admin"),
    ("API", "/api/docs", "viewer"),
)


def page(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    who = principal(request)
    state = state_of(request)
    sid = who.sid if who is not None and who.sid else session_id(request)
    context.update(
        request=request,
        who=who,
        csrf=csrf_token(state.secret, sid) if sid else "",
        nav=[(label, href) for label, href, role in NAV if who is not None and who.may(role)],
        htmx=request.headers.get("hx-request") == "true",
        Markup=Markup,
    )
    return templates.TemplateResponse(request, template, context, status_code=status_code)
