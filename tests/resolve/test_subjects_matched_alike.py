"""Subjects that differ only in what no target can meet (a domain no party has) are matched once
(`match_all`): each still gets exactly the outcome matching it alone gives, its candidates named
for its own subject key; a subject an analyst judged is always matched on its own."""

from __future__ import annotations

from datetime import datetime

from cvrule.resolve import Judgements, Matcher
from cvrule.resolve.identifiers import identifiers_from
from cvrule.resolve.matcher import _match_one, match_all
from cvrule.resolve.model import Target
from cvrule.resolve.subjects import mention_query
from cvrule.store.resolution import JudgementRow


def party(ref, name, country=None, **ids) -> Target:
    return Target(ref=ref, kind="party", source_id="s", key=ref, name=name, names=(name,),
                  countries=(country,) if country else (), identifiers=identifiers_from(ids))


REGISTRY = [
    party("quectel", "Quectel Wireless Solutions Co., Ltd.", "CN", url="https://www.quectel.com"),
    party("quectel-gmbh", "Quectel Wireless Solutions GmbH", "DE"),
    party("acme", "Acme Widgets Inc.", "US", lei="5493001KJTIIGC8Y1R12"),
    party("acme-de", "Acme Widgets GmbH", "DE"),
]

SUBJECTS = [
    mention_query("Quectel Wireless Solutions Co., Ltd.", "CN", purl="pkg:maven/com.quectel.sdk/a@1"),
    mention_query("Quectel Wireless Solutions Co., Ltd.", "CN", purl="pkg:maven/com.exampleone/a@1"),
    mention_query("Quectel Wireless Solutions Co., Ltd.", "CN", purl="pkg:maven/com.exampletwo/a@1"),
    mention_query("Quectel Wireless Solutions Co., Ltd.", "CN"),
    mention_query("Acme Widgets", "US", url="https://acme-one.example"),
    mention_query("Acme Widgets", "US", url="https://acme-two.example"),
    mention_query("Acme Widgets", "US", url="https://acme-two.example", email="x@acme-three.example"),
    mention_query("Acme Widgets GmbH", "DE"),
    mention_query("Nobody Known Ltd", None, url="https://nobody.example"),
    mention_query("Nobody Known Ltd", None, url="https://nobody-else.example"),
]


def alone(matcher: Matcher, key, query, keep=3):
    return _match_one(matcher, key, query, keep, 0.0)


def as_rows(outcome):
    return (outcome.status, outcome.reason, outcome.chosen and outcome.chosen.candidate_id,
            [(c.target.ref, c.score, c.decision, c.method, c.candidate_id, c.contains_query,
              [f.as_json() for f in c.features]) for c in outcome.candidates])


def test_subjects_matched_together_get_what_each_gets_alone():
    matcher = Matcher(REGISTRY)
    together = match_all(matcher, SUBJECTS, keep=3, workers=1)
    assert len({key for key, _ in SUBJECTS}) == len(SUBJECTS)
    for (key, query), outcome in zip(SUBJECTS, together):
        assert as_rows(outcome) == as_rows(alone(matcher, key, query))


def test_each_subject_names_its_candidates_with_its_own_key():
    matcher = Matcher(REGISTRY)
    together = match_all(matcher, SUBJECTS, keep=3, workers=1)
    first, second = together[4], together[5]  # "Acme Widgets" with two domains no party has
    assert first.candidates and [c.target.ref for c in first.candidates] == [c.target.ref for c in second.candidates]
    assert {c.candidate_id for c in first.candidates}.isdisjoint(c.candidate_id for c in second.candidates)
    assert second.chosen is None or second.chosen is second.candidates[0]


def test_a_domain_some_party_has_keeps_subjects_apart():
    matcher = Matcher(REGISTRY)
    outcomes = match_all(matcher, SUBJECTS[:4], keep=3, workers=1)
    with_domain, without = outcomes[0], outcomes[1]
    assert any(f.name == "domain_match" for f in with_domain.candidates[0].features)
    assert not any(f.name == "domain_match" for f in without.candidates[0].features)


def test_a_judged_subject_is_matched_on_its_own():
    key, query = SUBJECTS[5]
    judged = JudgementRow(1, datetime(2026, 1, 2), "ana", "confirm", None, key, "acme-de", "s", None, "checked", "", "")
    matcher = Matcher(REGISTRY, judgements=Judgements.from_rows([judged]))
    together = match_all(matcher, SUBJECTS, keep=3, workers=1)
    assert together[4].chosen.target.ref == "acme"
    assert together[5].status == "linked" and together[5].chosen.target.ref == "acme-de"
    assert together[5].chosen.method == "analyst"
    assert together[6].chosen.target.ref == "acme"


def test_subjects_alike_are_matched_once(monkeypatch):
    matcher = Matcher(REGISTRY)
    calls = []
    real = Matcher.match
    monkeypatch.setattr(Matcher, "match", lambda self, query, key="", **kw: calls.append(key) or real(self, query, key, **kw))
    match_all(matcher, SUBJECTS, keep=3, workers=1)
    # quectel.com is a party's domain; exampleone.com, exampletwo.com and none at all are alike; the
    # three "Acme Widgets" (domains no party has) are alike; so are the two "Nobody Known Ltd"
    assert len(calls) == 5
