"""Loading files into a workspace: detect, parse and store each file in its own transaction,
holding the workspace lock throughout (cvrule.workspace)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from cvrule.errors import InputError
from cvrule.ingest.detect import detect
from cvrule.ingest.limits import Limits
from cvrule.store import IngestOutcome, Store
from cvrule.workspace import Workspace, sha256_file

__all__ = ["collect_files", "ingest_paths"]


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given; directories searched recursively, hidden files and folders skipped."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(
                p for p in path.rglob("*")
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
) -> list[IngestOutcome]:
    limits = limits or Limits.from_env()
    workspace.create()
    outcomes = []
    with workspace.lock("cvrule ingest"), Store(workspace.store_path) as store:
        for path in collect_files(paths):
            if on_start:
                on_start(path)
            outcome = _ingest_one(workspace, store, path, limits)
            outcomes.append(outcome)
            if on_file:
                on_file(path, outcome)
    return outcomes


def _ingest_one(workspace: Workspace, store: Store, path: Path, limits: Limits) -> IngestOutcome:
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
        return store.map_path(key, source_id)
    try:
        fmt = detect(path)
        workspace.keep(path, source_id)

        def parse():
            parsed = fmt.parse(path, limits)
            return parsed.source, parsed.facts

        return store.ingest(key, source_id, size, parse, max_string_bytes=limits.max_string_bytes)
    except InputError as error:
        outcome = IngestOutcome(key, source_id, "failed", message=str(error))
    except Exception as error:  # a parser bug must not stop the other files; it is reported as one
        outcome = IngestOutcome(key, source_id, "failed",
                                message=f"{path}: internal error while reading ({type(error).__name__}: {error}); nothing was written")
    store.record(outcome)
    return outcome
