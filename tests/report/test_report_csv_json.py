"""CSV and JSON reports: RFC 4180 tables that read back into the assessment's values, and the
assessment JSON itself."""

from __future__ import annotations

import csv
import io

import pytest

from cvrule.fleet.result import Assessment
from cvrule.report.csv import COMPONENT_COLUMNS, DECISION_COLUMNS, render_csv
from cvrule.report.json import render_json
from fixture import build_assessment, check_snapshot


@pytest.fixture(scope="module")
def assessment(law):
    return build_assessment(law)


@pytest.fixture(scope="module")
def files(assessment):
    return render_csv(assessment)


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("name", ["decisions.csv", "components.csv"])
def test_snapshot(files, name):
    check_snapshot(name, files[name])


@pytest.mark.parametrize("name", ["decisions.csv", "components.csv"])
def test_csv_is_utf8_with_a_header_and_crlf_line_ends(files, name):
    data = files[name]
    assert not data.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    text = data.decode("utf-8")
    header = text.split("\r\n", 1)[0]
    assert header == ",".join(DECISION_COLUMNS if name == "decisions.csv" else COMPONENT_COLUMNS)
    assert text.endswith("\r\n")
    # every bare LF sits inside a quoted field (RFC 4180 allows line breaks in quoted fields)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(len(row) == len(rows[0]) for row in rows)


def test_decisions_csv_has_one_row_per_decision_with_its_values(assessment, files):
    rows = {r["transaction"]: r for r in _rows(files["decisions.csv"])}
    assert len(rows) == len(assessment.decisions)
    for view in assessment.decisions:
        d = view.decision
        row = rows[d.transaction]
        assert row["outcome"] == d.outcome.value
        assert row["line"] == (view.line or "")
        assert row["model_year"] == (str(view.model_year) if view.model_year else "")
        assert row["declaration_required"] == ("true" if d.declaration_required else "false")
        assert row["due"] == (d.declaration_due.isoformat() if d.declaration_due else "")
        assert row["responsible"] == (d.responsible or "")
        assert row["cites"].split(";") == d.cites
        assert row["missing_facts"] == ";".join(m.fact for m in d.missing_facts)


def test_components_csv_lists_each_component_with_its_roles(assessment, files):
    rows = {r["id"]: r for r in _rows(files["components.csv"])}
    assert set(rows) == {c.id for c in assessment.components}
    names = {p.ref: p.name for p in assessment.parties}
    for component in assessment.components:
        row = rows[component.id]
        assert row["linkage"] == component.linkage
        assert row["source"] == component.source and row["location"] == component.location
        for role in component.roles:
            assert f"{role.role}={names[role.party]}" in row["roles"]


def test_a_field_with_commas_quotes_and_line_breaks_reads_back_unchanged(assessment):
    view = assessment.decisions[0]
    tricky = 'Acme, "the best"\nLtd.'
    changed = assessment.model_copy(update={"decisions": [view.model_copy(update={
        "decision": view.decision.model_copy(update={"responsible_name": tricky})})]})
    row = _rows(render_csv(changed)["decisions.csv"])[0]
    assert row["responsible_name"] == tricky


def test_json_is_the_assessment_and_reads_back(assessment):
    data = render_json(assessment)
    assert data == assessment.to_json()
    assert Assessment.from_json(data) == assessment
