"""FollowTheMoney JSON Lines: parties, ownership shares, directorships and sanctions come out of
the hand-written sample (see tests/data/ftm/README.md); broken lines give an InputError there."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA
from cvrule.errors import InputError
from cvrule.ingest import ftm
from cvrule.ingest.detect import detect
from cvrule.ingest.facts import Attestation, ControlFact, OwnershipFact, PartyFact
from cvrule.ingest.limits import Limits

SAMPLE = DATA / "ftm" / "telematics-group.ftm.json"


def read(path: Path) -> list:
    return list(ftm.parse(path, Limits()).facts)


@pytest.fixture(scope="module")
def facts() -> list:
    return read(SAMPLE)


def parties(facts: list) -> dict[str, PartyFact]:
    return {fact.key: fact for fact in facts if isinstance(fact, PartyFact)}


def test_detection_picks_ftm_for_the_sample():
    assert detect(SAMPLE).name == "ftm"


def test_companies_get_country_identifiers_and_aliases(facts):
    company = parties(facts)["co-shenzhen-example-wireless"]
    assert (company.kind, company.country, company.jurisdiction_raw, company.headquarters) == ("organization", "CN", "cn", "CN")
    assert company.identifiers["uscc"] == "91440300MA5G0Q8P1F"
    assert company.identifiers["lei"] == "9845001DEADBEEF00058" and "lei_invalid" not in company.identifiers
    assert company.aliases == ["深圳示例无线模组有限公司", "ExampleWireless", "Shenzhen Example Communication Technology Co., Ltd."]
    german = parties(facts)["co-example-telematics-gmbh"]
    assert german.identifiers.items() >= {"registration": "HRB 123456", "tax": "DE999999999", "duns": "123456789"}.items()
    assert german.aliases == ["ETG"]


def test_public_bodies_are_government_and_people_individuals(facts):
    found = parties(facts)
    assert found["pb-example-sasac"].kind == "government"
    person = found["per-li-example"]
    assert (person.kind, person.country, person.residence) == ("individual", "CN", "HK")
    assert found["per-anna-example"].country == "DE"
    assert "lei_invalid" in found["le-example-fund"].identifiers


def test_ownership_percentages_become_exact_shares(facts):
    edges = {(o.owner, o.owned): o for o in facts if isinstance(o, OwnershipFact)}
    direct = edges[("org-example-holdings", "co-shenzhen-example-wireless")]
    assert (direct.share_min, direct.share_max, direct.direct, direct.start.isoformat()) == (0.51, 0.51, True, "2019-03-01")
    state = edges[("pb-example-sasac", "org-example-holdings")]
    assert state.share_min == pytest.approx(0.255) and state.direct is None
    assert (state.start.isoformat(), state.end.isoformat()) == ("2020-01-01", "2024-12-31")
    indirect = edges[("per-li-example", "co-shenzhen-example-wireless")]
    assert indirect.direct is False and indirect.share_min is None
    assert edges[("co-shenzhen-example-wireless", "co-example-telematics-gmbh")].share_min == 1.0  # nested owner entity


def test_directorships_and_sanctions(facts):
    seats = {(c.by, c.over, c.detail) for c in facts if isinstance(c, ControlFact)}
    assert ("per-li-example", "co-shenzhen-example-wireless", "Chairman of the board") in seats
    assert all(c.kind == "board_seat" for c in facts if isinstance(c, ControlFact))
    (sanction,) = [a for a in facts if isinstance(a, Attestation)]
    assert sanction.subject == "org-example-holdings" and "EXAMPLE-LIST" in sanction.value


def test_other_schemata_are_skipped_and_locations_are_lines(facts):
    assert len(facts) == 14  # 15 lines, the Address entity skipped
    assert all(fact.location.startswith("line ") for fact in facts)


@pytest.mark.parametrize("line, where", [
    ('{"id": "x", "schema": "Company", "properties": {"name": "Not a list"}}', "line 2 /properties/name"),
    ('{"id": "x", "schema": "Company", "properties": {"name": [7]}}', "line 2 /properties/name/0"),
    ('{"id": 5, "schema": "Company", "properties": {}}', "line 2 /id"),
    ('{"id": "o", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"], "percentage": ["lots"]}}', "line 2 /properties/percentage"),
    ('{"id": "o", "schema": "Ownership", "properties": {"owner": ["a"]}}', "line 2 /properties/asset"),
    ('{"id": "o", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"], "startDate": ["soon"]}}', "line 2 /properties/startDate"),
    ('{"id": "x", "schema": "Company", "properties": {', "line 2, column"),
    ('["not", "an", "entity"]', "line 2"),
], ids=["not-a-list", "not-a-string", "id-number", "percentage", "no-asset", "bad-date", "truncated", "array"])
def test_broken_lines_are_refused_where_they_break(tmp_path, line, where):
    path = tmp_path / "broken.ftm.json"
    path.write_text('{"id": "ok", "schema": "Company", "properties": {"name": ["Fine Ltd"]}}\n' + line + "\n")
    with pytest.raises(InputError) as caught:
        read(path)
    assert caught.value.location.startswith(where)


def test_sniffer_needs_an_ftm_entity_on_the_first_line(tmp_path):
    assert ftm.sniff(SAMPLE.read_bytes(), SAMPLE)
    for content in (b'[{"id": "x", "schema": "Company", "properties": {}}]', b'{"statementId": "x", "recordType": "entity"}',
                    b'{"bomFormat": "CycloneDX", "components": []}'):
        assert not ftm.sniff(content, tmp_path / "x.json")


def test_ftm_claims_no_corpus_file(corpus):
    for path in corpus.rglob("*"):
        if path.is_file():
            assert not ftm.sniff(path.read_bytes()[:65536], path), f"ftm claims {path}"
