"""Killing cvrule's writers at random points and checking what they leave: shared by
tests/reliability/test_crash_consistency.py (a handful of kills) and benchmarks/reliability/crash.py
(hundreds).

A writer runs in a child process (crash_child.py) that imports everything, says "ready", and
starts the command only when told to, so the kill lands in the command's own work (reading,
writing, committing), not in the interpreter's start-up. The child runs the real CLI app, with its
workspace lock and transactions.

To add a writer: add its command line to WRITERS below, and whatever it stores to `snapshot` (a
deterministic summary, without run ids or times) and, if it keeps derived tables, a consistency
rule to `check_store`. Nothing else changes: the test and the long run take every writer in
WRITERS. The fleet assessment (`cvrule assess`) keeps its runs outside the store: `check_store`
reads each back whole, and `runs` lists them for the comparison with a clean run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cvrule.store import Store, audit
from cvrule.workspace import Workspace, sha256_file

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO / "tests" / "data"
CASES = REPO / "tests" / "cases"
AS_OF = "2030-01-01"

WRITERS: dict[str, Callable[[Path, Path], list[str]]] = {
    # name -> (workspace, inputs folder) -> the cvrule command line (without "cvrule")
    "ingest": lambda ws, inputs: ["ingest", str(inputs), "--workspace", str(ws)],
    "resolve": lambda ws, inputs: ["resolve", "--workspace", str(ws), "--json"],
    "nexus": lambda ws, inputs: ["nexus", "--workspace", str(ws), "--as-of", AS_OF],
    "assess": lambda ws, inputs: ["assess", str(inputs), "--out", str(ws.parent / f"{ws.name}-out"),
                                  "--workspace", str(ws), "--report", "json"],
}
ORDER = ["ingest", "resolve", "nexus", "assess"]
"""The order a complete run takes (each writer after the ones it reads from)."""


def make_inputs(folder: Path, components: int = 4000) -> Path:
    """A synthetic CycloneDX BOM big enough that ingest takes a while, plus real samples of
    several formats (case files, a supplier register, GLEIF, BODS, a screening list)."""
    folder.mkdir(parents=True, exist_ok=True)
    vary_inputs(folder, 0, components)
    samples = [
        DATA / "supplier-register/example.csv", DATA / "gleif/xml/rr-updates-data2.xml",
        DATA / "gleif/xml/lei-updates-data2.xml", DATA / "bods/0.4/joint-ownership.json",
        DATA / "csl-csv/with-_id/consolidated.csv", DATA / "spdx-2/2.3/SPDXJSONExample-v2.3.spdx.json",
        *sorted((CASES / "791_302").glob("*.yaml"))[:4],
    ]
    for sample in samples:
        (folder / sample.name).write_bytes(sample.read_bytes())
    (folder / "fleet.yaml").write_text(MANIFEST)
    return folder


MANIFEST = """cvrule_fleet: 1
name: crash test fleet
manufacturer: {name: "Crash Test Motors, Inc.", country: US}
lines:
  - id: tester
    make: Crash
    model: Tester
    model_years: [2029, 2030]
    gvwr_lbs: 5000
    boms:
      - file: tcu.cdx.json
        rf: [cellular]
        max_rf_mhz: 1900
        enables: [vcs]
