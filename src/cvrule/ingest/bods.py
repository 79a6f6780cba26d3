"""Open Ownership Beneficial Ownership Data Standard (BODS) 0.1 to 0.4: who owns or controls an
entity, as a JSON array of statements or JSON Lines (one statement per line).

* Entity statements -> PartyFact (key: recordId in 0.4, statementID in 0.1-0.3; entityType
  state/stateBody -> government, anonymous/unknown entities -> unknown), person statements ->
  PartyFact(kind="individual") with nationality as country and residence from addresses or tax
  residencies.
* Relationship records (0.4) and ownership-or-control statements (0.1-0.3) -> one fact per
  interest: shareholding / votingRights -> OwnershipFact with the share as a fraction range;
  board, influence, nominee and contract interests -> ControlFact; economic and unknown interests
  -> OwnershipFact(interest="unknown") with the BODS type in detail.
* Unspecified parties (an interestedParty that is a reason, not a record) -> PartyFact(kind="unknown").

Versions are decided clearly: a file is one version; statements that declare bodsVersion must
agree (statements that declare none take the file's); 0.4 statements are checked against the
0.4 schema and are only read as an array or JSON Lines, as the 0.4 schema says; a 0.1-0.3 file
may be one bare statement object, as the 0.3 examples publish them. A version cvrule does not
know (0.999, a dict) is refused rather than guessed at.

In 0.4 several statements of one record are its history: the latest (by statementDate, then file
order) is read; a closed relationship ends on its closing statement's date when it gives no end.
In 0.1-0.3 a statement replaced by a later one (replacesStatements) keeps its party with status
"replaced", and a replaced ownership-or-control statement is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from cvrule.errors import InputError
from cvrule.ingest.base import Format, Parsed, check_size, load_json, pointer
from cvrule.ingest.bods_check import (
    LEGACY_INTEREST_TYPES,
    check_share,
    check_statement_04,
    check_statement_legacy,
)
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import ControlFact, Fact, OwnershipFact, PartyFact, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.ingest.ownership_values import add_lei, identifier_scheme, kind_of, parse_date

__all__ = ["FORMATS", "interest_facts"]

_KNOWN_VERSIONS = ("0.1", "0.2", "0.3", "0.4")


@dataclass(slots=True)
class _Statement:
    body: dict[str, Any]
    where: str
    """Base of pointers inside the statement: "/3" in an array, "line 4 " in JSON Lines."""

    @property
    def location(self) -> str:
        return self.where.strip()

    def at(self, *parts: object) -> str:
        return self.where + pointer(*parts)


# ---------------------------------------------------------------------------------------------
# Reading the statements


def _read(path: Path, limits: Limits) -> tuple[list[_Statement], bool]:
    """The statements and whether the file was one bare object."""
    file = str(path)
    check_size(path, limits)
    data = path.read_bytes()
    try:
        document = load_json(path, limits, data)
    except InputError as error:
        if not error.message.startswith("not valid JSON") or not _looks_like_json_lines(data):
            raise
        return _read_json_lines(path, limits, data), False
    if isinstance(document, list):
        return [_statement(item, file, f"/{index}") for index, item in enumerate(document)], False
    if isinstance(document, dict):
        return [_statement(document, file, "")], True
    raise InputError(file, "/", f"expected a JSON array of BODS statements, found {kind_of(document)}")


def _statement(item: Any, file: str, where: str) -> _Statement:
    if not isinstance(item, dict):
        raise InputError(file, where or "/", f"expected a BODS statement object, found {kind_of(item)}")
    return _Statement(item, where)


def _looks_like_json_lines(data: bytes) -> bool:
    for line in data.splitlines():
        if line.strip():
            try:
                return isinstance(orjson.loads(line), dict)
            except orjson.JSONDecodeError:
                return False
    return False


def _read_json_lines(path: Path, limits: Limits, data: bytes) -> list[_Statement]:
    """JSON Lines, parsed as one array built line for line, so errors keep the file's line numbers."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    filled = [number for number, line in enumerate(lines) if line.strip()]
    separated = set(filled[:-1])
    joined = [line + b"," if number in separated else line for number, line in enumerate(lines)]
    document = load_json(path, limits, b"[" + b"\n".join(joined) + b"]")
    return [_statement(item, str(path), f"line {number + 1} ") for item, number in zip(document, filled)]


