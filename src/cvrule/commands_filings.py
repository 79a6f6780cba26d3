"""`cvrule authorization draft`, `advisory`, `dataflows` and `dataflows-template`: filings with
BIS drafted from an assessment run (cvrule.filings), the data-flow register's findings and its
XLSX template. Registered on the app by `register`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from cvrule.errors import CvruleError

__all__ = ["register"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

authorization_app = typer.Typer(
    help="Specific authorization applications (791.307), advisory opinion requests (791.310) and the data-flow "
         "register's risk findings, drafted from an assessment run.",
    no_args_is_help=True)

_FORMATS = ("json", "pdf")

TransactionsArgument = Annotated[list[str], typer.Argument(help="Transaction ids of the run (e.g. ridge-my2027-sale).")]
RunOption = Annotated[Optional[str], typer.Option(
    "--run", help="Run id (or its start) in the workspace, run folder or assessment.json (default: the latest run "
                  "in WORKSPACE/runs).")]
WorkspaceOption = Annotated[Optional[Path], typer.Option(
    "--workspace", help="Workspace folder (default ./cvrule-out/workspace); its store adds identifiers and "
                        "ownership chains.")]
OutOption = Annotated[Path, typer.Option("--out", help="Where the filing goes (default ./cvrule-out/filings).")]
DataflowsOption = Annotated[Optional[Path], typer.Option(
    "--dataflows", help="Data-flow and remote-access register, YAML or XLSX (docs/dataflows.md).")]
AnswersOption = Annotated[Optional[Path], typer.Option(
    "--answers", help="YAML answers for the items no data gives (docs/filings.md).")]
FormatOption = Annotated[Optional[list[str]], typer.Option(
    "--format", help="json or pdf (repeat it; default both).")]
ParametersOption = Annotated[Optional[Path], typer.Option(
    "--parameters", help="Directory of legal parameter files instead of the bundled ones (also CVRULE_PARAMETERS).")]


def _fail(message: str, code: int = 2):
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def _run_path(run: str | None, workspace: Path | None) -> Path:
    """The assessment.json a --run names, or the latest run's in the workspace."""
    root = (workspace or Path("cvrule-out") / "workspace") / "runs"
    if run is None:
        runs = [p for p in root.iterdir() if (p / "assessment.json").is_file()] if root.is_dir() else []
        if not runs:
            raise CvruleError(f"no run in {root}: run `cvrule assess` first, or give --run")
        return max(runs, key=lambda p: ((p / "assessment.json").stat().st_mtime_ns, p.name)) / "assessment.json"
    path = Path(run)
    if not path.exists():
        matches = sorted(p for p in root.glob(f"{run}*") if p.is_dir()) if root.is_dir() else []
        if len(matches) != 1:
            raise CvruleError(f"--run {run}: not a file, and {'no' if not matches else 'more than one'} run in {root} "
                              "starts so")
        path = matches[0]
    return path / "assessment.json" if path.is_dir() else path


def _open_store(assessment_path: Path, workspace: Path | None):
    """The store of the run's workspace, when there is one that can be opened now (else None)."""
    from cvrule.store import Store

    candidates = [workspace] if workspace else []
    if assessment_path.parent.parent.name == "runs":
        candidates.append(assessment_path.parent.parent.parent)
    for folder in candidates:
        if folder is not None and (folder / "cvrule.duckdb").is_file():
            try:
                return Store(folder / "cvrule.duckdb")
            except CvruleError as error:
                err.print(f"warning: without the workspace's store ({error})", markup=False)
                return None
    return None


def _load_assessment(path: Path):
    from cvrule.fleet.result import Assessment

    try:
        return Assessment.from_json(path.read_bytes())
    except OSError as error:
        raise CvruleError(f"{path}: cannot be read ({error.strerror or error})") from None
    except Exception as error:  # pydantic or JSON error: the file is not an assessment
        raise CvruleError(f"{path}: not an assessment ({type(error).__name__}: {str(error)[:200]})") from None


def _evidence(transactions, run, workspace, dataflows):
    from cvrule.filings import RunEvidence, load_register

    path = _run_path(run, workspace)
    assessment = _load_assessment(path)
    register = load_register(dataflows) if dataflows else None
    store = _open_store(path, workspace)
    return RunEvidence.of(assessment, transactions, store=store, register=register)


