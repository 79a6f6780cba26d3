"""Two versions of cvrule's ingest, run alternately (A B A B) on one file; wall and CPU time.

    python benchmarks/ingest/side_by_side.py OLD_SRC FILE [--pairs 6]

OLD_SRC is a `src` folder holding the other version (a copy of the tree with the old files put
back, say); the new version is the installed one. Each run is a fresh process timing what run.py
times (hash, detect, parse, write into a fresh workspace). It prints every run and then, for each
version, the median and best of the wall time, of the CPU time of the timed part and of the
whole process (time.process_time and getrusage: every thread, DuckDB's included). On a shared
machine the CPU times and the pairwise differences are the figures to compare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = """
import resource, sys, tempfile, time
from cvrule.ingest.load import ingest_paths
from cvrule.workspace import Workspace
start, cpu = time.perf_counter(), time.process_time()
[outcome] = ingest_paths(Workspace(tempfile.mkdtemp(dir=sys.argv[2])), [sys.argv[1]])
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
assert outcome.outcome == "loaded", outcome.message
usage = resource.getrusage(resource.RUSAGE_SELF)
print({"wall": wall, "cpu": cpu, "process_cpu": usage.ru_utime + usage.ru_stime, "facts": outcome.facts})
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_src")
    parser.add_argument("file")
    parser.add_argument("--pairs", type=int, default=6)
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.pairs):
            for name in runs:
                env = dict(os.environ)
                if name == "old":
                    env["PYTHONPATH"] = os.path.abspath(args.old_src)
                load = os.getloadavg()[0]
                done = subprocess.run([sys.executable, "-c", CHILD, args.file, work], capture_output=True, text=True,
                                      env=env, timeout=1800)
                if done.returncode:
                    sys.exit(f"{name}: {done.stderr.strip()[-500:]}")
                run = eval(done.stdout.strip().splitlines()[-1])  # the child prints a dict literal
                run["load"] = load
                runs[name].append(run)
                print(name, {key: round(value, 3) if isinstance(value, float) else value for key, value in run.items()},
                      flush=True)
    for name, found in runs.items():
        figures = []
        for key in ("wall", "cpu", "process_cpu"):
            values = [run[key] for run in found]
            figures.append(f"{key} median {statistics.median(values):.3f} best {min(values):.3f}")
        print(name, " | ".join(figures))
    saved = [old["cpu"] - new["cpu"] for old, new in zip(runs["old"], runs["new"], strict=True)]
    print(f"CPU saved per pair: median {statistics.median(saved):.3f} s, from {min(saved):.3f} to {max(saved):.3f}")


if __name__ == "__main__":
    main()
