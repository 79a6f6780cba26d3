"""docs/web.md cannot drift: every route of the app and every setting of the web app is in it."""

from __future__ import annotations

import dataclasses
import re
import tempfile

from conftest import REPO
from cvrule.web import WebSettings, create_app

DOC = (REPO / "docs" / "web.md").read_text(encoding="utf-8")


def _routes() -> set[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(folder, WebSettings(secret="s" * 40))
        found = set()
        for route in app.routes:
            contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
            for context in contexts:
                for method in getattr(context, "methods", None) or ():
                    if method != "HEAD" and context.path != "/api/openapi.json":
                        found.add((method, re.sub(r":path}", "}", context.path)))
        return found


def test_every_route_is_documented():
    missing = sorted(f"{m} {p}" for m, p in _routes() if f"`{m} {p}`" not in DOC and f"{m} {p}`" not in DOC)
    assert not missing, f"routes missing from docs/web.md: {missing}"


def test_every_setting_is_documented():
    source = (REPO / "src" / "cvrule" / "web" / "settings.py").read_text(encoding="utf-8")
    variables = set(re.findall(r'"(CVRULE_[A-Z_]+)"', source))
    assert len(variables) == len(dataclasses.fields(WebSettings))
    missing = sorted(v for v in variables if f"`{v}`" not in DOC)
    assert not missing, f"settings missing from docs/web.md: {missing}"
