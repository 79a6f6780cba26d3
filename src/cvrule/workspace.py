"""A workspace: a folder holding the embedded store and the evidence (every input file kept,
content-addressed, for the 10-year record of 791.312)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["DEFAULT_WORKSPACE", "Workspace", "sha256_file"]

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
