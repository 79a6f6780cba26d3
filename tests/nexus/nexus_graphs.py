"""Random small ownership graphs, the law's reference semantics over them, and the engines as
fixtures (imported by the test modules: a conftest.py here would shadow tests/conftest.py)."""

from __future__ import annotations

import random
from datetime import date

import pyarrow as pa
import pytest

from cvrule.law.s791_301.persons import Persons, _Stake
from cvrule.law.findings import missing
from cvrule.model import Control, Ownership, Party, Scenario
from cvrule.nexus import Graph, NexusPolicy, graph_from_scenario, run_nexus

DAY = date(2028, 1, 1)
COUNTRIES = ["US", "DE", "JP", "SG", "CN", "HK", "MO", "RU", None]
PLACES = [None, None, None, "US", "CN", "HK", "RU", "DE"]
# Dyadic shares (and the thresholds themselves): their float sums are exact, so the reference's
# float arithmetic and the engine's fixed-point arithmetic see the same numbers.
SHARES = [0.0625, 0.09375, 0.125, 0.1875, 0.25, 0.3125, 0.375, 0.5, 0.5625, 0.75, 1.0, None]
CONTROL_KINDS = ["board_majority", "board_seat", "veto", "special_share", "proxy", "contract", "direction", "agent"]
DATES = [None, None, None, date(2027, 1, 1), date(2028, 1, 1), date(2029, 1, 1)]


def random_case(choose, between) -> tuple[Scenario, dict]:
    """A scenario and its share ranges, from two choice functions (a Random's or Hypothesis's)."""
    n = between(2, 8)
    ids = [f"p{i}" for i in range(n)]
    parties = {}
    for pid in ids:
        kind = choose(["organization", "organization", "individual", "government"])
        parties[pid] = Party(
            id=pid, name=pid.upper(), kind=kind, country=choose(COUNTRIES),
            headquarters=choose(PLACES) if kind == "organization" else None,
            principal_place_of_business=choose(PLACES) if kind == "organization" else None,
            residence=choose(PLACES) if kind == "individual" else None,
            us_permanent_resident=choose([False, False, True]) if kind == "individual" else False,
            ownership_known=choose([True, True, True, True, False]),
        )
    ownership, ranges = [], {}
    for _ in range(between(0, 12)):
        owner, owned = choose(ids), choose(ids)
        if owner == owned and choose([True, False]):
            continue
        start, end = choose(DATES), choose(DATES)
        if start and end and end < start:
            start, end = end, start
        form = choose(["voting", "voting", "voting", "equity", "both", "range"])
        voting = equity = None
        if form in ("voting", "both"):
            voting = choose(SHARES)
        if form in ("equity", "both"):
            equity = choose(SHARES)
        edge = Ownership(owner=owner, owned=owned, voting=voting, equity=equity, **{"from": start}, to=end)
        if form == "range":
            low, high = sorted([choose(SHARES[:-1]), choose(SHARES[:-1])])
            ranges[len(ownership)] = (choose([low, None]), choose([high, None]), False, False)
        ownership.append(edge)
    control = []
    for _ in range(between(0, 4)):
        by, over = choose(ids), choose(ids)
        if by != over:
            start, end = choose(DATES), choose(DATES)
            if start and end and end < start:
                start, end = end, start
            control.append(Control(by=by, over=over, kind=choose(CONTROL_KINDS), **{"from": start}, to=end))
    return Scenario(parties=parties, ownership=tuple(ownership), control=tuple(control)), ranges


def seeded_case(seed: int) -> tuple[Scenario, dict]:
    rng = random.Random(seed)
    return random_case(rng.choice, rng.randint)


