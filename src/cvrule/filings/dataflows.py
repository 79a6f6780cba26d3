"""The data-flow and remote-access register (docs/dataflows.md): per VCS item and vehicle line,
what data each connectivity function sends, to which endpoint, operated by whom and hosted
where; and who can update, command or disable the vehicle remotely, through what path.

The risks BIS names behind subpart D (15 CFR 791.300) are data about US drivers reaching the
PRC or Russia and remote access to, or disabling of, vehicles. The register's parties are
matched to the nexus status an assessment found for them, and its hosting countries to the
covered jurisdictions parameter (791.300(a)): a PRC-linked cloud operator is a finding even
when the hardware is clean. Findings are risk information beside the legal outcome, never part
of it: they change no decision.
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
    "load_register",
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
    hosted_in: tuple[CountryCode, ...] = Field(min_length=1)
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
    """Read and check a register; errors name the file, the key path and the line."""
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


def _location(document, where: tuple) -> str:
    text = ".".join(str(part) for part in where)
    line = document.line_of(where) if where else None
    return f"{text} (line {line})" if line else text or "top level"
