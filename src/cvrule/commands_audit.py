"""`cvrule audit verify` and `cvrule audit log`: the command-line face of the audit log
(cvrule.store.audit). Registered on the app by `register`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from cvrule.errors import CvruleError

__all__ = ["register"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

audit_app = typer.Typer(help="Check and read the workspace's audit log: who changed what, when.", no_args_is_help=True)

WorkspaceOption = Annotated[
    Optional[Path],
    typer.Option("--workspace", help="Workspace folder (default ./cvrule-workspace or CVRULE_WORKSPACE)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _fail(message: str, code: int = 2):
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def _open(workspace: Path | None):
    from cvrule.store import Store
    from cvrule.workspace import Workspace

    space = Workspace(workspace)
    if not space.store_path.is_file():
        _fail(f"no workspace at {space.root} (load files with `cvrule ingest PATH --workspace {space.root}`)")
    try:
        return Store(space.store_path)
    except CvruleError as error:
        _fail(str(error))


@audit_app.command("verify")
def verify_command(
    workspace: WorkspaceOption = None,
    head: Annotated[Optional[str], typer.Option(
        "--head", help="A head recorded earlier, as SEQ:HASH (printed by this command): also prove that no entry "
                       "up to it was cut off or rewritten.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Check that nothing in the workspace was changed behind cvrule's back; exit 1 if something was.

    Checks the audit log's hash chain (and names the first entry changed, removed or inserted),
    the analysts' judgement log and its agreement with the audit log, and every source's facts
    against the digest recorded when they were written. Keep the head it prints somewhere else
    (the record pack, a ticket) and pass it back with --head: a chain alone cannot show its newest
    entries cut off together.
    """
    from cvrule.store import audit

    expect = None
    if head is not None:
        seq, _, digest = head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            _fail(f"--head {head!r}: expected SEQ:HASH, e.g. 42:{'0' * 64}")
        expect = (int(seq), digest.lower())
    with _open(workspace) as store:
        report = audit.verify(store, expect)
    if as_json:
        payload = {"ok": report.ok, "entries": report.entries, "judgements": report.judgements,
                   "sources": report.sources, "head": f"{report.head[0]}:{report.head[1]}",
                   "first_tampered": asdict(report.first_tampered) if report.first_tampered else None,
                   "problems": [asdict(p) for p in report.problems]}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(f"audit log: {report.entries} entries; head {report.head[0]}:{report.head[1]}", markup=False)
        out.print(f"judgement log: {report.judgements} judgements", markup=False)
        out.print(f"facts: {report.sources} sources checked against their recorded digest", markup=False)
        if report.ok:
            out.print("OK: nothing was changed behind cvrule's back", markup=False)
        else:
            out.print(f"TAMPERED: {report.first_tampered}", markup=False)
            for problem in report.problems:
                out.print(f"  {problem}", markup=False)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("log")
def log_command(
    workspace: WorkspaceOption = None,
    action: Annotated[Optional[str], typer.Option("--action", help="Only this action (ingest, resolve, review, nexus, ...).")] = None,
    subject: Annotated[Optional[str], typer.Option("--subject", help="Only entries about this subject (a source id, run id, date).")] = None,
    last: Annotated[Optional[int], typer.Option("--last", min=1, help="Only the newest N entries.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the audit log: sequence number, time (UTC), who, what, on what, and the details."""
    from cvrule.store import audit

    with _open(workspace) as store:
        found = audit.entries(store, action=action, subject=subject, last=last)
    if as_json:
        sys.stdout.write(json.dumps([entry.as_json() for entry in found], indent=2, ensure_ascii=False) + "\n")
        return
    for entry in found:
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
        if len(detail) > 200:
            detail = detail[:197] + "..."
        out.print(f"{entry.seq:>6}  {entry.logged_at.isoformat(timespec='seconds')}Z  {entry.actor}  {entry.action}  "
                  f"{entry.subject or '-'}  {detail}", markup=False)
    out.print(f"{len(found)} entries", markup=False)


def register(app: typer.Typer) -> None:
    """Add the `audit` command group to the app."""
    app.add_typer(audit_app, name="audit")
