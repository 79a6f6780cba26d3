"""Data flows from the `services` of a CycloneDX BOM (1.2-1.7, JSON or XML), as a data-flow
register (cvrule.filings.dataflows; the mapping is tabled in docs/dataflows.md).

Each service, nested ones included, becomes a `FlowItem` of the BOM (`component` = the
service's name) with one `DataFlow` per `data` entry, or one flow of data `other` when the
service names endpoints but no data:

* the operator is the service's `provider` organization (its country from a
  `cvrule:provider_country` property or, in 1.6+, its address); a 1.5+ data entry's first
  governance custodian organization, when another, is the host;
* the endpoint is the first of `endpoints` (else a URL `destination`, else the service's name);
* the data kinds come from the classification text where it clearly says ("location",
  "PII" -> identifiers, "telemetry" -> diagnostics, ...), else `other`;
* CycloneDX states the flow relative to the service (inbound: the data enters the service), the
  register relative to the vehicle: inbound -> outbound, outbound -> inbound, bi-directional
  and unknown -> both.

CycloneDX has no hosting country: the properties `cvrule:hosted_in` and `cvrule:processed_in`
(countries separated by commas) give it; without them the flow's hosting is not stated, which
the risk findings report as `hosting_unknown`. `cvrule:remote_access` (capabilities separated by
commas) adds remote access by the provider; `cvrule:lines` and `cvrule:model_years` scope the
item. Files are read with the ingest limits (cvrule.ingest.limits): JSON with orjson (ijson
above `stream_above_bytes`), XML through cvrule's safe streaming reader (no DTD, no entities).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

from cvrule.errors import InputError
from cvrule.filings.dataflows import (DataFlow, DataFlowRegister, DataKind, FlowItem, RegisterParty, RemoteAccess,
                                      RemoteCapability, merge_registers)
from cvrule.ingest.base import check_size, iter_xml, load_json, pointer, xml_local
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.limits import Limits

__all__ = ["DIRECTION_OF_FLOW", "KIND_WORDS", "PROPERTIES", "merge_registers", "register_from_cyclonedx"]

DIRECTION_OF_FLOW = {"inbound": "outbound", "outbound": "inbound", "bi-directional": "both", "unknown": "both"}
"""CycloneDX `flow` (relative to the service) -> the register's direction (relative to the vehicle)."""

KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("location", ("location", "geolocation", "gps", "gnss", "position", "trip")),
    ("driving_behaviour", ("driving", "driver behaviour", "driver behavior")),
    ("cabin_audio", ("audio", "voice", "microphone")),
    ("cabin_video", ("video", "camera")),
    ("identifiers", ("pii", "pifi", "personal", "identifier", "identifiers", "vin", "imei", "imsi", "iccid")),
    ("diagnostics", ("telemetry", "diagnostic", "diagnostics", "dtc", "vehicle health")),
    ("biometrics", ("biometric", "biometrics")),
    ("contacts", ("contacts", "address book", "phonebook")),
    ("media", ("media",)),
    ("software_images", ("firmware", "software image", "software images", "ota package")),
    ("commands", ("command", "commands", "remote control")),
)
"""Words of a classification (whole words, any case) and the data kind each clearly names; a
classification naming none of them (or a kind's own name) is `other`."""

PROPERTIES = {
    "cvrule:hosted_in": "countries the service's endpoints are hosted in, separated by commas (CN, US)",
    "cvrule:processed_in": "countries its data is processed or accessed in, separated by commas",
    "cvrule:remote_access": "what the provider can do to the vehicle through it, separated by commas: "
                            + ", ".join(get_args(RemoteCapability)),
    "cvrule:remote_access_path": "how such a command reaches the vehicle (default: the service and its endpoint)",
    "cvrule:provider_country": "country where the provider is organized",
    "cvrule:provider_lei": "the provider's LEI (likewise cvrule:provider_uscc, _duns, _ogrn, _inn, _bpnl)",
    "cvrule:lines": "vehicle lines the service applies to, separated by commas (default all)",
    "cvrule:model_years": "model years it applies to, separated by commas (default all)",
}
"""The service properties cvrule reads; other properties are left alone."""

_SCHEMES = ("lei", "uscc", "duns", "ogrn", "inn", "bpnl")
_KINDS = set(get_args(DataKind))
_CAPABILITIES = get_args(RemoteCapability)
_MAX_ID = 180

Locate = Callable[..., str]
"""A location below a service's: JSON pointer parts, or XML element names."""


