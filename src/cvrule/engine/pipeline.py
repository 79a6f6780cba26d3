"""The nexus as a batch step over a workspace: the store's facts out as a graph, the fixpoints on
an engine, the party status and its evidence back into the store in one transaction."""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from cvrule.engine import open_engine
from cvrule.law import Law
from cvrule.nexus import NexusPolicy, NexusRun, run_nexus
from cvrule.store import Store
from cvrule.store import nexus_tables
from cvrule.workspace import Workspace

__all__ = ["GRAPH_TABLES", "nexus_workspace", "run_on_parquet", "write_results"]

GRAPH_TABLES = ("g_parties", "g_stakes", "g_controls")


def run_on_parquet(engine, folder: Path, policy: NexusPolicy, out: Path | None = None) -> NexusRun:
    """Run the nexus on a graph held as Parquet (`<table>.parquet` in `folder`); with `out`,
    write `status.parquet` and `evidence.parquet` there."""
    for table in GRAPH_TABLES:
        engine.read_parquet(table, str(folder / f"{table}.parquet"))
    run = run_nexus(engine, policy)
    if out is not None:
        start = time.perf_counter()
        write_results(engine, out)
        run.seconds["write results"] = time.perf_counter() - start
    return run


def write_results(engine, out: Path) -> None:
    """`status.parquet` and `evidence.parquet` in `out`. On an engine that can `fork` (DuckDB),
    the status is written by a second connection in another thread while this one computes and
    writes the evidence; otherwise (Spark) one after the other. The same queries either way."""
    status, evidence = ("SELECT * FROM st", str(out / "status.parquet")), ("SELECT * FROM ev", str(out / "evidence.parquet"))
    fork = getattr(engine, "fork", None)
    if fork is None:
        engine.write_parquet(*status)
        engine.write_parquet(*evidence)
        return
    side = fork()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            written = pool.submit(side.write_parquet, *status)
            engine.write_parquet(*evidence)
            written.result()
    finally:
        side.close()


def nexus_workspace(
    workspace: Workspace,
    day: date,
    law: Law,
    engine: str = "duckdb",
    spark_master: str | None = None,
    engine_options: dict | None = None,
) -> NexusRun:
    """Decide every party of the workspace as of `day` and store the result."""
    started = time.perf_counter()
    policy = NexusPolicy.from_edition(law.edition(day))
    with workspace.lock("cvrule nexus"), Store(workspace.store_path) as store, \
            tempfile.TemporaryDirectory(dir=workspace.root, prefix=".nexus-") as tmp:
        folder = Path(tmp)
        clock = time.perf_counter()
        nexus_tables.export_graph(store, folder)
        exported = time.perf_counter() - clock
        runner = open_engine(engine, spark_master=spark_master, **(engine_options or {}))
        try:
            run = run_on_parquet(runner, folder, policy, folder)
        finally:
            stop = getattr(runner, "stop", runner.close)
            stop()
        run.seconds = {"export graph": exported, **run.seconds}
        clock = time.perf_counter()
        nexus_tables.write_status(store, day, str(folder / "status.parquet"), str(folder / "evidence.parquet"), {
            "engine": engine,
            "parameters_sha256": law.digest,
            "seconds": time.perf_counter() - started,
            "parties": run.parties,
            "linked": run.linked,
            "indeterminate": run.indeterminate,
            "rounds_linked": run.rounds_linked,
            "rounds_possible": run.rounds_possible,
            "rounds_lookthrough": run.rounds_lookthrough,
        })
        run.seconds["store results"] = time.perf_counter() - clock
    return run