# ---------------------------------------------------------------------------------------------
# Version


_VERSION_TEXT = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?$")


def _file_version(statements: list[_Statement], file: str) -> tuple[str, str | None]:
    """("0.4" or "legacy", the declared version)."""
    modern = [s for s in statements if {"statementId", "recordId", "recordType", "recordDetails"} & s.body.keys()]
    legacy = [s for s in statements if {"statementID", "statementType"} & s.body.keys()]
    if modern and legacy:
        later = legacy[0] if statements.index(modern[0]) < statements.index(legacy[0]) else modern[0]
        raise InputError(file, later.location or "/",
                         "expected one BODS version in a file, found 0.4 statements mixed with 0.1-0.3 statements")
    shape = "0.4" if modern or not legacy else "legacy"
    if statements and not modern and not legacy:
        raise InputError(file, statements[0].location or "/",
                         "expected a BODS statement (statementId and recordType, or statementID and statementType)")
    declared: str | None = None
    for statement in statements:
        details = statement.body.get("publicationDetails")
        if not isinstance(details, dict) or "bodsVersion" not in details:
            continue
        raw = details["bodsVersion"]
        where = statement.at("publicationDetails", "bodsVersion")
        if not isinstance(raw, str):
            raise InputError(file, where, f"expected bodsVersion as a string such as \"0.4\", found {kind_of(raw)}")
        if not raw.strip():
            continue
        match = _VERSION_TEXT.match(raw.strip())
        version = f"{int(match.group(1))}.{int(match.group(2))}" if match else raw
        if version not in _KNOWN_VERSIONS:
            raise InputError(file, where, f"expected a BODS version cvrule reads ({', '.join(_KNOWN_VERSIONS)}), found {raw!r}")
        if (version == "0.4") != (shape == "0.4"):
            raise InputError(file, where, f"bodsVersion {raw!r} does not match the statement's shape "
                                          f"({'0.4' if shape == '0.4' else '0.1-0.3'} field names)")
        if declared is not None and version != declared:
            raise InputError(file, where, f"expected one BODS version in a file, found {declared} and {version}")
        declared = version
    return shape, declared


# ---------------------------------------------------------------------------------------------
# Interests -> facts (shared by all versions; types in 0.4 vocabulary)

_OWNERSHIP_INTERESTS = {"shareholding": "shareholding", "votingRights": "voting"}
_CONTROL_INTERESTS = {
    "appointmentOfBoard": "board_majority",
    "boardMember": "board_seat",
    "boardChair": "board_seat",
    "otherInfluenceOrControl": "other",
    "controlViaCompanyRulesOrArticles": "other",
    "controlByLegalFramework": "other",
    "seniorManagingOfficial": "other",
    "settlor": "other",
    "trustee": "other",
    "protector": "other",
    "nominee": "agent",
    "nominator": "agent",
    "rightsGrantedByContract": "contract",
    "conditionalRightsGrantedByContract": "contract",
}
_DIRECT = {"direct": True, "indirect": False}


