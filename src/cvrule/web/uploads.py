"""Files uploaded through the web app: received into a staging folder (streamed, hashed, size
limited), then placed into `<workspace>/inputs/` under their own name.

A name keeps the folders it was given with (`boms/tcu.cdx.json`, as a fleet manifest refers to
it), each part checked: no `..`, no hidden or empty parts, no absolute path, nothing outside
the inputs folder. A file never silently replaces a different one of the same name: it is
refused unless the user asked to replace it, and a replaced file is kept aside until its
successor has been read (and put back when it could not be). Whatever was replaced stays in the
workspace's evidence store, content-addressed, like every input ever read.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from cvrule.errors import CvruleError

__all__ = ["Placed", "Staged", "UploadError", "check_name", "place", "stage"]

_PART = re.compile(r"[^\x00-\x1f/\\:*?\"<>|]{1,200}")
MAX_DEPTH = 6


class UploadError(CvruleError):
    """An uploaded file that cannot be taken: the message names it and says why."""


@dataclass(frozen=True)
class Staged:
    name: str
    """Where it goes, relative to the inputs folder, with forward slashes."""
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Placed:
    target: Path
    aside: Path | None
    """The file it replaced, kept aside until the new one has been read; None when it replaced none."""

    def undo(self) -> None:
        """Take the new file out and put back the one it replaced."""
        self.target.unlink(missing_ok=True)
        if self.aside is not None:
            os.replace(self.aside, self.target)

    def commit(self) -> None:
        if self.aside is not None:
            self.aside.unlink(missing_ok=True)


def check_name(filename: str, folder: str | None = None) -> str:
    """The relative name an upload goes to, or an UploadError saying what is wrong with it."""
    raw = (filename or "").replace("\\", "/")
    parts = [p for p in (folder or "").replace("\\", "/").split("/") if p] + raw.split("/")
    if not raw.strip() or not parts:
        raise UploadError("a file without a name: give each file a name")
    if raw.startswith("/") or (folder or "").startswith(("/", "\\")):
        raise UploadError(f"{filename!r}: an absolute path; give a name inside the inputs folder")
    if len(parts) > MAX_DEPTH:
        raise UploadError(f"{filename!r}: more than {MAX_DEPTH} folders deep")
    for part in parts:
        if part in ("", ".", "..") or part.startswith(".") or part != part.strip() or not _PART.fullmatch(part):
            raise UploadError(f"{'/'.join(parts)!r}: {part!r} is not allowed in a file name (no '..', no hidden "
                              "names, no control or special characters)")
    return str(PurePosixPath(*parts))


def stage(stream: BinaryIO, name: str, staging: Path, max_bytes: int) -> Staged:
    """Copy an upload into the staging folder, hashing it; refuse it past `max_bytes` or empty."""
    staging.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=staging, prefix=".upload-")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError(f"{name}: larger than the upload limit of {max_bytes / 1e6:,.0f} MB "
                                      "(CVRULE_WEB_MAX_UPLOAD_MB)")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadError(f"{name}: is empty")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Staged(name, Path(temporary), digest.hexdigest(), size)


def existing_digest(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def place(staged: Staged, inputs: Path, replace: bool) -> Placed | None:
    """Put a staged file into the inputs folder. None when the same content is already there
    under that name; an UploadError when a different file is, and `replace` was not asked for."""
    target = inputs / staged.name
    for parent in _parents(target, inputs):
        if parent.exists() and not parent.is_dir():
            raise UploadError(f"{staged.name}: {parent.relative_to(inputs).as_posix()} is a file in the inputs, not a folder")
    if target.is_dir():
        raise UploadError(f"{staged.name}: a folder of that name is in the inputs")
    current = existing_digest(target)
    if current == staged.sha256:
        staged.path.unlink(missing_ok=True)
        return None
    aside = None
    if current is not None:
        if not replace:
            raise UploadError(f"{staged.name}: a different file of that name is already in the inputs; upload it "
                              "again with 'replace' ticked to replace it (the old one stays in the evidence store)")
        aside = target.with_name(f".replaced-{target.name}")
        os.replace(target, aside)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staged.path), target)
    return Placed(target, aside)


def _parents(target: Path, root: Path) -> Iterator[Path]:
    current = target.parent
    while current != root and root in current.parents:
        yield current
        current = current.parent
