"""The data-flow and remote-access register (docs/dataflows.md): per VCS item and vehicle line,
what data each connectivity function sends, to which endpoint, operated by whom and hosted
where; and who can update, command or disable the vehicle remotely, through what path.

The risks BIS names behind subpart D (15 CFR 791.300) are data about US drivers reaching the
PRC or Russia and remote access to, or disabling of, vehicles. The register's parties are
matched to the nexus status an assessment found for them, and its hosting countries to the
covered jurisdictions parameter (791.300(a)): a PRC-linked cloud operator is a finding even
when the hardware is clean. Findings are risk information beside the legal outcome, never part
of it: they change no decision.

One model, three sources: the YAML file and the XLSX workbook (cvrule.filings.dataflows_xlsx),
both read by `load_register`, and the `services` of a CycloneDX BOM
(cvrule.filings.dataflows_cyclonedx); `merge_registers` makes one register of several.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from cvrule.errors import InputError
from cvrule.model._base import CountryCode, Id, Strict
from cvrule.yamlio import parse_yaml

__all__ = [
    "DataFlow", "DataKind", "FlowItem", "RegisterParty", "RemoteAccess", "RemoteCapability", "DataFlowRegister",
    "load_register", "merge_registers",
]

DataKind = Literal["location", "driving_behaviour", "cabin_audio", "cabin_video", "identifiers", "diagnostics",
                   "biometrics", "contacts", "media", "software_images", "commands", "other"]
RemoteCapability = Literal["update", "command", "disable", "immobilize", "remote_start", "unlock", "diagnostics",
                           "configure"]


class RegisterParty(Strict):
    """A party the register names: resolved like any BOM supplier (identifiers first, then the name)."""

    name: str = Field(min_length=1)
    country: CountryCode | None = None
    identifiers: dict[str, str] = Field(default_factory=dict)


class DataFlow(Strict):
    """What one connectivity function sends, where, and who runs the other end."""

    id: Id
    function: str = Field(min_length=1)
    """The connectivity function, in the team's words: telematics, eCall, FOTA, navigation, ..."""
    data: tuple[DataKind, ...] = Field(min_length=1)
    direction: Literal["outbound", "inbound", "both"] = "outbound"
    endpoint: str = Field(min_length=1)
    """Host name, URL or service name of the far end."""
    operator: Id
    """A key of `parties`: who operates the endpoint."""
    hosting: Id | None = None
    """A key of `parties`: who hosts it (cloud provider), when not the operator."""
    hosted_in: tuple[CountryCode, ...] = ()
    """Countries the endpoint is hosted in; empty when not stated (a `hosting_unknown` finding)."""
    processed_in: tuple[CountryCode, ...] = ()
    """Where the data is processed or accessed, beside where it is hosted."""


class RemoteAccess(Strict):
    """Who can update, command or disable the vehicle remotely, and through what path."""

    id: Id
    capability: RemoteCapability
    by: Id
    """A key of `parties`: who can exercise it."""
    path: str = Field(min_length=1)
    """How the command reaches the vehicle, e.g. "Nimbus FOTA cloud -> LTE -> nimbus-fota-agent"."""
    hosted_in: tuple[CountryCode, ...] = ()
    """Where the system that issues it runs."""


class FlowItem(Strict):
    """A VCS item (an ECU's BOM, or one component of it) in some vehicle lines."""

    bom: str = Field(min_length=1)
    """The BOM file as the fleet manifest names it (e.g. boms/lakeshore-lt5-tcu.cdx.json)."""
    component: str | None = None
    """The component's name in that BOM, when the flow belongs to one component (e.g. an OTA agent)."""
    lines: tuple[Id, ...] = ()
    """Vehicle lines it applies to; all when absent."""
    model_years: tuple[int, ...] = ()
    """Model years it applies to; all when absent."""
    flows: tuple[DataFlow, ...] = ()
    remote_access: tuple[RemoteAccess, ...] = ()

    def applies_to(self, line: str | None, model_year: int | None) -> bool:
        return ((not self.lines or line is None or line in self.lines)
                and (not self.model_years or model_year is None or model_year in self.model_years))


