"""The column-by-column CycloneDX JSON reader gives exactly the reference parser's facts, or
declines: on every CycloneDX JSON sample, the benchmark's synthetic BOMs, the corpus (when
present) and BOMs edited to reach each rule the reference parser applies."""

from __future__ import annotations

import copy
import sys
import tempfile
from dataclasses import astuple
from pathlib import Path

import orjson
import pytest

from conftest import CORPUS, DATA, REPO
from cvrule.errors import InputError
from cvrule.ingest import cyclonedx
from cvrule.ingest.cyclonedx_columnar import LEVELS, parse_columnar
from cvrule.ingest.limits import Limits

sys.path.insert(0, str(REPO / "benchmarks" / "ingest"))
from synth import cyclonedx as synthetic_cyclonedx  # noqa: E402


def _value(value) -> str:
    """A field as text; a dict by its sorted items (the store keeps it as JSON with sorted keys)."""
    return repr(sorted(value.items())) if isinstance(value, dict) else repr(value)


def _rows(parsed) -> list[tuple]:
    return sorted(((type(fact).__name__,) + tuple(map(_value, astuple(fact))) for fact in parsed.facts))


def _reference(path: Path, limits: Limits):
    try:
        return cyclonedx.read_json(path, limits)
    except InputError:
        return None


def check(path: Path, limits: Limits | None = None, must_read: bool = False) -> bool:
    """The fast path's facts equal the reference parser's, or it declined; returns whether it read."""
    limits = limits or Limits()
    fast = parse_columnar(path, limits, path.read_bytes())
    reference = _reference(path, limits)
    if fast is None:
        assert not must_read, f"{path.name}: the fast path declined"
        return False
    assert reference is not None, f"{path.name}: the reference parser refuses it, the fast path read it"
    assert fast.source == reference.source
    assert _rows(fast) == _rows(reference)
    return True


def _sniffed(paths) -> list[Path]:
    return [p for p in paths if cyclonedx.sniff_json(p.read_bytes()[:65536], p)]


SAMPLES = _sniffed(sorted(DATA.rglob("*.json")))
CORPUS_BOMS = _sniffed(sorted(CORPUS.rglob("*.json"))) if CORPUS.is_dir() else []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(DATA)))
def test_every_sample_gives_the_reference_facts_or_is_declined(path):
    check(path)


@pytest.mark.skipif(not CORPUS_BOMS, reason="../shared/corpus is not present")
def test_every_corpus_bom_gives_the_reference_facts_or_is_declined():
    read = 0
    for path in CORPUS_BOMS:
        if "invalid" in path.name:
            check(path)
        else:
            read += check(path)
    assert read > len(CORPUS_BOMS) // 2, f"the fast path read only {read} of {len(CORPUS_BOMS)} corpus BOMs"


@pytest.mark.parametrize("components,seed", [(1, 1), (50, 3), (2_000, 7)])
def test_the_synthetic_benchmark_boms_are_read_exactly(tmp_path, components, seed):
    path = synthetic_cyclonedx(tmp_path / "bom.json", components, seed=seed)
    assert check(path, must_read=True)


def _bom() -> dict:
    """A small BOM using every part the fast path reads."""
    supplier = {"name": "Pearl River Wireless Technology Co., Ltd.", "url": ["", "https://example.cn"],
                "address": {"country": "China"}, "contact": [{"email": "sales@example.cn"}]}
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.6", "serialNumber": "urn:uuid:1", "version": 1,
        "metadata": {"timestamp": "2026-01-01T00:00:00Z",
                     "component": {"type": "device", "name": "TCU", "bom-ref": "tcu",
                                   "components": [{"type": "firmware", "name": "boot", "bom-ref": "boot"}]},
                     "supplier": {"name": "Alder Fahrzeugwerke GmbH", "bom-ref": "alder"},
                     "manufacture": {"name": "Alder Werk 2"}},
        "components": [
            {"type": "library", "bom-ref": "a", "name": "a", "version": "1.0", "group": "org.example",
             "purl": "pkg:generic/a@1.0", "cpe": "cpe:2.3:a:x:a:1.0", "description": "",
             "author": "Jane", "publisher": "", "modified": False,
             "supplier": supplier, "manufacturer": {"contact": [{"name": "", "email": ""}, {"name": "Ivan"}]},
             "authors": [{"name": "Kim"}, {"email": "kim@example.kr"}, {}],
             "properties": [{"name": "modelYear", "value": " 2029\n"}, {"name": "ecu", "value": "TCU"},
                            {"name": "", "value": ""}, {"name": "empty"}, {"name": "Zeta", "value": "ü \"q\" \\ \t"}],
             "licenses": [{"expression": "MIT OR Apache-2.0"}, {"license": {"id": "", "name": "Custom"}},
                          {"license": {"id": "MIT"}, "expression": "MIT"}, {}],
             "hashes": [{"alg": "SHA-256", "content": "00"}], "scope": "required",
             "components": [{"type": "application", "name": "no ref",
                             "components": [{"type": "file", "name": "deep", "bom-ref": "deep",
                                             "components": [{"type": "data", "name": "deepest"}]}]}]},
            {"type": "device", "name": "", "modified": True, "components": []},
            {"type": "machine-learning-model", "bom-ref": "m", "name": "model", "properties": [],
             "supplier": {"url": ["https://only.example"]}, "manufacturer": {}},
        ],
        "dependencies": [{"ref": "a", "dependsOn": ["m", "tcu"]}, {"ref": "m"}, {"ref": "tcu", "dependsOn": []}],
    }


