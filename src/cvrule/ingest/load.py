"""Loading files into a workspace: detect, parse and store each file in its own transaction,
holding the workspace lock throughout (cvrule.workspace).

A folder holds more than inputs: a file found in a folder that is plainly not an input (a fleet
manifest, a README, a script: `detect.NotAnInput`) is skipped with the outcome `skipped` and
the message "skipped: not an input (...)". The same file named on its own is an error."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from cvrule.errors import InputError
from cvrule.ingest.arrow_memory import malloc_for_arrow
from cvrule.ingest.base import Format, is_dataflow_register, is_fleet_manifest, read_head
from cvrule.ingest.detect import NotAnInput, detect
from cvrule.ingest.limits import Limits
from cvrule.store import IngestOutcome, Store
from cvrule.workspace import Workspace, sha256_file

__all__ = ["FoundInFolder", "collect_files", "ingest_paths"]


class FoundInFolder(type(Path())):  # type: ignore[misc]  # the concrete Path class of this system
    """A file found by searching a folder, not named by the user."""


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given; directories searched recursively, hidden files and folders skipped. The
    files found in a folder are `FoundInFolder` paths (and stay so when collected again)."""
    found: list[Path] = []
    for path in (p if isinstance(p, Path) else Path(p) for p in paths):
        if path.is_dir():
            found.extend(sorted(
                FoundInFolder(p) for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ))
        else:
            found.append(path)
    return found


def ingest_paths(
    workspace: Workspace,
    paths: Iterable[Path | str],
    limits: Limits | None = None,
    on_file: Callable[[Path, IngestOutcome], None] | None = None,
    on_start: Callable[[Path], None] | None = None,
    actor: str | None = None,
) -> list[IngestOutcome]:
    """Ingest each file in its own transaction; `actor` is who the audit log names (default: the
    CVRULE_USER or login name)."""
    limits = limits or Limits.from_env()
    workspace.create()
    outcomes = []
    with workspace.lock("cvrule ingest"), Store(workspace.store_path) as store, malloc_for_arrow():
        for path in collect_files(paths):
            if on_start:
                on_start(path)
            outcome = _ingest_one(workspace, store, path, limits, actor)
            outcomes.append(outcome)
            if on_file:
                on_file(path, outcome)
    return outcomes


def _format_of(path: Path) -> Format:
    """`detect(path)`, without importing every format module first when the file is CycloneDX
    JSON: that is the first format detect() tries (a test pins it), so when its sniffer claims the
    file, detect() returns it too."""
    from cvrule.ingest import cyclonedx

    head = read_head(path)
    if head.strip() and not is_fleet_manifest(head) and not is_dataflow_register(head):
        try:
            claimed = cyclonedx.sniff_json(head, path)
        except Exception:  # as in detect(): a sniffer that cannot read the head does not claim the file
            claimed = False
        if claimed:
            return cyclonedx.FORMATS[0]
    return detect(path)


def _ingest_one(workspace: Workspace, store: Store, path: Path, limits: Limits, actor: str | None = None) -> IngestOutcome:
    key = str(path.resolve())
    try:
        if not path.is_file():
            raise InputError(str(path), None, "does not exist or is not a file")
        source_id, size = sha256_file(path)
    except OSError as error:
        outcome = IngestOutcome(key, "", "failed", message=f"{path}: cannot be read: {error.strerror}")
        store.record(outcome)
        return outcome
    except InputError as error:
        outcome = IngestOutcome(key, "", "failed", message=str(error))
        store.record(outcome)
        return outcome
    if store.source_of(key) == source_id:
        outcome = IngestOutcome(key, source_id, "unchanged")
        store.record(outcome)
        return outcome
    if store.has_source(source_id):
        return store.map_path(key, source_id, actor)
    try:
        fmt = _format_of(path)
        workspace.keep(path, source_id)

        def parse():
            parsed = fmt.parse(path, limits)
            return parsed.source, parsed.facts

        return store.ingest(key, source_id, size, parse, actor=actor, max_string_bytes=limits.max_string_bytes)
    except NotAnInput as error:
        if isinstance(path, FoundInFolder):
            outcome = IngestOutcome(key, source_id, "skipped", message=f"{path}: skipped: not an input ({error.reason})")
        else:
            outcome = IngestOutcome(key, source_id, "failed", message=str(error))
    except InputError as error:
        outcome = IngestOutcome(key, source_id, "failed", message=str(error))
    except Exception as error:  # a parser bug must not stop the other files; it is reported as one
        outcome = IngestOutcome(key, source_id, "failed",
                                message=f"{path}: internal error while reading ({type(error).__name__}: {error}); nothing was written")
    store.record(outcome)
    return outcome
