"""OFAC's SDN list and its consolidated (non-SDN) list, in the legacy CSV set and the legacy
`sdnList` XML, as `ListEntry` facts.

The CSV set is four header-less files keyed by `ent_num`: the primary file (sdn.csv or
cons_prim.csv: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
Vess_flag, Vess_owner, Remarks), addresses (add.csv / cons_add.csv), aliases (alt.csv /
cons_alt.csv) and the overflow of long remarks (sdn_comments.csv / cons_comments.csv). "-0- "
means empty.

The companions are merged into the primary file's entries, not emitted as facts of their own:
the store scopes keys to their file, so an alias or address in a fact of its own could not be
joined to its entry, and an entry screened without its aliases and countries would miss matches.
So parsing the primary file reads the companions beside it under OFAC's names, and parsing a
companion checks it and yields nothing (its content arrives through the primary file); a
companion with no primary file beside it is refused.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from cvrule.ingest.base import Format, InputError, Parsed, check_size, iter_xml, read_head, xml_local
from cvrule.ingest.facts import ListEntry, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.ingest.lists import LIST_NAMES, add_identifier, add_unique, csv_rows, head_text, list_country, read_list_text

__all__ = ["OFAC_FORMATS"]

# ------------------------------------------------------------------------------ which list

_NON_SDN_PROGRAMS = (
    ("NS-PLC", "PLC"),
    ("CMIC", "CMIC"),
    ("FSE-", "FSE"),
    ("561", "CAP"),
    ("UKRAINE-EO13662", "SSI"),
    ("CAATSA - RUSSIA", "NS-MBS"),
    ("RUSSIA-EO14024", "NS-MBS"),
    ("BURMA-EO14014", "NS-MBS"),
    ("ILLICIT-DRUGS-EO14059", "NS-MBS"),
)
"""Program tags of the consolidated (non-SDN) list, in order of precedence, and the list they
place an entry on (an SSI entry may also carry RUSSIA-EO14024)."""


def _is_consolidated(entries_programs: list[list[str]]) -> bool:
    """Whether a file is the consolidated (non-SDN) list: most of its entries carry a non-SDN
    program. (Single entries do not decide: SDN entries may also carry FSE-SY or UKRAINE-EO13662.)"""
    prefixes = tuple(prefix for prefix, _ in _NON_SDN_PROGRAMS)
    marked = sum(1 for programs in entries_programs if any(p.startswith(prefixes) for p in programs))
    return marked * 2 > len(entries_programs)


def _list_of(programs: list[str], consolidated: bool) -> str:
    if not consolidated:
        return LIST_NAMES["SDN"]
    for prefix, code in _NON_SDN_PROGRAMS:
        if any(program.startswith(prefix) for program in programs):
            return LIST_NAMES[code]
    return LIST_NAMES["NON-SDN"]


# ------------------------------------------------------------------------- remarks

_REMARK_IDS = re.compile(
    r"^(?P<kind>Unified Social Credit Code \(USCC\)|Tax ID No\.|Registration ID|Registration Number|SWIFT/BIC|Website|"
    r"Email Address|Legal Entity Number|D-U-N-S Number|Passport|National ID No\.|Business Registration Number|"
    r"Company Number|Commercial Registry Number|Government Gazette Number|V\.A\.T\. Number|Public Registration Number|"
    r"Vessel Registration Identification|Aircraft Serial Identification) (?P<number>.+?)(?: \((?P<country>[^)]+)\))?$"
)
_REMARK_ALIAS = re.compile(r"^[afn]\.k\.a\.,? '(?P<name>.+)'$")
_REMARK_COUNTRY = re.compile(r"^(?:nationality|citizen) (?P<country>.+)$", re.I)


def _read_remarks(remarks: str, entry: ListEntry) -> None:
    """Identifiers, aliases and nationalities OFAC writes into the remarks ("Tax ID No.
    7702070139 (Russia); a.k.a. 'BNC'; nationality Iran")."""
    for part in remarks.split(";"):
        part = part.strip().rstrip(".").strip()
        if part.startswith("alt. "):
            part = part[5:]
        if match := _REMARK_IDS.match(part):
            country = list_country(match.group("country"))
            add_identifier(entry.identifiers, match.group("kind"), match.group("number"), country)
        elif match := _REMARK_ALIAS.match(part):
            if match.group("name") != entry.name:
                add_unique(entry.aliases, match.group("name"))
        elif match := _REMARK_COUNTRY.match(part):
            add_unique(entry.countries, list_country(match.group("country")))


# ----------------------------------------------------------------------------- CSV set

@dataclass(frozen=True)
class _Part:
    """One file of OFAC's CSV set: its role, width and the names OFAC gives it."""

    role: str
    width: int
    names: tuple[str, str]
    """(SDN file name, consolidated file name)"""


_PRIMARY = _Part("primary", 12, ("sdn.csv", "cons_prim.csv"))
_ADDRESSES = _Part("addresses", 6, ("add.csv", "cons_add.csv"))
_ALIASES = _Part("aliases", 5, ("alt.csv", "cons_alt.csv"))
_COMMENTS = _Part("comments", 2, ("sdn_comments.csv", "cons_comments.csv"))
_PARTS = (_PRIMARY, _ADDRESSES, _ALIASES, _COMMENTS)
_SDN_TYPES = {"-0-", "individual", "vessel", "aircraft", "entity"}
_ALIAS_TYPES = {"aka", "fka", "nka"}


def _empty(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _row_fits(part: _Part, row: list[str]) -> bool:
    if len(row) != part.width or not row[0].strip().isdigit():
        return False
    if part is _PRIMARY:
        return row[2].strip().lower() in _SDN_TYPES and bool(row[1].strip())
    if part is _ADDRESSES:
        return row[1].strip().isdigit()
    if part is _ALIASES:
        return row[1].strip().isdigit() and row[2].strip().lower() in _ALIAS_TYPES
    return True


def _sniff_part(head: bytes) -> _Part | None:
    """Which file of the CSV set this is: the first complete lines must all fit one layout."""
    lines = [line for line in head_text(head).splitlines() if line.strip() and line.strip() != "\x1a"]
    if len(lines) > 1 and (len(head) >= 65536 or len(lines) <= 5):
        lines = lines[:-1]  # cut short by the head, or the file's last line: parse() judges it
    lines = lines[:5]
    if not lines:
        return None
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return None
    for part in _PARTS:
        if all(_row_fits(part, row) for row in rows):
            if part is _COMMENTS and not lines[0].split(",", 1)[1].startswith('"'):
                return None
            return part
    return None


def _sniff_ofac_csv(head: bytes, path: Path) -> bool:
    return _sniff_part(head) is not None


def _sibling(path: Path, name: str) -> Path | None:
    """A file beside `path` with this name, in any letter case (OFAC served SDN.CSV in capitals)."""
    exact = path.with_name(name)
    if exact.is_file():
        return exact
    try:
        return next((p for p in path.parent.iterdir() if p.name.lower() == name and p.is_file()), None)
    except OSError:
        return None


def _rows(path: Path, limits: Limits, part: _Part) -> Iterator[tuple[int, list[str]]]:
    for line, row in csv_rows(path, read_list_text(path, limits), limits):
        if not _row_fits(part, row):
            raise InputError(str(path), f"line {line}", _expected(part, row))
        yield line, row


def _expected(part: _Part, row: list[str]) -> str:
    found = f"found {len(row)} field(s) starting {row[0][:40]!r}"
    if part is _PRIMARY:
        return f"expected an OFAC entry: 12 fields (ent_num, SDN_Name, SDN_Type, Program, ..., Remarks); {found}"
    if part is _ADDRESSES:
        return f"expected an OFAC address: 6 fields (ent_num, add_num, Address, City/State/Province/Postal Code, Country, Add_remarks); {found}"
    if part is _ALIASES:
        return f"expected an OFAC alias: 5 fields (ent_num, alt_num, alt_type aka/fka/nka, alt_name, alt_remarks); {found}"
    return f"expected an OFAC remarks continuation: 2 fields (ent_num, remarks); {found}"


def _parse_ofac_csv(path: Path, limits: Limits) -> Parsed:
    part = _sniff_part(read_head(path))
    if part is None:
        raise InputError(str(path), "line 1", "expected a file of OFAC's SDN / consolidated CSV set")
    if part is not _PRIMARY:
        return _parse_companion(path, limits, part)
    rows = list(_rows(path, limits, _PRIMARY))
    consolidated = _is_consolidated([_programs(row[3]) for _, row in rows])
    name = "OFAC consolidated (non-SDN) list" if consolidated else "OFAC SDN list"
    return Parsed(SourceInfo("ofac-sdn-csv", "legacy CSV", name), _csv_entries(path, limits, rows, consolidated))


def _programs(value: str) -> list[str]:
    return [p.strip() for p in _empty(value).strip("[]").split("] [") if p.strip()]


def _parse_companion(path: Path, limits: Limits, part: _Part) -> Parsed:
    lowered = path.name.lower()
    if lowered not in part.names:
        raise InputError(str(path), None, f"is OFAC's {part.role} file, read with its primary file only under OFAC's "
                         f"names ({' / '.join(part.names)} beside {' / '.join(_PRIMARY.names)}); rename it")
    primary_name = _PRIMARY.names[part.names.index(lowered)]
    for _ in _rows(path, limits, part):
        pass
    if _sibling(path, primary_name) is None:
        raise InputError(str(path), None, f"is OFAC's {part.role} file; it is read with its primary file "
                         f"{primary_name}, which is not beside it")
    source = SourceInfo("ofac-sdn-csv", "legacy CSV", f"OFAC {part.role} (read with {primary_name})")
    return Parsed(source, iter(()))


def _csv_entries(path: Path, limits: Limits, rows: list[tuple[int, list[str]]], consolidated: bool) -> Iterator[ListEntry]:
    entries: dict[str, ListEntry] = {}
    remarks: dict[str, str] = {}
    for line, row in rows:
        key = row[0].strip()
        if key in entries:
            raise InputError(str(path), f"line {line}", f"ent_num {key} is listed twice (first at {entries[key].location})")
        entries[key] = _csv_entry(line, row, consolidated)
        remarks[key] = _empty(row[11])
    index = 1 if path.name.lower() == _PRIMARY.names[1] else 0
    companions = {part: _sibling(path, part.names[index]) for part in (_ADDRESSES, _ALIASES, _COMMENTS)}
    if companions[_COMMENTS]:
        for line, row in _rows(companions[_COMMENTS], limits, _COMMENTS):
            remarks[_owner(companions[_COMMENTS], line, row, entries)] += row[1]
    for key, entry in entries.items():
        _read_remarks(remarks[key], entry)
        entry.remarks = remarks[key] or None
    if companions[_ADDRESSES]:
        for line, row in _rows(companions[_ADDRESSES], limits, _ADDRESSES):
            entry = entries[_owner(companions[_ADDRESSES], line, row, entries)]
            fields = [_empty(field) for field in row[2:5]]
            add_unique(entry.addresses, ", ".join(field for field in fields if field))
            add_unique(entry.countries, list_country(fields[2] or None))
    if companions[_ALIASES]:
        for line, row in _rows(companions[_ALIASES], limits, _ALIASES):
            entry = entries[_owner(companions[_ALIASES], line, row, entries)]
            alias = _empty(row[3])
            if alias and alias != entry.name:
                add_unique(entry.aliases, alias)
    yield from entries.values()


def _owner(path: Path, line: int, row: list[str], entries: dict[str, ListEntry]) -> str:
    key = row[0].strip()
    if key not in entries:
        raise InputError(str(path), f"line {line}", f"ent_num {key} is not in the primary file beside it "
                         "(are the files from the same publication?)")
    return key


def _csv_entry(line: int, row: list[str], consolidated: bool) -> ListEntry:
    programs = _programs(row[3])
    kind = _empty(row[2]).lower() or "entity"
    entry = ListEntry(key=row[0].strip(), list_name=_list_of(programs, consolidated), name=_empty(row[1]),
                      location=f"line {line}", entity_type=kind, programs=programs)
    if _empty(row[5]):
        entry.identifiers["call_sign"] = _empty(row[5])
    return entry


# ------------------------------------------------------------------------------ sdnList XML

def _sniff_ofac_xml(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return "<sdnList" in text and "<sdnEntry" in text or text.lstrip().startswith("<sdnList")


_PROGRAM_TAG = re.compile(rb"<(?:\w+:)?program>\s*([^<]*?)\s*</(?:\w+:)?program>")
_ENTRY_TAG = re.compile(rb"<(?:\w+:)?sdnEntry[\s>]")
_PUBLISHED = re.compile(rb"<(?:\w+:)?Publish_Date>\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*<")


def _parse_ofac_xml(path: Path, limits: Limits) -> Parsed:
    check_size(path, limits)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), None, f"cannot be read: {error.strerror}") from None
    entries = _ENTRY_TAG.split(data)[1:]
    consolidated = _is_consolidated([[p.decode("utf-8", "replace") for p in _PROGRAM_TAG.findall(e)] for e in entries])
    name = "OFAC consolidated (non-SDN) list" if consolidated else "OFAC SDN list"
    published = _PUBLISHED.search(data[:4096])
    created = None
    if published:
        month, day, year = (int(part) for part in published.groups())
        created = f"{year:04d}-{month:02d}-{day:02d}"
    return Parsed(SourceInfo("ofac-sdn-xml", "sdnList", name, created), _xml_entries(path, limits, consolidated))


def _xml_entries(path: Path, limits: Limits, consolidated: bool) -> Iterator[ListEntry]:
    seen_root = False
    for _, element, where in iter_xml(path, limits):
        name = xml_local(element.tag)
        if where.count("/") == 1:
            seen_root = True
            if name != "sdnList":
                raise InputError(str(path), where, f"expected the root element sdnList, found {name}")
        elif name == "sdnEntry" and where.count("/") == 2:
            yield _xml_entry(path, element, where, consolidated)
            element.clear()
    if not seen_root:
        raise InputError(str(path), None, "expected an sdnList document")


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if xml_local(child.tag) == name]


