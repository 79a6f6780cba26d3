"""A filing rendered: JSON (the filing as data, sorted keys) and PDF (a self-contained HTML page
laid out by WeasyPrint). Nothing is fetched; the PDF's dates are the filing's date and its file
identifier comes from the run id and the filing kind, so the same filing gives the same bytes.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from html import escape
from typing import Any

from cvrule.errors import CvruleError
from cvrule.filings.filing import Filing

__all__ = ["render_filing_html", "render_filing_json", "render_filing_pdf"]

_CSS = """
@page { size: letter; margin: 18mm 16mm; @bottom-right { content: "page " counter(page) " of " counter(pages);
  font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; line-height: 1.35; color: #111; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11pt; margin: 14pt 0 4pt; border-bottom: 1px solid #999; }
.meta, .src { color: #555; font-size: 8pt; } .status { font-weight: bold; text-transform: uppercase; font-size: 8pt; }
.complete { color: #176317; } .partial { color: #8a5a00; } .missing { color: #a11; }
.missing-list li { color: #a11; } pre { white-space: pre-wrap; font-size: 7.5pt; margin: 2pt 0; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #ccc; padding: 2pt 4pt; text-align: left;
  vertical-align: top; font-size: 8pt; }
.high { color: #a11; font-weight: bold; } .review { color: #8a5a00; font-weight: bold; }
"""


def render_filing_json(filing: Filing) -> bytes:
    return filing.to_json()


def render_filing_html(filing: Filing) -> bytes:
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(filing.title)}</title>"
             f"<meta name='dcterms.created' content='{filing.date.isoformat()}'>"
             f"<meta name='dcterms.modified' content='{filing.date.isoformat()}'>"
             f"<meta name='generator' content='cvrule'><style>{_CSS}</style></head><body>",
             f"<h1>{escape(filing.title)}</h1>",
             f"<p class='meta'>Draft by cvrule from assessment run {escape(filing.run_id)} of "
             f"{escape(filing.fleet)}, dated {filing.date.isoformat()}. Applicant: "
             f"{escape(filing.applicant.get('name') or '')} ({escape(filing.applicant.get('role') or 'role unknown')})."
             "</p>"]
    missing = filing.missing
    if missing:
        parts.append("<h2>Still to provide</h2><ul class='missing-list'>")
        parts += [f"<li><b>{escape(gap.key)}</b>: {escape(gap.provide)}</li>" for gap in missing]
        parts.append("</ul>")
    for note in filing.notes:
        parts.append(f"<p class='meta'>Note: {escape(note)}</p>")
    parts.append("<h2>Transactions</h2><table><tr><th>transaction</th><th>kind</th><th>date</th><th>outcome</th>"
                 "<th>cites</th><th>because</th></tr>")
    for t in filing.transactions:
        parts.append(f"<tr><td>{escape(t.id)}</td><td>{escape(t.kind)}</td><td>{t.date.isoformat()}</td>"
                     f"<td>{escape(t.outcome)}</td><td>{escape(', '.join(t.cites))}</td>"
                     f"<td>{'<br>'.join(escape(r) for r in t.reasons)}</td></tr>")
    parts.append("</table>")
    for item in filing.items:
        parts.append(f"<h2>{escape(item.cite)} <span class='status {item.status}'>{item.status}</span></h2>"
                     f"<p><i>{escape(item.title)}</i></p>")
        if item.data is not None:
            parts.append(f"<pre>{escape(_text(item.data))}</pre>")
        if item.sources:
            parts.append(f"<p class='src'>from: {escape('; '.join(item.sources))}</p>")
        for key, answer in sorted(item.answers.items()):
            parts.append(f"<p><b>{escape(key)}</b> <span class='src'>({escape(answer.source)})</span></p>"
                         f"<pre>{escape(_text(answer.value))}</pre>")
        for gap in item.missing:
            parts.append(f"<p class='missing'>MISSING <b>{escape(gap.key)}</b>: {escape(gap.provide)}</p>")
    if filing.findings:
        parts.append("<h2>Data-flow and remote-access risk findings (not the legal outcome)</h2><table>"
                     "<tr><th>severity</th><th>item</th><th>entry</th><th>finding</th></tr>")
        for f in filing.findings:
            item = f.bom + (f" / {f.component}" if f.component else "")
            parts.append(f"<tr><td class='{f.severity}'>{f.severity}</td><td>{escape(item)}</td>"
                         f"<td>{escape(f.entry)}</td><td>{escape(f.says)}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts).encode("utf-8")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def render_filing_pdf(filing: Filing) -> bytes:
    try:
        from weasyprint import HTML
    except ImportError as error:  # pragma: no cover - WeasyPrint is a dependency
        raise CvruleError(f"the PDF needs WeasyPrint and its system libraries (pango): {error}") from None
    from cvrule.report.pdf import _refuse, _source_date_epoch

    document = HTML(string=render_filing_html(filing).decode("utf-8"), url_fetcher=_refuse, base_url=".")
    identifier = hashlib.sha256(f"{filing.kind}:{filing.run_id}".encode()).hexdigest()[:32].encode("ascii")
    with _source_date_epoch(calendar.timegm(filing.date.timetuple())):
        return document.write_pdf(pdf_identifier=identifier, uncompressed_pdf=False)