def _write(tmp_path: Path, doc: dict | bytes, name: str = "bom.json") -> Path:
    path = tmp_path / name
    path.write_bytes(doc if isinstance(doc, bytes) else orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return path


def test_a_bom_using_every_part_read_is_read_exactly(tmp_path):
    assert check(_write(tmp_path, _bom()), must_read=True)


def _edit(edit):
    doc = _bom()
    edit(doc)
    return doc


def _component(doc: dict) -> dict:
    return doc["components"][0]


READ = {
    "no metadata": lambda d: d.pop("metadata"),
    "no components": lambda d: d.pop("components"),
    "no dependencies": lambda d: d.pop("dependencies"),
    "null components": lambda d: d.update(components=None),
    "components and dependencies empty": lambda d: d.update(components=[], dependencies=[]),
    "no serial number": lambda d: d.pop("serialNumber"),
    "a model year not a year": lambda d: _component(d).update(properties=[{"name": "model-year", "value": "MY29"}]),
    "two model years": lambda d: _component(d).update(properties=[{"name": "x_model_year", "value": "n/a"},
                                                                  {"name": "Model_Year", "value": "2030"},
                                                                  {"name": "modelyear", "value": "2031"}]),
    "a property without a value": lambda d: _component(d).update(properties=[{"name": "x", "value": None}]),
    "a group and no properties": lambda d: _component(d).pop("properties"),
    "unicode and escapes": lambda d: _component(d).update(name="名前 \u2028 \"\\/", properties=[
        {"name": "k\u00e9y", "value": "\b\f\n\r\t"}, {"name": "k\u00e8y", "value": "😀"}]),
    "a country code": lambda d: _component(d)["supplier"]["address"].update(country="ru"),
    "an unknown country": lambda d: _component(d)["supplier"]["address"].update(country="Atlantis"),
    "null party fields": lambda d: _component(d).update(supplier={"name": None, "url": None, "contact": None,
                                                                  "address": None}),
    "a component's dependency list null": lambda d: d["dependencies"].append({"ref": "x", "dependsOn": None}),
    "a NaN-like name": lambda d: _component(d).update(name="NaN", description="Infineon, Inc., [NaN, Inf]"),
    "a pedigree with patches": lambda d: _component(d).update(pedigree={"patches": [{"type": "backport"}]}),
    "a pedigree with descendants": lambda d: d["components"][1].update(pedigree={"descendants": [{"name": "x"}]}),
    "an empty pedigree": lambda d: _component(d).update(pedigree={"patches": [], "ancestors": [{"name": "y"}]}),
    "control characters in a property": lambda d: _component(d)["properties"].append(
        {"name": "c\x00\x1f", "value": "".join(map(chr, range(32))) + "\x7f"}),
    "a license named twice": lambda d: _component(d)["licenses"].append({"license": {"id": "Custom"}}),
    "a pretty-printed BOM with a byte-order mark": None,
}

DECLINED_OR_EQUAL = {
    "a wrong component type": lambda d: _component(d).update(type="gadget"),
    "a component without a name": lambda d: _component(d).pop("name"),
    "a name that is a number": lambda d: _component(d).update(name=5),
    "a version that is an object": lambda d: _component(d).update(version={"v": 1}),
    "an empty bom-ref": lambda d: _component(d).update({"bom-ref": ""}),
    "a repeated bom-ref": lambda d: d["components"][2].update({"bom-ref": "a"}),
    "a bom-ref of the product used again": lambda d: _component(d).update({"bom-ref": "boot"}),
    "a null component": lambda d: d["components"].append(None),
    "a component that is a string": lambda d: d["components"].append("x"),
    "components an object": lambda d: d.update(components={"a": 1}),
    "a null property": lambda d: _component(d)["properties"].append(None),
    "a property value without a name": lambda d: _component(d)["properties"].append({"value": "v"}),
    "a repeated property name": lambda d: _component(d)["properties"].append({"name": "ecu", "value": "IVI"}),
    "a property named like the group": lambda d: _component(d)["properties"].append({"name": "cyclonedx:group",
                                                                                      "value": "g"}),
    "odd space around a model year": lambda d: _component(d)["properties"].append({"name": "modelYear2",
                                                                                   "value": "\xa02029"}),
    "a null license": lambda d: _component(d)["licenses"].append(None),
    "a license that is a string": lambda d: _component(d)["licenses"].append("MIT"),
    "a supplier with a bom-ref": lambda d: _component(d)["supplier"].update({"bom-ref": "s"}),
    "an author with a bom-ref": lambda d: _component(d)["authors"].append({"name": "x", "bom-ref": "p"}),
    "a URL that is a string": lambda d: _component(d)["supplier"].update(url="https://x"),
    "a null URL": lambda d: _component(d)["supplier"].update(url=[None]),
    "a null contact": lambda d: _component(d)["supplier"].update(contact=[None]),
    "a pedigree with a patch that is not an object": lambda d: _component(d).update(pedigree={"patches": [1]}),
    "modified a string": lambda d: _component(d).update(modified="yes"),
    "nested deeper than the fast path reads": lambda d: _component(d)["components"][0]["components"][0][
        "components"][0].update(components=[{"type": "file", "name": "too deep"}]),
    "a dependency without a ref": lambda d: d["dependencies"].append({"dependsOn": ["a"]}),
    "a dependency with an empty ref": lambda d: d["dependencies"][0]["dependsOn"].append(""),
    "a null dependency": lambda d: d["dependencies"].append(None),
    "a wrong bomFormat": lambda d: d.update(bomFormat="SPDX"),
    "a repeated key": None,
    "UTF-16": None,
    "a wrong specVersion": lambda d: d.update(specVersion="2.0"),
    "a serial number that is a number": lambda d: d.update(serialNumber=7),
    "a metadata component without a name": lambda d: d["metadata"]["component"].pop("name"),
    "metadata a list": lambda d: d.update(metadata=[]),
    "a timestamp that is a number": lambda d: d["metadata"].update(timestamp=1),
    "a very long name": lambda d: _component(d).update(name="x" * 2000),
}


@pytest.mark.parametrize("name", list(READ))
def test_shapes_the_fast_path_reads_give_the_reference_facts(tmp_path, name):
    if READ[name] is None:
        path = _write(tmp_path, b"\xef\xbb\xbf" + orjson.dumps(_bom(), option=orjson.OPT_INDENT_2))
    else:
        path = _write(tmp_path, _edit(READ[name]))
    assert check(path, must_read=True)


@pytest.mark.parametrize("name", list(DECLINED_OR_EQUAL))
def test_shapes_the_reference_refuses_or_treats_specially_are_declined_or_equal(tmp_path, name):
    limits = Limits(max_string_bytes=1000) if name == "a very long name" else None
    if name == "a repeated key":
        text = orjson.dumps(_bom())[:-1] + b', "bomFormat": "CycloneDX"}'
    elif name == "UTF-16":
        text = orjson.dumps(_bom()).decode().encode("utf-16")
    else:
        text = _edit(DECLINED_OR_EQUAL[name])
    check(_write(tmp_path, text), limits)


@pytest.mark.parametrize("text", [
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [], "x": NaN}',
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [], "x": [1, -Infinity]}',
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [], "x": ' + b"[" * 1100 + b"]" * 1100 + b"}",
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [],}',
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6"} {"bomFormat": "CycloneDX", "specVersion": "1.6"}',
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "a\xff"}]}',
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "a\xed\xa0\x80"}]}',
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": "\xc0\xaf"}',
    b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": "\\ud800"}',
    b"[]",
    b"",
])
def test_what_orjson_refuses_is_declined(tmp_path, text):
    path = _write(tmp_path, text)
    assert parse_columnar(path, Limits(), text) is None
    with pytest.raises(InputError):
        cyclonedx.read_json(path, Limits())


