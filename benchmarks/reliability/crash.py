"""The long crash run: kill cvrule's writers (ingest, resolve, nexus, assess; see WRITERS in
tests/reliability/crashing.py) with SIGKILL at random moments, check the workspace after every
kill, then finish the job and compare with an uninterrupted run.

    .venv/bin/python benchmarks/reliability/crash.py --kills 200

Results go to benchmarks/reliability/RESULTS.md (the crash section).
"""

from __future__ import annotations

import argparse
import platform
import random
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "reliability"))

import crashing  # noqa: E402
from results import write_section  # noqa: E402

from cvrule.workspace import Workspace  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--components", type=int, default=8000, help="Components of the synthetic BOM.")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="cvrule-crash-"))
    try:
        inputs = crashing.make_inputs(scratch / "inputs", args.components)
        input_files = len(list(inputs.iterdir()))
        clean = Workspace(scratch / "clean")  # an uninterrupted run, which also times each writer
        durations = {writer: crashing.run(writer, clean.root, inputs) for writer in crashing.ORDER}
        print("full runs: " + ", ".join(f"{w} {s:.2f} s" for w, s in durations.items()), flush=True)
        space = Workspace(scratch / "ws")
        result = crashing.campaign(space, inputs, args.kills, random.Random(args.seed), durations,
                                   log=lambda line: print(line, flush=True), components=args.components)
        crashing.vary_inputs(inputs, 0, args.components)  # the inputs the uninterrupted run had
        for writer in crashing.ORDER:
            crashing.run(writer, space.root, inputs)
        final_problems = crashing.check_store(space)
        after, reference = crashing.snapshot(space), crashing.snapshot(clean)
        clean_runs, kept_runs = crashing.runs(clean), crashing.runs(space)
        same_runs = bool(clean_runs) and all(kept_runs.get(run) == sha for run, sha in clean_runs.items())
        same = after == reference and same_runs
        differing = [key for key in reference if after.get(key) != reference[key]] + ([] if same_runs else ["runs"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    facts = sum(int(d.split(":")[0]) for tables in reference["facts"].values() for d in tables.values())
    lines = [
        f"Run on {datetime.now(timezone.utc).date().isoformat()} with "
        f"`python benchmarks/reliability/crash.py --kills {args.kills} --seed {args.seed} --components {args.components}`.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}. Inputs: {input_files} files "
        f"({facts:,} facts; a {args.components:,}-component CycloneDX BOM rewritten between two versions before half "
        "the ingests, so kills land in replacements too). Uninterrupted runs: "
        + ", ".join(f"{w} {s:.2f} s" for w, s in durations.items()) + ".",
        "",
        f"- writers started: {args.kills}; killed with SIGKILL while running: **{result.kills}** "
        f"({', '.join(f'{w} {n}' for w, n in sorted(result.by_writer.items()))}); finished before their kill: "
        f"{result.finished_first}",
        f"- workspace inconsistent after a kill: **{len(result.problems)}**"
        + ("" if not result.problems else " (" + "; ".join(result.problems[:5]) + ")"),
        f"- after finishing the job: store consistent: {'yes' if not final_problems else 'NO: ' + '; '.join(final_problems)}; "
        f"same paths, fact digests, resolution results, party status and assessment bytes as an uninterrupted run: "
        f"**{'yes' if same else 'NO (' + ', '.join(differing) + ')'}**",
        f"- time: {result.seconds:.0f} s for the kills",
    ]
    write_section(args.results, "Crash consistency", "\n".join(lines))
    print("\n".join(lines))
    return 0 if same and not result.problems and not final_problems else 1


if __name__ == "__main__":
    sys.exit(main())
