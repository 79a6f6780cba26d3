"""The BODS 0.4 statement schema (openownership/data-standard, schema/*.json, Apache-2.0), written
out as a table of checks, and the few rules across statements that decide what the facts mean.

A statement that breaks the schema is refused with the JSON pointer of the first value that
breaks it and what was expected there, as a JSON Schema validator would, without its cost or a
new dependency. The cross-statement rules (in `bods`) refuse only what would make the
ownership facts wrong or ambiguous: a referenced id (0.4 recordId, 0.1-0.3 entity or person
statementID) used for two different records, a subject that is a person or another relationship,
an interested party that is another relationship, share bounds
that contradict each other (an exact share restated as minimum = maximum is fine), and an interest that ends before it starts. Data-quality warnings of
CoVE-BODS (future dates, implausible birth dates, unknown identifier schemes, statement order,
trust and nominee conventions, annotation pointers, repeated 0.4 statementIds, which nothing
refers to) are not reading errors and are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cvrule.errors import InputError
from cvrule.ingest.ownership_values import kind_of

__all__ = ["INTEREST_TYPES", "LEGACY_INTEREST_TYPES", "check_share", "check_statement_04", "check_statement_legacy", "date_format", "is_uri"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-(1[0-2]|0[1-9]))?$")
_VERSION = re.compile(r"^\d+\.\d+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")


def _real_date(text: str) -> bool:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def is_uri(text: str) -> bool:
    """An absolute URI (RFC 3986: a scheme, a colon, no spaces)."""
    return _URI.match(text) is not None


def date_format(text: str, shape: str) -> bool:
    if shape == "date":
        return _DATE.match(text) is not None and _real_date(text)
    if shape == "date-time":
        return (_DATE.match(text) is not None or _DATE_TIME.match(text) is not None) and _real_date(text)
    if shape == "partial-date":
        return _PARTIAL_DATE.match(text) is not None or (_DATE.match(text) is not None and _real_date(text))
    raise ValueError(shape)


_FORMATS: dict[str, tuple[Callable[[str], bool], str]] = {
    "date": (lambda text: date_format(text, "date"), "a date (YYYY-MM-DD)"),
    "date-time": (lambda text: date_format(text, "date-time"), "a date (YYYY-MM-DD) or date-time (RFC 3339)"),
    "partial-date": (lambda text: date_format(text, "partial-date"), "a date, YYYY-MM or YYYY"),
    "uri": (is_uri, "an absolute URI (with a scheme such as https:)"),
    "version": (lambda text: _VERSION.match(text) is not None, "a version such as 0.4"),
}


class Spec:
    def check(self, value: Any, file: str, where: str) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Str(Spec):
    min_length: int = 0
    max_length: int | None = None
    enum: tuple[str, ...] = ()
    shape: str | None = None

    def check(self, value: Any, file: str, where: str) -> None:
        if not isinstance(value, str):
            raise InputError(file, where or "/", f"expected a string, found {kind_of(value)}")
        if len(value) < self.min_length or (self.max_length is not None and len(value) > self.max_length):
            bound = f"{self.min_length} to {self.max_length}" if self.max_length is not None else f"at least {self.min_length}"
            raise InputError(file, where or "/", f"expected {bound} characters, found {len(value)}")
        if self.enum and value not in self.enum:
            raise InputError(file, where or "/", f"expected one of {', '.join(self.enum)}, found {value!r}")
        if self.shape:
            test, description = _FORMATS[self.shape]
            if not test(value):
                raise InputError(file, where or "/", f"expected {description}, found {value!r}")


@dataclass(frozen=True)
class Num(Spec):
    def check(self, value: Any, file: str, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(file, where or "/", f"expected a number from 0 to 100, found {kind_of(value)}")
        if not 0 <= value <= 100:
            raise InputError(file, where or "/", f"expected a number from 0 to 100, found {value}")


@dataclass(frozen=True)
class Bool(Spec):
    def check(self, value: Any, file: str, where: str) -> None:
        if not isinstance(value, bool):
            raise InputError(file, where or "/", f"expected true or false, found {kind_of(value)}")


@dataclass(frozen=True)
class Arr(Spec):
    items: Spec

    def check(self, value: Any, file: str, where: str) -> None:
        if not isinstance(value, list):
            raise InputError(file, where or "/", f"expected an array, found {kind_of(value)}")
        for index, item in enumerate(value):
            self.items.check(item, file, f"{where}/{index}")


@dataclass(frozen=True)
class Obj(Spec):
    properties: dict[str, Spec] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()
    """At least one of these groups of properties must all be present."""

    def check(self, value: Any, file: str, where: str) -> None:
        if not isinstance(value, dict):
            raise InputError(file, where or "/", f"expected an object, found {kind_of(value)}")
        for name in self.required:
            if name not in value:
                raise InputError(file, where or "/", f"expected the required property {name!r}")
        if self.any_of and not any(all(name in value for name in group) for group in self.any_of):
            raise InputError(file, where or "/", "expected at least one of " + " or ".join(repr(g[0]) for g in self.any_of))
        for name, spec in self.properties.items():
            if name in value:
                spec.check(value[name], file, f"{where}/{name}")


@dataclass(frozen=True)
class StrOrObj(Spec):
    obj: Obj

    def check(self, value: Any, file: str, where: str) -> None:
        if isinstance(value, str):
            return
        if not isinstance(value, dict):
            raise InputError(file, where or "/", f"expected a record id (string) or an unspecified-record object, found {kind_of(value)}")
        self.obj.check(value, file, where)


def _enum(*codes: str) -> Str:
    return Str(enum=codes)


# --- components.json -------------------------------------------------------------------------

_TEXT = Str()
_URI_TEXT = Str(shape="uri")
_COUNTRY = Obj({"name": _TEXT, "code": Str(min_length=2, max_length=2)}, required=("name",))
JURISDICTION = Obj({"name": _TEXT, "code": Str(min_length=2, max_length=6)}, required=("name",))
_IDENTIFIER = Obj({"id": _TEXT, "scheme": _TEXT, "schemeName": _TEXT, "uri": _URI_TEXT},
                  any_of=(("scheme",), ("schemeName",)))
_UNSPECIFIED_REASONS = ("noBeneficialOwners", "subjectUnableToConfirmOrIdentifyBeneficialOwner",
                        "interestedPartyHasNotProvidedInformation", "subjectExemptFromDisclosure",
                        "interestedPartyExemptFromDisclosure", "unknown", "informationUnknownToPublisher")
UNSPECIFIED = Obj({"reason": _enum(*_UNSPECIFIED_REASONS), "description": _TEXT}, required=("reason",))
_SOURCE = Obj({
    "type": Arr(_enum("selfDeclaration", "officialRegister", "thirdParty", "primaryResearch", "verified")),
    "description": _TEXT,
    "url": _URI_TEXT,
    "retrievedAt": Str(shape="date-time"),
    "assertedBy": Arr(Obj({"name": _TEXT, "uri": _URI_TEXT})),
})


def _address(*types: str) -> Obj:
    return Obj({"type": _enum(*types), "address": _TEXT, "postCode": _TEXT, "country": _COUNTRY})


# --- statement.json --------------------------------------------------------------------------

_ANNOTATION = Obj({
    "statementPointerTarget": _TEXT,
    "creationDate": Str(shape="date-time"),
    "createdBy": Obj({"name": _TEXT, "uri": _URI_TEXT}),
    "motivation": _enum("commenting", "correcting", "identifying", "linking", "transformation"),
    "description": _TEXT,
    "transformedContent": _TEXT,
    "url": _URI_TEXT,
}, required=("motivation", "statementPointerTarget"))

_STATEMENT = Obj({
    "statementId": Str(min_length=32, max_length=64),
    "statementDate": Str(shape="date-time"),
    "annotations": Arr(_ANNOTATION),
    "publicationDetails": Obj({
        "publicationDate": Str(shape="date-time"),
        "bodsVersion": Str(shape="version"),
        "license": _URI_TEXT,
        "publisher": Obj({"name": _TEXT, "url": _URI_TEXT}, any_of=(("name",), ("url",))),
    }, required=("publicationDate", "bodsVersion", "publisher")),
    "source": _SOURCE,
    "declaration": _TEXT,
    "declarationSubject": _TEXT,
    "recordId": _TEXT,
    "recordType": _enum("entity", "person", "relationship"),
    "recordStatus": _enum("new", "updated", "closed"),
    "recordDetails": Obj(),
}, required=("statementId", "declarationSubject", "recordId", "recordType", "recordDetails", "statementDate"))

# --- entity-record.json ----------------------------------------------------------------------

_SUBTYPES = {
    "arrangement": ("trust", "nomination", "other"),
    "legalEntity": ("trust", "other"),
    "stateBody": ("governmentDepartment", "stateAgency", "other"),
    "registeredEntity": ("other",),
    "state": ("other",),
    "anonymousEntity": ("other",),
    "unknownEntity": ("other",),
}
_SECURITIES_LISTING = Obj({
    "marketIdentifierCode": _TEXT,
    "operatingMarketIdentifierCode": _TEXT,
    "stockExchangeJurisdiction": Str(min_length=2, max_length=6),
    "stockExchangeName": _TEXT,
    "security": Obj({"idScheme": _enum("isin", "figi", "cusip", "cins"), "id": _TEXT, "ticker": _TEXT}, required=("ticker",)),
}, required=("stockExchangeJurisdiction", "security", "stockExchangeName"))
_ENTITY = Obj({
    "isComponent": Bool(),
    "entityType": Obj({
        "type": _enum(*_SUBTYPES),
        "subtype": _enum("governmentDepartment", "stateAgency", "other", "trust", "nomination"),
        "details": _TEXT,
    }, required=("type",)),
    "unspecifiedEntityDetails": UNSPECIFIED,
    "name": _TEXT,
    "alternateNames": Arr(_TEXT),
    "jurisdiction": JURISDICTION,
    "identifiers": Arr(_IDENTIFIER),
    "foundingDate": Str(shape="date"),
    "dissolutionDate": Str(shape="date"),
    "addresses": Arr(_address("registered", "business", "alternative")),
    "uri": _URI_TEXT,
    "publicListing": Obj({
        "hasPublicListing": Bool(),
        "companyFilingsURLs": Arr(_URI_TEXT),
        "securitiesListings": Arr(_SECURITIES_LISTING),
    }, required=("hasPublicListing",)),
    "formedByStatute": Obj({"name": _TEXT, "date": Str(shape="date")}),
}, required=("isComponent", "entityType"))

# --- person-record.json ----------------------------------------------------------------------

_PERSON = Obj({
    "isComponent": Bool(),
    "personType": _enum("anonymousPerson", "unknownPerson", "knownPerson"),
    "unspecifiedPersonDetails": UNSPECIFIED,
    "names": Arr(Obj({
        "type": _enum("legal", "translation", "transliteration", "former", "alternative", "birth"),
        "fullName": _TEXT, "familyName": _TEXT, "givenName": _TEXT, "patronymicName": _TEXT,
    }, required=("fullName",))),
    "identifiers": Arr(_IDENTIFIER),
    "nationalities": Arr(_COUNTRY),
    "placeOfBirth": _address("placeOfBirth"),
    "birthDate": Str(shape="partial-date"),
    "deathDate": Str(shape="partial-date"),
    "taxResidencies": Arr(_COUNTRY),
    "addresses": Arr(_address("residence", "service", "alternative")),
    "politicalExposure": Obj({
        "status": _enum("isPep", "isNotPep", "unknown"),
        "details": Arr(Obj({
            "reason": _TEXT, "missingInfoReason": _TEXT, "jurisdiction": JURISDICTION,
            "startDate": Str(shape="date"), "endDate": Str(shape="date"), "source": _SOURCE,
        })),
    }, required=("status",)),
}, required=("personType", "isComponent"))

# --- relationship-record.json ----------------------------------------------------------------

INTEREST_TYPES = (
    "shareholding", "votingRights", "appointmentOfBoard", "otherInfluenceOrControl", "seniorManagingOfficial",
    "settlor", "trustee", "protector", "beneficiaryOfLegalArrangement", "rightsToSurplusAssetsOnDissolution",
    "rightsToProfitOrIncome", "rightsGrantedByContract", "conditionalRightsGrantedByContract",
    "controlViaCompanyRulesOrArticles", "controlByLegalFramework", "boardMember", "boardChair", "unknownInterest",
    "unpublishedInterest", "enjoymentAndUseOfAssets", "rightToProfitOrIncomeFromAssets", "nominee", "nominator",
)
_RELATIONSHIP = Obj({
    "isComponent": Bool(),
    "componentRecords": Arr(_TEXT),
    "subject": StrOrObj(UNSPECIFIED),
    "interestedParty": StrOrObj(UNSPECIFIED),
    "interests": Arr(Obj({
        "type": _enum(*INTEREST_TYPES),
        "directOrIndirect": _enum("direct", "indirect", "unknown"),
        "beneficialOwnershipOrControl": Bool(),
        "details": _TEXT,
        "share": Obj({name: Num() for name in ("exact", "maximum", "minimum", "exclusiveMinimum", "exclusiveMaximum")}),
        "startDate": Str(shape="date"),
        "endDate": Str(shape="date"),
    })),
}, required=("isComponent", "subject", "interestedParty"))

_RECORDS = {"entity": _ENTITY, "person": _PERSON, "relationship": _RELATIONSHIP}


def check_statement_04(statement: Any, file: str, where: str) -> None:
    """Refuse a statement that breaks the BODS 0.4 schema."""
    _STATEMENT.check(statement, file, where)
    for index, annotation in enumerate(statement.get("annotations") or ()):
        at = f"{where}/annotations/{index}"
        if annotation["motivation"] == "linking" and "url" not in annotation:
            raise InputError(file, at, "expected a url for an annotation with motivation 'linking'")
        if annotation["motivation"] != "transformation" and annotation.get("transformedContent", "") != "":
            raise InputError(file, f"{at}/transformedContent",
                             "expected transformedContent only on an annotation with motivation 'transformation'")
    details = statement["recordDetails"]
    at = f"{where}/recordDetails"
    _RECORDS[statement["recordType"]].check(details, file, at)
    if statement["recordType"] == "entity":
        entity_type = details["entityType"]
        subtype = entity_type.get("subtype")
        allowed = _SUBTYPES[entity_type["type"]]
        if subtype is not None and subtype not in allowed:
            raise InputError(file, f"{at}/entityType/subtype",
                             f"expected a subtype of {entity_type['type']} ({', '.join(allowed)}), found {subtype!r}")
    elif statement["recordType"] == "relationship":
        if details["isComponent"] is True and details.get("componentRecords", []) != []:
            raise InputError(file, f"{at}/componentRecords", "expected no componentRecords on a relationship that is itself a component")


def check_share(share: dict[str, Any], file: str, where: str) -> None:
    """Share bounds that say one thing: exact, or a range whose lower bound is below its upper."""
    bounds = [name for name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if name in share]
    if "exact" in share and bounds:
        if any(name.startswith("exclusive") or share[name] != share["exact"] for name in bounds):
            raise InputError(file, where or "/", "expected either an exact share or a range, found both and they differ")
        return
    if "minimum" in share and "exclusiveMinimum" in share:
        raise InputError(file, where or "/", "expected one lower bound, found both minimum and exclusiveMinimum")
    if "maximum" in share and "exclusiveMaximum" in share:
        raise InputError(file, where or "/", "expected one upper bound, found both maximum and exclusiveMaximum")
    low = share.get("minimum", share.get("exclusiveMinimum"))
    high = share.get("maximum", share.get("exclusiveMaximum"))
    if low is None or high is None:
        return
    if isinstance(low, bool) or isinstance(high, bool) or not isinstance(low, (int, float)) or not isinstance(high, (int, float)):
        raise InputError(file, where or "/", "expected share bounds as numbers from 0 to 100")
    open_range = "exclusiveMinimum" in share or "exclusiveMaximum" in share
    if low > high or (open_range and low == high):
        raise InputError(file, where or "/", f"expected the lower share bound below the upper, found {low} and {high}")


# --- BODS 0.1 to 0.3 -------------------------------------------------------------------------
# Their schemas differ in details cvrule does not read; these checks cover what it reads, the
# statement envelope, and the rules CoVE-BODS enforces as errors for those versions.

LEGACY_INTEREST_TYPES = {
    "voting-rights": "votingRights",
    "appointment-of-board": "appointmentOfBoard",
    "other-influence-or-control": "otherInfluenceOrControl",
    "influence-or-control": "otherInfluenceOrControl",
    "senior-managing-official": "seniorManagingOfficial",
    "settlor-of-trust": "settlor",
    "trustee-of-trust": "trustee",
    "protector-of-trust": "protector",
    "beneficiary-of-trust": "beneficiaryOfLegalArrangement",
    "other-influence-or-control-of-trust": "otherInfluenceOrControl",
    "rights-to-surplus-assets": "rightsToSurplusAssetsOnDissolution",
    "rights-to-surplus-assets-on-dissolution": "rightsToSurplusAssetsOnDissolution",
    "rights-to-profit-or-income": "rightsToProfitOrIncome",
    "rights-granted-by-contract": "rightsGrantedByContract",
    "conditional-rights-granted-by-contract": "conditionalRightsGrantedByContract",
    **{code: code for code in INTEREST_TYPES},
}
_LEGACY_ENTITY_TYPES = ("registeredEntity", "legalEntity", "arrangement", "anonymousEntity", "unknownEntity", "state", "stateBody")
_LEGACY_ADDRESS = Obj({"type": _TEXT, "address": _TEXT, "postCode": _TEXT, "country": _TEXT})
_LEGACY_COUNTRY = Obj({"name": _TEXT, "code": _TEXT})
_LEGACY_IDENTIFIER = Obj({"id": _TEXT, "scheme": _TEXT, "schemeName": _TEXT, "uri": _TEXT})
_LEGACY_ENVELOPE = Obj({
    "statementID": Str(min_length=32, max_length=64),
    "statementType": _enum("entityStatement", "personStatement", "ownershipOrControlStatement"),
    "statementDate": Str(shape="date-time"),
    "isComponent": Bool(),
    "replacesStatements": Arr(Str(min_length=32, max_length=64)),
    "publicationDetails": Obj({"bodsVersion": _TEXT}),
}, required=("statementID", "statementType"))
_LEGACY_RECORDS = {
    "entityStatement": Obj({
        "entityType": _enum(*_LEGACY_ENTITY_TYPES),
        "entitySubtype": Obj({"generalCategory": _TEXT}),
        "name": _TEXT,
        "alternateNames": Arr(_TEXT),
        "jurisdiction": Obj({"name": _TEXT, "code": _TEXT}),
        "identifiers": Arr(_LEGACY_IDENTIFIER),
        "foundingDate": Str(shape="date-time"),
        "dissolutionDate": Str(shape="date-time"),
        "addresses": Arr(_LEGACY_ADDRESS),
    }),
    "personStatement": Obj({
        "personType": _enum("knownPerson", "anonymousPerson", "unknownPerson"),
        "names": Arr(Obj({"type": _TEXT, "fullName": _TEXT})),
        "nationalities": Arr(_LEGACY_COUNTRY),
        "taxResidencies": Arr(_LEGACY_COUNTRY),
        "addresses": Arr(_LEGACY_ADDRESS),
        "identifiers": Arr(_LEGACY_IDENTIFIER),
        "birthDate": Str(shape="partial-date"),
    }),
    "ownershipOrControlStatement": Obj({
        "subject": Obj({"describedByEntityStatement": _TEXT}, required=("describedByEntityStatement",)),
        "interestedParty": Obj({
            "describedByEntityStatement": _TEXT,
            "describedByPersonStatement": _TEXT,
            "unspecified": Obj({"reason": _TEXT, "description": _TEXT}),
        }, any_of=(("describedByEntityStatement",), ("describedByPersonStatement",), ("unspecified",))),
        "interests": Arr(Obj({
            "type": _enum(*LEGACY_INTEREST_TYPES),
            "interestLevel": _enum("direct", "indirect", "unknown"),
            "directOrIndirect": _enum("direct", "indirect", "unknown"),
            "beneficialOwnershipOrControl": Bool(),
            "details": _TEXT,
            "share": Obj({name: Num() for name in ("exact", "maximum", "minimum", "exclusiveMinimum", "exclusiveMaximum")}),
            "startDate": Str(shape="date-time"),
            "endDate": Str(shape="date-time"),
        })),
    }, required=("subject", "interestedParty")),
}
_WRONG_ADDRESS_TYPES = {"entityStatement": {"placeOfBirth", "home", "residence"}, "personStatement": {"registered", "business"}}


def check_statement_legacy(statement: Any, file: str, where: str) -> None:
    """Refuse a BODS 0.1-0.3 statement whose envelope or read fields are malformed."""
    _LEGACY_ENVELOPE.check(statement, file, where)
    kind = statement["statementType"]
    _LEGACY_RECORDS[kind].check(statement, file, where)
    wrong = _WRONG_ADDRESS_TYPES.get(kind, set())
    for index, address in enumerate(statement.get("addresses") or ()):
        if address.get("type") in wrong:
            raise InputError(file, f"{where}/addresses/{index}/type",
                             f"expected an address type for {'an entity' if kind == 'entityStatement' else 'a person'}, "
                             f"found {address['type']!r}")
    category = (statement.get("entitySubtype") or {}).get("generalCategory")
    if kind == "entityStatement" and category and "-" in category:
        declared = category.split("-", 1)[0]
        if declared != statement.get("entityType"):
            raise InputError(file, f"{where}/entitySubtype/generalCategory",
                             f"expected a subtype of {statement.get('entityType')}, found {category!r}")