def _covered(assessment, parameters: Path | None) -> tuple[str, ...]:
    from cvrule.filings import covered_jurisdictions
    from cvrule.law import Law
    from cvrule.report.views import report_date

    return covered_jurisdictions(Law.load(parameters), report_date(assessment))


def _draft(kind: str, transactions, run, workspace, out_dir, dataflows, answers_file, formats, parameters) -> None:
    from cvrule.filings import (ADVISORY_KEYS, APPLICATION_KEYS, draft_advisory_request, draft_application,
                                load_answers, render_filing_json, render_filing_pdf)
    from cvrule.workspace import sha256_file

    unknown = [f for f in formats or () if f not in _FORMATS]
    if unknown:
        _fail(f"--format {unknown[0]!r}: expected json or pdf")
    draft, prefix = ((draft_application, "application") if kind == "application" else
                     (draft_advisory_request, "advisory-opinion-request"))
    try:
        evidence = _evidence(transactions, run, workspace, dataflows)
        # One answers file may serve both filings: keys of either kind are accepted.
        answers = load_answers(answers_file, set(APPLICATION_KEYS | ADVISORY_KEYS)) if answers_file else None
        filing = draft(evidence, _covered(evidence.assessment, parameters), answers)
    except CvruleError as error:
        _fail(str(error))
    inputs = {p.name: sha256_file(p)[0] for p in (dataflows, answers_file) if p is not None}
    filing = filing.model_copy(update={"inputs": inputs})
    ids = [t.id for t in filing.transactions]
    name = f"{prefix}-{ids[0]}" + (f"-and-{len(ids) - 1}-more" if len(ids) > 1 else "")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats or _FORMATS:
        data = render_filing_json(filing) if fmt == "json" else render_filing_pdf(filing)
        target = out_dir / f"{name}.{fmt}"
        target.write_bytes(data)
        written.append(target)
    counts = {s: sum(1 for i in filing.items if i.status == s) for s in ("complete", "partial", "missing")}
    out.print(f"{filing.title}: {len(filing.items)} items ({counts['complete']} complete, {counts['partial']} partial, "
              f"{counts['missing']} missing) for {', '.join(ids)} of run {filing.run_id}", markup=False)
    for note in filing.notes:
        out.print(f"note: {note}", markup=False)
    if filing.missing:
        out.print("still to provide (as keys of --answers FILE):", markup=False)
        for gap in filing.missing:
            out.print(f"  {gap.key}: {gap.provide}", markup=False)
    high = [f for f in filing.findings if f.severity == "high"]
    if filing.findings:
        out.print(f"data-flow findings: {len(filing.findings)} ({len(high)} high)", markup=False)
    out.print("wrote " + ", ".join(str(p) for p in written), markup=False)


def draft_command(
    transactions: TransactionsArgument,
    run: RunOption = None,
    workspace: WorkspaceOption = None,
    out_dir: OutOption = Path("cvrule-out") / "filings",
    dataflows: DataflowsOption = None,
    answers: AnswersOption = None,
    formats: FormatOption = None,
    parameters: ParametersOption = None,
) -> None:
    """Draft an application for a specific authorization (15 CFR 791.307(c)) for TRANSACTIONS.

    Every item 791.307(c)(1)-(8) asks for is filled from the run (parties with identifiers and
    ownership, the items at issue and who designs, develops, manufactures, supplies them, the
    vehicles, the input files) with its source, or from --answers; what neither gives is listed
    as missing with what to provide. With --dataflows the data flows of the items at issue and
    their risk findings are added. Writes OUT/application-TRANSACTION.json and .pdf.
    """
    _draft("application", transactions, run, workspace, out_dir, dataflows, answers, formats, parameters)


def advisory_command(
    transactions: TransactionsArgument,
    run: RunOption = None,
    workspace: WorkspaceOption = None,
    out_dir: OutOption = Path("cvrule-out") / "filings",
    dataflows: DataflowsOption = None,
    answers: AnswersOption = None,
    formats: FormatOption = None,
    parameters: ParametersOption = None,
) -> None:
    """Draft a request for an advisory opinion (15 CFR 791.310) on TRANSACTIONS.

    The items of 791.310(a) and (c)(1)-(7) are filled like `authorization draft`'s; the
    questions presented are drafted from the decisions and their open facts. Writes
    OUT/advisory-opinion-request-TRANSACTION.json and .pdf.
    """
    _draft("advisory", transactions, run, workspace, out_dir, dataflows, answers, formats, parameters)


