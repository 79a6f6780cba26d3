"""Hostile input is refused with the limit it broke named, in bounded time and memory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cvrule.errors import InputError
from cvrule.ingest.detect import detect
from cvrule.ingest.limits import Limits


def _read(path, limits=None):
    limits = limits or Limits()
    return sum(1 for _ in detect(path).parse(path, limits).facts)


def test_components_nested_past_the_depth_limit_are_refused(tmp_path):
    text = '{"bomFormat":"CycloneDX","specVersion":"1.6","components":['
    text += '{"type":"library","name":"c","components":[' * 40 + "]}" * 40 + "]}"
    path = tmp_path / "deep.json"
    path.write_text(text)
    assert _read(path) == 40 * 1 + 39  # 40 items and the 39 links between them
    with pytest.raises(InputError, match="nested deeper than the limit max_depth=10"):
        _read(path, replace(Limits(), max_depth=10))


def test_json_deeper_than_the_reader_allows_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"bomFormat":"CycloneDX","specVersion":"1.6","x":' + "[" * 3000 + "]" * 3000 + "}")
    with pytest.raises(InputError, match="nested deeper than the JSON reader's limit"):
        _read(path)


def test_xml_entity_declarations_are_refused_before_parsing(tmp_path):
    path = tmp_path / "laughs.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library">'
        "<name>&b;</name></component></components></bom>"
    )
    with pytest.raises(InputError, match="entity declarations are not allowed"):
        _read(path)


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.json"
    path.write_text('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}')
    with pytest.raises(InputError, match="over the limit max_file_bytes=10"):
        _read(path, replace(Limits(), max_file_bytes=10))


def test_xml_with_too_many_elements_is_refused(tmp_path):
    path = tmp_path / "many.xml"
    path.write_text('<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components>'
                    + '<component type="library"><name>x</name></component>' * 50 + "</components></bom>")
    with pytest.raises(InputError, match="max_elements=20"):
        _read(path, replace(Limits(), max_elements=20))


def test_a_large_bom_is_streamed_and_gives_the_same_facts_as_a_whole_read(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks" / "ingest"))
    from synth import cyclonedx

    path = cyclonedx(tmp_path / "bom.json", 2000)
    whole = list(detect(path).parse(path, Limits()).facts)
    streamed = list(detect(path).parse(path, replace(Limits(), stream_above_bytes=1)).facts)
    assert len(whole) > 2000
    assert sorted(map(repr, streamed)) == sorted(map(repr, whole))


def test_a_streamed_bom_handed_on_in_many_batches_keeps_each_kind_of_fact_in_order(tmp_path, monkeypatch):
    import sys
    from pathlib import Path

    from cvrule.ingest import cyclonedx as cyclonedx_format

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks" / "ingest"))
    from synth import cyclonedx

    path = cyclonedx(tmp_path / "bom.json", 300)
    monkeypatch.setattr(cyclonedx_format, "_STREAM_BATCH", 7)
    whole = list(detect(path).parse(path, Limits()).facts)
    streamed = detect(path).parse(path, replace(Limits(), stream_above_bytes=1)).facts
    batches = list(streamed.batches())
    assert len(batches) > 40

    def by_kind(facts):
        return {kind: [fact for fact in facts if type(fact) is kind] for kind in {type(fact) for fact in facts}}

    assert by_kind([fact for batch in batches for fact in batch]) == by_kind(whole)


def test_a_broken_large_bom_is_refused_clearly_when_streamed(tmp_path):
    path = tmp_path / "bom.json"
    path.write_text('{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a"},{"type":')
    with pytest.raises(InputError, match="not valid JSON"):
        list(detect(path).parse(path, replace(Limits(), stream_above_bytes=1)).facts)
