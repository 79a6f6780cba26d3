"""Fixtures of the web tests: a workspace with real facts (the demo fleet's ownership data,
screening list and BOMs, resolved, with the nexus run), three users, a review queue with a
supplier link to decide, and assessment runs made from the report tests' fixture assessment
(its decisions come from the legal case suite), with one party that is a real nexus node of
the store (Meridian's Irish manufacturing arm, owned through Singapore from Hong Kong).

Runs are written the way `cvrule.fleet.assess` writes them; a `FakeAssessor` stands in for the
assessment (which takes minutes) so that an upload makes a new run in a second.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import socket
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cvrule.accounts import add_user
from cvrule.fleet.result import Assessment, ComponentView, PartyView, RoleView
from cvrule.ingest.facts import ItemFact, PartyFact, RoleMention, SourceInfo
from cvrule.workspace import Workspace


def _offer_the_root_conftest() -> None:
    """Test modules elsewhere in tests/ do `from conftest import DATA` (or CASES, REPO...); pytest
    registers this file as the module `conftest` too, so it offers the names of tests/conftest.py
    beside its own."""
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("_cvrule_tests_conftest", path)
    root = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(root)
    for name in dir(root):
        if name.isupper() or name in ("corpus_files", "case_files"):
            globals().setdefault(name, getattr(root, name))


_offer_the_root_conftest()

WEB_TESTS = Path(__file__).resolve().parent
TESTS = WEB_TESTS.parent
REPO = TESTS.parent
DEMO = REPO / "examples" / "demo-fleet"
SCREENSHOTS = WEB_TESTS / "screenshots"
NEXUS_DAY = date(2027, 7, 1)
PASSWORD = "a long test password"
USERS = {"viewer": "vera", "analyst": "ana", "admin": "adam"}
MERIDIAN = "lei:CVRL00MERIDIANIRL294"
MERIDIAN_DECISION = "kestrel-my2030-import"

# A supplier name that matches a party well enough only for a person to decide (TSMC, written
# with China as its country), as in tests/resolve/test_workflow.py.
REGISTRY = [PartyFact("ftm-tsmc", "Taiwan Semiconductor Manufacturing Company Limited", "/p/0", country="TW")]
BOM = [
    ItemFact("tcu", "Telematics control unit", "/c/0", "hardware"),
    RoleMention("tcu", "developed_by", "Taiwan Semiconductor Manufacturing Co Ltd", "/c/0/dev", country="CN"),
]


def fresh_sbom(name: str = "meridian-mt200-tcu.cdx.json", tag: str = "web") -> bytes:
    """A demo-fleet SBOM as a new file (its serial number changed): content the store has not seen."""
    import json
    import uuid

    document = json.loads((DEMO / "boms" / name).read_text(encoding="utf-8"))
    document["serialNumber"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, tag + name)}"
    return json.dumps(document, indent=2).encode()


def _report_fixture():
    spec = importlib.util.spec_from_file_location("report_fixture", TESTS / "report" / "fixture.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def store_template(tmp_path_factory, law) -> Path:
    """A workspace folder to copy: facts, resolution, nexus, users."""
    from cvrule.engine.pipeline import nexus_workspace
    from cvrule.ingest.load import ingest_paths
    from cvrule.resolve import pending, resolve_store
    from cvrule.store import Store

    space = Workspace(tmp_path_factory.mktemp("web-template") / "ws").create()
    ingest_paths(space, [DEMO / "ownership", DEMO / "screening", DEMO / "boms"], actor="setup")
    with Store(space.store_path) as store:
        store.ingest("registry.json", "a" * 64, 1, lambda: (SourceInfo("test"), list(REGISTRY)), actor="setup")
        store.ingest("bom.json", "b" * 64, 1, lambda: (SourceInfo("test"), list(BOM)), actor="setup")
        resolve_store(store, actor="setup")
        assert any(row["purpose"] == "link" for row in pending(store)), "the fixture needs a supplier link to review"
        for role, name in USERS.items():
            add_user(store, name, role, PASSWORD, actor="setup")
    nexus_workspace(space, NEXUS_DAY, law)
    return space.root


def _meridian(law, store_root: Path) -> tuple[ComponentView, PartyView]:
    from cvrule.commands_nexus import _StoreReader
    from cvrule.nexus.explain import explain_party
    from cvrule.store import Store

    with Store(store_root / "cvrule.duckdb") as store:
        why = explain_party(MERIDIAN, NEXUS_DAY, _StoreReader(store, NEXUS_DAY), law.edition(NEXUS_DAY))
    party = PartyView(ref=MERIDIAN, name="Meridian Telematics Manufacturing (Ireland) Limited", country="IE",
                      linkage="linked", basis="majority", why=why, resolution="identifier (LEI)")
    component = ComponentView(
        id="meridian:mt200", name="Meridian MT-200 telematics control unit", type="hardware", ecu=None,
        source="boms/meridian-mt200-tcu.cdx.json", location="/metadata/component", linkage="linked",
        classification={"rf": "cellular, gnss (property cvrule:rf)"},
        roles=[RoleView(role="manufactured_by", party=MERIDIAN, written="Meridian Telematics Manufacturing (Ireland) Ltd")],
    )
    return component, party


@dataclass
class RunTemplates:
    before: Path
    """A run without the Daehan Kestrel line (what the workspace shows first)."""
    after: Path
    """The whole fleet, with every report, Declarations and a record pack."""
    after_assessment: Assessment = field(repr=False)


@pytest.fixture(scope="session")
def run_templates(tmp_path_factory, law, store_template) -> RunTemplates:
    from cvrule.report import write_reports
    from cvrule.report.declaration import write_declarations

    fixture = _report_fixture()
    full = fixture.build_assessment(law)
    component, party = _meridian(law, store_template)
    decisions = [v.model_copy(update={"components": [*v.components, component.id]})
                 if v.decision.transaction == MERIDIAN_DECISION else v for v in full.decisions]
    full = full.model_copy(update={"components": [*full.components, component], "parties": [*full.parties, party],
                                   "decisions": decisions})
    full = Assessment.from_json(full.to_json())  # validated as a whole
    partial = full.model_copy(update={
        "run_id": "0" * 8 + full.run_id[8:],
        "decisions": [v for v in full.decisions if v.line != "daehan-kestrel"],
        "vehicles": [v for v in full.vehicles if v.line != "daehan-kestrel"],
    })
    root = tmp_path_factory.mktemp("web-runs")
    before = root / partial.run_id
    before.mkdir()
    (before / "assessment.json").write_bytes(partial.to_json())
    after = root / full.run_id
    after.mkdir()
    (after / "assessment.json").write_bytes(full.to_json())
    write_reports(full, after / "reports")
    write_declarations(full, None, after)
    with zipfile.ZipFile(after / "record-pack.zip", "w") as pack:
        pack.writestr("assessment.json", full.to_json())
    return RunTemplates(before, after, full)


class FakeAssessor:
    """Stands in for `cvrule.fleet.assess`: writes the whole fleet's run into the workspace."""

    def __init__(self, templates: RunTemplates, fail: str | None = None):
        self.templates = templates
        self.calls = 0
        self.fail = fail

    def __call__(self, workspace: Workspace, on_stage=None) -> Path:
        from cvrule.errors import InputError

        self.calls += 1
        for stage in ("ingest", "resolve", "nexus", "decide", "write"):
            if on_stage:
                on_stage(stage, 1, 1)
        if self.fail:
            raise InputError(str(workspace.root / "inputs"), None, self.fail)
        target = workspace.root / "runs" / self.templates.after.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.templates.after, target)
        (target / "assessment.json").touch()
        return target


