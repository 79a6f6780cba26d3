"""The PDF report: the print edition of the HTML report laid out by WeasyPrint with its print
style sheet (US letter, landscape, page numbers). Every "why" is shown open; those of decisions
that are allowed, exempt or out of scope are printed to `html.PRINT_DEPTH` levels, the rest in
full.

Nothing is fetched while rendering: the HTML is self-contained and any URL it might hold is
refused. The PDF's creation and modification dates are the report date (`views.report_date`),
its file identifier comes from the run id, and the embedded font subsets carry the report date
too (fontTools stamps a subset with SOURCE_DATE_EPOCH, else the clock), so the same assessment
gives the same bytes.
"""

from __future__ import annotations

import calendar
import os
import threading
from contextlib import contextmanager

from cvrule.errors import CvruleError
from cvrule.fleet.result import Assessment
from cvrule.report.html import render_html
from cvrule.report.views import report_date

__all__ = ["render_pdf"]


def render_pdf(assessment: Assessment) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError as error:  # pragma: no cover - WeasyPrint is a dependency
        raise CvruleError(f"the PDF report needs WeasyPrint and its system libraries (pango): {error}") from None
    document = HTML(string=render_html(assessment, print_edition=True).decode("utf-8"), url_fetcher=_refuse,
                    base_url=".")
    epoch = calendar.timegm(report_date(assessment).timetuple())
    with _source_date_epoch(epoch):
        return document.write_pdf(pdf_identifier=assessment.run_id[:32].encode("ascii"), uncompressed_pdf=False)


_ENVIRONMENT = threading.Lock()


@contextmanager
def _source_date_epoch(epoch: int):
    """SOURCE_DATE_EPOCH set to `epoch` while the fonts are subset, as it was before afterwards."""
    with _ENVIRONMENT:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def _refuse(url: str, *args, **kwargs):
    raise ValueError(f"the report refers to {url!r}; reports fetch nothing")
