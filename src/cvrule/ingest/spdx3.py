"""SPDX 3.0.x JSON-LD documents, and the Catena-X CX-0158-1 "Car SBOM for ICTS Connected
Vehicles" profile of them, read as a stream of `@graph` elements.

The reader holds one element at a time (ijson over `@graph.item`, its C backend when present)
plus small indexes: the ids of packages and documents seen, agent names, and the links and
role mentions still waiting for an element defined further down the file.

What is read:
- software_Package (and its ai_AIPackage / dataset_DatasetPackage subclasses) -> ItemFact:
  item_type from software_primaryPurpose (device -> hardware, software purposes -> software,
  anything else -> unknown), version, purl (software_packageUrl or a packageUrl
  externalIdentifier), cpe (cpe23/cpe22 externalIdentifier);
- suppliedBy -> RoleMention "supplied_by", originatedBy -> "originated_by", with the agent's
  spdxId in `party`. Agents may be defined after the packages naming them: such a mention is
  held until the agent is read and then carries the agent's name (and country, if the agent
  states one); an agent never defined in the file gives a mention named by its spdxId;
- Person / Organization / SoftwareAgent / Agent -> PartyFact, externalIdentifier ->
  identifiers (email, url, lei, bpnl, duns, or "spdx:<type>");
- Relationship / LifecycleScopedRelationship between packages -> ItemLink: contains,
  dependsOn, hasStaticLink, hasDynamicLink -> contains / depends_on (lifecycle scopes build,
  development and test are left out), describes and an Sbom's rootElement -> describes.
  Links to files or to elements of other documents are left out: they are not items;
- CX-0158-1 `compliance.icts.*` extension fields, on any element (written on the element itself
  or inside one of its `extension` objects; the standard does not fix the serialization) ->
  Attestation(subject = the element's spdxId), and for agents PartyFact.country from
  jurisdiction (organizations) or nationality (persons), else countryOfOrigin.

software_File elements are not items. Licences, which SPDX 3 attaches through relationships to
licence elements, are not read.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import ijson

from cvrule.ingest.base import Format, InputError, Parsed, check_size, load_json, read_head
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import Attestation, Fact, ItemFact, ItemLink, PartyFact, RoleMention, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.ingest.spdx2 import head_text

__all__ = ["FORMATS", "ICTS_PREFIX", "item_type_for_purpose"]

try:
    _BACKEND = ijson.get_backend("yajl2_c")
except (ImportError, ValueError):  # pragma: no cover - depends on the installed wheel
    _BACKEND = ijson

ICTS_PREFIX = "compliance.icts."

_HARDWARE_PURPOSES = frozenset({"device"})
_SOFTWARE_PURPOSES = frozenset(
    """application archive configuration container deviceDriver diskImage executable file
    filesystemImage firmware framework install library module operatingSystem patch platform
    source""".split()
)
_PACKAGE_TYPES = frozenset({"software_Package", "ai_AIPackage", "dataset_DatasetPackage"})
_DOCUMENT_TYPES = frozenset({"SpdxDocument", "software_Sbom", "Bom", "Bundle"})
_AGENT_KINDS = {"Organization": "organization", "Person": "individual", "SoftwareAgent": "unknown", "Agent": "unknown"}
_RELATIONSHIP_TYPES = frozenset({"Relationship", "LifecycleScopedRelationship"})
_LINKS = {
    "contains": "contains",
    "dependsOn": "depends_on",
    "hasStaticLink": "depends_on",
    "hasDynamicLink": "depends_on",
    "describes": "describes",
}
_SKIPPED_SCOPES = frozenset({"build", "development", "test"})
_BPNL = re.compile(r"^BPNL[0-9A-Z]{12}$")
_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")


def item_type_for_purpose(purpose: str | None) -> str:
    if purpose in _HARDWARE_PURPOSES:
        return "hardware"
    if purpose in _SOFTWARE_PURPOSES:
        return "software"
    return "unknown"


def _local(name: str) -> str:
    """A vocabulary term as the compacted JSON-LD writes it, whether or not it came as a full IRI."""
    return name.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a text", bool: "a boolean"}.get(type(value), "null" if value is None else "a number")


class _Graph:
    """The state carried from one `@graph` element to the next."""

    def __init__(self, file: str, source: SourceInfo):
        self.file = file
        self.source = source
        self.items: set[str] = set()
        self.documents: set[str] = set()
        self.agents: dict[str, tuple[str, str | None, str | None]] = {}
        """spdxId -> (name, country, country as written)"""
        self.waiting_mentions: dict[str, list[RoleMention]] = {}
        self.waiting_links: list[ItemLink] = []
        self.linked: set[tuple[str, str, str]] = set()
        self.creation_dates: dict[str, str] = {}
        self.document_creation: str | None = None

    def error(self, where: str, message: str) -> InputError:
        return InputError(self.file, where, message)

    def text(self, element: dict[str, Any], field: str, where: str) -> str | None:
        value = element.get(field)
        if value is None or isinstance(value, str):
            return value
        raise self.error(f"{where}/{field}", f"expected a text value, found {_kind(value)}")

    def refs(self, element: dict[str, Any], field: str, where: str) -> list[tuple[str, str, dict[str, Any] | None]]:
        """The element ids a property points to, with the location of each (an inline element
        object is allowed, as JSON-LD permits, and comes back with its object)."""
        value = element.get(field)
        if value is None:
            return []
        many = isinstance(value, list)
        found = []
        for index, ref in enumerate(value if many else [value]):
            at = f"{where}/{field}/{index}" if many else f"{where}/{field}"
            if isinstance(ref, str):
                found.append((ref, at, None))
            elif isinstance(ref, dict) and isinstance(ref.get("spdxId", ref.get("@id")), str):
                found.append((ref.get("spdxId", ref.get("@id")), at, ref))
            else:
                raise self.error(at, f"expected an element id, found {_kind(ref)}")
        return found

    def element(self, element: Any, where: str) -> Iterator[Fact]:
        if not isinstance(element, dict):
            raise self.error(where, f"expected an element object, found {_kind(element)}")
        kind = element.get("type", element.get("@type"))
        if not isinstance(kind, str):
            raise self.error(f"{where}/type", f"expected the element's type, found {_kind(kind)}")
        kind = _local(kind)
        key = element.get("spdxId", element.get("@id"))
        if key is not None and not isinstance(key, str):
            raise self.error(f"{where}/spdxId", f"expected a text id, found {_kind(key)}")
        if kind == "CreationInfo":
            created = element.get("created")
            if isinstance(key, str) and isinstance(created, str):
                self.creation_dates[key] = created
            return
        if kind in _PACKAGE_TYPES:
            yield from self.package(element, key, where)
        elif kind in _AGENT_KINDS:
            yield from self.agent(element, key, kind, where)
        elif kind in _RELATIONSHIP_TYPES:
            yield from self.relationship(element, where)
        elif kind in _DOCUMENT_TYPES and key:
            yield from self.document(element, key, kind, where)
        if key:
            yield from self.attestations(element, key, where)

    def package(self, element: dict[str, Any], key: str | None, where: str) -> Iterator[Fact]:
        if not key:
            raise self.error(f"{where}/spdxId", "expected the package's spdxId (every package needs an id)")
        purpose = self.text(element, "software_primaryPurpose", where)
        purpose = _local(purpose) if purpose else None
        purl = self.text(element, "software_packageUrl", where)
        cpe = None
        for scheme, value, _authority in self.external_identifiers(element, where):
            if scheme == "packageUrl" and purl is None:
                purl = value
            elif scheme in ("cpe23", "cpe22") and (cpe is None or scheme == "cpe23" and not cpe.startswith("cpe:2.3:")):
                cpe = value
        properties = {}
        for field in ("software_downloadLocation", "software_homePage", "releaseTime", "builtTime", "validUntilTime"):
            value = self.text(element, field, where)
            if value:
                properties[field.removeprefix("software_")] = value
        self.items.add(key)
        yield ItemFact(
            key=key,
            name=self.text(element, "name", where) or "",
            location=where,
            item_type=item_type_for_purpose(purpose),
            component_type=purpose,
            version=self.text(element, "software_packageVersion", where),
            purl=purl,
            cpe=cpe,
            description=self.text(element, "description", where) or self.text(element, "summary", where),
            properties=properties,
        )
        for field, role in (("suppliedBy", "supplied_by"), ("originatedBy", "originated_by")):
            for agent, at, inline in self.refs(element, field, where):
                if inline is not None and agent not in self.agents:
                    yield from self.element(inline, at)
                mention = RoleMention(item=key, role=role, name=agent, location=at, party=agent)
                if agent in self.agents:
                    yield self.named(mention)
                else:
                    self.waiting_mentions.setdefault(agent, []).append(mention)

    def named(self, mention: RoleMention) -> RoleMention:
        name, country, country_raw = self.agents[mention.name]
        mention.name, mention.country, mention.country_raw = name, country, country_raw
        return mention

    def external_identifiers(self, element: dict[str, Any], where: str) -> Iterator[tuple[str, str, str | None]]:
        """(type, identifier, issuing authority) of each ExternalIdentifier of an element."""
        for field in ("externalIdentifier", "externalIdentifiers"):
            value = element.get(field)
            if value is None:
                continue
            if not isinstance(value, list):
                value = [value]
            for index, identifier in enumerate(value):
                at = f"{where}/{field}/{index}"
                if not isinstance(identifier, dict):
                    raise self.error(at, f"expected an ExternalIdentifier object, found {_kind(identifier)}")
                scheme = identifier.get("externalIdentifierType")
                text = identifier.get("identifier")
                if not isinstance(scheme, str) or not isinstance(text, str):
                    raise self.error(at, "expected externalIdentifierType and identifier texts")
                authority = identifier.get("issuingAuthority")
                yield _local(scheme), text, authority if isinstance(authority, str) else None

    def agent(self, element: dict[str, Any], key: str | None, kind: str, where: str) -> Iterator[Fact]:
        if not key:
            raise self.error(f"{where}/spdxId", f"expected the {kind}'s spdxId")
        name = self.text(element, "name", where) or key
        identifiers: dict[str, str] = {}
        for scheme, value, authority in self.external_identifiers(element, where):
            identifiers.setdefault(_identifier_scheme(scheme, value, authority), value)
        icts = _icts_fields(element)
        preferred = {"Organization": "jurisdiction", "Person": "nationality"}.get(kind)
        country_raw = None
        for field in (preferred, "countryOfOrigin"):
            value = icts.get(field) if field else None
            if isinstance(value, str) and value.strip():
                country_raw = value.strip()
                break
        country = normalize_country(country_raw)
        mail = icts.get("mail")
        if isinstance(mail, str) and mail:
            identifiers.setdefault("email", mail)
        self.agents[key] = (name, country, country_raw)
        yield PartyFact(
            key=key,
            name=name,
            location=where,
            kind=_AGENT_KINDS[kind],
            country=country,
            jurisdiction_raw=country_raw,
            identifiers=identifiers,
        )
        for mention in self.waiting_mentions.pop(key, ()):
            yield self.named(mention)

    def relationship(self, element: dict[str, Any], where: str) -> Iterator[Fact]:
        kind = element.get("relationshipType")
        if not isinstance(kind, str):
            raise self.error(f"{where}/relationshipType", f"expected the relationship type, found {_kind(kind)}")
        relation = _LINKS.get(_local(kind))
        scope = element.get("scope")
        if relation is None or isinstance(scope, str) and _local(scope) in _SKIPPED_SCOPES:
            return
        sources = self.refs(element, "from", where)
        if len(sources) != 1 or isinstance(element.get("from"), list):
            raise self.error(f"{where}/from", "expected one element id")
        parent = sources[0][0]
        for child, at, _inline in self.refs(element, "to", where):
            yield from self.link(ItemLink(parent=parent, child=child, relation=relation, location=at))

    def document(self, element: dict[str, Any], key: str, kind: str, where: str) -> Iterator[Fact]:
        self.documents.add(key)
        if kind == "SpdxDocument" and self.source.document_name is None:
            self.source.document_name = self.text(element, "name", where)
            creation = element.get("creationInfo")
            if isinstance(creation, dict) and isinstance(creation.get("created"), str):
                self.source.created = creation["created"]
            elif isinstance(creation, str):
                self.document_creation = creation
        if kind != "SpdxDocument":
            for child, at, _inline in self.refs(element, "rootElement", where):
                yield from self.link(ItemLink(parent=key, child=child, relation="describes", location=at))

    def link(self, link: ItemLink) -> Iterator[ItemLink]:
        """A link whose ends are both known now is given at once; any other waits for the end."""
        if self.linkable(link):
            if (link.parent, link.child, link.relation) not in self.linked:
                self.linked.add((link.parent, link.child, link.relation))
                yield link
        else:
            self.waiting_links.append(link)

    def linkable(self, link: ItemLink) -> bool:
        return link.child in self.items and (
            link.parent in self.items or link.relation == "describes" and link.parent in self.documents
        )

    def attestations(self, element: dict[str, Any], key: str, where: str) -> Iterator[Attestation]:
        fields = _icts_fields(element, with_places=True)
        if not fields:
            return
        signers = _attested_values(fields["signedOffBy"][0]) if "signedOffBy" in fields else []
        signed_off_by = signers[0] if signers else None
        for field, (value, at) in fields.items():
            if isinstance(value, dict):
                raise self.error(f"{where}{at}", f"expected a text, boolean or number for {ICTS_PREFIX}{field}, found an object")
            for text in _attested_values(value):
                yield Attestation(subject=key, field=field, value=text, location=f"{where}{at}", signed_off_by=signed_off_by)

    def finish(self) -> Iterator[Fact]:
        for link in self.waiting_links:
            if self.linkable(link) and (link.parent, link.child, link.relation) not in self.linked:
                self.linked.add((link.parent, link.child, link.relation))
                yield link
        for mentions in self.waiting_mentions.values():
            yield from mentions
        if self.document_creation and self.source.created is None:
            self.source.created = self.creation_dates.get(self.document_creation)


def _identifier_scheme(scheme: str, value: str, authority: str | None) -> str:
    """The PartyFact identifier scheme for an agent's ExternalIdentifier."""
    issuer = (authority or "").lower()
    if scheme == "email":
        return "email"
    if scheme == "urlScheme":
        return "url"
    if _BPNL.match(value):
        return "bpnl"
    if _LEI.match(value) and ("gleif" in issuer or "lei" in issuer):
        return "lei"
    if "dun" in issuer and value.replace("-", "").isdigit():
        return "duns"
    return f"spdx:{scheme}"