def interest_facts(owner: str, owned: str, interest: dict[str, Any], kind: str | None, file: str, where: str,
                   closed_on: date | None = None) -> Fact:
    """One BODS interest (type already in 0.4 vocabulary) as an OwnershipFact or ControlFact."""
    start = parse_date(interest["startDate"], file, f"{where}/startDate") if "startDate" in interest else None
    end = parse_date(interest["endDate"], file, f"{where}/endDate") if "endDate" in interest else None
    if start and end and end < start:
        raise InputError(file, where, f"expected the interest to end after it starts, found start {start} and end {end}")
    note = interest.get("details") if isinstance(interest.get("details"), str) else None
    if end is None and closed_on is not None:
        end = closed_on
        note = "; ".join(filter(None, (note, f"record closed on {closed_on}")))
    if kind in _CONTROL_INTERESTS:
        control = _CONTROL_INTERESTS[kind]
        detail = kind if control in ("other", "agent", "contract") else None
        return ControlFact(by=owner, over=owned, kind=control, location=where, start=start, end=end,
                           detail="; ".join(filter(None, (detail, note))) or None)
    share = interest.get("share")
    fact = OwnershipFact(owner=owner, owned=owned, location=where, interest=_OWNERSHIP_INTERESTS.get(kind or "", "unknown"),
                         direct=_DIRECT.get(interest.get("directOrIndirect", interest.get("interestLevel"))),
                         start=start, end=end)
    if kind not in _OWNERSHIP_INTERESTS:
        note = "; ".join(filter(None, (kind or "interest of unstated type", note)))
    fact.detail = note or None
    if isinstance(share, dict):
        check_share(share, file, f"{where}/share")
        if "exact" in share:
            fact.share_min = fact.share_max = share["exact"] / 100
        for name, exclusive in (("minimum", False), ("exclusiveMinimum", True)):
            if name in share:
                fact.share_min, fact.min_exclusive = share[name] / 100, exclusive
        for name, exclusive in (("maximum", False), ("exclusiveMaximum", True)):
            if name in share:
                fact.share_max, fact.max_exclusive = share[name] / 100, exclusive
    elif share is not None:
        raise InputError(file, f"{where}/share", f"expected a share object, found {kind_of(share)}")
    return fact


def _relationship_facts(owner: str, owned: str, interests: list[Any], normalize: dict[str, str] | None,
                        file: str, where: str, closed_on: date | None = None) -> list[Fact]:
    if not interests:
        return [OwnershipFact(owner=owner, owned=owned, location=where, interest="unknown", direct=None,
                              end=closed_on, detail="relationship without stated interests")]
    facts = []
    for index, interest in enumerate(interests):
        kind = interest.get("type")
        if normalize is not None and kind is not None:
            kind = normalize[kind]
        facts.append(interest_facts(owner, owned, interest, kind, file, f"{where}/interests/{index}", closed_on))
    return facts


# ---------------------------------------------------------------------------------------------
# Parties (shared pieces)


def _identifiers(items: list[Any], own_key: str) -> dict[str, str]:
    identifiers: dict[str, str] = {}
    for item in items or ():
        scheme = item.get("scheme") or item.get("schemeName")
        value = item.get("id") or item.get("uri")
        if not scheme or not value:
            continue
        name = identifier_scheme(scheme)
        if name == "lei":
            add_lei(identifiers, value)
        else:
            identifiers.setdefault(name, value)
    identifiers["bods"] = own_key
    return identifiers


def _country(value: Any) -> str | None:
    """An ISO alpha-2 from a BODS country object ({name, code}) or a plain code (0.1/0.2 addresses)."""
    if isinstance(value, str):
        return normalize_country(value)
    if isinstance(value, dict):
        return normalize_country(value.get("code")) or normalize_country(value.get("name"))
    return None


def _entity_kind(entity_type: str | None) -> str:
    if entity_type in ("state", "stateBody"):
        return "government"
    if entity_type in ("anonymousEntity", "unknownEntity"):
        return "unknown"
    return "organization"


def _entity_party(key: str, details: dict[str, Any], entity_type: str | None, where: str, status: str | None,
                  unspecified: Any) -> PartyFact:
    jurisdiction = details.get("jurisdiction") or {}
    raw = jurisdiction.get("code") or jurisdiction.get("name")
    business = [a.get("country") for a in details.get("addresses") or () if a.get("type") == "business"]
    name = details.get("name")
    if not name:
        reason = unspecified.get("reason") if isinstance(unspecified, dict) else None
        name = f"({entity_type or 'entity'}{': ' + reason if reason else ''})"
    return PartyFact(
        key=key, name=name, location=where, kind=_entity_kind(entity_type),
        country=normalize_country(jurisdiction.get("code")) or normalize_country(jurisdiction.get("name")),
        headquarters=_country(business[0]) if business else None,
        jurisdiction_raw=raw, identifiers=_identifiers(details.get("identifiers"), key),
        aliases=[n for n in dict.fromkeys(details.get("alternateNames") or ()) if n and n != name], status=status,
    )