def register_from_cyclonedx(path: Path, limits: Limits | None = None) -> DataFlowRegister | None:
    """The register of a BOM's services (items' `bom` is `path` as given); None when it has none."""
    limits = limits or Limits.from_env()
    check_size(path, limits)
    services = _xml_services(path, limits) if _is_xml(path) else _json_services(path, limits)
    builder = _Builder(str(path), limits)
    for service, where, locate in services:
        builder.service(service, where, locate, depth=1)
    if not builder.items:
        return None
    return DataFlowRegister(cvrule_dataflows=1, parties=builder.parties, items=tuple(builder.items))


def _is_xml(path: Path) -> bool:
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError as error:
        raise InputError(str(path), None, f"cannot be read: {error.strerror or error}") from None
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return True
    if text.startswith(b"{") or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    raise InputError(str(path), None, "expected a CycloneDX BOM, JSON or XML")


# ---------------------------------------------------------------------------------- JSON

def _json_locate(where: str, *parts: object) -> str:
    return where + pointer(*parts)


def _json_services(path: Path, limits: Limits) -> Iterator[tuple[dict, str, Locate]]:
    if path.stat().st_size > limits.stream_above_bytes:
        yield from _streamed_json_services(path)
        return
    document = load_json(path, limits)
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise InputError(str(path), "/bomFormat", 'expected a CycloneDX BOM ("bomFormat": "CycloneDX")')
    services = document.get("services")
    if services is None:
        return
    if not isinstance(services, list):
        raise InputError(str(path), "/services", f"expected an array of services, found {type(services).__name__}")
    for index, service in enumerate(services):
        yield service, pointer("services", index), _json_locate


def _streamed_json_services(path: Path) -> Iterator[tuple[dict, str, Locate]]:
    import ijson

    try:
        with open(path, "rb") as stream:
            for index, service in enumerate(ijson.items(stream, "services.item", use_float=True)):
                yield service, pointer("services", index), _json_locate
    except ijson.JSONError as error:
        raise InputError(str(path), None, f"not valid JSON: {error}") from None


# ----------------------------------------------------------------------------------- XML

def _xml_locate(where: str, *parts: object) -> str:
    return where + "".join(f"[{p + 1}]" if isinstance(p, int) else f"/{p}" for p in parts)


_SERVICES_OF_BOM = re.compile(r"^/bom\[1\]/services\[\d+\]$")


def _xml_services(path: Path, limits: Limits) -> Iterator[tuple[dict, str, Locate]]:
    """Each top-level service as the dict its JSON form would be; other parts are dropped as read."""
    found: list[tuple[dict, str, Locate]] = []
    for _, element, where in iter_xml(path, limits):
        depth = where.count("/")
        if depth == 1:
            namespace = element.tag.partition("}")[0].lstrip("{") if isinstance(element.tag, str) else ""
            if xml_local(element.tag) != "bom" or not namespace.startswith("http://cyclonedx.org/schema/bom/"):
                raise InputError(str(path), where, "expected a CycloneDX BOM (root <bom> in a "
                                                   "http://cyclonedx.org/schema/bom/ namespace)")
        elif depth == 2:
            if _SERVICES_OF_BOM.match(where):
                services = [child for child in element if xml_local(child.tag) == "service"]
                found.extend((_service_dict(child), f"{where}/service[{n}]", _xml_locate)
                             for n, child in enumerate(services, start=1))
            element.clear()
    return iter(found)


def _children(element, name: str) -> list:
    return [child for child in element if xml_local(child.tag) == name]


def _text(element, name: str) -> str | None:
    for child in _children(element, name):
        return (child.text or "").strip()
    return None


def _organization(element) -> dict:
    organization: dict[str, Any] = {"name": _text(element, "name")}
    for address in _children(element, "address"):
        organization["address"] = {"country": _text(address, "country")}
    return organization


def _service_dict(element) -> dict:
    service: dict[str, Any] = {"bom-ref": element.get("bom-ref"), "name": _text(element, "name")}
    for provider in _children(element, "provider"):
        service["provider"] = _organization(provider)
    for endpoints in _children(element, "endpoints"):
        service["endpoints"] = [(e.text or "").strip() for e in _children(endpoints, "endpoint")]
    for data in _children(element, "data"):
        service["data"] = [_data_dict(e) for e in data if xml_local(e.tag) in ("classification", "dataflow")]
    for properties in _children(element, "properties"):
        service["properties"] = [{"name": p.get("name"), "value": (p.text or "").strip()}
                                 for p in _children(properties, "property")]
    for nested in _children(element, "services"):
        service["services"] = [_service_dict(child) for child in _children(nested, "service")]
    return {k: v for k, v in service.items() if v is not None}