def _icts_fields(element: dict[str, Any], with_places: bool = False) -> dict[str, Any]:
    """The `compliance.icts.*` fields of an element, by short name ("isCoveredEntity"), from the
    element itself or from its `extension` objects; with_places gives (value, pointer suffix)."""
    found: dict[str, Any] = {}

    def collect(record: dict[str, Any], base: str) -> None:
        for name, value in record.items():
            position = name.rfind(ICTS_PREFIX)
            if position < 0 or position and name[position - 1] not in "/#:_":
                continue
            short = name[position + len(ICTS_PREFIX):]
            if short and short not in found:
                found[short] = (value, f"{base}/{name}") if with_places else value

    collect(element, "")
    extensions = element.get("extension")
    if isinstance(extensions, dict):
        extensions = [extensions]
    if isinstance(extensions, list):
        for index, extension in enumerate(extensions):
            if isinstance(extension, dict):
                collect(extension, f"/extension/{index}")
    return found


def _attested_values(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (int, float)) or isinstance(value, str):
        return [str(value)]
    if isinstance(value, list):
        return [text for item in value if not isinstance(item, (dict, list)) for text in _attested_values(item)]
    return []


# ---------------------------------------------------------------------------------------------

_SPEC_VERSION = re.compile(r'"specVersion"\s*:\s*"([0-9][^"]*)"')
_CONTEXT_VERSION = re.compile(r"spdx\.org/rdf/(3\.[0-9.]+)/")


