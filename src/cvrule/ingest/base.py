"""What every parser shares: the Format contract, safe JSON and XML reading within limits, and
JSON-pointer locations. A parser raises `InputError(file, location, expected)` for bad input and
never lets another exception escape for anything a file can contain."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from lxml import etree

from cvrule.errors import InputError
from cvrule.ingest.facts import Fact, SourceInfo
from cvrule.ingest.limits import Limits

__all__ = [
    "Format",
    "InputError",
    "Parsed",
    "check_size",
    "csv_problem",
    "csv_reader_limits",
    "is_fleet_manifest",
    "iter_xml",
    "load_json",
    "pointer",
    "xml_local",
]

Parse = Callable[[Path, Limits], "Parsed"]


@dataclass
class Parsed:
    """A parsed file: what it is, and its facts (an iterable, consumed once, may stream)."""

    source: SourceInfo
    facts: Iterable[Fact]


@dataclass(frozen=True)
class Format:
    """One input format: a name, a content sniffer and a parser.

    `sniff(head, path)` sees the first 64 KiB of the file (bytes) and its path, and answers
    whether this format reads it; it must be cheap and must not rely on the file name alone.
    """

    name: str
    sniff: Callable[[bytes, Path], bool]
    parse: Parse
    description: str = ""


def pointer(*parts: object) -> str:
    """A JSON pointer (RFC 6901) to a place in a JSON document: pointer("components", 3, "name")."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts) if parts else ""


def check_size(path: Path, limits: Limits) -> int:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError(str(path), None, f"cannot be read: {error.strerror}") from None
    if size > limits.max_file_bytes:
        raise InputError(str(path), None, f"is {size:,} bytes, over the limit max_file_bytes={limits.max_file_bytes:,}")
    return size


def load_json(path: Path, limits: Limits, data: bytes | None = None) -> Any:
    """Parse a whole JSON file with orjson; errors name the line and column."""
    check_size(path, limits)
    if data is None:
        data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputError(str(path), "byte 0", "expected UTF-16 text after the byte-order mark") from None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        problem = error.msg
        if "recursion" in problem.lower() or "depth" in problem.lower():
            problem = "nested deeper than the JSON reader's limit of 1024 levels"
        raise InputError(str(path), where, f"not valid JSON: {problem}") from None
    # Deeper nesting than max_depth is refused by the parsers that recurse (orjson itself stops at
    # 1024 levels); walking every container here would cost a third of the parse time.
    return value


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)


def xml_local(tag: object) -> str:
    """The local name of an lxml tag ("{ns}name" -> "name")."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def iter_xml(path: Path, limits: Limits, tag: str | None = None) -> Iterator[tuple[str, etree._Element, str]]:
    """Stream an XML file safely: yields ("end", element, xml_path) for each element (or each
    element named `tag`). No DTD, no entities, no network; depth and element limits enforced.
    Callers may `element.clear()` what they have read to keep memory bounded."""
    check_size(path, limits)
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if _DOCTYPE.search(head) and _ENTITY.search(head):
        raise InputError(str(path), "prolog", "XML entity declarations are not allowed (entity expansion is refused)")
    parser_args = dict(events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False,
                       huge_tree=False, remove_comments=True, remove_pis=True)
    stack: list[str] = []
    counts: list[dict[str, int]] = [{}]
    elements = 0
    try:
        for event, element in etree.iterparse(str(path), **parser_args):
            if event == "start":
                if not elements:  # the root: a DTD declared past the head (after 64 KiB of comment) is refused too
                    dtd = element.getroottree().docinfo.internalDTD
                    if dtd is not None and any(True for _ in dtd.iterentities()):
                        raise InputError(str(path), "prolog", "XML entity declarations are not allowed (entity expansion is refused)")
                name = xml_local(element.tag)
                siblings = counts[-1]
                siblings[name] = siblings.get(name, 0) + 1
                stack.append(f"{name}[{siblings[name]}]")
                counts.append({})
                elements += 1
                if len(stack) > limits.max_depth:
                    raise InputError(str(path), "/" + "/".join(stack), f"nested deeper than the limit max_depth={limits.max_depth}")
                if elements > limits.max_elements:
                    raise InputError(str(path), "/" + "/".join(stack), f"more elements than the limit max_elements={limits.max_elements:,}")
                continue
            where = "/" + "/".join(stack)
            if tag is None or xml_local(element.tag) == tag:
                if element.text and len(element.text) > limits.max_string_bytes:
                    raise InputError(str(path), where, f"text longer than the limit max_string_bytes={limits.max_string_bytes:,}")
                yield event, element, where
            stack.pop()
            counts.pop()
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (None, None)
        where = f"line {line}, column {column}" if line else None
        raise InputError(str(path), where, f"not well-formed XML: {error.msg}") from None


_FLEET_MANIFEST_KEY = re.compile(rb"^cvrule_fleet[ \t]*:", re.M)
_DATAFLOWS_KEY = re.compile(rb"^cvrule_dataflows[ \t]*:", re.M)


def is_fleet_manifest(head: bytes) -> bool:
    """Whether a file's first bytes are a cvrule fleet manifest (YAML with the top-level key
    `cvrule_fleet`, `cvrule.fleet.manifest`): `cvrule assess` reads it, no ingest format does."""
    return bool(_FLEET_MANIFEST_KEY.search(head))


def is_dataflow_register(head: bytes) -> bool:
    """Whether a file's first bytes are a cvrule data-flow register (YAML with the top-level key
    `cvrule_dataflows`, `cvrule.filings.dataflows`): the filings read it, no ingest format does."""
    return bool(_DATAFLOWS_KEY.search(head))


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"')


def is_dataflow_workbook(head: bytes, path: Path) -> bool:
    """Whether a file is the XLSX form of the data-flow register (a workbook with a `flows`
    sheet, `cvrule.filings.dataflows_xlsx`): the filings read it, no ingest format does."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as part:
            workbook = part.read(1 << 20)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return False
    names = {name.decode("utf-8", "ignore").strip().lower() for name in _SHEET.findall(workbook)}
    return "flows" in names


def read_head(path: Path, size: int = 65536) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def text_stream(path: Path) -> io.TextIOWrapper:
    """Open a text file as UTF-8 (with or without BOM) or UTF-16 (with BOM); errors are strict."""
    raw = open(path, "rb")
    head = raw.read(4)
    raw.seek(0)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return io.TextIOWrapper(raw, encoding="utf-16", errors="strict", newline="")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def csv_reader_limits(limits: Limits) -> None:
    """Let Python's csv module read fields up to max_string_bytes (its own default is 128 KiB).
    The setting is process-wide: every CSV reader calls this, so none inherits another's."""
    csv.field_size_limit(max(limits.max_string_bytes, 1024))


def csv_problem(error: csv.Error, limits: Limits) -> str:
    """What a csv.Error means, in the words of cvrule's limits."""
    if "field larger than field limit" in str(error):
        return f"a field longer than the limit max_string_bytes={limits.max_string_bytes:,}"
    return f"not valid CSV: {error}"
