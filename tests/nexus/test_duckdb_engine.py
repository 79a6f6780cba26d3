"""The DuckDB engine: Arrow out of a query on the installed DuckDB, a second connection (`fork`)
that shares the database (Arrow tables registered included), and the work run beside the
fixpoints in a second thread (parties' own facts, look-through, evidence of the linked set)
giving the very tables it gives when run in one stream, and the results written by two
connections at once equal to those written by one."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from cvrule.engine.duckdb_engine import DuckDBEngine
from cvrule.engine.pipeline import write_results
from cvrule.nexus import graph_from_scenario
from nexus_graphs import run_graph, seeded_case, union

GRAPHS = 40


def test_arrow_gives_the_query_result_as_an_arrow_table():
    engine = DuckDBEngine(threads=1)
    try:
        table = engine.arrow("SELECT CAST(range AS BIGINT) AS node, 'linked' AS linkage FROM range(3)")
        assert isinstance(table, pa.Table)
        assert table.column_names == ["node", "linkage"]
        assert table.to_pylist() == [{"node": n, "linkage": "linked"} for n in range(3)]
    finally:
        engine.close()


def test_a_fork_shares_the_tables_both_ways():
    engine = DuckDBEngine(threads=1)
    try:
        engine.table("made_here", "SELECT 1 AS x")
        engine.register("handed_over", pa.table({"y": [10, 20]}))
        other = engine.fork()
        other.table("made_there", "SELECT x + 1 AS x FROM made_here")
        assert engine.rows("SELECT x FROM made_there") == [(2,)]
        assert other.rows("SELECT sum(y) FROM handed_over") == [(30,)]
        engine.drop("made_there")  # the fork's tables are dropped like this engine's own
        assert "made_there" not in {name for (name,) in engine.rows("SELECT table_name FROM duckdb_tables()")}
    finally:
        engine.close()


class _NoFork:
    """The same engine without `fork`: everything then runs in one stream, as on Spark."""

    def __init__(self, engine: DuckDBEngine):
        self._engine = engine
        self.name = engine.name

    def __getattr__(self, name):
        if name == "fork":
            raise AttributeError(name)
        return getattr(self._engine, name)


def _tables(engine):
    status = sorted(engine.rows("SELECT node, linkage, basis, rnd, lookthrough_min, lookthrough_max FROM st"))
    evidence = sorted(engine.rows("SELECT node, fixpoint, via, relation, edge, lo, los, hi, his, gap, kind FROM ev"),
                      key=lambda row: tuple("" if v is None else str(v) for v in row))
    return status, evidence


def test_the_work_beside_the_fixpoints_gives_the_same_tables_as_one_stream(law):
    cases = [seeded_case(seed) for seed in range(GRAPHS)]
    graph, _ = union([graph_from_scenario(scenario, ranges) for scenario, ranges in cases])
    beside, after = DuckDBEngine(threads=2), DuckDBEngine(threads=2)
    try:
        run_beside = run_graph(beside, graph, law)
        run_after = run_graph(_NoFork(after), graph, law)
        assert "look-through (in a second thread)" in run_beside.seconds
        assert "look-through" in run_after.seconds
        assert _tables(beside) == _tables(after)
        assert (run_beside.linked, run_beside.indeterminate, run_beside.rounds_lookthrough) == (
            run_after.linked, run_after.indeterminate, run_after.rounds_lookthrough)
    finally:
        beside.close()
        after.close()


def _rows_of(path):
    return sorted(pq.read_table(path).to_pylist(), key=lambda row: tuple("" if v is None else str(v) for v in row.values()))


def test_results_written_by_two_connections_equal_those_written_by_one(law, tmp_path):
    cases = [seeded_case(seed) for seed in range(GRAPHS)]
    graph, _ = union([graph_from_scenario(scenario, ranges) for scenario, ranges in cases])
    engine = DuckDBEngine(threads=2)
    try:
        run_graph(engine, graph, law)
        for folder, writer in (("two", engine), ("one", _NoFork(engine))):
            (tmp_path / folder).mkdir()
            write_results(writer, tmp_path / folder)
    finally:
        engine.close()
    for name in ("status.parquet", "evidence.parquet"):
        two, one = pq.read_table(tmp_path / "two" / name), pq.read_table(tmp_path / "one" / name)
        assert two.schema == one.schema
        assert two.num_rows > 0
        assert _rows_of(tmp_path / "two" / name) == _rows_of(tmp_path / "one" / name)
