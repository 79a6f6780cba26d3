"""Run the hostile-input and crasher regression tests and record what they measured: how many
hostile files, how many refused, the slowest refusal and the largest growth of peak memory.

    .venv/bin/python benchmarks/reliability/hostile.py

Results go to benchmarks/reliability/RESULTS.md (the hostile-input section).
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TESTS = REPO / "tests" / "reliability"

from results import write_section  # noqa: E402


class Tally:
    def __init__(self):
        self.passed = self.failed = 0
        self.failures: list[str] = []

    def pytest_runtest_logreport(self, report):
        if report.when != "call":
            return
        if report.passed:
            self.passed += 1
        elif report.failed:
            self.failed += 1
            self.failures.append(report.nodeid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)
    tally = Tally()
    code = pytest.main(["-q", "-p", "no:cacheprovider", str(TESTS / "test_hostile_inputs.py"),
                        str(TESTS / "test_crashers.py")], plugins=[tally])
    measured = sys.modules["test_hostile_inputs"].MEASURED
    refused = [m for m in measured if m[1] == "failed"]
    slowest = max(measured, key=lambda m: m[2])
    hungriest = max(measured, key=lambda m: m[3])
    lines = [
        f"Run on {datetime.now(timezone.utc).date().isoformat()} with `python benchmarks/reliability/hostile.py` "
        f"(tests/reliability/test_hostile_inputs.py and test_crashers.py).",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
        "",
        f"- tests: {tally.passed} passed, {tally.failed} failed" + (f" ({', '.join(tally.failures)})" if tally.failures else ""),
        f"- hostile files ingested through `cvrule ingest`'s path: **{len(measured)}**; refused with an error naming the "
        f"file: {len(refused)}; the rest read with nothing taken from outside the file (references, external entities)",
        f"- slowest: {slowest[2]:.2f} s ({slowest[0]}); largest growth of peak memory: {hungriest[3]:.0f} MB "
        f"({hungriest[0]})",
    ]
    write_section(args.results, "Hostile inputs", "\n".join(lines))
    print("\n".join(lines))
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
