"""One measured assessment, in its own process: `python child.py FLEET_FOLDER OUT ENGINE`.

Prints one JSON line: the stage timings of `cvrule.fleet.assess.assess` (reports: JSON only, the
"report data" of the budget), the CPU time of each stage (all threads of the process: less
disturbed than wall time when other work shares the machine), the counts, the worst outcome per line and model year, a digest of
the decisions (engine name left out, so two engines can be compared) and ru_maxrss.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from pathlib import Path


def main() -> None:
    folder, out, engine = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    from cvrule.fleet.assess import assess
    from cvrule.fleet.result import matrix

    marks: list[tuple[str, float]] = []

    def on_stage(stage: str, done: int, total: int) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.process_time()))

    start = time.perf_counter()
    run = assess(folder, out=out, engine=engine, formats=("json",), on_stage=on_stage)
    wall = time.perf_counter() - start
    marks.append(("end", time.process_time()))
    cpu = {stage: round(after - before, 3) for (stage, before), (_, after) in zip(marks, marks[1:])}
    assessment = run.assessment
    decisions = json.dumps([v.decision.model_dump(mode="json") for v in assessment.decisions], sort_keys=True)
    print(json.dumps({
        "engine": engine,
        "wall_s": wall,
        "stages": run.seconds,
        "cpu_stages": cpu,
        "counts": assessment.counts,
        "matrix": {line: {str(y): o.value for y, o in sorted(row.items())} for line, row in matrix(assessment).items()},
        "decisions_sha256": hashlib.sha256(decisions.encode()).hexdigest(),
        "run_id": assessment.run_id,
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
