"""`cvrule assess`: a folder of inputs in, the decision on every transaction of the fleet out,
with its reports, Declarations of Conformity, CX-0158-1 exports and record pack.

Stages, each reported to `on_stage(stage, done, total)`:

1. ingest: every input file of the folder (the manifest aside) into the workspace's store;
   unchanged files are not read again;
2. resolve: every supplier, manufacturer and developer the files name, linked to a party;
3. nexus: every party's status on each evaluation date (one engine run per distinct set of
   ownership facts and parameters in force);
4. decide: the fleet as one scenario (cvrule.fleet.scenario), every transaction decided by the
   law with the nexus results as its persons analysis;
5. write: the assessment and its reports into OUT, the record pack into OUT and into the
   workspace's `runs/<run_id>/`, all or nothing per file.

The same inputs, parameters, evaluation date and analyst judgements give the same run id and the
same bytes (`cvrule replay`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cvrule import __version__
from cvrule.errors import CvruleError, InputError
from cvrule.fleet.components import read_components, resolutions
from cvrule.fleet.dataflows import REGISTER_NAMES, fleet_findings, fleet_register, register_files
from cvrule.fleet.manifest import MANIFEST_NAMES, FleetManifest, FleetParty, load_manifest
from cvrule.fleet.monitoring import authorization_views
from cvrule.fleet.persons import NexusPersons, RunCache
from cvrule.fleet.result import Assessment, InputFile
from cvrule.fleet.scenario import PartyInfo, build_scenario, evaluation_days, fleet_party_key
from cvrule.fleet.views import assessment_of
from cvrule.ingest import collector
from cvrule.law import Law
from cvrule.law.decide import decide
from cvrule.nexus import NexusPolicy
from cvrule.workspace import Workspace, sha256_file

__all__ = ["AssessRun", "NOT_INPUTS", "assess", "find_manifest", "input_files"]

NOT_INPUTS = frozenset({".md", ".markdown", ".txt", ".rst", ".html", ".htm", ".pdf", ".png", ".jpg", ".jpeg",
                        ".gif", ".svg", ".py", ".pyc", ".sh", ".zip", ".gz", ".lock"})
"""Files of an assessed folder that are never inputs (documentation, code, pictures, archives)."""
NOT_INPUT_NAMES = frozenset(REGISTER_NAMES)
"""Files at the top of an assessed folder that are not inputs of the law: the data-flow register
(docs/dataflows.md), whose risk findings the reports show beside the decisions."""

Progress = Callable[[str, int, int], None]


@dataclass
class AssessRun:
    assessment: Assessment
    out: Path
    run_dir: Path
    """`<workspace>/runs/<run_id>/`: the assessment and its record pack, kept with the workspace."""
    written: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """Input files that could not be read (each named, with where and why); the others were used."""

    @property
    def record_pack(self) -> Path:
        return self.run_dir / "record-pack.zip"


def find_manifest(folder: Path) -> Path:
    for name in MANIFEST_NAMES:
        if (folder / name).is_file():
            return folder / name
    raise InputError(str(folder), None, f"no fleet manifest: expected one of {', '.join(MANIFEST_NAMES)} in the "
                                        "folder (docs/assess.md)")


def input_files(folder: Path, manifest: Path) -> list[Path]:
    """The input files of a folder: every file but the manifest, hidden ones, `NOT_INPUTS` and `NOT_INPUT_NAMES`."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path == manifest or path.suffix.lower() in NOT_INPUTS or relative.as_posix() in NOT_INPUT_NAMES:
            continue
        found.append(path)
    return found