def test_a_deep_array_inside_a_string_is_no_reason_to_decline(tmp_path):
    doc = _bom()
    _component(doc)["description"] = "[" * 2000 + '\\"{'
    assert check(_write(tmp_path, doc), must_read=True)


def test_a_low_depth_limit_hands_over(tmp_path):
    path = _write(tmp_path, _bom())
    assert parse_columnar(path, Limits(max_depth=LEVELS - 1), path.read_bytes()) is None


def test_large_boms_take_the_fast_path_and_small_ones_do_not(tmp_path, monkeypatch):
    calls = []
    import cvrule.ingest.cyclonedx_columnar as columnar

    real = columnar.parse_columnar
    monkeypatch.setattr(columnar, "parse_columnar", lambda *args: calls.append(args[0]) or real(*args))
    small = _write(tmp_path, _bom())
    cyclonedx.parse_json(small, Limits())
    assert calls == []
    big = synthetic_cyclonedx(tmp_path / "big.json", 3_000)
    assert big.stat().st_size >= cyclonedx.COLUMNAR_ABOVE_BYTES
    parsed = cyclonedx.parse_json(big, Limits())
    assert calls == [big]
    assert _rows(parsed) == _rows(cyclonedx.read_json(big, Limits()))


def test_the_store_holds_the_same_rows_and_digest_either_way(monkeypatch):
    """Ingested through the fast path and through the reference parser, the fact tables and the
    audit digest are the same, and `audit verify` passes."""
    from cvrule.ingest.load import ingest_paths
    from cvrule.store import Store, audit
    from cvrule.store.schema import FACT_TABLES
    from cvrule.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        bom = synthetic_cyclonedx(Path(tmp) / "bom.json", 3_000, seed=5)
        stores = []
        for threshold in (cyclonedx.COLUMNAR_ABOVE_BYTES, 10**15):
            monkeypatch.setattr(cyclonedx, "COLUMNAR_ABOVE_BYTES", threshold)
            workspace = Workspace(Path(tmp) / f"ws-{threshold}")
            [outcome] = ingest_paths(workspace, [bom])
            assert outcome.outcome == "loaded", outcome.message
            stores.append(workspace.store_path)
        tables, digests = [], []
        for store_path in stores:
            with Store(store_path) as store:
                tables.append({table.name: sorted(map(repr, store._con.execute(
                    f"SELECT * FROM {table.name}").fetchall())) for table in FACT_TABLES.values()})
                digests.append(audit.fact_digests(store))
                assert audit.verify(store).ok
        assert tables[0] == tables[1]
        assert digests[0] == digests[1]


