"""The supplier register: the parties, ownership, control and items a supplier or OEM fills in,
as one XLSX workbook (a sheet per section) or one CSV file (a `record` column names the section
of each row). The template and every column are described in docs/supplier-register.md;
`write_template` writes the template and `write_register` a filled register.

Reading is strict, because a register is written by hand: an unknown column or sheet, a
percentage outside 0-100, a date that is not YYYY-MM-DD, an identifier whose check digits are
wrong, or a party or item id that no row defines is refused with the file, the row and the
column ("line 7, column owner" in CSV, "ownership!B7 (column owner)" in XLSX).
"""

from __future__ import annotations

import csv
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from stdnum import lei as lei_number
from stdnum.cn import uscc as uscc_number
from stdnum.ru import inn as inn_number
from stdnum.ru import ogrn as ogrn_number

from cvrule.ingest.base import Format, InputError, Parsed, check_size, csv_problem, csv_reader_limits, text_stream
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import ControlFact, Fact, ItemFact, ItemLink, OwnershipFact, PartyFact, RoleMention, SourceInfo
from cvrule.ingest.limits import Limits

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "RECORDS",
    "SECTIONS",
    "Column",
    "check_archive",
    "write_register",
    "write_template",
]


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    required: bool = False
    example: str = ""


PARTY_KINDS = ("organization", "individual", "government")
CONTROL_KINDS = ("board_majority", "board_seat", "veto", "special_share", "proxy", "contract", "direction", "agent", "other")
ITEM_TYPES = ("hardware", "software")
RF_FUNCTIONS = ("cellular", "wifi", "bluetooth", "satellite", "gnss", "v2x", "uwb", "nfc", "vehicle_access", "tpms",
                "radar", "lidar", "camera", "audio")
ROLE_COLUMNS = ("designed_by", "developed_by", "manufactured_by", "supplied_by", "maintained_by")

