"""XLSX: one sheet per view, bold frozen headers and filters, values that read back, and
reproducible bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from cvrule.fleet.result import matrix
from cvrule.report.views import outcome_label, report_date
from cvrule.report.xlsx import SHEETS, render_xlsx
from fixture import build_assessment


@pytest.fixture(scope="module")
def assessment(law):
    return build_assessment(law)


@pytest.fixture(scope="module")
def data(assessment) -> bytes:
    return render_xlsx(assessment)


@pytest.fixture(scope="module")
def workbook(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_one_sheet_per_view(workbook):
    assert workbook.sheetnames == list(SHEETS)


def test_every_sheet_has_a_bold_frozen_header_and_a_filter(workbook):
    for ws in workbook.worksheets:
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2"), ws.title
        assert all(cell.font.bold for cell in ws[1] if cell.value is not None), ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        for letter, dim in ws.column_dimensions.items():
            assert 8 <= dim.width <= 60, (ws.title, letter, dim.width)


def test_the_matrix_sheet_shows_the_worst_outcome_per_line_and_model_year(assessment, workbook):
    ws = workbook["Matrix"]
    header = [c.value for c in ws[1]]
    cells = matrix(assessment)
    rows = {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(cells)
    for line, by_year in cells.items():
        for my, outcome in by_year.items():
            assert rows[line][f"MY{my}"] == outcome_label(outcome)


def test_decisions_and_missing_facts_read_back(assessment, workbook):
    ws = workbook["Decisions"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == len(assessment.decisions)
    for view in assessment.decisions:
        d = view.decision
        row = rows[d.transaction]
        assert row["outcome"] == d.outcome.value
        assert row["declaration_required"] is d.declaration_required
        assert (row["due"].date() if row["due"] else None) == d.declaration_due
        assert row["model_year"] == view.model_year
    missing = [(r[0], r[4]) for r in workbook["Missing facts"].iter_rows(min_row=2, values_only=True)]
    expected = [(v.decision.transaction, m.fact) for v in assessment.decisions for m in v.decision.missing_facts]
    assert sorted(missing) == sorted(expected)


def test_the_other_sheets_hold_every_row(assessment, workbook):
    def count(name):
        return workbook[name].max_row - 1

    assert count("Components") == len(assessment.components)
    assert count("Parties") == len(assessment.parties)
    assert count("Obligations") == len(assessment.obligations)
    assert count("Interpretations") == len(assessment.interpretations)
    assert count("Inputs") == len(assessment.inputs)
    statuses = {r[3] for r in workbook["Interpretations"].iter_rows(min_row=2, values_only=True)}
    assert statuses == {"interpretation"}


def test_two_renders_give_the_same_bytes_and_no_clock_time(assessment, data):
    assert render_xlsx(assessment) == data
    stamp = datetime.combine(report_date(assessment), datetime.min.time())
    props = openpyxl.load_workbook(io.BytesIO(data)).properties
    assert props.created == stamp and props.modified == stamp
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time[:3] for info in archive.infolist()} == {(stamp.year, stamp.month, stamp.day)}


def test_text_that_looks_like_a_formula_stays_text(assessment):
    party = assessment.parties[0].model_copy(update={"name": '=HYPERLINK("http://example.invalid","x")'})
    changed = assessment.model_copy(update={"parties": [party] + assessment.parties[1:]})
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(changed)))["Parties"]
    names = {r[1].value: r[1].data_type for r in ws.iter_rows(min_row=2)}
    assert names[party.name] == "s"
