"""Regression tests for the crashers the fuzzing and hostile-input work found (RELIABILITY.md lists
them with what they did before the fix). Each builds its input the way it was found, smallest form.

A new crasher from `benchmarks/reliability/fuzz.py` (saved under benchmarks/reliability/crashers/)
gets its test here once fixed."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from cvrule.cases import load_case
from cvrule.errors import InputError
from cvrule.ingest.detect import detect
from cvrule.ingest.limits import Limits

DATA = Path(__file__).resolve().parents[1] / "data"  # not `from conftest import`: tests/web has its own conftest

SPDX_YAML_HEADER = b'SPDXID: "SPDXRef-DOCUMENT"\nspdxVersion: "SPDX-2.3"\nname: "x"\n'


def test_deep_spdx_yaml_no_longer_kills_the_process(tmp_path):
    """Was: a segmentation fault. libyaml's C composer (PyYAML's CSafeLoader) recurses once per
    level of nesting, and 25,000 levels (a 50 KB file) overflow the C stack, killing the process and
    every file of the ingest with it. Now the nesting is measured from the event stream first."""
    path = tmp_path / "deep.spdx.yaml"
    path.write_bytes(SPDX_YAML_HEADER + b"x: " + b"[" * 30_000 + b"]" * 30_000 + b"\n")
    code = ("import sys; from pathlib import Path; from cvrule.ingest.detect import detect; "
            "from cvrule.ingest.limits import Limits; from cvrule.errors import InputError\n"
            "p = Path(sys.argv[1])\n"
            "try:\n    list(detect(p).parse(p, Limits()).facts)\n"
            "except InputError as e:\n    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"the reader died (exit {done.returncode}): {done.stderr[-500:]}"
    assert done.stdout.startswith(f"{path}: line ") and "max_depth=256" in done.stdout


def test_a_deep_case_file_is_refused_instead_of_a_recursion_error(tmp_path):
    """Was: RecursionError out of `cvrule case run` (a traceback) and "internal error" from ingest."""
    path = tmp_path / "deep.yaml"
    path.write_bytes(b"name: deep\ntransactions: " + b"[" * 5000 + b"]" * 5000 + b"\n")
    with pytest.raises(InputError, match="nested deeper than the limit max_depth=256"):
        load_case(path)


def test_a_deep_case_file_in_block_style_is_refused(tmp_path):
    """Nesting without brackets: one more space of indentation per level."""
    lines = [b"name: deep", b"transactions:"] + [b" " * (i + 1) + b"- " for i in range(2000)]
    path = tmp_path / "deep.yaml"
    path.write_bytes(b"\n".join(lines) + b"x\n")
    with pytest.raises(InputError, match="max_depth|nested deeper"):
        load_case(path)


def test_a_workbook_zip_bomb_is_refused_at_once(tmp_path):
    """Was: a 396 KB workbook whose sheet unpacks to 256 MiB of empty rows kept the register reader
    busy for over two minutes (stopped there); four times the size, four times longer. Now the
    archive's directory is checked first: max_compression_ratio, max_unpacked_bytes."""
    from openpyxl import Workbook

    seed = tmp_path / "seed.xlsx"
    workbook = Workbook()
    workbook.active.title = "parties"
    workbook.active.append(["id", "name"])
    workbook.save(seed)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(seed) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                end = body.index(b"</sheetData>") if b"</sheetData>" in body else body.index(b"<sheetData/>")
                body = body[:end] + b"<sheetData>" + b"<row/>" * (8 * 1024**2) + b"</sheetData></worksheet>"
            archive.writestr(info.filename, body)
    started = time.perf_counter()
    with pytest.raises(InputError, match="max_compression_ratio"):
        list(detect(path).parse(path, Limits()).facts)
    assert time.perf_counter() - started < 5


def test_a_workbook_part_declaring_a_doctype_is_refused(tmp_path):
    """Was: accepted (openpyxl parses workbook.xml with lxml and leaves the entities unexpanded:
    safe, but silent). Now refused like every other XML cvrule reads."""
    from openpyxl import Workbook

    seed = tmp_path / "seed.xlsx"
    workbook = Workbook()
    workbook.active.title = "parties"
    workbook.active.append(["id", "name"])
    workbook.save(seed)
    path = tmp_path / "doctype.xlsx"
    with zipfile.ZipFile(seed) as source, zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/workbook.xml":
                body = b'<!DOCTYPE w [<!ENTITY e "x">]>' + body
            archive.writestr(info.filename, body)
    with pytest.raises(InputError, match="declares a DOCTYPE"):
        list(detect(path).parse(path, Limits()).facts)


def test_the_csv_field_limit_is_the_same_whichever_file_was_read_first(tmp_path):
    """Was: the GLEIF CSV reader set Python's process-wide csv field limit from max_string_bytes
    and the other CSV readers inherited whatever the last GLEIF file left (or Python's 128 KiB):
    the same register was read or refused depending on what had been read before it."""
    gleif = DATA / "gleif/csv/lei-golden-copy-sample.csv"
    list(detect(gleif).parse(gleif, replace(Limits(), max_string_bytes=1024)).facts)
    register = tmp_path / "register.csv"
    register.write_text("record,id,name\nparty,p1," + "Long Name " * 20_000 + "\n")
    facts = list(detect(register).parse(register, Limits()).facts)
    assert facts[0].name.startswith("Long Name")
    with pytest.raises(InputError, match="a field longer than the limit max_string_bytes=100,000"):
        list(detect(register).parse(register, replace(Limits(), max_string_bytes=100_000)).facts)


def test_a_workbook_part_with_a_broken_deflate_stream_is_refused(tmp_path):
    """Was (found by the fuzz tests in the archive check added for zip bombs): zlib.error escaped
    while reading a part's head. Now any damage to an archive is "not a readable XLSX workbook"."""
    source = DATA / "supplier-register/example.xlsx"
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start:start + 4] = b"\xff\xff\xff\xff"  # an invalid deflate block header; the directory is intact
    path = tmp_path / "register.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="is not a readable XLSX workbook"):
        list(detect(path).parse(path, Limits()).facts)


def test_a_gleif_api_reporting_exception_with_a_number_for_reason_is_refused(tmp_path):
    """Was (the long fuzz run, from a corpus GLEIF API response): TypeError, 'float' object is not
    iterable. Now refused at the field."""
    path = tmp_path / "repex.json"
    path.write_text('{"data": [{"type": "reporting-exceptions", "id": "x", "attributes": {"lei": '
                    '"254900MSZM6DMP853B11", "category": "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", "reason": 100.5}}]}')
    with pytest.raises(InputError, match=r"/data/0/attributes/reason: expected a text or an array of texts, found a number"):
        list(detect(path).parse(path, Limits()).facts)


def test_a_case_file_number_too_long_for_python_is_refused_at_its_key(tmp_path):
    """Was (the long fuzz run): ValueError out of the YAML reader (Python makes no int of more
    than 4,300 digits). Now such a digit string stays text, and the case-file contract refuses it
    at its key and line."""
    path = tmp_path / "case.yaml"
    path.write_text("name: x\nitems:\n  m:\n    type: hardware\n    name: M\n    model_year: " + "9" * 5000 + "\n"
                    "transactions:\n  t: {kind: import_vcs_hardware, actor: a, item: m, date: 2030-01-01}\n"
                    "parties:\n  a: {name: A, kind: organization, country: US}\n")
    with pytest.raises(InputError, match=r"items\.m\.model_year \(line 6\)"):
        load_case(path)