def _person_party(key: str, details: dict[str, Any], where: str, status: str | None, unspecified: Any) -> PartyFact:
    names = [n for n in details.get("names") or () if n.get("fullName")]
    names.sort(key=lambda n: n.get("type") not in ("legal", "individual"))
    full_names = list(dict.fromkeys(n["fullName"] for n in names))
    if full_names:
        name = full_names[0]
    else:
        reason = unspecified.get("reason") if isinstance(unspecified, dict) else details.get("missingInfoReason")
        name = f"({details.get('personType') or 'person'}{': ' + reason if isinstance(reason, str) else ''})"
    nationalities = [c for c in dict.fromkeys(_country(n) for n in details.get("nationalities") or ()) if c]
    residence = next((c for c in (_country(a.get("country")) for a in details.get("addresses") or ()
                                  if a.get("type") == "residence") if c), None)
    if residence is None:
        residence = next((c for c in map(_country, details.get("taxResidencies") or ()) if c), None)
    identifiers = _identifiers(details.get("identifiers"), key)
    if len(nationalities) > 1:
        identifiers["nationalities"] = ",".join(nationalities)
    return PartyFact(key=key, name=name, location=where, kind="individual",
                     country=nationalities[0] if nationalities else None, residence=residence,
                     identifiers=identifiers, aliases=full_names[1:], status=status)


def _unspecified_party(key: str, value: dict[str, Any], role: str, where: str) -> PartyFact:
    reason = value.get("reason")
    return PartyFact(key=key, name=f"(unspecified {role}{': ' + reason if isinstance(reason, str) else ''})",
                     location=where, kind="unknown", identifiers={"bods": key})


# ---------------------------------------------------------------------------------------------
# BODS 0.4


def _facts_04(statements: list[_Statement], file: str) -> Iterator[Fact]:
    record_types: dict[str, str] = {}
    latest: dict[str, _Statement] = {}
    for statement in statements:
        body = statement.body
        check_statement_04(body, file, statement.where)
        record_id = body["recordId"]
        if record_types.setdefault(record_id, body["recordType"]) != body["recordType"]:
            raise InputError(file, statement.at("recordType"),
                             f"recordId {record_id!r} is used for a {record_types[record_id]} and a {body['recordType']} record")
        current = latest.get(record_id)
        if current is None or body["statementDate"][:10] >= current.body["statementDate"][:10]:
            latest[record_id] = statement
    for statement in statements:
        body = statement.body
        if body["recordType"] != "relationship":
            continue
        details = body["recordDetails"]
        for role, wrong in (("subject", ("person", "relationship")), ("interestedParty", ("relationship",))):
            target = details[role]
            if isinstance(target, str) and target != body["recordId"] and record_types.get(target) in wrong:
                expected = "an entity" if role == "subject" else "an entity or person"
                raise InputError(file, statement.at("recordDetails", role),
                                 f"expected {role} to refer to {expected} record, {target!r} is a {record_types[target]}")
    for statement in statements:
        if latest[statement.body["recordId"]] is statement:
            yield from _record_facts_04(statement, file)


def _record_facts_04(statement: _Statement, file: str) -> Iterator[Fact]:
    body = statement.body
    details = body["recordDetails"]
    key = body["recordId"]
    status = body.get("recordStatus")
    where = statement.location or "/"
    if body["recordType"] == "entity":
        yield _entity_party(key, details, details["entityType"]["type"], where, status, details.get("unspecifiedEntityDetails"))
        return
    if body["recordType"] == "person":
        yield _person_party(key, details, where, status, details.get("unspecifiedPersonDetails"))
        return
    ends = parse_date(body["statementDate"], file, statement.at("statementDate")) if status == "closed" else None
    parties = []
    for role in ("subject", "interestedParty"):
        target = details[role]
        if isinstance(target, dict):
            party_key = f"{key}/{role}"
            yield _unspecified_party(party_key, target, "subject" if role == "subject" else "interested party", where)
            parties.append(party_key)
        else:
            parties.append(target)
    owned, owner = parties
    yield from _relationship_facts(owner, owned, details.get("interests") or [], None, file,
                                   statement.at("recordDetails"), ends)


# ---------------------------------------------------------------------------------------------
# BODS 0.1 - 0.3

_STATEMENT_KIND = {"describedByEntityStatement": "entityStatement", "describedByPersonStatement": "personStatement"}