SECTIONS: dict[str, tuple[Column, ...]] = {
    "parties": (
        Column("id", "Your id for the party, used by the other sheets. Letters, digits, - _ . : only.", True, "acme-tcu"),
        Column("name", "Legal name as registered.", True, "Shenzhen Example Telematics Co., Ltd."),
        Column("kind", "organization (default), individual or government.", False, "organization"),
        Column("country", "Organization: country where organized; individual: citizenship; government: whose. "
               "ISO code (CN, CHN) or name.", False, "CN"),
        Column("headquarters", "Country of the headquarters (principal place of business), ISO code or name.", False, "CN"),
        Column("lei", "Legal Entity Identifier (20 characters, check digits verified).", False, "5299000EXAMPLETCU025"),
        Column("uscc", "China Unified Social Credit Code (18 characters, check digit verified).", False, "91440300MA5EXAMPLA"),
        Column("inn", "Russian taxpayer number INN (10 or 12 digits, verified).", False, ""),
        Column("ogrn", "Russian registration number OGRN (13 or 15 digits, verified).", False, ""),
        Column("duns", "D-U-N-S number (9 digits).", False, ""),
        Column("bpnl", "Catena-X business partner number, legal entity (BPNL + 12 letters or digits).", False, ""),
        Column("website", "Web address.", False, "https://tcu.example.cn"),
        Column("email", "Contact e-mail address.", False, "compliance@tcu.example.cn"),
    ),
    "ownership": (
        Column("owner", "Party id of the holder of the interest.", True, "example-holdings"),
        Column("owned", "Party id of the party held.", True, "acme-tcu"),
        Column("voting_pct", "Share of the voting interest held, percent from 0 to 100.", False, "51"),
        Column("equity_pct", "Share of the equity held, percent from 0 to 100 (give this, voting_pct or both).", False, "51"),
        Column("from", "Date the interest began, YYYY-MM-DD.", False, "2019-06-01"),
        Column("to", "Date the interest ended (the day it no longer held), YYYY-MM-DD; empty while it holds.", False, ""),
    ),
    "control": (
        Column("by", "Party id of the party that controls.", True, "example-holdings"),
        Column("over", "Party id of the party controlled.", True, "acme-tcu"),
        Column("kind", "How: " + ", ".join(CONTROL_KINDS) + ".", True, "board_majority"),
        Column("from", "Date the control began, YYYY-MM-DD.", False, "2019-06-01"),
        Column("to", "Date the control ended, YYYY-MM-DD; empty while it holds.", False, ""),
    ),
    "items": (
        Column("id", "Your id for the item, used by contains and runs_on.", True, "tcu-100"),
        Column("name", "Name of the item.", True, "Telematics control unit T-100"),
        Column("type", "hardware or software.", True, "hardware"),
        Column("part_number", "Manufacturer part number.", False, "T100-EU-02"),
        Column("version", "Version (software) or revision (hardware).", False, "B"),
        Column("model_year", "Model year of the vehicles the item is for (1900-2200).", False, "2030"),
        Column("rf_functions", "Radio functions, separated by ';': " + ", ".join(RF_FUNCTIONS) + ".", False, "cellular;gnss"),
        Column("max_rf_mhz", "Highest radio frequency the item transmits or receives, MHz.", False, "3800"),
        Column("designed_by", "Party ids that designed the item, separated by ';'.", False, "acme-tcu"),
        Column("developed_by", "Party ids that developed (software) the item, separated by ';'.", False, ""),
        Column("manufactured_by", "Party ids that manufactured the item, separated by ';'.", False, "acme-tcu"),
        Column("supplied_by", "Party ids that supplied the item to you, separated by ';'.", False, "acme-tcu"),
        Column("maintained_by", "Party ids that maintain (update) the item, separated by ';'.", False, ""),
        Column("contains", "Item ids of the parts this item contains, separated by ';'.", False, "tcu-fw"),
        Column("runs_on", "Software: the item id of the hardware it runs on.", False, ""),
        Column("purl", "Package URL of software (pkg:type/namespace/name@version).", False, ""),
    ),
}
"""Each sheet (XLSX) or record kind (CSV) and its columns, in template order."""

RECORDS = {"party": "parties", "ownership": "ownership", "control": "control", "item": "items"}
"""The CSV `record` values and the section each names."""

CSV_COLUMNS: tuple[str, ...] = ("record", *dict.fromkeys(c.name for cols in SECTIONS.values() for c in cols))
"""The columns of the one-file CSV register: `record`, then every section's columns once."""