class RangedPersons(Persons):
    """The law's reference semantics, with some stakes given as ranges (as BODS states them):
    the same fixpoints, reading `low` and `high` of each range as it reads a known share."""

    def __init__(self, scenario, edition, day, ranges):
        self._ranges = ranges
        super().__init__(scenario, edition, day)

    def _collect_stakes(self):
        stakes = {}
        equity_ok = self.edition.param("equity_stands_for_voting").value
        for i, edge in enumerate(self.scenario.ownership):
            if not edge.holds_on(self.day):
                continue
            stake = stakes.setdefault(edge.owned, {}).setdefault(edge.owner, _Stake(edge.owner))
            stake.edges.append(i)
            if i in self._ranges:
                low, high, _, _ = self._ranges[i]
                if low is None and high is None:
                    low, high = 0.0, 1.0
                    stake.gaps.append(missing(f"ownership.{i}.voting", "?"))
                low, high = low or 0.0, 1.0 if high is None else high
            elif edge.voting is not None:
                low = high = edge.voting
            elif edge.equity is not None and equity_ok:
                low = high = edge.equity
            else:
                low, high = 0.0, 1.0
                stake.gaps.append(missing(f"ownership.{i}.voting", "?"))
            stake.low = min(1.0, stake.low + low)
            stake.high = min(1.0, stake.high + high)
        return stakes


def reference(scenario: Scenario, ranges: dict, law, day: date = DAY) -> dict[str, str]:
    persons = RangedPersons(scenario, law.edition(day), day, ranges)
    return {pid: persons.linkage(pid).value for pid in scenario.parties}


def union(graphs: list[Graph]) -> tuple[Graph, list[str]]:
    """Disjoint union of graphs (nodes and edges renumbered), and each node's `case/party` name."""
    parties, stakes, controls, names = [], [], [], []
    offset = edge_offset = 0
    for number, graph in enumerate(graphs):
        p = graph.parties.to_pylist()
        for row in p:
            row["node"] += offset
        s = graph.stakes.to_pylist()
        for row in s:
            row["owner"] += offset
            row["owned"] += offset
            row["edge"] += edge_offset
            row["holding"] += edge_offset
        c = graph.controls.to_pylist()
        for row in c:
            row["by_node"] += offset
            row["over_node"] += offset
            row["edge"] += edge_offset
        parties += p
        stakes += s
        controls += c
        names += [f"{number}/{pid}" for pid in graph.ids]
        offset += len(graph.ids)
        edge_offset += 2 * (len(s) + len(c)) + 2
    return Graph(pa.Table.from_pylist(parties, schema=graphs[0].parties.schema),
                 pa.Table.from_pylist(stakes, schema=graphs[0].stakes.schema),
                 pa.Table.from_pylist(controls, schema=graphs[0].controls.schema), names), names


def run_graph(engine, graph: Graph, law, day: date = DAY):
    for name, table in graph.tables().items():
        engine.register(name, table)
    run = run_nexus(engine, NexusPolicy.from_edition(law.edition(day)))
    return run


def statuses(engine, graph: Graph) -> dict[str, str]:
    return {graph.ids[node]: linkage for node, linkage in engine.rows("SELECT node, linkage FROM st")}


def nexus_on(engine, scenario: Scenario, ranges: dict, law, day: date = DAY) -> dict[str, str]:
    graph = graph_from_scenario(scenario, ranges)
    run_graph(engine, graph, law, day)
    return statuses(engine, graph)

@pytest.fixture(scope="session")
def duck():
    from cvrule.engine import open_engine

    engine = open_engine("duckdb", threads=2)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    from cvrule.engine import open_engine
    from cvrule.engine.spark_engine import find_java_home

    if find_java_home() is None:
        pytest.skip("Spark needs Java 17 or later (none found on PATH, JAVA_HOME or /usr/lib/jvm)")

    engine = open_engine("spark", spark_master="local[2]", shuffle_partitions=2, driver_memory="1g",
                         conf={"spark.sql.adaptive.coalescePartitions.enabled": "true",
                               "spark.default.parallelism": "2"})
    yield engine
    engine.stop()