def _facts_legacy(statements: list[_Statement], file: str) -> Iterator[Fact]:
    by_id: dict[str, _Statement] = {}
    replaced: set[str] = set()
    for statement in statements:
        check_statement_legacy(statement.body, file, statement.where)
        statement_id = statement.body["statementID"]
        earlier = by_id.get(statement_id)
        if earlier is not None and earlier.body != statement.body and _is_party(earlier) and _is_party(statement):
            raise InputError(file, statement.at("statementID"),
                             f"expected a unique statementID, {statement_id!r} is also used at {earlier.location or '/'}")
        if earlier is None or _is_party(statement):
            by_id[statement_id] = statement
        replaced.update(statement.body.get("replacesStatements") or ())
    emitted_bodies: dict[str, list[dict[str, Any]]] = {}
    for statement in statements:
        body = statement.body
        statement_id = body["statementID"]
        if statement.body in emitted_bodies.get(statement_id, ()):
            continue
        emitted_bodies.setdefault(statement_id, []).append(body)
        where = statement.location or "/"
        status = "replaced" if statement_id in replaced else None
        if body["statementType"] == "entityStatement":
            yield _entity_party(statement_id, body, body.get("entityType"), where, status, body.get("unspecifiedEntityDetails"))
        elif body["statementType"] == "personStatement":
            yield _person_party(statement_id, body, where, status, body.get("unspecifiedPersonDetails"))
        elif statement_id not in replaced:
            yield from _ownership_statement_facts(statement, by_id, file)


def _is_party(statement: _Statement) -> bool:
    return statement.body["statementType"] != "ownershipOrControlStatement"


def _ownership_statement_facts(statement: _Statement, by_id: dict[str, _Statement], file: str) -> Iterator[Fact]:
    body = statement.body
    where = statement.location or "/"
    owned = body["subject"]["describedByEntityStatement"]
    _check_reference(owned, "entityStatement", by_id, file, statement.at("subject", "describedByEntityStatement"))
    party = body["interestedParty"]
    owner = None
    for field_name, kind in _STATEMENT_KIND.items():
        if field_name in party:
            owner = party[field_name]
            _check_reference(owner, kind, by_id, file, statement.at("interestedParty", field_name))
            break
    if owner is None:
        owner = f"{body['statementID']}/interestedParty"
        yield _unspecified_party(owner, party.get("unspecified") or {}, "interested party", where)
    yield from _relationship_facts(owner, owned, body.get("interests") or [], LEGACY_INTEREST_TYPES, file,
                                   statement.where.strip(), None)


def _check_reference(target: str, kind: str, by_id: dict[str, _Statement], file: str, where: str) -> None:
    found = by_id.get(target)
    if found is not None and found.body["statementType"] != kind:
        raise InputError(file, where, f"expected a reference to an {kind}, {target!r} is a {found.body['statementType']}")


# ---------------------------------------------------------------------------------------------


def parse(path: Path, limits: Limits) -> Parsed:
    file = str(path)
    statements, bare = _read(path, limits)
    shape, declared = _file_version(statements, file)
    if shape == "0.4":
        if bare:
            raise InputError(file, "/", "expected a JSON array of BODS 0.4 statements (or JSON Lines), found a single object")
        return Parsed(SourceInfo(format="bods", format_version=declared or ("0.4" if statements else None)), _facts_04(statements, file))
    return Parsed(SourceInfo(format="bods", format_version=declared), _facts_legacy(statements, file))


_MARKERS = (b'"statementId"', b'"statementID"', b'"recordDetails"')
_SCHEMA = re.compile(rb'"\$schema"\s*:')
_LEGACY_TYPE = re.compile(rb'"statementType"\s*:\s*"(entityStatement|personStatement|ownershipOrControlStatement)"')


def sniff(head: bytes, path: Path) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start not in (b"[", b"{") or _SCHEMA.search(head):
        return False
    if any(marker in head for marker in _MARKERS):
        return True
    return b'"recordType"' in head or _LEGACY_TYPE.search(head) is not None


FORMATS: list[Format] = [Format("bods", sniff, parse, "Open Ownership BODS 0.1-0.4 statements (JSON array or JSON Lines)")]
