"""FollowTheMoney (FtM) entities as JSON Lines: one `{"id", "schema", "properties"}` object per
line, every property a list of strings (or, in nested exports, of entity objects).

* Company / Organization / LegalEntity / PublicBody (government) / Person (individual) ->
  PartyFact: country from jurisdiction, else country (Person: nationality, citizenship, then
  country), lower-case codes normalized; leiCode, innCode, ogrnCode, uscCode, dunsCode,
  registrationNumber, taxNumber -> identifiers; names beyond the first, alias, previousName and
  weakAlias -> aliases.
* Ownership -> OwnershipFact (percentage -> exact share; ownershipType "indirect" -> not direct).
* Directorship -> ControlFact(kind="board_seat").
* Sanction -> Attestation(field="ftm_sanction") on the sanctioned entity.

Other schemata (Address, Identification, Payment, ...) carry nothing cvrule reasons about and are
skipped. FtM dates may be partial ("2019", "2019-05"): a start is read as the first day, an end
as the last day of the period written.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from cvrule.errors import InputError
from cvrule.ingest.base import Format, Parsed, check_size
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import Attestation, ControlFact, Fact, OwnershipFact, PartyFact, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.ingest.ownership_values import add_lei, add_national_ids, kind_of, percent_to_fraction

__all__ = ["FORMATS"]

_PARTY_KINDS = {
    "Company": "organization",
    "Organization": "organization",
    "LegalEntity": "organization",
    "PublicBody": "government",
    "Person": "individual",
}
_IDENTIFIER_PROPERTIES = {
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "uscCode": "uscc",
    "dunsCode": "duns",
    "registrationNumber": "registration",
    "taxNumber": "tax",
    "uniqueEntityId": "sam_uei",
}
_ALIAS_PROPERTIES = ("alias", "previousName", "weakAlias")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class _Entity:
    """One FtM line, with typed access to its properties and the place of each for errors."""

    __slots__ = ("file", "id", "properties", "schema", "where")

    def __init__(self, value: Any, file: str, where: str):
        if not isinstance(value, dict):
            raise InputError(file, where, f"expected an FtM entity object, found {kind_of(value)}")
        self.file, self.where = file, where
        self.id = value.get("id")
        self.schema = value.get("schema")
        self.properties = value.get("properties", {})
        if not isinstance(self.id, str) or not self.id:
            raise InputError(file, f"{where} /id", f"expected the entity id as a string, found {kind_of(self.id)}")
        if not isinstance(self.schema, str) or not self.schema:
            raise InputError(file, f"{where} /schema", f"expected the schema name as a string, found {kind_of(self.schema)}")
        if not isinstance(self.properties, dict):
            raise InputError(file, f"{where} /properties", f"expected an object of properties, found {kind_of(self.properties)}")

    def values(self, name: str) -> list[str]:
        raw = self.properties.get(name)
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise InputError(self.file, f"{self.where} /properties/{name}", f"expected a list of values (every FtM property is a list), found {kind_of(raw)}")
        out = []
        for index, value in enumerate(raw):
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                value = value["id"]  # a nested entity: its id is the reference
            if not isinstance(value, str):
                raise InputError(self.file, f"{self.where} /properties/{name}/{index}", f"expected a string, found {kind_of(value)}")
            if value.strip():
                out.append(value.strip())
        return out

    def first(self, *names: str) -> str | None:
        for name in names:
            found = self.values(name)
            if found:
                return found[0]
        return None

    def date(self, name: str, *, end: bool = False) -> date | None:
        text = self.first(name)
        if text is None:
            return None
        match = _PARTIAL_DATE.match(text)
        where = f"{self.where} /properties/{name}"
        if not match:
            raise InputError(self.file, where, f"expected a date (YYYY, YYYY-MM or YYYY-MM-DD), found {text!r}")
        year, month, day = int(match.group(1)), match.group(2), match.group(3)
        try:
            if day:
                return date(year, int(month), int(day))
            if month:
                month_number = int(month)
                return date(year, month_number, calendar.monthrange(year, month_number)[1] if end else 1)
            return date(year, 12, 31) if end else date(year, 1, 1)
        except ValueError:
            raise InputError(self.file, where, f"expected a real calendar date, found {text!r}") from None


def _party(entity: _Entity) -> PartyFact:
    names = entity.values("name")
    aliases = names[1:] + [alias for prop in _ALIAS_PROPERTIES for alias in entity.values(prop)]
    kind = _PARTY_KINDS[entity.schema]
    if kind == "individual":
        raw = entity.first("nationality", "citizenship", "country")
    else:
        raw = entity.first("jurisdiction", "country")
    country = normalize_country(raw)
    identifiers: dict[str, str] = {"ftm": entity.id}
    for lei in entity.values("leiCode")[:1]:
        add_lei(identifiers, lei)
    for prop, scheme in _IDENTIFIER_PROPERTIES.items():
        value = entity.first(prop)
        if value:
            identifiers.setdefault(scheme, value)
    add_national_ids(identifiers, country, identifiers.get("registration"))
    headquarters = normalize_country(entity.first("mainCountry")) if kind != "individual" else None
    residence = normalize_country(entity.first("country")) if kind == "individual" else None
    name = names[0] if names else f"({entity.schema} {entity.id})"
    return PartyFact(
        key=entity.id, name=name, location=entity.where, kind=kind, country=country,
        headquarters=headquarters, residence=residence, jurisdiction_raw=raw, identifiers=identifiers,
        aliases=[alias for alias in dict.fromkeys(aliases) if alias != name], status=entity.first("status"),
    )


def _required_reference(entity: _Entity, name: str) -> str:
    value = entity.first(name)
    if value is None:
        raise InputError(entity.file, f"{entity.where} /properties/{name}", f"expected the {name} of the {entity.schema}")
    return value


def _ownership(entity: _Entity) -> OwnershipFact:
    fact = OwnershipFact(
        owner=_required_reference(entity, "owner"), owned=_required_reference(entity, "asset"), location=entity.where,
        start=entity.date("startDate"), end=entity.date("endDate", end=True),
    )
    percentage = entity.first("percentage")
    if percentage is not None:
        fact.share_min = fact.share_max = percent_to_fraction(percentage, entity.file, f"{entity.where} /properties/percentage")
    ownership_type = (entity.first("ownershipType") or "").lower()
    if "indirect" in ownership_type or "ultimate" in ownership_type:
        fact.direct = False
    elif "direct" not in ownership_type:
        fact.direct = None  # FtM does not say
    details = [text for text in (entity.first("ownershipType"), entity.first("role"), entity.first("sharesType")) if text]
    fact.detail = "; ".join(details) or None
    return fact


def _directorship(entity: _Entity) -> ControlFact:
    return ControlFact(
        by=_required_reference(entity, "director"), over=_required_reference(entity, "organization"), kind="board_seat",
        location=entity.where, start=entity.date("startDate"), end=entity.date("endDate", end=True),
        detail=entity.first("role"),
    )


def _sanction(entity: _Entity) -> Attestation:
    parts = [entity.first(name) for name in ("authority", "program", "reason", "startDate", "endDate")]
    text = "; ".join(part for part in parts if part) or "sanctioned"
    return Attestation(subject=_required_reference(entity, "entity"), field="ftm_sanction", value=text, location=entity.where)


def _facts(path: Path, limits: Limits) -> Iterator[Fact]:
    file = str(path)
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            where = f"line {number}"
            if number > limits.max_elements:
                raise InputError(file, where, f"more lines than the limit max_elements={limits.max_elements:,}")
            if len(line) > limits.max_string_bytes:
                raise InputError(file, where, f"line longer than the limit max_string_bytes={limits.max_string_bytes:,}")
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                raise InputError(file, f"{where}, column {error.colno}", f"expected one FtM entity as JSON per line: {error.msg}") from None
            entity = _Entity(value, file, where)
            if entity.schema in _PARTY_KINDS:
                yield _party(entity)
            elif entity.schema == "Ownership":
                yield _ownership(entity)
            elif entity.schema == "Directorship":
                yield _directorship(entity)
            elif entity.schema == "Sanction":
                yield _sanction(entity)


def parse(path: Path, limits: Limits) -> Parsed:
    check_size(path, limits)
    return Parsed(SourceInfo(format="ftm"), _facts(path, limits))


_FIRST_KEYS = re.compile(rb'"schema"\s*:\s*"[A-Z][A-Za-z]*"')


def sniff(head: bytes, path: Path) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        return False
    first_line = text.split(b"\n", 1)[0]
    return _FIRST_KEYS.search(first_line) is not None and b'"properties"' in first_line and b'"id"' in first_line


FORMATS: list[Format] = [Format("ftm", sniff, parse, "FollowTheMoney entities (JSON Lines)")]
