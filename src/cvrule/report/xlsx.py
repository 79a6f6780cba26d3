"""The XLSX report: one sheet per view (matrix, decisions, missing facts, components, parties,
obligations, authorizations, findings, interpretations, inputs), each with a bold frozen header
row, an auto-filter and column widths fitted to the content.

The bytes are reproducible: the workbook's created and modified dates are the report date
(`views.report_date`, never the clock), and every entry of the ZIP container carries that same
timestamp. Text that looks like a formula stays text.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from cvrule.fleet.result import Assessment
from cvrule.model import Outcome
from cvrule.report.csv import (
    AUTHORIZATION_COLUMNS,
    COMPONENT_COLUMNS,
    DECISION_COLUMNS,
    FINDING_COLUMNS,
    authorization_rows,
    finding_rows,
)
from cvrule.report.views import ReportData, build, decision_sort_key, outcome_label, report_date, value_text

__all__ = ["SHEETS", "render_xlsx", "reproducible_xlsx"]

SHEETS = ("Matrix", "Decisions", "Missing facts", "Components", "Parties", "Obligations", "Authorizations",
          "Findings", "Interpretations", "Inputs")

_FILL = {
    Outcome.prohibited: ("C62828", "FFFFFF"),
    Outcome.indeterminate: ("F2A30F", "2B1A00"),
    Outcome.authorized: ("6A3FC8", "FFFFFF"),
    Outcome.exempt: ("7AA9F5", "06244F"),
    Outcome.allowed: ("2E8540", "FFFFFF"),
    Outcome.out_of_scope: ("D5D9DE", "33393F"),
}
_LINKAGE_FILL = {"linked": "FDECEA", "indeterminate": "FFF4DC", "unresolved": "EFF1F3", "not_linked": "E6F4EA"}
_HEADER_FILL = PatternFill("solid", fgColor="0E2A47")
_HEADER_FONT = Font(bold=True, color="FFFFFF")


def render_xlsx(assessment: Assessment) -> bytes:
    data = build(assessment)
    stamp = datetime.combine(report_date(assessment), datetime.min.time())
    workbook = Workbook()
    workbook.remove(workbook.active)
    _matrix(workbook.create_sheet("Matrix"), data)
    _decisions(workbook.create_sheet("Decisions"), assessment)
    _missing(workbook.create_sheet("Missing facts"), assessment)
    _components(workbook.create_sheet("Components"), data)
    _parties(workbook.create_sheet("Parties"), data)
    _obligations(workbook.create_sheet("Obligations"), assessment)
    _sheet(workbook.create_sheet("Authorizations"), list(AUTHORIZATION_COLUMNS), authorization_rows(assessment),
           wrap={"says", "condition_text"})
    _sheet(workbook.create_sheet("Findings"), list(FINDING_COLUMNS), finding_rows(assessment), wrap={"says", "why"})
    _interpretations(workbook.create_sheet("Interpretations"), data)
    _inputs(workbook.create_sheet("Inputs"), assessment)
    props = workbook.properties
    props.creator = f"cvrule {assessment.cvrule_version}"
    props.title = f"{assessment.fleet}: connected vehicles assessment"
    props.subject = "15 CFR part 791 subpart D"
    props.identifier = assessment.run_id
    props.keywords = f"cvrule; run {assessment.run_id}; parameters {assessment.parameters_sha256}"
    props.created = stamp
    props.modified = stamp
    props.lastModifiedBy = None
    return reproducible_xlsx(workbook, stamp)


def reproducible_xlsx(workbook: Workbook, stamp: datetime) -> bytes:
    """A workbook's XLSX bytes, the same for the same content: every ZIP entry stamped `stamp`
    (the workbook's own created/modified dates are the caller's to set)."""
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()  # unlike save_workbook, keeps `modified` as set
    return _fixed_zip(buffer.getvalue(), stamp)


def _fixed_zip(data: bytes, stamp: datetime) -> bytes:
    """The same ZIP with every entry stamped `stamp` and made on the same system."""
    moment = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=moment)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _clean(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet(ws: Worksheet, header: list[str], rows: list[list[object]], wrap: set[str] = frozenset(), freeze: str = "A2") -> None:
    ws.append(header)
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        ws.append([_clean(v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # a value that starts with "=" is text from an input, never a formula
                cell.data_type = "s"
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = freeze
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
    for i, name in enumerate(header, start=1):
        letter = get_column_letter(i)
        longest = max([len(str(name)) + 3] + [_width(ws.cell(row=r, column=i).value) for r in range(2, len(rows) + 2)])
        ws.column_dimensions[letter].width = min(max(longest + 2, 8), 60)
        if name in wrap:
            for r in range(2, len(rows) + 2):
                ws.cell(row=r, column=i).alignment = Alignment(wrap_text=True, vertical="top")


def _width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    return max((len(part) for part in str(value).splitlines()), default=0)


def _paint_outcome(ws: Worksheet, column: int) -> None:
    for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
        for outcome, (fill, ink) in _FILL.items():
            if cell.value in (outcome.value, outcome_label(outcome)):
                cell.fill = PatternFill("solid", fgColor=fill)
                cell.font = Font(bold=True, color=ink)


def _paint_linkage(ws: Worksheet, column: int) -> None:
    for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
        if cell.value in _LINKAGE_FILL:
            cell.fill = PatternFill("solid", fgColor=_LINKAGE_FILL[cell.value])


def _matrix(ws: Worksheet, data: ReportData) -> None:
    header = ["line", "vehicle"] + [f"MY{my}" for my in data.years]
    rows = []
    for row in data.rows:
        cells = [outcome_label(row.cells[my].outcome) if my in row.cells else None for my in data.years]
        rows.append([row.line, row.title] + cells)
    _sheet(ws, header, rows, freeze="C2")
    for column in range(3, len(header) + 1):
        _paint_outcome(ws, column)
        ws.column_dimensions[get_column_letter(column)].width = 15


def _decisions(ws: Worksheet, assessment: Assessment) -> None:
    rows = []
    for view in sorted(assessment.decisions, key=decision_sort_key):
        d = view.decision
        rows.append([
            d.transaction, view.line, view.model_year, d.kind, d.actor, d.date, d.evaluated_on, d.outcome.value,
            d.declaration_required, d.declaration_due, d.records_until, d.responsible, d.responsible_name,
            d.responsible_role, "; ".join(d.cites), "; ".join(m.fact for m in d.missing_facts),
            "\n".join(m.question for m in d.missing_facts), "; ".join(p.name for p in d.interpretations),
            "; ".join(view.components), view.vehicle, view.item,
        ])
    _sheet(ws, list(DECISION_COLUMNS), rows, wrap={"questions"}, freeze="B2")
    _paint_outcome(ws, DECISION_COLUMNS.index("outcome") + 1)


def _missing(ws: Worksheet, assessment: Assessment) -> None:
    rows = []
    for view in sorted(assessment.decisions, key=decision_sort_key):
        for m in view.decision.missing_facts:
            rows.append([view.decision.transaction, view.line, view.model_year, view.decision.outcome.value, m.fact, m.question])
    _sheet(ws, ["transaction", "line", "model_year", "outcome", "fact", "question"], rows, wrap={"question"})
    _paint_outcome(ws, 4)


def _components(ws: Worksheet, data: ReportData) -> None:
    rows = []
    for c in data.components:
        roles = []
        for r in c.roles:
            party = data.party(r.party)
            roles.append(f"{r.role}: {party.name if party else r.written}")
        rows.append([
            c.id, c.name, c.type, c.version, c.purl, c.ecu, c.linkage, c.count, "\n".join(roles),
            "; ".join(dict.fromkeys(r.party for r in c.roles)), "; ".join(data.component_countries.get(c.id, [])),
            "\n".join(f"{k}: {v}" for k, v in sorted(c.classification.items())), c.source, c.location,
        ])
    _sheet(ws, list(COMPONENT_COLUMNS), rows, wrap={"roles", "classification"}, freeze="C2")
    _paint_linkage(ws, COMPONENT_COLUMNS.index("linkage") + 1)


def _parties(ws: Worksheet, data: ReportData) -> None:
    rows = [[p.ref, p.name, p.country, p.linkage, p.basis, p.resolution, "\n".join(p.why)] for p in data.parties]
    _sheet(ws, ["ref", "name", "country", "linkage", "basis", "resolution", "why"], rows, wrap={"why"}, freeze="C2")
    _paint_linkage(ws, 4)


def _obligations(ws: Worksheet, assessment: Assessment) -> None:
    rows = [
        [o.due, o.filer, o.filer_name, o.role, o.model_year, "; ".join(o.transactions)]
        for o in sorted(assessment.obligations, key=lambda o: (o.due, o.filer, o.model_year or 0))
    ]
    _sheet(ws, ["due", "filer", "filer_name", "role", "model_year", "transactions"], rows)


def _interpretations(ws: Worksheet, data: ReportData) -> None:
    rows = []
    for use in data.interpretations:
        p = use.param
        numeric = isinstance(p.value, (int, float)) and not isinstance(p.value, bool)
        value = p.value if numeric else value_text(p.value)
        rows.append([p.name, value, p.cite, p.status, p.effective, p.source, len(use.transactions), "; ".join(use.transactions)])
    header = ["name", "value", "cite", "status", "effective", "source", "decisions", "transactions"]
    _sheet(ws, header, rows, wrap={"source"})


def _inputs(ws: Worksheet, assessment: Assessment) -> None:
    rows = [[f.path, f.format, f.size, f.sha256] for f in sorted(assessment.inputs, key=lambda f: f.path)]
    _sheet(ws, ["path", "format", "size", "sha256"], rows)
