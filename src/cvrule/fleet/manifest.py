"""A fleet manifest (`fleet.yaml`): the vehicle lines, their model years, the bills of materials
built into them, and the parties that make, import and sell them.

The manifest says what the BOM files cannot: which ECU goes into which vehicle line and model
year, and who imports and sells. Everything else (components, suppliers, ownership) comes from
the files beside it. Paths are relative to the manifest's folder.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from cvrule.errors import InputError
from cvrule.model._base import CountryCode, Id, Strict
from cvrule.model.authorizations import AuthorizationCondition, AuthorizationStatus
from cvrule.model.items import RadioFunction, VehicleFunction
from cvrule.model.transactions import Purpose, TransactionKind
from cvrule.yamlio import parse_yaml

__all__ = [
    "BomRef", "FleetApprovedSupplier", "FleetAuthorization", "FleetGeneralAuthorization", "FleetManifest", "FleetParty",
    "FleetSpecificAuthorization", "FleetTransaction", "Line", "MANIFEST_NAMES", "load_manifest",
]

MANIFEST_NAMES = ("fleet.yaml", "fleet.yml")


class FleetParty(Strict):
    """A party named by the manifest (manufacturer, importer, ADS operator). It is resolved to the
    parties of the ownership data like any BOM supplier: identifiers first, then the name."""

    name: str = Field(min_length=1)
    country: CountryCode | None = None
    identifiers: dict[str, str] = Field(default_factory=dict)


class BomRef(Strict):
    """A bill of materials built into a line: its root component (CycloneDX `metadata.component`,
    the package an SPDX document describes) is one item of the vehicle."""

    file: str = Field(min_length=1)
    model_years: tuple[int, ...] | None = None
    """The model years it goes into; all of the line's when absent."""
    # What the manifest says of the root item (the ECU), for files that cannot say it themselves
    # (SPDX 2 has no properties). A value here wins over the file's.
    rf: tuple[RadioFunction, ...] | None = None
    max_rf_mhz: float | None = Field(default=None, ge=0)
    enables: tuple[VehicleFunction, ...] | None = None
    passive: bool | None = None


class Line(Strict):
    """A vehicle line (make and model) across model years."""

    id: Id
    make: str = Field(min_length=1)
    model: str = Field(min_length=1)
    trim: str | None = None
    model_years: tuple[int, ...] = Field(min_length=1)
    manufacturer: FleetParty | None = None
    """Defaults to the fleet's manufacturer."""
    importer: FleetParty | None = None
    """When the line is built abroad: who imports it into the US (an `import_vehicle` per model year)."""
    gvwr_lbs: float | None = Field(default=None, gt=0)
    public_roads: bool | None = True
    completed: bool | None = True
    ads_level: int | None = Field(default=None, ge=0, le=5)
    ads_service: FleetParty | None = None
    """Who offers a commercial driverless service with the line in the US, if anyone."""
    introduction: str = Field(default="07-01", pattern=r"^\d{2}-\d{2}$")
    """MM-DD of the year before the model year: the first import and sale of each model year."""
    boms: tuple[BomRef, ...] = ()

    @model_validator(mode="after")
    def _model_years_known(self):
        for bom in self.boms:
            for year in bom.model_years or ():
                if year not in self.model_years:
                    raise ValueError(f"{bom.file}: model year {year} is not one of the line's {list(self.model_years)}")
        return self

    def first_day(self, model_year: int) -> date:
        month, day = (int(part) for part in self.introduction.split("-"))
        return date(model_year - 1, month, day)


class FleetTransaction(Strict):
    """A transaction the manifest declares beside the derived ones, e.g. an import of VCS hardware."""

    id: Id
    kind: TransactionKind
    actor: FleetParty
    date: date
    line: Id | None = None
    model_year: int | None = None
    bom: str | None = None
    """For `import_vcs_hardware`: the BOM whose root is the imported item."""
    purpose: Purpose = Purpose.production


class FleetSpecificAuthorization(Strict):
    """A specific authorization (791.307) a party of the fleet holds, with its conditions. The
    transactions are the fleet's own ids: derived ones (`<line>-my<year>-sale`, `-import`,
    `-ads-service`) or declared ones."""

    kind: Literal["specific"]
    id: Id
    holder: FleetParty
    transactions: tuple[Id, ...] = Field(min_length=1)
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    """The last day it authorizes (791.307 validity, as the case files read it)."""
    status: AuthorizationStatus = AuthorizationStatus.granted
    conditions: tuple[AuthorizationCondition | str, ...] = ()


