"""US export-screening lists as `ListEntry` facts: the trade.gov Consolidated Screening List (CSV,
TSV and JSON), the BIS Denied Persons List, the per-list CSV files of the former trade.gov
importer (BIS Entity List, ISN, Unverified List, ITAR debarred parties) and, from `ofac`, OFAC's
SDN and consolidated (non-SDN) files.

Each entry keeps the list's own id as its key (CSL `_id` or `entity_number`, OFAC `ent_num`),
the list's full name as the CSL `source` column writes it, and countries as ISO alpha-2 taken
from addresses, citizenships and nationalities. What `ListEntry` has no field for (license
requirement and policy, end and expiry dates, standard order) goes into `remarks` as
"label: value" parts; the Federal Register citation goes into `identifiers["federal_register"]`.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cvrule.ingest.base import Format, InputError, Parsed, load_json, pointer
from cvrule.ingest.facts import ListEntry, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.ingest.lists import (
    LIST_NAMES,
    add_identifier,
    add_unique,
    address_country,
    csv_rows,
    head_text,
    list_country,
    list_date,
    read_list_text,
    split_list,
)
from cvrule.ingest.ofac import OFAC_FORMATS

__all__ = ["FORMATS"]


# ---------------------------------------------------------------------------- reading headers

def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def _header_cells(line: str) -> tuple[list[str], str]:
    """The lower-cased header names of a CSV or TSV first line, and its delimiter."""
    delimiter = "\t" if "\t" in line else ","
    cells = next(csv.reader([line], delimiter=delimiter), [])
    return [cell.strip().lower() for cell in cells], delimiter


def _sniff_header(head: bytes) -> list[str]:
    try:
        return _header_cells(_first_line(head_text(head)))[0]
    except csv.Error:
        return []


def _columns(path: Path, header: list[str], required: tuple[str, ...]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(str(path), "line 1", f"header lacks the column(s) {', '.join(missing)}")


def _record(header: list[str], row: list[str]) -> defaultdict[str, str]:
    """A row's fields by column name; columns the row or the header lacks read as ""."""
    return defaultdict(str, ((name, field.strip()) for name, field in zip(header, row) if name))


def _remarks(remarks: str | None, **labeled: str | None) -> str | None:
    parts = [remarks] if remarks else []
    parts += [f"{label.replace('_', ' ')}: {value}" for label, value in labeled.items() if value]
    return "; ".join(parts) or None


def _list_name(source: str) -> str:
    """The full list name for a code ("EL") or the name as written."""
    return LIST_NAMES.get(source.strip().upper(), source.strip())


# ------------------------------------------------------------------------------- CSL CSV / TSV

_CSL_REQUIRED = ("source", "name")


def _sniff_csl_csv(head: bytes, path: Path) -> bool:
    header = set(_sniff_header(head))
    return {"source", "name", "programs", "alt_names"} <= header and bool({"entity_number", "_id"} & header)


def _parse_csl_csv(path: Path, limits: Limits) -> Parsed:
    text = read_list_text(path, limits)
    header, delimiter = _header_cells(_first_line(text))
    new_layout = "_id" in header
    source = SourceInfo("csl-csv", "with _id" if new_layout else "without _id", "Consolidated Screening List")
    return Parsed(source, _csl_csv_entries(path, text, limits, delimiter, new_layout))


def _csl_csv_entries(path: Path, text: str, limits: Limits, delimiter: str, new_layout: bool) -> Iterator[ListEntry]:
    rows = csv_rows(path, text, limits, delimiter)
    _, header = next(rows, (1, []))
    header = [name.strip().lower() for name in header]
    _columns(path, header, _CSL_REQUIRED)
    for line, row in rows:
        where = f"line {line}"
        if len(row) != len(header):
            raise InputError(str(path), where, f"expected {len(header)} fields as in the header, found {len(row)}")
        yield _csl_entry(path, where, _record(header, row), new_layout)


