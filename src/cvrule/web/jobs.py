"""The web app's long work: reading uploaded files into the workspace and assessing the fleet.

Jobs run one at a time on one worker thread, holding the workspace for writing (so a
`cvrule ingest` started meanwhile in a shell is refused, naming the server). A page or an API
client follows a job by its id: its stage, how far it is, and one line per file saying what
became of it (read, already there, refused, or the error naming the file, the place in it and
what was expected). Jobs are kept in memory: the last ones are listed until the server stops.
What they changed is in the audit log for good.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cvrule.errors import CvruleError
from cvrule.web.runs import inputs_folder, run_assessment
from cvrule.web.uploads import Placed, Staged, UploadError, place

if TYPE_CHECKING:
    from cvrule.web.state import AppState

__all__ = ["FileResult", "Job", "JobRunner", "STAGING"]

log = logging.getLogger("cvrule.web")

STAGING = ".web-uploads"
KEEP_JOBS = 200
Assessor = Callable[..., Path]
"""(workspace, on_stage=callable) -> the folder of the run it wrote."""


@dataclass
class FileResult:
    name: str
    outcome: str
    """loaded | unchanged | same-content | manifest | failed | refused"""
    message: str | None = None
    format: str | None = None
    facts: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome not in ("failed", "refused")


@dataclass
class Job:
    id: str
    kind: str
    """upload | assess"""
    actor: str
    created: datetime
    state: str = "queued"
    """queued | running | succeeded | failed"""
    stage: str = "waiting for the workspace"
    done: int = 0
    total: int = 0
    files: list[FileResult] = field(default_factory=list)
    run_id: str | None = None
    error: str | None = None
    finished: datetime | None = None
    assess: bool = True
    _event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def over(self) -> bool:
        return self.state in ("succeeded", "failed")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "actor": self.actor, "state": self.state, "stage": self.stage,
            "done": self.done, "total": self.total, "run_id": self.run_id, "error": self.error,
            "created": self.created.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds") if self.finished else None,
            "files": [{"name": f.name, "outcome": f.outcome, "message": f.message, "format": f.format,
                       "facts": f.facts} for f in self.files],
        }


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class JobRunner:
    def __init__(self, state: AppState, assessor: Assessor | None = None):
        self.state = state
        self.assessor = assessor or run_assessment
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._guard = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self.staging_root = state.workspace.root / STAGING
        shutil.rmtree(self.staging_root, ignore_errors=True)  # uploads of a server that stopped half way

    def staging(self, job_id: str) -> Path:
        return self.staging_root / job_id

    def new_id(self) -> str:
        return secrets.token_hex(8)

    # -- submitting ------------------------------------------------------------------------------

    def submit_upload(self, job_id: str, actor: str, staged: list[Staged], rejected: list[FileResult],
                      replace: bool, assess: bool) -> Job:
        job = Job(job_id, "upload", actor, _now(), total=len(staged) + len(rejected), files=list(rejected),
                  done=len(rejected), assess=assess)
        self._add(job)
        self._submit(job, lambda: self._upload(job, staged, replace))
        return job

    def submit_assess(self, actor: str) -> Job:
        job = Job(self.new_id(), "assess", actor, _now())
        self._add(job)
        self._submit(job, lambda: self._assess(job))
        return job

    def _submit(self, job: Job, work: Callable[[], None]) -> None:
        with self._guard:
            if self._pool is None:  # the first job, or the first since the app was shut down
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvrule-job")
            self._pool.submit(self._run, job, work)

    def _add(self, job: Job) -> None:
        with self._guard:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)

    def get(self, job_id: str) -> Job | None:
        with self._guard:
            return self._jobs.get(job_id)

    def recent(self, count: int = 20) -> list[Job]:
        with self._guard:
            return list(reversed(self._jobs.values()))[:count]

    def wait(self, job: Job, timeout: float) -> Job:
        job._event.wait(timeout)
        return job

    def close(self) -> None:
        """Wait for the job running now; drop the ones queued behind it."""
        with self._guard:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for job in self.recent(KEEP_JOBS):
            if not job.over:
                job.state, job.error, job.stage = "failed", "the server stopped before this job ran", "stopped"
                job._event.set()

    # -- running ---------------------------------------------------------------------------------

    def _run(self, job: Job, work: Callable[[], None]) -> None:
        job.state = "running"
        try:
            with self.state.workspace.lock(f"cvrule serve: {job.kind} by {job.actor}",
                                           wait=self.state.settings.store_wait_seconds):
                work()
            job.state = "succeeded" if job.error is None else "failed"
        except CvruleError as error:
            job.error, job.state = str(error), "failed"
        except Exception as error:  # a bug must end the job with a message, not kill the worker
            log.exception("job %s failed", job.id)
            job.error, job.state = f"internal error ({type(error).__name__}: {error})", "failed"
        finally:
            job.stage = "done" if job.state == "succeeded" else "stopped"
            job.finished = _now()
            shutil.rmtree(self.staging(job.id), ignore_errors=True)
            job._event.set()

    def _upload(self, job: Job, staged: list[Staged], replace: bool) -> None:
        from cvrule.fleet.manifest import MANIFEST_NAMES, load_manifest
        from cvrule.ingest.load import ingest_paths

        inputs = inputs_folder(self.state.workspace)
        inputs.mkdir(parents=True, exist_ok=True)
        job.stage = "reading files"
        placed: dict[Path, tuple[Staged, Placed]] = {}
        changed = False
        for item in staged:
            try:
                result = place(item, inputs, replace)
            except UploadError as error:
                job.files.append(FileResult(item.name, "refused", str(error)))
                job.done += 1
                continue
            if result is None:
                job.files.append(FileResult(item.name, "unchanged", "the same file is already in the inputs"))
                job.done += 1
                continue
            if Path(item.name).name in MANIFEST_NAMES:
                try:
                    load_manifest(result.target)
                except CvruleError as error:
                    result.undo()
                    job.files.append(FileResult(item.name, "failed", _relative(str(error), inputs)))
                else:
                    result.commit()
                    changed = True
                    job.files.append(FileResult(item.name, "manifest", "fleet manifest read", "cvrule-fleet"))
                job.done += 1
                continue
            placed[result.target.resolve()] = (item, result)

        def started(path: Path) -> None:
            job.stage = f"reading {path.name}"

        def read(path: Path, outcome) -> None:
            item, result = placed[path.resolve()]
            if outcome.outcome == "failed":
                result.undo()
                message = _relative(outcome.message or "could not be read", inputs)
                job.files.append(FileResult(item.name, "failed", message, outcome.format))
            else:
                result.commit()
                job.files.append(FileResult(item.name, outcome.outcome, None, outcome.format, outcome.facts))
            job.done += 1

        if placed:
            ingest_paths(self.state.workspace, list(placed), on_file=read, on_start=started, actor=job.actor)
            changed = changed or any(f.outcome in ("loaded", "same-content") for f in job.files)
        self.state.record(job.actor, "web.upload", job.id, {
            "files": [{"name": f.name, "outcome": f.outcome, **({"message": f.message} if not f.ok else {})}
                      for f in job.files],
        })
        if job.assess and changed:
            self._assess(job)

    def _assess(self, job: Job) -> None:
        job.stage = "assessing"

        def on_stage(stage: str = "", done: int = 0, total: int = 0, *_: Any) -> None:
            job.stage = f"assessing: {stage}"
            if job.kind == "assess":
                job.done, job.total = done, total

        run_dir = self.assessor(self.state.workspace, on_stage=on_stage)
        job.run_id = Path(run_dir).name
        self.state.record(job.actor, "web.assess", job.run_id, {"job": job.id})


def _relative(message: str, inputs: Path) -> str:
    """An error message with the server's inputs folder left out of the file names it gives."""
    return message.replace(str(inputs.resolve()) + "/", "").replace(str(inputs) + "/", "")
