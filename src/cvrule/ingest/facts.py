"""The canonical facts every format reduces to, each with its provenance.

A parser turns one file into a stream of these records. They are deliberately plain (slotted
dataclasses, not pydantic models): a 100,000-component SBOM makes hundreds of thousands of them,
and the store writes them column by column. A parser that makes that many may hand them over as
`FactRows` (each fact a tuple of its field values) in a `FactStream` instead: the store writes
those columns without building a record per fact, and iterating the stream still gives records.

Keys (`key`, `owner`, `item`, ...) are the ids the file itself uses (a CycloneDX bom-ref, an SPDX
id, an LEI, a BODS recordId, a FollowTheMoney id); the store scopes them to their source file.
Shares are fractions from 0 to 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from itertools import starmap
from typing import Union

__all__ = [
    "Attestation",
    "ControlFact",
    "Fact",
    "FactColumns",
    "FactRows",
    "FactStream",
    "ItemFact",
    "ItemLink",
    "ListEntry",
    "OwnershipFact",
    "PartyFact",
    "RoleMention",
    "SourceInfo",
    "field_names",
]


@dataclass(slots=True)
class SourceInfo:
    """What a parser learned about the file as a whole."""

    format: str
    """e.g. "cyclonedx-json", "spdx-2-tag-value", "spdx-3-jsonld", "gleif-rr-xml", "bods", "ftm"."""
    format_version: str | None = None
    """e.g. "1.6" for CycloneDX, "SPDX-2.3", "3.0.1", "0.4"."""
    document_name: str | None = None
    created: str | None = None


@dataclass(slots=True)
class PartyFact:
    """An organization, individual or government named by the file."""

    key: str
    name: str
    location: str
    """JSON pointer ("/components/3/supplier"), XML path ("/LEIData/LEIRecords/LEIRecord[2]") or "line 12"."""
    kind: str = "organization"
    """organization | individual | government | unknown"""
    country: str | None = None
    """ISO 3166-1 alpha-2, upper case, of organization (jurisdiction) or citizenship."""
    headquarters: str | None = None
    residence: str | None = None
    jurisdiction_raw: str | None = None
    """The jurisdiction exactly as written (may be a 3166-2 subdivision such as CN-GD)."""
    identifiers: dict[str, str] = field(default_factory=dict)
    """scheme -> value; schemes: lei, uscc, inn, ogrn, duns, bpnl, sam_uei, registration, url, email, ftm, bods."""
    aliases: list[str] = field(default_factory=list)
    status: str | None = None
    """e.g. GLEIF ACTIVE/INACTIVE, BODS recordStatus."""


@dataclass(slots=True)
class OwnershipFact:
    """A direct (or stated indirect) interest of `owner` in `owned`, as a share range."""

    owner: str
    owned: str
    location: str
    interest: str = "shareholding"
    """shareholding | voting | consolidation (GLEIF Level 2) | unknown"""
    share_min: float | None = None
    share_max: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    direct: bool | None = True
    start: date | None = None
    end: date | None = None
    detail: str | None = None


@dataclass(slots=True)
class ControlFact:
    """Control without (or beside) ownership; kind uses the case-file vocabulary."""

    by: str
    over: str
    kind: str
    """board_majority | board_seat | veto | special_share | proxy | contract | direction | agent | other"""
    location: str
    start: date | None = None
    end: date | None = None
    detail: str | None = None


@dataclass(slots=True)
class ItemFact:
    """A hardware or software component."""

    key: str
    name: str
    location: str
    item_type: str
    """hardware | software | unknown"""
    component_type: str | None = None
    """The format's own type: CycloneDX component.type, SPDX primaryPackagePurpose / software_primaryPurpose."""
    version: str | None = None
    purl: str | None = None
    cpe: str | None = None
    model_year: int | None = None
    description: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    licenses: list[str] = field(default_factory=list)
    modified: bool | None = None
    """Pedigree says it was patched or forked (CycloneDX pedigree.patches / descendants / variants)."""


@dataclass(slots=True)
class ItemLink:
    """A relation between two items of the same file."""

    parent: str
    child: str
    relation: str
    """contains | depends_on | runs_on | describes"""
    location: str


@dataclass(slots=True)
class RoleMention:
    """A party named in a role for an item: the text as written, and the party key when the file links one."""

    item: str
    role: str
    """supplied_by | manufactured_by | developed_by | designed_by | maintained_by | authored_by | published_by | originated_by"""
    name: str
    location: str
    party: str | None = None
    country_raw: str | None = None
    country: str | None = None
    url: str | None = None
    email: str | None = None


@dataclass(slots=True)
class ListEntry:
    """One entry of a screening list (CSL, OFAC SDN/consolidated, BIS Entity List, Denied Persons)."""

    key: str
    list_name: str
    name: str
    location: str
    entity_type: str | None = None
    aliases: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    identifiers: dict[str, str] = field(default_factory=dict)
    addresses: list[str] = field(default_factory=list)
    start: date | None = None
    remarks: str | None = None


@dataclass(slots=True)
class Attestation:
    """A supplier's statement about a party or item (Catena-X CX-0158-1 `compliance.icts.*`)."""

    subject: str
    """The agent or package key the statement is about."""
    field: str
    """isCoveredEntity | countryOfOrigin | jurisdiction | underForeignDirection | reasoning | signedOffBy | ..."""
    value: str
    location: str
    signed_off_by: str | None = None


Fact = Union[PartyFact, OwnershipFact, ControlFact, ItemFact, ItemLink, RoleMention, ListEntry, Attestation]


class FactRows:
    """Facts of one record type, each a tuple of its field values in the record's field order
    (`field_names(record)`). Iterating gives the records."""

    __slots__ = ("record", "rows")

    def __init__(self, record: type, rows: list[tuple] | None = None):
        self.record = record
        self.rows: list[tuple] = [] if rows is None else rows

    def __iter__(self) -> Iterator[Fact]:
        return starmap(self.record, self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class FactColumns:
    """Facts of one record type as columns: an Arrow table whose columns are the record's fields,
    named and ordered as `field_names(record)`; a dict field (`properties`, `identifiers`) holds
    its JSON text with sorted keys, null when empty, as the store keeps it. Iterating gives the
    records."""

    __slots__ = ("record", "table")

    def __init__(self, record: type, table):  # table: pyarrow.Table (not imported here)
        self.record = record
        self.table = table

    def __iter__(self) -> Iterator[Fact]:
        import orjson

        columns = [column.to_pylist() for column in self.table.columns]
        for index, name in enumerate(field_names(self.record)):
            if name in ("properties", "identifiers"):
                columns[index] = [orjson.loads(value) if value else {} for value in columns[index]]
        return starmap(self.record, zip(*columns))

    def __len__(self) -> int:
        return self.table.num_rows


class FactStream:
    """A file's facts as a stream of `FactRows` or `FactColumns` batches (consumed once, may be
    produced lazily).

    It is an iterable of facts like any other parser's output; `batches()` gives the rows
    themselves to a reader (the store) that can use them without building records."""

    __slots__ = ("_batches",)

    def __init__(self, batches: Iterable[FactRows]):
        self._batches = batches

    def batches(self) -> Iterable[FactRows]:
        """The batches, handed over: the stream keeps no reference to them."""
        batches, self._batches = self._batches, ()
        return batches

    def __iter__(self) -> Iterator[Fact]:
        for batch in self._batches:
            yield from batch


def field_names(record: type) -> tuple[str, ...]:
    """The fields of a fact record, in the order a `FactRows` tuple holds them."""
    return tuple(f.name for f in fields(record))
