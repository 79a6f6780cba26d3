"""schemathesis against the OpenAPI document: every operation, called with generated parameters and
bodies by an admin's API token (the role that reaches every operation), answers without a server
error. The app runs in-process (ASGI); generated uploads are read by the real ingest.

(The operations are driven with Hypothesis directly: schemathesis' pytest plugin does not run
under pytest 9 yet.)"""

from __future__ import annotations

import shutil

import pytest

from conftest import MERIDIAN, MERIDIAN_DECISION, USERS, install_run, make_app
from cvrule.accounts import create_token
from cvrule.store import Store
from cvrule.workspace import Workspace

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

EXAMPLES = 30


@pytest.fixture(scope="module")
def served(tmp_path_factory, store_template, run_templates):
    root = tmp_path_factory.mktemp("schemathesis") / "ws"
    shutil.copytree(store_template, root)
    install_run(root, run_templates.before, age_seconds=60)
    install_run(root, run_templates.after)
    with Store(root / "cvrule.duckdb") as store:
        token = create_token(store, USERS["admin"], "schemathesis")[1]
        from cvrule.resolve import pending

        candidate = next(row["candidate_id"] for row in pending(store) if row["purpose"] == "link")
    app = make_app(Workspace(root), run_templates)
    known = {"run_id": "latest", "transaction": MERIDIAN_DECISION, "ref": MERIDIAN, "component_id": "meridian:mt200",
             "name": "reports/report.html", "candidate_id": candidate}
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app), token, known
    app.state.cvrule.close()


def _labels() -> list[str]:
    import tempfile

    from cvrule.web import WebSettings, create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(folder, WebSettings(secret="s" * 40))
        return [f"{method.upper()} {path}" for path, item in app.openapi()["paths"].items() for method in item]


@pytest.mark.parametrize("label", _labels())
def test_no_operation_answers_with_a_server_error(served, label):
    schema, token, known = served
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    seen: list[int] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        # as generated; then inside the latest run (so that the other parameters reach a real run);
        # then with every path parameter naming something that exists
        generated = dict(case.path_parameters or {})
        variants = [generated]
        if "run_id" in generated:
            variants.append({**generated, "run_id": "latest"})
        if any(key in known for key in generated):
            variants.append({key: known.get(key, value) for key, value in generated.items()})
        for parameters in variants:
            case.path_parameters = parameters
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            seen.append(response.status_code)
            assert response.status_code < 500, (f"{case.method} {case.formatted_path}: {response.status_code} "
                                                f"{response.text[:500]}")

    check()
    assert seen, "schemathesis generated no call"
