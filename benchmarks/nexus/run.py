"""The nexus at scale, side by side: cvrule on DuckDB, cvrule on Spark, and a straightforward
networkx implementation of the same rules.

    python benchmarks/nexus/run.py [--sizes 1000000,10000000] [--runs 3] [--tools duckdb,networkx,spark]
                                   [--networkx-max 1000000] [--spark-max 10000000] [--seed 1]
                                   [--duckdb-memory 6GB] [--spark-memory 8g] [--timeout 1800] [--append]

For each size it generates the graph once (`cvrule synth graph`, Parquet, not timed), then runs
each tool in a fresh process: read the Parquet graph, decide every party as of 2029-10-01 (both
fixpoints, look-through, evidence) and write the status and evidence as Parquet. The wall time
excludes the Python imports and the Spark session start; peak memory is the largest resident
set of the whole process tree (the Spark JVM included), sampled every 0.1 s, or the process's
own ru_maxrss if larger. At the size networkx runs at, its statuses are compared with DuckDB's
party by party. Results (and the machine) go to RESULTS.md; `--append` adds rows to the
existing raw results instead of starting over.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parents[1]
RAW = HERE / "results.json"
sys.path.insert(0, str(HERE.parent))

from measured import run_measured  # noqa: E402  (benchmarks/measured.py)


def measure(tool: str, graph: Path, out: Path, options: dict, timeout: int) -> dict:
    load = os.getloadavg()[0]
    command = [sys.executable, str(HERE / "child.py"), tool, str(graph), str(out), json.dumps(options)]
    done = run_measured(command, timeout)
    if done.returncode is None:
        return {"tool": tool, "error": f"timed out after {timeout} s"}
    if done.returncode != 0:
        return {"tool": tool, "error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_gib"] = max(done.peak_kib, result.get("ru_maxrss_kib", 0)) / 1024 / 1024
    result["load_before"] = round(load, 2)
    return result


def compare(a: Path, b: Path) -> int:
    import pyarrow.parquet as pq

    left = dict(zip(*pq.read_table(a, columns=["node", "linkage"]).to_pydict().values()))
    right = dict(zip(*pq.read_table(b, columns=["node", "linkage"]).to_pydict().values()))
    return sum(1 for node, linkage in left.items() if right.get(node) != linkage) + len(set(right) - set(left))


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        pass
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    versions = {}
    for name in ("duckdb", "pyspark", "networkx", "pyarrow"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory, 1), "os": platform.platform(),
            "python": platform.python_version(), "java": java[0] if java else "none", **versions}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default="duckdb,networkx,spark")
    parser.add_argument("--networkx-max", type=int, default=1_000_000)
    parser.add_argument("--spark-max", type=int, default=10_000_000)
    parser.add_argument("--spark-runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", default=os.environ.get("CVRULE_BENCH_DIR", "/tmp/cvrule-bench-nexus"))
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--duckdb-memory", default="6GB", help="DuckDB memory_limit (it spills beyond)")
    parser.add_argument("--spark-memory", default="8g", help="Spark driver memory (local mode runs in the driver)")
    args = parser.parse_args()
    work = Path(args.workdir)
    tools = args.tools.split(",")
    rows = json.loads(RAW.read_text()) if args.append and RAW.exists() else []
    for size in (int(s) for s in args.sizes.split(",")):
        graph = work / f"graph-{size}-{args.seed}"
        if not (graph / "g_controls.parquet").exists():
            graph.mkdir(parents=True, exist_ok=True)
            made = measure("generate", graph, work / "scratch", {"parties": size, "seed": args.seed}, args.timeout)
            print(f"generated {size}: {made}", flush=True)
        for tool in tools:
            if (tool == "networkx" and size > args.networkx_max) or (tool == "spark" and size > args.spark_max):
                continue
            runs = args.spark_runs if tool == "spark" else 1 if tool == "networkx" else args.runs
            samples = []
            for number in range(runs):
                out = work / f"out-{tool}-{size}"
                options = {"memory_limit": args.duckdb_memory} if tool == "duckdb" else {"driver_memory": args.spark_memory}
                result = measure(tool, graph, out, options, args.timeout)
                print(f"{tool} {size} run {number + 1}: {json.dumps(result)}", flush=True)
                samples.append(result)
                if "error" in result:
                    break
            good = [s for s in samples if "error" not in s]
            row = {"tool": tool, "parties": size, "runs": len(good)}
            if good:
                first = good[0]
                row.update(
                    seconds=statistics.median(s["seconds"] for s in good),
                    peak_rss_gib=max(s["peak_rss_gib"] for s in good),
                    linked=first.get("linked"), indeterminate=first.get("indeterminate"),
                    rounds=first.get("rounds"), phases=first.get("phases"),
                    load_before=[s.get("load_before") for s in good],
                )
            else:
                row["error"] = samples[-1].get("error")
            if tool != "duckdb" and good and (work / f"out-duckdb-{size}" / "status.parquet").exists():
                row["mismatches_vs_duckdb"] = compare(work / f"out-duckdb-{size}" / "status.parquet",
                                                      work / f"out-{tool}-{size}" / "status.parquet")
            rows = [r for r in rows if not (r["tool"] == tool and r["parties"] == size)] + [row]
            RAW.write_text(json.dumps(rows, indent=2))
    write_results(rows)


def write_results(rows: list[dict]) -> None:
    info = machine()
    lines = [
        "# Nexus benchmark",
        "",
        "Generated by `benchmarks/nexus/run.py` (numbers below; the notes at the end are kept by hand in",
        "`NOTES.md` beside it and appended). Graph: `cvrule synth graph --parties N --seed 1`, about 1.2",
        "ownership and control edges per party. Evaluation date 2029-10-01. Each tool reads the Parquet",
        "graph, decides every party (both fixpoints, look-through, evidence) and writes the status and",
        "evidence as Parquet; wall time excludes Python imports and the Spark session start.",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; {info['os']}; Python {info['python']};",
        f"DuckDB {info['duckdb']}; PySpark {info['pyspark']} on {info['java']}; networkx {info['networkx']}; pyarrow {info['pyarrow']}.",
        "",
        "| parties | tool | runs | wall s (median) | peak RSS GiB | linked | indeterminate | rounds (linked, possible, look-through) | same statuses as DuckDB | 1-min load before each run |",
        "|---:|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: (r["parties"], r["tool"])):
        if "error" in row:
            lines.append(f"| {row['parties']:,} | {row['tool']} | 0 | failed: {row['error']} | | | | | | |")
            continue
        same = row.get("mismatches_vs_duckdb")
        same_text = "" if same is None else ("yes" if same == 0 else f"{same} differ")
        lines.append(
            f"| {row['parties']:,} | {row['tool']} | {row['runs']} | {row['seconds']:.1f} | {row['peak_rss_gib']:.2f} "
            f"| {row['linked']:,} | {row['indeterminate']:,} | {row.get('rounds') or ''} | {same_text} "
            f"| {', '.join(str(x) for x in row.get('load_before') or [])} |"
        )
    by = {(r["tool"], r["parties"]): r for r in rows if "error" not in r}
    lines += ["", "## Against the targets", ""]
    for size in sorted({r["parties"] for r in rows}):
        duck, nx_row, spark = by.get(("duckdb", size)), by.get(("networkx", size)), by.get(("spark", size))
        if duck and nx_row:
            ratio = nx_row["seconds"] / duck["seconds"]
            verdict = "met" if ratio >= 20 else "MISSED"
            lines.append(f"- {size:,} parties: DuckDB is {ratio:.1f}x faster than networkx (target at least 20x: {verdict}).")
        if duck and size >= 10_000_000:
            ok_time, ok_mem = duck["seconds"] < 60, duck["peak_rss_gib"] < 8
            lines.append(f"- {size:,} parties: DuckDB {duck['seconds']:.1f} s (target under 60 s: {'met' if ok_time else 'MISSED'}), "
                         f"peak {duck['peak_rss_gib']:.2f} GiB (target under 8 GiB: {'met' if ok_mem else 'MISSED'}).")
        if duck and spark:
            lines.append(f"- {size:,} parties: Spark (local[*]) {spark['seconds']:.1f} s, peak {spark['peak_rss_gib']:.2f} GiB, "
                         f"{spark['seconds'] / duck['seconds']:.1f}x DuckDB's time.")
    lines += ["", "## Phases (seconds, first run)", ""]
    for row in sorted(rows, key=lambda r: (r["parties"], r["tool"])):
        if row.get("phases"):
            phases = ", ".join(f"{k} {v:.1f}" for k, v in row["phases"].items())
            lines.append(f"- {row['parties']:,} {row['tool']}: {phases}")
    notes = HERE / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().rstrip()]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
