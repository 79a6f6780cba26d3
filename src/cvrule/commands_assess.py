"""`cvrule assess`, `cvrule replay` and `cvrule diff`: the fleet assessment on the command line
(cvrule.fleet.assess, cvrule.fleet.compare). Registered on the app by `register`."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich import box
from rich.table import Table

from cvrule.errors import CvruleError

__all__ = ["register"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_STAGES = {"ingest": "ingesting files", "resolve": "resolving parties", "nexus": "ownership and control (nexus)",
           "decide": "deciding transactions", "write": "writing reports and record pack"}
_STYLE = {"prohibited": "bold red", "indeterminate": "yellow", "authorized": "cyan", "exempt": "blue",
          "allowed": "green", "out_of_scope": "dim"}


def _fail(message: str, code: int = 2):
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"--as-of {text!r}: expected a date as YYYY-MM-DD")


def assess_command(
    folder: Annotated[Path, typer.Argument(help="Folder with a fleet manifest (fleet.yaml) and the input files.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where the reports go (default ./cvrule-out).")] = Path("cvrule-out"),
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Evaluate every transaction as of this date "
                                                  "(YYYY-MM-DD); default: the manifest's, else each on its own date.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="Nexus engine: duckdb (embedded) or spark.")] = "duckdb",
    spark_master: Annotated[Optional[str], typer.Option("--spark-master", help="Spark master URL (default local[*]).")] = None,
    workspace: Annotated[Optional[Path], typer.Option("--workspace", help="Workspace folder (default OUT/workspace).")] = None,
    parameters: Annotated[Optional[Path], typer.Option("--parameters", help="Directory of legal parameter files "
                                                       "instead of the bundled ones (also CVRULE_PARAMETERS).")] = None,
    reports: Annotated[Optional[list[str]], typer.Option("--report", help="A report to write: html, pdf, xlsx, csv, "
                                                         "json or sarif (repeat it; default all).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Assess a fleet: decide every vehicle line, model year and import, and write the reports.

    Ingests what is new in FOLDER, resolves every supplier to a party, computes who is linked to
    the PRC or Russia, decides every transaction with its reasons and citations, and writes the
    HTML/PDF/XLSX/CSV/JSON/SARIF reports, the Declarations of Conformity, the CX-0158-1 exports
    and the record pack into OUT. Exit status: 0, or 1 when a transaction is prohibited or
    indeterminate (for gating), 2 on bad input.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cvrule.fleet.assess import assess
    from cvrule.law import Law
    from cvrule.workspace import Workspace

    from cvrule.report import FORMATS

    unknown = [r for r in reports or () if r not in FORMATS]
    if unknown:
        _fail(f"--report {unknown[0]!r}: expected one of {', '.join(FORMATS)}")
    if engine not in ("duckdb", "spark"):
        _fail(f"--engine {engine!r}: expected duckdb or spark")
    day = _day(as_of)
    try:
        law = Law.load(parameters)
    except CvruleError as error:
        _fail(str(error))
    with Progress(TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=not err.is_terminal) as progress:
        tasks: dict[str, int] = {}

        def stage(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(_STAGES.get(name, name), total=max(total, 1))
            progress.update(tasks[name], completed=done if total else 1, total=max(total, 1))

        try:
            run = assess(folder, out=out_dir, as_of=day, engine=engine, spark_master=spark_master,
                         workspace=Workspace(workspace) if workspace else None, law=law, on_stage=stage,
                         formats=tuple(reports) if reports else None)
        except CvruleError as error:
            progress.stop()
            _fail(str(error))
    for problem in run.problems:
        err.print(f"warning: not used: {problem}", markup=False)
    assessment = run.assessment
    if as_json:
        print(json.dumps({"run_id": assessment.run_id, "out": str(run.out), "record_pack": str(run.record_pack),
                          "counts": assessment.counts, "seconds": {k: round(v, 3) for k, v in run.seconds.items()},
                          "matrix": _matrix_json(assessment)}, indent=2, sort_keys=True))
    else:
        _summary(assessment)
        out.print(f"\nreport: {run.out / 'report.html'}  record pack: {run.record_pack}", markup=False)
        out.print("time: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.seconds.items()), markup=False)
    if any(v.decision.outcome.value in ("prohibited", "indeterminate") for v in assessment.decisions):
        raise typer.Exit(1)


def _matrix_json(assessment) -> dict:
    from cvrule.fleet.result import matrix

    return {line: {str(year): outcome.value for year, outcome in sorted(row.items())}
            for line, row in matrix(assessment).items()}


def _summary(assessment) -> None:
    from cvrule.fleet.result import matrix

    cells = matrix(assessment)
    years = sorted({year for row in cells.values() for year in row})
    table = Table(title=f"{assessment.fleet}: worst outcome per line and model year", title_justify="left",
                  box=box.SIMPLE, pad_edge=False)
    table.add_column("line")
    for year in years:
        table.add_column(str(year))
    for line, row in cells.items():
        table.add_row(line, *[f"[{_STYLE[row[y].value]}]{row[y].value}[/]" if y in row else "-" for y in years])
    out.print(table)
    others = [v for v in assessment.decisions if v.line is None or v.model_year is None or v.item is not None]
    if others:
        extra = Table(title="imports of VCS hardware and other transactions", title_justify="left", box=box.SIMPLE,
                      pad_edge=False)
        for column in ("transaction", "date", "outcome", "cites"):
            extra.add_column(column)
        for view in others:
            d = view.decision
            extra.add_row(d.transaction, d.date.isoformat(), f"[{_STYLE[d.outcome.value]}]{d.outcome.value}[/]",
                          ", ".join(d.cites[:4]))
        out.print(extra)
    counts = assessment.counts
    outcomes = ", ".join(f"{counts[k]} {k.split(':', 1)[1]}" for k in sorted(counts) if k.startswith("by_outcome:"))
    out.print(f"{counts.get('transactions', 0)} transactions ({outcomes}); {counts.get('components', 0):,} components, "
              f"{counts.get('components_relevant', 0):,} rows after grouping; {counts.get('parties', 0)} parties; "
              f"{len(assessment.obligations)} Declarations of Conformity to file", markup=False)
    open_questions = sorted({m.question for v in assessment.decisions for m in v.decision.missing_facts})
    if open_questions:
        out.print("open questions (answer them to settle the indeterminate decisions):", markup=False)
        for question in open_questions[:12]:
            out.print(f"  - {question}", markup=False)
        if len(open_questions) > 12:
            out.print(f"  ... and {len(open_questions) - 12} more in the report", markup=False)


def replay_command(
    pack: Annotated[Path, typer.Argument(help="A record pack (record-pack-RUN.zip) or a run folder of a workspace.")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Also write the replayed reports here.")] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Engine to replay on (default: the run's).")] = None,
) -> None:
    """Re-run a past assessment from its record pack and check that it gives the same bytes.

    The pack's inputs, legal parameters and evaluation date are assessed again in a fresh
    workspace; exit 0 when the new assessment is byte for byte the one in the pack, 1 when not
    (with what changed).
    """
    from cvrule.fleet.replay import replay

    if pack.is_dir():
        pack = pack / "record-pack.zip"
    try:
        result = replay(pack, out_dir, engine)
    except CvruleError as error:
        _fail(str(error))
    if result.same:
        out.print(f"replayed run {result.run_id}: the same bytes ({result.size:,} bytes of assessment, "
                  f"sha256 {result.sha256[:16]})", markup=False)
        return
    out.print(f"replayed run {result.run_id}: DIFFERENT from the record pack", markup=False)
    _print_comparison(result.comparison)
    raise typer.Exit(1)


def diff_command(
    before: Annotated[str, typer.Argument(help="Run id (in the workspace), run folder, assessment.json or record pack.")],
    after: Annotated[str, typer.Argument(help="The same for the later run.")],
    workspace: Annotated[Optional[Path], typer.Option("--workspace", help="Workspace whose runs/ holds the run ids "
                                                      "(default ./cvrule-out/workspace).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show which decisions changed between two runs, and why (new owner, new SBOM, parameters)."""
    from cvrule.fleet.compare import compare

    try:
        a, b = _load_run(before, workspace), _load_run(after, workspace)
    except CvruleError as error:
        _fail(str(error))
    comparison = compare(a, b)
    if as_json:
        print(json.dumps(comparison.as_json(), indent=2, sort_keys=True))
        return
    _print_comparison(comparison)