def dataflows_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Data-flow registers (YAML or XLSX) and CycloneDX BOMs whose services to read (docs/dataflows.md).")],
    run: RunOption = None,
    workspace: WorkspaceOption = None,
    parameters: ParametersOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check data-flow registers against a run: the risk findings of every entry.

    Each of PATHS is a register (YAML or XLSX) or a CycloneDX BOM (JSON or XML) whose
    `services` are read as data flows; all are merged into one register. A party of the
    register that is (or may be) linked to the PRC or Russia, or a hosting or command country
    that is a covered jurisdiction, is a finding, whatever the hardware; a flow whose hosting
    country is not stated is one to review. Findings are risk information, separate from the
    legal outcome. Exit 1 when a high finding exists.
    """
    from cvrule.filings import register_findings
    from cvrule.filings.dataflows import merge_registers

    try:
        found = []
        for path in paths:
            loaded = _read_register(path)
            if loaded is None:
                err.print(f"note: {path}: the BOM declares no services", markup=False)
            else:
                found.append(loaded)
        if not found:
            raise CvruleError("no data flows: none of the files is a register or a BOM with services")
        merged = merge_registers(*found)
        path = _run_path(run, workspace)
        assessment = _load_assessment(path)
        findings = register_findings(merged, assessment, _covered(assessment, parameters), _open_store(path, workspace))
    except CvruleError as error:
        _fail(str(error))
    if as_json:
        print(json.dumps([f.model_dump(mode="json") for f in findings], indent=2, sort_keys=True))
    else:
        for f in findings:
            where = f.bom + (f" / {f.component}" if f.component else "")
            out.print(f"{f.severity:<6} {where} [{f.entry}]: {f.says}", markup=False)
        out.print(f"{len(findings)} findings for run {assessment.run_id}", markup=False)
    if any(f.severity == "high" for f in findings):
        raise typer.Exit(1)


def _read_register(path: Path):
    """A register file (YAML, XLSX) as it is, or the register of a CycloneDX BOM's services (None
    when it declares none): a .json or .xml file, or one whose content starts like JSON or XML."""
    from cvrule.filings.dataflows import load_register
    from cvrule.filings.dataflows_cyclonedx import register_from_cyclonedx

    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".xlsx"):
        return load_register(path)
    if suffix in (".json", ".xml"):
        return register_from_cyclonedx(path)
    try:
        with open(path, "rb") as stream:
            head = stream.read(1024).removeprefix(b"\xef\xbb\xbf").lstrip()
    except OSError as error:
        raise CvruleError(f"{path}: cannot be read ({error.strerror or error})") from None
    return register_from_cyclonedx(path) if head[:1] in (b"{", b"<") else load_register(path)


def dataflows_template_command(
    out_file: Annotated[Path, typer.Argument(help="Where the workbook goes (.xlsx).")],
    source: Annotated[Optional[Path], typer.Option(
        "--from", help="A register (YAML or XLSX) to write into the workbook instead of leaving it empty.")] = None,
) -> None:
    """Write the XLSX template of the data-flow register (docs/dataflows.md).

    Sheets parties, items, flows and remote_access with a header row, drop-downs for the
    enumerated columns (data, direction, capability) and an instructions sheet; with --from, a
    register's entries filled in. `cvrule authorization dataflows` reads the workbook back.
    """
    from cvrule.filings.dataflows import load_register
    from cvrule.filings.dataflows_xlsx import write_register_xlsx

    if out_file.suffix.lower() != ".xlsx":
        _fail(f"{out_file}: expected a file name ending in .xlsx")
    try:
        register = load_register(source) if source else None
        out_file.parent.mkdir(parents=True, exist_ok=True)
        write_register_xlsx(out_file, register)
    except CvruleError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{out_file}: cannot be written ({error.strerror or error})")
    entries = "" if register is None else f" with the {len(register.items)} items of {source}"
    out.print(f"wrote {out_file}{entries}", markup=False)


def register(app: typer.Typer) -> None:
    authorization_app.command("draft")(draft_command)
    authorization_app.command("advisory")(advisory_command)
    authorization_app.command("dataflows")(dataflows_command)
    authorization_app.command("dataflows-template")(dataflows_template_command)
    app.add_typer(authorization_app, name="authorization")