def _csl_entry(path: Path, where: str, cell: defaultdict[str, str], new_layout: bool) -> ListEntry:
    source, name = cell["source"], cell["name"]
    if not source:
        raise InputError(str(path), where, "column source: expected the list's name, found nothing")
    if not name:
        raise InputError(str(path), where, "column name: expected the listed party's name, found nothing")
    addresses = split_list(cell["addresses"], "; ")
    countries: list[str] = []
    for address in addresses:
        add_unique(countries, address_country(address))
    for code in split_list(cell["citizenships"], ";") + split_list(cell["nationalities"], ";"):
        add_unique(countries, list_country(code))
    identifiers = _csl_ids(cell["ids"], new_layout)
    if cell["federal_register_notice"]:
        identifiers["federal_register"] = cell["federal_register_notice"]
    list_date(cell["end_date"], path, where, "end_date")
    return ListEntry(
        key=cell["_id"] or cell["entity_number"] or f"line-{where.split()[-1]}",
        list_name=_list_name(source),
        name=name,
        location=where,
        entity_type=cell["type"].lower() or None,
        aliases=split_list(cell["alt_names"], "; "),
        countries=countries,
        programs=split_list(cell["programs"], "; "),
        identifiers=identifiers,
        addresses=addresses,
        start=list_date(cell["start_date"], path, where, "start_date"),
        remarks=_remarks(cell["remarks"] or None, license_requirement=cell["license_requirement"],
                         license_policy=cell["license_policy"], end_date=cell["end_date"],
                         standard_order=cell["standard_order"]),
    )


_CODE = re.compile(r"^[A-Z]{2}$")


def _csl_ids(value: str, new_layout: bool) -> dict[str, str]:
    """The CSL `ids` column: "Type, Number[, CC]" entries (with `_id`) or "[CC, ]Number, Type"
    (older files), separated by "; ". Sanctions notes written in the same column are skipped."""
    identifiers: dict[str, str] = {}
    for entry in split_list(value, "; "):
        parts = [part.strip() for part in entry.split(",")]
        if len(parts) < 2:
            continue
        country = None
        if new_layout:
            kind = parts[0]
            if len(parts) >= 3 and _CODE.match(parts[-1]):
                country, number = parts[-1], ", ".join(parts[1:-1])
            else:
                number = ", ".join(parts[1:])
        elif len(parts) >= 3 and _CODE.match(parts[0]):
            country, number, kind = parts[0], parts[1], ", ".join(parts[2:])
        else:
            number, kind = ", ".join(parts[:-1]), parts[-1]
        add_identifier(identifiers, kind, number, list_country(country))
    return identifiers


# ------------------------------------------------------------------------------------ CSL JSON

def _sniff_csl_json(head: bytes, path: Path) -> bool:
    text = head_text(head).lstrip()
    if not text.startswith(("{", "[")):
        return False
    has_fields = '"alt_names"' in text and '"source"' in text and '"name"' in text
    return has_fields and ('"results"' in text or text.startswith("[")) and ('"entity_number"' in text or '"source_list_url"' in text)


def _parse_csl_json(path: Path, limits: Limits) -> Parsed:
    document = load_json(path, limits)
    if isinstance(document, dict):
        results = document.get("results")
        base: tuple[object, ...] = ("results",)
        if not isinstance(results, list):
            raise InputError(str(path), "/results", "expected the array of screening-list results")
    elif isinstance(document, list):
        results, base = document, ()
    else:
        raise InputError(str(path), "", "expected an object with \"results\" or an array of results")
    return Parsed(SourceInfo("csl-json", None, "Consolidated Screening List"), _csl_json_entries(path, results, base))


def _csl_json_entries(path: Path, results: list[Any], base: tuple[object, ...]) -> Iterator[ListEntry]:
    for i, result in enumerate(results):
        where = pointer(*base, i)
        if not isinstance(result, dict):
            raise InputError(str(path), where, "expected a result object")
        yield _csl_json_entry(path, where, result)


def _json_text(path: Path, where: str, result: dict[str, Any], key: str) -> str:
    value = result.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InputError(str(path), f"{where}/{key}", f"expected text, found {type(value).__name__}")
    return value.strip()


def _json_texts(path: Path, where: str, result: dict[str, Any], key: str, separator: str = "; ") -> list[str]:
    value = result.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return split_list(value, separator)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(str(path), f"{where}/{key}", "expected a list of texts")
    return [v.strip() for v in value if v.strip()]