class FleetGeneralAuthorization(Strict):
    """Reliance on a general authorization (791.306) by a party of the fleet."""

    kind: Literal["general"]
    id: Id
    holder: FleetParty
    transactions: tuple[Id, ...] | None = None
    circumstance_changed: date | None = None
    reassessed: date | None = None
    relied_from: date | None = None
    """The day reliance began: from then on, a change of ownership or control in the ownership
    data of the holder, a party of the transaction or anyone above them starts the clock."""


class FleetApprovedSupplier(Strict):
    """A supplier on the approved supplier list (GA No. 3) from `from` until `to` (exclusive)."""

    kind: Literal["approved_supplier"]
    party: FleetParty
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


FleetAuthorization = Annotated[
    FleetSpecificAuthorization | FleetGeneralAuthorization | FleetApprovedSupplier, Field(discriminator="kind")
]


class FleetManifest(Strict):
    cvrule_fleet: Literal[1]
    name: str = Field(min_length=1)
    manufacturer: FleetParty
    as_of: date | None = None
    lines: tuple[Line, ...] = Field(min_length=1)
    derive: tuple[Literal["sell_vehicle", "import_vehicle", "ads_commercial_service"], ...] = (
        "sell_vehicle", "import_vehicle", "ads_commercial_service")
    """Which transactions to derive from the lines (each when the line gives what it needs)."""
    transactions: tuple[FleetTransaction, ...] = ()
    authorizations: tuple[FleetAuthorization, ...] = ()
    """Authorizations held or relied on; their conditions are monitored in the reports."""

    @model_validator(mode="after")
    def _references(self):
        lines = {line.id for line in self.lines}
        if len(lines) != len(self.lines):
            raise ValueError("two lines have the same id")
        for txn in self.transactions:
            if txn.line is not None and txn.line not in lines:
                raise ValueError(f"transaction {txn.id}: line {txn.line!r} is not defined")
            if txn.kind is TransactionKind.import_vcs_hardware and txn.bom is None:
                raise ValueError(f"transaction {txn.id}: import_vcs_hardware needs 'bom'")
        known = set(self.transaction_ids())
        for auth in self.authorizations:
            for ref in getattr(auth, "transactions", None) or ():
                if ref not in known:
                    raise ValueError(f"authorization {getattr(auth, 'id', '')}: transaction {ref!r} is not one of the "
                                     f"fleet's (e.g. {sorted(known)[0] if known else 'none'})")
        return self

    def transaction_ids(self) -> list[str]:
        """Every transaction id of the fleet: derived from the lines, then declared."""
        found = []
        for line in self.lines:
            for year in line.model_years:
                for suffix in self.derived_suffixes(line):
                    found.append(f"{line.id}-my{year}-{suffix}")
        return found + [t.id for t in self.transactions]

    def derived_suffixes(self, line: Line) -> list[str]:
        """The transactions derived for each model year of a line, by id suffix."""
        found = []
        if "sell_vehicle" in self.derive:
            found.append("sale")
        if "import_vehicle" in self.derive and line.importer is not None:
            found.append("import")
        if "ads_commercial_service" in self.derive and line.ads_service is not None:
            found.append("ads-service")
        return found

    def bom_files(self) -> list[str]:
        found = [bom.file for line in self.lines for bom in line.boms] + [t.bom for t in self.transactions if t.bom]
        return list(dict.fromkeys(found))


def load_manifest(path: Path) -> FleetManifest:
    """Read and check a manifest; errors name the file, the key path and the line."""
    document = parse_yaml(path.read_bytes(), path)
    try:
        manifest = FleetManifest.model_validate(document.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        line = document.line_of(first["loc"]) if first["loc"] else None
        location = f"{where} (line {line})" if line else where or "top level"
        raise InputError(str(path), location, first["msg"]) from None
    folder = path.parent
    for name in manifest.bom_files():
        if not (folder / name).is_file():
            raise InputError(str(path), name, "the BOM file it names does not exist next to the manifest")
    return manifest
