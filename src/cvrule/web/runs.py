"""The assessment runs of a workspace, as the web app reads them, and the one call that makes one.

A run is a folder `<workspace>/runs/<run id>/` holding `assessment.json` (a
`cvrule.fleet.result.Assessment`), `reports/`, `declarations/` and `record-pack.zip`, as
`cvrule.fleet.assess.assess` writes it. The latest run is the one whose assessment.json is newest.
Inputs uploaded through the web app are kept in `<workspace>/inputs/`, and `run_assessment`
assesses that folder.

Reading an assessment is cached by file, modification time and size, so pages served from the
same run parse its JSON once.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cvrule.fleet.result import Assessment
from cvrule.report.views import ReportData, build
from cvrule.workspace import Workspace

__all__ = ["ASSESSMENT", "INPUTS", "RUNS", "Run", "RunFile", "RunIndex", "inputs_folder", "run_assessment"]

RUNS = "runs"
INPUTS = "inputs"
ASSESSMENT = "assessment.json"
LATEST = "latest"
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def inputs_folder(workspace: Workspace) -> Path:
    return workspace.root / INPUTS


def run_assessment(workspace: Workspace, on_stage: Callable[..., None] | None = None) -> Path:
    """Assess the workspace's inputs folder; return the new run's folder. The seam between the
    web app and the fleet assessment: `create_app(assessor=...)` replaces it in tests.

    The reports are written into a scratch folder beside the runs, then moved into the run's
    `reports/` (and its Declarations into `declarations/`) unless the assessment put them there."""
    from cvrule.fleet.assess import assess

    scratch = workspace.root / RUNS / f".out-{secrets.token_hex(6)}"
    try:
        run_dir = Path(assess(inputs_folder(workspace), out=scratch, workspace=workspace, on_stage=on_stage).run_dir)
        _collect(scratch, run_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return run_dir


def _collect(out: Path, run_dir: Path) -> None:
    if not out.is_dir():
        return
    for entry in sorted(out.iterdir()):
        if entry.name.startswith("record-pack-") or entry.name == "workspace":
            continue  # the run folder has the record pack; the workspace is not a report
        target = run_dir / ("declarations" if entry.name == "declarations" else f"reports/{entry.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(entry, target)


@dataclass(frozen=True)
class Run:
    id: str
    folder: Path
    modified: datetime
    """When its assessment.json was written (UTC)."""

    @property
    def assessment_path(self) -> Path:
        return self.folder / ASSESSMENT


@dataclass(frozen=True)
class RunFile:
    name: str
    """Path relative to the run folder, with forward slashes."""
    size: int
    kind: str
    """report | declaration | record-pack | assessment | other"""


class RunIndex:
    """The runs of one workspace, with their assessments parsed once."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.folder = workspace.root / RUNS
        self._cache: dict[Path, tuple[tuple[int, int], Assessment, ReportData]] = {}
        self._guard = threading.Lock()

    def runs(self) -> list[Run]:
        """Newest first."""
        found = []
        if not self.folder.is_dir():
            return found
        for path in self.folder.glob(f"*/{ASSESSMENT}"):
            if not _RUN_ID.fullmatch(path.parent.name):
                continue
            try:
                stamp = path.stat().st_mtime
            except FileNotFoundError:
                continue
            found.append(Run(path.parent.name, path.parent, datetime.fromtimestamp(stamp, timezone.utc)))
        return sorted(found, key=lambda r: (r.modified, r.id), reverse=True)

    def get(self, run_id: str) -> Run | None:
        """The run with this id, or the latest for "latest"."""
        if run_id == LATEST:
            runs = self.runs()
            return runs[0] if runs else None
        if not _RUN_ID.fullmatch(run_id):
            return None
        path = self.folder / run_id / ASSESSMENT
        try:
            stamp = path.stat().st_mtime
        except (FileNotFoundError, NotADirectoryError):
            return None
        return Run(run_id, path.parent, datetime.fromtimestamp(stamp, timezone.utc))

    def assessment(self, run: Run) -> Assessment:
        return self._load(run)[0]

    def data(self, run: Run) -> ReportData:
        """What the reports show, computed once per run (cvrule.report.views)."""
        return self._load(run)[1]

    def _load(self, run: Run) -> tuple[Assessment, ReportData]:
        path = run.assessment_path
        info = path.stat()
        key = (info.st_mtime_ns, info.st_size)
        with self._guard:
            cached = self._cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        assessment = Assessment.from_json(path.read_bytes())
        data = build(assessment)
        with self._guard:
            self._cache[path] = (key, assessment, data)
        return assessment, data

    def files(self, run: Run) -> list[RunFile]:
        """Every file of the run a user may download, in a fixed order."""
        out = []
        for path in sorted(run.folder.rglob("*")):
            relative = path.relative_to(run.folder)
            if not path.is_file() or path.is_symlink() or any(part.startswith(".") for part in relative.parts):
                continue
            name = relative.as_posix()
            out.append(RunFile(name, path.stat().st_size, _kind(name)))
        order = {"report": 0, "record-pack": 1, "declaration": 2, "assessment": 3, "other": 4}
        return sorted(out, key=lambda f: (order[f.kind], f.name))

    def file_path(self, run: Run, name: str) -> Path | None:
        """The file `name` of the run, only if it is one `files` lists (no way out of the folder)."""
        for entry in self.files(run):
            if entry.name == name:
                return run.folder / entry.name
        return None


def _kind(name: str) -> str:
    if name == ASSESSMENT:
        return "assessment"
    if name.endswith("record-pack.zip"):
        return "record-pack"
    if name.startswith("declarations/"):
        return "declaration"
    if name.startswith("reports/"):
        return "report"
    return "other"