"""


def vary_inputs(folder: Path, version: int, components: int = 4000) -> None:
    """Rewrite the big BOM as one of two versions, so that the next ingest has facts to replace."""
    sys.path.insert(0, str(REPO / "benchmarks" / "ingest"))
    from synth import cyclonedx

    cyclonedx(folder / "tcu.cdx.json", components, seed=7 + version % 2)


@dataclass
class Child:
    process: subprocess.Popen
    started: float = 0.0

    def go(self) -> None:
        self.process.stdin.write(b"go\n")
        self.process.stdin.flush()
        self.started = time.perf_counter()


def start(writer: str, workspace: Path, inputs: Path) -> Child:
    """Start a writer in a child process and wait until it is ready to begin."""
    argv = WRITERS[writer](workspace, inputs)
    env = {**os.environ, "CVRULE_USER": "crash-test", "COLUMNS": "200"}
    process = subprocess.Popen([sys.executable, str(HERE / "crash_child.py"), *argv], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    line = process.stdout.readline()
    if line.strip() != b"ready":
        process.kill()
        raise RuntimeError(f"crash_child did not start: {line!r} {process.stderr.read()[-2000:]!r}")
    return Child(process)


def run(writer: str, workspace: Path, inputs: Path, timeout: float = 600) -> float:
    """Run a writer to completion; return how long its command took."""
    child = start(writer, workspace, inputs)
    child.go()
    out, err = child.process.communicate(timeout=timeout)
    seconds = time.perf_counter() - child.started
    if child.process.returncode not in (0, 1):  # 1: ingest found files it refused (on purpose, a README)
        raise RuntimeError(f"{writer} failed ({child.process.returncode}): {err.decode()[-2000:]}")
    return seconds


def kill_after(writer: str, workspace: Path, inputs: Path, delay: float) -> bool:
    """Start a writer, SIGKILL it `delay` seconds into its command; True if it was killed while
    running (False: it finished first)."""
    child = start(writer, workspace, inputs)
    child.go()
    try:
        child.process.wait(timeout=delay)
        child.process.communicate()
        return False
    except subprocess.TimeoutExpired:
        child.process.send_signal(signal.SIGKILL)
        child.process.communicate()
        return True


def check_store(space: Workspace) -> list[str]:
    """Everything that must hold of a workspace whatever moment its writer died at."""
    problems: list[str] = []
    with Store(space.store_path) as store:
        report = audit.verify(store)
        problems += [str(p) for p in report.problems]
        con = store._con
        for (source_id,) in con.execute(
                "SELECT DISTINCT source_id FROM source_paths WHERE source_id NOT IN (SELECT source_id FROM sources)").fetchall():
            problems.append(f"a path points at source {source_id[:16]}, which the store does not hold")
        for source_id, recorded in con.execute("SELECT source_id, fact_count FROM sources").fetchall():
            held = audit.fact_count(audit.fact_digests(store, source_id).get(source_id, {}))
            if held != recorded:
                problems.append(f"source {source_id[:16]}: {held} facts stored, {recorded} recorded")
            kept = space.evidence_path(source_id)
            if not kept.is_file() and not source_id.startswith("synth"):
                problems.append(f"source {source_id[:16]}: its evidence copy is missing")
            elif kept.is_file() and sha256_file(kept)[0] != source_id:
                problems.append(f"source {source_id[:16]}: its evidence copy does not match its hash")
        last = con.execute("SELECT counts FROM resolution_runs ORDER BY finished_at DESC LIMIT 1").fetchone()
        mentions = con.execute("SELECT count(*) FROM resolution_mentions").fetchone()[0]
        if last is None and mentions:
            problems.append("resolution results without a run")
        if last is not None:
            import orjson

            expected = orjson.loads(last[0]).get("mentions")
            if expected is not None and expected != mentions:
                problems.append(f"the last resolve run counted {expected} mentions, the store holds {mentions}")
        for as_of, parties in con.execute("SELECT as_of, parties FROM nexus_runs").fetchall():
            held = con.execute("SELECT count(*) FROM party_status WHERE as_of = ?", [as_of]).fetchone()[0]
            if held != parties:
                problems.append(f"nexus as of {as_of}: run counted {parties} parties, the store holds {held}")
        orphans = con.execute("SELECT count(*) FROM party_status WHERE as_of NOT IN (SELECT as_of FROM nexus_runs)").fetchone()[0]
        if orphans:
            problems.append(f"{orphans} party status rows without a nexus run")
    problems += _check_runs(space)
    return problems


def _check_runs(space: Workspace) -> list[str]:
    """An assessment a killed `cvrule assess` left is whole or absent, and so is its record pack."""
    from cvrule.fleet.result import Assessment
    from cvrule.report.recordpack import read_record_pack

    problems = []
    for folder in sorted((space.root / "runs").glob("*")):
        kept = folder / "assessment.json"
        if kept.exists():
            try:
                Assessment.from_json(kept.read_bytes())
            except Exception as error:
                problems.append(f"run {folder.name}: assessment.json is not whole ({type(error).__name__})")
        pack = folder / "record-pack.zip"
        if pack.exists():
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                try:
                    read_record_pack(pack, Path(tmp) / "pack")
                except Exception as error:
                    problems.append(f"run {folder.name}: record-pack.zip is not whole ({error})")
    return problems


def snapshot(space: Workspace) -> dict:
    """What a complete run leaves, without what differs between runs (ids, times)."""
    with Store(space.store_path) as store:
        con = store._con
        paths = sorted((Path(p).name, s) for p, s in con.execute("SELECT path, source_id FROM source_paths").fetchall())
        digests = audit.fact_digests(store)
        mentions = sorted(con.execute(
            "SELECT source_id, item, role, name, location, status, method, party_ref, score FROM resolution_mentions"
        ).fetchall(), key=repr)
        status = sorted(con.execute(
            "SELECT as_of, node, linkage, basis, lookthrough_min, lookthrough_max FROM party_status").fetchall(), key=repr)
    return {"paths": paths, "facts": digests, "mentions": mentions, "status": status}


def runs(space: Workspace) -> dict[str, str]:
    """run id -> the SHA-256 of its assessment: a workspace keeps the run of every input version
    it assessed, so a killed workspace holds the clean one's runs and maybe more."""
    return {p.parent.name: sha256_file(p)[0] for p in sorted((space.root / "runs").glob("*/assessment.json"))}


@dataclass
class Campaign:
    kills: int = 0
    finished_first: int = 0
    by_writer: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def campaign(space: Workspace, inputs: Path, kills: int, rng: random.Random,
             durations: dict[str, float], log: Callable[[str], None] = lambda _: None,
             components: int = 4000) -> Campaign:
    """Kill writers `kills` times at random moments, checking the store after every kill; the
    writer is chosen at random (ingest twice as often: it has the most to lose), and before an
    ingest the big BOM changes half the time, so the kill may land in a replacement of facts."""
    result = Campaign()
    started = time.perf_counter()
    choices = ["ingest", *WRITERS]
    version = 0
    for number in range(kills):
        writer = rng.choice(choices)
        if writer == "ingest" and rng.random() < 0.5:
            version += 1
            vary_inputs(inputs, version, components)
        delay = rng.uniform(0.0, durations[writer] * 1.05)
        killed = kill_after(writer, space.root, inputs, delay)
        result.kills += killed
        result.finished_first += not killed
        result.by_writer[writer] = result.by_writer.get(writer, 0) + killed
        found = check_store(space)
        if found:
            result.problems += [f"after killing {writer} at {delay:.2f} s: {p}" for p in found]
        log(f"{number + 1}/{kills}: {writer} {'killed' if killed else 'finished'} at {delay:.2f} s; "
            f"{'consistent' if not found else 'INCONSISTENT: ' + '; '.join(found)}")
    result.seconds = time.perf_counter() - started
    return result
