"""Hostile files are refused through `cvrule ingest`'s own path with a clear error naming the file,
in bounded time and memory, writing nothing; references inside a file are never followed.

tests/ingest/test_limits.py covers the first cases of each kind for CycloneDX (entity declarations
in the prolog, a too deep component tree, 3000-deep JSON, too many elements, the size limit);
these extend them to every format and to the ways around those first defences: entities declared
after the first 64 KiB, external entities and DTDs, every JSON and YAML reader, the streamed
readers, YAML alias bombs, zip bombs and traversal in XLSX registers, invalid UTF-8 and UTF-16,
strings over the limit, symlink loops.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import DATA
from cvrule.ingest.limits import Limits
from cvrule.ingest.load import collect_files, ingest_paths
from cvrule.store import Store
from cvrule.workspace import Workspace

SECONDS = 15.0
"""Every refusal comes within this (generous: the machine is shared); most take milliseconds."""
MEGABYTES = 256
"""Growth of peak memory allowed while refusing one file."""

SEEDS = {
    "cyclonedx-json": DATA / "cyclonedx/1.6/valid-bom-1.6.json",
    "cyclonedx-xml": DATA / "cyclonedx/1.6/valid-bom-1.6.xml",
    "spdx-2-json": DATA / "spdx-2/2.3/SPDXJSONExample-v2.3.spdx.json",
    "spdx-2-yaml": DATA / "spdx-2/2.3/SPDXYAMLExample-v2.3.spdx.yaml",
    "spdx-2-xml": DATA / "spdx-2/2.3/SPDXXMLExample-v2.3.spdx.xml",
    "spdx-2-tag-value": DATA / "spdx-2/2.3/SPDXTagExample-v2.3.spdx",
    "spdx-3-jsonld": DATA / "spdx-3/3.0.1/example13.spdx3.json",
    "cx-0158-1": DATA / "cx-0158-1/1.1.0/tcu-5g.cx-0158-1.spdx3.json",
    "bods": DATA / "bods/0.4/joint-ownership.json",
    "gleif-lei-xml": DATA / "gleif/xml/lei-updates-data2.xml",
    "gleif-rr-xml": DATA / "gleif/xml/rr-updates-data2.xml",
    "gleif-repex-xml": DATA / "gleif/xml/repex-data.xml",
    "gleif-lei-csv": DATA / "gleif/csv/lei-golden-copy-sample.csv",
    "gleif-json": DATA / "gleif/json/repex-data.json",
    "gleif-api-json": DATA / "gleif/api/single_lei_record_5299001ERX0K10IZUL40.json",
    "ftm": DATA / "ftm/telematics-group.ftm.json",
    "csl-json": DATA / "csl-json/v1/consolidated.json",
    "csl-csv": DATA / "csl-csv/with-_id/consolidated.csv",
    "ofac-sdn-xml": DATA / "ofac-sdn-xml/sdnList/sdn.xml",
    "bis-dpl": DATA / "bis-dpl/tab/dpl.txt",
    "supplier-register-csv": DATA / "supplier-register/example.csv",
    "supplier-register-xlsx": DATA / "supplier-register/example.xlsx",
    "cvrule-case": Path(__file__).parents[1] / "cases/791_302/russian-made-wifi-module-for-model-year-2031-is-prohibited.yaml",
}
XML = ["cyclonedx-xml", "spdx-2-xml", "gleif-lei-xml", "gleif-rr-xml", "gleif-repex-xml", "ofac-sdn-xml"]
JSON = ["cyclonedx-json", "spdx-2-json", "spdx-3-jsonld", "cx-0158-1", "bods", "gleif-json", "gleif-api-json", "csl-json"]
TEXT = [name for name in SEEDS if name != "supplier-register-xlsx"]


def _peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> int:
    """Reset this process's peak memory to its current size (Linux) and return that size in KB;
    where the peak cannot be reset, return the old peak (growth is then measured above it)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return _peak_kb()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


MEASURED: list[tuple[str, str, float, float]] = []
"""(file, outcome, seconds, MB grown) of every hostile file ingested (benchmarks/reliability/hostile.py reports them)."""


def ingest_one(tmp_path: Path, path: Path, limits: Limits | None = None):
    """Ingest one file into a fresh workspace as `cvrule ingest` does: (outcome, seconds, MB grown)."""
    space = Workspace(tmp_path / "ws")
    before = _reset_peak()
    started = time.perf_counter()
    [outcome] = ingest_paths(space, [path], limits=limits)
    seconds = time.perf_counter() - started
    grown = max(0, _peak_kb() - before) / 1024
    MEASURED.append((path.name, outcome.outcome, seconds, grown))
    return outcome, seconds, grown, space