def test_cyclonedx_json_is_the_first_format_detect_tries():
    """`ingest.load` relies on it to skip importing the other format modules for CycloneDX JSON."""
    from cvrule.ingest.detect import all_formats

    assert all_formats()[0] is cyclonedx.FORMATS[0]


def test_the_shortcut_gives_what_detect_gives(tmp_path):
    from cvrule.ingest.detect import detect
    from cvrule.ingest.load import _format_of

    for path in SAMPLES + [_write(tmp_path, b"cvrule_fleet: {}\n", "fleet.yaml")]:
        try:
            expected = detect(path)
        except InputError as error:
            with pytest.raises(type(error)):
                _format_of(path)
        else:
            assert _format_of(path) is expected


def test_iterating_columns_gives_records_like_the_reference(tmp_path):
    parsed = parse_columnar(_write(tmp_path, _bom()), Limits(), _write(tmp_path, _bom()).read_bytes())
    facts = list(parsed.facts)
    item = next(f for f in facts if getattr(f, "key", None) == "a")
    assert item.properties == {"cyclonedx:group": "org.example", "ecu": "TCU", "empty": "", "modelYear": " 2029\n",
                               "Zeta": "ü \"q\" \\ \t"}
    assert item.model_year == 2029
    assert item.licenses == ["MIT OR Apache-2.0", "Custom", "MIT"]
    assert copy.copy(item) == item
