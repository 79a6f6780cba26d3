"""The Spark path runs the same SQL and gives identical results: on one local session, the
disjoint union of many random graphs is decided by Spark and by DuckDB, table for table."""

from __future__ import annotations

import pytest

from cvrule.nexus import graph_from_scenario
from nexus_graphs import duck, reference, run_graph, seeded_case, spark, union  # noqa: F401 (fixtures)

pytest.importorskip("pyspark")

GRAPHS = 150


@pytest.fixture(scope="module")
def graphs():
    cases = [seeded_case(seed) for seed in range(GRAPHS)]
    graph, names = union([graph_from_scenario(scenario, ranges) for scenario, ranges in cases])
    return cases, graph, names


def _tables(engine):
    status = sorted(engine.rows("SELECT node, linkage, basis, rnd, lookthrough_min, lookthrough_max FROM st"))
    evidence = sorted(engine.rows("SELECT node, fixpoint, via, relation, edge, lo, los, hi, his, gap, kind FROM ev"),
                      key=lambda row: tuple("" if v is None else str(v) for v in row))
    return status, evidence


def test_spark_and_duckdb_give_identical_status_evidence_and_look_through(law, duck, spark, graphs):
    cases, graph, names = graphs
    duck_run = run_graph(duck, graph, law)
    duck_tables = _tables(duck)
    spark_run = run_graph(spark, graph, law)
    spark_tables = _tables(spark)
    assert spark_tables[0] == duck_tables[0]
    assert spark_tables[1] == duck_tables[1]
    assert (spark_run.linked, spark_run.indeterminate, spark_run.rounds_linked, spark_run.rounds_possible) == (
        duck_run.linked, duck_run.indeterminate, duck_run.rounds_linked, duck_run.rounds_possible)
    # and both agree with the law, party by party
    got = {names[node]: linkage for node, linkage, *_ in spark_tables[0]}
    want = {}
    for number, (scenario, ranges) in enumerate(cases):
        want.update({f"{number}/{pid}": linkage for pid, linkage in reference(scenario, ranges, law).items()})
    assert got == want
    assert {"linked", "indeterminate", "not_linked"} == set(got.values())