def assert_refused(tmp_path: Path, path: Path, limits: Limits | None = None, match: str | None = None) -> str:
    outcome, seconds, grown, space = ingest_one(tmp_path, path, limits)
    assert outcome.outcome == "failed", f"{path.name} was not refused: {outcome}"
    message = outcome.message or ""
    assert message.startswith(str(path)), f"the error must name the file: {message}"
    assert "internal error" not in message and "Traceback" not in message, message
    if match:
        assert match in message, message
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert grown < MEGABYTES, f"peak memory grew {grown:.0f} MB"
    with Store(space.store_path) as store:
        assert store.counts() == {name: 0 for name in store.counts()}, "a refused file wrote facts"
    return message


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _with_doctype(xml: bytes, doctype: bytes, padding: int = 0) -> bytes:
    """The document with a DOCTYPE (after `padding` bytes of comment) and the entity &e; used in the root."""
    head_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    prolog, body = xml[:head_end], xml[head_end:]
    comment = b"<!--" + b" " * padding + b"-->" if padding else b""
    root_open = body.index(b">", body.index(b"<")) + 1
    return prolog + comment + doctype + body[:root_open] + b"&e;" + body[root_open:]


LAUGHS = (b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + b"".join(
    b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8)
) + b'<!ENTITY e "&i;">]>')


# -- XML ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [f for f in XML if f != "cyclonedx-xml"])  # cyclonedx-xml: tests/ingest/test_limits.py
def test_entity_expansion_is_refused_in_every_xml_format(tmp_path, fmt):
    path = _write(tmp_path, SEEDS[fmt].name, _with_doctype(SEEDS[fmt].read_bytes(), LAUGHS))
    assert_refused(tmp_path, path, match="entity")


@pytest.mark.parametrize("fmt", XML)
def test_entities_declared_after_the_first_64_kib_are_refused(tmp_path, fmt):
    """Past the prolog check: no sniffer claims a file whose root is beyond the first 64 KiB, and
    the format's own parser, handed it directly, refuses the DTD wherever it is."""
    from cvrule.errors import InputError
    from cvrule.ingest.detect import all_formats

    path = _write(tmp_path, SEEDS[fmt].name, _with_doctype(SEEDS[fmt].read_bytes(), LAUGHS, padding=70_000))
    assert_refused(tmp_path, path)
    parser = next(f for f in all_formats() if f.name == fmt)
    with pytest.raises(InputError, match="entity declarations are not allowed"):
        list(parser.parse(path, Limits()).facts)


@pytest.fixture
def listener():
    """A local TCP server that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    hits.append(connection.recv(1024))
                except OSError:
                    hits.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", hits
    stop.set()
    thread.join(2)
    server.close()


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("SECRET-7f3c9a-must-never-be-read")
    return path


def _facts_text(space: Workspace) -> str:
    with Store(space.store_path) as store:
        return repr([store.rows(table) for table in ("parties", "items", "role_mentions", "list_entries")])


@pytest.mark.parametrize("padding", [0, 70_000], ids=["in-the-prolog", "after-64-kib"])
@pytest.mark.parametrize("fmt", XML)
def test_external_entities_and_dtds_are_never_fetched(tmp_path, fmt, padding, listener, secret):
    url, hits = listener
    doctype = (f'<!DOCTYPE r SYSTEM "{url}/evil.dtd" [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p; '
               f'<!ENTITY e SYSTEM "file://{secret}">]>').encode()
    path = _write(tmp_path, SEEDS[fmt].name, _with_doctype(SEEDS[fmt].read_bytes(), doctype, padding))
    outcome, seconds, _, space = ingest_one(tmp_path, path)
    assert seconds < SECONDS
    time.sleep(0.3)
    assert hits == [], "the parser connected to a URL named in the file"
    if outcome.outcome == "failed":
        assert outcome.message.startswith(str(path)) and "internal error" not in outcome.message
    else:
        assert "SECRET-7f3c9a" not in _facts_text(space)


@pytest.mark.parametrize("fmt", JSON + ["cyclonedx-xml"])
def test_references_inside_a_file_are_never_followed(tmp_path, fmt, listener, secret):
    """External references, JSON-LD contexts, bom-links: data to keep, never addresses to open."""
    url, hits = listener
    data = SEEDS[fmt].read_bytes()
    for old in (b"https://spdx.org/rdf/3.0.1/spdx-context.jsonld", b"http://cyclonedx.org/schema/bom/1.6"):
        data = data.replace(old, f"{url}/context.jsonld".encode() if b"spdx" in old else old)
    data = data.replace(b"https://", f"{url}/".encode(), 3).replace(b"http://www.", f"file://{secret}#".encode(), 3)
    path = _write(tmp_path, SEEDS[fmt].name, data)
    outcome, seconds, _, space = ingest_one(tmp_path, path)
    time.sleep(0.3)
    assert hits == [] and seconds < SECONDS
    if outcome.outcome == "loaded":
        assert "SECRET-7f3c9a" not in _facts_text(space)


# -- JSON and YAML nesting -----------------------------------------------------------------------

def _nest_json(data: bytes, depth: int) -> bytes:
    """Put a `depth`-deep array at the first value of the document's first key."""
    at = data.index(b":") + 1
    return data[:at] + b"[" * depth + b"1" + b"]" * depth + b"," + data[at:]