def assess(folder: Path | str, *, out: Path | str | None = None, as_of: date | None = None, engine: str = "duckdb",
           workspace: Workspace | None = None, law: Law | None = None, on_stage: Progress | None = None,
           spark_master: str | None = None, formats: tuple[str, ...] | None = None,
           engine_options: dict | None = None) -> AssessRun:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), None, "is not a folder")
    manifest_path = find_manifest(folder)
    manifest = load_manifest(manifest_path)
    out = Path(out) if out is not None else Path("cvrule-out")
    space = workspace or Workspace(out / "workspace")
    space.create()
    law = law or Law.load()
    as_of = as_of or manifest.as_of
    report = on_stage or (lambda stage, done, total: None)
    seconds: dict[str, float] = {}

    with space.lock("cvrule assess"):
        clock = time.perf_counter()
        files = input_files(folder, manifest_path)
        registers = register_files(folder)
        register = fleet_register(folder, manifest, registers)  # checked before anything is written
        problems, hashed = _ingest(space, files, manifest, folder, report)
        seconds["ingest"] = time.perf_counter() - clock

        from cvrule.store import Store

        clock = time.perf_counter()
        report("resolve", 0, 1)
        with Store(space.store_path) as store, collector.paused():  # see cvrule.ingest.collector
            from cvrule.resolve import resolve_store

            resolve_store(store)
            log = _judgement_log(store)
        report("resolve", 1, 1)
        seconds["resolve"] = time.perf_counter() - clock

        inputs = _inputs(folder, manifest_path, files, space, registers, hashed)
        run_id = _run_id(inputs, law.digest, as_of, log[-1]["hash"] if log else "")
        days, runs = _nexus(space, manifest, law, as_of, engine, spark_master, report, engine_options)
        seconds["nexus"] = time.perf_counter() - clock - seconds["resolve"]

        clock = time.perf_counter()
        with Store(space.store_path) as store, collector.paused():
            assessment = _decide(store, manifest, folder, inputs, law, as_of, days, runs, engine, run_id, report)
            if register is not None:
                findings = fleet_findings(register, assessment, law, _monitoring_day(assessment, days), store)
                assessment = assessment.model_copy(update={"findings": findings})
            from cvrule.store import audit

            with store.transaction():
                audit.append(store, None, "assess", run_id, {
                    "folder": str(folder), "as_of": as_of.isoformat() if as_of else None, "engine": engine,
                    "transactions": len(assessment.decisions), "parameters_sha256": law.digest})
        seconds["decide"] = time.perf_counter() - clock

        clock = time.perf_counter()
        run_dir = space.root / "runs" / run_id
        with collector.paused():
            written = _write(assessment, out, run_dir, space, law, formats, report, log)
        seconds["write"] = time.perf_counter() - clock
    return AssessRun(assessment, out, run_dir, written, seconds, problems)


def _ingest(space: Workspace, files: list[Path], manifest: FleetManifest, folder: Path,
            report: Progress) -> tuple[list[str], dict[Path, str]]:
    """Ingest the files; return the problems of files that could not be read, and the SHA-256 that
    ingest found for each file it read (the run's inputs are those bytes: not hashed again)."""
    from cvrule.ingest.load import ingest_paths

    total = len(files)
    done = [0]

    def advanced(path, outcome):
        done[0] += 1
        report("ingest", done[0], total)

    report("ingest", 0, total)
    outcomes = ingest_paths(space, files, on_file=advanced)
    failed = {Path(o.path).resolve(): o.message or o.path for o in outcomes if o.outcome == "failed"}
    needed = {(folder / name).resolve() for name in manifest.bom_files()}
    broken = [failed[p] for p in sorted(needed & set(failed))]
    if broken:
        raise CvruleError("the fleet's BOM files could not be read, so nothing was assessed:\n  " + "\n  ".join(broken))
    hashed = {Path(o.path): o.source_id for o in outcomes if o.outcome in ("loaded", "unchanged", "same-content")}
    return [failed[p] for p in sorted(failed)], hashed


