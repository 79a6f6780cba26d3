"""write_reports: every format into a folder, all or nothing."""

from __future__ import annotations

import os

import pytest

from cvrule.report import FORMATS, ReportError, render, write_reports
from fixture import build_assessment

FAST = ("html", "xlsx", "csv", "json", "sarif")
"""Every format but the PDF, which has its own tests and takes seconds to lay out."""


@pytest.fixture(scope="module")
def assessment(law):
    return build_assessment(law)


def test_writes_each_format_and_returns_the_paths(assessment, tmp_path):
    out = tmp_path / "reports" / "fleet"
    paths = write_reports(assessment, out, FAST)
    assert [p.name for p in paths] == ["report.html", "report.xlsx", "decisions.csv", "components.csv", "findings.csv",
                                       "authorizations.csv", "assessment.json", "report.sarif"]
    assert sorted(os.listdir(out)) == sorted(p.name for p in paths), "no temporary file is left"
    for path in paths:
        assert path.stat().st_size > 0
    assert (out / "assessment.json").read_bytes() == assessment.to_json()


def test_the_pdf_is_one_of_the_default_formats():
    assert FORMATS == ("html", "pdf", "xlsx", "csv", "json", "sarif")


def test_writing_again_replaces_the_files_with_the_same_bytes(assessment, tmp_path):
    first = {p.name: p.read_bytes() for p in write_reports(assessment, tmp_path, FAST)}
    second = {p.name: p.read_bytes() for p in write_reports(assessment, tmp_path, FAST)}
    assert first == second


def test_an_unknown_format_is_refused_before_anything_is_written(assessment, tmp_path):
    with pytest.raises(ReportError, match="unknown report format docx"):
        write_reports(assessment, tmp_path / "out", ("html", "docx"))
    assert not (tmp_path / "out").exists()


def test_a_report_that_cannot_be_written_leaves_no_partial_files(assessment, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.sarif").mkdir()  # a folder where the SARIF file should go
    with pytest.raises(ReportError, match="report.sarif"):
        write_reports(assessment, out, FAST)
    assert os.listdir(out) == ["report.sarif"]


def test_a_failure_while_moving_files_into_place_removes_the_new_ones(assessment, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "decisions.csv").write_bytes(b"old")
    real_replace = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(ReportError, match="No space left on device"):
        write_reports(assessment, out, FAST)
    assert sorted(os.listdir(out)) == ["decisions.csv"], "new files removed, temporary files removed"


def test_a_folder_that_cannot_be_made_is_a_clear_error(assessment, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError, match="cannot make the report folder"):
        write_reports(assessment, blocker / "out", ("json",))


def test_render_returns_the_bytes_without_writing(assessment):
    files = render(assessment, ("csv", "json"))
    assert list(files) == ["decisions.csv", "components.csv", "findings.csv", "authorizations.csv", "assessment.json"]


def test_an_assessment_with_nothing_in_it_still_renders_every_format(assessment, tmp_path):
    empty = assessment.model_copy(update={
        "vehicles": [], "decisions": [], "components": [], "parties": [], "obligations": [], "interpretations": [],
        "inputs": [], "counts": {}})
    paths = write_reports(empty, tmp_path)
    assert [p.name for p in paths] == ["report.html", "report.pdf", "report.xlsx", "decisions.csv", "components.csv",
                                       "findings.csv", "authorizations.csv", "assessment.json", "report.sarif"]
    html = (tmp_path / "report.html").read_text()
    assert "No transaction is prohibited or indeterminate." in html
    assert (tmp_path / "decisions.csv").read_bytes().count(b"\r\n") == 1


def test_a_format_not_asked_for_is_not_even_loaded():
    import subprocess
    import sys

    heavy = ["cvrule.report.html", "cvrule.report.pdf", "cvrule.report.xlsx", "cvrule.report.sarif", "jinja2",
             "weasyprint", "openpyxl"]
    code = ("import sys; from cvrule.report import _renderer; _renderer('json'); _renderer('csv'); "
            f"print(sorted(m for m in {heavy + ['cvrule.report.csv', 'cvrule.report.json']!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['cvrule.report.csv', 'cvrule.report.json']"