INSTRUCTIONS_SHEET = "instructions"
_SECTION_OF_RECORD = {**RECORDS, **{section: section for section in SECTIONS}}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
_BPNL = re.compile(r"^BPNL[0-9A-Z]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEBSITE = re.compile(r"^(?:https?://)?[^\s/@]+\.[^\s/@]+(?:/\S*)?$", re.I)
_PURL = re.compile(r"^pkg:[A-Za-z.+\-][A-Za-z0-9.+\-]*/\S+$")
_DUNS = re.compile(r"^\d{9}$")


# ---------------------------------------------------------------------------------- raw rows

@dataclass
class _Row:
    """One filled row of a section, with where each of its cells is for errors."""

    section: str
    where: str
    """The row, for facts: "line 7" (CSV) or "ownership row 7" (XLSX)."""
    values: dict[str, Any]
    cell: Callable[[str], str]
    """A column's place for errors: "line 7, column owner" or "ownership!A7 (column owner)"."""
    percent_cells: set[str] = field(default_factory=set)
    """Columns whose XLSX cell is formatted as a percentage (0.51 shown as 51 %)."""


# ----------------------------------------------------------------------------------- CSV

def _sniff_csv(head: bytes, path: Path) -> bool:
    if head.startswith(b"PK\x03\x04"):
        return False
    text = head.decode("utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", "ignore").lstrip("\ufeff")
    line = text.split("\n", 1)[0].rstrip("\r")
    header = {cell.strip().strip('"').lower() for cell in re.split(r"[,;\t]", line)}
    return "record" in header and len(header & set(CSV_COLUMNS)) >= 3


def _parse_csv(path: Path, limits: Limits) -> Parsed:
    check_size(path, limits)
    rows = list(_csv_rows(path, limits))
    return Parsed(SourceInfo("supplier-register-csv", "1", path.stem), _facts(path, rows))


def _csv_rows(path: Path, limits: Limits) -> Iterator[_Row]:
    with text_stream(path) as stream:
        try:
            first = stream.readline()
            delimiter = ";" if first.count(";") > first.count(",") else "\t" if "\t" in first else ","
            stream.seek(0)
            csv_reader_limits(limits)
            reader = csv.reader(stream, delimiter=delimiter, strict=True)
            header = [cell.strip().lower() for cell in next(reader, [])]
            columns = _csv_header(path, header)
            line = reader.line_num + 1
            for count, row in enumerate(reader, start=1):
                start, line = line, reader.line_num + 1
                if count > limits.max_elements:
                    raise InputError(str(path), f"line {start}", f"more rows than the limit max_elements={limits.max_elements:,}")
                if any(cell.strip() for cell in row):
                    yield _csv_row(path, start, row, columns)
        except UnicodeDecodeError:
            raise InputError(str(path), None, "is not UTF-8 text: save the register as \"CSV UTF-8\"") from None
        except csv.Error as error:
            raise InputError(str(path), f"line {reader.line_num}", csv_problem(error, limits)) from None


def _csv_header(path: Path, header: list[str]) -> list[str]:
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        where = f"line 1, column {position}"
        if not name:
            raise InputError(str(path), where, "empty column name in the header")
        if name not in CSV_COLUMNS:
            raise InputError(str(path), where, f"unknown column {name!r}; the register's columns are: {', '.join(CSV_COLUMNS)}")
        if name in seen:
            raise InputError(str(path), where, f"column {name!r} appears twice")
        seen.add(name)
    if "record" not in seen:
        raise InputError(str(path), "line 1", "the header needs a 'record' column (party, ownership, control or item)")
    return header


def _csv_row(path: Path, line: int, row: list[str], columns: list[str]) -> _Row:
    if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
        raise InputError(str(path), f"line {line}, column {len(columns) + 1}", f"a value beyond the {len(columns)} columns of the header")
    cells = dict(zip(columns, (cell.strip() for cell in row)))
    record = cells.pop("record", "").lower()
    section = _SECTION_OF_RECORD.get(record)
    if section is None:
        raise InputError(str(path), f"line {line}, column record",
                         f"expected one of {', '.join(RECORDS)}, found {record!r}" if record else "expected one of party, ownership, control, item")
    own = {column.name for column in SECTIONS[section]}
    for name, value in cells.items():
        if value and name not in own:
            raise InputError(str(path), f"line {line}, column {name}", f"column {name} does not apply to a {record} row; leave it empty")
    values = {name: value for name, value in cells.items() if value}
    return _Row(section, f"line {line}", values, lambda name: f"line {line}, column {name}")


# ----------------------------------------------------------------------------------- XLSX

_SHEET_NAME = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"')


def _sniff_xlsx(head: bytes, path: Path) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as part:
            workbook = part.read(1 << 20)  # the sheet list is near the start; a huge part is not read whole
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return False
    names = {name.decode("utf-8", "ignore").strip().lower() for name in _SHEET_NAME.findall(workbook)}
    return bool(names & set(SECTIONS))


def _parse_xlsx(path: Path, limits: Limits) -> Parsed:
    check_size(path, limits)
    check_archive(path, limits)
    rows = list(_xlsx_rows(path, limits))
    return Parsed(SourceInfo("supplier-register-xlsx", "1", path.stem), _facts(path, rows))


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse a zip bomb from the archive's directory, before anything is unpacked. The sizes it
    states are binding: Python's zipfile stops a part at its stated size (and checks its CRC)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except Exception as error:  # a damaged directory: zipfile raises several kinds
        raise InputError(str(path), None, f"is not a readable XLSX workbook ({type(error).__name__}: {error})") from None
    if len(parts) > 10_000:
        raise InputError(str(path), None, f"has {len(parts):,} parts; a workbook has a few dozen")
    total = sum(part.file_size for part in parts)
    if total > limits.max_unpacked_bytes:
        raise InputError(str(path), None, f"unpacks to {total:,} bytes, over the limit "
                                          f"max_unpacked_bytes={limits.max_unpacked_bytes:,}")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > 1024**2 and ratio > limits.max_compression_ratio:
            raise InputError(str(path), part.filename,
                             f"unpacks to {ratio:,.0f} times its packed size, over the limit "
                             f"max_compression_ratio={limits.max_compression_ratio:,} (a zip bomb is refused)")
    try:
        with zipfile.ZipFile(path) as archive:
            for part in parts:
                if part.filename.endswith((".xml", ".rels", ".vml")) and _declares_doctype(archive, part):
                    raise InputError(str(path), part.filename,
                                     "declares a DOCTYPE; workbook XML never does (entities are refused)")
    except InputError:
        raise
    except Exception as error:  # zipfile, zlib and bz2 raise many kinds for a damaged part
        raise InputError(str(path), None, f"is not a readable XLSX workbook ({type(error).__name__}: {error})") from None


_ROOT_OR_DOCTYPE = re.compile(rb"<!DOCTYPE|<[A-Za-z_]", re.I)


def _declares_doctype(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether the part's prolog (what comes before its root element) holds a DOCTYPE; at most
    1 MiB is unpacked to find out."""
    head = b""
    with archive.open(part) as stream:
        while len(head) < 1024**2:
            chunk = stream.read(65536)
            if not chunk:
                break
            head += chunk
            found = _ROOT_OR_DOCTYPE.search(head)
            if found:
                return found.group().upper() == b"<!DOCTYPE"
    return False


def _open_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken archive or workbook part
        raise InputError(str(path), None, f"is not a readable XLSX workbook ({type(error).__name__}: {error})") from None


def _xlsx_rows(path: Path, limits: Limits) -> Iterator[_Row]:
    workbook = _open_workbook(path)
    try:
        for sheet in workbook.worksheets:
            title = sheet.title.strip().lower()
            if title == INSTRUCTIONS_SHEET:
                continue
            if title not in SECTIONS:
                raise InputError(str(path), f"sheet {sheet.title!r}",
                                 f"unknown sheet; a register has the sheets {', '.join(SECTIONS)} (and {INSTRUCTIONS_SHEET})")
            if not hasattr(sheet, "iter_rows"):
                raise InputError(str(path), f"sheet {sheet.title!r}", "expected a worksheet of rows, found a chart sheet")
            yield from _sheet_rows(path, sheet, title, limits)
    except InputError:
        raise
    except Exception as error:  # a damaged part found while streaming the sheet
        raise InputError(str(path), None, f"is not a readable XLSX workbook ({type(error).__name__}: {error})") from None
    finally:
        workbook.close()


def _sheet_rows(path: Path, sheet: Any, section: str, limits: Limits) -> Iterator[_Row]:
    from openpyxl.utils import get_column_letter

    sheet.reset_dimensions()
    rows = sheet.iter_rows()
    header_cells = next(rows, ())
    header = [_header_name(cell.value) for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    own = [column.name for column in SECTIONS[section]]
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        where = f"{sheet.title}!{get_column_letter(position)}1"
        if name and name not in own:
            raise InputError(str(path), where, f"unknown column {name!r}; the {section} sheet has: {', '.join(own)}")
        if name and name in seen:
            raise InputError(str(path), where, f"column {name!r} appears twice")
        seen.add(name)
    letters = {name: get_column_letter(position) for position, name in enumerate(header, start=1) if name}
    for number, cells in enumerate(rows, start=2):
        if number > limits.max_elements:
            raise InputError(str(path), f"{sheet.title} row {number}", f"more rows than the limit max_elements={limits.max_elements:,}")
        values: dict[str, Any] = {}
        percent: set[str] = set()
        for position, cell in enumerate(cells, start=1):
            value = cell.value
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            name = header[position - 1] if position <= len(header) else ""
            if not name:
                raise InputError(str(path), f"{sheet.title}!{get_column_letter(position)}{number}", "a value in a column without a header")
            values[name] = value.strip() if isinstance(value, str) else value
            if "%" in (getattr(cell, "number_format", "") or ""):
                percent.add(name)
        if values:
            yield _Row(section, f"{sheet.title} row {number}", values, _xlsx_cell(sheet.title, number, letters), percent)


def _header_name(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""


def _xlsx_cell(title: str, number: int, letters: Mapping[str, str]) -> Callable[[str], str]:
    def cell(name: str) -> str:
        if name in letters:
            return f"{title}!{letters[name]}{number} (column {name})"
        return f"{title} row {number} (column {name}, not in the header)"

    return cell


# ------------------------------------------------------------------------------ values

class _Values:
    """Typed reading of one row's cells; every error names the file, row and column."""

    def __init__(self, path: Path, row: _Row):
        self.path, self.row = path, row

    def fail(self, column: str, message: str) -> InputError:
        return InputError(str(self.path), self.row.cell(column), message)

    def text(self, column: str, required: bool = False) -> str | None:
        value = self.row.values.get(column)
        if value is None:
            if required:
                raise self.fail(column, f"a {self.row.section} row needs {column}")
            return None
        if isinstance(value, bool):
            raise self.fail(column, f"expected text, found {value}")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        text = str(value).strip()
        if "\n" in text or "\r" in text:
            raise self.fail(column, "expected one line of text, found a line break")
        return text

    def one_of(self, column: str, choices: tuple[str, ...], required: bool = False, default: str | None = None) -> str | None:
        text = self.text(column, required)
        if text is None:
            return default
        if text.lower() not in choices:
            raise self.fail(column, f"expected one of {', '.join(choices)}, found {text!r}")
        return text.lower()

    def ident(self, column: str) -> str:
        text = self.text(column, required=True) or ""
        if not _ID.match(text):
            raise self.fail(column, f"expected an id of letters, digits, - _ . : (no spaces or ';'), found {text!r}")
        return text

    def ids(self, column: str) -> list[str]:
        text = self.text(column) or ""
        found = []
        for part in (p.strip() for p in text.split(";")):
            if not part:
                continue
            if not _ID.match(part):
                raise self.fail(column, f"expected ids separated by ';', found {part!r}")
            if part not in found:
                found.append(part)
        return found

    def country(self, column: str) -> str | None:
        text = self.text(column)
        if text is None:
            return None
        code = normalize_country(text)
        if code is None:
            raise self.fail(column, f"expected a country (ISO code such as CN or CHN, or its name), found {text!r}")
        return code

    def day(self, column: str) -> date | None:
        value = self.row.values.get(column)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        raise self.fail(column, f"expected a date as YYYY-MM-DD, found {text!r}")

    def number(self, column: str, low: float, high: float | None, what: str, scale: float = 1) -> float | None:
        value = self.row.values.get(column)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self.fail(column, f"expected {what}, found {value}")
        if isinstance(value, (int, float)):
            number = float(value) * scale
        else:
            text = str(value).strip()
            try:
                number = float(text.removesuffix("%").strip())
            except ValueError:
                raise self.fail(column, f"expected {what}, found {text!r}") from None
        if not math.isfinite(number) or number < low or (high is not None and number > high):
            raise self.fail(column, f"expected {what}, found {value!r}")
        return number

    def percent(self, column: str) -> float | None:
        """0-100; a number in a cell formatted as a percentage is stored as a fraction (0.51)."""
        scale = 100 if column in self.row.percent_cells else 1
        return self.number(column, 0, 100, "a percentage from 0 to 100", scale)

    def year(self, column: str) -> int | None:
        number = self.number(column, 1900, 2200, "a model year from 1900 to 2200")
        if number is None:
            return None
        if not number.is_integer():
            raise self.fail(column, f"expected a whole model year, found {number}")
        return int(number)


def _check_identifier(values: _Values, column: str) -> str | None:
    text = values.text(column)
    if text is None:
        return None
    checks: dict[str, tuple[Callable[[str], bool], Callable[[str], str], str]] = {
        "lei": (lei_number.is_valid, lei_number.compact, "an LEI of 20 characters with valid check digits"),
        "uscc": (uscc_number.is_valid, uscc_number.compact, "a USCC of 18 characters with a valid check digit"),
        "inn": (inn_number.is_valid, inn_number.compact, "an INN of 10 or 12 digits with valid check digits"),
        "ogrn": (ogrn_number.is_valid, ogrn_number.compact, "an OGRN of 13 or 15 digits with a valid check digit"),
        "duns": (lambda v: bool(_DUNS.match(v.replace("-", ""))), lambda v: v.replace("-", ""), "a D-U-N-S number of 9 digits"),
        "bpnl": (lambda v: bool(_BPNL.match(v.upper())), str.upper, "a BPNL (BPNL and 12 letters or digits)"),
        "website": (lambda v: bool(_WEBSITE.match(v)), str, "a web address"),
        "email": (lambda v: bool(_EMAIL.match(v)), str, "an e-mail address"),
    }
    valid, compact, what = checks[column]
    if not valid(text):
        raise values.fail(column, f"expected {what}, found {text!r}")
    return compact(text)


# ------------------------------------------------------------------------------- facts

_IDENTIFIER_SCHEMES = {"lei": "lei", "uscc": "uscc", "inn": "inn", "ogrn": "ogrn", "duns": "duns", "bpnl": "bpnl",
                       "website": "url", "email": "email"}


def _facts(path: Path, rows: list[_Row]) -> list[Fact]:
    by_section: dict[str, list[_Row]] = {section: [] for section in SECTIONS}
    for row in rows:
        by_section[row.section].append(row)
    parties = [_party(path, row) for row in by_section["parties"]]
    known_parties = _unique(path, by_section["parties"], [p.key for p in parties], "id", "party")
    item_ids = [_Values(path, row).ident("id") for row in by_section["items"]]
    known_items = _unique(path, by_section["items"], item_ids, "id", "item")
    facts: list[Fact] = list(parties)
    for row in by_section["ownership"]:
        facts += _ownership(path, row, known_parties)
    for row in by_section["control"]:
        facts.append(_control(path, row, known_parties))
    for row in by_section["items"]:
        facts += _item(path, row, known_parties, known_items)
    return facts


def _unique(path: Path, rows: list[_Row], keys: list[str], column: str, what: str) -> dict[str, Any]:
    seen: dict[str, _Row] = {}
    for row, key in zip(rows, keys):
        if key in seen:
            raise InputError(str(path), row.cell(column), f"{what} id {key!r} is defined twice (first at {seen[key].where})")
        seen[key] = row
    return seen


def _party(path: Path, row: _Row) -> PartyFact:
    values = _Values(path, row)
    identifiers = {}
    for column, scheme in _IDENTIFIER_SCHEMES.items():
        found = _check_identifier(values, column)
        if found:
            identifiers[scheme] = found
    return PartyFact(
        key=values.ident("id"), name=values.text("name", required=True) or "", location=row.where,
        kind=values.one_of("kind", PARTY_KINDS, default="organization") or "organization",
        country=values.country("country"), headquarters=values.country("headquarters"),
        jurisdiction_raw=values.text("country"), identifiers=identifiers,
    )


def _party_ref(values: _Values, column: str, known: Mapping[str, Any]) -> str:
    key = values.ident(column)
    if key not in known:
        raise values.fail(column, f"party id {key!r} is not defined in the parties section")
    return key


def _dates(values: _Values, start_column: str = "from", end_column: str = "to") -> tuple[date | None, date | None]:
    start, end = values.day(start_column), values.day(end_column)
    if start and end and end < start:
        raise values.fail(end_column, f"the end {end} is before the start {start}")
    return start, end


def _ownership(path: Path, row: _Row, parties: Mapping[str, Any]) -> list[OwnershipFact]:
    values = _Values(path, row)
    owner, owned = _party_ref(values, "owner", parties), _party_ref(values, "owned", parties)
    if owner == owned:
        raise values.fail("owned", f"a party cannot own itself ({owner!r})")
    equity, voting = values.percent("equity_pct"), values.percent("voting_pct")
    if equity is None and voting is None:
        raise values.fail("equity_pct", "an ownership row needs equity_pct or voting_pct (or both)")
    start, end = _dates(values)
    facts = []
    for interest, share in (("shareholding", equity), ("voting", voting)):
        if share is not None:
            fraction = share / 100
            facts.append(OwnershipFact(owner, owned, row.where, interest=interest, share_min=fraction, share_max=fraction,
                                       direct=True, start=start, end=end))
    return facts


def _control(path: Path, row: _Row, parties: Mapping[str, Any]) -> ControlFact:
    values = _Values(path, row)
    by, over = _party_ref(values, "by", parties), _party_ref(values, "over", parties)
    if by == over:
        raise values.fail("over", f"a party cannot control itself ({by!r})")
    kind = values.one_of("kind", CONTROL_KINDS, required=True) or ""
    start, end = _dates(values)
    return ControlFact(by, over, kind, row.where, start=start, end=end)


def _item(path: Path, row: _Row, parties: Mapping[str, _Row], items: Mapping[str, Any]) -> list[Fact]:
    values = _Values(path, row)
    key = values.ident("id")
    properties: dict[str, str] = {}
    if part_number := values.text("part_number"):
        properties["part_number"] = part_number
    rf = []
    for function in (f.strip().lower() for f in (values.text("rf_functions") or "").split(";")):
        if function and function not in RF_FUNCTIONS:
            raise values.fail("rf_functions", f"expected radio functions from {', '.join(RF_FUNCTIONS)}, found {function!r}")
        if function and function not in rf:
            rf.append(function)
    if rf:
        properties["rf"] = ",".join(rf)
    max_rf = values.number("max_rf_mhz", 0, None, "a frequency in MHz (0 or more)")
    if max_rf is not None:
        properties["max_rf_mhz"] = f"{max_rf:g}"
    purl = values.text("purl")
    if purl is not None and not _PURL.match(purl):
        raise values.fail("purl", f"expected a package URL such as pkg:generic/vendor/name@1.0, found {purl!r}")
    facts: list[Fact] = [ItemFact(
        key=key, name=values.text("name", required=True) or "", location=row.where,
        item_type=values.one_of("type", ITEM_TYPES, required=True) or "", version=values.text("version"),
        purl=purl, model_year=values.year("model_year"), properties=properties,
    )]
    for role in ROLE_COLUMNS:
        for party in values.ids(role):
            if party not in parties:
                raise values.fail(role, f"party id {party!r} is not defined in the parties section")
            party_values = _Values(path, parties[party])
            facts.append(RoleMention(key, role, party_values.text("name") or party, row.where, party=party,
                                     country_raw=party_values.text("country"), country=party_values.country("country")))
    for relation, children in (("contains", values.ids("contains")), ("runs_on", values.ids("runs_on"))):
        if relation == "runs_on" and len(children) > 1:
            raise values.fail("runs_on", "expected one item id")
        for child in children:
            if child not in items:
                raise values.fail(relation, f"item id {child!r} is not defined in the items section")
            if child == key:
                raise values.fail(relation, f"item {key!r} cannot name itself")
            facts.append(ItemLink(key, child, relation, row.where))
    return facts


# ------------------------------------------------------------------------------- writing

Register = Mapping[str, Iterable[Mapping[str, Any]]]
"""Rows by section name ("parties", "ownership", "control", "items"), each a column -> value map."""


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_register(path: Path | str, register: Register) -> None:
    """Write a register as XLSX (path ends in .xlsx) or as one CSV file (any other name)."""
    path = Path(path)
    for section in register:
        if section not in SECTIONS:
            raise ValueError(f"unknown section {section!r}; sections are {', '.join(SECTIONS)}")
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path, register)
    else:
        _write_csv(path, register)


def write_template(path: Path | str) -> None:
    """Write the empty register template (XLSX with an instructions sheet, or the CSV header)."""
    write_register(path, {})


def _write_csv(path: Path, register: Register) -> None:
    record_of = {section: record for record, section in RECORDS.items()}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for section in SECTIONS:
            for row in register.get(section, ()):
                values = {"record": record_of[section], **{k: _cell_text(v) for k, v in row.items()}}
                writer.writerow([values.get(column, "") for column in CSV_COLUMNS])


def _write_xlsx(path: Path, register: Register) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    choices = {("parties", "kind"): PARTY_KINDS, ("control", "kind"): CONTROL_KINDS, ("items", "type"): ITEM_TYPES}
    for section, columns in SECTIONS.items():
        sheet = workbook.create_sheet(section)
        sheet.append([column.name for column in columns])
        for position, column in enumerate(columns, start=1):
            letter = get_column_letter(position)
            sheet[f"{letter}1"].font = Font(bold=True)
            sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            if (section, column.name) in choices:
                validation = DataValidation(type="list", formula1='"' + ",".join(choices[(section, column.name)]) + '"', allow_blank=True)
                validation.add(f"{letter}2:{letter}1048576")
                sheet.add_data_validation(validation)
            sheet.column_dimensions[letter].number_format = _XLSX_FORMATS.get(column.name, "@")
        sheet.freeze_panes = "A2"
        for row in register.get(section, ()):
            sheet.append([_xlsx_value(row.get(column.name)) for column in columns])
            for cell, column in zip(sheet[sheet.max_row], columns):
                cell.number_format = _XLSX_FORMATS.get(column.name, "@")
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    instructions.append(["sheet", "column", "required", "meaning", "example"])
    for cell in instructions[1]:
        cell.font = Font(bold=True)
    for section, columns in SECTIONS.items():
        for column in columns:
            instructions.append([section, column.name, "yes" if column.required else "", column.meaning, column.example])
    for letter, width in zip("ABCDE", (12, 16, 10, 90, 40)):
        instructions.column_dimensions[letter].width = width
    fixed = datetime(2026, 1, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "cvrule"
    workbook.save(path)


_XLSX_FORMATS = {"voting_pct": "General", "equity_pct": "General", "model_year": "0", "max_rf_mhz": "General",
                 "from": "yyyy-mm-dd", "to": "yyyy-mm-dd"}
"""Cell formats of the template's columns: the others are text, so Excel keeps the leading
zeros of a D-U-N-S number and does not turn an id into a number or a date."""


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, (int, float, date)) and not isinstance(value, bool):
        return value
    return str(value)


FORMATS: list[Format] = [
    Format("supplier-register-xlsx", _sniff_xlsx, _parse_xlsx,
           "cvrule supplier register, XLSX workbook (sheets parties, ownership, control, items; docs/supplier-register.md)"),
    Format("supplier-register-csv", _sniff_csv, _parse_csv,
           "cvrule supplier register, one CSV file with a record column (docs/supplier-register.md)"),
]