def install_run(space_root: Path, template: Path, age_seconds: float = 0.0) -> Path:
    target = space_root / "runs" / template.name
    shutil.copytree(template, target)
    stamp = time.time() - age_seconds
    import os

    os.utime(target / "assessment.json", (stamp, stamp))
    return target


@pytest.fixture
def workspace(tmp_path, store_template, run_templates) -> Workspace:
    """A fresh copy of the template workspace, showing the partial run."""
    root = tmp_path / "ws"
    shutil.copytree(store_template, root)
    install_run(root, run_templates.before, age_seconds=3600)
    return Workspace(root)


def make_app(space: Workspace, run_templates: RunTemplates, **settings):
    from cvrule.web import WebSettings, create_app

    assessor = FakeAssessor(run_templates)
    app = create_app(space, WebSettings(**settings), assessor=assessor)
    app.state.fake_assessor = assessor
    return app


@pytest.fixture
def app(workspace, run_templates):
    return make_app(workspace, run_templates)


CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text), "next": "/"},
                       follow_redirects=False)


def signed_in(app, role: str | None) -> TestClient:
    client = TestClient(app)
    if role is not None:
        response = login(client, USERS[role])
        assert response.status_code == 303, response.text
    return client


def page_csrf(client: TestClient) -> str:
    return csrf_of(client.get("/account").text)


def wait_job(client: TestClient, job_id: str, timeout: float = 60.0, headers: dict | None = None) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}", headers=headers or {}).json()
        if job["state"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerThread:
    """uvicorn serving an app on 127.0.0.1 and a free port, in a thread of the test process."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
