"""`cvrule replay`: a past assessment run again from its record pack (its inputs, legal
parameters, evaluation date and analysts' judgements, in a fresh workspace), and checked byte for
byte against the assessment the pack keeps (791.312: the records must support the decision as it was made)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cvrule.errors import CvruleError
from cvrule.fleet.compare import Comparison, compare
from cvrule.fleet.result import Assessment

__all__ = ["Replay", "replay"]


@dataclass
class Replay:
    run_id: str
    same: bool
    size: int
    sha256: str
    assessment: Assessment
    comparison: Comparison | None = None


def replay(pack_path: Path, out: Path | None = None, engine: str | None = None) -> Replay:
    from cvrule.fleet.assess import assess
    from cvrule.law import Law
    from cvrule.report.recordpack import read_record_pack
    from cvrule.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="cvrule-replay-") as tmp:
        scratch = Path(tmp)
        pack = read_record_pack(pack_path, scratch / "pack")
        kept = pack.assessment_path.read_bytes()
        folder = scratch / "inputs"
        for item in pack.assessment.inputs:
            target = folder / item.path
            if not target.resolve().is_relative_to(folder.resolve()):
                raise CvruleError(f"{pack_path}: input path {item.path!r} leaves the folder; refused")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pack.input_path(item.sha256), target)
        law = Law.load(pack.parameters_dir)
        space = Workspace(scratch / "workspace").create()
        if pack.judgements:
            _restore_judgements(pack_path, space, pack.judgements)
        run = assess(folder, out=out or scratch / "out", as_of=pack.assessment.as_of,
                     engine=engine or pack.assessment.engine, workspace=space, law=law,
                     formats=None if out else ("json",))
        again = run.assessment.to_json()
        same = again == kept
        comparison = None if same else compare(Assessment.from_json(kept), run.assessment)
        return Replay(run.assessment.run_id, same, len(again), hashlib.sha256(again).hexdigest(), run.assessment,
                      comparison)


def _restore_judgements(pack_path: Path, space, rows: list[dict]) -> None:
    """The analysts' judgements the run applied, into the fresh workspace before it resolves."""
    from cvrule.report.recordpack import JUDGEMENTS
    from cvrule.store import Store
    from cvrule.store.resolution import ResolutionStore

    with Store(space.store_path) as store:
        try:
            ResolutionStore(store).restore_judgements(rows)
        except ValueError as error:
            raise CvruleError(f"{pack_path}: {JUDGEMENTS}: {error}") from None