def _json_objects(path: Path, where: str, result: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = result.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(str(path), f"{where}/{key}", "expected a list of objects")
    for j, item in enumerate(value):
        if not isinstance(item, dict):
            raise InputError(str(path), f"{where}/{key}/{j}", "expected an object")
    return value


def _csl_json_entry(path: Path, where: str, result: dict[str, Any]) -> ListEntry:
    def text(key: str) -> str:
        return _json_text(path, where, result, key)

    source, name = text("source"), text("name")
    if not source:
        raise InputError(str(path), f"{where}/source", "expected the list's name")
    if not name:
        raise InputError(str(path), f"{where}/name", "expected the listed party's name")
    addresses: list[str] = []
    countries: list[str] = []
    for j, address in enumerate(_json_objects(path, where, result, "addresses")):
        at = f"{where}/addresses/{j}"
        parts = [_json_text(path, at, address, key) for key in ("address", "city", "state", "postal_code", "country")]
        add_unique(addresses, ", ".join(part for part in parts if part))
        add_unique(countries, list_country(parts[-1] or None))
    for code in _json_texts(path, where, result, "citizenships") + _json_texts(path, where, result, "nationalities"):
        add_unique(countries, list_country(code))
    identifiers: dict[str, str] = {}
    for j, found in enumerate(_json_objects(path, where, result, "ids")):
        at = f"{where}/ids/{j}"
        add_identifier(identifiers, _json_text(path, at, found, "type"), _json_text(path, at, found, "number"),
                       list_country(_json_text(path, at, found, "country") or None))
    if text("federal_register_notice"):
        identifiers["federal_register"] = text("federal_register_notice")
    list_date(text("end_date"), path, f"{where}/end_date", "end_date")
    return ListEntry(
        key=text("id") or text("_id") or text("entity_number") or where,
        list_name=_list_name(source),
        name=name,
        location=where,
        entity_type=text("type").lower() or None,
        aliases=_json_texts(path, where, result, "alt_names"),
        countries=countries,
        programs=_json_texts(path, where, result, "programs"),
        identifiers=identifiers,
        addresses=addresses,
        start=list_date(text("start_date"), path, f"{where}/start_date", "start_date"),
        remarks=_remarks(text("remarks") or None, license_requirement=text("license_requirement"),
                         license_policy=text("license_policy"), end_date=text("end_date"),
                         standard_order=text("standard_order")),
    )


# ------------------------------------------------------------------------ BIS Denied Persons List

def _sniff_dpl(head: bytes, path: Path) -> bool:
    return {"name", "street_address", "country", "effective_date", "fr_citation"} <= set(_sniff_header(head))


def _parse_dpl(path: Path, limits: Limits) -> Parsed:
    text = read_list_text(path, limits)
    delimiter = _header_cells(_first_line(text))[1]
    return Parsed(SourceInfo("bis-dpl", None, LIST_NAMES["DPL"]), _dpl_entries(path, text, limits, delimiter))


def _dpl_entries(path: Path, text: str, limits: Limits, delimiter: str) -> Iterator[ListEntry]:
    """One entry per person and effective date: the DPL repeats a person for each address."""
    rows = csv_rows(path, text, limits, delimiter)
    _, header = next(rows, (1, []))
    header = [name.strip().lower() for name in header]
    _columns(path, header, ("name", "country", "effective_date"))
    entries: dict[tuple[str, str], ListEntry] = {}
    for line, row in rows:
        where = f"line {line}"
        _check_width(path, where, row, header)
        cell = _record(header, row)
        name = cell["name"]
        if not name:
            raise InputError(str(path), where, "column Name: expected the denied person's name, found nothing")
        start = list_date(cell["effective_date"], path, where, "Effective_Date")
        expires = list_date(cell["expiration_date"], path, where, "Expiration_Date")
        list_date(cell["last_update"], path, where, "Last_Update")
        address = ", ".join(p for p in (cell["street_address"], cell["city"], cell["state"], cell["postal_code"], cell["country"]) if p)
        country = list_country(cell["country"] or None)
        entry = entries.get((name, cell["effective_date"]))
        if entry is None:
            identifiers = {"federal_register": cell["fr_citation"]} if cell["fr_citation"] else {}
            entry = entries[(name, cell["effective_date"])] = ListEntry(
                key=f"line-{line}", list_name=LIST_NAMES["DPL"], name=name, location=where,
                identifiers=identifiers, start=start,
                remarks=_remarks(None, expires=expires.isoformat() if expires else None, standard_order=cell["standard_order"],
                                 action=cell["action"], last_update=cell["last_update"]))
        add_unique(entry.addresses, address)
        add_unique(entry.countries, country)
    yield from entries.values()


def _check_width(path: Path, where: str, row: list[str], header: list[str]) -> None:
    """Rows may omit trailing empty fields, but may not carry more fields than the header names."""
    extra = [field for field in row[len(header):] if field.strip()]
    if extra:
        raise InputError(str(path), where, f"expected at most {len(header)} fields as in the header, found {len(row)}")


# ------------------------------------------------- per-list CSV of the former trade.gov importer

def _sniff_source_list_csv(head: bytes, path: Path) -> bool:
    header = _sniff_header(head)
    return bool(header) and header[0] == "source list" and "name" in header


def _parse_source_list_csv(path: Path, limits: Limits) -> Parsed:
    text = read_list_text(path, limits)
    return Parsed(SourceInfo("csl-source-list-csv", None, "trade.gov screening list (per-list CSV)"),
                  _source_list_entries(path, text, limits))


def _source_list_entries(path: Path, text: str, limits: Limits) -> Iterator[ListEntry]:
    """One entry per list, entity number and name: the Entity List file repeats an entity for
    every address and alias, the ISN file for every program."""
    rows = csv_rows(path, text, limits)
    _, header = next(rows, (1, []))
    header = [name.strip().lower() for name in header]
    _columns(path, header, ("source list", "name"))
    entries: dict[tuple[str, str, str], ListEntry] = {}
    for line, row in rows:
        where = f"line {line}"
        _check_width(path, where, row, header)
        cell = _record(header, row)
        code, number, name = cell["source list"], cell["entity number"], cell["name"]
        if not code:
            raise InputError(str(path), where, "column Source List: expected the list's code (EL, ISN, ...), found nothing")
        if not name:
            raise InputError(str(path), where, "column Name: expected the listed party's name, found nothing")
        start = list_date(cell["effective date"], path, where, "Effective Date")
        entry = entries.get((code, number, name))
        if entry is None:
            fr = cell["federal register notice"]
            entry = entries[(code, number, name)] = ListEntry(
                key=f"{code}-{number}" if number else f"line-{line}", list_name=_list_name(code), name=name,
                location=where, entity_type=cell["sdn type"].lower() or None,
                identifiers={"federal_register": fr} if fr else {}, start=start,
                remarks=_remarks(cell["remarks/notes"] or None, license_requirement=cell["license requirement"],
                                 license_policy=cell["license policy"]))
        for program in split_list(cell["programs"], ";"):
            add_unique(entry.programs, program)
        address = ", ".join(p for p in (cell["address"], cell["city"], cell["state/province"], cell["postal code"], cell["country"]) if p)
        add_unique(entry.addresses, address)
        add_unique(entry.countries, list_country(cell["country"] or None))
        for alias in split_list(cell["alternate name"], ";") + split_list(cell["alternative names"], ";"):
            if alias != name:
                add_unique(entry.aliases, alias)
    yield from entries.values()


# ------------------------------------------------------ BIS Unverified List (legacy CSV layout)

def _sniff_uvl(head: bytes, path: Path) -> bool:
    header = _sniff_header(head)
    return header[:3] == ["country", "name", "address"] and not any(header[3:])


_AKA = re.compile(r",?\s*\(?\s*a\.k\.a\.?\s*", re.I)


def _names(text: str) -> tuple[str, list[str]]:
    """"Name, a.k.a. X, a.k.a. Y" or "Name (a.k.a. X; Y)" -> (Name, [X, Y])."""
    parts = _AKA.split(text)
    name = parts[0].strip().rstrip(",").strip()
    aliases = []
    for part in parts[1:]:
        for alias in part.rstrip(")").split(";"):
            alias = alias.strip().rstrip(",)").strip()
            if alias:
                aliases.append(alias)
    return name, aliases


def _parse_uvl(path: Path, limits: Limits) -> Parsed:
    text = read_list_text(path, limits)
    return Parsed(SourceInfo("bis-uvl-csv", None, LIST_NAMES["UVL"]), _uvl_entries(path, text, limits))


def _uvl_entries(path: Path, text: str, limits: Limits) -> Iterator[ListEntry]:
    rows = csv_rows(path, text, limits)
    _, header = next(rows, (1, []))
    entries: dict[str, ListEntry] = {}
    for line, row in rows:
        where = f"line {line}"
        _check_width(path, where, row, header)
        country_name, written = (row + ["", ""])[:2]
        address = row[2].strip() if len(row) > 2 else ""
        name, aliases = _names(written.strip())
        if not name:
            raise InputError(str(path), where, "column NAME: expected the listed party's name, found nothing")
        country_name = country_name.strip()
        entry = entries.get(name)
        if entry is None:
            entry = entries[name] = ListEntry(key=f"line-{line}", list_name=LIST_NAMES["UVL"], name=name, location=where)
        for alias in aliases:
            add_unique(entry.aliases, alias)
        if country_name and not address.endswith(country_name):
            address = f"{address}, {country_name}" if address else country_name
        add_unique(entry.addresses, address)
        add_unique(entry.countries, list_country(country_name or None))
    yield from entries.values()


# ------------------------------------------------------------ DDTC ITAR debarred parties (CSV)

def _sniff_dtc(head: bytes, path: Path) -> bool:
    header = _sniff_header(head)
    return bool(header) and header[0] == "debarred party full name and alias" and "notice" in header


def _parse_dtc(path: Path, limits: Limits) -> Parsed:
    text = read_list_text(path, limits)
    return Parsed(SourceInfo("ddtc-debarred-csv", None, LIST_NAMES["DTC"]), _dtc_entries(path, text, limits))


def _dtc_entries(path: Path, text: str, limits: Limits) -> Iterator[ListEntry]:
    rows = csv_rows(path, text, limits)
    _, header = next(rows, (1, []))
    header = [name.strip().lower() for name in header]
    _columns(path, header, ("debarred party full name and alias", "notice", "notice date"))
    for line, row in rows:
        where = f"line {line}"
        _check_width(path, where, row, header)
        cell = _record(header, row)
        name, aliases = _names(cell["debarred party full name and alias"])
        if not name:
            raise InputError(str(path), where, "column Debarred Party Full Name and Alias: expected a name, found nothing")
        notices = [n for n in (cell["notice"], cell["corrected notice"]) if n]
        list_date(cell["corrected notice date"], path, where, "Corrected Notice Date")
        yield ListEntry(
            key=f"line-{line}", list_name=LIST_NAMES["DTC"], name=name, location=where, aliases=aliases,
            identifiers={"federal_register": "; ".join(notices)} if notices else {},
            start=list_date(cell["notice date"], path, where, "Notice Date"),
            remarks=_remarks(None, date_of_birth=cell["date of birth"]),
        )


FORMATS: list[Format] = [
    Format("csl-csv", _sniff_csl_csv, _parse_csl_csv,
           "trade.gov Consolidated Screening List, CSV or TSV (with or without the _id column)"),
    Format("csl-json", _sniff_csl_json, _parse_csl_json,
           "trade.gov Consolidated Screening List, JSON ({\"results\": [...]} as the API and bulk file give it)"),
    *OFAC_FORMATS,
    Format("bis-dpl", _sniff_dpl, _parse_dpl, "BIS Denied Persons List (dpl.txt, tab- or comma-separated)"),
    Format("csl-source-list-csv", _sniff_source_list_csv, _parse_source_list_csv,
           "per-list CSV of the former trade.gov importer (\"Source List\" column): BIS Entity List, ISN"),
    Format("bis-uvl-csv", _sniff_uvl, _parse_uvl, "BIS Unverified List, legacy CSV (COUNTRY, NAME, ADDRESS)"),
    Format("ddtc-debarred-csv", _sniff_dtc, _parse_dtc, "DDTC ITAR statutorily debarred parties (CSV)"),
]
