"""The data-flow and remote-access register (cvrule.filings.dataflows) as an XLSX workbook, for
teams that keep it in a spreadsheet: the sheets `parties`, `items`, `flows` and `remote_access`,
one row per entry, columns named like the YAML fields, list fields (`data`, `hosted_in`, `lines`,
...) as comma-separated cells, and an `instructions` sheet (docs/dataflows.md).

Reading is strict, because the workbook is written by hand: an unknown sheet or column, a value
the YAML form would refuse, an item or party id no row defines is refused with the file, the
sheet and the cell ("flows!E3 (column data)"). `write_register_xlsx` writes a register (the
empty template when given none) with a header row, the instructions and data validation for
the enumerated columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from cvrule.errors import InputError
from cvrule.filings.dataflows import (DataFlow, DataFlowRegister, DataKind, FlowItem, RegisterParty, RemoteAccess,
                                      RemoteCapability)
from cvrule.ingest.base import check_size
from cvrule.ingest.limits import Limits
from cvrule.ingest.register import Column
from cvrule.ingest.register import check_archive  # the supplier register's zip-bomb guard

__all__ = ["INSTRUCTIONS_SHEET", "SHEETS", "read_register_xlsx", "write_register_xlsx"]

DIRECTIONS = ("outbound", "inbound", "both")

SHEETS: dict[str, tuple[Column, ...]] = {
    "parties": (
        Column("key", "Your id for the party, used by operator, hosting and by in the other sheets.", True,
               "nimbus-ota"),
        Column("name", "Legal name as registered.", True, "Nimbus OTA Services Ltd"),
        Column("country", "Country where organized, ISO 3166 alpha-2.", False, "GB"),
        Column("identifiers", "scheme:value pairs separated by commas (lei, uscc, duns, ogrn, bpnl, ...).", False,
               "lei:CVRL00NIMBUSOTASV190"),
    ),
    "items": (
        Column("item", "Your id for the VCS item, used by the flows and remote_access sheets.", True, "lt5-fota"),
        Column("bom", "The BOM file as fleet.yaml names it (its ECU).", True, "boms/lakeshore-lt5-tcu.cdx.json"),
        Column("component", "One component of that BOM, by name; empty for the whole BOM.", False, "nimbus-fota-agent"),
        Column("lines", "Vehicle lines it applies to, separated by commas; empty for all.", False, "ridge"),
        Column("model_years", "Model years it applies to, separated by commas; empty for all.", False, "2030, 2031"),
    ),
    "flows": (
        Column("item", "The item id (items sheet) whose connectivity function this is.", True, "lt5-fota"),
        Column("id", "Your id for the flow.", True, "nimbus-fota"),
        Column("function", "The connectivity function: telematics, eCall, FOTA, navigation, ...", True,
               "firmware and software over the air"),
        Column("data", "What it sends, separated by commas: " + ", ".join(get_args(DataKind)) + ".", True,
               "identifiers, diagnostics, software_images"),
        Column("direction", "outbound (default), inbound or both.", False, "both"),
        Column("endpoint", "Host name, URL or service name of the far end.", True, "fota.nimbus-ota.example"),
        Column("operator", "Party key (parties sheet) of who runs the endpoint.", True, "nimbus-ota"),
        Column("hosting", "Party key of who hosts it (cloud provider), when not the operator.", False, "nimbus-cloud"),
        Column("hosted_in", "Countries the endpoint is hosted in, ISO alpha-2, separated by commas; empty when not "
               "known (a review finding).", False, "CN"),
        Column("processed_in", "Countries the data is processed or accessed in, separated by commas.", False, "CN"),
    ),
    "remote_access": (
        Column("item", "The item id (items sheet) the vehicle is reached through.", True, "lt5-fota"),
        Column("id", "Your id for the remote access.", True, "nimbus-ota-update"),
        Column("capability", "One of: " + ", ".join(get_args(RemoteCapability)) + ".", True, "update"),
        Column("by", "Party key (parties sheet) of who can exercise it.", True, "nimbus-ota"),
        Column("path", "How the command reaches the vehicle.", True,
               "Nimbus FOTA console -> fota.nimbus-ota.example -> LTE -> nimbus-fota-agent"),
        Column("hosted_in", "Countries the system that issues it runs in, separated by commas.", False, "CN"),
    ),
}
"""Each sheet and its columns, in template order."""

INSTRUCTIONS_SHEET = "instructions"
_LISTS = {"data", "hosted_in", "processed_in", "lines", "model_years"}
_CHOICES: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {
    ("flows", "data"): (get_args(DataKind), True),
    ("flows", "direction"): (DIRECTIONS, False),
    ("remote_access", "capability"): (get_args(RemoteCapability), False),
}
"""Enumerated columns: (choices, whether a cell may hold several separated by commas)."""


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, Any]
    letters: dict[str, str]

    def cell(self, column: str) -> str:
        if column in self.letters:
            return f"{self.sheet}!{self.letters[column]}{self.number} (column {column})"
        return f"{self.sheet} row {self.number} (column {column}, not in the header)"


# ------------------------------------------------------------------------------- reading

def read_register_xlsx(path: Path, limits: Limits | None = None) -> DataFlowRegister:
    """Read and check a register workbook; errors name the file, the sheet and the cell."""
    limits = limits or Limits.from_env()
    check_size(path, limits)
    check_archive(path, limits)
    rows = _rows_by_sheet(path, limits)
    parties: dict[str, RegisterParty] = {}
    for row in rows["parties"]:
        key = _required_text(path, row, "key")
        if key in parties:
            raise InputError(str(path), row.cell("key"), f"party key {key!r} appears twice")
        fields = {"name": row.values.get("name"), "country": row.values.get("country"),
                  "identifiers": _identifiers(path, row)}
        parties[key] = _validated(path, row, RegisterParty, {k: v for k, v in fields.items() if v is not None})
    scopes: dict[str, dict[str, Any]] = {}
    for row in rows["items"]:
        item = _required_text(path, row, "item")
        if item in scopes:
            raise InputError(str(path), row.cell("item"), f"item id {item!r} appears twice")
        scope = {k: v for k, v in row.values.items() if k != "item"}
        _validated(path, row, FlowItem, scope)
        scopes[item] = {**scope, "flows": [], "remote_access": []}
    for sheet, model, references in (("flows", DataFlow, ("operator", "hosting")),
                                     ("remote_access", RemoteAccess, ("by",))):
        for row in rows[sheet]:
            item = _required_text(path, row, "item")
            if item not in scopes:
                raise InputError(str(path), row.cell("item"), f"item {item!r} is not defined on the items sheet")
            entry = {k: v for k, v in row.values.items() if k != "item"}
            for column in references:
                key = entry.get(column)
                if key is not None and key not in parties:
                    raise InputError(str(path), row.cell(column), f"party {key!r} is not defined on the parties sheet")
            scopes[item][sheet].append(_validated(path, row, model, entry))
    if not scopes:
        raise InputError(str(path), "sheet items", "no rows: a register has at least one item")
    return DataFlowRegister(cvrule_dataflows=1, parties=parties, items=tuple(FlowItem(**s) for s in scopes.values()))


def _validated(path: Path, row: _Row, model: type[BaseModel], values: dict[str, Any]) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        column = str(first["loc"][0]) if first["loc"] else ""
        if column in _LISTS and len(first["loc"]) > 1:
            message = f"{first['msg']} (value {first['input']!r})"
        else:
            message = first["msg"]
        raise InputError(str(path), row.cell(column) if column else f"{row.sheet} row {row.number}", message) from None


def _required_text(path: Path, row: _Row, column: str) -> str:
    value = row.values.get(column)
    if not isinstance(value, str):
        raise InputError(str(path), row.cell(column), "expected a value; the column is required")
    return value


def _identifiers(path: Path, row: _Row) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in (row.values.get("identifiers") or "").split(","))):
        scheme, sep, value = pair.partition(":")
        if not sep or not scheme.strip() or not value.strip():
            raise InputError(str(path), row.cell("identifiers"),
                             f"expected scheme:value pairs (lei:...), found {pair!r}")
        found[scheme.strip().lower()] = value.strip()
    return found


def _rows_by_sheet(path: Path, limits: Limits) -> dict[str, list[_Row]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken archive or workbook part
        raise _unreadable(path, error) from None
    rows: dict[str, list[_Row]] = {sheet: [] for sheet in SHEETS}
    try:
        for sheet in workbook.worksheets:
            title = sheet.title.strip().lower()
            if title == INSTRUCTIONS_SHEET:
                continue
            if title not in SHEETS:
                raise InputError(str(path), f"sheet {sheet.title!r}", "unknown sheet; a data-flow register has the "
                                 f"sheets {', '.join(SHEETS)} (and {INSTRUCTIONS_SHEET})")
            if not hasattr(sheet, "iter_rows"):
                raise InputError(str(path), f"sheet {sheet.title!r}",
                                 "expected a worksheet of rows, found a chart sheet")
            rows[title].extend(_sheet_rows(path, sheet, title, limits))
    except InputError:
        raise
    except Exception as error:  # a damaged part found while streaming the sheet
        raise _unreadable(path, error) from None
    finally:
        workbook.close()
    return rows


def _unreadable(path: Path, error: Exception) -> InputError:
    return InputError(str(path), None, f"is not a readable XLSX workbook ({type(error).__name__}: {error})")


def _sheet_rows(path: Path, sheet: Any, name: str, limits: Limits) -> Iterator[_Row]:
    from openpyxl.utils import get_column_letter

    sheet.reset_dimensions()
    cells_by_row = sheet.iter_rows()
    header = [str(cell.value).strip().lower() if cell.value is not None else "" for cell in next(cells_by_row, ())]
    while header and not header[-1]:
        header.pop()
    own = [column.name for column in SHEETS[name]]
    for position, column in enumerate(header, start=1):
        where = f"{sheet.title}!{get_column_letter(position)}1"
        if column and column not in own:
            raise InputError(str(path), where, f"unknown column {column!r}; the {name} sheet has: {', '.join(own)}")
        if column and header.index(column) != position - 1:
            raise InputError(str(path), where, f"column {column!r} appears twice")
    letters = {column: get_column_letter(position) for position, column in enumerate(header, start=1) if column}
    for number, cells in enumerate(cells_by_row, start=2):
        if number > limits.max_elements:
            raise InputError(str(path), f"{sheet.title} row {number}",
                             f"more rows than the limit max_elements={limits.max_elements:,}")
        row = _Row(sheet.title, number, {}, letters)
        for position, cell in enumerate(cells, start=1):
            if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                continue
            column = header[position - 1] if position <= len(header) else ""
            if not column:
                raise InputError(str(path), f"{sheet.title}!{get_column_letter(position)}{number}",
                                 "a value in a column without a header")
            text = _cell_text(path, row, column, cell.value)
            row.values[column] = [p.strip() for p in text.split(",") if p.strip()] if column in _LISTS else text
        if row.values:
            yield row


def _cell_text(path: Path, row: _Row, column: str, value: Any) -> str:
    if isinstance(value, bool) or isinstance(value, (datetime, date)):
        raise InputError(str(path), row.cell(column), f"expected text, found {type(value).__name__} {value!r}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ------------------------------------------------------------------------------- writing

def write_register_xlsx(path: Path | str, register: DataFlowRegister | None = None) -> None:
    """Write a register as a workbook, or the empty template when `register` is None. The same
    register gives the same bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = _register_rows(register) if register is not None else {sheet: [] for sheet in SHEETS}
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append([column.name for column in columns])
        for position, column in enumerate(columns, start=1):
            letter = get_column_letter(position)
            sheet[f"{letter}1"].font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            sheet.column_dimensions[letter].number_format = "@"
            if (name, column.name) in _CHOICES:
                sheet.add_data_validation(_validation(DataValidation, *_CHOICES[(name, column.name)], letter))
        sheet.freeze_panes = "A2"
        for values in rows[name]:
            sheet.append([values.get(column.name) for column in columns])
            for cell in sheet[sheet.max_row]:
                cell.number_format = "@"
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    instructions.append(["sheet", "column", "required", "meaning", "example"])
    for cell in instructions[1]:
        cell.font = Font(bold=True)
    for name, columns in SHEETS.items():
        for column in columns:
            instructions.append([name, column.name, "yes" if column.required else "", column.meaning, column.example])
    instructions.append([])
    instructions.append(["", "", "", "One row per entry; list cells are separated by commas. Every flow and remote "
                         "access names its item (items sheet) and its parties by key (parties sheet). "
                         "See docs/dataflows.md."])
    for letter, width in zip("ABCDE", (14, 14, 10, 90, 40)):
        instructions.column_dimensions[letter].width = width
    workbook.properties.created = _STAMP
    workbook.properties.modified = _STAMP
    workbook.properties.creator = "cvrule"
    Path(path).write_bytes(_reproducible_bytes(workbook))


