"""The `cvrule` command line: a thin layer over the library; every command translates only."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from cvrule import __version__
from cvrule.cases import check_case, collect_case_files, load_case, run_case
from cvrule.errors import CvruleError
from cvrule.law import Law, explain, summary_line

app = typer.Typer(
    help="Apply the BIS Connected Vehicles rule (15 CFR part 791 subpart D) to your vehicles, hardware and software.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
case_app = typer.Typer(help="Run case files: YAML scenarios with the decisions they expect.", no_args_is_help=True)
app.add_typer(case_app, name="case")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ParametersOption = Annotated[
    Optional[Path],
    typer.Option(
        "--parameters",
        help="Directory of legal parameter files to use instead of the bundled ones (also CVRULE_PARAMETERS).",
        exists=True,
        file_okay=False,
    ),
]


def _law(parameters: Path | None) -> Law:
    try:
        return Law.load(parameters)
    except CvruleError as error:
        err.print(f"[red]error:[/red] {error}", markup=True)
        raise typer.Exit(2) from None


@app.command()
def version() -> None:
    """Print cvrule's version."""
    out.print(f"cvrule {__version__}")


@case_app.command("run")
def case_run(
    paths: Annotated[list[Path], typer.Argument(help="Case files or directories of case files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the decisions as JSON (format: docs/decision-json.md).")] = False,
    show_reasons: Annotated[bool, typer.Option("--explain", help="Explain each decision step by step, with citations.")] = False,
    parameters: ParametersOption = None,
) -> None:
    """Decide every transaction of the case files and print the decisions."""
    law = _law(parameters)
    files = collect_case_files(paths)
    documents, failed = [], False
    for path in files:
        try:
            case = load_case(path)
            decisions = run_case(case, law)
        except CvruleError as error:
            err.print(f"error: {error}")
            failed = True
            continue
        if as_json:
            documents.append({
                "file": str(path),
                "name": case.name,
                "as_of": case.as_of.isoformat() if case.as_of else None,
                "decisions": [d.model_dump(mode="json") for d in decisions],
            })
            continue
        out.print(f"[bold]{case.name}[/bold]  ({path})", markup=True)
        for decision in decisions:
            out.print(explain(decision) if show_reasons else "  " + summary_line(decision), markup=False)
        out.print()
    if as_json:
        payload = {
            "cvrule": __version__,
            "parameters": {"directory": str(law.directory), "sha256": law.digest},
            "cases": documents,
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    if failed:
        raise typer.Exit(2)


@case_app.command("test")
def case_test(
    paths: Annotated[list[Path], typer.Argument(help="Case files or directories of case files.")],
    parameters: ParametersOption = None,
) -> None:
    """Check that every case's decisions are what it expects; exit 1 on any failure."""
    law = _law(parameters)
    passed = failed = 0
    for path in collect_case_files(paths):
        result = check_case(path, law)
        if result.passed:
            passed += 1
            continue
        failed += 1
        if result.error:
            out.print(f"FAIL {path}: {result.error}", markup=False)
        for mismatch in result.mismatches:
            out.print(f"FAIL {path}: {mismatch}", markup=False)
    out.print(f"{passed} passed, {failed} failed", markup=False)
    if failed or not passed:
        raise typer.Exit(1)


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to load (folders are searched recursively).")],
    workspace: Annotated[Optional[Path], typer.Option("--workspace", help="Workspace folder (default ./cvrule-workspace or CVRULE_WORKSPACE).")] = None,
) -> None:
    """Load SBOMs, HBOMs, ownership data, screening lists, supplier registers and case files into the workspace."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cvrule.ingest.load import collect_files, ingest_paths
    from cvrule.workspace import Workspace

    space = Workspace(workspace)
    files = collect_files(paths)
    tally: dict[str, int] = {}
    failures: list[str] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def started(path: Path) -> None:
            progress.update(task, description=f"ingesting {path.name}")

        def done(path: Path, outcome) -> None:
            tally[outcome.outcome] = tally.get(outcome.outcome, 0) + 1
            if outcome.outcome == "failed":
                failures.append(outcome.message or str(path))
            progress.advance(task)

        try:
            with space.lock():
                ingest_paths(space, files, on_file=done, on_start=started)
        except CvruleError as error:  # another process is writing the workspace
            progress.stop()
            err.print(f"error: {error}", markup=False)
            raise typer.Exit(2) from None
    for message in failures:
        err.print(f"error: {message}", markup=False)
    summary = ", ".join(f"{n} {what}" for what, n in sorted(tally.items())) or "no files"
    out.print(f"{summary} (workspace {space.root})", markup=False)
    if failures:
        raise typer.Exit(1)


@app.command("parameters")
def parameters_command(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="Show the values in force on this date (YYYY-MM-DD).")] = None,
    parameters: ParametersOption = None,
) -> None:
    """List the legal parameters in force, with their citation and status."""
    law = _law(parameters)
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        err.print(f"error: --as-of {as_of!r}: expected a date as YYYY-MM-DD")
        raise typer.Exit(2) from None
    out.print(f"Legal parameters in force on {day.isoformat()} ({law.directory})", markup=False)
    for name in law.names():
        every = law.history(name)
        history = [p for p in every if p.effective <= day]
        if not history:
            out.print(f"{name}: not yet in force", markup=False)
            continue
        # A parameter given per vehicle class has a value in force per class (`name[class]`).
        latest: dict[str, object] = {}
        for value in history:
            latest[value.label] = value
        for label, value in latest.items():
            shown = json.dumps(value.as_json()["value"], ensure_ascii=False)
            out.print(f"{label} = {shown}  [{value.cite}; {value.status.value}; since {value.effective.isoformat()}]",
                      markup=False)


def main() -> None:  # pragma: no cover - entry point
    app()


from cvrule.commands_nexus import register as _register_nexus  # noqa: E402  (nexus, why, synth graph: issue 4)

_register_nexus(app)


# Resolution and screening: `cvrule resolve`, `cvrule review`, `cvrule match` (cvrule.commands_resolve).
from cvrule.commands_resolve import register as _register_resolution  # noqa: E402

_register_resolution(app)


# The audit log: `cvrule audit verify`, `cvrule audit log` (cvrule.commands_audit).
from cvrule.commands_audit import register as _register_audit  # noqa: E402

_register_audit(app)


# The fleet assessment: `cvrule assess`, `cvrule replay`, `cvrule diff` (cvrule.commands_assess).
from cvrule.commands_assess import register as _register_assess  # noqa: E402

_register_assess(app)


# The web app and its accounts: `cvrule serve`, `cvrule user` (cvrule.commands_web).
from cvrule.commands_web import register as _register_web  # noqa: E402

_register_web(app)


# Filings with BIS: `cvrule authorization draft`, `advisory`, `dataflows` (cvrule.commands_filings).
from cvrule.commands_filings import register as _register_filings  # noqa: E402

_register_filings(app)
