"""The long fuzz run: every parser and the case-file loader, seeded from tests/data, the case
suites and (when present) ../shared/corpus, for a fixed number of executions.

    .venv/bin/python benchmarks/reliability/fuzz.py --executions 100000

Each execution mutates one seed (the same harness as tests/reliability/test_fuzz_parsers.py),
writes it to a scratch file and reads it as `cvrule ingest` would (a case file: loads and decides
it as `cvrule case run` would). The oracle: the file is read into facts the store can write, or
refused with an InputError naming the file; anything else is a crasher, and so is an execution
that runs longer than --timeout seconds. Crashers are saved under benchmarks/reliability/crashers/
for regression tests. Seeds are taken in turn, so every format gets its share; --seed makes the
run reproducible. Results go to benchmarks/reliability/RESULTS.md (the fuzz section).
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import random
import signal
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "reliability"))

import fuzzing  # noqa: E402
from results import peak_rss_mb, write_section  # noqa: E402


class Timeout(BaseException):
    """An execution over the time limit (a BaseException, so no parser's `except Exception` hides it)."""


def _alarm(signum, frame):
    raise Timeout()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--timeout", type=float, default=10.0, help="Seconds one execution may take.")
    parser.add_argument("--no-corpus", action="store_true", help="Seed from tests/data and the cases only.")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # openpyxl warns about the damaged workbooks it is handed

    from cvrule.law import Law

    law = Law.load()
    seeds = fuzzing.load_seeds(corpus=not args.no_corpus)
    by_format: dict[str, list[fuzzing.Seed]] = defaultdict(list)
    for seed in seeds:
        by_format[seed.format].append(seed)
    formats = sorted(by_format)
    others = [s.data for s in seeds]
    rng = random.Random(args.seed)
    per_format: dict[str, fuzzing.Tally] = {name: fuzzing.Tally() for name in formats}
    crash_keys: Counter[str] = Counter()
    first_crash: dict[str, tuple[str, str]] = {}
    slowest: list[tuple[float, str, int]] = []
    crashers = HERE / "crashers"
    signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cvrule-fuzz-") as scratch:
        workdir = Path(scratch)
        for number in range(args.executions):
            name = formats[number % len(formats)]
            seed = rng.choice(by_format[name])
            data = fuzzing.mutate(seed, rng, others)
            clock = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, args.timeout)
            try:
                outcome = fuzzing.execute(seed, data, workdir, law)
            except Timeout:
                outcome = fuzzing.Outcome("crash", error=TimeoutError(f"over {args.timeout} s"))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            seconds = time.perf_counter() - clock
            slowest = sorted(slowest + [(seconds, seed.name, len(data))], reverse=True)[:5]
            per_format[name].add(outcome, seed, data)
            if outcome.kind == "crash":
                key = fuzzing.crash_key(outcome.error)
                crash_keys[key] += 1
                if key not in first_crash:
                    digest = hashlib.sha256(data).hexdigest()[:12]
                    crashers.mkdir(exist_ok=True)
                    saved = crashers / f"{digest}-{seed.path.name}"
                    saved.write_bytes(data)
                    first_crash[key] = (seed.name, f"{saved.relative_to(REPO)}: {type(outcome.error).__name__}: "
                                                   f"{str(outcome.error)[:200]}")
                    print(f"CRASH {key} from {seed.name} -> {saved}", flush=True)
            if (number + 1) % 5000 == 0:
                print(f"{number + 1} executions, {sum(crash_keys.values())} crashes, "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started

    total = fuzzing.Tally()
    for tally in per_format.values():
        total.executions += tally.executions
        total.read += tally.read
        total.refused += tally.refused
        total.refused_located += tally.refused_located
    lines = [
        f"Run on {datetime.now(timezone.utc).date().isoformat()} with "
        f"`python benchmarks/reliability/fuzz.py --executions {args.executions} --seed {args.seed}"
        f"{' --no-corpus' if args.no_corpus else ''}`.",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}; {len(seeds)} seeds in {len(formats)} formats "
        f"({'with' if not args.no_corpus and fuzzing.CORPUS.is_dir() else 'without'} ../shared/corpus).",
        "",
        f"- executions: **{total.executions:,}** in {elapsed:.0f} s ({total.executions / elapsed:.0f}/s)",
        f"- read into storable facts: {total.read:,}; refused with an InputError naming the file: {total.refused:,} "
        f"({total.refused_located:,} of them naming a place in it as well)",
        f"- uncaught exceptions and time-outs (over {args.timeout:g} s): **{sum(crash_keys.values())}** "
        f"({len(crash_keys)} distinct)",
        f"- slowest execution: {slowest[0][0]:.2f} s ({slowest[0][1]}, mutated to {slowest[0][2]:,} bytes)" if slowest else "",
        f"- peak memory of the run: {peak_rss_mb():.0f} MB",
        "",
        "| format | seeds | executions | read | refused | crashes |",
        "|---|---|---|---|---|---|",
    ]
    for name in formats:
        tally = per_format[name]
        lines.append(f"| {name} | {len(by_format[name])} | {tally.executions:,} | {tally.read:,} | {tally.refused:,} | "
                     f"{len(tally.crashes)} |")
    if crash_keys:
        lines += ["", "Crashers (saved for regression tests):", ""]
        for key, count in crash_keys.most_common():
            seed_name, detail = first_crash[key]
            lines.append(f"- {key} x{count}, from {seed_name}: {detail}")
    write_section(args.results, "Fuzzing", "\n".join(lines))
    print("\n".join(lines))
    return 1 if crash_keys else 0


if __name__ == "__main__":
    sys.exit(main())
