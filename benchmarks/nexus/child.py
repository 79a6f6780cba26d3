"""One measured run, in its own process: `python child.py TOOL GRAPH_FOLDER OUT_FOLDER [options]`.

Prints one JSON line: wall seconds from the start of the work (imports excluded), the phases,
the counts, and ru_maxrss; for the engines also `cpu_seconds` (the process's CPU time, every
thread, over the same span). TOOL: duckdb | spark | networkx | generate. Options (JSON):
`memory_limit` and `threads` for DuckDB, `driver_memory` and `master` for Spark.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

DAY = date(2029, 10, 1)


def main() -> None:
    tool, folder, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    options = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    from cvrule.engine import open_engine
    from cvrule.engine.pipeline import run_on_parquet
    from cvrule.law import Law
    from cvrule.nexus import NexusPolicy

    policy = NexusPolicy.from_edition(Law.load().edition(DAY))
    out.mkdir(parents=True, exist_ok=True)
    result: dict = {"tool": tool}
    if tool == "generate":
        from cvrule.nexus.synth import generate_graph, table_sql

        start = time.perf_counter()
        engine = open_engine("duckdb")
        counts = generate_graph(engine, options["parties"], options["seed"])
        for table in counts:
            engine.write_parquet(table_sql(table), str(folder / f"{table}.parquet"))
        result.update(counts=counts)
    elif tool in ("duckdb", "spark"):
        if tool == "spark":
            engine = open_engine("spark", spark_master=options.get("master", "local[*]"),
                                 driver_memory=options.get("driver_memory", "8g"))
        else:
            engine = open_engine("duckdb", memory_limit=options.get("memory_limit"), threads=options.get("threads"))
        start, cpu_start = time.perf_counter(), time.process_time()
        run = run_on_parquet(engine, folder, policy, out)
        result.update(phases=run.seconds, parties=run.parties, linked=run.linked, indeterminate=run.indeterminate,
                      rounds=[run.rounds_linked, run.rounds_possible, run.rounds_lookthrough],
                      )
        seconds = time.perf_counter() - start
        result["cpu_seconds"] = time.process_time() - cpu_start
        if tool == "spark":
            engine.stop()
        result["seconds"] = seconds
    elif tool == "networkx":
        import pyarrow as pa
        import pyarrow.parquet as pq

        from nx_baseline import run as nx_run

        start = time.perf_counter()
        status = nx_run(folder, policy)
        seconds = time.perf_counter() - start
        values = list(status.values())
        result.update(parties=len(values), linked=values.count("linked"), indeterminate=values.count("indeterminate"),
                      seconds=seconds)
        pq.write_table(pa.table({"node": list(status), "linkage": values}), out / "status.parquet")
    result.setdefault("seconds", time.perf_counter() - start)
    result["ru_maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


if __name__ == "__main__":
    main()
