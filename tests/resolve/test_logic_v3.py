"""`cvrule-logic-v3`: abbreviations, acronyms, respelled containment and very rare shared words
find more of a party's other names, and each of them sends the pair to review, never to an
automatic link; v2 stays selectable and unchanged."""

from __future__ import annotations

from itertools import product

from cvrule.resolve import Matcher, ResolveSettings
from cvrule.resolve.algorithms import ALGORITHMS, SHORTENED_CAP
from cvrule.resolve.identifiers import identifiers_from
from cvrule.resolve.model import Target
from cvrule.resolve.subjects import mention_query

V2 = ResolveSettings(algorithm="cvrule-logic-v2")
V3 = ResolveSettings(algorithm="cvrule-logic-v3")

FILLER_WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november "
                "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()


def party(ref, name, country=None) -> Target:
    return Target(ref=ref, kind="party", source_id="s", key=ref, name=name, names=(name,),
                  countries=(country,) if country else (), identifiers=identifiers_from({}))


def registry(*parties: Target) -> list[Target]:
    """The parties among 1,352 look-alikes (a word can be very rare only among 1,000 names or
    more) that make "trading", "money", "exchange" and their own words common, as they are among
    real names."""
    fillers = []
    for i, (first, second) in enumerate(product(FILLER_WORDS, repeat=2)):
        words = f"{first.title()} {second.title()}"
        fillers += [party(f"t{i}", f"{words} Trading Co., Ltd.", "CN"),
                    party(f"m{i}", f"{words} Money Exchange", "YE")]
    return [*fillers, *parties]


def outcome(matcher, name, country=None):
    key, query = mention_query(name, country)
    found = matcher.match(query, key)
    return matcher.decide(found, query)


def name_detail(result) -> str:
    return next(f.detail for f in result.chosen.features if f.name == "name")


def test_v3_is_the_default_and_v1_v2_stay_selectable():
    assert ResolveSettings().algorithm == "cvrule-logic-v3"
    assert {"cvrule-logic-v1", "cvrule-logic-v2", "cvrule-logic-v3"} <= set(ALGORITHMS)


def test_acronym_of_the_registered_name_goes_to_review():
    targets = registry(party("en", "EGHTESAD NOVIN BANK", "IR"))
    result = outcome(Matcher(targets, V3), "EN BANK PJSC", "IR")
    assert result.status == "review" and result.chosen.target.ref == "en"
    assert result.chosen.score <= SHORTENED_CAP
    assert "'en' is the initials of 'eghtesad novin' (acronym)" in name_detail(result)
    assert outcome(Matcher(targets, V2), "EN BANK PJSC", "IR").status == "unresolved"


def test_words_of_the_other_name_are_never_read_as_an_acronym():
    targets = registry(party("mmag", "MMAG AGRICULTURA GLOBAL S.A.S.", "CO"))
    result = outcome(Matcher(targets, V3), "MAG AGRICULTURA GLOBAL S.A.S.", "CO")
    assert result.chosen.target.ref == "mmag"
    assert "acronym" not in name_detail(result)


def test_an_abbreviation_counts_as_the_word_it_stands_for_for_review_only():
    targets = registry(party("omgy", "AL-OMGY AND BROTHERS MONEY EXCHANGE", "YE"))
    result = outcome(Matcher(targets, V3), "AL-OMGY & BROS. MONEY EXCHANGE", "YE")
    assert result.status == "review" and result.chosen.target.ref == "omgy"
    assert "bros=brothers (abbreviation)" in name_detail(result)
    assert result.chosen.score <= SHORTENED_CAP


def test_an_abbreviation_never_makes_an_automatic_link():
    targets = registry(party("els", "EXPRESS LOGISTICS SERVICES", "KZ"))
    result = outcome(Matcher(targets, V3), "SVC EXPRESS LOGISTICS", "KZ")
    assert result.status == "review"
    assert "at most 0.85" in name_detail(result)


def test_a_name_contained_in_the_other_with_a_respelled_word_goes_to_review():
    targets = registry(party("hanifa", "HANIFA MONEY EXCHANGE OFFICE", "SY"))
    result = outcome(Matcher(targets, V3), "HANIFAH MONEY EXCHANGE", "SY")
    assert result.status == "review" and result.chosen.target.ref == "hanifa"
    detail = name_detail(result)
    assert "hanifah~hanifa" in detail and "some spelled differently" in detail
    assert result.chosen.score <= SHORTENED_CAP


def test_a_very_rare_shared_word_raises_the_pair_to_review():
    targets = registry(party("pamchel", "PAMCHEL TRADING BEIJING CO. LTD.", "CN"))
    result = outcome(Matcher(targets, V3), "PAMCHEL ASIA CO., LTD", "CN")
    assert result.status == "review" and result.chosen.target.ref == "pamchel"
    assert "the names share 'pamchel', very rare among the names, and the country is the same" in name_detail(result)
    assert result.chosen.score < 0.75  # below v2's containment floor: a contained name keeps the first place
    assert outcome(Matcher(targets, V2), "PAMCHEL ASIA CO., LTD", "CN").status == "unresolved"


def test_a_shared_common_word_raises_nothing():
    targets = registry(party("pamchel", "PAMCHEL TRADING BEIJING CO. LTD.", "CN"))
    assert outcome(Matcher(targets, V3), "SHENZHEN TRADING CO., LTD", "CN").status == "unresolved"


def test_a_very_rare_word_lost_among_many_others_raises_nothing():
    targets = registry(party("pamchel", "PAMCHEL TRADING BEIJING CO. LTD.", "CN"))
    result = outcome(Matcher(targets, V3), "PAMCHEL NORTHERN HEAVY MACHINERY STEEL AND IRON WORKS", "CN")
    assert result.status == "unresolved"


def test_a_word_of_a_single_name_among_few_raises_nothing():
    targets = [party("kmc", "KMC Chain (Hong Kong) Company Limited", "HK"), party("pamchel", "PAMCHEL TRADING", "CN")]
    assert outcome(Matcher(targets, V3), "Havi Logistics Services (Hong Kong) Limited", "HK").status == "unresolved"
    assert outcome(Matcher(targets, V3), "PAMCHEL ASIA CO., LTD", "CN").status == "unresolved"


def test_a_very_rare_shared_word_needs_the_same_country_to_raise_the_pair():
    targets = registry(party("pamchel", "PAMCHEL TRADING BEIJING CO. LTD.", "CN"))
    assert outcome(Matcher(targets, V3), "PAMCHEL ASIA CO., LTD", "TW").status == "unresolved"
    assert outcome(Matcher(targets, V3), "PAMCHEL ASIA CO., LTD").status == "unresolved"