def _inputs(folder: Path, manifest_path: Path, files: list[Path], space: Workspace,
            registers: list[Path], hashed: dict[Path, str]) -> list[InputFile]:
    """The run's input files: the manifest, the data-flow registers and every file ingest read
    (`hashed`: path -> the SHA-256 ingest found; those are not read again)."""
    from cvrule.store import Store

    with Store(space.store_path) as store:
        known = {sid: (fmt, size) for sid, fmt, size in
                 store._con.execute("SELECT source_id, format, size FROM sources").fetchall()}
    found = []
    kept = {manifest_path: "cvrule-fleet", **{path: "cvrule-dataflows" for path in registers}}
    for path in [manifest_path] + list(registers) + files:
        sha = None if path in kept else hashed.get(path.resolve())
        if sha in known:
            size = known[sha][1]
        else:
            sha, size = sha256_file(path)
        if path in kept:
            space.keep(path, sha)  # the manifest and the register are inputs of the run: kept with the evidence
            fmt = kept[path]
        elif sha in known:
            fmt = known[sha][0]
        else:
            continue  # could not be read: not an input of this run
        found.append(InputFile(path=path.relative_to(folder).as_posix(), sha256=sha, size=size, format=fmt))
    return sorted(found, key=lambda f: f.path)


def _judgement_log(store) -> list[dict]:
    """The analysts' judgements the run applies, for its record pack (times as ISO text); the last
    one's hash (the log's head) is part of the run id."""
    from cvrule.store.resolution import ResolutionStore

    return [{k: v.isoformat() if isinstance(v, datetime) else v for k, v in dataclasses.asdict(row).items()}
            for row in ResolutionStore(store).judgements()]


def _run_id(inputs: list[InputFile], digest: str, as_of: date | None, judgements: str) -> str:
    hasher = hashlib.sha256()
    for item in inputs:
        hasher.update(f"{item.path}\0{item.sha256}\n".encode())
    hasher.update(f"parameters {digest}\nas_of {as_of}\njudgements {judgements}\n".encode())
    return hasher.hexdigest()[:24]


def _nexus(space: Workspace, manifest: FleetManifest, law: Law, as_of: date | None, engine: str,
           spark_master: str | None, report: Progress, options: dict | None) -> tuple[list[date], dict[date, date]]:
    """Run the nexus once per distinct (ownership facts in force, nexus parameters) among the
    evaluation dates; return the dates and, for each, the date whose run stands for it."""
    from cvrule.engine.pipeline import nexus_workspace
    from cvrule.store import Store

    days = _days(manifest, as_of)
    with Store(space.store_path) as store:
        bounds = sorted({d for (d,) in store._con.execute("""
            SELECT valid_from FROM ownership WHERE valid_from IS NOT NULL UNION SELECT valid_to FROM ownership WHERE valid_to IS NOT NULL
            UNION SELECT valid_from FROM control WHERE valid_from IS NOT NULL UNION SELECT valid_to FROM control WHERE valid_to IS NOT NULL
        """).fetchall()})
    epochs: dict[tuple, date] = {}
    stands_for: dict[date, date] = {}
    for day in days:
        # The nexus policy names its day; two days with the same facts in force and the same policy
        # otherwise decide every party alike.
        policy = dataclasses.replace(NexusPolicy.from_edition(_edition(law, day)), day=date.min)
        epoch = (sum(1 for b in bounds if b <= day), repr(policy))
        stands_for[day] = epochs.setdefault(epoch, max(day, law.in_force_from()))
    runs = sorted(set(stands_for.values()))
    for n, day in enumerate(runs):
        report("nexus", n, len(runs))
        nexus_workspace(space, day, law, engine=engine, spark_master=spark_master, engine_options=options)
    report("nexus", len(runs), len(runs))
    return days, stands_for


def _edition(law: Law, day: date):
    """The law in force on `day`, or on the day subpart D took effect for an earlier day (a
    transaction before it is out of scope; its parties are still looked at under the first edition)."""
    return law.edition(max(day, law.in_force_from()))


def _days(manifest: FleetManifest, as_of: date | None) -> list[date]:
    if as_of is not None:
        return [as_of]
    found = {line.first_day(year) for line in manifest.lines for year in line.model_years}
    found |= {t.date for t in manifest.transactions}
    return sorted(found)


