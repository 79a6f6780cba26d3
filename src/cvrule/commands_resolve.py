"""The resolution commands: `cvrule resolve`, `cvrule review`, `cvrule match` (thin: they translate
options into calls to cvrule.resolve and print what comes back)."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from cvrule.errors import CvruleError

__all__ = ["match_command", "register", "resolve_command", "review_command"]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

WorkspaceOption = Annotated[
    Optional[Path],
    typer.Option("--workspace", help="Workspace folder (default ./cvrule-workspace or CVRULE_WORKSPACE)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _workspace(workspace: Path | None, must_exist: bool = True):
    from cvrule.workspace import Workspace

    space = Workspace(workspace)
    if must_exist and not space.store_path.is_file():
        err.print(f"error: no workspace at {space.root} (load files with `cvrule ingest PATH --workspace {space.root}`)",
                  markup=False)
        raise typer.Exit(2)
    return space


def _store(workspace: Path | None, must_exist: bool = True):
    from cvrule.store import Store

    return Store(_workspace(workspace, must_exist).store_path)


@contextmanager
def _writing(workspace: Path | None):
    """The store, with the workspace held for writing (a second writer is refused, naming us)."""
    from cvrule.store import Store

    space = _workspace(workspace)
    with space.lock(), Store(space.store_path) as store:
        yield store


def _fail(error: CvruleError) -> None:
    err.print(f"error: {error}", markup=False)
    raise typer.Exit(2)


def _dump(payload) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def _features(features: list[dict], indent: str = "      ") -> None:
    for feature in features:
        values = ""
        if feature.get("query") is not None or feature.get("candidate") is not None:
            values = f" [{feature.get('query')!s} | {feature.get('candidate')!s}]"
        out.print(f"{indent}{feature['feature']} {feature['score']:+.2f}{values}: {feature['detail']}", markup=False)


def resolve_command(
    workspace: WorkspaceOption = None,
    as_json: JsonOption = False,
    todo: Annotated[bool, typer.Option("--todo", help="Also list the work left: whom to ask for what, what to review.")] = False,
) -> None:
    """Link every supplier, manufacturer and developer the loaded files name to a party, and screen them.

    Identifiers first (LEI, USCC, OGRN, INN, DUNS, BPNL, web/e-mail domain, package URL), then
    names (legal forms, Chinese and Cyrillic transliteration, token weights, country). Prints the
    mentions by outcome and every screening-list hit; analyst decisions from `cvrule review` are
    applied. Thresholds: CVRULE_RESOLVE_LINK_THRESHOLD, CVRULE_RESOLVE_REVIEW_THRESHOLD (docs/resolve.md).
    """
    from cvrule.resolve import ResolveSettings, resolve_store, work_to_do
    from cvrule.resolve.status import group_screening_hits

    try:
        settings = ResolveSettings.from_env()
        with _writing(workspace) as store:
            if as_json:
                report = resolve_store(store, settings)
            else:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

                with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                              transient=True) as bar:
                    tasks: dict[str, int] = {}

                    def progress(stage: str, done: int, total: int) -> None:
                        if stage not in tasks:
                            tasks[stage] = bar.add_task(stage, total=total)
                        bar.update(tasks[stage], completed=done)

                    report = resolve_store(store, settings, progress=progress)
            work = work_to_do(store) if todo else []
    except CvruleError as error:
        _fail(error)
    counts = report.counts
    if as_json:
        payload = {"run_id": report.run_id, "seconds": round(report.seconds, 3), "counts": counts,
                   "screening_flags": [{k: v for k, v in flag.items() if k != "run_id"} for flag in report.flags]}
        if todo:
            payload["work"] = [vars(item) for item in work]
        _dump(payload)
        return
    linked = counts["linked_file"] + counts["linked_identifier"] + counts["linked_name"] + counts["linked_analyst"]
    out.print(f"{counts['mentions']} mentions ({counts['subjects']} distinct) against {counts['parties']} parties "
              f"and {counts['list_entries']} list entries in {report.seconds:.1f} s", markup=False)
    out.print(f"  linked      {linked:>8}  (file {counts['linked_file']}, identifier {counts['linked_identifier']}, "
              f"name {counts['linked_name']}, analyst {counts['linked_analyst']})", markup=False)
    out.print(f"  review      {counts['review']:>8}", markup=False)
    out.print(f"  unresolved  {counts['unresolved']:>8}", markup=False)
    out.print(f"  screening flags {counts['screening_flags']}", markup=False)
    for hit in group_screening_hits(report.flags):
        flag = max(hit, key=lambda row: row["score"])
        more = f"; also {', '.join(row['candidate_id'] for row in hit if row is not flag)}" if len(hit) > 1 else ""
        out.print(f"    FLAG {flag['candidate_id']} {flag['decision']} {flag['score']:.2f}: {flag['subject_name']!r} ~ "
                  f"{flag['target_name']!r} on {flag['list_name']} ({flag['status']}{more})", markup=False)
    if counts["review"] or counts["screening_flags"]:
        out.print("Decide the pending candidates with `cvrule review`.", markup=False)
    for item in work:
        out.print(f"  TODO ask {item.whom}: {item.what}" if item.kind == "ask_supplier"
                  else f"  TODO {item.whom}: {item.what}", markup=False)


def review_command(
    workspace: WorkspaceOption = None,
    confirm: Annotated[Optional[str], typer.Option("--confirm", help="Confirm the candidate with this id.")] = None,
    reject: Annotated[Optional[str], typer.Option("--reject", help="Reject the candidate with this id (needs --reason).")] = None,
    alias_of: Annotated[Optional[str], typer.Option("--alias-of", help="Add --name as another name of this party key or list entry (LIST:KEY).")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="The alias to add with --alias-of.")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (kept in the audit log).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who decides (default CVRULE_USER or the login name).")] = None,
    todo: Annotated[bool, typer.Option("--todo", help="List all work left instead: suppliers to ask, candidates to decide.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List the candidates waiting for an analyst, or record a decision on one.

    Decisions are appended to the audit log with who, when and why, applied at once and on
    every later `cvrule resolve`: a confirmed pair stays linked, a rejected pair never comes back.
    """
    from cvrule.resolve import add_alias, current_actor, pending, work_to_do
    from cvrule.resolve import confirm as confirm_candidate
    from cvrule.resolve import reject as reject_candidate

    actor = by or current_actor()
    actions = [a for a in (confirm, reject, alias_of) if a]
    if len(actions) > 1:
        err.print("error: give one of --confirm, --reject, --alias-of", markup=False)
        raise typer.Exit(2)
    try:
        with (_writing(workspace) if actions else _store(workspace)) as store:
            if confirm:
                row = confirm_candidate(store, confirm, actor, reason)
                out.print(f"confirmed {confirm}: {row.subject_key} -> {row.target_ref} (by {row.actor}, judgement {row.seq})",
                          markup=False)
                return
            if reject:
                row = reject_candidate(store, reject, actor, reason or "")
                out.print(f"rejected {reject}: {row.subject_key} -/-> {row.target_ref} (by {row.actor}, judgement {row.seq})",
                          markup=False)
                return
            if alias_of:
                if not name:
                    err.print("error: --alias-of needs --name", markup=False)
                    raise typer.Exit(2)
                row = add_alias(store, alias_of, name, actor, reason)
                out.print(f"alias {name!r} added to {alias_of} (by {row.actor}, judgement {row.seq}); "
                          "run `cvrule resolve` to use it", markup=False)
                return
            if todo:
                work = work_to_do(store)
                if as_json:
                    _dump([vars(item) for item in work])
                    return
                for item in work:
                    out.print(f"{item.kind}: {item.whom}: {item.what}", markup=False)
                out.print(f"{len(work)} work items", markup=False)
                return
            rows = pending(store)
    except CvruleError as error:
        _fail(error)
    if as_json:
        _dump(rows)
        return
    for row in rows:
        what = f"on {row['list_name']}" if row["purpose"] == "screening" else "party"
        out.print(f"{row['candidate_id']}  {row['purpose']:<9} {row['decision']:<6} {row['score']:.2f}  "
                  f"{row['subject_name']!r} -> {row['target_name']!r} ({what} {row['target_ref']})", markup=False)
        _features(row["features"])
    out.print(f"{len(rows)} candidates waiting; decide with --confirm ID or --reject ID --reason TEXT", markup=False)