_STAMP = datetime(2026, 1, 1)
"""The workbook's created and modified dates and every ZIP entry's time: never the clock."""


def _reproducible_bytes(workbook: Any) -> bytes:
    """The workbook's XLSX bytes, the same for the same content."""
    from cvrule.report.xlsx import reproducible_xlsx

    return reproducible_xlsx(workbook, _STAMP)


def _validation(factory: Callable[..., Any], choices: tuple[str, ...], several: bool, letter: str) -> Any:
    """A drop-down of the choices; a column that takes several (comma-separated) only warns."""
    validation = factory(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                         errorStyle="warning" if several else "stop", showErrorMessage=True,
                         error=("Expected one or more of: " if several else "Expected one of: ") + ", ".join(choices))
    validation.add(f"{letter}2:{letter}1048576")
    return validation


def _register_rows(register: DataFlowRegister) -> dict[str, list[dict[str, str | None]]]:
    rows: dict[str, list[dict[str, str | None]]] = {sheet: [] for sheet in SHEETS}
    for key, party in register.parties.items():
        rows["parties"].append({"key": key, "name": party.name, "country": party.country,
                                "identifiers": _joined(f"{s}:{v}" for s, v in party.identifiers.items())})
    for number, item in enumerate(register.items, start=1):
        item_id = f"item-{number}"
        rows["items"].append({"item": item_id, "bom": item.bom, "component": item.component,
                              "lines": _joined(item.lines), "model_years": _joined(item.model_years)})
        for flow in item.flows:
            values = flow.model_dump()
            rows["flows"].append({"item": item_id, **{k: _joined(v) if k in _LISTS else v for k, v in values.items()}})
        for access in item.remote_access:
            values = access.model_dump()
            rows["remote_access"].append({"item": item_id,
                                          **{k: _joined(v) if k in _LISTS else v for k, v in values.items()}})
    return rows


def _joined(values) -> str | None:
    text = ", ".join(str(v) for v in values)
    return text or None