class _Utf16AsUtf8:
    """A UTF-16 file read as UTF-8 bytes, a block at a time (for ijson, which wants bytes)."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder("utf-16")(errors="strict")

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        while True:
            block = self.raw.read(size)
            text = self.decoder.decode(block, final=not block)
            if text or not block:
                return text.encode("utf-8")

    def __enter__(self) -> _Utf16AsUtf8:
        return self

    def __exit__(self, *exc: object) -> None:
        self.raw.close()


def _open_utf8(path: Path) -> Any:
    """The file as UTF-8 bytes: a UTF-8 BOM is skipped, UTF-16 (with BOM) is transcoded."""
    raw = open(path, "rb")
    head = raw.read(3)
    raw.seek(3 if head == b"\xef\xbb\xbf" else 0)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _Utf16AsUtf8(raw)
    return raw


def _reader(fmt: str):
    def parse(path: Path, limits: Limits) -> Parsed:
        check_size(path, limits)
        head = head_text(read_head(path))
        version = _SPEC_VERSION.search(head) or _CONTEXT_VERSION.search(head)
        source = SourceInfo(format=fmt, format_version=version.group(1) if version else None)
        return Parsed(source, _facts(path, limits, source))

    return parse


def _facts(path: Path, limits: Limits, source: SourceInfo) -> Iterator[Fact]:
    """Facts of each `@graph` element in turn, then the links and mentions that waited.
    SourceInfo.document_name and created are filled in as the SpdxDocument element is read."""
    file = str(path)
    graph = _Graph(file, source)
    count = 0
    with _open_utf8(path) as stream:
        elements = _BACKEND.items(stream, "@graph.item", use_float=True)
        while True:
            try:
                element = next(elements)
            except StopIteration:
                break
            except ijson.JSONError as error:
                raise InputError(file, f"/@graph/{count}", f"not valid JSON: {_json_problem(error)}") from None
            except UnicodeDecodeError:
                raise InputError(file, f"/@graph/{count}", "expected UTF-8 or UTF-16 text") from None
            if count >= limits.max_elements:
                raise InputError(file, f"/@graph/{count}", f"more elements than the limit max_elements={limits.max_elements:,}")
            yield from graph.element(element, f"/@graph/{count}")
            count += 1
    if count == 0:
        _check_empty_graph(path, limits)
    yield from graph.finish()


def _json_problem(error: Exception) -> str:
    """The first line of a JSON parser's complaint, as text."""
    detail = error.args[0] if error.args else ""
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", errors="replace")
    lines = str(detail).strip().splitlines()
    return lines[0] if lines else error.__class__.__name__


def _check_empty_graph(path: Path, limits: Limits) -> None:
    """A file that gave no element: fine if it has an empty @graph, else say what is wrong."""
    document = load_json(path, limits)
    if not isinstance(document, dict) or not isinstance(document.get("@graph"), list):
        raise InputError(str(path), "/", "expected an SPDX 3 JSON-LD document: an object with \"@context\" and an \"@graph\" array of elements")


def _looks_spdx3(text: str) -> bool:
    return text.lstrip().startswith("{") and '"@context"' in text and "spdx.org/rdf/3." in text


def sniff_spdx3(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return _looks_spdx3(text) and ICTS_PREFIX not in text


def sniff_cx_0158_1(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return _looks_spdx3(text) and ICTS_PREFIX in text


FORMATS: list[Format] = [
    Format("spdx-3-jsonld", sniff_spdx3, _reader("spdx-3-jsonld"), "SPDX 3.0.x JSON-LD (streamed)"),
    Format("cx-0158-1", sniff_cx_0158_1, _reader("cx-0158-1"), "Catena-X CX-0158-1 Car SBOM for ICTS: SPDX 3 JSON-LD with compliance.icts.* fields"),
]