def _data_dict(entry) -> dict:
    if xml_local(entry.tag) == "classification":  # 1.2-1.4, and deprecated in 1.5+
        return {"flow": entry.get("flow"), "classification": (entry.text or "").strip()}
    data: dict[str, Any] = {key: entry.get(key) for key in ("name", "description", "flow")}
    for classification in _children(entry, "classification"):
        data["classification"] = (classification.text or "").strip()
        data["flow"] = classification.get("flow") or data["flow"]
    for governance in _children(entry, "governance"):
        custodians = [o for group in _children(governance, "custodians") for c in _children(group, "custodian")
                      for o in _children(c, "organization")]
        data["governance"] = {"custodians": [{"organization": _organization(o)} for o in custodians]}
    for destination in _children(entry, "destination"):
        data["destination"] = [(u.text or "").strip() for u in _children(destination, "url")]
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------ mapping

class _Builder:
    """Items and parties of one BOM's services, ids unique within the register."""

    def __init__(self, file: str, limits: Limits):
        self.file, self.limits = file, limits
        self.parties: dict[str, RegisterParty] = {}
        self.items: list[FlowItem] = []
        self.ids: set[str] = set()

    def fail(self, where: str, message: str) -> InputError:
        return InputError(self.file, where, message)

    def service(self, service: Any, where: str, locate: Locate, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise self.fail(where, f"services nested deeper than the limit max_depth={self.limits.max_depth}")
        service = self.object(service, where, "a service")
        name = self.text(service, "name", where, locate, required=True)
        properties = self.properties(service.get("properties"), locate(where, "properties"), locate)
        endpoints = [e for e in self.array(service.get("endpoints"), locate(where, "endpoints"))
                     if isinstance(e, str) and e.strip()]
        operator = self.provider(service, properties, where, locate, name)
        hosted_in = self.countries(properties, "cvrule:hosted_in", locate(where, "properties"))
        processed_in = self.countries(properties, "cvrule:processed_in", locate(where, "properties"))
        base = self.new_id(service.get("bom-ref") if isinstance(service.get("bom-ref"), str) else None, name)
        data = self.array(service.get("data"), locate(where, "data"))
        flows = []
        for index, entry in enumerate(data):
            at = locate(where, "data", index)
            entry = self.object(entry, at, "a data entry")
            flow = self.text(entry, "flow", at, locate) or "unknown"
            if flow not in DIRECTION_OF_FLOW:
                raise self.fail(locate(at, "flow"), f"expected one of {', '.join(DIRECTION_OF_FLOW)}, found {flow!r}")
            label = self.text(entry, "name", at, locate)
            destinations = [d for d in self.array(entry.get("destination"), locate(at, "destination"))
                            if isinstance(d, str) and d.strip() and not d.startswith("urn:cdx:")]
            custodian = self.custodian(entry, at, locate)
            classification = self.text(entry, "classification", at, locate)
            flows.append(DataFlow(
                id=base if len(data) == 1 else f"{base}#{index + 1}",
                function=f"{name}: {label}" if label else name,
                data=data_kinds(classification),
                direction=DIRECTION_OF_FLOW[flow],
                endpoint=(endpoints or destinations or [name])[0],
                operator=operator or custodian or self.unstated_provider(name),
                hosting=custodian if operator and custodian != operator else None,
                hosted_in=hosted_in, processed_in=processed_in))
        if not data and endpoints:
            flows.append(DataFlow(id=base, function=name, data=("other",), direction="both", endpoint=endpoints[0],
                                  operator=operator or self.unstated_provider(name), hosted_in=hosted_in,
                                  processed_in=processed_in))
        access = self.remote_access(properties, base, name, endpoints, operator, hosted_in, locate(where, "properties"))
        if flows or access:
            self.items.append(FlowItem(
                bom=self.file, component=name, flows=tuple(flows), remote_access=tuple(access),
                lines=tuple(self.listed(properties, "cvrule:lines")),
                model_years=tuple(self.years(properties, locate(where, "properties")))))
        for index, nested in enumerate(self.array(service.get("services"), locate(where, "services"))):
            self.service(nested, locate(where, "services", index), locate, depth + 1)

    # -- parties

    def provider(self, service: dict, properties: dict[str, str], where: str, locate: Locate, name: str) -> str | None:
        provider = service.get("provider")
        if provider is None:
            return None
        at = locate(where, "provider")
        provider = self.object(provider, at, "an organization")
        provider_name = self.text(provider, "name", at, locate)
        if not provider_name:
            return None
        country_text = properties.get("cvrule:provider_country")
        if country_text is None:
            address = provider.get("address")
            country_text = self.text(address, "country", at, locate) if isinstance(address, dict) else None
        country = None
        if country_text:
            country = normalize_country(country_text)
            if country is None:
                raise self.fail(at, f"provider country {country_text!r}: expected an ISO 3166 country code or name")
        identifiers = {scheme: properties[f"cvrule:provider_{scheme}"] for scheme in _SCHEMES
                       if properties.get(f"cvrule:provider_{scheme}")}
        return self.party(RegisterParty(name=provider_name, country=country, identifiers=identifiers))

    def custodian(self, entry: dict, at: str, locate: Locate) -> str | None:
        governance = entry.get("governance")
        if not isinstance(governance, dict):
            return None
        custodians = self.array(governance.get("custodians"), locate(at, "governance", "custodians"))
        for index, custodian in enumerate(custodians):
            organization = custodian.get("organization") if isinstance(custodian, dict) else None
            if isinstance(organization, dict):
                name = self.text(organization, "name", locate(at, "governance", "custodians", index), locate)
                if name:
                    return self.party(RegisterParty(name=name))
        return None

    def unstated_provider(self, service_name: str) -> str:
        return self.party(RegisterParty(name=f"provider not stated (service {service_name})"))

    def party(self, party: RegisterParty) -> str:
        base = _slug(party.name) or "party"
        key, n = base, 1
        while key in self.parties and self.parties[key] != party:
            n += 1
            key = f"{base}-{n}"
        self.parties[key] = party
        return key

    # -- remote access

    def remote_access(self, properties: dict[str, str], base: str, name: str, endpoints: list[str],
                      operator: str | None, hosted_in: tuple[str, ...], where: str) -> list[RemoteAccess]:
        found = []
        for capability in self.listed(properties, "cvrule:remote_access"):
            if capability not in _CAPABILITIES:
                raise self.fail(where, f"cvrule:remote_access: expected capabilities among {', '.join(_CAPABILITIES)}, "
                                       f"found {capability!r}")
            path = properties.get("cvrule:remote_access_path") or (
                f"service {name} at {endpoints[0]}" if endpoints else f"service {name}")
            found.append(RemoteAccess(id=f"{base}:{capability}", capability=capability,
                                      by=operator or self.unstated_provider(name), path=path, hosted_in=hosted_in))
        return found

    # -- values

    def new_id(self, bom_ref: str | None, name: str) -> str:
        base = (bom_ref or _slug(name) or "service")[:_MAX_ID]
        key, n = base, 1
        while key in self.ids:
            n += 1
            key = f"{base}-{n}"
        self.ids.add(key)
        return key

    def object(self, value: Any, where: str, what: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected {what} (an object), found {type(value).__name__}")
        return value

    def array(self, value: Any, where: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"expected an array, found {type(value).__name__}")
        return value

    def text(self, obj: dict, key: str, where: str, locate: Locate, required: bool = False) -> str | None:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(locate(where, key), "expected a value; it is required")
            return None
        if not isinstance(value, str):
            raise self.fail(locate(where, key), f"expected text, found {type(value).__name__}")
        if len(value) > self.limits.max_string_bytes:
            raise self.fail(locate(where, key),
                            f"text longer than the limit max_string_bytes={self.limits.max_string_bytes:,}")
        return value.strip()

    def properties(self, value: Any, where: str, locate: Locate) -> dict[str, str]:
        found: dict[str, str] = {}
        for index, item in enumerate(self.array(value, where)):
            at = locate(where, index)
            item = self.object(item, at, "a property")
            name = self.text(item, "name", at, locate)
            if name and name.startswith("cvrule:"):
                found[name] = self.text(item, "value", at, locate) or ""
        return found

    @staticmethod
    def listed(properties: dict[str, str], name: str) -> list[str]:
        return [part.strip() for part in properties.get(name, "").split(",") if part.strip()]

    def countries(self, properties: dict[str, str], name: str, where: str) -> tuple[str, ...]:
        found = []
        for text in self.listed(properties, name):
            country = normalize_country(text)
            if country is None:
                raise self.fail(where, f"{name}: expected ISO 3166 country codes separated by commas, found {text!r}")
            found.append(country)
        return tuple(dict.fromkeys(found))

    def years(self, properties: dict[str, str], where: str) -> list[int]:
        years = []
        for text in self.listed(properties, "cvrule:model_years"):
            if not text.isdigit():
                raise self.fail(where, f"cvrule:model_years: expected years separated by commas, found {text!r}")
            years.append(int(text))
        return years


def data_kinds(classification: str | None) -> tuple[str, ...]:
    """The data kinds a CycloneDX classification clearly names (KIND_WORDS), else ("other",)."""
    if not classification:
        return ("other",)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", classification.lower()).split())
    if text.replace(" ", "_") in _KINDS:
        return (text.replace(" ", "_"),)
    kinds = [kind for kind, words in KIND_WORDS if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)]
    return tuple(kinds) or ("other",)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:_MAX_ID]