def match_command(
    name: Annotated[str, typer.Argument(help="The name to look up, as a file or a person would write it.")],
    country: Annotated[Optional[str], typer.Option("--country", help="Country of the named party (code or name).")] = None,
    identifier: Annotated[Optional[list[str]], typer.Option("--id", help="An identifier as SCHEME=VALUE (lei, uscc, ogrn, inn, duns, bpnl, url, email); repeatable.")] = None,
    workspace: WorkspaceOption = None,
    limit: Annotated[int, typer.Option("--limit", help="Most candidates to show.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Look up one name against the workspace's parties and loaded screening lists.

    Prints the ranked candidates, each with its id, name, score, decision (link, review or none)
    and the features that make up the score.
    """
    from cvrule.resolve import ResolveSettings, match_name

    identifiers: dict[str, str] = {}
    for item in identifier or []:
        scheme, _, value = item.partition("=")
        if not value:
            err.print(f"error: --id {item!r}: expected SCHEME=VALUE", markup=False)
            raise typer.Exit(2)
        identifiers[scheme.strip().lower()] = value.strip()
    try:
        settings = ResolveSettings.from_env()
        with _store(workspace, must_exist=False) as store:
            found = match_name(store, name, country, identifiers, settings, limit)
    except CvruleError as error:
        _fail(error)
    if as_json:
        _dump({"query": {"name": name, "country": country, "identifiers": identifiers},
               "thresholds": {"link": settings.link_threshold, "review": settings.review_threshold},
               "candidates": [c.as_json() for c in found]})
        return
    if not found:
        out.print(f"no candidate for {name!r}", markup=False)
        return
    for rank, candidate in enumerate(found, start=1):
        target = candidate.target
        where = f"on {target.list_name}" if target.list_name else "party"
        countries = ", ".join(target.countries) or "-"
        out.print(f"{rank}. {candidate.candidate_id}  {candidate.decision:<6} {candidate.score:.2f}  {target.name!r} "
                  f"({where} {target.ref}; {countries})", markup=False)
        _features([f.as_json() for f in candidate.features], indent="     ")


def register(app: typer.Typer) -> None:
    """Add the resolution commands to the `cvrule` app."""
    app.command("resolve")(resolve_command)
    app.command("review")(review_command)
    app.command("match")(match_command)
