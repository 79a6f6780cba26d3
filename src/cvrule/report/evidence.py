"""Inputs copied out of a workspace's evidence store, each checked against its SHA-256 once.

An assessment's Declaration packages attach its BOMs and its record pack keeps every input:
the same files (gigabytes for a large fleet), copied on two threads at once (`cvrule.fleet.assess`).
Hashing is most of that work (SHA-256 at about 0.5 GB/s on the 2-core benchmark machine,
against 2.6 GB/s for a plain copy), so the writers share one `EvidenceStore`: the first to copy
an input hashes it as it copies and fails if it does not match its name; a later one copies
plainly, and one that comes while the check runs waits for its outcome.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from cvrule.errors import InputError

__all__ = ["EvidenceStore"]

_CHUNK = 1 << 20


class EvidenceStore:
    """A workspace's evidence store (`<workspace>/evidence`, each input kept as `<sha[:2]>/<sha>`)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._verified: set[str] = set()
        self._failures: dict[str, InputError] = {}
        self._running: dict[str, threading.Event] = {}

    def path(self, sha: str, missing: str) -> Path:
        """The file of input `sha`; `missing`: what to say when the store does not hold it."""
        source = self.folder / sha[:2] / sha
        if not source.is_file():
            raise InputError(str(source), None, missing)
        return source

    def copy_to(self, sha: str, target: Path, missing: str, altered: str) -> None:
        """Copy input `sha` to the file `target`, checked against its hash (`altered`: what to say
        when it does not match)."""
        source = self.path(sha, missing)
        if self._checked(sha):
            shutil.copyfile(source, target)
            return
        with open(target, "wb") as writer:
            self._check_while(sha, source, altered, writer.write)

    def stream(self, sha: str, write: Callable[[bytes], object], missing: str, altered: str) -> int:
        """Feed input `sha`'s bytes to `write`, checked against its hash; return its size."""
        source = self.path(sha, missing)
        if not self._checked(sha):
            return self._check_while(sha, source, altered, write)
        size = 0
        with open(source, "rb") as reader:
            while chunk := reader.read(_CHUNK):
                size += len(chunk)
                write(chunk)
        return size

    def _checked(self, sha: str) -> bool:
        """True when input `sha` was checked already (waiting for a check under way); False when
        the caller is to check it. Raises the error a check of it found."""
        while True:
            with self._lock:
                if sha in self._verified:
                    return True
                if sha in self._failures:
                    raise self._failures[sha]
                running = self._running.get(sha)
                if running is None:
                    self._running[sha] = threading.Event()
                    return False
            running.wait()  # then verified, failed, or not checked (its reader failed): look again

    def _check_while(self, sha: str, source: Path, altered: str, write: Callable[[bytes], object]) -> int:
        digest = hashlib.sha256()
        size = 0
        try:
            with open(source, "rb") as reader:
                while chunk := reader.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    write(chunk)
            with self._lock:
                if digest.hexdigest() != sha:
                    self._failures[sha] = InputError(str(source), None, altered)
                    raise self._failures[sha]
                self._verified.add(sha)
        finally:
            with self._lock:
                self._running.pop(sha).set()
        return size