@pytest.mark.parametrize("fmt", JSON)
@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_deeply_nested_json_is_refused_by_every_json_reader(tmp_path, fmt, streamed):
    data = SEEDS[fmt].read_bytes()
    at = data.index(b"{") + 1
    data = data[:at] + b'"x":' + b"[" * 100_000 + b"]" * 100_000 + b"," + data[at:]
    path = _write(tmp_path, SEEDS[fmt].name, data)
    limits = replace(Limits(), stream_above_bytes=1) if streamed else None
    assert_refused(tmp_path, path, limits)


def test_a_deeply_nested_ftm_line_is_refused(tmp_path):
    path = _write(tmp_path, "deep.ftm.json", SEEDS["ftm"].read_bytes().split(b"\n")[0][:-1]
                  + b',"x":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    assert_refused(tmp_path, path)


@pytest.mark.parametrize("fmt", ["cvrule-case", "spdx-2-yaml"])
def test_deeply_nested_yaml_is_refused(tmp_path, fmt):
    data = SEEDS[fmt].read_bytes()
    path = _write(tmp_path, SEEDS[fmt].name, data + b"\nx: " + b"[" * 50_000 + b"]" * 50_000 + b"\n")
    assert_refused(tmp_path, path)


YAML_BOMB = b"".join(
    [b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
    + [b"%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n" % ((bytes([98 + i]),) * 2 + (bytes([97 + i]),) * 9)
       for i in range(8)]
)


@pytest.mark.parametrize("fmt", ["cvrule-case", "spdx-2-yaml"])
def test_a_yaml_alias_bomb_is_refused(tmp_path, fmt):
    """Nine levels of nine aliases: 387 million strings if anything expanded them."""
    data = SEEDS[fmt].read_bytes().removeprefix(b"---\n")
    bomb = YAML_BOMB.replace(b"i: &i", b"bomb: &i")
    key = b"description: *i\n" if fmt == "cvrule-case" else b"packages: *i\n"
    path = _write(tmp_path, SEEDS[fmt].name, b"---\n" + bomb + data + b"\n" + key)
    assert_refused(tmp_path, path, match="alias bomb")


# -- strings, encodings --------------------------------------------------------------------------

# A value of each file that reaches a fact (or the document's name); the formats that only carry
# codes and LEIs (GLEIF relationship and exception records) have no free text to lengthen.
LONG_TEXT = {
    "gleif-lei-xml": b"ESG DOMESTIC OPPORTUNITY OFFSHORE FUND LTD.",
    "gleif-lei-csv": b"ESG DOMESTIC OPPORTUNITY OFFSHORE FUND LTD.",
    "ftm": b"Shenzhen Example Wireless Module Co., Ltd.",
    "csl-csv": b"Sinobright Import and Export Company",
    "ofac-sdn-xml": b"BANCO NACIONAL DE CUBA",
    "bis-dpl": b"SEMICONDUCTOR SYSTEMS INTL., INC. (SSI)",
    "supplier-register-csv": b"Example Holdings Ltd.",
    "cvrule-case": b"Brightwater Automotive Electronics Inc.",
    "spdx-2-tag-value": b"PackageName: glibc",
    "cyclonedx-json": b"Acme Application",
    "cx-0158-1": b"Example Telematics GmbH",
    "bods": b"CHRINON LTD",
}
_FIRST_NAME = re.compile(rb'(?:"name"\s*:\s*"|<name>|name: "?)([A-Za-z][^"<\n]{2,})')


@pytest.mark.parametrize("fmt", [f for f in TEXT if f not in ("gleif-rr-xml", "gleif-repex-xml", "gleif-json")])
def test_a_string_over_the_limit_is_refused_in_every_format(tmp_path, fmt):
    data = SEEDS[fmt].read_bytes()
    target = LONG_TEXT.get(fmt) or _FIRST_NAME.search(data).group(1)
    assert target in data
    path = _write(tmp_path, SEEDS[fmt].name, data.replace(target, target + b"x" * 6000))
    assert_refused(tmp_path, path, replace(Limits(), max_string_bytes=5000), match="max_string_bytes=5,000")


def _middle(data: bytes) -> int:
    """A place in the middle of a text: just after a line break or a quote."""
    half = len(data) // 2
    return min(i for i in (data.find(b"\n", half), data.find(b'"', half), len(data)) if i >= 0) + 1


# Screening lists are read as Windows-1252 when they are not UTF-8, on purpose (older government
# files are): for them only bytes Windows-1252 leaves undefined are invalid.
LISTS = ("csl-csv", "bis-dpl")


@pytest.mark.parametrize("fmt", TEXT)
def test_invalid_utf8_is_refused_in_every_text_format(tmp_path, fmt):
    data = SEEDS[fmt].read_bytes()
    at = _middle(data)
    junk = b"\x81\x8d\x8f" if fmt in LISTS else b"\xff\xfe\xc3\x28"
    path = _write(tmp_path, SEEDS[fmt].name, data[:at] + junk + data[at:])
    assert_refused(tmp_path, path)


@pytest.mark.parametrize("fmt", TEXT)
def test_broken_utf16_is_refused_in_every_text_format(tmp_path, fmt):
    """A UTF-16 byte-order mark, then text with an unpaired surrogate in the middle."""
    text = SEEDS[fmt].read_bytes().decode("utf-8-sig")
    half = _middle(text.encode()) and len(text) // 2
    data = b"\xff\xfe" + text[:half].encode("utf-16-le") + b"\x00\xd8" + text[half:].encode("utf-16-le")
    path = _write(tmp_path, SEEDS[fmt].name, data)
    assert_refused(tmp_path, path)


# -- XLSX: zips ------------------------------------------------------------------------------------

def _xlsx_parts(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in parts:
            archive.writestr(name, body)
    return buffer.getvalue()


def _register_sheet(parts: list[tuple[str, bytes]]) -> str:
    return next(name for name, _ in parts if name.startswith("xl/worksheets/sheet"))


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    parts = _xlsx_parts(SEEDS["supplier-register-xlsx"])
    sheet = _register_sheet(parts)
    path = tmp_path / "in" / "register.xlsx"
    path.parent.mkdir()
    # One sheet unpacks to 256 MiB of blank rows; the archive stays well under a megabyte.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts:
            if name != sheet:
                archive.writestr(name, body)
                continue
            end = body.index(b"</sheetData>")
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(body[:end])
                chunk = b"<row/>" * (1 << 20)
                for _ in range(256 // 6):
                    member.write(chunk)
                member.write(body[end:])
    assert path.stat().st_size < 1024**2
    assert_refused(tmp_path, path, match="max_compression_ratio")


def test_an_xlsx_with_more_unpacked_bytes_than_the_limit_is_refused(tmp_path):
    path = _write(tmp_path, "register.xlsx", SEEDS["supplier-register-xlsx"].read_bytes())
    assert_refused(tmp_path, path, replace(Limits(), max_unpacked_bytes=10_000), match="max_unpacked_bytes=10,000")


@pytest.mark.parametrize("part", ["sheet", "xl/workbook.xml", "xl/styles.xml"])
def test_entities_inside_an_xlsx_are_refused(tmp_path, part, secret):
    parts = _xlsx_parts(SEEDS["supplier-register-xlsx"])
    target = _register_sheet(parts) if part == "sheet" else part
    doctype = LAUGHS.replace(b'<!ENTITY e "&i;">', f'<!ENTITY e "&i;"><!ENTITY s SYSTEM "file://{secret}">'.encode())
    parts = [(name, _with_doctype(body, doctype) if name == target else body) for name, body in parts]
    path = _write(tmp_path, "register.xlsx", _zip(parts))
    outcome, seconds, grown, space = ingest_one(tmp_path, path)
    assert seconds < SECONDS and grown < MEGABYTES
    assert outcome.outcome == "failed" and outcome.message.startswith(str(path)), outcome


def test_xlsx_members_named_outside_the_archive_write_nothing_outside(tmp_path):
    parts = _xlsx_parts(SEEDS["supplier-register-xlsx"])
    parts += [("../../escaped.txt", b"x"), ("/tmp/absolute-escape.txt", b"x"), ("xl/../../../up.txt", b"x")]
    path = _write(tmp_path, "register.xlsx", _zip(parts))
    before = {p for p in tmp_path.parent.rglob("*")}
    outcome, seconds, _, space = ingest_one(tmp_path, path)
    assert seconds < SECONDS
    created = {p for p in tmp_path.parent.rglob("*")} - before
    assert all(p.is_relative_to(space.root) for p in created), created
    assert not Path("/tmp/absolute-escape.txt").exists()
    assert outcome.outcome in ("loaded", "failed")
    if outcome.outcome == "failed":
        assert outcome.message.startswith(str(path))


def test_a_symlink_loop_in_an_ingested_folder_ends(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "sub" / "register.csv").write_bytes(SEEDS["supplier-register-csv"].read_bytes())
    started = time.perf_counter()
    files = collect_files([folder])
    assert time.perf_counter() - started < SECONDS
    assert [p.name for p in files] == ["register.csv"]
