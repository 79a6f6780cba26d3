"""SPDX 2.x documents (2.2 and 2.3; 2.1 tag-value too) in JSON, YAML, tag-value and the SPDX XML
serialization, reduced to items, supplier/originator mentions and the item tree.

What is read:
- each package -> ItemFact: key = SPDXID, item_type from primaryPackagePurpose (DEVICE -> hardware,
  software purposes -> software, OTHER or missing -> unknown), purl and cpe from externalRefs,
  declared and concluded licences, download location, homepage and dates as properties;
- PackageSupplier -> RoleMention "supplied_by", PackageOriginator -> "originated_by", from the
  one-line "Organization: name (email)" / "Person: name (email)" form; NOASSERTION names nobody.
  SPDX 2 has no party ids, so `party` stays None;
- relationships between packages -> ItemLink: CONTAINS/CONTAINED_BY -> contains,
  DEPENDS_ON/DEPENDENCY_OF/RUNTIME_DEPENDENCY_OF/STATIC_LINK/DYNAMIC_LINK -> depends_on,
  DESCRIBES/DESCRIBED_BY and documentDescribes -> describes (the parent may be the document).
  Inverse types are turned round so that `parent` is always the container, dependant or
  describer. Links to files, snippets or other documents are left out: they are not items.

Files and snippets are not items (a package is the unit a supplier answers for). The RDF/XML
serialization is refused with a clear error rather than misread. Tag-value is read line by line
by hand; the other serializations are whole documents (JSON through orjson).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from cvrule.ingest.base import Format, InputError, Parsed, check_size, iter_xml, load_json, pointer, text_stream, xml_local
from cvrule.ingest.facts import Fact, ItemFact, ItemLink, RoleMention, SourceInfo
from cvrule.ingest.limits import Limits
from cvrule.yamlio import check_yaml_shape

__all__ = ["FORMATS", "head_text", "item_type_for_purpose", "parse_party"]

DOCUMENT_ID = "SPDXRef-DOCUMENT"

_PURPOSE_ITEM_TYPE = {
    "DEVICE": "hardware",
    "APPLICATION": "software",
    "FRAMEWORK": "software",
    "LIBRARY": "software",
    "CONTAINER": "software",
    "OPERATING-SYSTEM": "software",
    "FIRMWARE": "software",
    "SOURCE": "software",
    "ARCHIVE": "software",
    "FILE": "software",
    "INSTALL": "software",
    "OTHER": "unknown",
}

# SPDX 2.3 relationship types (clause 11.1); anything else is not SPDX.
_RELATIONSHIP_TYPES = frozenset(
    """DESCRIBES DESCRIBED_BY CONTAINS CONTAINED_BY DEPENDS_ON DEPENDENCY_OF DEPENDENCY_MANIFEST_OF
    BUILD_DEPENDENCY_OF DEV_DEPENDENCY_OF OPTIONAL_DEPENDENCY_OF PROVIDED_DEPENDENCY_OF
    TEST_DEPENDENCY_OF RUNTIME_DEPENDENCY_OF EXAMPLE_OF GENERATES GENERATED_FROM ANCESTOR_OF
    DESCENDANT_OF VARIANT_OF DISTRIBUTION_ARTIFACT PATCH_FOR PATCH_APPLIED COPY_OF FILE_ADDED
    FILE_DELETED FILE_MODIFIED EXPANDED_FROM_ARCHIVE DYNAMIC_LINK STATIC_LINK DATA_FILE_OF
    TEST_CASE_OF BUILD_TOOL_OF DEV_TOOL_OF TEST_OF TEST_TOOL_OF DOCUMENTATION_OF
    OPTIONAL_COMPONENT_OF METAFILE_OF PACKAGE_OF AMENDS PREREQUISITE_FOR HAS_PREREQUISITE
    REQUIREMENT_DESCRIPTION_FOR SPECIFICATION_FOR OTHER""".split()
)

# relationship type -> (ItemLink relation, whether the SPDX element is the child rather than the parent)
_LINKS = {
    "CONTAINS": ("contains", False),
    "CONTAINED_BY": ("contains", True),
    "DEPENDS_ON": ("depends_on", False),
    "DEPENDENCY_OF": ("depends_on", True),
    "RUNTIME_DEPENDENCY_OF": ("depends_on", True),
    "STATIC_LINK": ("depends_on", False),
    "DYNAMIC_LINK": ("depends_on", False),
    "DESCRIBES": ("describes", False),
    "DESCRIBED_BY": ("describes", True),
}

_NO_VALUE = frozenset({"", "NOASSERTION", "NONE"})

_PARTY = re.compile(r"^(person|organization|tool)\s*:\s*(.*)$", re.I | re.S)
_TRAILING_PARENS = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$", re.S)


def head_text(head: bytes) -> str:
    """The first bytes of a file as text, for sniffing: UTF-16 with a BOM or UTF-8 (a cut
    multi-byte character at the end is dropped)."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")