def _text(element: etree._Element, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "").strip() if found else ""


def _person_name(element: etree._Element) -> str:
    last, first = _text(element, "lastName"), _text(element, "firstName")
    return f"{last}, {first}" if last and first else last or first


def _xml_entry(path: Path, element: etree._Element, where: str, consolidated: bool) -> ListEntry:
    uid, name = _text(element, "uid"), _person_name(element)
    if not uid:
        raise InputError(str(path), where, "expected a uid in the sdnEntry")
    if not name:
        raise InputError(str(path), where, "expected a lastName in the sdnEntry")
    programs = [(p.text or "").strip() for group in _children(element, "programList") for p in _children(group, "program")]
    entry = ListEntry(key=uid, list_name=_list_of(programs, consolidated), name=name, location=where,
                      entity_type=_text(element, "sdnType").lower() or None, programs=[p for p in programs if p],
                      remarks=_text(element, "remarks") or None)
    for group in _children(element, "akaList"):
        for aka in _children(group, "aka"):
            alias = _person_name(aka)
            if alias != name:
                add_unique(entry.aliases, alias)
    for group in _children(element, "addressList"):
        for address in _children(group, "address"):
            parts = [_text(address, key) for key in ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode", "country")]
            add_unique(entry.addresses, ", ".join(part for part in parts if part))
            add_unique(entry.countries, list_country(parts[-1] or None))
    for list_name, item_name in (("nationalityList", "nationality"), ("citizenshipList", "citizenship")):
        for group in _children(element, list_name):
            for item in _children(group, item_name):
                add_unique(entry.countries, list_country(_text(item, "country") or None))
    for group in _children(element, "idList"):
        for found in _children(group, "id"):
            add_identifier(entry.identifiers, _text(found, "idType"), _text(found, "idNumber"),
                           list_country(_text(found, "idCountry") or None))
    if _text(element, "callSign"):
        entry.identifiers["call_sign"] = _text(element, "callSign")
    _read_remarks(entry.remarks or "", entry)
    return entry


OFAC_FORMATS: list[Format] = [
    Format("ofac-sdn-csv", _sniff_ofac_csv, _parse_ofac_csv,
           "OFAC SDN / consolidated list, legacy CSV set (sdn.csv with add.csv, alt.csv, sdn_comments.csv; cons_*.csv)"),
    Format("ofac-sdn-xml", _sniff_ofac_xml, _parse_ofac_xml, "OFAC SDN / consolidated list, legacy sdnList XML"),
]