def _decide(store, manifest: FleetManifest, folder: Path, inputs: list[InputFile], law: Law, as_of: date | None,
            days: list[date], runs: dict[date, date], engine: str, run_id: str, report: Progress) -> Assessment:
    paths = {i.sha256: i.path for i in inputs}
    by_path = {i.path: i.sha256 for i in inputs}
    bom_sources = {name: by_path.get(Path(name).as_posix()) or sha256_file(folder / name)[0]
                   for name in manifest.bom_files()}
    cutoffs = sorted({_edition(law, day).param("legacy_software_cutoff").value for day in days})
    report("decide", 0, 1)
    latest = max(days)
    home = _edition(law, latest).param("home_jurisdiction").value
    editions = [_edition(law, day) for day in days]
    firmware = frozenset.intersection(*(frozenset(e.param("firmware_software_kinds").value) for e in editions))
    excluded = all(e.param("open_source_excluded").value for e in editions)
    boms = read_components(store, sorted(set(bom_sources.values())), cutoffs, sorted(set(runs.values())), home,
                           firmware, excluded)
    how = resolutions(store)
    actors = _actors(store, manifest, runs[latest])
    parties = _party_info(store, runs[latest])
    built = build_scenario(manifest, boms, bom_sources, paths, actors, parties, _edition(law, latest))
    names = {node: party.name for node, party in built.scenario.parties.items()}
    written = dict(built.written)
    for party in _manifest_parties(manifest):
        written.setdefault(actors[party.name], party.name)
    cache: dict[date, NexusPersons] = {}
    shared: dict[date, RunCache] = {}

    def persons(day: date) -> NexusPersons:
        if day not in cache:
            run = runs.get(day, runs[latest])
            shared.setdefault(run, RunCache(store, run))
            cache[day] = NexusPersons(store, run, day, _edition(law, day), names, written, shared[run])
        return cache[day]

    decisions = []
    ids = list(built.scenario.transactions)
    for n, txn_id in enumerate(ids):
        decisions.append(decide(built.scenario, txn_id, law, as_of, persons))
        report("decide", n + 1, len(ids))
    assessment = assessment_of(run_id=run_id, fleet=manifest.name, as_of=as_of, engine=engine, version=__version__,
                               digest=law.digest, inputs=inputs, built=built, boms=boms, decisions=decisions,
                               persons=persons(as_of or latest), resolutions=how)
    if built.scenario.authorizations:
        day = _monitoring_day(assessment, days)
        views = authorization_views(built.scenario, lambda d: _edition(law, d), day, names)
        assessment = assessment.model_copy(update={"authorizations": views})
    return assessment


def _monitoring_day(assessment: Assessment, days: list[date]) -> date:
    """The one day authorizations and findings are looked at: the evaluation date, else the
    latest transaction date."""
    if assessment.as_of is not None:
        return assessment.as_of
    return max((v.decision.date for v in assessment.decisions), default=max(days))


def _manifest_parties(manifest: FleetManifest) -> list[FleetParty]:
    found = [manifest.manufacturer]
    for line in manifest.lines:
        found += [p for p in (line.manufacturer, line.importer, line.ads_service) if p is not None]
    found += [t.actor for t in manifest.transactions]
    found += [a.party if a.kind == "approved_supplier" else a.holder for a in manifest.authorizations]
    return found


