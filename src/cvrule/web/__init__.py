"""The web app and REST API of cvrule (`cvrule serve`): FastAPI lives here and nowhere else.

    app.py        create_app: the pages, the API under /api, errors, security headers
    auth.py       sessions (signed cookies) and API tokens; `guard(role)` on every route
    csrf.py       CSRF tokens of forms and htmx requests
    state.py      what a running app holds: workspace, store access, accounts, jobs
    runs.py       the assessment runs of the workspace, and the seam to `cvrule.fleet.assess`
    jobs.py       uploads and assessments, one at a time on a worker thread, with progress
    uploads.py    receiving files into the workspace's inputs folder safely
    services.py   what pages and API do (handlers only translate)
    views.py      what the pages show beyond cvrule.report.views: decisions, parties, deadlines
    graph.py      a party's ownership and control graph as server-side SVG
    pages/        the HTML pages;  api/  the REST API;  templates/, static/ (htmx, CSS)
"""

from cvrule.web.app import create_app
from cvrule.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