def _print_comparison(comparison) -> None:
    out.print(f"{comparison.before} -> {comparison.after}: {len(comparison.decisions)} decisions changed, "
              f"{comparison.unchanged} unchanged", markup=False)
    for title, lines in (("inputs", comparison.inputs), ("parties", comparison.parties),
                         ("components", comparison.components)):
        if lines:
            out.print(f"{title}:", markup=False)
            for line in lines[:30]:
                out.print(f"  {line}", markup=False)
    if comparison.parameters:
        out.print(comparison.parameters, markup=False)
    for change in comparison.decisions:
        out.print(f"{change.transaction}: {change.before or '(none)'} -> {change.after or '(none)'}", markup=False)
        for line in change.because[:8]:
            out.print(f"    because {line}", markup=False)
        for question in change.questions_added[:5]:
            out.print(f"    new question: {question}", markup=False)
        for question in change.questions_removed[:5]:
            out.print(f"    answered: {question}", markup=False)


def _load_run(text: str, workspace: Path | None):
    from cvrule.fleet.result import Assessment
    from cvrule.report.recordpack import read_record_pack

    path = Path(text)
    if not path.exists():
        root = (workspace or Path("cvrule-out") / "workspace") / "runs"
        matches = sorted(root.glob(f"{text}*")) if root.is_dir() else []
        if len(matches) != 1:
            raise CvruleError(f"{text}: not a file, and {'no' if not matches else 'more than one'} run in {root} starts so")
        path = matches[0]
    if path.is_dir():
        path = path / "assessment.json"
    if path.suffix == ".zip":
        with tempfile.TemporaryDirectory() as tmp:
            return read_record_pack(path, Path(tmp) / "pack").assessment
    try:
        return Assessment.from_json(path.read_bytes())
    except Exception as error:  # pydantic or JSON error: the file is not an assessment
        raise CvruleError(f"{path}: not an assessment ({type(error).__name__}: {str(error)[:200]})") from None


def register(app: typer.Typer) -> None:
    app.command("assess")(assess_command)
    app.command("replay")(replay_command)
    app.command("diff")(diff_command)

