"""A whole fleet assessed end to end, stage by stage, on DuckDB and on Spark.

    python benchmarks/assess/run.py [--components 5000000] [--seed 1] [--engines duckdb,spark]
                                    [--workdir /tmp/cvrule-bench-assess] [--timeout 7200]

Generates a synthetic fleet once (`cvrule synth fleet`, not timed here: its own figures are
printed), then assesses it in a fresh process per engine, each in a fresh workspace: ingest,
resolve, nexus (on the engine), classify and decide (cvrule.fleet), and the report data (the
assessment JSON, the Declarations, the CX-0158-1 exports and the record pack; the HTML, PDF and
XLSX renderings are left out). Peak memory is the largest resident set of the process tree (a
Spark JVM included), sampled every 0.1 s. The two engines' decisions are compared by digest.
Results and the machine go to RESULTS.md.

The budget in DESIGN.md (5 M components under 60 s) counts resolve, nexus, classify, law and
report data; ingest is reported beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "nexus"))
sys.path.insert(0, str(HERE.parent))

from measured import run_measured  # noqa: E402  (benchmarks/measured.py)
from run import machine  # noqa: E402  (benchmarks/nexus/run.py)

CVRULE = str(Path(sys.executable).with_name("cvrule"))


def measure(folder: Path, out: Path, engine: str, timeout: int) -> dict:
    if out.exists():
        shutil.rmtree(out)
    done = run_measured([sys.executable, str(HERE / "child.py"), str(folder), str(out), engine], timeout)
    if done.returncode is None:
        return {"engine": engine, "error": f"timed out after {timeout} s"}
    if done.returncode != 0:
        return {"engine": engine, "error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_gib"] = max(done.peak_kib, result["ru_maxrss_kib"]) / 1024 / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--workdir", default=os.environ.get("CVRULE_BENCH_DIR", "/tmp/cvrule-bench-assess"))
    parser.add_argument("--timeout", type=int, default=7200)
    parser.add_argument("--keep", action="store_true", help="Keep the generated fleet and workspaces.")
    args = parser.parse_args()
    work = Path(args.workdir)
    folder = work / f"fleet-{args.components}-{args.seed}"
    generated = None
    if not (folder / "fleet.yaml").is_file():
        if folder.exists():
            shutil.rmtree(folder)
        start = time.perf_counter()
        done = subprocess.run([CVRULE, "synth", "fleet", str(folder), "--components", str(args.components),
                               "--seed", str(args.seed)], capture_output=True, text=True, check=True)
        generated = {"seconds": time.perf_counter() - start, "summary": done.stdout.strip()}
        print(f"generated: {generated['summary']}", flush=True)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    rows = []
    for engine in args.engines.split(","):
        print(f"assessing on {engine} ...", flush=True)
        result = measure(folder, work / f"out-{engine}", engine, args.timeout)
        print(json.dumps(result), flush=True)
        rows.append(result)
    ok = [r for r in rows if "error" not in r]
    same = len({r["decisions_sha256"] for r in ok}) == 1 if len(ok) > 1 else None
    write_results(args, size, generated, rows, same)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def write_results(args, size: int, generated: dict | None, rows: list[dict], same: bool | None) -> None:
    info = machine()
    lines = [
        "# Fleet assessment benchmark",
        "",
        f"Run {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} with "
        f"`python benchmarks/assess/run.py --components {args.components} --seed {args.seed} --engines {args.engines}`.",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; {info['os']}; Python {info['python']}; "
        f"DuckDB {info['duckdb']}; PySpark {info['pyspark']}; {info['java']}.",
        "",
        f"Fleet: `cvrule synth fleet --components {args.components} --seed {args.seed}`, "
        f"{size / 1e6:,.0f} MB of CycloneDX 1.6 JSON, BODS and a supplier register"
        + (f"; generated in {generated['seconds']:.0f} s ({generated['summary']})" if generated else "") + ".",
        "",
        "| engine | ingest s | resolve s | nexus s | classify + decide s | report data s | total s | "
        "budget stages s (resolve..report data) | peak RSS GiB | transactions | component rows after grouping |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['engine']} | error: {row['error']} |||||||||")
            continue
        s = row["stages"]
        budget = s["resolve"] + s["nexus"] + s["decide"] + s["write"]
        lines.append(f"| {row['engine']} | {s['ingest']:.1f} | {s['resolve']:.1f} | {s['nexus']:.1f} | {s['decide']:.1f} | "
                     f"{s['write']:.1f} | {row['wall_s']:.1f} | {budget:.1f} | {row['peak_rss_gib']:.2f} | "
                     f"{row['counts'].get('transactions')} | {row['counts'].get('components_relevant'):,} |")
    lines += ["", {True: "Both engines gave the same decisions (digest of every decision, engine name aside).",
                   False: "**The engines' decisions differ.**",
                   None: "Only one engine ran; no comparison."}[same], ""]
    ok = [r for r in rows if "error" not in r]
    if ok:
        lines += ["Worst outcome per line and model year (first engine):", "", "```",
                  json.dumps(ok[0]["matrix"], indent=1, sort_keys=True), "```", ""]
    lines += ["Raw rows:", "", "```", *[json.dumps(r, sort_keys=True) for r in rows], "```", ""]
    (HERE / "RESULTS.md").write_text("\n".join(lines) + kept_notes(HERE / "RESULTS.md"))


NOTES = "## Notes (kept by hand)"
"""Everything from this heading on in RESULTS.md is written by people and kept when the run rewrites the file."""


def kept_notes(path: Path) -> str:
    """The hand-kept notes of the current RESULTS.md (from the NOTES heading on), or ''."""
    text = path.read_text() if path.is_file() else ""
    at = text.find(NOTES)
    return "\n" + text[at:] if at >= 0 else ""


if __name__ == "__main__":
    main()
