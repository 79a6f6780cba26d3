"""PDF: a valid document with the report's text, fixed metadata dates, reproducible bytes."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from cvrule.model import Outcome
from cvrule.report.pdf import render_pdf
from cvrule.report.views import report_date
from fixture import build_assessment


@pytest.fixture(scope="module")
def assessment(law):
    return build_assessment(law)


@pytest.fixture(scope="module")
def pdf(assessment) -> bytes:
    return render_pdf(assessment)


@pytest.fixture(scope="module")
def text(pdf) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_it_is_a_pdf_with_the_report_in_it(assessment, pdf, text):
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 3
    for words in (assessment.fleet, "Verdict matrix", "Open questions", "Deadlines", "Components", "Parties",
                  "Interpretations relied on"):
        assert words in text, words
    for view in assessment.decisions:
        assert view.decision.transaction in text
        if view.decision.outcome is Outcome.indeterminate:
            for missing in view.decision.missing_facts:
                assert " ".join(missing.question.split()[:6]) in text


def test_the_pdf_shows_every_reason_without_a_click(assessment, text):
    """<details> are open on paper: the steps of the reasons trees are in the text."""
    view = next(v for v in assessment.decisions if v.decision.outcome is Outcome.prohibited)
    for step in view.decision.because.because[:3]:
        assert " ".join(step.says.split()[:5]) in text


def test_metadata_dates_are_the_report_date_and_the_bytes_repeat(assessment, pdf):
    info = PdfReader(io.BytesIO(pdf)).metadata
    day = report_date(assessment).strftime("%Y%m%d")
    assert info["/CreationDate"].startswith(f"D:{day}")
    assert info["/ModDate"].startswith(f"D:{day}")
    assert info["/Title"].startswith(assessment.fleet)
    assert render_pdf(assessment) == pdf