def item_type_for_purpose(purpose: str | None) -> str:
    if purpose is None:
        return "unknown"
    return _PURPOSE_ITEM_TYPE.get(purpose, "unknown")


@functools.lru_cache(maxsize=4096)
def parse_party(text: str) -> tuple[str, str, str | None] | None:
    """(kind, name, email) from an SPDX 2 supplier/originator line: kind is "organization" or
    "individual" for the "Organization:"/"Person:" forms and "unknown" for text without that
    prefix (real tools write "Microsoft/GitHub"); None for NOASSERTION/NONE or an empty name.

    A trailing "(...)" is taken as the e-mail only when it is empty or holds an "@", so a name
    such as "Foo (Deutschland) GmbH" or "Bar (Shenzhen)" stays whole. A document names few
    parties many times over, so each line's answer is remembered (about a quarter of the time of
    reading 20,000 packages)."""
    stripped = text.strip()
    if stripped in _NO_VALUE:
        return None
    match = _PARTY.match(stripped)
    label, rest = (match.group(1).lower(), match.group(2)) if match else ("", stripped)
    email = None
    parens = _TRAILING_PARENS.match(rest)
    if parens and ("@" in parens.group(2) or not parens.group(2).strip()):
        rest = parens.group(1)
        email = parens.group(2).strip() or None
    name = rest.strip()
    if not name or name in _NO_VALUE:
        return None
    return ({"organization": "organization", "person": "individual"}.get(label, "unknown"), name, email)


Where = Callable[[str | None], str]
"""Location of a field of the element being read (None: the element itself)."""


