"""The set-based nexus (on DuckDB) gives every party the status the law's reference semantics
(`law/s791_301/persons.py`) gives it: on every legal case and on random small graphs."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import cvrule.nexus
from cvrule.cases import load_case
from cvrule.model import Ownership, Party, Scenario
from nexus_graphs import DAY, duck, nexus_on, random_case, reference  # noqa: F401 (fixture)

CASES = Path(__file__).parents[1] / "cases"


@st.composite
def cases(draw):
    return random_case(lambda options: draw(st.sampled_from(options)), lambda lo, hi: draw(st.integers(lo, hi)))


@settings(max_examples=200, deadline=None)
@given(cases())
def test_the_engine_agrees_with_the_law_party_by_party(law, duck, case):
    scenario, ranges = case
    assert nexus_on(duck, scenario, ranges, law) == reference(scenario, ranges, law)


@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from([date(2026, 12, 31), date(2027, 1, 1), date(2028, 12, 31), date(2029, 1, 1)]))
def test_it_agrees_on_every_day_including_both_sides_of_each_validity_date(law, duck, case, day):
    scenario, ranges = case
    assert nexus_on(duck, scenario, ranges, law, day) == reference(scenario, ranges, law, day)


def test_it_agrees_on_every_legal_case(law, duck):
    from cvrule.law.s791_301.persons import Persons

    checked = 0
    for path in sorted(CASES.rglob("*.yaml")):
        case = load_case(path)
        scenario = case.scenario
        if not scenario.parties:
            continue
        day = max(case.as_of or min((t.date for t in scenario.transactions.values()), default=DAY), law.in_force_from())
        persons = Persons(scenario, law.edition(day), day)
        want = {pid: persons.linkage(pid).value for pid in scenario.parties}
        assert nexus_on(duck, scenario, {}, law, day) == want, path
        checked += 1
    assert checked > 50


def _party(pid, country="US", **extra):
    return Party(id=pid, name=pid.upper(), kind=extra.pop("kind", "organization"), country=country, **extra)


def test_a_range_whose_minimum_and_maximum_disagree_about_a_majority_is_indeterminate(law, duck):
    scenario = Scenario(parties={"cn": _party("cn", "CN"), "x": _party("x")},
                        ownership=(Ownership(owner="cn", owned="x"),))
    assert nexus_on(duck, scenario, {0: (0.2, 0.75, False, False)}, law)["x"] == "indeterminate"
    assert nexus_on(duck, scenario, {0: (0.75, 1.0, False, False)}, law)["x"] == "linked"
    assert nexus_on(duck, scenario, {0: (0.0, 0.05, False, False)}, law)["x"] == "not_linked"


def test_an_exclusive_minimum_at_the_majority_share_is_a_majority(law, duck):
    # "more than 50 %" (BODS exclusiveMinimum 50) is strictly more than half: a majority. The
    # other holder's stake is unknown (0-100 %), so only a majority can link.
    scenario = Scenario(parties={"cn": _party("cn", "CN"), "us": _party("us"), "x": _party("x")},
                        ownership=(Ownership(owner="cn", owned="x"), Ownership(owner="us", owned="x")))
    assert nexus_on(duck, scenario, {0: (0.5, 0.75, True, False)}, law)["x"] == "linked"
    assert nexus_on(duck, scenario, {0: (0.5, 0.75, False, False)}, law)["x"] == "indeterminate"


def test_an_exclusive_maximum_at_the_review_share_cannot_reach_it(law, duck):
    # "less than 10 %" never reaches the review share of 10 %; "up to 10 %" may.
    scenario = Scenario(parties={"cn": _party("cn", "CN"), "x": _party("x")},
                        ownership=(Ownership(owner="cn", owned="x"),))
    assert nexus_on(duck, scenario, {0: (0.0, 0.1, False, True)}, law)["x"] == "not_linked"
    assert nexus_on(duck, scenario, {0: (0.0, 0.1, False, False)}, law)["x"] == "indeterminate"


def test_an_exclusive_bound_decides_a_dominant_minority_tie(law, duck):
    # linked 25 %+ against another holder's 25 %: strictly more, a dominant minority
    parties = {"cn": _party("cn", "CN"), "us": _party("us"), "x": _party("x")}
    scenario = Scenario(parties=parties, ownership=(Ownership(owner="cn", owned="x"), Ownership(owner="us", owned="x", voting=0.25)))
    assert nexus_on(duck, scenario, {0: (0.25, 0.5, True, False)}, law)["x"] == "linked"
    assert nexus_on(duck, scenario, {0: (0.25, 0.5, False, False)}, law)["x"] == "indeterminate"


def test_decimal_shares_add_up_exactly(law, duck):
    # 0.1 + 0.2 + 0.2 is 0.5 exactly, not a float's 0.5000000000000001: not a majority
    parties = {"cn": _party("cn", "CN"), "ru": _party("ru", "RU"), "hk": _party("hk", "HK"), "us": _party("us"), "x": _party("x")}
    ownership = (Ownership(owner="cn", owned="x", voting=0.1), Ownership(owner="ru", owned="x", voting=0.2),
                 Ownership(owner="hk", owned="x", voting=0.2), Ownership(owner="us", owned="x", voting=0.5))
    assert nexus_on(duck, Scenario(parties=parties, ownership=ownership), {}, law)["x"] == "indeterminate"


def test_the_nexus_imports_no_database_driver_cli_or_web_library():
    banned = re.compile(r"^\s*(from|import)\s+(duckdb|pyspark|typer|click|rich|fastapi|starlette|sqlalchemy)\b", re.M)
    package = Path(cvrule.nexus.__file__).parent
    offenders = [p.name for p in package.rglob("*.py") if banned.search(p.read_text())]
    assert not offenders


def test_the_nexus_holds_no_legal_values():
    # the thresholds and countries come from the parameter files (synth.py is test data)
    package = Path(cvrule.nexus.__file__).parent
    offenders = []
    for path in package.glob("*.py"):
        if path.name == "synth.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, float) and node.value not in (0.0, 1.0):
                offenders.append(f"{path.name}:{node.lineno}: {node.value}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[A-Z]{2}", node.value):
                offenders.append(f"{path.name}:{node.lineno}: {node.value}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"'(CN|RU|HK|MO)'", node.value):
                offenders.append(f"{path.name}:{node.lineno}: country in SQL")
    assert not offenders, offenders
