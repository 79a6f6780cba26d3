"""CycloneDX 1.2-1.7 SBOMs and HBOMs, JSON ("cyclonedx-json") and XML ("cyclonedx-xml", 1.0-1.1 too).

What a file gives:

* an `ItemFact` for `metadata.component` (the product the BOM describes, linked from the
  document by "describes") and for every entry of `components`, nested ones included
  ("contains" links parent -> child); components that only appear as pedigree ancestors,
  tools or formulation are not items of the BOM and are left out;
* an `ItemLink` "depends_on" for every `dependencies[].dependsOn` entry;
* a `RoleMention` for each party named in a role: `supplier` (supplied_by), `manufacturer`
  (1.6+, manufactured_by), `author` and `authors[]` (authored_by), `publisher`
  (published_by); for the product also `metadata.supplier` and the deprecated
  `metadata.manufacture` (attached to the document key when the BOM names no product).
  `metadata.manufacturer` (1.6+) is the maker of the BOM, not of the product, and is
  deliberately not read;
* a `PartyFact` for an organization or contact that carries its own `bom-ref`, so the
  mention can point at it.

JSON from 1 MiB up is first offered to the column-by-column reader (`cyclonedx_columnar`), which
gives exactly this module's facts or hands the file back; `read_json` here is the reference.

Keys are `bom-ref`s; a component without one is keyed by its location (JSON pointer or XML
path). The document's key is its `serialNumber`, or "document" when it has none.

A parser is not a schema validator. A file is refused when something cvrule keeps cannot be
read: a wrong JSON type, a component without a name or type, a component type CycloneDX does
not define, an empty or repeated `bom-ref`, a dependency without a `ref`, a property value
without a name. Values kept as text without being interpreted (license ids, timestamps, serial
numbers) and parts cvrule does not read (hashes, scopes, patch and issue types, services,
vulnerabilities, citations, ...) are accepted as written; an empty license or property, which
states nothing, is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson
from lxml import etree

from cvrule.ingest import collector
from cvrule.ingest.base import Format, InputError, Parsed, check_size, iter_xml, load_json, xml_local
from cvrule.ingest.countries import normalize_country
from cvrule.ingest.facts import FactRows, FactStream, ItemFact, ItemLink, PartyFact, RoleMention, SourceInfo
from cvrule.ingest.limits import Limits

try:
    _ijson = ijson.get_backend("yajl2_c")
except Exception:  # the pure-Python backend when the C one is not built
    _ijson = ijson

__all__ = ["FORMATS", "HARDWARE_TYPES", "SOFTWARE_TYPES", "COMPONENT_TYPES", "parse_json", "parse_xml", "read_json",
           "sniff_json", "sniff_xml"]

JSON_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
"""JSON exists from CycloneDX 1.2 on."""
XML_NAMESPACE = "http://cyclonedx.org/schema/bom/"
XML_VERSIONS = ("1.0", "1.1") + JSON_VERSIONS
"""1.0 and 1.1 XML share the component structure of 1.2, so they are read too."""

HARDWARE_TYPES = frozenset({"device"})
SOFTWARE_TYPES = frozenset({"application", "framework", "library", "container", "platform", "operating-system",
                            "firmware", "device-driver", "file"})
"""`platform` is "a runtime environment which interprets or executes software" (CycloneDX 1.5+
component.type), so it is software; only `device` is hardware."""
COMPONENT_TYPES = HARDWARE_TYPES | SOFTWARE_TYPES | {"machine-learning-model", "data", "cryptographic-asset"}
"""Every component.type of CycloneDX 1.0-1.7; the last three are neither hardware nor software here."""

GROUP_PROPERTY = "cyclonedx:group"
"""ItemFact has no field for component.group (the vendor or namespace); it is kept in properties."""
DOCUMENT_KEY = "document"

_MODEL_YEAR_NAME = re.compile(r"model[-_]?year", re.IGNORECASE)
_YEAR = re.compile(r"[0-9]{4}")


# --- sniffing ---------------------------------------------------------------------------------

_JSON_MARK = re.compile(r'"bomFormat"\s*:\s*"CycloneDX"|"\$schema"\s*:\s*"https?://cyclonedx\.org/schema/bom-')
_XML_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL)
_XML_BOM_ROOT = re.compile(r"\s*<(?:[A-Za-z_][\w.-]*:)?bom[\s>/][^>]*", re.DOTALL)


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def sniff_json(head: bytes, path: Path) -> bool:
    """A JSON object that says bomFormat "CycloneDX" or points at a CycloneDX JSON schema."""
    text = _head_text(head).lstrip()
    return text.startswith("{") and _JSON_MARK.search(text) is not None


def sniff_xml(head: bytes, path: Path) -> bool:
    """An XML document whose root element is `bom` in a CycloneDX namespace."""
    text = _head_text(head)
    position = 0
    while match := _XML_PROLOG.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    root = _XML_BOM_ROOT.match(text, position)
    return root is not None and XML_NAMESPACE in root.group(0)


# --- what both syntaxes reduce to -------------------------------------------------------------


@dataclass(slots=True)
class _Party:
    """An organizationalEntity, organizationalContact or plain name, as read."""

    name: str
    location: str
    kind: str = "organization"
    bom_ref: str | None = None
    country_raw: str | None = None
    url: str | None = None
    email: str | None = None


@dataclass(slots=True)
class _Component:
    """One component as read from either syntax, before it becomes facts."""

    key: str
    location: str
    component_type: str
    name: str
    version: str | None
    group: str | None
    description: str | None
    purl: str | None
    cpe: str | None
    properties: list[tuple[str, str]]
    licenses: list[str]
    modified: bool | None
    parties: list[tuple[str, _Party]]


_ITEM_TYPES = {**dict.fromkeys(HARDWARE_TYPES, "hardware"), **dict.fromkeys(SOFTWARE_TYPES, "software")}


def _item_type(component_type: str) -> str:
    """hardware, software, or unknown for the other types."""
    return _ITEM_TYPES.get(component_type, "unknown")


def _properties(properties: list[tuple[str, str]], group: str | None) -> dict[str, str]:
    """name -> value; a repeated name (CycloneDX allows it) keeps every value as `name#2`, `name#3`, ..."""
    if group is None:
        result = dict(properties)
        if len(result) == len(properties):
            return result
    result = {}
    if group is not None:
        result[GROUP_PROPERTY] = group
    for name, value in properties:
        key, count = name, 1
        while key in result:
            count += 1
            key = f"{name}#{count}"
        result[key] = value
    return result


def _model_year(properties: list[tuple[str, str]]) -> int | None:
    """The first property named like model-year / modelYear / model_year whose value is a four-digit year."""
    for name, value in properties:
        if ("y" in name or "Y" in name) and _MODEL_YEAR_NAME.search(name):
            text = value.strip()
            if _YEAR.fullmatch(text):
                return int(text)
    return None


_STREAM_BATCH = 20_000
"""How many facts a streamed read gathers before handing them on."""


class _Facts:
    """Collects the facts of one file and enforces what both syntaxes share: unique bom-refs.

    Facts are kept as rows (`FactRows`, each a tuple in its record's field order), one list per
    record type, in the order they are read."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[tuple] = []
        self.parties: list[tuple] = []
        self.mentions: list[tuple] = []
        self.links: list[tuple] = []
        self.item_locations: dict[str, str] = {}
        self.party_keys: set[str] = set()

    def pending(self) -> int:
        return len(self.items) + len(self.parties) + len(self.mentions) + len(self.links)

    def batches(self) -> list[FactRows]:
        """The facts collected since the last call, handed over."""
        batches = [FactRows(record, rows) for record, rows in ((ItemFact, self.items), (PartyFact, self.parties),
                                                                (RoleMention, self.mentions), (ItemLink, self.links))
                   if rows]
        self.items, self.parties, self.mentions, self.links = [], [], [], []
        return batches

    def error(self, location: str, message: str) -> InputError:
        return InputError(self.file, location, message)

    def claim_key(self, bom_ref: str | None, location: str, ref_location: str) -> str:
        if bom_ref is None:
            return location
        if not bom_ref:
            raise self.error(ref_location, "expected a non-empty bom-ref")
        first = self.item_locations.get(bom_ref)
        if first is not None:
            raise self.error(ref_location, f"bom-ref {bom_ref!r} is already used by the component at {first}")
        self.item_locations[bom_ref] = location
        return bom_ref

    def component(self, component: _Component) -> None:
        """An ItemFact (in ItemFact's field order) and a RoleMention for each of its parties."""
        properties, licenses = component.properties, component.licenses
        self.items.append((
            component.key,
            component.name,
            component.location,
            _item_type(component.component_type),
            component.component_type,
            component.version,
            component.purl,
            component.cpe,
            _model_year(properties) if properties else None,
            component.description,
            _properties(properties, component.group) if properties or component.group is not None else {},
            list(dict.fromkeys(licenses)) if len(licenses) > 1 else licenses,
            component.modified,
        ))
        for role, party in component.parties:
            self.mention(component.key, role, party)

    def mention(self, item: str, role: str, party: _Party) -> None:
        """A RoleMention, and a PartyFact the first time a party's bom-ref is seen (field order of each)."""
        bom_ref = party.bom_ref or None
        country = normalize_country(party.country_raw)
        if bom_ref and bom_ref not in self.party_keys:
            self.party_keys.add(bom_ref)
            identifiers = {scheme: value for scheme, value in (("url", party.url), ("email", party.email)) if value}
            self.parties.append((bom_ref, party.name, party.location, party.kind, country, None, None, None,
                                 identifiers, [], None))
        self.mentions.append((item, role, party.name, party.location, bom_ref, party.country_raw, country, party.url,
                              party.email))

    def link(self, parent: str, child: str, relation: str, location: str) -> None:
        self.links.append((parent, child, relation, location))

    def check_type(self, component_type: str | None, location: str) -> str:
        if component_type is None:
            raise self.error(location, "expected a component type")
        if component_type not in COMPONENT_TYPES:
            raise self.error(location, f"component type {component_type!r} is not a CycloneDX type "
                                       f"(expected one of {', '.join(sorted(COMPONENT_TYPES))})")
        return component_type


def _party_name(name: str | None, contacts: list[tuple[str | None, str | None]], url: str | None) -> str | None:
    """The entity's name, else its first contact's name, e-mail or the URL: whatever identifies it."""
    if name:
        return name
    for contact_name, email in contacts:
        if contact_name or email:
            return contact_name or email
    return url


# --- JSON -------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(value), "null")


class _JsonBom:
    """Reads a BOM parsed from JSON. A location (JSON pointer) is built only where a fact keeps it
    or an error names it: the checks test the common shape first and fall back to the general
    call, which builds the location, only for anything else."""

    def __init__(self, file: str, max_depth: int):
        self.out = _Facts(file)
        self.max_depth = max_depth

    def error(self, location: str, message: str) -> InputError:
        return self.out.error(location, message)

    def object(self, value: Any, where: str, what: str) -> dict[str, Any]:
        if type(value) is not dict:
            raise self.error(where, f"expected {what} (an object), found {_kind(value)}")
        return value

    def array(self, value: Any, where: str, what: str) -> list[Any]:
        if value is None:
            return []
        if type(value) is not list:
            raise self.error(where, f"expected {what} (an array), found {_kind(value)}")
        return value

    def text(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        value = obj.get(key)
        if type(value) is str:
            return value or None
        if value is None:
            return None
        raise self.error(f"{where}/{key}", f"expected {key} to be a string, found {_kind(value)}")

    def read(self, doc: dict[str, Any]) -> tuple[str | None, str | None]:
        """Reads the whole BOM; returns (document name, created)."""
        document_name, created = self.read_metadata(doc.get("metadata"), doc.get("serialNumber"))
        for index, item in enumerate(self.array(doc.get("components"), "/components", "components")):
            self.component(item, f"/components/{index}")
        for index, entry in enumerate(self.array(doc.get("dependencies"), "/dependencies", "dependencies")):
            self.dependency(entry, f"/dependencies/{index}")
        return document_name, created

    def read_metadata(self, metadata: Any, serial: Any) -> tuple[str | None, str | None]:
        """Reads metadata (the product, its supplier and manufacturer); returns (document name, created)."""
        created = document_name = None
        if metadata is not None:
            metadata = self.object(metadata, "/metadata", "metadata")
            created = self.text(metadata, "timestamp", "/metadata")
            document = serial if type(serial) is str and serial else DOCUMENT_KEY
            product = document
            if metadata.get("component") is not None:
                component = self.component(metadata["component"], "/metadata/component")
                product, document_name = component.key, component.name
                self.out.link(document, product, "describes", "/metadata/component")
            for role, key in (("supplied_by", "supplier"), ("manufactured_by", "manufacture")):
                party = self.entity(metadata.get(key), f"/metadata/{key}")
                if party is not None:
                    self.out.mention(product, role, party)
        return document_name, created

    def component(self, value: Any, where: str, depth: int = 1) -> _Component:
        if depth > self.max_depth:
            raise self.error(where, f"components nested deeper than the limit max_depth={self.max_depth}")
        obj = value if type(value) is dict else self.object(value, where, "a component")
        component_type = obj.get("type")
        if type(component_type) is not str or component_type not in COMPONENT_TYPES:
            if component_type is not None and type(component_type) is not str:
                raise self.error(f"{where}/type", f"expected type to be a string, found {_kind(component_type)}")
            self.out.check_type(component_type, f"{where}/type" if "type" in obj else where)
        name = obj.get("name")
        if type(name) is not str:
            if name is None:
                raise self.error(where, "expected a component name")
            raise self.error(f"{where}/name", f"expected name to be a string, found {_kind(name)}")
        bom_ref = obj.get("bom-ref")
        if bom_ref is not None and type(bom_ref) is not str:
            raise self.error(f"{where}/bom-ref", f"expected bom-ref to be a string, found {_kind(bom_ref)}")
        key = where if bom_ref is None else self.out.claim_key(bom_ref, where, f"{where}/bom-ref")
        text, properties, licenses = self.text, obj.get("properties"), obj.get("licenses")
        component = _Component(
            key=key, location=where, component_type=component_type, name=name,
            version=text(obj, "version", where), group=text(obj, "group", where),
            description=text(obj, "description", where), purl=text(obj, "purl", where),
            cpe=text(obj, "cpe", where),
            properties=[] if properties is None else self.properties(properties, where),
            licenses=[] if licenses is None else self.licenses(licenses, where),
            modified=self.modified(obj, where),
            parties=self.parties(obj, where),
        )
        self.out.component(component)
        children = obj.get("components")
        if children is not None:
            for index, child in enumerate(self.array(children, f"{where}/components", "components")):
                child_where = f"{where}/components/{index}"
                child_key = self.component(child, child_where, depth + 1).key
                self.out.link(key, child_key, "contains", child_where)
        return component

    def properties(self, value: Any, where: str) -> list[tuple[str, str]]:
        where = f"{where}/properties"
        pairs = []
        for index, entry in enumerate(self.array(value, where, "properties")):
            if type(entry) is dict:
                name, value = entry.get("name"), entry.get("value")
                if type(name) is str and name and (value is None or type(value) is str):
                    pairs.append((name, value or ""))
                    continue
            entry_where = f"{where}/{index}"
            prop = self.object(entry, entry_where, "a property")
            name, value = self.text(prop, "name", entry_where), self.text(prop, "value", entry_where)
            if name is None and value is not None:
                raise self.error(entry_where, "expected a property name for the value")
            if name is not None:
                pairs.append((name, value or ""))
        return pairs

    def licenses(self, value: Any, where: str) -> list[str]:
        where = f"{where}/licenses"
        found = []
        for index, entry in enumerate(self.array(value, where, "licenses")):
            if type(entry) is dict:  # the common shapes: {"expression": ...} and {"license": {"id": ...}}
                expression, license_obj = entry.get("expression"), entry.get("license")
                if license_obj is None and type(expression) is str:
                    if expression:
                        found.append(expression)
                    continue
                if expression is None and type(license_obj) is dict:
                    named = license_obj.get("id")
                    if type(named) is str and named:
                        found.append(named)
                        continue
            entry_where = f"{where}/{index}"
            choice = self.object(entry, entry_where, "a license choice")
            expression = self.text(choice, "expression", entry_where)
            if expression is not None:
                found.append(expression)
            if choice.get("license") is not None:
                license_where = f"{entry_where}/license"
                license_obj = self.object(choice["license"], license_where, "a license")
                named = self.text(license_obj, "id", license_where) or self.text(license_obj, "name", license_where)
                if named is not None:
                    found.append(named)
        return found

    def modified(self, obj: dict[str, Any], where: str) -> bool | None:
        """True when the pedigree records patches, variants or descendants, or the deprecated `modified` says so."""
        flag = obj.get("modified")
        if flag is not None and type(flag) is not bool:
            raise self.error(f"{where}/modified", f"expected modified to be true or false, found {_kind(flag)}")
        pedigree = obj.get("pedigree")
        if pedigree is not None:
            pedigree_where = f"{where}/pedigree"
            pedigree = self.object(pedigree, pedigree_where, "a pedigree")
            for key in ("patches", "variants", "descendants"):
                if self.array(pedigree.get(key), f"{pedigree_where}/{key}", key):
                    return True
        return flag

    def parties(self, obj: dict[str, Any], where: str) -> list[tuple[str, _Party]]:
        parties = []
        for role, key in (("supplied_by", "supplier"), ("manufactured_by", "manufacturer")):
            value = obj.get(key)
            if value is not None:
                party = self.entity(value, f"{where}/{key}")
                if party is not None:
                    parties.append((role, party))
        for role, key in (("authored_by", "author"), ("published_by", "publisher")):
            name = self.text(obj, key, where)
            if name is not None:
                parties.append((role, _Party(name=name, location=f"{where}/{key}", kind="unknown")))
        authors = obj.get("authors")
        if authors is not None:
            for index, entry in enumerate(self.array(authors, f"{where}/authors", "authors")):
                party = self.contact(entry, f"{where}/authors/{index}")
                if party is not None:
                    parties.append(("authored_by", party))
        return parties

    def entity(self, value: Any, where: str) -> _Party | None:
        """An organizationalEntity; None when it names nobody."""
        if value is None:
            return None
        obj = value if type(value) is dict else self.object(value, where, "an organization")
        url = None
        urls = obj.get("url")
        if urls is not None:
            for index, candidate in enumerate(urls if type(urls) is list else self.array(urls, f"{where}/url", "url")):
                if type(candidate) is not str:
                    raise self.error(f"{where}/url/{index}", f"expected a URL string, found {_kind(candidate)}")
                if url is None and candidate:
                    url = candidate
        contacts = []
        entries = obj.get("contact")
        if entries is not None:
            for index, entry in enumerate(self.array(entries, f"{where}/contact", "contact")):
                contact_where = f"{where}/contact/{index}"
                contact = self.object(entry, contact_where, "a contact")
                contacts.append((self.text(contact, "name", contact_where), self.text(contact, "email", contact_where)))
        country_raw = None
        address = obj.get("address")
        if address is not None:
            if type(address) is not dict:
                address = self.object(address, f"{where}/address", "an address")
            country = address.get("country")
            country_raw = (country or None) if type(country) is str else self.text(address, "country", f"{where}/address")
        name = _party_name(self.text(obj, "name", where), contacts, url)
        if name is None:
            return None
        bom_ref = obj.get("bom-ref")
        if bom_ref is not None and type(bom_ref) is not str:
            raise self.error(f"{where}/bom-ref", f"expected bom-ref to be a string, found {_kind(bom_ref)}")
        return _Party(name=name, location=where, bom_ref=bom_ref or None, country_raw=country_raw, url=url,
                      email=next((email for _, email in contacts if email), None) if contacts else None)

    def contact(self, value: Any, where: str) -> _Party | None:
        """An organizationalContact (authors[]); None when it names nobody."""
        obj = self.object(value, where, "a contact")
        name, email = self.text(obj, "name", where), self.text(obj, "email", where)
        if name is None and email is None:
            return None
        bom_ref = obj.get("bom-ref")
        if bom_ref is not None and type(bom_ref) is not str:
            raise self.error(f"{where}/bom-ref", f"expected bom-ref to be a string, found {_kind(bom_ref)}")
        return _Party(name=name or email or "", location=where, kind="individual", bom_ref=bom_ref or None, email=email)

    def dependency(self, value: Any, where: str) -> None:
        obj = value if type(value) is dict else self.object(value, where, "a dependency")
        ref = self.text(obj, "ref", where)
        if ref is None:
            raise self.error(f"{where}/ref" if "ref" in obj else where, "expected the ref of a component")
        children = obj.get("dependsOn")
        if children is None:
            return
        depends_where = f"{where}/dependsOn"
        links = self.out.links
        for index, child in enumerate(self.array(children, depends_where, "dependsOn")):
            if type(child) is not str or not child:
                raise self.error(f"{depends_where}/{index}", "expected the ref of a component (a non-empty string)")
            links.append((ref, child, "depends_on", f"{depends_where}/{index}"))


def _check_header(doc: Any, file: str) -> str:
    """The specVersion of a document that says it is a CycloneDX BOM of a version cvrule reads."""
    if type(doc) is not dict:
        raise InputError(file, "/", f"expected a CycloneDX BOM (a JSON object), found {_kind(doc)}")
    if "bomFormat" not in doc:
        raise InputError(file, "/", 'expected bomFormat "CycloneDX"')
    if doc["bomFormat"] != "CycloneDX":
        raise InputError(file, "/bomFormat", f'expected bomFormat "CycloneDX", found {doc["bomFormat"]!r}')
    if "specVersion" not in doc:
        raise InputError(file, "/", "expected a specVersion")
    version = doc["specVersion"]
    if version not in JSON_VERSIONS:
        raise InputError(file, "/specVersion", f"expected specVersion {', '.join(JSON_VERSIONS)}, found {version!r}")
    return version


COLUMNAR_ABOVE_BYTES = 1024**2
"""BOMs from this size up (and up to `Limits.stream_above_bytes`) are first offered to the
column-by-column reader (cvrule.ingest.cyclonedx_columnar), which gives the same facts faster or
declines; smaller ones are read here, where its fixed costs would not pay off."""


def parse_json(path: Path, limits: Limits) -> Parsed:
    size = check_size(path, limits)
    if size > limits.stream_above_bytes:
        return _stream_json(path, limits)
    data = None
    if size >= COLUMNAR_ABOVE_BYTES:
        from cvrule.ingest.cyclonedx_columnar import parse_columnar

        data = path.read_bytes()
        parsed = parse_columnar(path, limits, data)
        if parsed is not None:
            return parsed
    return read_json(path, limits, data)


def read_json(path: Path, limits: Limits, data: bytes | None = None) -> Parsed:
    """The reference reader: the whole document parsed with orjson, then read component by component."""
    with collector.paused():
        doc = load_json(path, limits, data)
        del data
        version = _check_header(doc, str(path))
        reader = _JsonBom(str(path), limits.max_depth)
        document_name, created = reader.read(doc)
        del doc
    source = SourceInfo(format="cyclonedx-json", format_version=version, document_name=document_name,
                        created=created)
    return Parsed(source, FactStream(reader.out.batches()))


def _stream_json(path: Path, limits: Limits) -> Parsed:
    """A large BOM read with ijson: the header and metadata first (they sit near the top, so the
    scan stops early), then each top-level component and dependency in turn, their facts handed on
    every `_STREAM_BATCH` facts. Memory is bounded by the largest single component and one batch."""
    file = str(path)

    def first(prefix: str) -> Any:
        with open(path, "rb") as handle:
            return next(_ijson.items(handle, prefix, use_float=True), None)

    try:
        header = {key: first(key) for key in ("bomFormat", "specVersion", "serialNumber")}
        header = {k: v for k, v in header.items() if v is not None}
        version = _check_header(header, file)
        metadata = first("metadata")
    except ijson.JSONError as error:
        raise InputError(file, None, f"not valid JSON: {' '.join(str(error).split())}") from None
    reader = _JsonBom(file, limits.max_depth)
    document_name, created = reader.read_metadata(metadata, header.get("serialNumber"))

    def batches() -> Iterator[FactRows]:
        out = reader.out
        for section, read in (("components", reader.component), ("dependencies", reader.dependency)):
            try:
                with open(path, "rb") as handle:
                    for index, value in enumerate(_ijson.items(handle, f"{section}.item", use_float=True)):
                        read(value, f"/{section}/{index}")
                        if out.pending() >= _STREAM_BATCH:
                            yield from out.batches()
            except ijson.JSONError as error:
                raise InputError(file, f"/{section}", f"not valid JSON: {' '.join(str(error).split())}") from None
        yield from out.batches()

    source = SourceInfo(format="cyclonedx-json", format_version=version, document_name=document_name, created=created)
    return Parsed(source, FactStream(batches()))


# --- XML --------------------------------------------------------------------------------------

_XML_ITEM = re.compile(r"/bom\[1\]/(?:components|metadata)\[\d+\]/component\[\d+\](?:/components\[\d+\]/component\[\d+\])*")
"""The path of a component that is part of the BOM (not a pedigree ancestor, tool or formula input)."""
_XML_NESTED = re.compile(r"(.*)/components\[\d+\]/component\[\d+\]")
_XML_TEXT_FIELDS = frozenset({"name", "version", "group", "description", "purl", "cpe", "author", "publisher",
                              "modified"})


class _XmlBom:
    """Reads the end events of `iter_xml`: each component when it closes, then clears it."""

    def __init__(self, file: str):
        self.out = _Facts(file)
        self.version: str | None = None
        self.document = DOCUMENT_KEY
        self.product: str | None = None
        self.document_name: str | None = None
        self.created: str | None = None
        self.ns = self.t_component = self.t_metadata = self.t_components = self.t_dependencies = self.t_dependency = ""
        self.root: etree._Element | None = None
        self.children: dict[str, list[tuple[str, str]]] = {}
        """Path of a component -> (key, location) of its nested components, read before it closes."""

    def error(self, location: str, message: str) -> InputError:
        return self.out.error(location, message)

    def start(self, element: etree._Element) -> None:
        root = element.getroottree().getroot()
        tag = root.tag if isinstance(root.tag, str) else ""
        namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "bom":
            raise self.error(f"/{local}[1]", "expected a CycloneDX <bom> root element")
        version = namespace[len(XML_NAMESPACE):] if namespace.startswith(XML_NAMESPACE) else None
        if version not in XML_VERSIONS:
            raise self.error("/bom[1]", f"expected the namespace {XML_NAMESPACE}1.N for CycloneDX 1.0 to 1.7, "
                                        f"found {namespace or 'no namespace'!r}")
        self.version = version
        self.ns = "{" + namespace + "}"
        self.root = root
        serial = root.get("serialNumber")
        if serial:
            self.document = serial
        self.t_component = self.ns + "component"
        self.t_metadata = self.ns + "metadata"
        self.t_components = self.ns + "components"
        self.t_dependencies = self.ns + "dependencies"
        self.t_dependency = self.ns + "dependency"

    def end(self, element: etree._Element, where: str) -> None:
        if self.version is None:
            self.start(element)
        tag = element.tag
        if tag == self.t_component:
            if _XML_ITEM.fullmatch(where):
                self.component(element, where)
                _drop(element, siblings=element.getparent().tag == self.t_components)
            return
        parent = element.getparent()
        if parent is None:
            return
        if parent is self.root:
            if tag == self.t_metadata:
                self.metadata(element, where)
            _drop(element)
        elif parent.getparent() is self.root:
            if parent.tag == self.t_dependencies and tag == self.t_dependency:
                self.dependency(element, where)
                _drop(element)
            elif parent.tag not in (self.t_metadata, self.t_components):
                _drop(element)

    def children_of(self, element: etree._Element, where: str):
        """(local name, child, child path) of the CycloneDX-namespace children, with the paths iter_xml gives."""
        counts: dict[str, int] = {}
        ns, skip = self.ns, len(self.ns)
        for child in element:
            tag = child.tag
            if type(tag) is not str:
                continue
            ours = tag.startswith(ns)
            local = tag[skip:] if ours else xml_local(tag)
            count = counts[local] = counts.get(local, 0) + 1
            if ours:
                yield local, child, f"{where}/{local}[{count}]"

    def text(self, element: etree._Element, where: str) -> str | None:
        for child in element:
            if isinstance(child.tag, str):
                raise self.error(f"{where}/{xml_local(child.tag)}[1]", "expected text, found an element")
        text = (element.text or "").strip()
        return text or None

    def component(self, element: etree._Element, where: str) -> None:
        component_type = self.out.check_type(element.get("type"), where)
        fields: dict[str, str | None] = {}
        properties: list[tuple[str, str]] = []
        licenses: list[str] = []
        parties: list[tuple[str, _Party]] = []
        pedigree_modified = False
        for local, child, child_where in self.children_of(element, where):
            if local in _XML_TEXT_FIELDS:
                fields.setdefault(local, self.text(child, child_where) or "")
            elif local == "supplier" or local == "manufacturer":
                party = self.entity(child, child_where)
                if party is not None:
                    parties.append(("supplied_by" if local == "supplier" else "manufactured_by", party))
            elif local == "authors":
                for _, author, author_where in self.children_of(child, child_where):
                    party = self.contact(author, author_where)
                    if party is not None:
                        parties.append(("authored_by", party))
            elif local == "properties":
                properties.extend(self.properties(child, child_where))
            elif local == "licenses":
                licenses.extend(self.licenses(child, child_where))
            elif local == "pedigree":
                pedigree_modified = pedigree_modified or self.pedigree_modified(child, child_where)
        name = fields.pop("name", None)
        if name is None:
            raise self.error(where, "expected a component name")
        fields = {local: value or None for local, value in fields.items()}
        for role, local in (("authored_by", "author"), ("published_by", "publisher")):
            if fields.get(local):
                parties.append((role, _Party(name=fields[local], location=f"{where}/{local}[1]", kind="unknown")))
        key = self.out.claim_key(element.get("bom-ref"), where, where)
        self.out.component(_Component(
            key=key, location=where, component_type=component_type, name=name, version=fields.get("version"),
            group=fields.get("group"), description=fields.get("description"), purl=fields.get("purl"),
            cpe=fields.get("cpe"), properties=properties, licenses=licenses,
            modified=True if pedigree_modified else self.boolean(fields.get("modified"), f"{where}/modified[1]"),
            parties=parties,
        ))
        for child_key, child_where in self.children.pop(where, ()):
            self.out.link(key, child_key, "contains", child_where)
        nested = _XML_NESTED.fullmatch(where)
        if nested:
            self.children.setdefault(nested.group(1), []).append((key, where))
        elif "/metadata[" in where:
            self.product = key
            self.document_name = name
            self.out.link(self.document, key, "describes", where)

    def boolean(self, text: str | None, where: str) -> bool | None:
        if text is None:
            return None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise self.error(where, f"expected true or false, found {text!r}")

    def properties(self, element: etree._Element, where: str) -> list[tuple[str, str]]:
        pairs = []
        for local, prop, prop_where in self.children_of(element, where):
            if local == "property":
                name, value = prop.get("name"), self.text(prop, prop_where)
                if not name and value is not None:
                    raise self.error(prop_where, "expected a property name (the name attribute) for the value")
                if name:
                    pairs.append((name, value or ""))
        return pairs

    def licenses(self, element: etree._Element, where: str) -> list[str]:
        found = []
        for local, choice, choice_where in self.children_of(element, where):
            if local == "expression":
                expression = self.text(choice, choice_where)
                if expression:
                    found.append(expression)
            elif local == "expression-detailed":
                if choice.get("expression"):
                    found.append(choice.get("expression"))
            elif local == "license":
                named = [self.text(part, part_where) for part_local, part, part_where
                         in self.children_of(choice, choice_where) if part_local in ("id", "name")]
                found.extend(value for value in named if value)
        return found

    def pedigree_modified(self, element: etree._Element, where: str) -> bool:
        for local, part, _ in self.children_of(element, where):
            if local in ("patches", "variants", "descendants") and any(isinstance(c.tag, str) for c in part):
                return True
        return False

    def entity(self, element: etree._Element, where: str) -> _Party | None:
        name = url = country_raw = None
        contacts: list[tuple[str | None, str | None]] = []
        for local, child, child_where in self.children_of(element, where):
            if local == "name":
                name = self.text(child, child_where)
            elif local == "url":
                url = url or self.text(child, child_where)
            elif local == "contact":
                contact = {part_local: self.text(part, part_where)
                           for part_local, part, part_where in self.children_of(child, child_where)
                           if part_local in ("name", "email")}
                contacts.append((contact.get("name"), contact.get("email")))
            elif local == "address":
                for part_local, part, part_where in self.children_of(child, child_where):
                    if part_local == "country":
                        country_raw = self.text(part, part_where)
        name = _party_name(name, contacts, url)
        if name is None:
            return None
        return _Party(name=name, location=where, bom_ref=element.get("bom-ref") or None, country_raw=country_raw,
                      url=url, email=next((email for _, email in contacts if email), None))

    def contact(self, element: etree._Element, where: str) -> _Party | None:
        parts = {local: self.text(child, child_where) for local, child, child_where in self.children_of(element, where)
                 if local in ("name", "email")}
        name, email = parts.get("name"), parts.get("email")
        if name is None and email is None:
            return None
        return _Party(name=name or email or "", location=where, kind="individual",
                      bom_ref=element.get("bom-ref") or None, email=email)

    def metadata(self, element: etree._Element, where: str) -> None:
        for local, child, child_where in self.children_of(element, where):
            if local == "timestamp":
                self.created = self.text(child, child_where)
            elif local in ("supplier", "manufacture"):
                party = self.entity(child, child_where)
                if party is not None:
                    role = "supplied_by" if local == "supplier" else "manufactured_by"
                    self.out.mention(self.product or self.document, role, party)

    def dependency(self, element: etree._Element, where: str) -> None:
        ref = element.get("ref")
        if not ref:
            raise self.error(where, "expected the ref of a component (the ref attribute)")
        for local, child, child_where in self.children_of(element, where):
            if local == "dependency":
                child_ref = child.get("ref")
                if not child_ref:
                    raise self.error(child_where, "expected the ref of a component (the ref attribute)")
                self.out.link(ref, child_ref, "depends_on", child_where)
                self.dependency(child, child_where)

    def finish(self) -> Parsed:
        source = SourceInfo(format="cyclonedx-xml", format_version=self.version, document_name=self.document_name,
                            created=self.created)
        return Parsed(source, FactStream(self.out.batches()))


def _drop(element: etree._Element, siblings: bool = True) -> None:
    """Frees a read element and, with `siblings`, the siblings read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if siblings and parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def parse_xml(path: Path, limits: Limits) -> Parsed:
    reader = _XmlBom(str(path))
    with collector.paused():
        for _, element, where in iter_xml(path, limits):
            reader.end(element, where)
    if reader.version is None:
        raise InputError(str(path), None, "expected a CycloneDX <bom> document, found no elements")
    return reader.finish()


FORMATS: list[Format] = [
    Format("cyclonedx-json", sniff_json, parse_json, "CycloneDX 1.2-1.7 SBOM/HBOM, JSON"),
    Format("cyclonedx-xml", sniff_xml, parse_xml, f"CycloneDX 1.0-1.7 SBOM/HBOM, XML (namespace {XML_NAMESPACE}1.N)"),
]
