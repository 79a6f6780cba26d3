"""A workspace: a folder holding the embedded store and the evidence (every input file kept,
content-addressed, for the 10-year record of 791.312).

One process writes a workspace at a time: a writing command holds `Workspace.lock()` (an
exclusive `flock` on `<workspace>/.lock`) for as long as it runs, and a second one is refused at
once with a `WorkspaceBusyError` naming the holder's pid and command. The kernel releases the lock
when its holder exits, however it exits (a SIGKILL too), so a lock is never left stale. Taking
the lock also clears what a killed writer may have left half-done (`.incoming-*` copies in the
evidence folder, `.nexus-*` scratch folders): nobody else can be using them then.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from cvrule.errors import WorkspaceBusyError

__all__ = ["DEFAULT_WORKSPACE", "Workspace", "WorkspaceBusyError", "sha256_file"]

# Locks this process holds: resolved root -> [file descriptor, depth]. A writing command that
# calls a library function that locks too (ingest_paths, nexus_workspace) just goes one level deeper.
_HELD: dict[Path, list[int]] = {}
_HELD_GUARD = threading.Lock()

DEFAULT_WORKSPACE = Path("cvrule-workspace")


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class Workspace:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root or os.environ.get("CVRULE_WORKSPACE") or DEFAULT_WORKSPACE)
        self.store_path = self.root / "cvrule.duckdb"
        self.evidence = self.root / "evidence"

    def create(self) -> Workspace:
        self.evidence.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def lock_path(self) -> Path:
        return self.root / ".lock"

    @contextmanager
    def lock(self, command: str | None = None, wait: float = 0.0) -> Iterator[None]:
        """Hold the workspace for writing while the block runs (re-entrant within a process).

        `command` is what the holder is doing, shown to anyone refused; `wait` is how many seconds
        to keep trying before giving up (default: refuse at once)."""
        self.root.mkdir(parents=True, exist_ok=True)
        key = self.root.resolve()
        with _HELD_GUARD:
            held = _HELD.get(key)
            if held:
                held[1] += 1
        if held:
            try:
                yield
            finally:
                with _HELD_GUARD:
                    held[1] -= 1
            return
        descriptor = self._acquire(command, wait)
        with _HELD_GUARD:
            _HELD[key] = [descriptor, 1]
        try:
            self._clear_leftovers()
            yield
        finally:
            with _HELD_GUARD:
                del _HELD[key]
            os.close(descriptor)  # closing the descriptor releases the flock

    def _acquire(self, command: str | None, wait: float) -> int:
        descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read_holder(descriptor)
                    os.close(descriptor)
                    raise WorkspaceBusyError(
                        f"workspace {self.root} is being written by another process ({holder}); "
                        "wait for it to finish, then run this command again") from None
                time.sleep(0.1)
            except BaseException:
                os.close(descriptor)
                raise
        holder = {
            "pid": os.getpid(),
            "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300],
            "host": socket.gethostname(),
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(holder).encode(), 0)
        return descriptor

    def _clear_leftovers(self) -> None:
        """Remove the half-done work of a writer that was killed (we hold the lock: it is not running)."""
        for partial in self.evidence.glob("*/.incoming-*"):
            partial.unlink(missing_ok=True)
        for scratch in self.root.glob(".nexus-*"):
            shutil.rmtree(scratch, ignore_errors=True)

    def evidence_path(self, source_id: str) -> Path:
        return self.evidence / source_id[:2] / source_id

    def keep(self, path: Path, source_id: str) -> Path:
        """Copy an input into the evidence store under its hash (atomically; once per content)."""
        target = self.evidence_path(source_id)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        os.close(handle)
        try:
            shutil.copyfile(path, temporary)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return target


def _read_holder(descriptor: int) -> str:
    """Who holds the lock, from what it wrote into the lock file."""
    try:
        raw = os.pread(descriptor, 4096, 0)
        info = json.loads(raw) if raw else {}
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "a process that has not said which"
    text = f"pid {info['pid']}"
    if info.get("host") and info["host"] != socket.gethostname():
        text += f" on {info['host']}"
    if info.get("command"):
        text += f": {info['command']}"
    if info.get("since"):
        text += f", since {info['since']}"
    return text
