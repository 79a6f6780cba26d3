"""Properties of the linked-person reference semantics (791.301) on random small graphs."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from cvrule.law.s791_301.persons import Linkage, Persons
from cvrule.model import Control, Employment, Ownership, Party, Scenario

DAY = date(2028, 1, 1)
COUNTRIES = ["US", "DE", "JP", "SG", "CN", "HK", "RU"]
SAFE = ["US", "DE", "JP", "SG"]
CONTROL_KINDS = ["board_majority", "board_seat", "veto", "special_share", "proxy", "contract", "direction", "agent"]


@st.composite
def graphs(draw, countries=COUNTRIES):
    n = draw(st.integers(2, 7))
    ids = [f"p{i}" for i in range(n)]
    parties = {
        pid: Party(id=pid, name=pid.upper(), kind=draw(st.sampled_from(["organization", "individual"])),
                   country=draw(st.sampled_from(countries)))
        for pid in ids
    }
    ownership = []
    for _ in range(draw(st.integers(0, 10))):
        owner, owned = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        if owner == owned:
            continue
        share = draw(st.sampled_from([0.05, 0.1, 0.15, 0.25, 0.3, 0.5, 0.51, 0.7, 1.0]))
        ended = draw(st.sampled_from([None, date(2027, 1, 1), date(2029, 1, 1)]))
        ownership.append(Ownership(owner=owner, owned=owned, voting=share, to=ended))
    control = []
    for _ in range(draw(st.integers(0, 3))):
        by, over = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        if by != over:
            control.append(Control(by=by, over=over, kind=draw(st.sampled_from(CONTROL_KINDS))))
    return Scenario(parties=parties, ownership=tuple(ownership), control=tuple(control))


def _statuses(scenario: Scenario, law) -> dict[str, Linkage]:
    persons = Persons(scenario, law.edition(DAY), DAY)
    return {pid: persons.linkage(pid) for pid in scenario.parties}


@settings(max_examples=150, deadline=None)
@given(graphs(), st.randoms(use_true_random=False))
def test_the_order_of_facts_does_not_change_anyone_s_status(law, scenario, rnd):
    ownership = list(scenario.ownership)
    rnd.shuffle(ownership)
    parties = list(scenario.parties.items())
    rnd.shuffle(parties)
    shuffled = Scenario(parties=dict(parties), ownership=tuple(ownership), control=scenario.control)
    assert _statuses(shuffled, law) == _statuses(scenario, law)


@settings(max_examples=150, deadline=None)
@given(graphs(countries=SAFE))
def test_without_a_covered_jurisdiction_nobody_is_linked_or_indeterminate(law, scenario):
    assert set(_statuses(scenario, law).values()) == {Linkage.not_linked}


@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_one_more_covered_party_never_clears_anyone(law, scenario, data):
    before = _statuses(scenario, law)
    safe = [pid for pid, p in scenario.parties.items() if p.country in SAFE]
    if not safe:
        return
    target = data.draw(st.sampled_from(safe))
    parties = dict(scenario.parties)
    parties[target] = parties[target].model_copy(update={"country": "CN"})
    after = _statuses(Scenario(parties=parties, ownership=scenario.ownership, control=scenario.control), law)
    rank = {Linkage.not_linked: 0, Linkage.indeterminate: 1, Linkage.linked: 2}
    for pid in before:
        assert rank[after[pid]] >= rank[before[pid]], (pid, before[pid], after[pid])


@settings(max_examples=100, deadline=None)
@given(graphs(), st.data())
def test_employment_never_changes_a_status(law, scenario, data):
    ids = list(scenario.parties)
    jobs = tuple(Employment(person=data.draw(st.sampled_from(ids)), employer=data.draw(st.sampled_from(ids))) for _ in range(3))
    with_jobs = Scenario(parties=scenario.parties, ownership=scenario.ownership, control=scenario.control, employment=jobs)
    assert _statuses(with_jobs, law) == _statuses(scenario, law)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_a_direct_majority_held_by_a_linked_party_links(law, scenario):
    statuses = _statuses(scenario, law)
    for edge in scenario.ownership:
        if edge.holds_on(DAY) and edge.voting > 0.5 and statuses[edge.owner] is Linkage.linked:
            assert statuses[edge.owned] is Linkage.linked


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_a_party_with_no_linked_or_uncertain_holder_or_controller_and_a_safe_country_is_clear(law, scenario):
    statuses = _statuses(scenario, law)
    for pid, party in scenario.parties.items():
        ties = [e.owner for e in scenario.ownership if e.owned == pid and e.holds_on(DAY)]
        ties += [c.by for c in scenario.control if c.over == pid]
        if party.country in SAFE and all(statuses[t] is Linkage.not_linked for t in ties):
            assert statuses[pid] is Linkage.not_linked
