"""Two source trees of cvrule assessing the same fleet side by side, on DuckDB, turn about.

    python benchmarks/assess/compare.py BEFORE_SRC AFTER_SRC [--components 500000] [--seed 1]
                                        [--rounds 2] [--workdir /tmp/cvrule-bench-compare]
                                        [--workspace TEMPLATE]

BEFORE_SRC and AFTER_SRC are folders holding a `cvrule` package (e.g. a copy of `src/` as it was
before a change, and `src/`). Each round assesses the fleet once with each tree, alternating which
goes first, each in a fresh process and a fresh workspace (ingest included), as run.py does, or
in a copy of `--workspace TEMPLATE` (a workspace that has ingested the fleet already: ingest then
finds every file unchanged and takes a second or two, so more rounds fit); the 1-minute load
average is read before and after each run, since the machine is shared. Prints one
JSON line per run and a table of the medians; writes nothing into RESULTS.md (add the figures by
hand, with the load).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from measured import run_measured  # noqa: E402  (benchmarks/measured.py)

CVRULE = str(Path(sys.executable).with_name("cvrule"))
STAGES = ("ingest", "resolve", "nexus", "decide", "write")


def measure(src: Path, folder: Path, out: Path, timeout: int, template: Path | None = None) -> dict:
    if out.exists():
        shutil.rmtree(out)
    if template is not None:
        shutil.copytree(template, out / "workspace", ignore=shutil.ignore_patterns("runs"))
    os.environ["PYTHONPATH"] = str(src)
    load_before = os.getloadavg()[0]
    done = run_measured([sys.executable, str(HERE / "child.py"), str(folder), str(out), "duckdb"], timeout)
    load_after = os.getloadavg()[0]
    if done.returncode != 0:
        return {"src": str(src), "error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(src=str(src), load_before=load_before, load_after=load_after,
                  peak_rss_gib=max(done.peak_kib, result["ru_maxrss_kib"]) / 1024 / 1024)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--components", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", default="/tmp/cvrule-bench-compare")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--workspace", type=Path, help="A workspace that has ingested the fleet, copied for each run.")
    args = parser.parse_args()
    work = Path(args.workdir)
    folder = work / f"fleet-{args.components}-{args.seed}"
    if not (folder / "fleet.yaml").is_file():
        start = time.perf_counter()
        subprocess.run([CVRULE, "synth", "fleet", str(folder), "--components", str(args.components),
                        "--seed", str(args.seed)], capture_output=True, text=True, check=True)
        print(f"generated in {time.perf_counter() - start:.0f} s", flush=True)
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for n in range(args.rounds):
        order = ["before", "after"] if n % 2 == 0 else ["after", "before"]
        for which in order:
            result = measure(getattr(args, which), folder, work / f"out-{which}", args.timeout, args.workspace)
            result["which"] = which
            print(json.dumps(result, sort_keys=True), flush=True)
            runs[which].append(result)
    digests = {r["decisions_sha256"] for rows in runs.values() for r in rows if "error" not in r}
    runs_ids = {r["run_id"] for rows in runs.values() for r in rows if "error" not in r}
    print(f"decisions digests: {len(digests)} distinct; run ids: {len(runs_ids)} distinct")
    print("| tree | ingest s | resolve s | nexus s | classify + decide s | report data s | budget stages s | "
          "peak RSS GiB | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for which, rows in runs.items():
        ok = [r for r in rows if "error" not in r]
        if not ok:
            continue
        med = {s: statistics.median(r["stages"][s] for r in ok) for s in STAGES}
        budget = med["resolve"] + med["nexus"] + med["decide"] + med["write"]
        loads = [x for r in ok for x in (r["load_before"], r["load_after"])]
        print(f"| {which} | {med['ingest']:.1f} | {med['resolve']:.1f} | {med['nexus']:.1f} | {med['decide']:.1f} | "
              f"{med['write']:.1f} | {budget:.1f} | {max(r['peak_rss_gib'] for r in ok):.2f} | "
              f"{min(loads):.1f}-{max(loads):.1f} |")
    print("CPU seconds (all threads), median:")
    for which, rows in runs.items():
        ok = [r for r in rows if "cpu_stages" in r]
        if ok:
            cpu = {s: statistics.median(r["cpu_stages"].get(s, 0.0) for r in ok) for s in STAGES}
            print(f"| {which} | " + " | ".join(f"{cpu[s]:.1f}" for s in STAGES)
                  + f" | {cpu['resolve'] + cpu['nexus'] + cpu['decide'] + cpu['write']:.1f} |")


if __name__ == "__main__":
    main()