class DataFlowRegister(Strict):
    cvrule_dataflows: Literal[1]
    parties: dict[Id, RegisterParty] = Field(default_factory=dict)
    items: tuple[FlowItem, ...] = Field(min_length=1)

    def undefined_parties(self) -> list[tuple[tuple[str | int, ...], str]]:
        """(key path, party key) of every reference to a party `parties` does not define."""
        found = []
        for i, item in enumerate(self.items):
            for j, flow in enumerate(item.flows):
                for field in ("operator", "hosting"):
                    key = getattr(flow, field)
                    if key is not None and key not in self.parties:
                        found.append((("items", i, "flows", j, field), key))
            for j, access in enumerate(item.remote_access):
                if access.by not in self.parties:
                    found.append((("items", i, "remote_access", j, "by"), access.by))
        return found


def load_register(path: Path) -> DataFlowRegister:
    """Read and check a register, YAML or XLSX (told apart by content, then suffix); errors name
    the file and the place: key path and line (YAML), sheet and cell (XLSX)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(4)
    except OSError as error:
        raise InputError(str(path), None, f"cannot be read: {error.strerror or error}") from None
    if head == _ZIP_MAGIC or (not head and path.suffix.lower() == ".xlsx"):
        from cvrule.filings.dataflows_xlsx import read_register_xlsx

        return read_register_xlsx(path)
    if path.suffix.lower() == ".xlsx":
        raise InputError(str(path), None, "expected an XLSX workbook (a zip archive); the file is not one")
    return _load_yaml_register(path)


_ZIP_MAGIC = b"PK\x03\x04"


def _load_yaml_register(path: Path) -> DataFlowRegister:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), None, f"cannot be read: {error.strerror or error}") from None
    document = parse_yaml(raw, path)
    try:
        register = DataFlowRegister.model_validate(document.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(str(path), _location(document, first["loc"]), first["msg"]) from None
    for where, key in register.undefined_parties()[:1]:
        raise InputError(str(path), _location(document, where), f"party {key!r} is not defined under `parties`")
    return register


def merge_registers(*registers: DataFlowRegister) -> DataFlowRegister:
    """One register of several, items in the order given. Parties are merged by key: the same key
    with the same content is one party; the same key with other content is kept apart by renaming
    the later one (`key-2`, `key-3`, ...) in the register it came from."""
    if not registers:
        raise ValueError("merge_registers needs at least one register")
    parties: dict[str, RegisterParty] = {}
    items: list[FlowItem] = []
    for register in registers:
        renamed: dict[str, str] = {}
        for key, party in register.parties.items():
            new_key, n = key, 1
            while new_key in parties and parties[new_key] != party:
                n += 1
                new_key = f"{key}-{n}"
            parties[new_key] = party
            if new_key != key:
                renamed[key] = new_key
        items.extend(_rename_parties(item, renamed) for item in register.items)
    return DataFlowRegister(cvrule_dataflows=1, parties=parties, items=tuple(items))


def _rename_parties(item: FlowItem, renamed: dict[str, str]) -> FlowItem:
    if not renamed:
        return item
    flows = tuple(flow.model_copy(update={"operator": renamed.get(flow.operator, flow.operator),
                                          "hosting": renamed.get(flow.hosting, flow.hosting) if flow.hosting else None})
                  for flow in item.flows)
    access = tuple(entry.model_copy(update={"by": renamed.get(entry.by, entry.by)}) for entry in item.remote_access)
    return item.model_copy(update={"flows": flows, "remote_access": access})


def _location(document, where: tuple) -> str:
    text = ".".join(str(part) for part in where)
    line = document.line_of(where) if where else None
    return f"{text} (line {line})" if line else text or "top level"