def _actors(store, manifest: FleetManifest, day: date) -> dict[str, str]:
    """Manifest party name -> nexus node: by LEI, else the best party whose name resolution links."""
    from cvrule.resolve import match_name

    found: dict[str, str] = {}
    for party in _manifest_parties(manifest):
        if party.name in found:
            continue
        lei = (party.identifiers.get("lei") or "").strip().upper()
        if lei and store._con.execute("SELECT 1 FROM party_status WHERE as_of = ? AND node = ?", [day, f"lei:{lei}"]).fetchone():
            found[party.name] = f"lei:{lei}"
            continue
        candidates = [c for c in match_name(store, party.name, party.country, party.identifiers)
                      if c.target.kind == "party" and c.decision == "link"]
        if candidates:
            target = candidates[0].target
            row = store._con.execute("""
                SELECT min(upper(nullif(trim(json_extract_string(identifiers, '$.lei')), ''))) FROM parties
                WHERE source_id = ? AND key = ?""", [target.source_id, target.key]).fetchone()
            found[party.name] = f"lei:{row[0]}" if row and row[0] else f"{target.source_id[:16]}:{target.key}"
        else:
            found[party.name] = fleet_party_key(party)
    return found


def _party_info(store, day: date) -> dict[str, PartyInfo]:
    rows = store._con.execute("""
        WITH recs AS (
            SELECT CASE WHEN lei IS NOT NULL THEN 'lei:' || lei ELSE substr(source_id, 1, 16) || ':' || key END AS node,
                   kind, country, source_id, key
            FROM (SELECT *, upper(nullif(trim(json_extract_string(identifiers, '$.lei')), '')) AS lei FROM parties)
        )
        SELECT s.node, coalesce(s.name, s.node), arg_min(r.kind, r.source_id || r.key),
               arg_min(r.country, CASE WHEN r.country IS NULL THEN 'z' ELSE 'a' END || r.source_id || r.key)
        FROM party_status s LEFT JOIN recs r ON r.node = s.node
        WHERE s.as_of = ? GROUP BY s.node, s.name
    """, [day]).fetchall()
    return {node: PartyInfo(node, name, kind or "organization", country) for node, name, kind, country in rows}


def _write(assessment: Assessment, out: Path, run_dir: Path, space: Workspace, law: Law,
           formats: tuple[str, ...] | None, report: Progress, judgements: list[dict]) -> list[Path]:
    from cvrule.report import FORMATS, write_reports
    from cvrule.report.cx0158 import write_cx0158
    from cvrule.report.declaration import write_declarations
    from cvrule.report.evidence import EvidenceStore
    from cvrule.report.recordpack import write_record_pack

    steps = 5
    report("write", 0, steps)
    run_dir.mkdir(parents=True, exist_ok=True)
    data = assessment.to_json()  # large: serialized once, for the run folder, the JSON report and the record pack
    _atomic(run_dir / "assessment.json", data)
    report("write", 1, steps)
    # The record pack copies every input (gigabytes for a large fleet), hashing as it goes: it is
    # written on a second thread while this one writes the reports and Declarations (file reads,
    # hashes and zlib let go of the interpreter lock). Leaving the block waits for it, also when a
    # report fails, so nothing is still being written once assess returns or raises. The two
    # copy the same inputs from one `EvidenceStore`, which checks each input's hash once.
    evidence = EvidenceStore(space.evidence)
    with ThreadPoolExecutor(1, thread_name_prefix="cvrule-record-pack") as aside:
        packing = aside.submit(write_record_pack, assessment, evidence, law.directory,
                               run_dir / "record-pack.zip", data, judgements)
        written = write_reports(assessment, out, formats or FORMATS, json=data)
        report("write", 2, steps)
        written += write_declarations(assessment, evidence, out, law=law)
        report("write", 3, steps)
        written += write_cx0158(assessment, out)
        report("write", 4, steps)
        pack = packing.result()
    copy = out / f"record-pack-{assessment.run_id}.zip"
    incoming = copy.with_suffix(".zip.incoming")
    incoming.unlink(missing_ok=True)
    try:
        os.link(pack, incoming)  # the pack is never changed in place: one file, two names, no copy of gigabytes
    except OSError:
        shutil.copyfile(pack, incoming)
    incoming.replace(copy)
    written += [run_dir / "assessment.json", pack, copy]
    report("write", steps, steps)
    return written


def _atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.incoming")
    temporary.write_bytes(data)
    temporary.replace(path)
