"""`cvrule nexus`, `cvrule why` and `cvrule synth graph`: the command-line face of the nexus
(15 CFR 791.301 over the whole ownership graph); and `cvrule synth fleet`, the synthetic fleet of
the assessment benchmark. Registered on the app by `register`."""

from __future__ import annotations

import hashlib
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from cvrule.errors import CvruleError

__all__ = ["register"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

WorkspaceOption = Annotated[
    Optional[Path],
    typer.Option("--workspace", help="Workspace folder (default ./cvrule-workspace or CVRULE_WORKSPACE)."),
]
AsOfOption = Annotated[Optional[str], typer.Option("--as-of", help="Evaluation date, YYYY-MM-DD.")]
ParametersOption = Annotated[
    Optional[Path],
    typer.Option("--parameters", help="Directory of legal parameter files to use instead of the bundled ones (also CVRULE_PARAMETERS).",
                 exists=True, file_okay=False),
]

synth_app = typer.Typer(help="Generate synthetic data for tests and benchmarks.", no_args_is_help=True)


def _fail(message: str, code: int = 2):
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def _day(as_of: str | None, default: date | None = None) -> date:
    if as_of is None:
        return default or date.today()
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        _fail(f"--as-of {as_of!r}: expected a date as YYYY-MM-DD")


def _law(parameters: Path | None):
    from cvrule.law import Law

    try:
        return Law.load(parameters)
    except CvruleError as error:
        _fail(str(error))


def nexus_command(
    as_of: AsOfOption = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb (embedded, default) or spark.")] = "duckdb",
    spark_master: Annotated[Optional[str], typer.Option("--spark-master", help="Spark master URL (default local[*]).")] = None,
    workspace: WorkspaceOption = None,
    parameters: ParametersOption = None,
) -> None:
    """Decide for every party whether it is linked to the PRC or Russia (791.301); store the status.

    Linked means owned by, controlled by or subject to the jurisdiction or direction of the PRC or
    Russia. Default date: today. The result (linked, indeterminate or not linked, with the evidence for each
    linked or indeterminate party) replaces any earlier result for the same date; `cvrule why` reads it.
    """
    from cvrule.engine import ENGINES
    from cvrule.engine.pipeline import nexus_workspace
    from cvrule.workspace import Workspace

    if engine not in ENGINES:
        _fail(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}")
    day = _day(as_of)
    law = _law(parameters)
    space = Workspace(workspace)
    if not space.store_path.exists():
        _fail(f"no workspace store at {space.store_path}: load facts first with `cvrule ingest` or `cvrule synth graph`")
    started = time.perf_counter()
    try:
        with space.lock():
            run = nexus_workspace(space, day, law, engine=engine, spark_master=spark_master)
    except CvruleError as error:
        _fail(str(error))
    seconds = time.perf_counter() - started
    out.print(f"nexus as of {day.isoformat()} on {engine}: {run.parties} parties in {seconds:.1f} s", markup=False)
    out.print(f"  linked         {run.linked}", markup=False)
    out.print(f"  indeterminate  {run.indeterminate}", markup=False)
    out.print(f"  not linked     {run.not_linked}", markup=False)
    out.print(f"  rounds: linked {run.rounds_linked}, possibly linked {run.rounds_possible}, "
              f"look-through {run.rounds_lookthrough}", markup=False)
    phases = ", ".join(f"{name} {value:.1f} s" for name, value in run.seconds.items())
    out.print(f"  ({phases}; workspace {space.root})", markup=False)


def why_command(
    party: Annotated[str, typer.Argument(help="The party: its node id (from `cvrule nexus`), its key, its LEI or its name.")],
    as_of: AsOfOption = None,
    workspace: WorkspaceOption = None,
    parameters: ParametersOption = None,
) -> None:
    """Explain a party's status: its path to the PRC or Russia, with the CFR basis of each step.

    The path follows holdings and control down to the parties linked (or of unknown status) on their
    own facts, and names the legal parameter applied at each step. Default date: the latest `cvrule nexus` run.
    """
    from cvrule.nexus.explain import explain_party
    from cvrule.store import Store
    from cvrule.store import nexus_tables
    from cvrule.workspace import Workspace

    space = Workspace(workspace)
    if not space.store_path.exists():
        _fail(f"no workspace store at {space.store_path}")
    law = _law(parameters)
    try:
        store = Store(space.store_path)
    except CvruleError as error:  # another process has the store open for writing
        _fail(str(error))
    with store:
        latest = nexus_tables.last_run(store)
        day = _day(as_of, latest)
        if nexus_tables.run_summary(store, day) is None:
            _fail(f"no nexus result as of {day.isoformat()}: run `cvrule nexus --as-of {day.isoformat()}` first")
        found = nexus_tables.find_nodes(store, party, day)
        if not found:
            _fail(f"no party {party!r} in the status as of {day.isoformat()} (give its node id, key, LEI or name)", 1)
        if len(found) > 1:
            err.print(f"{party!r} names {len(found)} parties; give one of these node ids:", markup=False)
            for row in found:
                err.print(f"  {row['node']}  {row['name']}  ({row['linkage']})", markup=False)
            raise typer.Exit(1)
        try:
            lines = explain_party(found[0]["node"], day, _StoreReader(store, day), law.edition(day))
        except CvruleError as error:
            _fail(str(error))
    for line in lines:
        out.print(line, markup=False)


class _StoreReader:
    def __init__(self, store, day: date):
        from cvrule.store import nexus_tables

        self._tables, self._store, self._day = nexus_tables, store, day

    def status(self, node: str) -> dict | None:
        return self._tables.status_of(self._store, self._day, node)

    def evidence(self, node: str) -> list[dict]:
        return self._tables.evidence_of(self._store, self._day, node)

    def records(self, node: str) -> list[dict]:
        return self._tables.party_records(self._store, node)


@synth_app.command("graph")
def synth_graph_command(
    parties: Annotated[int, typer.Option("--parties", min=10, help="Number of parties.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed: the same number and seed give the same graph.")] = 1,
    workspace: Annotated[Optional[Path], typer.Option("--workspace", help="Also load the graph into this workspace's store, as one source.")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write the graph as Parquet (g_parties, g_stakes, g_controls) into this folder.")] = None,
) -> None:
    """Generate a deterministic ownership and control graph for tests and benchmarks.

    Power-law holdings, long chains, cycles, state-owned roots, Hong Kong and Macau subsidiaries,
    offshore holding companies, stakes around the policy thresholds, board and veto control without
    equity. Without --workspace or --out, the graph goes into the default workspace.
    """
    from cvrule.engine import open_engine
    from cvrule.nexus.synth import generate_graph, table_sql
    from cvrule.store import Store
    from cvrule.store import nexus_tables
    from cvrule.workspace import Workspace

    if workspace is None and out_dir is None:
        workspace = Workspace(None).root
    started = time.perf_counter()
    engine = open_engine("duckdb")
    with tempfile.TemporaryDirectory(prefix="cvrule-synth-") as scratch:
        folder = out_dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            counts = generate_graph(engine, parties, seed)
            for table in counts:
                engine.write_parquet(table_sql(table), str(folder / f"{table}.parquet"))
        finally:
            engine.close()
        line = (f"{counts['g_parties']} parties, {counts['g_stakes']} ownership and {counts['g_controls']} control edges "
                f"(seed {seed})")
        if out_dir is not None:
            line += f"; Parquet in {out_dir}"
        if workspace is not None:
            space = Workspace(workspace).create()
            name = f"synth-graph-{parties}-{seed}"
            source_id = hashlib.sha256(name.encode()).hexdigest()
            try:
                with space.lock(), Store(space.store_path) as store:
                    nexus_tables.load_graph(store, folder, source_id, name)
            except CvruleError as error:
                _fail(str(error))
            line += f"; loaded into {space.root} as source {source_id[:16]} (party keys P0, P1, ...)"
    out.print(f"{line} in {time.perf_counter() - started:.1f} s", markup=False)


@synth_app.command("fleet")
def synth_fleet_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the fleet into (new or empty).")],
    components: Annotated[int, typer.Option("--components", min=1000, help="Component rows in all the BOMs together.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed: the same arguments write the same bytes.")] = 1,
    lines: Annotated[Optional[int], typer.Option("--lines", min=1, help="Vehicle lines (default: 6, more when a BOM would pass 250,000 rows).")] = None,
) -> None:
    """Write a deterministic synthetic fleet for the assessment benchmark.

    The folder holds fleet.yaml, a CycloneDX 1.6 BOM per ECU and generation, BODS ownership data
    and a supplier register. Most component rows are software packages (Android and Yocto Linux
    scale) with purls, licences and suppliers from a pool of 3,000: 8 % of them linked (organized,
    headquartered or majority-owned in CN, HK or RU), 1 % unknown. `cvrule assess OUT` reads it.
    """
    from cvrule.fleet.synth import synth_fleet

    started = time.perf_counter()
    try:
        summary = synth_fleet(out_dir, components, seed, lines)
    except ValueError as error:
        _fail(str(error))
    out.print(f"{summary.components:,} component rows in {summary.boms} BOMs for {summary.lines} lines, "
              f"{summary.suppliers:,} suppliers ({summary.linked_suppliers} linked, {summary.unknown_suppliers} unknown), "
              f"{summary.bytes_written / 1e6:,.1f} MB in {out_dir} (seed {seed}) in {time.perf_counter() - started:.1f} s",
              markup=False)


def register(app: typer.Typer) -> None:
    """Add `nexus`, `why` and `synth` to the app."""
    app.command("nexus")(nexus_command)
    app.command("why")(why_command)
    app.add_typer(synth_app, name="synth")
