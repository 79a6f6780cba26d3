"""Ingest throughput, end to end into the store, side by side with the peers.

    python benchmarks/ingest/run.py [--runs 3] [--components 100000] [--packages 20000]

For each input (synthetic CycloneDX and SPDX 2.3 documents, and the largest corpus SBOMs when
../shared/corpus is present) it runs, each in a fresh subprocess so peak memory is its own:
cvrule (hash, detect, parse, write every fact into a fresh DuckDB workspace), and the peer
that reads the same format (cyclonedx-python-lib `Bom.from_json`/`from_xml`, spdx-tools
`parse_file`). It reports the median wall time, MB/s, peak RSS and the machine's load average,
and writes RESULTS.md (keeping the notes written by hand below its table). For cvrule it also
reports the median CPU time of the timed part (time.process_time: every thread of the process,
DuckDB's included), the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(HERE))

from synth import cyclonedx, spdx23  # noqa: E402

# Peak RSS of the child itself: VmHWM is per address space, so unlike ru_maxrss it does not
# inherit the parent's peak across exec.
PEAK = """
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""

CHILD = {
    "cvrule": """
import resource, sys, tempfile, time
from cvrule.ingest.load import ingest_paths
from cvrule.workspace import Workspace
start, cpu = time.perf_counter(), time.process_time()
[outcome] = ingest_paths(Workspace(tempfile.mkdtemp()), [sys.argv[1]])
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
assert outcome.outcome == "loaded", outcome.message
print({"seconds": elapsed, "cpu": cpu, "facts": outcome.facts, "rss": peak()})
""",
    "cyclonedx-python-lib": """
import json, resource, sys, time
from cyclonedx.model.bom import Bom
start = time.perf_counter()
path = sys.argv[1]
if path.endswith(".xml"):
    from xml.etree import ElementTree
    bom = Bom.from_xml(ElementTree.parse(path).getroot())
else:
    with open(path, "rb") as handle:
        bom = Bom.from_json(json.load(handle))
count = len(list(bom._get_all_components()))
elapsed = time.perf_counter() - start
print({"seconds": elapsed, "facts": count, "rss": peak()})
""",
    "spdx-tools": """
import resource, sys, time
from spdx_tools.spdx.parser.parse_anything import parse_file
start = time.perf_counter()
document = parse_file(sys.argv[1])
elapsed = time.perf_counter() - start
print({"seconds": elapsed, "facts": len(document.packages), "rss": peak()})
""",
}

PEER = {"cyclonedx": "cyclonedx-python-lib", "spdx2": "spdx-tools"}
NOTES = "Notes (by hand"
"""RESULTS.md keeps what follows this line across runs."""


def measure(tool: str, path: Path, runs: int) -> dict:
    samples = []
    load = os.getloadavg()[0]
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", PEAK + CHILD[tool], str(path)], capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:120]}
        samples.append(eval(done.stdout.strip().splitlines()[-1]))  # the child prints a dict literal
    seconds = statistics.median(s["seconds"] for s in samples)
    size = path.stat().st_size / 1e6
    cpu = [s["cpu"] for s in samples if "cpu" in s]
    return {
        "seconds": seconds,
        **({"cpu_seconds": statistics.median(cpu)} if cpu else {}),
        "mb_per_s": size / seconds if seconds else float("inf"),
        "peak_rss_mb": max(s["rss"] for s in samples) / 1024,
        "count": samples[0]["facts"],
        "runs": runs,
        "load": max(load, os.getloadavg()[0]),
    }


def inputs(work: Path, components: int, packages: int) -> list[tuple[str, Path]]:
    found = [
        ("cyclonedx", cyclonedx(work / f"synthetic-cyclonedx-{components}.json", components)),
        ("spdx2", spdx23(work / f"synthetic-spdx23-{packages}.json", packages)),
    ]
    if CORPUS.is_dir():
        for kind, pattern in (("cyclonedx", "cyclonedx-bom-examples/**/*.json"), ("cyclonedx", "cyclonedx-bom-examples/**/*.xml"),
                              ("spdx2", "protobom-testdata/**/*.spdx.json"), ("spdx2", "spdx-tools-python/**/*.json")):
            files = sorted((p for p in CORPUS.glob(pattern) if "invalid" not in str(p)),
                           key=lambda p: p.stat().st_size, reverse=True)
            if files:
                found.append((kind, files[0]))
    return found


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = []
    for name in ("duckdb", "orjson", "cyclonedx-python-lib", "spdx-tools"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; " + ", ".join(versions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--components", type=int, default=100_000)
    parser.add_argument("--packages", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, path in inputs(Path(tmp), args.components, args.packages):
            size = path.stat().st_size / 1e6
            ours = measure("cvrule", path, args.runs)
            theirs = measure(PEER[kind], path, args.runs)
            rows.append((path.name if path.parent != CORPUS else path.name, size, kind, ours, theirs))
            print(json.dumps({"file": path.name, "mb": round(size, 2), "cvrule": ours, PEER[kind]: theirs}), flush=True)
    lines = [
        "# Ingest benchmark: latest results",
        "",
        f"Run on {time.strftime('%Y-%m-%d')} with `python benchmarks/ingest/run.py --runs {args.runs} "
        f"--components {args.components} --packages {args.packages}`.",
        "",
        f"Machine: {machine()}.",
        "",
        "cvrule is measured end to end (hash, detect, parse, every fact written into a fresh DuckDB workspace);",
        "the peer only parses into its object model. Median of the runs; cvrule CPU s is the CPU time of its timed part",
        "(all threads); peak RSS of the whole process;",
        "load: the machine's 1-minute load average, the higher of before and after cvrule's runs (2 cores).",
        "",
        "| file | MB | cvrule s | cvrule CPU s | cvrule MB/s | cvrule peak MB | load | peer | peer s | peer MB/s | peer peak MB | speed-up |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, size, kind, ours, theirs in rows:
        def cell(r, key, fmt):
            """The value; for a run that failed, its error in the seconds column and "-" in the others."""
            if key in r:
                return format(r[key], fmt)
            return f"failed: {r['error']}" if key == "seconds" and "error" in r else "-"
        speedup = f"{theirs['seconds'] / ours['seconds']:.1f}x" if "seconds" in ours and "seconds" in theirs else "-"
        lines.append(
            f"| {name} | {size:.1f} | {cell(ours, 'seconds', '.2f')} | {cell(ours, 'cpu_seconds', '.2f')} | {cell(ours, 'mb_per_s', '.1f')} | {cell(ours, 'peak_rss_mb', '.0f')} "
            f"| {cell(ours, 'load', '.1f')} "
            f"| {PEER[kind]} | {cell(theirs, 'seconds', '.2f')} | {cell(theirs, 'mb_per_s', '.1f')} | {cell(theirs, 'peak_rss_mb', '.0f')} | {speedup} |"
        )
    notes = args.out.read_text().partition(NOTES)[2] if args.out.exists() else ""
    if notes:  # the notes written by hand below the table are kept
        lines += ["", NOTES + notes.rstrip("\n")]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
