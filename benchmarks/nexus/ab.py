"""Old code against new on one graph, interleaved (A B A B ...), each run a fresh `child.py`
process, for a machine whose load changes under you:

    python benchmarks/nexus/ab.py --graph /tmp/cvrule-bench-nexus/graph-1000000-1 --pairs 6 \\
        old=/tmp/old-checkout/src new=src 'new-threads-1=src@{"threads": 1}'

Each variant is NAME=SRC[@OPTIONS]: SRC goes first on PYTHONPATH (a copy of `src` with the old
code), OPTIONS is `child.py`'s JSON. Prints each run (wall, CPU of all threads, 1-min load
before it) and per variant the median and least wall and CPU, and the median of each phase.
Outputs go to OUT/<name> (status.parquet, evidence.parquet) for comparing the results.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--graph", required=True, help="folder with g_parties/g_stakes/g_controls.parquet")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--out", default="/tmp/cvrule-nexus-ab")
    parser.add_argument("variants", nargs="+", help="NAME=SRC[@OPTIONS-JSON]")
    args = parser.parse_args()
    variants = {}
    for spec in args.variants:
        name, rest = spec.split("=", 1)
        src, _, options = rest.partition("@")
        variants[name] = (str(Path(src).resolve()), options or "{}")
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for _ in range(args.pairs):
        for name, (src, options) in variants.items():
            load = os.getloadavg()[0]
            command = [sys.executable, str(HERE / "child.py"), "duckdb", args.graph, str(Path(args.out) / name), options]
            done = subprocess.run(command, env=dict(os.environ, PYTHONPATH=src), capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{name} failed: {done.stderr.strip()[-2000:]}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            result["load_before"] = load
            runs[name].append(result)
            print(f"{name}: wall {result['seconds']:.3f} s, CPU {result['cpu_seconds']:.3f} s, load {load:.2f}", flush=True)
    for name, results in runs.items():
        wall = [r["seconds"] for r in results]
        cpu = [r["cpu_seconds"] for r in results]
        loads = [r["load_before"] for r in results]
        phases = {phase: round(statistics.median(r["phases"].get(phase, 0.0) for r in results), 3)
                  for phase in results[0]["phases"]}
        print(f"{name}: wall median {statistics.median(wall):.3f} (least {min(wall):.3f}) s, "
              f"CPU median {statistics.median(cpu):.3f} (least {min(cpu):.3f}) s, load {min(loads):.2f}-{max(loads):.2f}")
        print(f"{name}: phase medians {phases}")


if __name__ == "__main__":
    main()