class _Document:
    """What one SPDX 2 document says about packages, whatever its serialization: turns package
    records (JSON-shaped dicts) into facts and holds relationships until every package is known."""

    def __init__(self, file: str, document_id: str):
        self.file = file
        self.document_id = document_id
        self.packages: set[str] = set()
        self.links: list[tuple[str, str, str, str]] = []

    def error(self, where: str, message: str) -> InputError:
        return InputError(self.file, where, message)

    def text(self, value: Any, where: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        raise self.error(where, f"expected a text value, found {_kind(value)}")

    def field(self, record: dict[str, Any], field: str, where: Where) -> str | None:
        """A text field of a package record; its location is worked out only for an error."""
        value = record.get(field)
        if value is None or isinstance(value, str):
            return value
        raise self.error(where(field), f"expected a text value, found {_kind(value)}")

    def package(self, record: Any, where: Where) -> list[Fact]:
        if not isinstance(record, dict):
            raise self.error(where(None), f"expected a package object, found {_kind(record)}")
        key = self.field(record, "SPDXID", where)
        if not key:
            raise self.error(where("SPDXID"), "expected the package's SPDXID (every package needs an SPDX identifier)")
        name = self.field(record, "name", where)
        if name is None:
            raise self.error(where("name"), "expected the package name")
        purpose = self.field(record, "primaryPackagePurpose", where)
        if purpose is not None:
            purpose = purpose.strip().upper().replace("_", "-")
            if purpose not in _PURPOSE_ITEM_TYPE:
                raise self.error(where("primaryPackagePurpose"), f"expected one of {', '.join(_PURPOSE_ITEM_TYPE)}, found {purpose!r}")
        purl, cpe = self.external_refs(record.get("externalRefs"), where)
        licenses: list[str] = []
        for field in ("licenseDeclared", "licenseConcluded"):
            value = self.field(record, field, where)
            if value is not None and value.strip() not in _NO_VALUE and value.strip() not in licenses:
                licenses.append(value.strip())
        properties: dict[str, str] = {}
        for field in ("downloadLocation", "homepage", "packageFileName", "releaseDate", "builtDate", "validUntilDate"):
            value = self.field(record, field, where)
            if value is not None and value.strip() not in _NO_VALUE:
                properties[field] = value
        description = self.field(record, "description", where)
        if description is None:
            description = self.field(record, "summary", where)
        self.packages.add(key)
        facts: list[Fact] = [
            ItemFact(
                key=key,
                name=name,
                location=where(None),
                item_type=item_type_for_purpose(purpose),
                component_type=purpose,
                version=self.field(record, "versionInfo", where),
                purl=purl,
                cpe=cpe,
                description=description,
                properties=properties,
                licenses=licenses,
            )
        ]
        for field, role in (("supplier", "supplied_by"), ("originator", "originated_by")):
            value = self.field(record, field, where)
            if value is None:
                continue
            party = parse_party(value)
            if party is not None:
                facts.append(RoleMention(item=key, role=role, name=party[1], location=where(field), email=party[2]))
        return facts

    def external_refs(self, refs: Any, where: Where) -> tuple[str | None, str | None]:
        if refs is None:
            return None, None
        if not isinstance(refs, list):
            raise self.error(where("externalRefs"), f"expected a list of external references, found {_kind(refs)}")
        purl = cpe = None
        base = where("externalRefs")
        for index, ref in enumerate(refs):
            at = f"{base}/{index}" if base.startswith("/") else base
            if not isinstance(ref, dict):
                raise self.error(at, f"expected an external reference object, found {_kind(ref)}")
            kind = self.text(ref.get("referenceType"), at)
            locator = self.text(ref.get("referenceLocator"), at)
            if kind is None or locator is None:
                raise self.error(at, "expected referenceType and referenceLocator")
            if kind == "purl" and purl is None:
                purl = locator
            elif kind in ("cpe23Type", "cpe22Type") and (cpe is None or kind == "cpe23Type" and not cpe.startswith("cpe:2.3:")):
                cpe = locator
        return purl, cpe

    def relationship(self, element: Any, kind: Any, related: Any, where: str) -> None:
        element = self.text(element, where)
        kind = self.text(kind, where)
        related = self.text(related, where)
        if not element or not kind or not related:
            raise self.error(where, "expected spdxElementId, relationshipType and relatedSpdxElement")
        if kind not in _RELATIONSHIP_TYPES:
            raise self.error(where, f"expected an SPDX 2.3 relationship type (CONTAINS, DEPENDS_ON, DESCRIBES, ...), found {kind!r}")
        mapped = _LINKS.get(kind)
        if mapped is None:
            return
        relation, inverse = mapped
        parent, child = (related, element) if inverse else (element, related)
        self.links.append((parent, child, relation, where))

    def item_links(self) -> Iterator[ItemLink]:
        """The held relationships whose ends are packages (or the document, for describes), once each."""
        seen: set[tuple[str, str, str]] = set()
        for parent, child, relation, where in self.links:
            if child not in self.packages:
                continue
            if parent not in self.packages and not (relation == "describes" and parent == self.document_id):
                continue
            if (parent, child, relation) in seen:
                continue
            seen.add((parent, child, relation))
            yield ItemLink(parent=parent, child=child, relation=relation, location=where)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a text", bool: "a boolean", int: "a number", float: "a number"}.get(type(value), "null" if value is None else type(value).__name__)


# ---------------------------------------------------------------------------------------------
# JSON and YAML: the same document tree


def _check_header(doc: Any, file: str) -> None:
    if not isinstance(doc, dict):
        raise InputError(file, "/", f"expected an SPDX 2 document object, found {_kind(doc)}")
    version = doc.get("spdxVersion")
    if version is None:
        if "Document" in doc:
            raise InputError(file, "/Document", "this is the pre-2.2 spdx-tools JSON layout (a 'Document' wrapper), which is not an SPDX 2.2/2.3 serialization; convert it with a current SPDX tool")
        raise InputError(file, "/spdxVersion", "expected spdxVersion (e.g. \"SPDX-2.3\")")
    if not isinstance(version, str) or not version.startswith("SPDX-2."):
        raise InputError(file, "/spdxVersion", f"expected an SPDX 2 version such as \"SPDX-2.3\", found {version!r}")
    spdx_id = doc.get("SPDXID")
    if not isinstance(spdx_id, str) or not spdx_id:
        raise InputError(file, "/SPDXID", f"expected the document's SPDXID (normally \"{DOCUMENT_ID}\"), found {spdx_id!r}")
    if not isinstance(doc.get("name"), str):
        raise InputError(file, "/name", f"expected the document name (mandatory in SPDX 2), found {_kind(doc.get('name'))}")
    for field in ("packages", "relationships", "documentDescribes"):
        if doc.get(field) is not None and not isinstance(doc[field], list):
            raise InputError(file, pointer(field), f"expected a list, found {_kind(doc[field])}")


def _source(doc: dict[str, Any], fmt: str) -> SourceInfo:
    info = doc.get("creationInfo")
    created = info.get("created") if isinstance(info, dict) else None
    name = doc.get("name")
    return SourceInfo(
        format=fmt,
        format_version=doc["spdxVersion"],
        document_name=name if isinstance(name, str) else None,
        created=created if isinstance(created, str) else None,
    )


def _tree_facts(doc: dict[str, Any], file: str) -> Iterator[Fact]:
    document = _Document(file, doc["SPDXID"])
    for index, record in enumerate(doc.get("packages") or ()):
        yield from document.package(record, _pointer_where("packages", index))
    for index, described in enumerate(doc.get("documentDescribes") or ()):
        document.relationship(document.document_id, "DESCRIBES", described, pointer("documentDescribes", index))
    for index, relationship in enumerate(doc.get("relationships") or ()):
        where = pointer("relationships", index)
        if not isinstance(relationship, dict):
            raise InputError(file, where, f"expected a relationship object, found {_kind(relationship)}")
        document.relationship(relationship.get("spdxElementId"), relationship.get("relationshipType"), relationship.get("relatedSpdxElement"), where)
    yield from document.item_links()


def _pointer_where(*parts: object) -> Where:
    base = pointer(*parts)
    return lambda field: base if field is None else f"{base}/{field}"


def parse_json(path: Path, limits: Limits) -> Parsed:
    doc = load_json(path, limits)
    _check_header(doc, str(path))
    return Parsed(_source(doc, "spdx-2-json"), _tree_facts(doc, str(path)))


class _StringsLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loading that keeps every plain scalar but true/false/null as text, so that
    `versionInfo: 1.10` stays "1.10" and `created: 2010-01-29T18:30:22Z` stays as written."""


_StringsLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(path: Path, limits: Limits) -> Parsed:
    check_size(path, limits)
    try:
        with text_stream(path) as stream:
            text = stream.read()
    except UnicodeDecodeError as error:
        raise InputError(str(path), f"byte {error.start}", "expected UTF-8 or UTF-16 text") from None
    try:
        check_yaml_shape(text, path, limits.max_depth, limits.max_elements, _StringsLoader)
        doc = yaml.load(text, Loader=_StringsLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise InputError(str(path), where, f"not valid YAML: {error.problem or error.context}") from None
    except (yaml.YAMLError, RecursionError) as error:
        raise InputError(str(path), None, f"not valid YAML: {error.__class__.__name__}") from None
    _check_header(doc, str(path))
    return Parsed(_source(doc, "spdx-2-yaml"), _tree_facts(doc, str(path)))


# ---------------------------------------------------------------------------------------------
# The SPDX XML serialization (the JSON tree written as elements, lists as repeated elements)

_XML_LISTS = frozenset({"externalRefs", "checksums", "licenseInfoFromFiles", "attributionTexts", "hasFiles", "annotations"})


def _xml_record(element: Any) -> dict[str, Any] | str:
    children = list(element)
    if not children:
        return element.text or ""
    record: dict[str, Any] = {}
    for child in children:
        name = xml_local(child.tag)
        value = _xml_record(child)
        if name in _XML_LISTS:
            record.setdefault(name, []).append(value)
        elif name in record:
            if not isinstance(record[name], list):
                record[name] = [record[name]]
            record[name].append(value)
        else:
            record[name] = value
    return record


def parse_xml(path: Path, limits: Limits) -> Parsed:
    file = str(path)
    document = _Document(file, DOCUMENT_ID)
    header: dict[str, Any] = {}
    facts: list[Fact] = []
    root = None
    for _event, element, where in iter_xml(path, limits):
        depth = where.count("/")
        if depth == 1:
            root = xml_local(element.tag)
            continue
        if depth != 2:
            continue
        name = xml_local(element.tag)
        if name == "packages":
            facts.extend(document.package(_xml_record(element), lambda field, where=where: where if field is None else f"{where}/{field}"))
        elif name == "relationships":
            record = _xml_record(element)
            if not isinstance(record, dict):
                raise InputError(file, where, "expected spdxElementId, relationshipType and relatedSpdxElement")
            document.relationship(record.get("spdxElementId"), record.get("relationshipType"), record.get("relatedSpdxElement"), where)
        elif name == "documentDescribes":
            document.relationship(document.document_id, "DESCRIBES", element.text, where)
        elif name in ("spdxVersion", "SPDXID", "name", "creationInfo"):
            header[name] = _xml_record(element)
            if name == "SPDXID" and isinstance(header[name], str):
                document.document_id = header[name]
        element.clear()
    if root != "Document":
        raise InputError(file, "/", f"expected an SPDX XML <Document> root element, found <{root}>")
    _check_header(header, file)
    facts.extend(document.item_links())
    return Parsed(_source(header, "spdx-2-xml"), facts)


# ---------------------------------------------------------------------------------------------
# Tag-value, read by hand line by line

_TAG_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_\-]*):[ \t]?(.*)$")

# Tag -> the JSON field it fills in the current package.
_PACKAGE_TAGS = {
    "PackageVersion": "versionInfo",
    "PackageFileName": "packageFileName",
    "PackageSupplier": "supplier",
    "PackageOriginator": "originator",
    "PackageDownloadLocation": "downloadLocation",
    "PackageHomePage": "homepage",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageSummary": "summary",
    "PackageDescription": "description",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
    "ReleaseDate": "releaseDate",
    "BuiltDate": "builtDate",
    "ValidUntilDate": "validUntilDate",
}
_PACKAGE_ONLY_TAGS = frozenset(_PACKAGE_TAGS) | {
    "FilesAnalyzed", "PackageVerificationCode", "PackageChecksum", "PackageSourceInfo",
    "PackageLicenseInfoFromFiles", "PackageLicenseComments", "PackageCopyrightText",
    "PackageComment", "ExternalRef", "ExternalRefComment", "PackageAttributionText",
}
_ELEMENT_START_TAGS = frozenset({"PackageName", "FileName", "SnippetSPDXID", "LicenseID"})
_OTHER_TAGS = frozenset(
    """SPDXVersion DataLicense SPDXID DocumentName DocumentNamespace DocumentComment ExternalDocumentRef
    Creator Created CreatorComment LicenseListVersion FileType FileChecksum LicenseConcluded
    LicenseInfoInFile LicenseComments LicenseComment FileCopyrightText FileComment FileNotice
    FileContributor FileAttributionText FileDependency ArtifactOfProjectName ArtifactOfProjectHomePage
    ArtifactOfProjectURI SnippetFromFileSPDXID SnippetByteRange SnippetLineRange
    SnippetLicenseConcluded LicenseInfoInSnippet SnippetLicenseComments SnippetCopyrightText
    SnippetComment SnippetName SnippetAttributionText ExtractedText LicenseName LicenseCrossReference
    Relationship RelationshipComment Annotator AnnotationDate AnnotationType SPDXREF
    AnnotationComment Reviewer ReviewDate ReviewComment""".split()
)
_KNOWN_TAGS = _PACKAGE_ONLY_TAGS | _ELEMENT_START_TAGS | _OTHER_TAGS


def _tag_values(path: Path, limits: Limits) -> Iterator[tuple[int, str, str]]:
    """(line, tag, value) for each tag of a tag-value file; a <text>...</text> value may span
    lines and is given with the line it starts on."""
    file = str(path)
    number = 0
    text_start = 0
    text_tag = ""
    text_parts: list[str] = []
    text_size = 0
    try:
        with text_stream(path) as stream:
            for raw in stream:
                number += 1
                if number > limits.max_elements:
                    raise InputError(file, f"line {number}", f"more lines than the limit max_elements={limits.max_elements:,}")
                line = raw.rstrip("\r\n")
                if text_start:
                    end = line.find("</text>")
                    part = line if end < 0 else line[:end]
                    text_parts.append(part)
                    text_size += len(part) + 1
                    if text_size > limits.max_string_bytes:
                        raise InputError(file, f"line {text_start}", f"text longer than the limit max_string_bytes={limits.max_string_bytes:,}")
                    if end >= 0:
                        yield text_start, text_tag, "\n".join(text_parts)
                        text_start = 0
                    continue
                stripped = line.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                match = _TAG_LINE.match(stripped)
                if not match:
                    raise InputError(file, f"line {number}", f"expected a 'Tag: value' line, found {stripped[:60]!r}")
                tag, value = match.groups()
                if tag not in _KNOWN_TAGS:
                    raise InputError(file, f"line {number}", f"unknown SPDX 2 tag {tag!r}")
                value = value.strip()
                if value.startswith("<text>"):
                    body = value[len("<text>"):]
                    end = body.find("</text>")
                    if end >= 0:
                        yield number, tag, body[:end]
                    else:
                        text_start, text_tag, text_parts, text_size = number, tag, [body], len(body)
                    continue
                if len(value) > limits.max_string_bytes:
                    raise InputError(file, f"line {number}", f"value longer than the limit max_string_bytes={limits.max_string_bytes:,}")
                yield number, tag, value
    except UnicodeDecodeError as error:
        raise InputError(file, f"line {number + 1}", f"expected UTF-8 or UTF-16 text (undecodable byte at offset {error.start} of the line's block)") from None
    if text_start:
        raise InputError(file, f"line {text_start}", f"the <text> value of {text_tag} is never closed with </text>")


class _TagValuePackage:
    """A package being read from tag-value: its JSON-shaped record and the line of each field."""

    def __init__(self, name: str, line: int):
        self.record: dict[str, Any] = {"name": name}
        self.lines: dict[str, int] = {}
        self.line = line

    def where(self, field: str | None) -> str:
        return f"line {self.lines.get(field, self.line) if field else self.line}"


def parse_tag_value(path: Path, limits: Limits) -> Parsed:
    file = str(path)
    check_size(path, limits)
    tags = _tag_values(path, limits)
    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    read: list[tuple[int, str, str]] = []
    for line, tag, value in tags:
        read.append((line, tag, value))
        if tag in _ELEMENT_START_TAGS or tag in _PACKAGE_ONLY_TAGS:
            break
        if tag in ("SPDXVersion", "SPDXID", "DocumentName", "Created") and tag not in header:
            header[tag] = value
            header_lines[tag] = line
    version = header.get("SPDXVersion")
    if version is None:
        raise InputError(file, "line 1", "expected an SPDXVersion tag in the document header (e.g. 'SPDXVersion: SPDX-2.3')")
    if not version.startswith("SPDX-2."):
        raise InputError(file, f"line {header_lines['SPDXVersion']}", f"expected an SPDX 2 version such as SPDX-2.3, found {version!r}")
    if not header.get("SPDXID"):
        raise InputError(file, "line 1", f"expected the document's SPDXID (normally {DOCUMENT_ID}) in the document header")
    if "DocumentName" not in header:
        raise InputError(file, "line 1", "expected a DocumentName tag in the document header (mandatory in SPDX 2)")
    source = SourceInfo(format="spdx-2-tag-value", format_version=version, document_name=header.get("DocumentName"), created=header.get("Created"))
    return Parsed(source, _tag_value_facts(_Document(file, header["SPDXID"]), itertools.chain(read, tags)))


def _tag_value_facts(document: _Document, tags: Iterable[tuple[int, str, str]]) -> Iterator[Fact]:
    file = document.file
    package: _TagValuePackage | None = None
    element = "document"
    element_line = 0
    for line, tag, value in tags:
        if tag in _ELEMENT_START_TAGS:
            if package is not None:
                yield from document.package(package.record, package.where)
                package = None
            element, element_line = tag, line
            if tag == "PackageName":
                package = _TagValuePackage(value, line)
            continue
        if tag == "Relationship":
            parts = value.split()
            if len(parts) != 3:
                raise InputError(file, f"line {line}", f"expected 'Relationship: <element> <TYPE> <element>', found {value!r}")
            document.relationship(parts[0], parts[1], parts[2], f"line {line}")
            continue
        if tag in _PACKAGE_ONLY_TAGS and package is None:
            after = "before any PackageName" if element == "document" else f"inside the {element} section begun at line {element_line}"
            raise InputError(file, f"line {line}", f"{tag} is a package field but appears {after}")
        if package is None:
            continue
        if tag == "SPDXID":
            if "SPDXID" in package.record:
                raise InputError(file, f"line {line}", f"second SPDXID for the package begun at line {package.line}")
            package.record["SPDXID"] = value
            package.lines["SPDXID"] = line
        elif tag == "ExternalRef":
            parts = value.split(None, 2)
            if len(parts) != 3:
                raise InputError(file, f"line {line}", f"expected 'ExternalRef: <category> <type> <locator>', found {value!r}")
            package.record.setdefault("externalRefs", []).append(
                {"referenceCategory": parts[0], "referenceType": parts[1], "referenceLocator": parts[2]}
            )
            package.lines.setdefault("externalRefs", line)
        elif tag in _PACKAGE_TAGS:
            field = _PACKAGE_TAGS[tag]
            package.record[field] = value
            package.lines[field] = line
    if package is not None:
        yield from document.package(package.record, package.where)
    yield from document.item_links()


# ---------------------------------------------------------------------------------------------
# RDF/XML: recognized and refused


def parse_rdf(path: Path, limits: Limits) -> Parsed:
    raise InputError(
        str(path),
        None,
        "is SPDX in the RDF/XML serialization, which cvrule does not read; convert it to SPDX JSON, "
        "YAML or tag-value (e.g. with the SPDX tools' convert command) and ingest that",
    )


# ---------------------------------------------------------------------------------------------
# Sniffing

_JSON_SPDX2 = re.compile(r'"(?:spdxVersion|SPDXID)"\s*:')
# YAML: the document's own keys, at the top level of the mapping (column 0), and a file whose
# first line of content is a mapping key: a script or a page that quotes SPDX is not SPDX.
_YAML_SPDX2 = re.compile(r"""^["']?(?:spdxVersion["']?[ \t]*:[ \t]*["']?SPDX-2|SPDXID["']?[ \t]*:[ \t]*["']?SPDXRef-DOCUMENT["']?[ \t\r]*$)""", re.M)
_YAML_KEYS = re.compile(r"""^["']?(spdxVersion|SPDXID|dataLicense|documentNamespace|creationInfo)["']?[ \t]*:""", re.M)
_YAML_KEY_LINE = re.compile(r"""["']?[A-Za-z_][\w.-]*["']?[ \t]*:(?:[ \t]|$)""")
_TAG_VALUE_SPDXID = re.compile(r"^SPDXID:\s*SPDXRef-DOCUMENT\s*$", re.M)
_TAG_VALUE_HEADER = re.compile(r"^(?:SPDXVersion|DataLicense|DocumentNamespace|DocumentName):", re.M)


def _json_like(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def sniff_json(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return text.lstrip().startswith("{") and '"@context"' not in text and bool(_JSON_SPDX2.search(text))


def _starts_as_yaml_mapping(text: str) -> bool:
    """Whether the first line of content (after blank lines, comments, directives and `---`)
    is a top-level mapping key."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "%")) or stripped == "---":
            continue
        return bool(_YAML_KEY_LINE.match(line))
    return False


def sniff_yaml(head: bytes, path: Path) -> bool:
    text = head_text(head)
    if _json_like(text) or text.lstrip().startswith("<"):
        return False
    return (_starts_as_yaml_mapping(text) and bool(_YAML_SPDX2.search(text))
            and len(set(_YAML_KEYS.findall(text))) >= 2)


def sniff_tag_value(head: bytes, path: Path) -> bool:
    text = head_text(head)
    if _json_like(text) or text.lstrip().startswith("<"):
        return False
    if re.search(r"^SPDXVersion:\s*SPDX-", text, re.M):
        return True
    return bool(_TAG_VALUE_SPDXID.search(text)) and bool(_TAG_VALUE_HEADER.search(text))


def sniff_xml(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return "rdf:RDF" not in text and bool(re.search(r"<Document[\s>]", text)) and bool(
        re.search(r"<spdxVersion>\s*SPDX-2|<SPDXID>\s*SPDXRef-DOCUMENT\s*</SPDXID>", text)
    )


def sniff_rdf(head: bytes, path: Path) -> bool:
    text = head_text(head)
    return "rdf:RDF" in text and "spdx.org/rdf/" in text


FORMATS: list[Format] = [
    Format("spdx-2-json", sniff_json, parse_json, "SPDX 2.2/2.3 JSON"),
    Format("spdx-2-yaml", sniff_yaml, parse_yaml, "SPDX 2.2/2.3 YAML"),
    Format("spdx-2-tag-value", sniff_tag_value, parse_tag_value, "SPDX 2.1-2.3 tag-value"),
    Format("spdx-2-xml", sniff_xml, parse_xml, "SPDX 2.2/2.3 XML (the spdx-tools XML serialization, not RDF)"),
    Format("spdx-2-rdf", sniff_rdf, parse_rdf, "SPDX RDF/XML: recognized and refused with a clear error"),
]
